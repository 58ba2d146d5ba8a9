/*
 * The PV domain builder (Domain 0's libxenguest): turns a kernel ELF and a size into a
 * paused domain whose vCPU 0 will enter the kernel with the boot state of
 * docs/pv-abi.md — kernel, P2M array, start_info, xenstore and console pages, bootstrap
 * page tables (pinned, mapped read-only) and a stack, all mapped 1:1 from virt_base.
 *
 * It works the way Xen's builder does: populate the domain's memory (scattered machine
 * frames), write into those frames through foreign mappings, build the tables as plain
 * data, then pin the root — which validates every entry — and set vCPU 0's context.
 */

import { parseElf, ImageError } from '../lib/elf.js';
import type { Control } from '../hv/control.js';
import { START_INFO, START_INFO_MAGIC, MAX_GUEST_CMDLINE, PAGE_SIZE } from '../hv/abi/layout.js';
import { PTE_A, PTE_D, PTE_R, PTE_V, PTE_W, PTE_X } from '../hv/mm/pte.js';

const MIB = 1024 * 1024;
const SUPERPAGE = 4 * MIB;
/** Mapped slack required after the bootstrap stack (Xen's start-of-day rule). */
const SLACK = 512 * 1024;

export interface BuildSpec {
  name: string;
  kernel: Uint8Array;
  kernelPath: string;
  memoryMiB: number;
  maxMemMiB?: number;
  vcpus: number;
  cmdline?: string;
  ramdisk?: Uint8Array;
}

/** Where the builder put things (the toolstack's record of a domain). */
export interface BuiltDomain {
  domid: number;
  virtBase: number;
  entry: number;
  nrPages: number;
  startInfoPfn: number;
  storeMfn: number;
  storePort: number;
  consoleMfn: number;
  consolePort: number;
  ptFrames: number;
  p2m: number[];
}

