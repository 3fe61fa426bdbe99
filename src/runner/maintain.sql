-- The maintenance job, once a minute (and once at server start): the only session pg_dispatch
-- opens while idle. It recovers interrupted jobs, arms the carriers of jobs coming due within
-- the next minute, arms the watchdog, removes stray carriers, purges old jobs and cleans
-- pg_dispatch's rows out of cron.job_run_details.
DECLARE
  job pgdispatch._job;
  runner record;
  strays bigint[];
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
  PERFORM pg_catalog.set_config('application_name', 'pgdispatch maintenance', false);
  PERFORM pgdispatch._rehome();  -- after pg_restore: restored jobs bound to this cluster's roles
  COMMIT;
  -- Jobs whose session died (crash, restart, terminated backend): retry or fail them.
  FOR job IN SELECT * FROM pgdispatch._job AS j WHERE j.status = 'running' FOR UPDATE SKIP LOCKED LOOP
    IF NOT pgdispatch._alive(job.runner_pid, job.runner_started) THEN
      PERFORM pgdispatch._record_interrupted(job);
    END IF;
  END LOOP;
  COMMIT;
  PERFORM pgdispatch._maintain_schedules();  -- schedules without a waiting occurrence get one (src/schedules/)
  COMMIT;
  PERFORM pgdispatch._after_repair();  -- dependents whose count missed a finish (src/dependencies/)
  COMMIT;
  -- Jobs coming due within the next minute that have no carrier yet (snoozed, retried later).
  UPDATE pgdispatch._job AS j SET carrier = pgdispatch._arm(j.id, j.run_at, j.role_oid)
   WHERE j.id IN (SELECT k.id FROM pgdispatch._job AS k
                   WHERE k.status = 'scheduled' AND k.carrier IS NULL
                     AND k.run_at > pg_catalog.clock_timestamp()
                     AND k.run_at < pg_catalog.clock_timestamp() + interval '61 seconds'
                   ORDER BY k.run_at, k.id FOR UPDATE SKIP LOCKED);
  COMMIT;
  -- Jobs already due without a carrier wait for a runner slot: one armed per free slot (slots of
  -- sessions that died are freed first).
  LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE;
  -- (PostgreSQL keeps one view of the sessions per transaction, maybe taken before the lock was
  -- granted: a session that claimed a slot meanwhile would look dead.)
  PERFORM pg_catalog.pg_stat_clear_snapshot();
  UPDATE pgdispatch._slot AS s SET pid = NULL, backend_start = NULL, role_oid = NULL
   WHERE s.pid IS NOT NULL AND NOT pgdispatch._alive(s.pid, s.backend_start);
  PERFORM pgdispatch._arm_waiting();
  COMMIT;
  IF EXISTS (SELECT 1 FROM pgdispatch._job AS j
              WHERE j.status = 'running' AND j.timeout IS NOT NULL
                AND j.started_at + j.timeout <= pg_catalog.clock_timestamp() + interval '65 seconds') THEN
    PERFORM pgdispatch._ensure_watchdog();
    COMMIT;
  END IF;
  -- Carriers nobody needs: their job finished or is gone, and no job row points at them.
  -- Carriers whose job is gone or finished (a crash lost a runner's batch): each runner identity
  -- lists its own, since pg_cron shows a role only its own jobs.
  FOR runner IN SELECT r.role_oid FROM pgdispatch._runner AS r LOOP
    EXECUTE pg_catalog.format(
      'SELECT pg_catalog.array_agg(c.jobid) FROM pgdispatch_exec.%I() AS c '
      'WHERE NOT EXISTS (SELECT 1 FROM pgdispatch._job AS j WHERE j.carrier = c.jobid) '
      '  AND pg_catalog.substr(c.jobname, 16)::bigint <> ALL ($1) '
      '  AND NOT EXISTS (SELECT 1 FROM pgdispatch._job AS j WHERE j.id = pg_catalog.substr(c.jobname, 16)::bigint AND j.status IN (''scheduled'', ''running''))',
      'carriers_' || runner.role_oid::text) INTO strays USING pgdispatch._busy_carriers();
    IF strays IS NOT NULL THEN
      PERFORM pgdispatch._disarm_carriers(runner.role_oid, strays);
    END IF;
  END LOOP;
  COMMIT;
  PERFORM pgdispatch._purge((SELECT s.retention FROM pgdispatch.settings AS s));
  COMMIT;
  PERFORM pgdispatch._forget_runs(100000);
  COMMIT;
END
