/*
 * `npm run bench:cpu`: guest MIPS on tsxen and on QEMU, side by side.
 *
 * Runs the CPU workload (guests/images/bench-cpu.elf, an M-mode image; see
 * guests/bench/cpu/), and the same workload as a U-mode process with Sv32 paging on
 * (guests/images/bench-cpu-sv32.elf, "MMU on"), on
 *   tsxen:  node bin/tsxen.js run-native IMAGE --bios none --engine interp|jit|wasm --stats-json FILE
 *           (instructions and MIPS measured inside the process, around the run loop),
 *           with each engine asked for (--engine, default all three): the interpreter
 *           (interp), the block translator emitting JavaScript (jit) and the block
 *           translator emitting WebAssembly (wasm)
 *   QEMU:   qemu-system-riscv32 -M virt -bios none -nographic -monitor none -serial stdio -kernel IMAGE
 *           (TCG without -icount, timed from outside; the time of bench-nop.elf, which
 *           stops at once, is subtracted as QEMU's startup cost)
 * each --runs times, keeping the best run. QEMU's MIPS divide the guest's instruction
 * count (from tsxen's statistics, or else from one extra QEMU run with -icount shift=0,sleep=off,
 * in which the guest's `instret=` line is exact) by QEMU's net seconds.
 *
 * Every run must print `bench-cpu: PASS checksum=...` and exit 0, and every engine measured
 * must print the same checksum and retire the same number of instructions as the first
 * one; otherwise the benchmark fails (exit status 1). Results go to a table on stdout and
 * to bench/results/cpu.json.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The repository root: this file runs as dist/bench/cpu.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `npm run bench:cpu -- [options]
  --image FILE     the workload image (default guests/images/bench-cpu.elf)
  --mmu-image FILE the same workload with the MMU on (default guests/images/bench-cpu-sv32.elf)
  --no-mmu         skip the MMU-on image
  --engine E       tsxen engines to measure: interp, jit, wasm, a comma-separated
                   list of them (e.g. jit,wasm), or all (default all = interp,jit,wasm)
  --nop-image FILE an image that exits at once, timed as QEMU's startup cost
                   (default guests/images/bench-nop.elf, else guests/images/hello-m.elf)
  --runs N         runs per engine; the best one counts (default 3)
  --no-qemu        skip QEMU
  --no-tsxen       skip tsxen (QEMU only; the instruction count comes from QEMU -icount)
  --out FILE       where to write the JSON results (default bench/results/cpu.json)
  --timeout S      give up on one run after S seconds (default 900)`;

const PASS_LINE = /bench-cpu: PASS checksum=(0x[0-9a-f]{8}) iterations=(\d+)/;
const FAIL_LINE = /bench-cpu: FAIL[^\r\n]*/;
const INSTRET_LINE = /^instret=(\d+)/m;
const QEMU = 'qemu-system-riscv32';

type Engine = 'interp' | 'jit' | 'wasm';

const ENGINES: readonly Engine[] = ['interp', 'jit', 'wasm'];

/** What the table and the summary call each engine. */
const ENGINE_LABEL: Record<Engine, string> = {
  interp: 'tsxen interpreter',
  jit: 'tsxen translator (JavaScript, jit)',
  wasm: 'tsxen translator (WebAssembly, wasm)',
};

/** The translators, by the language they emit (for the summary lines). */
const TRANSLATOR_NAME: Partial<Record<Engine, string>> = { jit: 'JavaScript', wasm: 'WebAssembly' };

/** Parses --engine: one engine, a comma-separated list of them, or `all`. */
function parseEngines(value: string): Engine[] {
  const bad = (): BenchError =>
    new BenchError(`--engine must be interp, jit, wasm, a comma-separated list of them, or all; got '${value}'`);
  if (value.trim() === 'all') return [...ENGINES];
  const engines: Engine[] = [];
  for (const part of value.split(',')) {
    const name = part.trim();
    if (!(ENGINES as readonly string[]).includes(name)) throw bad();
    if (!engines.includes(name as Engine)) engines.push(name as Engine);
  }
  if (engines.length === 0) throw bad();
  return engines;
}

