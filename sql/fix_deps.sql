--
-- fix_deps: scripts order SQL-standard function bodies, views, defaults,
-- checks and index expressions by what their definitions read and call
--
-- The names are chosen so that neither name order nor kind order (a
-- SQL-standard function went before views) is right: a function reads a
-- view, a view calls a function, a function calls another, a default, a
-- check and an index expression call functions that read a table.  The
-- create script of the schema is applied to a second database, where the
-- fingerprint must come out equal; then a sync script drops the chains
-- there again (allow_destructive), in an order PostgreSQL accepts.
--
-- The scripts are shown by the first line of each statement (the names
-- and order, not the deparsed definitions), so the output is the same on
-- PostgreSQL 15 to 18: there is no alternative expected file.
--
SET client_min_messages = warning;
CREATE DATABASE regress_sd_deps;
RESET client_min_messages;

-- the statements of a script alone, first lines only, in order (a
-- helper made again in each session)
\set helpers 'CREATE FUNCTION pg_temp.statements(script text) RETURNS SETOF text LANGUAGE sql AS $$ SELECT l FROM regexp_split_to_table(script, E''\\n'') WITH ORDINALITY AS s(l, n) WHERE l ~ ''^(CREATE|DROP|ALTER|COMMENT|-- DROP|-- NOTE|-- DESTRUCTIVE)'' ORDER BY n $$'
:helpers;

