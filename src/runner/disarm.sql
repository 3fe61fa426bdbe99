-- Removes the carriers of jobs that no longer need them, in one transaction, so that pg_cron's
-- launcher reloads its job table once per batch rather than once per job. A carrier is only
-- ever removed under its job's row lock, so two sessions never unschedule the same one, and
-- never while its run is in progress (see _busy_carriers): that run removes it itself.
DECLARE
  cron_job bigint;
  removed integer := 0;
  busy bigint[] := pgdispatch._busy_carriers();
BEGIN
  FOR cron_job IN
    UPDATE pgdispatch._job AS j SET carrier = NULL
      FROM (SELECT k.id, k.carrier FROM pgdispatch._job AS k
             WHERE k.id = ANY (job_ids) AND k.carrier IS NOT NULL AND k.id <> ALL (busy)
             ORDER BY k.id FOR UPDATE OF k) AS old
     WHERE j.id = old.id
    RETURNING old.carrier
  LOOP
    PERFORM pgdispatch._unschedule(cron_job);
    removed := removed + 1;
  END LOOP;
  RETURN removed;
END
