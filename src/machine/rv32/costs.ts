/*
 * Virtual-time costs, in cycles, of events that are not plain instructions.
 *
 * DESIGN.md §4: virtual time must not make machine or hypervisor work look free. A
 * retired instruction costs 1 cycle; the figures below are charged on top, modelled on
 * in-order RISC-V cores (a trap flushes the pipeline and redirects fetch: tens of cycles).
 * Changing a figure changes every virtual-time result, so benchmarks record this table.
 */
export const COST = {
  /** Entering a trap handler (exception or interrupt), either privilege. */
  TRAP_ENTRY: 20,
} as const;

/** Default virtual clock: 100 MHz harts, 10 MHz mtime (QEMU virt's timebase). */
export const DEFAULT_CPU_HZ = 100_000_000;
export const TIMEBASE_HZ = 10_000_000;
