-- The maintenance job's check of parked dependents. A dependency that finished while the job
-- naming it was being fired (the finishing trigger could not see the uncommitted job, and the fire
-- saw the dependency unfinished) left a count too high: counted again here, once a minute.
DECLARE
  j record;
  fixed integer := 0;
BEGIN
  FOR j IN SELECT k.id, k.after_left,
                  (SELECT pg_catalog.count(*)::integer FROM pgdispatch._job AS o
                    WHERE o.id = ANY (k.after) AND o.status IN {{STATUSES:unfinished}}) AS unfinished,
                  (SELECT o.id FROM pgdispatch._job AS o
                    WHERE o.id = ANY (k.after) AND o.status NOT IN {{STATUSES:unfinished}} AND o.status <> 'succeeded'
                    ORDER BY o.id LIMIT 1) AS failed
             FROM pgdispatch._job AS k
            WHERE k.after_left > 0 AND k.status = 'scheduled'
              AND k.created_at < pg_catalog.clock_timestamp() - interval '10 seconds'
              FOR UPDATE SKIP LOCKED LOOP
    IF j.failed IS NOT NULL THEN
      -- Cancelled as the dependency's own trigger would have (and its dependents with it).
      UPDATE pgdispatch._job AS d
         SET status = 'cancelled', finished_at = pg_catalog.clock_timestamp(), after_left = NULL,
             error_sqlstate = '{{ERR:dependency_failed}}',
             error_message = (SELECT pg_catalog.format('pg_dispatch: not run: job %s, which it runs after, ended %s', o.id, o.status)
                                FROM pgdispatch._job AS o WHERE o.id = j.failed),
             error_hint = 'Retry the job that did not succeed (pgdispatch.retry), then fire this one again after the retry.'
       WHERE d.id = j.id;
      fixed := fixed + 1;
    ELSIF j.unfinished < j.after_left THEN
      UPDATE pgdispatch._job AS d
         SET after_left = nullif(j.unfinished, 0),
             run_at = CASE WHEN j.unfinished = 0 THEN greatest(d.after_run_at, pg_catalog.clock_timestamp()) ELSE d.run_at END
       WHERE d.id = j.id;
      fixed := fixed + 1;
    END IF;
  END LOOP;
  RETURN fixed;
END
