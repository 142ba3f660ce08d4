import { describe, expect, it } from "vitest";
import { isRfc1123Label, MAX_LABEL_LENGTH, nameProblem, nameSchema, slugify, withRandomSuffix } from "@/lib/names";

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