CREATE SCHEMA dx;
CREATE TABLE dx.z_base (id int PRIMARY KEY, price numeric NOT NULL DEFAULT 0);
-- a view over the table, read by a function
CREATE VIEW dx.y_priced AS SELECT id, price FROM dx.z_base WHERE price > 0;
-- a function that reads the view: kind order put it before every view
CREATE FUNCTION dx.b_sum() RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT coalesce(sum(price), 0) FROM dx.y_priced;
END;
-- a view that calls it: name order put it before the view the function reads
CREATE VIEW dx.a_report AS SELECT dx.b_sum() AS total;
-- a function that calls two others, one of them later by name
CREATE FUNCTION dx.c_double(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN x * 2;
CREATE FUNCTION dx.a_twice() RETURNS numeric LANGUAGE sql STABLE
	RETURN dx.c_double(dx.b_sum());
-- a view over a view that calls the function calling the others
CREATE VIEW dx.a_top AS SELECT r.total, dx.a_twice() AS twice FROM dx.a_report r;
-- a function reading a table, called by a default of a table made earlier
-- by name: the function goes among the tables, after the one it reads
CREATE FUNCTION dx.m_count() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT count(*) FROM dx.z_base;
END;
CREATE FUNCTION dx.n_positive(x numeric) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN x >= 0;
CREATE TABLE dx.a_orders (
	id int PRIMARY KEY,
	seen bigint DEFAULT dx.m_count(),
	amount numeric CHECK (dx.n_positive(amount))
);
CREATE INDEX a_orders_twice ON dx.a_orders (dx.c_double(amount));
-- the other way round by name: a function read by a view named after it
CREATE FUNCTION dx.z_fn(x int) RETURNS int LANGUAGE sql IMMUTABLE RETURN x + 1;
CREATE VIEW dx.z_uses AS SELECT dx.z_fn(id) AS next_id FROM dx.z_base;
-- a materialized view over a view that calls a function
CREATE MATERIALIZED VIEW dx.z_snapshot AS SELECT total FROM dx.a_report;
-- PL/pgSQL keeps no edges (its body is not checked while a script runs)
CREATE FUNCTION dx.a_plain() RETURNS bigint LANGUAGE plpgsql STABLE
	AS $$ BEGIN RETURN (SELECT count(*) FROM dx.a_top); END $$;

\set opts '{"include_schemas": ["dx"]}'
SELECT schemadrift_fingerprint(:'opts') AS fp \gset
SELECT schemadrift_snapshot(:'opts') AS snap \gset

-- the create script: every step after what it reads and calls
SELECT schemadrift_create_sql(:'opts') AS create_script \gset
SELECT pg_temp.statements(:'create_script');

-- applied to an empty database, it runs, and the fingerprint is equal
\c regress_sd_deps
:helpers;
SET client_min_messages = warning;
CREATE EXTENSION schemadrift;
RESET client_min_messages;
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
:create_script
RESET client_min_messages;
\set ON_ERROR_STOP 0
SELECT schemadrift_fingerprint(:'opts') = :'fp' AS same_fingerprint;
SELECT count(*) AS differences FROM schemadrift_diff(source => :'snap'::jsonb, options => :'opts');
INSERT INTO dx.z_base VALUES (1, 5), (2, 7);
INSERT INTO dx.a_orders (id, amount) VALUES (1, 3);
SELECT * FROM dx.a_top;
SELECT seen FROM dx.a_orders;

-- drops: the chains go, each drop before what it reads and calls
\c contrib_regression
SET client_min_messages = warning;
DROP VIEW dx.a_top, dx.z_uses;
DROP MATERIALIZED VIEW dx.z_snapshot;
DROP VIEW dx.a_report;
DROP TABLE dx.a_orders;
DROP FUNCTION dx.a_twice(), dx.b_sum(), dx.c_double(numeric), dx.m_count(),
	dx.n_positive(numeric), dx.z_fn(int), dx.a_plain();
DROP VIEW dx.y_priced;
RESET client_min_messages;
SELECT schemadrift_snapshot(:'opts') AS small \gset
\c regress_sd_deps
:helpers;
SELECT schemadrift_sync_sql(source => :'small'::jsonb,
	options => '{"include_schemas": ["dx"], "allow_destructive": true, "count_rows": false}') AS drop_script \gset
SELECT pg_temp.statements(:'drop_script');
\set ON_ERROR_STOP 1
:drop_script
\set ON_ERROR_STOP 0
SELECT count(*) AS differences FROM schemadrift_diff(source => :'small'::jsonb, options => :'opts');

-- and back: a sync script makes them again in order on a database that
-- has the table alone
SELECT schemadrift_sync_sql(source => :'snap'::jsonb, options => :'opts') AS sync_script \gset
\set ON_ERROR_STOP 1
:sync_script
\set ON_ERROR_STOP 0
SELECT schemadrift_fingerprint(:'opts') = :'fp' AS same_fingerprint;

-- a changed default that calls a new function reading a new view comes
-- after both (the source made again first, by its create script)
\c contrib_regression
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
:create_script
RESET client_min_messages;
\set ON_ERROR_STOP 0
CREATE VIEW dx.w_new AS SELECT count(*) AS n FROM dx.z_base;
CREATE FUNCTION dx.d_new() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT n FROM dx.w_new;
END;
ALTER TABLE dx.a_orders ALTER COLUMN seen SET DEFAULT dx.d_new();
SELECT schemadrift_fingerprint(:'opts') AS fp2 \gset
SELECT schemadrift_snapshot(:'opts') AS snap2 \gset
\c regress_sd_deps
:helpers;
SELECT schemadrift_sync_sql(source => :'snap2'::jsonb, options => :'opts') AS sync_script \gset
SELECT pg_temp.statements(:'sync_script');
\set ON_ERROR_STOP 1
:sync_script
\set ON_ERROR_STOP 0
SELECT schemadrift_fingerprint(:'opts') = :'fp2' AS same_fingerprint;
INSERT INTO dx.a_orders (id, amount) VALUES (2, 1);
SELECT id, seen FROM dx.a_orders ORDER BY id;

-- a cycle (a hand-edited snapshot: the function reads the view that calls
-- it) cannot hang the script: it is placed by kind, with a remark
SELECT jsonb_set(:'snap'::jsonb - 'fingerprint', '{objects}',
	(SELECT jsonb_agg(CASE WHEN o->>'identity' = 'dx.c_double(numeric)'
						   THEN jsonb_set(o - 'hash', '{attrs,body}',
										  '"RETURN (SELECT max(t.twice) FROM dx.a_top t)"')
						   ELSE o END)
	 FROM jsonb_array_elements(:'snap'::jsonb->'objects') o)) AS crafted \gset
\c contrib_regression
:helpers;
SET client_min_messages = warning;
DROP SCHEMA dx CASCADE;
RESET client_min_messages;
SELECT pg_temp.statements(schemadrift_sync_sql(source => :'crafted'::jsonb, options => :'opts'));

DROP DATABASE regress_sd_deps;
