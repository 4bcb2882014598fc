-- Parked windows are claimed again once their retry time (next_due_at) comes
-- (sync.parked_retry_seconds), so the claim query's partial index covers them too.
DROP INDEX work_items_due_idx;
CREATE INDEX work_items_due_idx ON work_items (source, next_due_at)
    WHERE state IN ('pending', 'open', 'parked') OR (state = 'settled' AND NOT annotation_pass_done);
