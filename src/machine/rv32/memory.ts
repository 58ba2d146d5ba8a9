/*
 * The machine's memory: one WebAssembly.Memory that holds guest RAM and the state that
 * translated code reads and writes directly — each hart's registers and TLBs, the RAM
 * code-page and code-word maps, and the WebAssembly translator's tables (jit/wasm/).
 *
 *   0 ........ stateBytes                      state area (allocated once, in order)
 *   ramOffset  ramOffset + ramSize             guest RAM (Ram's typed-array views)
 *
 * Everything else in the machine keeps using plain typed arrays; they are simply views
 * into this one buffer, so the interpreter, the JavaScript translator, the hypervisor and
 * the backends see the same bytes the WebAssembly blocks do. The memory never grows, so
 * the views never detach. (Not to be confused with the hypervisor's MachineMemory,
 * src/hv/mm, which is Xen's "machine memory": RAM by machine frame.)
 */

const WASM_PAGE = 65536;

export class MemoryArena {
  readonly memory: WebAssembly.Memory;
  readonly buffer: ArrayBuffer;
  /** Byte offset of RAM byte 0. */
  readonly ramOffset: number;
  private next = 64; // offset 0 stays unused: 0 means "none" in the translator's tables

  constructor(readonly ramSize: number, stateBytes: number) {
    this.ramOffset = Math.ceil((stateBytes + 64) / WASM_PAGE) * WASM_PAGE;
    const pages = (this.ramOffset + ramSize) / WASM_PAGE;
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.buffer = this.memory.buffer;
  }

  /** Reserves `bytes` of the state area (64-byte aligned); returns its byte offset. */
  alloc(bytes: number): number {
    const at = this.next;
    const end = at + Math.ceil(bytes / 64) * 64;
    if (end > this.ramOffset) throw new Error(`machine state area exhausted (${end} > ${this.ramOffset})`);
    this.next = end;
    return at;
  }
}
