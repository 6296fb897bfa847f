/* schemadrift--0.2.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION schemadrift" to load this file. \quit

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
-- Canonical objects and fingerprints (src/side.c)
--
-- The side read is this database, or the foreign server named by server
-- (a named argument after options: a bare literal stays the options).
--

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

CREATE FUNCTION @extschema@.schemadrift_schema_hashes(options jsonb DEFAULT '{}')
RETURNS TABLE (schema text, hash text)
AS 'MODULE_PATHNAME', 'schemadrift_schema_hashes'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_schema_hashes(jsonb) IS
'one hash per schema of this database: the level of the fingerprint below its root, which another schemadrift asks for when it reads this database as a remote side';

CREATE FUNCTION @extschema@.schemadrift_unit_digests(options jsonb DEFAULT '{}')
RETURNS TABLE (root text, digests text)
AS 'MODULE_PATHNAME', 'schemadrift_unit_digests'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_unit_digests(jsonb) IS
'the digests of this database''s objects in buckets by unit (a relation with its children, or an object), base64, and their root: the first round of a diff that another schemadrift runs against this database as a remote side';

CREATE FUNCTION @extschema@.schemadrift_unit_objects(options jsonb, buckets int4[], units jsonb)
RETURNS TABLE (kind text, identity text, schema text, key text[], parent text[], attrs text, hash text)
AS 'MODULE_PATHNAME', 'schemadrift_unit_objects'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_unit_objects(jsonb, int4[], jsonb) IS
'the objects, with attrs, of this database''s units in the buckets asked for whose hash is not the one units gives, and a row naming each unit of units that it lacks, read under the calling query''s snapshot (one row of NULLs: DDL committed since it was taken): the second round of a diff that another schemadrift runs against this database as a remote side';

CREATE FUNCTION @extschema@.schemadrift_get_expr(expr pg_node_tree, relid oid)
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_get_expr'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_get_expr(pg_node_tree, oid) IS
'the text pg_get_expr(expr, relid) gives, without opening the table: how this database''s reads deparse checks, index predicates, generated columns, partition bounds, policies and row filters';

--
-- Snapshots (src/snapshot.c)
--

CREATE FUNCTION @extschema@.schemadrift_snapshot(
	options jsonb DEFAULT '{}',
	server text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'schemadrift_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_snapshot(jsonb, text) IS
'portable jsonb document of the schema of this database or of a foreign server, to commit to git and diff against later';

--
-- Diffs (src/compare.c)
--
-- A side is this database (NULL or omitted), a foreign server (text: a
-- postgres_fdw or dblink_fdw server, read with the caller's user mapping)
-- or a snapshot (jsonb).  The overloads with a jsonb side require it, so that no two overloads default
-- the same position; jsonb sides are passed by name (source => or
-- target =>), since PostgreSQL identifies overloads by argument types only.
-- The columns from changed_on to audit_id are filled with the option
-- explain: each row's last audit log entry (src/attribution.c).
--

CREATE FUNCTION @extschema@.schemadrift_diff(
	target text DEFAULT NULL,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text, fix_sql text,
			   changed_on text, changed_by text, changed_at timestamptz,
			   application_name text, client_addr inet, command_tag text,
			   statement text, change_reason text, audit_id bigint)
AS 'MODULE_PATHNAME', 'schemadrift_diff'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_diff(text, text, jsonb) IS
'what must change in target to match source; a side is a foreign server''s name, or NULL for this database';

CREATE FUNCTION @extschema@.schemadrift_diff(
	target jsonb,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text, fix_sql text,
			   changed_on text, changed_by text, changed_at timestamptz,
			   application_name text, client_addr inet, command_tag text,
			   statement text, change_reason text, audit_id bigint)
AS 'MODULE_PATHNAME', 'schemadrift_diff_target_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_diff(jsonb, text, jsonb) IS
'what must change in the target snapshot to match source (a foreign server, by default this database)';

CREATE FUNCTION @extschema@.schemadrift_diff(
	source jsonb,
	options jsonb DEFAULT '{}',
	target text DEFAULT NULL)
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text, fix_sql text,
			   changed_on text, changed_by text, changed_at timestamptz,
			   application_name text, client_addr inet, command_tag text,
			   statement text, change_reason text, audit_id bigint)
AS 'MODULE_PATHNAME', 'schemadrift_diff_source_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_diff(jsonb, jsonb, text) IS
'what must change in target (a foreign server, by default this database) to match the source snapshot';

CREATE FUNCTION @extschema@.schemadrift_diff(
	target jsonb,
	source jsonb,
	options jsonb DEFAULT '{}')
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text, fix_sql text,
			   changed_on text, changed_by text, changed_at timestamptz,
			   application_name text, client_addr inet, command_tag text,
			   statement text, change_reason text, audit_id bigint)
AS 'MODULE_PATHNAME', 'schemadrift_diff_snapshots'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_diff(jsonb, jsonb, jsonb) IS
'what must change in the target snapshot to match the source snapshot';

--
-- Fix scripts (src/fix.c, src/fix_script.c)
--
-- The sides are those of schemadrift_diff, with the same overloads.  The
-- options are the diff's, plus allow_destructive, lock_timeout and
-- statement_timeout.
--

CREATE FUNCTION @extschema@.schemadrift_sync_sql(
	target text DEFAULT NULL,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_sync_sql'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_sync_sql(text, text, jsonb) IS
'one ordered script that makes target match source; a side is a foreign server''s name, or NULL for this database';

CREATE FUNCTION @extschema@.schemadrift_sync_sql(
	target jsonb,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_sync_sql_target_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_sync_sql(jsonb, text, jsonb) IS
'one ordered script that makes the schema of the target snapshot match source (a foreign server, by default this database)';

CREATE FUNCTION @extschema@.schemadrift_sync_sql(
	source jsonb,
	options jsonb DEFAULT '{}',
	target text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_sync_sql_source_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_sync_sql(jsonb, jsonb, text) IS
'one ordered script that makes target (a foreign server, by default this database) match the source snapshot';

CREATE FUNCTION @extschema@.schemadrift_sync_sql(
	target jsonb,
	source jsonb,
	options jsonb DEFAULT '{}')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_sync_sql_snapshots'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_sync_sql(jsonb, jsonb, jsonb) IS
'one ordered script that makes the schema of the target snapshot match the source snapshot';

CREATE FUNCTION @extschema@.schemadrift_create_sql(
	options jsonb DEFAULT '{}',
	server text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_create_sql'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_create_sql(jsonb, text) IS
'the ordered script that creates the schema of this database (or of a foreign server) in an empty database';

--
-- Guarded apply (src/apply.c): a script of schemadrift_sync_sql() run on the
-- target it was planned for, only if that target still has the planned
-- fingerprint; then what remains must be what the script skipped.  It runs
-- any SQL of the script on the target as the role of the connection:
-- EXECUTE is granted by the DBA.
--

CREATE FUNCTION @extschema@.schemadrift_apply(
	target text,
	script text,
	options jsonb DEFAULT '{}',
	OUT statements integer,
	OUT fingerprint_before text,
	OUT fingerprint_after text,
	OUT remaining jsonb,
	OUT as_planned boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'schemadrift_apply'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_apply(text, text, jsonb) IS
'run a script of schemadrift_sync_sql() on target (a foreign server, or NULL for this database: superusers only) if it still has the fingerprint the script was planned against; then check that what remains is what the script skipped';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_apply(text, text, jsonb) FROM PUBLIC;

CREATE FUNCTION @extschema@.schemadrift_input_is_valid(value text, type text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'schemadrift_input_is_valid'
LANGUAGE C STRICT STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_input_is_valid(text, text) IS
'whether value is valid input for type (a type name with its modifier, as in pg_input_is_valid of PostgreSQL 16): what fix scripts count the rows of a narrowing type change with on PostgreSQL 15';

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

--
-- DDL audit log (src/audit.c, src/redact.c)
--
-- Event triggers (C, invoker) write one row per object each DDL command
-- touched, in the DDL's own transaction.  The rows are sealed later into a
-- sha256 hash chain, in id order, by schemadrift_ddl_log_seal() (also run by
-- verify and purge); the chain state lives in schemadrift_ddl_log_chain.
--
-- The id sequence is deliberately not owned by the table and not registered
-- with pg_extension_config_dump: pg_dump keeps the rows (and their ids), and
-- on restore the load trigger moves the sequence past the restored ids.
--

CREATE SEQUENCE @extschema@.schemadrift_ddl_log_id_seq AS bigint;

CREATE TABLE @extschema@.schemadrift_ddl_log (
	id					bigint NOT NULL
						DEFAULT pg_catalog.nextval('@extschema@.schemadrift_ddl_log_id_seq'::pg_catalog.regclass),
	occurred_at			timestamptz NOT NULL,
	transaction_id		xid8,
	backend_pid			integer,
	session_user_name	text,
	current_user_name	text,
	client_addr			inet,
	client_port			integer,
	application_name	text,
	database_name		text,
	event				text NOT NULL,
	command_tag			text NOT NULL,
	object_type			text,
	schema_name			text,
	object_identity		text,
	creating_extension	boolean NOT NULL DEFAULT false,
	is_drop				boolean NOT NULL DEFAULT false,
	statement			text,
	change_reason		text,
	detail				text,
	chain_hash			text,
	CONSTRAINT schemadrift_ddl_log_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE @extschema@.schemadrift_ddl_log IS
'DDL audit log: one row per object each DDL command touched, written in the DDL''s own transaction; append-only, hash-chained';

-- the chain state: one row at most, created by the first seal
CREATE TABLE @extschema@.schemadrift_ddl_log_chain (
	singleton			boolean NOT NULL DEFAULT true,
	base_id				bigint NOT NULL DEFAULT 0,
	base_hash			text NOT NULL,
	sealed_through		bigint NOT NULL DEFAULT 0,
	head_hash			text NOT NULL,
	mark_id				bigint,
	mark_xids			xid8[],
	mark_origin			text,
	sealed_at			timestamptz,
	CONSTRAINT schemadrift_ddl_log_chain_pkey PRIMARY KEY (singleton),
	CONSTRAINT schemadrift_ddl_log_chain_singleton CHECK (singleton)
);

COMMENT ON TABLE @extschema@.schemadrift_ddl_log_chain IS
'hash-chain state of schemadrift_ddl_log: purged prefix, sealed prefix and its head hash, pending high-water mark';

REVOKE ALL ON @extschema@.schemadrift_ddl_log FROM PUBLIC;
REVOKE ALL ON @extschema@.schemadrift_ddl_log_chain FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.schemadrift_ddl_log_id_seq FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_ddl_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_ddl_log_chain', '');

-- append-only: UPDATE, DELETE and TRUNCATE refused except inside
-- schemadrift's own seal, purge and restore code
CREATE FUNCTION @extschema@.schemadrift_ddl_log_protect()
RETURNS trigger
AS 'MODULE_PATHNAME', 'schemadrift_ddl_log_protect'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.schemadrift_ddl_log_protect() IS
'trigger function keeping schemadrift_ddl_log append-only';

-- rows loaded by pg_restore (COPY) or by hand: moves the rows this database
-- captured before the load past the loaded ids
CREATE FUNCTION @extschema@.schemadrift_ddl_log_load()
RETURNS trigger
AS 'MODULE_PATHNAME', 'schemadrift_ddl_log_load'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.schemadrift_ddl_log_load() IS
'trigger function that keeps ids unique and in order when rows are loaded into schemadrift_ddl_log (pg_restore)';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_ddl_log_protect() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_ddl_log_load() FROM PUBLIC;

CREATE TRIGGER schemadrift_ddl_log_protect
	BEFORE UPDATE OR DELETE ON @extschema@.schemadrift_ddl_log
	FOR EACH ROW EXECUTE FUNCTION @extschema@.schemadrift_ddl_log_protect();
CREATE TRIGGER schemadrift_ddl_log_protect_truncate
	BEFORE TRUNCATE ON @extschema@.schemadrift_ddl_log
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.schemadrift_ddl_log_protect();
CREATE TRIGGER schemadrift_ddl_log_load_before
	BEFORE INSERT ON @extschema@.schemadrift_ddl_log
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.schemadrift_ddl_log_load();
CREATE TRIGGER schemadrift_ddl_log_load_after
	AFTER INSERT ON @extschema@.schemadrift_ddl_log
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.schemadrift_ddl_log_load();
CREATE TRIGGER schemadrift_ddl_log_chain_protect
	BEFORE UPDATE OR DELETE ON @extschema@.schemadrift_ddl_log_chain
	FOR EACH ROW EXECUTE FUNCTION @extschema@.schemadrift_ddl_log_protect();
CREATE TRIGGER schemadrift_ddl_log_chain_protect_truncate
	BEFORE TRUNCATE ON @extschema@.schemadrift_ddl_log_chain
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.schemadrift_ddl_log_protect();

-- ordinary triggers do not fire under session_replication_role = replica
ALTER TABLE @extschema@.schemadrift_ddl_log ENABLE ALWAYS TRIGGER schemadrift_ddl_log_protect;
ALTER TABLE @extschema@.schemadrift_ddl_log ENABLE ALWAYS TRIGGER schemadrift_ddl_log_protect_truncate;
ALTER TABLE @extschema@.schemadrift_ddl_log ENABLE ALWAYS TRIGGER schemadrift_ddl_log_load_before;
ALTER TABLE @extschema@.schemadrift_ddl_log ENABLE ALWAYS TRIGGER schemadrift_ddl_log_load_after;
ALTER TABLE @extschema@.schemadrift_ddl_log_chain ENABLE ALWAYS TRIGGER schemadrift_ddl_log_chain_protect;
ALTER TABLE @extschema@.schemadrift_ddl_log_chain ENABLE ALWAYS TRIGGER schemadrift_ddl_log_chain_protect_truncate;

CREATE FUNCTION @extschema@.schemadrift_ddl_log_seal()
RETURNS bigint
AS 'MODULE_PATHNAME', 'schemadrift_ddl_log_seal'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_ddl_log_seal() IS
'seal the DDL log rows of finished transactions into the hash chain, in id order; returns the number of rows sealed (schedule it, e.g. every minute)';

CREATE FUNCTION @extschema@.schemadrift_ddl_log_verify(
	OUT ok boolean,
	OUT sealed_rows bigint,
	OUT pending_rows bigint,
	OUT first_broken_id bigint,
	OUT problem text)
RETURNS record
AS 'MODULE_PATHNAME', 'schemadrift_ddl_log_verify'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_ddl_log_verify() IS
'seal what can be sealed, then check the hash chain of schemadrift_ddl_log and report the first broken link';

CREATE FUNCTION @extschema@.schemadrift_ddl_log_purge(older_than interval)
RETURNS bigint
AS 'MODULE_PATHNAME', 'schemadrift_ddl_log_purge'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_ddl_log_purge(interval) IS
'delete sealed DDL log rows older than the given age (the only way to remove rows); records itself in the log and returns the number of rows deleted';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_ddl_log_purge(interval) FROM PUBLIC;

-- the event-trigger functions: invoker C functions (no SECURITY DEFINER:
-- they record the real current_user and switch to the log's owner only
-- around the insert)
CREATE FUNCTION @extschema@.schemadrift_audit_ddl_command_end()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'schemadrift_audit_ddl_command_end'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.schemadrift_audit_ddl_command_end() IS
'event trigger function: one schemadrift_ddl_log row per object a DDL command touched';

CREATE FUNCTION @extschema@.schemadrift_audit_sql_drop()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'schemadrift_audit_sql_drop'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.schemadrift_audit_sql_drop() IS
'event trigger function: one schemadrift_ddl_log row per dropped object';

CREATE FUNCTION @extschema@.schemadrift_audit_table_rewrite()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'schemadrift_audit_table_rewrite'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.schemadrift_audit_table_rewrite() IS
'event trigger function: one schemadrift_ddl_log row per table rewrite, with its reason';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_audit_ddl_command_end() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_audit_sql_drop() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_audit_table_rewrite() FROM PUBLIC;

CREATE EVENT TRIGGER schemadrift_audit_ddl_command_end ON ddl_command_end
	EXECUTE FUNCTION @extschema@.schemadrift_audit_ddl_command_end();
CREATE EVENT TRIGGER schemadrift_audit_sql_drop ON sql_drop
	EXECUTE FUNCTION @extschema@.schemadrift_audit_sql_drop();
CREATE EVENT TRIGGER schemadrift_audit_table_rewrite ON table_rewrite
	EXECUTE FUNCTION @extschema@.schemadrift_audit_table_rewrite();

-- session_replication_role = replica must not silence the audit
ALTER EVENT TRIGGER schemadrift_audit_ddl_command_end ENABLE ALWAYS;
ALTER EVENT TRIGGER schemadrift_audit_sql_drop ENABLE ALWAYS;
ALTER EVENT TRIGGER schemadrift_audit_table_rewrite ENABLE ALWAYS;

--
-- DDL guard (src/guard*.c)
--
-- Rules say which role may (allow) or may not (deny) run which DDL command
-- tags on objects of which schemas; schemadrift.guard (off, warn,
-- enforce) says what happens to DDL no rule allows.  The rules are user
-- data (dumped with the database); only the extension's owner and
-- superusers can change them, through the functions below or directly.
-- A statement trigger tells every backend's rule cache when they change.
--
-- The audit's ddl_command_end trigger would record the commands of this
-- section as DDL of the database: it stands aside until the section ends.
ALTER EVENT TRIGGER schemadrift_audit_ddl_command_end DISABLE;

CREATE SEQUENCE @extschema@.schemadrift_guard_rules_id_seq AS bigint;

CREATE TABLE @extschema@.schemadrift_guard_rules (
	id					bigint NOT NULL
						DEFAULT pg_catalog.nextval('@extschema@.schemadrift_guard_rules_id_seq'::pg_catalog.regclass),
	role				regrole,
	schemas				text[] NOT NULL,
	commands			text[] NOT NULL,
	action				text NOT NULL,
	valid_from			timestamptz,
	valid_until			timestamptz,
	reason_pattern		text,
	comment				text,
	created_by			text NOT NULL DEFAULT CURRENT_USER,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT schemadrift_guard_rules_pkey PRIMARY KEY (id),
	CONSTRAINT schemadrift_guard_rules_action CHECK (action IN ('allow', 'deny')),
	CONSTRAINT schemadrift_guard_rules_window CHECK (valid_from < valid_until),
	CONSTRAINT schemadrift_guard_rules_reason CHECK (reason_pattern IS NULL OR action = 'allow')
);

COMMENT ON TABLE @extschema@.schemadrift_guard_rules IS
'DDL guard rules: role (NULL for PUBLIC), schema and command-tag patterns, allow or deny, validity window, change-reason pattern';

REVOKE ALL ON @extschema@.schemadrift_guard_rules FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.schemadrift_guard_rules_id_seq FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_guard_rules', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_guard_rules_id_seq', '');

-- refused DDL, moved here from a durable queue by a background worker when
-- schemadrift is in shared_preload_libraries (src/guard_denied.c); the
-- worker writes only to the database named by schemadrift.denied_database
CREATE TABLE @extschema@.schemadrift_ddl_denied (
	queue_id			text NOT NULL,
	occurred_at			timestamptz,
	database_name		text,
	session_user_name	text,
	current_user_name	text,
	client_addr			inet,
	application_name	text,
	command_tag			text,
	schema_name			text,
	object_identity		text,
	rule_id				bigint,
	why					text,
	mode				text,
	change_reason		text,
	statement			text,
	moved_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT schemadrift_ddl_denied_pkey PRIMARY KEY (queue_id)
);

COMMENT ON TABLE @extschema@.schemadrift_ddl_denied IS
'DDL commands the guard refused, in every database of the cluster (kept only with schemadrift preloaded; in the database named by schemadrift.denied_database)';

REVOKE ALL ON @extschema@.schemadrift_ddl_denied FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_ddl_denied', '');

CREATE FUNCTION @extschema@.schemadrift_guard_rules_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'schemadrift_guard_rules_changed'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.schemadrift_guard_rules_changed() IS
'trigger function telling every backend that the DDL guard rules changed';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_guard_rules_changed() FROM PUBLIC;

CREATE TRIGGER schemadrift_guard_rules_changed
	AFTER INSERT OR UPDATE OR DELETE ON @extschema@.schemadrift_guard_rules
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.schemadrift_guard_rules_changed();
CREATE TRIGGER schemadrift_guard_rules_changed_truncate
	AFTER TRUNCATE ON @extschema@.schemadrift_guard_rules
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.schemadrift_guard_rules_changed();

-- ordinary triggers do not fire under session_replication_role = replica
ALTER TABLE @extschema@.schemadrift_guard_rules ENABLE ALWAYS TRIGGER schemadrift_guard_rules_changed;
ALTER TABLE @extschema@.schemadrift_guard_rules ENABLE ALWAYS TRIGGER schemadrift_guard_rules_changed_truncate;

CREATE FUNCTION @extschema@.schemadrift_guard_allow(
	role text,
	schemas text[],
	commands text[] DEFAULT '{*}',
	reason_pattern text DEFAULT NULL,
	valid_from timestamptz DEFAULT NULL,
	valid_until timestamptz DEFAULT NULL,
	comment text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'schemadrift_guard_allow'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_guard_allow(text, text[], text[], text, timestamptz, timestamptz, text) IS
'add a DDL guard rule letting role (or PUBLIC) run the commands on objects of the schemas, optionally within a window and with a matching change reason; returns its id';

CREATE FUNCTION @extschema@.schemadrift_guard_deny(
	role text,
	schemas text[],
	commands text[] DEFAULT '{*}',
	valid_from timestamptz DEFAULT NULL,
	valid_until timestamptz DEFAULT NULL,
	comment text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'schemadrift_guard_deny'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_guard_deny(text, text[], text[], timestamptz, timestamptz, text) IS
'add a DDL guard rule refusing role (or PUBLIC) the commands on objects of the schemas, optionally within a window (a deny always wins); returns its id';

CREATE FUNCTION @extschema@.schemadrift_guard_revoke(rule_id bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'schemadrift_guard_revoke'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_guard_revoke(bigint) IS
'remove a DDL guard rule';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_guard_allow(text, text[], text[], text, timestamptz, timestamptz, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_guard_deny(text, text[], text[], timestamptz, timestamptz, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_guard_revoke(bigint) FROM PUBLIC;

-- the event-trigger functions: invoker C functions judging current_user
CREATE FUNCTION @extschema@.schemadrift_guard_ddl_command_start()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'schemadrift_guard_ddl_command_start'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.schemadrift_guard_ddl_command_start() IS
'event trigger function: judge a DDL command''s targets under the guard rules before it runs';

CREATE FUNCTION @extschema@.schemadrift_guard_sql_drop()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'schemadrift_guard_sql_drop'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.schemadrift_guard_sql_drop() IS
'event trigger function: judge the objects a DDL command drops by cascade under the guard rules';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_guard_ddl_command_start() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_guard_sql_drop() FROM PUBLIC;

CREATE EVENT TRIGGER schemadrift_guard_ddl_command_start ON ddl_command_start
	EXECUTE FUNCTION @extschema@.schemadrift_guard_ddl_command_start();
CREATE EVENT TRIGGER schemadrift_guard_sql_drop ON sql_drop
	EXECUTE FUNCTION @extschema@.schemadrift_guard_sql_drop();

-- session_replication_role = replica must not silence the guard
ALTER EVENT TRIGGER schemadrift_guard_ddl_command_start ENABLE ALWAYS;
ALTER EVENT TRIGGER schemadrift_guard_sql_drop ENABLE ALWAYS;

ALTER EVENT TRIGGER schemadrift_audit_ddl_command_end ENABLE ALWAYS;

--
-- Drift workflow (src/snapshot_text.c, src/baseline.c, src/drift.c, src/accept.c,
-- src/report.c, src/versions.c, src/monitor.c)
--
-- Snapshot text for git; stored baselines (a side spelled
-- "baseline:NAME"); the CI gate in SQL; reports; stamped versions and the
-- status against them.  The baselines and versions tables are user data
-- (dumped with the database).  Their functions run as their caller, with no
-- SECURITY DEFINER: only the extension's owner and superusers may use them
-- until granted (GRANT SELECT on a table lets a role read it, and diff
-- against baselines).
--
-- The audit's ddl_command_end trigger would record the commands of this
-- section as DDL of the database: it stands aside until the section ends.
ALTER EVENT TRIGGER schemadrift_audit_ddl_command_end DISABLE;

CREATE FUNCTION @extschema@.schemadrift_snapshot_text(
	options jsonb DEFAULT '{}',
	server text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_snapshot_text'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_snapshot_text(jsonb, text) IS
'the snapshot of this database, a foreign server or a baseline as text laid out for git: one object per line, sorted; valid JSON, equal to schemadrift_snapshot() as jsonb';

CREATE TABLE @extschema@.schemadrift_baselines (
	name				text NOT NULL,
	snapshot			jsonb NOT NULL,
	fingerprint			text NOT NULL,
	note				text,
	created_by			text NOT NULL DEFAULT CURRENT_USER,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT schemadrift_baselines_pkey PRIMARY KEY (name),
	CONSTRAINT schemadrift_baselines_name
		CHECK (name OPERATOR(pg_catalog.~) '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$')
);

COMMENT ON TABLE @extschema@.schemadrift_baselines IS
'stored baselines: named snapshots, diffed as the side ''baseline:NAME''';

REVOKE ALL ON @extschema@.schemadrift_baselines FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_baselines', '');

CREATE FUNCTION @extschema@.schemadrift_baseline_save(
	name text,
	note text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_baseline_save'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_baseline_save(text, text, jsonb) IS
'save this database''s snapshot as a named baseline; returns its fingerprint';

CREATE FUNCTION @extschema@.schemadrift_baseline_drop(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'schemadrift_baseline_drop'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_baseline_drop(text) IS
'remove a stored baseline';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_baseline_save(text, text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_baseline_drop(text) FROM PUBLIC;

-- the CI gate and the reports take the sides of schemadrift_diff, with
-- the same overloads (jsonb sides passed by name)
CREATE FUNCTION @extschema@.schemadrift_assert_no_drift(
	target text DEFAULT NULL,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS boolean
AS 'MODULE_PATHNAME', 'schemadrift_assert_no_drift'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.schemadrift_assert_no_drift(
	target jsonb,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS boolean
AS 'MODULE_PATHNAME', 'schemadrift_assert_no_drift'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.schemadrift_assert_no_drift(
	source jsonb,
	options jsonb DEFAULT '{}',
	target text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'schemadrift_assert_no_drift'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.schemadrift_assert_no_drift(
	target jsonb,
	source jsonb,
	options jsonb DEFAULT '{}')
RETURNS boolean
AS 'MODULE_PATHNAME', 'schemadrift_assert_no_drift'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_assert_no_drift(text, text, jsonb) IS
'true if target matches source, otherwise ERROR SD001 listing the drift (a CI gate: psql -v ON_ERROR_STOP=1)';
COMMENT ON FUNCTION @extschema@.schemadrift_assert_no_drift(jsonb, text, jsonb) IS
'true if the target snapshot matches source, otherwise ERROR SD001 listing the drift';
COMMENT ON FUNCTION @extschema@.schemadrift_assert_no_drift(jsonb, jsonb, text) IS
'true if target matches the source snapshot, otherwise ERROR SD001 listing the drift';
COMMENT ON FUNCTION @extschema@.schemadrift_assert_no_drift(jsonb, jsonb, jsonb) IS
'true if the target snapshot matches the source snapshot, otherwise ERROR SD001 listing the drift';

CREATE FUNCTION @extschema@.schemadrift_report(
	target text DEFAULT NULL,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}',
	format text DEFAULT 'text')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_report'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.schemadrift_report(
	target jsonb,
	source text DEFAULT NULL,
	options jsonb DEFAULT '{}',
	format text DEFAULT 'text')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_report'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.schemadrift_report(
	source jsonb,
	options jsonb DEFAULT '{}',
	target text DEFAULT NULL,
	format text DEFAULT 'text')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_report'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.schemadrift_report(
	target jsonb,
	source jsonb,
	options jsonb DEFAULT '{}',
	format text DEFAULT 'text')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_report'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_report(text, text, jsonb, text) IS
'the diff of target against source as a report (format text, markdown or json): counts by kind, then the rows grouped by kind';
COMMENT ON FUNCTION @extschema@.schemadrift_report(jsonb, text, jsonb, text) IS
'the diff of the target snapshot against source as a report (format text, markdown or json)';
COMMENT ON FUNCTION @extschema@.schemadrift_report(jsonb, jsonb, text, text) IS
'the diff of target against the source snapshot as a report (format text, markdown or json)';
COMMENT ON FUNCTION @extschema@.schemadrift_report(jsonb, jsonb, jsonb, text) IS
'the diff of the target snapshot against the source snapshot as a report (format text, markdown or json)';

CREATE TABLE @extschema@.schemadrift_versions (
	version				text NOT NULL,
	fingerprint			text NOT NULL,
	snapshot			jsonb NOT NULL,
	migrations			jsonb NOT NULL DEFAULT '[]',
	note				text,
	stamped_by			text NOT NULL DEFAULT CURRENT_USER,
	stamped_at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	CONSTRAINT schemadrift_versions_pkey PRIMARY KEY (version),
	CONSTRAINT schemadrift_versions_version
		CHECK (version OPERATOR(pg_catalog.~) '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
	CONSTRAINT schemadrift_versions_migrations
		CHECK (pg_catalog.jsonb_typeof(migrations) OPERATOR(pg_catalog.=) 'array')
);

COMMENT ON TABLE @extschema@.schemadrift_versions IS
'stamped schema versions: version id, the migrations applied (name, checksum), who and when, and the fingerprint and snapshot of the schema they left';

REVOKE ALL ON @extschema@.schemadrift_versions FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_versions', '');

CREATE FUNCTION @extschema@.schemadrift_version_stamp(
	version text,
	migrations jsonb DEFAULT '[]',
	note text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS text
AS 'MODULE_PATHNAME', 'schemadrift_version_stamp'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_version_stamp(text, jsonb, text, jsonb) IS
'stamp a schema version: record its migrations (name and checksum) with this database''s fingerprint and snapshot under options; returns the fingerprint';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_version_stamp(text, jsonb, text, jsonb) FROM PUBLIC;

CREATE FUNCTION @extschema@.schemadrift_status(options jsonb DEFAULT NULL)
RETURNS TABLE (fingerprint text, version text, matches boolean,
			   stamped_at timestamptz, missing bigint, extra bigint,
			   changed bigint, by_kind jsonb)
AS 'MODULE_PATHNAME', 'schemadrift_status'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_status(jsonb) IS
'this database''s fingerprint (under options; NULL: those of the latest stamp), the stamped version it matches, or the latest stamped version and the drift since it';

-- accepted drift (src/accept.c): differences the gates and reports let
-- pass until they expire; readable by every role (a gate run by any role
-- sees the same acceptances), written by the owner and superusers
CREATE SEQUENCE @extschema@.schemadrift_accepted_drift_id_seq AS bigint;

CREATE TABLE @extschema@.schemadrift_accepted_drift (
	id					bigint NOT NULL
						DEFAULT pg_catalog.nextval('@extschema@.schemadrift_accepted_drift_id_seq'::pg_catalog.regclass),
	side				text,
	kind				text,
	change				text,
	identity_pattern	text NOT NULL,
	reason				text NOT NULL,
	accepted_by			text NOT NULL DEFAULT CURRENT_USER,
	accepted_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at			timestamptz,
	CONSTRAINT schemadrift_accepted_drift_pkey PRIMARY KEY (id),
	CONSTRAINT schemadrift_accepted_drift_change
		CHECK (change OPERATOR(pg_catalog.=) ANY (ARRAY['missing', 'extra', 'changed'])),
	CONSTRAINT schemadrift_accepted_drift_reason
		CHECK (reason OPERATOR(pg_catalog.<>) '')
);

COMMENT ON TABLE @extschema@.schemadrift_accepted_drift IS
'accepted drift: differences (other side or any, kind, change, identity LIKE pattern) that schemadrift_assert_no_drift, schemadrift_report and schemadrift-check let pass, with reason, who, when and until when';

REVOKE ALL ON @extschema@.schemadrift_accepted_drift FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.schemadrift_accepted_drift_id_seq FROM PUBLIC;
GRANT SELECT ON @extschema@.schemadrift_accepted_drift TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_accepted_drift', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_accepted_drift_id_seq', '');

-- monitoring (src/monitor.c): a drift check for a scheduler such as
-- pg_cron, each run recorded, NOTIFY schemadrift_drift when the result
-- changes
CREATE SEQUENCE @extschema@.schemadrift_monitor_runs_id_seq AS bigint;

CREATE TABLE @extschema@.schemadrift_monitor_runs (
	id					bigint NOT NULL
						DEFAULT pg_catalog.nextval('@extschema@.schemadrift_monitor_runs_id_seq'::pg_catalog.regclass),
	ran_at				timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	source				text NOT NULL,
	target				text,
	drift				boolean NOT NULL,
	missing				bigint NOT NULL,
	extra				bigint NOT NULL,
	changed				bigint NOT NULL,
	accepted			bigint NOT NULL,
	by_kind				jsonb NOT NULL,
	drift_hash			text NOT NULL,
	changed_since_last	boolean NOT NULL,
	CONSTRAINT schemadrift_monitor_runs_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE @extschema@.schemadrift_monitor_runs IS
'runs of schemadrift_monitor(): when, the sides, whether and how the target drifted, and whether that changed since the previous run';

REVOKE ALL ON @extschema@.schemadrift_monitor_runs FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.schemadrift_monitor_runs_id_seq FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_monitor_runs', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_monitor_runs_id_seq', '');

CREATE FUNCTION @extschema@.schemadrift_monitor(
	source text,
	target text DEFAULT NULL,
	options jsonb DEFAULT '{}')
RETURNS boolean
AS 'MODULE_PATHNAME', 'schemadrift_monitor'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.schemadrift_monitor(text, text, jsonb) IS
'check target (by default this database) against source (a baseline or a server) for a scheduler: record the run, NOTIFY schemadrift_drift when the result changed; true when no drift';

REVOKE EXECUTE ON FUNCTION @extschema@.schemadrift_monitor(text, text, jsonb) FROM PUBLIC;

ALTER EVENT TRIGGER schemadrift_audit_ddl_command_end ENABLE ALWAYS;

-- ---- object history and drift at DDL time (issue 12; src/history.c) -------
--
-- schemadrift_object_history: for each audited command, the canonical
-- attrs and hash of the objects it touched after it ran (a table with its
-- columns, constraints, indexes, ...), keyed by the log row; a dropped
-- object has a row without hash.  Written by the audit trigger as the log's
-- owner when schemadrift.object_history is on; append-only like the log
-- (its purge removes the rows of the log rows it deletes).
-- schemadrift_baseline_objects: one row per object of each stored baseline,
-- what the audit trigger compares the touched objects with when
-- schemadrift.expected_baseline names a baseline.
ALTER EVENT TRIGGER schemadrift_audit_ddl_command_end DISABLE;

CREATE TABLE @extschema@.schemadrift_object_history (
	audit_id			bigint NOT NULL,
	kind				text NOT NULL,
	identity			text NOT NULL,
	parent				text,
	hash				text,
	attrs				jsonb
);

CREATE INDEX schemadrift_object_history_audit_id
	ON @extschema@.schemadrift_object_history (audit_id);
CREATE INDEX schemadrift_object_history_identity
	ON @extschema@.schemadrift_object_history (identity, audit_id);
CREATE INDEX schemadrift_object_history_parent
	ON @extschema@.schemadrift_object_history (parent) WHERE parent IS NOT NULL;

COMMENT ON TABLE @extschema@.schemadrift_object_history IS
'the objects each audited DDL command touched, as the model reads them after the command (kind, identity, parent relation, hash, attrs; no hash: dropped), keyed by the schemadrift_ddl_log row (audit_id)';

REVOKE ALL ON @extschema@.schemadrift_object_history FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_object_history', '');

CREATE TRIGGER schemadrift_object_history_protect
	BEFORE UPDATE OR DELETE ON @extschema@.schemadrift_object_history
	FOR EACH ROW EXECUTE FUNCTION @extschema@.schemadrift_ddl_log_protect();
CREATE TRIGGER schemadrift_object_history_protect_truncate
	BEFORE TRUNCATE ON @extschema@.schemadrift_object_history
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.schemadrift_ddl_log_protect();
ALTER TABLE @extschema@.schemadrift_object_history ENABLE ALWAYS TRIGGER schemadrift_object_history_protect;
ALTER TABLE @extschema@.schemadrift_object_history ENABLE ALWAYS TRIGGER schemadrift_object_history_protect_truncate;

CREATE FUNCTION @extschema@.schemadrift_object_history(identity text)
RETURNS TABLE (audit_id bigint, changed_at timestamptz, changed_by text,
			   application_name text, command_tag text, statement text,
			   kind text, object_identity text, change text, hash text,
			   attrs jsonb)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT x.audit_id, l.occurred_at, l.current_user_name, l.application_name,
	l.command_tag, l.statement, x.kind, x.identity, x.change, x.hash, x.attrs
FROM (SELECT h.audit_id, h.kind, h.identity, h.hash, h.attrs,
		CASE WHEN h.hash IS NULL THEN 'dropped'
			WHEN lag(h.hash) OVER w IS NULL THEN 'created'
			ELSE 'changed' END AS change,
		row_number() OVER w > 1 AND lag(h.hash) OVER w IS NOT DISTINCT FROM h.hash AS same
	FROM @extschema@.schemadrift_object_history h
	WHERE h.identity OPERATOR(pg_catalog.=) $1 OR h.parent OPERATOR(pg_catalog.=) $1
	WINDOW w AS (PARTITION BY h.kind, h.identity ORDER BY h.audit_id)) x
JOIN @extschema@.schemadrift_ddl_log l ON l.id OPERATOR(pg_catalog.=) x.audit_id
WHERE NOT x.same
ORDER BY x.audit_id, x.kind, x.identity
$$;

COMMENT ON FUNCTION @extschema@.schemadrift_object_history(text) IS
'how an object and its children (columns, constraints, indexes, ...) changed, statement by statement: each audited command that created, changed or dropped them, with who, when and the statement (needs schemadrift.object_history = on)';

ALTER TABLE @extschema@.schemadrift_baselines ADD COLUMN options jsonb;

COMMENT ON COLUMN @extschema@.schemadrift_baselines.options IS
'the options the baseline was saved with (its snapshot''s), read at DDL time without the document';

CREATE TABLE @extschema@.schemadrift_baseline_objects (
	baseline			text NOT NULL,
	kind				text NOT NULL,
	identity			text NOT NULL,
	parent				text,
	hash				text NOT NULL,
	CONSTRAINT schemadrift_baseline_objects_pkey PRIMARY KEY (baseline, identity, kind),
	CONSTRAINT schemadrift_baseline_objects_baseline FOREIGN KEY (baseline)
		REFERENCES @extschema@.schemadrift_baselines (name) ON DELETE CASCADE
);

CREATE INDEX schemadrift_baseline_objects_parent
	ON @extschema@.schemadrift_baseline_objects (baseline, parent) WHERE parent IS NOT NULL;

COMMENT ON TABLE @extschema@.schemadrift_baseline_objects IS
'one row per object of each stored baseline (kind, identity, parent relation, hash): what the audit trigger compares a command''s objects with when schemadrift.expected_baseline names the baseline';

REVOKE ALL ON @extschema@.schemadrift_baseline_objects FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.schemadrift_baseline_objects', '');

ALTER EVENT TRIGGER schemadrift_audit_ddl_command_end ENABLE ALWAYS;
