import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulh, mulhsu, mulhu } from './hart.js';

// BigInt is fine here: it is the reference, not the hot path.
const hi = (p: bigint): number => Number(BigInt.asIntN(32, p >> 32n));

test('mulh/mulhsu/mulhu agree with 64-bit products on edge and random values', () => {
  const edge = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678, 0xffff, 0x10000];
  let seed = 12345;
  const rand = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) | 0; return seed; };
  const values = [...edge];
  for (let i = 0; i < 200; i++) values.push(rand());
  for (const a of values) {
    for (const b of values.slice(0, 40)) {
      assert.equal(mulh(a, b), hi(BigInt(a) * BigInt(b)), `mulh ${a} ${b}`);
      assert.equal(mulhu(a, b), hi(BigInt(a >>> 0) * BigInt(b >>> 0)), `mulhu ${a} ${b}`);
      assert.equal(mulhsu(a, b), hi(BigInt(a) * BigInt(b >>> 0)), `mulhsu ${a} ${b}`);
    }
  }
});
