import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, blockModule, W } from './encoder.js';

const bytes = (f: (c: Code) => void): number[] => { const c = new Code(); f(c); return [...c.view()]; };

test('LEB128: the spec\'s encodings at the edges', () => {
  assert.deepEqual(bytes((c) => c.uleb(0)), [0x00]);
  assert.deepEqual(bytes((c) => c.uleb(127)), [0x7f]);
  assert.deepEqual(bytes((c) => c.uleb(128)), [0x80, 0x01]);
  assert.deepEqual(bytes((c) => c.uleb(624485)), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(bytes((c) => c.uleb(0xffffffff)), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(bytes((c) => c.sleb(0)), [0x00]);
  assert.deepEqual(bytes((c) => c.sleb(63)), [0x3f]);
  assert.deepEqual(bytes((c) => c.sleb(64)), [0xc0, 0x00]);
  assert.deepEqual(bytes((c) => c.sleb(-1)), [0x7f]);
  assert.deepEqual(bytes((c) => c.sleb(-64)), [0x40]);
  assert.deepEqual(bytes((c) => c.sleb(-65)), [0xbf, 0x7f]);
  assert.deepEqual(bytes((c) => c.sleb(-123456)), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(bytes((c) => c.sleb(-0x80000000)), [0x80, 0x80, 0x80, 0x80, 0x78]);
  assert.deepEqual(bytes((c) => c.sleb(0x7fffffff)), [0xff, 0xff, 0xff, 0xff, 0x07]);
});

test('Code grows past its first buffer and keeps every byte', () => {
  const c = new Code();
  for (let i = 0; i < 10_000; i++) c.byte(i & 0xff);
  c.bytes(new Uint8Array(5000).fill(7));
  assert.equal(c.length, 15_000);
  assert.equal(c.view()[9_999], 9_999 & 0xff);
  assert.equal(c.view()[14_999], 7);
});

test('blockModule: a module of several functions that validates and runs', () => {
  // f0 returns done + 1; f1 returns budget (params: pc, budget, done, xb, dt, ft).
  const f0 = new Code().get(2).i32(1).op(W.i32_add).end();
  const f1 = new Code().get(1).end();
  const mod = blockModule([{ locals: 0, body: f0 }, { locals: 3, body: f1 }]);
  assert.ok(WebAssembly.validate(mod));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(mod), { m: { mem: memory, tab: table } });
  const call = (name: string, ...args: number[]): number => (exports[name] as (...a: number[]) => number)(...args);
  assert.equal(call('0', 0, 10, 41, 0, 0, 0), 42);
  assert.equal(call('1', 0, 10, 41, 0, 0, 0), 10);
});
