--
-- encodings: an object's hash covers the UTF-8 bytes of its attrs, and the
-- fingerprint the UTF-8 bytes of names, whatever the database encoding.  A
-- schema with non-ASCII names and values has one fingerprint in a UTF8 and
-- in a LATIN1 database, read by the backend alone or with parallel workers
-- (which hash the rows they send), and the two compare equal; likewise in
-- KOI8-R, whose byte order is not the letters' order.
--
CREATE DATABASE regress_sd_utf8 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE regress_sd_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;

\c regress_sd_utf8
SET client_encoding = 'UTF8';
\i test/fixtures/encodings_schema.sql
CREATE EXTENSION schemadrift;
SET schemadrift.max_parallel_workers = 0;
SELECT schemadrift_fingerprint() AS fp_utf8 \gset
SELECT schemadrift_snapshot() AS snap_utf8 \gset
SELECT kind, identity FROM schemadrift_objects() ORDER BY kind, identity;

\c regress_sd_latin1
SET client_encoding = 'UTF8';
SHOW server_encoding;
\i test/fixtures/encodings_schema.sql
CREATE EXTENSION schemadrift;
SET schemadrift.max_parallel_workers = 0;
SELECT schemadrift_fingerprint() = :'fp_utf8' AS same_fingerprint;
-- the same hashes, object by object
SELECT o.kind, o.identity
FROM schemadrift_objects() o
FULL JOIN jsonb_to_recordset(:'snap_utf8'::jsonb -> 'objects') AS s(kind text, identity text, hash text)
  USING (kind, identity)
WHERE o.hash IS DISTINCT FROM s.hash;
-- split between the backend and workers
SET schemadrift.parallel_min_relations = 0;
SET schemadrift.max_parallel_workers = 2;
SELECT schemadrift_fingerprint() = :'fp_utf8' AS same_fingerprint_with_workers;
SELECT count(*) AS diff_rows FROM schemadrift_diff(source => :'snap_utf8'::jsonb);
SELECT count(*) AS diff_rows FROM schemadrift_diff(target => :'snap_utf8'::jsonb);
-- and a change still shows
ALTER TABLE "café"."crème" ALTER COLUMN "brûlée" SET DEFAULT 'à emporter';
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => :'snap_utf8'::jsonb);

-- an encoding whose byte order is not the letters' order (KOI8-R): lists
-- inside attrs (a domain's checks, by name) and the objects themselves are
-- ordered by their UTF-8 bytes, as in a UTF8 database
CREATE DATABASE regress_sd_koi8 ENCODING 'KOI8R' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c regress_sd_utf8
\i test/fixtures/encodings_cyrillic.sql
SELECT schemadrift_fingerprint('{"include_schemas": ["кириллица"]}') AS fp_cyr_utf8 \gset
SELECT schemadrift_snapshot('{"include_schemas": ["кириллица"]}') AS snap_cyr_utf8 \gset
SELECT identity, attrs -> 'checks' AS checks
FROM schemadrift_objects('{"include_schemas": ["кириллица"]}') WHERE kind = 'type';
\c regress_sd_koi8
SET client_encoding = 'UTF8';
SHOW server_encoding;
\i test/fixtures/encodings_cyrillic.sql
CREATE EXTENSION schemadrift;
SELECT identity, attrs -> 'checks' AS checks
FROM schemadrift_objects('{"include_schemas": ["кириллица"]}') WHERE kind = 'type';
SELECT schemadrift_fingerprint('{"include_schemas": ["кириллица"]}') = :'fp_cyr_utf8' AS same_fingerprint;
SET schemadrift.parallel_min_relations = 0;
SET schemadrift.max_parallel_workers = 2;
SELECT schemadrift_fingerprint('{"include_schemas": ["кириллица"]}') = :'fp_cyr_utf8' AS same_fingerprint_with_workers;
SELECT count(*) AS diff_rows
FROM schemadrift_diff(source => :'snap_cyr_utf8'::jsonb, options => '{"include_schemas": ["кириллица"]}');

-- the same databases as remote sides without schemadrift: the catalog SQL
-- run there encodes keys and orders leaf lines by their UTF-8 bytes too, so
-- its fingerprints are the C path's, a hash-first diff finds every bucket
-- of units equal but the one changed above, and its second round reads it
\set oe '{"exclude": ["schemadrift"]}'
\set oc '{"include_schemas": ["кириллица"], "exclude": ["schemadrift"]}'
\c regress_sd_utf8
SET client_encoding = 'UTF8';
SELECT schemadrift_snapshot(:'oe') AS snap_oe \gset
SELECT schemadrift_snapshot(:'oc') AS snap_oc \gset
\c regress_sd_latin1
SET client_encoding = 'UTF8';
SELECT schemadrift_fingerprint(:'oe') AS fp_latin1 \gset
DROP EXTENSION schemadrift;
\c regress_sd_koi8
SET client_encoding = 'UTF8';
SELECT schemadrift_fingerprint(:'oc') AS fp_koi8 \gset
DROP EXTENSION schemadrift;
\c contrib_regression
SET client_encoding = 'UTF8';
CREATE EXTENSION postgres_fdw;
DO $$
BEGIN
	EXECUTE format('CREATE SERVER regress_sd_latin1_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_latin1', current_setting('port'));
	EXECUTE format('CREATE SERVER regress_sd_koi8_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_koi8', current_setting('port'));
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_latin1_srv;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_koi8_srv;
SELECT schemadrift_fingerprint(:'oe', server => 'regress_sd_latin1_srv') = :'fp_latin1' AS same_fingerprint_latin1;
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(target => 'regress_sd_latin1_srv', source => :'snap_oe'::jsonb, options => :'oe');
SELECT schemadrift_fingerprint(:'oc', server => 'regress_sd_koi8_srv') = :'fp_koi8' AS same_fingerprint_koi8;
SELECT count(*) AS diff_rows
FROM schemadrift_diff(target => 'regress_sd_koi8_srv', source => :'snap_oc'::jsonb, options => :'oc');
DROP EXTENSION postgres_fdw CASCADE;

DROP DATABASE regress_sd_utf8;
DROP DATABASE regress_sd_latin1;
DROP DATABASE regress_sd_koi8;
