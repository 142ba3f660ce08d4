// Generated bad input for the bad-input suite (test/cluster/bad-input.test.ts): one fast-check
// arbitrary per kind of field that yields only values the field must refuse (a random UUID
// names nothing, so it is refused as not found), one that yields a value the field accepts
// (ids of the suite's fixtures), and the check that a refusal is a sentence a person
// understands. Kinds are named by what the field holds, so a new action's fields reuse them.
import fc from "fast-check";

/** Ids of the rows the suite sets up, for fields that name an existing thing. */
export interface Fixtures {
  orgId: string;
  teamId: string;
  clusterId: string;
  userId: string;
  podId: string;
  kubeconfig: string;
  apiToken: string;
  /** A valid public key (OpenSSH line) nobody has added. */
  publicKey: string;
}

// ---- Building blocks ---------------------------------------------------------------------

/** Characters no name, email or reference takes: controls, invisible, bidi, look-alikes, emoji, lone surrogates, path and shell characters. */
export const HOSTILE_CHARACTERS = [
  "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\t", "\n", "\r",
  "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u034f", "\ufeff",
  "\u202e", "\u202d", "\u2066", "\u2069", "\u200f",
  "а", "о", "ο", "Ｋ", "\u212a", "ı", "é", "ß", "中",
  "😀", "👨‍👩‍👧", "\ud800", "\udfff",
  "/", "\\", "..", "%2e%2e", "%00", "'", '"', "<", ">", "`", "$", "{", "}", ";", "|", "&", "*", "?", "#", "%", "@", ":", "=", "+", "_", ".",
];

/** Whole values that are bad almost anywhere: paths, schemes, markup, other types. */
export const HOSTILE_VALUES: unknown[] = [
  "../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/", "a\u0000b", "C:\\Windows\\system32", "~/.ssh/id_rsa",
  "file:///etc/passwd", "gopher://127.0.0.1:70/_x", "data:text/plain,hi", "javascript:alert(1)", "<script>alert(1)</script>",
  "${jndi:ldap://x}", "{{7*7}}", "' OR 1=1 --", "\u202eevil", "\ud800", "undefined", "null", "NaN", "[object Object]",
  null, 0, -1, 1.5, true, false, [], {}, ["a"], { toString: "x" },
];

const word = fc.stringMatching(/^[a-z][a-z0-9]{1,8}$/);
const hostileCharacter = fc.constantFrom(...HOSTILE_CHARACTERS);
const hostileValue = fc.constantFrom(...HOSTILE_VALUES);

/** A word with a hostile character inside it (never at an end, where trimming would remove it), optionally not one `allowed` takes. */
function wordWith(allowed: RegExp | null = null) {
  const character = allowed ? hostileCharacter.filter((c) => !allowed.test(c)) : hostileCharacter;
  return fc.tuple(word, character, word).map(([a, c, b]) => `${a}${c}${b}`);
}
const wordWithHostileCharacter = wordWith();

/** Text of `min`… characters (code points, as limits count them; up to 100k), repeating a unit that may itself be hostile. */
function longText(min: number, max = 100_000) {
  return fc.tuple(fc.integer({ min, max }), fc.oneof(fc.constant("a"), fc.constant("ab-"), hostileCharacter)).map(([n, unit]) => unit.repeat(Math.ceil(n / [...unit].length)));
}

/** Any hostile text or value (for fields with no wrong value: what they get is still hostile). */
export const anything: fc.Arbitrary<unknown> = fc.oneof(hostileValue, wordWithHostileCharacter, longText(1, 5_000), fc.string({ unit: "binary", maxLength: 40 }));

