--
-- fix: fix_sql on diff rows, schemadrift_sync_sql and schemadrift_create_sql
--
-- Every scenario is a round trip in this one database: a snapshot of the
-- schema as it should be (the source), the schema changed by hand (the
-- target: this database), the script applied, and then the diff must be
-- empty.
--
-- fix_1.out: PostgreSQL 16 and later print the definition of a view over
-- one table without the table's name before each column (fx.totals,
-- fx.active), as fix_sql and the scripts show it.
--
SET client_min_messages = warning;
CREATE ROLE regress_fix_reader;
CREATE ROLE regress_fix_owner;
RESET client_min_messages;

-- scripts carry a time, fingerprints and a plan (apply.sql): show them
-- without
CREATE FUNCTION pg_temp.stable(script text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(script, '-- generated: [^\n]*', '-- generated: (time)'),
						  '[0-9a-f]{64}', '(fingerprint)', 'g'),
						  '-- schemadrift-plan: [^\n]*', '-- schemadrift-plan: (plan)')
$$;

CREATE SCHEMA fx;
CREATE TYPE fx.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN fx.posint AS integer DEFAULT 1 NOT NULL CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE TYPE fx.pair AS (a integer, b text COLLATE "C");
CREATE TYPE fx.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE SEQUENCE fx.counter AS integer INCREMENT BY 5 MINVALUE 10 START 10 CACHE 2 CYCLE;
CREATE FUNCTION fx.add_one(a integer DEFAULT 1) RETURNS integer
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN a + 1;
CREATE FUNCTION fx.touch() RETURNS trigger LANGUAGE plpgsql
	SET search_path = pg_catalog AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE PROCEDURE fx.noop(n integer) LANGUAGE plpgsql AS $$ BEGIN PERFORM n; END $$;
CREATE TABLE fx.merchants (
	id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100) PRIMARY KEY,
	name text COLLATE "C" NOT NULL DEFAULT 'unnamed',
	email varchar(80) UNIQUE,
	mood fx.mood DEFAULT 'ok',
	score fx.posint,
	doubled integer GENERATED ALWAYS AS (score * 2) STORED,
	updated_at timestamptz,
	CONSTRAINT name_not_blank CHECK (name <> '')
);
ALTER TABLE fx.merchants ALTER COLUMN email SET STATISTICS 200;
CREATE TABLE fx.orders (
	id serial,
	merchant_id bigint NOT NULL REFERENCES fx.merchants (id) ON DELETE CASCADE,
	total numeric(10,2) CHECK (total >= 0),
	placed date NOT NULL,
	PRIMARY KEY (id, placed)
) PARTITION BY RANGE (placed);
CREATE TABLE fx.orders_2026 PARTITION OF fx.orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX orders_merchant ON fx.orders (merchant_id);
CREATE UNIQUE INDEX merchants_lower_email ON fx.merchants (lower(email)) WHERE email IS NOT NULL;
CREATE VIEW fx.active AS SELECT id, name FROM fx.merchants WHERE mood <> 'sad';
CREATE MATERIALIZED VIEW fx.totals AS SELECT merchant_id, sum(total) AS total FROM fx.orders GROUP BY merchant_id;
CREATE TRIGGER merchants_touch BEFORE UPDATE ON fx.merchants FOR EACH ROW EXECUTE FUNCTION fx.touch();
ALTER TABLE fx.merchants ENABLE ROW LEVEL SECURITY;
CREATE POLICY merchants_read ON fx.merchants FOR SELECT TO regress_fix_reader USING (mood <> 'sad');
CREATE STATISTICS fx.merchants_stats (ndistinct) ON name, mood FROM fx.merchants;
GRANT USAGE ON SCHEMA fx TO regress_fix_reader;
GRANT SELECT ON fx.merchants TO regress_fix_reader;
GRANT UPDATE (name) ON fx.merchants TO regress_fix_reader;
COMMENT ON TABLE fx.merchants IS 'who we sell for';
COMMENT ON COLUMN fx.merchants.email IS 'contact';
ALTER TABLE fx.orders OWNER TO regress_fix_owner;

\set opts '{"include_schemas": ["fx"]}'
SELECT schemadrift_snapshot(:'opts') AS snap \gset
\set noorder '{"include_schemas": ["fx"], "ignore": ["column_order"]}'
SELECT schemadrift_snapshot(:'noorder') AS snap_noorder \gset

-- nothing differs: no rows, and a script that says so
SELECT count(*) FROM schemadrift_diff(source => :'snap'::jsonb, options => :'opts');
SELECT pg_temp.stable(schemadrift_sync_sql(source => :'snap'::jsonb, options => :'opts'));

