/*
 * Virtual-time charges for hypervisor work (DESIGN.md §4), in cycles, on top of the
 * machine's own TRAP_ENTRY. Modelled on what the same work costs a native kernel on an
 * in-order core: a trap handler's dispatch is tens of cycles, saving and restoring a
 * register file plus an address-space switch a few hundred, one validated page-table
 * entry a handful. Every benchmark records this table, because changing it changes
 * every virtual-time figure.
 */
export const XEN_COST = {
  /** Entering the hypervisor for any trap: dispatch and bookkeeping. */
  ENTRY: 40,
  /** A hypercall's argument decoding and return path. */
  HYPERCALL: 60,
  /** One mmu_update / mmuext_op request or multicall entry. */
  BATCH_ITEM: 25,
  /** Checking one page-table entry and taking its references. */
  VALIDATE_ENTRY: 6,
  /** Bouncing a trap into the guest's own handler. */
  BOUNCE: 40,
  /** Decoding and emulating a write to a page table (writable page tables). */
  EMULATE_PT_WRITE: 120,
  /** Saving one vCPU's context and loading another's (registers, CSRs, satp). */
  WORLD_SWITCH: 250,
  /** Flushing a hart's TLB (refill cost is paid by the walks that follow). */
  TLB_FLUSH: 60,
  /** One scheduling decision: accounting, run-queue update, choosing the next vCPU. */
  SCHEDULE: 80,
  /** Raising an event (bitmap updates and a possible kick). */
  EVENT: 30,
  /** Per byte copied to or from guest memory by the hypervisor. */
  COPY_BYTE_NUM: 1, COPY_BYTE_DEN: 8,
} as const;
