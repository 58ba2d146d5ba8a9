/*
 * The HTTP API's routes: each one turns a request into a ToolstackAction — nothing
 * more. The table is data so that tests can check it against docs/api/openapi.json,
 * route for route.
 */

import path from 'node:path';
import { ToolstackError, type ToolstackAction } from '../toolstack/actions.js';
import { ConfigError, parseConfig } from '../toolstack/config.js';

export interface RouteInput {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Resolves a guest domain name or id to its domid (or throws the toolstack's 404). */
  resolve: (ref: string) => number;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI-style path, e.g. /v1/domains/{domain}. */
  path: string;
  /** HTTP status of a success. */
  status?: number;
  toAction(input: RouteInput): ToolstackAction;
}

function field<T extends 'string' | 'number' | 'boolean'>(body: unknown, name: string, type: T, required: boolean):
    (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    if (!required) return undefined;
    throw new ToolstackError('the request body must be a JSON object');
  }
  const v = (body as Record<string, unknown>)[name];
  if (v === undefined) {
    if (required) throw new ToolstackError(`'${name}' is required`);
    return undefined;
  }
  if (typeof v !== type) throw new ToolstackError(`'${name}' must be a ${type}`);
  return v as never;
}

function stringList(body: unknown, name: string): string[] {
  const v = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ToolstackError(`'${name}' must be a list of strings`);
  return v;
}

/** POST /v1/domains: xl.cfg text, parsed here so every client gets the same checks. */
function createAction(body: unknown): ToolstackAction {
  const text = field(body, 'config', 'string', true)!;
  const source = field(body, 'source', 'string', false) ?? '<request>';
  const cwd = field(body, 'cwd', 'string', false);
  const overrides = stringList(body, 'overrides');
  let config;
  try {
    config = parseConfig(text, source, overrides);
  } catch (e) {
    if (e instanceof ConfigError) throw new ToolstackError(e.message);
    throw e;
  }
  // Paths in a config are relative to where the user ran the command.
  if (cwd !== undefined) {
    config.kernel = path.resolve(cwd, config.kernel);
    if (config.ramdisk !== undefined) config.ramdisk = path.resolve(cwd, config.ramdisk);
  }
  return { kind: 'create', config, paused: field(body, 'paused', 'boolean', false) ?? false };
}

function positive(body: unknown, name: string): number {
  const v = field(body, name, 'number', true)!;
  if (!Number.isFinite(v) || v <= 0) throw new ToolstackError(`'${name}' must be a positive number`);
  return v;
}

export const ROUTES: Route[] = [
  { method: 'GET', path: '/v1/domains', toAction: () => ({ kind: 'list' }) },
  { method: 'POST', path: '/v1/domains', status: 201, toAction: ({ body }) => createAction(body) },
  { method: 'GET', path: '/v1/domains/{domain}', toAction: ({ params }) => ({ kind: 'list', domain: params.domain! }) },
  { method: 'DELETE', path: '/v1/domains/{domain}', toAction: ({ params }) => ({ kind: 'destroy', domain: params.domain! }) },
  { method: 'POST', path: '/v1/domains/{domain}/shutdown', toAction: ({ params }) => ({ kind: 'shutdown', domain: params.domain! }) },
  { method: 'POST', path: '/v1/domains/{domain}/reboot', toAction: ({ params }) => ({ kind: 'shutdown', domain: params.domain!, reboot: true }) },
  { method: 'POST', path: '/v1/domains/{domain}/pause', toAction: ({ params }) => ({ kind: 'pause', domain: params.domain! }) },
  { method: 'POST', path: '/v1/domains/{domain}/unpause', toAction: ({ params }) => ({ kind: 'unpause', domain: params.domain! }) },
  {
    method: 'POST', path: '/v1/domains/{domain}/rename',
    toAction: ({ params, body }) => ({ kind: 'rename', domain: params.domain!, name: field(body, 'name', 'string', true)! }),
  },
  {
    method: 'PUT', path: '/v1/domains/{domain}/memory',
    toAction: ({ params, body }) => ({ kind: 'mem-set', domain: params.domain!, mib: positive(body, 'targetMiB') }),
  },
  {
    method: 'PUT', path: '/v1/domains/{domain}/max-memory',
    toAction: ({ params, body }) => ({ kind: 'mem-max', domain: params.domain!, mib: positive(body, 'maxMiB') }),
  },
  { method: 'GET', path: '/v1/domains/{domain}/vcpus', toAction: ({ params }) => ({ kind: 'vcpu-list', domain: params.domain! }) },
  { method: 'GET', path: '/v1/vcpus', toAction: () => ({ kind: 'vcpu-list' }) },
  { method: 'GET', path: '/v1/domains/{domain}/console', toAction: ({ params }) => ({ kind: 'console-history', domain: params.domain! }) },
  {
    method: 'POST', path: '/v1/domains/{domain}/console',
    toAction: ({ params, body }) => ({ kind: 'console-input', domain: params.domain!, data: field(body, 'data', 'string', true)! }),
  },
  { method: 'GET', path: '/v1/domid/{name}', toAction: ({ params }) => ({ kind: 'domid', name: params.name! }) },
  {
    method: 'GET', path: '/v1/domname/{domid}',
    toAction: ({ params }) => {
      if (!/^\d+$/.test(params.domid!)) throw new ToolstackError(`'${params.domid}' is not a domain id`);
      return { kind: 'domname', domid: Number(params.domid) };
    },
  },
  { method: 'GET', path: '/v1/info', toAction: () => ({ kind: 'info' }) },
  { method: 'GET', path: '/v1/dmesg', toAction: () => ({ kind: 'dmesg' }) },
  { method: 'POST', path: '/v1/dmesg/clear', toAction: () => ({ kind: 'dmesg', clear: true }) },
  { method: 'GET', path: '/v1/uptime', toAction: () => ({ kind: 'uptime' }) },
];

