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

DROP SCHEMA "Weird ""Schema""" CASCADE;
