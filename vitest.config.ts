import { configDefaults, defineConfig } from 'vitest/config';

// Two projects: `unit` needs no server (the generator's tests and the type tests: seconds);
// `db` runs against a real PostgreSQL + pg_cron that its globalSetup finds or starts.
// `npm test` runs both; `npm run test:unit` / `npm run test:db` one of them.
const unit = ['test/generator/**/*.test.ts', 'test/**/*.unit.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unit,
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
        },
      },
      {
        extends: true,
        test: {
          name: 'db',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...unit],
          globalSetup: ['test/setup/global-setup.ts'],
          // One server, one pg_cron database: files take turns so that their jobs do not mix.
          fileParallelism: false,
        },
      },
    ],
  },
});
