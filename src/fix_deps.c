/*-------------------------------------------------------------------------
 *
 * fix_deps.c
 *	  Fix SQL: what a statement reads and calls, from its text alone.
 *
 * A script orders its steps by kind (fix.h's phases) and, where kinds do
 * not settle it, by edges: a view after the relations it reads, a
 * SQL-standard function body (BEGIN ATOMIC, RETURN) after the relations it
 * reads and the functions it calls, a default, a check, an index expression
 * or a policy after the functions it calls; their drops the other way round.
 * A snapshot has no pg_depend, so the edges are taken from the definitions:
 * every one is read with pg_catalog alone on search_path, so every relation
 * and function outside pg_catalog is named with its schema.  The raw parser
 * (which touches nothing but memory) gives the RangeVars and FuncCalls of a
 * statement; a relation is named by its identity, a function name by the
 * identities of every routine of that name in the side's set (all of its
 * overloads); names that are in no set (pg_catalog's, unqualified ones,
 * CTEs) are dropped.  Nothing here adds to the model or its hashes.
 *
 * Bodies PostgreSQL keeps as text (PL/pgSQL, SQL with AS '...') give no
 * edges: they are not checked while a script runs.
 *
 * IDENTIFICATION
 *	  src/fix_deps.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "compat.h"
#include "fix.h"

/* the routines of a set, by encoded schema and name */
typedef struct RoutineEntry
{
	char	   *nkey;
	SdObject   *obj;
} RoutineEntry;

typedef struct SdFixRoutines
{
	RoutineEntry *entries;
	int			n;
} SdFixRoutines;

/* what a walk collects, and where function names are looked up */
typedef struct DepsWalk
{
	List	   *deps;			/* identities (char *), no duplicates */
	SdFixRoutines *routines;
} DepsWalk;

static int
cmp_routine(const void *a, const void *b)
{
	return strcmp(((const RoutineEntry *) a)->nkey, ((const RoutineEntry *) b)->nkey);
}

/* the key a routine is found by: its schema and name */
static char *
routine_key(char *schema, char *name)
{
	char	   *parts[2] = {schema, name};

	return sd_objects_encode_key("routine", 2, parts);
}

/*
 * routines_of
 *		The index of the routines of a side (built once per context, in its
 *		memory).
 */
static SdFixRoutines *
routines_of(SdFixContext *ctx, bool source)
{
	SdFixRoutines **rp = source ? &ctx->source_routines : &ctx->target_routines;
	SdObjectSet *set = source ? ctx->source : ctx->target;
	MemoryContext old;
	SdFixRoutines *r;
	int			i;

	if (*rp != NULL)
		return *rp;
	old = MemoryContextSwitchTo(ctx->cxt);
	r = palloc0(sizeof(SdFixRoutines));
	r->entries = palloc(sizeof(RoutineEntry) * Max(set ? set->nobjects : 0, 1));
	for (i = 0; set != NULL && i < set->nobjects; i++)
	{
		SdObject   *o = &set->objects[i];

		if (o->nkey < 2 || o->kind == NULL ||
			(strcmp(o->kind, "function") != 0 && strcmp(o->kind, "procedure") != 0 &&
			 strcmp(o->kind, "aggregate") != 0))
			continue;
		r->entries[r->n].nkey = routine_key(o->key[0], o->key[1]);
		r->entries[r->n].obj = o;
		r->n++;
	}
	qsort(r->entries, r->n, sizeof(RoutineEntry), cmp_routine);
	MemoryContextSwitchTo(old);
	*rp = r;
	return r;
}

static void
add_dep(DepsWalk *w, char *identity)
{
	if (!sd_list_has_string(w->deps, identity))
		w->deps = lappend(w->deps, identity);
}

/* every routine of the set named schema.name (all its overloads) */
static void
add_routines(DepsWalk *w, char *schema, char *name)
{
	RoutineEntry key;
	RoutineEntry *hit;
	int			lo;

	if (w->routines->n == 0)
		return;
	key.nkey = routine_key(schema, name);
	hit = bsearch(&key, w->routines->entries, w->routines->n, sizeof(RoutineEntry),
				  cmp_routine);
	if (hit == NULL)
		return;
	lo = hit - w->routines->entries;
	while (lo > 0 && strcmp(w->routines->entries[lo - 1].nkey, key.nkey) == 0)
		lo--;
	for (; lo < w->routines->n && strcmp(w->routines->entries[lo].nkey, key.nkey) == 0; lo++)
		add_dep(w, w->routines->entries[lo].obj->identity);
}

/*
 * deps_walker
 *		Collect the schema-qualified relations and routines a raw
 *		expression or query names.  An unqualified name is a CTE's, a
 *		column's or pg_catalog's (the definitions are read with search_path
 *		pinned to pg_catalog).
 */
static bool
deps_walker(Node *node, void *context)
{
	DepsWalk   *w = context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeVar))
	{
		RangeVar   *rv = (RangeVar *) node;

		if (rv->schemaname != NULL && rv->catalogname == NULL)
			add_dep(w, (char *) quote_qualified_identifier(rv->schemaname, rv->relname));
		return false;
	}
	if (IsA(node, FuncCall))
	{
		List	   *name = ((FuncCall *) node)->funcname;

		if (list_length(name) == 2)
			add_routines(w, strVal(linitial(name)), strVal(lsecond(name)));
	}
	return raw_expression_tree_walker(node, deps_walker, context);
}

