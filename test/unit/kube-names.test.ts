// Kubernetes object names, one validator per kind (as the apiserver checks them), and the
// characters that may stand in display names, refused ones named by code point.
import { describe, expect, it } from "vitest";
import { codePointOf, describeCharacter, firstCharacterOutside, sayCharacter } from "@/lib/characters";
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, kubeNameProblem, plannedNamesProblem } from "@/lib/kube/object-names";

describe("DNS-1123 labels", () => {
  it.each(["a", "0", "web", "9lives", "a-b", "a--b", "x".repeat(63)])("accepts %j", (name) => {
    expect(isDns1123Label(name)).toBe(true);
  });

  it.each([
    ["", "must not be empty"],
    ["x".repeat(64), "must be at most 63 characters"],
    ["Web", "may only hold lowercase letters a–z, digits and dashes, and “W” is not one of them"],
    ["a.b", "may only hold lowercase letters a–z, digits and dashes, and “.” is not one of them"],
    ["a_b", /“_” is not one of them/],
    ["a\u200bb", /U\+200B ZERO WIDTH SPACE is not one of them/],
    ["-web", "must start and end with a letter or a digit"],
    ["web-", "must start and end with a letter or a digit"],
  ])("refuses %j", (name, problem) => {
    expect(kubeNameProblem("dns1123Label", name)).toMatch(problem);
    expect(isDns1123Label(name)).toBe(false);
  });
});

describe("DNS-1035 labels (Service names)", () => {
  it.each(["a", "web", "web-1", "a".repeat(63)])("accepts %j", (name) => {
    expect(isDns1035Label(name)).toBe(true);
  });

  it.each([
    ["9lives", "must start with a letter and end with a letter or a digit"],
    ["1", "must start with a letter and end with a letter or a digit"],
    ["web-", "must start with a letter and end with a letter or a digit"],
    ["a".repeat(64), "must be at most 63 characters"],
    ["a.b", /“\.” is not one of them/],
    ["", "must not be empty"],
  ])("refuses %j", (name, problem) => {
    expect(kubeNameProblem("dns1035Label", name)).toMatch(problem);
    expect(isDns1035Label(name)).toBe(false);
  });
});

describe("DNS-1123 subdomains", () => {
  it.each(["a", "web-1", "fast.ssd", "a.b.c", "9", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`])("accepts %j", (name) => {
    expect(isDns1123Subdomain(name)).toBe(true);
  });

  it.each([
    ["", "must not be empty"],
    ["a".repeat(254), "must be at most 253 characters"],
    ["Fast", /“F” is not one of them/],
    ["a..b", /with a letter or a digit on each side of every dot/],
    [".a", /must start and end/],
    ["a.-b", /on each side of every dot/],
    ["a/b", /“\/” is not one of them/],
  ])("refuses %j", (name, problem) => {
    expect(kubeNameProblem("dns1123Subdomain", name)).toMatch(problem);
    expect(isDns1123Subdomain(name)).toBe(false);
  });
});

describe("planned object names", () => {
  it("names the first object Kubernetes would refuse, without its name", () => {
    expect(plannedNamesProblem([{ what: "Service", kind: "dns1035Label", name: "web-abcde" }, { what: "Secret", kind: "dns1123Subdomain", name: "web-abcde-ssh" }])).toBeNull();
    expect(plannedNamesProblem([{ what: "Secret", kind: "dns1123Subdomain", name: "1-ssh" }, { what: "Service", kind: "dns1035Label", name: "1-abcde" }])).toBe(
      "its Service name must start with a letter and end with a letter or a digit",
    );
  });
});

describe("characters in messages", () => {
  it.each([
    ["_", "“_”", ""],
    ["é", "“é”", "U+00E9"],
    ["\u0430", "“\u0430”", "U+0430, a Cyrillic letter"],
    ["\u03bf", "“\u03bf”", "U+03BF, a Greek letter"],
    ["\uff41", "“\uff41”", "U+FF41, a full-width form"],
    ["🚀", "“🚀”", "U+1F680"],
    [" ", "U+0020 SPACE", ""],
    ["\t", "U+0009 CHARACTER TABULATION", ""],
    ["\u0000", "U+0000 NULL", ""],
    ["\u0001", "U+0001 (a control character)", ""],
    ["\u007f", "U+007F DELETE", ""],
    ["\u00a0", "U+00A0 NO-BREAK SPACE", ""],
    ["\u00ad", "U+00AD SOFT HYPHEN", ""],
    ["\u200b", "U+200B ZERO WIDTH SPACE", ""],
    ["\u200d", "U+200D ZERO WIDTH JOINER", ""],
    ["\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE", ""],
    ["\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE", ""],
    ["\u2005", "U+2005 (a space character)", ""],
    ["\u0301", "U+0301 (a combining mark)", ""],
    ["\ue000", "U+E000 (a private-use character)", ""],
    ["\u3164", "U+3164 HANGUL FILLER", ""],
    ["\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE", ""],
    ["\u{e0041}", "U+E0041 (an invisible formatting character)", ""],
  ])("describes %j", (ch, label, detail) => {
    expect(describeCharacter(ch)).toEqual({ label, detail });
  });

  it("says a clause about a character, code point in brackets where the character is visible", () => {
    expect(sayCharacter("é", "is not allowed")).toBe("“é” is not allowed (U+00E9)");
    expect(sayCharacter("\u200b", "is not allowed")).toBe("U+200B ZERO WIDTH SPACE is not allowed");
    expect(codePointOf("🚀")).toBe("U+1F680");
  });

  it("finds the first character outside a set, by code point", () => {
    expect(firstCharacterOutside("abc", /^[a-z]$/)).toBeNull();
    expect(firstCharacterOutside("ab🚀c", /^[a-z]$/)).toBe("🚀");
  });
});
