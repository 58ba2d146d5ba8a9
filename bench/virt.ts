/*
 * `npm run bench:virt`: the cost of paravirtualization, native vs PV, on the same kernel.
 *
 * The Mini-OS-style kernel (guests/minios) runs its lmbench-like microbenchmarks and the
 * CPU workload (as a user process) twice in this process:
 *   native  guests/images/minios-native-bench.elf under tsxen's SBI firmware (S-mode,
 *           its own page tables and satp, SBI timer), the baseline;
 *   PV      guests/images/minios-pv.elf as a domain on the hypervisor, command line
 *           "bench cpu", with Domain 0 and the scheduler in place.
 * Each benchmark prints `BENCH <name> <iterations> <cycles>`, cycles being virtual time,
 * which includes every cost the hypervisor charges (src/xen/costs.ts) — so the ratios are
 * exactly reproducible. Wall-clock seconds of each whole run are reported beside them.
 *
 * Output: a table on stdout and bench/results/virt.json.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeSession } from '../src/native/native-run.js';
import { XenHost } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { XEN_COST } from '../src/hv/costs.js';
import { COST } from '../src/machine/rv32/costs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NATIVE = path.join(ROOT, 'guests/images/minios-native-bench.elf');
const PV = path.join(ROOT, 'guests/images/minios-pv.elf');

interface Bench { iterations: number; cycles: number }
type Results = Map<string, Bench>;

function parseBench(text: string): Results {
  const out: Results = new Map();
  for (const m of text.matchAll(/^BENCH (\S+) (\d+) (\d+)/gm)) {
    out.set(m[1]!, { iterations: Number(m[2]), cycles: Number(m[3]) });
  }
  if (!/minios: done \d+ passed 0 failed/.test(text)) throw new Error(`the kernel reported failures:\n${text}`);
  return out;
}

function runNative(): { results: Results; wallMs: number } {
  const bytes: number[] = [];
  const t0 = performance.now();
  const r = new NativeSession(readFileSync(NATIVE), NATIVE, { bios: 'sbi', ramSize: 64 << 20, consoleOut: (b) => bytes.push(b) })
    .runToCompletion();
  const wallMs = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`native run exited with ${r.exitCode}`);
  return { results: parseBench(Buffer.from(bytes).toString('latin1')), wallMs };
}

function runPv(): { results: Results; wallMs: number } {
  const host = new XenHost({ memMiB: 64 });
  const cfg = parseConfig(`name="bench"\nkernel="${PV}"\nmemory=16\nextra="bench cpu"\n`, 'bench.cfg');
  const t0 = performance.now();
  const rec = host.create(cfg);
  if (host.run(2e10) !== 'done') throw new Error('the PV run did not finish');
  const wallMs = performance.now() - t0;
  return { results: parseBench(rec.console.recent()), wallMs };
}

/** Two PV domains bounce an event 1000 times over an interdomain channel (no native counterpart). */
function runEventRoundTrip(): Bench {
  const host = new XenHost({ memMiB: 64 });
  const cfg = (name: string, extra: string) =>
    parseConfig(`name="${name}"\nkernel="${PV}"\nmemory=8\nextra="${extra}"\n`, `${name}.cfg`);
  // Both exist before either runs: A allocates a port for B, which must already exist.
  const a = host.create(cfg('ping', 'evtchn-ping peer=2 rounds=1000'), { paused: true });
  const b = host.create(cfg('pong', 'evtchn-pong peer=1 rounds=1000'), { paused: true });
  if (a.domid !== 1 || b.domid !== 2) throw new Error('unexpected domain ids');
  host.ctl.unpause(a.domid);
  host.ctl.unpause(b.domid);
  if (host.run(2e10) !== 'done') throw new Error('the event ping-pong did not finish');
  const r = parseBench(a.console.recent()).get('event-round-trip');
  if (r === undefined) throw new Error(`no event-round-trip line:\n${a.console.recent()}`);
  return r;
}

const LABELS: Record<string, string> = {
  'null-syscall': 'null system call',
  'page-fault': 'page fault (demand zero)',
  'context-switch': 'context switch (2 processes)',
  'process-create': 'process creation + exit',
  'map-single': 'mapping update, one by one',
  'map-batch': 'mapping update, batched',
  cpu: 'CPU workload (user process)',
};

function main(): void {
  // Twice each, alternating, keeping the faster wall clock: the first run also pays for
  // V8 compiling the interpreter. Virtual-time results are identical run to run.
  const runs = [runNative(), runPv(), runNative(), runPv()];
  const native = runs[0]!.wallMs <= runs[2]!.wallMs ? runs[0]! : runs[2]!;
  const pv = runs[1]!.wallMs <= runs[3]!.wallMs ? runs[1]! : runs[3]!;
  const rows: { name: string; label: string; nativePerOp: number; pvPerOp: number; ratio: number }[] = [];
  for (const [name, n] of native.results) {
    const p = pv.results.get(name);
    if (p === undefined) continue;
    const nativePerOp = n.cycles / n.iterations, pvPerOp = p.cycles / p.iterations;
    rows.push({ name, label: LABELS[name] ?? name, nativePerOp, pvPerOp, ratio: pvPerOp / nativePerOp });
  }
  const rtt = runEventRoundTrip();
  const cpu = rows.find((r) => r.name === 'cpu');
  const fmt = (x: number): string => x >= 100 ? x.toFixed(0) : x.toFixed(1);
  console.log('native vs PV on tsxen (virtual cycles per operation; lower is better)\n');
  console.log(`${'benchmark'.padEnd(32)} ${'native'.padStart(12)} ${'PV'.padStart(12)} ${'PV/native'.padStart(10)}`);
  for (const r of rows) {
    console.log(`${r.label.padEnd(32)} ${fmt(r.nativePerOp).padStart(12)} ${fmt(r.pvPerOp).padStart(12)} ${r.ratio.toFixed(3).padStart(10)}`);
  }
  console.log(`${'event round trip, two domains'.padEnd(32)} ${'-'.padStart(12)} ${fmt(rtt.cycles / rtt.iterations).padStart(12)} ${'-'.padStart(10)}`);
  if (cpu !== undefined) {
    console.log(`\nCPU workload throughput, PV relative to native: ${(1 / cpu.ratio).toFixed(4)} (target >= 0.97)`);
  }
  console.log(`wall clock: native run ${native.wallMs.toFixed(0)} ms, PV run ${pv.wallMs.toFixed(0)} ms ` +
    `(ratio ${(pv.wallMs / native.wallMs).toFixed(2)}, includes domain build and teardown)`);
  const out = path.join(ROOT, 'bench/results/virt.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(),
    units: 'virtual cycles per operation',
    rows,
    eventRoundTripCycles: rtt.cycles / rtt.iterations,
    cpuThroughputPvOverNative: cpu !== undefined ? 1 / cpu.ratio : null,
    wallMs: { native: native.wallMs, pv: pv.wallMs },
    costs: { machine: COST, hypervisor: XEN_COST },
  }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

main();
