/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  The catalog extraction SQL: canonical objects from pg_catalog.
 *
 * One SELECT, built here for the server version of the side it reads, turns
 * the catalogs into rows (kind, identity, schema, key, parent, attrs, hash).
 * It runs unchanged through SPI on this database and, later, through libpq on
 * a remote one that has no schemadrift installed: it only uses core
 * functions, and takes the options document ($1 jsonb) and what to return
 * ($2 boolean: attrs, or their hashes computed on the side that owns the
 * data) as its parameters.
 *
 * Rules (DESIGN.md, "Canonical objects"):
 *	- kind and identity are spelled as pg_identify_object() spells them;
 *	  key holds the raw name parts, so matching never depends on quoting;
 *	- attrs holds only what two databases built from the same DDL share: no
 *	  OIDs, no attnum (column order is the order of live columns), no
 *	  auto-generated internals, nothing owned by an extension, nothing of
 *	  schemadrift's own;
 *	- every definition is deparsed by core (pg_get_*def, pg_get_expr,
 *	  format_type) while the caller pins search_path = pg_catalog and the
 *	  output settings (see sd_util_pin_gucs), so names print qualified the
 *	  same way on every side;
 *	- attributes whose value is NULL are left out, so "absent" and "not
 *	  applicable" are one thing;
 *	- hash = sha256 of the UTF-8 bytes of attrs::text.
 *
 * attrs is built as text, directly in jsonb's canonical output form (keys
 * ordered by length then bytes, ", " and ": " separators, strings escaped by
 * to_json): attrs::jsonb::text is the same string.  That costs a fraction of
 * jsonb_build_object(), which looks up the type of every argument on every
 * call, and lets the fingerprint hash attrs without ever building jsonb.
 * The snapshot loader recomputes every hash from the parsed jsonb, so any
 * divergence from the canonical form shows up as a hash mismatch in tests.
 *
 * The queries follow pg_dump's conventions: schema-qualified catalogs, a
 * pinned search_path (so plain operators resolve in pg_catalog only), one
 * variant per version bracket chosen by server_version_num.
 *
 * This file holds the common tables, the arms of objects in schemas and the
 * assembly of the query; catalog_attrs.c builds attrs and the SQL pieces
 * every arm shares, catalog_global.c the arms of database-wide objects,
 * catalog_ops.c those of operators and their classes and families,
 * catalog_text.c those of conversions and text search objects.
 *
 * IDENTIFICATION
 *	  src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class_d.h"
#include "catalog/pg_collation_d.h"
#include "catalog/pg_constraint_d.h"
#include "catalog/pg_extension_d.h"
#include "catalog/pg_namespace_d.h"
#include "catalog/pg_proc_d.h"
#include "catalog/pg_statistic_ext_d.h"
#include "catalog/pg_type_d.h"
#include "lib/stringinfo.h"

#include "catalog.h"
#include "catalog_attrs.h"
#include "catalog_global.h"
#include "catalog_ops.h"
#include "deparse.h"
#include "util.h"

/*
 * COLUMN_LIST
 *		The quoted names of the columns of relation relid numbered in the
 *		int2[] attnums, ", "-separated, in order; filter restricts the
 *		elements x(n, i) (n the number, i the position).
 *
 * A correlated subquery per constraint, with one index probe per column:
 * its cost grows with the constraints whatever the planner estimates.  (A
 * set-based list of every constraint's columns, joined to the constraints,
 * was no faster at 10,000 tables, and when underestimated was rescanned
 * for every constraint: quadratic.)
 */
#define COLUMN_LIST(attnums, relid, filter) \
	"(SELECT pg_catalog.string_agg(" QIDENT("(SELECT a.attname FROM pg_catalog.pg_attribute a" \
	" WHERE a.attrelid = " relid " AND a.attnum = x.n)") ", ', ' ORDER BY x.i)" \
	" FROM pg_catalog.unnest(" attnums ") WITH ORDINALITY x(n, i)" filter ")"

/*
 * INDEX_COLUMNS
 *		The column list of index x (pg_index) on plain columns as ruleutils
 *		prints it: quoted column, COLLATE if not the column's, operator
 *		class if not the default, DESC / NULLS, then INCLUDE columns.  A
 *		correlated subquery per index with index probes only (see
 *		COLUMN_LIST); a join to pg_opclass there would read all of it per
 *		index.
 */
#define INDEX_COLUMNS \
	"(SELECT pg_catalog.string_agg(" \
	"CASE WHEN u.i = x.indnkeyatts + 1 THEN ') INCLUDE (' WHEN u.i > 1 THEN ', ' ELSE '' END" \
	" || " QIDENT("ta.attname") \
	" || CASE WHEN u.i > x.indnkeyatts THEN '' ELSE" \
	" CASE WHEN u.coll <> 0 AND u.coll <> ta.attcollation THEN ' COLLATE ' || " \
	COLLATION_NAME_AS_CORE("u.coll") " ELSE '' END" \
	" || (SELECT CASE WHEN opc.opcdefault THEN '' WHEN opn.nspname = 'pg_catalog' THEN ' ' || " QIDENT("opc.opcname") \
	" ELSE ' ' || " QUALIFIED("opn.nspname", "opc.opcname") " END" \
	" FROM pg_catalog.pg_opclass opc JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace" \
	" WHERE opc.oid = u.cls)" \
	" || CASE WHEN u.opt & 1 = 1 THEN ' DESC' || CASE WHEN u.opt & 2 = 0 THEN ' NULLS LAST' ELSE '' END" \
	" WHEN u.opt & 2 = 2 THEN ' NULLS FIRST' ELSE '' END END, '' ORDER BY u.i)" \
	" FROM ROWS FROM (pg_catalog.unnest(x.indkey::pg_catalog.int2[])," \
	" pg_catalog.unnest(x.indclass::pg_catalog.oid[]), pg_catalog.unnest(x.indcollation::pg_catalog.oid[])," \
	" pg_catalog.unnest(x.indoption::pg_catalog.int2[])) WITH ORDINALITY u(attnum, cls, coll, opt, i)" \
	" CROSS JOIN LATERAL (SELECT a.attname, a.attcollation FROM pg_catalog.pg_attribute a" \
	" WHERE a.attrelid = x.indrelid AND a.attnum = u.attnum OFFSET 0) ta)"

/* the name of a collation, schema-qualified, or NULL */
#define COLLATION_NAME(oid) \
	"(SELECT " QUALIFIED("cn.nspname", "co.collname") \
	" FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace" \
	" WHERE co.oid = " oid ")"

/* ... and as core prints it with search_path = pg_catalog */
#define COLLATION_NAME_AS_CORE(oid) \
	"(SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN " QIDENT("co.collname") \
	" ELSE " QUALIFIED("cn.nspname", "co.collname") " END" \
	" FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace" \
	" WHERE co.oid = " oid ")"

/*
 * append_common_ctes
 *		The WITH clause every query starts from: the options ($1), and the
 *		schemas and relations in scope (rel_filter, if not NULL, is added to
 *		the conditions on pg_class c, starting with " AND").
 */
static void
append_common_ctes(StringInfo buf, const char *rel_filter)
{
	appendStringInfoString(buf,
						   "WITH f AS ("
						   " SELECT o,"
						   " COALESCE((o -> 'ignore') ? 'owner', false) AS no_owner,"
						   " COALESCE((o -> 'ignore') ? 'privileges', false) AS no_acl,"
						   " COALESCE((o -> 'ignore') ? 'comments', false) AS no_comment,"
						   " COALESCE((o -> 'ignore') ? 'column_order', false) AS no_colorder,"
						   " COALESCE((o -> 'ignore') ? 'tablespace', false) AS no_tblspc,"
						   " COALESCE((o -> 'ignore') ? 'constraint_names', false) AS no_conname,"
						   " COALESCE(o -> 'role_map', '{}') AS rmap,"
						   " ARRAY(SELECT pg_catalog.jsonb_array_elements_text(o -> 'exclude')) AS excl"
						   " FROM (SELECT $1::pg_catalog.jsonb AS o) opt),\n"
						   "nsp AS ("
						   " SELECT n.oid, n.nspname::pg_catalog.text AS nspname, n.nspowner, n.nspacl"
						   " FROM pg_catalog.pg_namespace n, f"
						   " WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
						   " AND" NOT_EXT_MEMBER(NamespaceRelationId, "n.oid")
						   " AND (NOT (f.o ? 'include_schemas') OR (f.o -> 'include_schemas') ? n.nspname)"
						   " AND NOT COALESCE((f.o -> 'exclude_schemas') ? n.nspname, false)),\n"
						   "rel AS ("
						   " SELECT c.oid, c.relname::pg_catalog.text AS relname, c.relkind, c.relpersistence,"
						   " c.relowner, c.relacl, c.reloptions, c.reltablespace, c.relrowsecurity,"
						   " c.relforcerowsecurity, c.relreplident, c.relispartition, c.reloftype, c.relam,"
						   " c.relpartbound, n.nspname, " QUALIFIED("n.nspname", "c.relname") " AS ident"
						   " FROM pg_catalog.pg_class c JOIN nsp n ON n.oid = c.relnamespace"
						   " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
						   " AND" NOT_EXT_MEMBER(RelationRelationId, "c.oid"));
	if (rel_filter != NULL)
		appendStringInfoString(buf, rel_filter);
	appendStringInfoString(buf, "),\n");
}

/* ---- one SELECT per kind; each yields (kind, identity, schema, key, parent, attrs) */

/*
 * add_sequence_options
 *		The options of the sequence s (pg_sequence): for sequences, and for
 *		the sequence behind an identity column.
 */
