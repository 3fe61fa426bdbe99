-- At server start (pg_cron's @reboot job). pg_cron restarts the countdown of every interval job
-- when it loads it, so a carrier armed for "in 40 seconds" before a restart would fire 40 seconds
-- after it: every waiting job's carrier goes, and the usual maintenance arms them again for their
-- stored times, those of one second sharing carriers (see _arm), and the due ones one per free
-- runner slot (see _arm_waiting): a restart opens the sessions its due jobs need, no more. The
-- maintenance also deals with the jobs the restart interrupted and with carriers left over.
DECLARE
  r record;
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
  FOR r IN SELECT j.role_oid, pg_catalog.array_agg(j.carrier) AS carriers, pg_catalog.array_agg(j.id) AS ids
             FROM pgdispatch._job AS j
            WHERE j.status = 'scheduled' AND j.carrier IS NOT NULL AND j.id <> ALL (pgdispatch._busy_carriers())
            GROUP BY j.role_oid LOOP
    PERFORM pgdispatch._disarm_carriers(r.role_oid, r.carriers);
    UPDATE pgdispatch._job AS j SET carrier = NULL WHERE j.id = ANY (r.ids);
  END LOOP;
  COMMIT;
  CALL pgdispatch._maintain();
END