interface Options {
  image: string;
  mmuImage: string | undefined;
  engines: Engine[];
  nopImage: string | undefined;
  runs: number;
  qemu: boolean;
  tsxen: boolean;
  out: string;
  timeoutMs: number;
}

/** What one run of the guest printed, checked. */
interface GuestResult {
  checksum: string;
  iterations: number;
  /** The guest's `instret=` line: exact on tsxen and on QEMU -icount, host ticks on plain QEMU. */
  instret: number | undefined;
}

interface TsxenRun {
  instructions: number;
  cycles: number;
  wallSeconds: number;
  mips: number;
  processSeconds: number;
}

interface TsxenResult {
  runs: TsxenRun[];
  best: TsxenRun;
  guest: GuestResult;
}

interface QemuResult {
  version: string;
  grossSeconds: number[];
  startupSeconds: number[];
  netSeconds: number;
  guest: GuestResult;
}

class BenchError extends Error {}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      image: { type: 'string' },
      'mmu-image': { type: 'string' },
      'no-mmu': { type: 'boolean', default: false },
      engine: { type: 'string', default: 'all' },
      'nop-image': { type: 'string' },
      runs: { type: 'string', default: '3' },
      'no-qemu': { type: 'boolean', default: false },
      'no-tsxen': { type: 'boolean', default: false },
      out: { type: 'string' },
      timeout: { type: 'string', default: '900' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new BenchError(`--runs must be a positive whole number, got '${values.runs}'`);
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new BenchError(`--timeout must be a positive number of seconds, got '${values.timeout}'`);
  if (values['no-qemu'] && values['no-tsxen']) throw new BenchError('--no-qemu and --no-tsxen leave nothing to measure');
  const engines = parseEngines(values.engine);
  return {
    image: values.image !== undefined ? path.resolve(values.image) : path.join(ROOT, 'guests/images/bench-cpu.elf'),
    mmuImage: values['no-mmu'] ? undefined
      : values['mmu-image'] !== undefined ? path.resolve(values['mmu-image']) : path.join(ROOT, 'guests/images/bench-cpu-sv32.elf'),
    engines,
    nopImage: values['nop-image'] !== undefined ? path.resolve(values['nop-image']) : undefined,
    runs,
    qemu: !values['no-qemu'],
    tsxen: !values['no-tsxen'],
    out: values.out !== undefined ? path.resolve(values.out) : path.join(ROOT, 'bench/results/cpu.json'),
    timeoutMs: timeout * 1000,
  };
}

