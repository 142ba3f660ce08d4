// The tiny guest's cloud-init subset: what the harness writes into the NoCloud seed for busybox to run.
import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { noCloudMetaData, tinyGuestScript } from "../../dev/cluster/guests/cloud-init";
import { quantityBytes } from "../../dev/cluster/standins/vm-guests";

/** Runs `script` with sh -n (syntax only): the quoting must hold whatever the user-data says. */
const parses = (script: string) => execFileSync("sh", ["-n"], { input: script });

/** What the guest would write to /run/cidata-final (the runcmd step), by running that one line here. */
function finalScript(script: string): string {
  const command = /(printf '%s' '#!\/bin\/sh[^]*?') > \/run\/cidata-final\n/.exec(script)![1]!;
  return execFileSync("sh", ["-c", command], { encoding: "utf8" });
}

describe("tiny guest cloud-init subset", () => {
  test("hostname, keys, users, write_files and runcmd become shell steps", () => {
    const script = tinyGuestScript(
      `#cloud-config
hostname: web-1
ssh_authorized_keys: ["ssh-ed25519 AAAA root@laptop"]
users:
  - default
  - name: alice
    ssh_authorized_keys: ["ssh-ed25519 BBBB alice's key"]
  - name: "bad name; rm -rf /"
write_files:
  - path: /etc/app/config
    content: "x=1\\n"
    permissions: "0640"
  - path: /etc/app/blob
    encoding: b64
    content: aGVsbG8=
runcmd:
  - echo one
  - [touch, "/tmp/it's here"]
`,
      "vm-name",
    );
    parses(script);
    expect(script).toContain("hostname 'web-1'");
    expect(script).toContain("printf '%s\\n' 'ssh-ed25519 AAAA root@laptop' >> '/root/.ssh/authorized_keys'");
    expect(script).toContain("'ssh-ed25519 BBBB alice'\\''s key' >> '/home/alice/.ssh/authorized_keys'");
    expect(script).not.toContain("bad name");
    expect(script).toContain("printf '%s' 'x=1\n' > '/etc/app/config'");
    expect(script).toContain("chmod 0640 '/etc/app/config'");
    expect(script).toContain("printf '%s' 'aGVsbG8=' | base64 -d > '/etc/app/blob'");
    expect(finalScript(script)).toBe("#!/bin/sh\nset -x\necho one\n'touch' '/tmp/it'\\''s here'\n");
  });

  test("the VMI name is the hostname unless user-data says otherwise; scripts run as runcmd", () => {
    expect(tinyGuestScript("", "vm-name")).toMatch(/^hostname 'vm-name'$/m);
    const script = tinyGuestScript("#!/bin/sh\necho from-script\n", "vm-name");
    parses(script);
    expect(script).toContain("echo from-script");
    expect(finalScript(script)).toContain("exec sh /run/cidata-userdata");
    expect(script).toContain("/run/cidata-final");
    expect(noCloudMetaData("ns", "vm", "vm")).toBe("instance-id: vm.ns\nlocal-hostname: vm\n");
  });

  test("quantities", () => {
    expect(quantityBytes("96Mi")).toBe(96 * 2 ** 20);
    expect(quantityBytes("1G")).toBe(1e9);
    expect(quantityBytes("lots")).toBeUndefined();
  });
});
