// Small disk images for tests, demos and the upload benchmark, made here (no downloads): a raw
// disk whose boot sector writes a line to the first serial port (COM1) and halts — a real guest
// booting it from its disk (BIOS) shows the line on its serial console.
import { Readable } from "node:stream";

/** The line a booted test disk writes to its serial console. */
export const BOOTED_LINE = "minicloud disk booted";

/** A 512-byte boot sector: `xor ax,ax; mov ds,ax; mov si,msg; mov dx,0x3f8; .loop: lodsb; test al,al; jz .halt; out dx,al; jmp .loop; .halt: hlt; jmp .halt; msg: …` */
export function bootSector(line = BOOTED_LINE): Buffer {
  const code = Buffer.from([0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x15, 0x7c, 0xba, 0xf8, 0x03, 0xac, 0x84, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8, 0xf4, 0xeb, 0xfd]);
  const message = Buffer.from(`\r\n${line}\r\n\0`, "latin1");
  if (code.length + message.length > 446) throw new Error("boot message too long");
  const sector = Buffer.alloc(512);
  code.copy(sector, 0);
  message.copy(sector, code.length);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/** A raw bootable disk image of `bytes` (a multiple of 512): the boot sector, then zeros. */
export function bootableDisk(bytes = 1024 * 1024, line = BOOTED_LINE): Buffer {
  const disk = Buffer.alloc(bytes);
  bootSector(line).copy(disk, 0);
  return disk;
}

/** The same disk as a stream of `bytes`, generated chunk by chunk (for images too big to hold: 1 GiB in the benchmark). */
export function bootableDiskStream(bytes: number, chunkBytes = 1024 * 1024): Readable {
  const zeros = Buffer.alloc(chunkBytes);
  let sent = 0;
  return new Readable({
    highWaterMark: chunkBytes,
    read() {
      if (sent >= bytes) return void this.push(null);
      const size = Math.min(chunkBytes, bytes - sent);
      const chunk = sent === 0 ? Buffer.concat([bootSector(), zeros.subarray(0, size - 512)]) : zeros.subarray(0, size);
      sent += size;
      this.push(chunk);
    },
  });
}
