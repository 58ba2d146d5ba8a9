/*
 * The guests' C view of the rv32 PV ABI (guests/xen/include/xen/*.h) must agree with the
 * hypervisor's (src/xen/abi/): the struct offsets and sizes the headers pin down with
 * _Static_assert, and the numbers they #define. Both sides restate Xen's facts
 * independently; this test is where a typo on either side shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';
import * as L from '../src/hv/abi/layout.js';
import { VCPU_GUEST_CONTEXT_SIZE } from '../src/hv/vcpu-context.js';
import {
  DOMID_SELF, DOMID_IO, DOMID_XEN, DOMID_INVALID, DOMID_IDLE, NR_VIRQS, Errno, EvtchnOp, Hypercall, MemoryOp,
  MmuCmd, MmuextCmd, SchedOp, ShutdownReason, VcpuOp, Virq, XenVer, UVMF_INVLPG, UVMF_TLB_FLUSH, UVMF_ALL,
  CONSOLEIO_write, CONSOLEIO_read, VMASST_TYPE_writable_pagetables,
} from '../src/hv/abi/xen.js';

const DIR = join(REPO_ROOT, 'guests', 'xen', 'include', 'xen');
const text = readdirSync(DIR).filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(DIR, f), 'utf8')).join('\n');

const defines = new Map<string, number>();
for (const m of text.matchAll(/^#define\s+(\w+)\s+\(?(0x[0-9a-fA-F]+|\d+)U?\)?\s*(?:\/\*.*)?$/gm)) {
  defines.set(m[1]!, Number(m[2]));
}
const offsets = new Map<string, number>();   // "struct.field" → offset, "struct" → size
for (const m of text.matchAll(/_Static_assert\(offsetof\(struct (\w+), ([\w.]+)\) == (\d+)/g)) offsets.set(`${m[1]}.${m[2]}`, Number(m[3]));
for (const m of text.matchAll(/_Static_assert\(sizeof\(struct (\w+)\) == (\d+)/g)) offsets.set(m[1]!, Number(m[2]));

/** C struct name → the hypervisor's table, and C field paths whose TS names differ. */
const TABLES: Record<string, { table: Record<string, number>; rename?: Record<string, string> }> = {
  start_info: { table: L.START_INFO, rename: { 'console.domU.mfn': 'console_mfn', 'console.domU.evtchn': 'console_evtchn' } },
  vcpu_info: { table: L.VCPU_INFO },
  vcpu_time_info: { table: L.VCPU_TIME_INFO },
  shared_info: { table: L.SHARED_INFO, rename: { arch: 'arch_max_pfn' } },
  mmu_update: { table: L.MMU_UPDATE },
  mmuext_op: { table: L.MMUEXT_OP },
  multicall_entry: { table: L.MULTICALL_ENTRY },
  xen_memory_reservation: { table: L.MEMORY_RESERVATION },
  sched_poll: { table: L.SCHED_POLL },
  vcpu_set_singleshot_timer: { table: L.VCPU_SET_SINGLESHOT_TIMER },
  vcpu_set_periodic_timer: { table: L.VCPU_SET_PERIODIC_TIMER },
  evtchn_bind_interdomain: { table: L.EVTCHN.bind_interdomain },
  evtchn_bind_virq: { table: L.EVTCHN.bind_virq },
  evtchn_close: { table: L.EVTCHN.close },
  evtchn_send: { table: L.EVTCHN.send },
  evtchn_status: { table: L.EVTCHN.status, rename: { 'u.interdomain.port': 'u_port' } },
  evtchn_alloc_unbound: { table: L.EVTCHN.alloc_unbound },
  evtchn_bind_ipi: { table: L.EVTCHN.bind_ipi },
  evtchn_bind_vcpu: { table: L.EVTCHN.bind_vcpu },
  evtchn_reset: { table: L.EVTCHN.reset },
};

test('struct layouts in the C headers equal the hypervisor\'s layout tables', () => {
  let compared = 0;
  for (const [key, value] of offsets) {
    const [struct, ...path] = key.split('.');
    const entry = TABLES[struct!];
    if (entry === undefined) continue;
    const field = path.length === 0 ? 'SIZE' : (entry.rename?.[path.join('.')] ?? path.join('.'));
    const ts = entry.table[field];
    if (ts === undefined) continue;   // a field the hypervisor does not name
    assert.equal(value, ts, `${key}: C says ${value}, src/xen/abi says ${ts}`);
    compared++;
  }
  assert.ok(compared >= 60, `only ${compared} offsets compared`);
  for (const struct of Object.keys(TABLES)) assert.ok(offsets.has(struct), `the headers assert sizeof(struct ${struct})`);
  assert.equal(offsets.get('vcpu_guest_context'), VCPU_GUEST_CONTEXT_SIZE, 'sizeof(struct vcpu_guest_context)');
});

