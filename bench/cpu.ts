/*
 * `npm run bench:cpu`: guest MIPS on tsxen and on QEMU, side by side.
 *
 * Runs the CPU workload (guests/images/bench-cpu.elf, an M-mode image; see
 * guests/bench/cpu/) on
 *   tsxen:  node bin/tsxen.js run-native IMAGE --bios none --stats-json FILE
 *           (instructions and MIPS measured inside the process, around the run loop)
 *   QEMU:   qemu-system-riscv32 -M virt -bios none -nographic -monitor none -serial stdio -kernel IMAGE
 *           (TCG without -icount, timed from outside; the time of bench-nop.elf, which
 *           stops at once, is subtracted as QEMU's startup cost)
 * each --runs times, keeping the best run. QEMU's MIPS divide the guest's instruction
 * count (from tsxen's statistics, or else from one extra QEMU run with -icount shift=0,sleep=off,
 * in which the guest's `instret=` line is exact) by QEMU's net seconds.
 *
 * Every run must print `bench-cpu: PASS checksum=...` and exit 0, and both engines must
 * print the same checksum; otherwise the benchmark fails (exit status 1). Results go to a
 * table on stdout and to bench/results/cpu.json.
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

interface Options {
  image: string;
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
  return {
    image: values.image !== undefined ? path.resolve(values.image) : path.join(ROOT, 'guests/images/bench-cpu.elf'),
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

function tsxenCommand(image: string, statsFile: string): string[] {
  return [path.join(ROOT, 'bin/tsxen.js'), 'run-native', image, '--bios', 'none', '--stats-json', statsFile];
}

function runTsxenOnce(opts: Options, statsFile: string): { run: TsxenRun; guest: GuestResult } {
  rmSync(statsFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, tsxenCommand(opts.image, statsFile), {
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

function runTsxen(opts: Options): TsxenResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsxen-bench-'));
  try {
    const runs: TsxenRun[] = [];
    let guest: GuestResult | undefined;
    for (let i = 0; i < opts.runs; i++) {
      const one = runTsxenOnce(opts, path.join(dir, 'stats.json'));
      if (guest !== undefined) sameGuest(guest, one.guest, 'tsxen: two runs disagree');
      guest = one.guest;
      runs.push(one.run);
      progress(`tsxen run ${i + 1}/${opts.runs}: ${one.run.instructions} instructions in ${one.run.wallSeconds.toFixed(3)} s, ` +
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

function runQemu(opts: Options, version: string): QemuResult {
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
    const r = runQemuOnce(opts.image, false, opts);
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
function qemuInstret(opts: Options): { instret: number; guest: GuestResult } {
  const r = runQemuOnce(opts.image, true, opts);
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

async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts === undefined) return 0;
  if (!existsSync(opts.image)) throw new BenchError(`${shown(opts.image)}: no such image (make -C guests/bench builds it)`);

  const errors: string[] = [];
  let tsxen: TsxenResult | undefined;
  let qemu: QemuResult | undefined;
  let icount: { instret: number; guest: GuestResult } | undefined;

  console.log(`bench:cpu  image ${shown(opts.image)}, best of ${opts.runs} run${opts.runs > 1 ? 's' : ''}`);
  if (opts.tsxen) {
    console.log(`tsxen: node ${tsxenCommand(shown(opts.image), 'STATS.json').map((a) => shown(a)).join(' ')}`);
    try {
      tsxen = runTsxen(opts);
    } catch (e) {
      if (!(e instanceof BenchError)) throw e;
      errors.push(e.message);
      console.error(`\n*** ${e.message}\n`);
    }
  }

  const version = opts.qemu ? qemuAvailable() : undefined;
  if (opts.qemu && version === undefined) console.log(`QEMU: ${QEMU} is not on PATH: skipped`);
  if (version !== undefined) {
    console.log(`QEMU: ${QEMU} ${qemuArgs(shown(opts.image), false).join(' ')}   (${version})`);
    try {
      // One untimed run in icount mode, where the guest's instret is exact: the
      // instruction count when tsxen is not measured, a cross-check when it is.
      console.log(`      instructions: ${QEMU} ${qemuArgs(shown(opts.image), true).join(' ')}`);
      icount = qemuInstret(opts);
      progress(`QEMU -icount: the guest counted ${icount.instret} instructions`);
      qemu = runQemu(opts, version);
      sameGuest(icount.guest, qemu.guest, 'QEMU with and without -icount computed different results');
    } catch (e) {
      if (!(e instanceof BenchError)) throw e;
      errors.push(e.message);
      console.error(`\n*** ${e.message}\n`);
    }
  }

  if (tsxen !== undefined && qemu !== undefined) {
    try {
      sameGuest(tsxen.guest, qemu.guest, 'tsxen and QEMU computed different results');
    } catch (e) {
      errors.push((e as Error).message);
      console.error(`\n*** ${(e as Error).message}\n`);
    }
  }

  if (tsxen === undefined && qemu === undefined && errors.length === 0) {
    errors.push('nothing was measured (tsxen skipped, QEMU not found)');
    console.error(`\n*** ${errors[0]}\n`);
  }

  const instructions = tsxen?.best.instructions ?? icount?.instret;
  const qemuMips = qemu !== undefined && instructions !== undefined ? instructions / qemu.netSeconds / 1e6 : undefined;
  const ratio = tsxen !== undefined && qemuMips !== undefined ? tsxen.best.mips / qemuMips : undefined;

  const rows: string[][] = [['engine', 'instructions', 'seconds', 'MIPS', 'vs QEMU']];
  if (qemu !== undefined) {
    rows.push(['QEMU (TCG)', instructions !== undefined ? fmtCount(instructions) : '?', qemu.netSeconds.toFixed(3),
      qemuMips !== undefined ? qemuMips.toFixed(1) : '?', '1.000']);
  }
  if (tsxen !== undefined) {
    rows.push(['tsxen', fmtCount(tsxen.best.instructions), tsxen.best.wallSeconds.toFixed(3), tsxen.best.mips.toFixed(1),
      ratio !== undefined ? ratio.toFixed(3) : '-']);
  }
  // QEMU -bios none starts in its reset ROM at 0x1000, which runs a few instructions before
  // jumping to 0x80000000 (where tsxen starts): a handful more is expected there.
  if (tsxen?.guest.instret !== undefined && icount !== undefined && Math.abs(tsxen.guest.instret - icount.instret) > 16) {
    console.log(`note: the guest's instret differs: ${tsxen.guest.instret} on tsxen, ${icount.instret} on QEMU -icount`);
  }
  if (rows.length > 1) {
    console.log('');
    console.log(table(rows));
    if (ratio !== undefined) console.log(`\ntsxen runs guest code at ${(ratio * 100).toFixed(1)}% of QEMU's speed (QEMU is ${(1 / ratio).toFixed(1)}x faster).`);
    if (qemu !== undefined) {
      console.log(`QEMU seconds: best run ${Math.min(...qemu.grossSeconds).toFixed(3)} s - best startup ` +
        `${Math.min(...qemu.startupSeconds).toFixed(3)} s (${shown(nopImage(opts))}).`);
    }
    if (tsxen !== undefined) {
      console.log(`tsxen seconds: the run loop only, as tsxen measures it (whole process: ${tsxen.best.processSeconds.toFixed(3)} s).`);
    }
  }

  const guest = tsxen?.guest ?? qemu?.guest;
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
    image: shown(opts.image),
    runs: opts.runs,
    guest: guest !== undefined ? {
      checksum: guest.checksum,
      iterations: guest.iterations,
      instructions: instructions ?? null,
      instretOnTsxen: tsxen?.guest.instret ?? null,
      instretOnQemuIcount: icount?.instret ?? null,
    } : null,
    tsxen: tsxen !== undefined ? {
      command: ['node', ...tsxenCommand(shown(opts.image), 'STATS.json').map((a) => shown(a))].join(' '),
      instructions: tsxen.best.instructions,
      cycles: tsxen.best.cycles,
      wallSeconds: tsxen.best.wallSeconds,
      processSeconds: tsxen.best.processSeconds,
      mips: tsxen.best.mips,
      allRuns: tsxen.runs,
    } : null,
    qemu: qemu !== undefined ? {
      version: qemu.version,
      command: [QEMU, ...qemuArgs(shown(opts.image), false)].join(' '),
      startupImage: shown(nopImage(opts)),
      netSeconds: qemu.netSeconds,
      grossSeconds: qemu.grossSeconds,
      startupSeconds: qemu.startupSeconds,
      mips: qemuMips ?? null,
    } : null,
    ratio: ratio ?? null,
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
