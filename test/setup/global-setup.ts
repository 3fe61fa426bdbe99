// vitest global setup: one real server for the whole run (pg_cron lives in one database per
// server, so test files take turns on it; see vitest.config.ts).
import type { TestProject } from 'vitest/node';
import { findServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    serverKind: string;
    localName: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await findServer();
  const install = process.env.PGDISPATCH_TEST_INSTALL === 'upgrade' ? 'created as 0.1.5 and upgraded' : 'fresh installs';
  console.log(`pg_dispatch tests: ${server.kind} server ${server.url}; pg_dispatch: ${install}`);
  project.provide('databaseUrl', server.url);
  project.provide('serverKind', server.kind);
  project.provide('localName', server.localName ?? '');
  return async () => {
    if (!process.env.PGDISPATCH_KEEP_SERVER) await server.stop();
  };
}
