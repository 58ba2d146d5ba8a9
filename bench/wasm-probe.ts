/*
 * `node dist/bench/wasm-probe.js`: how fast WebAssembly would run what the translator
 * emits as JavaScript — a probe, not a second engine.
 *
 * The guest loop is six instructions and a jump (lw, addi, sw, lw, add, sw, jal): mostly
 * memory accesses, each a TLB check and a RAM access. It runs
 *   1. on the machine with the block translator (JavaScript, page memos, exact counting);
 *   2. as a hand-encoded WebAssembly function doing the same per-access work — the TLB
 *      tag/XOR arrays and the RAM in one linear memory, registers in wasm locals, no page
 *      memos, no instruction counting.
 * Both report nanoseconds of user CPU time per guest instruction. The WebAssembly figure
 * is a lower bound for a wasm backend (it leaves out the exactness bookkeeping and the
 * slow paths), and says how much of the translator's per-access cost is V8's typed-array
 * checks rather than the work itself.
 */

import { Machine } from '../src/machine/rv32/machine.js';

const ITERATIONS = 40_000_000;
const SRC = 0x80001000, DST = 0x80002000;

// ---- RV32 encodings of the loop (I, S, R and J formats) ----
const I = (imm: number, rs1: number, f3: number, rd: number, op: number): number => (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) | 0;
const S = (imm: number, rs2: number, rs1: number): number => ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (2 << 12) | ((imm & 0x1f) << 7) | 0x23) | 0;
const lui = (rd: number, imm: number): number => ((imm & 0xfffff000) | (rd << 7) | 0x37) | 0;
const jalBack = (words: number): number => {
  const off = -4 * words;
  return ((((off >> 20) & 1) << 31) | (((off >> 1) & 0x3ff) << 21) | (((off >> 11) & 1) << 20) | (((off >> 12) & 0xff) << 12) | 0x6f) | 0;
};

function onTranslator(): number {
  const m = new Machine({ ramSize: 1 << 20, engine: 'jit' });
  const code = [lui(5, SRC), lui(6, DST),
    I(0, 5, 2, 7, 0x03), I(1, 7, 0, 7, 0x13), S(0, 7, 6), I(4, 5, 2, 8, 0x03), ((8 << 20) | (7 << 15) | (9 << 7) | 0x33) | 0, S(4, 9, 6),
    jalBack(6)];
  const bytes = new Uint8Array(new Int32Array(code).buffer);
  m.ram.load(0x80000000, bytes);
  m.bootBare(0x80000000);
  m.runUntil(2_000_000); // warm up: translated and optimized
  const instructions = ITERATIONS * 7;
  const c0 = process.cpuUsage();
  m.runUntil(m.now + instructions);
  return (process.cpuUsage(c0).user * 1000) / instructions;
}

// ---- a minimal WebAssembly encoder for one function ----
const uleb = (v: number): number[] => { const o: number[] = []; do { let b = v & 0x7f; v >>>= 7; if (v !== 0) b |= 0x80; o.push(b); } while (v !== 0); return o; };
const sleb = (v: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { o.push(b); return o; }
    o.push(b | 0x80);
  }
};
const RT = 0x10000, RX = 0x10400, WT = 0x10800, WX = 0x10c00; // TLB arrays after 64 KiB of RAM
const get = (i: number): number[] => [0x20, i], set = (i: number): number[] => [0x21, i], tee = (i: number): number[] => [0x22, i];
const k = (v: number): number[] => [0x41, ...sleb(v)];
const load = (off: number): number[] => [0x28, 0x02, ...uleb(off)], store = (off: number): number[] => [0x36, 0x02, ...uleb(off)];
const ADD = 0x6a, AND = 0x71, XOR = 0x73, SHRU = 0x76, SHL = 0x74, NE = 0x47, OR = 0x72, SUB = 0x6b;
// locals: 0 iterations, 1 x5, 2 x6 (parameters); 3 x7, 4 x8, 5 x9, 6 va, 7 vpn, 8 ti
/** Pushes the RAM address of base+imm after the TLB check (a miss traps: the slow path). */
const access = (base: number, imm: number, tag: number, xor: number): number[] => [
  ...get(base), ...k(imm), ADD, ...tee(6), ...k(12), SHRU, ...tee(7), ...k(255), AND, ...set(8),
  ...get(8), ...k(2), SHL, ...load(tag), ...get(7), NE, ...get(6), ...k(3), AND, OR,
  0x04, 0x40, 0x00, 0x0b,
  ...get(6), ...get(8), ...k(2), SHL, ...load(xor), XOR,
];

function onWasm(): number {
  const body = [
    0x03, 0x40,
    ...access(1, 0, RT, RX), ...load(0), ...set(3),
    ...get(3), ...k(1), ADD, ...set(3),
    ...access(2, 0, WT, WX), ...get(3), ...store(0),
    ...access(1, 4, RT, RX), ...load(0), ...set(4),
    ...get(4), ...get(3), ADD, ...set(5),
    ...access(2, 4, WT, WX), ...get(5), ...store(0),
    ...get(0), ...k(1), SUB, ...tee(0), 0x0d, 0x00,
    0x0b,
    ...get(3), 0x0b,
  ];
  const fn = [0x01, 6, 0x7f, ...body];
  const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
  const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s)];
  const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x02]),
    ...section(7, [0x02, ...name('run'), 0x00, 0x00, ...name('mem'), 0x02, 0x00]),
    ...section(10, [0x01, ...uleb(fn.length), ...fn]),
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const exports = instance.exports as { run: (n: number, x5: number, x6: number) => number; mem: WebAssembly.Memory };
  const words = new Int32Array(exports.mem.buffer);
  // RAM offset = va ^ ((va & ~0xfff) ^ page offset): 0x80001000 → 0x1000, 0x80002000 → 0x2000.
  words[(RT >> 2) + 1] = SRC >>> 12; words[(RX >> 2) + 1] = 0x80000000 | 0;
  words[(WT >> 2) + 2] = DST >>> 12; words[(WX >> 2) + 2] = 0x80000000 | 0;
  exports.run(100_000, SRC | 0, DST | 0); // warm up: tiered up to TurboFan
  const c0 = process.cpuUsage();
  exports.run(ITERATIONS, SRC | 0, DST | 0);
  return (process.cpuUsage(c0).user * 1000) / (ITERATIONS * 7);
}

const js = onTranslator();
const wasm = onWasm();
console.log(`guest loop lw/addi/sw/lw/add/sw/jal, ${ITERATIONS * 7} instructions, user CPU time per guest instruction:`);
console.log(`  translator (JavaScript, page memos, exact counting): ${js.toFixed(2)} ns (${(1000 / js).toFixed(0)} MIPS)`);
console.log(`  hand-written WebAssembly (TLB checks, no memos):     ${wasm.toFixed(2)} ns (${(1000 / wasm).toFixed(0)} MIPS)`);
