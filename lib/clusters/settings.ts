// A cluster's admin-edited settings: where team workloads are placed (node selector,
// tolerations), which storage class their volumes use, which images users may pick for SSH
// pods and which container disks for VMs, and
// whether team requests impersonate a team group. Stored as the `clusters.settings` jsonb;
// every reader goes through `readClusterSettings`, so defaults live here only.
import { z } from "zod";
import { checkboxField } from "@/lib/parse-input";
import { imageReferenceProblem, imageReferenceSchema } from "@/lib/kube/image-reference";
import { isDns1123Subdomain } from "@/lib/kube/object-names";
import { goldenImageSchema, goldenImagesSchema, goldenImagesToText, parseGoldenImages, type GoldenImage } from "@/lib/clusters/vm-golden-images";

/** The image of the panel's own SSH pod (built from images/ssh-pod/Dockerfile). */
export const DEFAULT_SSH_IMAGE = "minicloud/ssh-pod:latest";

/** The catalog a cluster offers until an admin edits it. */
export const DEFAULT_IMAGE_CATALOG: readonly CatalogImage[] = [{ label: "minicloud SSH (Debian)", image: DEFAULT_SSH_IMAGE }];

/**
 * The container disks VMs boot from until an admin edits the list: KubeVirt's own tiny CirrOS
 * demo disk, and the cloud images the KubeVirt community publishes as container disks.
 */
export const DEFAULT_VM_IMAGE_CATALOG: readonly CatalogImage[] = [
  { label: "CirrOS (tiny, for trying things)", image: "quay.io/kubevirt/cirros-container-disk-demo:latest" },
  { label: "Fedora Cloud", image: "quay.io/containerdisks/fedora:latest" },
  { label: "Ubuntu 24.04", image: "quay.io/containerdisks/ubuntu:24.04" },
];

/** One image users can choose for a workload. */
export interface CatalogImage {
  label: string;
  image: string;
}

/** A toleration added to every team workload, in Kubernetes' own shape. */
export interface Toleration {
  key: string;
  operator: "Equal" | "Exists";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** A cluster's settings with every default filled in. */
export interface ClusterSettings {
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  storageClass: string | null;
  imageCatalog: CatalogImage[];
  /** Container-disk images VMs may boot from. */
  vmImageCatalog: CatalogImage[];
  /** Published disks (PVCs) VMs may boot from a clone of. */
  vmGoldenImages: GoldenImage[];
  impersonation: boolean;
  /** Whether the reconciler removes objects minicloud labelled whose workload has no row (drift) by itself, or only lists them. */
  removeOrphans: boolean;
  /**
   * How browser ssh and the laptop tunnel reach a pod's or VM's port 22: through a Kubernetes
   * port-forward (works from anywhere), by dialing its address (only from inside the cluster's
   * network: faster), or `auto` — direct for "this cluster", port-forward otherwise.
   */
  sshRoute: SshRoute;
}

export const SSH_ROUTES = ["auto", "port-forward", "direct"] as const;
export type SshRoute = (typeof SSH_ROUTES)[number];

/** The route in effect: `auto` is direct only for "this cluster" (the panel on its pod network). */
export function resolveSshRoute(route: unknown, inCluster: boolean): "port-forward" | "direct" {
  if (route === "direct" || route === "port-forward") return route;
  return inCluster ? "direct" : "port-forward";
}

const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
// A label key: optional DNS-subdomain prefix and a name of up to 63 characters.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const tolerationSchema = z.object({
  key: z.string().regex(LABEL_KEY),
  operator: z.enum(["Equal", "Exists"]),
  value: z.string().regex(LABEL_VALUE).optional(),
  effect: z.enum(EFFECTS).optional(),
});
// A stored entry is checked again when read: one that is not a valid reference never reaches a pod.
const catalogImageSchema = z.object({ label: z.string().trim().min(1).max(80), image: imageReferenceSchema });
// A storage class is named like most objects: a DNS-1123 subdomain.
const storageClassSchema = z.string().refine(isDns1123Subdomain);

