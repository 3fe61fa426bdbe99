-- One field of a cron expression, as the sorted values it allows: a comma list of `*`, `N`, `N-M`,
-- each with an optional `/step` (`N/step` runs from N to the field's end, as in Vixie cron), and
-- three-letter names for months and days of the week. Day-of-week 7 is Sunday (0).
DECLARE
  item text;
  m text[];
  low integer;
  high integer;
  step integer;
  v integer;
  present boolean[] := pg_catalog.array_fill(false, ARRAY[highest - lowest + 1]);
  allowed integer[] := '{}';
BEGIN
  FOREACH item IN ARRAY pg_catalog.string_to_array(pg_catalog.lower(field), ',') LOOP
    m := pg_catalog.regexp_match(item, '^(\*|([0-9]{1,2}|[a-z]{3})(-([0-9]{1,2}|[a-z]{3}))?)(/([0-9]{1,2}))?$');
    IF m IS NULL THEN
      RAISE EXCEPTION 'pg_dispatch: invalid cron expression %: % field "%" is not understood', pg_catalog.quote_literal(expression), what, field
        USING ERRCODE = '{{ERR:invalid_schedule}}', HINT = {{CRON_HINT}};
    END IF;
    IF m[1] = '*' THEN
      low := lowest;
      high := highest;
    ELSE
      low := CASE WHEN m[2] ~ '^[0-9]' THEN m[2]::integer ELSE pg_catalog.array_position(names, m[2]) - 1 + name_base END;
      high := CASE WHEN m[4] IS NOT NULL THEN
                     CASE WHEN m[4] ~ '^[0-9]' THEN m[4]::integer ELSE pg_catalog.array_position(names, m[4]) - 1 + name_base END
                   WHEN m[6] IS NOT NULL THEN highest
                   ELSE low END;
    END IF;
    step := coalesce(m[6]::integer, 1);
    IF low IS NULL OR high IS NULL OR low < lowest OR high > highest OR low > high OR step < 1 THEN
      RAISE EXCEPTION 'pg_dispatch: invalid cron expression %: % field "%" is out of range', pg_catalog.quote_literal(expression), what, field
        USING ERRCODE = '{{ERR:invalid_schedule}}',
              DETAIL = pg_catalog.format('The %s field takes %s to %s%s; a range runs upwards (low-high) and a step is 1 or more.', what, lowest, highest,
                                         CASE WHEN names IS NULL THEN '' ELSE ' or ' || pg_catalog.array_to_string(names, ', ') END),
              HINT = {{CRON_HINT}};
    END IF;
    FOR v IN low .. high BY step LOOP
      present[v - lowest + 1] := true;
    END LOOP;
  END LOOP;
  -- Sorted and without duplicates; plain loops rather than a query (this runs at every occurrence).
  FOR v IN lowest .. highest LOOP
    IF present[v - lowest + 1] THEN
      allowed := allowed || v;
    END IF;
  END LOOP;
  RETURN allowed;
END
