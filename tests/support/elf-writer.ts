/* Builds minimal ELF32 executables for tests (programs from tests/support/asm.ts). */

export interface RawSegment { paddr: number; bytes: Uint8Array; memSize?: number }

export function makeElf(entry: number, segments: RawSegment[], opts: { machine?: number; cls?: number } = {}): Uint8Array {
  const ehsize = 52, phentsize = 32;
  let offset = ehsize + phentsize * segments.length;
  const layout = segments.map((s) => { const o = offset; offset += s.bytes.length; return o; });
  const out = new Uint8Array(offset);
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
  return out;
}

/** Little-endian bytes of instruction words. */
export function words(ws: number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return b;
}
