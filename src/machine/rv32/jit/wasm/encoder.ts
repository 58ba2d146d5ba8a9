/*
 * A WebAssembly binary writer: just what the translator emits (core spec 2.0 encoding,
 * plus tail calls). Instructions are appended to a Code buffer; `blockModule` wraps
 * function bodies into a module that imports the machine's memory and the block table.
 */

/** Value and block types. */
export const I32 = 0x7f, I64 = 0x7e, VOID = 0x40, FUNCREF = 0x70;

/** The opcodes used (names as in the spec's text format). */
export const enum W {
  unreachable = 0x00, block = 0x02, loop = 0x03, if_ = 0x04, else_ = 0x05, end = 0x0b,
  br = 0x0c, br_if = 0x0d, br_table = 0x0e, return_ = 0x0f, call = 0x10,
  return_call_indirect = 0x13, drop = 0x1a, select = 0x1b,
  local_get = 0x20, local_set = 0x21, local_tee = 0x22,
  i32_load = 0x28, i32_load8_s = 0x2c, i32_load8_u = 0x2d, i32_load16_s = 0x2e, i32_load16_u = 0x2f,
  i32_store = 0x36, i32_store8 = 0x3a, i32_store16 = 0x3b,
  i32_const = 0x41, i64_const = 0x42,
  i32_eqz = 0x45, i32_eq = 0x46, i32_ne = 0x47, i32_lt_s = 0x48, i32_lt_u = 0x49, i32_gt_s = 0x4a,
  i32_gt_u = 0x4b, i32_le_s = 0x4c, i32_le_u = 0x4d, i32_ge_s = 0x4e, i32_ge_u = 0x4f,
  i32_add = 0x6a, i32_sub = 0x6b, i32_mul = 0x6c, i32_div_s = 0x6d, i32_div_u = 0x6e,
  i32_rem_s = 0x6f, i32_rem_u = 0x70, i32_and = 0x71, i32_or = 0x72, i32_xor = 0x73,
  i32_shl = 0x74, i32_shr_s = 0x75, i32_shr_u = 0x76,
  i64_mul = 0x7e, i64_shr_s = 0x87, i64_shr_u = 0x88,
  i32_wrap_i64 = 0xa7, i64_extend_i32_s = 0xac, i64_extend_i32_u = 0xad,
  i32_extend8_s = 0xc0, i32_extend16_s = 0xc1,
}

/** A growing byte buffer with the spec's integer encodings. */
export class Code {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(2048);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
    return this;
  }

  private grow(n: number): void {
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf);
    this.buf = bigger;
  }

  op(o: W): this { return this.byte(o); }

  uleb(v: number): this {
    v >>>= 0;
    do {
      const b = v & 0x7f;
      v >>>= 7;
      this.byte(v !== 0 ? b | 0x80 : b);
    } while (v !== 0);
    return this;
  }

  sleb(v: number): this {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  bytes(b: ArrayLike<number>): this {
    if (this.length + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  name(s: string): this {
    this.uleb(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
    return this;
  }

  /** Appends `c` prefixed by its length (a section or function body). */
  sized(c: Code): this {
    this.uleb(c.length);
    return this.bytes(c.view());
  }

  view(): Uint8Array<ArrayBuffer> { return this.buf.subarray(0, this.length); }

  // Instruction helpers.
  i32(v: number): this { return this.op(W.i32_const).sleb(v); }
  get(l: number): this { return this.op(W.local_get).uleb(l); }
  set(l: number): this { return this.op(W.local_set).uleb(l); }
  tee(l: number): this { return this.op(W.local_tee).uleb(l); }
  /** A memory access with static `offset` (alignment hint: natural). */
  mem(o: W, offset: number): this {
    const align = o === W.i32_load || o === W.i32_store ? 2 : o === W.i32_load16_s || o === W.i32_load16_u || o === W.i32_store16 ? 1 : 0;
    return this.op(o).uleb(align).uleb(offset);
  }
  br(depth: number): this { return this.op(W.br).uleb(depth); }
  if_(type = VOID): this { return this.op(W.if_).byte(type); }
  end(): this { return this.op(W.end); }
}

/** Function signatures, by index in every block module's type section. */
export const enum Sig { BLOCK = 0 }

/** block(pc, budget, done, xb, dt, ft, map) → done (see codegen.ts). */
const BLOCK_TYPE = [0x60, 7, I32, I32, I32, I32, I32, I32, I32, 1, I32];

/** One function of a module: `locals` i32 locals beyond the parameters, and its body (ending in `end`). */
export interface FunctionCode {
  locals: number;
  body: Code;
}

/**
 * A module of block functions, each exported as "0", "1", …; it imports the machine
 * memory (m.mem) and the block table (m.tab).
 */
export function blockModule(fns: FunctionCode[]): Uint8Array<ArrayBuffer> {
  const m = new Code().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, c: Code): void => { m.byte(id).sized(c); };

  section(1, new Code().uleb(1).bytes(BLOCK_TYPE));
  const imports = new Code().uleb(2);
  imports.name('m').name('mem').byte(0x02).byte(0x00).uleb(0);              // memory, min 0
  imports.name('m').name('tab').byte(0x01).byte(FUNCREF).byte(0x00).uleb(0); // table, min 0
  section(2, imports);

  const funcs = new Code().uleb(fns.length);
  for (let i = 0; i < fns.length; i++) funcs.uleb(Sig.BLOCK);
  section(3, funcs);
  const exports = new Code().uleb(fns.length);
  for (let i = 0; i < fns.length; i++) exports.name(String(i)).byte(0x00).uleb(i);
  section(7, exports);

  const code = new Code().uleb(fns.length);
  for (const f of fns) {
    const fn = new Code();
    if (f.locals > 0) fn.uleb(1).uleb(f.locals).byte(I32);
    else fn.uleb(0);
    fn.bytes(f.body.view());
    code.sized(fn);
  }
  section(10, code);
  return m.view().slice();
}
