--
-- history: object history (schemadrift.object_history) and drift at DDL
-- time (schemadrift.expected_baseline)
--
CREATE SCHEMA hist;
CREATE ROLE regress_schemadrift_hist;
GRANT USAGE, CREATE ON SCHEMA hist TO regress_schemadrift_hist;

-- ---- settings ----------------------------------------------------------------

SHOW schemadrift.object_history;
SHOW schemadrift.expected_baseline;
SET ROLE regress_schemadrift_hist;
-- should fail: only superusers turn object history on or off
SET schemadrift.object_history = on;
-- should fail: only superusers choose the expected baseline
SET schemadrift.expected_baseline = 'hist-1';
RESET ROLE;

-- ---- object history ----------------------------------------------------------

SET schemadrift.object_history = on;
CREATE TABLE hist.merchants (id bigint PRIMARY KEY, name text NOT NULL);
ALTER TABLE hist.merchants ADD COLUMN tax_id text;
ALTER TABLE hist.merchants ALTER COLUMN tax_id TYPE varchar(20);
CREATE INDEX merchants_name ON hist.merchants (name);
-- rolled back: no history row
BEGIN;
ALTER TABLE hist.merchants ADD COLUMN gone integer;
ROLLBACK;
CREATE FUNCTION hist.fee(amount numeric) RETURNS numeric LANGUAGE sql
	AS 'SELECT amount * 0.02';
CREATE OR REPLACE FUNCTION hist.fee(amount numeric) RETURNS numeric LANGUAGE sql
	AS 'SELECT amount * 0.03';

CREATE VIEW hist.recent AS SELECT 1 AS one;
CREATE SEQUENCE hist.ticket_seq;
ALTER SEQUENCE hist.ticket_seq INCREMENT BY 5;

-- the history rows hold what the model reads: the same hashes and attrs
SELECT o.kind, o.identity, h.hash = o.hash AS same_hash, h.attrs = o.attrs AS same_attrs
FROM schemadrift_objects('{"include_schemas": ["hist"]}') o
LEFT JOIN LATERAL (SELECT h.hash, h.attrs FROM schemadrift_object_history h
				   WHERE h.identity = o.identity AND h.kind = o.kind
				   ORDER BY h.audit_id DESC LIMIT 1) h ON true
WHERE o.kind <> 'extension'
ORDER BY o.kind, o.identity;

ALTER TABLE hist.merchants DROP COLUMN tax_id;
DROP INDEX hist.merchants_name;

-- the table and its children, statement by statement
SELECT command_tag, statement, kind, object_identity, change,
	   changed_by = current_user AS by_me,
	   CASE WHEN kind = 'table column' THEN attrs->>'type' END AS column_type
FROM schemadrift_object_history('hist.merchants')
ORDER BY audit_id, kind, object_identity;
-- the rolled-back column left nothing
SELECT count(*) AS rolled_back_rows FROM schemadrift_object_history WHERE identity = 'hist.merchants.gone';
-- one column's story; ADD COLUMN and ALTER TYPE are logged on the table,
-- the drop on the column
SELECT h.change, h.attrs->>'type' AS type, l.object_type, l.object_identity AS logged_as
FROM schemadrift_object_history('hist.merchants.tax_id') h
JOIN schemadrift_ddl_log l ON l.id = h.audit_id
ORDER BY h.audit_id;
SELECT change, attrs->>'body' AS body
FROM schemadrift_object_history('hist.fee(numeric)') ORDER BY audit_id;
SELECT kind, object_identity, change, attrs->>'increment' AS increment
FROM schemadrift_object_history('hist.ticket_seq') ORDER BY audit_id;
SELECT kind, object_identity, change, attrs->>'definition' AS definition
FROM schemadrift_object_history('hist.recent') ORDER BY audit_id;
DROP VIEW hist.recent;
DROP SEQUENCE hist.ticket_seq;
DROP TABLE hist.merchants;
SELECT command_tag, kind, object_identity, change, hash IS NULL AS no_hash
FROM schemadrift_object_history('hist.merchants')
ORDER BY audit_id DESC LIMIT 1;

-- off: nothing more is recorded
SELECT count(*) AS rows_before FROM schemadrift_object_history \gset
SET schemadrift.object_history = off;
CREATE TABLE hist.unrecorded (id integer);
DROP TABLE hist.unrecorded;
SELECT count(*) - :rows_before AS new_rows FROM schemadrift_object_history;
SET schemadrift.object_history = on;

-- fails open: without its table, a WARNING and the command is done
ALTER TABLE schemadrift_object_history RENAME TO schemadrift_object_history_away;
CREATE TABLE hist.kept (id integer);
ALTER TABLE schemadrift_object_history_away RENAME TO schemadrift_object_history;
SELECT to_regclass('hist.kept') IS NOT NULL AS created;
DROP TABLE hist.kept;

