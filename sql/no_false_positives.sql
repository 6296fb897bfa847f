--
-- no_false_positives: a realistic schema (test/fixtures/app_schema.sql, a
-- few hundred objects) loaded in database A, the same schema reached in
-- another creation order in B (app_schema_reordered.sql), and A restored
-- from pg_dump --schema-only into C: one fingerprint, no diff.  Both also
-- hold an object of every kind object model 2 added
-- (test/fixtures/kinds_schema.sql).
--
CREATE ROLE "regress_schemadrift ""um"" ü";
CREATE DATABASE regress_sd_fix_a;
CREATE DATABASE regress_sd_fix_b;
CREATE DATABASE regress_sd_fix_c;

\set ECHO none
\c regress_sd_fix_a
\i test/fixtures/app_schema.sql
\i test/fixtures/kinds_schema.sql
\c regress_sd_fix_b
\i test/fixtures/kinds_schema.sql
\i test/fixtures/app_schema_reordered.sql
\set ECHO all
\! pg_dump --schema-only regress_sd_fix_a | psql -X -q -v ON_ERROR_STOP=1 -d regress_sd_fix_c >/dev/null 2>&1 && echo restored

\c regress_sd_fix_a
CREATE EXTENSION schemadrift;
SELECT count(*) > 300 AS a_few_hundred_objects FROM schemadrift_objects();
SELECT kind, count(*) FROM schemadrift_objects() GROUP BY kind ORDER BY kind;
SELECT schemadrift_fingerprint() AS fp_a \gset
SELECT schemadrift_snapshot() AS snap_a \gset
-- a snapshot lists the objects in the model's order (the one fingerprints
-- and diffs rely on): by schema, then by kind and key parts, each written
-- as <bytes>:<text> and joined by '|', compared byte by byte; computed here
-- in SQL, apart from the extension's own sort
WITH o AS (
  SELECT n, coalesce(e ->> 'schema', '') AS schema,
         octet_length(e ->> 'kind') || ':' || (e ->> 'kind') ||
         (SELECT string_agg('|' || octet_length(p) || ':' || p, '' ORDER BY i)
          FROM jsonb_array_elements_text(e -> 'key') WITH ORDINALITY k(p, i)) AS mkey
  FROM jsonb_array_elements(:'snap_a'::jsonb -> 'objects') WITH ORDINALITY x(e, n))
SELECT count(*) > 300 AS objects,
       bool_and(n = pos) AS in_model_order
FROM (SELECT n, row_number() OVER (ORDER BY schema COLLATE "C", mkey COLLATE "C") AS pos
      FROM o) s;

\c regress_sd_fix_b
CREATE EXTENSION schemadrift;
SELECT schemadrift_fingerprint() = :'fp_a' AS same_fingerprint_other_order;
SELECT * FROM schemadrift_diff(source => :'snap_a'::jsonb);
SELECT * FROM schemadrift_diff(target => :'snap_a'::jsonb);

\c regress_sd_fix_c
CREATE EXTENSION schemadrift;
SELECT schemadrift_fingerprint() = :'fp_a' AS same_fingerprint_after_restore;
SELECT * FROM schemadrift_diff(source => :'snap_a'::jsonb);
SELECT * FROM schemadrift_diff(target => :'snap_a'::jsonb);

-- and the diff is not blind: one planted change shows, alone
ALTER TABLE app.users ALTER COLUMN email DROP NOT NULL;
SELECT kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => :'snap_a'::jsonb);

-- (a database with a subscription cannot be dropped)
DROP SUBSCRIPTION "sub ""s"". ü\%";
\c regress_sd_fix_b
DROP SUBSCRIPTION "sub ""s"". ü\%";
\c regress_sd_fix_a
DROP SUBSCRIPTION "sub ""s"". ü\%";
\c contrib_regression
DROP DATABASE regress_sd_fix_a;
DROP DATABASE regress_sd_fix_b;
DROP DATABASE regress_sd_fix_c;
DROP ROLE "regress_schemadrift ""um"" ü";
