/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  The catalog extraction SQL: canonical objects from pg_catalog.
 *
 * One SELECT, built here for the server version of the side it reads, turns
 * the catalogs into rows (kind, identity, schema, key, parent, attrs, hash).
 * It runs unchanged through SPI on this database and, later, through libpq on
 * a remote one that has no schemadrift installed: it only uses core
 * functions, takes the options document as its single parameter ($1, jsonb),
 * and computes each object's hash on the side that owns the data.
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
 *	- keys whose value is NULL are dropped (jsonb_strip_nulls), so "absent"
 *	  and "not applicable" are one thing;
 *	- hash = sha256 of convert_to(attrs::text, 'UTF8').
 *
 * The queries follow pg_dump's conventions: schema-qualified catalogs, a
 * pinned search_path (so plain operators resolve in pg_catalog only), one
 * variant per version bracket chosen by server_version_num.
 *
 * IDENTIFICATION
 *	  src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "catalog.h"

/* pieces reused by every object kind */
#define OWNER(col) \
	"CASE WHEN f.no_owner THEN NULL ELSE " \
	"COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(" col "), " \
	"pg_catalog.pg_get_userbyid(" col ")) END"

#define COMMENT(alias) \
	"CASE WHEN f.no_comment THEN NULL ELSE " alias ".description END"

#define DESCR_JOIN(alias, catalog, objoid, subid) \
	" LEFT JOIN pg_catalog.pg_description " alias \
	" ON " alias ".objoid = " objoid \
	" AND " alias ".classoid = 'pg_catalog." catalog "'::pg_catalog.regclass" \
	" AND " alias ".objsubid = " subid " "

#define NOT_EXT_MEMBER(catalog, objoid) \
	" NOT EXISTS (SELECT 1 FROM extmember e WHERE e.objid = " objoid \
	" AND e.classid = 'pg_catalog." catalog "'::pg_catalog.regclass) "

#define QIDENT(x) "pg_catalog.quote_ident(" x ")"

/*
 * append_privileges
 *		Append an expression for the "privileges" attribute of an object
 *		whose ACL column is acl, owner column owner, and acldefault() object
 *		type letter objtype.
 *
 * NULL (omitted) when the ACL is the default one, whether it is stored as
 * NULL or spelled out; otherwise a sorted array of "grantee:PRIVILEGE" with
 * "*" for WITH GRANT OPTION, the owner written "(owner)" so that owner and
 * privileges drift stay apart, grantors left out (they follow from who ran
 * the GRANT, not from what is granted), and role_map applied.
 */
static void
append_privileges(StringInfo buf, const char *acl, const char *owner,
				  const char *objtype)
{
	int			i;

	appendStringInfo(buf,
					 "CASE WHEN f.no_acl OR %s IS NULL THEN NULL ELSE NULLIF(",
					 acl);
	for (i = 0; i < 2; i++)
	{
		if (i == 1)
			appendStringInfoString(buf, ", ");
		appendStringInfoString(buf,
							   "(SELECT COALESCE(pg_catalog.jsonb_agg(p.g ORDER BY p.g COLLATE \"C\"), '[]') FROM ("
							   "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ");
		appendStringInfo(buf, "WHEN a.grantee = %s THEN '(owner)' ", owner);
		appendStringInfoString(buf,
							   "ELSE COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(a.grantee), "
							   "pg_catalog.pg_get_userbyid(a.grantee)) END "
							   "|| ':' || a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END AS g "
							   "FROM pg_catalog.aclexplode(");
		if (i == 0)
			appendStringInfoString(buf, acl);
		else
			appendStringInfo(buf, "pg_catalog.acldefault('%s', %s)", objtype, owner);
		appendStringInfoString(buf, ") a) p)");
	}
	appendStringInfoString(buf, ") END");
}

/*
 * append_sorted_text_array
 *		Append an expression turning a text[] column (reloptions, proconfig)
 *		into a jsonb array sorted in byte order, NULL when the column is.
 */
static void
append_sorted_text_array(StringInfo buf, const char *col)
{
	appendStringInfo(buf,
					 "(SELECT pg_catalog.jsonb_agg(o.x ORDER BY o.x COLLATE \"C\") "
					 "FROM pg_catalog.unnest(%s) o(x))",
					 col);
}

/*
 * append_common_ctes
 *		The WITH clause every query starts from: the options ($1), the set of
 *		extension members, and the schemas in scope.
 */
