--
-- pg18_catalog: what PostgreSQL 18 adds to the catalogs.  NOT NULL is a
-- pg_constraint row (contype 'n') with a name that depends on how the table
-- was made, and it may be NOT VALID or NO INHERIT: it folds into the column
-- (no constraint row of its own, its name never matters, the two clauses
-- show); generated columns may be virtual; CHECK constraints may be NOT
-- ENFORCED.  The same schema made two ways compares equal, and each clause
-- is drift.  Skipped before PostgreSQL 18 (pg18_catalog_1.out).
--
SELECT current_setting('server_version_num')::integer < 180000 AS skip_test \gset
\if :skip_test
\quit
\endif

CREATE DATABASE regress_sd_pg18_a;
CREATE DATABASE regress_sd_pg18_b;

-- A: everything declared in CREATE TABLE, NOT NULL constraints named by core
\c regress_sd_pg18_a
CREATE EXTENSION schemadrift;
CREATE SCHEMA n;
CREATE TABLE n.t (
	id integer PRIMARY KEY,
	a integer NOT NULL,
	b integer CONSTRAINT b_required NOT NULL,
	c integer,
	d integer NOT NULL NO INHERIT,
	e integer,
	x integer,
	v integer GENERATED ALWAYS AS (x * 2),
	s integer GENERATED ALWAYS AS (x * 3) STORED,
	CONSTRAINT c_positive CHECK (c > 0) NOT ENFORCED
);
ALTER TABLE n.t ADD CONSTRAINT e_required NOT NULL e NOT VALID;
CREATE TABLE n.child () INHERITS (n.t);
CREATE DOMAIN n.positive AS integer NOT NULL CHECK (VALUE > 0);
CREATE TABLE n.parted (id integer NOT NULL, r integer) PARTITION BY RANGE (id);
CREATE TABLE n.parted_1 PARTITION OF n.parted FOR VALUES FROM (0) TO (10);

-- the NOT NULL constraints are there, as constraints
SELECT conrelid::regclass AS rel, conname, convalidated, connoinherit
FROM pg_constraint
WHERE contype = 'n' AND connamespace = 'n'::regnamespace
ORDER BY conrelid::regclass::text COLLATE "C", conname COLLATE "C";
-- ... and fold into their columns: no object of their own
SELECT kind, identity, attrs
FROM schemadrift_objects('{"include_schemas": ["n"], "ignore": ["owner"]}')
WHERE kind <> 'schema'
ORDER BY kind, identity COLLATE "C";
SELECT schemadrift_snapshot('{"include_schemas": ["n"]}') AS snap_a \gset

-- B: the same schema reached with ALTER TABLE, other constraint names
\c regress_sd_pg18_b
CREATE EXTENSION schemadrift;
CREATE SCHEMA n;
CREATE TABLE n.t (id integer, a integer, b integer, c integer, d integer, e integer, x integer,
	v integer GENERATED ALWAYS AS (x * 2) VIRTUAL, s integer GENERATED ALWAYS AS (x * 3) STORED);
ALTER TABLE n.t ADD PRIMARY KEY (id);
ALTER TABLE n.t ALTER COLUMN a SET NOT NULL, ALTER COLUMN b SET NOT NULL;
ALTER TABLE n.t ADD CONSTRAINT d_nn NOT NULL d NO INHERIT;
ALTER TABLE n.t ADD CONSTRAINT e_nn NOT NULL e NOT VALID;
ALTER TABLE n.t ADD CONSTRAINT c_positive CHECK (c > 0) NOT ENFORCED;
CREATE TABLE n.child () INHERITS (n.t);
CREATE DOMAIN n.positive AS integer CONSTRAINT positive_required NOT NULL CHECK (VALUE > 0);
CREATE TABLE n.parted (id integer, r integer) PARTITION BY RANGE (id);
ALTER TABLE n.parted ALTER COLUMN id SET NOT NULL;
CREATE TABLE n.parted_1 (id integer NOT NULL, r integer);
ALTER TABLE n.parted ATTACH PARTITION n.parted_1 FOR VALUES FROM (0) TO (10);
SELECT schemadrift_fingerprint('{"include_schemas": ["n"]}')
	 = (:'snap_a'::jsonb)->>'fingerprint' AS same_fingerprint;
SELECT * FROM schemadrift_diff(source => :'snap_a'::jsonb, options => '{"include_schemas": ["n"]}');

-- each clause is drift: a validated NOT NULL, an inherited one (the child
-- gets it too), an enforced CHECK
ALTER TABLE n.t VALIDATE CONSTRAINT e_nn;
ALTER TABLE n.t DROP CONSTRAINT d_nn;
ALTER TABLE n.t ADD CONSTRAINT d_nn NOT NULL d;
ALTER TABLE n.t DROP CONSTRAINT c_positive;
ALTER TABLE n.t ADD CONSTRAINT c_positive CHECK (c > 0);
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => :'snap_a'::jsonb, options => '{"include_schemas": ["n"]}')
ORDER BY identity COLLATE "C", attribute;

\c contrib_regression
DROP DATABASE regress_sd_pg18_a;
DROP DATABASE regress_sd_pg18_b;
