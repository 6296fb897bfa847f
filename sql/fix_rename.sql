--
-- fix_rename: renames in fix SQL.  Where the target's audit log records
-- ALTER ... RENAME, the fix renames back (never a drop and a create that
-- lose the data) and the notes cite the log entry; without evidence, one
-- missing and one extra object of one shape under one parent are only a
-- suggestion, renamed under "renames": "guess".
--
-- The target is this database (its log read through SPI); the source, a
-- snapshot of the schema before the renames.
--
CREATE FUNCTION pg_temp.stable(script text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(script,
		'-- generated: [^\n]*', '-- generated: (time)'),
		'[0-9a-f]{64}', '(fingerprint)', 'g'),
		'-- schemadrift-plan: [^\n]*', '-- schemadrift-plan: (plan)'),
		'entry [0-9]+', 'entry (id)', 'g')
$$;
-- log ids in notes: one entry, or a chain's entries
CREATE FUNCTION pg_temp.ids(note text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(note,
		'entries [0-9]+(, [0-9]+)*', 'entries (ids)', 'g'),
		'entry [0-9]+', 'entry (id)', 'g')
$$;

CREATE SCHEMA rn;
CREATE TABLE rn.accounts (id int PRIMARY KEY, email text NOT NULL, plan text DEFAULT 'free');
CREATE INDEX accounts_plan ON rn.accounts (plan);
CREATE TABLE rn.notifications (id int, recipient_email text, sent_at timestamptz);
-- (the view reads no renamed column: its definition, which prints
-- differently from PostgreSQL 16 on, is never shown)
CREATE VIEW rn.free AS SELECT id FROM rn.accounts;
CREATE SEQUENCE rn.ticket;
INSERT INTO rn.accounts VALUES (1, 'a@example.com', 'free');
\set o '{"include_schemas": ["rn"]}'
SELECT schemadrift_snapshot(:'o') AS before \gset

-- renames of relations, recorded by the audit log
ALTER TABLE rn.accounts RENAME TO customers;
ALTER VIEW rn.free RENAME TO free_customers;
ALTER SEQUENCE rn.ticket RENAME TO tickets;
SELECT object_type, object_identity, statement FROM schemadrift_ddl_log
WHERE schema_name = 'rn' AND statement ~* 'rename' ORDER BY id;

-- the fixes rename back, citing the log (a relation's columns, indexes
-- and constraints go with it)
SELECT kind, identity, change, regexp_replace(note, 'entry [0-9]+', 'entry (id)') AS note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
SELECT pg_temp.stable(schemadrift_sync_sql(source => :'before'::jsonb, options => :'o'::jsonb));

-- the script renames, and the data stays
SELECT schemadrift_sync_sql(source => :'before'::jsonb, options => :'o'::jsonb) AS script \gset
SELECT statements, remaining, as_planned
FROM schemadrift_apply(NULL, :'script', jsonb_build_object('source', :'before'::jsonb));
SELECT * FROM rn.accounts;

-- renames within a table: a column, an index, a constraint
ALTER TABLE rn.accounts RENAME COLUMN email TO mail;
ALTER INDEX rn.accounts_plan RENAME TO accounts_by_plan;
ALTER TABLE rn.accounts RENAME CONSTRAINT accounts_pkey TO accounts_id;
SELECT kind, identity, change, regexp_replace(note, 'entry [0-9]+', 'entry (id)') AS note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
SELECT schemadrift_sync_sql(source => :'before'::jsonb, options => :'o'::jsonb) AS script \gset
SELECT statements, remaining, as_planned
FROM schemadrift_apply(NULL, :'script', jsonb_build_object('source', :'before'::jsonb));
SELECT * FROM rn.accounts;

