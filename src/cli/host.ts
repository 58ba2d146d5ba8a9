/* Host-wide commands: info and dmesg. */

import type { Command } from './command.js';
import { remote } from './remote.js';
import type { HostInfo } from '../toolstack/actions.js';

export function formatInfo(i: HostInfo): string {
  const rows: [string, string | number][] = [
    ['host', i.host], ['release', i.release], ['version', i.version], ['machine', i.machine],
    ['nr_cpus', i.nrCpus], ['cpu_mhz', i.cpuMhz],
    ['total_memory', Math.round(i.totalMemoryMiB)], ['free_memory', Math.round(i.freeMemoryMiB)],
    ['xen_major', i.xenMajor], ['xen_minor', i.xenMinor], ['xen_extra', i.xenExtra],
    ['xen_version', `${i.xenMajor}.${i.xenMinor}${i.xenExtra}`], ['xen_caps', i.xenCaps],
    ['xen_scheduler', i.xenScheduler], ['xen_pagesize', 4096],
    ['hypervisor_memory', Math.round(i.hypervisorMemoryMiB)],
    ['virtual_time', `${i.virtualTimeSec.toFixed(3)} s`], ['daemon_uptime', `${i.uptimeSec.toFixed(0)} s`],
    ['instructions', i.instructions],
  ];
  return rows.map(([k, v]) => `${k.padEnd(23)}: ${v}`).join('\n') + '\n';
}

export const hostCommands: Command[] = [
  {
    name: 'info', summary: 'information about the host and the hypervisor', usage: 'tsxen info',
    run: () => remote('info', async (c) => {
      process.stdout.write(formatInfo(await c.call<HostInfo>('GET', '/v1/info')));
      return 0;
    }),
  },
  {
    name: 'dmesg', summary: "the hypervisor's log (-c: clear it after reading)", usage: 'tsxen dmesg [-c]',
    run: (args) => remote('dmesg', async (c) => {
      const clear = args.includes('-c') || args.includes('--clear');
      const r = await c.call<{ lines: string[] }>(clear ? 'POST' : 'GET', clear ? '/v1/dmesg/clear' : '/v1/dmesg');
      process.stdout.write(r.lines.map((l) => `(XEN) ${l}\n`).join(''));
      return 0;
    }),
  },
];