static void
append_common_ctes(StringInfo buf)
{
	appendStringInfoString(buf,
						   "WITH f AS ("
						   " SELECT o,"
						   " COALESCE((o -> 'ignore') ? 'owner', false) AS no_owner,"
						   " COALESCE((o -> 'ignore') ? 'privileges', false) AS no_acl,"
						   " COALESCE((o -> 'ignore') ? 'comments', false) AS no_comment,"
						   " COALESCE((o -> 'ignore') ? 'column_order', false) AS no_colorder,"
						   " COALESCE((o -> 'ignore') ? 'tablespace', false) AS no_tblspc,"
						   " COALESCE(o -> 'role_map', '{}') AS rmap"
						   " FROM (SELECT $1::pg_catalog.jsonb AS o) opt),\n"
						   "extmember AS ("
						   " SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'),\n"
						   "nsp AS ("
						   " SELECT n.oid, n.nspname, n.nspowner, n.nspacl"
						   " FROM pg_catalog.pg_namespace n, f"
						   " WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
						   " AND" NOT_EXT_MEMBER("pg_namespace", "n.oid")
						   " AND (NOT (f.o ? 'include_schemas') OR (f.o -> 'include_schemas') ? n.nspname)"
						   " AND NOT COALESCE((f.o -> 'exclude_schemas') ? n.nspname, false)),\n"
						   "rel AS ("
						   " SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relowner, c.relacl,"
						   " c.reloptions, c.reltablespace, c.relrowsecurity, c.relforcerowsecurity,"
						   " c.relreplident, c.relispartition, c.reloftype, c.relam, c.relpartbound,"
						   " n.nspname, " QIDENT("n.nspname") " || '.' || " QIDENT("c.relname") " AS ident"
						   " FROM pg_catalog.pg_class c JOIN nsp n ON n.oid = c.relnamespace"
						   " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')"
						   " AND" NOT_EXT_MEMBER("pg_class", "c.oid") "),\n");
}

/* ---- one SELECT per kind; each yields (kind, identity, schema, key, parent, attrs) */

static void
append_schemas(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'schema'::pg_catalog.text AS kind, " QIDENT("n.nspname") " AS identity,"
						   " n.nspname::pg_catalog.text AS schema, ARRAY[n.nspname::pg_catalog.text] AS key,"
						   " NULL::pg_catalog.text[] AS parent,"
						   " pg_catalog.jsonb_build_object("
						   "'owner', " OWNER("n.nspowner") ", 'privileges', ");
	append_privileges(buf, "n.nspacl", "n.nspowner", "n");
	appendStringInfoString(buf,
						   ", 'comment', " COMMENT("d") ") AS attrs"
						   " FROM nsp n CROSS JOIN f"
						   DESCR_JOIN("d", "pg_namespace", "n.oid", "0"));
}

static void
append_extensions(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'extension', " QIDENT("x.extname") ", NULL, ARRAY[x.extname::pg_catalog.text], NULL,"
						   " pg_catalog.jsonb_build_object('version', x.extversion, 'schema', xn.nspname,"
						   " 'comment', " COMMENT("d") ")"
						   " FROM pg_catalog.pg_extension x"
						   " JOIN pg_catalog.pg_namespace xn ON xn.oid = x.extnamespace CROSS JOIN f"
						   DESCR_JOIN("d", "pg_extension", "x.oid", "0")
						   " WHERE x.extname <> 'schemadrift'");
}

static void
append_tables(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'table', r.ident, r.nspname, ARRAY[r.nspname, r.relname::pg_catalog.text], NULL,"
						   " pg_catalog.jsonb_build_object("
						   "'persistence', CASE r.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END,"
						   " 'partition_key', CASE WHEN r.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(r.oid) END,"
						   " 'partition_of', (SELECT " QIDENT("pn.nspname") " || '.' || " QIDENT("pc.relname")
						   " FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
						   " JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
						   " WHERE r.relispartition AND i.inhrelid = r.oid),"
						   " 'partition_bound', CASE WHEN r.relispartition THEN pg_catalog.pg_get_expr(r.relpartbound, r.oid) END,"
						   " 'inherits', (SELECT pg_catalog.jsonb_agg(" QIDENT("pn.nspname") " || '.' || " QIDENT("pc.relname")
						   " ORDER BY i.inhseqno)"
						   " FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
						   " JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
						   " WHERE NOT r.relispartition AND i.inhrelid = r.oid),"
						   " 'of_type', CASE WHEN r.reloftype <> 0 THEN pg_catalog.format_type(r.reloftype, NULL) END,"
						   " 'options', ");
	append_sorted_text_array(buf, "r.reloptions");
	appendStringInfoString(buf,
						   ", 'row_security', r.relrowsecurity,"
						   " 'force_row_security', r.relforcerowsecurity,"
						   " 'replica_identity', CASE r.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing'"
						   " WHEN 'f' THEN 'full' WHEN 'i' THEN 'index ' || (SELECT " QIDENT("ic.relname")
						   " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
						   " WHERE x.indrelid = r.oid AND x.indisreplident) END,"
						   " 'access_method', CASE WHEN am.amname <> 'heap' THEN am.amname END,"
						   " 'tablespace', CASE WHEN f.no_tblspc THEN NULL ELSE ts.spcname END,"
						   " 'column_order', CASE WHEN f.no_colorder THEN NULL ELSE"
						   " (SELECT pg_catalog.jsonb_agg(a.attname ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
						   " WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped) END,"
						   " 'owner', " OWNER("r.relowner") ", 'privileges', ");
	append_privileges(buf, "r.relacl", "r.relowner", "r");
	appendStringInfoString(buf,
						   ", 'comment', " COMMENT("d") ")"
						   " FROM rel r CROSS JOIN f"
						   " LEFT JOIN pg_catalog.pg_am am ON am.oid = r.relam"
						   " LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = r.reltablespace"
						   DESCR_JOIN("d", "pg_class", "r.oid", "0")
						   " WHERE r.relkind IN ('r', 'p')");
}

