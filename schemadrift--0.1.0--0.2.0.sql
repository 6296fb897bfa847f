/* schemadrift--0.1.0--0.2.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION schemadrift UPDATE TO '0.2.0'" to load this file. \quit

--
-- Every change here is made in schemadrift--0.2.0.sql too: an upgraded
-- database must end up with the same objects as a fresh install
-- (test/t/060_upgrade.pl compares them).  The audit log, its chain state
-- and its sequence are kept as they are: nothing here rewrites them.
--
-- A function whose arguments or result columns change is dropped and
-- created again (CREATE OR REPLACE cannot change them); the DROP stops the
-- upgrade with PostgreSQL's dependency error if a user view or function
-- depends on it (README.md, "Upgrading").
--

--
-- Versions (src/version.c)
--

CREATE FUNCTION @extschema@.schemadrift_version(
	OUT library_version text,
	OUT extension_version text,
	OUT model_version integer,
	OUT snapshot_format_version integer)
RETURNS record
AS 'MODULE_PATHNAME', 'schemadrift_version'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_version() IS
'versions of the loaded schemadrift library, of the extension installed in this database, of the object model and of the snapshot format';

--
-- Remote sides (src/side.c, src/side_remote.c, src/remote_conn.c)
--
-- schemadrift_objects, schemadrift_fingerprint and schemadrift_snapshot gain
-- a server argument after options: dropped and created again (a view of
-- yours over one of them stops the update; see README.md, "Upgrading").
-- schemadrift_diff keeps its signatures: its text sides now also name
-- foreign servers.
--

DROP FUNCTION @extschema@.schemadrift_objects(jsonb);
DROP FUNCTION @extschema@.schemadrift_fingerprint(jsonb);
DROP FUNCTION @extschema@.schemadrift_snapshot(jsonb);

CREATE FUNCTION @extschema@.schemadrift_objects(
	options jsonb DEFAULT '{}',
	server text DEFAULT NULL)
RETURNS TABLE (kind text, identity text, attrs jsonb, hash text)
AS 'MODULE_PATHNAME', 'schemadrift_objects'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_objects(jsonb, text) IS
'every schema object of this database or of a foreign server: kind and identity as pg_identify_object() spells them, attributes, and sha256 of the attributes';

CREATE FUNCTION @extschema@.schemadrift_fingerprint(
	options jsonb DEFAULT '{}',
	server text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_fingerprint'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_fingerprint(jsonb, text) IS
'one hash for the whole schema of this database or of a foreign server: equal schemas under equal options give equal fingerprints';

CREATE FUNCTION @extschema@.schemadrift_snapshot(
	options jsonb DEFAULT '{}',
	server text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'schemadrift_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_snapshot(jsonb, text) IS
'portable jsonb document of the schema of this database or of a foreign server, to commit to git and diff against later';

COMMENT ON FUNCTION @extschema@.schemadrift_diff(text, text, jsonb) IS
'what must change in target to match source; a side is a foreign server''s name, or NULL for this database';
COMMENT ON FUNCTION @extschema@.schemadrift_diff(jsonb, text, jsonb) IS
'what must change in the target snapshot to match source (a foreign server, by default this database)';
COMMENT ON FUNCTION @extschema@.schemadrift_diff(jsonb, jsonb, text) IS
'what must change in target (a foreign server, by default this database) to match the source snapshot';

--
-- Many servers in one call (src/remote_fleet.c)
--

CREATE FUNCTION @extschema@.schemadrift_fleet(
	servers text[],
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS TABLE (server text, fingerprint text, matches boolean, group_id integer,
			   missing bigint, extra bigint, changed bigint, error text,
			   elapsed_ms double precision)
AS 'MODULE_PATHNAME', 'schemadrift_fleet'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_fleet(text[], text, jsonb) IS
'the fingerprint of every foreign server in servers, read at the same time, grouped, and what each misses, adds and changes against source (a server, by default this database)';

CREATE FUNCTION @extschema@.schemadrift_fleet(
	servers text[],
	source jsonb,
	options jsonb DEFAULT '{}')
RETURNS TABLE (server text, fingerprint text, matches boolean, group_id integer,
			   missing bigint, extra bigint, changed bigint, error text,
			   elapsed_ms double precision)
AS 'MODULE_PATHNAME', 'schemadrift_fleet_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_fleet(text[], jsonb, jsonb) IS
'the fingerprint of every foreign server in servers, read at the same time, grouped, and what each misses, adds and changes against the source snapshot';