--
-- Drift by hand: every kind of change, then the fixes
--
ALTER TABLE fx.merchants DROP COLUMN updated_at CASCADE;
ALTER TABLE fx.merchants ALTER COLUMN name DROP NOT NULL;
ALTER TABLE fx.merchants ALTER COLUMN name SET DEFAULT 'nobody';
ALTER TABLE fx.merchants ALTER COLUMN email TYPE varchar(40);
ALTER TABLE fx.merchants ALTER COLUMN email SET STATISTICS -1;
ALTER TABLE fx.merchants ADD COLUMN legacy_code text;
ALTER TABLE fx.merchants DROP CONSTRAINT name_not_blank;
ALTER TABLE fx.merchants ADD CONSTRAINT name_short CHECK (length(name) < 100);
ALTER TABLE fx.merchants DISABLE ROW LEVEL SECURITY;
DROP INDEX fx.merchants_lower_email;
CREATE INDEX merchants_name ON fx.merchants (name);
DROP VIEW fx.active;
CREATE VIEW fx.everyone AS SELECT id FROM fx.merchants;
DROP MATERIALIZED VIEW fx.totals;
DROP TABLE fx.orders;
ALTER TYPE fx.mood RENAME VALUE 'happy' TO 'glad';
ALTER DOMAIN fx.posint DROP DEFAULT;
ALTER DOMAIN fx.posint DROP CONSTRAINT posint_positive;
ALTER SEQUENCE fx.counter INCREMENT BY 1 NO CYCLE;
CREATE OR REPLACE FUNCTION fx.add_one(a integer DEFAULT 1) RETURNS integer
	LANGUAGE sql STABLE RETURN a + 2;
DROP PROCEDURE fx.noop(integer);
ALTER POLICY merchants_read ON fx.merchants TO PUBLIC;
DROP STATISTICS fx.merchants_stats;
REVOKE SELECT ON fx.merchants FROM regress_fix_reader;
GRANT INSERT ON fx.merchants TO regress_fix_reader;
COMMENT ON TABLE fx.merchants IS 'it''s changed; DROP TABLE fx.merchants; --';
COMMENT ON COLUMN fx.merchants.email IS NULL;
DROP TYPE fx.pair;
CREATE TYPE fx.extra_kind AS ENUM ('x');

-- one row per difference, each with the statements that fix it
SELECT kind, identity, change, attribute, fix_sql, note
FROM schemadrift_diff(source => :'snap'::jsonb, options => :'opts')
ORDER BY kind, identity, attribute;

-- the script: labels that cannot be renamed are reported, not guessed;
-- drops are left as comments without allow_destructive
SELECT pg_temp.stable(schemadrift_sync_sql(source => :'snap'::jsonb, options => :'opts'));

-- applied with allow_destructive, everything but the enum's relabelling
-- goes
SELECT schemadrift_sync_sql(source => :'snap'::jsonb,
	options => '{"include_schemas": ["fx"], "allow_destructive": true}') AS script \gset
:script
SELECT kind, identity, change, attribute, note
FROM schemadrift_diff(source => :'snap'::jsonb, options => :'opts')
ORDER BY kind, identity, attribute;

-- the enum by hand
ALTER TYPE fx.mood RENAME VALUE 'glad' TO 'happy';
SELECT kind, identity, change, attribute
FROM schemadrift_diff(source => :'snap'::jsonb, options => :'opts');

--
-- schemadrift_create_sql: the whole schema from nothing, fingerprint-equal
--
SELECT schemadrift_fingerprint(:'noorder') AS fp_before \gset
SELECT schemadrift_create_sql('{"include_schemas": ["fx"]}') AS create_script \gset
SET client_min_messages = warning;
DROP SCHEMA fx CASCADE;
RESET client_min_messages;
:create_script
SELECT schemadrift_fingerprint(:'noorder') = :'fp_before' AS same_fingerprint;
SELECT kind, identity, change, attribute
FROM schemadrift_diff(source => :'snap_noorder'::jsonb, options => :'noorder');
-- and running it again changes nothing that was there (IF NOT EXISTS),
-- failing only where PostgreSQL has no IF NOT EXISTS
SELECT (SELECT count(*) FROM regexp_matches(:'create_script', 'IF NOT EXISTS', 'g')) > 10 AS idempotent_creates;

--
-- Hostile names, labels and comments round-trip and inject nothing
--
CREATE TABLE fx.side_table (id int);
CREATE SCHEMA "we;ird ""schema""";
CREATE TYPE "we;ird ""schema"""."la$$bels" AS ENUM ('plain', $l$'); COPY (SELECT 1) TO PROGRAM 'touch /tmp/sdfix_pwned'; --$l$);
CREATE TABLE "we;ird ""schema"""."t
new line" ("col; DROP TABLE fx.side_table; --" text DEFAULT $d$it's $$ \ ; DROP TABLE fx.side_table$d$,
	"ünïcødé" "we;ird ""schema"""."la$$bels");
