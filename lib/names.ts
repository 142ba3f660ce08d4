// Display names and the RFC 1123 labels (slugs) derived from them. Slugs end up in URLs and
// Kubernetes object names, so a name that cannot become a valid label is refused with a
// message; the only changes ever made are lower-casing and turning spaces into dashes.

import { randomBytes } from "node:crypto";
import { z } from "zod";

/** The longest Kubernetes label value / DNS label. */
export const MAX_LABEL_LENGTH = 63;

const LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The slug of a display name: trimmed, lower-cased, each run of whitespace turned into one dash. */
export function slugify(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, "-");
}

/** Whether `value` is a valid RFC 1123 label (what Kubernetes calls a DNS label). */
export function isRfc1123Label(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && LABEL_PATTERN.test(value);
}

/** Why `name` cannot be used as a display name, or null when it can. */
export function nameProblem(name: string): string | null {
  const slug = slugify(name);
  if (slug.length === 0) return "Enter a name.";
  if (slug.length > MAX_LABEL_LENGTH) return `Use at most ${MAX_LABEL_LENGTH} characters.`;
  const bad = [...slug].find((c) => !/[-a-z0-9]/.test(c));
  if (bad !== undefined) return `“${bad}” is not allowed: use letters a–z, digits, spaces and dashes.`;
  if (!LABEL_PATTERN.test(slug)) return "Start and end with a letter or a digit.";
  return null;
}

/** A display name (trimmed) that makes a valid slug; for forms and services alike. */
export const nameSchema = z
  .string({ error: "Enter a name." })
  .trim()
  .superRefine((name, ctx) => {
    const problem = nameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * `slug` plus a dash and a short random suffix (a–z, 0–9), shortened so the result is still a
 * valid label: for Kubernetes objects whose names must not collide.
 */
export function withRandomSuffix(slug: string, suffixLength = 5): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(suffixLength);
  const suffix = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  const head = slug.slice(0, MAX_LABEL_LENGTH - suffixLength - 1).replace(/-+$/, "");
  return head ? `${head}-${suffix}` : suffix;
}
