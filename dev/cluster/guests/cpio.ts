// A writer for the Linux initramfs format (cpio "newc"), so the guest image needs neither root nor
// the cpio tool: device nodes and ownership are simply written into the archive.

export interface CpioEntry {
  /** Path inside the archive, without a leading slash. */
  path: string;
  type: "file" | "dir" | "symlink" | "chardev";
  /** Permission bits (e.g. 0o755). */
  mode: number;
  /** File contents, or the symlink's target. */
  data?: Buffer | string;
  /** Major/minor numbers of a character device. */
  rdev?: [number, number];
}

const typeBits = { file: 0o100000, dir: 0o040000, symlink: 0o120000, chardev: 0o020000 } as const;

const hex8 = (n: number): string => n.toString(16).padStart(8, "0");
const pad4 = (length: number): Buffer => Buffer.alloc((4 - (length % 4)) % 4);

function record(ino: number, entry: Omit<CpioEntry, "type"> & { typeBits: number }): Buffer[] {
  const data = entry.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
  const name = Buffer.from(`${entry.path}\0`);
  const [major, minor] = entry.rdev ?? [0, 0];
  const fields = [ino, entry.typeBits | entry.mode, 0, 0, entry.typeBits === typeBits.dir ? 2 : 1, 0, data.length, 0, 0, major, minor, name.length, 0];
  const header = Buffer.from(`070701${fields.map(hex8).join("")}`);
  return [header, name, pad4(header.length + name.length), data, pad4(data.length)];
}

/** The archive holding `entries` (parents must come before their children), uncompressed. */
export function cpioArchive(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((entry, index) => parts.push(...record(index + 1, { ...entry, typeBits: typeBits[entry.type] })));
  parts.push(...record(0, { path: "TRAILER!!!", mode: 0, typeBits: 0 }));
  return Buffer.concat(parts);
}
