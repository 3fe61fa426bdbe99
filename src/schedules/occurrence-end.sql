-- An occurrence of a schedule has finished (or was cancelled before it started). With overlap
-- 'queue', the occurrence waiting for this one starts now. If it was the schedule's pending one,
-- cancelled by its role (a way to skip one run), the next one is made.
DECLARE
  s pgdispatch._schedule;
BEGIN
  SELECT * INTO s FROM pgdispatch._schedule AS k WHERE k.id = NEW.schedule_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF s.pending_job = NEW.id THEN
    PERFORM pgdispatch._schedule_chain(s.id, greatest(OLD.run_at, pg_catalog.clock_timestamp()), false, false);
  END IF;
  IF s.overlap = 'queue' AND OLD.status = 'running' THEN
    UPDATE pgdispatch._job AS k
       SET run_at = pg_catalog.clock_timestamp(),
           carrier = coalesce(k.carrier, pgdispatch._arm(k.id, pg_catalog.clock_timestamp(), k.role_oid))
     WHERE k.id = (SELECT q.id FROM pgdispatch._job AS q
                    WHERE q.schedule_id = s.id AND q.status = 'scheduled' AND q.run_at = 'infinity'
                    ORDER BY q.id LIMIT 1);
  END IF;
  RETURN NULL;
END
