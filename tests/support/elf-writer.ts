/* Builds minimal ELF32 executables for tests (programs from tests/support/asm.ts). */

export interface RawSegment { paddr: number; bytes: Uint8Array; memSize?: number }

export function makeElf(
  entry: number, segments: RawSegment[],
  opts: { machine?: number; cls?: number; symbols?: Record<string, number> } = {},
): Uint8Array {
  const ehsize = 52, phentsize = 32, shentsize = 40;
  let offset = ehsize + phentsize * segments.length;
  const layout = segments.map((s) => { const o = offset; offset += s.bytes.length; return o; });
  // Optional symbol table: sections [null, .symtab, .strtab].
  const names = Object.keys(opts.symbols ?? {});
  const strtab: number[] = [0];
  const nameOffsets = names.map((n) => { const o = strtab.length; strtab.push(...Buffer.from(n), 0); return o; });
  const symOff = offset, symSize = (names.length + 1) * 16;
  const strOff = symOff + symSize;
  const shOff = (strOff + strtab.length + 3) & ~3;
  const total = names.length > 0 ? shOff + 3 * shentsize : offset;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, opts.cls ?? 1, 1, 1]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, opts.machine ?? 243, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, entry >>> 0, true);
  dv.setUint32(28, ehsize, true);
  dv.setUint16(40, ehsize, true);
  dv.setUint16(42, phentsize, true);
  dv.setUint16(44, segments.length, true);
  segments.forEach((s, i) => {
    const o = ehsize + i * phentsize;
    dv.setUint32(o, 1, true); // PT_LOAD
    dv.setUint32(o + 4, layout[i]!, true);
    dv.setUint32(o + 8, s.paddr >>> 0, true);
    dv.setUint32(o + 12, s.paddr >>> 0, true);
    dv.setUint32(o + 16, s.bytes.length, true);
    dv.setUint32(o + 20, s.memSize ?? s.bytes.length, true);
    dv.setUint32(o + 24, 7, true);
    out.set(s.bytes, layout[i]!);
  });
  if (names.length > 0) {
    names.forEach((n, i) => {
      const o = symOff + (i + 1) * 16;
      dv.setUint32(o, nameOffsets[i]!, true);
      dv.setUint32(o + 4, opts.symbols![n]! >>> 0, true);
      out[o + 12] = 0x10; // STB_GLOBAL, STT_NOTYPE
    });
    out.set(strtab, strOff);
    dv.setUint32(32, shOff, true);
    dv.setUint16(46, shentsize, true);
    dv.setUint16(48, 3, true);
    const sh = (i: number, type: number, off: number, size: number, link: number): void => {
      const o = shOff + i * shentsize;
      dv.setUint32(o + 4, type, true);
      dv.setUint32(o + 16, off, true);
      dv.setUint32(o + 20, size, true);
      dv.setUint32(o + 24, link, true);
      dv.setUint32(o + 36, type === 2 ? 16 : 0, true);
    };
    sh(1, 2, symOff, symSize, 2); // SHT_SYMTAB, strings in section 2
    sh(2, 3, strOff, strtab.length, 0); // SHT_STRTAB
  }
  return out;
}

/** Little-endian bytes of instruction words. */
export function words(ws: number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return b;
}
