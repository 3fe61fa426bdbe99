// pgdispatch dashboard, over plain HTTP: nothing without the run's secret; strict headers; the
// JSON API and the live stream show a role its own jobs only; a hostile label is data, and the
// page's script never turns data into HTML; --read-only refuses actions; the CLI prints the URL.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/cli/dashboard/server.js';
import { repoRoot } from '../setup/server.js';
import { connect, databaseUrl, freshExtension, waitFor, waitForJob } from '../setup/db.js';
import { bin, buildCli, cliEnv } from './run-cli.js';

const hostile = '<img src=x onerror=alert(1)>';
const roles = ['dash_alice', 'dash_bob'] as const;
const as = (role: string) => { const u = new URL(databaseUrl()); u.username = role; return u.toString(); };

let db: pg.Client;
let alice: pg.Client;
let bob: pg.Client;
let rw: Dashboard;
let ro: Dashboard;
let aliceJob: string;
let aliceWaiting: string;
let bobJob: string;

const idOf = async (c: pg.Client, sql: string, values: unknown[] = []): Promise<string> => (await c.query<{ id: string }>(sql, values)).rows[0]!.id;

/** Opens the dashboard as a browser would: the printed URL, then the cookie it sets. */
async function login(d: Dashboard): Promise<string> {
  const r = await fetch(d.url, { redirect: 'manual' });
  expect(r.status).toBe(303);
  expect(r.headers.get('location')).toBe('/');
  const cookie = r.headers.get('set-cookie')!;
  expect(cookie).toMatch(/; HttpOnly/);
  expect(cookie).toMatch(/; SameSite=Strict/);
  return cookie.split(';')[0]!;
}

const get = (d: Dashboard, path: string, cookie?: string) => fetch(`${d.origin}${path}`, { headers: cookie ? { cookie } : {} });
const post = (d: Dashboard, path: string, cookie: string, headers: Record<string, string> = {}) =>
  fetch(`${d.origin}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: '{}' });

beforeAll(async () => {
  buildCli();
  db = await connect();
  await freshExtension(db);
  for (const role of roles) {
    await db.query(`DROP ROLE IF EXISTS ${role}`);
    await db.query(`CREATE ROLE ${role} LOGIN`);
    await db.query(`SELECT pgdispatch.grant_usage('${role}')`);
  }
  alice = await connect({ user: 'dash_alice' });
  bob = await connect({ user: 'dash_bob' });
  aliceJob = await idOf(alice, 'SELECT pgdispatch.fire($1, label => $2)::text AS id', ['SELECT 1 AS one', hostile]);
  aliceWaiting = await idOf(alice, `SELECT pgdispatch.snooze('SELECT 2', interval '1 hour', label => 'dash/later')::text AS id`);
  bobJob = await idOf(bob, `SELECT pgdispatch.fire('SELECT 3', label => 'dash/bob-secret')::text AS id`);
  await waitForJob(db, aliceJob);
  await waitForJob(db, bobJob);
  rw = await startDashboard({ url: as('dash_alice') });
  ro = await startDashboard({ url: as('dash_alice'), readOnly: true });
});

afterAll(async () => {
  await rw?.close();
  await ro?.close();
  await alice?.end();
  await bob?.end();
  await freshExtension(db);
  for (const role of roles) await db.query(`DROP ROLE IF EXISTS ${role}`);
  await db.end();
});

describe('the secret', () => {
  it('without it every path is refused with 403; a wrong token too', async () => {
    for (const path of ['/', '/app.js', '/app.css', '/api/me', '/api/jobs', `/api/jobs/${aliceJob}`, '/api/summary', '/api/events']) {
      const r = await get(rw, path);
      expect(r.status, path).toBe(403);
      expect(await r.text()).not.toContain('dash/');
    }
    expect((await get(rw, '/?token=wrong')).status).toBe(403);
    expect((await get(rw, '/', 'pgdispatch_dashboard_1=' + rw.token)).status).toBe(403); // another port's cookie
    expect((await post(rw, `/api/jobs/${aliceWaiting}/cancel`, 'x=y')).status).toBe(403);
    // The other dashboard's secret does not open this one.
    expect((await fetch(`${rw.origin}/?token=${ro.token}`, { redirect: 'manual' })).status).toBe(403);
  });

  it('a request naming another host is refused (DNS rebinding)', async () => {
    const cookie = await login(rw);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${rw.origin}/api/me`, { headers: { host: `evil.example:${new URL(rw.origin).port}`, cookie } }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('with the cookie: the page, with a strict CSP and no sniffing or framing', async () => {
    const cookie = await login(rw);
    const r = await get(rw, '/', cookie);
    expect(r.status).toBe(200);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await r.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    expect(html).not.toMatch(/\sstyle=|<style/);
    const api = await get(rw, '/api/me', cookie);
    expect(api.headers.get('content-security-policy')).toBe(csp);
    expect(api.headers.get('cache-control')).toBe('no-store');
  });
});

