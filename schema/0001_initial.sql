-- insights-sync initial schema: summaries, sync sources and their work items (time windows).
-- Applied by `insights-sync migrate` in one transaction; see schema/README.md.

-- One row per call. Typed columns are what dashboards filter and group on; nested objects stay
-- JSONB. No foreign keys and call_sid as the only unique key, so the table stays distributable
-- by call_sid (Citus) when a warehouse outgrows one server.
CREATE TABLE call_summaries (
    call_sid                text PRIMARY KEY,
    account_sid             text,
    call_type               text,
    call_state              text,
    direction               text,        -- properties.direction
    answered_by             text,
    processing_state        text,        -- 'partial' | 'complete' (unknown values kept)
    created_time            timestamptz,
    start_time              timestamptz,
    end_time                timestamptz,
    duration                integer,     -- seconds
    connect_duration        integer,     -- seconds
    tags                    text[],
    from_party              jsonb,       -- API field "from"
    to_party                jsonb,       -- API field "to"
    carrier_edge            jsonb,
    client_edge             jsonb,
    sdk_edge                jsonb,
    sip_edge                jsonb,
    properties              jsonb,
    attributes              jsonb,
    trust                   jsonb,
    annotation              jsonb,
    agent_session_summaries jsonb,
    extra                   jsonb,       -- top-level keys this version does not know yet
    -- bookkeeping
    source                  text NOT NULL,         -- sources.name that last wrote the row
    content_hash            bytea NOT NULL,        -- 16 bytes over every stored field above
    first_seen_at           timestamptz NOT NULL DEFAULT now(),
    last_changed_at         timestamptz NOT NULL DEFAULT now(),
    completed_at            timestamptz            -- when we first stored it as complete
);

CREATE INDEX call_summaries_start_time_idx ON call_summaries (start_time);
CREATE INDEX call_summaries_account_start_idx ON call_summaries (account_sid, start_time);
-- The partial backlog: rows still waiting for Twilio to complete them.
CREATE INDEX call_summaries_partial_end_idx ON call_summaries (end_time)
    WHERE processing_state = 'partial';

-- A configured Twilio account (or subaccount filter) the daemon syncs from.
CREATE TABLE sources (
    name        text PRIMARY KEY,
    account_sid text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A time window of one source, read page by page. A window is read in passes: a pass starts
-- with page_cursor NULL, each committed page advances page_cursor to that page's
-- next_page_url in the same transaction as the page's rows, and the last page ends the pass
-- (page_cursor back to NULL, passes_completed + 1).
CREATE TABLE work_items (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source               text NOT NULL REFERENCES sources (name) ON UPDATE CASCADE,
    kind                 text NOT NULL CHECK (kind IN ('live', 'backfill')),
    window_start         timestamptz NOT NULL,
    window_end           timestamptz NOT NULL,
    state                text NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'open', 'settled', 'parked')),
    page_cursor          text,                    -- next page URL of the pass in progress
    passes_completed     integer NOT NULL DEFAULT 0,
    pass_pages           integer NOT NULL DEFAULT 0,  -- pages committed in the current pass
    pass_rows            integer NOT NULL DEFAULT 0,
    pass_partial_rows    integer NOT NULL DEFAULT 0,  -- partial rows seen in the current pass
    pages_read           bigint  NOT NULL DEFAULT 0,  -- all passes
    rows_inserted        bigint  NOT NULL DEFAULT 0,
    rows_updated         bigint  NOT NULL DEFAULT 0,
    rows_unchanged       bigint  NOT NULL DEFAULT 0,
    rows_downgrade_refused bigint NOT NULL DEFAULT 0,
    next_due_at          timestamptz NOT NULL DEFAULT now(),
    attempts             integer NOT NULL DEFAULT 0,  -- consecutive failures
    last_error           text,
    last_error_at        timestamptz,
    lease_owner          text,
    lease_expires_at     timestamptz,
    last_pass_finished_at timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (window_end > window_start),
    UNIQUE (source, kind, window_start, window_end)
);

-- What the scheduler asks: "which unfinished windows are due?"
CREATE INDEX work_items_due_idx ON work_items (next_due_at)
    WHERE state IN ('pending', 'open');
