import { describe, expect, it } from "vitest";
import { isDns1123Label as isRfc1123Label } from "@/lib/kube/object-names";
import { MAX_LABEL_LENGTH, MAX_WORKLOAD_NAME_LENGTH, nameProblem, nameSchema, slugify, withRandomSuffix, workloadNameProblem, workloadNameSchema } from "@/lib/names";

describe("slugify", () => {
  it("only lower-cases and turns whitespace runs into single dashes", () => {
    expect(slugify("  My Team  ")).toBe("my-team");
    expect(slugify("Web\t  Platform 2")).toBe("web-platform-2");
    expect(slugify("a-b")).toBe("a-b");
  });
});

describe("nameProblem", () => {
  it.each(["web", "My Team", "team-42", "9lives", "a", "x".repeat(MAX_LABEL_LENGTH)])("accepts %j", (name) => {
    expect(nameProblem(name)).toBeNull();
    expect(isRfc1123Label(slugify(name))).toBe(true);
  });

  it.each([
    ["", /Enter a name/],
    ["   ", /Enter a name/],
    ["x".repeat(MAX_LABEL_LENGTH + 1), /at most 63/],
    ["team_one", /“_” is not allowed/],
    ["Café", /“é” is not allowed/],
    ["a.b", /“\.” is not allowed/],
    ["-leading", /Start and end/],
    ["trailing-", /Start and end/],
    ["emoji 🚀", /not allowed/],
  ])("refuses %j", (name, message) => {
    expect(nameProblem(name)).toMatch(message);
  });
});

describe("characters in names", () => {
  // Printable ASCII only: control characters, invisible characters and look-alikes are refused,
  // and the message names them by code point so an invisible one can be seen.
  it.each([
    ["Web\tPlatform", "U+0009 CHARACTER TABULATION is not allowed: use letters a–z, digits, spaces and dashes."],
    ["Web\nPlatform", /^U\+000A LINE FEED is not allowed/],
    ["Web\rPlatform", /^U\+000D CARRIAGE RETURN is not allowed/],
    ["Web\u0000", /^U\+0000 NULL is not allowed/],
    ["Web\u0007", /^U\+0007 BELL is not allowed/],
    ["Web\u001b[31m", /^U\+001B ESCAPE is not allowed/],
    ["Web\u007f", /^U\+007F DELETE is not allowed/],
    ["Web\u0085", /^U\+0085 NEXT LINE is not allowed/],
    ["Web\u200bPlatform", "U+200B ZERO WIDTH SPACE is not allowed: use letters a–z, digits, spaces and dashes."],
    ["Web\u200cPlatform", /^U\+200C ZERO WIDTH NON-JOINER is not allowed/],
    ["Web\u200dPlatform", /^U\+200D ZERO WIDTH JOINER is not allowed/],
    ["Web\u2060", /^U\+2060 WORD JOINER is not allowed/],
    ["\u202eWeb", /^U\+202E RIGHT-TO-LEFT OVERRIDE is not allowed/],
    ["Web\u2066x", /^U\+2066 LEFT-TO-RIGHT ISOLATE is not allowed/],
    ["Web\u200fx", /^U\+200F RIGHT-TO-LEFT MARK is not allowed/],
    ["Web\u00adx", /^U\+00AD SOFT HYPHEN is not allowed/],
    ["Web\u00a0Platform", /^U\+00A0 NO-BREAK SPACE is not allowed/],
    ["Web\u3000Platform", /^U\+3000 IDEOGRAPHIC SPACE is not allowed/],
    ["Web\u3164", /^U\+3164 HANGUL FILLER is not allowed/],
    ["We\u0301b", /^U\+0301 \(a combining mark\) is not allowed/],
    ["\u0410cme", "“\u0410” is not allowed (U+0410, a Cyrillic letter): use letters a–z, digits, spaces and dashes."],
    ["Ac\u043ce", /^“\u043c” is not allowed \(U\+043C, a Cyrillic letter\)/],
    ["\u039fps", /^“\u039f” is not allowed \(U\+039F, a Greek letter\)/],
    ["\uff37eb", /^“\uff37” is not allowed \(U\+FF37, a full-width form\)/],
    ["\u212aelvin", /^“\u212a” is not allowed \(U\+212A\)/],
    ["CAFÉ", /^“É” is not allowed \(U\+00C9\)/],
  ])("refuses %j", (name, message) => {
    expect(nameProblem(name)).toMatch(message);
  });
});

describe("workload names", () => {
  it.each(["web", "Dev Box", "a", "box-2", "x".repeat(MAX_WORKLOAD_NAME_LENGTH)])("accepts %j", (name) => {
    expect(workloadNameProblem(name)).toBeNull();
    const suffixed = withRandomSuffix(slugify(name));
    expect(suffixed.startsWith(slugify(name))).toBe(true);
  });

  it.each([
    ["9lives", "Start with a letter: the name becomes a Kubernetes Service name, and those start with a letter."],
    ["1", /^Start with a letter/],
    ["2 Box", /^Start with a letter/],
    ["x".repeat(MAX_WORKLOAD_NAME_LENGTH + 1), "Use at most 57 characters: the cluster adds a 5-character suffix."],
    ["web\u200b", /^U\+200B ZERO WIDTH SPACE is not allowed/],
    ["-web", /Start and end/],
    ["", /Enter a name/],
  ])("refuses %j", (name, message) => {
    expect(workloadNameProblem(name)).toMatch(message);
  });

  it("parses in forms and services alike", () => {
    expect(workloadNameSchema.parse("  Dev Box ")).toBe("Dev Box");
    expect(workloadNameSchema.safeParse("9lives").error?.issues[0]?.message).toMatch(/^Start with a letter/);
  });
});

describe("nameSchema", () => {
  it("trims valid names and reports invalid ones", () => {
    expect(nameSchema.parse("  Team A ")).toBe("Team A");
    const result = nameSchema.safeParse("bad/name");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/“\/” is not allowed/);
    expect(nameSchema.safeParse(undefined).error?.issues[0]?.message).toBe("Enter a name.");
  });
});

describe("withRandomSuffix", () => {
  it("adds a short random suffix and stays a valid label", () => {
    const name = withRandomSuffix("devbox");
    expect(name).toMatch(/^devbox-[a-z0-9]{5}$/);
    expect(withRandomSuffix("devbox")).not.toBe(name);
    const long = withRandomSuffix("a".repeat(60) + "-b");
    expect(long.length).toBeLessThanOrEqual(MAX_LABEL_LENGTH);
    expect(isRfc1123Label(long)).toBe(true);
    expect(isRfc1123Label(withRandomSuffix("x".repeat(57) + "-" + "y".repeat(5)))).toBe(true);
  });
});
