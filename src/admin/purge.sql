-- Deletes finished jobs that finished before now() - older_than; returns how many.
DECLARE
  doomed bigint[];
BEGIN
  IF older_than IS NULL OR older_than < interval '0' THEN
    RAISE EXCEPTION 'pg_dispatch: purge needs an age of zero or more, not %', coalesce(older_than::text, 'NULL')
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'E.g. SELECT pgdispatch.purge(interval ''7 days'');';
  END IF;
  SELECT pg_catalog.array_agg(j.id) INTO doomed FROM pgdispatch._job AS j
   WHERE j.finished_at < pg_catalog.clock_timestamp() - older_than
     AND j.status IN {{STATUSES:finished}};
  IF doomed IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM pgdispatch._disarm(doomed);  -- a carrier not yet removed goes with its job
  DELETE FROM pgdispatch._job AS j WHERE j.id = ANY (doomed);
  RETURN pg_catalog.cardinality(doomed);
END
