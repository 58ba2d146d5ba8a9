import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ram } from './bus.js';
import { Access, translate, faultCause, Tlb } from './mmu.js';
import { Cause, Mode, Mstatus, SATP_MODE_SV32 } from './csr.js';

const BASE = 0x80000000;
const V = 1, R = 2, W = 4, X = 8, U = 16, A = 64, D = 128;

/** A RAM with a root table at BASE and a leaf table at BASE + 0x1000. */
function setup(): { ram: Ram; satp: number; pte: (addr: number, value: number) => void; read: (addr: number) => number } {
  const ram = new Ram(BASE, 16 * 1024 * 1024);
  const pte = (addr: number, value: number): void => { ram.i32[(addr - BASE) >>> 2] = value; };
  const read = (addr: number): number => ram.i32[(addr - BASE) >>> 2]!;
  // root[0x100] (va 0x40000000..) → leaf table at BASE+0x1000
  pte(BASE + 0x100 * 4, (((BASE + 0x1000) / 4096) << 10) | V);
  return { ram, satp: SATP_MODE_SV32 | (BASE / 4096), pte, read };
}

const leaf = (pa: number, flags: number): number => ((pa / 4096) << 10) | flags | V;

test('4 KiB page: translates, checks R/W/X and sets A and D in hardware', () => {
  const { ram, satp, pte, read } = setup();
  const leafAddr = BASE + 0x1000 + 5 * 4; // va 0x40005000
  pte(leafAddr, leaf(BASE + 0x200000, R | W));
  assert.equal(translate(ram, 0x40005abc, Access.LOAD, Mode.S, satp, 0), BASE + 0x200abc);
  assert.equal(read(leafAddr) & (A | D), A, 'a load sets A only');
  assert.equal(translate(ram, 0x40005abc, Access.STORE, Mode.S, satp, 0), BASE + 0x200abc);
  assert.equal(read(leafAddr) & (A | D), A | D, 'a store sets D');
  assert.equal(faultCause(translate(ram, 0x40005000, Access.FETCH, Mode.S, satp, 0)), Cause.FETCH_PAGE_FAULT);
});

test('megapage: aligned maps 4 MiB, misaligned faults', () => {
  const { ram, satp, pte } = setup();
  pte(BASE + 0x200 * 4, leaf(BASE + 0x400000, R | X | A)); // va 0x80000000 → pa BASE+4M
  assert.equal(translate(ram, 0x80123456, Access.FETCH, Mode.S, satp, 0), BASE + 0x400000 + 0x123456);
  pte(BASE + 0x201 * 4, leaf(BASE + 0x401000, R | A)); // ppn[0] != 0
  assert.equal(faultCause(translate(ram, 0x80400000, Access.LOAD, Mode.S, satp, 0)), Cause.LOAD_PAGE_FAULT);
});

test('U pages need SUM from S-mode and can never be executed by S-mode; S pages fault from U-mode', () => {
  const { ram, satp, pte } = setup();
  pte(BASE + 0x1000 + 1 * 4, leaf(BASE + 0x300000, R | W | X | U | A | D));
  pte(BASE + 0x1000 + 2 * 4, leaf(BASE + 0x301000, R | W | X | A | D));
  assert.equal(faultCause(translate(ram, 0x40001000, Access.LOAD, Mode.S, satp, 0)), Cause.LOAD_PAGE_FAULT);
  assert.equal(translate(ram, 0x40001000, Access.LOAD, Mode.S, satp, Mstatus.SUM), BASE + 0x300000);
  assert.equal(faultCause(translate(ram, 0x40001000, Access.FETCH, Mode.S, satp, Mstatus.SUM)), Cause.FETCH_PAGE_FAULT);
  assert.equal(translate(ram, 0x40001000, Access.FETCH, Mode.U, satp, 0), BASE + 0x300000);
  assert.equal(faultCause(translate(ram, 0x40002000, Access.LOAD, Mode.U, satp, 0)), Cause.LOAD_PAGE_FAULT);
});

test('MXR makes execute-only pages readable; W without R is reserved', () => {
  const { ram, satp, pte } = setup();
  pte(BASE + 0x1000 + 3 * 4, leaf(BASE + 0x302000, X | A));
  assert.equal(faultCause(translate(ram, 0x40003000, Access.LOAD, Mode.S, satp, 0)), Cause.LOAD_PAGE_FAULT);
  assert.equal(translate(ram, 0x40003000, Access.LOAD, Mode.S, satp, Mstatus.MXR), BASE + 0x302000);
  pte(BASE + 0x1000 + 4 * 4, leaf(BASE + 0x303000, W | A | D));
  assert.equal(faultCause(translate(ram, 0x40004000, Access.STORE, Mode.S, satp, 0)), Cause.STORE_PAGE_FAULT);
});

test('invalid entries, non-leaf level 0 and page tables outside RAM fault with the right cause', () => {
  const { ram, satp, pte } = setup();
  assert.equal(faultCause(translate(ram, 0x40009000, Access.LOAD, Mode.S, satp, 0)), Cause.LOAD_PAGE_FAULT);
  pte(BASE + 0x1000 + 6 * 4, leaf(BASE + 0x5000, 0)); // pointer at level 0
  assert.equal(faultCause(translate(ram, 0x40006000, Access.STORE, Mode.S, satp, 0)), Cause.STORE_PAGE_FAULT);
  pte(BASE + 0x300 * 4, ((0x1000 / 4096) << 10) | V); // root entry pointing below RAM
  assert.equal(faultCause(translate(ram, 0xc0000000, Access.FETCH, Mode.S, satp, 0)), Cause.FETCH_ACCESS);
});

test('M-mode and bare satp do not translate', () => {
  const { ram, satp } = setup();
  assert.equal(translate(ram, 0x40005abc, Access.LOAD, Mode.M, satp, 0), 0x40005abc);
  assert.equal(translate(ram, 0x12345678, Access.LOAD, Mode.S, 0, 0), 0x12345678);
});

test('TLB entries hit by tag and are dropped per page and in full', () => {
  const t = new Tlb();
  t.fill(Access.LOAD, 0x40005123, 0x200000);
  const vpn = 0x40005123 >>> 12;
  const i = vpn & 0xff;
  assert.equal(t.rTag[i], vpn);
  assert.equal(((0x40005abc ^ t.rXor[i]!) >>> 0), 0x200abc);
  t.flushPage(0x40005000);
  assert.equal(t.rTag[i], -1);
  t.fill(Access.STORE, 0x40005123, 0x200000);
  t.flush();
  assert.equal(t.wTag[i], -1);
});

test('an address fence inside a megapage drops every cached 4 KiB part of it, and only those', () => {
  const { ram, satp, pte } = setup();
  pte(BASE + 0x200 * 4, leaf(BASE + 0x400000, R | W | A | D)); // va 0x80000000: megapage
  pte(BASE + 0x1000 + 7 * 4, leaf(BASE + 0x304000, R | A));     // va 0x40007000: 4 KiB page
  const t = new Tlb();
  for (const va of [0x80001000, 0x80123000, 0x40007000]) {
    assert.ok(translate(ram, va, Access.LOAD, Mode.S, satp, 0) >= 0);
    t.fill(Access.LOAD, va, 0);
  }
  const tag = (va: number): number => t.rTag[(va >>> 12) & 0xff]!;
  t.flushPage(0x80001000);
  assert.equal(tag(0x80001000), -1);
  assert.equal(tag(0x80123000), -1, 'another part of the same megapage');
  assert.equal(tag(0x40007000), 0x40007, 'a 4 KiB page elsewhere stays');
});
