/*
 * Code generation: one region of guest code (region.ts) → the source of a JavaScript
 * function, compiled with `new Function`.
 *
 * // HOT PATH (generated): the emitted code is what runs guest instructions.
 *
 * Shape of a generated block, called as fn(h, x, rT, rX, wT, wX, xT, xX, budget, done, depth)
 * with the hart, its registers, the data TLB (read and write tags/XORs) and fetch TLB of
 * the current privilege, the instructions it may retire, those already retired in this
 * chain of calls, and the chain's depth:
 *
 *   const S = [null, …];               (factory scope) a successor slot per chaining exit
 *   let r5 = x[5], r10 = x[10], …;     guest registers the region uses, in locals
 *   let lv5 = -1, lx5 = 0, …;          page memos: the TLB entry a base register last hit
 *   let n = 0, e = -1, L = <first>;    n: instructions retired so far; e: the exit taken
 *   const lim = budget - LEN;          a backward branch may continue only while n <= lim
 *   out: for (;;) switch (L) {         (no switch when the region has a single label)
 *     case <first>: …                  one case per label: a branch target in the region
 *     case <label>: …
 *   }
 *   x[5] = r5; …                       every register the region writes, written back
 *   if (e >= 0 && …) return n + S[e].fn(…, budget - n, done + n, depth + 1);
 *   return n;
 *
 * Every way out sets h.pc to the next guest pc, adds the instructions retired since the
 * last label to n and breaks `out`. Counting is per straight segment, not per
 * instruction: a segment from label s to instruction i has retired (i - s) instructions
 * before i; a slow path stores done + that in h.inflight so that reads of time inside it
 * (the CLINT's mtime) are exact. A way out to a constant pc (a branch or jump leaving the
 * region, the fall-through at its end) may chain: it records its exit number in e, its
 * slot S[e] remembers the block found at that pc, and the epilogue calls it directly
 * when it is still valid, fits the budget, the depth is below MAX_CHAIN_DEPTH, and the
 * fetch TLB still maps its page as it did. An empty or stale slot is left for the engine
 * to fill (TR.pending*) when it looks that pc up, so no lookup code is compiled into (or
 * inlined by V8 into) every block. That
 * call site sees a few targets, which V8 calls far more cheaply than the engine's
 * megamorphic call; and one shared epilogue instead of chaining code at every exit
 * measured 20% less TurboFan compile time.
 *
 * Page memos are copies of TLB entries in locals, one per base register (loads) and one
 * per base register (stores, only for pages that hold no decoded code): a memo hit is
 * exactly a TLB hit without the typed-array loads. Every slow path leaves the block after
 * its access, because the TLB fill it may do can evict the entry a memo copies; nothing
 * else changes the TLB while a block runs (flushes are context changes, which end
 * execute()).
 *
 * Exactness rules the emitted code follows, all taken from Hart.execute:
 *  - loads and stores take the TLB fast path only for aligned RAM accesses with a
 *    matching tag; anything else calls h.loadSlow / h.storeSlow, which raise traps as
 *    values (h.trapCause) — the block then leaves with pc at the faulting instruction and
 *    that instruction not retired;
 *  - a store to a device retires, then leaves the block with h.contextChanged set, as the
 *    interpreter returns from execute() after one;
 *  - a store into a page that holds decoded code invalidates those words (CodeCache);
 *    if that dropped any translated block (TR.dropped) this block may be stale, so it
 *    leaves right after the store and the engine looks the next pc up afresh;
 *  - a budget check on each backward branch, and on each chained call, keeps the total
 *    within `budget` exactly.
 */

import { Op } from '../decode.js';
import { registersOf, type Region } from './region.js';

/** A compiled block: returns instructions retired; sets h.pc (and h.trapCause on a trap). */
export type BlockFn = (
  h: unknown, x: Int32Array, rT: Int32Array, rX: Int32Array, wT: Int32Array, wX: Int32Array,
  xT: Int32Array, xX: Int32Array, budget: number, done: number, depth: number,
) => number;

/** How deep translated blocks may call their successors before returning to the engine. */
export const MAX_CHAIN_DEPTH = 16;

/** Names the generated code's factory receives, in this order (see Translator.translate). */
export const FACTORY_PARAMS = ['TR', 'i8', 'u8', 'i16', 'u16', 'i32', 'cp', 'code', 'mulh', 'mulhsu', 'mulhu'] as const;

