/* Repository paths for tests, whether run from sources or from dist/. */
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  // dist/ has no package.json, so this is the repository root.
  return dir;
}

export const REPO_ROOT = findRoot();
export const IMAGES = join(REPO_ROOT, 'guests', 'images');
export const image = (name: string): string => join(IMAGES, name);
