// The client without a server: exact numbers from jsonb text, arguments refused before any query,
// and list rows typed from their jsonb document.
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError, InvalidQueueError, LabelTooLongError, PgDispatchError, TransactionAbortedError, createDispatch, parseExactJson, toDispatchError,
  type Connection, type Dispatch,
} from '../../src/client/index.js';
import { callError } from '../../src/client/call.js';
import { fire, fireAt, snooze } from '../../src/client/generated/api.js';
import { pollPause } from '../../src/client/wait.js';
import { isExactNumber } from '../../src/client/exact-json.js';
import { listQuery, toJob } from '../../src/client/list.js';
import { toJobResult } from '../../src/client/result.js';

describe('exact numbers', () => {
  it('keeps numbers a double would change as their exact text, and the others as numbers', () => {
    expect(parseExactJson('{"big": 9007199254740993, "money": 12345678901234567890.123456789}'))
      .toEqual({ big: '9007199254740993', money: '12345678901234567890.123456789' });
    expect(parseExactJson('[9007199254740991, -9007199254740991, 9007199254740992, -9007199254740993]'))
      .toEqual([9007199254740991, -9007199254740991, '9007199254740992', '-9007199254740993']);
    expect(parseExactJson('[0, -0, 1.5, 0.1, 12.50, 1e-7, 1.0E+2, 3.14159265358979, 0.30000000000000004]'))
      .toEqual([0, -0, 1.5, 0.1, 12.5, 1e-7, 100, 3.14159265358979, 0.30000000000000004]);
    expect(parseExactJson('[0.12345678901234567890, 1e400, 9007199254740993.0]'))
      .toEqual(['0.12345678901234567890', '1e400', '9007199254740993.0']);
  });

  it('leaves strings alone, escapes and digits in them included', () => {
    const text = '{"a \\"9007199254740993\\"": "9007199254740993 \\\\", "n": [1, "2", {"x": 18446744073709551615}], "t": true, "z": null}';
    expect(parseExactJson(text)).toEqual({ 'a "9007199254740993"': '9007199254740993 \\', n: [1, '2', { x: '18446744073709551615' }], t: true, z: null });
    expect(isExactNumber('123')).toBe(true);
    expect(isExactNumber('12345678901234567890')).toBe(false);
  });

  it('reads result() documents with an exact row count (bigint text) and job id', () => {
    const r = toJobResult('{"job_id": 9007199254740995, "status": "succeeded", "command": "SELECT 1", "label": null, "rows": [{"big": 9007199254740993}], '
      + '"row_count": 1, "truncated": false, "error": null, "attempts": 1, "started_at": "2030-01-01T00:00:00.5+00:00", "finished_at": null}');
    expect(r).toMatchObject({ jobId: '9007199254740995', rowCount: '1', rows: [{ big: '9007199254740993' }], attempts: 1, finishedAt: null });
    expect(r.startedAt?.toISOString()).toBe('2030-01-01T00:00:00.500Z');
    expect(toJobResult({ job_id: 1, status: 'running', row_count: null, rows: null }).rowCount).toBeNull();
  });
});

describe('list rows', () => {
  it('are typed from their document: Dates, timeout in ms, bigints as text', () => {
    const job = toJob(JSON.stringify({
      id: '12', status: 'failed', created_at: '1893456000000.123000', run_at: 'Infinity', started_at: '1893456000500', finished_at: null,
      timeout: 30000.000, row_count: null, retry_of: null, rows: null, attempts: 2, max_attempts: 2,
      attempt_log: [{ attempt: 1, started_at: '2030-01-01T00:00:00+00:00', failed_at: '2030-01-01T00:00:01.25+00:00', sqlstate: '22012', message: 'division by zero' }],
    }));
    expect(job).toMatchObject({ id: '12', status: 'failed', timeout: 30_000, finished_at: null, attempts: 2 });
    expect(job.created_at).toEqual(new Date(1893456000000));
    expect(job.started_at).toEqual(new Date(1893456000500));
    expect(job.run_at.getTime()).toBe(8.64e15);
    expect(job.attempt_log[0]!.failed_at).toEqual(new Date('2030-01-01T00:00:01.250Z'));
  });

  it('are filtered with parameters', () => {
    const q = listQuery({ status: 'failed', label: 'a/%', cursor: 10n, limit: 5 });
    expect(q.text).toMatch(/FROM pgdispatch\.jobs AS j WHERE j\.status = ANY\(\$1::text\[\]\) AND j\.label LIKE \$2 AND j\.id < \$3::bigint ORDER BY j\.id DESC LIMIT \$4$/);
    expect(q.values).toEqual([['failed'], 'a/%', '10', 6]);
  });
});

