/*
 * `tsxen run-native IMAGE.elf`: boots an image on the bare rv32 machine (no hypervisor)
 * with its console on the terminal. The exit status is the guest's: 0 for a finisher
 * pass or SBI shutdown, the failure code for a finisher fail, 124 when --max-insns ran
 * out, 125 when every hart waits forever.
 */

import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { NativeSession, describeStop, type Bios } from '../native/native-run.js';
import { parseSize } from '../lib/size.js';
import { ImageError, parseElf } from '../lib/elf.js';
import { disassemble } from '../machine/rv32/disasm.js';
import { RAM_BASE, MAX_HARTS, DEFAULT_ENGINE, type Engine } from '../machine/rv32/machine.js';
import { ConsoleWriter, attachTerminalInput } from './terminal.js';

const USAGE = `tsxen run-native IMAGE.elf [--bios none|sbi|auto] [--harts N] [--mem SIZE] [--max-insns N]
                  [--trace] [--realtime] [--no-reboot] [--stats-json FILE] [--engine wasm|jit|interp]

  --bios none      the image starts in M-mode at its entry on every hart (QEMU -bios none)
  --bios sbi       tsxen's SBI firmware starts the image in S-mode on hart 0
  --bios auto      none when the entry is the reset vector 0x80000000, else sbi (default)
  --harts N        harts (1-${MAX_HARTS}, default 1)
  --mem SIZE       RAM size, e.g. 64M, 1G (default 128M; a bare number means MiB)
  --max-insns N    stop after N instructions (exit status 124)
  --trace          print every instruction to stderr
  --realtime       pace virtual time to the wall clock
  --no-reboot      exit on a guest reset request instead of restarting the image
  --stats-json F   write instructions, cycles, wall time and MIPS to file F
  --signature F    write the words between begin_signature and end_signature to F
  --engine E       wasm: the block translator to WebAssembly; jit: to JavaScript;
                   interp: the interpreter (default ${DEFAULT_ENGINE})
An image with a 'tohost' symbol may also finish through it (riscv-tests' HTIF convention).
Console: Ctrl-] quits.`;

export const runNativeCommand: Command = {
  name: 'run-native',
  summary: 'boot an RV32 image on the bare machine, console on this terminal',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          bios: { type: 'string', default: 'auto' },
          harts: { type: 'string', default: '1' },
          mem: { type: 'string', default: '128M' },
          'max-insns': { type: 'string' },
          trace: { type: 'boolean', default: false },
          realtime: { type: 'boolean', default: false },
          'no-reboot': { type: 'boolean', default: false },
          'stats-json': { type: 'string' },
          signature: { type: 'string' },
          engine: { type: 'string', default: DEFAULT_ENGINE },
        },
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no image given' : 'only one image, please');
    const file = positionals[0]!;

    const harts = Number(values.harts);
    if (!Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) {
      throw new UsageError(`--harts must be a whole number from 1 to ${MAX_HARTS}, got '${values.harts}'`);
    }
    let ramSize: number;
    try { ramSize = parseSize(values.mem!); } catch (e) { throw new UsageError(`--mem: ${(e as Error).message}`); }
    if (ramSize % 4096 !== 0 || ramSize < 4096 || ramSize > 2 * 1024 ** 3) {
      throw new UsageError(`--mem must be a multiple of 4 KiB from 4K to 2G, got '${values.mem}'`);
    }
    let maxInsns: number | undefined;
    if (values['max-insns'] !== undefined) {
      maxInsns = Number(values['max-insns']);
      if (!Number.isSafeInteger(maxInsns) || maxInsns <= 0) {
        throw new UsageError(`--max-insns must be a positive whole number, got '${values['max-insns']}'`);
      }
    }

    const engine = values.engine;
    if (engine !== 'interp' && engine !== 'jit' && engine !== 'wasm') throw new UsageError(`--engine must be interp, jit or wasm, got '${engine}'`);

    if (!existsSync(file)) throw new ImageError(`${file}: no such file`);
    if (statSync(file).isDirectory()) throw new ImageError(`${file}: is a directory, not an image`);
    const bytes = new Uint8Array(readFileSync(file));
    let bios: Bios;
    if (values.bios === 'none' || values.bios === 'sbi') bios = values.bios;
    else if (values.bios === 'auto') bios = parseElf(bytes, file).entry === RAM_BASE ? 'none' : 'sbi';
    else throw new UsageError(`--bios must be none, sbi or auto, got '${values.bios}'`);

    const out = new ConsoleWriter(process.stdout);
    const session = new NativeSession(bytes, file, {
      bios, harts, ramSize, reboot: !values['no-reboot'], engine: engine as Engine,
      consoleOut: (b) => out.put(b),
      ...(maxInsns !== undefined ? { maxInsns } : {}),
      ...(values.trace ? { trace: traceLine } : {}),
    });

    let quit = false;
    const input = attachTerminalInput(process.stdin, {
      onData: (data) => { session.machine.consoleInput(data); },
      onQuit: () => { quit = true; },
    });
    let result;
    try {
      result = await session.runInteractive({
        realtime: values.realtime,
        shouldStop: () => { out.flush(); return quit; },
      });
    } finally {
      out.flush();
      input.detach();
    }
    if (quit) process.stderr.write('\ntsxen: quit from the console\n');
    else if (!(result.reason.kind === 'finisher' && result.reason.event.kind === 'pass') &&
             !(result.reason.kind === 'shutdown' && result.reason.code === 0) &&
             !(result.reason.kind === 'htif' && result.reason.code === 0)) {
      process.stderr.write(`tsxen: ${describeStop(result.reason)} after ${result.instructions} instructions\n`);
    }
    if (values.signature !== undefined) {
      const sig = session.signature();
      if (sig === null) throw new ImageError(`${file}: no begin_signature/end_signature symbols to dump`);
      writeFileSync(values.signature, sig);
    }
    if (values['stats-json'] !== undefined) {
      writeFileSync(values['stats-json'], JSON.stringify({
        image: file, bios, harts, engine,
        instructions: result.instructions, cycles: result.cycles,
        wallSeconds: result.wallSeconds, mips: result.mips, exitCode: result.exitCode,
        stop: describeStop(result.reason),
      }, null, 2) + '\n');
    }
    // A process status has 8 bits: a larger failure code must not wrap around to success.
    return quit ? 130 : result.exitCode > 255 ? 255 : result.exitCode;
  },
};

function traceLine(hart: { id: number; mode: number }, pc: number, raw: number): void {
  const mode = 'USHM'[hart.mode];
  process.stderr.write(
    `hart${hart.id} ${mode} ${(pc >>> 0).toString(16).padStart(8, '0')}: ` +
    `${(raw >>> 0).toString(16).padStart(8, '0')}  ${disassemble(raw, pc)}\n`,
  );
}
