// Golden images: disks an admin published in the cluster (a PersistentVolumeClaim, usually a
// DataVolume's, in a namespace the admin chose) that VMs boot from a clone of. The admin lists
// them in the cluster's settings as `Label = namespace/claim` lines; users pick by label.
import { z } from "zod";
import { isDns1123Label, isDns1123Subdomain } from "@/lib/kube/object-names";

/** A golden image an admin published: a PersistentVolumeClaim (or a DataVolume's claim) in a namespace of the cluster. */
export interface GoldenImage {
  label: string;
  namespace: string;
  name: string;
}

/** A stored entry, checked again when read: one that is not valid never reaches a DataVolume. */
export const goldenImageSchema = z.object({
  label: z.string().trim().min(1).max(80),
  namespace: z.string().refine(isDns1123Label),
  name: z.string().refine(isDns1123Subdomain),
});

/** The stored list (at most 50). */
export const goldenImagesSchema = z.array(goldenImageSchema).max(50);

/** `namespace/claim`, how a golden image is chosen in forms. */
export const goldenImageKey = (image: Pick<GoldenImage, "namespace" | "name">): string => `${image.namespace}/${image.name}`;

/** Parses `Label = namespace/claim` lines (blank lines and `#` comments skipped); throws a message naming the bad line. */
export function parseGoldenImages(text: string): GoldenImage[] {
  const out: GoldenImage[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const number = i + 1;
    const eq = line.lastIndexOf("=");
    if (eq <= 0) throw new Error(`Line ${number}: write Label = namespace/claim.`);
    const label = line.slice(0, eq).trim();
    const ref = line.slice(eq + 1).trim();
    const slash = ref.indexOf("/");
    const namespace = slash < 0 ? "" : ref.slice(0, slash);
    const name = slash < 0 ? "" : ref.slice(slash + 1);
    if (!label || label.length > 80) throw new Error(`Line ${number}: give the golden image a label of at most 80 characters.`);
    if (!isDns1123Label(namespace) || !isDns1123Subdomain(name)) throw new Error(`Line ${number}: “${ref}” is not namespace/claim (a namespace name, a slash, a PersistentVolumeClaim name).`);
    if (out.some((g) => g.namespace === namespace && g.name === name)) throw new Error(`Line ${number}: ${ref} is listed twice.`);
    out.push({ label, namespace, name });
  });
  if (out.length > 50) throw new Error("At most 50 golden images.");
  return out;
}

/** The list as the settings form's text area shows it. */
export const goldenImagesToText = (images: GoldenImage[]): string => images.map((g) => `${g.label} = ${goldenImageKey(g)}`).join("\n");
