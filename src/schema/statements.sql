-- The statements of a command, split where PostgreSQL would split them: at each semicolon that is
-- outside quotes ('...', E'...', "...", $tag$...$tag$), comments (-- and nested /* */),
-- parentheses and the BEGIN ATOMIC body of a CREATE FUNCTION or PROCEDURE (the same rules as
-- psql's own splitter). Each statement comes with its comments blanked out and its surrounding
-- whitespace trimmed; empty statements are left out, so a command of only comments has none.
-- The text is cut into tokens by one regular expression (runs of identifier characters, runs of
-- whitespace, any other single character), so a long command costs one pass, not one per byte.
DECLARE
  ws constant text := E' \t\n\r\f\v';
  -- With standard_conforming_strings off, a backslash escapes the next character in '...' too.
  backslashes constant boolean := pg_catalog.current_setting('standard_conforming_strings') <> 'on';
  tok text[];
  n integer;
  i integer := 1;
  j integer;
  k integer;
  t text;
  cur text[] := '{}';   -- the tokens of the statement being read (appending is cheap, slicing is not)
  statements text[] := '{}';
  statement text;
  parens integer := 0;
  atomic integer := 0;  -- BEGIN ... END (and CASE ... END) depth in a CREATE FUNCTION/PROCEDURE
  words text[] := '{}'; -- the statement's first identifiers, lower case
  quote text;
  escapes boolean;
  tag text;
  nest integer;
BEGIN
  IF command IS NULL THEN
    RETURN NULL;
  END IF;
  -- Most commands have no comment and no semicolon but a last one: nothing to cut.
  statement := pg_catalog.rtrim(command, ws || ';');
  IF pg_catalog.strpos(statement, ';') = 0 AND pg_catalog.strpos(statement, '--') = 0 AND pg_catalog.strpos(statement, '/*') = 0 THEN
    statement := pg_catalog.ltrim(statement, ws);
    RETURN CASE WHEN statement = '' THEN '{}'::text[] ELSE ARRAY[statement] END;
  END IF;
  tok := ARRAY(SELECT m[1] FROM pg_catalog.regexp_matches(command, '(?:[A-Za-z0-9_]|[^\x01-\x7f])+|[ \t\n\r\f\v]+|.', 'g') AS m);
  n := pg_catalog.cardinality(tok);
  WHILE i <= n + 1 LOOP
    t := tok[i];  -- NULL past the end: the last statement ends there
    IF t IS NULL OR (t = ';' AND parens = 0 AND atomic = 0) THEN
      statement := pg_catalog.btrim(pg_catalog.array_to_string(cur, ''), ws);
      IF statement <> '' THEN
        statements := statements || statement;
      END IF;
      cur := '{}';
      words := '{}';
      atomic := 0;
      parens := 0;
      i := i + 1;
      CONTINUE;
    END IF;
    IF t = '-' AND tok[i + 1] = '-' THEN
      -- A comment to the end of the line: blanked, the line break kept.
      j := i + 2;
      WHILE j <= n AND tok[j] !~ '[\n\r]' LOOP
        j := j + 1;
      END LOOP;
      j := j - 1;
    ELSIF t = '/' AND tok[i + 1] = '*' THEN
      -- A comment to its matching */ (they nest).
      nest := 1;
      j := i + 2;
      WHILE j <= n AND nest > 0 LOOP
        IF tok[j] = '/' AND tok[j + 1] = '*' THEN
          nest := nest + 1;
          j := j + 2;
        ELSIF tok[j] = '*' AND tok[j + 1] = '/' THEN
          nest := nest - 1;
          j := j + 2;
        ELSE
          j := j + 1;
        END IF;
      END LOOP;
      j := j - 1;
    ELSE
      j := NULL;
    END IF;
    IF j IS NOT NULL THEN
      cur := cur || ' '::text;
      i := j + 1;
      CONTINUE;
    END IF;
    IF t = '''' OR t = '"' THEN
      -- A string constant or a quoted identifier: a doubled quote stays inside. A backslash
      -- escapes in E'...' (and in '...' without standard_conforming_strings), never in B'...',
      -- X'...', U&'...' or "...". A prefix glued to a preceding $ is part of an identifier.
      quote := t;
      escapes := quote = '''' AND CASE
        WHEN pg_catalog.lower(tok[i - 1]) = 'e' AND tok[i - 2] IS DISTINCT FROM '$' THEN true
        WHEN pg_catalog.lower(tok[i - 1]) IN ('b', 'x') AND tok[i - 2] IS DISTINCT FROM '$' THEN false
        WHEN tok[i - 1] = '&' AND pg_catalog.lower(tok[i - 2]) = 'u' AND tok[i - 3] IS DISTINCT FROM '$' THEN false
        ELSE backslashes END;
      j := i + 1;
      WHILE j <= n LOOP
        IF tok[j] = quote THEN
          EXIT WHEN tok[j + 1] IS DISTINCT FROM quote;
          j := j + 2;
        ELSIF escapes AND tok[j] = '\' THEN
          j := j + 2;  -- the next token is escaped (identifier and whitespace runs hold no quote)
        ELSE
          j := j + 1;
        END IF;
      END LOOP;
      FOR k IN i .. LEAST(j, n) LOOP
        cur := cur || tok[k];
      END LOOP;
      i := LEAST(j, n) + 1;
      CONTINUE;
    END IF;
    IF t = '$' AND (tok[i + 1] = '$' OR (tok[i + 1] ~ '^([A-Za-z_]|[^\x01-\x7f])' AND tok[i + 2] = '$'))
       -- Not the $ inside an identifier (a$b$) or after one.
       AND (i = 1 OR tok[i - 1] !~ '^([A-Za-z_]|[^\x01-\x7f])' AND tok[i - 1] <> '$') THEN
      -- A dollar-quoted string: to the same $tag$, found anywhere (x$tag$ ends it too).
      tag := CASE WHEN tok[i + 1] = '$' THEN '' ELSE tok[i + 1] END;
      j := i + CASE WHEN tag = '' THEN 2 ELSE 3 END;
      WHILE j <= n LOOP
        IF tok[j] = '$' THEN
          IF tag = '' AND tok[j + 1] = '$' THEN
            j := j + 1;
            EXIT;
          ELSIF tag <> '' AND tok[j + 1] = tag AND tok[j + 2] = '$' THEN
            j := j + 2;
            EXIT;
          END IF;
        END IF;
        j := j + 1;
      END LOOP;
      FOR k IN i .. LEAST(j, n) LOOP
        cur := cur || tok[k];
      END LOOP;
      i := LEAST(j, n) + 1;
      CONTINUE;
    END IF;
    IF t = '(' THEN
      parens := parens + 1;
    ELSIF t = ')' THEN
      parens := GREATEST(parens - 1, 0);
    ELSIF t ~ '^([A-Za-z_]|[^\x01-\x7f])' AND tok[i - 1] IS DISTINCT FROM '$' AND tok[i + 1] IS DISTINCT FROM '$' THEN
      -- An identifier or key word: psql's way to keep a BEGIN ATOMIC body in one statement.
      IF pg_catalog.cardinality(words) < 4 THEN
        words := words || pg_catalog.lower(t);
      END IF;
      IF parens = 0 AND words[1] = 'create'
         AND (words[2] IN ('function', 'procedure') OR (words[2] = 'or' AND words[3] = 'replace' AND words[4] IN ('function', 'procedure'))) THEN
        IF pg_catalog.lower(t) = 'begin' OR (pg_catalog.lower(t) = 'case' AND atomic > 0) THEN
          atomic := atomic + 1;
        ELSIF pg_catalog.lower(t) = 'end' AND atomic > 0 THEN
          atomic := atomic - 1;
        END IF;
      END IF;
    END IF;
    cur := cur || t;
    i := i + 1;
  END LOOP;
  RETURN statements;
END
