/*
 * tsxen's command line: a command table and one module per command. Errors a user can
 * cause (bad arguments, missing files, bad images) print one line naming the problem and
 * exit non-zero; only an internal bug shows a stack trace.
 */

import type { Command } from './command.js';
import { UsageError } from './command.js';
import { runNativeCommand } from './run-native.js';
import { createCommand } from './create.js';
import { daemonCommand } from './daemon.js';
import { domainCommands } from './domain.js';
import { memoryCommands } from './memory.js';
import { hostCommands } from './host.js';
import { consoleCommand } from './console.js';
import { topCommand } from './top.js';
import { xenstoreCommands } from './xenstore.js';
import { blockCommands } from './block.js';
import { networkCommands } from './network.js';
import { schedCommands } from './sched.js';
import { demoCommand } from './demo.js';
import { UserError } from '../lib/user-error.js';

const COMMANDS: Command[] = [
  createCommand, consoleCommand, ...domainCommands, ...memoryCommands, ...hostCommands, topCommand,
  ...xenstoreCommands, ...blockCommands, ...networkCommands, ...schedCommands,
  daemonCommand, demoCommand, runNativeCommand,
];

function help(): string {
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`);
  return ['usage: tsxen <command> [options]', '', 'commands:', ...rows, '',
    "run 'tsxen <command> --help' for a command's options"].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return name === undefined ? 1 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    process.stderr.write(`tsxen: unknown command '${name}'\n${help()}\n`);
    return 1;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: ${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tsxen ${cmd.name}: ${e.message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    if (isNodeFsError(e)) {
      const what = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied'
        : e.code === 'EISDIR' ? 'is a directory' : e.message;
      process.stderr.write(`tsxen ${cmd.name}: ${e.path ?? ''}: ${what}\n`);
      return 1;
    }
    if (e instanceof UserError || e instanceof RangeError) {
      process.stderr.write(`tsxen ${cmd.name}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

function isNodeFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && 'syscall' in e;
}
