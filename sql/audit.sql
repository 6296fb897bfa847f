--
-- audit: every DDL command family is recorded in schemadrift_ddl_log, one
-- row per object, with the statement text of its own command; rolled-back
-- DDL leaves no row; extension scripts are marked
--
-- The rows of earlier tests are set aside: ids are shown relative to :base.
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset
\set rows 'SELECT id - :base AS n, event, command_tag, object_type, schema_name, object_identity, creating_extension AS ext, is_drop, statement FROM schemadrift_ddl_log WHERE id > :base ORDER BY id'

-- tables and columns
CREATE TABLE merchants (id integer PRIMARY KEY, name text);
ALTER TABLE merchants ADD COLUMN tax_id text;
ALTER TABLE merchants DROP COLUMN name;
ALTER TABLE merchants RENAME TO shops;
ALTER TABLE shops RENAME TO merchants;
-- indexes, views, sequences
CREATE INDEX merchants_tax_id_idx ON merchants (tax_id);
ALTER INDEX merchants_tax_id_idx RENAME TO merchants_tax_idx;
CREATE VIEW merchant_names AS SELECT id, tax_id FROM merchants;
CREATE OR REPLACE VIEW merchant_names AS SELECT id, tax_id, 1 AS one FROM merchants;
CREATE SEQUENCE invoice_no;
ALTER SEQUENCE invoice_no INCREMENT BY 2;
:rows;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- functions, types, triggers, policies, schemas
CREATE SCHEMA billing;
CREATE TYPE billing.mood AS ENUM ('ok', 'bad');
ALTER TYPE billing.mood ADD VALUE 'great';
CREATE FUNCTION billing.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
ALTER FUNCTION billing.touch() SET search_path = pg_catalog;
CREATE TRIGGER merchants_touch BEFORE UPDATE ON merchants FOR EACH ROW EXECUTE FUNCTION billing.touch();
CREATE POLICY merchants_own ON merchants USING (true);
ALTER POLICY merchants_own ON merchants USING (id > 0);
DROP POLICY merchants_own ON merchants;
DROP TRIGGER merchants_touch ON merchants;
COMMENT ON TABLE merchants IS 'who we bill';
COMMENT ON COLUMN merchants.tax_id IS 'VAT number';
GRANT SELECT ON merchants TO PUBLIC;
REVOKE SELECT ON merchants FROM PUBLIC;
:rows;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- drops: one row per object, CASCADE included, internal dependents not.
-- PostgreSQL 15 also reports a view's "_RETURN" rule as dropped with it
-- (normal): its rule depends on the view through the rule's OLD and NEW
-- range-table entries too, which PostgreSQL 16 removed.  That row is left
-- out so the rows are the same on every version.
DROP VIEW merchant_names;
DROP SEQUENCE invoice_no;
DROP SCHEMA billing CASCADE;
DROP TABLE merchants;
DROP TABLE IF EXISTS no_such_table;
SELECT row_number() OVER (ORDER BY id) AS n, event, command_tag, object_type, schema_name, object_identity,
	   creating_extension AS ext, is_drop, statement
FROM schemadrift_ddl_log
WHERE id > :base AND object_identity IS DISTINCT FROM '"_RETURN" on public.merchant_names'
ORDER BY id;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- extension scripts: every object marked, the statement is CREATE EXTENSION
CREATE EXTENSION tsm_system_rows;
DROP EXTENSION tsm_system_rows;
:rows;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- a table rewrite says which table and why
CREATE TABLE rw (a integer);
ALTER TABLE rw ALTER COLUMN a TYPE bigint;
DROP TABLE rw;
SELECT id - :base AS n, event, command_tag, object_identity, detail
FROM schemadrift_ddl_log WHERE id > :base ORDER BY id;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- several commands in one query string: each row has its own command's text
CREATE TABLE m1 (a int)\; CREATE TABLE m2 (b int)\; INSERT INTO m1 VALUES (1)\; DROP TABLE m1, m2;
:rows;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- DDL inside a function and a DO block: the top-level statement is recorded
CREATE FUNCTION make_table(n text) RETURNS void LANGUAGE plpgsql
	AS $$BEGIN EXECUTE format('CREATE TABLE %I ()', n); END$$;
SELECT make_table('from_function');
DO $$BEGIN CREATE TABLE from_do (); END$$;
DROP TABLE from_function, from_do;
DROP FUNCTION make_table(text);
:rows;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- transactions: a rollback leaves nothing, a savepoint rollback removes
-- only its own rows
BEGIN;
CREATE TABLE rolled_back ();
ROLLBACK;
BEGIN;
CREATE TABLE kept1 ();
SAVEPOINT s1;
CREATE TABLE lost ();
ALTER TABLE kept1 ADD COLUMN lost integer;
ROLLBACK TO SAVEPOINT s1;
CREATE TABLE kept2 ();
SAVEPOINT s2;
ALTER TABLE kept2 ADD COLUMN x integer;
RELEASE SAVEPOINT s2;
COMMIT;
SELECT event, command_tag, object_identity, statement
FROM schemadrift_ddl_log WHERE id > :base ORDER BY id;
-- failed DDL leaves nothing either
CREATE TABLE kept1 ();
SELECT count(*) AS rows_after_error FROM schemadrift_ddl_log WHERE id > :base;
DROP TABLE kept1, kept2;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- who, when, where: the columns describe the session and the transaction
SET schemadrift.change_reason = 'JIRA-123';
CREATE ROLE regress_schemadrift_ddl;
GRANT CREATE ON SCHEMA public TO regress_schemadrift_ddl;
BEGIN;
SET LOCAL ROLE regress_schemadrift_ddl;
CREATE TABLE owned_by_ddl_role ();
RESET ROLE;
SELECT transaction_id = pg_current_xact_id() AS xid_ok,
	   backend_pid = pg_backend_pid() AS pid_ok,
	   occurred_at BETWEEN now() AND clock_timestamp() AS time_ok,
	   session_user_name = session_user AS session_user_ok,
	   current_user_name, database_name = current_database() AS db_ok,
	   application_name = current_setting('application_name') AS app_ok,
	   change_reason
FROM schemadrift_ddl_log WHERE id > :base AND event = 'ddl_command_end'
	AND command_tag = 'CREATE TABLE';
COMMIT;
RESET schemadrift.change_reason;
DROP TABLE owned_by_ddl_role;
SELECT change_reason IS NULL AS reason_cleared FROM schemadrift_ddl_log ORDER BY id DESC LIMIT 1;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- session_replication_role = replica does not silence the event triggers
SET session_replication_role = replica;
CREATE TABLE replica_mode ();
RESET session_replication_role;
-- capture off (superuser only): nothing recorded
SET schemadrift.capture = off;
DROP TABLE replica_mode;
RESET schemadrift.capture;
:rows;
-- should fail: schemadrift.capture is superuser-only
SET ROLE regress_schemadrift_ddl;
SET schemadrift.capture = off;
RESET ROLE;

REVOKE CREATE ON SCHEMA public FROM regress_schemadrift_ddl;
DROP ROLE regress_schemadrift_ddl;
