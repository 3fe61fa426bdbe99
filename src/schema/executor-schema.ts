// Schema of the per-role executors (see src/runner/executor.ts).
import { dedent, statement } from '../model/define.js';

export const executorSchema = statement('executor-schema', dedent(`
  -- Executors live apart from the API: a role that owns its executor must not be able to reach
  -- it (ALTER FUNCTION needs USAGE on the schema), or it could make it SECURITY INVOKER.
  CREATE SCHEMA pgdispatch_exec;
  REVOKE ALL ON SCHEMA pgdispatch_exec FROM PUBLIC;
`));