/** A random UUID of nothing, or something that is not a UUID at all. */
const badId = fc.oneof(
  fc.uuid({ version: 4 }),
  fc.uuid({ version: 4 }).map((id) => id.slice(0, 35)),
  fc.uuid({ version: 4 }).map((id) => `${id}0`),
  fc.tuple(fc.uuid({ version: 4 }), hostileCharacter).map(([id, c]) => `${id.slice(0, 8)}${c}${id.slice(9)}`),
  fc.uuid({ version: 4 }).map((id) => `../${id}`),
  fc.constantFrom("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "", " ", "1", "0x10"),
  hostileValue,
);

// ---- Numbers -------------------------------------------------------------------------------

/** What a number field takes: a range, whole numbers or not, a unit suffix, empty allowed or not. */
export interface NumberRule {
  min: number;
  max: number;
  whole?: boolean;
  optional?: boolean;
  /** Unit suffixes and their factors ("m": 0.001 for millicores typed as cores). */
  suffixes?: Record<string, number>;
}

const NUMBER_FORMS: unknown[] = [
  "0x10", "0X1F", "-0x10", "1e9", "1e3", "2E2", "1e-3", "-1", "-0", "+5", "NaN", "Infinity", "-Infinity", "99999999999999999999",
  "1.5.2", "1,000", "1_000", "0b101", "0o17", "½", "٣", "１２", "7 7", "7;", "abc", "0.0.1", ".", "-", "e", "1..2", "1/2", "∞",
  NaN, Infinity, -Infinity, -1, -0.5, 1e21, 2 ** 53 + 2, 0.5, 1.5, true, [], {}, [7], null,
];

/** Whether `value` is a plain decimal (typed or a number) within `rule`: the only thing such a field may accept. */
export function acceptableNumber(value: unknown, rule: NumberRule): boolean {
  if (rule.optional && (value === undefined || value === null || (typeof value === "string" && value.trim() === ""))) return true;
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string") {
    const match = /^\s*(\d+\.?\d*|\.\d+)([A-Za-z]*)\s*$/.exec(value);
    if (!match) return false;
    const factor = match[2] ? rule.suffixes?.[match[2]] : 1;
    if (factor === undefined) return false;
    n = Number(match[1]) * factor;
  } else return false;
  return Number.isFinite(n) && n >= rule.min && n <= rule.max && (!rule.whole || Number.isInteger(n));
}

/** Numbers of every form and size that `rule` must refuse: odd forms, out of range (0, years), padded, fractions. */
export function badNumber(rule: NumberRule): fc.Arbitrary<unknown> {
  const outside = fc.oneof(
    fc.constantFrom(rule.min - 1, rule.max + 1, 0, rule.max * 12, rule.max * 1000, rule.min / 2),
    fc.integer({ min: Math.floor(rule.max) + 1, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ noNaN: false }),
  );
  return fc
    .oneof(
      { arbitrary: fc.constantFrom(...NUMBER_FORMS), weight: 4 },
      outside,
      outside.map((n) => ` ${n} `),
      outside.map(String),
      fc.tuple(fc.integer({ min: 0, max: 9 }), hostileCharacter).map(([n, c]) => `${n}${c}`),
      ...(rule.optional ? [] : [fc.constantFrom("", "   ", undefined)]),
    )
    .filter((value) => !acceptableNumber(value, rule));
}

// ---- Kinds ---------------------------------------------------------------------------------

/** How the suite fills one kind of field: `bad` only yields values it must refuse (none: the field takes anything); `good` a value it accepts. */
export interface FieldKind {
  bad?: fc.Arbitrary<unknown>;
  good: (fixtures: Fixtures) => fc.Arbitrary<unknown>;
}

const idOf = (pick: (f: Fixtures) => string): FieldKind => ({ bad: badId, good: (f) => fc.constant(pick(f)) });
const fixed = (value: unknown) => () => fc.constant(value);
const notOneOf = (allowed: unknown[]) => fc.oneof(hostileValue, wordWithHostileCharacter, word, word.map((w) => w.toUpperCase())).filter((v) => !allowed.includes(v));

/** A display name of an org or team: empty, refused characters inside, too long, dashes at the ends. */
const badName = fc.oneof(
  fc.constantFrom("", " ", "\t\n", "-abc", "abc-", "-", "--"),
  wordWithHostileCharacter,
  longText(64).map((t) => t.replace(/[^a-z-]/g, "a").replace(/^-|-$/g, "a")),
  longText(64),
  fc.constantFrom(...HOSTILE_VALUES.filter((v) => typeof v !== "string" || /[^A-Za-z0-9 -]/.test(v.trim()) || v.trim() === "")),
);