describe('what a role sees', () => {
  it('the job list, a job and the counts are the role\'s own', async () => {
    const cookie = await login(rw);
    const me = await (await get(rw, '/api/me', cookie)).json();
    expect(me).toMatchObject({ role: 'dash_alice', admin: false, readOnly: false, may: { cancel: true, retry: true } });
    const page = await (await get(rw, '/api/jobs', cookie)).json();
    expect(page.jobs.map((j: { id: string }) => j.id).sort()).toEqual([aliceJob, aliceWaiting].sort());
    expect(JSON.stringify(page)).not.toContain('bob');
    expect((await get(rw, `/api/jobs/${bobJob}`, cookie)).status).toBe(404);
    const mine = await (await get(rw, `/api/jobs/${aliceJob}`, cookie)).json();
    expect(mine).toMatchObject({ id: aliceJob, status: 'succeeded', rows_shown: [[['one', '1']]], rows_total: 1 });
    const s = await (await get(rw, '/api/summary', cookie)).json();
    expect(s.counts).toMatchObject({ scheduled: 1, due: 0, running: 0, capped: false });
    expect(s.hour).toMatchObject({ succeeded: 1, failed: 0 });
    expect(s.labels.rows.map((l: { label: string }) => l.label).sort()).toEqual([hostile, 'dash/later'].sort());
    expect(s.minutes.reduce((a: number, m: { succeeded: number }) => a + m.succeeded, 0)).toBe(1);
    expect(s.queues).toEqual([]); // the role has set no queue
    // The filters of `pgdispatch jobs`, and keyset pages.
    const only = await (await get(rw, '/api/jobs?status=scheduled&label=dash/%25', cookie)).json();
    expect(only.jobs.map((j: { id: string }) => j.id)).toEqual([aliceWaiting]);
    const first = await (await get(rw, '/api/jobs?limit=1', cookie)).json();
    expect(first.nextCursor).toBe(first.jobs[0].id);
    const second = await (await get(rw, `/api/jobs?limit=1&cursor=${first.nextCursor}`, cookie)).json();
    expect(second).toMatchObject({ jobs: [{ id: [aliceJob, aliceWaiting].sort().at(0) }], nextCursor: null });
    expect((await get(rw, '/api/jobs?status=bogus', cookie)).status).toBe(400);
  });

  it('a hostile label comes back as data, and the page\'s script never makes HTML of data', async () => {
    const cookie = await login(rw);
    const page = await (await get(rw, `/api/jobs?label=${encodeURIComponent(hostile)}`, cookie)).json();
    expect(page.jobs[0].label).toBe(hostile);
    expect(await (await get(rw, '/', cookie)).text()).not.toContain('<img');
    const js = readFileSync(join(repoRoot, 'src', 'cli', 'dashboard', 'public', 'app.js'), 'utf8');
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|createContextualFragment|DOMParser/);
    expect(js).toMatch(/el\.textContent = String\(v\)/);
    // What is served is that file.
    expect(await (await get(rw, '/app.js', cookie)).text()).toBe(js);
  });
});

