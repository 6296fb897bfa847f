--
-- fingerprint: one hash for the whole schema
--
CREATE SCHEMA fp;
CREATE TABLE fp.t (
	id int PRIMARY KEY,
	at timestamptz DEFAULT '2024-05-01 12:00:00+02',
	d date DEFAULT '2024-05-01',
	span interval DEFAULT '1 day 02:00:00',
	ratio float8 DEFAULT 0.1,
	price money DEFAULT 12.5,
	raw bytea DEFAULT '\xdeadbeef',
	note text DEFAULT 'it''s "quoted" \ backslash');
CREATE VIEW fp.v AS SELECT id, at + span AS later FROM fp.t WHERE ratio > 0.05;

SELECT schemadrift_fingerprint() ~ '^[0-9a-f]{64}$' AS is_sha256;
SELECT schemadrift_fingerprint() AS fp0 \gset

-- the same schema always gives the same fingerprint
SELECT schemadrift_fingerprint() = :'fp0' AS stable;

-- whatever the session settings that change how definitions print
SET search_path = fp, public;
SET quote_all_identifiers = on;
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'iso_8601';
SET TimeZone = 'Pacific/Auckland';
SET extra_float_digits = 0;
SET bytea_output = 'escape';
SET lc_monetary = 'C';
SELECT public.schemadrift_fingerprint() = :'fp0' AS unchanged_under_other_settings;
RESET ALL;

-- the settings are restored after the call
SHOW search_path;

-- any change changes it; undoing the change restores it, even though the
-- dropped column leaves a hole in attnum
ALTER TABLE fp.t ADD COLUMN extra int;
SELECT schemadrift_fingerprint() <> :'fp0' AS changed_by_new_column;
ALTER TABLE fp.t DROP COLUMN extra;
SELECT schemadrift_fingerprint() = :'fp0' AS restored_after_drop;
COMMENT ON TABLE fp.t IS 'a comment';
SELECT schemadrift_fingerprint() <> :'fp0' AS changed_by_comment;
SELECT schemadrift_fingerprint('{"ignore": ["comments"]}') =
	   (SELECT schemadrift_fingerprint('{"ignore": ["comments"]}') FROM (SELECT 1) x) AS ignore_is_deterministic;
COMMENT ON TABLE fp.t IS NULL;

-- options enter the fingerprint: equal schemas compare only under equal options
SELECT schemadrift_fingerprint('{"ignore": ["comments"]}') <> :'fp0' AS options_recorded;
SELECT schemadrift_fingerprint('{"ignore": ["comments", "comments"]}') =
	   schemadrift_fingerprint('{"ignore": ["comments"]}') AS canonical_options;
SELECT schemadrift_fingerprint('{"ignore": []}') = :'fp0' AS empty_ignore_is_no_option;
-- a role mapped onto itself changes nothing, so it is no option either
SELECT schemadrift_fingerprint('{"role_map": {"regress_sd_app": "regress_sd_app"}}') = :'fp0' AS identity_role_map_is_no_option;
SELECT (schemadrift_snapshot('{"include_schemas": ["fp"], "role_map": {"b": "c", "a": "a", "\"x\"": "\"y\""}}'))->'options' AS role_map_canonical;

-- the fingerprint is the Merkle root of the objects, and the snapshot's
SELECT (schemadrift_snapshot())->>'fingerprint' = :'fp0' AS snapshot_agrees;

-- the same DDL in another order, in another database, gives the same root
CREATE DATABASE regress_sd_fp_a;
CREATE DATABASE regress_sd_fp_b;
\c regress_sd_fp_a
CREATE EXTENSION schemadrift;
CREATE SCHEMA s1;
CREATE TYPE s1.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE s1.people (id int PRIMARY KEY, name text NOT NULL, mood s1.mood);
CREATE TABLE s1.pets (id int PRIMARY KEY, owner int REFERENCES s1.people, kind text);
CREATE INDEX pets_kind ON s1.pets (kind);
CREATE FUNCTION s1.n_pets(int) RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM s1.pets WHERE owner = $1';
SELECT schemadrift_fingerprint() AS fp_a \gset
\c regress_sd_fp_b
CREATE EXTENSION schemadrift;
CREATE SCHEMA s1;
CREATE TYPE s1.mood AS ENUM ('sad', 'happy');
ALTER TYPE s1.mood ADD VALUE 'ok' BEFORE 'happy';
CREATE TABLE s1.pets (id int, dropped_later text, owner int, kind text);
ALTER TABLE s1.pets DROP COLUMN dropped_later;
CREATE TABLE s1.people (name text, id int);
ALTER TABLE s1.people DROP COLUMN name;
ALTER TABLE s1.people ADD COLUMN name text NOT NULL DEFAULT 'x', ADD COLUMN mood s1.mood;
ALTER TABLE s1.people ALTER COLUMN name DROP DEFAULT;
ALTER TABLE s1.people ADD PRIMARY KEY (id);
CREATE FUNCTION s1.n_pets(int) RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM s1.pets WHERE owner = $1';
CREATE INDEX pets_kind ON s1.pets (kind);
ALTER TABLE s1.pets ADD PRIMARY KEY (id), ADD FOREIGN KEY (owner) REFERENCES s1.people;
SELECT schemadrift_fingerprint() = :'fp_a' AS same_schema_other_order;
-- (name was dropped and added again: column order counts live columns only)
SELECT schemadrift_fingerprint('{"ignore": ["column_order"]}') AS fp_b_no_order \gset
\c regress_sd_fp_a
SELECT schemadrift_fingerprint('{"ignore": ["column_order"]}') = :'fp_b_no_order' AS same_ignoring_column_order;
\c contrib_regression
DROP DATABASE regress_sd_fp_a;
DROP DATABASE regress_sd_fp_b;
DROP SCHEMA fp CASCADE;