/** A hostile kubeconfig: alias bombs, tags, deep nesting, plugins, file references, servers at addresses or schemes the panel refuses, over 256 KiB. */
function kubeconfigWith(server: string, user = "token: abc", extra = ""): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: c\n  cluster:\n    server: "${server}"`,
    "users:",
    `- name: u\n  user:\n    ${user}`,
    "contexts:",
    "- name: x\n  context:\n    cluster: c\n    user: u",
    "current-context: x",
    extra,
  ].join("\n");
}

const REFUSED_SERVERS = [
  "https://169.254.169.254", "https://169.254.169.254/latest/meta-data", "https://[fd00:ec2::254]", "https://[fe80::1]:6443", "https://100.100.100.200",
  "https://168.63.129.16", "https://224.0.0.1", "https://255.255.255.255", "https://127.0.0.1:3000", "http://127.0.0.1:6443", "http://10.0.0.1:6443",
  "http://192.168.1.1", "http://172.16.0.1:443", "file:///etc/kubernetes/admin.conf", "gopher://127.0.0.1:70/_x", "data:text/plain,hi",
  "ftp://10.0.0.1", "javascript:alert(1)", "", "not a url", "https://", "https://[::1", "https://exa mple.com",
];

/** Kubeconfigs refused as text, before any server address is looked at. */
const badKubeconfigText = fc.oneof(
  fc.constantFrom(
    "exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: [-c, id]",
    "auth-provider:\n      name: gcp",
    "tokenFile: /var/run/secrets/token",
    "client-certificate: /etc/passwd\n    client-key: /etc/shadow",
    "username: admin\n    password: admin",
    "as: system:admin",
    "token: !!binary aGVsbG8=",
  ).map((user) => kubeconfigWith("https://127.0.0.1:6443", user)),
  fc.constantFrom("proxy-url: http://10.0.0.1:3128", "certificate-authority: /etc/ssl/ca.pem").map((c) => kubeconfigWith("https://127.0.0.1:6443", "token: abc").replace('server: "https://127.0.0.1:6443"', `server: "https://127.0.0.1:6443"\n    ${c}`)),
  fc.integer({ min: 5, max: 12 }).map((n) => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < n; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    return lines.join("\n");
  }),
  fc.constantFrom("!!js/function 'return 1'", "--- !<tag:yaml.org,2002:python/object/apply:os.system> [id]", "apiVersion: !!str v1\nkind: !custom Config", "%YAML 1.1\n%TAG ! tag:evil,2000:\n---\n!x {}"),
  fc.integer({ min: 100, max: 20_000 }).map((depth) => "[".repeat(depth) + "]".repeat(depth)),
  fc.integer({ min: 100, max: 2_000 }).map((depth) => Array.from({ length: depth }, (_, i) => `${" ".repeat(i)}a:`).join("\n")),
  fc.integer({ min: 257 * 1024, max: 400 * 1024 }).map((size) => kubeconfigWith("https://127.0.0.1:6443", "token: abc", `# ${"x".repeat(size)}`)),
  fc.constantFrom('{"__proto__": {"polluted": true}, "apiVersion": "v1"}', "{", "- - -", "\u0000\u0001", "", "   ", "null", "42", "[]"),
  anything.filter((v) => typeof v !== "string" || !v.includes("apiVersion")),
);
const badKubeconfig = fc.oneof(fc.constantFrom(...REFUSED_SERVERS).map((server) => kubeconfigWith(server)), badKubeconfigText);

const badImage = fc.oneof(
  fc.constantFrom(
    "Debian:12", "MyOrg/App:latest", "UBUNTU", "debian@sha256:abc", `debian@sha256:${"a".repeat(63)}`, `debian@sha256:${"A".repeat(64)}`, `debian@sha1:${"a".repeat(40)}`,
    "https://registry.example/debian", "http://127.0.0.1:5000/x", "http://169.254.169.254/latest", "file:///etc/passwd", "gopher://x/y", "data:text/plain,x",
    "debian 12", "", "   ", ":latest", "debian:", "debian:-bad", "debian::1", "../debian", "debian/../x", "registry:99999999999/x", "/debian", "debian/", "a//b",
    `${"a".repeat(256)}:1`, "alpine:3.19", "docker.io/library/debian:bookworm",
  ),
  wordWith(/^([._\/:]|\.\.)$/),
  longText(513),
  hostileValue,
);

