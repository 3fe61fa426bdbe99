-- Work a command leaves for COMMIT runs in the command's own transaction, as the runner identity,
-- which may call the runner's functions: such work could give its runner slot away, hold the lock
-- on the slots for everyone, or start a job among its own leftovers. The runner itself calls each
-- of them first thing in a transaction of its own, before anything is written; so in a runner
-- identity's session, a call from a transaction that wrote already is refused.
BEGIN
  IF pg_catalog.txid_current_if_assigned() IS NOT NULL AND pgdispatch._served_role() IS NOT NULL THEN
    RAISE EXCEPTION 'pg_dispatch: a runner step must start its own transaction'
      USING ERRCODE = '{{ERR:not_allowed}}', HINT = 'Only pg_dispatch''s runner calls this, at the start of a transaction.';
  END IF;
END
