-- Backfills: a user asks for a time range of a source to be (re)loaded; every work item of that
-- range must then complete one more full pass. The request is a row in `backfills`; what each
-- window still owes is `work_items.requested_passes` (done once passes_completed reaches it).

CREATE TABLE backfills (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text NOT NULL REFERENCES sources (name) ON UPDATE CASCADE,
    range_start   timestamptz NOT NULL,   -- window-aligned
    range_end     timestamptz NOT NULL,
    requested_at  timestamptz NOT NULL,   -- the requester's clock
    requested_by  text NOT NULL,          -- instance name of the process that enqueued it
    CHECK (range_end > range_start)
);
CREATE INDEX backfills_source_idx ON backfills (source, id);

-- The pass count that fulfils the newest backfill covering the window (0: none asked).
ALTER TABLE work_items ADD COLUMN requested_passes integer NOT NULL DEFAULT 0;

-- Backfill enqueueing and progress look for every window overlapping a range.
CREATE INDEX work_items_source_start_idx ON work_items (source, window_start);

-- True between the commit of a pass's last page and the scheduler recording what the pass
-- means (settle, read again when): a process killed in between leaves the window with this
-- set, and the next holder records the decision from the stored pass counters instead of
-- reading the whole window again.
ALTER TABLE work_items ADD COLUMN pass_undecided boolean NOT NULL DEFAULT false;
