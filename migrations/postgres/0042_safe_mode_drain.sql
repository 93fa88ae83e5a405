-- Safe mode's graceful shutdown, kept in the store so it holds when whoever asked for it goes away: who
-- asked, when, and until when the running jobs may finish before the emergency stop interrupts the rest.
-- All NULL when no drain is under way. SQLite 0028.
ALTER TABLE jobs.tb_control ADD COLUMN drain_by text, ADD COLUMN drain_at timestamptz, ADD COLUMN drain_until timestamptz;
