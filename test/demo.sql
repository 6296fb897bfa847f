--
-- schemadrift demo: two databases that drifted, and what tells them apart.
-- Run by "test/quickstart.sh demo" on a throwaway cluster.
--
\set ON_ERROR_STOP 1
\pset pager off
\echo
\echo '== Two databases, prod and dev, built from the same migrations...'
CREATE DATABASE demo_prod;
CREATE DATABASE demo_dev;

\c demo_prod
CREATE EXTENSION schemadrift;
CREATE TYPE request_status AS ENUM ('draft', 'submitted', 'approved', 'rejected');
CREATE TABLE merchants (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name varchar(50) NOT NULL,
	email text NOT NULL,
	settings jsonb NOT NULL DEFAULT '{}');
CREATE INDEX merchants_settings_gin ON merchants USING gin (settings);
CREATE TABLE requests (
	id bigint PRIMARY KEY,
	merchant_id bigint NOT NULL REFERENCES merchants,
	status request_status NOT NULL DEFAULT 'draft');

\c demo_dev
-- dev still runs the previous release: updated at the end of the demo
CREATE EXTENSION schemadrift VERSION '0.1.0';
CREATE TYPE request_status AS ENUM ('draft', 'submitted', 'failed');
CREATE TABLE merchants (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name varchar(100) NOT NULL,
	email text,
	settings jsonb NOT NULL DEFAULT '{}',
	tax_id text);
CREATE TABLE requests (
	id bigint PRIMARY KEY,
	merchant_id bigint NOT NULL,
	status request_status NOT NULL DEFAULT 'draft');
-- rows the fix must not break: a name too long for prod's varchar(50), a
-- merchant without email
INSERT INTO merchants (name, email) VALUES ('Mom & Pop', 'pop@example.com'),
	('The Very Long Name Trading Company of Greater Springfield, Ltd.', NULL);

\echo
\echo '== ... but someone ran DDL by hand on dev.  Their fingerprints:'
\c demo_prod
SELECT 'prod' AS database, schemadrift_fingerprint() AS fingerprint;
SELECT schemadrift_snapshot() AS prod_snapshot \gset
\c demo_dev
SELECT 'dev' AS database, schemadrift_fingerprint() AS fingerprint;

\echo
\echo '== What must change in dev to match prod (a snapshot of prod is the source):'
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => :'prod_snapshot'::jsonb)
ORDER BY identity, attribute;

\echo
\echo '== The same, live: prod as a foreign server (postgres_fdw), read over libpq.'
\echo '== prod needs no schemadrift for this; the diff runs in dev:'
CREATE EXTENSION postgres_fdw;
SELECT format('CREATE SERVER prod FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L)',
			  split_part(current_setting('unix_socket_directories'), ',', 1),
			  current_setting('port'), 'demo_prod') \gexec
CREATE USER MAPPING FOR CURRENT_USER SERVER prod;
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => 'prod',
					  options => '{"exclude": ["postgres_fdw", "prod"]}')
ORDER BY identity, attribute;

\echo
\echo '== Snapshots are plain jsonb, for git; one object of prod:'
SELECT jsonb_pretty(o) AS "merchants.name in prod"
FROM jsonb_array_elements((:'prod_snapshot'::jsonb)->'objects') o
WHERE o->>'identity' = 'public.merchants.name';

\echo
\echo '== Who changed what: the DDL audit log of dev (recorded by event triggers)'
\c demo_dev
SET schemadrift.change_reason = 'DEMO-1: VAT numbers for EU merchants';
ALTER TABLE merchants ADD COLUMN vat_number text;
RESET schemadrift.change_reason;
SELECT id, session_user_name, command_tag, object_type, object_identity, change_reason,
	   left(regexp_replace(statement, '\s+', ' ', 'g'), 50) AS statement
FROM schemadrift_ddl_log ORDER BY id DESC LIMIT 6;
SELECT ok, sealed_rows, pending_rows FROM schemadrift_ddl_log_verify();

\echo
\echo '== dev ran schemadrift 0.1.0 all along; updating keeps its log and chain:'
SELECT count(*) AS log_rows_before FROM schemadrift_ddl_log;
ALTER EXTENSION schemadrift UPDATE;
SELECT * FROM schemadrift_version();
-- 0.2.0 reads a server's fingerprint, snapshot and objects too
SELECT schemadrift_fingerprint(server => 'prod') AS "prod's fingerprint, read from dev";
SELECT ok, sealed_rows, pending_rows FROM schemadrift_ddl_log_verify();

