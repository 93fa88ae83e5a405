-- The second runbook queries the dead-letter queue unqualified (`FROM dead_letter_queue`), as
-- `psql $DATABASE_URL -c ...`. opsdeck's views live in the schema `jobs`, so new sessions of this
-- database look in `jobs` last: the database's default search_path gains `jobs` at its end. Names that
-- resolved before still resolve to the same objects (every schema already on the path comes first);
-- no object is created or changed in any other schema. A role without the right to change the
-- database's defaults (not its owner) gets the same default for itself in this database instead; a
-- role that may do neither leaves the path as it was (the runbook then needs `SET search_path`).
-- A search_path set on a role (ALTER ROLE ... SET search_path) wins over the database's, as always.
DO $migration$
DECLARE
  v_db_oid oid := (SELECT oid FROM pg_database WHERE datname = current_database());
  v_current text;
  v_path text;
BEGIN
  SELECT substr(c, length('search_path=') + 1) INTO v_current
  FROM pg_db_role_setting s, unnest(s.setconfig) AS c
  WHERE s.setdatabase = v_db_oid AND s.setrole = 0 AND c LIKE 'search_path=%';
  v_path := coalesce(nullif(v_current, ''), '"$user", public');
  IF 'jobs' = ANY (SELECT btrim(part) FROM unnest(string_to_array(v_path, ',')) AS part) THEN
    RETURN;
  END IF;
  v_path := v_path || ', jobs';
  IF pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE oid = v_db_oid), 'USAGE') THEN
    EXECUTE format('ALTER DATABASE %I SET search_path TO %s', current_database(), v_path);
  ELSE
    BEGIN
      EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I SET search_path TO %s', current_database(), v_path);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'opsdeck: cannot set the default search_path of %; run the runbooks'' unqualified SQL after SET search_path TO jobs', current_database();
    END;
  END IF;
END
$migration$;