static void
append_columns(StringInfo buf, int server_version)
{
	appendStringInfoString(buf,
						   "SELECT 'table column', r.ident || '.' || " QIDENT("a.attname") ", r.nspname,"
						   " ARRAY[r.nspname, r.relname::pg_catalog.text, a.attname::pg_catalog.text],"
						   " ARRAY[r.nspname, r.relname::pg_catalog.text],"
						   " pg_catalog.jsonb_build_object("
						   "'type', pg_catalog.format_type(a.atttypid, a.atttypmod),"
						   " 'not_null', a.attnotnull,"
						   " 'default', CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,"
						   " 'generated', CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,"
						   " 'generated_storage', CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END,"
						   " 'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,"
						   " 'identity_sequence', CASE WHEN a.attidentity <> '' THEN"
						   " (SELECT pg_catalog.jsonb_build_object('type', pg_catalog.format_type(s.seqtypid, NULL),"
						   " 'start', s.seqstart, 'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax,"
						   " 'cache', s.seqcache, 'cycle', s.seqcycle)"
						   " FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid"
						   " WHERE dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
						   " AND dep.refobjid = r.oid AND dep.refobjsubid = a.attnum"
						   " AND dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.deptype = 'i') END,"
						   " 'collation', CASE WHEN a.attcollation <> t.typcollation THEN"
						   " (SELECT " QIDENT("cn.nspname") " || '.' || " QIDENT("co.collname")
						   " FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
						   " WHERE co.oid = a.attcollation) END,"
						   " 'compression', CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END,"
						   " 'storage', CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage"
						   " WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' WHEN 'x' THEN 'extended' END END,");

	/* PostgreSQL 17 made attstattarget nullable: NULL, not -1, is "default" */
	if (server_version >= 170000)
		appendStringInfoString(buf, " 'statistics', a.attstattarget,");
	else
		appendStringInfoString(buf,
							   " 'statistics', CASE WHEN a.attstattarget >= 0 THEN a.attstattarget END,");

	/*
	 * attoptions minus pg_attver=<n>: some 15.x builds stamp every column
	 * with a number that changes on every load; it is not a user option.
	 */
	appendStringInfoString(buf,
						   " 'options', (SELECT pg_catalog.jsonb_agg(o.x ORDER BY o.x COLLATE \"C\")"
						   " FROM pg_catalog.unnest(a.attoptions) o(x) WHERE o.x !~ '^pg_attver='),"
						   " 'privileges', CASE WHEN f.no_acl OR a.attacl IS NULL THEN NULL ELSE NULLIF("
						   "(SELECT pg_catalog.jsonb_agg(p.g ORDER BY p.g COLLATE \"C\") FROM ("
						   "SELECT CASE WHEN ac.grantee = 0 THEN 'PUBLIC' ELSE"
						   " COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(ac.grantee),"
						   " pg_catalog.pg_get_userbyid(ac.grantee)) END"
						   " || ':' || ac.privilege_type || CASE WHEN ac.is_grantable THEN '*' ELSE '' END AS g"
						   " FROM pg_catalog.aclexplode(a.attacl) ac) p), '[]') END,"
						   " 'comment', " COMMENT("d") ")"
						   " FROM rel r CROSS JOIN f"
						   " JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped"
						   " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
						   " LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
						   DESCR_JOIN("d", "pg_class", "a.attrelid", "a.attnum")
						   " WHERE r.relkind IN ('r', 'p')");
}

/*
 * Constraints of tables.  NOT NULL (contype 'n' on PostgreSQL 18) is folded
 * into the column; constraints cloned onto partitions (conparentid <> 0) are
 * reported once, on the partitioned table.
 */
