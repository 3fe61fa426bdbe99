// The project's root, for tests that read its files. Apart from server.ts so that the unit tests
// (no server) can have it without loading the code that finds or starts PostgreSQL.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
