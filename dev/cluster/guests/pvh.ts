// Booting the Debian kernel faster under TCG: the bzImage's self-decompression (xz, ~60 MB) costs several
// seconds of emulated CPU, so the harness unpacks the ELF `vmlinux` once and QEMU starts it through its PVH
// entry point (the kernel is built with CONFIG_PVH). The trailing zeros of each loadable segment (.bss,
// .brk, scratch) are dropped from the file size so QEMU does not keep ~24 MB of zeros per guest.
import { execFileSync } from "node:child_process";

const PT_LOAD = 1;
const PT_NOTE = 4;
/** XEN_ELFNOTE_PHYS32_ENTRY: the note QEMU looks for to boot an ELF kernel via PVH. */
const XEN_ELFNOTE_PHYS32_ENTRY = 18;

const compressors: { magic: Buffer; command: string[] }[] = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), command: ["xz", "-dc", "--single-stream"] },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), command: ["zstd", "-dc"] },
  { magic: Buffer.from([0x1f, 0x8b, 0x08, 0x00]), command: ["gzip", "-dc"] },
];

/** The PVH-bootable ELF kernel inside a bzImage, or undefined when there is none. */
export function pvhKernelFrom(bzImage: Buffer): Buffer | undefined {
  for (const { magic, command } of compressors) {
    const at = bzImage.indexOf(magic);
    if (at < 0) continue;
    let elf: Buffer;
    try {
      elf = execFileSync(command[0]!, command.slice(1), { input: bzImage.subarray(at), maxBuffer: 512 << 20, stdio: ["pipe", "pipe", "ignore"] });
    } catch (error) {
      // Trailing bytes after the stream make the tool exit non-zero; what it decoded is still there.
      elf = (error as { stdout?: Buffer }).stdout ?? Buffer.alloc(0);
    }
    if (isPvhElf(elf)) return trimZeroTails(elf);
  }
  return undefined;
}

interface ProgramHeader {
  offset: number;
  type: number;
  fileOffset: number;
  fileSize: number;
}

function programHeaders(elf: Buffer): ProgramHeader[] {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  return Array.from({ length: count }, (_, i) => {
    const offset = phoff + i * size;
    return { offset, type: elf.readUInt32LE(offset), fileOffset: Number(elf.readBigUInt64LE(offset + 8)), fileSize: Number(elf.readBigUInt64LE(offset + 32)) };
  });
}

function isPvhElf(elf: Buffer): boolean {
  const elf64 = elf.length > 64 && elf.readUInt32BE(0) === 0x7f454c46 && elf[4] === 2 && elf[5] === 1;
  if (!elf64) return false;
  for (const header of programHeaders(elf).filter((h) => h.type === PT_NOTE)) {
    for (let at = header.fileOffset; at + 12 <= header.fileOffset + header.fileSize; ) {
      const nameSize = elf.readUInt32LE(at);
      const descSize = elf.readUInt32LE(at + 4);
      const type = elf.readUInt32LE(at + 8);
      const name = elf.subarray(at + 12, at + 12 + nameSize).toString("latin1").replace(/\0+$/, "");
      if (name === "Xen" && type === XEN_ELFNOTE_PHYS32_ENTRY) return true;
      at += 12 + align4(nameSize) + align4(descSize);
    }
  }
  return false;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** Lowers each loadable segment's file size to leave out its trailing zero bytes (memory size unchanged). */
function trimZeroTails(elf: Buffer): Buffer {
  const out = Buffer.from(elf);
  for (const header of programHeaders(out).filter((h) => h.type === PT_LOAD)) {
    let end = header.fileOffset + header.fileSize;
    while (end > header.fileOffset && out[end - 1] === 0) end--;
    out.writeBigUInt64LE(BigInt(end - header.fileOffset), header.offset + 32);
  }
  return out;
}
