// `make` after a failed configure: the configure must run again, not leave
// a half-made build directory that every later `make` trips over ("No rule
// to make target 'Makefile'"). A configure is made to fail by hiding every
// pkg-config package; the build directory is a fresh temporary one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SRC = process.env.MAJLIS_SOURCE_DIR;
if (!SRC) throw new Error('MAJLIS_SOURCE_DIR must point to the source tree');

function make(args, env = {}) {
  return new Promise((resolve) => {
    execFile('make', ['-C', SRC, ...args], { env: { ...process.env, ...env }, timeout: 120000 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, out: stdout + stderr }));
  });
}

test('a failed configure is tried again by the next make, and then succeeds', async () => {
  const build = mkdtempSync(join(tmpdir(), 'majlis-make-'));
  try {
    const broken = { PKG_CONFIG_LIBDIR: join(build, 'no-packages-here') };
    for (let i = 0; i < 2; i++) {
      const r = await make(['build', `BUILD=${build}`, 'JOBS=1'], broken);
      assert.notEqual(r.code, 0);
      assert.match(r.out, /Configuring incomplete/, `run ${i + 1}:\n${r.out}`);
      assert.doesNotMatch(r.out, /No rule to make target 'Makefile'/);
    }
    // With the packages back, the configure works (the build itself takes
    // minutes and is what every other test uses).
    const ok = await make([`${build}/release/.configured`, `BUILD=${build}`]);
    assert.equal(ok.code, 0, ok.out);
    assert.ok(existsSync(join(build, 'release', 'CMakeCache.txt')));
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
});
