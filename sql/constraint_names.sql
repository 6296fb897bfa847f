--
-- constraint_names: under {"ignore": ["constraint_names"]} table constraints
-- match by what they are (type and definition), not by name.  Two databases
-- built from the same DDL, one naming its constraints by hand and one
-- leaving the names to PostgreSQL, then compare equal; a constraint whose
-- definition differs is still drift.
--
-- (owners are the same on both sides; they depend on who runs the test)
\set named '{"include_schemas": ["cn"], "ignore": ["owner"]}'
\set unnamed '{"include_schemas": ["cn"], "ignore": ["owner", "constraint_names"]}'
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE regress_sd_cn_space LOCATION '';
RESET allow_in_place_tablespaces;
CREATE DATABASE regress_sd_cn_prod;
CREATE DATABASE regress_sd_cn_dev;

-- prod: every constraint named by hand
\c regress_sd_cn_prod
CREATE EXTENSION schemadrift;
CREATE SCHEMA cn;
CREATE TABLE cn.customers (
	id int CONSTRAINT customers_pk PRIMARY KEY,
	email text CONSTRAINT customers_email_uq UNIQUE);
CREATE TABLE cn.orders (
	id bigint CONSTRAINT orders_pk PRIMARY KEY,
	customer_id int CONSTRAINT fk_1 REFERENCES cn.customers (id) ON DELETE CASCADE,
	amount numeric(12,2) CONSTRAINT orders_check CHECK (amount > 0),
	qty int,
	during tstzrange,
	CONSTRAINT qty_positive CHECK (qty > 0),
	CONSTRAINT qty_positive_again CHECK (qty > 0),
	CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&));
COMMENT ON CONSTRAINT qty_positive ON cn.orders IS 'at least one';
SELECT schemadrift_snapshot(:'named') AS prod_named \gset
SELECT schemadrift_snapshot(:'unnamed') AS prod \gset

-- the option is recorded with the snapshot, in canonical order
SELECT (:'prod'::jsonb)->'options' AS options;

-- the key holds the type, the definition and an ordinal among equal
-- definitions instead of the name (the two equal checks stay apart); the
-- identity keeps the name
SELECT o->>'identity' AS identity, o->'key' AS key
FROM jsonb_array_elements((:'prod'::jsonb)->'objects') o
WHERE o->>'kind' = 'table constraint'
ORDER BY o->>'identity' COLLATE "C";

-- dev: the same DDL, names left to PostgreSQL
\c regress_sd_cn_dev
CREATE EXTENSION schemadrift;
CREATE SCHEMA cn;
CREATE TABLE cn.customers (
	id int PRIMARY KEY,
	email text UNIQUE);
CREATE TABLE cn.orders (
	id bigint PRIMARY KEY,
	customer_id int REFERENCES cn.customers (id) ON DELETE CASCADE,
	amount numeric(12,2) CHECK (amount > 0),
	qty int,
	during tstzrange,
	CHECK (qty > 0),
	CHECK (qty > 0),
	EXCLUDE USING gist (during WITH &&));
-- equal definitions pair up in name order: orders_qty_check with qty_positive
COMMENT ON CONSTRAINT orders_qty_check ON cn.orders IS 'at least one';

-- by name, every constraint is missing under one name and extra under another
SELECT kind, identity, change, attribute
FROM schemadrift_diff(source => :'prod_named'::jsonb, options => :'named')
ORDER BY change, identity COLLATE "C";

-- by definition, the two schemas are the same
SELECT kind, identity, change, attribute
FROM schemadrift_diff(source => :'prod'::jsonb, options => :'unnamed');
SELECT schemadrift_fingerprint(:'unnamed') = (:'prod'::jsonb)->>'fingerprint' AS same_fingerprint,
	   schemadrift_fingerprint(:'named') = (:'prod_named'::jsonb)->>'fingerprint' AS same_fingerprint_by_name;