describe('arguments are refused before any query', () => {
  const queries: string[] = [];
  const fake = { query: async (text: string) => { queries.push(text); throw new Error('no server here'); }, on: () => fake } as unknown as Connection;
  const d: Dispatch = createDispatch(fake, { listen: false });

  it.each<[string, () => Promise<unknown>, typeof InvalidArgumentError]>([
    ['an empty command', () => d.fire(''), InvalidArgumentError],
    ['a command of blanks and semicolons', () => d.fire(' ;\n; '), InvalidArgumentError],
    ['a command that is not a string', () => d.fire(42 as unknown as string), InvalidArgumentError],
    ['a negative delay', () => d.snooze('SELECT 1', -1), InvalidArgumentError],
    ['a NaN delay', () => d.snooze('SELECT 1', Number.NaN), InvalidArgumentError],
    ['an infinite delay', () => d.snooze('SELECT 1', Infinity), InvalidArgumentError],
    ['an empty delay text', () => d.snooze('SELECT 1', ' '), InvalidArgumentError],
    ['a negative timeout', () => d.fire('SELECT 1', { timeout: -5 }), InvalidArgumentError],
    ['a zero timeout', () => d.fire('SELECT 1', { timeout: 0 }), InvalidArgumentError],
    ['a NaN timeout', () => d.snooze('SELECT 1', 10, { timeout: Number.NaN }), InvalidArgumentError],
    ['maxAttempts 0', () => d.fire('SELECT 1', { maxAttempts: 0 }), InvalidArgumentError],
    ['maxAttempts 1.5', () => d.fire('SELECT 1', { maxAttempts: 1.5 }), InvalidArgumentError],
    ['a label of 65 bytes', () => d.fire('SELECT 1', { label: 'x'.repeat(65) }), LabelTooLongError],
    ['a label of 33 two-byte characters', () => d.fire('SELECT 1', { label: 'é'.repeat(33) }), LabelTooLongError],
    ['an invalid Date', () => d.fireAt('SELECT 1', new Date('nope')), InvalidArgumentError],
    ['a fractional job id', () => d.status(1.5), InvalidArgumentError],
    ['a NaN job id', () => d.cancel(Number.NaN), InvalidArgumentError],
    ['a job id beyond 2^53 as a number', () => d.result(2 ** 60), InvalidArgumentError],
    ['a job id that is not digits', () => d.retry('12abc'), InvalidArgumentError],
    ['a job id beyond bigint', () => d.status(2n ** 63n), InvalidArgumentError],
    ['a fractional job id to wait on', () => d.wait('4.2'), InvalidArgumentError],
    ['a negative wait timeout', () => d.wait(1, { timeoutMs: -1 }), InvalidArgumentError],
    ['a NaN wait timeout', () => d.wait(1, { timeoutMs: Number.NaN }), InvalidArgumentError],
    ['a zero poll interval', () => d.wait(1, { pollIntervalMs: 0 }), InvalidArgumentError],
    ['a page of 0 jobs', () => d.list({ limit: 0 }), InvalidArgumentError],
    ['a page of 1001 jobs', () => d.list({ limit: 1001 }), InvalidArgumentError],
    ['an unknown status', () => d.list({ status: 'done' as 'failed' }), InvalidArgumentError],
    ['a fractional cursor', () => d.list({ cursor: 0.5 }), InvalidArgumentError],
    ['args that are not an array', () => d.fire('SELECT $1', { args: { a: 1 } as unknown as unknown[] }), InvalidArgumentError],
    ['an empty key', () => d.fire('SELECT 1', { key: '' }), InvalidArgumentError],
    ['a key of 201 bytes', () => d.fire('SELECT 1', { key: 'k'.repeat(201) }), InvalidArgumentError],
    ['an unknown key mode', () => d.fire('SELECT 1', { key: 'k', keyMode: 'merge' }), InvalidArgumentError],
    ['a zero debounce', () => d.fire('SELECT 1', { key: 'k', debounce: 0 }), InvalidArgumentError],
    ['a negative maxWait', () => d.fire('SELECT 1', { key: 'k', debounce: 1000, maxWait: -1 }), InvalidArgumentError],
    ['a fractional priority', () => d.fire('SELECT 1', { priority: 0.5 }), InvalidArgumentError],
    ['an empty queue', () => d.fire('SELECT 1', { queue: '' }), InvalidQueueError],
    ['a queue name of 65 bytes', () => d.setQueue('q'.repeat(65)), InvalidQueueError],
    ['a concurrency of 0', () => d.setQueue('emails', { concurrency: 0 }), InvalidQueueError],
    ['after with a fractional id', () => d.fire('SELECT 1', { after: [1.5] }), InvalidArgumentError],
  ])('%s', async (_, call, cls) => {
    const e = await call().then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(cls);
    expect((e as InvalidArgumentError).sqlstate).toBe(cls === LabelTooLongError ? 'PD201' : cls === InvalidQueueError ? 'PD206' : 'PD200');
    expect(queries).toEqual([]);
  });

  it('accepts what the server accepts (and then asks it)', async () => {
    await expect(d.fire('SELECT 1', { label: 'x'.repeat(64), timeout: 1, maxAttempts: 1 })).rejects.toThrow('no server here');
    await expect(d.snooze('SELECT 1', 0)).rejects.toThrow('no server here');
    await expect(d.status('9223372036854775807')).rejects.toThrow('no server here');
    await expect(d.fire('SELECT $1::int, $2::text', { args: [42, null], key: 'k', debounce: 1000, maxWait: '1 minute', priority: -1 })).rejects.toThrow('no server here');
    await expect(d.fire('SELECT 1', { queue: 'emails', after: [1n, '2', 3] })).rejects.toThrow('no server here');
    expect(queries).toHaveLength(5);
    expect(queries[3]).toContain('args => $2::jsonb');
    expect(queries[4]).toContain('after => $3::bigint[]');
  });
});

