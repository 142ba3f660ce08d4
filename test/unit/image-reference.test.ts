// Image references by the distribution reference grammar: what registries and the kubelet
// accept is accepted with its parts; everything else is refused with a sentence.
import { describe, expect, it } from "vitest";
import { imageReferenceProblem, imageReferenceSchema, parseImageReference } from "@/lib/kube/image-reference";

const sha256 = "0123456789abcdef".repeat(4);
const sha512 = "0123456789abcdef".repeat(8);

describe("image references", () => {
  it.each([
    ["debian", { domain: null, path: "debian", tag: null, digest: null }],
    ["debian:12", { domain: null, path: "debian", tag: "12", digest: null }],
    ["library/debian:bookworm-slim", { domain: null, path: "library/debian", tag: "bookworm-slim", digest: null }],
    ["minicloud/ssh-pod:latest", { domain: null, path: "minicloud/ssh-pod", tag: "latest", digest: null }],
    ["ghcr.io/acme/dev:v1.2.3", { domain: "ghcr.io", path: "acme/dev", tag: "v1.2.3", digest: null }],
    ["registry.example.com:5000/team/tools/box:2024_01", { domain: "registry.example.com:5000", path: "team/tools/box", tag: "2024_01", digest: null }],
    ["localhost/dev", { domain: "localhost", path: "dev", tag: null, digest: null }],
    ["localhost:5000/dev:1", { domain: "localhost:5000", path: "dev", tag: "1", digest: null }],
    ["[::1]:5000/dev", { domain: "[::1]:5000", path: "dev", tag: null, digest: null }],
    ["10.0.0.7:5000/dev", { domain: "10.0.0.7:5000", path: "dev", tag: null, digest: null }],
    ["Registry.Example.com/dev", { domain: "Registry.Example.com", path: "dev", tag: null, digest: null }],
    ["a/b__c/d-e/f--g/h.i", { domain: null, path: "a/b__c/d-e/f--g/h.i", tag: null, digest: null }],
    [`ghcr.io/acme/dev@sha256:${sha256}`, { domain: "ghcr.io", path: "acme/dev", tag: null, digest: `sha256:${sha256}` }],
    [`debian:12@sha256:${sha256}`, { domain: null, path: "debian", tag: "12", digest: `sha256:${sha256}` }],
    [`debian@sha512:${sha512}`, { domain: null, path: "debian", tag: null, digest: `sha512:${sha512}` }],
    [`debian:${"t".repeat(128)}`, { domain: null, path: "debian", tag: "t".repeat(128), digest: null }],
    [`${"a".repeat(255)}`, { domain: null, path: "a".repeat(255), tag: null, digest: null }],
  ])("accepts %s", (text, parts) => {
    expect(parseImageReference(text)).toEqual({ reference: parts });
    expect(imageReferenceProblem(text)).toBeNull();
  });

  it.each([
    ["", /^Enter an image reference\.$/],
    ["Debian", /^Repository names must be lowercase: write “debian”\.$/],
    ["Acme/Dev:1", /lowercase: write “acme\/dev”/],
    ["ghcr.io/Acme/dev", /lowercase: write “acme\/dev”/],
    ["https://ghcr.io/acme/dev", /^That is a URL; write the image as .*without a scheme/],
    ["docker://debian", /That is a URL/],
    ["http://169.254.169.254/latest", /That is a URL/],
    ["not an image", /^U\+0020 SPACE cannot be part of an image reference\.$/],
    ["debian\u200b", /^U\+200B ZERO WIDTH SPACE cannot be part of an image reference\.$/],
    ["debian\n", /U\+000A LINE FEED/],
    ["déb", /^“é” cannot be part of an image reference \(U\+00E9\)\.$/],
    ["ghcr.io/acme/dev@sha256:abc", /^A sha256 digest has 64 hexadecimal digits; this one has 3\.$/],
    [`debian@sha256:${sha256}0`, /this one has 65/],
    [`debian@sha512:${sha256}`, /^A sha512 digest has 128 hexadecimal digits; this one has 64\.$/],
    [`debian@sha256:${sha256.toUpperCase()}`, /lowercase/],
    [`debian@md5:${sha256}`, /^The digest algorithm “md5” is not supported/],
    ["debian@sha256:xyz", /^The digest “sha256:xyz” is not valid/],
    ["debian@", /digest “” is not valid/],
    ["debian@@sha256", /is not valid/],
    ["debian:", /^The tag “” is not valid/],
    ["debian:-1", /The tag “-1” is not valid/],
    ["debian:.hidden", /The tag “\.hidden” is not valid/],
    [`debian:${"t".repeat(129)}`, /The tag .* is not valid/],
    [":latest", /^The repository is missing/],
    ["/debian", /empty part between slashes/],
    ["acme//dev", /empty part between slashes/],
    ["acme/dev/", /empty part between slashes/],
    ["-debian", /“-debian” is not a valid repository name part/],
    ["debian-", /not a valid repository name part/],
    ["deb..ian", /not a valid repository name part/],
    ["deb___ian", /not a valid repository name part/],
    ["acme/dev!", /“dev!” is not a valid repository name part/],
    ["reg_istry.io:5000/dev", /^The registry “reg_istry\.io:5000” is not a host name/],
    ["registry.io:port/dev", /The registry “registry\.io:port”/],
    ["-registry.io/dev", /The registry/],
    ["[::1/dev", /The registry|not a valid repository/],
    [`${"a".repeat(256)}`, /longer than 255 characters/],
    ["$(reboot)", /not a valid repository name part/],
    ["../../etc/passwd", /^The registry “\.\.” is not a host name/],
    ["etc/../passwd", /“\.\.” is not a valid repository name part/],
  ])("refuses %j", (text, message) => {
    const problem = imageReferenceProblem(text);
    expect(problem).toMatch(message);
    expect(parseImageReference(text).reference).toBeUndefined();
  });

  it("trims in the schema and reports the problem as the field's message", () => {
    expect(imageReferenceSchema.parse("  debian:12 ")).toBe("debian:12");
    expect(imageReferenceSchema.safeParse("Debian").error?.issues[0]?.message).toBe("Repository names must be lowercase: write “debian”.");
    expect(imageReferenceSchema.safeParse(42).error?.issues[0]?.message).toBe("Enter an image reference.");
  });
});