static void
append_constraints(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'table constraint', " QIDENT("k.conname") " || ' on ' || r.ident, r.nspname,"
						   " ARRAY[r.nspname, r.relname::pg_catalog.text, k.conname::pg_catalog.text],"
						   " ARRAY[r.nspname, r.relname::pg_catalog.text],"
						   " pg_catalog.jsonb_build_object("
						   "'type', CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique'"
						   " WHEN 'c' THEN 'check' WHEN 'f' THEN 'foreign key' WHEN 'x' THEN 'exclusion' END,"
						   " 'definition', pg_catalog.pg_get_constraintdef(k.oid),"
						   " 'tablespace', CASE WHEN f.no_tblspc THEN NULL ELSE"
						   " (SELECT ts.spcname FROM pg_catalog.pg_class ic JOIN pg_catalog.pg_tablespace ts"
						   " ON ts.oid = ic.reltablespace WHERE k.contype IN ('p', 'u', 'x') AND ic.oid = k.conindid) END,"
						   " 'comment', " COMMENT("d") ")"
						   " FROM rel r CROSS JOIN f"
						   " JOIN pg_catalog.pg_constraint k ON k.conrelid = r.oid"
						   DESCR_JOIN("d", "pg_constraint", "k.oid", "0")
						   " WHERE r.relkind IN ('r', 'p') AND k.contype IN ('p', 'u', 'c', 'f', 'x')"
						   " AND k.conparentid = 0");
}

/*
 * Indexes, except those that back a constraint (reported with it) and the
 * partitions of a partitioned index (reported once, on the parent).  The
 * definition is pg_get_indexdef() without its "CREATE INDEX name ON table"
 * prefix, which the identity and the table attribute already say.
 */
static void
append_indexes(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'index', " QIDENT("r.nspname") " || '.' || " QIDENT("ic.relname") ", r.nspname,"
						   " ARRAY[r.nspname, ic.relname::pg_catalog.text], ARRAY[r.nspname, r.relname::pg_catalog.text],"
						   " pg_catalog.jsonb_build_object("
						   "'table', r.ident, 'unique', x.indisunique,"
						   " 'definition', CASE WHEN pg_catalog.starts_with(def.d, def.prefix)"
						   " THEN pg_catalog.substr(def.d, pg_catalog.length(def.prefix) + 1) ELSE def.d END,"
						   " 'valid', CASE WHEN NOT x.indisvalid THEN false END,"
						   " 'options', ");
	append_sorted_text_array(buf, "ic.reloptions");
	appendStringInfoString(buf,
						   ", 'tablespace', CASE WHEN f.no_tblspc THEN NULL ELSE ts.spcname END,"
						   " 'comment', " COMMENT("d") ")"
						   " FROM rel r CROSS JOIN f"
						   " JOIN pg_catalog.pg_index x ON x.indrelid = r.oid"
						   " JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
						   " LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = ic.reltablespace"
						   " CROSS JOIN LATERAL (SELECT pg_catalog.pg_get_indexdef(x.indexrelid) AS d,"
						   " 'CREATE ' || CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX '"
						   " || " QIDENT("ic.relname") " || ' ON ' || CASE WHEN ic.relkind = 'I' THEN 'ONLY ' ELSE '' END"
						   " || r.ident || ' USING ' AS prefix) def"
						   DESCR_JOIN("d", "pg_class", "ic.oid", "0")
						   " WHERE r.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition"
						   " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
						   " WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))");
}

/* Sequences, except those behind identity columns (reported with the column) */
static void
append_sequences(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'sequence', r.ident, r.nspname, ARRAY[r.nspname, r.relname::pg_catalog.text], NULL,"
						   " pg_catalog.jsonb_build_object("
						   "'type', pg_catalog.format_type(s.seqtypid, NULL),"
						   " 'start', s.seqstart, 'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax,"
						   " 'cache', s.seqcache, 'cycle', s.seqcycle,"
						   " 'persistence', CASE r.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END,"
						   " 'owned_by', (SELECT " QIDENT("tn.nspname") " || '.' || " QIDENT("tc.relname")
						   " || '.' || " QIDENT("ta.attname")
						   " FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_class tc ON tc.oid = dep.refobjid"
						   " JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace"
						   " JOIN pg_catalog.pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid"
						   " WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = r.oid"
						   " AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
						   " AND dep.refobjsubid > 0 AND dep.deptype = 'a'),"
						   " 'owner', " OWNER("r.relowner") ", 'privileges', ");
	append_privileges(buf, "r.relacl", "r.relowner", "s");
	appendStringInfoString(buf,
						   ", 'comment', " COMMENT("d") ")"
						   " FROM rel r CROSS JOIN f"
						   " JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid"
						   DESCR_JOIN("d", "pg_class", "r.oid", "0")
						   " WHERE r.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep"
						   " WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = r.oid"
						   " AND dep.deptype = 'i')");
}

