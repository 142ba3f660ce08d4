// What the nested cluster form sends, vetted in its raw form: a display name whose namespace
// (`nested-<name>-<suffix>`) is a valid label, a supported version, sizes within bounds, an
// exposure from the list, image overrides that are image references.
import { z } from "zod";
import { imageReferenceSchema } from "@/lib/kube/image-reference";
import { nameProblem, slugify, SUFFIX_LENGTH } from "@/lib/names";
import { isDns1035Label } from "@/lib/kube/object-names";
import { blankToNull, wholeNumber } from "@/lib/workloads/form-fields";
import { EXPOSURES } from "@/lib/nested/types";
import { SUPPORTED_VERSIONS } from "@/lib/nested/versions";

/** What namespaces of nested clusters start with. */
export const NAMESPACE_PREFIX = "nested-";
/** The longest name: prefix, name, dash and suffix make a namespace name (≤ 63). */
export const MAX_NESTED_NAME_LENGTH = 63 - NAMESPACE_PREFIX.length - SUFFIX_LENGTH - 1;

/** Why `name` cannot name a nested cluster, or null. */
export function nestedNameProblem(name: string): string | null {
  const problem = nameProblem(name);
  if (problem) return problem;
  const slug = slugify(name);
  if (slug.length > MAX_NESTED_NAME_LENGTH) return `Use at most ${MAX_NESTED_NAME_LENGTH} characters: the cluster's namespace adds a prefix and a suffix.`;
  if (!isDns1035Label(slug)) return "Start with a letter.";
  return null;
}

const imageOverride = z.preprocess(blankToNull, z.string().trim().max(512, "That image name is too long.").pipe(imageReferenceSchema).nullable().default(null));

/** Create a nested cluster. */
export const createNestedClusterInputSchema = z.object({
  teamId: z.uuid({ error: "Choose the team that owns the cluster." }),
  hostClusterId: z.uuid({ error: "Choose a host cluster." }),
  name: z
    .string({ error: "Enter a name." })
    .trim()
    .superRefine((name, ctx) => {
      const problem = nestedNameProblem(name);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  version: z.enum(SUPPORTED_VERSIONS.map((v) => v.version) as [string, ...string[]], { error: "Choose a supported Kubernetes version." }),
  etcdReplicas: wholeNumber("the etcd members", 1, 3, (n) => `${n} member${n === 1 ? "" : "s"}`)
    .refine((n) => n !== 2, { error: "Use 1 or 3 etcd members: 2 members tolerate no more failures than 1." })
    .default(1),
  etcdStorageGib: wholeNumber("etcd's storage (GiB)", 1, 100, (n) => `${n} GiB`).default(1),
  apiserverReplicas: wholeNumber("the API server replicas", 1, 3, (n) => `${n} replica${n === 1 ? "" : "s"}`).default(1),
  exposure: z.enum(EXPOSURES, { error: "Choose how the API server is exposed." }).default("ClusterIP"),
  images: z
    .object({ etcd: imageOverride, apiserver: imageOverride, controllerManager: imageOverride, scheduler: imageOverride })
    .partial()
    .default({}),
});
export type CreateNestedClusterInput = z.input<typeof createNestedClusterInputSchema>;

/** Delete a nested cluster: typed name to confirm. */
export const deleteNestedClusterInputSchema = z.object({
  clusterId: z.uuid({ error: "No such nested cluster." }),
  confirmName: z.string({ error: "Type the cluster's name to confirm." }),
});

/** Rotate a nested cluster's leaf certificates. */
export const rotateNestedCertificatesInputSchema = z.object({ clusterId: z.uuid({ error: "No such nested cluster." }) });
