--
-- kinds: the kinds object model 2 adds (publications and their members),
-- each built from the same DDL in two databases (no difference), then one
-- planted difference per attribute (exactly that difference).
--
CREATE DATABASE regress_sd_kinds_a;
CREATE DATABASE regress_sd_kinds_b;

\c regress_sd_kinds_a
\set ECHO none
\i test/fixtures/kinds_schema.sql
\set ECHO all
CREATE EXTENSION schemadrift;
SELECT schemadrift_snapshot('{"ignore": ["owner"]}') AS snap_a \gset
SELECT schemadrift_fingerprint('{"ignore": ["owner"]}') AS fp_a \gset

-- every object of the new kinds, as the model sees it: raw name parts as
-- keys (matching never depends on quoting), members under their publication
SELECT o->>'kind' AS kind, o->>'identity' AS identity, o->'key' AS key,
	   o->'parent' AS parent, o->'attrs' AS attrs
FROM jsonb_array_elements((:'snap_a'::jsonb)->'objects') o
WHERE o->>'kind' LIKE 'publication%'
ORDER BY o->>'kind', o->>'identity' COLLATE "C";

-- identities are pg_identify_object()'s, exactly, and no member is missed
WITH core AS (
	SELECT (pg_identify_object('pg_publication'::regclass, oid, 0)).* FROM pg_publication
	UNION ALL
	SELECT (pg_identify_object('pg_publication_rel'::regclass, oid, 0)).* FROM pg_publication_rel
	UNION ALL
	SELECT (pg_identify_object('pg_publication_namespace'::regclass, oid, 0)).* FROM pg_publication_namespace),
ours AS (
	SELECT kind, identity FROM schemadrift_objects() WHERE kind LIKE 'publication%')
SELECT count(*) AS objects,
	   count(*) FILTER (WHERE core.identity IS NULL OR ours.identity IS NULL) AS mismatched
FROM core FULL JOIN ours ON ours.kind = core.type AND ours.identity = core.identity;

-- excluding a publication excludes its members
SELECT kind, identity
FROM schemadrift_objects('{"exclude": ["realtime"]}')
WHERE kind LIKE 'publication%'
ORDER BY kind, identity COLLATE "C";

-- the same DDL in another database: the same fingerprint, no difference
\c regress_sd_kinds_b
\set ECHO none
\i test/fixtures/kinds_schema.sql
\set ECHO all
CREATE EXTENSION schemadrift;
SELECT schemadrift_fingerprint('{"ignore": ["owner"]}') = :'fp_a' AS same_fingerprint;
CREATE TEMP TABLE snap AS SELECT :'snap_a'::jsonb AS s;
CREATE TEMP VIEW drift AS
	SELECT kind, identity, change, attribute, source_value, target_value, note
	FROM schemadrift_diff(source => (SELECT s FROM snap), options => '{"ignore": ["owner"]}')
	ORDER BY kind, identity COLLATE "C", attribute;
SELECT * FROM drift;

-- publications: one difference per attribute
-- a table removed from a publication (Supabase realtime stops seeing it)
ALTER PUBLICATION realtime DROP TABLE "kinds ""q"" ü"."tab le ""x"" é";
SELECT * FROM drift;
ALTER PUBLICATION realtime ADD TABLE "kinds ""q"" ü"."tab le ""x"" é" ("col ""q"" ü", id);
-- its column list
ALTER PUBLICATION realtime SET TABLE kinds.orders (id, total) WHERE (status <> 'draft'),
	"kinds ""q"" ü"."tab le ""x"" é" ("col ""q"" ü", id);
SELECT * FROM drift;
-- its row filter
ALTER PUBLICATION realtime SET TABLE kinds.orders (id, status, total) WHERE (status = 'paid'),
	"kinds ""q"" ü"."tab le ""x"" é" ("col ""q"" ü", id);
SELECT * FROM drift;
ALTER PUBLICATION realtime SET TABLE kinds.orders (id, status, total) WHERE (status <> 'draft'),
	"kinds ""q"" ü"."tab le ""x"" é" ("col ""q"" ü", id);
