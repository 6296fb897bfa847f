/*-------------------------------------------------------------------------
 *
 * fix_rename.c
 *	  Renames in fix SQL: ALTER ... RENAME where the audit log says an
 *	  object was renamed, a suggestion where only the shapes match.
 *
 * A renamed object shows in a diff as one object missing and one extra of
 * the same kind under the same parent.  Dropping the extra one and creating
 * the missing one loses its data, so:
 *
 *	- on evidence: when the target's audit log (schemadrift_ddl_log) has an
 *	  ALTER ... RENAME whose statement renamed the missing object's name to
 *	  the extra object's, the fix of the missing row is ALTER ... RENAME of
 *	  the extra object back, the extra row needs no statement of its own,
 *	  and both notes cite the log entry's id.  The log is read where the
 *	  target is: through SPI for this database, over libpq for a foreign
 *	  server that has schemadrift (as side_remote.c finds it); as the
 *	  caller, or the user mapping's role: a role that cannot read it gets
 *	  no evidence, and no error;
 *	- without: when exactly one object of a kind is missing and exactly one
 *	  extra under the same parent, and their attributes are identical (for
 *	  a relation, also the hashes of its columns, constraints, indexes...),
 *	  the notes suggest the rename, which is made only with the option
 *	  "renames": "guess" (a tool that renames on such guesses moved the
 *	  data of a column into another one when a table's columns had all
 *	  been replaced).  "renames": "off" neither looks nor suggests.
 *
 * Kinds renamed: tables, views, materialized views, sequences, indexes,
 * foreign tables, table columns and table constraints.  A chain of
 * renames (a to x, then x to b) is not followed.
 *
 * IDENTIFICATION
 *	  src/fix_rename.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "fix.h"
#include "kinds.h"
#include "remote.h"
#include "side.h"
#include "util.h"
#include "workflow.h"

/* a pair found: the extra object is the missing one renamed */
typedef struct SdRename
{
	SdObject   *missing;
	SdObject   *extra;
	int64		audit_id;		/* the log entry, or 0 for a guess */
	bool		apply;			/* evidence, or a guess under "guess" */
} SdRename;

/* the kinds renamed, and how */
typedef struct RenameKind
{
	const char *kind;
	const char *alter;			/* ALTER <alter> */
	bool		child;			/* RENAME <child> x TO y on the parent */
	const char *child_word;		/* COLUMN, CONSTRAINT */
	SdFixPhase	phase;
} RenameKind;

static const RenameKind rename_kinds[] = {
	{"table", "TABLE", false, NULL, FIX_PHASE_TABLE},
	{"view", "VIEW", false, NULL, FIX_PHASE_TABLE},
	{"materialized view", "MATERIALIZED VIEW", false, NULL, FIX_PHASE_TABLE},
	{"sequence", "SEQUENCE", false, NULL, FIX_PHASE_TABLE},
	{"foreign table", "FOREIGN TABLE", false, NULL, FIX_PHASE_TABLE},
	{"index", "INDEX", false, NULL, FIX_PHASE_TABLE},
	{"table column", "TABLE", true, "COLUMN", FIX_PHASE_COLUMN},
	{"foreign table column", "FOREIGN TABLE", true, "COLUMN", FIX_PHASE_COLUMN},
	{"table constraint", "TABLE", true, "CONSTRAINT", FIX_PHASE_COLUMN},
};

static const RenameKind *
rename_kind(const SdObject *obj)
{
	int			i;

	for (i = 0; i < lengthof(rename_kinds); i++)
		if (strcmp(rename_kinds[i].kind, obj->kind) == 0)
			return &rename_kinds[i];
	return NULL;
}

/* whether a and b are of one kind, under one parent, differing in name */
static bool
same_place(const SdObject *a, const SdObject *b)
{
	const RenameKind *rk = rename_kind(a);
	int			i;

	/* a constraint keyed by its definition (ignore constraint_names): no */
	if (rk == NULL || strcmp(a->kind, b->kind) != 0 || a->nkey != b->nkey ||
		a->nkey != (rk->child ? 3 : 2) || a->nparent != b->nparent ||
		(rk->child && a->nparent != 2))
		return false;
	for (i = 0; i < a->nkey - 1; i++)
		if (strcmp(a->key[i], b->key[i]) != 0)
			return false;
	for (i = 0; i < a->nparent; i++)
		if (strcmp(a->parent[i], b->parent[i]) != 0)
			return false;
	return strcmp(a->key[a->nkey - 1], b->key[b->nkey - 1]) != 0;
}

/* the last name part: the object's own name */
static const char *
own_name(const SdObject *obj)
{
	return obj->key[obj->nkey - 1];
}

/* ---- the evidence: the target's audit log ------------------------------- */

