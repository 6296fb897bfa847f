--
-- audit_integrity: the log is append-only for everyone, readable only when
-- granted, purged only by its owner (and the purge records itself), and its
-- hash chain shows an edit made by a superuser; audit fails open
--
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- the event triggers fire always, their functions are invokers that no one
-- can call, the log is readable by no one by default
SELECT evtname, evtevent, evtenabled FROM pg_event_trigger
WHERE evtname LIKE 'schemadrift%' ORDER BY evtname;
SELECT p.proname, p.prosecdef, p.proconfig,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'schemadrift'
WHERE p.proname LIKE 'schemadrift\_audit%' OR p.proname LIKE 'schemadrift\_ddl\_log%'
ORDER BY p.proname;
SELECT c.relname,
	   has_table_privilege('public', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER') AS public_any
FROM pg_class c
WHERE c.relname IN ('schemadrift_ddl_log', 'schemadrift_ddl_log_chain') ORDER BY c.relname;
SELECT tgname, tgenabled FROM pg_trigger
WHERE tgrelid IN ('schemadrift_ddl_log'::regclass, 'schemadrift_ddl_log_chain'::regclass)
ORDER BY tgname;

CREATE ROLE regress_schemadrift_reader;
CREATE ROLE regress_schemadrift_other;
GRANT SELECT ON schemadrift_ddl_log TO regress_schemadrift_reader;
GRANT CREATE ON SCHEMA public TO regress_schemadrift_other;

-- an ordinary role's DDL is recorded under its own name
SET ROLE regress_schemadrift_other;
SET schemadrift.change_reason = 'CHG-7';
CREATE TABLE others_table (a integer);
RESET schemadrift.change_reason;
-- should fail: not granted
SELECT count(*) FROM schemadrift_ddl_log;
\echo :LAST_ERROR_SQLSTATE
-- should fail: no one but the log's owner may write to it
INSERT INTO schemadrift_ddl_log (occurred_at, event, command_tag) VALUES (now(), 'x', 'x');
\echo :LAST_ERROR_SQLSTATE
UPDATE schemadrift_ddl_log SET statement = 'forged';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM schemadrift_ddl_log;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE schemadrift_ddl_log;
\echo :LAST_ERROR_SQLSTATE
-- should fail: the chain needs SELECT on the log; purge needs its owner
SELECT * FROM schemadrift_ddl_log_verify();
\echo :LAST_ERROR_SQLSTATE
SELECT schemadrift_ddl_log_purge('1 day');
\echo :LAST_ERROR_SQLSTATE
-- should fail: the owner's functions cannot be replaced
CREATE OR REPLACE FUNCTION schemadrift_ddl_log_seal() RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- a reader may read and verify, but not change
SET ROLE regress_schemadrift_reader;
SELECT id - :base AS n,
	   CASE WHEN current_user_name = session_user_name THEN 'the session user'
			ELSE current_user_name END AS current_user_name,
	   session_user_name = session_user AS session_ok,
	   command_tag, object_identity, change_reason
FROM schemadrift_ddl_log WHERE id > :base ORDER BY id;
SELECT ok, problem FROM schemadrift_ddl_log_verify();
-- should fail: read access is not write access
UPDATE schemadrift_ddl_log SET statement = 'forged';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM schemadrift_ddl_log;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- should fail: not even the owner (a superuser) may change rows directly,
-- also not in replica mode, where ordinary triggers are skipped
UPDATE schemadrift_ddl_log SET statement = 'forged';
DELETE FROM schemadrift_ddl_log;
TRUNCATE schemadrift_ddl_log;
SET session_replication_role = replica;
UPDATE schemadrift_ddl_log SET statement = 'forged';
RESET session_replication_role;
UPDATE schemadrift_ddl_log_chain SET head_hash = 'forged';

-- purge: the one way to remove rows; it seals first, removes a sealed
-- prefix, and records itself
SELECT schemadrift_ddl_log_purge('100 years') AS deleted;
SELECT schemadrift_ddl_log_purge('0') > 0 AS deleted_some;
SELECT event, command_tag, object_type, object_identity,
	   regexp_replace(detail, '\d+', 'N', 'g') AS detail, statement
FROM schemadrift_ddl_log ORDER BY id;
SELECT ok, sealed_rows, pending_rows, first_broken_id, problem
FROM schemadrift_ddl_log_verify();

-- audit fails open: with the log gone, DDL still works (with a WARNING)
ALTER TABLE schemadrift_ddl_log RENAME TO schemadrift_ddl_log_moved;
CREATE TABLE while_log_missing ();
ALTER TABLE schemadrift_ddl_log_moved RENAME TO schemadrift_ddl_log;
DROP TABLE while_log_missing;
SELECT event, command_tag, object_identity FROM schemadrift_ddl_log
WHERE event <> 'purge' ORDER BY id;

-- tamper evidence: a superuser who bypasses the trigger to edit a sealed
-- row is caught by verify, which names the first broken link
SELECT ok, sealed_rows, pending_rows FROM schemadrift_ddl_log_verify();
SELECT min(id) AS victim FROM schemadrift_ddl_log WHERE command_tag = 'DROP TABLE' \gset
SELECT min(id) AS first_id FROM schemadrift_ddl_log \gset
ALTER TABLE schemadrift_ddl_log DISABLE TRIGGER schemadrift_ddl_log_protect;
UPDATE schemadrift_ddl_log SET statement = 'DROP TABLE nothing_to_see' WHERE id = :victim;
ALTER TABLE schemadrift_ddl_log ENABLE ALWAYS TRIGGER schemadrift_ddl_log_protect;
SELECT ok, first_broken_id - :first_id AS broken_at, :victim - :first_id AS edited, problem
FROM schemadrift_ddl_log_verify();
-- should fail: purge keeps the evidence of a broken chain
\set VERBOSITY terse
SELECT schemadrift_ddl_log_purge('0');
\set VERBOSITY default
-- a deleted row breaks the link of the row after it
ALTER TABLE schemadrift_ddl_log DISABLE TRIGGER schemadrift_ddl_log_protect;
UPDATE schemadrift_ddl_log SET statement = 'DROP TABLE while_log_missing' WHERE id = :victim;
DELETE FROM schemadrift_ddl_log WHERE id = :first_id;
ALTER TABLE schemadrift_ddl_log ENABLE ALWAYS TRIGGER schemadrift_ddl_log_protect;
SELECT ok, first_broken_id - :first_id AS broken_at, problem
FROM schemadrift_ddl_log_verify();

REVOKE SELECT ON schemadrift_ddl_log FROM regress_schemadrift_reader;
REVOKE CREATE ON SCHEMA public FROM regress_schemadrift_other;
DROP TABLE others_table;
DROP ROLE regress_schemadrift_reader, regress_schemadrift_other;

-- capture writes each row as an INSERT would: every index of the log holds
-- it (the primary key, and indexes an auditor adds, expression and partial
-- ones included), the log's constraints are checked, and INSERT triggers
-- added to the log fire.  A log as the install script made it is written
-- without running its INSERT triggers at all (schemadrift's own load
-- triggers would stand aside anyway): they are not called.
CREATE EXTENSION amcheck;
CREATE INDEX ddl_log_identity_idx ON schemadrift_ddl_log (object_identity);
CREATE INDEX ddl_log_tag_idx ON schemadrift_ddl_log (lower(command_tag)) WHERE NOT is_drop;
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset
SET track_functions = 'all';
BEGIN;
SELECT coalesce(pg_stat_get_xact_function_calls('schemadrift_ddl_log_load'::regproc), 0) AS calls \gset
CREATE TABLE indexed_capture (a integer PRIMARY KEY);
ALTER TABLE indexed_capture ADD COLUMN b text;
DROP TABLE indexed_capture;
SELECT coalesce(pg_stat_get_xact_function_calls('schemadrift_ddl_log_load'::regproc), 0) - :calls AS load_trigger_calls;
COMMIT;
SELECT bt_index_check(i, true) FROM (VALUES ('schemadrift_ddl_log_pkey'::regclass),
	('ddl_log_identity_idx'::regclass), ('ddl_log_tag_idx'::regclass)) v(i);
SET enable_seqscan = off;
SELECT id - :base AS n, command_tag, object_type, is_drop FROM schemadrift_ddl_log
WHERE object_identity = 'public.indexed_capture' ORDER BY id;
SELECT count(*) AS alter_rows FROM schemadrift_ddl_log
WHERE lower(command_tag) = 'alter table' AND NOT is_drop AND id > :base;
RESET enable_seqscan;

-- should fail (a WARNING, the DDL goes on): the log's constraints hold for
-- capture's rows, a primary key collision included
ALTER TABLE schemadrift_ddl_log ADD CONSTRAINT no_scratch
	CHECK (object_identity IS DISTINCT FROM 'public.scratch');
CREATE TABLE scratch ();
ALTER TABLE schemadrift_ddl_log DROP CONSTRAINT no_scratch;
-- a constraint's expression runs with search_path pinned to pg_catalog
CREATE FUNCTION ddl_log_path_pinned() RETURNS boolean LANGUAGE sql
	AS $$SELECT pg_catalog.current_setting('search_path') = 'pg_catalog, pg_temp'$$;
ALTER TABLE schemadrift_ddl_log ADD CONSTRAINT path_pinned
	CHECK (public.ddl_log_path_pinned()) NOT VALID;
CREATE TABLE pinned_check ();
ALTER TABLE schemadrift_ddl_log DROP CONSTRAINT path_pinned;
DROP FUNCTION ddl_log_path_pinned();
SELECT command_tag, object_identity FROM schemadrift_ddl_log
WHERE object_identity = 'public.pinned_check';
DROP TABLE pinned_check;
SELECT setval('schemadrift_ddl_log_id_seq', max(id) - 1) > 0 AS rewound FROM schemadrift_ddl_log;
DROP TABLE scratch;
SELECT setval('schemadrift_ddl_log_id_seq', max(id)) > 0 AS restored FROM schemadrift_ddl_log;
SELECT count(*) AS scratch_rows FROM schemadrift_ddl_log WHERE object_identity = 'public.scratch';
SELECT bt_index_check('schemadrift_ddl_log_pkey', true);

-- a log with a trigger or a column of its own is written by a plain INSERT:
-- the trigger fires (and so do schemadrift's load triggers, standing
-- aside), the column gets its default
CREATE FUNCTION ddl_log_notice() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN RAISE NOTICE 'logged % %', NEW.command_tag, NEW.object_identity; RETURN NEW; END$$;
CREATE TRIGGER ddl_log_notice AFTER INSERT ON schemadrift_ddl_log
	FOR EACH ROW EXECUTE FUNCTION ddl_log_notice();
ALTER TABLE schemadrift_ddl_log ADD COLUMN note text DEFAULT 'by INSERT';
BEGIN;
SELECT coalesce(pg_stat_get_xact_function_calls('schemadrift_ddl_log_load'::regproc), 0) AS calls \gset
CREATE TABLE via_insert ();
SELECT coalesce(pg_stat_get_xact_function_calls('schemadrift_ddl_log_load'::regproc), 0) - :calls AS load_trigger_calls;
COMMIT;
SELECT command_tag, object_identity, note FROM schemadrift_ddl_log
WHERE object_identity = 'public.via_insert';
DROP TRIGGER ddl_log_notice ON schemadrift_ddl_log;
ALTER TABLE schemadrift_ddl_log DROP COLUMN note;
-- and once they are gone (a dropped column left behind), directly again
BEGIN;
SELECT coalesce(pg_stat_get_xact_function_calls('schemadrift_ddl_log_load'::regproc), 0) AS calls \gset
DROP TABLE via_insert;
SELECT coalesce(pg_stat_get_xact_function_calls('schemadrift_ddl_log_load'::regproc), 0) - :calls AS load_trigger_calls;
COMMIT;
RESET track_functions;
SELECT command_tag, object_identity, is_drop FROM schemadrift_ddl_log
WHERE object_identity IN ('public.via_insert', 'public.schemadrift_ddl_log') AND id > :base
ORDER BY id;
SELECT bt_index_check(i, true) FROM (VALUES ('schemadrift_ddl_log_pkey'::regclass),
	('ddl_log_identity_idx'::regclass), ('ddl_log_tag_idx'::regclass)) v(i);

DROP INDEX ddl_log_identity_idx, ddl_log_tag_idx;
DROP FUNCTION ddl_log_notice();
DROP EXTENSION amcheck;
