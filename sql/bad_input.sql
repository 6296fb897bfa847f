--
-- bad_input: every way a caller can get it wrong ends in an ERROR that
-- says what is wrong and where, with the right SQLSTATE
--
\set VERBOSITY default
\set SHOW_CONTEXT always
CREATE SCHEMA bad;
CREATE TABLE bad.t (id int PRIMARY KEY);
SELECT schemadrift_snapshot('{"include_schemas": ["bad"]}') AS s \gset

-- options
-- should fail: not an object
SELECT schemadrift_fingerprint('["owner"]');
\echo :LAST_ERROR_SQLSTATE
-- should fail: unknown option
SELECT schemadrift_fingerprint('{"ignore_owner": true}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: wrong type
SELECT schemadrift_fingerprint('{"ignore": "owner"}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: wrong element type
SELECT schemadrift_fingerprint('{"exclude_schemas": ["a", 1]}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: unknown ignore item
SELECT schemadrift_fingerprint('{"ignore": ["owners"]}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: role_map values must be role names
SELECT schemadrift_fingerprint('{"role_map": {"dev": null}}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: role_map is an object
SELECT schemadrift_fingerprint('{"role_map": ["dev", "prod"]}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: role_map onto the names privileges use for all roles and the owner
SELECT schemadrift_fingerprint('{"role_map": {"app": "PUBLIC"}}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: an exclude pattern that LIKE rejects (a trailing escape),
-- even when no identity would ever reach it
SELECT schemadrift_fingerprint('{"exclude": ["public.%", "no_such\\"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{options,exclude}', '["bad.t\\"]'));
\echo :LAST_ERROR_SQLSTATE
-- escaped backslashes and escaped wildcards are fine
SELECT schemadrift_fingerprint('{"exclude": ["no\\\\such", "no\\_such\\%"]}') ~ '^[0-9a-f]{64}$' AS valid_patterns;
-- should fail: an empty include list would compare nothing
SELECT schemadrift_fingerprint('{"include_schemas": []}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: NULL options
SELECT schemadrift_fingerprint(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM schemadrift_objects(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT schemadrift_snapshot(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(source => :'s'::jsonb, options => NULL);
\echo :LAST_ERROR_SQLSTATE
-- should fail: malformed jsonb never reaches schemadrift
SELECT schemadrift_fingerprint('{"ignore": [');
\echo :LAST_ERROR_SQLSTATE

-- sides
-- should fail: a NULL snapshot
SELECT * FROM schemadrift_diff(source => NULL::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(target => NULL::jsonb);
\echo :LAST_ERROR_SQLSTATE
-- should fail: a foreign server that does not exist
SELECT * FROM schemadrift_diff('prod');
\echo :LAST_ERROR_SQLSTATE
-- should fail: a connection string is never a side, for anyone (the error
-- does not repeat it: it may hold a password)
SELECT * FROM schemadrift_diff('host=db.prod user=app password=S3cr3t-conninfo');
\echo :LAST_ERROR_SQLSTATE
SELECT schemadrift_fingerprint(server => 'postgresql://app:S3cr3t-uri@db.prod/app');
\echo :LAST_ERROR_SQLSTATE
-- should fail: an unknown baseline (sql/workflow.sql tests baselines)
SELECT * FROM schemadrift_diff(source => 'baseline:release-1');
\echo :LAST_ERROR_SQLSTATE
-- should fail: an empty server name
SELECT * FROM schemadrift_objects(server => '');
\echo :LAST_ERROR_SQLSTATE
-- should fail: a bare literal is the options, never a server name
SELECT * FROM schemadrift_objects('prod');
\echo :LAST_ERROR_SQLSTATE
-- should fail: a jsonb side must be named
SELECT * FROM schemadrift_diff(:'s'::jsonb);
\echo :LAST_ERROR_SQLSTATE

-- snapshots
-- should fail: not a snapshot at all
SELECT * FROM schemadrift_diff(source => '[1, 2]'::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(source => '{"format": "pg_dump"}'::jsonb);
\echo :LAST_ERROR_SQLSTATE
-- should fail: a newer format version
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{format_version}',
	(SELECT to_jsonb(snapshot_format_version + 1) FROM schemadrift_version())));
\echo :LAST_ERROR_SQLSTATE
-- should fail: an object model newer than this library's (a snapshot taken
-- by a later schemadrift, whose objects this one would misread)
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{model_version}',
	(SELECT to_jsonb(model_version + 1) FROM schemadrift_version())));
\echo :LAST_ERROR_SQLSTATE
-- should fail: no model version, or one that is not a positive integer
-- (format 2 records it; only format 1, from 0.1.0, goes without)
SELECT * FROM schemadrift_diff(source => :'s'::jsonb - 'model_version');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{model_version}', '0'));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{model_version}', '"1"'));
\echo :LAST_ERROR_SQLSTATE
-- should fail: a format version that is not a positive integer
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{format_version}', '"1"'));
\echo :LAST_ERROR_SQLSTATE
-- should fail: no server version
SELECT * FROM schemadrift_diff(source => :'s'::jsonb - 'server_version_num');
\echo :LAST_ERROR_SQLSTATE
-- should fail: objects is not an array
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{objects}', '{}'));
\echo :LAST_ERROR_SQLSTATE
-- should fail: an object without a kind, or with attrs that are not an object
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{objects,1}', ((:'s'::jsonb)->'objects'->1) - 'kind'));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{objects,1,attrs}', '"x"'));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{objects,1,key}', '[]'));
\echo :LAST_ERROR_SQLSTATE
-- should fail: invalid options inside the snapshot
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{options,ignore}', '["nothing"]'));
\echo :LAST_ERROR_SQLSTATE
-- should fail: an object edited after the snapshot was taken
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{objects,1,attrs,comment}', '"edited"'));
\echo :LAST_ERROR_SQLSTATE
-- should fail: an object removed after the snapshot was taken
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s', '{objects}', ((:'s'::jsonb)->'objects') - 1));
\echo :LAST_ERROR_SQLSTATE
-- should fail: an object listed twice
SELECT * FROM schemadrift_diff(source => jsonb_set(:'s'::jsonb - 'fingerprint', '{objects}',
	((:'s'::jsonb)->'objects') || jsonb_build_array((:'s'::jsonb)->'objects'->1)));
\echo :LAST_ERROR_SQLSTATE
-- should fail: taken under other options than the comparison's
SELECT * FROM schemadrift_diff(source => :'s'::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM schemadrift_diff(target => :'s'::jsonb, source => schemadrift_snapshot('{"include_schemas": ["bad"], "ignore": ["owner"]}'),
	options => '{"include_schemas": ["bad"]}');
\echo :LAST_ERROR_SQLSTATE

-- a well-formed snapshot passes
SELECT count(*) AS drift FROM schemadrift_diff(source => :'s'::jsonb, options => '{"include_schemas": ["bad"]}');

-- one library serves the declarations of every installed version: an older
-- one may lack columns of schemadrift_diff, or order them otherwise
-- (columns are matched by name) ...
CREATE FUNCTION regress_diff_two_columns(source jsonb, options jsonb, target text DEFAULT NULL)
RETURNS TABLE (change text, identity text)
AS '$libdir/schemadrift', 'schemadrift_diff_source_snapshot' LANGUAGE C;
CREATE TABLE bad.added (id int);
SELECT * FROM regress_diff_two_columns(:'s', '{"include_schemas": ["bad"]}');
DROP TABLE bad.added;
-- should fail: ... but a declared column that this library cannot fill
-- (SQL newer than the library) is an error, not a column of NULLs
CREATE FUNCTION regress_diff_future(source jsonb, options jsonb, target text DEFAULT NULL)
RETURNS TABLE (identity text, fix_sql_from_the_future text)
AS '$libdir/schemadrift', 'schemadrift_diff_source_snapshot' LANGUAGE C;
SELECT * FROM regress_diff_future(:'s', '{"include_schemas": ["bad"]}');
\echo :LAST_ERROR_SQLSTATE
-- should fail: a known column declared with another type
CREATE FUNCTION regress_diff_mistyped(source jsonb, options jsonb, target text DEFAULT NULL)
RETURNS TABLE (identity text, change integer)
AS '$libdir/schemadrift', 'schemadrift_diff_source_snapshot' LANGUAGE C;
SELECT * FROM regress_diff_mistyped(:'s', '{"include_schemas": ["bad"]}');
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION regress_diff_two_columns, regress_diff_future, regress_diff_mistyped;

-- a publication whose row filter names a column that is then renamed: the
-- filter follows the column (core rewrites it), and the diff says so beside
-- the renamed column, with a fix for each
SET client_min_messages = error;
CREATE TABLE bad.events (id int PRIMARY KEY, status text);
CREATE PUBLICATION regress_bad_pub FOR TABLE bad.events WHERE (status <> 'draft');
RESET client_min_messages;
SELECT schemadrift_snapshot('{"include_schemas": ["bad"]}') AS ps \gset
ALTER TABLE bad.events RENAME COLUMN status TO state;
SELECT kind, identity, change, attribute, source_value, target_value, fix_sql IS NOT NULL AS has_fix
FROM schemadrift_diff(source => :'ps'::jsonb, options => '{"include_schemas": ["bad"]}')
WHERE kind IN ('table column', 'publication relation')
ORDER BY kind, identity, attribute;
DROP PUBLICATION regress_bad_pub;

DROP SCHEMA bad CASCADE;