static void
add_sequence_options(SdAttrs *o)
{
	sd_attrs_add(o, "type", JV_TEXT, "pg_catalog.format_type(s.seqtypid, NULL)");
	sd_attrs_add(o, "start", JV_INT, "s.seqstart");
	sd_attrs_add(o, "increment", JV_INT, "s.seqincrement");
	sd_attrs_add(o, "min", JV_INT, "s.seqmin");
	sd_attrs_add(o, "max", JV_INT, "s.seqmax");
	sd_attrs_add(o, "cache", JV_INT, "s.seqcache");
	sd_attrs_add(o, "cycle", JV_BOOL, "s.seqcycle");
}

static void
append_schemas(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("n.nspowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("n.nspacl", "n.nspowner", "n"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'schema', " QIDENT("n.nspname") ","
					 " n.nspname, ARRAY[n.nspname], " NO_PARENT ", %s"
					 " FROM nsp n CROSS JOIN f"
					 DESCR_JOIN("d", NamespaceRelationId, "n.oid", "0"),
					 sd_attrs_sql(&o));
}

static void
append_extensions(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "version", JV_TEXT, "x.extversion");
	sd_attrs_add(&o, "schema", JV_TEXT, "xn.nspname");
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'extension', " QIDENT("x.extname") ", " NO_SCHEMA ", ARRAY[x.extname::pg_catalog.text], " NO_PARENT ", %s"
					 " FROM pg_catalog.pg_extension x"
					 " JOIN pg_catalog.pg_namespace xn ON xn.oid = x.extnamespace CROSS JOIN f"
					 DESCR_JOIN("d", ExtensionRelationId, "x.oid", "0")
					 " WHERE x.extname <> 'schemadrift'",
					 sd_attrs_sql(&o));
}

/*
 * add_inheritance
 *		What a table or foreign table r inherits: the partitioned table it is
 *		a partition of and its bound, or its parents in order.
 */
static void
add_inheritance(SdAttrs *o)
{
	sd_attrs_add(o, "partition_of", JV_TEXT,
				 "CASE WHEN r.relispartition THEN (SELECT " QUALIFIED("pn.nspname", "pc.relname")
				 " FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
				 " JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
				 " WHERE i.inhrelid = r.oid) END");
	sd_attrs_add(o, "partition_bound", JV_TEXT,
				 psprintf("CASE WHEN r.relispartition THEN %s END",
						  sd_attrs_table_expr("r.relpartbound", "r.oid")));
	sd_attrs_add(o, "inherits", JV_JSON,
				 psprintf("CASE WHEN NOT r.relispartition THEN %s END",
						  sd_attrs_string_array(QUALIFIED("pn.nspname", "pc.relname"),
												"pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
												" JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
												" WHERE i.inhrelid = r.oid",
												"i.inhseqno")));
}

/*
 * The names of the live columns of relation r in attnum order, as co.cols:
 * the "column_order" attribute (add it with COLUMN_ORDER).
 */
#define COLUMN_ORDER_JOIN \
	" CROSS JOIN LATERAL (SELECT '[' || pg_catalog.string_agg(pg_catalog.to_json(a.attname::pg_catalog.text)::pg_catalog.text," \
	" ', ' ORDER BY a.attnum) || ']' AS cols FROM pg_catalog.pg_attribute a" \
	" WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped OFFSET 0) co"
#define COLUMN_ORDER "CASE WHEN NOT f.no_colorder THEN co.cols END"

static void
append_tables(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "persistence", JV_TEXT,
				 "CASE r.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END");
	sd_attrs_add(&o, "partition_key", JV_TEXT,
				 "CASE WHEN r.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(r.oid) END");
	add_inheritance(&o);
	sd_attrs_add(&o, "of_type", JV_TEXT,
				 "CASE WHEN r.reloftype <> 0 THEN pg_catalog.format_type(r.reloftype, NULL) END");
	sd_attrs_add(&o, "options", JV_JSON, sd_attrs_sorted_array("r.reloptions"));
	sd_attrs_add(&o, "row_security", JV_BOOL, "r.relrowsecurity");
	sd_attrs_add(&o, "force_row_security", JV_BOOL, "r.relforcerowsecurity");
	sd_attrs_add(&o, "replica_identity", JV_TEXT,
				 "CASE r.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing'"
				 " WHEN 'f' THEN 'full' WHEN 'i' THEN 'index ' || (SELECT " QIDENT("ic.relname")
				 " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
				 " WHERE x.indrelid = r.oid AND x.indisreplident) END");
	sd_attrs_add(&o, "access_method", JV_TEXT, "CASE WHEN am.amname <> 'heap' THEN am.amname END");
	sd_attrs_add(&o, "tablespace", JV_TEXT, "CASE WHEN f.no_tblspc THEN NULL ELSE ts.spcname END");
	sd_attrs_add(&o, "column_order", JV_JSON, COLUMN_ORDER);
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("r.relowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("r.relacl", "r.relowner", "r"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'table', r.ident, r.nspname, ARRAY[r.nspname, r.relname], " NO_PARENT ", %s"
					 " FROM rel r CROSS JOIN f"
					 " LEFT JOIN pg_catalog.pg_am am ON am.oid = r.relam"
					 " LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = r.reltablespace"
					 COLUMN_ORDER_JOIN
					 DESCR_JOIN("d", RelationRelationId, "r.oid", "0")
					 " WHERE r.relkind IN ('r', 'p')",
					 sd_attrs_sql(&o));
}

/*
 * Foreign tables: their server and options (secrets left out, see
 * fdw_options), what they inherit, column order, owner, privileges,
 * comment.  Their columns, constraints and triggers come with the arms of
 * tables.
 */
static void
append_foreign_tables(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "server", JV_TEXT, "fs.srvname");
	sd_attrs_add(&o, "options", JV_JSON, sd_attrs_fdw_options("ft.ftoptions"));
	add_inheritance(&o);
	sd_attrs_add(&o, "column_order", JV_JSON, COLUMN_ORDER);
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("r.relowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("r.relacl", "r.relowner", "r"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'foreign table', r.ident, r.nspname, ARRAY[r.nspname, r.relname], " NO_PARENT ", %s"
					 " FROM rel r CROSS JOIN f"
					 " JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = r.oid"
					 " JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver"
					 COLUMN_ORDER_JOIN
					 DESCR_JOIN("d", RelationRelationId, "r.oid", "0")
					 " WHERE r.relkind = 'f'",
					 sd_attrs_sql(&o));
}

/*
 * Columns of tables and of foreign tables (kind "foreign table column",
 * with the column's FDW options, secrets left out).
 */
static void
append_columns(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};
	SdAttrs		seq = {0};

	add_sequence_options(&seq);

	sd_attrs_add(&o, "type", JV_TEXT, "pg_catalog.format_type(a.atttypid, a.atttypmod)");
	sd_attrs_add(&o, "not_null", JV_BOOL, "a.attnotnull");

	/*
	 * PostgreSQL 18 keeps a column's NOT NULL as a constraint (contype 'n',
	 * one per column, its name depending on how the table was made), which
	 * may be NOT VALID or NO INHERIT; attnotnull is set either way.  Those
	 * two clauses are what the constraint adds to not_null, so they fold
	 * into the column too, left out when not set: a table made the same way
	 * on 15 and 18 has the same column attrs.
	 */
	if (server_version >= 180000)
	{
		sd_attrs_add(&o, "not_null_not_valid", JV_BOOL,
					 "CASE WHEN NOT nn.convalidated THEN true END");
		sd_attrs_add(&o, "not_null_no_inherit", JV_BOOL,
					 "CASE WHEN nn.connoinherit THEN true END");
	}
	/*
	 * A default cannot refer to columns, so it deparses without the table
	 * as context (which would open the table and list its columns on every
	 * call); a generation expression can, and needs it.  pg_attrdef is read
	 * only for the columns that have one (a join would look up every
	 * column).
	 */
	sd_attrs_add(&o, "default", JV_TEXT,
				 "CASE WHEN a.atthasdef AND a.attgenerated = '' THEN (SELECT pg_catalog.pg_get_expr(ad.adbin, 0)"
				 " FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) END");
	sd_attrs_add(&o, "generated", JV_TEXT,
				 psprintf("CASE WHEN a.atthasdef AND a.attgenerated <> '' THEN (SELECT %s"
						  " FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) END",
						  sd_attrs_table_expr("ad.adbin", "ad.adrelid")));
	sd_attrs_add(&o, "generated_storage", JV_TEXT,
				 "CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END");
	sd_attrs_add(&o, "identity", JV_TEXT,
				 "CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END");
	sd_attrs_add(&o, "identity_sequence", JV_JSON,
				 psprintf("CASE WHEN a.attidentity <> '' THEN (SELECT %s"
						  " FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid"
						  " WHERE dep.refclassid = " CppAsString2(RelationRelationId)
						  " AND dep.refobjid = r.oid AND dep.refobjsubid = a.attnum"
						  " AND dep.classid = " CppAsString2(RelationRelationId) " AND dep.deptype = 'i') END",
						  sd_attrs_sql(&seq)));
	sd_attrs_add(&o, "collation", JV_TEXT,
				 "CASE WHEN a.attcollation <> t.typcollation THEN " COLLATION_NAME("a.attcollation") " END");
	sd_attrs_add(&o, "compression", JV_TEXT,
				 "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END");
	sd_attrs_add(&o, "storage", JV_TEXT,
				 "CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage"
				 " WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' WHEN 'x' THEN 'extended' END END");

	/* PostgreSQL 17 made attstattarget nullable: NULL, not -1, is "default" */
	if (server_version >= 170000)
		sd_attrs_add(&o, "statistics", JV_INT, "a.attstattarget");
	else
		sd_attrs_add(&o, "statistics", JV_INT, "CASE WHEN a.attstattarget >= 0 THEN a.attstattarget END");

	/*
	 * attoptions minus pg_attver=<n>: some 15.x builds stamp every column
	 * with a number that changes on every load; it is not a user option.
	 */
	sd_attrs_add(&o, "options", JV_JSON,
				 psprintf("CASE WHEN a.attoptions IS NULL OR (pg_catalog.cardinality(a.attoptions) = 1"
						  " AND a.attoptions[1] LIKE 'pg\\_attver=%%') THEN NULL ELSE %s END",
						  sd_attrs_string_array("o.x", "pg_catalog.unnest(a.attoptions) o(x) WHERE o.x NOT LIKE 'pg\\_attver=%'",
												UTF8_ORDER("o.x"))));
	sd_attrs_add(&o, "privileges", JV_JSON,
				 psprintf("CASE WHEN f.no_acl OR a.attacl IS NULL THEN NULL ELSE %s END",
						  sd_attrs_string_array("p.g",
												"(SELECT CASE WHEN ac.grantee = 0 THEN 'PUBLIC' ELSE"
												" COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(ac.grantee),"
												" pg_catalog.pg_get_userbyid(ac.grantee)) END"
												" || ':' || ac.privilege_type || CASE WHEN ac.is_grantable THEN '*' ELSE '' END AS g"
												" FROM pg_catalog.aclexplode(a.attacl) ac) p",
												UTF8_ORDER("p.g"))));
	sd_attrs_add(&o, "fdw_options", JV_JSON, sd_attrs_fdw_options("a.attfdwoptions"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT CASE WHEN r.relkind = 'f' THEN 'foreign table column' ELSE 'table column' END,"
					 " r.ident || '.' || " QIDENT("a.attname") ", r.nspname,"
					 " ARRAY[r.nspname, r.relname, a.attname::pg_catalog.text], ARRAY[r.nspname, r.relname], %s"
					 " FROM rel r CROSS JOIN f"
					 " JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped"
					 " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
					 "%s"
					 DESCR_JOIN("d", RelationRelationId, "a.attrelid", "a.attnum")
					 " WHERE r.relkind IN ('r', 'p', 'f')",
					 sd_attrs_sql(&o),
					 server_version >= 180000 ?
					 " LEFT JOIN pg_catalog.pg_constraint nn ON nn.conrelid = a.attrelid"
					 " AND nn.contype = 'n' AND nn.conkey[1] = a.attnum" : "");
}

