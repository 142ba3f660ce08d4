// Kubeconfigs are vetted in their raw form before the client library sees them: every key the
// library's loader treats as a file path or a command is refused by name, nothing is read or
// run while a hostile document is handled, and the client config is built from vetted values.
import childProcess from "node:child_process";
import fs from "node:fs";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { afterEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { ValidationError } from "@/lib/errors";
import {
  kubeConfigFromSelected,
  kubeConfigFromStored,
  listKubeconfigContexts,
  quoteForMessage,
  selectContext,
  storedKubeconfigText,
  vetKubeconfig,
} from "@/lib/kube/kubeconfig";
import { KUBECONFIG_MAX_BYTES, KUBECONFIG_TOO_LARGE, kubeconfigSizeProblem } from "@/lib/kube/kubeconfig-size";

const PEM_CERT = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64");
const PEM_KEY = Buffer.from("-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n").toString("base64");

type Doc = Record<string, unknown>;
const doc = (cluster: Doc = {}, user: Doc = { token: "abc.def" }, extra: Doc = {}): Doc => ({
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": PEM_CERT, ...cluster } }],
  users: [{ name: "u", user }],
  contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
  "current-context": "ctx",
  ...extra,
});
const text = (d: Doc) => stringify(d);

function refusal(input: string): string {
  try {
    vetKubeconfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const fieldErrors = (error as ValidationError).fieldErrors;
    expect(fieldErrors?.kubeconfig).toBe((error as Error).message);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

// The keys the client library's loader reads out of clusters[].cluster and users[].user, from its
// own source: if an upgrade adds one, this list grows and the test below must cover it.
function loaderKeys(): { cluster: string[]; user: string[] } {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve("@kubernetes/client-node"));
  const source = readFileSync(path.join(dir, "config_types.js"), "utf8");
  const keys = (section: string) => [...new Set([...source.matchAll(new RegExp(`elt\\.${section}\\[['"]([^'"]+)['"]\\]`, "g"))].map((m) => m[1]!))];
  const user = new Set([...keys("user"), ...[...source.matchAll(/user\[['"]([^'"]+)['"]\]/g)].map((m) => m[1]!)]);
  if (/elt\.user\.exec/.test(source)) user.add("exec");
  if (/elt\.user\.as\b/.test(source)) user.add("as");
  if (/elt\.user\.username/.test(source)) user.add("username");
  if (/elt\.user\.password/.test(source)) user.add("password");
  if (/elt\.user\.token\b|user\.token\b/.test(source)) user.add("token");
  return { cluster: keys("cluster"), user: [...user] };
}

describe("kubeconfig vetting", () => {
  afterEach(() => vi.restoreAllMocks());

  it("accepts an inline kubeconfig and builds the client from vetted values", () => {
    const vetted = vetKubeconfig(text(doc({}, { "client-certificate-data": PEM_CERT, "client-key-data": PEM_KEY })));
    const selected = selectContext(vetted);
    const kc = kubeConfigFromSelected(selected);
    expect(kc.getCurrentCluster()).toMatchObject({ server: "https://10.0.0.1:6443", caData: PEM_CERT, skipTLSVerify: false });
    expect(kc.getCurrentUser()).toMatchObject({ certData: PEM_CERT, keyData: PEM_KEY });
    // What is stored is ours, and loads back to the same thing.
    const stored = storedKubeconfigText(selected);
    expect(kubeConfigFromStored(stored).getCurrentCluster()?.server).toBe("https://10.0.0.1:6443");
    expect(listKubeconfigContexts(stored)).toEqual([{ name: "ctx", cluster: "c", server: "https://10.0.0.1:6443", user: "u", insecure: false }]);
  });

  it("accepts what the client library itself exports (stored kubeconfigs of earlier versions)", () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: "https://10.0.0.1:6443", caData: PEM_CERT, skipTLSVerify: false }],
      users: [{ name: "u", token: "abc.def" }],
      contexts: [{ name: "ctx", cluster: "c", user: "u" }],
      currentContext: "ctx",
    });
    expect(kubeConfigFromStored(kc.exportConfig()).getCurrentUser()?.token).toBe("abc.def");
  });

  it("refuses, by name, every key the client library's loader treats as a file path or a command", () => {
    const keys = loaderKeys();
    // The loader's own keys are known to us: each is either read by us (inline data) or refused here.
    const inline = new Set(["server", "certificate-authority-data", "insecure-skip-tls-verify", "tls-server-name", "token", "client-certificate-data", "client-key-data"]);
    const expectations: Record<string, RegExp> = {
      "certificate-authority": /refers to a file on the panel's host \(certificate-authority\)/,
      "client-certificate": /refers to a file on the panel's host \(client-certificate\)/,
      "client-key": /refers to a file on the panel's host \(client-key\)/,
      "token-file": /refers to a file on the panel's host \(token-file\)/,
      exec: /runs a program \(exec\)/,
      "auth-provider": /auth provider plugin/,
      "proxy-url": /through a proxy \(proxy-url\)/,
      as: /impersonates another identity \(as\)/,
      username: /username and password/,
      password: /username and password/,
    };
    for (const key of [...keys.cluster, ...keys.user]) expect(inline.has(key) || key in expectations, `loader key ${key} is covered`).toBe(true);
    expect(keys.cluster).toEqual(expect.arrayContaining(["certificate-authority", "proxy-url"]));
    expect(keys.user).toEqual(expect.arrayContaining(["client-certificate", "client-key", "exec", "auth-provider", "token-file"]));

    const value = (key: string): unknown =>
      key === "exec"
        ? { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh", args: ["-c", "touch /tmp/pwned"] }
        : key === "auth-provider"
          ? { name: "gcp", config: { "cmd-path": "/bin/sh", "cmd-args": "-c id" } }
          : "/etc/passwd";
    for (const [key, message] of Object.entries(expectations)) {
      const clusterKey = keys.cluster.includes(key);
      const input = clusterKey ? doc({ [key]: value(key) }) : doc({}, { token: "abc.def", [key]: value(key) });
      expect(refusal(text(input)), key).toMatch(message);
    }
  });

  it("reads no file and starts no process while hostile documents are handled", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "minicloud-kubeconfig-"));
    const secret = path.join(dir, "secret");
    writeFileSync(secret, "TOP-SECRET-FILE-CONTENT");
    // The class this guards against: the client library reads a token file while loading.
    const loaded = new KubeConfig();
    loaded.loadFromString(text(doc({}, { "token-file": secret })));
    expect(loaded.getCurrentUser()?.token).toBe("TOP-SECRET-FILE-CONTENT");

    // Loosely typed: the same watch on many functions of two modules.
    const spyOn = vi.spyOn as unknown as (object: object, method: string) => MockInstance;
    const opened: string[] = [];
    const spawned: string[] = [];
    for (const name of ["readFileSync", "openSync", "readSync", "createReadStream", "accessSync", "statSync"] as const) {
      const original = (fs as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
      spyOn(fs, name).mockImplementation(((...args: unknown[]) => {
        opened.push(`${name} ${String(args[0])}`);
        return original(...args);
      }) as never);
    }
    for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const) {
      spyOn(childProcess, name).mockImplementation(((...args: unknown[]) => {
        spawned.push(`${name} ${String(args[0])}`);
        throw new Error("no process may start");
      }) as never);
    }

    // The watch sees the library's reads: loading the same document straight is caught.
    new KubeConfig().loadFromString(text(doc({}, { "token-file": secret })));
    expect(opened).toContain(`readFileSync ${secret}`);
    opened.length = 0;

    const hostile = [
      doc({ "certificate-authority": secret }),
      doc({}, { "token-file": secret }),
      doc({}, { "token-file": "/dev/zero" }),
      doc({}, { "client-certificate": secret, "client-key": secret }),
      doc({}, { exec: { command: "/bin/sh", args: ["-c", "id"] } }),
      doc({}, { "auth-provider": { name: "tokenFile", config: { tokenFile: secret } } }),
      doc({}, { "auth-provider": { name: "azure", config: { "cmd-path": "/bin/sh" } } }),
      doc({ "proxy-url": "socks5://127.0.0.1:1080" }),
    ];
    for (const input of hostile) {
      for (const handle of [() => vetKubeconfig(text(input)), () => listKubeconfigContexts(text(input)), () => kubeConfigFromStored(text(input))]) {
        let message = "";
        try {
          handle();
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).not.toBe("");
        expect(message).not.toContain("TOP-SECRET");
      }
    }
    expect(opened).toEqual([]);
    expect(spawned).toEqual([]);
  });

  it("refuses any key outside the allow-list, by name, in every section", () => {
    expect(refusal(text(doc({}, { token: "t" }, { surprise: 1 })))).toBe("The kubeconfig has the key “surprise” in the top level, which the panel does not accept.");
    expect(refusal(text(doc({ "certificate-authority-file": "/x" })))).toMatch(/“certificate-authority-file” in clusters\[0\]\.cluster/);
    expect(refusal(text(doc({}, { token: "t", "as-groups": ["system:masters"] })))).toMatch(/impersonates groups/);
    const contextKey = doc();
    (contextKey.contexts as Doc[])[0]!.context = { cluster: "c", user: "u", "extra\u200bkey": "x" };
    // An invisible character in a key is shown by its code point.
    expect(refusal(text(contextKey))).toContain("“extraU+200Bkey” in contexts[0].context");
  });

  it("refuses values of the wrong shape with plain messages", () => {
    expect(refusal(text(doc({}, { token: "abc\r\nX-Injected: 1" })))).toMatch(/characters a bearer token cannot have/);
    expect(refusal(text(doc({ "certificate-authority-data": "not base64!" })))).toMatch(/not base64 data/);
    expect(refusal(text(doc({ "certificate-authority-data": Buffer.from("hello").toString("base64") })))).toMatch(/does not hold a PEM certificate/);
    expect(refusal(text(doc({}, { "client-certificate-data": PEM_CERT })))).toMatch(/certificate without its key/);
    expect(refusal(text(doc({ "insecure-skip-tls-verify": "yes" })))).toMatch(/must be true or false/);
    expect(refusal(text(doc({ server: 6443 })))).toMatch(/server in clusters\[0\]\.cluster must be text/);
    expect(refusal(text({ ...doc(), contexts: [] }))).toBe("The kubeconfig has no contexts.");
    expect(refusal(text({ ...doc(), clusters: [{ name: "c", cluster: { server: "https://a" } }, { name: "c", cluster: { server: "https://b" } }] }))).toBe("Two clusters are named “c”.");
    expect(refusal("")).toBe("Paste or upload a kubeconfig.");
    expect(refusal("- just\n- a list\n")).toMatch(/not a kubeconfig/);
  });

  it("handles YAML bombs, deep nesting, tags and duplicate keys with clear messages", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join("\n");
    expect(refusal(bomb)).toMatch(/YAML aliases/);
    expect(refusal(`preferences: ${"[".repeat(5000)}${"]".repeat(5000)}`)).toMatch(/nested too deeply|not a readable kubeconfig/);
    expect(refusal(`clusters: ${"[".repeat(20)}${"]".repeat(20)}`)).toMatch(/nested too deeply/);
    expect(refusal("clusters: !!python/object:os.system [id]\n")).toMatch(/YAML tags/);
    expect(refusal("kind: Config\nkind: Config\n")).toMatch(/a key appears twice/);
    expect(refusal("clusters: [\n")).toMatch(/not a readable kubeconfig/);
  });

  it("one size limit, in bytes, with one message for the browser and the server", () => {
    const big = `# ${"é".repeat(KUBECONFIG_MAX_BYTES / 2)}\n${text(doc())}`;
    expect(big.length).toBeLessThan(KUBECONFIG_MAX_BYTES); // characters are under the limit, bytes are not
    expect(kubeconfigSizeProblem(big)).toBe(KUBECONFIG_TOO_LARGE);
    expect(refusal(big)).toBe(KUBECONFIG_TOO_LARGE);
    expect(kubeconfigSizeProblem(text(doc()))).toBeNull();
  });

  it("marks contexts that do not verify TLS, and a name for each refused character by code point", () => {
    const insecure = text(doc({ "insecure-skip-tls-verify": true }));
    expect(listKubeconfigContexts(insecure)[0]?.insecure).toBe(true);
    expect(listKubeconfigContexts(text(doc({ server: "http://10.0.0.1:8080" })))[0]?.insecure).toBe(true);
    expect(quoteForMessage("a\u0000b\u202ec")).toBe("“aU+0000bU+202Ec”");
    expect(selectContext(vetKubeconfig(insecure)).cluster.insecureSkipTlsVerify).toBe(true);
  });

  it("a context whose user has no credentials, or names what is not there, is refused", () => {
    expect(() => selectContext(vetKubeconfig(text(doc({}, {}))))).toThrow(/no credentials/);
    expect(() => selectContext(vetKubeconfig(text(doc())), "other"))
      .toThrow(ValidationError);
    const missingUser = doc();
    (missingUser.contexts as Doc[])[0]!.context = { cluster: "c", user: "ghost" };
    expect(() => selectContext(vetKubeconfig(text(missingUser)))).toThrow(/names user “ghost”, which is not in the kubeconfig/);
  });
});
