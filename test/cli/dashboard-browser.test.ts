// The dashboard in a real browser: Debian's Chromium driven by playwright-core, against a real
// server with 100,000 jobs in the table, a burst, a failing job with two attempts, a job with rows,
// schedules, and a hostile label. The label must render as text (no dialog, no <img>); the first
// paint must come within a second; the role's queues show in their panel; screenshots go
// to a temporary folder (printed) to be looked at.
// Skipped, with the reason printed, where /usr/bin/chromium is missing.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/cli/dashboard/server.js';
import { connect, databaseUrl, freshExtension, waitFor, waitForJob } from '../setup/db.js';

const chromiumPath = process.env.PGDISPATCH_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.log(`dashboard browser test skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set PGDISPATCH_CHROMIUM)`);

const hostile = '<img src=x onerror=alert(1)>';
const role = 'dash_carol';
const as = (r: string) => { const u = new URL(databaseUrl()); u.username = r; return u.toString(); };

describe.skipIf(!haveChromium)('the dashboard in Chromium', () => {
  let db: pg.Client;
  let carol: pg.Client;
  let dash: Dashboard;
  let browser: Browser;
  let failing: string;
  let withRows: string;
  let hostileJob: string;
  let shots: string;

  beforeAll(async () => {
    db = await connect();
    await freshExtension(db);
    await db.query(`DROP ROLE IF EXISTS ${role}`);
    await db.query(`CREATE ROLE ${role} LOGIN`);
    await db.query(`SELECT pgdispatch.grant_usage('${role}')`);
    await db.query(`UPDATE pgdispatch.settings SET retry_base_delay = interval '200 ms'`);
    // 100,000 finished jobs of the role over the last two days, 1.7 s apart (written as a restore
    // would: no triggers), about 2,100 in the last hour; one in fifty failed.
    await db.query('BEGIN');
    await db.query('SET LOCAL session_replication_role = replica');
    await db.query(`
      INSERT INTO pgdispatch._job (command, label, role, role_oid, status, created_at, run_at, started_at, finished_at, attempts, row_count, error_sqlstate, error_message)
      SELECT 'SELECT ' || i, 'bulk/' || (i % 7), $1::name, $1::text::regrole::oid, CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END,
             t, t, t + interval '1 ms' * (5 + i % 40), t + interval '1 ms' * (20 + i % 90), 1, 1,
             CASE WHEN i % 50 = 0 THEN '22012' END, CASE WHEN i % 50 = 0 THEN 'division by zero' END
        FROM pg_catalog.generate_series(1, 100000) AS i,
             LATERAL (SELECT pg_catalog.now() - interval '1.7 seconds' * (100000 - i) AS t) AS x`, [role]);
    await db.query('COMMIT');
    await db.query('ANALYZE pgdispatch._job');
    carol = await connect({ user: role });
    await carol.query(`SELECT pgdispatch.fire(CASE WHEN i % 10 = 0 THEN 'SELECT 1 / 0' ELSE 'SELECT pg_sleep(0.005)' END, label => 'burst/' || (i % 3))
                         FROM pg_catalog.generate_series(1, 300) AS i`);
    failing = (await carol.query<{ id: string }>(`SELECT pgdispatch.fire('SELECT 1 / 0', label => 'billing/charge', max_attempts => 2)::text AS id`)).rows[0]!.id;
    withRows = (await carol.query<{ id: string }>(`SELECT pgdispatch.fire($$SELECT g AS n, 'row ' || g AS name, 12345678901234567890 + g AS big, NULL::text AS nothing FROM generate_series(1, 5) AS g$$, label => 'report/rows')::text AS id`)).rows[0]!.id;
    hostileJob = (await carol.query<{ id: string }>('SELECT pgdispatch.fire($1, label => $2)::text AS id', ['SELECT \'<b>bold?</b>\' AS html', hostile])).rows[0]!.id;
    await carol.query(`SELECT pgdispatch.schedule('nightly-cleanup', '0 3 * * *', 'SELECT 1', time_zone => 'Europe/Paris')`);
    await carol.query(`SELECT pgdispatch.schedule('every-minute', '* * * * *', 'SELECT pg_sleep(0.01)', label => 'cron/every-minute')`);
    await carol.query(`SELECT pgdispatch.schedule('paused-one', '*/5 * * * *', 'SELECT 2')`);
    await carol.query(`SELECT pgdispatch.pause_schedule('paused-one')`);
    await carol.query(`SELECT pgdispatch.run_schedule_now('every-minute')`);
    // A job that waits, so that the page has one to cancel.
    await carol.query(`SELECT pgdispatch.snooze('SELECT 3', interval '1 hour', label => 'later/reminder')`);
    await waitForJob(db, failing, ['failed'], 30_000);
    await waitForJob(db, withRows);
    await waitFor('the burst to finish', async () =>
      (await db.query(`SELECT 1 FROM pgdispatch.jobs WHERE label LIKE 'burst/%' AND status IN ('scheduled', 'running')`)).rowCount === 0 ? true : undefined, { timeoutMs: 60_000 });
    // Three queues of the role, one named like the hostile label.
    await carol.query(`SELECT pgdispatch.set_queue('default', concurrency => 4), pgdispatch.set_queue('reports', concurrency => 1, paused => true),
                              pgdispatch.set_queue($1, concurrency => 2)`, [hostile]);
    dash = await startDashboard({ url: as(role) });
    shots = mkdtempSync(join(tmpdir(), 'pgdispatch-dashboard-'));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    console.log(`dashboard screenshots: ${shots}`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await carol?.end();
    if (db) {
      await freshExtension(db);
      await db.query(`DROP ROLE IF EXISTS ${role}`);
      await db.end();
    }
  });

  it('first paint within a second with 100,000 jobs; counts, charts, labels, schedules and the list', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const started = Date.now();
    await page.goto(dash.url);
    await page.waitForSelector('body[data-ready=true] table.jobs tbody tr');
    const ready = Date.now() - started;
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    const steps = await page.evaluate(() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
      .map((e) => `${e.name.replace(/^https?:\/\/[^/]+/, '').replace(/token=[^&]+/, 'token=…')} ${Math.round(e.startTime)}+${Math.round(e.duration)}`).join(', '));
    console.log(`dashboard timeline (ms from navigation start): ${steps}`);
    console.log(`dashboard first paint: first-contentful-paint ${Math.round(fcp)} ms; counts, charts and job list on the page ${ready} ms after navigation (100,000 jobs)`);
    // First paint within a second; the data follows (a second more allowed on a loaded CI machine).
    expect(fcp).toBeGreaterThan(0);
    expect(fcp).toBeLessThan(1000);
    expect(ready).toBeLessThan(2000);
    expect(await page.locator('.tile.st-succeeded .n').textContent()).toMatch(/^2,\d\d\d$/) // ~2,100 of the 100,000 finished in the last hour, and the burst;
    expect(await page.locator('#chart-throughput rect.bar').count()).toBeGreaterThan(10);
    expect(await page.locator('#schedules tbody tr').count()).toBe(3);
    expect(await page.locator('#queues tbody tr').count()).toBe(3); // the role's three queues
    await page.waitForSelector('#live.on');
    // The hostile label: shown as text in the labels table and the job list; nothing ran, no <img>.
    await expect.poll(() => page.getByText(hostile, { exact: true }).count()).toBeGreaterThanOrEqual(3); // labels, list, queues
    expect(await page.locator('img').count()).toBe(0);
    await page.screenshot({ path: join(shots, '1-overview-top.png') });
    await page.screenshot({ path: join(shots, '1-overview.png'), fullPage: true });
    // Filters: failed jobs of billing/%.
    await page.locator('input[name=status][value=failed]').check();
    await page.locator('input[name=label]').fill('billing/%');
    await page.locator('#filters button[type=submit]').click();
    await expect.poll(() => page.locator('table.jobs tbody tr').count()).toBe(1);
    expect(page.url()).toMatch(/#\/\?status=failed&label=billing%2F%25$/);
    await page.screenshot({ path: join(shots, '2-filtered.png') });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a job\'s page: the failing job\'s attempts and error; a job\'s rows as a table; the hostile job', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.goto(dash.url);
    await page.waitForSelector('body[data-ready=true]');
    await page.goto(`${dash.origin}/#/job/${failing}`);
    await page.getByRole('heading', { name: `Job ${failing}`, exact: true }).waitFor();
    expect(await page.locator('.error-box h2').textContent()).toBe('Error 22012');
    expect(await page.locator('table tbody tr').count()).toBe(2); // both failed attempts
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(1);
    await page.screenshot({ path: join(shots, '3-failed-job.png'), fullPage: true });
    await page.goto(`${dash.origin}/#/job/${withRows}`);
    await page.getByRole('heading', { name: `Job ${withRows}`, exact: true }).waitFor();
    expect(await page.locator('table.rows thead th').allTextContents()).toEqual(['n', 'big', 'name', 'nothing'] /* jsonb keeps keys by length, then bytes */);
    expect(await page.locator('table.rows tbody tr').first().locator('td').allTextContents()).toEqual(['1', '12345678901234567891', 'row 1', 'NULL']);
    await page.screenshot({ path: join(shots, '4-rows.png'), fullPage: true });
    await page.goto(`${dash.origin}/#/job/${hostileJob}`);
    await page.getByRole('heading', { name: `Job ${hostileJob}`, exact: true }).waitFor();
    expect(await page.locator('dl.facts dd').first().textContent()).toBe(hostile);
    expect(await page.locator('table.rows tbody td').first().textContent()).toBe('<b>bold?</b>');
    expect(await page.locator('img, b').count()).toBe(0);
    await page.screenshot({ path: join(shots, '5-hostile-job.png'), fullPage: true });
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('cancel and pause act; live: a new burst moves the counts without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(dash.url);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error' || m.text().startsWith('DEBUG')) errors.push(m.text()); });
    await page.waitForSelector('body[data-ready=true] #live.on');
    // Cancel the waiting job: two clicks.
    const row = page.locator('table.jobs tbody tr', { hasText: 'later/reminder' });
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('button', { name: 'Cancel? click again' }).click();
    await expect.poll(() => row.locator('.pill').textContent(), { timeout: 10_000 }).toBe('cancelled');
    await page.locator('#schedules tr', { hasText: 'nightly-cleanup' }).getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.locator('#schedules tr', { hasText: 'nightly-cleanup' }).locator('.pill.paused').count(), { timeout: 10_000 }).toBe(1);
    let requests = 0;
    page.on('request', (r) => { if (r.url().includes('/api/summary')) requests++; });
    const burst = (await carol.query<{ id: string }>(`SELECT pgdispatch.fire('SELECT 1', label => 'burst2/' || (i % 2))::text AS id FROM pg_catalog.generate_series(1, 40) AS i`)).rows.map((r) => r.id);
    for (const id of burst) await waitForJob(carol, id);
    // The tile counts the jobs finished in the last hour (to the minute): the fixture's oldest leave
    // it as minutes pass, so it is compared with that count now, which includes the burst.
    const lastHour = async () => (await carol.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgdispatch.jobs
      WHERE status = 'succeeded' AND finished_at > date_trunc('minute', now()) - interval '59 minutes'`)).rows[0]!.n.toLocaleString('en-US');
    await expect.poll(async () => (await page.locator('.tile.st-succeeded .n').textContent()) === (await lastHour()), { timeout: 20_000 })
      .toBe(true);
    // The first page follows: the new jobs come to its top (reloaded after the push).
    await expect.poll(() => page.locator('table.jobs tbody tr td.label').first().textContent(), { timeout: 10_000 }).toMatch(/^burst2\//);
    expect(requests).toBe(0); // pushed, not polled
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(shots, '6-after-actions.png'), fullPage: true });
    await page.close();
  });
});