const badEmail = fc.oneof(
  fc.oneof(wordWithHostileCharacter, longText(1, 300), hostileValue).filter((v) => typeof v !== "string" || !v.includes("@")),
  fc.constantFrom("a@localhost", "a@b.c", "@example.com", "a@", "a@@example.com", "a b@example.com", "a@exa mple.com", "a@example.com\u0000", "a..b@example.com", ".a@example.com", "a@-example.com", "a@example.com/../x"),
  fc.tuple(word, hostileCharacter).filter(([, c]) => !/^[._+\-=]$/.test(c) && c !== "'").map(([w, c]) => `${w}${c}x@example.com`),
  fc.integer({ min: 243, max: 5_000 }).map((n) => `${"a".repeat(n)}@example.com`),
);

const badPublicKey = fc.oneof(
  fc.constantFrom(
    "ssh-rsa AAAA", "ssh-ed25519", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", "ssh-ed25519 !!!notbase64!!!", "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----", "", "   ", "ecdsa-sha2-nistp256 AAAA",
  ),
  fc.base64String({ minLength: 4, maxLength: 200 }).map((b) => `ssh-ed25519 ${b} comment`),
  wordWithHostileCharacter,
  longText(16 * 1024 + 1, 40_000),
  hostileValue,
);

/** Lines of the cluster settings form that cannot be read. */
// A label key takes letters, digits, . _ - and one / (a toleration line also splits at = and newlines).
const LABEL_KEY_CHARACTER = /^([._\/=\n-]|\.\.)$/;
const badSelectorLines = fc.oneof(
  fc.constantFrom("oops", "=v", "k=v v", "k\u0000=v", "../x=y", "k=../y", "Ключ=v", "k=\u202ev", `${"k".repeat(64)}=v`),
  wordWith(LABEL_KEY_CHARACTER).map((w) => `${w}=v`),
  longText(20_001, 40_000),
);
const badTolerationLines = fc.oneof(fc.constantFrom("k:Bogus", "k=v:NoSchedule:extra", "=v", "k v", "../k", "k=\u0000", "k:noschedule"), wordWith(LABEL_KEY_CHARACTER).map((w) => `${w}:NoSchedule`));
// Valid references that are only refused because a cluster's catalog lacks them.
const VALID_REFERENCES = ["alpine:3.19", "docker.io/library/debian:bookworm", "registry:99999999999/x"];
const badCatalogLines = fc.oneof(
  badImage.filter((v): v is string => typeof v === "string" && v.trim() !== "" && !v.includes("=") && !v.includes("\n") && !v.trim().startsWith("#") && !VALID_REFERENCES.includes(v.trim())).map((i) => `Label = ${i}`),
  fc.constantFrom("", "# only a comment", `${"L".repeat(81)} = debian:12`),
);
const badStorageClass = fc.oneof(
  fc.constantFrom("Fast_SSD", "UPPER", "-x", "x-", "../x", "a..b", `${"a".repeat(254)}`, "a b"),
  wordWith(/^[.-]$/),
  hostileValue.filter((v) => !(typeof v === "string" && (v.trim() === "" || /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v.trim())))),
);

/** A checkbox: only true/false/"on"/"true"/"false"/"" (or absent) are read. */
const badCheckbox = notOneOf([true, false, "on", "true", "false", "", undefined]);

