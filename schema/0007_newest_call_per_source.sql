-- The newest call each source has landed (insights_source_newest_call_age_seconds, the Grafana
-- Freshness row): read from the end of this index, one descent per source. The start_time index
-- alone cannot answer it cheaply: walking it backwards from the table's newest call and fetching
-- each row to test its source reads, for a source whose newest call is old or that has no rows,
-- most or all of the table at every scrape. (The census's query is written so the planner cannot
-- take that walk: sink/work_item_store.cpp.)
-- compatibility: expand
CREATE INDEX call_summaries_source_start_idx ON call_summaries (source, start_time);
