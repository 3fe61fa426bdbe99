-- At server start (pg_cron's @reboot job). pg_cron restarts the countdown of every interval job
-- when it loads it, so a carrier armed for "in 40 seconds" before a restart would fire 40 seconds
-- after it: arm every waiting job's carrier again for its stored time, then do the usual
-- maintenance (which also deals with the jobs the restart interrupted).
DECLARE
  job record;
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
  FOR job IN SELECT j.id, j.carrier, j.role_oid FROM pgdispatch._job AS j
              WHERE j.status = 'scheduled' AND j.carrier IS NOT NULL AND j.id <> ALL (pgdispatch._busy_carriers())
              ORDER BY j.run_at, j.id FOR UPDATE SKIP LOCKED LOOP
    PERFORM pgdispatch._disarm_carriers(job.role_oid, ARRAY[job.carrier]);
    UPDATE pgdispatch._job AS j SET carrier = pgdispatch._arm(j.id, j.run_at, j.role_oid) WHERE j.id = job.id;
  END LOOP;
  COMMIT;
  CALL pgdispatch._maintain();
END
