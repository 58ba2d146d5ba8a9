/*
 * npm run bench:sched — the scheduler's evidence (issue 5), on virtual time:
 *
 *   1. proportional share: three CPU hogs with weights 1:2:4 (Credit, BVT) each get
 *      their share within ±3% over a window; a Credit cap holds;
 *   2. latency: a domain that wakes every 5 ms is dispatched within a bound while four
 *      hogs run — BVT with and without warp, Credit, round-robin — as a distribution;
 *   3. scalability (the paper's Figure 6): 1, 2, 4 … 128 domains run the CPU workload
 *      at once; aggregate throughput normalised to one domain's, with 5 ms and 50 ms
 *      slices, in virtual time and in wall-clock time measured in the same run;
 *   4. isolation: a domain running a fork bomb, a memory thrasher or an event flood
 *      changes another domain's throughput by less than 5%.
 *
 * The workloads are minios-pv command-line modes (guests/minios/arch/pv/pv-sched.c).
 * Writes bench/results/sched.json, bench/results/sched.md and bench/results/sched-*.svg.
 *
 *   npm run bench:sched                 # everything
 *   npm run bench:sched -- --quick      # shorter windows, scalability up to 16 domains
 *   npm run bench:sched -- --only share,latency,scalability,isolation
 */

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { XenHost, type GuestRecord } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { SchedControl } from '../src/hv/sched-control.js';
import type { SchedParams, SchedulerName } from '../src/hv/sched/scheduler.js';
import { XEN_COST } from '../src/hv/costs.js';
import { barChart, lineChart } from './sched-plot.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PV = readFileSync(join(ROOT, 'guests/images/minios-pv.elf'));
const OUT = join(ROOT, 'bench/results');

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const onlyArg = args.indexOf('--only');
const ONLY = onlyArg >= 0 ? new Set(args[onlyArg + 1]!.split(',')) : null;
const want = (k: string) => ONLY === null || ONLY.has(k);

const HZ = 100_000_000;
const MS = HZ / 1000;
const WINDOW = (QUICK ? 1000 : 3000) * MS;
const WARMUP = 300 * MS;

// -------------------------------------------------------------------------------------
// A host with a few workload domains

interface Dom {
  rec: GuestRecord;
  name: string;
  /** HOG lines seen so far (units of 2^16 loop iterations). */
  hog: number;
  /** LAT samples (ns), recorded while `recording`. */
  lat: number[];
  /** Progress lines of the attack workloads (FORKBOMB, THRASH, FLOOD). */
  progress: number;
  partial: string;
}

class Bench {
  readonly host: XenHost;
  readonly sc: SchedControl;
  readonly doms: Dom[] = [];
  recording = false;
  readonly ended = new Map<string, number>();

  constructor(scheduler: SchedulerName, opts: { harts?: number; sliceMs?: number; memMiB?: number; global?: SchedParams } = {}) {
    this.host = new XenHost({ scheduler, harts: opts.harts ?? 1, sliceMs: opts.sliceMs, memMiB: opts.memMiB ?? 96 });
    this.sc = new SchedControl(this.host.hv, this.host.hv.dom0);
    if (opts.global !== undefined) this.sc.setGlobal(opts.global);
    this.host.onConsole = (rec, text) => this.console(rec, text);
    // The hart's own clock (the machine's advances a round at a time).
    this.host.onDomainEnd = (rec) => this.ended.set(rec.config.name, Math.max(...this.host.machine.harts.map((h) => h.now())));
  }

  private console(rec: GuestRecord, text: string): void {
    const d = this.doms.find((x) => x.rec === rec);
    if (d === undefined) return;
    const lines = (d.partial + text).split('\n');
    d.partial = lines.pop()!;
    for (const l of lines) {
      if (l.startsWith('HOG ')) d.hog++;
      else if (l.startsWith('LAT ') && this.recording) d.lat.push(Number(l.slice(4)));
      else if (/^(FORKBOMB|THRASH|FLOOD) /.test(l)) d.progress++;
      else if (l.startsWith('FAIL')) throw new Error(`${d.name}: ${l}`);
    }
  }

