/*-------------------------------------------------------------------------
 *
 * catalog_attrs.h
 *	  Building an object's attrs as canonical JSON text in SQL, and the SQL
 *	  pieces every kind's SELECT in the extraction query reuses.
 *
 * Used by catalog.c (objects in schemas) and catalog_global.c
 * (database-wide objects).  Every macro expands to SQL text that refers to
 * the query's common tables (f: the options; see catalog.c).
 *
 * IDENTIFICATION
 *	  src/catalog_attrs.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_CATALOG_ATTRS_H
#define SCHEMADRIFT_CATALOG_ATTRS_H

#include "access/transam.h"
#include "lib/stringinfo.h"

/* what an attribute's SQL expression yields, and so how it becomes JSON */
typedef enum SdAttrKind
{
	JV_TEXT,					/* SQL text expression: a JSON string */
	JV_BOOL,					/* SQL boolean expression */
	JV_INT,						/* SQL integer expression */
	JV_FLOAT,					/* SQL float4/float8 expression */
	JV_JSON						/* SQL expression that is already JSON text */
} SdAttrKind;

/* the most attributes an object has */
#define SD_ATTRS_MAX 40

/* one attribute: its key and the SQL expression of its value */
typedef struct SdAttrField
{
	const char *key;
	SdAttrKind	kind;
	const char *expr;
} SdAttrField;

/* an object's attrs under construction (sd_attrs_add, then sd_attrs_sql) */
typedef struct SdAttrs
{
	int			n;
	SdAttrField	fields[SD_ATTRS_MAX];
} SdAttrs;

extern void sd_attrs_add(SdAttrs *o, const char *key, SdAttrKind kind, const char *expr);
extern char *sd_attrs_sql(SdAttrs *o);
extern const char *sd_attrs_set_table_expr_function(const char *fn);
extern char *sd_attrs_table_expr(const char *expr, const char *relid);
extern Oid	sd_attrs_catalog_oid(const char *catalog);
extern char *sd_attrs_string_array(const char *elem, const char *from, const char *order);
extern char *sd_attrs_sorted_array(const char *col);
extern char *sd_attrs_privileges(const char *acl, const char *owner, const char *objtype);
extern char *sd_attrs_acl_list(const char *acl, const char *owner);
extern char *sd_attrs_fdw_options(const char *col);
extern void sd_attrs_append_schema_object(StringInfo buf, const char *kind,
										  const char *catalog, const char *alias,
										  const char *name, const char *nspcol,
										  const char *identity, const char *key_more,
										  const char *joins, SdAttrs *o);

/*
 * The order of names and other text listed inside attrs: the bytes of its
 * UTF-8 spelling.  COLLATE "C" would order by the database encoding's bytes,
 * another order in some encodings; attrs and their hashes must be the same
 * in a database of any encoding.
 */
#define UTF8_ORDER(x) "pg_catalog.convert_to(" x ", 'UTF8')"

/* pieces reused by every object kind */
#define OWNER(col) \
	"CASE WHEN f.no_owner THEN NULL ELSE " \
	"COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(" col "), " \
	"pg_catalog.pg_get_userbyid(" col ")) END"

#define COMMENT(alias) \
	"CASE WHEN f.no_comment THEN NULL ELSE " alias ".description END"

/*
 * In DESCR_JOIN, NOT_EXT_MEMBER and CORE_IDENTITY, catalog is the catalog's
 * OID macro (RelationRelationId, ProcedureRelationId, ...): the SQL compares
 * with the number, which is shorter than a regclass literal and the same on
 * every version (sd_attrs_catalog_oid() for a name known at run time).
 */
#define DESCR_JOIN(alias, catalog, objoid, subid) \
	" LEFT JOIN pg_catalog.pg_description " alias \
	" ON " alias ".objoid = " objoid \
	" AND " alias ".classoid = " CppAsString2(catalog) \
	" AND " alias ".objsubid = " subid " "

/*
 * Not a member of an extension.  Probed in pg_depend (by its index on the
 * dependent object) rather than in a materialized list of the members: a
 * list joined by a plan that underestimates it (a common-table scan has no
 * statistics) could be rescanned for every object, which costs the number
 * of objects times the number of members (PostGIS alone has thousands).
 */
#define NOT_EXT_MEMBER(catalog, objoid) \
	" NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e" \
	" WHERE e.classid = " CppAsString2(catalog) \
	" AND e.objid = " objoid " AND e.deptype = 'e') "

#define QIDENT(x) "pg_catalog.quote_ident(" x ")"

#define QUALIFIED(nsp, name) QIDENT(nsp) " || '.' || " QIDENT(name)

/* typed NULLs for the schema and parent columns: any kind may come first */
#define NO_SCHEMA "NULL::pg_catalog.text"
#define NO_PARENT "NULL::pg_catalog.text[]"

/* the text of a regprocedure or regproc column, NULL if it is 0 */
#define REGPROC(col) \
	"CASE WHEN " col " <> 0 THEN " col "::pg_catalog.regprocedure::pg_catalog.text END"

/* ... of a regoperator column */
#define REGOPER(col) \
	"CASE WHEN " col " <> 0 THEN " col "::pg_catalog.regoperator::pg_catalog.text END"

/* the key parts of type oid t: its schema and name, raw */
#define TYPE_KEY(t) \
	"(SELECT ARRAY[tn.nspname::pg_catalog.text, tt.typname::pg_catalog.text]" \
	" FROM pg_catalog.pg_type tt JOIN pg_catalog.pg_namespace tn ON tn.oid = tt.typnamespace" \
	" WHERE tt.oid = " t ")"

/* the identity pg_identify_object() gives object oid of catalog */
#define CORE_IDENTITY(catalog, oid) \
	"(pg_catalog.pg_identify_object(" CppAsString2(catalog) ", " oid ", 0)).identity"

/*
 * Made after initdb (FirstNormalObjectId): the built-in objects of
 * database-wide catalogs (casts, languages, access methods) are not the
 * schema's.
 */
#define USER_OID(col) " " col " >= '" CppAsString2(FirstNormalObjectId) "'::pg_catalog.oid "

/* the session_replication_role a trigger or event trigger fires in */
#define ENABLED_STATE(col) \
	"CASE " col " WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'" \
	" WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END"


#endif							/* SCHEMADRIFT_CATALOG_ATTRS_H */
