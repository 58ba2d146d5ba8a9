/* Places an ELF image's segments in the machine's RAM, checking each fits. */

import { ImageError, type ElfImage } from '../../lib/elf.js';
import type { Machine } from './machine.js';

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

export function loadImage(machine: Machine, image: ElfImage, name = 'image'): void {
  const ram = machine.ram;
  for (const seg of image.segments) {
    if (!ram.contains(seg.paddr, seg.memSize)) {
      throw new ImageError(
        `${name}: segment ${hex(seg.paddr)}-${hex(seg.paddr + seg.memSize - 1)} is outside RAM ` +
        `(${hex(ram.base)}-${hex(ram.base + ram.size - 1)}); use --mem to give the machine more RAM`,
      );
    }
  }
  for (const seg of image.segments) {
    ram.load(seg.paddr, seg.data);
    const zeroFrom = seg.paddr + seg.data.length;
    const zeroLen = seg.memSize - seg.data.length;
    if (zeroLen > 0) ram.load(zeroFrom, new Uint8Array(zeroLen));
  }
  if (!ram.contains(image.entry, 4)) throw new ImageError(`${name}: entry point ${hex(image.entry)} is outside RAM`);
}
