--
-- drift_scenarios: drift modeled on real incidents, between a "prod" and a
-- "dev" database built from almost the same DDL.  The diff must show exactly
-- the differences planted here, and nothing else.
--
-- drift_scenarios_1.out: PostgreSQL 16 and later print the definition of a
-- view over one table without the table's name before each column
-- (shop.active_merchants).
--
-- (owners are the same on both sides; they depend on who runs the test)
\set o '{"ignore": ["owner"]}'
CREATE DATABASE regress_sd_prod;
CREATE DATABASE regress_sd_dev;

\c regress_sd_prod
CREATE EXTENSION schemadrift;
CREATE SCHEMA shop;
CREATE TYPE shop.request_status AS ENUM ('draft', 'submitted', 'approved', 'rejected');
CREATE TABLE shop.merchants (
	id integer PRIMARY KEY,
	name varchar(50) NOT NULL,
	email text,
	country text NOT NULL DEFAULT 'US',
	meta jsonb,
	created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX merchants_meta_gin ON shop.merchants USING gin (meta);
CREATE TABLE shop.requests (
	id bigint PRIMARY KEY,
	merchant_id integer NOT NULL,
	status shop.request_status NOT NULL DEFAULT 'draft',
	amount numeric(12,2),
	CONSTRAINT requests_merchant_fk FOREIGN KEY (merchant_id) REFERENCES shop.merchants (id));
CREATE SEQUENCE shop.invoice_no INCREMENT 1;
CREATE TABLE shop."userEvents" (
	"eventId" bigint PRIMARY KEY, "userId" int NOT NULL, "eventType" text,
	"occurredAt" timestamptz, "sessionId" uuid, "ipAddress" inet, "userAgent" text,
	"pageUrl" text, "referrerUrl" text, "durationMs" int, "isBot" boolean DEFAULT false,
	"extraData" jsonb);
CREATE VIEW shop.active_merchants AS SELECT id, name FROM shop.merchants WHERE country = 'US';
CREATE FUNCTION shop.fee(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE
	AS 'SELECT amount * 0.029 + 0.30';
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER requests_touch BEFORE UPDATE ON shop.requests FOR EACH ROW EXECUTE FUNCTION shop.touch();
ALTER TABLE shop.requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY merchant_isolation ON shop.requests
	USING (merchant_id = current_setting('app.merchant_id')::int);
CREATE TABLE shop."order" ("select" int, "from" text, "my col" text, "quote""d" text, "naïve" text);
SELECT schemadrift_snapshot(:'o') AS prod \gset

\c regress_sd_dev
CREATE EXTENSION schemadrift;
CREATE SCHEMA shop;
-- an enum with other labels
CREATE TYPE shop.request_status AS ENUM ('draft', 'submitted', 'failed');
CREATE TABLE shop.merchants (
	id bigint PRIMARY KEY,                     -- integer -> bigint
	name varchar(100) NOT NULL,                -- varchar(50) -> varchar(100)
	email text NOT NULL,                       -- nullability
	country text NOT NULL DEFAULT 'CA',        -- default
	meta jsonb,
	created_at timestamptz NOT NULL DEFAULT now(),
	tax_id text);                              -- added by hand in psql
-- no GIN index on meta
CREATE TABLE shop.requests (
	id bigint PRIMARY KEY,
	merchant_id integer NOT NULL,
	status shop.request_status NOT NULL DEFAULT 'draft',
	amount numeric(12,2));                     -- the foreign key was never added
CREATE SEQUENCE shop.invoice_no INCREMENT 10;
-- the "userEvents" migration was never applied here
CREATE VIEW shop.active_merchants AS SELECT id, name FROM shop.merchants WHERE country IN ('US', 'CA');
CREATE FUNCTION shop.fee(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE
	AS 'SELECT amount * 0.03 + 0.30';
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER requests_touch BEFORE UPDATE ON shop.requests FOR EACH ROW EXECUTE FUNCTION shop.touch();
ALTER TABLE shop.requests DISABLE TRIGGER requests_touch;
ALTER TABLE shop.requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY merchant_isolation ON shop.requests USING (true);
CREATE TABLE shop."order" ("select" int, "from" text, "my col" varchar(10), "quote""d" text NOT NULL);
SELECT schemadrift_snapshot(:'o') AS dev \gset

-- what must change in dev (the target, this database) to match prod
SELECT kind, identity, change, attribute, source_value, target_value, note
FROM schemadrift_diff(source => :'prod'::jsonb, options => :'o')
ORDER BY identity COLLATE "C", kind, attribute;

-- the same diff between the two snapshots, from a third database
\c contrib_regression
SELECT count(*) AS rows,
	   count(DISTINCT identity) AS objects
FROM schemadrift_diff(target => :'dev'::jsonb, source => :'prod'::jsonb, options => :'o');

-- the reverse: what must change in prod to match dev
\c regress_sd_prod
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => :'dev'::jsonb, options => :'o')
ORDER BY identity COLLATE "C", kind, attribute;

-- the same diffs between the live databases, read through loopback
-- foreign servers: the rows are the snapshot path's, row for row
\c contrib_regression
CREATE EXTENSION postgres_fdw;
DO $$
BEGIN
	EXECUTE format('CREATE SERVER regress_sd_prod_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_prod', current_setting('port'));
	EXECUTE format('CREATE SERVER regress_sd_dev_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L)',
				   'regress_sd_dev', current_setting('port'));
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_prod_srv;
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sd_dev_srv;
-- what must change in dev to match prod: both sides remote
SELECT kind, identity, change, attribute, source_value, target_value, note
FROM schemadrift_diff('regress_sd_dev_srv', 'regress_sd_prod_srv', options => :'o')
ORDER BY identity COLLATE "C", kind, attribute;
-- row for row the snapshots' diff, both ways
CREATE TEMP TABLE remote_rows AS
	SELECT * FROM schemadrift_diff('regress_sd_dev_srv', 'regress_sd_prod_srv', options => :'o');
CREATE TEMP TABLE snapshot_rows AS
	SELECT * FROM schemadrift_diff(target => :'dev'::jsonb, source => :'prod'::jsonb, options => :'o');
SELECT (SELECT count(*) FROM remote_rows) AS remote_rows,
	   (SELECT count(*) FROM (TABLE remote_rows EXCEPT ALL TABLE snapshot_rows) d) AS only_remote,
	   (SELECT count(*) FROM (TABLE snapshot_rows EXCEPT ALL TABLE remote_rows) d) AS only_snapshot;
-- a remote side against a snapshot, and the remotes' fingerprints and
-- snapshots against the ones their databases took themselves
SELECT count(*) AS drift
FROM schemadrift_diff(target => 'regress_sd_prod_srv', source => :'prod'::jsonb, options => :'o');
SELECT schemadrift_snapshot(:'o', server => 'regress_sd_prod_srv') = :'prod'::jsonb AS same_snapshot,
	   schemadrift_fingerprint(:'o', server => 'regress_sd_dev_srv') = (:'dev'::jsonb)->>'fingerprint' AS same_fingerprint;
SELECT count(*) AS objects FROM schemadrift_objects(:'o', server => 'regress_sd_dev_srv')
WHERE identity LIKE 'shop.%';
DROP TABLE remote_rows, snapshot_rows;
DROP SERVER regress_sd_prod_srv, regress_sd_dev_srv CASCADE;
DROP EXTENSION postgres_fdw;

-- Supabase realtime: merchants was taken out of the realtime publication on
-- dev by hand, and the application's live updates of merchants silently
-- stopped; the diff names the missing member, and nothing else of the
-- publication (core warns when wal_level is not logical)
\c regress_sd_prod
SET client_min_messages = error;
CREATE PUBLICATION supabase_realtime FOR TABLE shop.requests, shop.merchants;
RESET client_min_messages;
SELECT schemadrift_snapshot(:'o') AS prod_realtime \gset
\c regress_sd_dev
SET client_min_messages = error;
CREATE PUBLICATION supabase_realtime FOR TABLE shop.requests;
RESET client_min_messages;
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => :'prod_realtime'::jsonb, options => :'o')
WHERE kind LIKE 'publication%'
ORDER BY identity COLLATE "C", kind, attribute;
\c contrib_regression

DROP DATABASE regress_sd_prod;
DROP DATABASE regress_sd_dev;
