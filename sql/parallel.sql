--
-- parallel: a schema read by the backend alone and one split between
-- parallel workers (schemadrift.max_parallel_workers) give the same objects,
-- attrs, hashes, snapshot and fingerprint, with any number of workers, with
-- none available, and inside a transaction whose own DDL is not committed.
--
CREATE DATABASE regress_sd_par;
\c regress_sd_par
\set ECHO none
\i test/fixtures/app_schema.sql
\unset ON_ERROR_STOP
\set ECHO all
CREATE EXTENSION schemadrift;

-- (a temporary function: not part of the schema)
CREATE FUNCTION pg_temp.fingerprint_with(workers int, min_relations int) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('schemadrift.max_parallel_workers', workers::text, true);
  PERFORM set_config('schemadrift.parallel_min_relations', min_relations::text, true);
  RETURN schemadrift_fingerprint();
END $$;

SHOW schemadrift.max_parallel_workers;
SHOW schemadrift.parallel_min_relations;

-- the backend alone
SET schemadrift.max_parallel_workers = 0;
CREATE TEMP TABLE serial_objs AS SELECT * FROM schemadrift_objects();
SELECT schemadrift_fingerprint() AS fp_serial \gset
SELECT schemadrift_snapshot() AS snap_serial \gset

-- split between workers, forced on this small schema
SET schemadrift.parallel_min_relations = 0;
SET schemadrift.max_parallel_workers = 2;
CREATE TEMP TABLE parallel_objs AS SELECT * FROM schemadrift_objects();
SELECT (SELECT count(*) FROM parallel_objs) AS parallel,
       (SELECT count(*) FROM serial_objs) AS serial;
-- the same rows, to the byte
(SELECT kind, identity, attrs::text, hash FROM serial_objs
 EXCEPT ALL
 SELECT kind, identity, attrs::text, hash FROM parallel_objs)
UNION ALL
(SELECT kind, identity, attrs::text, hash FROM parallel_objs
 EXCEPT ALL
 SELECT kind, identity, attrs::text, hash FROM serial_objs);
SELECT schemadrift_fingerprint() = :'fp_serial' AS same_fingerprint;
SELECT schemadrift_snapshot() = :'snap_serial'::jsonb AS same_snapshot;
SELECT count(*) AS diff_rows FROM schemadrift_diff(source => :'snap_serial'::jsonb);

-- every number of workers, and the threshold
SELECT w AS workers, pg_temp.fingerprint_with(w, 0) = :'fp_serial' AS same
FROM generate_series(1, 7) w ORDER BY w;
SELECT pg_temp.fingerprint_with(2, 1000000) = :'fp_serial' AS same_below_threshold;

-- no worker can start: the backend reads every kind itself
SET max_parallel_workers = 0;
SELECT schemadrift_fingerprint() = :'fp_serial' AS same_without_workers;
-- only some can: the backend takes over the slices of those that did not
SET max_parallel_workers = 1;
SELECT w AS workers, pg_temp.fingerprint_with(w, 0) = :'fp_serial' AS same_with_one_started
FROM generate_series(2, 4) w ORDER BY w;
RESET max_parallel_workers;

-- the workers see the transaction's own uncommitted DDL, as the backend does
BEGIN;
ALTER TABLE app.users ADD COLUMN nickname text;
COMMENT ON TABLE app.users IS 'changed in this transaction';
SELECT kind, identity, change, attribute
FROM schemadrift_diff(source => :'snap_serial'::jsonb) ORDER BY 1, 2, 4;
ROLLBACK;
SELECT count(*) AS diff_rows_after_rollback
FROM schemadrift_diff(source => :'snap_serial'::jsonb);

-- -1 (the default): one worker per CPU beyond the first, up to 2
SELECT pg_temp.fingerprint_with(-1, 0) = :'fp_serial' AS same_with_auto;

-- bad settings
SET schemadrift.max_parallel_workers = -2;
SET schemadrift.max_parallel_workers = 8;
SET schemadrift.parallel_min_relations = -1;
RESET schemadrift.max_parallel_workers;
RESET schemadrift.parallel_min_relations;

\c contrib_regression
DROP DATABASE regress_sd_par;