const hex = (v: number): string => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

/**
 * Emits the body of a factory that returns the block function for `region` of decoded
 * `page`, whose first word runs at virtual address `vbase` (the page's virtual base).
 */
export function generateBlock(page: Int32Array, region: Region, vbase: number): string {
  const { first, end, labels } = region;
  const LEN = end - first;
  const { used: regs, written } = registersOf(page, [region]);
  // Page memos ("L0 TLB"), one per base register of the region's loads and of its
  // stores: the vpn and XOR of the last page that base register reached through a TLB
  // hit (stores: only pages without decoded code). A memo hit is the TLB entry itself,
  // copied into locals; every slow path resets them all, since a TLB fill there may
  // evict the entry the memo copies.
  const loadBases = new Set<number>(), storeBases = new Set<number>();
  for (let w = first; w < end; w++) {
    const op = page[w << 2]! & 0xff;
    if (op >= Op.LB && op <= Op.LHU) loadBases.add((page[w << 2]! >>> 16) & 63);
    else if (op >= Op.SB && op <= Op.SW) storeBases.add((page[w << 2]! >>> 16) & 63);
  }
  const memos = [...[...loadBases].map((r) => `lv${r}`), ...[...storeBases].map((r) => `sv${r}`)];
  const R = (i: number): string => (i === 0 ? '0' : `r${i}`);
  const out: string[] = [];
  const pcOf = (w: number): string => hex((vbase + w * 4) | 0);
  const multi = labels.size > 1;

  let s = first; // start of the current straight segment
  let live = true;
  /** Leaves the block at word `w` (pc of instruction `at`, `retire` = 1 if it retired). */
  const exit = (pc: string, at: number, retire: number): string =>
    `{ h.pc = ${pc}; n += ${at - s + retire}; break out; }`;
  /** Leaves the block for the constant pc `target` through chaining exit number e (see above). */
  let slots = 0;
  const chainExit = (target: number, at: number, retire: number): string =>
    `{ h.pc = ${hex(target)}; n += ${at - s + retire}; e = ${slots++}; break out; }`;

  for (let w = first; w < end; w++) {
    if (labels.has(w)) {
      if (w !== first) {
        if (live && w > s) out.push(`  n += ${w - s};`);
        if (multi) out.push(` case ${w}:`);
      } else if (multi) out.push(` case ${w}:`);
      s = w;
      live = true;
    }
    if (!live) continue;
    const di = w << 2;
    const r = page[di]!;
    const op = r & 0xff, rdi = (r >>> 8) & 63, a = R((r >>> 16) & 63), b = R(r >>> 24);
    const imm = page[di + 1]!;
    const pc = (vbase + w * 4) | 0;
    const d = rdi === 32 ? null : R(rdi);
    const set = (expr: string): void => { if (d !== null) out.push(`  ${d} = ${expr};`); };
    /** Control transfer to word t of this page (or pc `target` outside the region). */
    const jump = (target: number): string => {
      const t = w + ((target - pc) >> 2);
      const inside = (target & -4096) === (vbase | 0) && labels.has(t) && t >= first && t < end;
      if (!inside) return chainExit(target, w, 1);
      const count = `n += ${w - s + 1};`;
      const go = multi ? `L = ${t}; continue;` : 'continue;';
      if (t <= w) return `{ ${count} if (n > lim) { h.pc = ${hex(target)}; break out; } ${go} }`;
      return `{ ${count} ${go} }`;
    };
    const slowAt = `h.inflight = done + n + ${w - s};`;
    switch (op) {
      case Op.LUI: set(hex(imm)); break;
      case Op.AUIPC: set(hex((pc + imm) | 0)); break;
      case Op.ADDI: set(imm === 0 ? a : `(${a} + ${imm}) | 0`); break;
      case Op.SLTI: set(`${a} < ${imm} ? 1 : 0`); break;
      case Op.SLTIU: set(`(${a} >>> 0) < ${imm >>> 0} ? 1 : 0`); break;
      case Op.XORI: set(`${a} ^ ${imm}`); break;
      case Op.ORI: set(`${a} | ${imm}`); break;
      case Op.ANDI: set(`${a} & ${imm}`); break;
      case Op.SLLI: set(`${a} << ${imm}`); break;
      case Op.SRLI: set(`(${a} >>> ${imm}) | 0`); break;
      case Op.SRAI: set(`${a} >> ${imm}`); break;
      case Op.ADD: set(`(${a} + ${b}) | 0`); break;
      case Op.SUB: set(`(${a} - ${b}) | 0`); break;
      case Op.SLL: set(`${a} << (${b} & 31)`); break;
      case Op.SLT: set(`${a} < ${b} ? 1 : 0`); break;
      case Op.SLTU: set(`(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`); break;
      case Op.XOR: set(`${a} ^ ${b}`); break;
      case Op.SRL: set(`(${a} >>> (${b} & 31)) | 0`); break;
      case Op.SRA: set(`${a} >> (${b} & 31)`); break;
      case Op.OR: set(`${a} | ${b}`); break;
      case Op.AND: set(`${a} & ${b}`); break;
      case Op.MUL: set(`Math.imul(${a}, ${b})`); break;
      case Op.MULH: set(`mulh(${a}, ${b})`); break;
      case Op.MULHSU: set(`mulhsu(${a}, ${b})`); break;
      case Op.MULHU: set(`mulhu(${a}, ${b})`); break;
      case Op.DIV:
        if (d !== null) out.push(`  { const p = ${a}, q = ${b}; ${d} = q === 0 ? -1 : p === -0x80000000 && q === -1 ? p : (p / q) | 0; }`);
        break;
      case Op.DIVU:
        if (d !== null) out.push(`  { const p = ${a} >>> 0, q = ${b} >>> 0; ${d} = q === 0 ? -1 : (p / q) | 0; }`);
        break;
      case Op.REM:
        if (d !== null) out.push(`  { const p = ${a}, q = ${b}; ${d} = q === 0 ? p : q === -1 ? 0 : (p % q) | 0; }`);
        break;
      case Op.REMU:
        if (d !== null) out.push(`  { const p = ${a} >>> 0, q = ${b} >>> 0; ${d} = q === 0 ? ${a} : (p % q) | 0; }`);
        break;
      case Op.FENCE:
      case Op.FENCE_I:
        // Memory is sequentially consistent, and translated code is invalidated by the
        // stores themselves (exactly, per word), so neither fence has work left.
        break;

      case Op.LB: case Op.LBU: case Op.LH: case Op.LHU: case Op.LW: {
        const size = op === Op.LW ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
        const align = size === 1 ? '' : ` && (va & ${size - 1}) === 0`;
        const base = (r >>> 16) & 63;
        const lv = `lv${base}`, lx = `lx${base}`;
        const at = (xor: string): string => op === Op.LW ? `i32[(va ^ ${xor}) >>> 2]` : op === Op.LH ? `i16[(va ^ ${xor}) >>> 1]`
          : op === Op.LHU ? `u16[(va ^ ${xor}) >>> 1]` : op === Op.LB ? `i8[(va ^ ${xor}) >>> 0]` : `u8[(va ^ ${xor}) >>> 0]`;
        const conv = op === Op.LW ? 'v' : op === Op.LH ? '(v << 16) >> 16' : op === Op.LHU ? 'v & 0xffff'
          : op === Op.LB ? '(v << 24) >> 24' : 'v & 0xff';
        // The slow path leaves the block after the access (or its trap): its TLB fill may
        // have evicted an entry a page memo copies, and memos die with the call.
        const slow = `{ ${slowAt} const v = h.loadSlow(va, ${size}); h.inflight = 0; ` +
          `if (h.trapCause >= 0) ${exit(hex(pc), w, 0)} ${d !== null ? `${d} = ${conv};` : ''} ${exit(hex((pc + 4) | 0), w, 1)} }`;
        const va = imm === 0 ? a : `(${a} + ${imm}) | 0`;
        const use = d !== null ? `${d} = ${at(lx)};` : '';
        // One access site: a memo miss refills the memo from the TLB or leaves by the slow path.
        const misaligned = size === 1 ? '' : ` || (va & ${size - 1}) !== 0`;
        out.push(`  { const va = ${va}, vpn = va >>> 12; if (vpn !== ${lv}${misaligned}) {` +
          ` const ti = vpn & 255; if (rT[ti] === vpn${align}) { ${lv} = vpn; ${lx} = rX[ti]; } else ${slow} } ${use} }`);
        break;
      }
      case Op.SB: case Op.SH: case Op.SW: {
        const size = op === Op.SW ? 4 : op === Op.SH ? 2 : 1;
        const align = size === 1 ? '' : ` && (va & ${size - 1}) === 0`;
        const put = op === Op.SW ? `i32[ha >>> 2] = ${b}` : op === Op.SH ? `u16[ha >>> 1] = ${b}` : `u8[ha] = ${b}`;
        const base = (r >>> 16) & 63;
        const sv = `sv${base}`, sx = `sx${base}`;
        const next = hex((pc + 4) | 0);
        const stale = `if (TR.dropped) { TR.dropped = false; ${exit(next, w, 1)} }`;
        const va = imm === 0 ? a : `(${a} + ${imm}) | 0`;
        out.push(`  { const va = ${va}, vpn = va >>> 12; if (vpn === ${sv}${align}) { const ha = (va ^ ${sx}) >>> 0; ${put}; }` +
          ` else { const ti = vpn & 255;` +
          ` if (wT[ti] === vpn${align}) { const ha = (va ^ wX[ti]) >>> 0; ${put};` +
          ` if (cp[ha >>> 12] !== 0) { code.invalidate(ha, ${size}); ${stale} } else { ${sv} = vpn; ${sx} = wX[ti]; } }` +
          ` else { ${slowAt} const st = h.storeSlow(va, ${size}, ${b}); h.inflight = 0;` +
          ` if (st < 0) ${exit(hex(pc), w, 0)} if (st > 0) h.contextChanged = true; TR.dropped = false; ${exit(next, w, 1)} } } }`);
        break;
      }

      case Op.JAL: {
        set(hex((pc + 4) | 0));
        out.push(`  ${jump((pc + imm) | 0)}`);
        live = false;
        break;
      }
      case Op.JALR: {
        out.push(`  { const t = (${a} + ${imm}) & -2; if ((t & 2) !== 0) { h.raise(0, t); ${exit(hex(pc), w, 0)} }` +
          `${d !== null ? ` ${d} = ${hex((pc + 4) | 0)};` : ''} h.pc = t; n += ${w - s + 1}; break out; }`);
        live = false;
        break;
      }
      case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU: {
        const cond = op === Op.BEQ ? `${a} === ${b}` : op === Op.BNE ? `${a} !== ${b}` : op === Op.BLT ? `${a} < ${b}`
          : op === Op.BGE ? `${a} >= ${b}` : op === Op.BLTU ? `(${a} >>> 0) < (${b} >>> 0)` : `(${a} >>> 0) >= (${b} >>> 0)`;
        out.push(`  if (${cond}) ${jump((pc + imm) | 0)}`);
        break;
      }
      default:
        throw new Error(`jit: op ${op} at 0x${(pc >>> 0).toString(16)} is not translatable`);
    }
  }
  if (live) out.push(`  ${chainExit((vbase + end * 4) | 0, end, 0)}`);

  const head = [
    slots > 0 ? `const S = [${new Array(slots).fill('null').join(', ')}];` : '',
    `return function block_${((vbase + first * 4) >>> 0).toString(16)}(h, x, rT, rX, wT, wX, xT, xX, budget, done, depth) {`,
    regs.length > 0 ? `  let ${regs.map((i) => `r${i} = x[${i}]`).join(', ')};` : '',
    memos.length > 0 ? `  let ${memos.map((m) => `${m} = -1, ${m.replace('v', 'x')} = 0`).join(', ')};` : '',
    `  let n = 0, e = -1${multi ? `, L = ${first}` : ''};`,
    `  const lim = budget - ${LEN};`,
    multi ? '  out: for (;;) switch (L) {' : '  out: for (;;) {',
  ];
  const tail = [
    '  }',
    ...written.map((i) => `  x[${i}] = r${i};`),
    ...(slots > 0 ? [
      `  if (e >= 0 && depth < ${MAX_CHAIN_DEPTH}) {`,
      '    const t = h.pc;',
      '    const c = S[e];',
      '    if (c !== null && c.valid && c.pc === t) {',
      '      const tv = t >>> 12, ti = tv & 255;',
      '      if (n + c.len <= budget && xT[ti] === tv && xX[ti] === c.fx) return n + c.fn(h, x, rT, rX, wT, wX, xT, xX, budget - n, done + n, depth + 1);',
      '    } else { TR.pendingSlots = S; TR.pendingExit = e; TR.pendingPc = t; }',
      '  }',
    ] : []),
    '  return n;',
    '};',
  ];
  return [...head, ...out, ...tail].join('\n');
}
