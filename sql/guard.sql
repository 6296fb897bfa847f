--
-- guard: the DDL guard.  Rules and their validation; the allow/deny matrix
-- across roles (member, NOINHERIT member, non-member, superuser), schemas,
-- command tags, windows and change reasons; targets resolved from the parse
-- tree; warn against enforce; the superuser's break-glass and its audit
-- row; every bypass an ordinary role could try; the owner never locked out.
--
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset

-- roles: deployers (alice inherits, carol does not), an outsider (bob)
CREATE ROLE regress_schemadrift_deployer NOLOGIN;
CREATE ROLE regress_schemadrift_alice IN ROLE regress_schemadrift_deployer;
CREATE ROLE regress_schemadrift_carol NOINHERIT IN ROLE regress_schemadrift_deployer;
CREATE ROLE regress_schemadrift_bob;
SELECT format('GRANT CREATE ON DATABASE %I TO regress_schemadrift_alice, regress_schemadrift_bob',
			  current_database()) \gexec

-- schemas and objects, made while the guard is off
CREATE SCHEMA app AUTHORIZATION regress_schemadrift_deployer;
CREATE SCHEMA other;
GRANT USAGE, CREATE ON SCHEMA other TO regress_schemadrift_deployer, regress_schemadrift_bob;
GRANT USAGE ON SCHEMA app TO regress_schemadrift_bob, regress_schemadrift_carol;
SET ROLE regress_schemadrift_deployer;
CREATE TABLE app.accounts (id integer);
CREATE TABLE app.items (id integer);
CREATE TYPE app.mood AS ENUM ('ok');
CREATE TABLE other.notes (id integer);
CREATE VIEW other.items_v AS SELECT id FROM app.items;
RESET ROLE;
CREATE TABLE other.bobs (id integer);
ALTER TABLE other.bobs OWNER TO regress_schemadrift_bob;
CREATE FUNCTION other.bob_ddl() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
	AS $$BEGIN CREATE TABLE other.from_definer (id integer); END$$;
ALTER FUNCTION other.bob_ddl() OWNER TO regress_schemadrift_bob;

--
-- Rules: only valid ones are written
--
-- should fail: unknown role
SELECT schemadrift_guard_allow('regress_schemadrift_nobody', '{app}');
-- should fail: a rule needs a role (or PUBLIC)
SELECT schemadrift_guard_allow(NULL, '{app}');
-- should fail: no schema pattern
SELECT schemadrift_guard_allow('PUBLIC', '{}');
-- should fail: empty pattern
SELECT schemadrift_guard_deny('PUBLIC', '{app}', '{""}');
-- should fail: a command pattern that matches no DDL command
SELECT schemadrift_guard_allow('PUBLIC', '{app}', '{CREAT TABLE}');
-- should fail: not a regular expression
SELECT schemadrift_guard_allow('PUBLIC', '{app}', reason_pattern => '^CHG-[0-9+$');
-- should fail: empty window
SELECT schemadrift_guard_allow('PUBLIC', '{app}', valid_from => '2030-01-02', valid_until => '2030-01-01');
-- should fail: only the owner and superusers manage rules
SET ROLE regress_schemadrift_bob;
SELECT schemadrift_guard_allow('regress_schemadrift_bob', '{*}');
RESET ROLE;

-- deployers may change schema app, with a change ticket; nobody may drop
-- its types; anyone may work in scratch_* schemas; bob's rules have windows
SELECT schemadrift_guard_allow('regress_schemadrift_deployer', '{app}', '{*}',
							   reason_pattern => '^CHG-[0-9]+$', comment => 'deployments') AS r_deploy \gset
SELECT schemadrift_guard_deny('regress_schemadrift_deployer', '{app}', '{drop type}') AS r_notype \gset
SELECT schemadrift_guard_allow('public', '{scratch_*}',
							   '{CREATE SCHEMA,CREATE TABLE,DROP SCHEMA,DROP TABLE}') AS r_scratch \gset
SELECT schemadrift_guard_allow('regress_schemadrift_bob', '{other}', '{ALTER TABLE}',
							   valid_from => now() - interval '2 days',
							   valid_until => now() - interval '1 day') AS r_expired \gset
SELECT schemadrift_guard_allow('regress_schemadrift_bob', '{other}', '{COMMENT}',
							   valid_from => now() - interval '1 hour',
							   valid_until => now() + interval '1 hour') AS r_now \gset
SELECT schemadrift_guard_allow('regress_schemadrift_bob', '{oth?r}', '{COMMENT,CREATE INDEX}',
							   valid_from => now() + interval '30 minutes') AS r_overlap \gset
SELECT id - :r_deploy AS rule, role, schemas, commands, action,
	   valid_from IS NOT NULL AS has_from, valid_until IS NOT NULL AS has_until,
	   reason_pattern, comment, created_by = current_user AS by_me
