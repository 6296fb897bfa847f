--
-- diff: what must change in the target to match the source
--
CREATE ROLE regress_schemadrift_dev NOLOGIN;
CREATE ROLE regress_schemadrift_prod NOLOGIN;
CREATE ROLE regress_schemadrift_reader NOLOGIN;

CREATE SCHEMA d;
CREATE TABLE d.kept (id int PRIMARY KEY, a int, b int, c int);
CREATE TABLE d.gone (id int PRIMARY KEY, x text NOT NULL, y text, z text CHECK (z <> ''));
CREATE INDEX gone_x ON d.gone (x);
CREATE TRIGGER gone_noop BEFORE INSERT ON d.gone FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
ALTER TABLE d.kept OWNER TO regress_schemadrift_prod;
GRANT SELECT ON d.kept TO regress_schemadrift_reader;

ALTER TABLE d.gone OWNER TO regress_schemadrift_prod;

\set opts '{"include_schemas": ["d"]}'
SELECT schemadrift_snapshot(:'opts') AS before \gset

-- change it: drop a table (with its children), add one, reorder columns,
-- change owner and grants
DROP TABLE d.gone;
CREATE TABLE d.added (id int PRIMARY KEY, note text);
ALTER TABLE d.added OWNER TO regress_schemadrift_prod;
ALTER TABLE d.kept DROP COLUMN b;
ALTER TABLE d.kept ADD COLUMN b int;
ALTER TABLE d.kept ADD COLUMN new_col int;
ALTER TABLE d.kept OWNER TO regress_schemadrift_dev;
REVOKE SELECT ON d.kept FROM regress_schemadrift_reader;

-- this database is the target: what must change here to match "before"?
-- The missing table is one row, its columns, constraints, index and
-- trigger folded into it; the new column is one row and does not also
-- show as a column order change; the order of a, b and c does.
-- (From PostgreSQL 17 on a table owner also holds MAINTAIN: it is left out
-- of the values printed here, so that they read the same on every major;
-- the MAINTAIN rule has a test of its own below.)
SELECT kind, identity, change, attribute,
	   replace(source_value, '"(owner):MAINTAIN", ', '') AS source_value,
	   replace(target_value, '"(owner):MAINTAIN", ', '') AS target_value, note
FROM schemadrift_diff(source => :'before'::jsonb, options => :'opts')
ORDER BY identity COLLATE "C", kind, attribute;

-- the reverse direction: this database is the source
SELECT kind, identity, change, attribute,
	   replace(source_value, '"(owner):MAINTAIN", ', '') AS source_value,
	   replace(target_value, '"(owner):MAINTAIN", ', '') AS target_value, note
FROM schemadrift_diff(target => :'before'::jsonb, options => :'opts')
ORDER BY identity COLLATE "C", kind, attribute;

-- options narrow the comparison (and the snapshot must be taken under them)
SELECT schemadrift_snapshot('{"include_schemas": ["d"], "ignore": ["owner", "privileges", "column_order"]}') AS loose \gset
ALTER TABLE d.kept OWNER TO regress_schemadrift_prod;
GRANT SELECT ON d.kept TO regress_schemadrift_reader;
SELECT count(*) AS drift
FROM schemadrift_diff(source => :'loose'::jsonb,
					  options => '{"include_schemas": ["d"], "ignore": ["owner", "privileges", "column_order"]}');

-- role_map: names that differ between environments compare equal
ALTER TABLE d.kept OWNER TO regress_schemadrift_dev;
SELECT schemadrift_snapshot('{"include_schemas": ["d"], "role_map": {"regress_schemadrift_dev": "regress_schemadrift_prod"}}') AS dev \gset
ALTER TABLE d.kept OWNER TO regress_schemadrift_prod;
SELECT kind, identity, attribute, source_value, target_value
FROM schemadrift_diff(source => :'dev'::jsonb,
					  options => '{"include_schemas": ["d"], "role_map": {"regress_schemadrift_dev": "regress_schemadrift_prod"}}');

-- two snapshots, neither of them this database
SELECT schemadrift_snapshot(:'opts') AS after \gset
SELECT count(*) AS rows_between_snapshots,
	   count(*) FILTER (WHERE change = 'missing') AS missing,
	   count(*) FILTER (WHERE change = 'extra') AS extra,
	   count(*) FILTER (WHERE change = 'changed') AS changed
