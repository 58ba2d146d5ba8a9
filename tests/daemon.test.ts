/*
 * The toolstack as users and programs meet it: a real `tsxen daemon` on loopback, the
 * CLI as separate processes against it, raw HTTP for bad requests, WebSocket consoles,
 * two clients at once, and clients that die mid-stream. The daemon must survive all of it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, image } from './support/paths.js';
import { connectWebSocket } from '../src/api/websocket.js';
import { makeElf, words } from './support/elf-writer.js';
import { asm } from './support/asm.js';
import { ROUTES } from '../src/api/routes.js';

const BIN = join(REPO_ROOT, 'bin', 'tsxen.js');
const home = mkdtempSync(join(tmpdir(), 'tsxen-daemon-'));
const env = { ...process.env, TSXEN_HOME: home, TSXEN_URL: '', TSXEN_TOKEN: '' };
delete (env as Record<string, string | undefined>).TSXEN_URL;
delete (env as Record<string, string | undefined>).TSXEN_TOKEN;
let daemon: ChildProcess;
let url = '';
let token = '';

function tsxen(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env, cwd: REPO_ROOT });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.stdin.end();
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function cfg(name: string, body: string): string {
  const f = join(home, `${name}.cfg`);
  writeFileSync(f, `name = "${name}"\n${body}`);
  return f;
}

async function api(method: string, route: string, body?: unknown, auth: string | null = token): Promise<{ status: number; json: any }> {
  const res = await fetch(url + route, {
    method,
    headers: { ...(auth !== null ? { Authorization: `Bearer ${auth}` } : {}), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function until(pred: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

const MINIOS = `kernel = "${image('minios-pv.elf')}"\nmemory = 8\n`;
const HOSTILE = `kernel = "${image('hostile.elf')}"\nmemory = 8\n`;

before(async () => {
  daemon = spawn(process.execPath, [BIN, 'daemon', '--port', '0'], { env, cwd: REPO_ROOT });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    daemon.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    daemon.on('exit', (c) => reject(new Error(`daemon exited with ${c}`)));
  });
  token = readFileSync(join(home, 'token'), 'utf8').trim();
});

after(async () => {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
});

test('the CLI drives a domain through its life on the daemon', async () => {
  let r = await tsxen('create', '-p', cfg('life', MINIOS));
  assert.equal(r.status, 0, r.stderr);
  r = await tsxen('list');
  assert.match(r.stdout, /^Name\s+ID\s+Mem VCPUs\tState\tTime\(s\)$/m);
  assert.match(r.stdout, /^Domain-0\s+0\s+0\s+0\s+r-----/m);
  assert.match(r.stdout, /^life\s+1\s+8\s+1\s+--p---/m);
  assert.equal((await tsxen('domid', 'life')).stdout, '1\n');
  assert.equal((await tsxen('domname', '1')).stdout, 'life\n');
  assert.equal((await tsxen('rename', 'life', 'renamed')).status, 0);
  assert.equal((await tsxen('domid', 'renamed')).stdout, '1\n');
  r = await tsxen('list', '-l', 'renamed');
  assert.equal(JSON.parse(r.stdout)[0].config.name, 'renamed');
  r = await tsxen('vcpu-list', 'renamed');
  assert.match(r.stdout, /^renamed\s+1\s+0\s+0 p\s/m);
  assert.equal((await tsxen('mem-max', 'renamed', '16')).status, 0);
  assert.equal((await tsxen('mem-set', 'renamed', '12m')).status, 0);
  r = await tsxen('mem-set', 'renamed', '64');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /above the domain's maximum/);
  assert.equal((await tsxen('unpause', 'renamed')).status, 0);
  // It runs its self-tests, powers off, and on_poweroff=destroy removes it.
  await until(async () => !(await tsxen('list')).stdout.includes('renamed'));
  r = await tsxen('dmesg');
  assert.match(r.stdout, /\(XEN\) \(d1\) minios: done \d+ passed 0 failed/);
  r = await tsxen('info');
  assert.match(r.stdout, /^xen_scheduler\s+: \w+/m);
  assert.match(r.stdout, /^nr_cpus\s+: 1$/m);
  r = await tsxen('uptime');
  assert.match(r.stdout, /^Domain-0\s+0 \d+:\d\d:\d\d$/m);
  r = await tsxen('top', '-b', '-i', '1');
  assert.match(r.stdout, /NAME\s+STATE\s+CPU\(sec\)/);
});

test('bad configs and unknown domains get one-line errors from the daemon', async () => {
  let r = await tsxen('create', cfg('bad', `${MINIOS}colour = "blue"\n`));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.cfg:4: unknown key 'colour'/);
  r = await tsxen('create', cfg('nokernel', 'kernel = "does/not/exist.elf"\n'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does\/not\/exist\.elf: no such file/);
  for (const cmd of ['destroy', 'pause', 'unpause', 'shutdown', 'console']) {
    r = await tsxen(cmd, 'ghost');
    assert.equal(r.status, 1, cmd);
    assert.match(r.stderr, new RegExp(`tsxen ${cmd}: no domain named 'ghost'`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  r = await tsxen('destroy', '0');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Domain 0 cannot be the target/);
  await tsxen('create', '-p', cfg('twin', MINIOS));
  r = await tsxen('create', '-p', cfg('twin', MINIOS));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /a domain named 'twin' already exists/);
  assert.equal((await tsxen('destroy', 'twin')).status, 0);
});

test('bad API requests: types, tokens, JSON, routes, sizes', async () => {
  await tsxen('create', '-p', cfg('target', MINIOS));
  let r = await api('POST', '/v1/domains/target/rename', { name: 5 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.message, "'name' must be a string");
  r = await api('PUT', '/v1/domains/target/memory', { targetMiB: -3 });
  assert.equal(r.status, 400);
  r = await api('POST', '/v1/domains', { config: 42 });
  assert.equal(r.status, 400);
  r = await api('POST', '/v1/domains', '{"config": ');
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /not valid JSON/);
  r = await api('POST', '/v1/domains/target/pause', undefined, null);
  assert.equal(r.status, 401);
  r = await api('DELETE', '/v1/domains/target', undefined, 'wrong-token');
  assert.equal(r.status, 401);
  r = await api('GET', '/v1/domains/nobody');
  assert.equal(r.status, 404);
  r = await api('GET', '/v1/nothing-here');
  assert.equal(r.status, 404);
  r = await api('PATCH', '/v1/domains');
  assert.equal(r.status, 405);
  r = await api('POST', '/v1/domains', JSON.stringify({ config: 'x'.repeat(2 << 20) }));
  assert.equal(r.status, 413);
  // Reads need no token; the domain was not touched by any refused request.
  r = await api('GET', '/v1/domains/target', undefined, null);
  assert.equal(r.status, 200);
  assert.equal(r.json[0].state, '--p---');
  assert.equal((await api('DELETE', '/v1/domains/target')).status, 200);
});

test('two clients at once, a console stream both ways, and clients killed mid-console', async () => {
  const DEMO = `${MINIOS}extra = "demo"\n`;
  const [a, b] = await Promise.all([tsxen('create', cfg('d1', DEMO)), tsxen('create', cfg('d2', DEMO))]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  const [la, lb] = await Promise.all([tsxen('list'), tsxen('list')]);
  for (const l of [la, lb]) { assert.match(l.stdout, /^d1\s/m); assert.match(l.stdout, /^d2\s/m); }

  // A console stream shows the history first, then live output; what we type reaches the guest.
  await until(async () => /\[demo\] tick 1:/.test((await api('GET', '/v1/domains/d1/console')).json.text));
  const ws = await connectWebSocket(`${url.replace('http', 'ws')}/v1/domains/d1/console/stream?token=${token}`);
  let received = '';
  ws.onMessage = (d) => { received += d.toString(); };
  await until(async () => /\[demo\] tick 1:/.test(received));
  ws.send('hello daemon\r');
  await until(async () => received.includes('[demo] you typed: hello daemon'));
  // Without the token, no stream.
  await assert.rejects(connectWebSocket(`${url.replace('http', 'ws')}/v1/domains/d1/console/stream`), /token/);

  // A CLI console client killed mid-stream, and a raw socket dropped: the daemon carries on.
  const viewer = spawn(process.execPath, [BIN, 'console', 'd2'], { env, cwd: REPO_ROOT });
  let seen = '';
  viewer.stdout.on('data', (d) => { seen += d; });
  await until(async () => seen.includes('[demo] tick'), 10_000);
  viewer.kill('SIGKILL');
  (ws as unknown as { socket: { destroy(): void } }).socket.destroy();
  const r = await tsxen('list');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^d2\s/m);

  // mem-set reaches the guest's balloon driver through xenstore.
  assert.equal((await tsxen('mem-set', 'd2', '5')).status, 0);
  const id2 = (await tsxen('domid', 'd2')).stdout.trim();
  assert.equal((await tsxen('xenstore-read', `/local/domain/${id2}/memory/target`)).stdout.trim(), '5120');
  await until(async () => /^d2\s+\d+\s+5\s/m.test((await tsxen('list')).stdout));

  // shutdown -w: the guest is asked through control/shutdown, answers, and is gone.
  const s = await tsxen('shutdown', '-w', 'd1');
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stderr, /Domain d1 \(\d+\) has been shut down/);
  const log = (await tsxen('dmesg')).stdout;
  assert.match(log, /minios: the toolstack asked for a poweroff/);
  assert.match(log, /d\d+ \(d1\): shutdown, reason poweroff/);
  assert.doesNotMatch(log, /\(d1\): did not answer/);
  assert.equal((await tsxen('destroy', 'd2')).status, 0);
  assert.doesNotMatch((await tsxen('list')).stdout, /^d[12]\s/m);
});

test('lifecycle actions: reboot restarts, a crash is destroyed or preserved, pause, shutdown -a, dmesg -c', async () => {
  // A PV "kernel" that stores to address 0 with no trap handler: the hypervisor crashes it.
  const crashElf = join(home, 'crash.elf');
  writeFileSync(crashElf, makeElf(0xc0000000, [{ paddr: 0xc0000000, bytes: words([asm.sw(0, 0, 0), asm.jal(0, 0)]) }]));
  let r = await tsxen('create', cfg('boom', `kernel = "${crashElf}"\nmemory = 2\n`));
  assert.equal(r.status, 0, r.stderr);
  await until(async () => !(await tsxen('list')).stdout.includes('boom'));
  r = await tsxen('create', cfg('kept', `kernel = "${crashElf}"\nmemory = 2\non_crash = "preserve"\n`));
  assert.equal(r.status, 0, r.stderr);
  await until(async () => /^kept\s+\d+\s+2\s+1\s+----c-/m.test((await tsxen('list')).stdout));
  assert.match((await tsxen('list', '-v')).stdout, /^kept\s.*\tcrash$/m);
  assert.equal((await tsxen('destroy', 'kept')).status, 0);

  // reboot with on_reboot = restart: the guest goes down and a new one with the same name comes up.
  const DEMO = `${MINIOS}extra = "demo"\n`;
  assert.equal((await tsxen('create', cfg('phoenix', DEMO))).status, 0);
  const before = (await tsxen('domid', 'phoenix')).stdout.trim();
  assert.equal((await tsxen('reboot', 'phoenix')).status, 0);
  await until(async () => {
    const id = (await tsxen('domid', 'phoenix')).stdout.trim();
    return id !== '' && id !== before;
  });
  // pause / unpause through the CLI.
  assert.equal((await tsxen('pause', 'phoenix')).status, 0);
  assert.match((await tsxen('list', 'phoenix')).stdout, /^phoenix\s+\d+\s+8\s+1\s+--p---/m);
  assert.equal((await tsxen('unpause', 'phoenix')).status, 0);
  assert.doesNotMatch((await tsxen('list', 'phoenix')).stdout, /--p---/);
  // Scheduling through the daemon: weights, pinning.
  assert.equal((await tsxen('sched-credit', '-d', 'phoenix', '-w', '512')).status, 0);
  assert.match((await tsxen('sched-credit', '-d', 'phoenix')).stdout, /^phoenix\s+\d+\s+512\s+0$/m);
  r = await tsxen('vcpu-pin', 'phoenix', '0', '0');
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await tsxen('vcpu-set', 'phoenix', '1')).status, 0);
  r = await tsxen('vcpu-set', 'phoenix', '3');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /vcpus must be 1\.\.1/);
  r = await tsxen('vcpu-pin', 'phoenix', '0', '7');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cpu 7 does not exist/);
  // xenstore through the CLI.
  assert.equal((await tsxen('xenstore-write', '/tool/demo-key', 'hello')).status, 0);
  assert.equal((await tsxen('xenstore-read', '/tool/demo-key')).stdout.trim(), 'hello');
  assert.equal((await tsxen('xenstore-rm', '/tool/demo-key')).status, 0);
  assert.equal((await tsxen('xenstore-read', '/tool/demo-key')).status, 1);
  // dmesg -c reads and clears.
  assert.match((await tsxen('dmesg', '-c')).stdout, /\(XEN\) /);
  assert.doesNotMatch((await tsxen('dmesg')).stdout, /crashing the domain/);
  // shutdown -a -w takes every guest down.
  assert.equal((await tsxen('create', cfg('other', DEMO))).status, 0);
  r = await tsxen('shutdown', '-a', '-w');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual((await tsxen('list')).stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['Domain-0']);
});

test('the OpenAPI document describes exactly the routes the daemon serves', async () => {
  const doc = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'api', 'openapi.json'), 'utf8'));
  const documented = new Set<string>();
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${p}`);
  }
  const served = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
  assert.deepEqual([...served].filter((x) => !documented.has(x)), [], 'served but not documented');
  assert.deepEqual([...documented].filter((x) => !served.has(x)), [], 'documented but not served');
  const r = await api('GET', '/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.json.openapi, doc.openapi);
});
