-- The maintenance job's check of parked dependents. A dependency that finished while the job
-- naming it was being fired, in a transaction that could not count it again at COMMIT (REPEATABLE
-- READ or SERIALIZABLE, see _after_recount), left a count too high: counted again here, once a
-- minute. Released jobs are armed by the maintenance pass that follows.
DECLARE
  parked bigint;
  fixed integer := 0;
BEGIN
  FOR parked IN SELECT k.id FROM pgdispatch._job AS k
                 -- (Parked jobs wait at run_at infinity: found through _job_due.)
                 WHERE k.run_at = 'infinity' AND k.after_left > 0 AND k.status = 'scheduled'
                   AND k.created_at < pg_catalog.clock_timestamp() - interval '10 seconds'
                 ORDER BY k.id LOOP
    PERFORM pgdispatch._after_recount(parked, false);
    IF NOT EXISTS (SELECT 1 FROM pgdispatch._job AS k WHERE k.id = parked AND k.status = 'scheduled' AND k.after_left > 0) THEN
      fixed := fixed + 1;
    END IF;
  END LOOP;
  RETURN fixed;
END
