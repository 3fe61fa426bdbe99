-- A job due at its COMMIT needs no carrier of its own when its principal (role and carried
-- settings) already has as many drains coming as a role may ever hold runner slots (all but one,
-- see _fair_share): a carrier of its own could start no runner sooner. Drains are the
-- principal's runners (busy, or idle and polling) and its due jobs whose carrier has not started
-- yet; each takes its principal's due jobs one after another (see _take, _execute, _take_next),
-- so the job is taken in turn, by priority, as a job of a burst that shares its carriers is. A
-- steady stream of fires then schedules no pg_cron job and opens no session. (Not the role's
-- share of this moment: other roles' runners may be about to leave, and then its own carrier
-- would have started beside the others.)
-- The drain must still look for the job after this COMMIT, so one is held until then:
--   a runner's row (FOR KEY SHARE): a runner locks its row (FOR UPDATE) before it stops looking,
--   going idle (see _take_next: it then polls) or leaving (see _release_slot: it then arms the
--   carriers of due jobs left without one), and waits there for this COMMIT. (Not FOR SHARE: the
--   runner's own updates of its row while a job runs, see _execute, would hold this off for
--   as long as that job runs.)
--   or else a due job's row whose carrier has not started: no runner can take that job before
--   this COMMIT, and the one that takes it goes on with the principal's due jobs.
-- Rows locked elsewhere (a runner going idle or leaving, an idle one a job is promised to, a
-- runner starting that job) are passed over, never waited for. With fewer drains, the job gets
-- its carrier (see _arm): another runner starts beside the others.
-- One rider of a transaction holds for every later due job of the same principal in it (the
-- lock lasts until the COMMIT): remembered in a transaction-local setting tagged with the
-- transaction. (A value a user forges there makes only that user's own jobs wait, for the
-- maintenance job's minute.)
DECLARE
  tag text := pg_catalog.pg_current_xact_id()::text || '|' || principal_role::text || '|' || pg_catalog.md5(principal_settings::text);
  runners integer[];
  share integer;
  drains integer;
BEGIN
  IF pg_catalog.current_setting('pgdispatch.riding', true) = tag THEN
    RETURN true;
  END IF;
  -- Its principal's runners that hold a slot and are not leaving.
  SELECT pg_catalog.array_agg(r.pid) INTO runners FROM pgdispatch._runner_session AS r
   WHERE r.role_oid = principal_role AND r.settings = principal_settings AND r.leaving_at IS NULL
     AND EXISTS (SELECT 1 FROM pgdispatch._slot AS s WHERE s.pid = r.pid AND s.backend_start = r.backend_start);
  drains := coalesce(pg_catalog.cardinality(runners), 0);
  share := (SELECT greatest(1, s.max_runners - 1) FROM pgdispatch.settings AS s);
  IF drains < share THEN
    -- And its due jobs whose carrier has not started, as many as the share needs.
    drains := drains + (SELECT pg_catalog.count(*)::integer FROM (
                          SELECT 1 FROM pgdispatch._job AS j
                           WHERE j.role_oid = principal_role AND j.status = 'scheduled' AND j.carrier IS NOT NULL
                             AND j.run_at <= pg_catalog.clock_timestamp() AND j.settings = principal_settings
                           LIMIT share - drains) AS c);
    IF drains < share THEN
      RETURN false;
    END IF;
  END IF;
  -- (Its own columns are checked again on the row as locked: one that began to leave meanwhile
  -- is passed over.)
  PERFORM 1 FROM pgdispatch._runner_session AS r
   WHERE r.pid = ANY (runners) AND r.role_oid = principal_role AND r.settings = principal_settings AND r.leaving_at IS NULL
   LIMIT 1 FOR KEY SHARE SKIP LOCKED;
  IF NOT FOUND THEN
    PERFORM 1 FROM pgdispatch._job AS j
     WHERE j.role_oid = principal_role AND j.status = 'scheduled' AND j.carrier IS NOT NULL
       AND j.run_at <= pg_catalog.clock_timestamp() AND j.settings = principal_settings
     LIMIT 1 FOR SHARE SKIP LOCKED;
    IF NOT FOUND THEN
      RETURN false;
    END IF;
  END IF;
  PERFORM pg_catalog.set_config('pgdispatch.riding', tag, true);
  RETURN true;
END
