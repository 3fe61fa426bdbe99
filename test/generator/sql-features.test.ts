// pg_dispatch claims PostgreSQL 14 and later (13 reached its end of life in November 2025; 1.1.0's
// runner identities need SQL-standard function bodies, new in 14); CI runs it on 17 and 18 only (Debian packages no
// older server with pg_cron >= 1.5). So the shipped SQL is scanned for what came after 14: each
// entry is a feature with the version that brought it. A scan is not a run: the README says which.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import { repoRoot } from '../setup/repo-root.js';

const newerThan14: [RegExp, string][] = [
  [/\bsecurity_invoker\b/i, 'security_invoker views (15)'],
  [/\bMERGE\s+INTO\b/i, 'MERGE (15)'],
  [/\bNULLS\s+NOT\s+DISTINCT\b/i, 'UNIQUE NULLS NOT DISTINCT (15)'],
  [/\bregexp_(count|instr|like|substr)\s*\(/i, 'regexp_count/instr/like/substr (15)'],
  [/\bON\s+PARAMETER\b/i, 'privileges on parameters (15)'],
  [/\bJSON_(TABLE|EXISTS|QUERY|VALUE|OBJECT|ARRAY|SCALAR|SERIALIZE|OBJECTAGG|ARRAYAGG)\s*\(/i, 'SQL/JSON functions (16, 17)'],
  [/\bIS\s+(NOT\s+)?JSON\b/i, 'IS JSON (16)'],
  [/\b(pg_input_is_valid|pg_input_error_info|any_value|random_normal|array_sample|array_shuffle|date_add|date_subtract)\s*\(/i, 'functions added in 16'],
  [/\bsystem_user\b/i, 'SYSTEM_USER (16)'],
  [/\bPG_ROUTINE_OID\b/i, 'GET DIAGNOSTICS PG_ROUTINE_OID (16)'],
  [/\bpg_stat_io\b|\bpg_stat_checkpointer\b|\bpg_wait_events\b/i, 'statistics views of 16, 17'],
  [/\bMAINTAIN\b/i, 'the MAINTAIN privilege (17)'],
  [/\b(uuidv7|uuidv4|casefold|array_reverse|array_sort|pg_get_acl)\s*\(/i, 'functions added in 18'],
  // (RETURNING old.x of 18 cannot be told from a FROM item named old: the 18 run checks that)
  [/\bWITHOUT\s+OVERLAPS\b|\bRETURNING\s+WITH\s*\(|\)\s*VIRTUAL\b/i, 'features of 18'],
];

const scripts = readdirSync(join(repoRoot, 'dist-sql'))
  .filter((f) => f.endsWith('.sql'))
  .map((f) => [f, readFileSync(join(repoRoot, 'dist-sql', f), 'utf8')] as const);
/** SQL without its comments, so that prose cannot trip the scan. */
const code = (sql: string): string => sql.replace(/--[^\n]*/g, '');

describe('the shipped SQL uses nothing newer than PostgreSQL 14', () => {
  it.each(newerThan14.map(([re, what]) => [what, re] as const))('no %s', (_what, re) => {
    for (const [file, sql] of scripts) expect(code(sql), file).not.toMatch(re);
  });

  it('the scan sees real code (a pattern that must match does)', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    // Install scripts only: an upgrade may change no function (e.g. only a table or a setting).
    const installs = scripts.filter(([file]) => !/--.+--/.test(file));
    expect(installs.length).toBeGreaterThanOrEqual(1);
    for (const [file, sql] of installs) expect(code(sql), file).toMatch(/\bCREATE\s+FUNCTION\b/);
  });
});