static void
append_views(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT CASE r.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END,"
						   " r.ident, r.nspname, ARRAY[r.nspname, r.relname::pg_catalog.text], NULL,"
						   " pg_catalog.jsonb_build_object("
						   "'definition', pg_catalog.pg_get_viewdef(r.oid),"
						   " 'options', ");
	append_sorted_text_array(buf, "r.reloptions");
	appendStringInfoString(buf,
						   ", 'access_method', CASE WHEN am.amname <> 'heap' THEN am.amname END,"
						   " 'tablespace', CASE WHEN f.no_tblspc THEN NULL ELSE ts.spcname END,"
						   " 'owner', " OWNER("r.relowner") ", 'privileges', ");
	append_privileges(buf, "r.relacl", "r.relowner", "r");
	appendStringInfoString(buf,
						   ", 'comment', " COMMENT("d") ")"
						   " FROM rel r CROSS JOIN f"
						   " LEFT JOIN pg_catalog.pg_am am ON am.oid = r.relam"
						   " LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = r.reltablespace"
						   DESCR_JOIN("d", "pg_class", "r.oid", "0")
						   " WHERE r.relkind IN ('v', 'm')");
}

/*
 * Functions, procedures and aggregates.  Functions a type created for itself
 * (range and multirange constructors: an internal dependency) are part of
 * that type.  The key carries the raw argument type names.
 */
static void
append_functions(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' ELSE 'function' END,"
						   " (pg_catalog.pg_identify_object('pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 0)).identity,"
						   " n.nspname, ARRAY[n.nspname, p.proname::pg_catalog.text] ||"
						   " (SELECT pg_catalog.array_agg(tn.nspname || '.' || t.typname ORDER BY u.i)"
						   " FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY u(t, i)"
						   " JOIN pg_catalog.pg_type t ON t.oid = u.t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace),"
						   " NULL,"
						   " pg_catalog.jsonb_build_object("
						   "'arguments', pg_catalog.pg_get_function_arguments(p.oid),"
						   " 'result', pg_catalog.pg_get_function_result(p.oid),"
						   " 'language', l.lanname,"
						   " 'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,"
						   " 'strict', p.proisstrict, 'security_definer', p.prosecdef, 'leakproof', p.proleakproof,"
						   " 'parallel', CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END,"
						   " 'cost', p.procost, 'rows', CASE WHEN p.proretset THEN p.prorows END,"
						   " 'window', CASE WHEN p.prokind = 'w' THEN true END,"
						   " 'support', CASE WHEN p.prosupport <> 0 THEN p.prosupport::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'config', ");
	append_sorted_text_array(buf, "p.proconfig");
	appendStringInfoString(buf,
						   ", 'body', CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid)"
						   " ELSE p.prosrc END,"
						   " 'library', p.probin,"
						   " 'aggregate', CASE WHEN p.prokind = 'a' THEN (SELECT pg_catalog.jsonb_build_object("
						   "'kind', CASE ag.aggkind WHEN 'n' THEN 'normal' WHEN 'o' THEN 'ordered-set' ELSE 'hypothetical' END,"
						   " 'direct_args', CASE WHEN ag.aggnumdirectargs > 0 THEN ag.aggnumdirectargs END,"
						   " 'sfunc', ag.aggtransfn::pg_catalog.regprocedure::pg_catalog.text,"
						   " 'stype', pg_catalog.format_type(ag.aggtranstype, NULL),"
						   " 'sspace', CASE WHEN ag.aggtransspace <> 0 THEN ag.aggtransspace END,"
						   " 'finalfunc', CASE WHEN ag.aggfinalfn <> 0 THEN ag.aggfinalfn::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'finalfunc_extra', CASE WHEN ag.aggfinalextra THEN true END,"
						   " 'finalfunc_modify', ag.aggfinalmodify,"
						   " 'combinefunc', CASE WHEN ag.aggcombinefn <> 0 THEN ag.aggcombinefn::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'serialfunc', CASE WHEN ag.aggserialfn <> 0 THEN ag.aggserialfn::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'deserialfunc', CASE WHEN ag.aggdeserialfn <> 0 THEN ag.aggdeserialfn::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'initcond', ag.agginitval,"
						   " 'msfunc', CASE WHEN ag.aggmtransfn <> 0 THEN ag.aggmtransfn::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'minvfunc', CASE WHEN ag.aggminvtransfn <> 0 THEN ag.aggminvtransfn::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'mstype', CASE WHEN ag.aggmtranstype <> 0 THEN pg_catalog.format_type(ag.aggmtranstype, NULL) END,"
						   " 'mfinalfunc', CASE WHEN ag.aggmfinalfn <> 0 THEN ag.aggmfinalfn::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'minitcond', ag.aggminitval,"
						   " 'sortop', CASE WHEN ag.aggsortop <> 0 THEN ag.aggsortop::pg_catalog.regoperator::pg_catalog.text END)"
						   " FROM pg_catalog.pg_aggregate ag WHERE ag.aggfnoid = p.oid) END,"
						   " 'owner', " OWNER("p.proowner") ", 'privileges', ");
	append_privileges(buf, "p.proacl", "p.proowner", "f");
	appendStringInfoString(buf,
						   ", 'comment', " COMMENT("d") ")"
						   " FROM pg_catalog.pg_proc p CROSS JOIN f"
						   " JOIN nsp n ON n.oid = p.pronamespace"
						   " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
						   DESCR_JOIN("d", "pg_proc", "p.oid", "0")
						   " WHERE" NOT_EXT_MEMBER("pg_proc", "p.oid")
						   " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep"
						   " WHERE dep.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND dep.objid = p.oid"
						   " AND dep.deptype = 'i')");
}