-- without evidence (the log does not capture): a suggestion only
SET schemadrift.capture = off;
ALTER TABLE rn.accounts RENAME COLUMN plan TO tier;
RESET schemadrift.capture;
SELECT kind, identity, change, note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
-- renamed under "renames": "guess"
SELECT kind, identity, change, note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => '{"include_schemas": ["rn"], "renames": "guess"}'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
-- "renames": "off" neither looks nor suggests
SELECT kind, identity, change, note
FROM schemadrift_diff(source => :'before'::jsonb, options => '{"include_schemas": ["rn"], "renames": "off"}'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
SET schemadrift.capture = off;
ALTER TABLE rn.accounts RENAME COLUMN tier TO plan;
RESET schemadrift.capture;

-- no guess where every column of a table was replaced: two missing, two
-- extra (the case where a guessing tool moved recipient_email into channel)
SET schemadrift.capture = off;
ALTER TABLE rn.notifications DROP COLUMN recipient_email, DROP COLUMN sent_at,
	ADD COLUMN channel text, ADD COLUMN queued_at timestamptz;
RESET schemadrift.capture;
SELECT kind, identity, change, note, fix_sql IS NOT NULL AS has_fix
FROM schemadrift_diff(source => :'before'::jsonb, options => '{"include_schemas": ["rn"], "renames": "guess", "allow_destructive": true}'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
-- and none with one extra column against two missing
SET schemadrift.capture = off;
ALTER TABLE rn.notifications DROP COLUMN queued_at;
RESET schemadrift.capture;
SELECT kind, identity, change, note
FROM schemadrift_diff(source => :'before'::jsonb, options => '{"include_schemas": ["rn"], "renames": "guess"}'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";

-- should fail: a bad value of renames
SELECT count(*) FROM schemadrift_diff(source => :'before'::jsonb, options => '{"renames": "always"}'::jsonb);
SELECT count(*) FROM schemadrift_diff(source => :'before'::jsonb, options => '{"renames": true}'::jsonb);

DROP SCHEMA rn CASCADE;

--
-- chains: the log's renames are followed in order back to the source's
-- name (a to b to c; a to b, b to a, a to b; f to g, then ALTER ROUTINE g
-- to g2), the notes cite every entry of the chain
--
CREATE SCHEMA ch;
CREATE TABLE ch.a (id int);
INSERT INTO ch.a VALUES (7);
CREATE SEQUENCE ch.s;
CREATE FUNCTION ch.f(int, text) RETURNS int LANGUAGE sql AS 'SELECT $1';
\set o '{"include_schemas": ["ch"]}'
SELECT schemadrift_snapshot(:'o') AS before \gset
ALTER TABLE ch.a RENAME TO b;
ALTER TABLE ch.b RENAME TO c;
ALTER SEQUENCE ch.s RENAME TO t;
ALTER SEQUENCE ch.t RENAME TO s;
ALTER SEQUENCE ch.s RENAME TO t;
ALTER FUNCTION ch.f(int, text) RENAME TO g;
ALTER ROUTINE ch.g(int, text) RENAME TO g2;
SELECT kind, identity, change, pg_temp.ids(note) AS note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
SELECT schemadrift_sync_sql(source => :'before'::jsonb, options => :'o'::jsonb) AS script \gset
SELECT statements, remaining, as_planned
FROM schemadrift_apply(NULL, :'script', jsonb_build_object('source', :'before'::jsonb));
SELECT * FROM ch.a;

-- a name reused: x renamed tmp, then y renamed x (the first half of a
-- swap).  The target's tmp is the old x, not the missing y: no rename on
-- the log, and none guessed either (the notes say why)
CREATE TABLE ch.x (id int);
CREATE TABLE ch.y (id int);
INSERT INTO ch.x VALUES (1);
INSERT INTO ch.y VALUES (2);
SELECT schemadrift_snapshot(:'o') AS before \gset
ALTER TABLE ch.x RENAME TO tmp;
ALTER TABLE ch.y RENAME TO x;
SELECT kind, identity, change, pg_temp.ids(note) AS note, fix_sql IS NOT NULL AS has_fix
FROM schemadrift_diff(source => :'before'::jsonb, options => '{"include_schemas": ["ch"], "renames": "guess"}'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
-- the whole swap (tmp renamed y): the names match again, nothing renamed
ALTER TABLE ch.tmp RENAME TO y;
SELECT kind, identity, change
FROM schemadrift_diff(source => :'before'::jsonb, options => '{"include_schemas": ["ch"], "renames": "guess"}'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
DROP SCHEMA ch CASCADE;

--
-- routines, types (enum, composite, domain, range), triggers and policies
--
CREATE SCHEMA ro;
CREATE TYPE ro.mood AS ENUM ('sad', 'happy');
CREATE TYPE ro.pair AS (x int, y int);
CREATE DOMAIN ro.posint AS int CHECK (VALUE > 0);
CREATE TYPE ro.span AS RANGE (subtype = int4);
CREATE TABLE ro.t (id int, m ro.mood, p ro.pair, n ro.posint, s ro.span);
INSERT INTO ro.t VALUES (1, 'happy', (1, 2), 3, '[1,5)');
CREATE FUNCTION ro.f(int, text) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE PROCEDURE ro.p(int) LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE ro.total(int) (sfunc = int4pl, stype = int);
CREATE FUNCTION ro.stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER stamp BEFORE INSERT ON ro.t FOR EACH ROW EXECUTE FUNCTION ro.stamp();
CREATE POLICY own ON ro.t USING (true);
\set o '{"include_schemas": ["ro"]}'
SELECT schemadrift_snapshot(:'o') AS before \gset
ALTER FUNCTION ro.f(int, text) RENAME TO f2;
ALTER PROCEDURE ro.p(int) RENAME TO p2;
ALTER AGGREGATE ro.total(int) RENAME TO sum_of;
ALTER TYPE ro.mood RENAME TO feeling;
ALTER TYPE ro.pair RENAME TO couple;
ALTER DOMAIN ro.posint RENAME TO positive;
ALTER TYPE ro.span RENAME TO spans;
ALTER TRIGGER stamp ON ro.t RENAME TO stamped;
ALTER POLICY own ON ro.t RENAME TO mine;
SELECT object_type, object_identity, statement FROM schemadrift_ddl_log
WHERE object_identity ~ '^ro\.|on ro\.' AND statement ~* 'rename' ORDER BY id;
-- (the columns of the renamed types show their types' new names: their
-- changes, skipped as destructive, are no change once the types are
-- renamed)
SELECT kind, identity, change, pg_temp.ids(note) AS note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
WHERE change <> 'changed'
ORDER BY kind COLLATE "C", identity COLLATE "C";
SELECT schemadrift_sync_sql(source => :'before'::jsonb, options => :'o'::jsonb) AS script \gset
SELECT statements, remaining, as_planned
FROM schemadrift_apply(NULL, :'script', jsonb_build_object('source', :'before'::jsonb));
SELECT * FROM ro.t;

-- without evidence: suggested, renamed under "guess"
SET schemadrift.capture = off;
ALTER FUNCTION ro.f(int, text) RENAME TO f3;
ALTER TRIGGER stamp ON ro.t RENAME TO stamp3;
RESET schemadrift.capture;
SELECT kind, identity, change, note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
SELECT kind, identity, change, note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => '{"include_schemas": ["ro"], "renames": "guess"}'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
DROP SCHEMA ro CASCADE;

--
-- a renamed schema (a hostile name): one ALTER SCHEMA, every object in it
-- covered by it
--
CREATE SCHEMA "odd ""sch"". ü";
CREATE TYPE "odd ""sch"". ü".mood AS ENUM ('a', 'b');
CREATE TABLE "odd ""sch"". ü"."t ""1""" (id int PRIMARY KEY, m "odd ""sch"". ü".mood, n serial);
CREATE INDEX ON "odd ""sch"". ü"."t ""1""" (m);
CREATE VIEW "odd ""sch"". ü".v AS SELECT id, m FROM "odd ""sch"". ü"."t ""1""";
CREATE FUNCTION "odd ""sch"". ü".f("odd ""sch"". ü".mood) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE "odd ""sch"". ü".gone (id int);
INSERT INTO "odd ""sch"". ü"."t ""1""" VALUES (1, 'b');
\set o '{"include_schemas": ["odd \\"sch\\". ü", "moved"]}'
\set od '{"include_schemas": ["odd \\"sch\\". ü", "moved"], "allow_destructive": true}'
\set og '{"include_schemas": ["odd \\"sch\\". ü", "moved"], "renames": "guess"}'
SELECT schemadrift_snapshot(:'o') AS before \gset
ALTER SCHEMA "odd ""sch"". ü" RENAME TO moved;
SELECT kind, identity, change, pg_temp.ids(note) AS note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
ORDER BY kind COLLATE "C", identity COLLATE "C";
SELECT pg_temp.stable(schemadrift_sync_sql(source => :'before'::jsonb, options => :'o'::jsonb));

-- an object on both sides that differs beyond the schema's name gets no
-- statement (dropping and creating it would lose its data): diff again
-- after the rename
ALTER TABLE moved."t ""1""" ADD COLUMN note text;
SELECT kind, identity, change, pg_temp.ids(note) AS note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
WHERE kind = 'table'
ORDER BY kind COLLATE "C", identity COLLATE "C";
ALTER TABLE moved."t ""1""" DROP COLUMN note;

-- objects on one side only: the drop of one only under moved runs before
-- the rename (a script's drops come first) and names moved; the creation
-- of one only under the source's name runs after it (creations come in
-- phase order, schemas first) and names it
DROP TABLE moved.gone;
CREATE TABLE moved.newer (id int);
SELECT kind, identity, change, pg_temp.ids(note) AS note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
WHERE kind = 'table'
ORDER BY kind COLLATE "C", identity COLLATE "C";
SELECT pg_temp.stable(schemadrift_sync_sql(source => :'before'::jsonb, options => :'od'::jsonb));
SELECT schemadrift_sync_sql(source => :'before'::jsonb, options => :'od'::jsonb) AS script \gset
SELECT statements, remaining, as_planned
FROM schemadrift_apply(NULL, :'script', jsonb_build_object('source', :'before'::jsonb));
SELECT * FROM "odd ""sch"". ü"."t ""1""";
SELECT count(*) FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb);

-- without evidence: a schema is guessed only when every object in it
-- matches
SET schemadrift.capture = off;
ALTER SCHEMA "odd ""sch"". ü" RENAME TO moved;
RESET schemadrift.capture;
SELECT kind, identity, change, note
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb)
WHERE kind = 'schema'
ORDER BY kind COLLATE "C", identity COLLATE "C";
SELECT kind, identity, change, note, fix_sql
FROM schemadrift_diff(source => :'before'::jsonb, options => :'og'::jsonb)
WHERE kind IN ('schema', 'table')
ORDER BY kind COLLATE "C", identity COLLATE "C";
-- (one more column: no guess)
SET schemadrift.capture = off;
ALTER TABLE moved."t ""1""" ADD COLUMN note text;
RESET schemadrift.capture;
SELECT kind, identity, change, note
FROM schemadrift_diff(source => :'before'::jsonb, options => :'og'::jsonb)
WHERE kind = 'schema'
ORDER BY kind COLLATE "C", identity COLLATE "C";
DROP SCHEMA moved CASCADE;