  /** Creates a domain running `cmdline`, with scheduler parameters set before it first runs. */
  add(name: string, cmdline: string, params: SchedParams = {}, memory = 4, cpus?: number): Dom {
    const cfg = parseConfig(`name = "${name}"\nkernel = "minios-pv.elf"\nmemory = ${memory}\ncmdline = "${cmdline}"\n`, `${name}.cfg`);
    const rec = this.host.create(cfg, { kernel: PV, paused: true });
    if (Object.keys(params).length > 0) this.sc.setParams(rec.domid, params);
    if (cpus !== undefined) this.sc.pin(rec.domid, 0, cpus);
    this.host.ctl.unpause(rec.domid);
    const d: Dom = { rec, name, hog: 0, lat: [], progress: 0, partial: '' };
    this.doms.push(d);
    return d;
  }

  /** CPU time (cycles) each domain has had so far, live. */
  cpu(): Map<string, number> {
    const m = new Map<string, number>();
    for (const v of this.sc.vcpuList()) {
      if (v.domid === 0) continue;
      m.set(v.name, (m.get(v.name) ?? 0) + v.cpuTimeNs * HZ / 1e9);
    }
    return m;
  }

  run(cycles: number): void {
    this.host.run(cycles);
  }

  /** Runs a warm-up, then a window; returns each domain's CPU cycles and HOG units in the window. */
  window(warmup: number, window: number): Map<string, { cpu: number; hog: number }> {
    this.run(warmup);
    const c0 = this.cpu(), h0 = new Map(this.doms.map((d) => [d.name, d.hog]));
    this.recording = true;
    this.run(window);
    this.recording = false;
    const c1 = this.cpu();
    const out = new Map<string, { cpu: number; hog: number }>();
    for (const d of this.doms) out.set(d.name, { cpu: (c1.get(d.name) ?? 0) - (c0.get(d.name) ?? 0), hog: d.hog - h0.get(d.name)! });
    return out;
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  quick: QUICK,
  clock: 'virtual cycles at 100 MHz unless marked wall',
  costs: XEN_COST,
};
const md: string[] = ['# bench:sched results', '', `Generated by \`npm run bench:sched${QUICK ? ' -- --quick' : ''}\` on ${results['date']}.`, ''];
let failures = 0;
function verdict(ok: boolean): string {
  if (!ok) failures++;
  return ok ? 'ok' : '**FAIL**';
}
mkdirSync(OUT, { recursive: true });
const wallStart = performance.now();

// -------------------------------------------------------------------------------------
// 1. Proportional share and caps

if (want('share')) {
  const rows: unknown[] = [];
  md.push('## 1. Proportional share (1 hart, three CPU hogs, weights 1:2:4)', '',
    `Window ${WINDOW / MS} ms after ${WARMUP / MS} ms of warm-up. CPU = the hypervisor's accounting; work = the hogs' own loop counts.`, '',
    '| policy | weight | parameter | expected | CPU share | work share | error (CPU) | error (work) | within ±3% |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const chartSeries: { name: string; values: number[] }[] = [];
  for (const policy of ['credit', 'bvt'] as const) {
    const b = new Bench(policy);
    const weights = [1, 2, 4];
    weights.forEach((w, i) => b.add(`hog${i}`, 'sched-hog', policy === 'credit' ? { weight: 256 * w } : { mcuAdvance: 40 / w }));
    const r = b.window(WARMUP, WINDOW);
    const totalCpu = [...r.values()].reduce((n, x) => n + x.cpu, 0);
    const totalHog = [...r.values()].reduce((n, x) => n + x.hog, 0);
    const shares: number[] = [];
    weights.forEach((w, i) => {
      const x = r.get(`hog${i}`)!;
      const expected = w / 7, cpuShare = x.cpu / WINDOW, workShare = x.hog / totalHog;
      const eCpu = cpuShare / expected - 1, eWork = workShare / expected - 1;
      shares.push(cpuShare);
      const ok = Math.abs(eCpu) <= 0.03 && Math.abs(eWork) <= 0.03;
      md.push(`| ${policy} | ${w} | ${policy === 'credit' ? `weight ${256 * w}` : `mcuadv ${40 / w}`} | ${pct(expected)} | ${pct(cpuShare)} | ${pct(workShare)} | ${pct(eCpu)} | ${pct(eWork)} | ${verdict(ok)} |`);
      rows.push({ policy, weight: w, expected, cpuShare, workShare, errorCpu: eCpu, errorWork: eWork, hogUnits: x.hog, cpuCycles: x.cpu });
    });
    chartSeries.push({ name: policy, values: shares });
    rows.push({ policy, totalCpuShare: totalCpu / WINDOW });
  }
  // Caps (Credit): alone on the hart, and beside an uncapped hog.
  md.push('', '| Credit cap | setting | CPU share | limit | holds |', '| --- | --- | --- | --- | --- |');
  const caps: unknown[] = [];
  {
    const b = new Bench('credit');
    b.add('capped', 'sched-hog', { cap: 50 });
    const r = b.window(WARMUP, WINDOW).get('capped')!;
    const share = r.cpu / WINDOW;
    md.push(`| alone on an idle hart | cap 50 | ${pct(share)} | 50% | ${verdict(share <= 0.5 * 1.03 && share >= 0.5 * 0.97)} |`);
    caps.push({ setting: 'cap 50 alone', share });
  }
  {
    const b = new Bench('credit');
    b.add('capped', 'sched-hog', { cap: 25, weight: 1024 });
    b.add('other', 'sched-hog');
    const r = b.window(WARMUP, WINDOW);
    const share = r.get('capped')!.cpu / WINDOW, other = r.get('other')!.cpu / WINDOW;
    md.push(`| beside an uncapped hog, 4× its weight | cap 25, weight 1024 | ${pct(share)} (other: ${pct(other)}) | 25% | ${verdict(share <= 0.25 * 1.03)} |`);
    caps.push({ setting: 'cap 25 weight 1024 beside a weight-256 hog', share, other });
  }
  // Two harts: shares that do not divide evenly among harts (vCPUs must migrate).
  md.push('', 'Two harts (shares of one hart; a single vCPU can use at most one):', '',
    '| policy | hogs (weights) | expected | CPU shares | worst error | within ±3% |', '| --- | --- | --- | --- | --- | --- |');
  const smp: unknown[] = [];
  const twoHart = (policy: SchedulerName, weights: number[], expected: number[]) => {
    const b = new Bench(policy, { harts: 2 });
    weights.forEach((w, i) => b.add(`hog${i}`, 'sched-hog', policy === 'credit' ? { weight: 256 * w } : {}));
    const r = b.window(WARMUP, WINDOW);
    const shares = weights.map((_, i) => r.get(`hog${i}`)!.cpu / WINDOW);
    const worst = Math.max(...shares.map((x, i) => Math.abs(x / expected[i]! - 1)));
    md.push(`| ${policy} | ${weights.length} (${weights.join(':')}) | ${expected.map((x) => x.toFixed(3)).join(' / ')} | ` +
      `${shares.map((x) => x.toFixed(3)).join(' / ')} | ${pct(worst)} | ${verdict(worst <= 0.03)} |`);
    smp.push({ policy, harts: 2, weights, expected, shares, worstError: worst });
  };
  twoHart('credit', [1, 1, 2, 4], [0.25, 0.25, 0.5, 1]);
  for (const policy of ['credit', 'bvt', 'rr'] as const) twoHart(policy, [1, 1, 1], [2 / 3, 2 / 3, 2 / 3]);
  results['share'] = { windowCycles: WINDOW, rows, caps, twoHarts: smp };
  writeFileSync(join(OUT, 'sched-share.svg'), barChart({
    title: 'Proportional share: hogs with weights 1:2:4 (1 hart)', xLabel: 'weight', yLabel: 'share of the hart',
    groups: ['1', '2', '4'], series: chartSeries, refs: [1 / 7, 2 / 7, 4 / 7],
  }));
  md.push('', '![shares](sched-share.svg)', '');
  console.log('share: done');
}

// -------------------------------------------------------------------------------------
// 2. Wake-up latency under load

if (want('latency')) {
  const configs: { label: string; policy: SchedulerName; params: SchedParams; sliceMs?: number }[] = [
    { label: 'BVT, warp', policy: 'bvt', params: { warpBack: 1, warpValue: 2000, warpLimitUs: 3000, unwarpUs: 1000 } },
    { label: 'BVT, no warp', policy: 'bvt', params: {} },
    { label: 'Credit', policy: 'credit', params: {} },
    { label: 'round-robin 10 ms', policy: 'rr', params: {}, sliceMs: 10 },
  ];
  const workUs = [100, 1000];
  const rows: unknown[] = [];
  md.push('## 2. Wake-up latency (1 hart: a domain waking every 5 ms beside four CPU hogs)', '',
    'Latency = how late the waker runs after its timer deadline, measured by the guest itself (system time), in µs.', '',
    '| policy | work per wake | samples | p50 | p90 | p99 | max | waker CPU share |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  const cdf: { name: string; points: [number, number][]; dashed?: boolean }[] = [];
  for (const work of workUs) {
    for (const c of configs) {
      const b = new Bench(c.policy, { sliceMs: c.sliceMs });
      for (let i = 0; i < 4; i++) b.add(`hog${i}`, 'sched-hog');
      const w = b.add('waker', `sched-waker period=5000 work=${work}`, c.params);
      const r = b.window(WARMUP, WINDOW);
      const us = w.lat.map((ns) => ns / 1000);
      const p = (q: number) => percentile(us, q);
      const share = r.get('waker')!.cpu / WINDOW;
      md.push(`| ${c.label} | ${work} µs | ${us.length} | ${p(0.5).toFixed(1)} | ${p(0.9).toFixed(1)} | ${p(0.99).toFixed(1)} | ${Math.max(...us).toFixed(1)} | ${pct(share)} |`);
      rows.push({ label: c.label, policy: c.policy, params: c.params, workUs: work, samples: us.length, p50: p(0.5), p90: p(0.9), p99: p(0.99), max: Math.max(...us), wakerShare: share, latenciesUs: us });
      const sorted = [...us].sort((a, b2) => a - b2);
      const pts: [number, number][] = [];
      const step = Math.max(1, Math.floor(sorted.length / 60));
      for (let i = 0; i < sorted.length; i += step) pts.push([sorted[i]!, (i + 1) / sorted.length]);
      pts.push([sorted[sorted.length - 1]!, 1]);
      cdf.push({ name: `${c.label} (${work} µs)`, points: pts.map(([x, y]) => [Math.log10(Math.max(x, 1)), y]), dashed: work !== workUs[0] });
    }
  }
  results['latency'] = { periodUs: 5000, hogs: 4, rows };
  writeFileSync(join(OUT, 'sched-latency.svg'), lineChart({
    title: 'Wake-up latency CDF (waker every 5 ms + 4 hogs)', xLabel: 'log10(latency in µs)', yLabel: 'fraction of wake-ups',
    series: cdf, yMin: 0, yMax: 1,
  }));
  md.push('', '![latency](sched-latency.svg)', '');
  console.log('latency: done');
}

// -------------------------------------------------------------------------------------
// 3. Scalability (Figure 6)

if (want('scalability')) {
  const counts = QUICK ? [1, 2, 4, 8, 16] : [1, 2, 4, 8, 16, 32, 64, 128];
  const rows: { sliceMs: number; domains: number; virtualCycles: number; wallMs: number; normVirtual: number; normWall: number }[] = [];
  md.push('## 3. Scalability (the paper\'s Figure 6): N domains running the CPU workload at once (1 hart, Credit)', '',
    'Aggregate throughput = N / (time until the last domain finishes), normalised to one domain\'s. Virtual time and wall-clock time of the same run; the wall-clock baseline is the median of the one-domain runs made next to each N on the same (warmed-up) host; the machine is shared with other work, so wall-clock figures move by tens of percent from run to run.', '',
    '| slice | domains | virtual ms | normalised (virtual) | wall ms | normalised (wall) |', '| --- | --- | --- | --- | --- | --- |');
  /**
   * One batch of n domains each running the CPU workload once, on a host that ran the
   * batches before it (so the translated code and V8's optimised functions of earlier
   * batches are warm, as on a long-running host); virtual and wall time from creation to
   * the last poweroff.
   */
  let batch = 0;
  const runOnce = (b: Bench, n: number) => {
    b.doms.length = 0;
    b.ended.clear();
    batch++;
    const start = Math.max(...b.host.machine.harts.map((h) => h.now()));
    for (let i = 0; i < n; i++) b.add(`cpu${batch}-${i}`, 'cpu', {}, 4);
    const t0 = performance.now();
    const why = b.host.run(Infinity);
    const wallMs = performance.now() - t0;
    if (why !== 'done' || b.ended.size !== n) throw new Error(`scalability ${n}: ${why}, ${b.ended.size} ended`);
    for (const d of b.doms) if (d.rec.ended !== 'poweroff') throw new Error(`${d.name} ended ${d.rec.ended}`);
    return { cycles: Math.max(...b.ended.values()) - start, wallMs };
  };
  const singles: Record<number, number[]> = {};
  for (const sliceMs of [50, 5]) {
    // One host per slice length. Untimed batches first: the host's translated code and
    // V8's compiled functions warm up over several batches (a fresh host runs one domain
    // up to 8x slower than a warm one). The wall-clock baseline is the median of the
    // one-domain batches run next to every N (the machine is shared with other work).
    const b = new Bench('credit', { sliceMs, memMiB: 64 + 5 * Math.max(...counts) });
    for (const n of [4, 16, 1, 1]) runOnce(b, n);
    const raw: { n: number; cycles: number; wallMs: number }[] = [];
    const ones: number[] = [];
    for (const n of counts) {
      if (n !== 1) ones.push(runOnce(b, 1).wallMs);
      const r = runOnce(b, n);
      if (n === 1) ones.push(r.wallMs);
      raw.push({ n, ...r });
      console.log(`scalability: ${sliceMs} ms, ${n} domains: ${(r.cycles / MS).toFixed(1)} ms virtual, ${r.wallMs.toFixed(0)} ms wall`);
    }
    singles[sliceMs] = ones;
    const sorted = [...ones].sort((x, y) => x - y);
    const baseV = raw[0]!.cycles / raw[0]!.n, baseW = sorted[Math.floor(sorted.length / 2)]!;
    for (const r of raw) {
      const normVirtual = (r.n / r.cycles) * baseV, normWall = (r.n / r.wallMs) * baseW;
      rows.push({ sliceMs, domains: r.n, virtualCycles: r.cycles, wallMs: r.wallMs, normVirtual, normWall });
      md.push(`| ${sliceMs} ms | ${r.n} | ${(r.cycles / MS).toFixed(1)} | ${normVirtual.toFixed(4)} | ${r.wallMs.toFixed(0)} | ${normWall.toFixed(3)} |`);
    }
  }
  const at128 = rows.find((r) => r.sliceMs === 50 && r.domains === counts[counts.length - 1]);
  md.push('', `At ${at128?.domains} domains with 50 ms slices the aggregate is ${at128?.normVirtual.toFixed(4)} of one domain's (virtual time; must be ≥ 0.95): ${verdict((at128?.normVirtual ?? 0) >= 0.95)}.`, '');
  results['scalability'] = { scheduler: 'credit', harts: 1, workload: 'minios cpu (the CPU workload as a user process)', rows, oneDomainWallMs: singles };
  writeFileSync(join(OUT, 'sched-scalability.svg'), lineChart({
    title: 'Figure 6: aggregate throughput, N domains (normalised)', xLabel: 'domains (log scale)', yLabel: 'throughput / one domain',
    logX: true, yMin: 0,
    series: [50, 5].flatMap((s) => [
      { name: `${s} ms, virtual`, points: rows.filter((r) => r.sliceMs === s).map((r) => [r.domains, r.normVirtual] as [number, number]) },
      { name: `${s} ms, wall`, points: rows.filter((r) => r.sliceMs === s).map((r) => [r.domains, r.normWall] as [number, number]), dashed: true },
    ]),
  }));
  md.push('![scalability](sched-scalability.svg)', '');
}

// -------------------------------------------------------------------------------------
// 4. Isolation

if (want('isolation')) {
  const attackers: { label: string; cmd: string }[] = [
    { label: 'fork bomb', cmd: 'sched-forkbomb' },
    { label: 'memory thrasher', cmd: 'sched-thrash' },
    { label: 'event flood', cmd: 'sched-flood' },
  ];
  const rows: unknown[] = [];
  md.push('## 4. Isolation (1 hart): a victim hog beside an attacker, against beside a plain hog', '',
    'Throughput = the victim\'s loop iterations in the window. Equal weights: the victim is owed half the hart either way.', '',
    'Attack progress: fork bomb = rounds of 8 processes created and reaped, thrasher = rounds of 256 pages allocated, mapped, written, unmapped, freed, flood = events sent (all in the window).', '',
    '| policy | neighbour | attack progress | victim work | victim CPU share | change vs a plain hog | < 5% |', '| --- | --- | --- | --- | --- | --- | --- |');
  const series: { name: string; values: number[] }[] = [];
  for (const policy of ['credit', 'bvt', 'rr'] as const) {
    const base = (() => {
      const b = new Bench(policy);
      b.add('victim', 'sched-hog');
      b.add('neighbour', 'sched-hog');
      return b.window(WARMUP, WINDOW).get('victim')!;
    })();
    md.push(`| ${policy} | plain hog (baseline) | — | ${base.hog} | ${pct(base.cpu / WINDOW)} | — | — |`);
    const changes: number[] = [];
    for (const a of attackers) {
      const b = new Bench(policy);
      b.add('victim', 'sched-hog');
      const att = b.add('attacker', a.cmd, {}, 8);
      b.run(WARMUP);
      const p0 = att.progress;
      const r = b.window(0, WINDOW).get('victim')!;
      const progress = (att.progress - p0) * (a.cmd === 'sched-flood' ? 65536 : 8);
      if (att.rec.ended !== null) throw new Error(`${policy} ${a.label}: the attacker ended (${att.rec.ended}): the attack must last the window`);
      const change = r.hog / base.hog - 1;
      changes.push(Math.abs(change) * 100);
      md.push(`| ${policy} | ${a.label} | ${progress} | ${r.hog} | ${pct(r.cpu / WINDOW)} | ${pct(change)} | ${verdict(Math.abs(change) < 0.05)} |`);
      rows.push({ policy, attacker: a.label, attackProgress: progress, victimWork: r.hog, baselineWork: base.hog, victimCpuShare: r.cpu / WINDOW, change });
    }
    series.push({ name: policy, values: changes });
  }
  // Two harts: the victim has its own hart and offers the attacker an event channel
  // (unmasked, event delivery on); the flood is aimed at it.
  md.push('', 'Two harts, Credit: the victim alone on its hart, holding an event channel with its neighbour (the flood targets that channel).', '',
    '| neighbour (on the other hart) | attack progress | victim work | change vs a plain hog | < 5% |', '| --- | --- | --- | --- | --- |');
  const rows2: unknown[] = [];
  const two = (cmd: (victim: number) => string) => {
    const b = new Bench('credit', { harts: 2 });
    const victimId = 1; // the first domain of a fresh host (checked below)
    const v = b.add('victim', `sched-hog peer=${victimId + 1}`);
    if (v.rec.domid !== victimId) throw new Error('unexpected domain id');
    const att = b.add('attacker', cmd(v.rec.domid), {}, 8);
    if (att.rec.domid !== victimId + 1) throw new Error('unexpected domain id');
    b.run(WARMUP);
    const p0 = att.progress;
    const r = b.window(0, WINDOW).get('victim')!;
    if (att.rec.ended !== null) throw new Error(`the attacker ended (${att.rec.ended})`);
    return { r, progress: att.progress - p0 };
  };
  const base2 = two(() => 'sched-hog').r;
  md.push(`| plain hog (baseline) | — | ${base2.hog} | — | — |`);
  for (const a of [
    { label: 'event flood at the victim', cmd: (v: number) => `sched-flood peer=${v}`, unit: 65536 },
    { label: 'fork bomb', cmd: () => 'sched-forkbomb', unit: 8 },
    { label: 'memory thrasher', cmd: () => 'sched-thrash', unit: 8 },
  ]) {
    const { r, progress } = two(a.cmd);
    const change = r.hog / base2.hog - 1;
    md.push(`| ${a.label} | ${progress * a.unit} | ${r.hog} | ${pct(change)} | ${verdict(Math.abs(change) < 0.05)} |`);
    rows2.push({ harts: 2, attacker: a.label, attackProgress: progress * a.unit, victimWork: r.hog, baselineWork: base2.hog, change });
  }
  results['isolation'] = { windowCycles: WINDOW, rows, twoHarts: rows2 };
  writeFileSync(join(OUT, 'sched-isolation.svg'), barChart({
    title: 'Isolation: change in a victim\'s throughput', xLabel: 'neighbour', yLabel: '|change| in %',
    groups: attackers.map((a) => a.label), series, refs: [5],
  }));
  md.push('', '![isolation](sched-isolation.svg)', '');
  console.log('isolation: done');
}

// ---------------------------------------------------------------------------------------
// SMP guest: the same processes on one vCPU and on two (two harts), virtual time

if (want('smp')) {
  md.push('## SMP guest: four CPU-bound processes on 1 vs 2 vCPUs (2 harts)', '');
  const smp = (vcpus: number): number => {
    const host = new XenHost({ harts: 2, memMiB: 64 });
    const rec = host.create(parseConfig(
      `name = "procs"\nkernel = "k"\nmemory = 8\nvcpus = ${vcpus}\ncmdline = "smp-procs n=4 iters=1"\non_poweroff = "preserve"\n`,
      'procs'), { kernel: PV });
    if (!host.runUntil(() => rec.console.recent().includes('minios: done'), 1e9)) throw new Error('smp-procs did not finish');
    const m = /^BENCH smp-procs 4 (\d+)$/m.exec(rec.console.recent());
    if (m === null || !/^PASS smp-procs$/m.test(rec.console.recent())) throw new Error(`smp-procs failed:\n${rec.console.recent()}`);
    return Number(m[1]);
  };
  const one = smp(1), two = smp(2);
  const speedup = one / two;
  md.push('| vCPUs | cycles | speedup |', '| --- | --- | --- |', `| 1 | ${one} | 1.00 |`,
    `| 2 | ${two} | ${speedup.toFixed(2)} ${verdict(speedup > 1.6)} |`, '');
  results['smp'] = { processes: 4, cyclesOneVcpu: one, cyclesTwoVcpus: two, speedup };
  console.log('smp: done');
}

results['wallSeconds'] = (performance.now() - wallStart) / 1000;
results['failures'] = failures;
const suffix = ONLY !== null || QUICK ? '-partial' : '';
writeFileSync(join(OUT, `sched${suffix}.json`), JSON.stringify(results, null, 1) + '\n');
writeFileSync(join(OUT, `sched${suffix}.md`), md.join('\n') + '\n');
console.log(md.join('\n'));
console.log(`\n${failures === 0 ? 'all checks hold' : `${failures} check(s) failed`}; ${(results['wallSeconds'] as number).toFixed(0)} s wall`);
process.exitCode = failures === 0 ? 0 : 1;
