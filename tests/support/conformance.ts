/* The conformance images (guests/conformance/{isa,priv}/*.S, built into
   guests/images/conformance/) and what each needs to run. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGES, REPO_ROOT } from './paths.js';

export const CONFORMANCE_DIR = join(IMAGES, 'conformance');

/** The built images, sorted (`isa-rv32m.elf`, `priv-csr.elf`, …). */
export function conformanceImages(): string[] {
  return existsSync(CONFORMANCE_DIR)
    ? readdirSync(CONFORMANCE_DIR).filter((f) => f.endsWith('.elf')).sort()
    : [];
}

/** `// harts: N` in the test's source chooses the hart count (default 1). */
export function hartsFor(img: string): number {
  const [group, ...rest] = img.replace(/\.elf$/, '').split('-');
  const src = join(REPO_ROOT, 'guests', 'conformance', group!, `${rest.join('-')}.S`);
  if (!existsSync(src)) return 1;
  const m = /\/\/\s*harts:\s*(\d+)/.exec(readFileSync(src, 'utf8'));
  return m ? Number(m[1]) : 1;
}

