// pgdispatch demo: the main job of the README (see demo.ts).
import { stringFlag } from './args.js';
import type { Command } from './command.js';
import { resolveUrl } from './connect.js';
import { demo as runDemo } from './demo.js';

export const demo: Command = {
  name: 'demo',
  summary: 'install into DATABASE_URL (or a throwaway local server), fire sample jobs, watch them finish',
  usage: '[--url URL]',
  help: ['Without --url or DATABASE_URL, starts a throwaway PostgreSQL 17 with pg_cron (scripts/local-pg.sh).'],
  flags: { url: 'string' },
  async run(p) {
    const flag = stringFlag(p, 'url');
    const url = flag !== undefined || process.env.DATABASE_URL ? resolveUrl(flag) : undefined;
    return runDemo(url ? { url } : {});
  },
};
