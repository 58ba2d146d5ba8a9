/*
 * Code generation, WebAssembly: the regions of a page translated together (../region.ts)
 * → one function; backend.ts compiles it in a module of its own (encoder.ts) and enters
 * it in the block table.
 *
 * // HOT PATH (generated): the emitted code is what runs guest instructions.
 *
 * The function is block(pc, budget, done, xb, dt, ft, map) → done': the pc it is entered
 * at, the instructions this execute() may retire and has retired so far, and the byte
 * offsets (in the machine memory, ../../memory.ts) of the hart's registers, of the data
 * and fetch TLBs of the current privilege, and of the slot map of the RAM page it runs
 * from (0: none). Nothing in it depends on which physical page that is, so one compiled
 * function serves every page with the same code at the same virtual address (the same
 * kernel in many domains, backend.ts). Its shape:
 *
 *   if pc is not on this function's virtual page: exit pc = pc; return done   (an alias)
 *   r5 = x[5]; …                          every guest register the regions use, in locals
 *   t = pc
 *   block $out  block $slow
 *     loop $dispatch                      (several regions) a way out to the first
 *       br_table (t - base) / 4 → $R(j)   instruction of one of them comes back here,
 *       miss: chain out (ch = 1)          with the registers still in locals
 *       region j:
 *         if done + LEN > budget: leave for the engine
 *         loop / block $B(i) … br_table L (as needed: backward branches, their targets)
 *           straight code; forward branches leave their $B directly
 *     end
 *   end  ($slow: set the hart's SLOW word)  end
 *   x[5] = r5; …                          every register the regions write
 *   if (ch) find t's slot: this page's map (V), or the fetch TLB → the page directory →
 *           that page's map; a slot → return_call_indirect (t, …, that map)
 *   exit pc = t; return done + n
 *
 * The accounting is the JavaScript translator's (../codegen.ts): n counts instructions
 * per straight segment, a backward branch continues only while n <= lim, and every way
 * out sets t (the next pc) and adds what retired since the last label; going round the
 * dispatch moves n into done. Chaining out is a tail call through the shared table,
 * found through the current fetch TLB at run time, so a chain never grows the stack and
 * needs no depth limit; the callee's prologue rejects an alias translated for another
 * virtual page, and each region's entry a budget too small for it (the engine then
 * interprets, engine.ts).
 *
 * Loads and stores: the TLB entry read from memory (tag, XOR), RAM addressed directly
 * (`i32.load offset=ramOffset`). A block never calls out: an access it cannot do itself
 * — a TLB miss, a device, a misaligned address, a store to a word that holds decoded
 * code (Ram.codeWords) — leaves the block at that instruction, unretired, with the
 * hart's SLOW word set, and the engine has the interpreter run that one instruction. So
 * the fast paths never share a function with a call, which would make V8 spill.
 */

import { Op } from '../../decode.js';
import { registersOf, type Region } from '../region.js';
import { Code, I32, Sig, W, type FunctionCode } from './encoder.js';

/** Byte offsets in a hart's register block (Hart.stateOffset): the exit pc, the SLOW word. */
export const PC_SLOT = 40 * 4;
export const SLOW_SLOT = 41 * 4;

/** Byte offsets of a Tlb's arrays from its base (mmu.ts, Tlb constructor). */
const R_TAG = 0, R_XOR = 1024, W_TAG = 2048, W_XOR = 3072, X_TAG = 4096, X_XOR = 5120;

/** Where the machine memory holds what generated code reads. */
export interface WasmLayout {
  /** RAM byte 0. */
  ramOffset: number;
  /** Ram.codePages: one byte per RAM page, nonzero when it holds decoded code. */
  codePages: number;
  /** Ram.codeWords: one bit per RAM word, set while it is decoded. */
  codeWords: number;
  /** The translator's page directory: per RAM page, the byte offset of its slot map (0: none). */
  pageDir: number;
}

