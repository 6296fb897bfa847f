--
-- hostile_search_path: objects that shadow the functions and operators the
-- extraction uses never run, whatever the caller's search_path; the
-- extension installs into a schema with a quoted name
--
CREATE SCHEMA evil;
CREATE TABLE evil.pwned (what text);
CREATE FUNCTION evil.log_call(what text) RETURNS void LANGUAGE sql
	AS $$INSERT INTO evil.pwned VALUES (what)$$;
CREATE FUNCTION evil.to_json(text) RETURNS json LANGUAGE plpgsql
	AS $$BEGIN PERFORM evil.log_call('to_json'); RETURN pg_catalog.to_json($1); END$$;
CREATE FUNCTION evil.quote_ident(text) RETURNS text LANGUAGE plpgsql
	AS $$BEGIN PERFORM evil.log_call('quote_ident'); RETURN pg_catalog.quote_ident($1); END$$;
CREATE FUNCTION evil.format_type(oid, integer) RETURNS text LANGUAGE plpgsql
	AS $$BEGIN PERFORM evil.log_call('format_type'); RETURN pg_catalog.format_type($1, $2); END$$;
CREATE FUNCTION evil.sha256(bytea) RETURNS bytea LANGUAGE plpgsql
	AS $$BEGIN PERFORM evil.log_call('sha256'); RETURN pg_catalog.sha256($1); END$$;
CREATE FUNCTION evil.oideq(oid, oid) RETURNS boolean LANGUAGE plpgsql
	AS $$BEGIN PERFORM evil.log_call('='); RETURN $1 OPERATOR(pg_catalog.=) $2; END$$;
CREATE OPERATOR evil.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = evil.oideq);
CREATE TABLE evil.target (id int PRIMARY KEY, note text DEFAULT 'x');

SELECT schemadrift_fingerprint('{"exclude_schemas": ["evil"]}') AS fp_safe \gset
SET search_path = evil, public, pg_catalog;
SELECT public.schemadrift_fingerprint('{"exclude_schemas": ["evil"]}') = :'fp_safe' AS same_fingerprint;
SELECT count(*) AS rows FROM public.schemadrift_objects('{"include_schemas": ["evil"]}');
SELECT count(*) AS drift FROM public.schemadrift_diff(source => public.schemadrift_snapshot());
RESET search_path;
-- nothing of evil's ran
SELECT what, count(*) FROM evil.pwned GROUP BY what;

-- the extension in a schema whose name needs quoting
CREATE DATABASE regress_sd_quoted;
\c regress_sd_quoted
CREATE SCHEMA "Drift ""Tools""";
CREATE SCHEMA "Drift Tools";
-- should fail: PostgreSQL refuses quotes in the schema of an extension that
-- uses @extschema@ (CVE-2023-39417)
CREATE EXTENSION schemadrift SCHEMA "Drift ""Tools""";
CREATE EXTENSION schemadrift SCHEMA "Drift Tools";
CREATE TABLE t (id int);
SELECT length("Drift Tools".schemadrift_fingerprint()) AS fingerprint_length;
SELECT kind, identity FROM "Drift Tools".schemadrift_objects() ORDER BY kind, identity;
SELECT command_tag, object_identity FROM "Drift Tools".schemadrift_ddl_log ORDER BY id;
\c contrib_regression
DROP DATABASE regress_sd_quoted;
DROP SCHEMA evil CASCADE;
