--
-- apply: schemadrift_apply, the guarded apply of a sync script, through a
-- loopback foreign server to a second database of this cluster and
-- through a loopback connection to this database
--
-- (fingerprints are shown as "(fingerprint)": they move with the object
-- model; the loopback host differs from run to run)
SET client_min_messages = warning;
CREATE DATABASE regress_sd_apply;
CREATE ROLE regress_apply_user;
RESET client_min_messages;
\c regress_sd_apply
CREATE SCHEMA ap;
CREATE TABLE ap.accounts (id bigint PRIMARY KEY, email text, plan text);
INSERT INTO ap.accounts VALUES (1, 'a@example.com', 'free'), (2, 'b@example.com', 'pro');
CREATE INDEX accounts_plan ON ap.accounts (plan);
CREATE TABLE ap.old_notes (id int);

\c contrib_regression
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
DO $$
BEGIN
	EXECUTE format('CREATE SERVER regress_sd_apply_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_apply', current_setting('port'));
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_apply_srv;

-- the source: this database
CREATE SCHEMA ap;
CREATE TABLE ap.accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text DEFAULT 'free',
						  created date);
CREATE UNIQUE INDEX accounts_email ON ap.accounts (email);
-- (a view over no table: its definition prints alike on every major)
CREATE VIEW ap.pro_accounts AS SELECT 'pro'::text AS plan;
-- (this side's extension, server and user mapping are not the target's)
\set o '{"include_schemas": ["ap"], "ignore": ["owner"], "exclude": ["postgres_fdw", "regress_sd_%"]}'

-- helpers (in a schema of their own: the sessions change)
CREATE SCHEMA regress_apply_util;
CREATE FUNCTION regress_apply_util.masked(t text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(t, '[0-9a-f]{64}', '(fingerprint)', 'g'),
						  '\n-- schemadrift-plan: [^\n]*', E'\n-- schemadrift-plan: (plan)'),
						  '-- generated: [^\n]*', '-- generated: (time)')
$$;
-- an apply's error, with its detail and context, fingerprints masked
CREATE FUNCTION regress_apply_util.try_apply(target text, script text, options jsonb DEFAULT '{}')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	msg text; det text; ctx text; st text;
BEGIN
	PERFORM schemadrift_apply(target, script, options);
	RETURN 'applied';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, st = RETURNED_SQLSTATE,
		ctx = PG_EXCEPTION_CONTEXT;
	RETURN regress_apply_util.masked(st || ': ' || msg || coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nCONTEXT: ' || (SELECT string_agg(l, E'\n') FROM regexp_split_to_table(ctx, E'\n') l
									   WHERE l LIKE 'schemadrift_apply:%' OR l LIKE 'remote server%'), ''));
END
$$;

-- the plan: the remote's ap made to match this one's; the extra table's
-- drop is destructive and stays a comment; the header carries the plan
SELECT schemadrift_sync_sql('regress_sd_apply_srv', options => :'o') AS script \gset
SELECT regress_apply_util.masked(:'script') AS script;
SELECT schemadrift_fingerprint(:'o', server => 'regress_sd_apply_srv') AS before \gset

-- apply: what ran, the fingerprints, and what remains is exactly what the
-- script skipped
SELECT statements, fingerprint_before = :'before' AS before_is_planned,
	   fingerprint_after = schemadrift_fingerprint(:'o', server => 'regress_sd_apply_srv') AS after_is_read,
	   remaining, as_planned
FROM schemadrift_apply('regress_sd_apply_srv', :'script');
SELECT kind, identity, change FROM schemadrift_diff('regress_sd_apply_srv', options => :'o');

-- should fail: the same script again: the target changed since the plan
-- (it was applied); the detail lists the differences from the plan
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', :'script');

-- should fail: a failing statement rolls its transaction back: the target
-- is unchanged.  Duplicates entered after the plan (data only: the
-- fingerprint is the planned one) break a new unique index
\c regress_sd_apply
CREATE TABLE ap.tags (id int, label text);
INSERT INTO ap.tags VALUES (1, 'x'), (2, 'x');
\c contrib_regression
CREATE TABLE ap.tags (id int, label text);
CREATE UNIQUE INDEX tags_label ON ap.tags (label);
ALTER TABLE ap.tags ADD COLUMN note text;
SELECT schemadrift_sync_sql('regress_sd_apply_srv', options => '{"include_schemas": ["ap"], "ignore": ["owner"], "exclude": ["postgres_fdw", "regress_sd_%"], "count_rows": false}') AS script \gset
SELECT schemadrift_fingerprint(:'o', server => 'regress_sd_apply_srv') AS before \gset
SELECT regress_apply_util.masked(:'script') AS script;
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', :'script');
SELECT schemadrift_fingerprint(:'o', server => 'regress_sd_apply_srv') = :'before' AS target_unchanged;

-- CONCURRENTLY: the index is built outside any transaction
\c regress_sd_apply
DELETE FROM ap.tags WHERE id = 2;
\c contrib_regression
SELECT schemadrift_sync_sql('regress_sd_apply_srv', options => '{"include_schemas": ["ap"], "ignore": ["owner"], "exclude": ["postgres_fdw", "regress_sd_%"], "concurrently": true}') AS script \gset
SELECT regress_apply_util.masked(:'script') AS script;
SELECT statements, remaining, as_planned FROM schemadrift_apply('regress_sd_apply_srv', :'script');

