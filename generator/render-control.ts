// The control file, read by PostgreSQL, database.dev and (in spirit) pg_tle.
import type { ExtensionModel } from '../src/model/types.js';
import { hashHeader } from './header.js';

export function renderControl(model: ExtensionModel): string {
  return (
    hashHeader +
    [
      `comment = '${model.comment.replace(/'/g, "''")}'`,
      `default_version = '${model.version}'`,
      `requires = '${model.requires.join(', ')}'`,
      // Objects are created in schema pgdispatch by name: the extension cannot move. No `schema`:
      // the script creates pgdispatch itself (see src/schema/extension-schema.ts).
      'relocatable = false',
      // Nothing in the script needs superuser, so a role with CREATE on the database can install it.
      'superuser = false',
    ].join('\n') +
    '\n'
  );
}
