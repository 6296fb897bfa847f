/* schemadrift--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION schemadrift" to load this file. \quit

--
-- Canonical objects and fingerprints (src/objects.c)
--

CREATE FUNCTION @extschema@.schemadrift_objects(options jsonb DEFAULT '{}')
RETURNS TABLE (kind text, identity text, attrs jsonb, hash text)
AS 'MODULE_PATHNAME', 'schemadrift_objects'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_objects(jsonb) IS
'every schema object of this database: kind and identity as pg_identify_object() spells them, attributes, and sha256 of the attributes';

CREATE FUNCTION @extschema@.schemadrift_fingerprint(options jsonb DEFAULT '{}')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_fingerprint'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_fingerprint(jsonb) IS
'one hash for the whole schema of this database: equal schemas under equal options give equal fingerprints';

--
-- Snapshots (src/snapshot.c)
--

CREATE FUNCTION @extschema@.schemadrift_snapshot(options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'schemadrift_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_snapshot(jsonb) IS
'portable jsonb document of the schema of this database, to commit to git and diff against later';

--
-- Diffs (src/compare.c)
--
-- A side is this database (NULL or omitted) or a snapshot (jsonb).  The
-- overloads with a jsonb side require it, so that no two overloads default
-- the same position; jsonb sides are passed by name (source => or
-- target =>), since PostgreSQL identifies overloads by argument types only.
--

CREATE FUNCTION @extschema@.schemadrift_diff(
	target text DEFAULT NULL,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text)
AS 'MODULE_PATHNAME', 'schemadrift_diff'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_diff(text, text, jsonb) IS
'what must change in target to match source; NULL sides are this database';

CREATE FUNCTION @extschema@.schemadrift_diff(
	target jsonb,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text)
AS 'MODULE_PATHNAME', 'schemadrift_diff_target_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_diff(jsonb, text, jsonb) IS
'what must change in the target snapshot to match source (by default this database)';

CREATE FUNCTION @extschema@.schemadrift_diff(
	source jsonb,
	options jsonb DEFAULT '{}',
	target text DEFAULT NULL)
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text)
AS 'MODULE_PATHNAME', 'schemadrift_diff_source_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_diff(jsonb, jsonb, text) IS
'what must change in target (by default this database) to match the source snapshot';

CREATE FUNCTION @extschema@.schemadrift_diff(
	target jsonb,
	source jsonb,
	options jsonb DEFAULT '{}')
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text)
AS 'MODULE_PATHNAME', 'schemadrift_diff_snapshots'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_diff(jsonb, jsonb, jsonb) IS
'what must change in the target snapshot to match the source snapshot';