export function buildPvDomain(ctl: Control, spec: BuildSpec): BuiltDomain {
  const img = parseElf(spec.kernel, spec.kernelPath);
  if (img.segments.length === 0) throw new ImageError(`${spec.kernelPath}: no loadable segments`);
  let lo = Infinity, hi = 0;
  for (const s of img.segments) {
    lo = Math.min(lo, s.vaddr);
    hi = Math.max(hi, s.vaddr + s.memSize);
  }
  const virtBase = Math.floor(lo / SUPERPAGE) * SUPERPAGE;
  if (virtBase + 0 >= 0xfc000000 || hi > 0xfc000000) {
    throw new ImageError(`${spec.kernelPath}: kernel overlaps the hypervisor window at 0xfc000000`);
  }
  if (img.entry < lo || img.entry >= hi) throw new ImageError(`${spec.kernelPath}: entry point outside the image`);
  const nrPages = Math.floor(spec.memoryMiB * MIB / PAGE_SIZE);
  const pagesFor = (bytes: number): number => Math.ceil(bytes / PAGE_SIZE);

  // The start-of-day layout, in pseudo-physical pages from virt_base.
  let pfn = pagesFor(hi - virtBase);
  const ramdiskPfn = pfn;
  pfn += spec.ramdisk !== undefined ? pagesFor(spec.ramdisk.length) : 0;
  const p2mPfn = pfn;
  const p2mPages = pagesFor(nrPages * 4);
  pfn += p2mPages;
  const startInfoPfn = pfn++;
  const storePfn = pfn++;
  const consolePfn = pfn++;
  const ptPfn = pfn;
  // The tables map the region they sit in: grow the count until it covers itself.
  let l1Count = 1;
  let mappedPages = 0;
  for (;;) {
    const stackEnd = (ptPfn + 1 + l1Count + 1) * PAGE_SIZE;
    const mapped = Math.ceil((stackEnd + SLACK) / SUPERPAGE) * SUPERPAGE;
    const need = mapped / SUPERPAGE;
    if (need <= l1Count) { mappedPages = mapped / PAGE_SIZE; break; }
    l1Count = need;
  }
  const stackPfn = ptPfn + 1 + l1Count;
  if (stackPfn + 1 + SLACK / PAGE_SIZE > nrPages) {
    throw new ImageError(`${spec.name}: ${spec.memoryMiB} MiB is too small for this kernel ` +
      `(needs at least ${Math.ceil((stackPfn + 1 + SLACK / PAGE_SIZE) * PAGE_SIZE / MIB)} MiB)`);
  }
  mappedPages = Math.min(mappedPages, nrPages);

  const dom = ctl.createDomain({
    name: spec.name, maxVcpus: spec.vcpus, maxMemKiB: (spec.maxMemMiB ?? spec.memoryMiB) * 1024,
  });
  const domid = dom.id;
  try {
    const pfns = Array.from({ length: nrPages }, (_, i) => i);
    const p2m = ctl.populate(domid, pfns);
    const frame = (p: number) => ctl.mapForeign(domid, p2m[p]!);

    // Kernel segments (frames are already zero, so .bss needs nothing).
    for (const s of img.segments) {
      for (let done = 0; done < s.data.length;) {
        const va = s.vaddr + done;
        const page = Math.floor((va - virtBase) / PAGE_SIZE);
        const off = (va - virtBase) % PAGE_SIZE;
        const n = Math.min(PAGE_SIZE - off, s.data.length - done);
        frame(page).write(off, s.data.subarray(done, done + n));
        done += n;
      }
    }
    if (spec.ramdisk !== undefined) writeSpan(frame, ramdiskPfn, spec.ramdisk);

    // The P2M array: one u32 MFN per pseudo-physical page.
    const p2mBytes = new Uint8Array(p2mPages * PAGE_SIZE);
    const dv = new DataView(p2mBytes.buffer);
    p2m.forEach((mfn, i) => dv.setUint32(4 * i, mfn, true));
    writeSpan(frame, p2mPfn, p2mBytes);

    // Console and xenstore rings, with their event channels to Domain 0.
    const consolePort = ctl.allocUnbound(domid, 0);
    const storePort = ctl.allocUnbound(domid, 0);

    const va = (p: number): number => virtBase + p * PAGE_SIZE;
    const si = new Uint8Array(START_INFO.SIZE);
    const sv = new DataView(si.buffer);
    si.set(new TextEncoder().encode(START_INFO_MAGIC));
    const u64 = (off: number, v: number) => { sv.setUint32(off, v % 0x100000000, true); sv.setUint32(off + 4, Math.floor(v / 0x100000000), true); };
    u64(START_INFO.nr_pages, nrPages);
    u64(START_INFO.shared_info, dom.sharedInfoMfn * PAGE_SIZE);
    sv.setUint32(START_INFO.flags, 0, true);
    u64(START_INFO.store_mfn, p2m[storePfn]!);
    sv.setUint32(START_INFO.store_evtchn, storePort, true);
    u64(START_INFO.console_mfn, p2m[consolePfn]!);
    sv.setUint32(START_INFO.console_evtchn, consolePort, true);
    u64(START_INFO.pt_base, va(ptPfn));
    u64(START_INFO.nr_pt_frames, 1 + l1Count);
    u64(START_INFO.mfn_list, va(p2mPfn));
    u64(START_INFO.mod_start, spec.ramdisk !== undefined ? va(ramdiskPfn) : 0);
    u64(START_INFO.mod_len, spec.ramdisk?.length ?? 0);
    const cmd = new TextEncoder().encode(spec.cmdline ?? '').subarray(0, MAX_GUEST_CMDLINE - 1);
    si.set(cmd, START_INFO.cmd_line);
    u64(START_INFO.first_p2m_pfn, p2mPfn);
    u64(START_INFO.nr_p2m_frames, p2mPages);
    frame(startInfoPfn).write(0, si);

    // Bootstrap page tables: root + leaf tables mapping [virt_base, + mappedPages).
    const rootMfn = p2m[ptPfn]!;
    const firstSlot = virtBase / SUPERPAGE;
    const kernelRw = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
    const readOnly = PTE_V | PTE_R | PTE_A;
    for (let k = 0; k < l1Count; k++) {
      const l1Mfn = p2m[ptPfn + 1 + k]!;
      const table = new Uint8Array(PAGE_SIZE);
      const tv = new DataView(table.buffer);
      for (let e = 0; e < 1024; e++) {
        const p = k * 1024 + e;
        if (p >= mappedPages) break;
        const isTable = p >= ptPfn && p <= ptPfn + l1Count;
        tv.setUint32(4 * e, ((p2m[p]! << 10) | (isTable ? readOnly : kernelRw)) >>> 0, true);
      }
      frame(ptPfn + 1 + k).write(0, table);
      frame(ptPfn).write32(4 * (firstSlot + k), (l1Mfn << 10) | PTE_V);
    }
    ctl.pinTable(domid, rootMfn, 2);

    const x = new Array<number>(32).fill(0);
    x[2] = va(stackPfn + 1) | 0; // sp
    x[10] = va(startInfoPfn) | 0; // a0
    ctl.setVcpuContext(domid, 0, { x, pc: img.entry | 0, rootMfn, stvec: 0, sscratch: 0, sstatus: 0, sie: 0 });

    return {
      domid, virtBase, entry: img.entry, nrPages, startInfoPfn,
      storeMfn: p2m[storePfn]!, storePort, consoleMfn: p2m[consolePfn]!, consolePort,
      ptFrames: 1 + l1Count, p2m,
    };
  } catch (e) {
    ctl.destroy(domid);
    throw e;
  }
}

function writeSpan(frame: (p: number) => { write(off: number, b: Uint8Array): void }, firstPfn: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; off += PAGE_SIZE) {
    frame(firstPfn + off / PAGE_SIZE).write(0, bytes.subarray(off, Math.min(off + PAGE_SIZE, bytes.length)));
  }
}
