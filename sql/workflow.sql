--
-- workflow: snapshot text, baselines, the CI gate, reports, versions
--
CREATE SCHEMA wf;
CREATE TABLE wf.merchants (id bigint PRIMARY KEY, name varchar(50) NOT NULL);
CREATE INDEX merchants_name ON wf.merchants (name);
CREATE TYPE wf.mood AS ENUM ('calm', 'angry');
COMMENT ON TABLE wf.merchants IS 'who sells: a "quoted" word, a back\slash,
and a line break';

\set opts '{"include_schemas": ["wf"], "ignore": ["owner"]}'

-- ---- snapshot text ---------------------------------------------------------

SELECT schemadrift_snapshot_text(:'opts') AS t \gset
-- one object per line, the header first: versions on the first line
-- (versions of the server and of the object model masked)
SELECT regexp_replace(regexp_replace(line, '"server_version_num": \d+, "server_version": "[^"]*"',
									 '"server_version_num": ..., "server_version": "..."'),
					  '"model_version": \d+', '"model_version": ...') AS line
FROM unnest(string_to_array(:'t', E'\n')) WITH ORDINALITY AS l(line, n)
WHERE n <= 2 OR line LIKE '"options"%' OR line LIKE '"objects"%' OR line = ']}'
ORDER BY n;
SELECT count(*) AS lines,
	   (SELECT count(*) FROM schemadrift_objects(:'opts')) + 6 AS objects_plus_header
FROM unnest(string_to_array(:'t', E'\n'));
-- objects in the model's order, one per line, keys in a fixed order
SELECT regexp_replace(line, '"attrs": \{.*\}, "hash": "[0-9a-f]{64}"', '"attrs": {...}, "hash": "..."') AS object_line
FROM unnest(string_to_array(:'t', E'\n')) WITH ORDINALITY AS l(line, n)
WHERE line LIKE '{"kind"%'
ORDER BY n;
-- the same document as schemadrift_snapshot(), and the same text every time
SELECT (:'t')::jsonb = schemadrift_snapshot(:'opts') AS same_document,
	   schemadrift_snapshot_text(:'opts') = :'t' AS deterministic;
-- it loads wherever a snapshot is accepted
SELECT count(*) AS drift FROM schemadrift_diff(source => (:'t')::jsonb, options => :'opts');
-- should fail: a truncated file is not JSON (terse: the DETAIL names the
-- token where the input stopped, which differs between majors)
\set VERBOSITY terse
SELECT count(*) FROM schemadrift_diff(source => left(:'t', 200)::jsonb, options => :'opts');
\set VERBOSITY default
-- should fail: a newer format is refused, with a reason
SELECT count(*) FROM schemadrift_diff(source => replace(:'t', '"format_version": 2', '"format_version": 99')::jsonb, options => :'opts');
-- should fail: an edited object no longer matches its hash
SELECT count(*) FROM schemadrift_diff(source => replace(:'t', 'character varying(50)', 'character varying(60)')::jsonb, options => :'opts');
-- should fail: options NULL
SELECT schemadrift_snapshot_text(NULL);

-- ---- baselines -------------------------------------------------------------

SELECT schemadrift_baseline_save('release-1', 'first release', :'opts') = schemadrift_fingerprint(:'opts') AS saved_fingerprint;
SELECT name, note, created_by = current_user AS by_me, fingerprint = snapshot->>'fingerprint' AS fingerprint_ok
FROM schemadrift_baselines;
-- a baseline is a side: of a diff, of the fingerprint, of the snapshot text
SELECT count(*) AS drift FROM schemadrift_diff(source => 'baseline:release-1', options => :'opts');
SELECT count(*) AS drift FROM schemadrift_diff(target => 'baseline:release-1', options => :'opts');
SELECT schemadrift_fingerprint(:'opts', server => 'baseline:release-1') = schemadrift_fingerprint(:'opts') AS same_fingerprint;
SELECT schemadrift_snapshot_text(:'opts', server => 'baseline:release-1') = :'t' AS same_text;
SELECT count(*) AS objects FROM schemadrift_objects(:'opts', server => 'baseline:release-1');

