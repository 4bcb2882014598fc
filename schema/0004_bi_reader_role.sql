-- insights_reader: the read-only role for BI tools (Grafana, Metabase, Superset). NOLOGIN: a
-- DBA grants it to login users (CREATE ROLE grafana LOGIN PASSWORD '...';
-- GRANT insights_reader TO grafana;). It reads the views in schema bi, call_summaries and
-- sources; nothing else, and it writes nothing. See schema/README.md ("insights_reader").

-- The BI views live here (0005 and later). Its owner is the migrating role, and PUBLIC gets
-- nothing on a new schema, so the reader may use it but not create in it.
CREATE SCHEMA IF NOT EXISTS bi;

-- Roles belong to the whole cluster, migrations to one database: the role may exist already
-- (another warehouse database in this cluster, or a DBA made it beforehand). Creating it needs
-- CREATEROLE, which a daemon run with minimal grants lacks; then the migration stops with the
-- statement a superuser runs once, rather than recording a schema version whose grants went
-- nowhere (a role created later would silently get no privileges).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'insights_reader') THEN
        BEGIN
            CREATE ROLE insights_reader NOLOGIN;
        EXCEPTION
            -- The migration of another database in this cluster created it meanwhile (the
            -- migration lock is per database).
            WHEN duplicate_object OR unique_violation THEN
                NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'role insights_reader does not exist and role % may not create it '
                    '(no CREATEROLE); have a superuser run: CREATE ROLE insights_reader NOLOGIN; '
                    'then run insights-sync migrate again', current_user
                    USING ERRCODE = 'insufficient_privilege';
        END;
    END IF;
END
$$;

-- Read-only means the role itself carries no power either; one made by hand might.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'insights_reader'
               AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolcanlogin)) THEN
        RAISE WARNING 'role insights_reader has attributes beyond NOLOGIN (LOGIN, SUPERUSER, '
            'CREATEROLE, CREATEDB or BYPASSRLS); a read-only BI role should have none: '
            'ALTER ROLE insights_reader NOLOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS';
    END IF;
END
$$;

GRANT USAGE ON SCHEMA bi TO insights_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA bi TO insights_reader;
-- Views later migrations create in bi (as this same role) are readable at once.
ALTER DEFAULT PRIVILEGES IN SCHEMA bi GRANT SELECT ON TABLES TO insights_reader;

GRANT SELECT ON call_summaries, sources TO insights_reader;

-- The sync's internals are no one else's business: PUBLIC has no privileges on new tables in
-- PostgreSQL, but a DBA's ALTER DEFAULT PRIVILEGES ... TO PUBLIC would have given some.
REVOKE ALL ON work_items, backfills, schema_migrations FROM PUBLIC;

-- PUBLIC holds CONNECT on a database and USAGE on its public schema by default; a hardened
-- cluster revokes them, and then the reader needs its own. Only a role that may pass them on
-- (the database owner, a superuser) can grant them; any other gets no noisy warning.
DO $$
DECLARE
    warehouse_schema name := (SELECT relnamespace::regnamespace::name FROM pg_class
                              WHERE oid = 'call_summaries'::regclass);
BEGIN
    IF has_database_privilege(current_database(), 'CONNECT WITH GRANT OPTION') THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO insights_reader', current_database());
    END IF;
    IF has_schema_privilege(warehouse_schema, 'USAGE WITH GRANT OPTION') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO insights_reader', warehouse_schema);
    END IF;
    -- PostgreSQL 15 no longer lets PUBLIC create in schema public, but a database made before
    -- it (pg_upgrade, an old template) still does, and the reader would inherit that. Revoking
    -- it changes the database for every role, so say what to run instead of doing it.
    IF has_schema_privilege('insights_reader', warehouse_schema, 'CREATE') THEN
        RAISE WARNING 'insights_reader may create objects in schema % (granted to PUBLIC, as '
            'before PostgreSQL 15); to keep it read-only run: REVOKE CREATE ON SCHEMA % FROM PUBLIC',
            warehouse_schema, warehouse_schema;
    END IF;
END
$$;
