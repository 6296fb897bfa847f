--
-- explain: each diff row names the last audit log entry of its object on
-- the side that has the change (who, when, from which application, the
-- statement, the change reason), in this database and through foreign
-- servers whose databases have schemadrift
--
-- (times and ids differ from run to run: they are checked, not shown)
\set o '{"include_schemas": ["ex"], "ignore": ["owner"]}'
\set ox '{"include_schemas": ["ex"], "ignore": ["owner"], "explain": true}'
CREATE ROLE regress_sd_ex_dba;
CREATE ROLE regress_sd_ex_migrator;

-- ---- this database -----------------------------------------------------------
CREATE SCHEMA ex;
CREATE TABLE ex.orders (id bigint PRIMARY KEY, total numeric);
CREATE INDEX orders_total ON ex.orders (total);
ALTER TABLE ex.orders OWNER TO regress_sd_ex_dba;
GRANT USAGE, CREATE ON SCHEMA ex TO regress_sd_ex_dba, regress_sd_ex_migrator;
SELECT schemadrift_snapshot(:'o') AS before \gset

-- hand changes, by a named role from a named application, with a reason
SET application_name = 'hotfix-console';
SET schemadrift.change_reason = 'INC-9';
SET ROLE regress_sd_ex_dba;
ALTER TABLE ex.orders ADD COLUMN note text;
ALTER TABLE ex.orders ALTER COLUMN total TYPE numeric(12,2);
DROP INDEX ex.orders_total;
CREATE TABLE ex.scratch (id int);
RESET ROLE;
RESET schemadrift.change_reason;
RESET application_name;

-- what must change here to match the snapshot: the target (this database)
-- has every change, a column's on its table's ALTER TABLE (the one that
-- names the column), the dropped index on its DROP INDEX
SELECT identity, change, attribute, changed_on, changed_by, application_name,
	   client_addr, command_tag, statement, change_reason,
	   changed_at > now() - interval '1 hour' AS recent,
	   EXISTS (SELECT FROM schemadrift_ddl_log l
			   WHERE l.id = d.audit_id AND l.statement = d.statement
				 AND l.current_user_name = d.changed_by
				 AND l.occurred_at = d.changed_at) AS audit_id_is_the_entry
FROM schemadrift_diff(source => :'before'::jsonb, options => :'ox') d
ORDER BY identity COLLATE "C", attribute COLLATE "C";

-- the other way round: a snapshot has no audit log, so only what is
-- missing from it is attributed, from the source (this database, which
-- created it)
SELECT identity, change, changed_on, changed_by, command_tag, statement
FROM schemadrift_diff(target => :'before'::jsonb, options => :'ox')
ORDER BY identity COLLATE "C", attribute COLLATE "C";

-- without explain (or with it false) the columns are NULL
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE num_nonnulls(changed_on, changed_by, changed_at, application_name,
										   client_addr, command_tag, statement, change_reason,
										   audit_id) > 0) AS attributed
FROM schemadrift_diff(source => :'before'::jsonb, options => :'o');
SELECT count(*) FILTER (WHERE audit_id IS NOT NULL) AS attributed
FROM schemadrift_diff(source => :'before'::jsonb,
					  options => :'o'::jsonb || '{"explain": false}');
-- explain is not an option of what is read: the same rows either way
SELECT count(*) AS rows FROM schemadrift_diff(source => :'before'::jsonb, options => :'ox');

-- a role that cannot read the audit log: no attribution, a NOTICE once
SET ROLE regress_sd_ex_migrator;
SELECT count(*) AS rows, count(audit_id) AS attributed
FROM schemadrift_diff(source => :'before'::jsonb, options => :'ox');
RESET ROLE;

-- should fail: explain is a boolean
SELECT count(*) FROM schemadrift_diff(source => :'before'::jsonb, options => :'o'::jsonb || '{"explain": "yes"}');
SELECT count(*) FROM schemadrift_diff(options => '{"explain": 1}');
SELECT count(*) FROM schemadrift_diff(options => '{"explain": null}');

