// The three kinds of names Kubernetes gives objects, checked the way the apiserver checks them
// (k8s.io/apimachinery/pkg/util/validation): a DNS-1123 label (namespaces, pod hostnames),
// a DNS-1035 label (Services: it must start with a letter) and a DNS-1123 subdomain (Pods,
// Secrets, claims, most kinds). A problem is a clause without the name itself, so callers can
// speak of the name the user typed rather than the derived one. No imports beyond characters:
// forms in the browser use it too.
import { firstCharacterOutside, sayCharacter } from "@/lib/characters";

/** Which rule a Kubernetes object name follows. */
export type KubeNameKind = "dns1123Label" | "dns1035Label" | "dns1123Subdomain";

const RULES: Record<KubeNameKind, { max: number; allowed: RegExp; allowedText: string; pattern: RegExp; shape: string }> = {
  dns1123Label: {
    max: 63,
    allowed: /[-a-z0-9]/,
    allowedText: "lowercase letters a–z, digits and dashes",
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    shape: "must start and end with a letter or a digit",
  },
  dns1035Label: {
    max: 63,
    allowed: /[-a-z0-9]/,
    allowedText: "lowercase letters a–z, digits and dashes",
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    shape: "must start with a letter and end with a letter or a digit",
  },
  dns1123Subdomain: {
    max: 253,
    allowed: /[-.a-z0-9]/,
    allowedText: "lowercase letters a–z, digits, dashes and dots",
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    shape: "must start and end with a letter or a digit, with a letter or a digit on each side of every dot",
  },
};

/** Why `value` is not a valid name of `kind` (a clause: "must start with a letter"), or null when it is. */
export function kubeNameProblem(kind: KubeNameKind, value: string): string | null {
  const rule = RULES[kind];
  if (value.length === 0) return "must not be empty";
  if (value.length > rule.max) return `must be at most ${rule.max} characters`;
  const bad = firstCharacterOutside(value, rule.allowed);
  if (bad !== null) return `may only hold ${rule.allowedText}, and ${sayCharacter(bad, "is not one of them")}`;
  return rule.pattern.test(value) ? null : rule.shape;
}

/** Whether `value` is a DNS-1123 label: ≤ 63 of a–z, 0–9 and "-", starting and ending alphanumeric. */
export const isDns1123Label = (value: string): boolean => kubeNameProblem("dns1123Label", value) === null;
/** Whether `value` is a DNS-1035 label: a DNS-1123 label that starts with a letter (Service names). */
export const isDns1035Label = (value: string): boolean => kubeNameProblem("dns1035Label", value) === null;
/** Whether `value` is a DNS-1123 subdomain: ≤ 253 characters of dot-separated DNS-1123 labels. */
export const isDns1123Subdomain = (value: string): boolean => kubeNameProblem("dns1123Subdomain", value) === null;

/** One object about to be created: its kind as people say it ("Service"), the rule its name follows, the name. */
export interface PlannedObjectName {
  what: string;
  kind: KubeNameKind;
  name: string;
}

/** The first planned name Kubernetes would refuse, as a clause ("its Service name must start with a letter"), or null. */
export function plannedNamesProblem(planned: readonly PlannedObjectName[]): string | null {
  for (const { what, kind, name } of planned) {
    const problem = kubeNameProblem(kind, name);
    if (problem) return `its ${what} name ${problem}`;
  }
  return null;
}
