-- A job has finished: its dependents (jobs fired with after => its id) learn it. When it succeeded,
-- each dependent has one dependency fewer left, and the ones with none left are due (at the time
-- they were fired for, or now) and armed. Otherwise each dependent ends cancelled (PD006, naming
-- this job and how it ended), and so do theirs, down the whole graph: iteratively, one UPDATE per
-- level, while the updates' own calls of this trigger do nothing (the transaction is marked), so a
-- chain of any length never recurses. Rows are locked in id order (a dependent's id is always
-- greater than its dependencies'), so two finishing jobs never deadlock over a common dependent.
-- The edges to this job (_job_after) lead to the dependents, and go.
DECLARE
  frontier bigint[];
  released bigint[];
  mark text := pg_catalog.pg_current_xact_id()::text;
BEGIN
  IF pg_catalog.current_setting('pgdispatch.after_cascade', true) = mark THEN
    RETURN NULL;  -- a row this function is cancelling: the loop below goes on from it
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pgdispatch._job_after AS e WHERE e.after_id = NEW.id) THEN
    RETURN NULL;  -- no dependents, as for most jobs: a lookup instead of the statements below
  END IF;
  IF NEW.status = 'succeeded' THEN
    WITH edges AS (
      DELETE FROM pgdispatch._job_after AS e WHERE e.after_id = NEW.id RETURNING e.job_id),
    locked AS (
      SELECT d.id FROM pgdispatch._job AS d
       WHERE d.id IN (SELECT e.job_id FROM edges AS e) AND d.status = 'scheduled' AND d.after_left > 0
       ORDER BY d.id FOR UPDATE),
    counted AS (
      UPDATE pgdispatch._job AS d
         SET after_left = d.after_left - 1,
             run_at = CASE WHEN d.after_left = 1 THEN greatest(d.after_run_at, pg_catalog.clock_timestamp()) ELSE d.run_at END
        FROM locked AS l WHERE d.id = l.id
      RETURNING d.id, d.after_left)
    SELECT pg_catalog.array_agg(c.id ORDER BY c.id) INTO released FROM counted AS c WHERE c.after_left = 0;
    IF released IS NOT NULL THEN
      -- Armed now (jobs of one second share carriers, see _arm), unless their queue is full; but
      -- when this job's own runner is recording it, that runner takes its principal's next due job
      -- itself (or arms it when it leaves, see _arm_waiting): a chain runs in one session.
      IF OLD.runner_pid = pg_catalog.pg_backend_pid() THEN
        released := pg_catalog.array_remove(released, (
          SELECT d.id FROM pgdispatch._job AS d
           WHERE d.id = ANY (released) AND d.settings = NEW.settings AND d.run_at <= pg_catalog.clock_timestamp()
           ORDER BY d.priority, d.run_at, d.id LIMIT 1));
      END IF;
      UPDATE pgdispatch._job AS d SET carrier = pgdispatch._arm(d.id, d.run_at, d.role_oid)
       WHERE d.id = ANY (released) AND d.carrier IS NULL
         AND (d.queue IS NULL OR d.run_at > pg_catalog.clock_timestamp()
              OR coalesce(pgdispatch._queue_room(d.role_oid, d.sub, d.queue), 1) > 0);
    END IF;
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.set_config('pgdispatch.after_cascade', mark, true);
  frontier := ARRAY[NEW.id];
  LOOP
    WITH edges AS (
      DELETE FROM pgdispatch._job_after AS e WHERE e.after_id = ANY (frontier) RETURNING e.job_id),
    locked AS (
      SELECT d.id FROM pgdispatch._job AS d
       WHERE d.id IN (SELECT e.job_id FROM edges AS e) AND d.status = 'scheduled' AND d.after_left > 0
       ORDER BY d.id FOR UPDATE),
    cancelled AS (
      UPDATE pgdispatch._job AS d
         SET status = 'cancelled', finished_at = pg_catalog.clock_timestamp(), after_left = NULL,
             error_sqlstate = '{{ERR:dependency_failed}}',
             error_message = (SELECT {{DEPENDENCY_FAILED_MESSAGE:o.id,o.status}}
                                FROM pgdispatch._job AS o WHERE o.id = ANY (frontier) AND o.id = ANY (d.after) ORDER BY o.id LIMIT 1),
             error_hint = {{DEPENDENCY_FAILED_HINT}}
        FROM locked AS l WHERE d.id = l.id
      RETURNING d.id)
    SELECT pg_catalog.array_agg(c.id) INTO frontier FROM cancelled AS c;
    EXIT WHEN frontier IS NULL;
  END LOOP;
  PERFORM pg_catalog.set_config('pgdispatch.after_cascade', '', true);
  RETURN NULL;
END
