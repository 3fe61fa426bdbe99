-- The body of fire_at() and fire(): one PL/pgSQL call per fire (a row trigger may call fire()
-- 10,000 times in one statement; PL/pgSQL keeps its statements' plans, where a SQL function plans
-- them anew at every call, row-level security and all). Inserts the job; the insert trigger
-- (_job_before_insert) checks it, and for a key that already has a waiting job applies key_mode
-- to that job instead and inserts nothing.
DECLARE
  new_id bigint;
  mode text;
  who text;
  memo text[];
  w_id bigint;
  w_run_at timestamptz;
  w_deadline timestamptz;
BEGIN
  IF {{FN}}.key IS NULL THEN
    INSERT INTO pgdispatch._job (command, run_at, {{COLUMNS}}) VALUES ({{VALUES}})
    RETURNING pgdispatch._job.id INTO new_id;
    RETURN new_id;
  END IF;
  IF {{FN}}.max_wait < interval '0' THEN
    RAISE EXCEPTION 'pg_dispatch: max_wait must be zero or more, not %', {{FN}}.max_wait
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'Pass e.g. max_wait => ''1 minute'', or leave it out.';
  END IF;
  mode := coalesce({{FN}}.key_mode, CASE WHEN {{FN}}.debounce IS NULL THEN 'keep' ELSE 'debounce' END);
  -- The cheap path of a storm of fires (a row trigger): nothing to write when the key's waiting
  -- job is kept, or when debouncing would move its time by less than a step (a quarter of
  -- debounce, at most a second: pg_cron's own resolution). This transaction holds a lock on that
  -- job (taken below, or its own insert), so it cannot start before this transaction ends and
  -- the job that runs sees what it did. The last key found is remembered for the transaction
  -- (pgdispatch.key_memo, undone with a rolled-back subtransaction, cleared by a cancel), with
  -- the role and request claims that found it: a storm costs no query per fire.
  IF mode = 'keep' OR (mode = 'debounce' AND {{FN}}.debounce > interval '0') THEN
    who := CURRENT_USER || E'\x1f' || coalesce(pg_catalog.current_setting('request.jwt.claims', true), '')
           || E'\x1f' || coalesce(pg_catalog.current_setting('request.jwt.claim.sub', true), '') || E'\x1f' || {{FN}}.key;
    IF pg_catalog.current_setting('pgdispatch.key_memo', true) = who THEN
      memo := pg_catalog.string_to_array(pg_catalog.current_setting('pgdispatch.key_memo_job'), ',');
      w_id := memo[1]::bigint;
      w_run_at := memo[2]::timestamptz;
      w_deadline := nullif(memo[3], '')::timestamptz;
    ELSE
      -- Read as the caller (row-level security), locked against starting.
      SELECT k.id, k.run_at, k.key_deadline INTO w_id, w_run_at, w_deadline
        FROM pgdispatch._job AS k
       WHERE k.key = {{FN}}.key AND k.status = 'scheduled' AND k.attempts = 0
         AND k.role_oid = {{CALLER_ROLE}} AND coalesce(k.sub, '') = coalesce({{CALLER_SUB}}, '')
         FOR KEY SHARE OF k;
      IF FOUND THEN
        PERFORM pg_catalog.set_config('pgdispatch.key_memo', who, true),
                pg_catalog.set_config('pgdispatch.key_memo_job', w_id || ',' || w_run_at || ',' || coalesce(w_deadline::text, ''), true);
      END IF;
    END IF;
    IF w_id IS NOT NULL
       AND (mode = 'keep'
            OR w_run_at >= least(pg_catalog.clock_timestamp() + {{FN}}.debounce, w_deadline)
                                 - least({{FN}}.debounce / 4, interval '1 second')) THEN
      RETURN w_id;
    END IF;
  END IF;
  -- The trigger applies the mode to a waiting job it finds (and sets pgdispatch.keyed_job), or
  -- this inserts the key's job. Another session's job of the key, not yet committed, makes this
  -- INSERT wait for it, then fail on the unique index once it committed: then the trigger finds it.
  LOOP
    BEGIN
      INSERT INTO pgdispatch._job (command, run_at, {{COLUMNS}}) VALUES ({{VALUES}})
      RETURNING pgdispatch._job.id INTO new_id;
      new_id := coalesce(new_id, pg_catalog.current_setting('pgdispatch.keyed_job')::bigint);
      EXIT;
    EXCEPTION WHEN unique_violation THEN
      -- (only the key's index can be violated by an insert whose id is generated)
      NULL;
    END;
  END LOOP;
  IF who IS NOT NULL THEN
    SELECT k.id, k.run_at, k.key_deadline INTO w_id, w_run_at, w_deadline FROM pgdispatch._job AS k WHERE k.id = new_id;
    PERFORM pg_catalog.set_config('pgdispatch.key_memo', who, true),
            pg_catalog.set_config('pgdispatch.key_memo_job', w_id || ',' || w_run_at || ',' || coalesce(w_deadline::text, ''), true);
  END IF;
  RETURN new_id;
END
