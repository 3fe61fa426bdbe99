// The main job: pg_dispatch installed into DATABASE_URL (or a throwaway server it starts), a few
// sample jobs fired, and their recorded outcomes shown as they happen.
import pg from 'pg';
import { startEmbedded, stopEmbedded } from './embedded-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  readonly title: string;
  readonly sql: string;
  readonly params: readonly unknown[];
}

const samples: readonly Sample[] = [
  { title: 'succeeds, returns rows', sql: `SELECT pgdispatch.fire($1, label => 'demo/ok')`,
    params: [`INSERT INTO demo_events (what) VALUES ('fired'), ('and remembered') RETURNING id, what`] },
  { title: 'fails, error recorded', sql: `SELECT pgdispatch.fire($1, label => 'demo/fail')`,
    params: [`INSERT INTO demo_events (what) VALUES ('rolled back'); SELECT 1 / 0`] },
  { title: 'snoozed 5 seconds', sql: `SELECT pgdispatch.snooze($1, '5 seconds', label => 'demo/snoozed')`,
    params: [`SELECT count(*) AS events FROM demo_events`] },
];

async function install(client: pg.Client): Promise<void> {
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_cron');
  const { rows } = await client.query(`SELECT extversion FROM pg_extension WHERE extname = 'pg_dispatch'`);
  if (rows.length === 0) await client.query('CREATE EXTENSION pg_dispatch');
  else await client.query('ALTER EXTENSION pg_dispatch UPDATE');
  const { rows: [v] } = await client.query(`SELECT extversion FROM pg_extension WHERE extname = 'pg_dispatch'`);
  console.log(`pg_dispatch ${v.extversion} installed in ${client.database}`);
}

export async function demo(options: { url?: string; port?: number } = {}): Promise<number> {
  let url = options.url ?? process.env.DATABASE_URL;
  let embedded: string | undefined;
  if (!url) {
    console.log('No DATABASE_URL: starting a throwaway PostgreSQL 17 with pg_cron (first run downloads Debian packages)...');
    const server = startEmbedded('demo', options.port ?? 55491);
    url = server.url;
    embedded = server.name;
  }
  const client = new pg.Client({ connectionString: url });
  const listener = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await listener.connect();
    await install(client);
    await client.query('CREATE TABLE IF NOT EXISTS demo_events (id bigserial PRIMARY KEY, what text NOT NULL)');
    // Completion notices: no polling needed to see jobs finish.
    await listener.query('LISTEN pgdispatch');
    const started = Date.now();
    const stamp = () => `+${((Date.now() - started) / 1000).toFixed(1)}s`;
    listener.on('notification', (n) => console.log(`${stamp()}  notice: ${n.payload}`));
    const ids: string[] = [];
    for (const s of samples) {
      const { rows } = await client.query<{ id: string }>(`${s.sql} AS id`, [...s.params]);
      ids.push(rows[0]!.id);
      console.log(`${stamp()}  fired job ${rows[0]!.id}: ${s.title}`);
    }
    const deadline = Date.now() + 30_000;
    let last = '';
    for (;;) {
      const { rows } = await client.query(
        `SELECT id, label, status, attempts, row_count, rows, error_sqlstate, error_message
           FROM pgdispatch.jobs WHERE id = ANY($1) ORDER BY id`, [ids]);
      const line = rows.map((r) => `${r.id}:${r.status}`).join('  ');
      if (line !== last) {
        console.log(`${stamp()}  ${line}`);
        last = line;
      }
      if (rows.every((r) => !['scheduled', 'running'].includes(r.status))) {
        console.log('\nRecorded outcomes (SELECT * FROM pgdispatch.jobs):');
        for (const r of rows) {
          const outcome = r.status === 'succeeded'
            ? `row_count=${r.row_count} rows=${JSON.stringify(r.rows)}`
            : `error ${r.error_sqlstate}: ${r.error_message}`;
          console.log(`  job ${r.id} [${r.label}] ${r.status} after ${r.attempts} attempt(s): ${outcome}`);
        }
        return 0;
      }
      if (Date.now() > deadline) {
        console.error('The jobs did not finish within 30 s: is pg_cron running in this database (cron.database_name)?');
        return 1;
      }
      await sleep(100);
    }
  } finally {
    await listener.end().catch(() => {});
    await client.end().catch(() => {});
    if (embedded) stopEmbedded(embedded);
  }
}
