-- The migration of "the next release", for the rolling-upgrade tests only: tests/CMakeLists.txt
-- builds insights-sync-next, this code with this migration as version (newest + 1). It does what
-- a real expand migration does: it adds, here a column to the busiest table, which the older
-- binaries beside it must not mind.
-- compatibility: expand
ALTER TABLE call_summaries ADD COLUMN next_release_note text;