/*
 * constraint_definition
 *		The "definition" attribute of constraint k: what
 *		pg_get_constraintdef() prints.
 *
 * Up to PostgreSQL 17, primary keys, unique, foreign key and check
 * constraints are printed here the way ruleutils prints them, from the
 * column lists (COLUMN_LIST: pg_get_constraintdef() also looks up every
 * column, and for a check opens the table, on every call); exclusion
 * constraints, and from 18 on everything but checks (WITHOUT OVERLAPS,
 * PERIOD), go through pg_get_constraintdef().  A check's expression is
 * printed by sd_attrs_table_expr (schemadrift_get_expr() where schemadrift
 * is installed, which does not open the table), its clauses here, with 18's
 * NOT ENFORCED.  sql/identity.sql checks that both print the same text.
 */
#define KEY_COLUMNS COLUMN_LIST("k.conkey", "k.conrelid", "")
#define INCLUDE_COLUMNS \
	"CASE WHEN ix.indnatts > ix.indnkeyatts THEN ' INCLUDE (' || " \
	COLUMN_LIST("ix.indkey::pg_catalog.int2[]", "k.conrelid", " WHERE x.i > ix.indnkeyatts") \
	" || ')' ELSE '' END"

static char *
constraint_definition(int server_version)
{
	if (server_version >= 180000)
		return psprintf("CASE WHEN k.contype = 'c' THEN 'CHECK (' || %s || ')'"
						" || CASE WHEN k.connoinherit THEN ' NO INHERIT' ELSE '' END"
						" || CASE WHEN k.condeferrable THEN ' DEFERRABLE' ELSE '' END"
						" || CASE WHEN k.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END"
						" || CASE WHEN NOT k.conenforced THEN ' NOT ENFORCED'"
						" WHEN NOT k.convalidated THEN ' NOT VALID' ELSE '' END"
						" ELSE pg_catalog.pg_get_constraintdef(k.oid) END",
						sd_attrs_table_expr("k.conbin", "k.conrelid"));
	return psprintf(
		"CASE k.contype"
		" WHEN 'p' THEN 'PRIMARY KEY ' || CASE WHEN ix.indnullsnotdistinct THEN 'NULLS NOT DISTINCT ' ELSE '' END"
		" || '(' || " KEY_COLUMNS " || ')' || " INCLUDE_COLUMNS
		" WHEN 'u' THEN 'UNIQUE ' || CASE WHEN ix.indnullsnotdistinct THEN 'NULLS NOT DISTINCT ' ELSE '' END"
		" || '(' || " KEY_COLUMNS " || ')' || " INCLUDE_COLUMNS
		" WHEN 'f' THEN 'FOREIGN KEY (' || " KEY_COLUMNS " || ') REFERENCES '"
		" || " QUALIFIED("rn.nspname", "rc.relname")
		" || '(' || " COLUMN_LIST("k.confkey", "k.confrelid", "") " || ')'"
		" || CASE k.confmatchtype WHEN 'f' THEN ' MATCH FULL' WHEN 'p' THEN ' MATCH PARTIAL' ELSE '' END"
		" || CASE k.confupdtype WHEN 'r' THEN ' ON UPDATE RESTRICT' WHEN 'c' THEN ' ON UPDATE CASCADE'"
		" WHEN 'n' THEN ' ON UPDATE SET NULL' WHEN 'd' THEN ' ON UPDATE SET DEFAULT' ELSE '' END"
		" || CASE k.confdeltype WHEN 'r' THEN ' ON DELETE RESTRICT' WHEN 'c' THEN ' ON DELETE CASCADE'"
		" WHEN 'n' THEN ' ON DELETE SET NULL' WHEN 'd' THEN ' ON DELETE SET DEFAULT' ELSE '' END"
		" || COALESCE(' (' || " COLUMN_LIST("k.confdelsetcols", "k.conrelid", "") " || ')', '')"
		" WHEN 'c' THEN 'CHECK (' || %s || ')'"
		" || CASE WHEN k.connoinherit THEN ' NO INHERIT' ELSE '' END"
		" END"
		" || CASE WHEN k.condeferrable THEN ' DEFERRABLE' ELSE '' END"
		" || CASE WHEN k.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END"
		" || CASE WHEN NOT k.convalidated THEN ' NOT VALID' ELSE '' END",
		sd_attrs_table_expr("k.conbin", "k.conrelid"));
}


/*
 * Constraints of tables.  NOT NULL (contype 'n' on PostgreSQL 18) is folded
 * into the column; constraints cloned onto partitions (conparentid <> 0) are
 * reported once, on the partitioned table; an index that backs a constraint
 * is reported with it (its tablespace).
 *
 * A constraint is matched by its name, or, under ignore constraint_names, by
 * what it is: the key is then (schema, table, type, definition, ordinal), so
 * that "orders_check" and "orders_amount_check" with the same definition are
 * one object.  The ordinal numbers constraints of one table with the same
 * type and definition (two equal CHECKs are legal) in name order, so they
 * stay apart and pair up deterministically; it is counted by a subquery that
 * runs only under the option (a window function would sort every
 * constraint before the first row comes out, which stalls the leader of a
 * parallel extraction, extract.c).  The identity keeps the name (it is what
 * a DBA looks for); tablespace and comment stay attributes.  The type and
 * definition are computed once, in kd, for the key and attrs both.
 */
static void
append_constraints(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "type", JV_TEXT, "kd.type");
	sd_attrs_add(&o, "definition", JV_TEXT, "kd.definition");
	sd_attrs_add(&o, "tablespace", JV_TEXT,
				 "CASE WHEN NOT f.no_tblspc AND k.contype IN ('p', 'u', 'x') THEN"
				 " (SELECT ts.spcname FROM pg_catalog.pg_class ic JOIN pg_catalog.pg_tablespace ts"
				 " ON ts.oid = ic.reltablespace WHERE ic.oid = k.conindid) END");
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'table constraint', " QIDENT("k.conname") " || ' on ' || r.ident, r.nspname,"
					 " CASE WHEN f.no_conname THEN ARRAY[r.nspname, r.relname, kd.type, kd.definition,"
					 " (SELECT pg_catalog.count(*) + 1 FROM pg_catalog.pg_constraint k2"
					 " WHERE k2.conrelid = k.conrelid AND k2.contype = k.contype AND k2.conparentid = 0"
					 " AND " UTF8_ORDER("k2.conname") " < " UTF8_ORDER("k.conname")
					 " AND pg_catalog.pg_get_constraintdef(k2.oid) = pg_catalog.pg_get_constraintdef(k.oid))::pg_catalog.text]"
					 " ELSE ARRAY[r.nspname, r.relname, k.conname::pg_catalog.text] END,"
					 " ARRAY[r.nspname, r.relname], %s"
					 " FROM rel r CROSS JOIN f"
					 " JOIN pg_catalog.pg_constraint k ON k.conrelid = r.oid"
					 " LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = k.conindid AND k.contype IN ('p', 'u')"
					 " LEFT JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid"
					 " LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace"
					 " CROSS JOIN LATERAL (SELECT"
					 " CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique'"
					 " WHEN 'c' THEN 'check' WHEN 'f' THEN 'foreign key' WHEN 'x' THEN 'exclusion' END AS type,"
					 " CASE WHEN k.contype = 'x' THEN pg_catalog.pg_get_constraintdef(k.oid) ELSE %s END AS definition"
					 " OFFSET 0) kd"
					 DESCR_JOIN("d", ConstraintRelationId, "k.oid", "0")
					 " WHERE r.relkind IN ('r', 'p', 'f') AND k.contype IN ('p', 'u', 'c', 'f', 'x')"
					 " AND k.conparentid = 0",
					 sd_attrs_sql(&o), constraint_definition(server_version));
}