-- identities are still spelled as pg_identify_object() spells them
SELECT o.kind, o.identity
FROM schemadrift_objects(:'unnamed') o
WHERE o.kind = 'table constraint'
EXCEPT
SELECT i.type, i.identity
FROM pg_constraint k, pg_identify_object('pg_constraint'::regclass, k.oid, 0) i;

-- should fail: a snapshot taken by name does not compare by definition
SELECT count(*) FROM schemadrift_diff(source => :'prod_named'::jsonb, options => :'unnamed');

-- drift that the option does not hide: changed definitions are missing
-- under the source's name and extra under the target's; a dropped one of
-- two equal checks is missing; comment and tablespace of a constraint that
-- pairs up are attributes, reported under the source's name
ALTER TABLE cn.orders DROP CONSTRAINT orders_amount_check,
	ADD CONSTRAINT orders_amount_check CHECK (amount >= 0);
ALTER TABLE cn.orders DROP CONSTRAINT orders_customer_id_fkey,
	ADD FOREIGN KEY (customer_id) REFERENCES cn.customers (id);
ALTER TABLE cn.orders DROP CONSTRAINT orders_qty_check1;
COMMENT ON CONSTRAINT orders_qty_check ON cn.orders IS 'one or more';
ALTER INDEX cn.orders_pkey SET TABLESPACE regress_sd_cn_space;
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => :'prod'::jsonb, options => :'unnamed')
ORDER BY change, identity COLLATE "C", attribute;
SELECT schemadrift_fingerprint(:'unnamed') <> (:'prod'::jsonb)->>'fingerprint' AS fingerprint_changed;

-- the same, ignoring tablespaces and comments too: only the definitions
SELECT schemadrift_snapshot('{"include_schemas": ["cn"], "ignore": ["owner", "constraint_names", "tablespace", "comments"]}') AS dev_loose \gset
\c regress_sd_cn_prod
SELECT kind, identity, change
FROM schemadrift_diff(target => :'dev_loose'::jsonb,
	options => '{"include_schemas": ["cn"], "ignore": ["owner", "constraint_names", "tablespace", "comments"]}')
ORDER BY change, identity COLLATE "C";

-- a snapshot read on another major version: a definition in the key may
-- print differently there, so missing and extra constraints are marked.
-- Both sides are snapshots whose server version is set, so that the majors
-- named do not depend on the server running the test
\c regress_sd_cn_dev
SELECT jsonb_set(schemadrift_snapshot(:'unnamed'), '{server_version_num}', '150004') AS dev15 \gset
SELECT kind, identity, change, note
FROM schemadrift_diff(target => :'dev15'::jsonb,
	source => jsonb_set(:'prod'::jsonb, '{server_version_num}', '170004'), options => :'unnamed')
WHERE change <> 'changed'
ORDER BY change, identity COLLATE "C";
-- this database as the target: the note names its own major, and that of
-- a source set to a major other than this server's
SELECT current_setting('server_version_num')::int / 10000 AS here_major,
	   CASE WHEN current_setting('server_version_num')::int / 10000 = 17 THEN 16 ELSE 17 END AS other_major \gset
SET client_min_messages = warning;  -- the NOTICE names this server's major
SELECT kind, identity, change,
	   note = format('may be version noise: the source was read on PostgreSQL %s, the target on PostgreSQL %s',
					 :other_major, :here_major) AS noted_with_both_majors
FROM schemadrift_diff(source => jsonb_set(:'prod'::jsonb, '{server_version_num}', to_jsonb(:other_major * 10000 + 4)),
					  options => :'unnamed')
WHERE change <> 'changed'
ORDER BY change, identity COLLATE "C";
RESET client_min_messages;

\c contrib_regression
DROP DATABASE regress_sd_cn_prod;
DROP DATABASE regress_sd_cn_dev;
DROP TABLESPACE regress_sd_cn_space;