FROM schemadrift_guard_rules ORDER BY id;

--
-- enforce
--
SET schemadrift.guard = enforce;
SET ROLE regress_schemadrift_alice;
-- should fail: the deployer rule wants a change ticket
ALTER TABLE app.accounts ADD COLUMN a integer;
SET schemadrift.change_reason = 'CHG-12';
ALTER TABLE app.accounts ADD COLUMN a integer;
-- resolved through search_path
SET search_path = app, public;
ALTER TABLE accounts ADD COLUMN b integer;
CREATE INDEX accounts_a ON accounts (a);
SET search_path = other, public;
-- should fail: created through search_path in schema other
CREATE TABLE t2 (id integer);
RESET search_path;
-- should fail: a deny rule wins over the allow rule
DROP TYPE app.mood;
-- should fail: schema other has no rule for alice
CREATE TABLE other.t (id integer);
-- should fail: DROP of objects in two schemas: other is refused
DROP TABLE app.accounts, other.notes;
-- should fail: SET SCHEMA judges the new schema too
ALTER TABLE app.accounts SET SCHEMA other;
-- should fail: the view in schema other would go by cascade (sql_drop)
DROP TABLE app.items CASCADE;
-- should fail: DDL through a DO block is judged all the same
DO $$BEGIN EXECUTE 'CREATE TABLE other.via_do (id integer)'; END$$;
-- CREATE SCHEMA with elements: each element under its own command tag
CREATE SCHEMA scratch_alice CREATE TABLE t (id integer);
-- should fail: CREATE VIEW is not allowed in scratch_* schemas
CREATE SCHEMA scratch_alice2 CREATE TABLE t (id integer) CREATE VIEW v AS SELECT 1 AS one;
DROP SCHEMA scratch_alice CASCADE;
-- every kind of object is judged where it lives (all in app: allowed)
SET search_path = app, public;
CREATE TYPE app.colour AS ENUM ('red');
ALTER TYPE colour ADD VALUE 'blue';
ALTER TYPE colour RENAME TO hue;
COMMENT ON TYPE hue IS 'a hue';
CREATE DOMAIN app.positive AS integer CONSTRAINT positive_check CHECK (VALUE > 0);
ALTER DOMAIN positive RENAME CONSTRAINT positive_check TO positive_ok;
COMMENT ON CONSTRAINT positive_ok ON DOMAIN positive IS 'above zero';
CREATE FUNCTION app.f(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1';
ALTER FUNCTION f(integer) RENAME TO g;
COMMENT ON FUNCTION g(integer) IS 'identity';
CREATE VIEW app.v AS SELECT id FROM accounts;
CREATE MATERIALIZED VIEW app.mv AS SELECT id FROM accounts;
REFRESH MATERIALIZED VIEW mv;
CREATE SEQUENCE app.s;
ALTER SEQUENCE s INCREMENT BY 2;
CREATE TRIGGER accounts_t BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
ALTER TRIGGER accounts_t ON accounts RENAME TO accounts_t2;
CREATE POLICY accounts_p ON accounts USING (true);
CREATE STATISTICS app.accounts_st ON id, a FROM accounts;
COMMENT ON COLUMN accounts.a IS 'a';
GRANT SELECT ON ALL TABLES IN SCHEMA app TO regress_schemadrift_bob;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO regress_schemadrift_bob;
DROP POLICY accounts_p ON accounts;
DROP TRIGGER accounts_t2 ON accounts;
DROP STATISTICS accounts_st;
DROP VIEW v;
DROP MATERIALIZED VIEW mv;
DROP SEQUENCE s;
DROP FUNCTION g(integer);
DROP DOMAIN positive;
-- should fail: the deny rule for DROP TYPE in app
DROP TYPE hue;
-- should fail: SET SCHEMA of a type moves it into schema other
CREATE TYPE app.moving AS (x integer);
ALTER TYPE moving SET SCHEMA other;
-- should fail: COMMENT ON a function in schema other
COMMENT ON FUNCTION other.bob_ddl() IS 'x';
-- should fail: GRANT on a table of schema other
GRANT SELECT ON other.notes TO regress_schemadrift_bob;
-- should fail: default privileges for every schema
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO regress_schemadrift_bob;
REINDEX TABLE accounts;
-- should fail: REINDEX of a table in schema other (the hook judges it
-- before PostgreSQL 17, the event trigger from 17 on)
REINDEX TABLE other.notes;
RESET search_path;
-- temporary objects are not schema: never judged
CREATE TEMP TABLE alice_tmp (id integer);
DROP TABLE alice_tmp;
RESET schemadrift.change_reason;
RESET ROLE;

-- CREATE INDEX CONCURRENTLY is decided before it starts: no index is left
SET ROLE regress_schemadrift_alice;
-- should fail: schema other
CREATE INDEX CONCURRENTLY notes_id ON other.notes (id);
RESET ROLE;
SELECT count(*) AS notes_id_indexes FROM pg_class WHERE relname = 'notes_id';

-- a NOINHERIT member has not the deployer's privileges until SET ROLE
SET ROLE regress_schemadrift_carol;
SET schemadrift.change_reason = 'CHG-13';
-- should fail: carol does not inherit the deployer's privileges
ALTER TABLE app.accounts ADD COLUMN c integer;
SET ROLE regress_schemadrift_deployer;
ALTER TABLE app.accounts ADD COLUMN c integer;
RESET schemadrift.change_reason;
RESET ROLE;

-- windows: bob's ALTER TABLE rule has expired, his COMMENT rule holds,
-- his CREATE INDEX rule starts later
SET ROLE regress_schemadrift_bob;
-- should fail: the window of the ALTER TABLE rule is over
ALTER TABLE other.bobs ADD COLUMN x integer;
COMMENT ON TABLE other.bobs IS 'bob''s';
-- should fail: the window of the CREATE INDEX rule has not begun
CREATE INDEX bobs_id ON other.bobs (id);
-- should fail: bob is no deployer, reason or not
SET schemadrift.change_reason = 'CHG-14';
ALTER TABLE app.accounts ADD COLUMN d integer;
RESET schemadrift.change_reason;

--
-- Every bypass an ordinary role could try
--
-- should fail: the mode is superuser-only
SET schemadrift.guard = off;
-- should fail: and so is the break-glass
SET schemadrift.guard_break_glass = 'me';
-- should fail: superuser-only, and the triggers are ENABLE ALWAYS anyway
SET session_replication_role = replica;
-- should fail: the rules table is not writable
INSERT INTO schemadrift_guard_rules (role, schemas, commands, action)
	VALUES ('regress_schemadrift_bob', '{*}', '{*}', 'allow');
-- should fail: nor readable
SELECT count(*) FROM schemadrift_guard_rules;
-- should fail: the rule functions are not executable
SELECT schemadrift_guard_revoke(:r_notype);
-- should fail: the guard's hook refuses first (and they are not bob's)
ALTER EVENT TRIGGER schemadrift_guard_ddl_command_start DISABLE;
-- should fail: same
ALTER EVENT TRIGGER schemadrift_guard_sql_drop RENAME TO x;
-- should fail: same
DROP EVENT TRIGGER schemadrift_guard_ddl_command_start;
-- should fail: a SECURITY DEFINER function bob owns runs DDL as bob
SELECT other.bob_ddl();
-- should fail: a schema of his own is DDL like any other
CREATE SCHEMA bobs_own;
-- should fail: CREATE EXTENSION (a trusted one too) is judged as such
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- should fail: default privileges are DDL too
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
-- should fail: not bob's to drop, and the guard refuses first
DROP EXTENSION schemadrift;
RESET ROLE;
-- should fail: a superuser-only setting cannot be given away by bob (and
-- ALTER ROLE is judged by the hook)
SET ROLE regress_schemadrift_bob;
ALTER ROLE regress_schemadrift_bob SET schemadrift.guard = off;
-- should fail: roles are judged too, as objects outside schemas
CREATE ROLE regress_schemadrift_bobs_friend;
RESET ROLE;

