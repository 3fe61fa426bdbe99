// What every subcommand is: its name, usage, flags and what it does.
import type pg from 'pg';
import type { FlagSpec, Parsed } from './args.js';
import { connectCli, resolveUrl } from './connect.js';
import { palette, type Palette } from './output.js';

/** What a command gets to work with. */
export interface Io {
  /** Colours for stdout (none unless a TTY with NO_COLOR unset). */
  readonly c: Palette;
  /** `--json`: print one JSON document, no prose. */
  readonly json: boolean;
  /** Prose for people, not printed with --json. */
  say(text: string): void;
}

/**
 * A subcommand.
 *
 * @example
 * export const show: Command = { name: 'show', summary: '...', usage: 'show <id>', flags: {}, run: async (p, io) => 0 };
 */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Arguments after the name, e.g. `<id> [--json]`. */
  readonly usage: string;
  /** Lines explaining the flags. */
  readonly help?: readonly string[];
  readonly flags: FlagSpec;
  /** Job ids after the name (show, cancel); every other command refuses any argument that is not a flag. */
  readonly takesIds?: 'one' | 'many';
  run(p: Parsed, io: Io): Promise<number>;
}

/** Flags every command that connects takes. */
export const connectFlags: FlagSpec = { url: 'string', json: 'boolean' };

/**
 * The Io for a run.
 *
 * @example
 * const io = makeIo(parsed.flags.json === true);
 */
export function makeIo(json: boolean): Io {
  return { c: palette(process.stdout), json, say: (t) => { if (!json) process.stdout.write(`${t}\n`); } };
}

/**
 * Connects with --url/DATABASE_URL, runs `fn`, and closes.
 *
 * @example
 * return withClient(p, async (client) => { ... return 0; });
 */
export async function withClient<T>(p: Parsed, fn: (client: pg.Client, url: string) => Promise<T>): Promise<T> {
  const url = resolveUrl(typeof p.flags.url === 'string' ? p.flags.url : undefined);
  const client = await connectCli(url);
  try {
    return await fn(client, url);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The installed version of an extension in this database, or null. */
export async function extensionVersion(client: pg.Client, name: string): Promise<string | null> {
  const { rows } = await client.query<{ v: string }>('SELECT extversion AS v FROM pg_catalog.pg_extension WHERE extname = $1', [name]);
  return rows[0]?.v ?? null;
}