FROM schemadrift_diff(target => :'after'::jsonb, source => :'before'::jsonb, options => :'opts');

-- a snapshot read on another major version: definition text may print
-- differently there, so such rows carry a note (and a NOTICE says so).
-- Both sides are snapshots whose server version is set, so that the majors
-- named do not depend on the server running the test
CREATE VIEW d.v AS SELECT id FROM d.kept;
SELECT jsonb_set(schemadrift_snapshot(:'opts'), '{server_version_num}', '170004') AS v17 \gset
CREATE OR REPLACE VIEW d.v AS SELECT id FROM d.kept WHERE id > 0;
SELECT jsonb_set(schemadrift_snapshot(:'opts'), '{server_version_num}', '150004') AS v15 \gset
SELECT kind, identity, attribute, note
FROM schemadrift_diff(target => :'v15'::jsonb, source => :'v17'::jsonb, options => :'opts');
-- this database as the target: the note names its own major, and that of
-- a source set to a major other than this server's
SELECT current_setting('server_version_num')::int / 10000 AS here_major,
	   CASE WHEN current_setting('server_version_num')::int / 10000 = 17 THEN 16 ELSE 17 END AS other_major \gset
SET client_min_messages = warning;  -- the NOTICE names this server's major
SELECT kind, identity, attribute,
	   note = format('may be version noise: the source was read on PostgreSQL %s, the target on PostgreSQL %s',
					 :other_major, :here_major) AS noted_with_both_majors
FROM schemadrift_diff(source => jsonb_set(:'v17'::jsonb, '{server_version_num}', to_jsonb(:other_major * 10000 + 4)),
					  options => :'opts');
RESET client_min_messages;

-- across PostgreSQL 17, which added the MAINTAIN privilege, a table owner's
-- explicit ACL gains it: a privileges row that differs only in MAINTAIN is
-- marked as version noise, one that differs in anything else is not.  The
-- other side is this database's snapshot as the other major would read it:
-- (owner):MAINTAIN toggled on d.kept, its hash recomputed, no fingerprint.
CREATE FUNCTION pg_temp.other_major(snap jsonb, extra text) RETURNS jsonb
LANGUAGE sql AS $$
  WITH objs AS (
    SELECT CASE WHEN e->>'kind' = 'table' AND e->>'identity' = 'd.kept' THEN
             jsonb_set(jsonb_set(e, '{attrs,privileges}', p.new), '{hash}',
                       to_jsonb(encode(sha256(convert_to(
                         jsonb_set(e->'attrs', '{privileges}', p.new)::text, 'UTF8')), 'hex')))
           ELSE e END AS e, n
    FROM jsonb_array_elements(snap->'objects') WITH ORDINALITY x(e, n)
    LEFT JOIN LATERAL (
      SELECT to_jsonb(array_agg(v ORDER BY v COLLATE "C")) AS new
      FROM (SELECT v FROM jsonb_array_elements_text(e->'attrs'->'privileges') v
            WHERE v <> '(owner):MAINTAIN'
            UNION ALL SELECT '(owner):MAINTAIN'
            WHERE NOT (e->'attrs'->'privileges') ? '(owner):MAINTAIN'
            UNION ALL SELECT extra WHERE extra IS NOT NULL) s) p ON true)
  SELECT jsonb_set(jsonb_set(snap - 'fingerprint', '{objects}',
                             (SELECT jsonb_agg(e ORDER BY n) FROM objs)),
                   '{server_version_num}',
                   CASE WHEN current_setting('server_version_num')::int >= 170000
                        THEN '160004' ELSE '170004' END::jsonb)
$$;
SELECT schemadrift_snapshot(:'opts') AS here \gset
SET client_min_messages = warning;  -- the NOTICE names this server's version
SELECT kind, identity, attribute,
       note LIKE 'may be version noise: %(the MAINTAIN privilege exists from PostgreSQL 17)' AS maintain_noise
FROM schemadrift_diff(source => pg_temp.other_major(:'here', NULL), options => :'opts');
SELECT kind, identity, attribute, note IS NOT NULL AS noted
FROM schemadrift_diff(source => pg_temp.other_major(:'here', 'regress_schemadrift_dev:SELECT'),
                      options => :'opts');
RESET client_min_messages;