\echo
\echo '== Fix it: the script that makes dev match prod (read live).  Drops and other'
\echo '== destructive steps stay comments unless allow_destructive is passed; dev''s'
\echo '== rows are counted first: a step they would make fail is left to a person:'
\set fixopts '{"exclude": ["postgres_fdw", "prod"]}'
SELECT schemadrift_sync_sql(source => 'prod', options => :'fixopts') AS sync_script \gset
\echo :sync_script
\echo
\echo '== Applied to dev, guarded: only if dev still has the fingerprint the script'
\echo '== was planned against; then what is left must be what the script left to a person:'
SELECT statements, as_planned, jsonb_array_length(remaining) AS rows_left
FROM schemadrift_apply(NULL, :'sync_script');
SELECT kind, identity, change, attribute, left(note, 70) AS note
FROM schemadrift_diff(source => 'prod', options => :'fixopts')
ORDER BY identity, attribute;
\echo
\echo '== The same script again is refused: dev has changed since it was planned'
\set ON_ERROR_STOP 0
SELECT * FROM schemadrift_apply(NULL, :'sync_script');
\set ON_ERROR_STOP 1

\echo
\echo '== The guard: on prod only the deployer may change schema public, with a ticket'
\c demo_prod
CREATE ROLE demo_deployer;
CREATE ROLE demo_alice;
GRANT CREATE ON SCHEMA public TO demo_deployer, demo_alice;
SELECT schemadrift_guard_allow(role => 'demo_deployer', schemas => '{public}',
							   reason_pattern => '^CHG-[0-9]+$') AS rule;
SET schemadrift.guard = enforce;
SET ROLE demo_alice;
\set ON_ERROR_STOP 0
CREATE TABLE public.hotfix (id int);
\set ON_ERROR_STOP 1
SET ROLE demo_deployer;
SET schemadrift.change_reason = 'CHG-42';
CREATE TABLE public.release_42 (id int);
RESET ROLE;
RESET schemadrift.guard;
RESET schemadrift.change_reason;
DROP TABLE public.release_42;

\echo
\echo '== The CI gate: prod''s schema in git as snapshot text, one object per line...'
SELECT split_part(current_setting('unix_socket_directories'), ',', 1) AS demo_dir \gset
\setenv SNAPSHOT :demo_dir/prod.snapshot
\setenv PROD 'host=':demo_dir' port=':PORT' dbname=demo_prod'
SELECT :'demo_dir' || '/prod.snapshot' AS snapshot_file \gset
SELECT schemadrift_snapshot_text() \g (format=unaligned tuples_only=on) :snapshot_file
\! head -c 400 "$SNAPSHOT"; echo ' ...'
\echo
\echo '== ... then a column added by hand on prod: schemadrift-check fails (exit 1)'
ALTER TABLE merchants ADD COLUMN notes text;
\! schemadrift-check --source "$SNAPSHOT" --target "$PROD" --format markdown; echo "exit status $?"
\echo
\echo '== The same gate in SQL raises SD001, listing the drift:'
\set snap `cat "$SNAPSHOT"`
\set ON_ERROR_STOP 0
SELECT schemadrift_assert_no_drift(source => :'snap'::jsonb);
\set ON_ERROR_STOP 1
\echo
\echo '== The column is dropped again: the gate passes (exit 0)'
ALTER TABLE merchants DROP COLUMN notes;
\! schemadrift-check --source "$SNAPSHOT" --target "$PROD"; echo "exit status $?"
\echo
\echo '== A named baseline is a side too; a stamped version knows its fingerprint:'
SELECT schemadrift_baseline_save('release-42', 'after CHG-42') IS NOT NULL AS baseline_saved;
SELECT schemadrift_version_stamp('42', '[{"name": "0042_release.sql", "checksum": "9f86d081"}]') IS NOT NULL AS version_stamped;
CREATE INDEX merchants_email ON merchants (email);
SELECT kind, identity, change FROM schemadrift_diff(source => 'baseline:release-42');
\echo
\echo '== Who made that drift?  The diff with explain names its audit log entry:'
SELECT identity, change, changed_on, changed_by, application_name, command_tag, statement
FROM schemadrift_diff(source => 'baseline:release-42', options => '{"explain": true}');
SELECT version, matches, missing, extra, changed FROM schemadrift_status();

\c postgres
DROP DATABASE demo_prod;
DROP DATABASE demo_dev;
DROP ROLE demo_deployer, demo_alice;