-- this database, through a loopback connection (superusers only); the
-- source is a snapshot, given again for the check afterwards
CREATE SCHEMA ap_local;
CREATE TABLE ap_local.items (id int PRIMARY KEY, name text NOT NULL);
SELECT schemadrift_snapshot('{"include_schemas": ["ap_local"]}') AS wanted \gset
ALTER TABLE ap_local.items DROP COLUMN name;
CREATE TABLE ap_local.junk (id int);
SELECT schemadrift_sync_sql(source => :'wanted'::jsonb, options => '{"include_schemas": ["ap_local"]}') AS script \gset
SELECT regress_apply_util.masked(:'script') AS script;
SELECT statements, remaining, as_planned
FROM schemadrift_apply(NULL, :'script', jsonb_build_object('source', :'wanted'::jsonb));
SELECT kind, identity, change FROM schemadrift_diff(source => :'wanted'::jsonb, options => '{"include_schemas": ["ap_local"]}'::jsonb);
-- without the snapshot, what remains cannot be checked
SELECT schemadrift_sync_sql(source => :'wanted'::jsonb, options => '{"include_schemas": ["ap_local"]}') AS script \gset
SELECT statements, remaining, as_planned FROM schemadrift_apply(NULL, :'script');
-- a script read back without its last newline (psql's \set s `cat f`)
-- still matches its plan; nothing is left to run
SELECT schemadrift_sync_sql(source => :'wanted'::jsonb, options => '{"include_schemas": ["ap_local"]}') AS script \gset
SELECT statements, as_planned
FROM schemadrift_apply(NULL, rtrim(:'script', E'\n'), jsonb_build_object('source', :'wanted'::jsonb));

-- should fail: a non-superuser may not use the loopback connection, nor a
-- server whose user mapping has no password
GRANT EXECUTE ON FUNCTION schemadrift_apply(text, text, jsonb) TO regress_apply_user;
GRANT USAGE ON FOREIGN SERVER regress_sd_apply_srv TO regress_apply_user;
GRANT USAGE ON SCHEMA regress_apply_util TO regress_apply_user;
CREATE USER MAPPING FOR regress_apply_user SERVER regress_sd_apply_srv OPTIONS (user 'regress_apply_user');
SET ROLE regress_apply_user;
SELECT regress_apply_util.try_apply(NULL, :'script');
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', :'script');
RESET ROLE;
-- should fail: EXECUTE is not granted to PUBLIC
REVOKE EXECUTE ON FUNCTION schemadrift_apply(text, text, jsonb) FROM regress_apply_user;
SET ROLE regress_apply_user;
SELECT regress_apply_util.try_apply(NULL, :'script');
RESET ROLE;

-- bad input
SELECT schemadrift_sync_sql('regress_sd_apply_srv', options => :'o') AS script \gset
-- should fail: NULL script, empty script, NULL options, an unknown option
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', NULL);
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', '  ');
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', :'script', NULL);
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', :'script', '{"allow_destructive": true}');
-- should fail: a script without a header
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', 'DROP TABLE ap.accounts;');
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', '-- a comment' || E'\n' || 'DROP TABLE ap.accounts;');
-- should fail: statements changed after the plan (a destructive step
-- uncommented by hand)
SELECT regress_apply_util.try_apply('regress_sd_apply_srv', replace(:'script', E'\n-- DROP TABLE', E'\nDROP TABLE'));
-- should fail: a tampered header: the planned-against fingerprint, the
-- plan line's JSON, the plan line's fingerprint
SELECT regress_apply_util.try_apply('regress_sd_apply_srv',
	regexp_replace(:'script', '(-- schemadrift-planned-against: )[0-9a-f]', '\1x'));
SELECT regress_apply_util.try_apply('regress_sd_apply_srv',
	regexp_replace(:'script', '(-- schemadrift-plan: )\{', '\1['));
SELECT regress_apply_util.try_apply('regress_sd_apply_srv',
	regexp_replace(:'script', '("target_fingerprint": ")[0-9a-f]', '\1x'));
-- should fail: the target is not a server, or a connection string
SELECT regress_apply_util.try_apply('baseline:nope', :'script');
SELECT regress_apply_util.try_apply('host=localhost password=secret', :'script');
SELECT regress_apply_util.try_apply('regress_no_such_server', :'script');
-- still unchanged by all of these
SELECT count(*) AS drift FROM schemadrift_diff('regress_sd_apply_srv', options => :'o');

-- a create script applied to a new database: CREATE DATABASE already
-- makes schema public and extension plpgsql, which the script creates with
-- IF NOT EXISTS and then gives the source's owner, privileges and comment.
-- The source is a database of its own (public in scope, with PUBLIC's
-- USAGE revoked and no comment), read through a loopback server
SET client_min_messages = warning;
CREATE DATABASE regress_sd_create_src;
CREATE DATABASE regress_sd_create_new;
CREATE DATABASE regress_sd_create_busy;
CREATE DATABASE regress_sd_create_bare;
CREATE ROLE regress_apply_reader;
RESET client_min_messages;
\c regress_sd_create_src
CREATE SCHEMA crm;
CREATE TABLE crm.customers (id int PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE public.orders (id bigint PRIMARY KEY, customer int REFERENCES crm.customers,
							total numeric(10,2) DEFAULT 0);
CREATE VIEW public.big_orders AS SELECT id FROM public.orders WHERE total > 100;
CREATE FUNCTION public.order_total(o bigint) RETURNS numeric LANGUAGE plpgsql
	AS $$ BEGIN RETURN (SELECT total FROM public.orders WHERE id = o); END $$;
REVOKE USAGE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO regress_apply_reader;
COMMENT ON SCHEMA public IS NULL;
-- a new database but for one table
\c regress_sd_create_busy
CREATE TABLE public.leftover (id int);
\c contrib_regression
DO $$
DECLARE
	db text;
BEGIN
	FOREACH db IN ARRAY ARRAY['src', 'new', 'busy', 'bare'] LOOP
		EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
					   'regress_sd_create_' || db || '_srv', 'regress_sd_create_' || db,
					   current_setting('port'));
		EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I', 'regress_sd_create_' || db || '_srv');
	END LOOP;
END
$$;
SELECT schemadrift_create_sql(server => 'regress_sd_create_src_srv') AS script \gset
-- the header names the target as empty; the statements on what a new
-- database already has are idempotent, then set the source's values
SELECT line FROM regexp_split_to_table(regress_apply_util.masked(:'script'), E'\n') AS line
WHERE line LIKE '-- target:%' OR line ~ '(SCHEMA|EXTENSION) (IF NOT EXISTS )?(public|plpgsql)';
-- applied to a new database: as planned, with the source's fingerprint
SELECT statements, remaining, as_planned,
	   fingerprint_after = schemadrift_fingerprint(server => 'regress_sd_create_src_srv') AS source_fingerprint
FROM schemadrift_apply('regress_sd_create_new_srv', :'script');
SELECT count(*) AS drift FROM schemadrift_diff('regress_sd_create_new_srv', 'regress_sd_create_src_srv');
-- should fail: applied again: the target is neither empty nor new now
SELECT regress_apply_util.try_apply('regress_sd_create_new_srv', :'script');
-- should fail: a new database with one table more
SELECT regress_apply_util.try_apply('regress_sd_create_busy_srv', :'script');
-- should fail: this database, through the loopback connection (what it
-- holds depends on the tests before)
SELECT split_part(regress_apply_util.try_apply(NULL, :'script'), E'\n', 1) AS try_apply;
-- should fail: the plan line edited to name another target is a sync
-- script's, planned against an empty schema: the target has changed
SELECT regress_apply_util.try_apply('regress_sd_create_bare_srv',
	replace(:'script', '"target": {"type": "empty"}', '"target": {"type": "server", "name": "regress_sd_create_bare_srv"}'));
-- should fail: a statement taken out of the script
SELECT regress_apply_util.try_apply('regress_sd_create_bare_srv',
	replace(:'script', E'REVOKE USAGE ON SCHEMA public FROM PUBLIC;\n', ''));
-- a source without schema public: a new database's would be left, and is
-- refused; once dropped from the target, the script runs
\c regress_sd_create_src
DROP SCHEMA public CASCADE;
\c contrib_regression
SELECT schemadrift_create_sql(server => 'regress_sd_create_src_srv') AS script \gset
-- should fail: the target's public is not the script's
SELECT regress_apply_util.try_apply('regress_sd_create_bare_srv', :'script');
\c regress_sd_create_bare
DROP SCHEMA public;
\c contrib_regression
SELECT statements, remaining, as_planned,
	   fingerprint_after = schemadrift_fingerprint(server => 'regress_sd_create_src_srv') AS source_fingerprint
FROM schemadrift_apply('regress_sd_create_bare_srv', :'script');
SET client_min_messages = warning;
DROP SERVER regress_sd_create_src_srv, regress_sd_create_new_srv, regress_sd_create_busy_srv,
	regress_sd_create_bare_srv CASCADE;
DROP DATABASE regress_sd_create_src;
DROP DATABASE regress_sd_create_new;
DROP DATABASE regress_sd_create_busy;
DROP DATABASE regress_sd_create_bare;
DROP ROLE regress_apply_reader;
RESET client_min_messages;

DROP USER MAPPING FOR regress_apply_user SERVER regress_sd_apply_srv;
REVOKE USAGE ON FOREIGN SERVER regress_sd_apply_srv FROM regress_apply_user;
DROP ROLE regress_apply_user;
DROP SCHEMA ap CASCADE;
DROP SCHEMA ap_local CASCADE;
DROP SCHEMA regress_apply_util CASCADE;
DROP USER MAPPING FOR CURRENT_USER SERVER regress_sd_apply_srv;
DROP SERVER regress_sd_apply_srv;
DROP DATABASE regress_sd_apply;
DROP EXTENSION postgres_fdw;
