-- The claim and the settle are planned once per connection, not once per call for its first five calls.
-- PostgreSQL plans a statement inside a function afresh for each of its first five runs on a connection
-- before it settles on one plan; planning the settle's statement costs a millisecond or two, which is a
-- good part of a short run (a cron worker with --until-empty) on a fresh pool. The plan does not depend on
-- the arguments: the settle reads its batch from jsonb, and the claims walk the one index of the ready
-- table (0005) with every other access path turned off.
ALTER FUNCTION jobs.opsdeck_claim(text, integer, double precision, text[], text[], text[], integer[])
  SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION jobs.opsdeck_claim_gated(text, integer, double precision, text[], text, integer, double precision, integer)
  SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION jobs.opsdeck_settle(jsonb, bigint[])
  SET plan_cache_mode = force_generic_plan;