describe('server errors about an argument', () => {
  const driverError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('name the interval or timestamptz argument whose text the message quotes', () => {
    const e = callError(driverError('22007', 'invalid input syntax for type interval: "banana"'), snooze, ['SELECT 1', 'banana']);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ sqlstate: '22007', message: expect.stringContaining('snooze(): delay is not an interval'), hint: expect.stringContaining("'10 minutes'") });
    const ms = callError(driverError('22007', 'invalid input syntax for type interval: "1e+300 milliseconds"'), fire, ['SELECT 1'], { timeout: 1e300 });
    expect(ms.message).toContain('timeout is not an interval');
    const at = callError(driverError('22007', 'invalid input syntax for type timestamp with time zone: "nope"'), fireAt, ['SELECT 1', 'nope'], { timeout: '1 minute' });
    expect(at).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringContaining('runAt is not a timestamptz') });
    // A bare "out of range" names the only date/time argument passed, and no other.
    expect(callError(driverError('22008', 'timestamp out of range'), snooze, ['SELECT 1', '178000000 years'])).toBeInstanceOf(InvalidArgumentError);
    expect(callError(driverError('22008', 'timestamp out of range'), snooze, ['SELECT 1', '1 year'], { timeout: '1 year' })).not.toBeInstanceOf(InvalidArgumentError);
    // Text the call did not pass, or other codes: left as they are.
    expect(callError(driverError('22007', 'invalid input syntax for type interval: "soon"'), snooze, ['SELECT 1', 'banana'])).not.toBeInstanceOf(InvalidArgumentError);
    expect(callError(driverError('22012', 'division by zero'), snooze, ['SELECT 1', 'banana'])).not.toBeInstanceOf(InvalidArgumentError);
  });

  it('25P02 is a TransactionAbortedError that says to roll back', () => {
    const e = toDispatchError(driverError('25P02', 'current transaction is aborted, commands ignored until end of transaction block'));
    expect(e).toBeInstanceOf(TransactionAbortedError);
    expect(e).toBeInstanceOf(PgDispatchError);
    expect(e.hint).toContain('ROLLBACK');
  });
});

describe('wait() without LISTEN', () => {
  it('reads again after 10 ms, each pause half as long again, up to the poll interval', () => {
    const pauses = Array.from({ length: 14 }, (_, n) => pollPause(n, 1000));
    expect(pauses.slice(0, 3)).toEqual([10, 15, 22.5]);
    expect(pauses.at(-1)).toBe(1000);
    // About ten reads in the first second, then one a second.
    expect(pauses.slice(0, 9).reduce((a, b) => a + b)).toBeLessThan(1000);
    expect(pollPause(3, 20)).toBe(20);
  });
});
