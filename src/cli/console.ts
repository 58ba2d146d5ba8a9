/*
 * `tsxen console DOMAIN`: attaches the terminal to a domain's console through the
 * daemon's WebSocket stream. Recent output is shown first; keystrokes go to the guest;
 * Ctrl-] detaches (the domain keeps running). The command ends when the domain goes.
 */

import type { Command } from './command.js';
import { positionals, remote } from './remote.js';
import { attachTerminalInput } from './terminal.js';

export const consoleCommand: Command = {
  name: 'console',
  summary: "attach to a domain's console (Ctrl-] detaches)",
  usage: 'tsxen console DOMAIN',
  run: (args) => remote('console', async (c) => {
    const [d] = positionals(args, 1, 'one domain (name or id)');
    const ws = await c.consoleStream(d!);
    return await new Promise<number>((resolve) => {
      const input = attachTerminalInput(process.stdin, {
        onData: (data) => ws.send(Buffer.from(data)),
        onQuit: () => { input.detach(); ws.close(); resolve(0); },
      });
      ws.onMessage = (data) => process.stdout.write(data);
      ws.onClose = () => { input.detach(); resolve(0); };
    });
  }),
};