static void
append_triggers(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'trigger', " QIDENT("tg.tgname") " || ' on ' || r.ident, r.nspname,"
						   " ARRAY[r.nspname, r.relname::pg_catalog.text, tg.tgname::pg_catalog.text],"
						   " ARRAY[r.nspname, r.relname::pg_catalog.text],"
						   " pg_catalog.jsonb_build_object("
						   "'definition', pg_catalog.pg_get_triggerdef(tg.oid),"
						   " 'enabled', CASE tg.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'"
						   " WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,"
						   " 'comment', " COMMENT("d") ")"
						   " FROM rel r CROSS JOIN f"
						   " JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = r.oid"
						   DESCR_JOIN("d", "pg_trigger", "tg.oid", "0")
						   " WHERE NOT tg.tgisinternal AND tg.tgparentid = 0");
}

static void
append_policies(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'policy', " QIDENT("pol.polname") " || ' on ' || r.ident, r.nspname,"
						   " ARRAY[r.nspname, r.relname::pg_catalog.text, pol.polname::pg_catalog.text],"
						   " ARRAY[r.nspname, r.relname::pg_catalog.text],"
						   " pg_catalog.jsonb_build_object("
						   "'command', CASE pol.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'"
						   " WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END,"
						   " 'permissive', pol.polpermissive,"
						   " 'roles', (SELECT pg_catalog.jsonb_agg(g.name ORDER BY g.name COLLATE \"C\") FROM"
						   " (SELECT CASE WHEN u.rid = 0 THEN 'PUBLIC' ELSE"
						   " COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(u.rid),"
						   " pg_catalog.pg_get_userbyid(u.rid)) END AS name"
						   " FROM pg_catalog.unnest(pol.polroles) u(rid)) g),"
						   " 'using', pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),"
						   " 'with_check', pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),"
						   " 'comment', " COMMENT("d") ")"
						   " FROM rel r CROSS JOIN f"
						   " JOIN pg_catalog.pg_policy pol ON pol.polrelid = r.oid"
						   DESCR_JOIN("d", "pg_policy", "pol.oid", "0"));
}

/*
 * Types: enums, composites, domains and ranges.  Row types of tables, array
 * types and multiranges come with the object that made them; user-defined
 * base types and shells are reported as unsupported.
 */
static void
append_types(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'type', (pg_catalog.pg_identify_object('pg_catalog.pg_type'::pg_catalog.regclass, t.oid, 0)).identity,"
						   " n.nspname, ARRAY[n.nspname, t.typname::pg_catalog.text], NULL,"
						   " pg_catalog.jsonb_build_object("
						   "'type', CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'c' THEN 'composite' WHEN 'd' THEN 'domain'"
						   " WHEN 'r' THEN 'range' END,"
						   " 'labels', CASE WHEN t.typtype = 'e' THEN (SELECT pg_catalog.jsonb_agg(e.enumlabel ORDER BY e.enumsortorder)"
						   " FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END,"
						   " 'attributes', CASE WHEN t.typtype = 'c' THEN (SELECT pg_catalog.jsonb_agg("
						   QIDENT("a.attname") " || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)"
						   " || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || "
						   QIDENT("cn.nspname") " || '.' || " QIDENT("co.collname") " ELSE '' END ORDER BY a.attnum)"
						   " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid"
						   " LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
						   " LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
						   " WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END,"
						   " 'base', CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,"
						   " 'not_null', CASE WHEN t.typtype = 'd' THEN t.typnotnull END,"
						   " 'default', pg_catalog.pg_get_expr(t.typdefaultbin, 0),"
						   " 'checks', CASE WHEN t.typtype = 'd' THEN (SELECT pg_catalog.jsonb_agg("
						   QIDENT("k.conname") " || ': ' || pg_catalog.pg_get_constraintdef(k.oid)"
						   " ORDER BY k.conname COLLATE \"C\")"
						   " FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END,"
						   " 'collation', CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN"
						   " (SELECT " QIDENT("cn.nspname") " || '.' || " QIDENT("co.collname")
						   " FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
						   " WHERE co.oid = t.typcollation) END,"
						   " 'range', CASE WHEN t.typtype = 'r' THEN (SELECT pg_catalog.jsonb_build_object("
						   "'subtype', pg_catalog.format_type(rg.rngsubtype, NULL),"
						   " 'subtype_opclass', CASE WHEN NOT oc.opcdefault THEN " QIDENT("ocn.nspname") " || '.' || " QIDENT("oc.opcname") " END,"
						   " 'collation', CASE WHEN rg.rngcollation <> 0 AND rg.rngcollation <> st.typcollation THEN "
						   QIDENT("rcn.nspname") " || '.' || " QIDENT("rco.collname") " END,"
						   " 'canonical', CASE WHEN rg.rngcanonical <> 0 THEN rg.rngcanonical::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'subtype_diff', CASE WHEN rg.rngsubdiff <> 0 THEN rg.rngsubdiff::pg_catalog.regprocedure::pg_catalog.text END,"
						   " 'multirange', mt.typname)"
						   " FROM pg_catalog.pg_range rg"
						   " JOIN pg_catalog.pg_type st ON st.oid = rg.rngsubtype"
						   " JOIN pg_catalog.pg_opclass oc ON oc.oid = rg.rngsubopc"
						   " JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace"
						   " LEFT JOIN pg_catalog.pg_collation rco ON rco.oid = rg.rngcollation"
						   " LEFT JOIN pg_catalog.pg_namespace rcn ON rcn.oid = rco.collnamespace"
						   " LEFT JOIN pg_catalog.pg_type mt ON mt.oid = rg.rngmultitypid"
						   " WHERE rg.rngtypid = t.oid) END,"
						   " 'owner', " OWNER("t.typowner") ", 'privileges', ");
	append_privileges(buf, "t.typacl", "t.typowner", "T");
	appendStringInfoString(buf,
						   ", 'comment', " COMMENT("d") ")"
						   " FROM pg_catalog.pg_type t CROSS JOIN f"
						   " JOIN nsp n ON n.oid = t.typnamespace"
						   " LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
						   DESCR_JOIN("d", "pg_type", "t.oid", "0")
						   " WHERE t.typtype IN ('e', 'c', 'd', 'r') AND t.typisdefined"
						   " AND" NOT_EXT_MEMBER("pg_type", "t.oid")
						   " AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
						   " WHERE c.oid = t.typrelid AND c.relkind = 'c'))");
}

