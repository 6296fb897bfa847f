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
