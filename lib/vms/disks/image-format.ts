// What a disk image is, from its first bytes, before any of it leaves the panel: CDI reads raw,
// qcow2, VMDK, VDI, VHD/VHDX and ISO images, plain or gz/xz-compressed, and takes anything else
// for raw — so a file that is plainly not a disk (text, an archive, a picture, a program) is
// refused here with a sentence, instead of becoming a disk that does not boot. Pure.

/** How many leading bytes the check wants (an ISO's signature is at 32 KiB + 1). */
export const FORMAT_PROBE_BYTES = 64 * 1024;

/** A format CDI accepts. */
export type DiskImageFormat = "qcow2" | "vmdk" | "vdi" | "vhd" | "vhdx" | "iso" | "gzip" | "xz" | "raw";

// Uint8Array, not Buffer: the browser runs the same check before it sends anything.
const startsWith = (head: Uint8Array, bytes: number[] | string, at = 0) => {
  const want = typeof bytes === "string" ? Array.from(bytes, (c) => c.charCodeAt(0)) : bytes;
  return head.length >= at + want.length && want.every((b, i) => head[at + i] === b);
};

// Files people pick by mistake, by their signatures.
const NOT_DISKS: { name: string; test: (head: Uint8Array) => boolean }[] = [
  { name: "a ZIP archive", test: (h) => startsWith(h, "PK\x03\x04") },
  { name: "a 7-Zip archive", test: (h) => startsWith(h, "7z\xbc\xaf\x27\x1c") },
  { name: "a RAR archive", test: (h) => startsWith(h, "Rar!") },
  { name: "a bzip2 file", test: (h) => startsWith(h, "BZh") },
  { name: "a zstd file", test: (h) => startsWith(h, [0x28, 0xb5, 0x2f, 0xfd]) },
  { name: "a tar archive", test: (h) => startsWith(h, "ustar", 257) },
  { name: "a PDF document", test: (h) => startsWith(h, "%PDF") },
  { name: "a PNG picture", test: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47]) },
  { name: "a JPEG picture", test: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { name: "a GIF picture", test: (h) => startsWith(h, "GIF8") },
  { name: "a program (ELF)", test: (h) => startsWith(h, "\x7fELF") },
  { name: "a Windows program", test: (h) => startsWith(h, "MZ") && !startsWith(h, [0x55, 0xaa], 510) },
  { name: "an OCI or Docker image archive", test: (h) => startsWith(h, "{\"schemaVersion\"") },
];

/** Whether the head looks like text (a script, HTML, YAML…): printable ASCII/UTF-8 and whitespace only, no NUL. */
function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, Math.min(head.length, 4096));
  if (sample.length === 0) return false;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) return false;
  }
  return true;
}

/** The verdict on a file's head: its format, or why it is refused. */
export type FormatVerdict = { ok: true; format: DiskImageFormat } | { ok: false; message: string };

const ACCEPTED = "raw, qcow2, VMDK, VDI, VHD/VHDX or ISO, optionally gz- or xz-compressed";

/** Decides from the first bytes (`FORMAT_PROBE_BYTES`, or the whole file when it is shorter). */
export function detectDiskImageFormat(head: Uint8Array): FormatVerdict {
  if (head.length === 0) return { ok: false, message: "The file is empty." };
  if (startsWith(head, [0x51, 0x46, 0x49, 0xfb])) return { ok: true, format: "qcow2" };
  if (startsWith(head, "KDMV") || startsWith(head, "# Disk DescriptorFile")) return { ok: true, format: "vmdk" };
  if (startsWith(head, [0x7f, 0x10, 0xda, 0xbe], 64)) return { ok: true, format: "vdi" };
  if (startsWith(head, "vhdxfile")) return { ok: true, format: "vhdx" };
  if (startsWith(head, "conectix")) return { ok: true, format: "vhd" };
  if (startsWith(head, [0x1f, 0x8b])) return { ok: true, format: "gzip" };
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return { ok: true, format: "xz" };
  if (startsWith(head, "CD001", 0x8001)) return { ok: true, format: "iso" };
  for (const known of NOT_DISKS) if (known.test(head)) return { ok: false, message: `The file is ${known.name}, not a disk image (${ACCEPTED}).` };
  if (looksLikeText(head)) return { ok: false, message: `The file is text, not a disk image (${ACCEPTED}).` };
  if (head.length < 512) return { ok: false, message: `The file is too small to be a disk image (${head.length} bytes).` };
  // Anything else is a raw disk: a partition table, a file system, or a boot sector.
  return { ok: true, format: "raw" };
}
