/*
 * ELF32 image parsing for RISC-V executables: what the loaders (run-native, later the
 * domain builder) need, with every check a user can get wrong reported as an ImageError
 * whose message names the problem.
 */

import { UserError } from './user-error.js';

export class ImageError extends UserError {
  override readonly name = 'ImageError';
}

export interface Segment {
  /** Physical load address (p_paddr, as QEMU uses it). */
  paddr: number;
  vaddr: number;
  /** Bytes from the file; memSize - data.length more bytes are zero. */
  data: Uint8Array;
  memSize: number;
  flags: number;
}

export interface ElfImage {
  entry: number;
  segments: Segment[];
  /** Symbol table, when the image has one (for traces and tests). */
  symbols: Map<string, number>;
}

const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;

export function parseElf(bytes: Uint8Array, name = 'image'): ElfImage {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ImageError(`${name}: not an ELF file`);
  }
  if (bytes[4] !== 1) throw new ImageError(`${name}: not a 32-bit ELF (class ${bytes[4]}); tsxen's rv32 machine runs RV32 images`);
  if (bytes[5] !== 1) throw new ImageError(`${name}: not little-endian`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_RISCV) throw new ImageError(`${name}: not a RISC-V image (e_machine ${machine})`);
  if (type !== 2) throw new ImageError(`${name}: not an executable (e_type ${type}); link it statically`);
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const shoff = dv.getUint32(32, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);

  if (phoff + phnum * phentsize > bytes.length) throw new ImageError(`${name}: program headers run past the end of the file`);
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const offset = dv.getUint32(o + 4, true);
    const vaddr = dv.getUint32(o + 8, true);
    const paddr = dv.getUint32(o + 12, true);
    const filesz = dv.getUint32(o + 16, true);
    const memsz = dv.getUint32(o + 20, true);
    const flags = dv.getUint32(o + 24, true);
    if (offset + filesz > bytes.length) throw new ImageError(`${name}: segment ${i} runs past the end of the file`);
    if (memsz < filesz) throw new ImageError(`${name}: segment ${i} has memsz < filesz`);
    if (memsz === 0) continue;
    segments.push({ paddr, vaddr, data: bytes.subarray(offset, offset + filesz), memSize: memsz, flags });
  }
  if (segments.length === 0) throw new ImageError(`${name}: no loadable segments`);

  const symbols = new Map<string, number>();
  if (shoff !== 0 && shoff + shnum * shentsize <= bytes.length) {
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      if (dv.getUint32(o + 4, true) !== SHT_SYMTAB) continue;
      const symOff = dv.getUint32(o + 16, true), symSize = dv.getUint32(o + 20, true);
      const strSec = shoff + dv.getUint32(o + 24, true) * shentsize;
      const strOff = dv.getUint32(strSec + 16, true);
      for (let s = symOff; s + 16 <= symOff + symSize && s + 16 <= bytes.length; s += 16) {
        const nameOff = dv.getUint32(s, true);
        if (nameOff === 0) continue;
        let end = strOff + nameOff;
        while (end < bytes.length && bytes[end] !== 0) end++;
        symbols.set(new TextDecoder().decode(bytes.subarray(strOff + nameOff, end)), dv.getUint32(s + 4, true));
      }
    }
  }
  return { entry, segments, symbols };
}