/*
 * index_definition
 *		The "definition" attribute of an index x (pg_index) of relation r,
 *		index relation ic, access method am: what pg_get_indexdef() prints
 *		after "CREATE [UNIQUE] INDEX name ON table USING ", which the
 *		identity and the "table" attribute already say.
 *
 * For an index on plain columns the text is built here, the way ruleutils
 * builds it (quoted column, COLLATE if not the column's, operator class if
 * not the default, DESC / NULLS, INCLUDE, NULLS NOT DISTINCT, WITH options,
 * WHERE predicate): pg_get_indexdef() looks the default operator class up
 * with a catalog scan per column and costs four times the rest of the
 * extraction of an index.  Indexes on expressions still go through
 * pg_get_indexdef().  Both paths print the same text (sql/identity.sql
 * checks it against core for every index shape it creates).
 */
static char *
index_definition(void)
{
	return psprintf(
		"CASE WHEN x.indexprs IS NULL THEN"
		" " QIDENT("am.amname") " || ' (' || " INDEX_COLUMNS " || ')'"
		" || CASE WHEN x.indnullsnotdistinct THEN ' NULLS NOT DISTINCT' ELSE '' END"
		" || COALESCE(' WITH (' || (SELECT pg_catalog.string_agg(pg_catalog.split_part(o.x, '=', 1) || '=' ||"
		" CASE WHEN pg_catalog.quote_ident(pg_catalog.substr(o.x, pg_catalog.strpos(o.x, '=') + 1))"
		" = pg_catalog.substr(o.x, pg_catalog.strpos(o.x, '=') + 1)"
		" THEN pg_catalog.substr(o.x, pg_catalog.strpos(o.x, '=') + 1)"
		" ELSE pg_catalog.quote_literal(pg_catalog.substr(o.x, pg_catalog.strpos(o.x, '=') + 1)) END, ', ' ORDER BY o.i)"
		" FROM pg_catalog.unnest(ic.reloptions) WITH ORDINALITY o(x, i)) || ')', '')"
		" || COALESCE(' WHERE ' || %s, '')"
		" ELSE (SELECT CASE WHEN pg_catalog.starts_with(def.d, def.prefix)"
		" THEN pg_catalog.substr(def.d, pg_catalog.length(def.prefix) + 1) ELSE def.d END"
		" FROM (SELECT pg_catalog.pg_get_indexdef(x.indexrelid) AS d,"
		" 'CREATE ' || CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX '"
		" || " QIDENT("ic.relname") " || ' ON ' || CASE WHEN ic.relkind = 'I' THEN 'ONLY ' ELSE '' END"
		" || r.ident || ' USING ' AS prefix) def) END",
		sd_attrs_table_expr("x.indpred", "x.indrelid"));
}


/*
 * Indexes, except those that back a constraint (reported with it) and the
 * partitions of a partitioned index (reported once, on the parent).
 */
static void
append_indexes(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "table", JV_TEXT, "r.ident");
	sd_attrs_add(&o, "unique", JV_BOOL, "x.indisunique");
	sd_attrs_add(&o, "definition", JV_TEXT, index_definition());
	sd_attrs_add(&o, "valid", JV_BOOL, "CASE WHEN NOT x.indisvalid THEN false END");
	sd_attrs_add(&o, "options", JV_JSON, sd_attrs_sorted_array("ic.reloptions"));
	sd_attrs_add(&o, "tablespace", JV_TEXT, "CASE WHEN f.no_tblspc THEN NULL ELSE ts.spcname END");
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'index', " QUALIFIED("r.nspname", "ic.relname") ", r.nspname,"
					 " ARRAY[r.nspname, ic.relname::pg_catalog.text], ARRAY[r.nspname, r.relname], %s"
					 " FROM rel r CROSS JOIN f"
					 " JOIN pg_catalog.pg_index x ON x.indrelid = r.oid"
					 " JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
					 " JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
					 " LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = ic.reltablespace"
					 DESCR_JOIN("d", RelationRelationId, "ic.oid", "0")
					 " WHERE r.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition"
					 " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
					 " WHERE k.conrelid = x.indrelid AND k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))",
					 sd_attrs_sql(&o));
}

/*
 * Sequences, except those behind identity columns (reported with the
 * column).  A sequence owned by a column (serial, OWNED BY) is a child of
 * its table, which is in its schema (core keeps them together): a table
 * one side lacks counts it in its row, as it counts its columns.
 */
static void
append_sequences(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	add_sequence_options(&o);
	sd_attrs_add(&o, "persistence", JV_TEXT,
				 "CASE r.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END");
	sd_attrs_add(&o, "owned_by", JV_TEXT,
				 "CASE WHEN ow.relname IS NOT NULL THEN " QUALIFIED("ow.nspname", "ow.relname")
				 " || '.' || " QIDENT("ow.attname") " END");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("r.relowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("r.relacl", "r.relowner", "s"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'sequence', r.ident, r.nspname, ARRAY[r.nspname, r.relname],"
					 " CASE WHEN ow.relname IS NOT NULL THEN ARRAY[ow.nspname, ow.relname] END, %s"
					 " FROM rel r CROSS JOIN f"
					 " JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid"
					 " LEFT JOIN LATERAL (SELECT tn.nspname::pg_catalog.text AS nspname,"
					 " tc.relname::pg_catalog.text AS relname, ta.attname"
					 " FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_class tc ON tc.oid = dep.refobjid"
					 " JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace"
					 " JOIN pg_catalog.pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid"
					 " WHERE dep.classid = " CppAsString2(RelationRelationId) " AND dep.objid = r.oid"
					 " AND dep.refclassid = " CppAsString2(RelationRelationId)
					 " AND dep.refobjsubid > 0 AND dep.deptype = 'a') ow ON true"
					 DESCR_JOIN("d", RelationRelationId, "r.oid", "0")
					 " WHERE r.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep"
					 " WHERE dep.classid = " CppAsString2(RelationRelationId) " AND dep.objid = r.oid"
					 " AND dep.deptype = 'i')",
					 sd_attrs_sql(&o));
}

static void
append_views(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "definition", JV_TEXT, "pg_catalog.pg_get_viewdef(r.oid)");
	sd_attrs_add(&o, "options", JV_JSON, sd_attrs_sorted_array("r.reloptions"));
	sd_attrs_add(&o, "access_method", JV_TEXT, "CASE WHEN am.amname <> 'heap' THEN am.amname END");
	sd_attrs_add(&o, "tablespace", JV_TEXT, "CASE WHEN f.no_tblspc THEN NULL ELSE ts.spcname END");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("r.relowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("r.relacl", "r.relowner", "r"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT CASE r.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END,"
					 " r.ident, r.nspname, ARRAY[r.nspname, r.relname], " NO_PARENT ", %s"
					 " FROM rel r CROSS JOIN f"
					 " LEFT JOIN pg_catalog.pg_am am ON am.oid = r.relam"
					 " LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = r.reltablespace"
					 DESCR_JOIN("d", RelationRelationId, "r.oid", "0")
					 " WHERE r.relkind IN ('v', 'm')",
					 sd_attrs_sql(&o));
}

/*
 * Functions, procedures and aggregates.  Functions a type created for itself
 * (range and multirange constructors: an internal dependency) are part of
 * that type.  The key carries the raw schema and name of every argument
 * type, each its own element.
 */
