-- The first occurrence of a schedule strictly after `after`, computed in the schedule's own time
-- zone; NULL when the expression never matches (30 February). Pure: it reads no table and no
-- clock, so the tests pass any `after`.
--
-- Wall times and daylight saving (docs/how-it-works.md#schedules):
-- * A wall time the zone skips (02:30 on a spring-forward night in Europe/Berlin) runs once, as
--   far after the jump as it was after its start: 02:30 runs at 03:30 new time. This is how
--   PostgreSQL reads a time in the gap (with the offset in force before it) and how cron-parser does.
-- * A wall time the zone repeats (02:30 on a fall-back night) runs once, at its first instance.
--   '30 * * * *' therefore has no run in the repeated hour's second pass.
-- So the candidates are wall times in the zone, taken in order, each mapped to its instant; around
-- a change those instants are not in the walls' order (a skipped 02:30 maps after 03:10), hence
-- the smallest instant after `after` among the walls up to the one that maps past it.
DECLARE
  e text := pg_catalog.lower(pg_catalog.btrim(expression));
  m text[];
  f text[];
  minutes integer[];
  hours integer[];
  doms integer[];
  months integer[];
  dows integer[];
  dom_star boolean;
  dow_star boolean;
  local_after timestamp;
  wall timestamp;
  instant timestamptz;
  earlier timestamptz;
  best timestamptz;
  steps integer := 0;
  y integer;
  mo integer;
  d integer;
  h integer;
  mi integer;
  nxt integer;
  v integer;
  day_ok boolean;
BEGIN
  IF expression IS NULL OR after IS NULL OR NOT pg_catalog.isfinite(after) THEN
    RAISE EXCEPTION 'pg_dispatch: the expression and the time after which to look must be given, and the time finite'
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = {{CRON_HINT}};
  END IF;
  BEGIN
    local_after := after AT TIME ZONE time_zone;
  EXCEPTION WHEN invalid_parameter_value THEN
    RAISE EXCEPTION 'pg_dispatch: unknown time zone %', pg_catalog.quote_literal(time_zone)
      USING ERRCODE = '{{ERR:unknown_time_zone}}',
            HINT = 'Use a zone name of the IANA database, e.g. ''Europe/Berlin'', ''America/New_York'' or ''UTC'' (SELECT name FROM pg_timezone_names lists them).';
  END;
  IF local_after IS NULL THEN
    RAISE EXCEPTION 'pg_dispatch: the time zone must be given'
      USING ERRCODE = '{{ERR:unknown_time_zone}}', HINT = 'Pass e.g. time_zone => ''UTC''.';
  END IF;
  -- pg_cron's interval form: every N seconds, counted from the whole second of `after`.
  m := pg_catalog.regexp_match(e, '^([0-9]{1,9})\s*seconds?$');
  IF m IS NOT NULL THEN
    IF m[1]::integer NOT BETWEEN 1 AND 59 THEN
      RAISE EXCEPTION 'pg_dispatch: invalid cron expression %: seconds must be 1 to 59', pg_catalog.quote_literal(expression)
        USING ERRCODE = '{{ERR:invalid_schedule}}', HINT = 'For a minute or more, use a cron expression: ''*/2 * * * *'' runs every two minutes.';
    END IF;
    RETURN pg_catalog.date_trunc('second', after) + m[1]::integer * interval '1 second';
  END IF;
  e := CASE e WHEN '@yearly' THEN '0 0 1 1 *' WHEN '@annually' THEN '0 0 1 1 *' WHEN '@monthly' THEN '0 0 1 * *'
              WHEN '@weekly' THEN '0 0 * * 0' WHEN '@daily' THEN '0 0 * * *' WHEN '@midnight' THEN '0 0 * * *'
              WHEN '@hourly' THEN '0 * * * *' ELSE e END;
  f := pg_catalog.regexp_split_to_array(e, '\s+');
  IF pg_catalog.cardinality(f) <> 5 OR e ~ '^@' THEN
    RAISE EXCEPTION 'pg_dispatch: invalid cron expression %: % fields, not 5', pg_catalog.quote_literal(expression),
      CASE WHEN e = '' THEN 0 ELSE pg_catalog.cardinality(f) END
      USING ERRCODE = '{{ERR:invalid_schedule}}', HINT = {{CRON_HINT}};
  END IF;
  minutes := pgdispatch._cron_field(expression, f[1], 'minute', 0, 59, NULL, 0);
  hours := pgdispatch._cron_field(expression, f[2], 'hour', 0, 23, NULL, 0);
  doms := pgdispatch._cron_field(expression, f[3], 'day-of-month', 1, 31, NULL, 0);
  months := pgdispatch._cron_field(expression, f[4], 'month', 1, 12,
                                   '{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}', 1);
  dows := pgdispatch._cron_field(expression, f[5], 'day-of-week', 0, 7, '{sun,mon,tue,wed,thu,fri,sat}', 0);
  IF 7 = ANY (dows) THEN
    dows := pg_catalog.array_remove(dows, 7);
    IF 0 <> ALL (dows) THEN
      dows := 0 || dows;
    END IF;
  END IF;
  -- Vixie cron's rule: when both day fields are restricted, a day matching either runs; a field
  -- written with a leading * ('*', '*/2') is unrestricted, and then both must match.
  dom_star := f[3] ~ '^\*';
  dow_star := f[5] ~ '^\*';
  -- Walls from the minute of `after`; from 3 hours earlier when the offset changed in those 3
  -- hours, since walls skipped by that change map to instants after it.
  wall := pg_catalog.date_trunc('minute', local_after);
  IF ((after - interval '3 hours') AT TIME ZONE time_zone) <> local_after - interval '3 hours' THEN
    wall := wall - interval '3 hours';
  END IF;
  LOOP
    steps := steps + 1;
    IF steps > 20000 THEN
      RETURN best;  -- (NULL) a day that never comes: '0 0 30 2 *'
    END IF;
    y := pg_catalog.date_part('year', wall)::integer;
    mo := pg_catalog.date_part('month', wall)::integer;
    IF mo <> ALL (months) THEN
      nxt := NULL;
      FOREACH v IN ARRAY months LOOP
        IF v > mo THEN nxt := v; EXIT; END IF;
      END LOOP;
      wall := CASE WHEN nxt IS NULL THEN pg_catalog.make_timestamp(y + 1, months[1], 1, 0, 0, 0)
                   ELSE pg_catalog.make_timestamp(y, nxt, 1, 0, 0, 0) END;
      CONTINUE;
    END IF;
    d := pg_catalog.date_part('day', wall)::integer;
    day_ok := CASE WHEN dom_star OR dow_star
                   THEN d = ANY (doms) AND pg_catalog.date_part('dow', wall)::integer = ANY (dows)
                   ELSE d = ANY (doms) OR pg_catalog.date_part('dow', wall)::integer = ANY (dows) END;
    IF NOT day_ok THEN
      wall := pg_catalog.date_trunc('day', wall) + interval '1 day';
      CONTINUE;
    END IF;
    h := pg_catalog.date_part('hour', wall)::integer;
    IF h <> ALL (hours) THEN
      nxt := NULL;
      FOREACH v IN ARRAY hours LOOP
        IF v > h THEN nxt := v; EXIT; END IF;
      END LOOP;
      wall := CASE WHEN nxt IS NULL THEN pg_catalog.date_trunc('day', wall) + interval '1 day'
                   ELSE pg_catalog.date_trunc('day', wall) + nxt * interval '1 hour' END;
      CONTINUE;
    END IF;
    mi := pg_catalog.date_part('minute', wall)::integer;
    IF mi <> ALL (minutes) THEN
      nxt := NULL;
      FOREACH v IN ARRAY minutes LOOP
        IF v > mi THEN nxt := v; EXIT; END IF;
      END LOOP;
      wall := CASE WHEN nxt IS NULL THEN pg_catalog.date_trunc('hour', wall) + interval '1 hour'
                   ELSE pg_catalog.date_trunc('hour', wall) + nxt * interval '1 minute' END;
      CONTINUE;
    END IF;
    -- A matching wall time; past the best one's wall time, no later wall maps to an earlier instant.
    EXIT WHEN best IS NOT NULL AND wall >= (best AT TIME ZONE time_zone);
    instant := wall AT TIME ZONE time_zone;  -- a repeated wall: PostgreSQL takes its later instance
    earlier := (wall - (((instant - interval '3 hours') AT TIME ZONE time_zone) - ((instant - interval '3 hours') AT TIME ZONE 'UTC')))
               AT TIME ZONE 'UTC';
    IF earlier < instant AND (earlier AT TIME ZONE time_zone) = wall THEN
      instant := earlier;
    END IF;
    IF instant > after AND (best IS NULL OR instant < best) THEN
      best := instant;
    END IF;
    wall := wall + interval '1 minute';
  END LOOP;
  RETURN best;
END
