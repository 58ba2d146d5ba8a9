/*
 * Domain configuration files in xl.cfg syntax:
 *
 *   # comment
 *   name    = "web"
 *   kernel  = "guests/images/minios-pv.elf"
 *   memory  = 16            # MiB
 *   vcpus   = 1
 *   extra   = "selftest"
 *   on_poweroff = "destroy"
 *   disk    = [ "file:/srv/web.img,xvda,w" ]
 *
 * Values are strings (single or double quotes), integers, or lists of strings. A syntax
 * error names the file, the line and the key; an unknown key is an error (a typo must
 * not silently change nothing). `key=value` overrides from the command line use the
 * same value syntax.
 */

import { UserError } from '../lib/user-error.js';

export class ConfigError extends UserError {}

export type ConfigValue = string | number | string[];

export type Action = 'destroy' | 'restart' | 'preserve' | 'rename-restart';
const ACTIONS: readonly Action[] = ['destroy', 'restart', 'preserve', 'rename-restart'];

export interface DomainConfig {
  name: string;
  type: 'pv';
  kernel: string;
  ramdisk?: string;
  /** MiB */
  memory: number;
  maxmem: number;
  vcpus: number;
  maxvcpus: number;
  cmdline: string;
  onPoweroff: Action;
  onReboot: Action;
  onCrash: Action;
  cpus?: string;
  cpuWeight?: number;
  cap?: number;
  disk: string[];
  vif: string[];
  /** Where the file came from (for messages), or '<command line>'. */
  source: string;
}

type KeyKind = 'string' | 'int' | 'list';
const KEYS: Record<string, KeyKind> = {
  name: 'string', type: 'string', builder: 'string', kernel: 'string', ramdisk: 'string',
  memory: 'int', maxmem: 'int', vcpus: 'int', maxvcpus: 'int', cmdline: 'string', extra: 'string',
  root: 'string', on_poweroff: 'string', on_reboot: 'string', on_crash: 'string', on_watchdog: 'string',
  cpus: 'string', cpu_weight: 'int', cap: 'int', disk: 'list', vif: 'list', uuid: 'string',
};

/** Parses one `value` of xl.cfg syntax. */
function parseValue(text: string, where: string, key: string): ConfigValue {
  const t = text.trim();
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new ConfigError(`${where}: ${key}: unterminated list`);
    const inner = t.slice(1, -1).trim();
    if (inner === '') return [];
    const items: string[] = [];
    const re = /\s*("([^"\\]|\\.)*"|'[^']*')\s*(,|$)/y;
    let pos = 0;
    while (pos < inner.length) {
      re.lastIndex = pos;
      const m = re.exec(inner);
      if (m === null) throw new ConfigError(`${where}: ${key}: list items must be quoted strings`);
      items.push(unquote(m[1]!));
      pos = re.lastIndex;
      if (m[3] === '' ) break;
    }
    return items;
  }
  if (/^"([^"\\]|\\.)*"$/.test(t) || /^'[^']*'$/.test(t)) return unquote(t);
  if (/^-?\d+$/.test(t)) return Number.parseInt(t, 10);
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t, 16);
  throw new ConfigError(`${where}: ${key}: expected a quoted string, a number or a list, got '${t}'`);
}

function unquote(q: string): string {
  const body = q.slice(1, -1);
  return q.startsWith('"') ? body.replace(/\\(.)/g, '$1') : body;
}

/** Splits off a trailing comment that is not inside quotes. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== null) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}

/** Parses xl.cfg text into raw key/value pairs, checking keys and types. */
export function parseConfigText(text: string, source: string): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = stripComment(lines[n]!).trim();
    let where = `${source}:${n + 1}`;
    if (line === '') continue;
    // A list may continue over several lines until its closing bracket.
    if (/=\s*\[/.test(line) && !line.includes(']')) {
      const start = n;
      while (!line.includes(']') && n + 1 < lines.length) line += ' ' + stripComment(lines[++n]!).trim();
      where = `${source}:${start + 1}`;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new ConfigError(`${where}: expected 'key = value', got '${line}'`);
    const key = line.slice(0, eq).trim();
    if (!/^[a-z_][a-z0-9_]*$/i.test(key)) throw new ConfigError(`${where}: bad key '${key}'`);
    setKey(out, key, parseValue(line.slice(eq + 1), where, key), where);
  }
  return out;
}