static void
append_functions(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};
	SdAttrs		agg = {0};

	sd_attrs_add(&agg, "kind", JV_TEXT,
				 "CASE ag.aggkind WHEN 'n' THEN 'normal' WHEN 'o' THEN 'ordered-set' ELSE 'hypothetical' END");
	sd_attrs_add(&agg, "direct_args", JV_INT,
				 "CASE WHEN ag.aggnumdirectargs > 0 THEN ag.aggnumdirectargs END");
	sd_attrs_add(&agg, "sfunc", JV_TEXT, REGPROC("ag.aggtransfn"));
	sd_attrs_add(&agg, "stype", JV_TEXT, "pg_catalog.format_type(ag.aggtranstype, NULL)");
	sd_attrs_add(&agg, "sspace", JV_INT, "CASE WHEN ag.aggtransspace <> 0 THEN ag.aggtransspace END");
	sd_attrs_add(&agg, "finalfunc", JV_TEXT, REGPROC("ag.aggfinalfn"));
	sd_attrs_add(&agg, "finalfunc_extra", JV_BOOL, "CASE WHEN ag.aggfinalextra THEN true END");
	sd_attrs_add(&agg, "finalfunc_modify", JV_TEXT, "ag.aggfinalmodify");
	sd_attrs_add(&agg, "combinefunc", JV_TEXT, REGPROC("ag.aggcombinefn"));
	sd_attrs_add(&agg, "serialfunc", JV_TEXT, REGPROC("ag.aggserialfn"));
	sd_attrs_add(&agg, "deserialfunc", JV_TEXT, REGPROC("ag.aggdeserialfn"));
	sd_attrs_add(&agg, "initcond", JV_TEXT, "ag.agginitval");
	sd_attrs_add(&agg, "msfunc", JV_TEXT, REGPROC("ag.aggmtransfn"));
	sd_attrs_add(&agg, "minvfunc", JV_TEXT, REGPROC("ag.aggminvtransfn"));
	sd_attrs_add(&agg, "mstype", JV_TEXT,
				 "CASE WHEN ag.aggmtranstype <> 0 THEN pg_catalog.format_type(ag.aggmtranstype, NULL) END");
	sd_attrs_add(&agg, "mfinalfunc", JV_TEXT, REGPROC("ag.aggmfinalfn"));
	sd_attrs_add(&agg, "minitcond", JV_TEXT, "ag.aggminitval");
	sd_attrs_add(&agg, "sortop", JV_TEXT,
				 "CASE WHEN ag.aggsortop <> 0 THEN ag.aggsortop::pg_catalog.regoperator::pg_catalog.text END");

	sd_attrs_add(&o, "arguments", JV_TEXT, "pg_catalog.pg_get_function_arguments(p.oid)");
	sd_attrs_add(&o, "result", JV_TEXT, "pg_catalog.pg_get_function_result(p.oid)");
	sd_attrs_add(&o, "language", JV_TEXT, "CASE WHEN p.prokind <> 'a' THEN l.lanname END");
	sd_attrs_add(&o, "volatility", JV_TEXT,
				 "CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END");
	sd_attrs_add(&o, "strict", JV_BOOL, "p.proisstrict");
	sd_attrs_add(&o, "security_definer", JV_BOOL, "p.prosecdef");
	sd_attrs_add(&o, "leakproof", JV_BOOL, "p.proleakproof");
	sd_attrs_add(&o, "parallel", JV_TEXT,
				 "CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END");
	sd_attrs_add(&o, "cost", JV_FLOAT, "p.procost");
	sd_attrs_add(&o, "rows", JV_FLOAT, "CASE WHEN p.proretset THEN p.prorows END");
	sd_attrs_add(&o, "window", JV_BOOL, "CASE WHEN p.prokind = 'w' THEN true END");
	sd_attrs_add(&o, "support", JV_TEXT, REGPROC("p.prosupport"));
	sd_attrs_add(&o, "config", JV_JSON, sd_attrs_sorted_array("p.proconfig"));
	sd_attrs_add(&o, "body", JV_TEXT,
				 "CASE WHEN p.prokind = 'a' THEN NULL"
				 " WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid)"
				 " ELSE p.prosrc END");
	sd_attrs_add(&o, "library", JV_TEXT, "p.probin");
	sd_attrs_add(&o, "aggregate", JV_JSON,
				 psprintf("CASE WHEN p.prokind = 'a' THEN (SELECT %s"
						  " FROM pg_catalog.pg_aggregate ag WHERE ag.aggfnoid = p.oid) END",
						  sd_attrs_sql(&agg)));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("p.proowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("p.proacl", "p.proowner", "f"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' ELSE 'function' END,"
					 " (pg_catalog.pg_identify_object(" CppAsString2(ProcedureRelationId) ", p.oid, 0)).identity,"
					 " n.nspname, ARRAY[n.nspname, p.proname::pg_catalog.text] ||"
					 " COALESCE((SELECT pg_catalog.array_agg(x.part ORDER BY u.i, x.j)"
					 " FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY u(t, i)"
					 " JOIN pg_catalog.pg_type t ON t.oid = u.t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace"
					 " CROSS JOIN LATERAL (VALUES (1, tn.nspname::pg_catalog.text), (2, t.typname::pg_catalog.text)) x(j, part)),"
					 " '{}'),"
					 " " NO_PARENT ", %s"
					 " FROM pg_catalog.pg_proc p CROSS JOIN f"
					 " JOIN nsp n ON n.oid = p.pronamespace"
					 " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
					 DESCR_JOIN("d", ProcedureRelationId, "p.oid", "0")
					 " WHERE" NOT_EXT_MEMBER(ProcedureRelationId, "p.oid")
					 " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep"
					 " WHERE dep.classid = " CppAsString2(ProcedureRelationId) " AND dep.objid = p.oid"
					 " AND dep.deptype = 'i')",
					 sd_attrs_sql(&o));
}

/*
 * append_named_child
 *		The SELECT of a kind of object named within its relation (a
 *		trigger, a rule, a policy): rows of catalog (alias alias, its name
 *		column name, its relation column relcol) on the relations in scope,
 *		those that filter (when not NULL) keeps, with the attrs o.  The
 *		identity is core's, "name on schema.relation"; the key the raw
 *		schema, relation and name; the parent the relation.
 */
static void
append_named_child(StringInfo buf, const char *kind, const char *catalog,
				   const char *alias, const char *name, const char *relcol,
				   const char *filter, SdAttrs *o)
{
	appendStringInfo(buf,
					 "SELECT '%s', " QIDENT("%s.%s") " || ' on ' || r.ident, r.nspname,"
					 " ARRAY[r.nspname, r.relname, %s.%s::pg_catalog.text], ARRAY[r.nspname, r.relname], %s"
					 " FROM rel r CROSS JOIN f"
					 " JOIN pg_catalog.%s %s ON %s.%s = r.oid"
					 " LEFT JOIN pg_catalog.pg_description d ON d.objoid = %s.oid"
					 " AND d.classoid = %u AND d.objsubid = 0"
					 "%s%s",
					 kind, alias, name, alias, name, sd_attrs_sql(o),
					 catalog, alias, alias, relcol, alias, sd_attrs_catalog_oid(catalog),
					 filter ? " WHERE " : "", filter ? filter : "");
}

