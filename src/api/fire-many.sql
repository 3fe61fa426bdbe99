-- One INSERT for the whole batch: each row still passes the insert trigger (checks, quotas,
-- carrier), but the call, the statement and its plan are paid once. Ids are issued in the
-- commands' order, so the returned array is in that order too.
DECLARE
  ids bigint[];
BEGIN
  IF commands IS NULL OR pg_catalog.cardinality(commands) = 0 THEN
    RAISE EXCEPTION 'pg_dispatch: fire_many() needs at least one command'
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Pass e.g. ARRAY[''SELECT 1'', ''SELECT 2''].';
  END IF;
  IF fire_many.args IS NOT NULL AND (pg_catalog.jsonb_typeof(fire_many.args) <> 'array'
                                     OR pg_catalog.jsonb_array_length(fire_many.args) <> pg_catalog.cardinality(commands)) THEN
    RAISE EXCEPTION 'pg_dispatch: fire_many() takes args as a JSON array with one element per command (% commands)', pg_catalog.cardinality(commands)
      USING ERRCODE = '{{ERR:invalid_argument}}',
            HINT = 'Pass e.g. args => ''[[1], [2]]'' for two commands; null for a command without arguments.';
  END IF;
  WITH inserted AS (
    INSERT INTO pgdispatch._job (command, run_at, label, timeout, max_attempts, search_path, args, priority)
    SELECT c.command, pg_catalog.clock_timestamp() + coalesce(fire_many.delay, interval '0'), fire_many.label, fire_many.timeout,
           fire_many.max_attempts, fire_many.search_path, nullif(fire_many.args -> (c.n::integer - 1), 'null'), fire_many.priority
      FROM pg_catalog.unnest(commands) WITH ORDINALITY AS c(command, n)
     ORDER BY c.n
    RETURNING pgdispatch._job.id)
  SELECT pg_catalog.array_agg(i.id ORDER BY i.id) INTO ids FROM inserted AS i;
  RETURN ids;
END
