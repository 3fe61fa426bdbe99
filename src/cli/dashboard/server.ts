// The dashboard's web server: node's own http module on 127.0.0.1, a per-run secret, a JSON API
// over pg_dispatch's views, Server-Sent Events fed by LISTEN pgdispatch, and the page's few static
// files. No framework: a dozen routes do not need one, and the published package keeps its two
// runtime dependencies (pg, kysely).
//
// Safety, in the order a request meets it:
//   - loopback only (127.0.0.1), and a Host header naming it (a DNS-rebound name is refused);
//   - the secret: `/?token=...` (the URL printed at start) sets an HttpOnly SameSite=Strict cookie
//     named after the port and redirects to `/` (the token leaves the address bar and history);
//     any other request without the cookie gets 403;
//   - actions are POSTs with a JSON body from the page's own origin (Origin checked): a form on
//     another site can neither send the cookie (SameSite) nor that content type (no CORS);
//   - --read-only: the server refuses every action, and the page shows none;
//   - headers: a strict Content-Security-Policy (no inline script or style, nothing from elsewhere,
//     no framing), nosniff, no referrer, no caching of data;
//   - everything runs as the role of the URL, through the same views as SQL: the page shows what
//     that role may see and nothing more. Completion notices (which every role can hear) are
//     passed on only for jobs the role sees.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { noticeChannel } from '../../client/notices.js';
import { connectCli } from '../connect.js';
import { CliError, exitCode } from '../exit.js';
import { Throttle } from '../throttle.js';
import { capabilities, jobDetail, jobPage, parseJobFilter, summary, visibleStatuses, type Capabilities } from './queries.js';

/** Live updates at most this often (ms): a burst of thousands of notices becomes 2 updates a second. */
const liveGap = 500;
/** And at least this often while a page is open (new jobs send no notice; times move on). */
const liveMaxGap = 5000;
/** Ids of notified jobs remembered between two updates at most. */
const maxPendingIds = 2000;

const csp = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': csp,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface DashboardOptions {
  /** postgres:// URL; everything runs as its role. */
  readonly url: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  readonly readOnly?: boolean;
}

export interface Dashboard {
  /** The URL to open, with the secret. */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly token: string;
  readonly caps: Capabilities;
  close(): Promise<void>;
}

/** The page's files: next to this module in src/, or in dist/dashboard/ beside the bundled CLI. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = [join(here, 'public'), join(here, 'dashboard')].find((d) => existsSync(join(d, 'index.html')));
  if (!dir) throw new Error(`the dashboard's files are missing (looked in ${join(here, 'public')} and ${join(here, 'dashboard')})`);
  const types: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const name of ['index.html', 'app.js', 'app.css', 'favicon.svg']) {
    assets.set(`/${name === 'index.html' ? '' : name}`, { type: types[name.split('.').pop()!]!, body: readFileSync(join(dir, name)) });
  }
  return assets;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly extra: Record<string, unknown> = {}) { super(message); }
}

/** An HTTP status for a PostgreSQL error raised by an action. */
function statusOf(code: string | undefined): number {
  if (code === '42501' || code === 'PD400' || code === 'PD401') return 403;
  if (code === 'PD100' || code === 'PD103') return 404;
  if (code === 'PD102') return 409;
  return 400;
}

/**
 * Starts the dashboard: connects as the URL's role (a pool for reads and actions, one connection
 * that listens), and serves on 127.0.0.1.
 *
 * @example
 * const d = await startDashboard({ url: 'postgres://app@localhost/postgres', readOnly: true });
 * console.log(d.url); await d.close();
 */
