--
-- remote: foreign servers as sides, through loopback servers to a second
-- database of this cluster that has no schemadrift installed
--
-- (the loopback host is this cluster's socket directory, which differs
-- from run to run: connection errors are shown without their detail)
CREATE DATABASE regress_sd_remote;
\c regress_sd_remote
CREATE SCHEMA rmt;
CREATE TABLE rmt.accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text DEFAULT 'free');
CREATE INDEX accounts_email ON rmt.accounts (lower(email));
CREATE VIEW rmt.free_accounts AS SELECT id FROM rmt.accounts WHERE plan = 'free';
-- a hostile search_path for every session of the remote database: its
-- functions and operators shadow pg_catalog's, and raise if ever called
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.set_config(text, text, boolean) RETURNS text
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hostile set_config called'; END$$;
CREATE FUNCTION hostile.oideq(oid, oid) RETURNS boolean
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hostile = called'; END$$;
CREATE OPERATOR hostile.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = hostile.oideq);
CREATE FUNCTION hostile.format_type(oid, integer) RETURNS text
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hostile format_type called'; END$$;
ALTER DATABASE regress_sd_remote SET search_path = hostile, pg_catalog, public;

\c contrib_regression
CREATE EXTENSION postgres_fdw;
CREATE EXTENSION dblink;
-- the same schema here, to compare with
CREATE SCHEMA rmt;
CREATE TABLE rmt.accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text DEFAULT 'free');
CREATE INDEX accounts_email ON rmt.accounts (lower(email));
CREATE VIEW rmt.free_accounts AS SELECT id FROM rmt.accounts WHERE plan = 'free';
-- (the extensions, servers and user mappings this side has are not the
-- remote's: left out of the comparison)
\set o '{"include_schemas": ["rmt"], "ignore": ["owner"], "exclude": ["dblink", "postgres_fdw", "regress_sd_%"]}'

DO $$
BEGIN
	EXECUTE format('CREATE SERVER regress_sd_loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_remote', current_setting('port'));
	EXECUTE format('CREATE SERVER regress_sd_loopback_dblink FOREIGN DATA WRAPPER dblink_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_remote', current_setting('port'));
	EXECUTE format('CREATE SERVER regress_sd_refused FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, host %L, port %L)',
				   'regress_sd_remote', '127.0.0.1', '1');
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_loopback;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_loopback_dblink;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_refused;

-- the remote needs no schemadrift; equal schemas compare equal, through
-- either wrapper, in every function; the hostile search_path changes
-- nothing and runs none of its functions
SELECT extname FROM dblink('dbname=regress_sd_remote port=' || current_setting('port'),
						   'SELECT extname FROM pg_catalog.pg_extension ORDER BY 1') AS t(extname name);
SELECT count(*) AS drift FROM schemadrift_diff('regress_sd_loopback', options => :'o');
SELECT count(*) AS drift FROM schemadrift_diff(NULL, 'regress_sd_loopback_dblink', :'o'::jsonb);
SELECT schemadrift_fingerprint(:'o', server => 'regress_sd_loopback') = schemadrift_fingerprint(:'o') AS same_fingerprint;
SELECT schemadrift_snapshot(:'o', server => 'regress_sd_loopback_dblink') = schemadrift_snapshot(:'o') AS same_snapshot;
SELECT kind, identity FROM schemadrift_objects(:'o', server => 'regress_sd_loopback') ORDER BY identity COLLATE "C", kind;

-- a drift on the remote shows, in both directions
\c regress_sd_remote
ALTER TABLE rmt.accounts ADD COLUMN tax_id text;
ALTER TABLE rmt.accounts ALTER COLUMN plan SET DEFAULT 'trial';
\c contrib_regression
\set o '{"include_schemas": ["rmt"], "ignore": ["owner"], "exclude": ["dblink", "postgres_fdw", "regress_sd_%"]}'
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff('regress_sd_loopback', options => :'o')
ORDER BY identity COLLATE "C", attribute;
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(target => NULL, source => 'regress_sd_loopback', options => :'o')
ORDER BY identity COLLATE "C", attribute;

-- hash first: only the schemas and units that differ travel; the rows are
-- those of a full read of the remote (its snapshot), in both directions,
-- with a schema only there, one only here, one equal, a table only here
\c regress_sd_remote
CREATE SCHEMA only_there;
CREATE TABLE only_there.t (id int);
CREATE SCHEMA same;
CREATE TABLE same.t (id int PRIMARY KEY, v text);
\c contrib_regression
CREATE SCHEMA only_here;
CREATE TABLE only_here.t (id int);
CREATE SCHEMA same;
CREATE TABLE same.t (id int PRIMARY KEY, v text);
CREATE TABLE rmt.only_here_table (id int CHECK (id > 0));
-- (this side's servers, which the remote lacks, are left in: the hash-first
-- read folds their user mappings into them as the full read does)
\set o2 '{"include_schemas": ["rmt", "only_there", "only_here", "same"], "ignore": ["owner"], "exclude": ["dblink", "postgres_fdw"]}'
SELECT schemadrift_snapshot(:'o2', server => 'regress_sd_loopback') AS remote_snap \gset
CREATE TEMP TABLE hash_first AS SELECT * FROM schemadrift_diff('regress_sd_loopback', options => :'o2');
CREATE TEMP TABLE full_read AS SELECT * FROM schemadrift_diff(target => :'remote_snap'::jsonb, options => :'o2');
CREATE TEMP TABLE hash_first_rev AS SELECT * FROM schemadrift_diff(source => 'regress_sd_loopback', options => :'o2');
CREATE TEMP TABLE full_read_rev AS SELECT * FROM schemadrift_diff(source => :'remote_snap'::jsonb, options => :'o2');
SELECT (SELECT count(*) FROM hash_first) AS rows,
	   (SELECT count(*) FROM (TABLE hash_first EXCEPT ALL TABLE full_read) d) +
	   (SELECT count(*) FROM (TABLE full_read EXCEPT ALL TABLE hash_first) d) AS differ,
	   (SELECT count(*) FROM hash_first_rev) AS rows_rev,
	   (SELECT count(*) FROM (TABLE hash_first_rev EXCEPT ALL TABLE full_read_rev) d) +
	   (SELECT count(*) FROM (TABLE full_read_rev EXCEPT ALL TABLE hash_first_rev) d) AS differ_rev;
SELECT kind, identity, change, attribute, note FROM hash_first ORDER BY identity COLLATE "C", attribute;
SELECT schemadrift_fingerprint(:'o2', server => 'regress_sd_loopback') = (:'remote_snap'::jsonb)->>'fingerprint' AS fingerprint_from_schema_hashes;
DROP TABLE hash_first, full_read, hash_first_rev, full_read_rev;
DROP SCHEMA only_here, same CASCADE;
DROP TABLE rmt.only_here_table;

-- over several connections that share one snapshot: the same objects,
-- hashes, fingerprints and diffs (both hash-first rounds) as over one.
-- schemadrift.parallel_min_relations = 0 splits even this small database
-- (its default, 1000, keeps it on one connection); a view's INSTEAD OF
-- trigger is read in a slice, the view itself whole (a unit split between
-- connections)
\c regress_sd_remote
\set many_tables 40
\i test/fixtures/remote_many.sql
ALTER TABLE many.t17 ADD COLUMN only_there int;
\c contrib_regression
\set many_tables 41
\i test/fixtures/remote_many.sql
ALTER TABLE many.t33 ALTER COLUMN v SET DEFAULT 'here';
CREATE SCHEMA same;
CREATE TABLE same.t (id int PRIMARY KEY, v text);
\set o4 '{"include_schemas": ["rmt", "many", "only_there", "same"], "ignore": ["owner"], "exclude": ["dblink", "postgres_fdw", "regress_sd_%"]}'
\set o5 '{"include_schemas": ["same"], "ignore": ["owner"], "exclude": ["dblink", "postgres_fdw", "regress_sd_%"]}'
SET schemadrift.parallel_min_relations = 0;
CREATE TEMP TABLE reads (connections int, what text, kind text, identity text, attribute text, v text);
SET schemadrift.remote_connections = 1;
\set n 1
INSERT INTO reads SELECT :n, 'objects', kind, identity, NULL, hash FROM schemadrift_objects(:'o4', server => 'regress_sd_loopback');
INSERT INTO reads SELECT :n, 'fingerprint', NULL, NULL, NULL, schemadrift_fingerprint(:'o4', server => 'regress_sd_loopback');
INSERT INTO reads SELECT :n, 'snapshot', NULL, NULL, NULL, schemadrift_snapshot(:'o4', server => 'regress_sd_loopback')::text;
INSERT INTO reads SELECT :n, 'diff', kind, identity, attribute, change || ' ' || coalesce(source_value, '') || ' ' || coalesce(target_value, '')
FROM schemadrift_diff('regress_sd_loopback', options => :'o4');
INSERT INTO reads SELECT :n, 'diff reversed', kind, identity, attribute, change || ' ' || coalesce(source_value, '') || ' ' || coalesce(target_value, '')
FROM schemadrift_diff(source => 'regress_sd_loopback', options => :'o4');
INSERT INTO reads SELECT :n, 'diff equal', NULL, NULL, NULL, count(*)::text FROM schemadrift_diff('regress_sd_loopback', options => :'o5');
SET schemadrift.remote_connections = 4;
\set n 4
INSERT INTO reads SELECT :n, 'objects', kind, identity, NULL, hash FROM schemadrift_objects(:'o4', server => 'regress_sd_loopback');
INSERT INTO reads SELECT :n, 'fingerprint', NULL, NULL, NULL, schemadrift_fingerprint(:'o4', server => 'regress_sd_loopback');
INSERT INTO reads SELECT :n, 'snapshot', NULL, NULL, NULL, schemadrift_snapshot(:'o4', server => 'regress_sd_loopback')::text;
INSERT INTO reads SELECT :n, 'diff', kind, identity, attribute, change || ' ' || coalesce(source_value, '') || ' ' || coalesce(target_value, '')
FROM schemadrift_diff('regress_sd_loopback', options => :'o4');
INSERT INTO reads SELECT :n, 'diff reversed', kind, identity, attribute, change || ' ' || coalesce(source_value, '') || ' ' || coalesce(target_value, '')
FROM schemadrift_diff(source => 'regress_sd_loopback', options => :'o4');
INSERT INTO reads SELECT :n, 'diff equal', NULL, NULL, NULL, count(*)::text FROM schemadrift_diff('regress_sd_loopback', options => :'o5');
SELECT what, count(*) FILTER (WHERE connections = 1) AS rows,
	   (SELECT count(*) FROM (SELECT kind, identity, attribute, v FROM reads r WHERE r.what = w.what AND connections = 1
							  EXCEPT ALL
							  SELECT kind, identity, attribute, v FROM reads r WHERE r.what = w.what AND connections = 4) d) +
	   (SELECT count(*) FROM (SELECT kind, identity, attribute, v FROM reads r WHERE r.what = w.what AND connections = 4
							  EXCEPT ALL
							  SELECT kind, identity, attribute, v FROM reads r WHERE r.what = w.what AND connections = 1) d) AS differ
FROM reads w GROUP BY what ORDER BY what;
SELECT v AS equal_diff_rows FROM reads WHERE what = 'diff equal' AND connections = 4;
SELECT kind, identity, attribute, v FROM reads WHERE connections = 4 AND what IN ('diff', 'diff reversed') ORDER BY what, identity COLLATE "C", attribute;
RESET schemadrift.remote_connections;
RESET schemadrift.parallel_min_relations;
DROP TABLE reads;
SET client_min_messages = warning;
DROP SCHEMA many, same CASCADE;
\c regress_sd_remote
SET client_min_messages = warning;
DROP SCHEMA many CASCADE;
\c contrib_regression

-- many servers in one call, read at the same time: the same database
-- through two wrappers (one group, the drift above counted once), a port
-- where nothing listens and a server that does not exist (rows with errors)
SET schemadrift.connect_timeout = 2;
SELECT server, fingerprint = schemadrift_fingerprint(:'o', server => 'regress_sd_loopback') AS fingerprint_ok,
	   matches, group_id, missing, extra, changed, split_part(error, E'\n', 1) AS error
FROM schemadrift_fleet(ARRAY['regress_sd_loopback', 'regress_sd_refused', 'regress_sd_nowhere',
							 'regress_sd_loopback_dblink'], options => :'o')
ORDER BY server;
-- against a snapshot of the remote: it matches
SELECT server, matches, missing, extra, changed, error
FROM schemadrift_fleet(ARRAY['regress_sd_loopback'], source => schemadrift_snapshot(:'o', server => 'regress_sd_loopback'), options => :'o');
-- should fail: no servers array, or a NULL in it
SELECT * FROM schemadrift_fleet(NULL);
SELECT * FROM schemadrift_fleet(ARRAY['regress_sd_loopback', NULL]);
RESET schemadrift.connect_timeout;

-- a remote that has schemadrift computes its schema hashes in C (with its
-- parallel workers), and they are the SQL path's
\set o3 '{"include_schemas": ["rmt"], "ignore": ["owner"], "exclude": ["dblink", "postgres_fdw", "server", "user mapping", "foreign-data wrapper", "schemadrift"]}'
SELECT schemadrift_fingerprint(:'o3', server => 'regress_sd_loopback') AS fp_sql \gset
\c regress_sd_remote
CREATE EXTENSION schemadrift;
ALTER DATABASE regress_sd_remote SET track_functions = 'all';
\c contrib_regression
SELECT schemadrift_fingerprint(:'o3', server => 'regress_sd_loopback') = :'fp_sql' AS same_from_c;
SELECT count(*) AS drift FROM schemadrift_diff(target => 'regress_sd_loopback', source => 'regress_sd_loopback_dblink', options => :'o3');
-- ... and, where a bucket of units differs, the units that differ: the rows
-- are those of a full read (among them a drifted table whose column owns a
-- sequence: the sequence is of the table's unit, not of its own bucket)
\c regress_sd_remote
CREATE TABLE rmt.serials (id serial PRIMARY KEY, v int);
\c contrib_regression
CREATE TABLE rmt.serials (id serial PRIMARY KEY, v int, w int);
CREATE TABLE rmt.only_here (id int PRIMARY KEY);
CREATE TEMP TABLE hash_first AS SELECT * FROM schemadrift_diff('regress_sd_loopback', options => :'o3');
CREATE TEMP TABLE full_read AS SELECT * FROM schemadrift_diff(
	target => schemadrift_snapshot(:'o3', server => 'regress_sd_loopback'), options => :'o3');
SELECT (SELECT count(*) FROM hash_first) AS rows,
	   (SELECT count(*) FROM (TABLE hash_first EXCEPT ALL TABLE full_read) d) +
	   (SELECT count(*) FROM (TABLE full_read EXCEPT ALL TABLE hash_first) d) AS differ;
SELECT kind, identity, change FROM hash_first ORDER BY kind, identity;
DROP TABLE hash_first, full_read, rmt.only_here, rmt.serials;
\c regress_sd_remote
DROP TABLE rmt.serials;
\c contrib_regression
-- the fleet asks it in C too
SELECT server, fingerprint = :'fp_sql' AS same_fingerprint, matches, error
FROM schemadrift_fleet(ARRAY['regress_sd_loopback'], options => :'o3');
\c regress_sd_remote
DO $$
BEGIN
	FOR i IN 1..100 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN (SELECT sum(calls) FROM pg_stat_user_functions WHERE funcname = 'schemadrift_schema_hashes') >= 2
			  AND (SELECT sum(calls) FROM pg_stat_user_functions WHERE funcname = 'schemadrift_unit_digests') >= 3
			  AND (SELECT sum(calls) FROM pg_stat_user_functions WHERE funcname = 'schemadrift_unit_objects') >= 2;
		PERFORM pg_sleep(0.05);
	END LOOP;
END
$$;
-- (schema hashes: the fingerprint and the fleet; unit digests: the two diffs
-- and the fleet's count of the drift; unit objects: the second round of the
-- two diffs that found drift)
SELECT funcname, sum(calls) AS asked_in_c FROM pg_stat_user_functions
WHERE funcname IN ('schemadrift_schema_hashes', 'schemadrift_unit_digests', 'schemadrift_unit_objects')
GROUP BY funcname ORDER BY funcname;
DROP EXTENSION schemadrift;
ALTER DATABASE regress_sd_remote RESET track_functions;
\c contrib_regression

-- the second round, asked here directly: with every bucket and no units of
-- the other side's, every object comes back, with the hash a read gives it
SELECT count(*) AS objects, count(*) FILTER (WHERE o.hash = u.hash AND o.attrs = u.attrs::jsonb) AS same
FROM schemadrift_objects(:'o3') o
	 FULL JOIN schemadrift_unit_objects(:'o3', ARRAY(SELECT generate_series(0, 4095)), '{}') u
	 USING (kind, identity);
-- a unit the other side has with the same hash does not come back, one it
-- has with another hash does, and one this database lacks is named (the
-- unit hashes computed here from the rows, as the other side computes them)
WITH all_units AS (
	SELECT u.*, '0:' || (SELECT string_agg('|' || octet_length(p) || ':' || p, '' ORDER BY n)
						 FROM unnest(coalesce(u.parent, u.key)) WITH ORDINALITY x(p, n)) AS unit,
		   octet_length(u.kind) || ':' || u.kind ||
		   (SELECT string_agg('|' || octet_length(p) || ':' || p, '' ORDER BY n)
			FROM unnest(u.key) WITH ORDINALITY x(p, n)) AS mkey
	FROM schemadrift_unit_objects(:'o3', ARRAY(SELECT generate_series(0, 4095)), '{}') u),
other AS (
	SELECT jsonb_object_agg(unit, encode(sha256(convert_to(lines, 'UTF8')), 'hex')) ||
		   '{"0:|3:rmt|13:free_accounts": "x", "0:|3:rmt|8:not_here": "x"}' AS units
	FROM (SELECT unit, string_agg(mkey || ' ' || hash || E'\n', '' ORDER BY mkey COLLATE "C") AS lines
		  FROM all_units WHERE unit = '0:|3:rmt|8:accounts' GROUP BY unit) a)
SELECT u.kind, u.identity, u.hash IS NOT NULL AS has_hash
FROM other, schemadrift_unit_objects(:'o3', ARRAY(SELECT generate_series(0, 4095)), other.units) u
WHERE u.identity ~ '^rmt\.(accounts|free_accounts)' OR u.identity ~ 'not_here' OR u.kind IS NULL
ORDER BY u.kind, u.identity;
-- where the first round read this database earlier in the transaction,
-- the second answers from that read: the same rows as a read
CREATE TEMP TABLE units_read AS
SELECT * FROM schemadrift_unit_objects('{}', '{}', '{}') WITH NO DATA;
INSERT INTO units_read
SELECT * FROM schemadrift_unit_objects(:'o3', ARRAY(SELECT generate_series(0, 4095)), '{"0:|3:rmt|8:not_here": "x"}');
BEGIN;
SELECT root ~ '^[0-9a-f]{32}$' AS first_round FROM schemadrift_unit_digests(:'o3');
CREATE TEMP TABLE units_kept ON COMMIT DROP AS
SELECT * FROM schemadrift_unit_objects(:'o3', ARRAY(SELECT generate_series(0, 4095)), '{"0:|3:rmt|8:not_here": "x"}');
SELECT (SELECT count(*) FROM units_read) AS rows,
	   (SELECT count(*) FROM (TABLE units_kept EXCEPT ALL TABLE units_read) d) +
	   (SELECT count(*) FROM (TABLE units_read EXCEPT ALL TABLE units_kept) d) AS differ;
COMMIT;
DROP TABLE units_read;
-- should fail: NULL buckets, a bucket out of range, a two-dimensional array,
-- units that are not an object
SELECT * FROM schemadrift_unit_objects('{}', NULL, '{}');
SELECT * FROM schemadrift_unit_objects('{}', '{4096}', '{}');
SELECT * FROM schemadrift_unit_objects('{}', '{{1}}', '{}');
SELECT * FROM schemadrift_unit_objects('{}', '{1, NULL}', '{}');
SELECT * FROM schemadrift_unit_objects('{}', '{}', '["0:|3:rmt|1:t"]');

-- should fail: a server of another wrapper
CREATE FOREIGN DATA WRAPPER regress_sd_other;
CREATE SERVER regress_sd_other_srv FOREIGN DATA WRAPPER regress_sd_other;
SELECT schemadrift_fingerprint(server => 'regress_sd_other_srv');
\echo :LAST_ERROR_SQLSTATE
-- should fail: no user mapping for this role
DO $$
BEGIN
	EXECUTE format('CREATE SERVER regress_sd_unmapped FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_remote', current_setting('port'));
END
$$;
SELECT schemadrift_fingerprint(server => 'regress_sd_unmapped');
\echo :LAST_ERROR_SQLSTATE
-- should fail: nothing listens there
\set VERBOSITY terse
SELECT schemadrift_fingerprint(server => 'regress_sd_refused');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- should fail: a timeout out of range (the message's units differ by major)
\set VERBOSITY sqlstate
SET schemadrift.connect_timeout = 0;
\set VERBOSITY default
SET schemadrift.remote_timeout = '1 min';
SHOW schemadrift.remote_timeout;
RESET schemadrift.remote_timeout;

--
-- non-superusers never reach a remote with the server's own credentials
-- (this cluster trusts local connections: a password is never asked for)
--
CREATE ROLE regress_schemadrift_reader;
GRANT CREATE ON SCHEMA public TO regress_schemadrift_reader;
CREATE USER MAPPING FOR regress_schemadrift_reader SERVER regress_sd_loopback_dblink;
SET ROLE regress_schemadrift_reader;
-- should fail: no USAGE on the server
SELECT schemadrift_fingerprint(server => 'regress_sd_loopback');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER regress_sd_loopback, regress_sd_loopback_dblink TO regress_schemadrift_reader;
CREATE USER MAPPING FOR regress_schemadrift_reader SERVER regress_sd_loopback;
SET ROLE regress_schemadrift_reader;
-- should fail: a mapping without a password (trust, peer, .pgpass and the
-- server's environment are never borrowed), on either wrapper
SELECT schemadrift_fingerprint(server => 'regress_sd_loopback');
\echo :LAST_ERROR_SQLSTATE
SELECT schemadrift_fingerprint(server => 'regress_sd_loopback_dblink');
\echo :LAST_ERROR_SQLSTATE
-- should fail: a password the remote never asks for (trust); the error
-- does not show it
ALTER USER MAPPING FOR regress_schemadrift_reader SERVER regress_sd_loopback
	OPTIONS (ADD user 'postgres', ADD password 'S3cr3t-mapping');
SELECT schemadrift_fingerprint(server => 'regress_sd_loopback');
\echo :LAST_ERROR_SQLSTATE
-- should fail: a non-superuser cannot waive the password (postgres_fdw's rule)
ALTER USER MAPPING FOR regress_schemadrift_reader SERVER regress_sd_loopback
	OPTIONS (ADD password_required 'false');
RESET ROLE;
-- should fail: a server option that names the server's own files
ALTER SERVER regress_sd_loopback_dblink OPTIONS (ADD passfile '/var/lib/postgresql/.pgpass');
ALTER USER MAPPING FOR regress_schemadrift_reader SERVER regress_sd_loopback_dblink
	OPTIONS (ADD password 'S3cr3t-mapping');
SET ROLE regress_schemadrift_reader;
SELECT schemadrift_fingerprint(server => 'regress_sd_loopback_dblink');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
ALTER SERVER regress_sd_loopback_dblink OPTIONS (DROP passfile);
-- a superuser may waive the password on a postgres_fdw mapping: then the
-- non-superuser reads
ALTER USER MAPPING FOR regress_schemadrift_reader SERVER regress_sd_loopback
	OPTIONS (DROP password, ADD password_required 'false');
SET ROLE regress_schemadrift_reader;
SELECT identity, change, attribute FROM schemadrift_diff('regress_sd_loopback', options => :'o')
ORDER BY identity COLLATE "C";
RESET ROLE;

-- no secret in any of it
SELECT count(*) AS secrets_in_mappings_visible_to_schemadrift
FROM schemadrift_objects() WHERE attrs::text LIKE '%S3cr3t%';

DROP USER MAPPING FOR regress_schemadrift_reader SERVER regress_sd_loopback;
DROP USER MAPPING FOR regress_schemadrift_reader SERVER regress_sd_loopback_dblink;
REVOKE ALL ON FOREIGN SERVER regress_sd_loopback, regress_sd_loopback_dblink FROM regress_schemadrift_reader;
REVOKE CREATE ON SCHEMA public FROM regress_schemadrift_reader;
DROP ROLE regress_schemadrift_reader;
DROP SERVER regress_sd_other_srv;
DROP FOREIGN DATA WRAPPER regress_sd_other;
DROP SERVER regress_sd_loopback, regress_sd_loopback_dblink, regress_sd_refused, regress_sd_unmapped CASCADE;
DROP EXTENSION dblink;
DROP EXTENSION postgres_fdw;
DROP SCHEMA rmt CASCADE;
DROP DATABASE regress_sd_remote;
