-- Two INSERTs for the whole batch: each row still passes the insert trigger (checks, quotas), but
-- the call, the statement and its plan are paid once, and most rows get no carrier. Ids are
-- issued in the commands' order (ORDER BY before the INSERT takes the rows), so the returned
-- array is in that order too.
DECLARE
  ids bigint[];
  more bigint[];
  armed integer := coalesce(nullif(pg_catalog.current_setting('pgdispatch.armed_in_xact', true), ''), '0')::integer;
  first_ones integer;
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
  -- Carriers: those that start runners (up to max_runners in this transaction, see _arm), and
  -- none for the rest, which those runners take (a carrier is most of a job's cost at fire time).
  -- Due jobs without a carrier are a state the runners know: one that ends arms them (_arm_waiting),
  -- and the maintenance job arms any left, as for the jobs past 1,000 of a transaction.
  first_ones := greatest(pgdispatch._max_runners() - armed, 0);
  {{INSERT:ids:1:first_ones}}
  IF pg_catalog.cardinality(commands) > first_ones THEN
    PERFORM pg_catalog.set_config('pgdispatch.armed_in_xact', '1000000', true);
    {{INSERT:more:first_ones + 1:pg_catalog.cardinality(commands)}}
    PERFORM pg_catalog.set_config('pgdispatch.armed_in_xact', greatest(armed, pgdispatch._max_runners())::text, true);
    ids := coalesce(ids, '{}') || more;
  END IF;
  RETURN ids;
END