export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const assets = loadAssets();
  let listener = await connectCli(o.url); // explains a failed connection (exit 3)
  let closed = false;
  const pool = new pg.Pool({ connectionString: o.url, max: 4, application_name: 'pgdispatch dashboard', idleTimeoutMillis: 30_000 });
  pool.on('error', () => {}); // a dropped idle connection is replaced on the next query
  let caps: Capabilities;
  try {
    caps = await capabilities(listener);
  } catch (e) {
    await listener.end().catch(() => {});
    await pool.end().catch(() => {});
    throw e;
  }
  const readOnly = o.readOnly === true;
  const token = randomBytes(24).toString('base64url');
  let port = 0;
  const cookieName = () => `pgdispatch_dashboard_${port}`; // cookies ignore ports: one name per dashboard

  // Live updates: notices collect ids; a paced task turns them into events for every open page.
  const streams = new Set<ServerResponse>();
  const pending = new Set<string>();
  let lastSummary = '';
  const send = (event: string, data: string) => {
    for (const s of streams) s.write(`event: ${event}\ndata: ${data}\n\n`);
  };
  const refresh = async (): Promise<void> => {
    if (streams.size === 0) return;
    const ids = [...pending];
    pending.clear();
    if (ids.length) {
      const seen = await visibleStatuses(pool, ids);
      if (seen.length) send('jobs', JSON.stringify(seen));
    }
    const s = await summary(pool, caps);
    // The time alone changing is no news; anything else is.
    const { at: _at, ...rest } = JSON.parse(s) as { at: string };
    const key = JSON.stringify(rest);
    if (key !== lastSummary) {
      lastSummary = key;
      send('summary', s);
    }
  };
  // A failed refresh (the server restarting) must not end the updates: the next round tries again.
  const live = new Throttle(() => refresh().catch(() => {}), liveGap, liveMaxGap, () => {});
  const onNotice = (n: pg.Notification) => {
    if (n.channel !== noticeChannel || !n.payload) return;
    const m = /"id"\s*:\s*"?(\d{1,19})/.exec(n.payload);
    if (m && pending.size < maxPendingIds) pending.add(m[1]!);
    if (streams.size) live.request();
  };
  // The listening connection: when it drops (a server restart), it is opened again every 2 s;
  // meanwhile the page still gets the counts every liveMaxGap.
  const listen = async (client: pg.Client): Promise<void> => {
    client.on('notification', onNotice);
    client.once('end', () => { if (!closed) setTimeout(() => void relisten(), 2000); });
    await client.query(`LISTEN ${noticeChannel}`);
  };
  const relisten = async (): Promise<void> => {
    if (closed) return;
    try {
      const client = await connectCli(o.url);
      if (closed) { await client.end(); return; }
      listener = client;
      await listen(client);
      live.request();
    } catch {
      setTimeout(() => void relisten(), 2000);
    }
  };
  await listen(listener);
  live.start();

  const authorised = (req: IncomingMessage): boolean => {
    const cookies = req.headers.cookie ?? '';
    for (const part of cookies.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === cookieName()) return safeEqual(v.join('='), token);
    }
    return false;
  };
  const safeEqual = (a: string, b: string) => {
    const x = Buffer.from(a); const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };

  const json = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { ...securityHeaders, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const refuse = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${message}\n`);
  };

  const readBody = (req: IncomingMessage): Promise<string> => new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => { body += d; if (body.length > 10_000) reject(new HttpError(413, 'body too large')); });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

  /** Runs an action's SQL; errors become HTTP errors with PostgreSQL's message and hint. */
  const act = async (sql: string, values: unknown[]): Promise<unknown> => {
    try {
      const { rows: [r] } = await pool.query<{ r: unknown }>(sql, values);
      return r?.r;
    } catch (e) {
      const err = e as pg.DatabaseError;
      if (!err.code) throw e;
      throw new HttpError(statusOf(err.code), err.message, { sqlstate: err.code, hint: err.hint ?? null });
    }
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (req.method === 'GET') {
      if (path === '/api/me') return json(res, 200, JSON.stringify({ ...caps, readOnly, labelWindow: 10_000 }));
      if (path === '/api/summary') return json(res, 200, await summary(pool, caps));
      if (path === '/api/jobs') {
        const f = parseJobFilter(url.searchParams);
        if (typeof f === 'string') throw new HttpError(400, f);
        return json(res, 200, await jobPage(pool, f, caps));
      }
      const m = /^\/api\/jobs\/(\d{1,19})$/.exec(path);
      if (m) {
        const job = await jobDetail(pool, m[1]!, caps);
        if (job === null) throw new HttpError(404, `no job ${m[1]} (a role sees only the jobs it fired; finished jobs are purged after settings.retention)`);
        return json(res, 200, job);
      }
      if (path === '/api/events') return events(req, res);
      throw new HttpError(404, 'not found');
    }
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
    // Actions: from this page only (Origin), as JSON (no form on another site can send it).
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) throw new HttpError(403, 'cross-origin request refused');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'actions are sent as application/json');
    await readBody(req);
    if (readOnly) throw new HttpError(403, 'the dashboard is read-only (started with --read-only)');
    const job = /^\/api\/jobs\/(\d{1,19})\/(cancel|retry)$/.exec(path);
    if (job) {
      if (job[2] === 'cancel') {
        const cancelled = await act('SELECT pgdispatch.cancel($1::bigint) AS r', [job[1]]);
        return json(res, 200, JSON.stringify({ cancelled }));
      }
      const id = await act('SELECT pgdispatch.retry($1::bigint)::text AS r', [job[1]]);
      return json(res, 200, JSON.stringify({ retry: id }));
    }
    const sched = /^\/api\/schedules\/([^/]+)\/(pause|resume|run-now)$/.exec(path);
    if (sched) {
      const name = decodeURIComponent(sched[1]!);
      const fn = { pause: 'pause_schedule', resume: 'resume_schedule', 'run-now': 'run_schedule_now' }[sched[2] as 'pause'];
      const r = await act(`SELECT pgdispatch.${fn}($1)${fn === 'run_schedule_now' ? '::text' : ''} AS r`, [name]);
      live.request();
      return json(res, 200, JSON.stringify(fn === 'run_schedule_now' ? { job: r } : { changed: r }));
    }
    throw new HttpError(404, 'not found');
  };

  const events = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { ...securityHeaders, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    streams.add(res);
    lastSummary = ''; // the new page gets the summary on the next round
    live.request();
    const beat = setInterval(() => res.write(': beat\n\n'), 15_000);
    req.on('close', () => { clearInterval(beat); streams.delete(res); });
  };

  const server = createServer((req, res) => {
    void (async () => {
      const host = req.headers.host ?? '';
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return refuse(res, 403, 'forbidden: unexpected Host header');
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      if (url.pathname === '/' && url.searchParams.has('token')) {
        if (!safeEqual(url.searchParams.get('token')!, token)) return refuse(res, 403, 'forbidden: wrong token (open the URL printed by pgdispatch dashboard)');
        res.writeHead(303, {
          ...securityHeaders, Location: '/', 'Cache-Control': 'no-store',
          'Set-Cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        });
        return res.end();
      }
      if (!authorised(req)) return refuse(res, 403, 'forbidden: open the URL printed by pgdispatch dashboard (it carries this run\'s secret)');
      if (url.pathname.startsWith('/api/')) return api(req, res, url);
      const asset = req.method === 'GET' ? assets.get(url.pathname) : undefined;
      if (!asset) return refuse(res, 404, 'not found');
      res.writeHead(200, { ...securityHeaders, 'Content-Type': asset.type, 'Cache-Control': 'no-cache' });
      res.end(asset.body);
    })().catch((e: unknown) => {
      if (res.headersSent) { res.end(); return; }
      if (e instanceof HttpError) return json(res, e.status, JSON.stringify({ error: e.message, ...e.extra }));
      const err = e as { message?: string; code?: string };
      json(res, 500, JSON.stringify({ error: err.message ?? String(e), sqlstate: err.code ?? null }));
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    closed = true;
    live.stop();
    await listener.end().catch(() => {});
    await pool.end().catch(() => {});
    const code = (e as { code?: string }).code;
    throw new CliError(`cannot listen on 127.0.0.1:${o.port ?? 0}: ${(e as Error).message}`,
      code === 'EADDRINUSE' ? 'Another program uses that port: pick another with --port N, or leave --port out for any free port.' : undefined, exitCode.failure);
  }
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    caps,
    async close() {
      closed = true;
      live.stop();
      for (const s of streams) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await listener.end().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
