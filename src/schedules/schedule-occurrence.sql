-- An occurrence of a schedule, at `at`: an ordinary job of the schedule's role, with the request
-- context captured when the schedule was defined (as fire() captures the firing session's). Made
-- as the owner (by the schedule's triggers, a starting occurrence or the maintenance job), so the
-- end user and settings are set from the schedule, not from the session that happens to make it.
DECLARE
  job_id bigint;
BEGIN
  INSERT INTO pgdispatch._job (command, label, run_at, max_attempts, timeout, search_path, role, schedule_id)
  VALUES (s.command, s.label, at, s.max_attempts, s.timeout, s.search_path, pg_catalog.pg_get_userbyid(s.role_oid), s.id)
  RETURNING pgdispatch._job.id INTO job_id;
  UPDATE pgdispatch._job AS j SET sub = s.sub, settings = s.settings WHERE j.id = job_id;
  RETURN job_id;
END
