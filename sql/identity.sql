--
-- identity: kinds and identities are spelled as pg_identify_object() spells
-- them, and index definitions as pg_get_indexdef() prints them, for every
-- object of the schema built by objects.sql plus awkward names.
--
CREATE SCHEMA "Weird ""Schema""";
CREATE TABLE "Weird ""Schema"""."table with spaces" ("select" int PRIMARY KEY, "café" text, "a""b" int);
CREATE INDEX "idx ""quoted""" ON "Weird ""Schema"""."table with spaces" ("café" DESC, "a""b");
CREATE VIEW "Weird ""Schema""".user AS SELECT "select" AS "group" FROM "Weird ""Schema"""."table with spaces";
CREATE FUNCTION "Weird ""Schema"""."Func"(x "Weird ""Schema"""."table with spaces") RETURNS int
	LANGUAGE sql AS 'SELECT 1';
CREATE POLICY "a policy" ON "Weird ""Schema"""."table with spaces" USING (true);
-- constraints of every shape
CREATE TABLE "Weird ""Schema""".con (
	a int, b int, c int, d text,
	CONSTRAINT con_pk PRIMARY KEY (a, b) INCLUDE (d),
	CONSTRAINT con_nnd UNIQUE NULLS NOT DISTINCT (c),
	CONSTRAINT con_fk FOREIGN KEY (c, a) REFERENCES "Weird ""Schema""".con (a, b)
		MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL (c) DEFERRABLE INITIALLY DEFERRED,
	CONSTRAINT con_fk2 FOREIGN KEY ("select_") REFERENCES "Weird ""Schema"""."table with spaces" ("select")
		ON DELETE RESTRICT ON UPDATE SET DEFAULT,
	CONSTRAINT con_chk CHECK (a > 0 AND d <> 'x') NO INHERIT,
	"select_" int);
ALTER TABLE "Weird ""Schema""".con ADD CONSTRAINT con_late CHECK (b < 100) NOT VALID;
ALTER TABLE "Weird ""Schema""".con ADD CONSTRAINT con_fk3 FOREIGN KEY (b) REFERENCES "Weird ""Schema"""."table with spaces" NOT VALID;

-- relations, schemas
SELECT o.kind, o.identity
FROM schemadrift_objects() o
WHERE o.kind IN ('schema', 'table', 'view', 'materialized view', 'sequence', 'index')
EXCEPT
(SELECT i.type, i.identity
 FROM pg_class c, pg_identify_object('pg_class'::regclass, c.oid, 0) i
 UNION ALL
 SELECT i.type, i.identity
 FROM pg_namespace n, pg_identify_object('pg_namespace'::regclass, n.oid, 0) i);

-- columns
SELECT o.kind, o.identity
FROM schemadrift_objects() o
WHERE o.kind = 'table column'
EXCEPT
SELECT i.type, i.identity
FROM pg_attribute a, pg_identify_object('pg_class'::regclass, a.attrelid, a.attnum) i
WHERE a.attnum > 0 AND NOT a.attisdropped;

-- constraints, triggers, policies, functions, types
SELECT o.kind, o.identity
FROM schemadrift_objects() o
WHERE o.kind IN ('table constraint', 'trigger', 'policy', 'function', 'procedure', 'aggregate', 'type')
EXCEPT
(SELECT i.type, i.identity
 FROM pg_constraint k, pg_identify_object('pg_constraint'::regclass, k.oid, 0) i
 UNION ALL
 SELECT i.type, i.identity
 FROM pg_trigger t, pg_identify_object('pg_trigger'::regclass, t.oid, 0) i
 UNION ALL
 SELECT i.type, i.identity
 FROM pg_policy p, pg_identify_object('pg_policy'::regclass, p.oid, 0) i
 UNION ALL
 SELECT i.type, i.identity
 FROM pg_proc p, pg_identify_object('pg_proc'::regclass, p.oid, 0) i
 UNION ALL
 SELECT i.type, i.identity
 FROM pg_type t, pg_identify_object('pg_type'::regclass, t.oid, 0) i);

-- the awkward names themselves
SELECT kind, identity
FROM schemadrift_objects('{"include_schemas": ["Weird \"Schema\""]}')
ORDER BY kind, identity COLLATE "C";