static void
append_triggers(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "definition", JV_TEXT, "pg_catalog.pg_get_triggerdef(tg.oid)");
	sd_attrs_add(&o, "enabled", JV_TEXT, ENABLED_STATE("tg.tgenabled"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_named_child(buf, "trigger", "pg_trigger", "tg", "tgname", "tgrelid",
					   "NOT tg.tgisinternal AND tg.tgparentid = 0", &o);
}

/*
 * Rules, children of their table or view, except a view's _RETURN (the
 * view itself): definition (pg_get_ruledef()), enabled state, comment.
 */
static void
append_rules(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "definition", JV_TEXT, "pg_catalog.pg_get_ruledef(w.oid)");
	sd_attrs_add(&o, "enabled", JV_TEXT, ENABLED_STATE("w.ev_enabled"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_named_child(buf, "rule", "pg_rewrite", "w", "rulename", "ev_class",
					   "w.rulename <> '_RETURN'", &o);
}

static void
append_policies(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "command", JV_TEXT,
				 "CASE pol.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'"
				 " WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END");
	sd_attrs_add(&o, "permissive", JV_BOOL, "pol.polpermissive");
	sd_attrs_add(&o, "roles", JV_JSON,
				 sd_attrs_string_array("g.name",
									   "(SELECT CASE WHEN u.rid = 0 THEN 'PUBLIC' ELSE"
									   " COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(u.rid),"
									   " pg_catalog.pg_get_userbyid(u.rid)) END AS name"
									   " FROM pg_catalog.unnest(pol.polroles) u(rid)) g",
									   UTF8_ORDER("g.name")));
	sd_attrs_add(&o, "using", JV_TEXT, sd_attrs_table_expr("pol.polqual", "pol.polrelid"));
	sd_attrs_add(&o, "with_check", JV_TEXT, sd_attrs_table_expr("pol.polwithcheck", "pol.polrelid"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_named_child(buf, "policy", "pg_policy", "pol", "polname", "polrelid", NULL, &o);
}

/*
 * Types: enums, composites, domains, ranges, base types and shells.  Row
 * types of tables, array types and multiranges come with the object that
 * made them.  A base type's properties (CREATE TYPE's: its functions,
 * length, passing, alignment, storage, category, element, collatable,
 * default) are its "base_type"; a shell (CREATE TYPE name, or one a
 * function made before the type) has none.
 */
static void
append_types(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};
	SdAttrs		rng = {0};
	SdAttrs		bas = {0};

	sd_attrs_add(&rng, "subtype", JV_TEXT, "pg_catalog.format_type(rg.rngsubtype, NULL)");
	sd_attrs_add(&rng, "subtype_opclass", JV_TEXT,
				 "CASE WHEN NOT oc.opcdefault THEN " QUALIFIED("ocn.nspname", "oc.opcname") " END");
	sd_attrs_add(&rng, "collation", JV_TEXT,
				 "CASE WHEN rg.rngcollation <> 0 AND rg.rngcollation <> st.typcollation THEN "
				 COLLATION_NAME("rg.rngcollation") " END");
	sd_attrs_add(&rng, "canonical", JV_TEXT, REGPROC("rg.rngcanonical"));
	sd_attrs_add(&rng, "subtype_diff", JV_TEXT, REGPROC("rg.rngsubdiff"));
	sd_attrs_add(&rng, "multirange", JV_TEXT, "mt.typname");

	sd_attrs_add(&bas, "input", JV_TEXT, REGPROC("t.typinput"));
	sd_attrs_add(&bas, "output", JV_TEXT, REGPROC("t.typoutput"));
	sd_attrs_add(&bas, "receive", JV_TEXT, REGPROC("t.typreceive"));
	sd_attrs_add(&bas, "send", JV_TEXT, REGPROC("t.typsend"));
	sd_attrs_add(&bas, "typmod_in", JV_TEXT, REGPROC("t.typmodin"));
	sd_attrs_add(&bas, "typmod_out", JV_TEXT, REGPROC("t.typmodout"));
	sd_attrs_add(&bas, "analyze", JV_TEXT, REGPROC("t.typanalyze"));
	sd_attrs_add(&bas, "subscript", JV_TEXT, REGPROC("t.typsubscript"));
	sd_attrs_add(&bas, "length", JV_INT, "t.typlen");
	sd_attrs_add(&bas, "by_value", JV_BOOL, "t.typbyval");
	sd_attrs_add(&bas, "alignment", JV_TEXT,
				 "CASE t.typalign WHEN 'c' THEN 'char' WHEN 's' THEN 'int2' WHEN 'i' THEN 'int4'"
				 " WHEN 'd' THEN 'double' END");
	sd_attrs_add(&bas, "storage", JV_TEXT,
				 "CASE t.typstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main'"
				 " WHEN 'x' THEN 'extended' END");
	sd_attrs_add(&bas, "category", JV_TEXT, "t.typcategory");
	sd_attrs_add(&bas, "preferred", JV_BOOL, "t.typispreferred");
	sd_attrs_add(&bas, "delimiter", JV_TEXT, "t.typdelim");
	sd_attrs_add(&bas, "element", JV_TEXT,
				 "CASE WHEN t.typelem <> 0 THEN pg_catalog.format_type(t.typelem, NULL) END");
	sd_attrs_add(&bas, "collatable", JV_BOOL, "t.typcollation <> 0");
	sd_attrs_add(&bas, "default", JV_TEXT, "t.typdefault");

	sd_attrs_add(&o, "type", JV_TEXT,
				 "CASE WHEN NOT t.typisdefined THEN 'shell' ELSE CASE t.typtype WHEN 'e' THEN 'enum'"
				 " WHEN 'c' THEN 'composite' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range'"
				 " WHEN 'b' THEN 'base' END END");
	sd_attrs_add(&o, "base_type", JV_JSON,
				 psprintf("CASE WHEN t.typtype = 'b' AND t.typisdefined THEN %s END", sd_attrs_sql(&bas)));
	sd_attrs_add(&o, "labels", JV_JSON,
				 psprintf("CASE WHEN t.typtype = 'e' THEN %s END",
						  sd_attrs_string_array("e.enumlabel",
												"pg_catalog.pg_enum e WHERE e.enumtypid = t.oid",
												"e.enumsortorder")));
	sd_attrs_add(&o, "attributes", JV_JSON,
				 psprintf("CASE WHEN t.typtype = 'c' THEN %s END",
						  sd_attrs_string_array(QIDENT("a.attname") " || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)"
												" || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || "
												COLLATION_NAME("a.attcollation") " ELSE '' END",
												"pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid"
												" WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped",
												"a.attnum")));
	sd_attrs_add(&o, "base", JV_TEXT,
				 "CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END");
	sd_attrs_add(&o, "not_null", JV_BOOL, "CASE WHEN t.typtype = 'd' THEN t.typnotnull END");
	sd_attrs_add(&o, "default", JV_TEXT, "pg_catalog.pg_get_expr(t.typdefaultbin, 0)");
	/* PostgreSQL 17 keeps domain NOT NULL as a constraint too: typnotnull says it */
	sd_attrs_add(&o, "checks", JV_JSON,
				 psprintf("CASE WHEN t.typtype = 'd' THEN %s END",
						  sd_attrs_string_array(QIDENT("k.conname") " || ': ' || pg_catalog.pg_get_constraintdef(k.oid)",
												"pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'",
												UTF8_ORDER("k.conname"))));
	sd_attrs_add(&o, "collation", JV_TEXT,
				 "CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN "
				 COLLATION_NAME("t.typcollation") " END");
	sd_attrs_add(&o, "range", JV_JSON,
				 psprintf("CASE WHEN t.typtype = 'r' THEN (SELECT %s"
						  " FROM pg_catalog.pg_range rg"
						  " JOIN pg_catalog.pg_type st ON st.oid = rg.rngsubtype"
						  " JOIN pg_catalog.pg_opclass oc ON oc.oid = rg.rngsubopc"
						  " JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace"
						  " LEFT JOIN pg_catalog.pg_type mt ON mt.oid = rg.rngmultitypid"
						  " WHERE rg.rngtypid = t.oid) END",
						  sd_attrs_sql(&rng)));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("t.typowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("t.typacl", "t.typowner", "T"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'type', (pg_catalog.pg_identify_object(" CppAsString2(TypeRelationId) ", t.oid, 0)).identity,"
					 " n.nspname, ARRAY[n.nspname, t.typname::pg_catalog.text], " NO_PARENT ", %s"
					 " FROM pg_catalog.pg_type t CROSS JOIN f"
					 " JOIN nsp n ON n.oid = t.typnamespace"
					 " LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
					 DESCR_JOIN("d", TypeRelationId, "t.oid", "0")
					 " WHERE (t.typtype IN ('e', 'c', 'd', 'r', 'b') AND t.typisdefined"
					 " OR t.typtype = 'p' AND NOT t.typisdefined)"
					 " AND" NOT_EXT_MEMBER(TypeRelationId, "t.oid")
					 " AND (t.typtype <> 'b' OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type el"
					 " WHERE el.typarray = t.oid))"
					 " AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
					 " WHERE c.oid = t.typrelid AND c.relkind = 'c'))",
					 sd_attrs_sql(&o));
}

/*
 * Collations in the schemas in scope: provider, locale (the ICU or builtin
 * locale; lc_collate and lc_ctype for libc), ICU rules (PostgreSQL 16 on),
 * deterministic, owner, comment.  Never collversion: it is the version of
 * the library the server runs, not schema.  The ICU locale column is
 * colliculocale on 15 and 16, colllocale from 17.
 */
static void
append_collations(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "provider", JV_TEXT,
				 "CASE c.collprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin'"
				 " WHEN 'd' THEN 'default' END");
	sd_attrs_add(&o, "locale", JV_TEXT,
				 server_version >= 170000 ? "c.colllocale" : "c.colliculocale");
	sd_attrs_add(&o, "lc_collate", JV_TEXT, "c.collcollate");
	sd_attrs_add(&o, "lc_ctype", JV_TEXT, "c.collctype");
	if (server_version >= 160000)
		sd_attrs_add(&o, "rules", JV_TEXT, "c.collicurules");
	sd_attrs_add(&o, "deterministic", JV_BOOL, "c.collisdeterministic");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("c.collowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'collation', " QUALIFIED("n.nspname", "c.collname") ", n.nspname,"
					 " ARRAY[n.nspname, c.collname::pg_catalog.text], " NO_PARENT ", %s"
					 " FROM pg_catalog.pg_collation c CROSS JOIN f"
					 " JOIN nsp n ON n.oid = c.collnamespace"
					 DESCR_JOIN("d", CollationRelationId, "c.oid", "0")
					 " WHERE" NOT_EXT_MEMBER(CollationRelationId, "c.oid"),
					 sd_attrs_sql(&o));
}

/*
 * Extended statistics, children of their table: the table, the kinds of
 * statistics (in the order CREATE STATISTICS lists them), the definition:
 * columns and expressions (pg_get_statisticsobjdef_columns()), a text
 * core deparses, like an index's definition; the statistics target
 * when set (NULL, not -1, is "default" from PostgreSQL 17), owner,
 * comment.  Its schema may differ from its table's: both must be in scope.
 */
static void
append_statistics(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "table", JV_TEXT, "r.ident");
	sd_attrs_add(&o, "kinds", JV_JSON,
				 "'[' || pg_catalog.concat_ws(', ',"
				 " CASE WHEN 'd' = ANY (x.stxkind) THEN '\"ndistinct\"' END,"
				 " CASE WHEN 'f' = ANY (x.stxkind) THEN '\"dependencies\"' END,"
				 " CASE WHEN 'm' = ANY (x.stxkind) THEN '\"mcv\"' END) || ']'");
	sd_attrs_add(&o, "definition", JV_TEXT, "pg_catalog.pg_get_statisticsobjdef_columns(x.oid)");
	if (server_version >= 170000)
		sd_attrs_add(&o, "statistics", JV_INT, "x.stxstattarget");
	else
		sd_attrs_add(&o, "statistics", JV_INT, "CASE WHEN x.stxstattarget >= 0 THEN x.stxstattarget END");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("x.stxowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	appendStringInfo(buf,
					 "SELECT 'statistics object', " QUALIFIED("n.nspname", "x.stxname") ", n.nspname,"
					 " ARRAY[n.nspname, x.stxname::pg_catalog.text], ARRAY[r.nspname, r.relname], %s"
					 " FROM rel r CROSS JOIN f"
					 " JOIN pg_catalog.pg_statistic_ext x ON x.stxrelid = r.oid"
					 " JOIN nsp n ON n.oid = x.stxnamespace"
					 DESCR_JOIN("d", StatisticExtRelationId, "x.oid", "0")
					 " WHERE" NOT_EXT_MEMBER(StatisticExtRelationId, "x.oid"),
					 sd_attrs_sql(&o));
}

/*
 * Everything the model does not cover, counted per pg_identify_object()
 * type and listed by identity: never silently skipped.  On PostgreSQL 15
 * to 18 the model covers every kind of user object, so this lists only
 * what a later version adds: relations of a relkind and types of a
 * typtype it does not know, in the schemas in scope, not members of an
 * extension.
 */
static void
append_unsupported(StringInfo buf, int server_version)
{
	appendStringInfoString(buf,
						   "SELECT 'unsupported', io.type, " NO_SCHEMA ", ARRAY['unsupported', io.type], " NO_PARENT ","
						   " '{\"count\": ' || pg_catalog.count(*) || ', \"objects\": ['"
						   " || COALESCE(pg_catalog.string_agg(pg_catalog.to_json(io.identity)::pg_catalog.text, ', '"
						   " ORDER BY " UTF8_ORDER("io.identity") "), '') || ']}'"
						   " FROM (SELECT u.classid, u.objid FROM ("
						   "SELECT " CppAsString2(RelationRelationId) "::pg_catalog.oid, c.oid FROM pg_catalog.pg_class c JOIN nsp n ON n.oid = c.relnamespace"
						   " WHERE c.relkind NOT IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I', 'c', 't')"
						   " UNION ALL SELECT " CppAsString2(TypeRelationId) ", t.oid FROM pg_catalog.pg_type t JOIN nsp n ON n.oid = t.typnamespace"
						   " WHERE t.typtype NOT IN ('b', 'c', 'd', 'e', 'p', 'r', 'm')"
						   ") u(classid, objid)"
						   " WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = u.classid"
						   " AND e.objid = u.objid AND e.deptype = 'e')) x"
						   " CROSS JOIN LATERAL pg_catalog.pg_identify_object(x.classid, x.objid, 0) io"
						   " GROUP BY io.type");
}

/*
 * Languages, access methods, casts and transforms: few objects each, in
 * one arm (the arms must fit in a 32-bit mask).
 */
