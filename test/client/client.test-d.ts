// Type tests: the client's signatures follow the generated declarations.
import type { Kysely, Transaction } from 'kysely';
import type pg from 'pg';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createDispatch, type Dispatch, type ExactJson, type FireOptions, type Job, type JobAttempt, type JobId, type JobPage,
  type JobResult, type JobStatus, type JobsRow, type PgInterval, type StatsRow, type PgDispatchApi, type PgDispatchDatabase, type ResultRow,
} from '../../src/client/index.js';

declare const pool: pg.Pool;
declare const client: pg.PoolClient;
declare const db: Kysely<PgDispatchDatabase>;
declare const trx: Transaction<PgDispatchDatabase>;

describe('client types', () => {
  it('accepts a Pool, a Client, a PoolClient, Kysely and a Kysely transaction', () => {
    expectTypeOf(createDispatch(pool)).toEqualTypeOf<Dispatch>();
    expectTypeOf(createDispatch(client)).toEqualTypeOf<Dispatch>();
    expectTypeOf(createDispatch(db)).toEqualTypeOf<Dispatch>();
    expectTypeOf(createDispatch(trx)).toEqualTypeOf<Dispatch>();
    // @ts-expect-error not a connection
    createDispatch('postgres://');
  });

  it('has the shapes users write', () => {
    const d = createDispatch(pool);
    expectTypeOf(d.fire('SELECT 1', { label: 'x', timeout: 1000, maxAttempts: 3, client })).resolves.toEqualTypeOf<JobId>();
    expectTypeOf(d.fire('SELECT 1', { timeout: '5 minutes', client: trx })).resolves.toBeString();
    expectTypeOf(d.snooze('SELECT 1', '10 minutes')).resolves.toBeString();
    expectTypeOf(d.fireAt('SELECT 1', new Date())).resolves.toBeString();
    expectTypeOf(d.wait('1', { timeoutMs: 5000 })).resolves.toEqualTypeOf<JobStatus>();
    expectTypeOf(d.status(1n)).resolves.toEqualTypeOf<JobStatus>();
    expectTypeOf(d.cancel(1)).resolves.toBeBoolean();
    expectTypeOf(d.cancelByLabel('billing/%')).resolves.toBeNumber();
    expectTypeOf(d.list({ status: ['failed'], label: 'a/%' })).resolves.toEqualTypeOf<JobPage>();
    expectTypeOf<JobPage['jobs']>().toEqualTypeOf<readonly Job[]>();
    expectTypeOf(d.wait('1', { client: trx, timeoutMs: 0 })).resolves.toEqualTypeOf<JobStatus>();
    // @ts-expect-error the command is required
    d.fire();
    // @ts-expect-error unknown option
    d.fire('SELECT 1', { labl: 'x' });
    // @ts-expect-error maxAttempts is a number
    d.fire('SELECT 1', { maxAttempts: '3' });
    expectTypeOf(d.fire('SELECT $1::int', { args: [42, 'express', null, { a: 1 }], key: 'refresh:orders', keyMode: 'debounce', debounce: 5000, maxWait: '1 minute', priority: 1 })).resolves.toBeString();
    // @ts-expect-error args is an array
    d.fire('SELECT $1', { args: 42 });
    // @ts-expect-error snooze needs a delay
    d.snooze('SELECT 1');
    // @ts-expect-error not a status
    d.list({ status: 'done' });
  });

  it('types result rows', () => {
    const d = createDispatch(pool);
    const r = d.result<{ id: number; email: string }>('1');
    expectTypeOf(r).resolves.toEqualTypeOf<JobResult<{ id: number; email: string }>>();
    expectTypeOf<JobResult<{ id: number }>['rows']>().toEqualTypeOf<readonly { id: number }[] | null>();
    expectTypeOf<JobResult['status']>().toEqualTypeOf<JobStatus>();
  });

  it('types result numbers exactly: row counts as bigint text, rows as exact JSON', () => {
    const d = createDispatch(pool);
    expectTypeOf<JobResult['rowCount']>().toEqualTypeOf<string | null>();
    expectTypeOf(d.result('1')).resolves.toEqualTypeOf<JobResult<ResultRow>>();
    expectTypeOf<ResultRow[string]>().toEqualTypeOf<ExactJson>();
    // A big number is a string, never a JavaScript bigint (which JSON.stringify refuses).
    expectTypeOf<bigint>().not.toExtend<ExactJson>();
    expectTypeOf<string>().toExtend<ExactJson>();
  });

  it('types the rows of list(): status a JobStatus, times Dates, timeout in milliseconds', () => {
    expectTypeOf<Job['status']>().toEqualTypeOf<JobStatus>();
    expectTypeOf<Job['created_at']>().toEqualTypeOf<Date>();
    expectTypeOf<Job['run_at']>().toEqualTypeOf<Date>();
    expectTypeOf<Job['started_at']>().toEqualTypeOf<Date | null>();
    expectTypeOf<Job['finished_at']>().toEqualTypeOf<Date | null>();
    expectTypeOf<Job['timeout']>().toEqualTypeOf<number | null>();
    expectTypeOf<Job['id']>().toEqualTypeOf<JobId>();
    expectTypeOf<Job['row_count']>().toEqualTypeOf<string | null>();
    expectTypeOf<Job['rows']>().toEqualTypeOf<readonly ResultRow[] | null>();
    expectTypeOf<Job['attempt_log']>().toEqualTypeOf<readonly JobAttempt[]>();
    expectTypeOf<JobAttempt['failed_at']>().toEqualTypeOf<Date>();
    // Every column of the view is there, with the same name.
    expectTypeOf<keyof Job>().toEqualTypeOf<keyof JobsRow>();
    const status = (j: Job): 'done' | 'not yet' => {
      switch (j.status) {
        case 'scheduled': case 'running': return 'not yet';
        case 'succeeded': case 'failed': case 'cancelled': case 'timed_out': return 'done';
      }
    };
    void status;
    // @ts-expect-error not a status
    void ((j: Job) => j.status === 'done');
  });

  it('takes its option types from the generated declarations', () => {
    expectTypeOf<Parameters<Dispatch['fire']>[0]>().toEqualTypeOf<PgDispatchApi['fire']['required'][0]>();
    expectTypeOf<FireOptions>().toHaveProperty('maxAttempts');
    expectTypeOf<JobStatus>().toEqualTypeOf<'scheduled' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out'>();
    expectTypeOf<PgDispatchDatabase['pgdispatch.jobs']>().toEqualTypeOf<JobsRow>();
    // What Kysely reads from the views: a status is a JobStatus, an interval node-postgres's object.
    expectTypeOf<JobsRow['status']>().toEqualTypeOf<JobStatus>();
    expectTypeOf<JobsRow['timeout']>().toEqualTypeOf<PgInterval | null>();
    expectTypeOf<StatsRow['start_latency_p50']>().toEqualTypeOf<PgInterval | null>();
  });
});