// Locals: the seven parameters, then scratch, then one per guest register used.
const PC = 0, BUDGET = 1, DONE = 2, XB = 3, DT = 4, FT = 5, MAP = 6;
const N = 7, LIM = 8, L = 9, CH = 10, T = 11, VA = 12, VPN = 13, TI = 14, V = 15, HA = 16, M = 17;
const FIRST_REG = 18;
const PARAMS = 7;

/**
 * One function for the blocks of `regions` (one page's, decoded `page`, word 0 at
 * virtual `vbase`), entered at any region's first instruction. With several regions,
 * control passes between them inside the function: a way out to the first instruction
 * of another of its regions — a branch, a jump, or a return (jalr) that lands there —
 * goes round the dispatch loop (t → region by br_table) with the guest registers still
 * in locals, instead of a tail call. Other blocks of the page are found through its
 * slot map (the `map` parameter) without a TLB lookup.
 */
export function generateWasmGroup(page: Int32Array, regions: Region[], vbase: number, lay: WasmLayout): FunctionCode {
  const grouped = regions.length > 1;
  const { used: regs, written } = registersOf(page, regions);
  const local = new Map<number, number>(regs.map((r, i) => [r, FIRST_REG + i]));
  // (Page memos — a TLB entry per base register copied into locals — were measured 7%
  // slower overall: more code for V8 to optimize and more register pressure.)
  const c = new Code();

  // Structured control: the open constructs, innermost last, to compute branch depths.
  const open: string[] = [];
  const push = (name: string): void => { open.push(name); };
  const pop = (): void => { open.pop(); c.end(); };
  const depthOf = (name: string): number => open.length - 1 - open.lastIndexOf(name);
  const read = (i: number): void => { if (i === 0) c.i32(0); else c.get(local.get(i)!); };
  const addN = (k: number): void => { if (k !== 0) c.get(N).i32(k).op(W.i32_add).set(N); };
  const startOf = new Map<number, number>(regions.map((r, j) => [r.first, j]));

  /**
   * Leaves at `pc`, unretired, for the interpreter to run that one instruction
   * (engine.ts): through $slow, which sets the hart's SLOW word.
   */
  const exitSlow = (pc: number, k: number): void => {
    c.i32(pc).set(T);
    addN(k);
    c.br(depthOf('slow'));
  };
  /** Goes round the dispatch loop to t (in T): what retired so far moves from n to done. */
  const toDispatch = (): void => {
    c.get(DONE).get(N).op(W.i32_add).set(DONE).i32(0).set(N).br(depthOf('dispatch'));
  };
  /**
   * Leaves to constant pc `target`, `k` more instructions retired; `chain`: may continue
   * there — inside this function when it starts one of its regions, else through its
   * entry in this page's slot map when it is on this page (V), else looked up (V = 0).
   */
  const exitTo = (target: number, k: number, chain: 0 | 1): void => {
    c.i32(target).set(T);
    addN(k);
    const samePage = (target & -4096) === (vbase | 0);
    if (chain && grouped && samePage && startOf.has((target & 0xfff) >>> 2)) { toDispatch(); return; }
    if (chain && samePage) c.get(MAP).i32(target & 0xffc).op(W.i32_add).i32(0).get(MAP).op(W.select).set(V);
    else if (chain) c.i32(0).set(V);
    c.i32(chain).set(CH).br(depthOf('out'));
  };

  // Prologue: a pc on this function's virtual page (else an alias: back to the engine).
  // Only the starts of its regions lead here, through the slot maps and the engine.
  c.get(PC).i32(vbase | 0).op(W.i32_sub).i32(12).op(W.i32_shr_u);
  c.if_().get(XB).get(PC).mem(W.i32_store, PC_SLOT).get(DONE).op(W.return_).end();
  for (const r of regs) c.get(XB).mem(W.i32_load, r * 4).set(local.get(r)!);
  c.get(PC).set(T);

  c.op(W.block).byte(0x40); push('out');
  c.op(W.block).byte(0x40); push('slow');
  if (grouped) {
    // The dispatch: T → the region starting there, or out of the function (chaining).
    const lo = Math.min(...startOf.keys()), hi = Math.max(...startOf.keys());
    c.op(W.loop).byte(0x40); push('dispatch');
    for (let j = regions.length - 1; j >= 0; j--) { c.op(W.block).byte(0x40); push(`R${j}`); }
    c.op(W.block).byte(0x40); push('miss');
    c.get(T).i32((vbase + lo * 4) | 0).op(W.i32_sub).i32(2).op(W.i32_shr_u);
    c.op(W.br_table).uleb(hi - lo + 1);
    for (let w = lo; w <= hi; w++) c.uleb(startOf.has(w) ? depthOf(`R${startOf.get(w)!}`) : depthOf('miss'));
    c.uleb(depthOf('miss'));
    pop(); // miss: not a block of this function
    c.get(MAP).get(T).i32(0xffc).op(W.i32_and).op(W.i32_add).i32(0)
      .get(T).i32(-4096).op(W.i32_and).i32(vbase | 0).op(W.i32_eq).get(MAP).i32(0).op(W.i32_ne).op(W.i32_and)
      .op(W.select).set(V);
    c.i32(1).set(CH).br(depthOf('out'));
  }

  regions.forEach((region, j) => {
    if (grouped) pop(); // R(j): region j follows
    const { first, end, labels } = region;
    const LEN = end - first;
    const sorted = [...labels].sort((p, q) => p - q);
    const labelIndex = new Map<number, number>(sorted.map((w, i) => [w, i]));
    const m = sorted.length;
    const B = (i: number): string => `B${j}.${i}`;
    const loopName = `loop${j}`;

    // Region entry: room for it in the budget; its loops may run while n <= lim.
    c.get(DONE).i32(LEN).op(W.i32_add).get(BUDGET).op(W.i32_gt_s).if_(); push('if');
    exitTo((vbase + first * 4) | 0, 0, 0);
    pop();
    c.get(BUDGET).get(DONE).op(W.i32_sub).i32(LEN).op(W.i32_sub).set(LIM);

    // Backward branches need a loop (V8 puts an interrupt check at every loop head), and
    // a dispatch on L only when they go elsewhere than the region's first instruction.
    const backward = backwardTargets(page, region, vbase);
    const looped = backward.size > 0;
    const dispatch = [...backward].some((t) => t !== first);
    if (dispatch) c.i32(0).set(L); // (another region may have left it set)
    if (looped) { c.op(W.loop).byte(0x40); push(loopName); }
    for (let i = m - 1; i >= (dispatch ? 0 : 1); i--) { c.op(W.block).byte(0x40); push(B(i)); }
    if (dispatch) {
      c.get(L).op(W.br_table).uleb(m);
      for (let i = 0; i < m; i++) c.uleb(i);
      c.uleb(0);
      pop(); // B0: case 0 follows
    }

    let s = first; // start of the current straight segment
    let live = true;
    for (let w = first; w < end; w++) {
      if (labels.has(w)) {
        if (w !== first) {
          if (live) addN(w - s);
          pop(); // $B(i): case i follows
        }
        s = w;
        live = true;
      }
      if (!live) continue;
      const di = w << 2;
      const r = page[di]!;
      const op = r & 0xff, rdi = (r >>> 8) & 63, a = (r >>> 16) & 63, b = r >>> 24;
      const imm = page[di + 1]!;
      const pc = (vbase + w * 4) | 0;
      const d = rdi === 32 || rdi === 0 ? -1 : local.get(rdi)!;
      /** Reads rs1 + imm into VA (and leaves it on the stack). */
      const address = (): void => { read(a); if (imm !== 0) c.i32(imm).op(W.i32_add); c.tee(VA); };
      const alu = (emit: () => void): void => { if (d >= 0) { emit(); c.set(d); } };
      const binary = (o: W): void => alu(() => { read(a); read(b); c.op(o); });
      const immediate = (o: W, v: number): void => alu(() => { read(a); c.i32(v).op(o); });
      /** Control transfer to `target`: a label of the region, or out (chaining). */
      const jump = (target: number): void => {
        const t = w + ((target - pc) >> 2);
        const inside = (target & -4096) === (vbase | 0) && labels.has(t) && t >= first && t < end;
        if (!inside) { exitTo(target, w - s + 1, 1); return; }
        addN(w - s + 1);
        if (t > w) { c.br(depthOf(B(labelIndex.get(t)!))); return; }
        c.get(N).get(LIM).op(W.i32_gt_s).if_(); push('if');
        exitTo(target, 0, 0);
        pop();
        if (dispatch) c.i32(labelIndex.get(t)!).set(L);
        c.br(depthOf(loopName));
      };

      switch (op) {
        case Op.LUI: alu(() => c.i32(imm)); break;
        case Op.AUIPC: alu(() => c.i32((pc + imm) | 0)); break;
        case Op.ADDI: alu(() => { read(a); if (imm !== 0) c.i32(imm).op(W.i32_add); }); break;
        case Op.SLTI: immediate(W.i32_lt_s, imm); break;
        case Op.SLTIU: immediate(W.i32_lt_u, imm); break;
        case Op.XORI: immediate(W.i32_xor, imm); break;
        case Op.ORI: immediate(W.i32_or, imm); break;
        case Op.ANDI: immediate(W.i32_and, imm); break;
        case Op.SLLI: immediate(W.i32_shl, imm); break;
        case Op.SRLI: immediate(W.i32_shr_u, imm); break;
        case Op.SRAI: immediate(W.i32_shr_s, imm); break;
        case Op.ADD: binary(W.i32_add); break;
        case Op.SUB: binary(W.i32_sub); break;
        case Op.SLL: binary(W.i32_shl); break; // WebAssembly shifts take the count mod 32, as RISC-V does
        case Op.SLT: binary(W.i32_lt_s); break;
        case Op.SLTU: binary(W.i32_lt_u); break;
        case Op.XOR: binary(W.i32_xor); break;
        case Op.SRL: binary(W.i32_shr_u); break;
        case Op.SRA: binary(W.i32_shr_s); break;
        case Op.OR: binary(W.i32_or); break;
        case Op.AND: binary(W.i32_and); break;
        case Op.MUL: binary(W.i32_mul); break;
        case Op.MULH: case Op.MULHSU: case Op.MULHU:
          alu(() => {
            read(a); c.op(op === Op.MULHU ? W.i64_extend_i32_u : W.i64_extend_i32_s);
            read(b); c.op(op === Op.MULH ? W.i64_extend_i32_s : W.i64_extend_i32_u);
            c.op(W.i64_mul).op(W.i64_const).sleb(32).op(op === Op.MULHU ? W.i64_shr_u : W.i64_shr_s).op(W.i32_wrap_i64);
          });
          break;
        // Division never traps in RISC-V: by zero gives -1 (quotient) or the dividend
        // (remainder); the signed overflow gives the dividend (quotient) or 0 (remainder).
        case Op.DIV: case Op.DIVU:
          alu(() => {
            read(b); c.op(W.i32_eqz).if_(I32).i32(-1).op(W.else_);
            if (op === Op.DIV) {
              read(a); c.i32(-0x80000000).op(W.i32_eq); read(b); c.i32(-1).op(W.i32_eq).op(W.i32_and);
              c.if_(I32); read(a); c.op(W.else_); read(a); read(b); c.op(W.i32_div_s).end();
            } else { read(a); read(b); c.op(W.i32_div_u); }
            c.end();
          });
          break;
        case Op.REM: case Op.REMU:
          alu(() => {
            read(b); c.op(W.i32_eqz).if_(I32); read(a); c.op(W.else_);
            read(a); read(b); c.op(op === Op.REM ? W.i32_rem_s : W.i32_rem_u); // rem_s(MIN, -1) = 0
            c.end();
          });
          break;
        case Op.FENCE: case Op.FENCE_I:
          break; // stores invalidate translated code themselves, per word (see ../block-cache.ts)

        case Op.LB: case Op.LBU: case Op.LH: case Op.LHU: case Op.LW: {
          const size = op === Op.LW ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
          const load = op === Op.LW ? W.i32_load : op === Op.LH ? W.i32_load16_s : op === Op.LHU ? W.i32_load16_u
            : op === Op.LB ? W.i32_load8_s : W.i32_load8_u;
          // The RAM offset from the TLB, then one load.
          tlbHit(c, address, R_TAG, size);
          c.if_(I32); push('if');
          c.get(VA).get(TI).mem(W.i32_load, R_XOR).op(W.i32_xor);
          c.op(W.else_);
          exitSlow(pc, w - s);
          pop();
          c.mem(load, lay.ramOffset);
          if (d >= 0) c.set(d); else c.op(W.drop);
          break;
        }
        case Op.SB: case Op.SH: case Op.SW: {
          const size = op === Op.SW ? 4 : op === Op.SH ? 2 : 1;
          const store = op === Op.SW ? W.i32_store : op === Op.SH ? W.i32_store16 : W.i32_store8;
          const next = (pc + 4) | 0;
          // The RAM offset from the TLB, then one store.
          tlbHit(c, address, W_TAG, size);
          c.if_(I32); push('if');
          c.get(VA).get(TI).mem(W.i32_load, W_XOR).op(W.i32_xor).tee(HA);
          c.i32(12).op(W.i32_shr_u).mem(W.i32_load8_u, lay.codePages).if_(); push('if');
          // A page holding decoded code: a decoded word is the interpreter's to store (it
          // invalidates); other words, data sharing the page, are stored here.
          c.get(HA).i32(5).op(W.i32_shr_u).mem(W.i32_load8_u, lay.codeWords)
            .get(HA).i32(2).op(W.i32_shr_u).i32(7).op(W.i32_and).op(W.i32_shr_u).i32(1).op(W.i32_and).if_(); push('if');
          exitSlow(pc, w - s);
          pop();
          pop();
          c.get(HA);
          c.op(W.else_);
          exitSlow(pc, w - s);
          pop();
          read(b); c.mem(store, lay.ramOffset);
          break;
        }

        case Op.JAL:
          alu(() => c.i32((pc + 4) | 0));
          jump((pc + imm) | 0);
          live = false;
          break;
        case Op.JALR:
          read(a); if (imm !== 0) c.i32(imm).op(W.i32_add);
          c.i32(-2).op(W.i32_and).tee(T).i32(2).op(W.i32_and).if_(); push('if');
          exitSlow(pc, w - s); // the interpreter raises the misaligned-target trap
          pop();
          alu(() => c.i32((pc + 4) | 0));
          addN(w - s + 1);
          if (grouped) toDispatch(); // maybe another block of this function (a return, say)
          else c.i32(0).set(V).i32(1).set(CH).br(depthOf('out'));
          live = false;
          break;
        case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU:
          read(a); read(b);
          c.op(op === Op.BEQ ? W.i32_eq : op === Op.BNE ? W.i32_ne : op === Op.BLT ? W.i32_lt_s
            : op === Op.BGE ? W.i32_ge_s : op === Op.BLTU ? W.i32_lt_u : W.i32_ge_u);
          c.if_(); push('if');
          jump((pc + imm) | 0);
          pop();
          break;
        default:
          throw new Error(`jit: op ${op} at 0x${(pc >>> 0).toString(16)} is not translatable`);
      }
    }
    if (live) exitTo((vbase + end * 4) | 0, end - s, 1);
    if (looped) pop(); // the region's loop
  });
  if (grouped) pop(); // dispatch
  pop(); // slow: the shared way out of exitSlow
  c.get(XB).i32(1).mem(W.i32_store, SLOW_SLOT).i32(0).set(CH);
  pop(); // out

  // Epilogue: registers back, the exit pc, then chain to the block at t if there is one.
  for (const r of written) c.get(XB).get(local.get(r)!).mem(W.i32_store, r * 4);
  c.get(CH).if_();
  // V = 0: not on this page, so the map (M) through the fetch TLB and the page directory.
  c.get(V).op(W.i32_eqz).if_();
  c.get(T).i32(12).op(W.i32_shr_u).tee(VPN).i32(255).op(W.i32_and).i32(2).op(W.i32_shl).get(FT).op(W.i32_add).tee(TI)
    .mem(W.i32_load, X_TAG).get(VPN).op(W.i32_eq).if_();
  c.get(T).get(TI).mem(W.i32_load, X_XOR).op(W.i32_xor).tee(HA)
    .i32(12).op(W.i32_shr_u).i32(2).op(W.i32_shl).mem(W.i32_load, lay.pageDir).tee(M).if_();
  c.get(M).get(HA).i32(0xffc).op(W.i32_and).op(W.i32_add).set(V);
  c.end().end();
  c.op(W.else_).get(MAP).set(M);
  c.end();
  c.get(V).if_();
  c.get(V).mem(W.i32_load, 0).tee(V).if_();
  c.get(T).get(BUDGET).get(DONE).get(N).op(W.i32_add).get(XB).get(DT).get(FT).get(M).get(V);
  c.op(W.return_call_indirect).uleb(Sig.BLOCK).uleb(0);
  c.end().end().end();
  c.get(XB).get(T).mem(W.i32_store, PC_SLOT); // back to the engine: it reads pc from here
  c.get(DONE).get(N).op(W.i32_add).end();
  return { locals: FIRST_REG + regs.length - PARAMS, body: c };
}

