-- Marks a locked, due job as running in this session, counting the attempt. Committed before
-- the command starts, so that a crash in the middle leaves a trace that recovery can act on.
-- Returns NULL, starting nothing, when this session already ran a job of another principal
-- (see _runner_session), or is giving its slot back.
-- me_started is this session's backend_start: PostgreSQL's word (pg_stat_get_activity), read by
-- the runner's entry points (_take, _take_next), or that of the job this session has just run
-- (see _execute), never a runner's argument: reading it costs a copy of every backend's status.
DECLARE
  started pgdispatch._job;
  bound pgdispatch._runner_session;
  was_promised boolean := false;
BEGIN
  -- Unlocked first: only this session marks its row idle, and a firer promises a job only to an
  -- idle one (see _job_arm_at_commit), so a busy row read here stays busy. Between two jobs of a
  -- drain, that is the whole of it.
  SELECT * INTO bound FROM pgdispatch._runner_session AS s WHERE s.pid = pg_catalog.pg_backend_pid();
  IF FOUND AND (bound.backend_start <> me_started OR bound.idle_since IS NOT NULL OR bound.promised IS NOT NULL) THEN
    -- An idle row may be held by a firer at its COMMIT (a job promised to this runner, or riding
    -- on it: see _ride), who may in turn wait for the job this runner holds (a dependency, say):
    -- not waited for. The job is taken at the next look, ten milliseconds on (see _run).
    SELECT * INTO bound FROM pgdispatch._runner_session AS s WHERE s.pid = pg_catalog.pg_backend_pid() FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  IF FOUND AND bound.backend_start = me_started THEN
    IF bound.role_oid <> job.role_oid OR bound.settings IS DISTINCT FROM job.settings OR bound.leaving_at IS NOT NULL THEN
      RETURN NULL;
    END IF;
    IF bound.idle_since IS NOT NULL OR bound.promised IS NOT NULL THEN
      -- Busy from now: no job is promised to it while it runs this one (see _job_arm_at_commit),
      -- and one promised to it that is not this one gets a carrier.
      IF bound.promised <> job.id THEN
        PERFORM pgdispatch._pass_promise(bound.promised);
      END IF;
      was_promised := bound.promised = job.id;
      UPDATE pgdispatch._runner_session AS s SET idle_since = NULL, promised = NULL
       WHERE s.pid = pg_catalog.pg_backend_pid();
    END IF;
  ELSIF FOUND THEN
    UPDATE pgdispatch._runner_session AS s
       SET backend_start = me_started, role_oid = job.role_oid, settings = job.settings, idle_since = NULL, promised = NULL,
           executor_seen = NULL, leaving_at = NULL
     WHERE s.pid = pg_catalog.pg_backend_pid();
  ELSE
    INSERT INTO pgdispatch._runner_session (pid, backend_start, role_oid, settings)
    VALUES (pg_catalog.pg_backend_pid(), me_started, job.role_oid, job.settings);
  END IF;
  UPDATE pgdispatch._job AS j
     SET status = 'running', attempts = j.attempts + 1, started_at = pg_catalog.clock_timestamp(),
         finished_at = NULL, runner_pid = pg_catalog.pg_backend_pid(), runner_started = me_started
   WHERE j.id = job.id
  RETURNING * INTO started;
  IF was_promised AND started.carrier IS NULL THEN
    -- Promised to this session at its COMMIT, it has no carrier (see _job_arm_at_commit): it gets
    -- one now, every ten seconds, so that a job whose session dies while running it is found
    -- interrupted within seconds (see _take), not at the maintenance job's next minute. A job done
    -- sooner has it removed before it runs (see _disarm); a longer one costs a short session every
    -- ten seconds while it runs.
    UPDATE pgdispatch._job AS j SET carrier = pgdispatch._arm(j.id, pg_catalog.clock_timestamp() + interval '10 seconds', j.role_oid)
     WHERE j.id = started.id
    RETURNING * INTO started;
  END IF;
  -- A time limit is enforced from another session; make sure one is watching.
  IF started.timeout IS NOT NULL AND started.timeout <= interval '65 seconds' THEN
    PERFORM pgdispatch._ensure_watchdog();
  END IF;
  RETURN started;
END
