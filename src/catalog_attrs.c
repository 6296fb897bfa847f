/*-------------------------------------------------------------------------
 *
 * catalog_attrs.c
 *	  Building an object's attrs as canonical JSON text in SQL.
 *
 * attrs is built as text, directly in jsonb's canonical output form (keys
 * ordered by length then bytes, ", " and ": " separators, strings escaped by
 * to_json): attrs::jsonb::text is the same string (see catalog.c).  Here are
 * the object under construction (SdAttrs) and the attributes several kinds
 * share: lists, privileges, the options of foreign-data objects.
 *
 * IDENTIFICATION
 *	  src/catalog_attrs.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_namespace.h"
#include "lib/stringinfo.h"
#include "utils/lsyscache.h"

#include "catalog_attrs.h"
#include "util.h"

/*
 * The function that deparses an expression on one table in the query being
 * built: pg_get_expr(), or where the query runs on a database with
 * schemadrift, its schemadrift_get_expr() (deparse.c), which prints the same
 * text without opening the table.  Set only for the length of one build
 * (sd_attrs_set_table_expr_function).
 */
static const char *table_expr_function = NULL;

/*
 * sd_attrs_set_table_expr_function
 *		Build expressions on one table with function fn (qualified, taking
 *		the pg_node_tree and the table's OID), or with pg_get_expr() if fn is
 *		NULL.  Returns the previous setting, for the caller to restore.
 */
const char *
sd_attrs_set_table_expr_function(const char *fn)
{
	const char *old = table_expr_function;

	table_expr_function = fn;
	return old;
}

/*
 * sd_attrs_table_expr
 *		SQL for the text of expression expr (a pg_node_tree column) on the
 *		table of OID relid, as pg_get_expr(expr, relid) prints it.
 */
char *
sd_attrs_table_expr(const char *expr, const char *relid)
{
	return psprintf("%s(%s, %s)",
					table_expr_function ? table_expr_function : "pg_catalog.pg_get_expr",
					expr, relid);
}

/*
 * sd_attrs_add
 *		Add attribute key to o: the SQL expression expr, of kind kind.  key and
 *		expr are not copied: they must live as long as o.
 */
void
sd_attrs_add(SdAttrs *o, const char *key, SdAttrKind kind, const char *expr)
{
	if (o->n >= SD_ATTRS_MAX)
		elog(ERROR, "too many attributes in one object");
	o->fields[o->n].key = key;
	o->fields[o->n].kind = kind;
	o->fields[o->n].expr = expr;
	o->n++;
}

/* fields in jsonb's key order */
static int
field_key_cmp(const void *a, const void *b)
{
	return sd_jsonb_key_cmp(((const SdAttrField *) a)->key, ((const SdAttrField *) b)->key);
}

/*
 * jo_sql
 *		A SQL expression evaluating to the canonical JSON text of object o:
 *		fields in jsonb key order, NULL-valued fields left out (concat_ws
 *		skips NULLs).  Returns a palloc'd string.
 */
char *
sd_attrs_sql(SdAttrs *o)
{
	StringInfoData buf;
	int			i;

	qsort(o->fields, o->n, sizeof(SdAttrField), field_key_cmp);
	initStringInfo(&buf);
	appendStringInfoString(&buf, "('{' || pg_catalog.concat_ws(', '");
	for (i = 0; i < o->n; i++)
	{
		SdAttrField  *f = &o->fields[i];

		/* keys are plain ASCII identifiers: no escaping needed */
		appendStringInfo(&buf, ", '\"%s\": ' || ", f->key);
		switch (f->kind)
		{
			case JV_TEXT:
				appendStringInfo(&buf, "pg_catalog.to_json((%s)::pg_catalog.text)::pg_catalog.text",
								 f->expr);
				break;
			case JV_BOOL:
			case JV_INT:
				appendStringInfo(&buf, "(%s)::pg_catalog.text", f->expr);
				break;
			case JV_FLOAT:
				/*
				 * as to_jsonb() does: float output, read back as numeric;
				 * infinities and NaN, which JSON has no number for, as strings
				 */
				appendStringInfo(&buf,
								 "(SELECT CASE WHEN v.t IN ('Infinity', '-Infinity', 'NaN')"
								 " THEN pg_catalog.to_json(v.t)::pg_catalog.text"
								 " ELSE v.t::pg_catalog.numeric::pg_catalog.text END"
								 " FROM (SELECT (%s)::pg_catalog.text AS t) v)",
								 f->expr);
				break;
			case JV_JSON:
				appendStringInfo(&buf, "(%s)", f->expr);
				break;
		}
	}
	appendStringInfoString(&buf, ") || '}')");
	return buf.data;
}


/*
 * json_string_array
 *		A SQL expression: the JSON array text of the strings selected by
 *		"SELECT <elem> FROM <from>" in the order given, NULL if none.
 */
char *
sd_attrs_string_array(const char *elem, const char *from, const char *order)
{
	return psprintf("(SELECT '[' || pg_catalog.string_agg(pg_catalog.to_json((%s)::pg_catalog.text)::pg_catalog.text, ', ' ORDER BY %s) || ']' FROM %s)",
					elem, order, from);
}

/*
 * sorted_text_array
 *		The JSON array text of a text[] column sorted bytewise (reloptions,
 *		proconfig), NULL when the column is NULL or empty.
 */
