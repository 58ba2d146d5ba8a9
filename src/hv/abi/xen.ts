/*
 * Xen's public numbers, as the fact sheet (shared/reference/xen-abi.md) restates them:
 * hypercall numbers, sub-operations, error codes, domain ids, VIRQs, shutdown reasons.
 * Names follow Xen's headers with the common prefix dropped, so `Hypercall.mmu_update`
 * reads as `__HYPERVISOR_mmu_update` does.
 */

export const enum Hypercall {
  set_trap_table = 0, mmu_update = 1, set_callbacks = 4, sched_op_compat = 6,
  memory_op = 12, multicall = 13, update_va_mapping = 14, set_timer_op = 15,
  xen_version = 17, console_io = 18, grant_table_op = 20, vm_assist = 21,
  update_va_mapping_otherdomain = 22, vcpu_op = 24, mmuext_op = 26, sched_op = 29,
  callback_op = 30, event_channel_op = 32, physdev_op = 33, hvm_op = 34, sysctl = 35, domctl = 36,
}

/** Xen errno values (Appendix A); hypercalls return the negative. */
export const enum Errno {
  EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, E2BIG = 7, EBADF = 9, EAGAIN = 11,
  ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19,
  EINVAL = 22, ENOSPC = 28, ENOSYS = 38, ETIME = 62, EOPNOTSUPP = 95,
}

export const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 7: 'E2BIG', 9: 'EBADF', 11: 'EAGAIN',
  12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 19: 'ENODEV',
  22: 'EINVAL', 28: 'ENOSPC', 38: 'ENOSYS', 62: 'ETIME', 95: 'EOPNOTSUPP',
};

/**
 * A hypercall failure: thrown inside the hypervisor, returned to the guest as -errno.
 * Deliberately not an Error subclass: guests cause these by the thousand (a hostile one
 * on purpose), and capturing a JavaScript stack trace for each would make a refused
 * hypercall cost more than a successful one. The message is built only when read.
 */
export class XenError {
  readonly name = 'XenError';
  constructor(readonly errno: Errno, private readonly detail = '') {}

  get message(): string {
    return `${ERRNO_NAMES[this.errno] ?? `errno ${this.errno}`}${this.detail ? `: ${this.detail}` : ''}`;
  }

  toString(): string {
    return `XenError: ${this.message}`;
  }
}

export const DOMID_FIRST_RESERVED = 0x7ff0;
export const DOMID_SELF = 0x7ff0;
export const DOMID_IO = 0x7ff1;
export const DOMID_XEN = 0x7ff2;
export const DOMID_INVALID = 0x7ff4;
export const DOMID_IDLE = 0x7fff;

export const enum Virq {
  TIMER = 0, DEBUG = 1, CONSOLE = 2, DOM_EXC = 3,
}
export const NR_VIRQS = 24;
/** VIRQs bound per vCPU (others are per domain or global). */
export const PER_VCPU_VIRQS = new Set([Virq.TIMER, Virq.DEBUG, 7, 13]);
/** Global VIRQs (fact sheet §4.2 class G): raised on one handler domain — Domain 0 here. */
export const GLOBAL_VIRQS = new Set([Virq.CONSOLE, Virq.DOM_EXC, 4, 6, 8, 9, 10, 12, 16]);

export const enum ShutdownReason {
  poweroff = 0, reboot = 1, suspend = 2, crash = 3, watchdog = 4, soft_reset = 5,
}
export const SHUTDOWN_NAMES = ['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset'];

export const enum MmuCmd {
  NORMAL_PT_UPDATE = 0, MACHPHYS_UPDATE = 1, PT_UPDATE_PRESERVE_AD = 2, PT_UPDATE_NO_TRANSLATE = 3,
}

export const enum MmuextCmd {
  PIN_L1_TABLE = 0, PIN_L2_TABLE = 1, PIN_L3_TABLE = 2, PIN_L4_TABLE = 3, UNPIN_TABLE = 4,
  NEW_BASEPTR = 5, TLB_FLUSH_LOCAL = 6, INVLPG_LOCAL = 7, TLB_FLUSH_MULTI = 8, INVLPG_MULTI = 9,
  TLB_FLUSH_ALL = 10, INVLPG_ALL = 11, FLUSH_CACHE = 12, CLEAR_PAGE = 16, COPY_PAGE = 17,
}

/** update_va_mapping flags. */
export const UVMF_NONE = 0, UVMF_TLB_FLUSH = 1, UVMF_INVLPG = 2, UVMF_FLUSHTYPE_MASK = 3, UVMF_ALL = 4;

export const enum MemoryOp {
  increase_reservation = 0, decrease_reservation = 1, maximum_ram_page = 2,
  current_reservation = 3, maximum_reservation = 4, machphys_mfn_list = 5,
  populate_physmap = 6, machphys_mapping = 12, maximum_gpfn = 14,
}

export const enum EvtchnOp {
  bind_interdomain = 0, bind_virq = 1, bind_pirq = 2, close = 3, send = 4, status = 5,
  alloc_unbound = 6, bind_ipi = 7, bind_vcpu = 8, unmask = 9, reset = 10, init_control = 11,
}

export const enum EvtchnStatus { closed = 0, unbound = 1, interdomain = 2, pirq = 3, virq = 4, ipi = 5 }

export const enum SchedOp {
  yield = 0, block = 1, shutdown = 2, poll = 3, remote_shutdown = 4, shutdown_code = 5, watchdog = 6,
}
export const SCHED_POLL_MAX_PORTS = 128;

export const enum VcpuOp {
  initialise = 0, up = 1, down = 2, is_up = 3, get_runstate_info = 4,
  set_periodic_timer = 6, stop_periodic_timer = 7, set_singleshot_timer = 8, stop_singleshot_timer = 9,
  register_vcpu_info = 10, get_physid = 12,
}

export const enum XenVer {
  version = 0, extraversion = 1, compile_info = 2, capabilities = 3, changeset = 4,
  platform_parameters = 5, get_features = 6, pagesize = 7, guest_handle = 8, commandline = 9,
}

/** Feature bits reported in submap 0 to a PV guest. */
export const XENFEAT_writable_page_tables = 0;
export const XENFEAT_mmu_pt_update_preserve_ad = 5;
export const XENFEAT_dom0 = 11;

export const CONSOLEIO_write = 0, CONSOLEIO_read = 1;
export const VMASST_CMD_enable = 0, VMASST_CMD_disable = 1;
export const VMASST_TYPE_writable_pagetables = 2;

/** domctl commands (subset Domain 0 uses) and the interface version they carry. */
export const enum DomctlCmd {
  createdomain = 1, destroydomain = 2, pausedomain = 3, unpausedomain = 4, getdomaininfo = 5,
  max_mem = 11, max_vcpus = 15,
}
export const enum SysctlCmd { readconsole = 1, physinfo = 3 }

/** The version tsxen reports: Xen 3.0's interface. */
export const XEN_MAJOR = 3, XEN_MINOR = 0;
export const XEN_EXTRAVERSION = '.0-tsxen';
export const XEN_CAPABILITIES = 'xen-3.0-riscv32';
