-- The sync engine's bookkeeping: when a window's current pass started (a window settles only
-- after a pass that began past its settle horizon), and partial rows that can never complete
-- because Twilio's 30-day retention ran out before it completed them.

ALTER TABLE work_items ADD COLUMN pass_started_at timestamptz;
-- A settled window is read once more later, for annotations added after completion; true
-- once that pass is done (or when it is disabled).
ALTER TABLE work_items ADD COLUMN annotation_pass_done boolean NOT NULL DEFAULT false;

-- Set when a row was still partial as Twilio's 30-day retention ran out: it will never
-- complete, and the daemon stops asking for it.
ALTER TABLE call_summaries ADD COLUMN retention_expired_at timestamptz;

-- What the scheduler asks, now including settled windows awaiting their annotation pass.
DROP INDEX work_items_due_idx;
CREATE INDEX work_items_due_idx ON work_items (source, next_due_at)
    WHERE state IN ('pending', 'open') OR (state = 'settled' AND NOT annotation_pass_done);

-- The live tail continues from its newest window.
CREATE INDEX work_items_source_kind_end_idx ON work_items (source, kind, window_end);
