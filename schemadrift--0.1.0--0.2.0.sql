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
