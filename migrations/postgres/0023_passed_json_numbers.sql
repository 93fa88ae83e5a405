-- A task that passes its output as JSON passed a number no reader can hold (1e400, beyond a float8) into
-- its dependent's payload; read back in Node it is Infinity, which the job's schema refuses, so every
-- listing page holding that job failed. Such output now passes as null, like output that is not JSON
-- (SQLite's json() makes it null too).
CREATE OR REPLACE FUNCTION jobs.opsdeck_try_jsonb(p_text text)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
DECLARE
  v_json jsonb;
BEGIN
  v_json := p_text::jsonb;
  IF jsonb_path_exists(v_json, 'strict $.** ? (@.type() == "number" && (@ > 1.7976931348623157e308 || @ < -1.7976931348623157e308))') THEN
    RETURN NULL;
  END IF;
  RETURN v_json;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$function$;
