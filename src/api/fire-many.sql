-- One INSERT for the whole batch: each row still passes the insert trigger (checks, quotas), but
-- the call, the statement and its plan are paid once, and jobs of one second share their carriers
-- (see _arm). Ids are issued in the commands' order (ORDER BY before the INSERT takes the rows), so
-- the returned array is in that order too.
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
  {{INSERT:ids:1:pg_catalog.cardinality(commands)}}
  RETURN ids;
END
