// How a command divides into statements, for the checks at fire time and for the executor, which
// opens a lone statement as a cursor (to keep its rows) and runs several as they are.
import { fn, sqlFile } from '../model/define.js';

export const statements = fn({
  name: '_statements',
  args: [{ name: 'command', type: 'text' }],
  returns: 'text[]',
  language: 'plpgsql',
  volatility: 'stable',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'statements.sql'),
  doc: 'The statements of a command, split where PostgreSQL splits them, comments blanked out and empty ones left out.',
  // Called by each role's executor, which runs as that role.
  audience: 'user',
});