/*
 * Everything the model does not cover yet, counted per pg_identify_object()
 * type and listed by identity: never silently skipped.  Only user objects:
 * in a schema in scope, or database-wide ones created after initdb, and not
 * members of an extension.
 */
static void
append_unsupported(StringInfo buf)
{
	appendStringInfoString(buf,
						   "SELECT 'unsupported', io.type, NULL, ARRAY['unsupported', io.type], NULL,"
						   " pg_catalog.jsonb_build_object('count', pg_catalog.count(*),"
						   " 'objects', pg_catalog.jsonb_agg(io.identity ORDER BY io.identity COLLATE \"C\"))"
						   " FROM (SELECT u.classid, u.objid FROM ("
						   "SELECT 'pg_catalog.pg_collation'::pg_catalog.regclass, c.oid FROM pg_catalog.pg_collation c JOIN nsp n ON n.oid = c.collnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass, c.oid FROM pg_catalog.pg_conversion c JOIN nsp n ON n.oid = c.connamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_operator o JOIN nsp n ON n.oid = o.oprnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_opclass o JOIN nsp n ON n.oid = o.opcnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_opfamily o JOIN nsp n ON n.oid = o.opfnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_ts_config'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_config o JOIN nsp n ON n.oid = o.cfgnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_ts_dict'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_dict o JOIN nsp n ON n.oid = o.dictnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_ts_parser'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_parser o JOIN nsp n ON n.oid = o.prsnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_ts_template'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_template o JOIN nsp n ON n.oid = o.tmplnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_statistic_ext o JOIN nsp n ON n.oid = o.stxnamespace"
						   " UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid FROM pg_catalog.pg_class c JOIN nsp n ON n.oid = c.relnamespace WHERE c.relkind = 'f'"
						   " UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid FROM pg_catalog.pg_type t JOIN nsp n ON n.oid = t.typnamespace"
						   " WHERE (t.typtype IN ('b', 'p') OR NOT t.typisdefined) AND NOT (t.typcategory = 'A' AND EXISTS"
						   " (SELECT 1 FROM pg_catalog.pg_type el WHERE el.oid = t.typelem AND el.typarray = t.oid))"
						   " UNION ALL SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass, w.oid FROM pg_catalog.pg_rewrite w JOIN rel r ON r.oid = w.ev_class"
						   " WHERE w.rulename <> '_RETURN'"
						   " UNION ALL SELECT 'pg_catalog.pg_cast'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_cast o WHERE o.oid >= 16384"
						   " UNION ALL SELECT 'pg_catalog.pg_event_trigger'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_event_trigger o WHERE o.oid >= 16384"
						   " UNION ALL SELECT 'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_foreign_data_wrapper o WHERE o.oid >= 16384"
						   " UNION ALL SELECT 'pg_catalog.pg_foreign_server'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_foreign_server o WHERE o.oid >= 16384"
						   " UNION ALL SELECT 'pg_catalog.pg_user_mapping'::pg_catalog.regclass, o.umid FROM pg_catalog.pg_user_mappings o WHERE o.umid >= 16384"
						   " UNION ALL SELECT 'pg_catalog.pg_publication'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_publication o"
						   " UNION ALL SELECT 'pg_catalog.pg_subscription'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_subscription o"
						   " WHERE o.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())"
						   " UNION ALL SELECT 'pg_catalog.pg_default_acl'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_default_acl o"
						   " UNION ALL SELECT 'pg_catalog.pg_language'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_language o WHERE o.oid >= 16384"
						   " UNION ALL SELECT 'pg_catalog.pg_am'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_am o WHERE o.oid >= 16384"
						   " UNION ALL SELECT 'pg_catalog.pg_transform'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_transform o WHERE o.oid >= 16384"
						   ") u(classid, objid)"
						   " WHERE NOT EXISTS (SELECT 1 FROM extmember e WHERE e.classid = u.classid AND e.objid = u.objid)) x"
						   " CROSS JOIN LATERAL pg_catalog.pg_identify_object(x.classid, x.objid, 0) io"
						   " GROUP BY io.type");
}