-- a NULL text side is this database: comparing it with itself finds nothing
SELECT count(*) AS drift FROM schemadrift_diff(NULL::text, NULL::text, :'opts');
SELECT count(*) AS drift FROM schemadrift_diff();

-- a table on one side and a materialized view or a view of the same name
-- on the other: each is one row with its own children folded into it, and
-- children of the same name (an index, a trigger) are not also paired and
-- compared with each other; an index folded on one side only (rel_x_idx, on
-- a table both sides have in the target) is a row of its own on the other
CREATE TABLE d.rel_m (id int, label text);
CREATE INDEX rel_m_label ON d.rel_m (label);
CREATE TABLE d.rel_v (id int, label text);
CREATE TRIGGER rel_v_trg BEFORE INSERT ON d.rel_v FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TABLE d.rel_x (id int);
CREATE INDEX rel_x_idx ON d.rel_x (id);
SELECT schemadrift_snapshot('{"include_schemas": ["d"], "ignore": ["owner"]}') AS tables \gset
DROP TABLE d.rel_m, d.rel_v, d.rel_x;
CREATE MATERIALIZED VIEW d.rel_m AS SELECT id, 'x'::text AS label FROM d.kept;
CREATE INDEX rel_m_label ON d.rel_m (label DESC);
CREATE VIEW d.rel_v AS SELECT id, 'x'::text AS label FROM d.kept;
CREATE TRIGGER rel_v_trg INSTEAD OF INSERT ON d.rel_v FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE VIEW d.rel_x AS SELECT id FROM d.kept;
CREATE INDEX rel_x_idx ON d.kept (id);
SELECT kind, identity, change, attribute, note
FROM schemadrift_diff(source => :'tables'::jsonb, options => '{"include_schemas": ["d"], "ignore": ["owner"]}')
ORDER BY identity COLLATE "C", kind, change;
-- and the other way round
SELECT kind, identity, change, attribute, note
FROM schemadrift_diff(target => :'tables'::jsonb, options => '{"include_schemas": ["d"], "ignore": ["owner"]}')
ORDER BY identity COLLATE "C", kind, change;

-- a table one side lacks counts in its row the sequences its columns own
-- (serial, OWNED BY) as it counts its columns (an identity column's
-- sequence is part of the column); the model keeps each as an object, a
-- child of its table; a sequence owned by a table both sides have is a
-- row of its own
CREATE TABLE d.numbered (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY, ref int);
CREATE SEQUENCE d.numbered_ref_seq OWNED BY d.numbered.ref;
CREATE TABLE d.counted (a int);
CREATE SEQUENCE d.counted_seq OWNED BY d.counted.a;
CREATE SEQUENCE d.free_seq;
SELECT schemadrift_snapshot('{"include_schemas": ["d"], "ignore": ["owner"]}') AS numbered \gset
SELECT o->>'identity' AS identity, o->'parent' AS parent, o->'attrs'->>'owned_by' AS owned_by
FROM jsonb_array_elements((:'numbered'::jsonb)->'objects') o
WHERE o->>'kind' = 'sequence'
ORDER BY o->>'identity' COLLATE "C";
DROP TABLE d.numbered;
DROP SEQUENCE d.counted_seq;
SELECT kind, identity, change, attribute, note
FROM schemadrift_diff(source => :'numbered'::jsonb, options => '{"include_schemas": ["d"], "ignore": ["owner"]}')
WHERE identity NOT LIKE 'd.rel\_%'
ORDER BY identity COLLATE "C", kind, change;
-- and the other way round
SELECT kind, identity, change, attribute, note
FROM schemadrift_diff(target => :'numbered'::jsonb, options => '{"include_schemas": ["d"], "ignore": ["owner"]}')
WHERE identity NOT LIKE 'd.rel\_%'
ORDER BY identity COLLATE "C", kind, change;
-- excluding a table excludes the sequences it owns, as its columns
CREATE SEQUENCE d.counted_seq OWNED BY d.counted.a;
SELECT kind, identity FROM schemadrift_objects('{"include_schemas": ["d"], "exclude": ["d.counted"]}')
WHERE kind = 'sequence' OR identity LIKE 'd.counted%'
ORDER BY identity COLLATE "C";

DROP SCHEMA d CASCADE;
DROP ROLE regress_schemadrift_dev;
DROP ROLE regress_schemadrift_prod;
DROP ROLE regress_schemadrift_reader;