-- a renamed column follows in the row filter and column list
ALTER TABLE kinds.orders RENAME COLUMN status TO state;
SELECT * FROM drift;
ALTER TABLE kinds.orders RENAME COLUMN state TO status;
-- a schema removed from a publication
ALTER PUBLICATION "pub ""w"" ü" DROP TABLES IN SCHEMA kinds;
SELECT * FROM drift;
ALTER PUBLICATION "pub ""w"" ü" ADD TABLES IN SCHEMA kinds;
-- publish, publish_via_partition_root
ALTER PUBLICATION "pub ""w"" ü" SET (publish = 'insert, update, delete, truncate');
SELECT * FROM drift;
ALTER PUBLICATION "pub ""w"" ü" SET (publish = 'insert, update', publish_via_partition_root = false);
SELECT * FROM drift;
ALTER PUBLICATION "pub ""w"" ü" SET (publish_via_partition_root = true);
-- comment
COMMENT ON PUBLICATION realtime IS NULL;
SELECT * FROM drift;
COMMENT ON PUBLICATION realtime IS 'what the app listens to';
-- all_tables (a publication cannot change it: made again, here for one
-- table, which shows as a member of its own)
DROP PUBLICATION everything;
SET client_min_messages = error;
CREATE PUBLICATION everything FOR TABLE kinds.orders;
RESET client_min_messages;
SELECT * FROM drift;
DROP PUBLICATION everything;
-- a publication missing as a whole: one row, its members folded into it
DROP PUBLICATION realtime;
SELECT * FROM drift;
-- owner
SET client_min_messages = error;
CREATE PUBLICATION everything FOR ALL TABLES;
CREATE PUBLICATION realtime
	FOR TABLE kinds.orders (id, status, total) WHERE (status <> 'draft'),
	"kinds ""q"" ü"."tab le ""x"" é" ("col ""q"" ü", id);
RESET client_min_messages;
COMMENT ON PUBLICATION realtime IS 'what the app listens to';
SELECT count(*) AS drift FROM drift;
-- (owners depend on who runs the test: compared with a snapshot of this
-- database, owners included)
SELECT schemadrift_snapshot() AS snap_owned \gset
CREATE ROLE regress_schemadrift_kinds;
ALTER PUBLICATION realtime OWNER TO regress_schemadrift_kinds;
SELECT kind, identity, change, attribute, source_value = current_user AS from_me, target_value
FROM schemadrift_diff(source => :'snap_owned'::jsonb);
ALTER PUBLICATION realtime OWNER TO CURRENT_USER;
DROP ROLE regress_schemadrift_kinds;
SELECT * FROM drift;

-- a snapshot of object model 1 (as schemadrift 0.1.0 took it: format 1, no
-- model version, publications only counted as unsupported) compared with
-- this schema, read with model 2: a NOTICE names both models, and the rows
-- of the kinds model 2 changed are marked
SELECT jsonb_build_object('format', 'schemadrift-snapshot', 'format_version', 1,
		'extension_version', '0.1.0', 'server_version_num', s->'server_version_num',
		'options', s->'options',
		'objects', (SELECT jsonb_agg(o) FROM jsonb_array_elements(s->'objects') o
					WHERE o->>'kind' NOT LIKE 'publication%')
				   || jsonb_build_array(jsonb_build_object('kind', 'unsupported',
						'identity', 'publication', 'key', jsonb_build_array('unsupported', 'publication'),
						'attrs', jsonb_build_object('count', 3, 'objects',
							jsonb_build_array('"pub ""w"" ü"', 'everything', 'realtime')))))
	AS model1 FROM snap \gset
SELECT kind, identity, change, attribute, note
FROM schemadrift_diff(source => :'model1'::jsonb, options => '{"ignore": ["owner"]}')
ORDER BY kind, identity COLLATE "C", attribute;

\c contrib_regression
DROP DATABASE regress_sd_kinds_a;
DROP DATABASE regress_sd_kinds_b;
