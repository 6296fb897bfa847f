/*-------------------------------------------------------------------------
 *
 * deparse.c
 *	  schemadrift_get_expr(): what pg_get_expr(expr, relid) prints, without
 *	  opening the table.
 *
 * pg_get_expr(expr, relid) opens the table to learn the names of its
 * columns (try_relation_open, then deparse_context_for).  In a new backend
 * that builds the table's relcache entry: its attributes, defaults,
 * constraints, triggers and rules, read from the catalogs for the sake of a
 * column name or two.  A serial read of 10,000 tables with a CHECK each
 * spent 12.8% of its time opening them (perf), and took a lock on each.
 *
 * Here the names of the columns the expression uses are looked up in the
 * syscache, and ruleutils prints the expression (deparse_expression) in a
 * context whose one range table entry carries those names, the way EXPLAIN
 * prints the expressions of a plan (deparse_context_for_plan_tree).
 *
 * The text must be pg_get_expr()'s to the byte, since it is hashed and
 * compared with a remote's, read with pg_get_expr().  deparse_expression()
 * prints without PRETTYFLAG_INDENT, which pg_get_expr() passes; within an
 * expression that flag changes only CASE (its line breaks).  So everything
 * this path does not print the same way goes to pg_get_expr() itself: an
 * expression with a CASE, a sublink or a query, a Var other than a user
 * column of the one table (a whole row, a system column, an outer
 * reference, another relation), a column that is dropped or missing, no
 * table (relid 0) or a table that is gone.  sql/identity.sql compares both
 * on every expression of the regression database, in every such shape.
 *
 * The extraction query calls it where schemadrift's SQL objects have it
 * (0.2.0 on), qualified by the extension's schema (sd_deparse_function); a
 * remote read without schemadrift keeps pg_get_expr().
 *
 * IDENTIFICATION
 *	  src/deparse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "nodes/bitmapset.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "deparse.h"
#include "util.h"

PG_FUNCTION_INFO_V1(schemadrift_get_expr);

/* what scan_expr learns of an expression */
typedef struct ExprScan
{
	Bitmapset  *attnos;			/* the user columns it uses */
	AttrNumber	maxattno;		/* the highest of them */
	bool		simple;			/* false: leave it to pg_get_expr() */
} ExprScan;

/*
 * scan_expr
 *		Collect the columns of expression node, and clear s->simple (and
 *		stop) at anything this path does not print as pg_get_expr() does.
 */
static bool
scan_expr(Node *node, ExprScan *s)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		/*
		 * ruleutils prints a Var by varnosyn/varattnosyn where set (no plan
		 * here, none in pg_get_expr): stored expressions keep them equal to
		 * varno/varattno, and anything else goes to core.
		 */
		if (var->varno != 1 || var->varlevelsup != 0 || var->varattno <= 0 ||
			(var->varnosyn != 0 &&
			 (var->varnosyn != 1 || var->varattnosyn != var->varattno)))
		{
			s->simple = false;
			return true;
		}
		s->attnos = bms_add_member(s->attnos, var->varattno);
		s->maxattno = Max(s->maxattno, var->varattno);
		return false;
	}
	if (IsA(node, CaseExpr) || IsA(node, SubLink) || IsA(node, Query))
	{
		s->simple = false;
		return true;
	}
	return expression_tree_walker(node, scan_expr, (void *) s);
}

/*
 * column_context
 *		A deparse context for the columns s->attnos of table relid: one range
 *		table entry whose column names are theirs, and empty (dropped, to
 *		ruleutils) for the columns the expression does not use.  NIL if one
 *		of them is dropped or missing (or the table is gone).
 *
 * The entry has no name (NULL in rtable_names): ruleutils prints a Var's
 * table only before a whole row or when asked to prefix every Var, and
 * neither comes here.  So the table's name is not looked up: that lookup
 * was a quarter of this function's time in a new backend.
 */
static List *
column_context(Oid relid, ExprScan *s)
{
	List	   *colnames = NIL;
	RangeTblEntry *rte;
	PlannedStmt *pstmt;
	AttrNumber	attno;

	for (attno = 1; attno <= s->maxattno; attno++)
	{
		char	   *name = "";

		if (bms_is_member(attno, s->attnos))
		{
			HeapTuple	tuple;
			Form_pg_attribute att;

			tuple = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
									Int16GetDatum(attno));
			if (!HeapTupleIsValid(tuple))
				return NIL;
			att = (Form_pg_attribute) GETSTRUCT(tuple);
			if (att->attisdropped)
			{
				ReleaseSysCache(tuple);
				return NIL;
			}
			name = pstrdup(NameStr(att->attname));
			ReleaseSysCache(tuple);
		}
		colnames = lappend(colnames, makeString(name));
	}

	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_VALUES;
	/* the alias name shows only in ruleutils' internal errors */
	rte->eref = makeAlias("schemadrift_get_expr", colnames);
	rte->inFromCl = true;

	pstmt = makeNode(PlannedStmt);
	pstmt->rtable = list_make1(rte);
	return deparse_context_for_plan_tree(pstmt, list_make1(NULL));
}

/*
 * schemadrift_get_expr(expr pg_node_tree, relid oid) RETURNS text
 *		pg_get_expr(expr, relid), without opening the table (see the head of
 *		the file).  STRICT.
 */
Datum
schemadrift_get_expr(PG_FUNCTION_ARGS)
{
	text	   *expr = PG_GETARG_TEXT_PP(0);
	Oid			relid = PG_GETARG_OID(1);
	Node	   *node;
	ExprScan	s = {NULL, 0, true};
	List	   *context;

	if (!OidIsValid(relid))
		return pg_get_expr(fcinfo);

	node = (Node *) stringToNode(text_to_cstring(expr));
	(void) scan_expr(node, &s);
	if (!s.simple)
		return pg_get_expr(fcinfo);

	/* a table that is gone gives NULL, as pg_get_expr() */
	if (s.maxattno == 0 &&
		!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return pg_get_expr(fcinfo);

	context = column_context(relid, &s);
	if (context == NIL)
		return pg_get_expr(fcinfo);

	PG_RETURN_TEXT_P(cstring_to_text(deparse_expression(node, context, false, false)));
}

/*
 * sd_deparse_function
 *		The name to call schemadrift_get_expr() by in a query run with
 *		search_path = pg_catalog (qualified with the extension's schema,
 *		quoted), or NULL where it is not there to call: schemadrift is not
 *		installed in this database, or its SQL objects are of a version
 *		without it (before ALTER EXTENSION UPDATE).  Only the extension's
 *		own function will do: a function of that name and signature that
 *		someone else created in its schema (say public, before the update
 *		adds the real one) is never called.
 */
char *
sd_deparse_function(void)
{
	Oid			extoid = InvalidOid;
	Oid			nspoid = InvalidOid;
	Oid			fnoid;
	char	   *nspname;
	Oid			argtypes[2] = {PG_NODE_TREEOID, OIDOID};

	if (!sd_util_installed(&extoid, &nspoid, NULL))
		return NULL;
	nspname = OidIsValid(nspoid) ? get_namespace_name(nspoid) : NULL;
	if (nspname == NULL)
		return NULL;
	fnoid = LookupFuncName(list_make2(makeString(nspname),
									  makeString("schemadrift_get_expr")),
						   2, argtypes, true);
	if (!OidIsValid(fnoid) ||
		getExtensionOfObject(ProcedureRelationId, fnoid) != extoid)
		return NULL;
	return psprintf("%s.schemadrift_get_expr", quote_identifier(nspname));
}