-- every index definition is what pg_get_indexdef() prints after
-- "CREATE [UNIQUE] INDEX name ON table USING "
SET search_path = pg_catalog;
SELECT o.identity, o.attrs->>'definition' AS definition, d.def AS core
FROM public.schemadrift_objects() o
JOIN pg_index x ON o.identity = (pg_identify_object('pg_class'::regclass, x.indexrelid, 0)).identity
CROSS JOIN LATERAL (SELECT substr(pg_get_indexdef(x.indexrelid),
	strpos(pg_get_indexdef(x.indexrelid), ' USING ') + 7) AS def) d
WHERE o.kind = 'index' AND o.attrs->>'definition' IS DISTINCT FROM d.def;
SELECT count(*) AS indexes_checked
FROM public.schemadrift_objects()
WHERE kind = 'index';
RESET search_path;

-- every constraint definition is what pg_get_constraintdef() prints
SET search_path = pg_catalog;
SELECT o.identity, o.attrs->>'definition' AS definition, pg_get_constraintdef(k.oid) AS core
FROM public.schemadrift_objects() o
JOIN pg_constraint k ON o.identity = (pg_identify_object('pg_constraint'::regclass, k.oid, 0)).identity
WHERE o.kind = 'table constraint' AND o.attrs->>'definition' IS DISTINCT FROM pg_get_constraintdef(k.oid);
SELECT attrs->>'definition' AS definition
FROM public.schemadrift_objects('{"include_schemas": ["Weird \"Schema\""]}')
WHERE kind = 'table constraint'
ORDER BY identity COLLATE "C";
RESET search_path;

-- the key holds raw name parts: snapshots carry it
SELECT o->'key' AS key, o->'parent' AS parent
FROM jsonb_array_elements(schemadrift_snapshot('{"include_schemas": ["Weird \"Schema\""]}')->'objects') o
ORDER BY o->>'kind', o->>'identity' COLLATE "C";

-- schemadrift_get_expr() prints what pg_get_expr() prints, byte for byte,
-- for every expression on a table in this test database: the shapes it prints
-- itself (columns with awkward names, a dropped column before the one used,
-- implicit-AND predicates, partition bounds) and those it leaves to core
-- (CASE, whole rows, system columns, sublinks)
CREATE TABLE "Weird ""Schema""".exprs (
	gone int,
	"select" int,
	"a""b" text COLLATE "C",
	"café" numeric,
	w int[],
	g numeric GENERATED ALWAYS AS ("café" * 2 + coalesce("select", -1)) STORED,
	CONSTRAINT e_in CHECK ("select" IN (1, 2, 3) OR "select" IS NULL),
	CONSTRAINT e_bool CHECK (NOT ("café" < 0 AND "a""b" = 'it''s') OR "a""b" IS DISTINCT FROM 'x'),
	CONSTRAINT e_case CHECK (CASE WHEN "select" > 0 THEN "café" > 0 ELSE true END),
	CONSTRAINT e_row CHECK (exprs IS NOT NULL),
	CONSTRAINT e_sys CHECK (tableoid <> 0),
	CONSTRAINT e_arr CHECK ("select" = ANY (w) AND cardinality(w) BETWEEN 0 AND 10),
	CONSTRAINT e_rowcmp CHECK (ROW("select", "café") > ROW(-5, 1.5::numeric)),
	CONSTRAINT e_collate CHECK (("a""b" COLLATE "POSIX") < 'zzz' AND length("a""b") < 100),
	CONSTRAINT e_none CHECK (false) NOT VALID);
ALTER TABLE "Weird ""Schema""".exprs DROP COLUMN gone;
CREATE INDEX exprs_pred ON "Weird ""Schema""".exprs ("select")
	WHERE "café" > 0 AND "a""b" <> '' AND ("select" < 5 OR w IS NULL);
CREATE INDEX exprs_expr ON "Weird ""Schema""".exprs ((lower("a""b")), ("café" + 1));
CREATE POLICY exprs_pol ON "Weird ""Schema""".exprs USING ("select" > 0)
	WITH CHECK ("a""b" <> 'no');
CREATE POLICY exprs_sub ON "Weird ""Schema""".exprs
	USING (EXISTS (SELECT 1 FROM "Weird ""Schema"""."table with spaces" t WHERE t."select" = exprs."select"));
CREATE TABLE "Weird ""Schema""".plist (k text, v int) PARTITION BY LIST (k);
CREATE TABLE "Weird ""Schema""".plist_a PARTITION OF "Weird ""Schema""".plist FOR VALUES IN ('a', 'it''s', NULL);
CREATE TABLE "Weird ""Schema""".phash (k int) PARTITION BY HASH (k);
CREATE TABLE "Weird ""Schema""".phash_0 PARTITION OF "Weird ""Schema""".phash FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE "Weird ""Schema""".prange (a int, b int) PARTITION BY RANGE (a, b);
CREATE TABLE "Weird ""Schema""".prange_1 PARTITION OF "Weird ""Schema""".prange
	FOR VALUES FROM (MINVALUE, MINVALUE) TO (10, MAXVALUE);