COMMENT ON TABLE "we;ird ""schema"""."t
new line" IS E'line one\n; DROP TABLE fx.side_table; --\n\\ back';
\set hopts '{"include_schemas": ["we;ird \\"schema\\""]}'
SELECT schemadrift_snapshot(:'hopts') AS hsnap \gset
SELECT schemadrift_create_sql(:'hopts') AS hscript \gset
SET client_min_messages = warning;
DROP SCHEMA "we;ird ""schema""" CASCADE;
RESET client_min_messages;
:hscript
SELECT count(*) AS differences FROM schemadrift_diff(source => :'hsnap'::jsonb, options => :'hopts');
SELECT pg_stat_file('/tmp/sdfix_pwned', true) IS NULL AS no_file_created,
	   to_regclass('fx.side_table') IS NOT NULL AS side_table_kept;
-- the label added to the target by a sync: the literal is quoted
ALTER TYPE "we;ird ""schema"""."la$$bels" RENAME TO "old labels";
CREATE TYPE "we;ird ""schema"""."la$$bels" AS ENUM ('plain');
SELECT fix_sql FROM schemadrift_diff(source => :'hsnap'::jsonb, options => :'hopts')
WHERE kind = 'type' AND attribute = 'labels';

--
-- A crafted snapshot cannot smuggle a statement into a fix
--
-- (a hand edit: without the object's hash and the snapshot's fingerprint)
SELECT jsonb_set(:'snap'::jsonb - 'fingerprint', '{objects}',
	(SELECT jsonb_agg(CASE WHEN o->>'identity' = 'fx.merchants.email'
						   THEN jsonb_set(o - 'hash', '{attrs,type}', '"text; DROP TABLE fx.side_table; --"')
						   ELSE o END)
	 FROM jsonb_array_elements(:'snap'::jsonb->'objects') o)) AS crafted \gset
SELECT kind, identity, attribute, fix_sql, note
FROM schemadrift_diff(source => :'crafted'::jsonb, options => :'opts')
WHERE identity = 'fx.merchants.email';

