// The passphrase-hashing queue is shared fairly: a flood of logins from
// many addresses of one network (an IPv6 /56 here), or from many networks
// at once, cannot keep a member of another network from signing in. The
// flood's addresses are X-Forwarded-For values behind --trusted-proxy
// 127.0.0.1; all traffic stays on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, signup, sleep, PASS, NO_LIMITS } from './lib.mjs';

function tally(results) {
  const t = {};
  for (const r of results) t[r.status] = (t[r.status] ?? 0) + 1;
  return t;
}

// One hashing thread, no rate limits: only the queue stands in the way.
async function server() {
  return startServer({
    env: { ...NO_LIMITS, MAJLIS_HASH_THREADS: '1' },
    args: ['--trusted-proxy', '127.0.0.1'],
  });
}

// The flood: one attacker per address, each sending a login again as soon
// as the last is answered, so that the queue stays full, until stopped or
// after `rounds` requests each. Answers are counted as they come; requests
// still waiting at the end end with the server.
function flood(s, addresses, rounds = 15) {
  const answers = [];
  let stopped = false;
  const attacker = async (ip, i) => {
    for (let n = 0; n < rounds && !stopped; n++) {
      let r;
      try {
        r = await s.client().post('/api/login', { handle: `nobody_${i % 50}`, passphrase: 'guessing and guessing' },
          { headers: { 'x-forwarded-for': ip } });
      } catch {
        return;
      }
      answers.push(r);
      if (r.status !== 401) await sleep(20); // refused at once: do not spin
    }
  };
  addresses.forEach((ip, i) => { attacker(ip, i); });
  return { answers, stop() { stopped = true; } };
}

// Logs in while the flood goes on; returns the member's answer and the
// flood's answers so far.
async function loginDuringFlood(s, addresses, member) {
  const f = flood(s, addresses);
  await sleep(1000); // let the flood fill the queue first
  const c = s.client();
  const r = await c.post('/api/login', { handle: member, passphrase: PASS },
    { headers: { 'x-forwarded-for': '198.51.100.7' } });
  f.stop();
  return { member: r, flood: [...f.answers] };
}

test('200 addresses of one /56 flooding: a member elsewhere still signs in', async () => {
  const s = await server();
  try {
    await signup(s, s.invite, 'member');
    const addresses = [];
    for (let i = 0; i < 200; i++) addresses.push(`2001:db8:1:1${(i % 256).toString(16).padStart(2, '0')}::${i + 1}`);
    const { member, flood: answers } = await loginDuringFlood(s, addresses, 'member');
    assert.equal(member.status, 200, member.text);
    const t = tally(answers);
    // The flood got its share (a few hashed, 401) and was refused beyond it.
    const refused = (t[429] ?? 0) + (t[503] ?? 0);
    assert.ok(refused >= 150, `refused beyond its share: ${JSON.stringify(t)}`);
    assert.ok((t[401] ?? 0) <= 50, JSON.stringify(t));
    const one = answers.find((r) => r.status === 429);
    assert.ok(one, JSON.stringify(t));
    assert.equal(one.json.error, 'rate_limited');
    assert.ok(Number(one.headers.get('retry-after')) >= 1);
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

test('a flood from many networks fills the queue: a member still gets a place', async () => {
  const s = await server();
  try {
    await signup(s, s.invite, 'member');
    // 20 networks (/24s), 5 addresses each: more than the queue holds
    // (64), each network within its share (8).
    const addresses = [];
    for (let n = 0; n < 20; n++) for (let h = 1; h <= 5; h++) addresses.push(`10.${n}.0.${h}`);
    const { member, flood: answers } = await loginDuringFlood(s, addresses, 'member');
    assert.equal(member.status, 200, member.text);
    const t = tally(answers);
    assert.ok((t[503] ?? 0) >= 1, `the queue was full: ${JSON.stringify(t)}`);
    const busy = answers.find((r) => r.status === 503);
    assert.equal(busy.json.error, 'busy');
    assert.ok(Number(busy.headers.get('retry-after')) >= 1);
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});
