// Form fields every kind's create form shares (SSH pods, VMs): numbers typed in a field's unit,
// optional fields sent empty. Lenient number forms (0x10, 1e3) are refused, not reinterpreted.
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { imageReferenceSchema } from "@/lib/kube/image-reference";
import { readTypedAmount } from "@/lib/kube/quantity";

/** Forms send "" for an empty optional field: that is none (null). */
export const blankToNull = (value: unknown) => (value === "" || value === undefined ? null : value);

/** A whole number in the field's unit, typed or sent as a number, within [min, max]; `describe` says an amount ("2 cores"). */
export function wholeNumber(label: string, min: number, max: number, describe: (n: number) => string) {
  return z
    .union([z.string(), z.number()], { error: `Enter ${label}.` })
    .transform((raw, ctx) => {
      const read = typeof raw === "number" ? { value: raw, problem: null } : readTypedAmount(raw);
      if (read.value === undefined || !Number.isFinite(read.value)) {
        ctx.addIssue({ code: "custom", message: read.problem ?? `Enter ${label}.` });
        return z.NEVER;
      }
      return read.value;
    })
    .pipe(
      z
        .number()
        .int(`Enter ${label} as a whole number.`)
        .min(min, `Use at least ${describe(min)}.`)
        .max(max, `Use at most ${describe(max)}.`),
    );
}

/** An image chosen from a cluster's catalog: a valid reference (a stored catalog entry is not trusted); the service checks it is in the catalog. */
export const catalogImageField = z.string({ error: "Choose an image." }).trim().min(1, "Choose an image.").max(512, "That image name is too long.").pipe(imageReferenceSchema);

/** Refuses a delete whose typed confirmation (field `confirmName`) is not the workload's name as shown, nor its Kubernetes name; `what` is "pod" or "VM". */
export function requireTypedName(typed: string, workload: { displayName: string; name: string }, what: string): void {
  const value = typed.trim();
  if (value !== workload.displayName && value !== workload.name) {
    const message = `Type the ${what}'s name exactly to confirm.`;
    throw new ValidationError(message, { confirmName: message });
  }
}