--
-- Database-wide kinds: a publication (a table dropped from it by hand is the
-- drift that silently breaks Supabase realtime), a wrapper, a server and its
-- user mapping (whose secrets never travel), a foreign table, an event
-- trigger, a collation
--
CREATE SCHEMA gx;
CREATE TABLE gx.messages (id int PRIMARY KEY, body text, secret text);
CREATE TABLE gx.rooms (id int PRIMARY KEY);
-- (core's warning about wal_level is worded differently from 17 on)
SET client_min_messages = error;
CREATE PUBLICATION regress_fix_realtime FOR TABLE gx.messages (id, body) WHERE (id > 0), gx.rooms
	WITH (publish = 'insert, update');
RESET client_min_messages;
CREATE FOREIGN DATA WRAPPER regress_fix_fdw OPTIONS (debug 'true');
CREATE SERVER regress_fix_srv FOREIGN DATA WRAPPER regress_fix_fdw
	OPTIONS (host 'db.example', password 'hunter2-server');
CREATE USER MAPPING FOR regress_fix_reader SERVER regress_fix_srv
	OPTIONS (user 'reader', password 'hunter2-mapping');
CREATE FOREIGN TABLE gx.remote_items (id int NOT NULL, name text OPTIONS (column_name 'n'))
	SERVER regress_fix_srv OPTIONS (table_name 'items');
CREATE FUNCTION gx.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER regress_fix_evt ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
	EXECUTE FUNCTION gx.on_ddl();
ALTER EVENT TRIGGER regress_fix_evt DISABLE;
CREATE COLLATION gx.plain (locale = 'C');
\set gopts '{"include_schemas": ["gx"]}'
SELECT schemadrift_snapshot(:'gopts') AS gsnap \gset

ALTER PUBLICATION regress_fix_realtime DROP TABLE gx.rooms;
ALTER PUBLICATION regress_fix_realtime SET (publish = 'insert');
ALTER FOREIGN DATA WRAPPER regress_fix_fdw OPTIONS (SET debug 'false');
DROP FOREIGN TABLE gx.remote_items;
DROP EVENT TRIGGER regress_fix_evt;
DROP SERVER regress_fix_srv CASCADE;
DROP COLLATION gx.plain;

SELECT kind, identity, change, attribute, fix_sql, note
FROM schemadrift_diff(source => :'gsnap'::jsonb, options => :'gopts')
WHERE kind NOT IN ('extension', 'schema')
ORDER BY kind, identity, attribute;
SELECT schemadrift_sync_sql(source => :'gsnap'::jsonb, options => :'gopts') AS gscript \gset
-- no secret is in the script
SELECT position('hunter2' IN :'gscript') AS secret_at;
:gscript
-- what is left: the user mapping, whose password only a person can give
SELECT kind, identity, change, note
FROM schemadrift_diff(source => :'gsnap'::jsonb, options => :'gopts');
SET client_min_messages = warning;
DROP PUBLICATION regress_fix_realtime;
DROP EVENT TRIGGER regress_fix_evt;
DROP FOREIGN DATA WRAPPER regress_fix_fdw CASCADE;
DROP SCHEMA gx CASCADE;
RESET client_min_messages;

--
-- Production options: concurrently (index builds and drops outside a
-- transaction) and not_valid (FKs and checks added NOT VALID, validated
-- after), on tables that exist on both sides
--
CREATE SCHEMA px;
CREATE TABLE px.customers (id int PRIMARY KEY, email text);
CREATE TABLE px.invoices (id int PRIMARY KEY, customer_id int, amount numeric,
	CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES px.customers (id),
	CONSTRAINT invoices_amount_check CHECK (amount >= 0));
CREATE INDEX invoices_customer ON px.invoices (customer_id);
\set popts '{"include_schemas": ["px"]}'
SELECT schemadrift_snapshot(:'popts') AS psnap \gset
ALTER TABLE px.invoices DROP CONSTRAINT invoices_customer_fk, DROP CONSTRAINT invoices_amount_check;
DROP INDEX px.invoices_customer;
CREATE INDEX invoices_amount ON px.invoices (amount);
INSERT INTO px.customers VALUES (1, 'a@example.com');
INSERT INTO px.invoices VALUES (1, 1, 10), (2, 1, 20);
SELECT pg_temp.stable(schemadrift_sync_sql(source => :'psnap'::jsonb,
	options => '{"include_schemas": ["px"], "concurrently": true, "not_valid": true, "allow_destructive": true}')) AS script \gset
\echo :script
SELECT schemadrift_sync_sql(source => :'psnap'::jsonb,
	options => '{"include_schemas": ["px"], "concurrently": true, "not_valid": true, "allow_destructive": true}') AS script \gset
:script
SELECT count(*) AS differences FROM schemadrift_diff(source => :'psnap'::jsonb, options => :'popts');
-- (contype 'n': PostgreSQL 18 keeps NOT NULL constraints in pg_constraint too;
-- leave them out so that the list is the same on every major)
SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'px.invoices'::regclass AND contype <> 'n' ORDER BY conname;
SET client_min_messages = warning;
DROP SCHEMA px CASCADE;
RESET client_min_messages;
SELECT schemadrift_sync_sql(options => '{"concurrently": "yes"}'); -- should fail

--
-- Default privileges (what Supabase-style setups rely on) and rules
--
SET client_min_messages = warning;
CREATE ROLE regress_fix_da_owner;
RESET client_min_messages;
CREATE SCHEMA dx;
CREATE TABLE dx.t (id int, v text);
CREATE TABLE dx.log (id int);
CREATE RULE t_log AS ON INSERT TO dx.t DO ALSO INSERT INTO dx.log VALUES (NEW.id);
ALTER DEFAULT PRIVILEGES FOR ROLE regress_fix_da_owner IN SCHEMA dx GRANT SELECT ON TABLES TO regress_fix_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_fix_da_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
\set dopts '{"include_schemas": ["dx"]}'
SELECT schemadrift_snapshot(:'dopts') AS dsnap \gset
DROP RULE t_log ON dx.t;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_fix_da_owner IN SCHEMA dx REVOKE SELECT ON TABLES FROM regress_fix_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_fix_da_owner GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_fix_da_owner GRANT USAGE ON SEQUENCES TO regress_fix_reader;
SELECT kind, identity, change, fix_sql
FROM schemadrift_diff(source => :'dsnap'::jsonb, options => :'dopts')
ORDER BY kind, identity;
SELECT schemadrift_sync_sql(source => :'dsnap'::jsonb,
	options => '{"include_schemas": ["dx"], "allow_destructive": true}') AS dscript \gset
:dscript
SELECT count(*) AS differences FROM schemadrift_diff(source => :'dsnap'::jsonb, options => :'dopts');
SET client_min_messages = warning;
DROP SCHEMA dx CASCADE;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_fix_da_owner GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
DROP ROLE regress_fix_da_owner;
RESET client_min_messages;

--
-- Views over views, in the order their definitions need: a view is created
-- after the views it reads and dropped before them, whatever their names
-- say (the script would fail in name order)
--
CREATE SCHEMA vx;
CREATE TABLE vx.base (id int, v text);
CREATE VIEW vx.z_first AS SELECT id, v FROM vx.base;
CREATE VIEW vx.m_middle AS SELECT id FROM vx.z_first WHERE id > 0;
CREATE VIEW vx.a_last AS
	WITH w AS (SELECT id FROM vx.m_middle)
	SELECT w.id, b.v FROM w JOIN vx.base b USING (id)
	WHERE EXISTS (SELECT 1 FROM vx.z_first z WHERE z.id = w.id);
CREATE VIEW vx.b_inner AS SELECT id FROM vx.base;
CREATE VIEW vx.y_outer AS SELECT id FROM vx.b_inner;
\set vopts '{"include_schemas": ["vx"]}'
SELECT schemadrift_snapshot(:'vopts') AS vsnap \gset
DROP VIEW vx.a_last, vx.m_middle, vx.z_first, vx.y_outer, vx.b_inner;
SELECT schemadrift_snapshot(:'vopts') AS vbare \gset
SELECT schemadrift_sync_sql(source => :'vsnap'::jsonb, options => :'vopts') AS vscript \gset
SELECT line FROM regexp_split_to_table(:'vscript', '\n') line WHERE line ~ '^(CREATE|DROP) VIEW';
:vscript
SELECT count(*) AS differences FROM schemadrift_diff(source => :'vsnap'::jsonb, options => :'vopts');
SELECT schemadrift_sync_sql(source => :'vbare'::jsonb,
	options => '{"include_schemas": ["vx"], "allow_destructive": true}') AS vscript \gset
SELECT line FROM regexp_split_to_table(:'vscript', '\n') line WHERE line ~ '^(CREATE|DROP) VIEW';
:vscript
SELECT count(*) AS differences FROM schemadrift_diff(source => :'vbare'::jsonb, options => :'vopts');
SET client_min_messages = warning;
DROP SCHEMA vx CASCADE;
RESET client_min_messages;

--
-- A view whose columns change other than by new ones at the end (CREATE OR
-- REPLACE VIEW cannot) is made again with what reads it: a view and a
-- SQL-standard function; losing a column is destructive.  A function whose
-- result changes is made again with the view that calls it
--
CREATE SCHEMA vr;
CREATE TABLE vr.t (a int, b text, c date);
CREATE VIEW vr.v AS SELECT a, b FROM vr.t;
CREATE VIEW vr.w AS SELECT a FROM vr.v;
CREATE FUNCTION vr.count_v() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM vr.v; END;
CREATE FUNCTION vr.f() RETURNS integer LANGUAGE sql RETURN 1;
CREATE VIEW vr.uses_f AS SELECT vr.f() AS x;
GRANT SELECT ON vr.w TO regress_fix_reader;
\set vropts '{"include_schemas": ["vr"]}'
SELECT schemadrift_snapshot(:'vropts') AS vrsnap \gset
-- the target: v with a column in the middle, f returning bigint
DROP VIEW vr.w;
DROP FUNCTION vr.count_v();
DROP VIEW vr.v;
CREATE VIEW vr.v AS SELECT a, c, b FROM vr.t;
CREATE VIEW vr.w AS SELECT a FROM vr.v;
CREATE FUNCTION vr.count_v() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM vr.v; END;
DROP VIEW vr.uses_f;
DROP FUNCTION vr.f();
CREATE FUNCTION vr.f() RETURNS bigint LANGUAGE sql RETURN 1;
CREATE VIEW vr.uses_f AS SELECT vr.f() AS x;
SELECT identity, attribute, substring(fix_sql from '^-- DESTRUCTIVE: ([^\n(]*)') AS destructive
FROM schemadrift_diff(source => :'vrsnap'::jsonb, options => :'vropts')
ORDER BY identity, attribute;
SELECT schemadrift_sync_sql(source => :'vrsnap'::jsonb,
	options => '{"include_schemas": ["vr"], "allow_destructive": true}') AS vrscript \gset
SELECT line FROM regexp_split_to_table(:'vrscript', '\n') line WHERE line ~ '^(CREATE|DROP|GRANT)';
:vrscript
SELECT count(*) AS differences FROM schemadrift_diff(source => :'vrsnap'::jsonb, options => :'vropts');
SELECT vr.count_v(), (SELECT x FROM vr.uses_f), has_table_privilege('regress_fix_reader', 'vr.w', 'SELECT') AS reader_kept;
SET client_min_messages = warning;
DROP SCHEMA vr CASCADE;
RESET client_min_messages;

--
-- An enum whose labels the source has without some of the target's, or in
-- another order, is recreated with the columns that use it (a column with
-- a default, a partial index and a check naming labels, an array column,
-- a cast):
-- in one transaction, all or
-- nothing.  Rows holding a label the source lacks are counted first: with
-- any, the recreation is left to a person; with none, it loses nothing
--
CREATE SCHEMA ex;
CREATE TYPE ex.state AS ENUM ('new', 'open', 'closed');
COMMENT ON TYPE ex.state IS 'a ticket''s state';
CREATE TABLE ex.tickets (id int PRIMARY KEY, state ex.state NOT NULL DEFAULT 'new',
	history ex.state[], CONSTRAINT tickets_closed_id CHECK (state <> 'closed' OR id > 0));
CREATE INDEX tickets_open ON ex.tickets (id) WHERE state = 'open';
CREATE TYPE ex."we'ird" AS ENUM ('a', 'b', 'c');
CREATE TABLE ex.marks (m ex."we'ird");
CREATE CAST (ex."we'ird" AS text) WITH INOUT AS ASSIGNMENT;
\set exopts '{"include_schemas": ["ex"]}'
\set excount '{"include_schemas": ["ex"], "count_rows": true}'
SELECT schemadrift_snapshot(:'exopts') AS exsnap \gset
-- the target: a label added by hand and used; another enum reordered
ALTER TYPE ex.state ADD VALUE 'stale' BEFORE 'closed';
INSERT INTO ex.tickets VALUES (1, 'new', '{new,open}'), (2, 'stale', '{open,stale}'), (3, 'open', NULL);
DROP TABLE ex.marks;
DROP TYPE ex."we'ird" CASCADE;
CREATE TYPE ex."we'ird" AS ENUM ('c', 'b', 'a');
CREATE TABLE ex.marks (m ex."we'ird");
CREATE CAST (ex."we'ird" AS text) WITH INOUT AS ASSIGNMENT;
INSERT INTO ex.marks VALUES ('a'), ('c');
SELECT identity, fix_sql FROM schemadrift_diff(source => :'exsnap'::jsonb, options => :'excount')
ORDER BY identity;
-- the rows changed: nothing is lost, nothing is destructive; applied
UPDATE ex.tickets SET state = 'closed', history = '{open,closed}' WHERE id = 2;
SELECT schemadrift_sync_sql(source => :'exsnap'::jsonb, options => :'exopts') AS exscript \gset
SELECT pg_temp.stable(:'exscript');
:exscript
SELECT count(*) AS differences FROM schemadrift_diff(source => :'exsnap'::jsonb, options => :'exopts');
SELECT * FROM ex.tickets ORDER BY id;
SELECT m, m < 'b' AS before_b FROM ex.marks ORDER BY m;
-- a view that reads the column keeps PostgreSQL from changing its type:
-- no fix, and the note says why
ALTER TYPE ex.state ADD VALUE 'stale';
CREATE VIEW ex.open_tickets AS SELECT id FROM ex.tickets WHERE state = 'open';
DROP VIEW ex.open_tickets;
SELECT identity, fix_sql, note FROM schemadrift_diff(source => :'exsnap'::jsonb, options => :'exopts')
WHERE identity = 'ex.state';
CREATE VIEW ex.open_tickets AS SELECT id FROM ex.tickets WHERE state = 'open';
SELECT identity, fix_sql, note FROM schemadrift_diff(source => :'exsnap'::jsonb, options => :'exopts')
WHERE identity = 'ex.state';
SET client_min_messages = warning;
DROP SCHEMA ex CASCADE;
RESET client_min_messages;

--
-- Hazards counted on the target's rows: 3 NULLs before SET NOT NULL, a
-- group of 2 duplicates before UNIQUE, an orphan before a foreign key, data
-- a dropped column loses, values a narrowing type change rejects or alters
-- (2 too long for varchar(3), 1 rounded and 1 too large for numeric(6,1),
-- 1 too large for integer, 2 texts that are no integer and 1 that is one
-- only without its spaces, 1 integer that is no boolean);
-- steps that would fail are left to a person
--
CREATE SCHEMA hx;
CREATE TABLE hx.parents (id int PRIMARY KEY);
CREATE TABLE hx.kids (id int, email text NOT NULL, parent_id int,
	code varchar(3), amount numeric(6,1), ref integer, qty integer, flag boolean,
	CONSTRAINT kids_email_key UNIQUE (email),
	CONSTRAINT kids_parent_fk FOREIGN KEY (parent_id) REFERENCES hx.parents (id));
\set hxopts '{"include_schemas": ["hx"]}'
SELECT schemadrift_snapshot(:'hxopts') AS hxsnap \gset
ALTER TABLE hx.kids ALTER COLUMN email DROP NOT NULL, DROP CONSTRAINT kids_email_key,
	DROP CONSTRAINT kids_parent_fk, ADD COLUMN notes text,
	ALTER COLUMN code TYPE varchar(20), ALTER COLUMN amount TYPE numeric(10,3),
	ALTER COLUMN ref TYPE bigint, ALTER COLUMN qty TYPE text, ALTER COLUMN flag TYPE integer USING flag::integer;
INSERT INTO hx.parents VALUES (1);
INSERT INTO hx.kids (id, email, parent_id, notes, code, amount, ref, qty, flag) VALUES
	(1, NULL, 1, 'a', 'ab', 1.5, 5, '7', 1),
	(2, NULL, 1, NULL, 'abcdef', 2.25, 5000000000, ' 8 ', 0),
	(3, NULL, 1, 'b', 'abcdefgh', 123456.7, NULL, 'x', NULL),
	(4, 'same@example.com', 1, NULL, NULL, NULL, -2147483648, 'seven', 1),
	(5, 'same@example.com', 2, NULL, 'abc', 99999.9, 2147483647, NULL, 2);
-- a diff's fix_sql counts only when asked
SELECT attribute, fix_sql FROM schemadrift_diff(source => :'hxsnap'::jsonb,
	options => '{"include_schemas": ["hx"], "count_rows": true}')
ORDER BY identity, attribute;
SELECT pg_temp.stable(schemadrift_sync_sql(source => :'hxsnap'::jsonb,
	options => '{"include_schemas": ["hx"], "allow_destructive": true}'));
-- a live target behind a foreign server (a loopback to this database) is
-- counted on too, over its own connection: the same counts
CREATE EXTENSION postgres_fdw;
DO $$
BEGIN
	EXECUTE format('CREATE SERVER regress_fix_live FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   current_database(), current_setting('port'));
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_fix_live;
\set hxcount '{"include_schemas": ["hx"], "count_rows": true}'
SELECT (SELECT array_agg(fix_sql ORDER BY identity, attribute)
		FROM schemadrift_diff(source => :'hxsnap'::jsonb, target => 'regress_fix_live', options => :'hxcount')) =
	   (SELECT array_agg(fix_sql ORDER BY identity, attribute)
		FROM schemadrift_diff(source => :'hxsnap'::jsonb, options => :'hxcount')) AS same_counts;
-- a count runs no code of the target's that a role other than a superuser
-- wrote: a change to a domain whose CHECK calls a PL/pgSQL function of such
-- a role is not counted, here or on the foreign server, and the function
-- never runs; a domain whose CHECK is built in is counted
CREATE ROLE regress_fix_typeowner;
CREATE SCHEMA hy AUTHORIZATION regress_fix_typeowner;
SET ROLE regress_fix_typeowner;
CREATE TABLE hy.ran (who text);
GRANT INSERT ON hy.ran TO PUBLIC;
CREATE FUNCTION hy.spy(v integer) RETURNS boolean LANGUAGE plpgsql
	AS $$BEGIN INSERT INTO hy.ran VALUES (current_user); RETURN true; END$$;
CREATE DOMAIN hy.watched AS integer CHECK (hy.spy(VALUE));
CREATE DOMAIN hy.positive AS integer CHECK (VALUE > 0);
RESET ROLE;
CREATE TABLE hy.t (a hy.watched, b hy.positive);
\set hyopts '{"include_schemas": ["hy"], "count_rows": true}'
SELECT schemadrift_snapshot('{"include_schemas": ["hy"]}') AS hysnap \gset
ALTER TABLE hy.t ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE bigint;
INSERT INTO hy.t VALUES (1, 1), (5000000000, -1);
SELECT attribute, identity, substring(fix_sql from '-- (?:NOTE|MANUAL): ([^\n]*)') AS counted
FROM schemadrift_diff(source => :'hysnap'::jsonb, options => :'hyopts')
WHERE identity LIKE 'hy.t.%' ORDER BY identity;
SELECT (SELECT array_agg(fix_sql ORDER BY identity, attribute)
		FROM schemadrift_diff(source => :'hysnap'::jsonb, target => 'regress_fix_live', options => :'hyopts')) =
	   (SELECT array_agg(fix_sql ORDER BY identity, attribute)
		FROM schemadrift_diff(source => :'hysnap'::jsonb, options => :'hyopts')) AS same_counts;
SELECT count(*) AS spy_ran FROM hy.ran;
SET client_min_messages = warning;
DROP SCHEMA hy CASCADE;
DROP ROLE regress_fix_typeowner;
RESET client_min_messages;
-- as a role that may read hx.parents only: hx.kids is not counted
CREATE ROLE regress_fix_counter LOGIN;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_fix_live OPTIONS (ADD user 'regress_fix_counter');
GRANT USAGE ON SCHEMA hx TO regress_fix_counter;
GRANT SELECT ON hx.parents TO regress_fix_counter;
SELECT identity, attribute, substring(fix_sql from '-- (?:NOTE|MANUAL): ([^\n]*)') AS counted
FROM schemadrift_diff(source => :'hxsnap'::jsonb, target => 'regress_fix_live', options => :'hxcount')
WHERE fix_sql ~ '-- (NOTE|MANUAL)'
ORDER BY identity, attribute;
-- row-level security would filter a count (a count of 0 would drop a
-- step's destructive mark) and run the policies' code: a table it filters
-- is not counted, on the foreign server and here; a superuser counts all
CREATE SCHEMA hr;
CREATE TABLE hr.secret (id integer, note text NOT NULL);
\set hropts '{"include_schemas": ["hr"], "count_rows": true}'
SELECT schemadrift_snapshot('{"include_schemas": ["hr"]}') AS hrsnap \gset
ALTER TABLE hr.secret ALTER COLUMN note DROP NOT NULL;
INSERT INTO hr.secret VALUES (1, NULL), (2, NULL);
ALTER TABLE hr.secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY hidden ON hr.secret USING (false);
GRANT USAGE ON SCHEMA hr TO regress_fix_counter;
GRANT SELECT ON hr.secret TO regress_fix_counter;
SELECT substring(fix_sql from '-- (?:NOTE|MANUAL): ([^\n]*)') AS counted
FROM schemadrift_diff(source => :'hrsnap'::jsonb, target => 'regress_fix_live', options => :'hropts')
WHERE fix_sql ~ '-- (NOTE|MANUAL)';
SET ROLE regress_fix_counter;
SELECT substring(fix_sql from '-- (?:NOTE|MANUAL): ([^\n]*)') AS counted
FROM schemadrift_diff(source => :'hrsnap'::jsonb, options => :'hropts')
WHERE fix_sql ~ '-- (NOTE|MANUAL)';
RESET ROLE;
SELECT substring(fix_sql from '-- (?:NOTE|MANUAL): ([^\n]*)') AS counted
FROM schemadrift_diff(source => :'hrsnap'::jsonb, options => :'hropts')
WHERE fix_sql ~ '-- (NOTE|MANUAL)';
SET client_min_messages = warning;
DROP SCHEMA hr CASCADE;
RESET client_min_messages;
-- a target that is a snapshot has no rows to count
SELECT schemadrift_snapshot(:'hxopts') AS hxnow \gset
SELECT DISTINCT substring(fix_sql from '-- NOTE: (rows not counted: [^(]*)') AS counted
FROM schemadrift_diff(:'hxnow'::jsonb, :'hxsnap'::jsonb, options => :'hxcount')
WHERE fix_sql LIKE '%-- NOTE%';
DROP USER MAPPING FOR CURRENT_USER SERVER regress_fix_live;
DROP SERVER regress_fix_live;
DROP EXTENSION postgres_fdw;
-- schemadrift_input_is_valid: PostgreSQL 15's pg_input_is_valid (a
-- domain's CHECK refusing a value is a value not valid, as on 16)
CREATE DOMAIN hx.positive AS integer CHECK (VALUE > 0);
SELECT v, t, schemadrift_input_is_valid(v, t)
FROM (VALUES ('42', 'integer'), ('4.2', 'integer'), ('abcd', 'varchar(3)'), ('abc', 'varchar(3)'),
			 ('1e400', 'numeric(6,1)'), ('99999.9', 'numeric(6,1)'), ('2026-02-30', 'date'),
			 ('pg_catalog.pg_class', 'regclass'), ('no_such_table', 'regclass'),
			 ('1', 'hx.positive'), ('-1', 'hx.positive')) x(v, t);
SELECT schemadrift_input_is_valid('1', 'no_such_type'); -- should fail
SELECT schemadrift_input_is_valid('1', 'integer; DROP TABLE hx.kids'); -- should fail
SET client_min_messages = warning;
DROP SCHEMA hx CASCADE;
DROP ROLE regress_fix_counter;
RESET client_min_messages;

--
-- Bad fix options
--
SELECT schemadrift_sync_sql(options => '{"allow_destructive": "yes"}'); -- should fail
SELECT schemadrift_sync_sql(options => '{"lock_timeout": "5s; DROP TABLE x"}'); -- should fail
SELECT schemadrift_sync_sql(options => '{"lock_timeout": 5}'); -- should fail
SELECT schemadrift_objects('{"allow_destructive": true}'); -- should fail: not an option of a read
SELECT schemadrift_create_sql(NULL); -- should fail
SELECT schemadrift_sync_sql(target => NULL::jsonb); -- should fail
SELECT schemadrift_sync_sql(source => 'regress_no_such_server'); -- should fail
SELECT schemadrift_create_sql(server => 'host=db.example password=S3cr3t'); -- should fail: never a connection string

SET client_min_messages = warning;
DROP SCHEMA fx CASCADE;
DROP SCHEMA "we;ird ""schema""" CASCADE;
DROP ROLE regress_fix_reader;
DROP ROLE regress_fix_owner;
