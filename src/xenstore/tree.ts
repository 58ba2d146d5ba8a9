/*
 * The xenstore tree: nodes with a value, permissions and children, addressed by
 * `/`-separated paths (fact sheet §12.3). Each change stamps the node (and, when children
 * come or go, its parent) with a fresh generation number; transactions compare those
 * stamps at commit to detect conflicts (transaction.ts).
 *
 * Permissions: a list of `<c><domid>` entries, c in n r w b. The first entry names the
 * owner, who always has full access, and its letter is the access of every domain not
 * listed. Privileged connections (Domain 0) bypass the checks.
 */

import { UserError } from '../lib/user-error.js';

export type PermLetter = 'n' | 'r' | 'w' | 'b';

export interface Perm {
  id: number;
  perm: PermLetter;
}

export class XsError extends UserError {
  constructor(readonly code: XsErrno, detail = '') {
    super(detail === '' ? code : `${code}: ${detail}`);
  }
}

export type XsErrno = 'EINVAL' | 'EACCES' | 'EEXIST' | 'EISDIR' | 'ENOENT' | 'ENOMEM' | 'ENOSPC' | 'EIO' |
  'ENOTEMPTY' | 'ENOSYS' | 'EROFS' | 'EBUSY' | 'EAGAIN' | 'EISCONN' | 'E2BIG' | 'EPERM';

export class XsNode {
  value: Uint8Array = new Uint8Array(0);
  perms: Perm[];
  readonly children = new Map<string, XsNode>();
  gen = 0;

  constructor(readonly name: string, perms: Perm[]) {
    this.perms = perms;
  }

  clone(): XsNode {
    const n = new XsNode(this.name, this.perms.map((p) => ({ ...p })));
    n.value = this.value;
    n.gen = this.gen;
    for (const [k, c] of this.children) n.children.set(k, c.clone());
    return n;
  }

  get owner(): number {
    return this.perms[0]!.id;
  }
}

export const MAX_PATH = 3072;
const PATH_RE = /^[A-Za-z0-9\-/_@]+$/;

/** Checks an absolute path (or a special @ path) and returns its components. */
export function splitPath(path: string): string[] {
  if (path.length === 0 || path.length > MAX_PATH) throw new XsError('EINVAL', `bad path length ${path.length}`);
  if (path.startsWith('@')) {
    if (!PATH_RE.test(path)) throw new XsError('EINVAL', `bad path ${path}`);
    return [path];
  }
  if (path === '/') return [];
  if (!path.startsWith('/') || path.endsWith('/') || path.includes('//') || !PATH_RE.test(path)) {
    throw new XsError('EINVAL', `bad path '${path}'`);
  }
  return path.slice(1).split('/');
}

export function canRead(node: XsNode, domid: number, privileged: boolean): boolean {
  return privileged || access(node, domid, 'r');
}

export function canWrite(node: XsNode, domid: number, privileged: boolean): boolean {
  return privileged || access(node, domid, 'w');
}

function access(node: XsNode, domid: number, want: 'r' | 'w'): boolean {
  const perms = node.perms;
  if (perms[0]!.id === domid) return true;
  let p = perms[0]!.perm;
  for (let i = 1; i < perms.length; i++) if (perms[i]!.id === domid) { p = perms[i]!.perm; break; }
  return p === 'b' || p === want;
}

export function parsePerm(s: string): Perm {
  const m = /^([nrwb])(\d+)$/.exec(s);
  if (m === null) throw new XsError('EINVAL', `bad permission '${s}'`);
  return { perm: m[1] as PermLetter, id: Number(m[2]) };
}

export function formatPerm(p: Perm): string {
  return `${p.perm}${p.id}`;
}

/** The tree: a root and a generation counter. */
export class XsTree {
  root: XsNode;
  gen = 1;

  constructor(root?: XsNode) {
    this.root = root ?? new XsNode('', [{ id: 0, perm: 'n' }]);
  }

  clone(): XsTree {
    const t = new XsTree(this.root.clone());
    t.gen = this.gen;
    return t;
  }

  get(path: string): XsNode | undefined {
    let n: XsNode | undefined = this.root;
    for (const c of splitPath(path)) {
      n = n.children.get(c);
      if (n === undefined) return undefined;
    }
    return n;
  }

  /** Number of nodes owned by `domid` under `node` (for quotas). */
  countOwned(domid: number, node: XsNode = this.root): number {
    let n = node.owner === domid ? 1 : 0;
    for (const c of node.children.values()) n += this.countOwned(domid, c);
    return n;
  }
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function join(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}