/* a log entry that may record a rename */
typedef struct LogEntry
{
	int64		id;
	char	   *identity;
	char	   *statement;
} LogEntry;

#define LOG_QUERY(schema) \
	psprintf("SELECT l.id, l.object_identity, l.statement FROM %s.schemadrift_ddl_log l" \
			 " WHERE l.object_identity OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])" \
			 " AND NOT l.creating_extension" \
			 " AND l.command_tag OPERATOR(pg_catalog.~~) 'ALTER %%'" \
			 " AND l.statement OPERATOR(pg_catalog.~*) 'rename'" \
			 " ORDER BY l.id DESC", schema)

/* a text[] literal of the identities, for $1 */
static char *
identities_literal(List *identities)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, identities)
	{
		const char *p;

		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, '"');
		for (p = lfirst(lc); *p; p++)
		{
			if (*p == '"' || *p == '\\')
				appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, *p);
		}
		appendStringInfoChar(&buf, '"');
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

typedef struct LogRead
{
	const char *server;			/* NULL: this database */
	char	   *identities;		/* $1 */
	List	   *entries;		/* LogEntry, newest first */
	MemoryContext cxt;
} LogRead;

static void
log_read_local(void *arg)
{
	LogRead    *lr = (LogRead *) arg;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *schema;
	bool		isnull;
	uint64		i;
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = sd_workflow_schema();
	if (!sd_attribution_log_readable(schema))
	{
		SPI_finish();
		return;
	}
	args[0] = CStringGetTextDatum(lr->identities);
	rc = SPI_execute_with_args(LOG_QUERY(schema), 1, argtypes, args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(lr->cxt);
		LogEntry   *e = palloc(sizeof(LogEntry));

		e->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		e->identity = SPI_getvalue(tup, desc, 2);
		e->statement = SPI_getvalue(tup, desc, 3);
		lr->entries = lappend(lr->entries, e);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

static void
log_row(void *arg, PGresult *row)
{
	LogRead    *lr = (LogRead *) arg;
	MemoryContext old;
	LogEntry   *e;

	if (PQnfields(row) != 3 || PQgetisnull(row, 0, 0) || PQgetisnull(row, 0, 1) ||
		PQgetisnull(row, 0, 2))
		return;
	old = MemoryContextSwitchTo(lr->cxt);
	e = palloc(sizeof(LogEntry));
	e->id = strtoi64(PQgetvalue(row, 0, 0), NULL, 10);
	/* UTF8, the client encoding */
	e->identity = pg_any_to_server(PQgetvalue(row, 0, 1), strlen(PQgetvalue(row, 0, 1)), PG_UTF8);
	e->statement = pg_any_to_server(PQgetvalue(row, 0, 2), strlen(PQgetvalue(row, 0, 2)), PG_UTF8);
	lr->entries = lappend(lr->entries, e);
	MemoryContextSwitchTo(old);
}

static void
log_read_remote(void *arg)
{
	LogRead    *lr = (LogRead *) arg;
	SdRemote   *r = sd_remote_connect(lr->server);
	char	   *schema;
	const char *params[1];
	char	   *can_read;

	schema = sd_remote_value(r, SD_REMOTE_FIND_SCHEMADRIFT_SQL, true, "reading the audit log");
	if (schema != NULL)
	{
		can_read = sd_remote_value(r, psprintf("SELECT pg_catalog.has_table_privilege(%s, 'SELECT')",
											   quote_literal_cstr(psprintf("%s.schemadrift_ddl_log", schema))),
								   false, "reading the audit log");
		if (can_read != NULL && strcmp(can_read, "t") == 0)
		{
			params[0] = pg_server_to_any(lr->identities, strlen(lr->identities), PG_UTF8);
			sd_remote_rows(r, LOG_QUERY(schema), 1, params, log_row, lr,
						   "reading the audit log");
		}
	}
	sd_remote_close(r);
}

/*
 * renamed_by
 *		Whether statement (a log entry's) renames the object named from to
 *		the name to.
 */
static bool
renamed_by(const char *statement, const RenameKind *rk, const char *from, const char *to)
{
	List	   *stmts = raw_parser(statement, RAW_PARSE_DEFAULT);
	ListCell   *lc;

	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst(lc);
		RenameStmt *rs;
		const char *old = NULL;

		if (!IsA(raw->stmt, RenameStmt))
			continue;
		rs = (RenameStmt *) raw->stmt;
		if (rs->newname == NULL || strcmp(rs->newname, to) != 0)
			continue;
		if (rk->child && rs->renameType == (strcmp(rk->child_word, "COLUMN") == 0 ?
											OBJECT_COLUMN : OBJECT_TABCONSTRAINT))
			old = rs->subname;
		else if (!rk->child && rs->relation != NULL &&
				 (rs->renameType == OBJECT_TABLE || rs->renameType == OBJECT_VIEW ||
				  rs->renameType == OBJECT_MATVIEW || rs->renameType == OBJECT_SEQUENCE ||
				  rs->renameType == OBJECT_INDEX || rs->renameType == OBJECT_FOREIGN_TABLE))
			old = rs->relation->relname;
		if (old != NULL && strcmp(old, from) == 0)
			return true;
	}
	return false;
}

typedef struct RenamedArg
{
	const char *statement;
	const RenameKind *rk;
	const char *from;
	const char *to;
	bool		result;
} RenamedArg;

static void
renamed_by_try(void *arg)
{
	RenamedArg *a = (RenamedArg *) arg;

	a->result = renamed_by(a->statement, a->rk, a->from, a->to);
}

/* the id of the newest log entry renaming m into e, or 0 */
static int64
evidence(List *entries, const SdObject *m, const SdObject *e)
{
	ListCell   *lc;

	foreach(lc, entries)
	{
		LogEntry   *le = lfirst(lc);
		RenamedArg	a;
		char	   *error;

		if (strcmp(le->identity, e->identity) != 0)
			continue;
		a.statement = le->statement;
		a.rk = rename_kind(e);
		a.from = own_name(m);
		a.to = own_name(e);
		a.result = false;
		/* a statement the parser cannot read (another major's) is none */
		if (sd_util_try(renamed_by_try, &a, &error) && a.result)
			return le->id;
	}
	return 0;
}

/* ---- guesses --------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* the sorted "kind hash" of every child of relation rel in set */
static char **
child_hashes(const SdObjectSet *set, const SdObject *rel, int *n)
{
	char	  **out = palloc(sizeof(char *) * Max(set->nobjects, 1));
	int			i,
				j;

	*n = 0;
	for (i = 0; i < set->nobjects; i++)
	{
		const SdObject *o = &set->objects[i];

		if (o->nparent != rel->nkey || o == rel)
			continue;
		for (j = 0; j < o->nparent; j++)
			if (strcmp(o->parent[j], rel->key[j]) != 0)
				break;
		if (j == o->nparent)
			out[(*n)++] = psprintf("%s %s", o->kind, o->hash);
	}
	qsort(out, *n, sizeof(char *), cmp_str);
	return out;
}

/*
 * same_shape
 *		Whether m (the source's) and e (the target's) have identical
 *		attributes, and for a relation identical children too.
 */
static bool
same_shape(SdFixContext *ctx, const SdObject *m, const SdObject *e)
{
	char	  **mc,
			  **ec;
	int			nm,
				ne,
				i;

	if (strcmp(m->hash, e->hash) != 0)
		return false;
	if (m->kindinfo == NULL || !m->kindinfo->relation)
		return true;
	mc = child_hashes(ctx->source, m, &nm);
	ec = child_hashes(ctx->target, e, &ne);
	if (nm != ne)
		return false;
	for (i = 0; i < nm; i++)
		if (strcmp(mc[i], ec[i]) != 0)
			return false;
	return true;
}

/*
 * sd_fix_find_renames
 *		Pair the missing and extra objects of a diff (the rows it reports
 *		on their own) that are renames: on evidence, or as guesses.  Kept
 *		in ctx for sd_fix_rename().
 */
void
sd_fix_find_renames(SdFixContext *ctx, SdObject **missing, int nmissing,
					SdObject **extra, int nextra)
{
	MemoryContext old = MemoryContextSwitchTo(ctx->cxt);
	List	   *candidates = NIL;
	LogRead		lr;
	bool	   *m_used;
	bool	   *e_used;
	int			i,
				j;

	if (ctx->options.renames == SD_RENAMES_OFF || nmissing == 0 || nextra == 0)
	{
		MemoryContextSwitchTo(old);
		return;
	}
	m_used = palloc0(sizeof(bool) * nmissing);
	e_used = palloc0(sizeof(bool) * nextra);

	/* the extra objects that could be renamed ones */
	for (j = 0; j < nextra; j++)
	{
		if (rename_kind(extra[j]) == NULL)
			continue;
		for (i = 0; i < nmissing; i++)
			if (same_place(missing[i], extra[j]))
			{
				candidates = lappend(candidates, extra[j]->identity);
				break;
			}
	}
	if (candidates == NIL)
	{
		MemoryContextSwitchTo(old);
		return;
	}

	/* evidence, where the target keeps a log the caller may read */
	memset(&lr, 0, sizeof(lr));
	lr.identities = identities_literal(candidates);
	lr.cxt = ctx->cxt;
	if (ctx->target_local || ctx->target_server != NULL)
	{
		char	   *error;

		lr.server = ctx->target_server;
		if (!sd_util_try(ctx->target_local ? log_read_local : log_read_remote, &lr, &error))
			ereport(NOTICE,
					(errmsg("the target's audit log could not be read for renames"),
					 errdetail_internal("%s", error)));
	}
	for (j = 0; j < nextra && lr.entries != NIL; j++)
		for (i = 0; i < nmissing; i++)
		{
			int64		id;

			if (m_used[i] || e_used[j] || rename_kind(extra[j]) == NULL ||
				!same_place(missing[i], extra[j]))
				continue;
			id = evidence(lr.entries, missing[i], extra[j]);
			if (id != 0)
			{
				SdRename   *rn = palloc0(sizeof(SdRename));

				rn->missing = missing[i];
				rn->extra = extra[j];
				rn->audit_id = id;
				rn->apply = true;
				ctx->renames = lappend(ctx->renames, rn);
				m_used[i] = e_used[j] = true;
			}
		}

	/* guesses: one missing and one extra in one place, of one shape */
	for (j = 0; j < nextra; j++)
	{
		int			found = -1;
		int			nfound = 0;
		int			k;

		if (e_used[j] || rename_kind(extra[j]) == NULL)
			continue;
		for (i = 0; i < nmissing; i++)
			if (same_place(missing[i], extra[j]))
			{
				found = i;
				nfound++;
			}
		if (nfound != 1 || m_used[found])
			continue;
		/* and no other extra object in that place */
		for (k = 0; k < nextra; k++)
			if (k != j && same_place(missing[found], extra[k]))
				break;
		if (k < nextra || !same_shape(ctx, missing[found], extra[j]))
			continue;
		{
			SdRename   *rn = palloc0(sizeof(SdRename));

			rn->missing = missing[found];
			rn->extra = extra[j];
			rn->apply = ctx->options.renames == SD_RENAMES_GUESS;
			ctx->renames = lappend(ctx->renames, rn);
			m_used[found] = e_used[j] = true;
		}
	}
	MemoryContextSwitchTo(old);
}

/* the rename's statement: the extra object takes the missing one's name */
static char *
rename_sql(const RenameKind *rk, const SdRename *rn)
{
	const SdObject *e = rn->extra;

	if (rk->child)
		return psprintf("ALTER %s %s RENAME %s %s TO %s", rk->alter,
						quote_qualified_identifier(e->parent[0], e->parent[1]),
						rk->child_word, quote_identifier(own_name(e)),
						quote_identifier(own_name(rn->missing)));
	return psprintf("ALTER %s %s RENAME TO %s", rk->alter,
					quote_qualified_identifier(e->key[0], e->key[1]),
					quote_identifier(own_name(rn->missing)));
}

/*
 * sd_fix_rename
 *		If obj (missing: the source's; else the target's) is half of a
 *		rename found by sd_fix_find_renames(): a rename made fills fix (the
 *		statement on the missing row, none on the extra one) and returns
 *		true; a rename only suggested sets *suggestion to the note and
 *		returns false (the row keeps its own fix).
 */
bool
sd_fix_rename(SdFixContext *ctx, SdObject *obj, bool missing, SdFix *fix,
			  const char **suggestion)
{
	ListCell   *lc;

	*suggestion = NULL;
	foreach(lc, ctx->renames)
	{
		SdRename   *rn = lfirst(lc);
		const RenameKind *rk;
		SdFixStep  *step;
		char	   *why;

		if ((missing ? rn->missing : rn->extra) != obj)
			continue;
		rk = rename_kind(obj);
		why = rn->audit_id != 0 ?
			psprintf("schemadrift_ddl_log entry %lld on the target records the rename",
					 (long long) rn->audit_id) :
			pstrdup("same attributes, no audit log evidence");
		if (!rn->apply)
		{
			*suggestion = missing ?
				psprintf("may be %s renamed on the target (%s): pass \"renames\": \"guess\" to rename it rather than create it",
						 rn->extra->identity, why) :
				psprintf("may be %s renamed (%s): pass \"renames\": \"guess\" to rename it rather than drop it",
						 rn->missing->identity, why);
			return false;
		}
		if (!missing)
		{
			fix->covered = true;
			fix->note = psprintf("renamed to %s by the fix of that row (%s)",
								 rn->missing->identity, why);
			return true;
		}
		step = palloc0(sizeof(SdFixStep));
		step->phase = rk->phase;
		step->part = FIX_PART_MAIN;
		step->sql = rename_sql(rk, rn);
		fix->steps = list_make1(step);
		fix->note = psprintf("a rename of %s (%s)", rn->extra->identity, why);
		return true;
	}
	return false;
}
