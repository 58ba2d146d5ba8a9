/*
 * Byte offsets of the guest-visible structures, rv32 PV (docs/pv-abi.md): Xen's x86-64
 * layouts, because rv32 follows the ARM-style rules (u64 8-aligned, 64-bit xen_ulong_t
 * and guest handles). One table per struct; sizes are in `SIZE`.
 */

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export const START_INFO = {
  magic: 0, nr_pages: 32, shared_info: 40, flags: 48, store_mfn: 56, store_evtchn: 64,
  console_mfn: 72, console_evtchn: 80, pt_base: 88, nr_pt_frames: 96, mfn_list: 104,
  mod_start: 112, mod_len: 120, cmd_line: 128, first_p2m_pfn: 1152, nr_p2m_frames: 1160,
  SIZE: 1168,
} as const;
export const MAX_GUEST_CMDLINE = 1024;
export const SIF_PRIVILEGED = 1, SIF_INITDOMAIN = 2;
export const START_INFO_MAGIC = 'xen-3.0-riscv32';

export const VCPU_INFO = {
  evtchn_upcall_pending: 0, evtchn_upcall_mask: 1, evtchn_pending_sel: 8, arch: 16, time: 32,
  SIZE: 64,
} as const;

export const VCPU_TIME_INFO = {
  version: 0, tsc_timestamp: 8, system_time: 16, tsc_to_system_mul: 24, tsc_shift: 28, flags: 29,
  SIZE: 32,
} as const;

export const SHARED_INFO = {
  vcpu_info: 0, evtchn_pending: 2048, evtchn_mask: 2560, wc_version: 3072, wc_sec: 3076,
  wc_nsec: 3080, wc_sec_hi: 3084, arch_max_pfn: 3088, SIZE: 3136,
} as const;
export const LEGACY_MAX_VCPUS = 32;
/** 2-level event channels with 64-bit words: 64 words of 64 bits. */
export const NR_EVENT_CHANNELS = 4096;

export const MMU_UPDATE = { ptr: 0, val: 8, SIZE: 16 } as const;
export const MMUEXT_OP = { cmd: 0, arg1: 8, arg2: 16, SIZE: 24 } as const;
export const MULTICALL_ENTRY = { op: 0, result: 8, args: 16, SIZE: 64 } as const;
export const MEMORY_RESERVATION = {
  extent_start: 0, nr_extents: 8, extent_order: 16, mem_flags: 20, domid: 24, SIZE: 32,
} as const;
export const SCHED_POLL = { ports: 0, nr_ports: 8, timeout: 16, SIZE: 24 } as const;
export const VCPU_SET_SINGLESHOT_TIMER = { timeout_abs_ns: 0, flags: 8, SIZE: 16 } as const;
export const VCPU_SET_PERIODIC_TIMER = { period_ns: 0, SIZE: 8 } as const;

/** event_channel_op argument structs (identical on x32 and x64). */
export const EVTCHN = {
  bind_interdomain: { remote_dom: 0, remote_port: 4, local_port: 8, SIZE: 12 },
  bind_virq: { virq: 0, vcpu: 4, port: 8, SIZE: 12 },
  close: { port: 0, SIZE: 4 },
  send: { port: 0, SIZE: 4 },
  status: { dom: 0, port: 4, status: 8, vcpu: 12, u: 16, u_port: 20, SIZE: 24 },
  alloc_unbound: { dom: 0, remote_dom: 2, port: 4, SIZE: 8 },
  bind_ipi: { vcpu: 0, port: 4, SIZE: 8 },
  bind_vcpu: { port: 0, vcpu: 4, SIZE: 8 },
  unmask: { port: 0, SIZE: 4 },
  reset: { dom: 0, SIZE: 2 },
} as const;

/** The leading part of xen_domctl/xen_sysctl: cmd, interface_version, domain, then the union. */
export const DOMCTL = { cmd: 0, interface_version: 4, domain: 8, u: 16, SIZE: 16 + 128 } as const;
export const SYSCTL = { cmd: 0, interface_version: 4, u: 8, SIZE: 8 + 128 } as const;