/** The kinds of field every action and route uses; a new field reuses one or adds one here. */
export const KINDS = {
  orgId: idOf((f) => f.orgId),
  teamId: idOf((f) => f.teamId),
  clusterId: idOf((f) => f.clusterId),
  userId: idOf((f) => f.userId),
  podId: idOf((f) => f.podId),
  /** Ids the suite never fills with a real one (sessions, keys, tokens, users it would change). */
  missingId: { bad: badId, good: () => fc.uuid({ version: 4 }) },
  name: { bad: badName, good: () => word.map((w) => `Fuzz ${w}`) },
  workloadName: { bad: fc.oneof(badName, fc.constantFrom("1abc", "0", "9-lives"), longText(58, 63).map((t) => `a${t.replace(/[^a-z]/g, "a")}`.slice(0, 60))), good: () => word.map((w) => `box ${w}`) },
  personName: { bad: fc.oneof(fc.constantFrom("", "   ", "\n\t"), longText(101)), good: fixed("Fuzz Person") },
  email: { bad: badEmail, good: () => word.map((w) => `nobody-${w}@example.test`) },
  password: { bad: fc.oneof(fc.string({ minLength: 1, maxLength: 7 }), longText(1025, 5_000)), good: fixed("correct horse battery") },
  /** A password no account has: every sign-in with it is refused. */
  wrongPassword: { bad: fc.oneof(fc.string({ maxLength: 40 }), longText(1, 5_000), hostileValue), good: fixed("wrong password") },
  orgRole: { bad: notOneOf(["owner", "admin", "member"]), good: fixed("member") },
  teamRole: { bad: notOneOf(["admin", "member", "viewer"]), good: fixed("viewer") },
  terminalMode: { bad: fc.oneof(fc.constant("tunnel"), fc.constant("vnc"), notOneOf(["exec", "ssh", "serial"])), good: fixed("exec") },
  vmConsoleMode: { bad: fc.oneof(fc.constantFrom("tunnel", "exec"), notOneOf(["serial", "vnc", "ssh"])), good: fixed("serial") },
  clusterSource: { bad: notOneOf(["kubeconfig", "in-cluster"]), good: fixed("kubeconfig") },
  kubeconfig: { bad: badKubeconfig, good: (f) => fc.constant(f.kubeconfig) },
  /** A kubeconfig as text only (listing its contexts connects nowhere, so servers are not judged yet). */
  kubeconfigText: { bad: badKubeconfigText, good: (f) => fc.constant(f.kubeconfig) },
  kubeContext: { bad: fc.oneof(wordWithHostileCharacter, word.map((w) => `no-such-${w}`), longText(64, 5_000)), good: fixed("") },
  image: { bad: badImage, good: fixed("minicloud/ssh-pod:latest") },
  confirmName: { bad: fc.oneof(anything, word, fc.constant("")), good: fixed("") },
  checkbox: { bad: badCheckbox, good: fixed("") },
  /** A field read leniently as a flag or ignored: no value of it is wrong. */
  anything: { good: () => anything },
  nodeSelector: { bad: badSelectorLines, good: fixed("") },
  tolerations: { bad: badTolerationLines, good: fixed("") },
  imageCatalog: { bad: badCatalogLines, good: fixed("SSH = minicloud/ssh-pod:latest") },
  storageClass: { bad: badStorageClass, good: fixed("") },
  sshKeyName: { bad: fc.oneof(fc.constantFrom(" ", "\t\n"), longText(101)), good: fixed("") },
  publicKey: { bad: badPublicKey, good: (f) => fc.constant(f.publicKey) },
  tokenName: { bad: fc.oneof(fc.constantFrom("", " ", "\n\t"), longText(101)), good: fixed("fuzz token") },
  expiresInDays: { bad: badNumber({ min: 1, max: 3650, whole: true, optional: true }), good: fixed("30") },
  cpuMillicores: { bad: badNumber({ min: 100, max: 16_000, whole: true }), good: fixed("500") },
  vmImage: { bad: badImage, good: fixed("quay.io/kubevirt/cirros-container-disk-demo:latest") },
  runStrategy: { bad: notOneOf(["Always", "Halted", "Manual", "RerunOnFailure", undefined]), good: fixed("Halted") },
  // An instancetype reference: garbage, or one the cluster does not have.
  vmSize: { bad: fc.oneof(wordWithHostileCharacter, word.map((w) => `VirtualMachineClusterInstancetype/no-such-${w}`), fc.constantFrom("Nope/x", "/", "a/b/c", "VirtualMachineInstancetype/")), good: fixed("") },
  cpuCores: { bad: badNumber({ min: 1, max: 64, whole: true }), good: fixed("1") },
  vmMemoryMib: { bad: badNumber({ min: 128, max: 256 * 1024, whole: true }), good: fixed("512") },
  cloudConfig: {
    bad: fc.oneof(
      fc.constantFrom("#cloud-config\nhostname: evil\n", "#cloud-config\nssh_authorized_keys: []\n", "#cloud-config\na: &a [x]\nb: *a\n", "#cloud-config\nx: !!python/object:os.system [id]\n", "#cloud-config\n- a list\n", "#!/bin/sh\nid\n"),
      longText(33 * 1024, 40 * 1024).map((t) => `#cloud-config\n# ${t}`),
      badKubeconfigText.filter((v) => typeof v === "string" && v.trim() !== ""),
    ),
    good: fixed(""),
  },
  bootSource: { bad: notOneOf(["catalog", "url", "upload", "clone", undefined]), good: fixed("catalog") },
  // With the good boot source (the catalog) any URL, golden image or disk size is refused; the URLs are ones the vetting refuses too.
  diskUrl: {
    bad: fc.oneof(
      fc.constantFrom("http://169.254.169.254/latest/meta-data/", "http://user:pw@example.com/x.img", "http://0x7f.1/x", "http://2130706433/x", "ftp://example.com/x", "file:///etc/passwd", "https://example.com/x#y", "gopher://x/y", "javascript:alert(1)", "http://[fe80::1]/x", "http://metadata.google.internal/x"),
      wordWithHostileCharacter.map((w) => `https://example.com/${w}`),
      longText(2001, 5_000).map((t) => `https://example.com/${t}`),
    ),
    good: fixed(""),
  },
  goldenImage: { bad: fc.oneof(fc.constantFrom("kube-system/secrets", "../x", "a/b/c", "/", "golden/"), wordWithHostileCharacter, longText(321, 2_000)), good: fixed("") },
  diskSizeGib: { bad: badNumber({ min: 1, max: 2048, whole: true, optional: true }), good: fixed("") },
  goldenImageLines: { bad: fc.oneof(fc.constantFrom("Debian = golden/../x", "Debian = Golden/x", "Debian", "= golden/x", `${"L".repeat(81)} = golden/x`, "A = g/x\nB = g/x"), wordWith(/^\.$/).map((w) => `L = ns/${w}`)), good: fixed("") },
  vmOperation: { bad: notOneOf(["start", "stop", "forceStop", "restart", "pause", "unpause"]), good: fixed("start") },
  memoryMib: { bad: badNumber({ min: 128, max: 64 * 1024, whole: true }), good: fixed("512") },
  homeGib: { bad: badNumber({ min: 1, max: 500, whole: true, optional: true }), good: fixed("") },
  ttlMinutes: { bad: badNumber({ min: 15, max: 30 * 24 * 60, whole: true, optional: true }), good: fixed("") },
  quotaCpu: { bad: badNumber({ min: 0.001, max: 10_000, optional: true, suffixes: { m: 0.001 } }), good: fixed("1") },
  quotaMemory: { bad: badNumber({ min: 0.001, max: 1024 * 1024, optional: true }), good: fixed("2") },
  memoryUnit: { bad: notOneOf(["GiB", "MiB", undefined]), good: fixed("GiB") },
  quotaPods: { bad: badNumber({ min: 0, max: 1_000_000, whole: true, optional: true }), good: fixed("") },
  quotaVms: { bad: badNumber({ min: 0, max: 100_000, whole: true, optional: true }), good: fixed("") },
  quotaStorage: { bad: badNumber({ min: 0, max: 100_000_000, whole: true, optional: true }), good: fixed("") },
  nestedName: {
    bad: fc.oneof(badName, fc.constantFrom("1abc", "0", "9-lives"), longText(52, 63).map((t) => `a${t.replace(/[^a-z]/g, "a")}`.slice(0, 60))),
    good: () => word.map((w) => `nested ${w}`.slice(0, 40)),
  },
  nestedVersion: { bad: notOneOf(["v1.35.4", "v1.34.6"]), good: fixed("v1.35.4") },
  etcdReplicas: { bad: fc.oneof(badNumber({ min: 1, max: 3, whole: true, optional: true }), fc.constantFrom(2, "2", " 2 ")), good: fixed("1") },
  etcdStorageGib: { bad: badNumber({ min: 1, max: 100, whole: true, optional: true }), good: fixed("1") },
  apiserverReplicas: { bad: badNumber({ min: 1, max: 3, whole: true, optional: true }), good: fixed("1") },
  exposure: { bad: notOneOf(["ClusterIP", "NodePort", "LoadBalancer", undefined]), good: fixed("ClusterIP") },
  /** An optional image override: empty is the upstream image. */
  poolSize: { bad: badNumber({ min: 0, max: 20, whole: true }), good: fixed("0") },
  workerName: { bad: fc.oneof(badName, fc.constantFrom("1abc", "Worker", "a_b", "a.b"), longText(64, 300)), good: fixed("worker-abcde") },
  imageOverride: { bad: badImage.filter((v) => !(typeof v === "string" && (v.trim() === "" || VALID_REFERENCES.includes(v.trim())))), good: fixed("") },
  /** A terminal ticket nobody issued: random ones of the right shape, and malformed ones. */
  ticket: { bad: fc.oneof(fc.base64String({ minLength: 44, maxLength: 44 }).map((b) => b.slice(0, 43).replace(/\+/g, "-").replace(/\//g, "_")), badId, longText(44, 10_000)), good: fixed("") },
  /** A tunnel target: a workload id or org/team/pod that names nothing. */
  tunnelTarget: { bad: fc.oneof(badId, fc.tuple(word, word, word).map((p) => p.join("/")), fc.constantFrom("a/b", "a/b/c/d", "//", "../../etc/passwd", "%2e%2e/%2e%2e/x", "a/\u0000/b", " "), wordWithHostileCharacter), good: fixed("") },
  /** An `Authorization: Bearer` token that is no token (printable ASCII, as a header allows). */
  bearer: { bad: fc.oneof(fc.stringMatching(/^[!-~]{0,80}$/), fc.constantFrom("mc_", "mc_../../etc", "null", "undefined")), good: (f) => fc.constant(f.apiToken) },
} satisfies Record<string, FieldKind>;

export type KindName = keyof typeof KINDS;

/** One generated case: the input, and which fields got a bad value. */
export interface HostileCase {
  input: Record<string, unknown>;
  badFields: string[];
}

/**
 * Cases for `fields`: a non-empty set of the fields that can be wrong gets bad values, the
 * others good ones (fixtures' ids, valid names) — so the refusal comes from the bad field, deep
 * in the service where the others let it get that far. A good value of `undefined` is left out.
 */
export function hostileCases(fields: Record<string, KindName>, fixtures: Fixtures): fc.Arbitrary<HostileCase> {
  const names = Object.keys(fields);
  const kind = (name: string): FieldKind => KINDS[fields[name]!];
  const refusable = names.filter((name) => kind(name).bad !== undefined);
  if (refusable.length === 0) throw new Error(`no field of ${names.join(", ")} can be wrong`);
  return fc
    .subarray(refusable, { minLength: 1 })
    .chain((bad) =>
      fc.record(Object.fromEntries(names.map((name) => [name, bad.includes(name) ? kind(name).bad! : kind(name).good(fixtures)]))).map((values) => ({
        input: Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)),
        badFields: bad,
      })),
    );
}

// ---- Messages ------------------------------------------------------------------------------

// zod's own wording: "Invalid input: expected string, received number", "Too small: expected …", "Required".
const ZOD_PHRASES = [/\bInvalid input\b/i, /^Expected\b/, /^Required\.?$/, /\breceived\b/i, /\bToo (small|big)\b/, /\bInvalid (option|string|type|enum|uuid|email)\b/i];

/**
 * Why `message` is not a sentence a person understands, or null when it is one: a capital or
 * “ first, . ? or ) last, three words or more, no undefined/null/NaN/[object, no zod phrasing,
 * no stack trace, no camelCase identifier the user did not type. Quoted parts (“…”) are what
 * the user typed and are not judged.
 */
export function unclearMessage(message: unknown, typed: string): string | null {
  if (typeof message !== "string") return `not text: ${typeof message}`;
  const text = message.trim();
  if (!/^[A-Z“]/u.test(text)) return "does not start with a capital letter or “";
  if (!/[.?)]$/.test(text)) return "does not end with . ? or )";
  const unquoted = text.replace(/“[^”]*”/g, "“…”");
  if (unquoted.split(/\s+/).filter(Boolean).length < 3) return "fewer than three words";
  const leaked = /\b(undefined|null|NaN)\b|\[object/.exec(unquoted);
  if (leaked && !typed.includes(leaked[0])) return `names ${leaked[0]}`;
  const zod = ZOD_PHRASES.find((p) => p.test(unquoted));
  if (zod) return `zod phrasing ${zod}`;
  if (/\n\s+at\s|\bat .+:\d+:\d+\)?/.test(text)) return "a stack trace";
  const identifier = /\b[a-z]+[A-Z][A-Za-z0-9]*\b/.exec(unquoted);
  if (identifier && !typed.includes(identifier[0])) return `the identifier ${identifier[0]}`;
  return null;
}
