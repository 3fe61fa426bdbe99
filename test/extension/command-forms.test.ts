// Forms of commands and times that the documentation allows: statements that use what an earlier
// statement of the same command made, times far ahead or infinite, and the fire-time refusal of
// commands that cannot run in a transaction whatever comments or statements come before them.
// Everything is fired by a role that is not a superuser, as most users are.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, failure, freshExtension, waitFor, waitForJob } from '../setup/db.js';

let admin: pg.Client;
let app: pg.Client;

beforeAll(async () => {
  admin = await connect();
  await freshExtension(admin);
  await admin.query(`DROP TABLE IF EXISTS keep, made CASCADE`);
  await admin.query(`DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgd_forms') THEN
    EXECUTE 'DROP OWNED BY pgd_forms CASCADE'; EXECUTE 'DROP ROLE pgd_forms'; END IF; END$$`);
  await admin.query(`CREATE ROLE pgd_forms LOGIN`);
  await admin.query(`SELECT pgdispatch.grant_usage('pgd_forms')`);
  await admin.query(`CREATE TABLE keep (x int); GRANT ALL ON keep TO pgd_forms; GRANT CREATE ON SCHEMA public TO pgd_forms`);
  app = await connect({ user: 'pgd_forms' });
});
afterAll(async () => {
  await app?.end();
  await admin?.end();
});

const fire = async (command: string): Promise<string> =>
  (await app.query<{ id: string }>('SELECT pgdispatch.fire($1) AS id', [command])).rows[0]!.id;
const fireAt = async (command: string, at: string): Promise<string> =>
  (await app.query<{ id: string }>(`SELECT pgdispatch.fire_at($1, ${at}) AS id`, [command])).rows[0]!.id;
const kept = async (): Promise<number[]> =>
  (await admin.query<{ x: number }>('SELECT x FROM keep ORDER BY x')).rows.map((r) => r.x);

describe('commands of several statements', () => {
  it('runs later statements that use what earlier ones made; row_count is the last statement\'s, rows null', async () => {
    const cases: Array<[string, string]> = [
      ['CREATE TEMP TABLE t AS SELECT 1 AS x; INSERT INTO keep SELECT x FROM t', '1'],
      ['CREATE TABLE made (x int); INSERT INTO made VALUES (2), (3); SELECT * FROM made', '2'],
      ['CREATE TEMP TABLE s (x int);\n-- then fill it\nINSERT INTO s VALUES (4), (5), (6);\n/* and copy it */ INSERT INTO keep SELECT x FROM s;', '3'],
      ['CREATE FUNCTION pg_temp.seven() RETURNS int LANGUAGE sql AS $$ SELECT 7; $$; INSERT INTO keep SELECT pg_temp.seven()', '1'],
    ];
    // One after the other: each case reads what the one before it left in keep.
    for (const [command, rowCount] of cases) {
      const job = await waitForJob(app, await fire(command));
      expect(job, command).toMatchObject({ status: 'succeeded', row_count: rowCount, rows: null, error_message: null });
    }
    expect(await kept()).toEqual([1, 4, 5, 6, 7]);
    expect((await admin.query('SELECT count(*)::int AS n FROM made')).rows[0].n).toBe(2);
  });

  it('keeps the rows of a lone statement, whatever comments, semicolons and quoted text surround it', async () => {
    const cases: Array<[string, unknown]> = [
      ['/* report */ SELECT 1 AS a;', [{ a: 1 }]],
      ['-- header\nSELECT 2 AS a ;; ', [{ a: 2 }]],
      [`SELECT 'x;y' AS s, $$z; w$$ AS t, "a;b" FROM (SELECT 3 AS "a;b") AS q -- trailing; comment`, [{ s: 'x;y', t: 'z; w', 'a;b': 3 }]],
      [`SELECT E'it\\'s; fine' AS s /* a /* nested; */ comment */`, [{ s: "it's; fine" }]],
      ['INSERT INTO keep VALUES (8) RETURNING x;', [{ x: 8 }]],
    ];
    const ids = [];
    for (const [command] of cases) ids.push(await fire(command));
    for (const [i, [command, rows]] of cases.entries()) {
      expect(await waitForJob(app, ids[i]!), command).toMatchObject({ status: 'succeeded', rows, row_count: '1' });
    }
  });

  it('records the error of the statement that fails, and rolls back the statements before it', async () => {
    const job = await waitForJob(app, await fire('INSERT INTO keep VALUES (99); CREATE TEMP TABLE u (x int); SELECT nope FROM u'));
    expect(job).toMatchObject({ status: 'failed', error_sqlstate: '42703' });
    const single = await waitForJob(app, await fire('/* typo */ SELECT * FROM no_such_table'));
    expect(single).toMatchObject({ status: 'failed', error_sqlstate: '42P01' });
    expect(await kept()).not.toContain(99);
  });
});