-- ordinary roles cannot write the history; nobody rewrites it
SET ROLE regress_schemadrift_hist;
-- should fail: no privilege
INSERT INTO schemadrift_object_history (audit_id, kind, identity) VALUES (1, 'table', 'hist.fake');
-- should fail: no privilege
DELETE FROM schemadrift_object_history;
-- should fail: no privilege
SELECT count(*) FROM schemadrift_object_history('hist.merchants');
-- their DDL is recorded all the same
CREATE TABLE hist.by_role (id integer);
RESET ROLE;
SELECT changed_by, command_tag, object_identity, change
FROM schemadrift_object_history('hist.by_role') WHERE kind = 'table';
DROP TABLE hist.by_role;
-- should fail: append-only, for the owner too
DELETE FROM schemadrift_object_history;
-- should fail: append-only
UPDATE schemadrift_object_history SET hash = NULL;
-- should fail: append-only
TRUNCATE schemadrift_object_history;

-- ---- drift at DDL time -------------------------------------------------------

SET schemadrift.object_history = off;
CREATE TABLE hist.orders (id bigint PRIMARY KEY, amount numeric NOT NULL, line serial);
SELECT schemadrift_baseline_save('hist-1', 'expected', '{"include_schemas": ["hist"]}') IS NOT NULL AS saved;
-- one row per object, with the options beside the document
SELECT kind, identity, parent, length(hash) AS hash_length
FROM schemadrift_baseline_objects WHERE baseline = 'hist-1' AND kind <> 'extension' ORDER BY kind, identity;
SELECT options FROM schemadrift_baselines WHERE name = 'hist-1';

SET schemadrift.expected_baseline = 'hist-1';
LISTEN schemadrift_drift;
-- the notifications are printed after the commands, their PIDs masked
\o results/history_notify.out
-- a new column: the table and the column moved away
ALTER TABLE hist.orders ADD COLUMN note text;
-- dropped again: back to the baseline, no warning
ALTER TABLE hist.orders DROP COLUMN note;
-- a changed type
ALTER TABLE hist.orders ALTER COLUMN amount TYPE numeric(12,2);
ALTER TABLE hist.orders ALTER COLUMN amount TYPE numeric;
-- a new table: one row, its children with it
CREATE TABLE hist.extra (id integer PRIMARY KEY, label text);
-- dropping what the baseline does not have: no warning
DROP TABLE hist.extra;
-- dropping what it has
ALTER TABLE hist.orders DROP CONSTRAINT orders_pkey;
ALTER TABLE hist.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
-- outside the baseline's schemas: no warning
CREATE TABLE public.hist_outside (id integer);
DROP TABLE public.hist_outside;
-- rolled back: the warning was said, the notification goes with the command
BEGIN;
CREATE TABLE hist.rolled_back (id integer);
ROLLBACK;
\o
\! sed -e 's/server process with PID [0-9]*/server process with PID N/' results/history_notify.out

-- fails open: a damaged baseline row is a WARNING, the command is done
UPDATE schemadrift_baseline_objects SET hash = 'damaged'
WHERE baseline = 'hist-1' AND identity = 'hist.orders.amount';
ALTER TABLE hist.orders ADD COLUMN y integer;
SELECT count(*) AS has_y FROM pg_attribute WHERE attrelid = 'hist.orders'::regclass AND attname = 'y';
-- a baseline without per-object rows: the same
SELECT schemadrift_baseline_save('hist-empty', NULL, '{"exclude": ["%"]}') IS NOT NULL AS saved;
SET schemadrift.expected_baseline = 'hist-empty';
CREATE INDEX orders_y ON hist.orders (y);
-- a baseline that does not exist: the same
SET schemadrift.expected_baseline = 'no-such-baseline';
ALTER TABLE hist.orders DROP COLUMN y;
SELECT count(*) AS has_y FROM pg_attribute WHERE attrelid = 'hist.orders'::regclass AND attname = 'y' AND NOT attisdropped;
RESET schemadrift.expected_baseline;
UNLISTEN schemadrift_drift;

-- dropping the baseline drops its rows
SELECT schemadrift_baseline_drop('hist-1');
SELECT schemadrift_baseline_drop('hist-empty');
SELECT count(*) AS rows_left FROM schemadrift_baseline_objects WHERE baseline = 'hist-1';

RESET schemadrift.object_history;
DROP TABLE hist.orders;
DROP FUNCTION hist.fee(numeric);
DROP SCHEMA hist;
DROP ROLE regress_schemadrift_hist;
