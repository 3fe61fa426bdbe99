-- Re-fires a finished job that did not succeed, as a new job of the caller, linked to the old one
-- by retry_of. SECURITY INVOKER: the old job is read through row-level security (a role sees its
-- own, admins all), and the new one is the caller's, with the caller's rights and request context.
-- Named columns, not *: users may not read the carried settings.
DECLARE
  old record;
  new_id bigint;
BEGIN
  SELECT j.id, j.status, j.command, j.label, j.max_attempts, j.timeout, j.search_path, j.args, j.priority
    INTO old FROM pgdispatch._job AS j WHERE j.id = job_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'pg_dispatch: no job %', job_id
      USING ERRCODE = '{{ERR:job_not_found}}',
            HINT = 'A role sees only the jobs it fired, an end user (JWT sub) only their own, and finished jobs are purged after settings.retention.';
  END IF;
  IF old.status NOT IN ('failed', 'cancelled', 'timed_out') THEN
    RAISE EXCEPTION 'pg_dispatch: job % is %; only a job that finished without success can be retried', job_id, old.status
      USING ERRCODE = '{{ERR:job_not_retryable}}',
            HINT = CASE WHEN old.status = 'succeeded'
                        THEN 'To run the same command again, fire it: SELECT pgdispatch.fire(command) FROM pgdispatch.jobs WHERE id = ...;'
                        ELSE 'Wait for it to finish (SELECT pgdispatch.wait(id)), or cancel it first.' END;
  END IF;
  -- Not its key: a retry is asked for by name, and runs even while a fire of the key waits.
  INSERT INTO pgdispatch._job (command, label, max_attempts, timeout, search_path, retry_of, args, priority)
  VALUES (old.command, old.label, old.max_attempts, old.timeout, old.search_path, old.id, old.args, old.priority)
  RETURNING id INTO new_id;
  RETURN new_id;
END