/**
 * Leaves on the stack whether the access at rs1 + imm hits the TLB array at `tag`
 * (and is aligned), with VA, VPN and TI (the entry's byte offset) set.
 */
function tlbHit(c: Code, address: () => void, tag: number, size: number): void {
  address();
  c.i32(12).op(W.i32_shr_u).tee(VPN).i32(255).op(W.i32_and).i32(2).op(W.i32_shl).get(DT).op(W.i32_add).tee(TI)
    .mem(W.i32_load, tag).get(VPN).op(W.i32_xor);
  if (size > 1) c.get(VA).i32(size - 1).op(W.i32_and).op(W.i32_or); // (tag ^ vpn) | misalignment
  c.op(W.i32_eqz);
}

/** The labels of `region` that a branch or jump inside it reaches backwards (loops). */
function backwardTargets(page: Int32Array, region: Region, vbase: number): Set<number> {
  const out = new Set<number>();
  for (let w = region.first; w < region.end; w++) {
    const op = page[w << 2]! & 0xff;
    if (!((op >= Op.BEQ && op <= Op.BGEU) || op === Op.JAL)) continue;
    const target = (vbase + w * 4 + page[(w << 2) + 1]!) | 0;
    const t = w + ((target - ((vbase + w * 4) | 0)) >> 2);
    if ((target & -4096) === (vbase | 0) && region.labels.has(t) && t >= region.first && t <= w) out.add(t);
  }
  return out;
}

/** The stub that fills empty table slots: it only returns to the engine. */
export function missStub(): FunctionCode {
  const c = new Code();
  c.get(XB).get(PC).mem(W.i32_store, PC_SLOT).get(DONE).end();
  return { locals: 0, body: c };
}
