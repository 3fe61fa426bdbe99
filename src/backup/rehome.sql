-- Called first by the maintenance job (once a minute, and at server start). After pg_restore:
-- binds the restored jobs (see _restored_job) to this cluster's roles, by name, as pg_dump binds
-- owners and grants; removes the carriers they came with; gives the pending ones carriers of this
-- cluster's runner identities. A job whose role does not exist here, or cannot run here, fails
-- with an error that says so; finished ones keep their outcome (a job of a missing role: seen by
-- admins only). Also, any time: runner identities that pg_dispatch did not register (restored
-- with pg_dumpall's globals, or left by an earlier install) are taken over and dropped, with their
-- carriers, so that nothing runs as them.
DECLARE
  old_oid oid;
  restored bigint[];
  role_name name;
  e_message text;
  e_hint text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pgdispatch._restored)
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members AS m JOIN pg_catalog.pg_roles AS a ON a.oid = m.member
                      WHERE m.roleid = pg_catalog.to_regrole('pgdispatch_runners')
                        AND NOT EXISTS (SELECT 1 FROM pgdispatch._runner AS r WHERE r.runner_oid = a.oid)) THEN
    RETURN;
  END IF;
  LOCK TABLE pgdispatch._restored IN SHARE ROW EXCLUSIVE MODE;  -- one at a time
  FOR old_oid IN
    SELECT s.role_oid FROM pgdispatch._restored AS s
    UNION
    SELECT pg_catalog.substr(a.rolname, 19)::oid
      FROM pg_catalog.pg_auth_members AS m JOIN pg_catalog.pg_roles AS a ON a.oid = m.member
     WHERE m.roleid = pg_catalog.to_regrole('pgdispatch_runners') AND a.rolname ~ '^pgdispatch_runner_[0-9]{1,10}$'
       AND NOT EXISTS (SELECT 1 FROM pgdispatch._runner AS r WHERE r.runner_oid = a.oid)
  LOOP
    PERFORM pgdispatch._retire_runner(old_oid);
  END LOOP;
  SELECT pg_catalog.array_agg(s.job_id) INTO restored FROM pgdispatch._restored AS s;
  IF restored IS NULL THEN
    RETURN;
  END IF;
  UPDATE pgdispatch._job AS j SET role_oid = a.oid
    FROM pg_catalog.pg_roles AS a
   WHERE j.id = ANY (restored) AND j.role_oid = 0 AND a.rolname = j.role;
  -- The pending-jobs quota counts again, restored jobs included.
  DELETE FROM pgdispatch._pending_bound AS b
   WHERE b.role_oid IN (SELECT j.role_oid FROM pgdispatch._job AS j WHERE j.id = ANY (restored));
  -- Each role with restored jobs to run: its runner identity, and its executor while it may use
  -- pg_dispatch (grant_usage, restored with the dump's privileges); without, its jobs fail when
  -- due, as after revoke_usage.
  FOR role_name IN
    SELECT DISTINCT j.role FROM pgdispatch._job AS j
     WHERE j.id = ANY (restored) AND j.role_oid <> 0 AND j.status IN {{STATUSES:unfinished}}
  LOOP
    BEGIN
      PERFORM pgdispatch._runner_for((SELECT a.oid FROM pg_catalog.pg_roles AS a WHERE a.rolname = role_name), true);
      IF pg_catalog.has_schema_privilege(role_name, 'pgdispatch', 'USAGE') THEN
        PERFORM pgdispatch._executor_for(role_name, true);
      END IF;
    EXCEPTION WHEN SQLSTATE '{{ERR:not_allowed}}' THEN
      GET STACKED DIAGNOSTICS e_message = MESSAGE_TEXT, e_hint = PG_EXCEPTION_HINT;
      UPDATE pgdispatch._job AS j
         SET status = 'failed', finished_at = pg_catalog.clock_timestamp(), runner_pid = NULL, runner_started = NULL,
             error_sqlstate = '{{ERR:not_allowed}}', error_message = e_message, error_hint = nullif(e_hint, ''),
             error_detail = 'This job was restored from a dump.', error_context = NULL
       WHERE j.id = ANY (restored) AND j.role = role_name AND j.status IN {{STATUSES:unfinished}};
    END;
  END LOOP;
  UPDATE pgdispatch._job AS j
     SET status = 'failed', finished_at = pg_catalog.clock_timestamp(), runner_pid = NULL, runner_started = NULL,
         error_sqlstate = '{{ERR:role_missing}}',
         error_message = pg_catalog.format('pg_dispatch: role %s does not exist in this database: this job was restored from a dump and does not run', j.role),
         error_detail = 'A restored job runs as the role of its name in the database it was restored into.',
         error_hint = 'Restore the roles first (pg_dumpall --globals-only), then the database; or fire the command again as an existing role.',
         error_context = NULL
   WHERE j.id = ANY (restored) AND j.role_oid = 0 AND j.status IN {{STATUSES:unfinished}};
  -- Jobs that were running when the dump was taken are found interrupted by the maintenance job
  -- (their sessions are not this server's), and retried or failed. Jobs due within the minute
  -- get their carriers now, those due later from the maintenance job.
  UPDATE pgdispatch._job AS j SET carrier = pgdispatch._arm(j.id, j.run_at, j.role_oid)
   WHERE j.id IN (SELECT k.id FROM pgdispatch._job AS k
                   WHERE k.id = ANY (restored) AND k.status = 'scheduled' AND k.carrier IS NULL AND k.role_oid <> 0
                     AND k.run_at < pg_catalog.clock_timestamp() + interval '61 seconds'
                   ORDER BY k.run_at, k.id);
  DELETE FROM pgdispatch._restored AS s WHERE s.job_id = ANY (restored);
END
