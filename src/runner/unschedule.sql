-- cron.unschedule raises when the job is already gone (an admin removed it by hand, say):
-- that is the state we want, so look first.
BEGIN
  IF EXISTS (SELECT 1 FROM cron.job AS c WHERE c.jobid = cron_job) THEN
    PERFORM cron.unschedule(cron_job);
    RETURN true;
  END IF;
  RETURN false;
END