/** A path for messages and for the results file: relative to the repository when inside it. */
function shown(file: string): string {
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

function lastLines(text: string, n: number): string {
  return text.replace(/\r/g, '').trimEnd().split('\n').slice(-n).map((l) => `    ${l}`).join('\n');
}

/** Checks that a run printed PASS and exited 0; throws with the evidence otherwise. */
function checkGuest(engine: string, status: number | null, stdout: string, stderr: string): GuestResult {
  const pass = PASS_LINE.exec(stdout);
  if (pass !== null && status === 0) {
    const instret = INSTRET_LINE.exec(stdout.replace(/\r/g, ''));
    return { checksum: pass[1]!, iterations: Number(pass[2]), instret: instret !== null ? Number(instret[1]) : undefined };
  }
  const fail = FAIL_LINE.exec(stdout);
  const why = fail !== null ? `the guest printed "${fail[0]}"`
    : pass !== null ? `the guest printed PASS but the exit status was ${status}`
    : `the guest printed no PASS line (exit status ${status})`;
  throw new BenchError(`${engine}: ${why}\n  stdout (end):\n${lastLines(stdout, 12)}\n  stderr (end):\n${lastLines(stderr, 12)}`);
}

function sameGuest(a: GuestResult, b: GuestResult, what: string): void {
  if (a.checksum !== b.checksum || a.iterations !== b.iterations) {
    throw new BenchError(`${what}: checksum ${a.checksum} iterations ${a.iterations} vs checksum ${b.checksum} iterations ${b.iterations}`);
  }
}

// ---- tsxen ----

function tsxenCommand(image: string, engine: Engine, statsFile: string): string[] {
  return [path.join(ROOT, 'bin/tsxen.js'), 'run-native', image, '--bios', 'none', '--engine', engine, '--stats-json', statsFile];
}

function runTsxenOnce(opts: Options, image: string, engine: Engine, statsFile: string): { run: TsxenRun; guest: GuestResult } {
  rmSync(statsFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, tsxenCommand(image, engine, statsFile), {
    cwd: ROOT, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const processSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error !== undefined) {
    throw new BenchError(`tsxen: could not run ${shown(process.execPath)} bin/tsxen.js: ${r.error.message}`);
  }
  if (!existsSync(statsFile)) {
    // The CLI is missing, not built, or has no --stats-json: say so rather than guess.
    throw new BenchError(
      `tsxen: 'node bin/tsxen.js run-native ... --stats-json FILE' wrote no statistics (exit status ${r.status}` +
      `${r.signal !== null ? `, signal ${r.signal}` : ''}). Is the CLI built (npm run build) and does run-native ` +
      `support --stats-json?\n  stdout (end):\n${lastLines(r.stdout, 8)}\n  stderr (end):\n${lastLines(r.stderr, 8)}`);
  }
  const guest = checkGuest('tsxen', r.status, r.stdout, r.stderr);
  let stats: Record<string, unknown>;
  try {
    stats = JSON.parse(readFileSync(statsFile, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new BenchError(`tsxen: unreadable --stats-json output: ${(e as Error).message}`);
  }
  const num = (key: string): number => {
    const v = stats[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new BenchError(`tsxen: --stats-json has no numeric '${key}'`);
    return v;
  };
  if (num('exitCode') !== 0) throw new BenchError(`tsxen: the statistics report exit code ${num('exitCode')}`);
  return {
    run: { instructions: num('instructions'), cycles: num('cycles'), wallSeconds: num('wallSeconds'), mips: num('mips'), processSeconds },
    guest,
  };
}

function runTsxen(opts: Options, image: string, engine: Engine): TsxenResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsxen-bench-'));
  try {
    const runs: TsxenRun[] = [];
    let guest: GuestResult | undefined;
    for (let i = 0; i < opts.runs; i++) {
      const one = runTsxenOnce(opts, image, engine, path.join(dir, 'stats.json'));
      if (guest !== undefined) sameGuest(guest, one.guest, 'tsxen: two runs disagree');
      guest = one.guest;
      runs.push(one.run);
      progress(`tsxen ${engine} run ${i + 1}/${opts.runs}: ${one.run.instructions} instructions in ${one.run.wallSeconds.toFixed(3)} s, ` +
        `${one.run.mips.toFixed(1)} MIPS`);
    }
    const best = runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
    return { runs, best, guest: guest! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- QEMU ----

function qemuAvailable(): string | undefined {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return r.stdout.split('\n')[0]!.trim();
}

function qemuArgs(image: string, icount: boolean): string[] {
  return ['-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none', '-serial', 'stdio',
    ...(icount ? ['-icount', 'shift=0,sleep=off'] : []), '-kernel', image];
}

function runQemuOnce(image: string, icount: boolean, opts: Options): { seconds: number; status: number | null; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(QEMU, qemuArgs(image, icount), {
    encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs, maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error !== undefined) throw new BenchError(`QEMU: ${r.error.message}`);
  return { seconds, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function nopImage(opts: Options): string {
  if (opts.nopImage !== undefined) return opts.nopImage;
  for (const name of ['bench-nop.elf', 'hello-m.elf']) {
    const file = path.join(ROOT, 'guests/images', name);
    if (existsSync(file)) return file;
  }
  throw new BenchError('QEMU: no image to time its startup (guests/images/bench-nop.elf): run `make -C guests/bench`');
}

function runQemu(opts: Options, image: string, version: string): QemuResult {
  const nop = nopImage(opts);
  const grossSeconds: number[] = [];
  const startupSeconds: number[] = [];
  let guest: GuestResult | undefined;
  // Interleaved, so that a slow spell of the host affects both alike.
  for (let i = 0; i < opts.runs; i++) {
    const s = runQemuOnce(nop, false, opts);
    if (s.status !== 0) {
      throw new BenchError(`QEMU: ${shown(nop)} exited with status ${s.status}\n  stderr (end):\n${lastLines(s.stderr, 8)}`);
    }
    startupSeconds.push(s.seconds);
    const r = runQemuOnce(image, false, opts);
    const g = checkGuest('QEMU', r.status, r.stdout, r.stderr);
    if (guest !== undefined) sameGuest(guest, g, 'QEMU: two runs disagree');
    guest = g;
    grossSeconds.push(r.seconds);
    progress(`QEMU run ${i + 1}/${opts.runs}: ${r.seconds.toFixed(3)} s (startup ${s.seconds.toFixed(3)} s)`);
  }
  const netSeconds = Math.min(...grossSeconds) - Math.min(...startupSeconds);
  if (!(netSeconds > 0)) throw new BenchError(`QEMU: the workload ran no longer than ${shown(nop)}: is the image too short?`);
  return { version, grossSeconds, startupSeconds, netSeconds, guest: guest! };
}

/** The exact instruction count, from QEMU in icount mode (where instret counts instructions). */
function qemuInstret(opts: Options, image: string): { instret: number; guest: GuestResult } {
  const r = runQemuOnce(image, true, opts);
  const guest = checkGuest('QEMU -icount', r.status, r.stdout, r.stderr);
  if (guest.instret === undefined) throw new BenchError('QEMU -icount: the guest printed no instret= line');
  return { instret: guest.instret, guest };
}

// ---- output ----

function progress(line: string): void {
  console.log(`  ${line}`);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Everything measured on one image. */
interface ImageResult {
  label: string;
  image: string;
  tsxen: Partial<Record<Engine, TsxenResult>>;
  qemu: QemuResult | undefined;
  icount: { instret: number; guest: GuestResult } | undefined;
  instructions: number | undefined;
  qemuMips: number | undefined;
}

/** Measures one image on every engine asked for; appends failures to `errors`. */
function measure(opts: Options, label: string, image: string, version: string | undefined, errors: string[]): ImageResult {
  const fail = (e: unknown): void => {
    if (!(e instanceof BenchError)) throw e;
    errors.push(`${label}: ${e.message}`);
    console.error(`\n*** ${label}: ${e.message}\n`);
  };
  const result: ImageResult = { label, image, tsxen: {}, qemu: undefined, icount: undefined, instructions: undefined, qemuMips: undefined };
  console.log(`\n== ${label}: ${shown(image)}`);
  if (opts.tsxen) {
    for (const engine of opts.engines) {
      console.log(`tsxen ${engine}: node ${tsxenCommand(shown(image), engine, 'STATS.json').map((a) => shown(a)).join(' ')}`);
      try {
        result.tsxen[engine] = runTsxen(opts, image, engine);
      } catch (e) {
        fail(e);
      }
    }
  }
  if (version !== undefined) {
    console.log(`QEMU: ${QEMU} ${qemuArgs(shown(image), false).join(' ')}   (${version})`);
    try {
      // One untimed run in icount mode, where the guest's instret is exact: the
      // instruction count when tsxen is not measured, a cross-check when it is.
      console.log(`      instructions: ${QEMU} ${qemuArgs(shown(image), true).join(' ')}`);
      result.icount = qemuInstret(opts, image);
      progress(`QEMU -icount: the guest counted ${result.icount.instret} instructions`);
      result.qemu = runQemu(opts, image, version);
      sameGuest(result.icount.guest, result.qemu.guest, 'QEMU with and without -icount computed different results');
    } catch (e) {
      fail(e);
    }
  }
  // Every engine measured is compared with the first one measured (in --engine order).
  const measured = opts.engines.filter((e) => result.tsxen[e] !== undefined);
  const runs = measured.map((e) => result.tsxen[e]!);
  const first = measured[0];
  for (const [i, engine] of measured.entries()) {
    const t = runs[i]!;
    try {
      if (i > 0) sameGuest(runs[0]!.guest, t.guest, `tsxen engines ${first} and ${engine} computed different results`);
      if (result.qemu !== undefined) sameGuest(t.guest, result.qemu.guest, `tsxen ${engine} and QEMU computed different results`);
    } catch (e) {
      fail(e);
    }
    if (i > 0 && t.best.instructions !== runs[0]!.best.instructions) {
      fail(new BenchError(`tsxen engines ${first} and ${engine} retired different instruction counts: ` +
        `${runs[0]!.best.instructions} vs ${t.best.instructions}`));
    }
  }
  result.instructions = runs[0]?.best.instructions ?? result.icount?.instret;
  if (result.qemu !== undefined && result.instructions !== undefined) {
    result.qemuMips = result.instructions / result.qemu.netSeconds / 1e6;
  }
  // QEMU -bios none starts in its reset ROM at 0x1000, which runs a few instructions before
  // jumping to 0x80000000 (where tsxen starts): a handful more is expected there.
  const instret = runs[0]?.guest.instret;
  if (instret !== undefined && result.icount !== undefined && Math.abs(instret - result.icount.instret) > 16) {
    console.log(`note: the guest's instret differs: ${instret} on tsxen, ${result.icount.instret} on QEMU -icount`);
  }
  return result;
}

function ratioOf(r: ImageResult, engine: Engine): number | undefined {
  const t = r.tsxen[engine];
  return t !== undefined && r.qemuMips !== undefined ? t.best.mips / r.qemuMips : undefined;
}

function imageJson(opts: Options, r: ImageResult): Record<string, unknown> {
  const guest = Object.values(r.tsxen)[0]?.guest ?? r.qemu?.guest;
  const engines: Record<string, unknown> = {};
  for (const [engine, t] of Object.entries(r.tsxen) as [Engine, TsxenResult][]) {
    engines[engine] = {
      command: ['node', ...tsxenCommand(shown(r.image), engine, 'STATS.json').map((a) => shown(a))].join(' '),
      instructions: t.best.instructions,
      cycles: t.best.cycles,
      wallSeconds: t.best.wallSeconds,
      processSeconds: t.best.processSeconds,
      mips: t.best.mips,
      ratioToQemu: ratioOf(r, engine) ?? null,
      allRuns: t.runs,
    };
  }
  return {
    image: shown(r.image),
    guest: guest !== undefined ? {
      checksum: guest.checksum,
      iterations: guest.iterations,
      instructions: r.instructions ?? null,
      instretOnTsxen: Object.values(r.tsxen)[0]?.guest.instret ?? null,
      instretOnQemuIcount: r.icount?.instret ?? null,
    } : null,
    tsxen: engines,
    qemu: r.qemu !== undefined ? {
      version: r.qemu.version,
      command: [QEMU, ...qemuArgs(shown(r.image), false)].join(' '),
      startupImage: shown(nopImage(opts)),
      netSeconds: r.qemu.netSeconds,
      grossSeconds: r.qemu.grossSeconds,
      startupSeconds: r.qemu.startupSeconds,
      mips: r.qemuMips ?? null,
    } : null,
  };
}

async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts === undefined) return 0;
  if (!existsSync(opts.image)) throw new BenchError(`${shown(opts.image)}: no such image (make -C guests/bench builds it)`);
  if (opts.mmuImage !== undefined && !existsSync(opts.mmuImage)) {
    throw new BenchError(`${shown(opts.mmuImage)}: no such image (make -C guests/bench builds it; --no-mmu skips it)`);
  }

  const errors: string[] = [];
  const version = opts.qemu ? qemuAvailable() : undefined;
  if (opts.qemu && version === undefined) console.log(`QEMU: ${QEMU} is not on PATH: skipped`);
  console.log(`bench:cpu  best of ${opts.runs} run${opts.runs > 1 ? 's' : ''} per engine`);

  const images: ImageResult[] = [measure(opts, 'MMU off (M-mode)', opts.image, version, errors)];
  if (opts.mmuImage !== undefined) images.push(measure(opts, 'MMU on (U-mode, Sv32)', opts.mmuImage, version, errors));

  if (images.every((r) => Object.keys(r.tsxen).length === 0 && r.qemu === undefined) && errors.length === 0) {
    errors.push('nothing was measured (tsxen skipped, QEMU not found)');
    console.error(`\n*** ${errors[0]}\n`);
  }

  const rows: string[][] = [['workload', 'engine', 'instructions', 'seconds', 'MIPS', 'vs QEMU']];
  for (const r of images) {
    const n = r.instructions !== undefined ? fmtCount(r.instructions) : '?';
    if (r.qemu !== undefined) {
      rows.push([r.label, 'QEMU (TCG)', n, r.qemu.netSeconds.toFixed(3), r.qemuMips !== undefined ? r.qemuMips.toFixed(1) : '?', '1.000']);
    }
    for (const engine of opts.engines) {
      const t = r.tsxen[engine];
      if (t === undefined) continue;
      const ratio = ratioOf(r, engine);
      rows.push([r.label, ENGINE_LABEL[engine], fmtCount(t.best.instructions),
        t.best.wallSeconds.toFixed(3), t.best.mips.toFixed(1), ratio !== undefined ? ratio.toFixed(3) : '-']);
    }
  }
  if (rows.length > 1) {
    console.log('');
    console.log(table(rows));
    for (const r of images) {
      let first = true;
      for (const engine of opts.engines) {
        const name = TRANSLATOR_NAME[engine];
        const ratio = ratioOf(r, engine);
        if (name === undefined || ratio === undefined) continue;
        console.log(`${first ? '\n' : ''}${r.label}: the ${name} translator runs guest code at ${(ratio * 100).toFixed(1)}% of QEMU's speed.`);
        first = false;
      }
      if (r.qemu !== undefined) {
        console.log(`${r.label}: QEMU seconds: best run ${Math.min(...r.qemu.grossSeconds).toFixed(3)} s - best startup ` +
          `${Math.min(...r.qemu.startupSeconds).toFixed(3)} s (${shown(nopImage(opts))}).`);
      }
    }
    console.log('tsxen seconds: the run loop only, as tsxen measures it (whole process times are in the JSON).');
  }

  const cpus = os.cpus();
  const results = {
    benchmark: 'cpu',
    date: new Date().toISOString(),
    node: process.version,
    host: {
      cpu: cpus[0]?.model.trim() ?? 'unknown',
      cores: cpus.length,
      platform: `${os.platform()} ${os.release()}`,
      arch: os.arch(),
      memoryBytes: os.totalmem(),
    },
    runs: opts.runs,
    mmuOff: imageJson(opts, images[0]!),
    mmuOn: images[1] !== undefined ? imageJson(opts, images[1]) : null,
    errors,
  };
  mkdirSync(path.dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults: ${shown(opts.out)}`);

  if (errors.length > 0) {
    console.error(`\nbench:cpu FAILED (${errors.length} error${errors.length > 1 ? 's' : ''}; see above)`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof BenchError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`bench:cpu: ${(e as Error).message}`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
