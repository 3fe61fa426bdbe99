// pgdispatch._fresh_transaction: refuses a runner's step inside a transaction that did something already.
import { fn, sqlFile } from '../model/define.js';

export const freshTransaction = fn({
  name: '_fresh_transaction',
  args: [],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'fresh-transaction.sql'),
  doc: 'Raises unless the transaction has written nothing yet, when called in a runner identity\'s session.',
  audience: 'owner',
});
