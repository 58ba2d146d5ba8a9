/*
 * event_channel_op(cmd, arg) (fact sheet §4.1): decodes each sub-op's struct from guest
 * memory, applies it to the caller's port table (or, for privileged callers, another
 * domain's), and writes the out fields back. The port-table logic is event-channel.ts.
 */

import type { Call } from './call.js';
import { DOMID_SELF, Errno, EvtchnOp, XenError } from '../abi/xen.js';
import { EVTCHN } from '../abi/layout.js';
import { XEN_COST } from '../costs.js';

export function eventChannelOp(c: Call, a: readonly number[]): number {
  const cmd = a[0]! >>> 0, arg = a[1]! >>> 0;
  const m = c.mem;
  const ev = c.dom.evtchn;
  c.hart.charge(XEN_COST.EVENT);
  switch (cmd) {
    case EvtchnOp.alloc_unbound: {
      const L = EVTCHN.alloc_unbound;
      m.checkWritable(arg, L.SIZE);
      const d = c.target(m.u16(arg + L.dom));
      const port = d.evtchn.allocUnbound(m.u16(arg + L.remote_dom));
      m.setU32(arg + L.port, port);
      return 0;
    }
    case EvtchnOp.bind_interdomain: {
      const L = EVTCHN.bind_interdomain;
      m.checkWritable(arg, L.SIZE);
      const remoteDom = m.u16(arg + L.remote_dom);
      const port = ev.bindInterdomain(remoteDom === DOMID_SELF ? c.dom.id : remoteDom, m.u32(arg + L.remote_port));
      m.setU32(arg + L.local_port, port);
      return 0;
    }
    case EvtchnOp.bind_virq: {
      const L = EVTCHN.bind_virq;
      m.checkWritable(arg, L.SIZE);
      m.setU32(arg + L.port, ev.bindVirq(m.u32(arg + L.virq), m.u32(arg + L.vcpu)));
      return 0;
    }
    case EvtchnOp.bind_ipi: {
      const L = EVTCHN.bind_ipi;
      m.checkWritable(arg, L.SIZE);
      m.setU32(arg + L.port, ev.bindIpi(m.u32(arg + L.vcpu)));
      return 0;
    }
    case EvtchnOp.close:
      ev.close(m.u32(arg + EVTCHN.close.port));
      return 0;
    case EvtchnOp.send:
      ev.send(m.u32(arg + EVTCHN.send.port));
      return 0;
    case EvtchnOp.status: {
      const L = EVTCHN.status;
      m.checkWritable(arg, L.SIZE);
      const d = c.target(m.u16(arg + L.dom));
      const s = d.evtchn.status(m.u32(arg + L.port));
      m.setU32(arg + L.status, s.status);
      m.setU32(arg + L.vcpu, s.vcpu);
      m.setU32(arg + L.u, s.a);
      m.setU32(arg + L.u_port, s.b);
      return 0;
    }
    case EvtchnOp.bind_vcpu:
      ev.bindVcpu(m.u32(arg + EVTCHN.bind_vcpu.port), m.u32(arg + EVTCHN.bind_vcpu.vcpu));
      return 0;
    case EvtchnOp.unmask: {
      const port = m.u32(arg + EVTCHN.unmask.port);
      ev.port(port);
      c.hv.unmask(c.dom, port);
      return 0;
    }
    case EvtchnOp.reset: {
      const d = c.target(m.u16(arg + EVTCHN.reset.dom));
      d.evtchn.reset();
      return 0;
    }
    case EvtchnOp.init_control:
      throw new XenError(Errno.ENOSYS, 'the FIFO event ABI is not implemented; use 2-level');
    default:
      throw new XenError(Errno.ENOSYS, `event_channel_op ${cmd}`);
  }
}
