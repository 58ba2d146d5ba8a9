/* network-attach, network-detach, network-list: virtual interfaces, in xl's `vif=` syntax. */

import type { Command } from './command.js';
import { UsageError } from './command.js';
import { enc, remote } from './remote.js';
import { formatNetworkList } from '../toolstack/io.js';
import { parseVifSpec, VifSpecError } from '../backends/net/vif-spec.js';
import type { NetInfo } from '../backends/devices.js';

export const networkCommands: Command[] = [
  {
    name: 'network-attach', summary: 'attach a virtual network interface', usage: 'tsxen network-attach DOMAIN [mac=..] [bridge=..] [ip=..]',
    run: (args) => remote('network-attach', async (c) => {
      const [d, ...rest] = args;
      if (d === undefined) throw new UsageError('expected a domain');
      const spec = rest.join(',');
      try { parseVifSpec(spec, 1, 0); } catch (e) { if (e instanceof VifSpecError) throw new UsageError(e.message); throw e; }
      await c.call('POST', `/v1/domains/${enc(d)}/nics`, { spec });
      return 0;
    }),
  },
  {
    name: 'network-detach', summary: 'detach a virtual network interface', usage: 'tsxen network-detach DOMAIN DEVID|MAC',
    run: (args) => remote('network-detach', async (c) => {
      const [d, which] = args;
      if (d === undefined || which === undefined) throw new UsageError('expected a domain and a device id or MAC');
      await c.call('DELETE', `/v1/domains/${enc(d)}/nics/${enc(which)}`);
      return 0;
    }),
  },
  {
    name: 'network-list', summary: "list a domain's virtual network interfaces", usage: 'tsxen network-list DOMAIN',
    run: (args) => remote('network-list', async (c) => {
      const [d] = args;
      if (d === undefined) throw new UsageError('expected a domain');
      process.stdout.write(formatNetworkList(await c.call('GET', `/v1/domains/${enc(d)}/nics`) as NetInfo[]));
      return 0;
    }),
  },
];