-- what no event trigger sees -- roles, databases, tablespaces, ALTER
-- SYSTEM, event triggers, comments on databases -- is judged by the hook
-- under this database's rules, outside schemas (only '{*}' allows it)
-- should fail: no rule
CREATE ROLE regress_schemadrift_new;
-- should fail: no rule
CREATE DATABASE regress_schemadrift_db;
-- should fail: no rule
ALTER SYSTEM SET work_mem = '5MB';
-- should fail: no rule
COMMENT ON DATABASE postgres IS 'x';
-- should fail: no rule
CREATE EVENT TRIGGER regress_schemadrift_et ON sql_drop EXECUTE FUNCTION schemadrift_audit_sql_drop();

--
-- Superusers are guarded too; the break-glass lets them through, recorded
--
-- should fail: no rule allows the superuser
CREATE TABLE other.su (id integer);
-- should fail: session_replication_role does not silence the guard
SET session_replication_role = replica;
CREATE TABLE other.su (id integer);
RESET session_replication_role;
SET schemadrift.guard_break_glass = 'INC-7: hotfix during the outage';
CREATE TABLE other.su (id integer);
DROP TABLE other.su;
RESET schemadrift.guard_break_glass;
SELECT event, command_tag, schema_name, object_identity, detail
FROM schemadrift_ddl_log WHERE id > :base AND event = 'guard' ORDER BY id;

