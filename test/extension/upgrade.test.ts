// Every upgrade path into the current version: from the stand-in for pg_dispatch 0.1.5 (see
// test/fixtures) and from every earlier release in dist-sql/. For each, the upgraded database must
// have exactly the catalog of a fresh install, keep the jobs that were pending, and work.
// (The whole behaviour suite also runs on upgraded databases: PGDISPATCH_TEST_INSTALL=upgrade.)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import { catalogDump } from '../setup/catalog.js';
import { connect, dropExtension, failure, waitFor, waitForJob } from '../setup/db.js';
import { repoRoot } from '../setup/server.js';

const current = extension.version;
const released = readdirSync(join(repoRoot, 'dist-sql'))
  .map((f) => /^pg_dispatch--(\d+\.\d+\.\d+)\.sql$/.exec(f)?.[1])
  .filter((v): v is string => v !== undefined && v !== current);
const sources = ['0.1.5', ...released];

let db: pg.Client;
let freshCatalog: string[];
/** A fresh install after its first job: pg_dispatch's service jobs and the firer's executor exist. */
let freshAfterFire: string[];
let available: Set<string>;

beforeAll(async () => {
  db = await connect();
  const { rows } = await db.query<{ version: string }>(`SELECT version FROM pg_available_extension_versions WHERE name = 'pg_dispatch'`);
  available = new Set(rows.map((r) => r.version));
  await dropExtension(db);
  await db.query('CREATE EXTENSION pg_dispatch');
  freshCatalog = await catalogDump(db);
  await db.query(`SELECT pgdispatch.cancel(pgdispatch.snooze('SELECT 1', '1 hour'))`);
  freshAfterFire = await catalogDump(db);
  await dropExtension(db);
  await db.query('DROP TABLE IF EXISTS public.upgrade_log');
  await db.query('CREATE TABLE public.upgrade_log (what text)');
  await db.query(`DROP ROLE IF EXISTS legacy_caller`);
  await db.query(`CREATE ROLE legacy_caller LOGIN`);
  await db.query(`GRANT INSERT ON public.upgrade_log TO legacy_caller`);
});
afterAll(async () => {
  await db?.query('DROP EXTENSION IF EXISTS pg_dispatch CASCADE');
  await db?.query('DROP TABLE IF EXISTS public.upgrade_log');
  await db?.query('DROP ROLE IF EXISTS legacy_caller');
  await db?.end();
});

/** Warnings the server sends while `fn` runs (an extension script's notices are not sent). */
async function messages(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (n: { severity?: string; message?: string; hint?: string }): void => void seen.push(`${n.severity}: ${n.message}${n.hint ? ` (${n.hint})` : ''}`);
  db.on('notice', listener);
  try {
    await fn();
  } finally {
    db.off('notice', listener);
  }
  return seen;
}

const logged = async (what: string): Promise<boolean> =>
  (await db.query('SELECT 1 FROM public.upgrade_log WHERE what = $1', [what])).rowCount! > 0;

describe.each(sources)('ALTER EXTENSION pg_dispatch UPDATE from %s', (source) => {
  it(`gives the catalog of a fresh ${current} install, and keeps jobs fired before it`, async (ctx) => {
    if (!available.has(source)) {
      console.log(`upgrade from ${source} SKIPPED: the server has no pg_dispatch--${source}.sql (tests copy it only to local servers)`);
      ctx.skip();
    }
    await dropExtension(db);
    await db.query(`CREATE EXTENSION pg_dispatch VERSION '${source}' CASCADE`);
    // A call site of the old version that must keep working: a trigger function calling fire().
    await db.query(`DROP TABLE IF EXISTS public.upgrade_orders`);
    await db.query(`CREATE TABLE public.upgrade_orders (id int)`);
    await db.query(`
      CREATE OR REPLACE FUNCTION public.upgrade_orders_fire() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pgdispatch.fire(format('INSERT INTO public.upgrade_log VALUES (%L)', 'order ' || NEW.id));
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER fire_on_insert AFTER INSERT ON public.upgrade_orders
                    FOR EACH ROW EXECUTE FUNCTION public.upgrade_orders_fire()`);
    // Pending at the moment of the upgrade: due in 6 s, the upgrade takes well under that.
    const pendingWhat = `pending from ${source}`;
    await db.query(`SELECT pgdispatch.snooze($1, '6 seconds')`, [`INSERT INTO public.upgrade_log VALUES ('${pendingWhat}')`]);

    const said = await messages(() => db.query('ALTER EXTENSION pg_dispatch UPDATE'));
    const { rows: [ext] } = await db.query(`SELECT extversion FROM pg_extension WHERE extname = 'pg_dispatch'`);
    expect(ext.extversion).toBe(current);
    if (source === '0.1.5') {
      expect(said.join('\n')).toMatch(/WARNING: .*1 command\(s\) fired with 0\.1\.x .* still pending/);
      expect(said.join('\n')).toMatch(/WARNING: .*no longer lets every role call fire/);
    }
    // (a dump that says little would prove little)
    expect(freshCatalog.length).toBeGreaterThan(150);
    expect(freshCatalog).toContain('member function pgdispatch.fire(text,text,interval,integer,text,jsonb,text,text,interval,interval,integer,text,bigint[])');
    // 0.1.5's fire() made no service jobs and no executor; a later version's did.
    expect(await catalogDump(db)).toEqual(source.startsWith('0.') ? freshCatalog : freshAfterFire);

    // The job fired before the upgrade runs after it.
    // (0.1.5's job is a pg_cron interval job of its own, in a session that pg_cron opens once it
    // has loaded the job: on CI's loaded machine that once took over 30 s)
    // pg_cron 1.6's launcher can miss the reload after the upgrade's quick run of cron.job writes
    // (seen after UPDATE from 0.1.5, with 1.2.1 as with 1.2.2): the job is loaded, and runs, at
    // the next write to cron.job, which the next fire() makes. Made here, if it has not run by then.
    const ran = async () => ((await logged(pendingWhat)) ? true : undefined);
    if (!(await waitFor(`the job fired with ${source} to run`, ran, { timeoutMs: 10_000 }).catch(() => false))) {
      await db.query(`SELECT cron.unschedule(cron.schedule('upgrade_poke', '* * * * *', 'SELECT 1'))`);
    }
    await waitFor(`the job fired with ${source} to run`, ran, { timeoutMs: 60_000 });
    // The old call site works, and its job is now recorded.
    await db.query('INSERT INTO public.upgrade_orders VALUES (1)');
    await waitFor('the trigger\'s job to run', async () => ((await logged('order 1')) ? true : undefined));
    const { rows: [job] } = await db.query(`SELECT id FROM pgdispatch.jobs ORDER BY id DESC LIMIT 1`);
    expect((await waitForJob(db, job.id)).status).toBe('succeeded');
    // Nothing of the old version is left in pg_cron once its jobs have run.
    await waitFor('the old version\'s pg_cron jobs to be gone', async () => {
      const { rows } = await db.query(`SELECT jobname FROM cron.job WHERE jobname NOT LIKE 'pgdispatch\\_%'`);
      return rows.length === 0 ? true : undefined;
    });
    await db.query('DROP TABLE public.upgrade_orders');
    await db.query('DROP FUNCTION public.upgrade_orders_fire()');
  }, 120_000);
});