-- the schema drifts from the baseline
ALTER TABLE wf.merchants ADD COLUMN tax_id text;
ALTER TABLE wf.merchants ALTER COLUMN name TYPE varchar(80);
DROP INDEX wf.merchants_name;
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => 'baseline:release-1', options => :'opts');
-- a server and a baseline of the same name: each by its spelling (the
-- server is a loopback to this database)
CREATE EXTENSION postgres_fdw;
DO $$
BEGIN
	EXECUTE format('CREATE SERVER "release-1" FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   current_database(), current_setting('port'));
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER "release-1";
SELECT count(*) AS drift_from_server FROM schemadrift_diff(source => 'release-1', options => :'opts');
SELECT kind, identity, change FROM schemadrift_diff(source => 'baseline:release-1', options => :'opts');
SET client_min_messages = warning;
DROP SERVER "release-1" CASCADE;
RESET client_min_messages;
DROP EXTENSION postgres_fdw;
-- a baseline against a snapshot, and against another baseline
SELECT schemadrift_baseline_save('release-2', NULL, :'opts') IS NOT NULL AS saved;
SELECT count(*) AS drift FROM schemadrift_diff(target => 'baseline:release-2', source => 'baseline:release-1', options => :'opts');
SELECT count(*) AS drift FROM schemadrift_diff(source => (:'t')::jsonb, target => 'baseline:release-2', options => :'opts');

-- should fail: a name is saved once (the detail says by whom and when)
\set VERBOSITY terse
SELECT schemadrift_baseline_save('release-1', NULL, :'opts');
\set VERBOSITY default
-- should fail: bad names
SELECT schemadrift_baseline_save('');
SELECT schemadrift_baseline_save(repeat('x', 64));
SELECT schemadrift_baseline_save('release 1');
SELECT schemadrift_baseline_save('-release');
SELECT schemadrift_baseline_save(NULL);
SELECT count(*) FROM schemadrift_diff(source => 'baseline:', options => :'opts');
SELECT count(*) FROM schemadrift_diff(source => 'baseline:no/such', options => :'opts');
-- should fail: unknown baseline
SELECT count(*) FROM schemadrift_diff(source => 'baseline:release-9', options => :'opts');
-- should fail: saved with other options
SELECT count(*) FROM schemadrift_diff(source => 'baseline:release-1');
-- should fail: options NULL, options not an object
SELECT schemadrift_baseline_save('release-3', NULL, NULL);
SELECT schemadrift_baseline_save('release-3', NULL, '[]');
-- should fail: a baseline is not a server where a server is needed
SELECT server, error FROM schemadrift_fleet(ARRAY['baseline:release-1'], options => :'opts');
-- should fail: the table checks names too
\set VERBOSITY terse
INSERT INTO schemadrift_baselines (name, snapshot, fingerprint) VALUES ('bad name', '{}', 'x');
\set VERBOSITY default

-- ordinary roles: no access until granted
CREATE ROLE regress_sd_wf_ci;
SET ROLE regress_sd_wf_ci;
-- should fail: permission denied
SELECT schemadrift_baseline_save('ci-1');
SELECT count(*) FROM schemadrift_diff(source => 'baseline:release-1', options => :'opts');
RESET ROLE;
GRANT SELECT ON schemadrift_baselines TO regress_sd_wf_ci;
SET ROLE regress_sd_wf_ci;
SELECT count(*) AS drift FROM schemadrift_diff(source => 'baseline:release-2', options => :'opts');
RESET ROLE;
REVOKE SELECT ON schemadrift_baselines FROM regress_sd_wf_ci;
DROP ROLE regress_sd_wf_ci;

SELECT schemadrift_baseline_drop('release-2');
SELECT name FROM schemadrift_baselines ORDER BY name;
-- should fail: unknown baseline, NULL
SELECT schemadrift_baseline_drop('release-2');
SELECT schemadrift_baseline_drop(NULL);

-- ---- the CI gate -----------------------------------------------------------

SELECT schemadrift_assert_no_drift(source => schemadrift_snapshot(:'opts'), options => :'opts') AS no_drift;
SELECT schemadrift_assert_no_drift(target => 'baseline:release-1', source => 'baseline:release-1', options => :'opts') AS no_drift;
-- should fail: drift (SQLSTATE SD001, shown below)
SELECT schemadrift_assert_no_drift(source => 'baseline:release-1', options => :'opts');
-- (a snapshot is named by the start of its fingerprint: left out here)
SELECT schemadrift_assert_no_drift(source => (:'t')::jsonb - 'fingerprint', options => :'opts');
SELECT schemadrift_assert_no_drift(target => (:'t')::jsonb - 'fingerprint', options => :'opts');
-- the detail lists the first 50 rows, then how many more
SELECT format('ALTER TABLE wf.merchants %s', string_agg(format('ADD COLUMN c%s int', i), ', '))
FROM generate_series(1, 60) i \gexec
DO $$
BEGIN
	PERFORM schemadrift_assert_no_drift(source => 'baseline:release-1',
										options => '{"include_schemas": ["wf"], "ignore": ["owner"]}');
EXCEPTION WHEN SQLSTATE 'SD001' THEN
	DECLARE
		code text;
		msg text;
		detail text;
	BEGIN
		GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
			detail = PG_EXCEPTION_DETAIL;
		RAISE NOTICE 'SQLSTATE %: %', code, msg;
		RAISE NOTICE 'detail: % lines, the last: %',
			array_length(string_to_array(detail, E'\n'), 1),
			(string_to_array(detail, E'\n'))[51];
	END;
END;
$$;
SELECT format('ALTER TABLE wf.merchants %s', string_agg(format('DROP COLUMN c%s', i), ', '))
FROM generate_series(1, 60) i \gexec
-- should fail: a NULL snapshot, bad options, an unknown server
SELECT schemadrift_assert_no_drift(source => NULL::jsonb);
SELECT schemadrift_assert_no_drift(options => NULL);
SELECT schemadrift_assert_no_drift('no_such_server');

-- ---- reports ---------------------------------------------------------------

-- (each row names the last DDL that touched its object or its table, from
-- the audit log: who and when are masked here)

SELECT regexp_replace(schemadrift_report(source => 'baseline:release-1', options => :'opts'), ' by \S+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC', ' by ... at ...', 'g') AS schemadrift_report;
SELECT regexp_replace(schemadrift_report(source => 'baseline:release-1', options => :'opts', format => 'markdown'), ' by \S+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC', ' by ... at ...', 'g') AS schemadrift_report;
SELECT jsonb_pretty(schemadrift_report(source => 'baseline:release-1', options => :'opts', format => 'json')::jsonb - 'rows') AS summary,
	   jsonb_array_length(schemadrift_report(source => 'baseline:release-1', options => :'opts', format => 'json')::jsonb -> 'rows') AS rows;
SELECT schemadrift_report(source => schemadrift_snapshot(:'opts') - 'fingerprint', options => :'opts', format => 'markdown');
SELECT schemadrift_report(target => 'baseline:release-1', source => 'baseline:release-1', options => :'opts', format => 'json');
-- who made a drift: a table created by hand by another role, with a
-- change reason, is attributed to them
CREATE ROLE regress_sd_wf_dba;
GRANT CREATE ON SCHEMA wf TO regress_sd_wf_dba;
SET schemadrift.change_reason = 'OPS-7';
SET ROLE regress_sd_wf_dba;
CREATE TABLE wf.handmade (id int);
RESET ROLE;
RESET schemadrift.change_reason;
SELECT r->>'identity' AS identity, r->'last_ddl'->>'command_tag' AS command_tag,
	   CASE r->'last_ddl'->>'user' WHEN session_user THEN '(session user)'
		   ELSE r->'last_ddl'->>'user' END AS "user",
	   r->'last_ddl'->>'change_reason' AS change_reason,
	   r->'last_ddl'->>'statement' AS statement
FROM jsonb_array_elements(schemadrift_report(source => 'baseline:release-1', options => :'opts', format => 'json')::jsonb -> 'rows') r;
-- no attribution for a role that cannot read the audit log: a NOTICE, no error
GRANT SELECT ON schemadrift_baselines TO regress_sd_wf_dba;
SET ROLE regress_sd_wf_dba;
SELECT count(*) FILTER (WHERE r ? 'last_ddl') AS attributed, count(*) AS rows
FROM jsonb_array_elements(schemadrift_report(source => 'baseline:release-1', options => :'opts', format => 'json')::jsonb -> 'rows') r;
RESET ROLE;
DROP TABLE wf.handmade;
REVOKE ALL ON schemadrift_baselines FROM regress_sd_wf_dba;
REVOKE CREATE ON SCHEMA wf FROM regress_sd_wf_dba;
DROP ROLE regress_sd_wf_dba;
-- should fail: an unknown format, NULL
SELECT schemadrift_report(format => 'html');
SELECT schemadrift_report(format => NULL);

-- ---- accepted drift --------------------------------------------------------

-- the extra column is accepted against this baseline; the missing index
-- was accepted against any side, until a date now past
INSERT INTO schemadrift_accepted_drift (side, kind, identity_pattern, reason, accepted_by, expires_at)
VALUES ('baseline:release-1', 'table column', 'wf.merchants.tax%', 'tax ids ship in 2027', 'alice', NULL),
	   (NULL, 'index', 'wf.merchants_name', 'index rebuilt by hand', 'bob', '2020-01-01 00:00+00');
SELECT regexp_replace(schemadrift_report(source => 'baseline:release-1', options => :'opts'), ' by \S+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC', ' by ... at ...', 'g') AS schemadrift_report;
-- should fail: the changed column, and the index whose acceptance expired
SELECT schemadrift_assert_no_drift(source => 'baseline:release-1', options => :'opts');
-- should fail: an acceptance for another side does not apply (here, to a
-- snapshot)
SELECT schemadrift_assert_no_drift(source => (:'t')::jsonb - 'fingerprint', options => :'opts');
SELECT count(*) AS accepted
FROM jsonb_array_elements(schemadrift_report(source => (:'t')::jsonb, options => :'opts', format => 'json')::jsonb -> 'rows') r
WHERE (r->>'accepted')::boolean;
-- everything in wf accepted: the gate passes, with a NOTICE
INSERT INTO schemadrift_accepted_drift (identity_pattern, reason, accepted_by)
VALUES ('wf.%', 'wf is being rebuilt', 'carol');
SELECT schemadrift_assert_no_drift(source => 'baseline:release-1', options => :'opts') AS no_drift;
SELECT regexp_replace(schemadrift_report(source => 'baseline:release-1', options => :'opts', format => 'markdown'), ' by \S+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC', ' by ... at ...', 'g') AS schemadrift_report;
SELECT r->>'identity' AS identity, r->'accepted' AS accepted, r->>'acceptance' AS acceptance
FROM jsonb_array_elements(schemadrift_report(source => 'baseline:release-1', options => :'opts', format => 'json')::jsonb -> 'rows') r;
-- the raw diff is unchanged
SELECT count(*) AS rows FROM schemadrift_diff(source => 'baseline:release-1', options => :'opts');
-- should fail: an unknown change, an empty reason
\set VERBOSITY terse
INSERT INTO schemadrift_accepted_drift (change, identity_pattern, reason) VALUES ('dropped', '%', 'x');
INSERT INTO schemadrift_accepted_drift (identity_pattern, reason) VALUES ('%', '');
\set VERBOSITY default
-- every role reads the acceptances; only the owner writes them
CREATE ROLE regress_sd_wf_reader;
SET ROLE regress_sd_wf_reader;
SELECT count(*) AS acceptances FROM schemadrift_accepted_drift;
-- should fail: permission denied
INSERT INTO schemadrift_accepted_drift (identity_pattern, reason) VALUES ('%', 'sneaky');
RESET ROLE;
DROP ROLE regress_sd_wf_reader;
DELETE FROM schemadrift_accepted_drift;

-- ---- monitoring ------------------------------------------------------------

-- each run recorded; a run whose result is not the previous one's is
-- marked changed (and notifies schemadrift_drift: test/t/095_monitor_cron.pl)
SELECT schemadrift_monitor('baseline:release-1', options => :'opts') AS no_drift;
SELECT schemadrift_monitor('baseline:release-1', options => :'opts') AS no_drift;
INSERT INTO schemadrift_accepted_drift (identity_pattern, reason, accepted_by)
VALUES ('wf.%', 'wf is being rebuilt', 'carol');
SELECT schemadrift_monitor('baseline:release-1', options => :'opts') AS no_drift;
DELETE FROM schemadrift_accepted_drift;
SELECT schemadrift_monitor('baseline:release-1', 'baseline:release-1', :'opts') AS no_drift;
SELECT source, target, drift, missing, extra, changed, accepted, by_kind, changed_since_last
FROM schemadrift_monitor_runs ORDER BY id;
-- should fail: no source, an unknown baseline, bad options
SELECT schemadrift_monitor(NULL);
SELECT schemadrift_monitor('baseline:release-9', options => :'opts');
SELECT schemadrift_monitor('baseline:release-1', options => NULL);
SELECT count(*) AS runs FROM schemadrift_monitor_runs;
DELETE FROM schemadrift_monitor_runs;

-- ---- versions --------------------------------------------------------------

SELECT version, matches, missing FROM schemadrift_status();
SELECT schemadrift_version_stamp('0001', '[{"name": "0001_init.sql", "checksum": "aaa"}]', 'init') = schemadrift_fingerprint() AS stamped;
SELECT fingerprint = schemadrift_fingerprint() AS fingerprint_ok, version, matches, missing, extra, changed, by_kind
FROM schemadrift_status();
SELECT version, migrations, note, stamped_by = current_user AS by_me FROM schemadrift_versions;
-- the schema moves on: the status counts the drift since the last stamp
CREATE TABLE wf.orders (id int);
ALTER TABLE wf.merchants DROP COLUMN tax_id;
SELECT version, matches, missing, extra, changed, by_kind FROM schemadrift_status();
SELECT schemadrift_version_stamp('0002', '[{"name": "0001_init.sql", "checksum": "aaa"}, {"name": "0002_orders.sql", "checksum": "bbb"}]') IS NOT NULL AS stamped;
SELECT version, matches, missing, extra, changed FROM schemadrift_status();
-- back to the schema of 0001: it matches 0001 again
DROP TABLE wf.orders;
ALTER TABLE wf.merchants ADD COLUMN tax_id text;
SELECT version, matches FROM schemadrift_status();
-- should fail: stamped twice (the detail says by whom and when)
\set VERBOSITY terse
SELECT schemadrift_version_stamp('0002');
\set VERBOSITY default
-- should fail: checksum mismatch (an applied migration was edited)
SELECT schemadrift_version_stamp('0003', '[{"name": "0002_orders.sql", "checksum": "ccc"}]');
-- should fail: bad migrations
SELECT schemadrift_version_stamp('0003', NULL);
SELECT schemadrift_version_stamp('0003', '{}');
SELECT schemadrift_version_stamp('0003', '[1]');
SELECT schemadrift_version_stamp('0003', '[{"name": "x.sql"}]');
SELECT schemadrift_version_stamp('0003', '[{"name": "", "checksum": "c"}]');
SELECT schemadrift_version_stamp('0003', '[{"name": "x.sql", "checksum": 1}]');
SELECT schemadrift_version_stamp('0003', '[{"name": "x.sql", "checksum": "c", "sha": "d"}]');
SELECT schemadrift_version_stamp('0003', '[{"name": "x.sql", "checksum": "c"}, {"name": "x.sql", "checksum": "c"}]');
-- should fail: bad version ids
SELECT schemadrift_version_stamp(NULL);
SELECT schemadrift_version_stamp('');
SELECT schemadrift_version_stamp('v 3');
SELECT version FROM schemadrift_versions ORDER BY stamped_at;
-- versions of one schema: stamped with options; the status reads the schema
-- with the latest stamp's options and counts only versions stamped with them
SELECT schemadrift_version_stamp('0003', options => '{"include_schemas": ["wf"]}')
	= schemadrift_fingerprint('{"include_schemas": ["wf"]}') AS stamped;
CREATE TABLE public.outside_wf (id int);
SELECT version, matches, missing, extra, changed FROM schemadrift_status();
ALTER TABLE wf.merchants ADD COLUMN vat text;
SELECT version, matches, missing, extra, changed, by_kind FROM schemadrift_status();
ALTER TABLE wf.merchants DROP COLUMN vat;
-- the whole database, as 0001 and 0002 were stamped: the table outside wf
-- and the column 0002 dropped are drift since 0002
SELECT version, matches, extra FROM schemadrift_status('{}');
DROP TABLE public.outside_wf;
SELECT version, matches FROM schemadrift_status('{}');
-- should fail: bad options
SELECT * FROM schemadrift_status('{"include_schemas": 1}');
SELECT schemadrift_version_stamp('0004', options => '[]');

-- the tables are dumped with the database
SELECT c.relname, e.extcondition IS NOT NULL AS dumped
FROM pg_extension e, unnest(e.extconfig) AS cfg(oid) JOIN pg_class c ON c.oid = cfg.oid
WHERE e.extname = 'schemadrift' AND c.relname IN ('schemadrift_baselines', 'schemadrift_versions',
												   'schemadrift_accepted_drift', 'schemadrift_accepted_drift_id_seq',
												   'schemadrift_monitor_runs', 'schemadrift_monitor_runs_id_seq')
ORDER BY 1;

DELETE FROM schemadrift_versions;
SELECT schemadrift_baseline_drop('release-1');
DROP SCHEMA wf CASCADE;