-- the server-log line of a refusal (shown here through client_min_messages)
SET client_min_messages = log;
-- should fail: no rule
COMMENT ON TABLE other.notes IS 'x';
RESET client_min_messages;

--
-- warn: the command runs, with a WARNING and a row in the audit log
--
SET schemadrift.guard = warn;
SET ROLE regress_schemadrift_bob;
ALTER TABLE other.bobs ADD COLUMN w integer;
RESET ROLE;
SELECT event, command_tag, schema_name, object_identity, detail
FROM schemadrift_ddl_log WHERE id > :base AND event = 'guard' AND detail LIKE 'guard warn:%' ORDER BY id;
SET schemadrift.guard = enforce;

-- the event triggers of schemadrift cannot be silenced by accident: no
-- event trigger sees these commands, the library's ProcessUtility hook
-- does (it is loaded in this session)
-- should fail: DISABLE of the guard's own trigger
ALTER EVENT TRIGGER schemadrift_guard_ddl_command_start DISABLE;
-- should fail: DROP of the audit's
DROP EVENT TRIGGER schemadrift_audit_ddl_command_end;
-- should fail: RENAME
ALTER EVENT TRIGGER schemadrift_guard_sql_drop RENAME TO x;
SET schemadrift.guard_break_glass = 'INC-8: trigger maintenance';
ALTER EVENT TRIGGER schemadrift_guard_sql_drop DISABLE;
ALTER EVENT TRIGGER schemadrift_guard_sql_drop ENABLE ALWAYS;
RESET schemadrift.guard_break_glass;
SELECT evtname, evtenabled FROM pg_event_trigger WHERE evtname LIKE 'schemadrift_guard%' ORDER BY evtname;
SELECT command_tag, schema_name, object_identity, detail
FROM schemadrift_ddl_log WHERE id > :base AND event = 'guard' AND detail LIKE '%INC-8%' ORDER BY id;

--
-- Rule changes count from the next command; a rule outlives its role
--
SET ROLE regress_schemadrift_alice;
SET schemadrift.change_reason = 'CHG-15';
ALTER TABLE app.accounts ADD COLUMN e integer;
RESET ROLE;
SELECT schemadrift_guard_revoke(:r_deploy);
-- should fail: no such rule any more
SELECT schemadrift_guard_revoke(:r_deploy);
SET ROLE regress_schemadrift_alice;
-- should fail: the rule is gone
ALTER TABLE app.accounts ADD COLUMN f integer;
RESET ROLE;
SET schemadrift.guard_break_glass = 'regress: a role that goes';
CREATE ROLE regress_schemadrift_gone;
SELECT schemadrift_guard_allow('regress_schemadrift_gone', '{other}') AS r_gone \gset
DROP ROLE regress_schemadrift_gone;
RESET schemadrift.guard_break_glass;
SELECT id = :r_gone AS gone_rule, role IS NOT NULL AS has_role,
	   role::text ~ '^[0-9]+$' AS role_shown_as_oid
FROM schemadrift_guard_rules WHERE id = :r_gone;
-- should fail: the rule of a dropped role allows nobody
CREATE TABLE other.after_drop (id integer);
SELECT schemadrift_guard_revoke(:r_gone);

-- a damaged rules table fails closed; the superuser's kill switch is
-- schemadrift.guard = off (the break-glass needs the rules to be readable)
SET schemadrift.guard_break_glass = 'regress: damage the rules table';
ALTER TABLE schemadrift_guard_rules RENAME COLUMN schemas TO schema_list;
-- should fail: the rules cannot be read
CREATE TABLE other.while_damaged (id integer);
SET schemadrift.guard = off;
ALTER TABLE schemadrift_guard_rules RENAME COLUMN schema_list TO schemas;
SET schemadrift.guard = enforce;
RESET schemadrift.guard_break_glass;
-- should fail: intact again, and enforcing
CREATE TABLE other.while_damaged (id integer);

-- ALTER EXTENSION schemadrift UPDATE passes for a superuser in enforce
ALTER EXTENSION schemadrift UPDATE;

-- clean up (DROP EXTENSION also passes in enforce: it is the last test)
SET schemadrift.guard_break_glass = 'regress clean-up';
DROP SCHEMA app, other CASCADE;
SELECT format('REVOKE CREATE ON DATABASE %I FROM regress_schemadrift_alice, regress_schemadrift_bob',
			  current_database()) \gexec
DROP ROLE regress_schemadrift_alice, regress_schemadrift_bob, regress_schemadrift_carol,
	regress_schemadrift_deployer;
RESET schemadrift.guard_break_glass;
DROP EXTENSION schemadrift;
RESET schemadrift.guard;
CREATE EXTENSION schemadrift;