describe('actions', () => {
  it('--read-only refuses them, and the page is told to show none', async () => {
    const cookie = await login(ro);
    expect(await (await get(ro, '/api/me', cookie)).json()).toMatchObject({ readOnly: true });
    for (const path of [`/api/jobs/${aliceWaiting}/cancel`, `/api/jobs/${aliceJob}/retry`, '/api/schedules/x/pause', '/api/schedules/x/run-now']) {
      const r = await post(ro, path, cookie);
      expect(r.status, path).toBe(403);
      expect((await r.json()).error).toMatch(/read-only/);
    }
    expect((await db.query('SELECT status FROM pgdispatch.jobs WHERE id = $1', [aliceWaiting])).rows[0].status).toBe('scheduled');
  });

  it('only as JSON from the page\'s origin; another role\'s job is not found; the role\'s own is cancelled', async () => {
    const cookie = await login(rw);
    expect((await fetch(`${rw.origin}/api/jobs/${aliceWaiting}/cancel`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' })).status).toBe(415);
    expect((await post(rw, `/api/jobs/${aliceWaiting}/cancel`, cookie, { origin: 'http://evil.example' })).status).toBe(403);
    const other = await post(rw, `/api/jobs/${bobJob}/retry`, cookie);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ sqlstate: 'PD100' });
    const r = await post(rw, `/api/jobs/${aliceWaiting}/cancel`, cookie, { origin: rw.origin });
    expect(await r.json()).toEqual({ cancelled: true });
    expect((await db.query('SELECT status FROM pgdispatch.jobs WHERE id = $1', [aliceWaiting])).rows[0].status).toBe('cancelled');
    const retried = await (await post(rw, `/api/jobs/${aliceWaiting}/retry`, cookie)).json();
    expect(retried.retry).toMatch(/^\d+$/);
    await waitForJob(db, retried.retry);
  });
});

it('the live stream: a finished job of the role arrives, another role\'s never does', async () => {
  const cookie = await login(rw);
  const ac = new AbortController();
  const r = await fetch(`${rw.origin}/api/events`, { headers: { cookie }, signal: ac.signal });
  expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
  let text = '';
  const reading = (async () => {
    const dec = new TextDecoder();
    try { for await (const chunk of r.body!) text += dec.decode(chunk as Uint8Array); } catch { /* aborted */ }
  })();
  try {
    await waitFor('the first summary', async () => (text.includes('event: summary') ? true : undefined));
    const b = await idOf(bob, `SELECT pgdispatch.fire('SELECT 4')::text AS id`);
    await waitForJob(db, b);
    const a = await idOf(alice, `SELECT pgdispatch.fire('SELECT 5')::text AS id`);
    const started = Date.now();
    await waitFor('alice\'s job in the stream', async () => (text.includes(`{"id":"${a}","status":"succeeded"}`) ? true : undefined));
    console.log(`dashboard: job finished -> event in ${Date.now() - started} ms (fire to event)`);
    expect(text).not.toContain(`"id":"${b}"`);
    expect(text).not.toContain('bob');
  } finally {
    ac.abort();
    await reading;
  }
});

it('the CLI prints the URL with the secret, serves on 127.0.0.1, and stops on SIGINT', async () => {
  const child = spawn(process.execPath, [bin, 'dashboard', '--read-only', '--url', as('dash_alice'), '--json'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const line = await waitFor('the URL', async () => (out.includes('\n') ? out.split('\n')[0] : undefined));
  const printed = JSON.parse(line!) as { url: string; role: string; readOnly: boolean };
  expect(printed).toMatchObject({ role: 'dash_alice', readOnly: true });
  expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  const r = await fetch(printed.url, { redirect: 'manual' });
  expect(r.status).toBe(303);
  const page = await fetch(new URL('/app.js', printed.url), { headers: { cookie: r.headers.get('set-cookie')!.split(';')[0]! } });
  expect(page.status).toBe(200); // the bundled CLI finds its page in dist/dashboard/
  child.kill('SIGINT');
  expect(await closed).toBe(0);
});

it('a port in use is refused with what to do, and nothing stays open', async () => {
  const port = Number(new URL(rw.origin).port);
  const sessions = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'dash_alice' AND application_name LIKE 'pgdispatch%'`)).rows[0]!.n;
  const before = await sessions();
  await expect(startDashboard({ url: as('dash_alice'), port })).rejects.toMatchObject({
    message: expect.stringMatching(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`)),
    fix: expect.stringMatching(/--port N/),
  });
  await waitFor('the refused dashboard\'s sessions to end', async () => ((await sessions()) === before ? true : undefined));
});