/** The stored shape of `clusters.settings` (what services write). */
export const clusterSettingsSchema = z.object({
  nodeSelector: z.record(z.string().regex(LABEL_KEY), z.string().regex(LABEL_VALUE)).default({}),
  tolerations: z.array(tolerationSchema).max(20).default([]),
  storageClass: storageClassSchema.nullable().default(null),
  imageCatalog: z.array(catalogImageSchema).min(1).max(50).default(() => DEFAULT_IMAGE_CATALOG.map((i) => ({ ...i }))),
  vmImageCatalog: z.array(catalogImageSchema).min(1).max(50).default(() => DEFAULT_VM_IMAGE_CATALOG.map((i) => ({ ...i }))),
  vmGoldenImages: goldenImagesSchema.default([]),
  impersonation: z.boolean().default(false),
  removeOrphans: z.boolean().default(false),
  sshRoute: z.enum(SSH_ROUTES).default("auto"),
});

/**
 * The settings of a cluster row, defaults filled in. A stored field that no longer parses
 * falls back to its default alone, so one bad value never hides the others; likewise a stored
 * catalog entry that is not a valid image reference is left out alone (the default catalog
 * only when none is left).
 */
export function readClusterSettings(row: { settings: Record<string, unknown> | null | undefined }): ClusterSettings {
  const stored = { ...row.settings };
  for (const key of ["imageCatalog", "vmImageCatalog"] as const) {
    const catalog = stored[key];
    if (Array.isArray(catalog)) stored[key] = catalog.filter((entry) => catalogImageSchema.safeParse(entry).success);
  }
  if (Array.isArray(stored.vmGoldenImages)) stored.vmGoldenImages = stored.vmGoldenImages.filter((entry) => goldenImageSchema.safeParse(entry).success);
  const whole = clusterSettingsSchema.safeParse(stored);
  if (whole.success) return whole.data;
  const defaults = clusterSettingsSchema.parse({});
  const out: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(clusterSettingsSchema.shape) as (keyof ClusterSettings)[]) {
    const field = clusterSettingsSchema.shape[key].safeParse(stored[key]);
    if (field.success) out[key] = field.data;
  }
  return out as unknown as ClusterSettings;
}

// ---- The settings form: text areas that become the stored shape -------------------------

function lines(text: string): { line: string; number: number }[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line !== "" && !line.startsWith("#"));
}

/** Parses `key=value` lines into a node selector; throws a message naming the bad line. */
export function parseNodeSelector(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { line, number } of lines(text)) {
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`Line ${number}: write key=value.`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (!LABEL_KEY.test(key)) throw new Error(`Line ${number}: “${key}” is not a valid label key.`);
    if (!LABEL_VALUE.test(value)) throw new Error(`Line ${number}: “${value}” is not a valid label value.`);
    out[key] = value;
  }
  return out;
}

/**
 * Parses toleration lines: `key=value:Effect` (Equal), `key:Effect` or `key` (Exists),
 * the effect being NoSchedule, PreferNoSchedule or NoExecute (omitted: any effect).
 */
export function parseTolerations(text: string): Toleration[] {
  const out: Toleration[] = [];
  for (const { line, number } of lines(text)) {
    let rest = line;
    let effect: Toleration["effect"];
    const colon = rest.lastIndexOf(":");
    if (colon >= 0) {
      const candidate = rest.slice(colon + 1).trim();
      if (!(EFFECTS as readonly string[]).includes(candidate)) {
        throw new Error(`Line ${number}: the effect must be NoSchedule, PreferNoSchedule or NoExecute.`);
      }
      effect = candidate as Toleration["effect"];
      rest = rest.slice(0, colon).trim();
    }
    const eq = rest.indexOf("=");
    const key = (eq >= 0 ? rest.slice(0, eq) : rest).trim();
    const value = eq >= 0 ? rest.slice(eq + 1).trim() : undefined;
    if (!LABEL_KEY.test(key)) throw new Error(`Line ${number}: “${key}” is not a valid taint key.`);
    if (value !== undefined && !LABEL_VALUE.test(value)) throw new Error(`Line ${number}: “${value}” is not a valid taint value.`);
    out.push({ key, operator: value === undefined ? "Exists" : "Equal", ...(value !== undefined && { value }), ...(effect && { effect }) });
  }
  if (out.length > 20) throw new Error("At most 20 tolerations.");
  return out;
}

