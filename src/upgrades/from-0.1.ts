// The upgrade from pg_dispatch 0.1.x (0.1.5): see from-0.1-prologue.sql for what it keeps.
import { sqlFile } from '../model/define.js';
import type { UpgradeDef } from '../model/types.js';

export const from015: UpgradeDef = {
  from: '0.1.5',
  to: '1.0.0',
  prologue: sqlFile(import.meta.url, 'from-0.1-prologue.sql'),
  epilogue: sqlFile(import.meta.url, 'from-0.1-epilogue.sql'),
  // 0.1.x created schema pgdispatch as the extension's (or the prologue made it so).
  omit: ['schema'],
};
