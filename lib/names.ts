// Display names and the RFC 1123 labels (slugs) derived from them. Slugs end up in URLs and
// Kubernetes object names, so a name that cannot become a valid label is refused with a
// message; the only changes ever made are lower-casing and turning spaces into dashes. A name
// holds printable ASCII only (letters, digits, spaces, dashes): control characters, invisible
// characters and look-alikes from other scripts are refused and named by code point.

import { randomBytes } from "node:crypto";
import { z } from "zod";
import { firstCharacterOutside, sayCharacter } from "@/lib/characters";
import { isDns1035Label, isDns1123Label } from "@/lib/kube/object-names";

/** The longest Kubernetes label value / DNS label. */
export const MAX_LABEL_LENGTH = 63;
/** How many random characters `withRandomSuffix` adds (after a dash). */
export const SUFFIX_LENGTH = 5;
/** The longest slug of a workload name: with a dash and the suffix it is still a label. */
export const MAX_WORKLOAD_NAME_LENGTH = MAX_LABEL_LENGTH - SUFFIX_LENGTH - 1;

// What a display name may hold, checked on what was typed (not on the slug: "K", the Kelvin
// sign, lower-cases to a Latin "k").
const NAME_CHARACTER = /^[A-Za-z0-9 -]$/;

/** The slug of a display name: trimmed, lower-cased, each run of whitespace turned into one dash. */
export function slugify(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, "-");
}

/** Why `name` cannot be used as a display name, or null when it can. */
export function nameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0) return "Enter a name.";
  const bad = firstCharacterOutside(trimmed, NAME_CHARACTER);
  if (bad !== null) return `${sayCharacter(bad, "is not allowed")}: use letters a–z, digits, spaces and dashes.`;
  const slug = slugify(trimmed);
  if (slug.length > MAX_LABEL_LENGTH) return `Use at most ${MAX_LABEL_LENGTH} characters.`;
  if (!isDns1123Label(slug)) return "Start and end with a letter or a digit.";
  return null;
}

/**
 * Why `name` cannot name a workload, or null when it can: a display name whose slug, with the
 * random suffix, is a DNS-1035 label — the rule of Service names, so it starts with a letter.
 */
export function workloadNameProblem(name: string): string | null {
  const problem = nameProblem(name);
  if (problem) return problem;
  const slug = slugify(name);
  if (slug.length > MAX_WORKLOAD_NAME_LENGTH) return `Use at most ${MAX_WORKLOAD_NAME_LENGTH} characters: the cluster adds a ${SUFFIX_LENGTH}-character suffix.`;
  if (!isDns1035Label(slug)) return "Start with a letter: the name becomes a Kubernetes Service name, and those start with a letter.";
  return null;
}

function displayNameSchema(problemOf: (name: string) => string | null) {
  return z
    .string({ error: "Enter a name." })
    .trim()
    .superRefine((name, ctx) => {
      const problem = problemOf(name);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/** A display name (trimmed) that makes a valid slug; for forms and services alike. */
export const nameSchema = displayNameSchema(nameProblem);

/** A workload's display name (trimmed): a valid slug that still names a Service once suffixed. */
export const workloadNameSchema = displayNameSchema(workloadNameProblem);

/**
 * `slug` plus a dash and a short random suffix (a–z, 0–9), shortened so the result is still a
 * valid label: for Kubernetes objects whose names must not collide.
 */
export function withRandomSuffix(slug: string, suffixLength = SUFFIX_LENGTH): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(suffixLength);
  const suffix = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  const head = slug.slice(0, MAX_LABEL_LENGTH - suffixLength - 1).replace(/-+$/, "");
  return head ? `${head}-${suffix}` : suffix;
}