describe('times far ahead', () => {
  it('accepts fire_at() at infinity and 100 years ahead: the job waits, with no carrier, until cancelled', async () => {
    const ids = [await fireAt('INSERT INTO keep VALUES (100)', `'infinity'`), await fireAt('INSERT INTO keep VALUES (101)', `now() + interval '100 years'`)];
    // The maintenance job looks for jobs coming due: these are not, and stay as they are. (In a
    // session of its own: it sets the session's search_path.)
    const maintenance = await connect();
    await maintenance.query('CALL pgdispatch._maintain()');
    await maintenance.end();
    const { rows } = await admin.query(
      `SELECT id::text, status, carrier, run_at = 'infinity' AS infinite FROM pgdispatch._job WHERE id = ANY($1) ORDER BY id`, [ids]);
    expect(rows).toEqual([
      { id: ids[0], status: 'scheduled', carrier: null, infinite: true },
      { id: ids[1], status: 'scheduled', carrier: null, infinite: false },
    ]);
    const { rows: views } = await app.query(`SELECT (SELECT count(*)::int FROM pgdispatch.jobs WHERE id = ANY($1) AND status = 'scheduled') AS n,
                                                   (SELECT scheduled::int FROM pgdispatch.stats) AS scheduled`, [ids]);
    expect(views[0]).toEqual({ n: 2, scheduled: 2 });
    for (const id of ids) expect((await app.query('SELECT pgdispatch.cancel($1) AS c', [id])).rows[0].c).toBe(true);
    for (const id of ids) expect((await waitForJob(app, id)).status).toBe('cancelled');
    expect(await kept()).not.toContain(100);
  });

  it('runs a job at -infinity or in the past now, recording a finite due time', async () => {
    const ids = [await fireAt('INSERT INTO keep VALUES (102)', `'-infinity'`), await fireAt('INSERT INTO keep VALUES (103)', `now() - interval '1 hour'`)];
    for (const id of ids) expect((await waitForJob(app, id)).status).toBe('succeeded');
    const { rows } = await app.query(`SELECT isfinite(run_at) AS finite, run_at <= started_at AS due_first FROM pgdispatch.jobs WHERE id = ANY($1)`, [ids]);
    expect(rows).toEqual([{ finite: true, due_first: true }, { finite: true, due_first: true }]);
    expect(await kept()).toEqual(expect.arrayContaining([102, 103]));
    // The timings of the last hour include them without error.
    await app.query('SELECT * FROM pgdispatch.stats');
  });
});

describe('commands that cannot run in a transaction', () => {
  it('refuses them at fire time after comments and whitespace, in any case, and as any statement of the command', async () => {
    const refused = [
      '/* nightly */ VACUUM keep',
      '-- comment\nVACUUM keep',
      ' \n\t vacuum keep',
      'Vacuum (VERBOSE) keep',
      '/* outer /* nested */ still comment */ VACUUM',
      '  /* a */ /* b */ CREATE INDEX CONCURRENTLY keep_x ON keep (x)',
      '-- one\n-- two\ncreate unique index concurrently keep_x ON keep (x)',
      'SELECT 1; VACUUM keep',
      `INSERT INTO keep VALUES (1);\n/* then */ vacuum analyze keep;`,
      `SELECT ';'; REINDEX TABLE CONCURRENTLY keep`,
      'REINDEX (VERBOSE) DATABASE pgdispatch',
      'DROP INDEX CONCURRENTLY keep_x',
      'SELECT 1; COMMIT',
      '/* tx */ BEGIN; SELECT 1',
    ];
    const before = (await admin.query('SELECT count(*)::int AS n FROM pgdispatch._job')).rows[0].n;
    for (const command of refused) {
      const err = await failure(app, 'SELECT pgdispatch.fire($1)', [command]);
      expect(err.code, command).toBe('PD202');
      expect(err.message, command).toContain('cannot run inside a transaction block');
      expect(err.detail, command).toContain('runs each command in a transaction');
      expect(err.hint, command).toContain('cron.schedule');
    }
    expect((await admin.query('SELECT count(*)::int AS n FROM pgdispatch._job')).rows[0].n).toBe(before);
  });

  it('does not refuse these words inside comments, strings, dollar quotes and function bodies', async () => {
    const allowed = [
      `SELECT 'VACUUM keep' AS s`,
      `-- VACUUM keep\nSELECT 1`,
      `/* VACUUM keep; */ SELECT 2`,
      `SELECT 1; SELECT '; VACUUM keep'`,
      `SELECT $v$; VACUUM keep$v$`,
      `DO $$ BEGIN PERFORM 1; END $$`,
      `CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; SELECT pg_temp.f()`,
      `ANALYZE keep`,
    ];
    const ids = [];
    for (const command of allowed) ids.push(await fire(command));
    for (const [i, command] of allowed.entries()) {
      const job = await waitForJob(app, ids[i]!);
      expect(job.status, `${command}: ${job.error_message}`).toBe('succeeded');
    }
  });

  it('refuses a command of only comments as empty', async () => {
    for (const command of ['/* nothing */', '-- only a comment', ' ; /* a */ ; -- b']) {
      const err = await failure(app, 'SELECT pgdispatch.fire($1)', [command]);
      expect(err.code, command).toBe('PD200');
      expect(err.message, command).toContain('empty');
    }
  });
});

