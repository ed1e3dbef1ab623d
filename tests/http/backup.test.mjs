// majlis backup: a copy of the data directory made while the server runs
// and is written to holds everything written before it began, passes
// PRAGMA integrity_check, and a server started on it (restored as the
// README says: the database and the secret copied back) has the members
// and invites. Existing backups are replaced only with --force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, signup, invite, login, runCli, tempDir, NO_LIMITS } from './lib.mjs';

function sqlite(file, sql) {
  return new Promise((resolve, reject) => {
    execFile('sqlite3', [file, sql], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout.trim())));
  });
}

test('a backup taken during writes restores to a working server', async () => {
  const dir = tempDir();
  const server = await startServer({ env: NO_LIMITS });
  let restored = null;
  try {
    const admin = await signup(server, server.invite, 'admin');
    const members = ['amal', 'basil', 'dina'];
    for (const h of members) await signup(server, await invite(admin), h);

    // Invites are written without pause while the backup runs; those made
    // before it started must be in it.
    const before = [];
    for (let i = 0; i < 10; i++) before.push(await invite(admin));
    let writing = true;
    let during = 0;
    const writer = (async () => {
      for (let i = 0; writing && i < 2000; i++) { await invite(admin); during++; }
    })();
    const out = join(dir, 'majlis-backup.db');
    const b = await runCli(['backup', '--data', server.data, '--out', out], {}, { timeout: 60000 });
    const afterBackup = during;
    for (let i = 0; i < 5; i++) await invite(admin); // a few more, to be sure of the overlap
    writing = false;
    await writer;
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /wrote .*majlis-backup\.db and .*majlis-backup\.db\.secret\.key/);
    assert.ok(afterBackup > 0, 'writes went on while the backup ran');
    // Nothing left behind: just the two files.
    assert.deepEqual(readdirSync(dir).sort(), ['majlis-backup.db', 'majlis-backup.db.secret.key']);

    assert.equal(await sqlite(out, 'PRAGMA integrity_check'), 'ok');
    assert.equal(await sqlite(out, 'PRAGMA journal_mode'), 'delete', 'the copy stands alone');
    const inCopy = Number(await sqlite(out, 'SELECT count(*) FROM invites'));
    assert.ok(inCopy >= before.length + members.length + 1, `${inCopy} invites in the copy`);
    assert.deepEqual(readFileSync(`${out}.secret.key`), readFileSync(join(server.data, 'secret.key')));

    // An existing backup is not replaced without --force.
    const copy = readFileSync(out);
    const again = await runCli(['backup', '--data', server.data, '--out', out]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists \(--force replaces it\)/);
    assert.deepEqual(readFileSync(out), copy);
    const forced = await runCli(['backup', '--data', server.data, '--out', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    const inForced = Number(await sqlite(out, 'SELECT count(*) FROM invites'));
    assert.ok(inForced > inCopy, 'the forced copy is the newer one');
    const r = await server.stop();
    assert.equal(r.code, 0, server.stderr);

    // Restore: the database and the secret into a data directory, start.
    const data = join(dir, 'restored');
    mkdirSync(data, { mode: 0o700 });
    copyFileSync(out, join(data, 'majlis.db'));
    copyFileSync(`${out}.secret.key`, join(data, 'secret.key'));
    restored = await startServer({ data: data, env: NO_LIMITS });
    for (const h of ['admin', ...members]) {
      const { res } = await login(restored, h);
      assert.equal(res.status, 200, `${h} signs in on the restored server: ${res.text}`);
    }
    const anyone = restored.client();
    for (const code of before) {
      const g = await anyone.get(`/api/invites/${code}`);
      assert.equal(g.status, 200, `invite ${code}: ${g.text}`);
      assert.equal(g.json.valid, true);
    }
    const stopped = await restored.stop();
    assert.equal(stopped.code, 0, restored.stderr);
    assert.equal(await sqlite(join(data, 'majlis.db'), 'PRAGMA integrity_check'), 'ok');
  } finally {
    await server.stop();
    if (restored) await restored.stop();
    rmSync(server.data, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backup errors: no database, no --out, an unwritable place', async () => {
  const dir = tempDir();
  try {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = await runCli(['backup', '--data', empty, '--out', join(dir, 'b.db')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no database \(majlis\.db\) in the data directory/);
    assert.deepEqual(readdirSync(empty), [], 'nothing made in the data directory');
    assert.ok(!existsSync(join(dir, 'b.db')));

    const noOut = await runCli(['backup', '--data', empty]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /--out is required/);

    // A data directory without a secret yet (only operator commands ran).
    const ops = join(dir, 'ops');
    const made = await runCli(['room', 'create', '--data', ops, 'A room']);
    assert.equal(made.code, 0, made.stderr);
    writeFileSync(join(dir, 'stale.db.secret.key'), 'x'.repeat(32));
    const noKey = await runCli(['backup', '--data', ops, '--out', join(dir, 'stale.db'), '--force']);
    assert.equal(noKey.code, 0, noKey.stderr);
    assert.match(noKey.stdout, /no secret\.key yet/);
    assert.ok(!existsSync(join(dir, 'stale.db.secret.key')), 'no older secret left beside it');
    assert.equal(await sqlite(join(dir, 'stale.db'), 'SELECT title FROM rooms'), 'A room');

    const inside = await runCli(['backup', '--data', ops, '--out', join(ops, 'b.db')]);
    assert.equal(inside.code, 2);
    assert.match(inside.stderr, /outside the data directory/);
    const live = await runCli(['backup', '--data', ops, '--out', join(ops, 'majlis.db'), '--force']);
    assert.equal(live.code, 2, 'never over the live database');
    assert.equal(await sqlite(join(ops, 'majlis.db'), 'SELECT title FROM rooms'), 'A room');
    const toDir = await runCli(['backup', '--data', ops, '--out', dir]);
    assert.equal(toDir.code, 2);
    assert.match(toDir.stderr, /names a directory/);

    const nowhere = await runCli(['backup', '--data', ops, '--out', join(dir, 'no/such/dir/b.db')]);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /cannot create a file next to the backup/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