const POLICIES = ['credit', 'bvt', 'rr'] as const;

function policy(name: string): (typeof POLICIES)[number] {
  if (!(POLICIES as readonly string[]).includes(name)) throw new ToolstackError(`no scheduler '${name}' (credit, bvt, rr)`, 404);
  return name as (typeof POLICIES)[number];
}

function numbers(body: unknown, name: string): Record<string, number> {
  const v = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new ToolstackError(`'${name}' must be an object of numbers`);
  }
  return v as Record<string, number>;
}

function queryPath(query: URLSearchParams): string {
  const p = query.get('path');
  if (p === null || p === '') throw new ToolstackError("'path' is required (?path=/local/domain/1)");
  return p;
}

/** Scheduling (src/toolstack/sched.ts) and I/O (src/toolstack/io.ts) routes. */
ROUTES.push(
  {
    method: 'GET', path: '/v1/sched/{policy}',
    toAction: ({ params, query }) => ({ kind: 'sched-get', policy: policy(params.policy!), domain: query.get('domain') ?? undefined }),
  },
  {
    method: 'PUT', path: '/v1/sched/{policy}',
    toAction: ({ params, body }) => ({
      kind: 'sched-set', policy: policy(params.policy!), domain: field(body, 'domain', 'string', false),
      params: numbers(body, 'params'), global: numbers(body, 'global'),
    }),
  },
  {
    method: 'PUT', path: '/v1/domains/{domain}/vcpus/{vcpu}/affinity',
    toAction: ({ params, body }) => {
      const v = params.vcpu!;
      if (v !== 'all' && !/^\d+$/.test(v)) throw new ToolstackError(`'${v}' is not a vCPU number`);
      return { kind: 'vcpu-pin', domain: params.domain!, vcpu: v === 'all' ? 'all' : Number(v), cpus: field(body, 'cpus', 'string', true)! };
    },
  },
  {
    method: 'PUT', path: '/v1/domains/{domain}/vcpus',
    toAction: ({ params, body }) => {
      const n = field(body, 'count', 'number', true)!;
      if (!Number.isInteger(n) || n < 1) throw new ToolstackError("'count' must be a positive integer");
      return { kind: 'vcpu-set', domain: params.domain!, count: n };
    },
  },
  {
    method: 'GET', path: '/v1/xenstore',
    toAction: ({ query }) => (query.get('recursive') === '1'
      ? { kind: 'xenstore-ls', path: queryPath(query) } : { kind: 'xenstore-read', path: queryPath(query) }),
  },
  {
    method: 'PUT', path: '/v1/xenstore',
    toAction: ({ body }) => ({ kind: 'xenstore-write', path: field(body, 'path', 'string', true)!, value: field(body, 'value', 'string', true)! }),
  },
  { method: 'DELETE', path: '/v1/xenstore', toAction: ({ query }) => ({ kind: 'xenstore-rm', path: queryPath(query) }) },
  { method: 'GET', path: '/v1/disks', toAction: () => ({ kind: 'block-list' }) },
  { method: 'GET', path: '/v1/domains/{domain}/disks', toAction: ({ params, resolve }) => ({ kind: 'block-list', domid: resolve(params.domain!) }) },
  {
    method: 'POST', path: '/v1/domains/{domain}/disks', status: 201,
    toAction: ({ params, body, resolve }) => ({ kind: 'block-attach', domid: resolve(params.domain!), spec: field(body, 'spec', 'string', true)! }),
  },
  {
    method: 'DELETE', path: '/v1/domains/{domain}/disks/{vdev}',
    toAction: ({ params, resolve }) => ({ kind: 'block-detach', domid: resolve(params.domain!), vdev: params.vdev! }),
  },
  { method: 'GET', path: '/v1/nics', toAction: () => ({ kind: 'network-list' }) },
  { method: 'GET', path: '/v1/domains/{domain}/nics', toAction: ({ params, resolve }) => ({ kind: 'network-list', domid: resolve(params.domain!) }) },
  {
    method: 'POST', path: '/v1/domains/{domain}/nics', status: 201,
    toAction: ({ params, body, resolve }) => ({ kind: 'network-attach', domid: resolve(params.domain!), spec: field(body, 'spec', 'string', true)! }),
  },
  {
    method: 'DELETE', path: '/v1/domains/{domain}/nics/{nic}',
    toAction: ({ params, resolve }) => ({ kind: 'network-detach', domid: resolve(params.domain!), which: params.nic! }),
  },
);

/** The WebSocket console stream (not an action: a long-lived connection). */
export const CONSOLE_STREAM_PATH = '/v1/domains/{domain}/console/stream';

/** Matches `pathname` against a route pattern; returns the parameters or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const p = pattern.split('/'), s = pathname.split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      let v: string;
      try { v = decodeURIComponent(s[i]!); } catch { return null; }
      if (v === '') return null;
      params[seg.slice(1, -1)] = v;
    } else if (seg !== s[i]) return null;
  }
  return params;
}