-- an older declaration (0.1.0's columns) has nothing to fill: explain
-- changes nothing; one with some of the columns gets those
CREATE FUNCTION regress_diff_old(source jsonb, options jsonb, target text DEFAULT NULL)
RETURNS TABLE (kind text, identity text, change text, attribute text,
			   source_value text, target_value text, note text)
AS '$libdir/schemadrift', 'schemadrift_diff_source_snapshot' LANGUAGE C;
SELECT identity, change FROM regress_diff_old(:'before', :'ox') ORDER BY 1;
CREATE FUNCTION regress_diff_who(source jsonb, options jsonb, target text DEFAULT NULL)
RETURNS TABLE (changed_by text, identity text, change text, kind text)
AS '$libdir/schemadrift', 'schemadrift_diff_source_snapshot' LANGUAGE C;
SELECT identity, change, changed_by FROM regress_diff_who(:'before', :'ox') ORDER BY 1;
-- should fail: attribution columns without the kind and change of a row
CREATE FUNCTION regress_diff_who_what(source jsonb, options jsonb, target text DEFAULT NULL)
RETURNS TABLE (identity text, changed_by text)
AS '$libdir/schemadrift', 'schemadrift_diff_source_snapshot' LANGUAGE C;
SELECT * FROM regress_diff_who_what(:'before', :'ox');
-- (without explain it is only a shorter row)
SELECT count(*) FROM regress_diff_who_what(:'before', :'o');
DROP FUNCTION regress_diff_old, regress_diff_who, regress_diff_who_what;

DROP SCHEMA ex CASCADE;

-- ---- foreign servers --------------------------------------------------------
-- dev has a migration prod lacks; prod has a hand change dev lacks
CREATE DATABASE regress_sd_ex_dev;
CREATE DATABASE regress_sd_ex_prod;
CREATE DATABASE regress_sd_ex_bare;
\c regress_sd_ex_dev
CREATE EXTENSION schemadrift;
CREATE SCHEMA ex;
CREATE TABLE ex.orders (id bigint PRIMARY KEY, total numeric);
GRANT USAGE, CREATE ON SCHEMA ex TO regress_sd_ex_dba, regress_sd_ex_migrator;
SET application_name = 'migrate';
SET schemadrift.change_reason = '0002_invoices';
SET ROLE regress_sd_ex_migrator;
CREATE TABLE ex.invoices (id bigint PRIMARY KEY, order_id bigint);
RESET ROLE;
\c regress_sd_ex_prod
CREATE EXTENSION schemadrift;
CREATE SCHEMA ex;
CREATE TABLE ex.orders (id bigint PRIMARY KEY, total numeric);
GRANT USAGE, CREATE ON SCHEMA ex TO regress_sd_ex_dba, regress_sd_ex_migrator;
ALTER TABLE ex.orders OWNER TO regress_sd_ex_dba;
SET application_name = 'hotfix-console';
SET ROLE regress_sd_ex_dba;
ALTER TABLE ex.orders ADD COLUMN tax_id text;
RESET ROLE;
\c regress_sd_ex_bare
CREATE SCHEMA ex;
CREATE TABLE ex.orders (id bigint PRIMARY KEY, total numeric);

\c contrib_regression
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
DO $$
BEGIN
	EXECUTE format('CREATE SERVER regress_sd_ex_dev_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_ex_dev', current_setting('port'));
	EXECUTE format('CREATE SERVER regress_sd_ex_prod_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_ex_prod', current_setting('port'));
	EXECUTE format('CREATE SERVER regress_sd_ex_bare_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_ex_bare', current_setting('port'));
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_ex_dev_srv;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_ex_prod_srv;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_ex_bare_srv;

-- what must change in prod to match dev, both remote: the extra column is
-- prod's hand change (prod's log), the missing table dev's migration
-- (dev's log: prod never had it)
SELECT identity, change, changed_on, changed_by, application_name, command_tag,
	   statement, change_reason, changed_at > now() - interval '1 hour' AS recent,
	   audit_id IS NOT NULL AS has_audit_id
FROM schemadrift_diff('regress_sd_ex_prod_srv', 'regress_sd_ex_dev_srv', :'ox'::jsonb)
ORDER BY identity COLLATE "C", attribute COLLATE "C";
-- the audit id is the entry's id in prod's log
SELECT d.audit_id = l.id AS same_entry
FROM schemadrift_diff('regress_sd_ex_prod_srv', 'regress_sd_ex_dev_srv', :'ox'::jsonb) d,
	 dblink('dbname=regress_sd_ex_prod port=' || current_setting('port'),
			$$SELECT max(id) FROM schemadrift_ddl_log WHERE statement LIKE '%tax_id%'$$) AS l(id bigint)
WHERE d.changed_on = 'target';
-- a snapshot source: only the remote target's log is read
SELECT identity, change, changed_on, changed_by, application_name
FROM schemadrift_diff(source => schemadrift_snapshot(:'o', server => 'regress_sd_ex_dev_srv'),
					  options => :'ox', target => 'regress_sd_ex_prod_srv')
ORDER BY identity COLLATE "C", attribute COLLATE "C";
-- the report says who, read through the same servers
SELECT regexp_replace(schemadrift_report('regress_sd_ex_prod_srv', 'regress_sd_ex_dev_srv', :'o'::jsonb),
					  ' at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC', ' at ...', 'g') AS schemadrift_report;
SELECT r->>'identity' AS identity, r->'last_ddl'->>'side' AS side, r->'last_ddl'->>'user' AS "user",
	   r->'last_ddl'->>'application' AS application, r->'last_ddl'->>'change_reason' AS change_reason
FROM jsonb_array_elements(schemadrift_report('regress_sd_ex_prod_srv', 'regress_sd_ex_dev_srv', :'o'::jsonb,
											 format => 'json')::jsonb -> 'rows') r
ORDER BY 1;

-- a remote without schemadrift has no audit log: NULL, and a NOTICE once
SELECT count(*) > 1 AS several_rows, count(changed_on) AS attributed
FROM schemadrift_diff(source => schemadrift_snapshot(:'o', server => 'regress_sd_ex_dev_srv'),
					  options => :'ox', target => 'regress_sd_ex_bare_srv');

-- a remote role that may not read the log there: NULL, and a NOTICE once
ALTER ROLE regress_sd_ex_migrator LOGIN;
DO $$
BEGIN
	EXECUTE format('CREATE SERVER regress_sd_ex_prod_ro FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_ex_prod', current_setting('port'));
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_ex_prod_ro
	OPTIONS (user 'regress_sd_ex_migrator', password_required 'false');
SELECT count(*) AS rows, count(changed_on) AS attributed
FROM schemadrift_diff(source => schemadrift_snapshot(:'o', server => 'regress_sd_ex_dev_srv'),
					  options => :'ox', target => 'regress_sd_ex_prod_ro');
DROP USER MAPPING FOR CURRENT_USER SERVER regress_sd_ex_prod_ro;
DROP SERVER regress_sd_ex_prod_ro;

DROP USER MAPPING FOR CURRENT_USER SERVER regress_sd_ex_dev_srv;
DROP USER MAPPING FOR CURRENT_USER SERVER regress_sd_ex_prod_srv;
DROP USER MAPPING FOR CURRENT_USER SERVER regress_sd_ex_bare_srv;
DROP SERVER regress_sd_ex_dev_srv;
DROP SERVER regress_sd_ex_prod_srv;
DROP SERVER regress_sd_ex_bare_srv;
DROP DATABASE regress_sd_ex_dev;
DROP DATABASE regress_sd_ex_prod;
DROP DATABASE regress_sd_ex_bare;
DROP ROLE regress_sd_ex_dba;
DROP ROLE regress_sd_ex_migrator;
