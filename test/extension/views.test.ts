// The columns src/ declares for each view (the reference and the client's row types come from
// them) are exactly the columns the real view has, in order and type.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import type { ViewDef } from '../../src/model/types.js';
import { connect, freshExtension } from '../setup/db.js';

let admin: pg.Client;
beforeAll(async () => {
  admin = await connect();
  await freshExtension(admin);
});
afterAll(async () => admin?.end());

describe('views', () => {
  const views = extension.objects.filter((o): o is ViewDef => o.kind === 'view');
  it.each(views.map((v) => [v.name, v] as const))('%s has the columns src/ declares', async (_, v) => {
    const { rows } = await admin.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [`${extension.schema}.${v.name}`]);
    const canon = (t: string): string => ({ timestamptz: 'timestamp with time zone', 'double precision': 'double precision' })[t] ?? t;
    expect(rows).toEqual(v.columns.map((c) => ({ name: c.name, type: canon(c.type) })));
  });
});