describe('the upgrade from 0.1.5', () => {
  it('carries explicit grants on fire() over to the roles that had them', async (ctx) => {
    if (!available.has('0.1.5')) ctx.skip();
    await dropExtension(db);
    await db.query(`CREATE EXTENSION pg_dispatch VERSION '0.1.5' CASCADE`);
    await db.query('GRANT USAGE ON SCHEMA pgdispatch TO legacy_caller');
    await db.query('REVOKE EXECUTE ON FUNCTION pgdispatch.fire(text), pgdispatch.snooze(text, interval) FROM PUBLIC');
    await db.query('GRANT EXECUTE ON FUNCTION pgdispatch.fire(text) TO legacy_caller');
    const said = await messages(() => db.query('ALTER EXTENSION pg_dispatch UPDATE'));
    expect(said.join('\n')).not.toContain('no longer lets every role');
    const caller = await connect({ user: 'legacy_caller' });
    try {
      const { rows: [{ id }] } = await caller.query(`SELECT pgdispatch.fire($1) AS id`, ["INSERT INTO public.upgrade_log VALUES ('from legacy_caller')"]);
      const job = await waitForJob(caller, id);
      expect(job.status).toBe('succeeded');
      expect(job.role).toBe('legacy_caller');
    } finally {
      await caller.end();
    }
  });

  it('pg_tle/pg_dispatch-uninstall.sql removes a 0.1.5 too, with the commands it left pending', async (ctx) => {
    if (!available.has('0.1.5')) ctx.skip();
    await dropExtension(db);
    await db.query(`CREATE EXTENSION pg_dispatch VERSION '0.1.5' CASCADE`);
    await db.query(`SELECT pgdispatch.snooze('SELECT 1', '1 hour')`);
    await db.query(readFileSync(join(repoRoot, 'pg_tle/pg_dispatch-uninstall.sql'), 'utf8'));
    const { rows: left } = await db.query(`
      SELECT 'extension' AS what FROM pg_extension WHERE extname = 'pg_dispatch'
      UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname LIKE 'pgdispatch%'
      UNION ALL SELECT 'cron job ' || jobname FROM cron.job`);
    expect(left).toEqual([]);
  });

  it('stops, naming them, when objects of yours depend on the old functions', async (ctx) => {
    if (!available.has('0.1.5')) ctx.skip();
    await dropExtension(db);
    await db.query(`CREATE EXTENSION pg_dispatch VERSION '0.1.5' CASCADE`);
    await db.query(`CREATE FUNCTION public.upgrade_atomic() RETURNS void LANGUAGE sql
                    BEGIN ATOMIC SELECT pgdispatch.fire('SELECT 1'); END`);
    try {
      const err = await failure(db, 'ALTER EXTENSION pg_dispatch UPDATE');
      expect(err.code).toBe('2BP01');
      expect(err.message).toContain('upgrade_atomic');
      expect(err.hint).toContain('ALTER EXTENSION pg_dispatch UPDATE');
      const { rows: [ext] } = await db.query(`SELECT extversion FROM pg_extension WHERE extname = 'pg_dispatch'`);
      expect(ext.extversion).toBe('0.1.5');
    } finally {
      await db.query('DROP FUNCTION public.upgrade_atomic()');
    }
    await db.query('ALTER EXTENSION pg_dispatch UPDATE');
  });
});
