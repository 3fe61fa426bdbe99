-- Every new job passes here, whether it came through fire(), snooze(), fire_at() or a direct
-- INSERT: the checks, the request context to carry, and the carrier are the same for all.
-- SECURITY DEFINER: the owner schedules the carrier; NEW.role was set by the column default
-- to the firing role, which the firing role cannot override.
DECLARE
  s pgdispatch.settings;
  q pgdispatch.role_quotas;
  name text;
  value text;
  carried jsonb := '{}';
  statements text[];
  statement text;
  max_pending integer;
  max_command integer;
  command_bytes integer;
  bound record;
  pending integer;
  waiting pgdispatch._job;
  dep record;
  left_deps integer := 0;
BEGIN
  -- A row from a dump (fire() never sets role_oid; only the owner may): kept, inert (_restored_job).
  IF NEW.role_oid IS NOT NULL THEN
    RETURN pgdispatch._restored_job(NEW);
  END IF;
  -- Whose job it is: the firing role by OID, and the end user (JWT sub) of the firing session.
  NEW.role_oid := (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = NEW.role);
  NEW.sub := {{CALLER_SUB}};
  statements := pgdispatch._statements(NEW.command);
  IF NEW.command IS NULL OR pg_catalog.cardinality(statements) = 0 THEN
    RAISE EXCEPTION 'pg_dispatch: the command is empty'
      USING ERRCODE = '{{ERR:invalid_argument}}',
            HINT = 'Pass the SQL to run, e.g. SELECT pgdispatch.fire(''SELECT 1'');';
  END IF;
  -- Every statement, not only the first, and after any comments (which _statements blanks out).
  FOREACH statement IN ARRAY statements LOOP
    IF statement ~* '^(vacuum|create\s+(unique\s+)?index\s+concurrently|drop\s+index\s+concurrently'
                    '|reindex\M.*\mconcurrently|reindex\s+(\(.*\)\s*)?(schema|database|system)|create\s+database|drop\s+database'
                    '|alter\s+database\M.*\mset\s+tablespace|create\s+tablespace|drop\s+tablespace|alter\s+system|discard\s+all'
                    '|begin|commit|rollback|abort|start\s+transaction|savepoint|release|prepare\s+transaction)\M' THEN
      RAISE EXCEPTION 'pg_dispatch cannot run this command: it cannot run inside a transaction block'
        USING ERRCODE = '{{ERR:command_not_supported}}',
              DETAIL = 'pg_dispatch runs each command in a transaction, so that its recorded status commits together with its effects.',
              HINT = 'Schedule it with pg_cron directly, which runs a single statement outside a transaction: SELECT cron.schedule(''maintenance'', ''1 seconds'', ''VACUUM ...''); or use a form that can run in a transaction (ANALYZE, CREATE INDEX without CONCURRENTLY).';
    END IF;
    -- A job cannot remove the machinery that records its own outcome.
    IF statement ~* '^drop\s+(extension\M.*\m"?pg_dispatch|schema\M.*\m"?pgdispatch)\M' THEN
      RAISE EXCEPTION 'pg_dispatch cannot run this command: a job cannot drop pg_dispatch'
        USING ERRCODE = '{{ERR:command_not_supported}}',
              DETAIL = 'The job''s outcome is recorded by pg_dispatch in the job''s own transaction.',
              HINT = 'Run DROP EXTENSION pg_dispatch (or its uninstall script) in a session of your own.';
    END IF;
  END LOOP;
  IF NEW.label IS NOT NULL AND pg_catalog.octet_length(NEW.label) > 64 THEN
    RAISE EXCEPTION 'pg_dispatch: the label is % bytes long, more than 64', pg_catalog.octet_length(NEW.label)
      USING ERRCODE = '{{ERR:label_too_long}}', HINT = 'Use a shorter label, e.g. ''billing/prod/req-8f3a''.';
  END IF;
  IF NEW.run_at IS NULL THEN
    RAISE EXCEPTION 'pg_dispatch: the time to run at is NULL'
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Pass a timestamptz, e.g. now() + interval ''1 hour''.';
  END IF;
  -- A time in the past means now; -infinity is stored as now, so that no timing need subtract it.
  -- infinity is kept: such a job waits until it is cancelled.
  IF NEW.run_at = '-infinity' THEN
    NEW.run_at := pg_catalog.clock_timestamp();
  END IF;
  IF NEW.max_attempts IS NULL OR NEW.max_attempts < 1 THEN
    RAISE EXCEPTION 'pg_dispatch: max_attempts must be 1 or more, not %', coalesce(NEW.max_attempts::text, 'NULL')
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'max_attempts => 1 runs a job once; 3 allows two retries.';
  END IF;
  -- Arguments: bound as parameters of one statement that PREPARE takes (see _execute).
  IF NEW.args IS NOT NULL THEN
    IF pg_catalog.jsonb_typeof(NEW.args) <> 'array' THEN
      RAISE EXCEPTION 'pg_dispatch: args must be a JSON array, not %', pg_catalog.jsonb_typeof(NEW.args)
        USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Pass e.g. args => jsonb_build_array(42, ''express'') for $1 and $2.';
    END IF;
    IF pg_catalog.cardinality(statements) <> 1
       OR statements[1] !~* '^[(\s]*(select|insert|update|delete|merge|values|with|table)\M' THEN
      RAISE EXCEPTION 'pg_dispatch: args are bound to a command of one SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES or WITH statement; this command %',
        CASE WHEN pg_catalog.cardinality(statements) <> 1 THEN 'has ' || pg_catalog.cardinality(statements) || ' statements'
             ELSE 'is ' || pg_catalog.upper(pg_catalog.substring(statements[1], '^[(\s]*(\w+)')) END
        USING ERRCODE = '{{ERR:args_not_supported}}',
              DETAIL = 'Parameters are bound with PREPARE and EXECUTE, which take one such statement.',
              HINT = 'Call a procedure through a function (SELECT f($1, $2)), or pass the values in a table.';
    END IF;
  END IF;
  IF NEW.queue IS NOT NULL AND (NEW.queue = '' OR pg_catalog.octet_length(NEW.queue) > 64) THEN
    RAISE EXCEPTION 'pg_dispatch: a queue name must be 1 to 64 bytes long, not %', pg_catalog.octet_length(NEW.queue)
      USING ERRCODE = '{{ERR:invalid_queue}}', HINT = 'Use a short name, e.g. queue => ''emails''.';
  END IF;
  IF NEW.after IS NOT NULL AND NEW.key IS NOT NULL THEN
    RAISE EXCEPTION 'pg_dispatch: a job with a key cannot also wait for other jobs (after)'
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Fire it without key, or without after.';
  END IF;
  IF NEW.priority IS NULL THEN
    NEW.priority := 0;
  END IF;
  -- Keys: options checked, then the key's waiting job, if any, takes this fire instead of a new row.
  IF NEW.key IS NULL THEN
    IF NEW.key_mode IS NOT NULL OR NEW.debounce IS NOT NULL OR NEW.key_deadline IS NOT NULL THEN
      RAISE EXCEPTION 'pg_dispatch: key_mode, debounce and max_wait apply to a job with a key'
        USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Pass key => ''refresh:orders'' with them, or leave them out.';
    END IF;
  ELSE
    IF pg_catalog.octet_length(NEW.key) > 200 OR NEW.key = '' THEN
      RAISE EXCEPTION 'pg_dispatch: a key must be 1 to 200 bytes long, not %', pg_catalog.octet_length(NEW.key)
        USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Use a short name for the work, e.g. ''refresh:orders''.';
    END IF;
    NEW.key_mode := coalesce(NEW.key_mode, CASE WHEN NEW.debounce IS NULL THEN 'keep' ELSE 'debounce' END);
    IF NEW.key_mode NOT IN ('keep', 'replace', 'debounce') THEN
      RAISE EXCEPTION 'pg_dispatch: key_mode must be keep, replace or debounce, not %', NEW.key_mode
        USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'keep: the waiting job stays; replace: it takes this command; debounce: it runs debounce after the last fire.';
    END IF;
    IF (NEW.key_mode = 'debounce') <> (NEW.debounce IS NOT NULL) OR NEW.debounce <= interval '0'
       OR (NEW.key_deadline IS NOT NULL AND NEW.key_mode <> 'debounce') THEN
      RAISE EXCEPTION 'pg_dispatch: key_mode debounce takes a positive debounce interval (and max_wait, if any), and other modes neither'
        USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Pass e.g. key => ''refresh:orders'', debounce => ''5 seconds'', max_wait => ''1 minute''.';
    END IF;
    IF NEW.key_mode = 'debounce' THEN
      NEW.run_at := least(greatest(NEW.run_at, pg_catalog.clock_timestamp() + NEW.debounce), coalesce(NEW.key_deadline, 'infinity'));
    END IF;
  END IF;
  -- retry_of links a retry to the job it retries: one the firing role and end user could see.
  IF NEW.retry_of IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM pgdispatch._job AS o WHERE o.id = NEW.retry_of AND {{SEES_RETRIED_JOB}}) THEN
    RAISE EXCEPTION 'pg_dispatch: no job % to retry', NEW.retry_of
      USING ERRCODE = '{{ERR:job_not_found}}', HINT = 'Use pgdispatch.retry(job_id) on a job of yours.';
  END IF;
  SELECT * INTO s FROM pgdispatch.settings;
  SELECT * INTO q FROM pgdispatch.role_quotas AS rq WHERE rq.role = NEW.role_oid;
  -- Quotas (PD300): the command's size, then the role's pending jobs.
  max_command := coalesce(q.max_command_bytes, s.max_command_bytes);
  command_bytes := pg_catalog.octet_length(NEW.command);
  IF command_bytes > max_command THEN
    RAISE EXCEPTION 'pg_dispatch: the command is % bytes long, more than max_command_bytes (% for role %)', command_bytes, max_command, NEW.role
      USING ERRCODE = '{{ERR:quota_exceeded}}',
            DETAIL = 'Quota max_command_bytes: limit ' || max_command || ', this command ' || command_bytes || ' bytes.',
            HINT = 'Pass data through a table rather than inside the command. An admin raises the limit: UPDATE pgdispatch.settings SET max_command_bytes = ...; or for this role: INSERT INTO pgdispatch.role_quotas (role, max_command_bytes) VALUES (' || pg_catalog.quote_literal(NEW.role) || ', ...) ON CONFLICT (role) DO UPDATE SET max_command_bytes = excluded.max_command_bytes;';
  END IF;
  IF NEW.timeout IS NULL THEN
    NEW.timeout := s.default_timeout;
  ELSIF NEW.timeout <= interval '0' THEN
    RAISE EXCEPTION 'pg_dispatch: the timeout must be positive, not %', NEW.timeout
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Pass e.g. timeout => interval ''30 seconds'', or leave it out.';
  END IF;
  IF NEW.search_path IS NULL THEN
    NEW.search_path := '"$user", public';
  END IF;
  -- The request context of the firing session, restored inside the job (Supabase's auth.uid()).
  FOREACH name IN ARRAY s.carried_settings LOOP
    value := pg_catalog.current_setting(name, true);
    IF value IS NOT NULL AND value <> '' THEN
      carried := carried || pg_catalog.jsonb_build_object(name, value);
    END IF;
  END LOOP;
  NEW.settings := carried;
  -- The key's waiting job, if any, takes this fire (see _fire_waiting_key) instead of a new row.
  IF NEW.key IS NOT NULL THEN
    SELECT * INTO waiting FROM pgdispatch._job AS k
     WHERE k.role_oid = NEW.role_oid AND coalesce(k.sub, '') = coalesce(NEW.sub, '') AND k.key = NEW.key
       AND k.status = 'scheduled' AND k.attempts = 0
       FOR UPDATE;
    IF FOUND THEN
      PERFORM pgdispatch._fire_waiting_key(waiting, NEW);
      PERFORM pg_catalog.set_config('pgdispatch.keyed_job', waiting.id::text, true);
      RETURN NULL;  -- no new job: fire_at() returns the waiting one's id
    END IF;
  END IF;
  -- The pending-jobs quota: a bound from the role's last exact count (src/schema/pending-bound-table.ts),
  -- and a new count only when that bound passes the quota.
  max_pending := coalesce(q.max_pending_jobs, s.max_pending_jobs);
  SELECT b.base_id, b.base_count INTO bound FROM pgdispatch._pending_bound AS b WHERE b.role_oid = NEW.role_oid;
  IF NOT FOUND OR bound.base_count::bigint + greatest(NEW.id - bound.base_id, 1) > max_pending THEN
    SELECT pg_catalog.count(*) INTO pending
      FROM (SELECT 1 FROM pgdispatch._job AS k
             WHERE k.role_oid = NEW.role_oid AND k.status IN {{STATUSES:unfinished}} LIMIT max_pending) AS p;
    IF pending >= max_pending THEN
      RAISE EXCEPTION 'pg_dispatch: role % has % pending jobs (scheduled or running), its quota max_pending_jobs is %', NEW.role, pending, max_pending
        USING ERRCODE = '{{ERR:quota_exceeded}}',
              DETAIL = 'Quota max_pending_jobs: limit ' || max_pending || ', pending now ' || pending || ' (counted up to the limit).',
              HINT = 'Wait for jobs to finish, or cancel some (pgdispatch.cancel_by_label). An admin raises the limit: UPDATE pgdispatch.settings SET max_pending_jobs = ...; or for this role: INSERT INTO pgdispatch.role_quotas (role, max_pending_jobs) VALUES (' || pg_catalog.quote_literal(NEW.role) || ', ...) ON CONFLICT (role) DO UPDATE SET max_pending_jobs = excluded.max_pending_jobs;';
    END IF;
    -- The new base: unless another transaction is writing it (then this one counts again next time).
    PERFORM 1 FROM pgdispatch._pending_bound AS b WHERE b.role_oid = NEW.role_oid FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
      UPDATE pgdispatch._pending_bound AS b SET base_id = NEW.id, base_count = pending + 1 WHERE b.role_oid = NEW.role_oid;
    ELSIF bound.base_id IS NULL THEN
      INSERT INTO pgdispatch._pending_bound (role_oid, base_id, base_count) VALUES (NEW.role_oid, NEW.id, pending + 1)
        ON CONFLICT (role_oid) DO NOTHING;
    END IF;
  END IF;
  -- Fail now, not when the job runs, if the role cannot have an executor and a runner identity.
  -- Both exist after the role's first job: then their names are only looked up (the executor is
  -- checked in full before every run, see _execute).
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc AS p
                  WHERE p.proname = 'run_as_' || NEW.role_oid::text AND p.pronamespace = 'pgdispatch_exec'::pg_catalog.regnamespace)
     OR NOT EXISTS (SELECT 1 FROM pgdispatch._runner AS r JOIN pg_catalog.pg_roles AS a ON a.oid = r.runner_oid
                     WHERE r.role_oid = NEW.role_oid) THEN
    PERFORM pgdispatch._executor_for(NEW.role, true);
  END IF;
  -- What the firing role could not set anyway, set again for a direct INSERT by the owner.
  NEW.status := 'scheduled';
  NEW.attempts := 0;
  NEW.created_at := pg_catalog.clock_timestamp();
  -- Its carrier comes at COMMIT (see _job_arm_at_commit).
  NEW.carrier := NULL;
  NEW.after_left := NULL;
  NEW.after_run_at := NULL;
  -- Dependencies: each a job the firing role and end user see. One that did not succeed cancels
  -- this one now; while some have not finished, this one waits parked (run_at infinity, holding
  -- nothing) until the last of them succeeds (see _job_after_end).
  IF NEW.after IS NOT NULL THEN
    NEW.after := ARRAY(SELECT DISTINCT a FROM pg_catalog.unnest(NEW.after) AS a ORDER BY a);
    IF pg_catalog.cardinality(NEW.after) = 0 THEN
      NEW.after := NULL;
    END IF;
  END IF;
  IF NEW.after IS NOT NULL THEN
    FOR dep IN SELECT a.id, o.id AS found, o.status, (o.id IS NOT NULL AND {{SEES_DEPENDENCY}}) AS visible
                 FROM pg_catalog.unnest(NEW.after) AS a(id)
                 LEFT JOIN pgdispatch._job AS o ON o.id = a.id
                ORDER BY a.id LOOP
      IF dep.id IS NULL OR NOT dep.visible THEN
        RAISE EXCEPTION 'pg_dispatch: no job % to run after', coalesce(dep.id::text, 'NULL')
          USING ERRCODE = '{{ERR:dependency_not_found}}',
                HINT = 'after => names jobs of yours (role and end user) that still exist: ids that fire() returned, not purged yet.';
      END IF;
      IF dep.status IN {{STATUSES:unfinished}} THEN
        left_deps := left_deps + 1;
      ELSIF dep.status <> 'succeeded' AND NEW.status = 'scheduled' THEN
        NEW.status := 'cancelled';
        NEW.finished_at := pg_catalog.clock_timestamp();
        NEW.error_sqlstate := '{{ERR:dependency_failed}}';
        NEW.error_message := {{DEPENDENCY_FAILED_MESSAGE:dep.id,dep.status}};
        NEW.error_hint := {{DEPENDENCY_FAILED_HINT}};
      END IF;
    END LOOP;
    IF NEW.status = 'scheduled' AND left_deps > 0 THEN
      INSERT INTO pgdispatch._job_after (after_id, job_id)
      SELECT o.id, NEW.id FROM pgdispatch._job AS o WHERE o.id = ANY (NEW.after) AND o.status IN {{STATUSES:unfinished}};
      NEW.after_left := left_deps;
      NEW.after_run_at := NEW.run_at;
      NEW.run_at := 'infinity';
    END IF;
  END IF;
  -- pg_dispatch's own pg_cron jobs come with its first job, not with CREATE EXTENSION: pg_restore
  -- creates the extension, then copies cron.job's rows back, and rows made at install would
  -- collide with them (failing the whole copy: every pg_cron job of the database lost).
  IF NOT EXISTS (SELECT 1 FROM cron.job AS c
                  WHERE c.jobname = 'pgdispatch_maintenance' AND c.username = CURRENT_USER) THEN
    PERFORM pgdispatch._service_jobs();
  END IF;
  RETURN NEW;
END