char *
sd_attrs_sorted_array(const char *col)
{
	return psprintf("CASE WHEN %s IS NOT NULL THEN %s END", col,
					sd_attrs_string_array("o.x", psprintf("pg_catalog.unnest(%s) o(x)", col),
										  UTF8_ORDER("o.x")));
}

/*
 * privileges
 *		The "privileges" attribute of an object with ACL column acl, owner
 *		column owner and acldefault() object type letter objtype.
 *
 * NULL (left out) when the ACL is the default one, whether it is stored as
 * NULL or spelled out; otherwise a sorted array of "grantee:PRIVILEGE" with
 * "*" for WITH GRANT OPTION, the owner written "(owner)" so that owner and
 * privileges drift stay apart, grantors left out (they follow from who ran
 * the GRANT, not from what is granted), and role_map applied.
 */
char *
sd_attrs_privileges(const char *acl, const char *owner, const char *objtype)
{
	const char *dflt = psprintf("pg_catalog.acldefault('%s', %s)", objtype, owner);

	return psprintf("CASE WHEN f.no_acl OR %s IS NULL THEN NULL ELSE NULLIF(%s, %s) END",
					acl, sd_attrs_acl_list(acl, owner), sd_attrs_acl_list(dflt, owner));
}

/*
 * sd_attrs_acl_list
 *		The JSON array text of the aclitem[] expression acl as the sorted
 *		"grantee:PRIVILEGE" strings of sd_attrs_privileges(), the role whose
 *		oid is the expression owner written "(owner)"; "[]" when empty.
 */
char *
sd_attrs_acl_list(const char *acl, const char *owner)
{
	const char *grantee =
		psprintf("CASE WHEN a.grantee = 0 THEN 'PUBLIC' WHEN a.grantee = %s THEN '(owner)' "
				 "ELSE COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(a.grantee), "
				 "pg_catalog.pg_get_userbyid(a.grantee)) END "
				 "|| ':' || a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END",
				 owner);

	return psprintf("(SELECT '[' || COALESCE(pg_catalog.string_agg(pg_catalog.to_json(p.g)::pg_catalog.text, ', ' ORDER BY " UTF8_ORDER("p.g") "), '') || ']'"
					" FROM (SELECT %s AS g FROM pg_catalog.aclexplode(%s) a) p)",
					grantee, acl);
}

/*
 * fdw_options
 *		The options (a text[] column of "name=value") of a foreign-data
 *		wrapper, server, foreign table or foreign table column, sorted,
 *		without any whose name contains "password", "secret", "token" or
 *		"key" in any case: a snapshot never holds a secret, not even hashed.
 *		NULL when none is left.
 */
char *
sd_attrs_fdw_options(const char *col)
{
	return psprintf("CASE WHEN %s IS NOT NULL THEN %s END", col,
					sd_attrs_string_array("o.x",
										  psprintf("pg_catalog.unnest(%s) o(x) WHERE pg_catalog.lower(pg_catalog.split_part(o.x, '=', 1))"
												   " !~ '(password|secret|token|key)'", col),
										  UTF8_ORDER("o.x")));
}

/*
 * sd_attrs_append_schema_object
 *		Append to buf the SELECT of a kind of object that lives in a schema
 *		in scope (the nsp common table): rows of catalog (alias alias, its
 *		name column name, its schema column nspcol) and the joins given,
 *		with the attrs o, leaving out the members of an extension.  The
 *		identity is the SQL expression identity, or NULL for the quoted
 *		schema and name; the key the raw schema and name, then the text[]
 *		expression key_more when not NULL (what else tells two objects of
 *		one name apart: argument types, an access method).
 */
void
sd_attrs_append_schema_object(StringInfo buf, const char *kind, const char *catalog,
							  const char *alias, const char *name, const char *nspcol,
							  const char *identity, const char *key_more,
							  const char *joins, SdAttrs *o)
{
	appendStringInfo(buf,
					 "SELECT '%s', %s, n.nspname, ARRAY[n.nspname, %s.%s::pg_catalog.text]%s%s, "
					 NO_PARENT ", %s"
					 " FROM pg_catalog.%s %s CROSS JOIN f"
					 " JOIN nsp n ON n.oid = %s.%s%s"
					 " LEFT JOIN pg_catalog.pg_description d ON d.objoid = %s.oid"
					 " AND d.classoid = %u AND d.objsubid = 0"
					 " WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
					 " WHERE e.classid = %u"
					 " AND e.objid = %s.oid AND e.deptype = 'e')",
					 kind,
					 identity ? identity : psprintf(QUALIFIED("n.nspname", "%s.%s"), alias, name),
					 alias, name, key_more ? " || " : "", key_more ? key_more : "",
					 sd_attrs_sql(o), catalog, alias, alias, nspcol, joins,
					 alias, sd_attrs_catalog_oid(catalog), sd_attrs_catalog_oid(catalog), alias);
}

/*
 * sd_attrs_catalog_oid
 *		The OID of system catalog catalog (a name such as "pg_proc"), for the
 *		catalog SQL to compare classid columns with: shorter than a regclass
 *		literal, which a remote read sends some eighty of.  System catalogs
 *		have the same fixed OIDs on every PostgreSQL version, so this
 *		server's serve for a remote of another major too.
 */
Oid
sd_attrs_catalog_oid(const char *catalog)
{
	Oid			relid = get_relname_relid(catalog, PG_CATALOG_NAMESPACE);

	if (!OidIsValid(relid) || relid >= FirstGenbkiObjectId)
		elog(ERROR, "\"%s\" is not a system catalog", catalog);
	return relid;
}

