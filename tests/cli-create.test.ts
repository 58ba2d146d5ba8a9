/*
 * `tsxen create` as a user meets it: real processes, xl-style configs, exit statuses,
 * and one-line errors for bad configs and files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, image } from './support/paths.js';

const BIN = join(REPO_ROOT, 'bin', 'tsxen.js');
const tmp = mkdtempSync(join(tmpdir(), 'tsxen-create-'));

function tsxen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // A home of its own: a daemon the user happens to run must not take these foreground runs.
  const env = { ...process.env, TSXEN_HOME: join(tmp, 'home') };
  delete (env as Record<string, string | undefined>).TSXEN_URL;
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, input: '', cwd: REPO_ROOT, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cfg(name: string, body: string): string {
  const f = join(tmp, name);
  writeFileSync(f, body);
  return f;
}

const MINIOS = `kernel = "${image('minios-pv.elf')}"\nmemory = 8\n`;

test('create runs two domains to completion, prefixing their consoles, and exits 0', () => {
  const r = tsxen('create', cfg('a.cfg', `name = "alpha"\n${MINIOS}`), cfg('b.cfg', `name = "beta"\n${MINIOS}`));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\[alpha\] minios: done \d+ passed 0 failed$/m);
  assert.match(r.stdout, /^\[beta\] minios: done \d+ passed 0 failed$/m);
  assert.match(r.stderr, /Parsing config from .*a\.cfg/);
  assert.match(r.stderr, /domain 'alpha' \(1\) poweroff; destroy/);
  assert.match(r.stderr, /domain 'beta' \(2\) poweroff; destroy/);
});

test('create -c shows the console raw; key=value overrides the config', () => {
  const r = tsxen('create', cfg('c.cfg', `name = "gamma"\n${MINIOS}`), '-c', 'extra="bench"');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^BENCH null-syscall \d+ \d+$/m, 'the override reached the kernel command line');
  assert.doesNotMatch(r.stdout, /^\[gamma\]/m);
});

test('create -n prints the parsed config and creates nothing', () => {
  const r = tsxen('create', '-n', cfg('d.cfg', `name = "delta"\n${MINIOS}vcpus = 2\n`));
  assert.equal(r.status, 0, r.stderr);
  const parsed = JSON.parse(r.stdout);
  assert.equal(parsed.name, 'delta');
  assert.equal(parsed.vcpus, 2);
  assert.equal(parsed.memory, 8);
});

test('bad configs and files get one-line errors naming the place', () => {
  let r = tsxen('create', cfg('e.cfg', `name = "e"\n${MINIOS}memroy = 4\n`));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /e\.cfg:4: unknown key 'memroy'/);
  r = tsxen('create', cfg('f.cfg', 'name = "f"\nkernel = "/nonexistent/k.elf"\n'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /\/nonexistent\/k\.elf: no such file/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  r = tsxen('create', cfg('g.cfg', `name = "g"\nkernel = "${image('minios-pv.elf')}"\nmemory = 200\n`), '--mem', '64M');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ENOMEM: domain 1: out of memory/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  r = tsxen('create', cfg('d.cfg', `name = "d"\n${MINIOS}disk = [ "bogus-spec" ]\n`));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /tsxen create: no vdev in disk spec 'bogus-spec'/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  r = tsxen('create');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no config file given/);
});

test('a domain that never ends is stopped by --max-time with status 124', () => {
  const r = tsxen('create', cfg('h.cfg', `name = "h"\nkernel = "${image('hostile.elf')}"\nmemory = 8\n`), '--max-time', '0.5');
  assert.equal(r.status, 124, r.stderr);
  assert.match(r.stdout, /\[h\] hostile: done \d+ refused 0 broken/);
});