describe('how a command divides into statements', () => {
  it('splits where PostgreSQL splits, blanking comments', async () => {
    const cases: Array<[string, string[]]> = [
      ['SELECT 1', ['SELECT 1']],
      ['SELECT 1;  ', ['SELECT 1']],
      ['  ;  ', []],
      ['/* x */', []],
      ['SELECT 1 /* a ; */; SELECT 2 -- b ;', ['SELECT 1', 'SELECT 2']],
      [`SELECT 'a;b'; SELECT "x;y"`, [`SELECT 'a;b'`, `SELECT "x;y"`]],
      [`SELECT E'it\\'s; ok'; SELECT 'C:\\'; SELECT 3`, [`SELECT E'it\\'s; ok'`, `SELECT 'C:\\'`, 'SELECT 3']],
      [`SELECT U&'\\0061;'; SELECT B'1'; SELECT X'1F'`, [`SELECT U&'\\0061;'`, `SELECT B'1'`, `SELECT X'1F'`]],
      ['DO $job$ BEGIN PERFORM 1; END $job$; SELECT 3', ['DO $job$ BEGIN PERFORM 1; END $job$', 'SELECT 3']],
      ['SELECT a$b$c; SELECT $a$ x$a$; SELECT $b$ $a$b$; SELECT 4', ['SELECT a$b$c', 'SELECT $a$ x$a$', 'SELECT $b$ $a$b$', 'SELECT 4']],
      ['SELECT /* a /* b */ c; */ 5; SELECT 6', ['SELECT   5', 'SELECT 6']],
      ['CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 7',
        ['CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))', 'SELECT 7']],
      ['CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT 8',
        ['CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END', 'SELECT 8']],
      [`SELECT 'ünï;'; SELECT 9`, [`SELECT 'ünï;'`, 'SELECT 9']],
      [`SELECT 'open; VACUUM`, [`SELECT 'open; VACUUM`]],
    ];
    for (const [command, expected] of cases) {
      const { rows } = await admin.query('SELECT pgdispatch._statements($1) AS s', [command]);
      expect(rows[0].s, command).toEqual(expected);
    }
    await admin.query('SET standard_conforming_strings = off');
    const { rows } = await admin.query(`SELECT pgdispatch._statements($1) AS s`, [`SELECT 'a\\'; b'; SELECT 2`]);
    await admin.query('RESET standard_conforming_strings');
    expect(rows[0].s).toEqual([`SELECT 'a\\'; b'`, 'SELECT 2']);
  });

  it('cuts megabytes of text in one pass, not one per statement or per byte', async () => {
    const started = Date.now();
    const { rows } = await admin.query(`
      SELECT cardinality(pgdispatch._statements(string_agg(format('INSERT INTO keep VALUES (%s); -- %L', g, repeat('x', 40)), E'\\n'))) AS n,
             (SELECT cardinality(pgdispatch._statements('SELECT 1 /* ' || repeat('y', 1000000) || ' */'))) AS one
        FROM generate_series(1, 20000) AS g`);
    expect(rows[0]).toEqual({ n: 20000, one: 1 });
    expect(Date.now() - started).toBeLessThan(5000); // about 1 s here; quadratic would be minutes
  });
});

describe('waiting jobs left behind', () => {
  it('leaves nothing scheduled from this file', async () => {
    await waitFor('no job of pgd_forms to be scheduled or running', async () => {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pgdispatch._job WHERE role = 'pgd_forms' AND status IN ('scheduled', 'running')`);
      return rows[0].n === 0 ? true : undefined;
    });
  });
});
