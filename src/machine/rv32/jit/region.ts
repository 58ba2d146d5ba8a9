/*
 * Block discovery: which guest instructions one translated block covers.
 *
 * A block is a *region* of one physical page: the straight run of instruction words
 * from its entry, scanned forward until an instruction the translator leaves to the
 * interpreter (system, CSR and atomic instructions, illegal words, misaligned branch
 * targets), the end of the page, or MAX_REGION words. Regions may overlap (a later
 * entry inside an earlier region starts a region of its own): measured, one long
 * function beats chaining to the block that already covers the rest. Unconditional jumps (JAL, JALR)
 * end the scan too, unless an earlier branch in the region jumps forward past them: then
 * the code after the jump is still reachable and the scan goes on (if/else shapes).
 *
 * Every branch or JAL whose target lies inside the region becomes a label: the
 * generated function jumps there itself, so loops (backward branches to a label) stay
 * inside the generated code. Everything else leaves the block with the next pc set.
 *
 * `len`, the number of words in the region, bounds the instructions retired on any
 * path through the block that takes no backward branch; the generated code checks the
 * budget only on backward branches (see codegen.ts), which keeps budgets exact.
 */

import { Op } from '../decode.js';
import type { CodeCache } from '../code-cache.js';

/** The longest region, in instruction words. */
export const MAX_REGION = 64;

export interface Region {
  /** First word index (in the page) and one past the last. */
  first: number;
  end: number;
  /** Word indexes inside [first, end) that some branch or jump of the region targets. */
  labels: Set<number>;
}

/**
 * The guest registers `regions` of decoded `page` read or write (`used`, ascending) and
 * those they write (`written`), x0 excluded: what generated code keeps in locals.
 */
export function registersOf(page: Int32Array, regions: Region[]): { used: number[]; written: number[] } {
  const used = new Set<number>(), written = new Set<number>();
  for (const rg of regions) {
    for (let w = rg.first; w < rg.end; w++) {
      const r = page[w << 2]!;
      const op = r & 0xff, rd = (r >>> 8) & 63, rs1 = (r >>> 16) & 63, rs2 = r >>> 24;
      if (readsRs1(op) && rs1 !== 0) used.add(rs1);
      if (readsRs2(op) && rs2 !== 0) used.add(rs2);
      if (writesRd(op) && rd !== 32 && rd !== 0) { used.add(rd); written.add(rd); }
    }
  }
  const ascending = (s: Set<number>): number[] => [...s].sort((p, q) => p - q);
  return { used: ascending(used), written: ascending(written) };
}

/** True for operations the translator emits inline. */
export function translatable(op: number): boolean {
  return (op >= Op.LUI && op <= Op.BGEU) || (op >= Op.LB && op <= Op.REMU) || op === Op.FENCE || op === Op.FENCE_I;
}

/**
 * Scans the region that starts at word `first` of the decoded RAM page `index`, decoding
 * words that were never executed. Returns null when the first instruction is not
 * translatable.
 */
export function findRegion(code: CodeCache, page: Int32Array, index: number, first: number): Region | null {
  const limit = Math.min(1024, first + MAX_REGION);
  let w = first;
  let forward = -1; // furthest forward target seen so far (word index)
  const targets: number[] = [];
  while (w < limit) {
    const di = w << 2;
    if ((page[di]! & 0xff) === Op.UNDECODED) code.decode(page, di, index * 4096 + w * 4);
    const op = page[di]! & 0xff;
    if (!translatable(op)) break;
    let stop = false;
    if ((op >= Op.BEQ && op <= Op.BGEU) || op === Op.JAL) {
      const t = w + (page[di + 1]! >> 2);
      if (t >= 0 && t < 1024) {
        targets.push(t);
        if (t > forward) forward = t;
      }
      if (op === Op.JAL) stop = true;
    } else if (op === Op.JALR) {
      stop = true;
    }
    w++;
    if (stop && forward < w) break;
  }
  if (w === first) return null;
  const labels = new Set<number>([first]);
  for (const t of targets) if (t >= first && t < w) labels.add(t);
  return { first, end: w, labels };
}

function readsRs1(op: number): boolean {
  return !(op === Op.LUI || op === Op.AUIPC || op === Op.JAL || op === Op.FENCE || op === Op.FENCE_I);
}

function readsRs2(op: number): boolean {
  return (op >= Op.BEQ && op <= Op.BGEU) || (op >= Op.SB && op <= Op.SW) || (op >= Op.ADD && op <= Op.REMU);
}

function writesRd(op: number): boolean {
  return !((op >= Op.BEQ && op <= Op.BGEU) || (op >= Op.SB && op <= Op.SW) || op === Op.FENCE || op === Op.FENCE_I);
}
