import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './config.js';

test('xl.cfg syntax: strings, numbers, lists over lines, comments, defaults', () => {
  const c = parseConfig(`# a guest
name = "web"   # trailing comment
kernel = 'k.elf'
memory = 32
vcpus = 2
extra = "console=hvc0 # not a comment"
disk = [ "file:/a.img,xvda,w",
         "file:/b.img,xvdb,r" ]
on_crash = "preserve"
`, 'web.cfg');
  assert.equal(c.name, 'web');
  assert.equal(c.kernel, 'k.elf');
  assert.equal(c.memory, 32);
  assert.equal(c.maxmem, 32);
  assert.equal(c.vcpus, 2);
  assert.equal(c.cmdline, 'console=hvc0 # not a comment');
  assert.deepEqual(c.disk, ['file:/a.img,xvda,w', 'file:/b.img,xvdb,r']);
  assert.equal(c.onCrash, 'preserve');
  assert.equal(c.onPoweroff, 'destroy');
  assert.equal(c.onReboot, 'restart');
});

test('errors name the file, the line and the key', () => {
  assert.throws(() => parseConfig('name = "x"\nkernal = "k"\n', 'x.cfg'), (e: Error) =>
    e instanceof ConfigError && e.message === "x.cfg:2: unknown key 'kernal'");
  assert.throws(() => parseConfig('name = "x"\nkernel = "k"\nmemory = "lots"\n', 'x.cfg'), /x\.cfg:3: memory must be a number/);
  assert.throws(() => parseConfig('name = "x"\nkernel = k\n', 'x.cfg'), /x\.cfg:2: kernel: expected a quoted string/);
  assert.throws(() => parseConfig('kernel = "k"\n', 'x.cfg'), /name is required/);
  assert.throws(() => parseConfig('name = "x"\nkernel = "k"\non_crash = "explode"\n', 'x.cfg'), /on_crash must be one of/);
  assert.throws(() => parseConfig('name="x"\nkernel="k"\nmemory=8\nmaxmem=4\n', 'x.cfg'), /maxmem \(4\) is below memory/);
});

test('key=value overrides replace file values, as xl create does', () => {
  const c = parseConfig('name = "x"\nkernel = "k"\nmemory = 8\n', 'x.cfg', ['memory=16', 'name=y', 'extra="a b"']);
  assert.equal(c.memory, 16);
  assert.equal(c.name, 'y');
  assert.equal(c.cmdline, 'a b');
  assert.throws(() => parseConfig('name="x"\nkernel="k"\n', 'x.cfg', ['bogus=1']), /<command line>: unknown key 'bogus'/);
});
