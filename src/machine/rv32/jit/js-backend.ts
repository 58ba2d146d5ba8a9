/*
 * The JavaScript backend: a region becomes the source of a function (codegen.ts),
 * compiled with `new Function` inside a factory that closes over the machine's arrays.
 * Chaining lives in the generated code and the engine (engine.ts), so this backend has
 * nothing to do when blocks come and go.
 */

import type { CodeCache } from '../code-cache.js';
import type { Ram } from '../bus.js';
import { mulh, mulhsu, mulhu } from '../hart.js';
import type { Region } from './region.js';
import type { Block, Translator, TranslatorBackend } from './block-cache.js';
import { FACTORY_PARAMS, generateBlock, type BlockFn } from './codegen.js';

export class JsBackend implements TranslatorBackend<BlockFn> {
  /** When set, each generated source is passed here (debugging). */
  dump: ((pc: number, source: string) => void) | null = null;
  private readonly factoryArgs: unknown[];

  constructor(translator: Translator<BlockFn>, ram: Ram, code: CodeCache) {
    this.factoryArgs = [translator, ram.i8, ram.u8, ram.i16, ram.u16, ram.i32, ram.codePages, code, mulh, mulhsu, mulhu];
  }

  compile(decoded: Int32Array, regions: Region[], vbase: number): BlockFn[] {
    return regions.map((region) => {
      const source = generateBlock(decoded, region, vbase);
      if (this.dump !== null) this.dump((vbase + region.first * 4) | 0, source);
      const factory = new Function(...FACTORY_PARAMS, source) as (...args: unknown[]) => BlockFn;
      return factory(...this.factoryArgs);
    });
  }

  reuse(): null { return null; }
  installed(_b: Block<BlockFn>): void {}
  removed(_b: Block<BlockFn>): void {}
  cleared(): void {}
}
