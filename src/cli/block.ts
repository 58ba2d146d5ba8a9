/* block-attach, block-detach, block-list: virtual disks, in xl's `disk=` syntax. */

import type { Command } from './command.js';
import { UsageError } from './command.js';
import { enc, remote } from './remote.js';
import { formatBlockList } from '../toolstack/io.js';
import { parseDiskSpec, DiskSpecError } from '../backends/blk/disk-spec.js';
import type { BlockInfo } from '../backends/devices.js';

export const blockCommands: Command[] = [
  {
    name: 'block-attach', summary: 'attach a virtual disk to a domain', usage: 'tsxen block-attach DOMAIN DISK-SPEC...',
    run: (args) => remote('block-attach', async (c) => {
      const [d, ...rest] = args;
      if (d === undefined || rest.length === 0) throw new UsageError('expected a domain and a disk spec');
      const spec = rest.join(',');
      try { parseDiskSpec(spec); } catch (e) { if (e instanceof DiskSpecError) throw new UsageError(e.message); throw e; }
      await c.call('POST', `/v1/domains/${enc(d)}/disks`, { spec });
      return 0;
    }),
  },
  {
    name: 'block-detach', summary: 'detach a virtual disk', usage: 'tsxen block-detach DOMAIN VDEV',
    run: (args) => remote('block-detach', async (c) => {
      const [d, vdev] = args;
      if (d === undefined || vdev === undefined) throw new UsageError('expected a domain and a device');
      await c.call('DELETE', `/v1/domains/${enc(d)}/disks/${enc(vdev)}`);
      return 0;
    }),
  },
  {
    name: 'block-list', summary: "list a domain's virtual disks", usage: 'tsxen block-list DOMAIN',
    run: (args) => remote('block-list', async (c) => {
      const [d] = args;
      if (d === undefined) throw new UsageError('expected a domain');
      process.stdout.write(formatBlockList(await c.call('GET', `/v1/domains/${enc(d)}/disks`) as BlockInfo[]));
      return 0;
    }),
  },
];
