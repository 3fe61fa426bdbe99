// Completion notices: pg_dispatch sends `NOTIFY pgdispatch` with `{"id", "status"}` (nothing of
// the job's content: every role that can connect may listen) when a job finishes or is rescheduled
// for a retry. One listening connection serves every wait of a
// client; it is taken when the first wait starts and given back when the last one ends.
import pg from 'pg';
import { isPgClient, isPool } from './connection.js';
import { parseExactJson } from './exact-json.js';

/**
 * Where notices are heard: a pg Pool (one of its connections is held while waits are pending), a
 * pg Client, a connection string (a connection of its own), or `false` for polling only.
 *
 * @example
 * createDispatch(kysely, { listen: process.env.DATABASE_URL }); // Kysely cannot LISTEN itself
 */
export type ListenSource = pg.Pool | pg.ClientBase | string | false;

/** One completion notice, as sent by pg_dispatch. */
export interface JobNotice {
  readonly id: string;
  readonly status: string;
}

/**
 * Whether a pool can lend a connection to listen on and still serve the waits' own queries: it
 * must have two free (idle, or not yet opened) and nobody queued for one. Otherwise a small pool
 * (max 1), or one that the caller's transactions hold, would wait for itself: waits poll instead.
 */
export function poolCanSpare(p: pg.Pool): boolean {
  const max = (p as { options?: { max?: number } }).options?.max ?? 10;
  return p.waitingCount === 0 && max - p.totalCount + p.idleCount >= 2;
}

/** The channel pg_dispatch notifies on. */
export const noticeChannel = 'pgdispatch';

type Handler = (n: JobNotice) => void;

interface Held {
  readonly client: pg.ClientBase;
  readonly done: () => Promise<void>;
}

/**
 * Shares one LISTEN connection among any number of subscribers.
 *
 * @example
 * const notices = new NoticeListener(pool);
 * const stop = await notices.subscribe((n) => console.log(n.id, n.status)); // null: LISTEN unavailable
 */
export class NoticeListener {
  private readonly handlers = new Set<Handler>();
  private held: Promise<Held | null> | null = null;
  private listening: pg.ClientBase | null = null;

  constructor(private readonly source: ListenSource) {}

  /** Subscribes to every notice; resolves to an unsubscribe function, or null when LISTEN is unavailable. */
  async subscribe(handler: Handler): Promise<(() => Promise<void>) | null> {
    this.handlers.add(handler);
    this.held ??= this.acquire();
    const held = await this.held;
    if (!held) {
      this.handlers.delete(handler);
      if (this.handlers.size === 0) this.held = null; // try again next time
      return null;
    }
    return async () => {
      this.handlers.delete(handler);
      if (this.handlers.size > 0 || !this.held) return;
      const h = this.held;
      this.held = null;
      const got = await h;
      if (got) {
        if (this.listening === got.client) this.listening = null;
        await got.done();
      }
    };
  }

  /** Gives the listening connection back now (pending waits fall back to polling). */
  async close(): Promise<void> {
    const h = this.held;
    this.held = null;
    this.handlers.clear();
    const got = await h;
    this.listening = null;
    if (got) await got.done();
  }

  private onNotification = (m: pg.Notification): void => {
    if (m.channel !== noticeChannel || !m.payload) return;
    let n: JobNotice;
    try {
      const p = parseExactJson(m.payload) as { id: number | string; status: string }; // ids beyond 2^53 stay exact
      n = { id: String(p.id), status: p.status };
    } catch {
      return;
    }
    for (const h of [...this.handlers]) h(n);
  };

  private async acquire(): Promise<Held | null> {
    const s = this.source;
    if (s === false) return null;
    let client: pg.ClientBase;
    let finish: (broken: boolean) => Promise<void>;
    try {
      if (typeof s === 'string') {
        const c = new pg.Client({ connectionString: s });
        await c.connect();
        client = c;
        finish = async () => void (await c.end().catch(() => {}));
      } else if (isPool(s)) {
        if (!poolCanSpare(s)) return null;
        const c = await s.connect();
        client = c;
        finish = async (broken) => c.release(broken);
      } else if (isPgClient(s)) {
        client = s;
        finish = async () => {};
      } else {
        return null;
      }
    } catch {
      return null;
    }
    let broken = false;
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      client.removeListener('notification', this.onNotification);
      if (!broken) await client.query(`UNLISTEN ${noticeChannel}`).catch(() => { broken = true; });
      client.removeListener('error', onError);
      await finish(broken).catch(() => {});
    };
    const onError = (): void => {
      // The listening connection broke: waits go on polling; the next wait listens again.
      broken = true;
      if (this.listening === client) {
        this.listening = null;
        this.held = null;
      }
      void release();
    };
    client.on('notification', this.onNotification);
    client.on('error', onError);
    try {
      await client.query(`LISTEN ${noticeChannel}`);
    } catch {
      broken = true;
      await release();
      return null;
    }
    this.listening = client;
    return { client, done: release };
  }
}