test('numbers #defined in the C headers equal the hypervisor\'s', () => {
  const expect: Record<string, number> = {
    __HYPERVISOR_mmu_update: Hypercall.mmu_update, __HYPERVISOR_memory_op: Hypercall.memory_op,
    __HYPERVISOR_multicall: Hypercall.multicall, __HYPERVISOR_update_va_mapping: Hypercall.update_va_mapping,
    __HYPERVISOR_set_timer_op: Hypercall.set_timer_op, __HYPERVISOR_xen_version: Hypercall.xen_version,
    __HYPERVISOR_console_io: Hypercall.console_io, __HYPERVISOR_grant_table_op: Hypercall.grant_table_op,
    __HYPERVISOR_vm_assist: Hypercall.vm_assist,
    __HYPERVISOR_update_va_mapping_otherdomain: Hypercall.update_va_mapping_otherdomain,
    __HYPERVISOR_vcpu_op: Hypercall.vcpu_op, __HYPERVISOR_mmuext_op: Hypercall.mmuext_op,
    __HYPERVISOR_sched_op: Hypercall.sched_op, __HYPERVISOR_event_channel_op: Hypercall.event_channel_op,
    __HYPERVISOR_sysctl: Hypercall.sysctl, __HYPERVISOR_domctl: Hypercall.domctl,
    DOMID_SELF, DOMID_IO, DOMID_XEN, DOMID_INVALID, DOMID_IDLE, NR_VIRQS,
    VIRQ_TIMER: Virq.TIMER, VIRQ_DEBUG: Virq.DEBUG, VIRQ_CONSOLE: Virq.CONSOLE, VIRQ_DOM_EXC: Virq.DOM_EXC,
    MMU_NORMAL_PT_UPDATE: MmuCmd.NORMAL_PT_UPDATE, MMU_MACHPHYS_UPDATE: MmuCmd.MACHPHYS_UPDATE,
    MMU_PT_UPDATE_PRESERVE_AD: MmuCmd.PT_UPDATE_PRESERVE_AD,
    MMUEXT_PIN_L1_TABLE: MmuextCmd.PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE: MmuextCmd.PIN_L2_TABLE,
    MMUEXT_UNPIN_TABLE: MmuextCmd.UNPIN_TABLE, MMUEXT_NEW_BASEPTR: MmuextCmd.NEW_BASEPTR,
    MMUEXT_TLB_FLUSH_LOCAL: MmuextCmd.TLB_FLUSH_LOCAL, MMUEXT_INVLPG_LOCAL: MmuextCmd.INVLPG_LOCAL,
    MMUEXT_TLB_FLUSH_ALL: MmuextCmd.TLB_FLUSH_ALL, MMUEXT_CLEAR_PAGE: MmuextCmd.CLEAR_PAGE,
    MMUEXT_COPY_PAGE: MmuextCmd.COPY_PAGE,
    UVMF_TLB_FLUSH, UVMF_INVLPG, UVMF_ALL, CONSOLEIO_write, CONSOLEIO_read, VMASST_TYPE_writable_pagetables,
    XENMEM_increase_reservation: MemoryOp.increase_reservation, XENMEM_decrease_reservation: MemoryOp.decrease_reservation,
    XENMEM_maximum_ram_page: MemoryOp.maximum_ram_page, XENMEM_current_reservation: MemoryOp.current_reservation,
    XENMEM_maximum_reservation: MemoryOp.maximum_reservation, XENMEM_populate_physmap: MemoryOp.populate_physmap,
    EVTCHNOP_bind_interdomain: EvtchnOp.bind_interdomain, EVTCHNOP_bind_virq: EvtchnOp.bind_virq,
    EVTCHNOP_close: EvtchnOp.close, EVTCHNOP_send: EvtchnOp.send, EVTCHNOP_status: EvtchnOp.status,
    EVTCHNOP_alloc_unbound: EvtchnOp.alloc_unbound, EVTCHNOP_bind_ipi: EvtchnOp.bind_ipi,
    EVTCHNOP_bind_vcpu: EvtchnOp.bind_vcpu, EVTCHNOP_unmask: EvtchnOp.unmask, EVTCHNOP_reset: EvtchnOp.reset,
    SCHEDOP_yield: SchedOp.yield, SCHEDOP_block: SchedOp.block, SCHEDOP_shutdown: SchedOp.shutdown,
    SCHEDOP_poll: SchedOp.poll, SCHEDOP_remote_shutdown: SchedOp.remote_shutdown,
    SHUTDOWN_poweroff: ShutdownReason.poweroff, SHUTDOWN_reboot: ShutdownReason.reboot,
    SHUTDOWN_suspend: ShutdownReason.suspend, SHUTDOWN_crash: ShutdownReason.crash,
    VCPUOP_up: VcpuOp.up, VCPUOP_is_up: VcpuOp.is_up, VCPUOP_set_singleshot_timer: VcpuOp.set_singleshot_timer,
    VCPUOP_register_vcpu_info: VcpuOp.register_vcpu_info,
    XENVER_version: XenVer.version, XENVER_platform_parameters: XenVer.platform_parameters,
    XENVER_get_features: XenVer.get_features,
    XEN_EPERM: Errno.EPERM, XEN_ESRCH: Errno.ESRCH, XEN_EFAULT: Errno.EFAULT, XEN_EINVAL: Errno.EINVAL,
    XEN_ENOSYS: Errno.ENOSYS, XEN_ENOMEM: Errno.ENOMEM, XEN_EBUSY: Errno.EBUSY, XEN_EEXIST: Errno.EEXIST,
  };
  for (const [name, value] of Object.entries(expect)) {
    assert.equal(defines.get(name), value, `${name}: C says ${defines.get(name)}, src/xen/abi says ${value}`);
  }
});