static void
append_languages_casts(StringInfo buf, int server_version)
{
	sd_catalog_append_languages(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	sd_catalog_append_access_methods(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	sd_catalog_append_casts(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	sd_catalog_append_transforms(buf, server_version);
}

/*
 * The kinds, one SELECT each ("arm"), in the order the query lists them:
 * append adds an arm's SELECT to the query.  weight is the rough cost of an arm relative to the others on a schema of
 * many tables (measured at 10,000 tables: columns and constraints dominate),
 * for splitting the query between parallel workers (extract.c);
 * leader_only marks arms that call parallel-restricted functions
 * (pg_get_viewdef), which must run in the leader; split marks arms whose
 * rows each belong to one relation of the rel CTE (the relation itself, its
 * columns, constraints, indexes, triggers, policies), which can be read in
 * slices of relations (by OID range) by different processes.  The others
 * read the whole schema at once: one process must run each of them whole.
 * relkinds says, for an arm whose rows each belong to one relation (the
 * split arms and views), the kinds of relation it reads rows of: what the
 * DDL-time readers read one relation with (history.c).
 */
typedef enum SdArm
{
	ARM_SCHEMAS,
	ARM_EXTENSIONS,
	ARM_TABLES,
	ARM_COLUMNS,
	ARM_CONSTRAINTS,
	ARM_INDEXES,
	ARM_SEQUENCES,
	ARM_VIEWS,
	ARM_FUNCTIONS,
	ARM_TRIGGERS,
	ARM_POLICIES,
	ARM_TYPES,
	ARM_PUBLICATIONS,
	ARM_PUBLICATION_RELATIONS,
	ARM_PUBLICATION_NAMESPACES,
	ARM_FOREIGN_DATA_WRAPPERS,
	ARM_SERVERS,
	ARM_USER_MAPPINGS,
	ARM_FOREIGN_TABLES,
	ARM_EVENT_TRIGGERS,
	ARM_COLLATIONS,
	ARM_STATISTICS,
	ARM_RULES,
	ARM_SUBSCRIPTIONS,
	ARM_DEFAULT_PRIVILEGES,
	ARM_LANGUAGES_CASTS,
	ARM_OPERATORS,
	ARM_TEXT_SEARCH,
	ARM_UNSUPPORTED,
	ARM_COUNT
} SdArm;

static const struct
{
	void		(*append) (StringInfo buf, int server_version);
	int			weight;
	bool		leader_only;
	bool		split;
	const char *relkinds;		/* rows belong to one relation of rel, of
								 * these relkinds; NULL: not per relation */
}			arm_info[ARM_COUNT] = {
	[ARM_SCHEMAS] = {append_schemas, 1, false, false},
	[ARM_EXTENSIONS] = {append_extensions, 1, false, false},
	[ARM_TABLES] = {append_tables, 25, false, true, "rp"},
	[ARM_COLUMNS] = {append_columns, 80, false, true, "rpf"},
	[ARM_CONSTRAINTS] = {append_constraints, 72, false, true, "rpf"},
	[ARM_INDEXES] = {append_indexes, 46, false, true, "rpm"},
	[ARM_SEQUENCES] = {append_sequences, 2, false, true, "S"},
	[ARM_VIEWS] = {append_views, 4, true, false, "vm"},
	[ARM_FUNCTIONS] = {append_functions, 3, false, false},
	[ARM_TRIGGERS] = {append_triggers, 2, false, true, "rpfvm"},
	[ARM_POLICIES] = {append_policies, 2, false, true, "rpfvm"},
	[ARM_TYPES] = {append_types, 2, false, false},
	[ARM_PUBLICATIONS] = {sd_catalog_append_publications, 1, false, false},
	[ARM_PUBLICATION_RELATIONS] = {sd_catalog_append_publication_relations, 1, false, false},
	[ARM_PUBLICATION_NAMESPACES] = {sd_catalog_append_publication_namespaces, 1, false, false},
	[ARM_FOREIGN_DATA_WRAPPERS] = {sd_catalog_append_foreign_data_wrappers, 1, false, false},
	[ARM_SERVERS] = {sd_catalog_append_servers, 1, false, false},
	[ARM_USER_MAPPINGS] = {sd_catalog_append_user_mappings, 1, false, false},
	[ARM_FOREIGN_TABLES] = {append_foreign_tables, 1, false, true, "f"},
	[ARM_EVENT_TRIGGERS] = {sd_catalog_append_event_triggers, 1, false, false},
	[ARM_COLLATIONS] = {append_collations, 1, false, false},
	[ARM_STATISTICS] = {append_statistics, 1, false, true, "rpfm"},
	[ARM_RULES] = {append_rules, 1, false, true, "rpfvm"},
	[ARM_SUBSCRIPTIONS] = {sd_catalog_append_subscriptions, 1, false, false},
	[ARM_DEFAULT_PRIVILEGES] = {sd_catalog_append_default_privileges, 1, false, false},
	[ARM_LANGUAGES_CASTS] = {append_languages_casts, 1, false, false},
	[ARM_OPERATORS] = {sd_catalog_append_operators, 1, false, false},
	[ARM_TEXT_SEARCH] = {sd_catalog_append_text_search, 1, false, false},
	[ARM_UNSUPPORTED] = {append_unsupported, 3, false, false},
};

StaticAssertDecl(ARM_COUNT < 32, "arms must fit in a uint32 mask");

int
sd_catalog_arm_count(void)
{
	return ARM_COUNT;
}

int
sd_catalog_arm_weight(int arm)
{
	Assert(arm >= 0 && arm < ARM_COUNT);
	return arm_info[arm].weight;
}

bool
sd_catalog_arm_leader_only(int arm)
{
	Assert(arm >= 0 && arm < ARM_COUNT);
	return arm_info[arm].leader_only;
}

bool
sd_catalog_arm_split(int arm)
{
	Assert(arm >= 0 && arm < ARM_COUNT);
	return arm_info[arm].split;
}

/*
 * build_query
 *		The extraction query of the arms in the mask arms, its relations
 *		restricted by rel_filter (see append_common_ctes) and its rows by
 *		the condition where on objs o (NULL: none).  See
 *		sd_catalog_extraction_sql for the parameters and the result.
 */
static char *
build_query(int server_version, uint32 arms, const char *rel_filter,
			const char *where)
{
	StringInfoData buf;
	bool		first = true;
	int			arm;

	initStringInfo(&buf);
	append_common_ctes(&buf, rel_filter);
	appendStringInfoString(&buf, "objs(kind, identity, schema, key, parent, attrs) AS (\n");
	for (arm = 0; arm < ARM_COUNT; arm++)
	{
		if ((arms & (1 << arm)) == 0)
			continue;
		if (!first)
			appendStringInfoString(&buf, "\nUNION ALL\n");
		first = false;
		arm_info[arm].append(&buf, server_version);
	}

	/*
	 * Exclusion patterns apply to an object's identity and to its parent's,
	 * so excluding a table excludes its columns, constraints and the rest,
	 * and excluding a publication its tables and schemas (a parent of one
	 * name part).  The patterns are an array, made once (f.excl): a set
	 * function per object cost 3 us each, a seventh of a whole read.
	 */
	appendStringInfoString(&buf,
						   ")\n"
						   "SELECT o.kind, o.identity, o.schema, o.key, o.parent,"
						   " CASE WHEN $2 OR o.kind = 'unsupported' THEN o.attrs END,"
						   " CASE WHEN NOT $2 THEN pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(o.attrs, 'UTF8')), 'hex') END"
						   " FROM objs o CROSS JOIN f"
						   " WHERE (pg_catalog.cardinality(f.excl) = 0 OR NOT (o.identity LIKE ANY (f.excl)"
						   " OR (o.parent IS NOT NULL AND"
						   " CASE WHEN pg_catalog.cardinality(o.parent) = 1 THEN " QIDENT("o.parent[1]")
						   " ELSE " QUALIFIED("o.parent[1]", "o.parent[2]") " END LIKE ANY (f.excl))))");
	if (where != NULL)
		appendStringInfo(&buf, " AND %s", where);
	return buf.data;
}

/*
 * sd_catalog_extraction_sql
 *		Build the extraction query for a server of version server_version
 *		(as server_version_num), for the kinds in the mask arms (bit n: arm
 *		n of SdArm; SD_CATALOG_ALL_ARMS for everything).  Parameters: $1
 *		jsonb, the canonical options document (options.c); $2 boolean:
 *		true returns attrs and no hash (the reader hashes them: cheaper in C
 *		than in SQL), false the hash and no attrs except for kind
 *		'unsupported' (less to send when only hashes are needed).  It
 *		returns (kind text, identity text, schema text, key text[], parent
 *		text[], attrs text, hash text) in no particular order; attrs is
 *		canonical jsonb text, hash sha256 of its UTF-8 bytes in hex
 *		(sd_util_attrs_hash).  Queries for disjoint masks return disjoint
 *		rows, and together the rows of the whole query.
 *
 *		With rel_from or rel_to valid, the query reads only the relations of
 *		OIDs rel_from <= oid < rel_to (an invalid bound: no bound), and arms
 *		must then hold split arms only: queries for disjoint ranges return
 *		disjoint rows, and ranges that cover every OID the rows of the
 *		whole query for those arms.
 *
 * The caller owns the palloc'd string and must run it with search_path
 * pinned to pg_catalog (sd_util_pin_gucs or, remotely, the session setup).
 */
char *
sd_catalog_extraction_sql(int server_version, uint32 arms, Oid rel_from, Oid rel_to)
{
	StringInfoData filter;
	int			arm;

	arms &= (((uint32) 1) << ARM_COUNT) - 1;
	if (arms == 0)
		elog(ERROR, "no catalog extraction arm selected");
	if (OidIsValid(rel_from) || OidIsValid(rel_to))
		for (arm = 0; arm < ARM_COUNT; arm++)
			if ((arms & (1 << arm)) != 0 && !arm_info[arm].split)
				elog(ERROR, "catalog extraction arm %d cannot read a range of relations", arm);

	initStringInfo(&filter);
	if (OidIsValid(rel_from))
		appendStringInfo(&filter, " AND c.oid >= '%u'::pg_catalog.oid", rel_from);
	if (OidIsValid(rel_to))
		appendStringInfo(&filter, " AND c.oid < '%u'::pg_catalog.oid", rel_to);
	return build_query(server_version, arms, filter.data, NULL);
}

/*
 * sd_catalog_for_this_database
 *		build(arg), a query of this file's to run on this database, built
 *		with expressions on one table deparsed by schemadrift_get_expr() where
 *		the installed SQL objects have it (deparse.c): the same text as
 *		pg_get_expr(), without opening each table.  Queries for a remote are
 *		built without it (pg_get_expr(), the default).
 */
char *
sd_catalog_for_this_database(char *(*build) (void *arg), void *arg)
{
	const char *old = sd_attrs_set_table_expr_function(sd_deparse_function());
	char	   *sql;

	PG_TRY();
	{
		sql = build(arg);
	}
	PG_FINALLY();
	{
		(void) sd_attrs_set_table_expr_function(old);
	}
	PG_END_TRY();
	return sql;
}

/*
 * arm_per_relation
 *		Whether every row of an arm belongs to one relation of the rel CTE
 *		(the relation itself or one of its children): the split arms, and
 *		views, which are not split only because they must run in the
 *		leader.
 */
static bool
arm_per_relation(int arm)
{
	return arm_info[arm].relkinds != NULL;
}

/*
 * sd_catalog_relation_sql
 *		The extraction query for one relation of kind relkind and its
 *		children: every arm that reads such relations (tables, views,
 *		sequences, foreign tables and their columns, constraints, indexes,
 *		triggers, policies, rules, statistics), restricted to the relation
 *		of OID $3.  $1 and $2 as in sd_catalog_extraction_sql.  A relation
 *		in no schema in scope or a member of an extension gives no row; so
 *		does a relkind no arm reads (an index, a TOAST table).  For the
 *		DDL-time readers (history.c), which keep a plan per relkind: the OID
 *		is a parameter.
 */
char *
sd_catalog_relation_sql(int server_version, char relkind)
{
	uint32		arms = 0;
	int			arm;

	for (arm = 0; arm < ARM_COUNT; arm++)
		if (arm_per_relation(arm) && strchr(arm_info[arm].relkinds, relkind) != NULL)
			arms |= (uint32) 1 << arm;
	if (arms == 0)
		elog(ERROR, "no catalog extraction arm reads relations of kind '%c'", relkind);
	return build_query(server_version, arms,
					   " AND c.oid OPERATOR(pg_catalog.=) $3::pg_catalog.oid", NULL);
}

/*
 * sd_catalog_relations_where_sql
 *		The extraction query of every arm, where the arms whose rows each
 *		belong to one relation read only the relations that pass rel_filter
 *		(a condition on pg_class c and nsp n, starting with " AND"), and
 *		every other arm reads all it reads.  Parameters and result as in
 *		sd_catalog_extraction_sql; rel_filter may use more.  For the second
 *		round of a hash-first remote read, which needs the objects of some
 *		relations (its units: a relation with the rows whose parent it is)
 *		and of some other objects: those other objects are few beside the
 *		relations' rows, and an arm that is not per relation but reads rel
 *		(publication tables) must not lose rows to the filter.  A sequence a
 *		column owns has that column's table as its parent, so it belongs to
 *		the table's unit: a sequence is read where it passes rel_filter or
 *		where a table that passes owner_filter (the same condition on pg_class
 *		t and pg_namespace tn) owns it.  (OFFSET 0 keeps that test a lookup
 *		per sequence: as a hashed subplan it would compute owner_filter for
 *		every row of pg_class.)
 */
char *
sd_catalog_relations_where_sql(int server_version, const char *rel_filter,
							   const char *owner_filter)
{
	uint32		per_relation = 0;
	uint32		others = 0;
	int			arm;

	for (arm = 0; arm < ARM_COUNT; arm++)
	{
		if (arm_per_relation(arm))
			per_relation |= (uint32) 1 << arm;
		else
			others |= (uint32) 1 << arm;
	}
	return psprintf("SELECT * FROM (\n%s\n) r\nUNION ALL\nSELECT * FROM (\n%s\n) o",
					build_query(server_version, per_relation,
								psprintf(" AND ((true%s) OR (c.relkind OPERATOR(pg_catalog.=) 'S'"
										 " AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend od"
										 " JOIN pg_catalog.pg_class t ON t.oid = od.refobjid"
										 " JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
										 " WHERE od.classid = " CppAsString2(RelationRelationId)
										 " AND od.objid = c.oid"
										 " AND od.refclassid = " CppAsString2(RelationRelationId)
										 " AND od.refobjsubid > 0 AND od.deptype = 'a'%s OFFSET 0)))",
										 rel_filter, owner_filter),
								NULL),
					build_query(server_version, others, NULL, NULL));
}

/*
 * sd_catalog_object_sql
 *		The extraction query for one object that is not read with a
 *		relation (a function, a type, a schema, a server, ...): every other
 *		arm but the count of unsupported objects, its rows restricted to
 *		identity $3 and, unless $4 is NULL, kind $4.  The planner pushes the
 *		condition into each arm, so only the identities of the objects in
 *		scope are computed, and the attrs of the one that matches.
 */
char *
sd_catalog_object_sql(int server_version)
{
	uint32		arms = 0;
	int			arm;

	for (arm = 0; arm < ARM_COUNT; arm++)
		if (!arm_per_relation(arm) && arm != ARM_UNSUPPORTED)
			arms |= (uint32) 1 << arm;
	return build_query(server_version, arms, NULL,
					   "o.identity OPERATOR(pg_catalog.=) $3::pg_catalog.text"
					   " AND ($4::pg_catalog.text IS NULL OR o.kind OPERATOR(pg_catalog.=) $4)");
}

/*
 * sd_catalog_state_sql
 *		A query returning one text value that changes whenever a DDL commits
 *		in this database: for each catalog that core's deparse functions read
 *		through the caches, its row count and the sum of its rows' xmin.
 *
 * The extraction reads catalog rows through its MVCC snapshot but deparses
 * through the caches, which follow the latest committed state (pg_dump's
 * header comment).  Taking this before the extraction and again after it (a
 * fresh snapshot) tells whether a concurrent DDL may have mixed two states
 * into one result.  Catalogs read only through SQL (pg_description,
 * pg_depend, pg_inherits, ...) are consistent within the snapshot and need
 * no watching; changes that deparsing cannot see (temporary objects, a new
 * relfilenode) are left out, so a busy database does not look changed.
 */
char *
sd_catalog_state_sql(int server_version)
{
	/*
	 * Each entry: a catalog and the rows of it that count.  Rows of
	 * temporary objects (other sessions' temp tables come and go all the
	 * time) do not; nor does pg_class's relfilenode, which TRUNCATE,
	 * CLUSTER, REINDEX and VACUUM FULL change with an ordinary update: its
	 * rows are summed by a hash of what deparsing reads, not by xmin.
	 */
	static const struct
	{
		const char *catalog;
		const char *sum;
		const char *where;
	}			watched[] = {
		{"pg_namespace", NULL, "x.nspname !~ '^pg_(toast_)?temp_'"},
		{"pg_class", "pg_catalog.hash_record(ROW(x.oid, x.relname, x.relnamespace, x.relkind,"
			" x.relowner, x.relacl, x.reloptions, x.relpersistence, x.relispartition, x.relnatts, x.relchecks,"
			" x.relhasrules, x.relhastriggers, x.relrowsecurity, x.relforcerowsecurity, x.relreplident,"
			" x.reltablespace, x.reloftype, x.relam))",
		"x.relpersistence <> 't'"},
		{"pg_attribute", NULL, "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
			" WHERE c.oid = x.attrelid AND c.relpersistence = 't')"},
		{"pg_attrdef", NULL, NULL},
		{"pg_constraint", NULL, NULL},
		{"pg_index", NULL, NULL},
		{"pg_proc", NULL, NULL},
		{"pg_type", NULL, "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n"
			" WHERE n.oid = x.typnamespace AND n.nspname ~ '^pg_(toast_)?temp_')"},
		{"pg_trigger", NULL, NULL},
		{"pg_rewrite", NULL, NULL},
		{"pg_operator", NULL, NULL},
		{"pg_opclass", NULL, NULL},
		{"pg_collation", NULL, NULL},
		{"pg_statistic_ext", NULL, NULL},
	};
	StringInfoData buf;
	int			i;

	(void) server_version;		/* the same catalogs on 15 to 18 */

	/*
	 * One scan of each catalog under one aggregate: "<entry>:<rows>:<sum>"
	 * per entry that has rows.  The text is short, because a remote read
	 * sends it twice.
	 */
	initStringInfo(&buf);
	appendStringInfoString(&buf,
						   "SELECT pg_catalog.string_agg(u.n || ':' || u.c || ':' || u.s, ',' ORDER BY u.n)"
						   " FROM (SELECT w.n, pg_catalog.count(*) AS c, pg_catalog.sum(w.v) AS s FROM (");
	for (i = 0; i < lengthof(watched); i++)
		appendStringInfo(&buf, "%sSELECT %d, %s FROM pg_catalog.%s x%s%s",
						 i > 0 ? " UNION ALL " : "", i,
						 watched[i].sum ? watched[i].sum : "x.xmin::pg_catalog.text::pg_catalog.int8",
						 watched[i].catalog,
						 watched[i].where ? " WHERE " : "",
						 watched[i].where ? watched[i].where : "");
	appendStringInfoString(&buf, ") w(n, v) GROUP BY w.n) u");
	return buf.data;
}