CREATE TRIGGER exprs_when BEFORE UPDATE ON "Weird ""Schema""".exprs
	FOR EACH ROW WHEN (OLD."select" IS DISTINCT FROM NEW."select")
	EXECUTE FUNCTION suppress_redundant_updates_trigger();

CREATE TEMP VIEW table_exprs AS
SELECT 'check' AS source, conbin AS e, conrelid AS r FROM pg_constraint WHERE conbin IS NOT NULL AND conrelid <> 0
UNION ALL SELECT 'index predicate', indpred, indrelid FROM pg_index WHERE indpred IS NOT NULL
UNION ALL SELECT 'index expressions', indexprs, indrelid FROM pg_index WHERE indexprs IS NOT NULL
UNION ALL SELECT 'default', adbin, adrelid FROM pg_attrdef
UNION ALL SELECT 'partition bound', relpartbound, oid FROM pg_class WHERE relpartbound IS NOT NULL
UNION ALL SELECT 'policy', polqual, polrelid FROM pg_policy WHERE polqual IS NOT NULL
UNION ALL SELECT 'policy check', polwithcheck, polrelid FROM pg_policy WHERE polwithcheck IS NOT NULL;
SET search_path = pg_catalog;
SELECT x.source, public.schemadrift_get_expr(x.e, x.r) AS ours, pg_get_expr(x.e, x.r) AS core
FROM pg_temp.table_exprs x
WHERE public.schemadrift_get_expr(x.e, x.r) IS DISTINCT FROM pg_get_expr(x.e, x.r);
SELECT x.source, count(*) AS checked FROM pg_temp.table_exprs x GROUP BY x.source ORDER BY x.source;
-- the shapes under test, as both print them
SELECT x.source, public.schemadrift_get_expr(x.e, x.r) AS expr
FROM pg_temp.table_exprs x JOIN pg_class c ON c.oid = x.r
WHERE c.relnamespace = '"Weird ""Schema"""'::regnamespace::oid AND c.relname IN ('exprs', 'plist_a', 'phash_0', 'prange_1')
ORDER BY x.source, public.schemadrift_get_expr(x.e, x.r) COLLATE "C";
-- a table that is gone: NULL, as pg_get_expr(); no table given: core's error
SELECT public.schemadrift_get_expr(conbin, 4000000000) IS NULL AS gone,
	pg_get_expr(conbin, 4000000000) IS NULL AS core_gone
FROM pg_constraint WHERE conname = 'e_in';
SELECT public.schemadrift_get_expr(conbin, 0) FROM pg_constraint WHERE conname = 'e_in'; -- should fail
-- a trigger's WHEN names two relations (OLD and NEW): core's error
SELECT public.schemadrift_get_expr(tgqual, tgrelid) FROM pg_trigger WHERE tgname = 'exprs_when'; -- should fail
SELECT public.schemadrift_get_expr(NULL, 0) IS NULL AS strict;
RESET search_path;
DROP VIEW pg_temp.table_exprs;

DROP SCHEMA "Weird ""Schema""" CASCADE;

-- Only the extension's own schemadrift_get_expr() is called.  Under the
-- 0.1.0 SQL objects (before ALTER EXTENSION UPDATE) there is none: a
-- function of that name and signature someone made in the extension's
-- schema is not used, and pg_get_expr() is.
CREATE DATABASE regress_sd_getexpr;
\c regress_sd_getexpr
CREATE EXTENSION schemadrift VERSION '0.1.0';
CREATE TABLE public.t (a int CONSTRAINT t_a CHECK (a > 0));
CREATE FUNCTION public.schemadrift_get_expr(pg_node_tree, oid) RETURNS text
	LANGUAGE sql AS $$ SELECT 'not schemadrift''s' $$;
SELECT attrs->>'definition' AS definition FROM schemadrift_objects() WHERE kind = 'table constraint';
DROP FUNCTION public.schemadrift_get_expr(pg_node_tree, oid);
ALTER EXTENSION schemadrift UPDATE;
SELECT attrs->>'definition' AS definition FROM schemadrift_objects() WHERE kind = 'table constraint';
\c contrib_regression
DROP DATABASE regress_sd_getexpr;
