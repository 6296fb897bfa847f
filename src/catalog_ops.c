/*-------------------------------------------------------------------------
 *
 * catalog_ops.c
 *	  The extraction query's arms for operators, operator families (with
 *	  their members) and operator classes.
 *
 * Each arm appends one SELECT of (kind, identity, schema, key, parent,
 * attrs) to the query catalog.c builds, and may use its common tables (f,
 * nsp).  Identities are pg_identify_object()'s; keys hold the raw names
 * that tell two objects of one name apart (argument types, the access
 * method).
 *
 * IDENTIFICATION
 *	  src/catalog_ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_opclass_d.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_opfamily_d.h"
#include "lib/stringinfo.h"

#include "catalog_attrs.h"
#include "catalog_ops.h"

/* a type as format_type() prints it, NULL if its oid is 0 */
#define TYPE_NAME(col) \
	"CASE WHEN " col " <> 0 THEN pg_catalog.format_type(" col ", NULL) END"

/* the qualified name of operator family oid */
#define OPFAMILY_NAME(oid) \
	"(SELECT " QUALIFIED("sfn.nspname", "sf.opfname") " FROM pg_catalog.pg_opfamily sf" \
	" JOIN pg_catalog.pg_namespace sfn ON sfn.oid = sf.opfnamespace WHERE sf.oid = " oid ")"

/*
 * Operators: left and right operand types (no left one for a prefix
 * operator), result, function, commutator, negator, restriction and join
 * selectivity functions, hashes, merges, owner, comment.  A shell operator
 * (named as a commutator before it was made) has no function.
 */
static void
append_operators(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "left", JV_TEXT, TYPE_NAME("op.oprleft"));
	sd_attrs_add(&o, "right", JV_TEXT, TYPE_NAME("op.oprright"));
	sd_attrs_add(&o, "result", JV_TEXT, TYPE_NAME("op.oprresult"));
	sd_attrs_add(&o, "function", JV_TEXT, REGPROC("op.oprcode"));
	sd_attrs_add(&o, "commutator", JV_TEXT, REGOPER("op.oprcom"));
	sd_attrs_add(&o, "negator", JV_TEXT, REGOPER("op.oprnegate"));
	sd_attrs_add(&o, "restrict", JV_TEXT, REGPROC("op.oprrest"));
	sd_attrs_add(&o, "join", JV_TEXT, REGPROC("op.oprjoin"));
	sd_attrs_add(&o, "hashes", JV_BOOL, "op.oprcanhash");
	sd_attrs_add(&o, "merges", JV_BOOL, "op.oprcanmerge");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("op.oprowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	sd_attrs_append_schema_object(buf, "operator", "pg_operator", "op", "oprname", "oprnamespace",
								  CORE_IDENTITY(OperatorRelationId, "op.oid"),
								  "COALESCE(" TYPE_KEY("op.oprleft") ", ARRAY['', ''])"
								  " || " TYPE_KEY("op.oprright"),
								  "", &o);
}

/*
 * Operator families: their members, operators and support functions (those
 * of their operator classes and those added loose with ALTER OPERATOR
 * FAMILY), each "number (left type, right type): member", an ordering
 * operator with its sort family; owner, comment.  The access method is in
 * the identity and the key.
 */
static void
append_operator_families(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "operators", JV_JSON,
				 sd_attrs_string_array("ao.amopstrategy || ' (' || pg_catalog.format_type(ao.amoplefttype, NULL)"
									   " || ', ' || pg_catalog.format_type(ao.amoprighttype, NULL) || '): '"
									   " || ao.amopopr::pg_catalog.regoperator::pg_catalog.text"
									   " || CASE WHEN ao.amoppurpose = 'o' THEN ' FOR ORDER BY ' || "
									   OPFAMILY_NAME("ao.amopsortfamily") " ELSE '' END",
									   "pg_catalog.pg_amop ao WHERE ao.amopfamily = opf.oid",
									   "ao.amopstrategy, "
									   UTF8_ORDER("pg_catalog.format_type(ao.amoplefttype, NULL)") ", "
									   UTF8_ORDER("pg_catalog.format_type(ao.amoprighttype, NULL)")));
	sd_attrs_add(&o, "functions", JV_JSON,
				 sd_attrs_string_array("ap.amprocnum || ' (' || pg_catalog.format_type(ap.amproclefttype, NULL)"
									   " || ', ' || pg_catalog.format_type(ap.amprocrighttype, NULL) || '): '"
									   " || ap.amproc::pg_catalog.oid::pg_catalog.regprocedure::pg_catalog.text",
									   "pg_catalog.pg_amproc ap WHERE ap.amprocfamily = opf.oid",
									   "ap.amprocnum, "
									   UTF8_ORDER("pg_catalog.format_type(ap.amproclefttype, NULL)") ", "
									   UTF8_ORDER("pg_catalog.format_type(ap.amprocrighttype, NULL)")));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("opf.opfowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	sd_attrs_append_schema_object(buf, "operator family", "pg_opfamily", "opf", "opfname", "opfnamespace",
								  CORE_IDENTITY(OperatorFamilyRelationId, "opf.oid"),
								  "ARRAY[am.amname::pg_catalog.text]",
								  " JOIN pg_catalog.pg_am am ON am.oid = opf.opfmethod", &o);
}

/*
 * Operator classes: input type, default for it, family, storage type,
 * owner, comment (their members are their family's).  The access method
 * is in the identity and the key.
 */
static void
append_operator_classes(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "type", JV_TEXT, "pg_catalog.format_type(opc.opcintype, NULL)");
	sd_attrs_add(&o, "default", JV_BOOL, "opc.opcdefault");
	sd_attrs_add(&o, "family", JV_TEXT, OPFAMILY_NAME("opc.opcfamily"));
	sd_attrs_add(&o, "storage", JV_TEXT, TYPE_NAME("opc.opckeytype"));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("opc.opcowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	sd_attrs_append_schema_object(buf, "operator class", "pg_opclass", "opc", "opcname", "opcnamespace",
								  CORE_IDENTITY(OperatorClassRelationId, "opc.oid"),
								  "ARRAY[am.amname::pg_catalog.text]",
								  " JOIN pg_catalog.pg_am am ON am.oid = opc.opcmethod", &o);
}

/*
 * sd_catalog_append_operators
 *		Operators, operator families and operator classes: few objects
 *		each, in one arm of the query.
 */
void
sd_catalog_append_operators(StringInfo buf, int server_version)
{
	append_operators(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	append_operator_families(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	append_operator_classes(buf, server_version);
}
