// cloud-init user data of VMs: the injected host name and keys always come first and cannot be
// replaced; the user's #cloud-config is vetted in its raw form (size, header, syntax, aliases,
// tags, reserved keys) with refusals naming the line and key, and merged as typed.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ValidationError } from "@/lib/errors";
import { buildUserData, CLOUD_CONFIG_MAX_BYTES, vetCloudConfig } from "@/lib/vms/cloud-init";

const identity = { hostname: "build-box-a1b2c", sshKeys: ["ssh-ed25519 AAAAowner owner@laptop", "ssh-ed25519 AAAApanel minicloud-panel"] };
const build = (text: string) => buildUserData(identity, vetCloudConfig(text));
const refusal = (text: string) => {
  try {
    vetCloudConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys((error as ValidationError).fieldErrors ?? {})).toEqual(["cloudInit"]);
    return (error as Error).message;
  }
  throw new Error("not refused");
};

describe("the injected parts", () => {
  it("are the whole user data without the user's", () => {
    for (const none of ["", "   \n", "#cloud-config\n"]) {
      const text = buildUserData(identity, vetCloudConfig(none));
      expect(text.startsWith("#cloud-config\n")).toBe(true);
      expect(parse(text)).toEqual({ hostname: identity.hostname, ssh_authorized_keys: identity.sshKeys });
    }
  });

  it("come first, and the user's keys are added after them, once each", () => {
    const data = parse(build("#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAextra me@desk\n  - ssh-ed25519 AAAApanel minicloud-panel\npackages: [git]\n"));
    expect(data.ssh_authorized_keys).toEqual([...identity.sshKeys, "ssh-ed25519 AAAAextra me@desk"]);
    expect(data.hostname).toBe(identity.hostname);
    expect(data.packages).toEqual(["git"]);
  });

  it("keep cloud-init's default user (who holds the keys) first in a users list", () => {
    expect(parse(build("#cloud-config\nusers:\n  - name: alice\n    groups: [wheel]\n")).users).toEqual(["default", { name: "alice", groups: ["wheel"] }]);
    expect(parse(build("#cloud-config\nusers:\n  - default\n  - name: bob\n")).users).toEqual(["default", { name: "bob" }]);
  });
});

describe("the user's cloud-config is merged as typed", () => {
  it("keeps what YAML 1.1 (cloud-init's reader) would read differently from the core schema", () => {
    const text = build("#cloud-config\nwrite_files:\n  - path: /etc/motd\n    permissions: 0644\n    content: |\n      hello\n      world\npackage_update: yes\nruncmd:\n  - [sh, -c, 'echo # not a comment']\nempty:\n");
    expect(text).toContain("permissions: 0644");
    expect(text).toContain("package_update: yes");
    expect(text).toContain("empty: ~");
    const data = parse(text, { version: "1.1" });
    expect(data.write_files[0]).toEqual({ path: "/etc/motd", permissions: 0o644, content: "hello\nworld\n" });
    expect(data.package_update).toBe(true);
    expect(data.runcmd).toEqual([["sh", "-c", "echo # not a comment"]]);
    expect(data.empty).toBeNull();
  });
});

describe("refusals name the line and the key", () => {
  const cases: [string, string, RegExp | string][] = [
    ["no header", "packages: [git]\n", "Start the cloud-init user data with the line #cloud-config."],
    ["a shell script", "#!/bin/sh\necho hi\n", /^Only #cloud-config user data is accepted/],
    ["an include", "#include\nhttps://example.com/x\n", /^Only #cloud-config user data is accepted/],
    ["hostname", "#cloud-config\npackages: [git]\nhostname: evil\n", "Line 3: “hostname” cannot be set: the panel sets the host name to the VM's name."],
    ["fqdn", "#cloud-config\nfqdn: evil.example.com\n", /^Line 2: “fqdn” cannot be set/],
    ["preserve_hostname", "#cloud-config\npreserve_hostname: true\n", /^Line 2: “preserve_hostname” cannot be set/],
    ["system_info", "#cloud-config\nsystem_info:\n  default_user: null\n", "Line 2: “system_info” cannot be set: it changes the default user, who holds the injected ssh keys."],
    ["the module lists", "#cloud-config\ncloud_config_modules: [runcmd]\n", /^Line 2: “cloud_config_modules” cannot be set: it changes which cloud-init modules run/],
    ["merge_how", "#cloud-config\nmerge_how: replace\n", /^Line 2: “merge_how” cannot be set/],
    ["keys that are not a list", "#cloud-config\nssh_authorized_keys: ssh-ed25519 AAAA x\n", /^Line 2: “ssh_authorized_keys” must be a list/],
    ["a key over two lines", '#cloud-config\nssh_authorized_keys:\n  - "ssh-ed25519 AAAA\\nssh-rsa BBBB"\n', /^Line 2: each entry of “ssh_authorized_keys” must be one public key on one line/],
    ["users that are not a list", "#cloud-config\nusers: alice\n", /^Line 2: “users” must be a list/],
    ["an alias", "#cloud-config\na: &x [1, 2]\nb: *x\n", /^Line 2: YAML anchors|^Line 3: YAML aliases/],
    ["a tag", "#cloud-config\na: !!python/object:os.system ls\n", /^Line 2: YAML tags/],
    ["a custom tag", "#cloud-config\na: !vault secret\n", /YAML tags/],
    ["a duplicate key", "#cloud-config\npackages: [a]\npackages: [b]\n", "The cloud-init user data is not readable YAML: a key appears twice on line 3."],
    ["bad syntax", "#cloud-config\npackages: [a\n", /^The cloud-init user data is not readable YAML: syntax error on line/],
    ["a list at the top", "#cloud-config\n- a\n- b\n", "The cloud-init user data must be a mapping of keys (packages:, runcmd:, …) to values."],
    ["too large", `#cloud-config\nwrite_files:\n  - content: "${"x".repeat(CLOUD_CONFIG_MAX_BYTES)}"\n`, "The cloud-init user data is larger than 32 KiB."],
  ];
  for (const [what, text, expected] of cases) {
    it(`refuses ${what}`, () => {
      const message = refusal(text);
      if (typeof expected === "string") expect(message).toBe(expected);
      else expect(message).toMatch(expected);
    });
  }
});
