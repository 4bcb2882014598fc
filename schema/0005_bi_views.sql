-- The BI layer (issue 7): schema bi with a table of typed call facts that triggers keep in step
-- with call_summaries, and the views dashboards read. Every view over calls is a plain view with
-- one row per call (or per call and tag, or call and party) that passes start_time and
-- account_sid through, so a dashboard's time range and account filter reach an index and the
-- query aggregates. The dashboard queries are in bench/bi-queries/; schema/README.md ("BI
-- views") explains each view and how to query it.
--
-- Why a table kept by triggers and not generated columns on call_summaries: PostgreSQL
-- computes generated columns for every row an INSERT ... ON CONFLICT proposes, also for the
-- unchanged rows the daemon's re-reads bring (most of what it merges); measured, that made a
-- re-read merge four times as expensive. Statement triggers see only the rows really
-- inserted, updated or deleted.

-- 0004 creates it together with the reader role; this migration does not depend on that.
CREATE SCHEMA IF NOT EXISTS bi;

-- ---------------------------------------------------------------------------------------------
-- Reading metrics out of the JSON. Each helper is one SQL expression PostgreSQL inlines, with
-- its path and bounds folded into a constant jsonpath, so a value costs one
-- jsonb_path_query_first (the edges are often stored compressed, and every function reading
-- one decompresses it). Names are schema-qualified: the trigger runs with a fixed search_path.

-- The JSON number at `path` (a jsonpath such as '$.metrics.inbound.jitter.avg') if it lies
-- within [low, high], as double precision; NULL for anything else (missing, a string, an
-- object, a value no such metric can have), so a surprising payload yields NULL rather than
-- failing the page's merge. low must be >= 0; values below 1e-9 other than 0 count as missing
-- (their cast could underflow).
CREATE FUNCTION bi.json_number_at(doc jsonb, path text, low numeric, high numeric)
    RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT jsonb_path_query_first(doc, (path || ' ? (@ >= ' || low::text || ' && @ <= '
            || high::text || ' && (@ == 0 || @ >= 0.000000001))')::jsonpath)::double precision
    $$;

-- The same as an integer (SIP codes, milliseconds); high must stay below 2^31.
CREATE FUNCTION bi.json_integer_at(doc jsonb, path text, low numeric, high numeric)
    RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT round(bi.json_number_at(doc, path, low, high))::integer $$;

-- The worse (larger) of an edge's inbound and outbound value at metrics.<direction>.<metric>
-- (jitter.avg, jitter.max in ms). A direction the edge did not report does not count.
CREATE FUNCTION bi.edge_worst_metric(edge jsonb, metric text, low numeric, high numeric)
    RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT greatest(bi.json_number_at(edge, '$.metrics.inbound.' || metric, low, high),
                        bi.json_number_at(edge, '$.metrics.outbound.' || metric, low, high))
    $$;

-- The worse of an edge's two directions' packet loss in percent. Twilio names it
-- packets_loss_percentage (some of its examples: packet_loss_percentage); a value outside
-- 0..100 is no percentage and counts as not reported.
CREATE FUNCTION bi.edge_worst_loss_pct(edge jsonb)
    RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce(bi.edge_worst_metric(edge, 'packets_loss_percentage', 0, 100),
                        bi.edge_worst_metric(edge, 'packet_loss_percentage', 0, 100))
    $$;

-- The strings of a JSON array as text[]; NULL when it is no array. Not inlined (it holds a
-- subquery); called for annotated calls only.
CREATE FUNCTION bi.json_text_array(value jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT CASE WHEN jsonb_typeof(value) = 'array'
                    THEN ARRAY(SELECT jsonb_array_elements_text(value)) END
    $$;

-- Dashboards bucket by UTC hour and day: date_bin with a fixed origin (unlike date_trunc on
-- timestamptz it does not depend on the session's TimeZone).
CREATE FUNCTION bi.utc_hour(t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT date_bin('1 hour', t, timestamptz '2000-01-01 00:00:00+00') $$;
CREATE FUNCTION bi.utc_day(t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT date_bin('1 day', t, timestamptz '2000-01-01 00:00:00+00') $$;

-- ---------------------------------------------------------------------------------------------
-- One row per call of call_summaries: the columns dashboards group and filter on, and the
-- metrics and the annotation typed out of the JSON. Narrow (about 250 bytes a row against
-- 1.7 kB), so a month of calls is read quickly. Written only by the triggers below.
CREATE TABLE bi.call_facts (
    call_sid                text PRIMARY KEY,
    account_sid             text,
    start_time              timestamptz,
    end_time                timestamptz,
    call_type               text,
    call_state              text,
    direction               text,
    answered_by             text,
    processing_state        text,
    duration                integer,
    connect_duration        integer,
    tags                    text[],
    source                  text,
    last_sip_response_num   integer,       -- properties.last_sip_response_num
    pdd_ms                  integer,       -- properties.pdd_ms
    from_carrier            text,
    from_country_code       text,
    to_carrier              text,
    to_country_code         text,
    -- Per edge, the worse of its two directions (see bi.edge_worst_metric).
    carrier_jitter_avg_ms   double precision,
    carrier_jitter_max_ms   double precision,
    carrier_packet_loss_pct double precision,
    sip_jitter_avg_ms       double precision,
    sip_jitter_max_ms       double precision,
    sip_packet_loss_pct     double precision,
    client_jitter_avg_ms    double precision,
    client_jitter_max_ms    double precision,
    client_packet_loss_pct  double precision,
    sdk_jitter_avg_ms       double precision,
    sdk_jitter_max_ms       double precision,
    sdk_packet_loss_pct     double precision,
    sdk_mos                 double precision,  -- the SDK measures MOS and RTT on what it
    sdk_rtt_ms              double precision,  -- receives (metrics.inbound) only
    -- The customer's annotation (annotation.*); annotated is false when there is none.
    annotated               boolean NOT NULL,
    annotated_answered_by   text,
    connectivity_issue      text,
    quality_issues          text[],
    spam                    boolean,
    call_score              integer,
    annotation_comment      text
);
-- Every dashboard query filters one account and a start_time range.
CREATE INDEX call_facts_account_start_idx ON bi.call_facts (account_sid, start_time);
-- How many hours and days a range holds, so the planner sizes GROUP BY hour / day right (it
-- would otherwise guess a group per row and sort a million rows instead of hashing them).
CREATE STATISTICS bi.call_facts_bucket_stats ON (bi.utc_hour(start_time)), (bi.utc_day(start_time))
    FROM bi.call_facts;

-- The call_facts row of a call_summaries row. Inlined: every column is computed once, straight
-- from the row's columns.
CREATE FUNCTION bi.call_fact(c call_summaries) RETURNS bi.call_facts
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT ROW(c.call_sid, c.account_sid, c.start_time, c.end_time, c.call_type,
                   c.call_state, c.direction, c.answered_by, c.processing_state, c.duration,
                   c.connect_duration, c.tags, c.source,
                   bi.json_integer_at(c.properties, '$.last_sip_response_num', 0, 999),
                   bi.json_integer_at(c.properties, '$.pdd_ms', 0, 86400000),
                   -- Cut short: these are grouped on, and a strange payload must stay small.
                   left(c.from_party ->> 'carrier', 100), left(c.from_party ->> 'country_code', 16),
                   left(c.to_party ->> 'carrier', 100), left(c.to_party ->> 'country_code', 16),
                   bi.edge_worst_metric(c.carrier_edge, 'jitter.avg', 0, 1e9),
                   bi.edge_worst_metric(c.carrier_edge, 'jitter.max', 0, 1e9),
                   bi.edge_worst_loss_pct(c.carrier_edge),
                   bi.edge_worst_metric(c.sip_edge, 'jitter.avg', 0, 1e9),
                   bi.edge_worst_metric(c.sip_edge, 'jitter.max', 0, 1e9),
                   bi.edge_worst_loss_pct(c.sip_edge),
                   bi.edge_worst_metric(c.client_edge, 'jitter.avg', 0, 1e9),
                   bi.edge_worst_metric(c.client_edge, 'jitter.max', 0, 1e9),
                   bi.edge_worst_loss_pct(c.client_edge),
                   bi.edge_worst_metric(c.sdk_edge, 'jitter.avg', 0, 1e9),
                   bi.edge_worst_metric(c.sdk_edge, 'jitter.max', 0, 1e9),
                   bi.edge_worst_loss_pct(c.sdk_edge),
                   bi.json_number_at(c.sdk_edge, '$.metrics.inbound.mos.avg', 1, 5),
                   bi.json_number_at(c.sdk_edge, '$.metrics.inbound.rtt.avg', 0, 1e9),
                   c.annotation IS NOT NULL,
                   left(c.annotation ->> 'answered_by', 100),
                   left(c.annotation ->> 'connectivity_issue', 100),
                   bi.json_text_array(c.annotation -> 'quality_issues'),
                   CASE WHEN jsonb_typeof(c.annotation -> 'spam') = 'boolean'
                        THEN (c.annotation -> 'spam')::boolean END,
                   bi.json_integer_at(c.annotation, '$.call_score', 1, 5),
                   c.annotation ->> 'comment'
               )::bi.call_facts
    $$;

-- The triggers: once per statement, over the rows it really wrote (transition tables), so an
-- upsert that finds a row unchanged costs nothing here. SECURITY DEFINER: the role writing
-- call_summaries (the daemon's) needs no privilege on schema bi.
CREATE FUNCTION bi.call_facts_after_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            DELETE FROM bi.call_facts f USING written_rows w WHERE f.call_sid = w.call_sid;
        END IF;
        INSERT INTO bi.call_facts SELECT (bi.call_fact(w)).* FROM written_rows w;
        RETURN NULL;
    END
    $$;

CREATE FUNCTION bi.call_facts_after_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        DELETE FROM bi.call_facts f USING deleted_rows d WHERE f.call_sid = d.call_sid;
        RETURN NULL;
    END
    $$;

CREATE FUNCTION bi.call_facts_after_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        TRUNCATE bi.call_facts;
        RETURN NULL;
    END
    $$;

-- Creating the triggers locks call_summaries against writers until this migration commits, so
-- no row slips between them and the copy of the existing rows below.
CREATE TRIGGER call_facts_insert AFTER INSERT ON call_summaries
    REFERENCING NEW TABLE AS written_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bi.call_facts_after_write();
CREATE TRIGGER call_facts_update AFTER UPDATE ON call_summaries
    REFERENCING NEW TABLE AS written_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bi.call_facts_after_write();
CREATE TRIGGER call_facts_delete AFTER DELETE ON call_summaries
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bi.call_facts_after_delete();
CREATE TRIGGER call_facts_truncate AFTER TRUNCATE ON call_summaries
    FOR EACH STATEMENT EXECUTE FUNCTION bi.call_facts_after_truncate();

INSERT INTO bi.call_facts SELECT (bi.call_fact(c)).* FROM call_summaries c;

-- ---------------------------------------------------------------------------------------------
-- Views. hour and day: the call's start cut to the UTC hour and day.

-- One row per call: call volume, answered-by, SIP outcome, parties.
CREATE VIEW bi.calls AS
SELECT f.call_sid,
       f.account_sid,
       f.start_time,
       f.end_time,
       bi.utc_hour(f.start_time) AS hour,
       bi.utc_day(f.start_time) AS day,
       f.call_type,
       f.call_state,
       f.direction,
       f.answered_by,
       f.processing_state,
       f.duration AS duration_s,
       f.connect_duration AS connect_duration_s,
       f.last_sip_response_num,
       f.last_sip_response_num <> 200 AS abnormal,
       f.pdd_ms,
       f.from_carrier,
       f.from_country_code,
       f.to_carrier,
       f.to_country_code,
       f.tags,
       f.source
FROM bi.call_facts f;

-- One row per call: media quality per edge. Gateway edges (carrier, sip, client) report each
-- direction (inbound, outbound) on its own; the columns hold the worse of the two, so a call
-- is as bad as its worse direction. MOS and RTT come from the SDK edge only. A metric is NULL
-- when the call has no such edge or the edge reported none (partial summaries, calls never
-- connected, trunking carrier edges with properties only): count(column) counts the calls
-- measured, avg(column) averages over them.
CREATE VIEW bi.call_quality AS
SELECT f.call_sid,
       f.account_sid,
       f.start_time,
       bi.utc_hour(f.start_time) AS hour,
       bi.utc_day(f.start_time) AS day,
       f.call_type,
       f.call_state,
       f.pdd_ms,
       f.carrier_jitter_avg_ms,
       f.carrier_jitter_max_ms,
       f.carrier_packet_loss_pct,
       f.sip_jitter_avg_ms,
       f.sip_jitter_max_ms,
       f.sip_packet_loss_pct,
       f.client_jitter_avg_ms,
       f.client_jitter_max_ms,
       f.client_packet_loss_pct,
       f.sdk_jitter_avg_ms,
       f.sdk_jitter_max_ms,
       f.sdk_packet_loss_pct,
       f.sdk_mos,
       f.sdk_rtt_ms
FROM bi.call_facts f;

-- One row per call whose last SIP response was not 200 OK (Twilio's AbnormalSession; 0 means
-- no final response ever came). Calls without the code are not counted.
CREATE VIEW bi.abnormal_sessions AS
SELECT f.call_sid,
       f.account_sid,
       f.start_time,
       bi.utc_hour(f.start_time) AS hour,
       bi.utc_day(f.start_time) AS day,
       f.last_sip_response_num,
       CASE WHEN f.last_sip_response_num BETWEEN 100 AND 699
            THEN (f.last_sip_response_num / 100)::text || 'xx'
            ELSE 'none' END AS sip_response_class,
       f.call_type,
       f.call_state,
       f.direction,
       f.duration AS duration_s,
       f.from_carrier,
       f.from_country_code,
       f.to_carrier,
       f.to_country_code
FROM bi.call_facts f
WHERE f.last_sip_response_num <> 200;

-- One row per call and tag (Twilio's quality tags: high_jitter, high_packet_loss, high_pdd,
-- high_latency, low_mos, silence, ice_failure, ...). Calls without tags have no row.
CREATE VIEW bi.call_tags AS
SELECT f.call_sid,
       f.account_sid,
       f.start_time,
       bi.utc_hour(f.start_time) AS hour,
       bi.utc_day(f.start_time) AS day,
       f.call_type,
       t.tag
FROM bi.call_facts f
CROSS JOIN LATERAL unnest(f.tags) AS t (tag);

-- Two rows per call, one for each party ('from', 'to'): carrier and country, with the call's
-- outcome, for breakdowns by either party.
CREATE VIEW bi.call_parties AS
SELECT f.call_sid,
       f.account_sid,
       f.start_time,
       bi.utc_hour(f.start_time) AS hour,
       bi.utc_day(f.start_time) AS day,
       f.call_type,
       f.call_state,
       p.party,
       p.carrier,
       p.country_code,
       f.last_sip_response_num <> 200 AS abnormal,
       f.duration AS duration_s
FROM bi.call_facts f
CROSS JOIN LATERAL (VALUES ('from', f.from_carrier, f.from_country_code),
                           ('to', f.to_carrier, f.to_country_code)) AS p (party, carrier,
                                                                         country_code);

-- One row per annotated call: what the customer recorded (annotation), next to what Twilio's
-- answering machine detection said (answered_by).
CREATE VIEW bi.annotations AS
SELECT f.call_sid,
       f.account_sid,
       f.start_time,
       bi.utc_hour(f.start_time) AS hour,
       bi.utc_day(f.start_time) AS day,
       f.call_type,
       f.answered_by,
       f.annotated_answered_by,
       f.connectivity_issue,
       f.quality_issues,
       f.spam,
       f.call_score,
       f.annotation_comment AS comment
FROM bi.call_facts f
WHERE f.annotated;

-- One row per source: is the sync keeping up?
--   read_through    every live window was read up to here: the start of the oldest live window
--                   never read, or else the newest live window's last finished pass (at most
--                   its end). NULL before the first read.
--   lag             now() - read_through (lag_seconds: the same in seconds, for alerting).
--   windows_open, windows_pending, windows_parked: work items by state (any kind).
--   oldest_unsettled_window: the start of the oldest window not yet settled.
--   partial_backlog: rows of the source still partial (not given up at Twilio's retention).
--   last_error, last_error_at, last_error_window: the newest error still on a window (a
--                   committed page clears its window's error).
-- The view runs with its owner's privileges: readers see these figures, not work_items.
CREATE VIEW bi.sync_health AS
WITH windows AS (
    SELECT source,
           coalesce(min(window_start) FILTER (WHERE kind = 'live' AND passes_completed = 0),
                    max(least(window_end, last_pass_finished_at))
                        FILTER (WHERE kind = 'live' AND passes_completed > 0)) AS read_through,
           count(*) FILTER (WHERE state = 'open') AS windows_open,
           count(*) FILTER (WHERE state = 'pending') AS windows_pending,
           count(*) FILTER (WHERE state = 'parked') AS windows_parked,
           min(window_start) FILTER (WHERE state IN ('pending', 'open')) AS oldest_unsettled_window,
           max(last_pass_finished_at) AS last_pass_finished_at
    FROM work_items
    GROUP BY source),
partial AS (
    SELECT source, count(*) AS partial_backlog
    FROM call_summaries
    WHERE processing_state = 'partial' AND retention_expired_at IS NULL
    GROUP BY source),
errors AS (
    SELECT DISTINCT ON (source) source, last_error, last_error_at, window_start
    FROM work_items
    WHERE last_error IS NOT NULL
    ORDER BY source, last_error_at DESC)
-- Whole-table aggregates joined by source, not a subquery per source: the plan stays cheap
-- whatever the planner guesses for the small sources table (a per-source plan was costed high
-- enough to be JIT-compiled, 0.2 s for a 2 ms query).
SELECT s.name AS source,
       s.account_sid,
       w.read_through,
       now() - w.read_through AS lag,
       extract(epoch FROM now() - w.read_through)::double precision AS lag_seconds,
       coalesce(w.windows_open, 0) AS windows_open,
       coalesce(w.windows_pending, 0) AS windows_pending,
       coalesce(w.windows_parked, 0) AS windows_parked,
       w.oldest_unsettled_window,
       w.last_pass_finished_at,
       coalesce(p.partial_backlog, 0) AS partial_backlog,
       e.last_error,
       e.last_error_at,
       e.window_start AS last_error_window
FROM sources s
LEFT JOIN windows w ON w.source = s.name
LEFT JOIN partial p ON p.source = s.name
LEFT JOIN errors e ON e.source = s.name;