/*
 * sd_catalog_extraction_sql
 *		Build the extraction query for a server of version server_version
 *		(as server_version_num).  It takes one parameter, $1 jsonb: the
 *		canonical options document (options.c), and returns
 *		(kind text, identity text, schema text, key text[], parent text[],
 *		attrs jsonb, hash text) in no particular order.
 *
 * The caller owns the palloc'd string and must run it with search_path
 * pinned to pg_catalog (sd_util_pin_gucs or, remotely, the session setup).
 */
char *
sd_catalog_extraction_sql(int server_version)
{
	StringInfoData buf;

	initStringInfo(&buf);
	append_common_ctes(&buf);
	appendStringInfoString(&buf, "objs AS (\n");
	append_schemas(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_extensions(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_tables(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_columns(&buf, server_version);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_constraints(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_indexes(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_sequences(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_views(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_functions(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_triggers(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_policies(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_types(&buf);
	appendStringInfoString(&buf, "\nUNION ALL\n");
	append_unsupported(&buf);

	/*
	 * Exclusion patterns apply to an object's identity and to its parent's,
	 * so excluding a table excludes its columns, constraints and the rest.
	 */
	appendStringInfoString(&buf,
						   ")\n"
						   "SELECT o.kind, o.identity, o.schema, o.key, o.parent, o.attrs,"
						   " pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(o.attrs::pg_catalog.text, 'UTF8')), 'hex') AS hash"
						   " FROM (SELECT s.kind, s.identity, s.schema, s.key, s.parent,"
						   " pg_catalog.jsonb_strip_nulls(s.attrs) AS attrs FROM objs s) o CROSS JOIN f"
						   " WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements_text(f.o -> 'exclude') pat(p)"
						   " WHERE o.identity LIKE pat.p OR (o.parent IS NOT NULL AND "
						   QIDENT("o.parent[1]") " || '.' || " QIDENT("o.parent[2]") " LIKE pat.p))");

	return buf.data;
}

/*
 * sd_catalog_state_sql
 *		A query returning one text value that changes whenever a DDL commits
 *		in this database: per catalog, the row count and the sum of xmin.
 *
 * The extraction reads catalog rows through its MVCC snapshot but deparses
 * through the caches, which follow the latest committed state (pg_dump's
 * header comment).  Running this before the extraction (same snapshot) and
 * after it (a fresh one) tells whether a concurrent DDL may have mixed two
 * states into one result.
 */
char *
sd_catalog_state_sql(int server_version)
{
	static const char *const catalogs[] = {
		"pg_namespace", "pg_class", "pg_attribute", "pg_attrdef",
		"pg_constraint", "pg_index", "pg_proc", "pg_type", "pg_enum",
		"pg_trigger", "pg_policy", "pg_rewrite", "pg_sequence",
		"pg_description", "pg_extension", "pg_inherits", "pg_range",
		"pg_aggregate", "pg_depend"
	};
	StringInfoData buf;
	int			i;

	(void) server_version;		/* the same catalogs on 15 to 18 */

	initStringInfo(&buf);
	appendStringInfoString(&buf, "SELECT pg_catalog.concat_ws(','");
	for (i = 0; i < lengthof(catalogs); i++)
		appendStringInfo(&buf,
						 ", (SELECT pg_catalog.count(*) || ':' || COALESCE(pg_catalog.sum(x.xmin::pg_catalog.text::pg_catalog.int8), 0)"
						 " FROM pg_catalog.%s x)",
						 catalogs[i]);
	appendStringInfoChar(&buf, ')');
	return buf.data;
}