/** Parses `Label = image` lines (the image alone is its own label). */
export function parseImageCatalog(text: string): CatalogImage[] {
  const out: CatalogImage[] = [];
  for (const { line, number } of lines(text)) {
    const eq = line.lastIndexOf("=");
    const label = (eq >= 0 ? line.slice(0, eq) : line).trim();
    const image = (eq >= 0 ? line.slice(eq + 1) : line).trim();
    const problem = imageReferenceProblem(image);
    if (problem) throw new Error(`Line ${number}: “${image}” is not an image reference. ${problem}`);
    if (!label || label.length > 80) throw new Error(`Line ${number}: give the image a label of at most 80 characters.`);
    out.push({ label, image });
  }
  if (out.length === 0) throw new Error("List at least one image.");
  if (out.length > 50) throw new Error("At most 50 images.");
  return out;
}

const catalogToText = (catalog: CatalogImage[]) => catalog.map((i) => `${i.label} = ${i.image}`).join("\n");

/** The settings as the form's text areas show them. */
export function settingsToForm(settings: ClusterSettings): Record<"nodeSelector" | "tolerations" | "storageClass" | "imageCatalog" | "vmImageCatalog" | "vmGoldenImages", string> & { impersonation: boolean; removeOrphans: boolean; sshRoute: SshRoute } {
  return {
    nodeSelector: Object.entries(settings.nodeSelector)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
    tolerations: settings.tolerations
      .map((t) => `${t.key}${t.operator === "Equal" ? `=${t.value ?? ""}` : ""}${t.effect ? `:${t.effect}` : ""}`)
      .join("\n"),
    storageClass: settings.storageClass ?? "",
    imageCatalog: catalogToText(settings.imageCatalog),
    vmImageCatalog: catalogToText(settings.vmImageCatalog),
    vmGoldenImages: goldenImagesToText(settings.vmGoldenImages),
    impersonation: settings.impersonation,
    removeOrphans: settings.removeOrphans,
    sshRoute: settings.sshRoute,
  };
}

// `absent`: what a form that has no such field at all stands for (an older form still open in a browser).
function textField<T>(parse: (text: string) => T, absent = "") {
  return z
    .string()
    .max(20_000, "Use at most 20,000 characters.")
    .default(absent)
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    });
}


/** The settings form (text areas, a checkbox) → the stored shape. */
export const clusterSettingsFormSchema = z.object({
  nodeSelector: textField(parseNodeSelector),
  tolerations: textField(parseTolerations),
  storageClass: z
    .string()
    .trim()
    .default("")
    .refine((v) => v === "" || isDns1123Subdomain(v), "Not a valid storage class name.")
    .transform((v) => (v === "" ? null : v)),
  imageCatalog: textField(parseImageCatalog),
  vmImageCatalog: textField(parseImageCatalog, catalogToText([...DEFAULT_VM_IMAGE_CATALOG])),
  vmGoldenImages: textField(parseGoldenImages),
  impersonation: checkboxField,
  removeOrphans: checkboxField,
  sshRoute: z.enum(SSH_ROUTES, { error: "Choose how ssh reaches pods and VMs." }).default("auto"),
});
export type ClusterSettingsForm = z.input<typeof clusterSettingsFormSchema>;
