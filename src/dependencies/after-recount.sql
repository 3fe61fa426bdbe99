-- Counts a parked job's unfinished dependencies again and releases it (returns the time it is due
-- at) or cancels it (a dependency that did not succeed, PD006, and its own dependents with it, by
-- _job_after_end); NULL while it still waits. The count made at fire time misses a dependency that
-- finishes before the firing transaction commits: its finishing trigger cannot see the uncommitted
-- job. So at that COMMIT (see _job_arm_at_commit) each dependency still unfinished is locked FOR
-- SHARE first, in id order (a dependency's id is lower than its dependent's, the order in which
-- finishing triggers lock): one finishing meanwhile is waited for and then seen finished, and one
-- that finishes later waits for this commit and then finds this job's edge. The maintenance job
-- counts again without locks (its edges are committed: finishing triggers see them).
DECLARE
  k pgdispatch._job;
  unfinished integer;
  failed pgdispatch._job;
BEGIN
  IF at_commit THEN
    -- Under REPEATABLE READ or SERIALIZABLE a row changed since the snapshot cannot be locked (the
    -- commit would fail): such a firer's job is counted again by the maintenance job instead.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
      RETURN NULL;
    END IF;
    PERFORM 1 FROM pgdispatch._job AS o
     WHERE o.id IN (SELECT e.after_id FROM pgdispatch._job_after AS e WHERE e.job_id = _after_recount.job_id)
       AND o.status IN {{STATUSES:unfinished}}
     ORDER BY o.id FOR SHARE;
  END IF;
  -- (A finishing trigger holding it is counting it down already.)
  SELECT * INTO k FROM pgdispatch._job AS d
   WHERE d.id = _after_recount.job_id AND d.status = 'scheduled' AND d.after_left > 0 FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT pg_catalog.count(*)::integer INTO unfinished FROM pgdispatch._job AS o
   WHERE o.id = ANY (k.after) AND o.status IN {{STATUSES:unfinished}};
  SELECT * INTO failed FROM pgdispatch._job AS o
   WHERE o.id = ANY (k.after) AND o.status NOT IN {{STATUSES:unfinished}} AND o.status <> 'succeeded'
   ORDER BY o.id LIMIT 1;
  -- Edges from dependencies that finished unseen lead nowhere now.
  DELETE FROM pgdispatch._job_after AS e
   WHERE e.job_id = k.id AND e.after_id IN (
     SELECT o.id FROM pgdispatch._job AS o WHERE o.id = ANY (k.after) AND o.status NOT IN {{STATUSES:unfinished}});
  IF failed.id IS NOT NULL THEN
    -- Cancelled as the dependency's own trigger would have (and its dependents with it).
    UPDATE pgdispatch._job AS d
       SET status = 'cancelled', finished_at = pg_catalog.clock_timestamp(), after_left = NULL,
           error_sqlstate = '{{ERR:dependency_failed}}',
           error_message = {{DEPENDENCY_FAILED_MESSAGE:failed.id,failed.status}},
           error_hint = {{DEPENDENCY_FAILED_HINT}}
     WHERE d.id = k.id;
    RETURN NULL;
  ELSIF unfinished >= k.after_left THEN
    RETURN NULL;
  END IF;
  UPDATE pgdispatch._job AS d
     SET after_left = unfinished,  -- 0: released, as _job_after_end leaves it
         run_at = CASE WHEN unfinished = 0 THEN greatest(d.after_run_at, pg_catalog.clock_timestamp()) ELSE d.run_at END
   WHERE d.id = k.id
  RETURNING CASE WHEN unfinished = 0 THEN d.run_at END INTO k.run_at;
  RETURN k.run_at;
END