function setKey(out: Map<string, ConfigValue>, key: string, value: ConfigValue, where: string): void {
  const kind = KEYS[key];
  if (kind === undefined) throw new ConfigError(`${where}: unknown key '${key}'`);
  if (kind === 'int' && typeof value !== 'number') throw new ConfigError(`${where}: ${key} must be a number`);
  if (kind === 'string' && typeof value !== 'string') throw new ConfigError(`${where}: ${key} must be a quoted string`);
  if (kind === 'list' && !Array.isArray(value)) throw new ConfigError(`${where}: ${key} must be a list`);
  out.set(key, value);
}

/** Applies `key=value` overrides (xl create's trailing arguments). */
export function applyOverrides(raw: Map<string, ConfigValue>, overrides: readonly string[]): void {
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError(`<command line>: expected key=value, got '${o}'`);
    const key = o.slice(0, eq).trim();
    const text = o.slice(eq + 1).trim();
    let value: ConfigValue;
    try {
      value = parseValue(text, '<command line>', key);
    } catch {
      value = KEYS[key] === 'int' && /^\d+$/.test(text) ? Number(text) : text; // bare words are strings
    }
    setKey(raw, key, value, '<command line>');
  }
}

/** Checks and completes a parsed config. */
export function toDomainConfig(raw: Map<string, ConfigValue>, source: string): DomainConfig {
  const str = (k: string): string | undefined => raw.get(k) as string | undefined;
  const int = (k: string): number | undefined => raw.get(k) as number | undefined;
  const name = str('name');
  if (name === undefined || name === '') throw new ConfigError(`${source}: name is required`);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new ConfigError(`${source}: name '${name}' may use letters, digits, '_', '.', '-'`);
  const type = str('type') ?? str('builder') ?? 'pv';
  if (type !== 'pv' && type !== 'generic') throw new ConfigError(`${source}: type '${type}' is not supported yet (pv only)`);
  const kernel = str('kernel');
  if (kernel === undefined) throw new ConfigError(`${source}: kernel is required`);
  const memory = int('memory') ?? 16;
  if (memory < 1 || memory > 2048) throw new ConfigError(`${source}: memory must be 1..2048 MiB, got ${memory}`);
  const maxmem = int('maxmem') ?? memory;
  if (maxmem < memory) throw new ConfigError(`${source}: maxmem (${maxmem}) is below memory (${memory})`);
  const vcpus = int('vcpus') ?? 1;
  if (vcpus < 1 || vcpus > 32) throw new ConfigError(`${source}: vcpus must be 1..32, got ${vcpus}`);
  const maxvcpus = int('maxvcpus') ?? vcpus;
  if (maxvcpus < vcpus || maxvcpus > 32) throw new ConfigError(`${source}: maxvcpus must be vcpus..32`);
  const action = (k: string, dflt: Action): Action => {
    const v = str(k) ?? dflt;
    if (!ACTIONS.includes(v as Action)) throw new ConfigError(`${source}: ${k} must be one of ${ACTIONS.join(', ')}`);
    return v as Action;
  };
  const cmdline = [str('cmdline') ?? '', str('root') !== undefined ? `root=${str('root')}` : '', str('extra') ?? '']
    .filter((s) => s !== '').join(' ');
  return {
    name, type: 'pv', kernel, ramdisk: str('ramdisk'), memory, maxmem, vcpus, maxvcpus, cmdline,
    onPoweroff: action('on_poweroff', 'destroy'), onReboot: action('on_reboot', 'restart'),
    onCrash: action('on_crash', 'destroy'), cpus: str('cpus'), cpuWeight: int('cpu_weight'), cap: int('cap'),
    disk: (raw.get('disk') as string[] | undefined) ?? [], vif: (raw.get('vif') as string[] | undefined) ?? [],
    source,
  };
}

export function parseConfig(text: string, source: string, overrides: readonly string[] = []): DomainConfig {
  const raw = parseConfigText(text, source);
  applyOverrides(raw, overrides);
  return toDomainConfig(raw, source);
}
