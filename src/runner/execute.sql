-- Runs a started job's command through its role's executor and records the outcome.
-- The command's effects and the 'succeeded' status commit together (the caller commits);
-- on any error, the block's subtransaction rolls the effects back and the error is recorded.
-- Then, while the runner drains, the next due job of its principal is started in the same
-- transaction: one transaction and one WAL flush per job, and the next job's start is committed
-- before its command runs, as ever. Every setting is reset first (RESET ALL), so that nothing the
-- command set in the session (a lock_timeout, work_mem, a setting pg_dispatch reads) changes how
-- that job is chosen and started; what it left for COMMIT runs after all this, and the runner
-- scrubs the whole session after the COMMIT (see _run).
DECLARE
  executor text;
  ran record;  -- the executor's rows, row_count and truncated
  final_status text;
  e_sqlstate text;
  e_message text;
  e_detail text;
  e_hint text;
  e_context text;
  run_command text;
  bound pgdispatch._runner_session;
  version text;
BEGIN
  -- Called by a runner identity: trust nothing of the record but its id. The job must be running
  -- in this very session, and be of the role this session serves.
  SELECT * INTO job FROM pgdispatch._job AS j
   WHERE j.id = job.id AND j.status = 'running' AND j.runner_pid = pg_catalog.pg_backend_pid()
     AND j.role_oid = pgdispatch._served_role();
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- A job runs in a transaction of its own, begun by the runner: never inside work that something
  -- else started (a deferred trigger of the last job calling this at COMMIT, say), whose leftovers
  -- would share its transaction.
  PERFORM pgdispatch._fresh_transaction();
  -- Lets cancel() check that this session is still on this very job before signalling it.
  PERFORM pg_catalog.set_config('application_name', 'pgdispatch job ' || job.id::text, false);
  BEGIN
    -- The executor is checked in full (see _executor_for) once per session and version of its
    -- pg_proc row: any change to it (ALTER FUNCTION, a new body) makes a new row version. The
    -- version seen is kept in this session's row, where only pg_dispatch writes.
    SELECT p.xmin::text || ':' || p.ctid::text INTO version
      FROM pg_catalog.pg_proc AS p
     WHERE p.proname = 'run_as_' || job.role_oid::text AND p.pronamespace = 'pgdispatch_exec'::pg_catalog.regnamespace
       AND p.proargtypes = '25 25 3802 23'::pg_catalog.oidvector;  -- (text, text, jsonb, integer)
    IF version IS NOT NULL AND version = (SELECT s.executor_seen FROM pgdispatch._runner_session AS s
                                           WHERE s.pid = job.runner_pid AND s.backend_start = job.runner_started) THEN
      executor := 'pgdispatch_exec.run_as_' || job.role_oid::text;
    ELSE
      executor := pgdispatch._executor_for(pg_catalog.pg_get_userbyid(job.role_oid), false);
      UPDATE pgdispatch._runner_session AS s SET executor_seen = version
       WHERE s.pid = job.runner_pid AND s.backend_start = job.runner_started AND executor IS NOT NULL;
    END IF;
    IF executor IS NULL THEN
      RAISE EXCEPTION 'pg_dispatch: role % may no longer run jobs', job.role
        USING ERRCODE = '{{ERR:not_allowed}}', HINT = pg_catalog.format('SELECT pgdispatch.grant_usage(%L);', job.role);
    END IF;
    run_command := job.command;
    IF job.args IS NOT NULL THEN
      -- Arguments (see _bind_args): the command is prepared by the executor, as the firer, then
      -- executed with the values as literals that PostgreSQL types by the parameters' places.
      EXECUTE pg_catalog.format('SELECT o.rows, o.row_count, o.truncated FROM %s($1, $2, $3, $4) AS o', executor)
        INTO ran
        USING 'PREPARE pgdispatch_args AS ' || job.command, job.search_path,
              job.settings || pg_catalog.jsonb_build_object('pgdispatch.job_id', job.id::text, 'pgdispatch.attempt', job.attempts::text), 0;
      run_command := pgdispatch._bind_args(job.args);
    END IF;
    EXECUTE pg_catalog.format('SELECT o.rows, o.row_count, o.truncated FROM %s($1, $2, $3, $4) AS o', executor)
      INTO ran
      USING run_command, job.search_path,
            -- The command can read which job and attempt it is (an idempotency key, say).
            job.settings || pg_catalog.jsonb_build_object('pgdispatch.job_id', job.id::text, 'pgdispatch.attempt', job.attempts::text),
            (SELECT s.max_result_rows FROM pgdispatch.settings AS s);
    -- A plain SET (or set_config(..., false)) in the command outlives the executor's SET clause:
    -- pin the path again before this function, which runs as the owner, resolves another operator.
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
    -- A command that dropped pg_dispatch (by a path the check at fire time cannot see): undone.
    IF pg_catalog.to_regclass('pgdispatch._job') IS NULL THEN
      RAISE EXCEPTION 'pg_dispatch: a job cannot drop pg_dispatch' USING ERRCODE = '{{ERR:command_not_supported}}',
        HINT = 'Run DROP EXTENSION pg_dispatch (or its uninstall script) in a session of your own.';
    END IF;
    UPDATE pgdispatch._job AS j
       SET status = 'succeeded', finished_at = pg_catalog.clock_timestamp(), rows = ran.rows,
           row_count = ran.row_count, truncated = ran.truncated,
           error_sqlstate = NULL, error_message = NULL, error_detail = NULL, error_hint = NULL, error_context = NULL
     WHERE j.id = job.id AND j.status = 'running';
    IF NOT FOUND THEN
      -- Cancelled or timed out while it ran: undo what the command did.
      RAISE EXCEPTION 'pg_dispatch: job % was stopped while it ran', job.id USING ERRCODE = '{{ERR:stopped}}';
    END IF;
    final_status := 'succeeded';
    IF job.args IS NOT NULL THEN
      EXECUTE 'DEALLOCATE pgdispatch_args';  -- PREPARE is not undone by a rollback: gone with its job
    END IF;
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);  -- (see above)
    IF job.args IS NOT NULL THEN
      EXECUTE 'DEALLOCATE ALL';  -- (the session serves this principal only; see _scrub_session)
    END IF;
    -- query_canceled is named because OTHERS does not cover it: a cancel or a timeout must be
    -- recorded like any other failure.
    GET STACKED DIAGNOSTICS e_sqlstate = RETURNED_SQLSTATE, e_message = MESSAGE_TEXT,
      e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT, e_context = PG_EXCEPTION_CONTEXT;
    -- Keep the command's part of the context, not pg_dispatch's own frames.
    e_context := nullif(pg_catalog.regexp_replace(e_context, '\n?PL/pgSQL function pgdispatch_exec\..*$', '', 's'), '');
    -- A command that dropped pg_dispatch fails on its way out, when a function it dropped is
    -- called again; the drop is undone with the rest, and the failure said for what it was.
    IF e_sqlstate = 'XX000' AND EXISTS (
         SELECT 1 FROM pg_catalog.pg_proc AS p
          WHERE p.oid::text = pg_catalog.substring(e_message, '^cache lookup failed for function (\d+)$')
            AND p.pronamespace IN ('pgdispatch'::pg_catalog.regnamespace, 'pgdispatch_exec'::pg_catalog.regnamespace)) THEN
      e_sqlstate := '{{ERR:command_not_supported}}';
      e_message := 'pg_dispatch: a job cannot drop pg_dispatch';
      e_hint := 'Run DROP EXTENSION pg_dispatch (or its uninstall script) in a session of your own.';
    END IF;
    IF e_sqlstate = '{{ERR:cancelled_itself}}' THEN
      -- The command called cancel() on its own job (see _job_before_update): cancelled, not failed.
      UPDATE pgdispatch._job AS j
         SET status = 'cancelled', cancel_requested_at = pg_catalog.clock_timestamp(), finished_at = pg_catalog.clock_timestamp(),
             error_sqlstate = '57014', error_message = 'cancelled by pgdispatch.cancel() in its own command'
       WHERE j.id = job.id AND j.status = 'running';
      final_status := 'cancelled';
    ELSE
      final_status := pgdispatch._record_failure(job, e_sqlstate, e_message, nullif(e_detail, ''), nullif(e_hint, ''), e_context);
    END IF;
  END;
  PERFORM pg_catalog.pg_notify('pgdispatch',
    -- Which job and how it ended, nothing of its content: every role that can connect may LISTEN.
    pg_catalog.json_build_object('id', job.id, 'status', final_status)::text);
  outcome := final_status;
  IF draining THEN
    -- What the command set in the session goes first (the rest of the scrub, temp tables and all,
    -- after the COMMIT: work the command left for it may still use them, see _run).
    RESET ALL;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
    -- Still on this job until its COMMIT: the watchdog stops a COMMIT that outlasts its timeout.
    PERFORM pg_catalog.set_config('application_name', 'pgdispatch job ' || job.id::text, false);
    -- Its principal's next job due now, if this role is within its share (see _take_next, which
    -- the runner calls when there is none: it waits for one due within two seconds, and idles).
    -- This session's row is known by the job it started (not by asking PostgreSQL for the
    -- session's start, as _take_next does: that copies every backend's status).
    SELECT * INTO bound FROM pgdispatch._runner_session AS s
     WHERE s.pid = job.runner_pid AND s.backend_start = job.runner_started AND s.role_oid = job.role_oid;
    IF FOUND AND NOT pgdispatch._over_share(bound.role_oid) THEN
      next := pgdispatch._take_due(bound.role_oid, bound.settings, interval '0', bound.backend_start);
    END IF;
  END IF;
END
