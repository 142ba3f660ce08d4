// The boot-source fields of the VM create form: where the VM boots from and, for a disk CDI
// makes, its URL or golden image and its size. The URL's shape is vetted here (a refusal lands on
// its field); the service resolves its host and checks the golden image against the cluster's list.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { blankToNull, catalogImageField, wholeNumber } from "@/lib/workloads/form-fields";
import { DISK_URL_MAX_LENGTH, vetDiskUrlShape } from "@/lib/vms/disks/disk-url";
import { BOOT_SOURCES, DISK_SIZE_GIB, type BootSource } from "@/lib/vms/disks/types";

const gib = (n: number) => `${n} GiB`;

/** The fields, to spread into the create schema's object. */
export const bootSourceFields = {
  bootSource: z.enum(BOOT_SOURCES, { error: "Choose where the VM boots from." }).default("catalog"),
  image: z.preprocess(blankToNull, catalogImageField.nullable()).default(null),
  diskUrl: z.preprocess((v) => v ?? "", z.string({ error: "Enter the URL of the disk image." }).max(DISK_URL_MAX_LENGTH + 1, `The URL is longer than ${DISK_URL_MAX_LENGTH} characters.`)).transform((v) => v.trim()).default(""),
  goldenImage: z.preprocess((v) => v ?? "", z.string({ error: "Choose a golden image." }).max(320, "Choose a golden image from the list.")).transform((v) => v.trim()).default(""),
  diskSizeGib: z.preprocess(blankToNull, wholeNumber("the disk size in GiB", DISK_SIZE_GIB.min, DISK_SIZE_GIB.max, gib).nullable()).default(null),
};

type BootSourceValues = { bootSource: BootSource; image: string | null; diskUrl: string; goldenImage: string; diskSizeGib: number | null };

/** The checks that depend on the chosen source (for the create schema's superRefine). */
export function refineBootSource(value: BootSourceValues, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  // Only the chosen source's fields may be filled (the form sends no others): a value for another
  // source is a mistake said so, not something silently ignored.
  if (value.bootSource !== "catalog" && value.image !== null) issue("image", "A container disk is chosen only when the VM boots from the catalog.");
  if (value.bootSource !== "url" && value.diskUrl !== "") issue("diskUrl", "A URL is given only when the VM's disk is imported from one.");
  if (value.bootSource !== "clone" && value.goldenImage !== "") issue("goldenImage", "A golden image is chosen only when the VM's disk is a clone.");
  if (value.bootSource === "catalog") {
    if (!value.image) issue("image", "Choose an image.");
    if (value.diskSizeGib !== null) issue("diskSizeGib", "A container disk has no disk size to choose.");
    return;
  }
  if (value.diskSizeGib === null) issue("diskSizeGib", "Enter the disk size in GiB.");
  if (value.bootSource === "url") {
    try {
      vetDiskUrlShape(value.diskUrl);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      issue("diskUrl", error.message);
    }
  }
  if (value.bootSource === "clone" && !/^[a-z0-9-]{1,63}\/[a-z0-9.-]{1,253}$/.test(value.goldenImage)) issue("goldenImage", "Choose a golden image from the list.");
}
