/*
 * xenstored's semantics: permissions (owner, read/write lists, default letter), watches
 * with tokens (fired once at registration, on changes below, filtered by permission,
 * relative paths), transactions (snapshot, EAGAIN on conflict, watches at commit),
 * quotas, and the wire codec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored, cstr, cstrs, decode } from './xenstored.js';
import { XsClient } from './client.js';
import { XsError } from './tree.js';
import { XsType, decodeMessages, encodeMessage, ProtocolError } from './wire.js';

function setup() {
  const xs = new Xenstored();
  const dom0 = new XsClient(xs, xs.connect(0));
  const a = new XsClient(xs, xs.introduce(1));
  const b = new XsClient(xs, xs.introduce(2));
  for (const d of [1, 2]) {
    dom0.mkdir(`/local/domain/${d}`);
    dom0.setPerms(`/local/domain/${d}`, [`n0`, `r${d}`]);
    dom0.write(`/local/domain/${d}/name`, `guest${d}`);
    dom0.mkdir(`/local/domain/${d}/data`);
    dom0.setPerms(`/local/domain/${d}/data`, [`n${d}`]);
  }
  return { xs, dom0, a, b };
}

function code(fn: () => unknown): string {
  try { fn(); } catch (e) { if (e instanceof XsError) return e.code; throw e; }
  return 'OK';
}

test('permissions: owner, listed domains, the default letter, and who may change them', () => {
  const { dom0, a, b } = setup();
  assert.equal(a.read('/local/domain/1/name'), 'guest1', 'read access through r1');
  assert.equal(code(() => b.read('/local/domain/1/name')), 'EACCES', 'another guest may not read');
  assert.equal(code(() => a.write('/local/domain/1/name', 'x')), 'EACCES', 'read-only to the guest');
  // Relative paths are under the caller's home.
  a.write('data/key', 'v');
  assert.equal(dom0.read('/local/domain/1/data/key'), 'v');
  assert.deepEqual(dom0.getPerms('/local/domain/1/data/key'), ['n1'], 'a new node is owned by its unprivileged creator');
  assert.equal(code(() => b.read('/local/domain/1/data/key')), 'EACCES');
  // The owner grants read to domain 2, then write.
  a.setPerms('data/key', ['n1', 'r2']);
  assert.equal(b.read('/local/domain/1/data/key'), 'v');
  assert.equal(code(() => b.write('/local/domain/1/data/key', 'w')), 'EACCES');
  a.setPerms('data/key', ['n1', 'b2']);
  b.write('/local/domain/1/data/key', 'w');
  assert.equal(a.read('data/key'), 'w');
  // Only the owner changes permissions; only Domain 0 changes the owner.
  assert.equal(code(() => b.setPerms('/local/domain/1/data/key', ['b2'])), 'EACCES');
  assert.equal(code(() => a.setPerms('data/key', ['n2'])), 'EPERM');
  dom0.setPerms('/local/domain/1/data/key', ['r2']);
  assert.equal(a.read('data/key'), 'w', 'the default letter r applies to unlisted domains');
  assert.equal(code(() => a.write('data/key', 'z')), 'EACCES');
  // Bad paths and values.
  assert.equal(code(() => a.write('/local//x', 'v')), 'EINVAL');
  assert.equal(code(() => a.write('/local/x/', 'v')), 'EINVAL');
  assert.equal(code(() => a.write('data/sp ace', 'v')), 'EINVAL');
  assert.equal(code(() => a.rm('/')), 'EINVAL');
});

test('watches fire once at registration, then on changes the watcher may read, with its token', () => {
  const { dom0, a, b } = setup();
  const seen: string[] = [];
  a.watch('data', (p, t) => seen.push(`${p} ${t}`), 'tok');
  assert.deepEqual(seen, ['data tok'], 'fired at registration with the watched path (relative)');
  a.write('data/x', '1');
  dom0.write('/local/domain/1/data/x/y', '2');
  assert.deepEqual(seen.slice(1), ['data/x tok', 'data/x/y tok']);
  // A node the watcher cannot read does not fire.
  dom0.write('/local/domain/1/data/secret', 's');
  dom0.setPerms('/local/domain/1/data/secret', ['n0']);
  const n = seen.length;
  dom0.write('/local/domain/1/data/secret', 't');
  assert.equal(seen.length, n, 'no event for an unreadable node');
  // Removing an ancestor fires the watch with the watched path.
  const abs: string[] = [];
  b.watch('/local/domain/1/data/x/y', (p) => abs.push(p));
  dom0.setPerms('/local/domain/1/data/x', ['n1', 'r2']);
  dom0.rm('/local/domain/1/data/x');
  assert.ok(abs.includes('/local/domain/1/data/x/y'), `removal of an ancestor: ${abs}`);
  // Unwatch stops events.
  a.unwatch('data', 'tok');
  const m = seen.length;
  a.write('data/z', '1');
  assert.equal(seen.length, m);
  // @introduceDomain / @releaseDomain.
  const special: string[] = [];
  dom0.watch('@releaseDomain', (p) => special.push(p));
  dom0.store.release(2);
  assert.deepEqual(special, ['@releaseDomain', '@releaseDomain']);
});

test('transactions see a snapshot, commit atomically, and fail with EAGAIN on conflict', () => {
  const { dom0, a } = setup();
  a.write('data/counter', '0');
  // Non-conflicting: commits, and watches fire only at commit.
  const events: string[] = [];
  dom0.watch('/local/domain/1/data/counter', (p) => events.push(p));
  events.length = 0;
  a.transaction((tx) => {
    const v = Number(tx.read('data/counter'));
    tx.write('data/counter', String(v + 1));
    assert.equal(events.length, 0, 'no event before commit');
    assert.equal(dom0.read('/local/domain/1/data/counter'), '0', 'others do not see uncommitted writes');
  });
  assert.equal(dom0.read('/local/domain/1/data/counter'), '1');
  assert.deepEqual(events, ['/local/domain/1/data/counter']);

  // Conflict: someone changes what the transaction read before it commits.
  let tries = 0;
  a.transaction((tx) => {
    tries++;
    const v = Number(tx.read('data/counter'));
    if (tries === 1) dom0.write('/local/domain/1/data/counter', '10');
    tx.write('data/counter', String(v + 1));
  });
  assert.equal(tries, 2, 'the first attempt failed with EAGAIN and was retried');
  assert.equal(dom0.read('/local/domain/1/data/counter'), '11');

  // The raw protocol: EAGAIN is the reply to TRANSACTION_END.
  const c = a.conn, xs = a.store;
  const id = Number(decode(xs.handle(c, XsType.TRANSACTION_START, 0, cstr('')).payload).replace('\0', ''));
  xs.handle(c, XsType.READ, id, cstr('data/counter'));
  dom0.write('/local/domain/1/data/counter', '99');
  xs.handle(c, XsType.WRITE, id, new TextEncoder().encode('data/counter\0' + '12'));
  const end = xs.handle(c, XsType.TRANSACTION_END, id, cstr('T'));
  assert.equal(end.type, XsType.ERROR);
  assert.equal(decode(end.payload), 'EAGAIN\0');
  assert.equal(dom0.read('/local/domain/1/data/counter'), '99', 'a failed commit changes nothing');
  // Abort discards; an unknown transaction id is refused.
  const id2 = Number(decode(xs.handle(c, XsType.TRANSACTION_START, 0, cstr('')).payload).replace('\0', ''));
  xs.handle(c, XsType.WRITE, id2, new TextEncoder().encode('data/counter\0' + '0'));
  xs.handle(c, XsType.TRANSACTION_END, id2, cstr('F'));
  assert.equal(dom0.read('/local/domain/1/data/counter'), '99');
  assert.equal(xs.handle(c, XsType.READ, 12345, cstr('data/counter')).type, XsType.ERROR);
  // Creating the same new node in two transactions: the second conflicts.
  const t1 = Number(decode(xs.handle(c, XsType.TRANSACTION_START, 0, cstr('')).payload).replace('\0', ''));
  const t2 = Number(decode(xs.handle(c, XsType.TRANSACTION_START, 0, cstr('')).payload).replace('\0', ''));
  xs.handle(c, XsType.WRITE, t1, new TextEncoder().encode('data/new\0' + 'a'));
  xs.handle(c, XsType.WRITE, t2, new TextEncoder().encode('data/new\0' + 'b'));
  assert.equal(xs.handle(c, XsType.TRANSACTION_END, t1, cstr('T')).type, XsType.TRANSACTION_END);
  assert.equal(xs.handle(c, XsType.TRANSACTION_END, t2, cstr('T')).type, XsType.ERROR);
  assert.equal(dom0.read('/local/domain/1/data/new'), 'a');
});

test('quotas bound what one guest may hold', () => {
  const { xs, a, dom0 } = setup();
  xs.quota = { nodes: 5, entrySize: 16, watches: 2, transactions: 1 };
  assert.equal(code(() => a.write('data/big', 'x'.repeat(17))), 'ENOSPC');
  for (let i = 0; i < 4; i++) a.write(`data/n${i}`, '');
  assert.equal(code(() => a.write('data/n9', '')), 'ENOSPC', 'node quota (data itself counts)');
  a.watch('data', () => {});
  a.watch('name', () => {});
  assert.equal(code(() => a.watch('data/n0', () => {})), 'E2BIG');
  xs.handle(a.conn, XsType.TRANSACTION_START, 0, cstr(''));
  assert.equal(decode(xs.handle(a.conn, XsType.TRANSACTION_START, 0, cstr('')).payload), 'ENOSPC\0');
  dom0.write('/local/domain/1/data/dom0-is-exempt', 'x'.repeat(100));
});

test('the wire codec: messages split across reads, oversized payloads refused', () => {
  const m1 = encodeMessage({ type: XsType.READ, reqId: 7, txId: 0, payload: cstr('name') });
  const m2 = encodeMessage({ type: XsType.WATCH, reqId: 8, txId: 0, payload: cstrs(['a', 'b']) });
  const both = new Uint8Array(m1.length + m2.length);
  both.set(m1); both.set(m2, m1.length);
  const part = decodeMessages(both.subarray(0, m1.length + 5));
  assert.equal(part.messages.length, 1);
  assert.equal(part.used, m1.length);
  const all = decodeMessages(both);
  assert.deepEqual(all.messages.map((m) => m.reqId), [7, 8]);
  const big = new Uint8Array(16);
  new DataView(big.buffer).setUint32(12, 4097, true);
  assert.throws(() => decodeMessages(big), ProtocolError);
});

test('releasing a domain fires @releaseDomain once and hands its nodes to Domain 0', () => {
  const { xs, dom0, a } = setup();
  a.write('data/mine', 'x');
  const fired: string[] = [];
  dom0.watch('@releaseDomain', (p) => fired.push(p));
  fired.length = 0;
  xs.release(1);
  assert.deepEqual(fired, ['@releaseDomain']);
  assert.deepEqual(dom0.getPerms('/local/domain/1/data/mine'), ['n0'], 'a recycled domid cannot inherit it');
  assert.equal(xs.isIntroduced(1), false);
});

test('a directory too big for one reply is E2BIG; DIRECTORY_PART pages through it', () => {
  const { xs, dom0, a } = setup();
  const names: string[] = [];
  for (let i = 0; i < 400; i++) { const n = `node-with-a-long-name-${i}`; names.push(n); dom0.write(`/tool/big/${n}`, ''); }
  dom0.setPerms('/tool/big', ['n0', 'r1']);
  assert.equal(dom0.directory('/tool/big').length, 400, 'Domain 0 in process has no wire limit');
  const c = a.conn;
  c.onWire = true;
  const r = xs.handle(c, XsType.DIRECTORY, 0, cstr('/tool/big'));
  assert.equal(r.type, XsType.ERROR);
  assert.equal(decode(r.payload), 'E2BIG\0');
  const got: string[] = [];
  let offset = 0;
  for (let guard = 0; guard < 10; guard++) {
    const part = xs.handle(c, XsType.DIRECTORY_PART, 0, cstrs(['/tool/big', String(offset)]));
    assert.equal(part.type, XsType.DIRECTORY_PART);
    assert.ok(part.payload.length <= 4096);
    const text = decode(part.payload);
    const [, ...rest] = text.split('\0');
    const finished = text.endsWith('\0\0');
    const chunk = rest.filter((x) => x !== '');
    got.push(...chunk);
    offset += chunk.reduce((a, x) => a + x.length + 1, 0);
    if (finished) break;
  }
  assert.deepEqual(got, names);
});