/* the statements raw_expression_tree_walker knows, as a body holds them */
static void
walk_body_statement(Node *stmt, DepsWalk *w)
{
	if (stmt == NULL)
		return;
	switch (nodeTag(stmt))
	{
		case T_ReturnStmt:
			deps_walker(((ReturnStmt *) stmt)->returnval, w);
			break;
		case T_SelectStmt:
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			deps_walker(stmt, w);
			break;
		default:
			break;
	}
}

/* a CREATE TABLE or ADD COLUMN's column: its default, generation, checks */
static void
walk_column(ColumnDef *col, DepsWalk *w)
{
	ListCell   *lc;

	deps_walker(col->raw_default, w);
	foreach(lc, col->constraints)
		if (IsA(lfirst(lc), Constraint))
			deps_walker(((Constraint *) lfirst(lc))->raw_expr, w);
}

static void
walk_table_element(Node *elt, DepsWalk *w)
{
	if (elt == NULL)
		return;
	if (IsA(elt, ColumnDef))
		walk_column((ColumnDef *) elt, w);
	else if (IsA(elt, Constraint))
		deps_walker(((Constraint *) elt)->raw_expr, w);
}

/*
 * walk_statement
 *		The expressions of a statement a script runs that can read a
 *		relation or call a function when the statement runs: a view's or a
 *		materialized view's query, a SQL-standard body, a column's default
 *		or generation, a check, an index's expressions and predicate, a
 *		policy's expressions.  Other statements, and the names a statement
 *		makes or alters, give nothing.
 */
static void
walk_statement(Node *stmt, DepsWalk *w)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_SelectStmt:
			deps_walker(stmt, w);
			break;
		case T_ViewStmt:
			deps_walker(((ViewStmt *) stmt)->query, w);
			break;
		case T_CreateTableAsStmt:
			deps_walker(((CreateTableAsStmt *) stmt)->query, w);
			break;
		case T_CreateFunctionStmt:
			{
				Node	   *body = ((CreateFunctionStmt *) stmt)->sql_body;

				/* BEGIN ATOMIC: a list holding the list of statements */
				if (body != NULL && IsA(body, List))
				{
					foreach(lc, (List *) body)
					{
						ListCell   *lc2;

						if (lfirst(lc) == NULL || !IsA(lfirst(lc), List))
							continue;
						foreach(lc2, (List *) lfirst(lc))
							walk_body_statement(lfirst(lc2), w);
					}
				}
				else
					walk_body_statement(body, w);
			}
			break;
		case T_CreateStmt:
			foreach(lc, ((CreateStmt *) stmt)->tableElts)
				walk_table_element(lfirst(lc), w);
			break;
		case T_AlterTableStmt:
			foreach(lc, ((AlterTableStmt *) stmt)->cmds)
			{
				AlterTableCmd *cmd = lfirst(lc);

				if (!IsA(cmd, AlterTableCmd))
					continue;
				if (cmd->subtype == AT_ColumnDefault ||
					SD_AT_IS_SET_EXPRESSION(cmd->subtype))
					deps_walker(cmd->def, w);
				else if (cmd->subtype == AT_AddColumn || cmd->subtype == AT_AddConstraint)
					walk_table_element(cmd->def, w);
			}
			break;
		case T_IndexStmt:
			foreach(lc, ((IndexStmt *) stmt)->indexParams)
				if (IsA(lfirst(lc), IndexElem))
					deps_walker(((IndexElem *) lfirst(lc))->expr, w);
			deps_walker(((IndexStmt *) stmt)->whereClause, w);
			break;
		case T_CreatePolicyStmt:
			deps_walker(((CreatePolicyStmt *) stmt)->qual, w);
			deps_walker(((CreatePolicyStmt *) stmt)->with_check, w);
			break;
		case T_AlterPolicyStmt:
			deps_walker(((AlterPolicyStmt *) stmt)->qual, w);
			deps_walker(((AlterPolicyStmt *) stmt)->with_check, w);
			break;
		default:
			break;
	}
}

/*
 * sd_fix_deps_statement
 *		The identities of the relations and routines of the side (source or
 *		target set of ctx) that the raw statement stmt reads or calls when
 *		it runs (see walk_statement), in the current memory context; NIL if
 *		none.
 */
List *
sd_fix_deps_statement(SdFixContext *ctx, Node *stmt, bool source)
{
	DepsWalk	w;

	if (ctx == NULL || stmt == NULL)
		return NIL;
	w.deps = NIL;
	w.routines = routines_of(ctx, source);
	walk_statement(stmt, &w);
	return w.deps;
}

/*
 * sd_fix_deps_text
 *		The same for SQL text: a query, a CREATE FUNCTION with its body, or
 *		"SELECT (expression)".  NIL when it does not parse as one statement.
 */
List *
sd_fix_deps_text(SdFixContext *ctx, const char *sql, bool source)
{
	char	   *error;
	List	   *stmts;

	if (sql == NULL)
		return NIL;
	stmts = sd_fix_parse(sql, &error);
	if (error != NULL || list_length(stmts) != 1)
		return NIL;
	return sd_fix_deps_statement(ctx, linitial_node(RawStmt, stmts)->stmt, source);
}
