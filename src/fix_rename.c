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
 *	- on evidence: when the target's audit log (schemadrift_ddl_log) has
 *	  ALTER ... RENAME entries that, followed in log order, renamed the
 *	  missing object's name to the extra object's (a to b, or a chain: a to
 *	  x, then x to b; a to b, b to a, a to b), the fix of the missing row is
 *	  ALTER ... RENAME of the extra object back, the extra row needs no
 *	  statement of its own, and both notes cite the log entries.  The chain
 *	  is followed backwards from the extra object's name: an entry that
 *	  renamed another object away from the name being followed ends it (the
 *	  name was reused after that), so a swap (a to tmp, b to a, tmp to b)
 *	  never pairs an object with another's name; where the log gives an
 *	  extra object a history that does not lead to the missing one, no
 *	  rename is made or guessed, and the notes say why.  The log is read
 *	  where the target is: through SPI for this database, over libpq for a
 *	  foreign server that has schemadrift (as side_remote.c finds it); as
 *	  the caller, or the user mapping's role: a role that cannot read it
 *	  gets no evidence, and no error;
 *	- without: when exactly one object of a kind is missing and exactly one
 *	  extra under the same parent, and their attributes are identical (for
 *	  a relation, also the hashes of its columns, constraints, indexes...;
 *	  for a schema, every object in it), the notes suggest the rename, which
 *	  is made only with the option "renames": "guess" (a tool that renames
 *	  on such guesses moved the data of a column into another one when a
 *	  table's columns had all been replaced).  "renames": "off" neither
 *	  looks nor suggests.
 *
 * A renamed schema (s renamed r) shows every object in it as missing under
 * s and extra under r.  Its fix is one ALTER SCHEMA r RENAME TO s, and the
 * rows of the objects in it are covered by it where an object under r is,
 * but for the schema's name (in its key and in its attributes' text), the
 * object under s: their fix is empty and their notes point at the schema's
 * row.  The rest is ordered around the rename: the drop of an object only
 * under r runs before it (a script's drops come first) and names r; the
 * creation of an object only under s runs after it (creations come in phase
 * order, schemas first) and names s; an object on both sides that differs
 * beyond the name gets no statement (dropping and creating it would lose
 * its data): the note says to diff again after the rename.
 *
 * Kinds renamed: tables, views, materialized views, sequences, indexes,
 * foreign tables, table columns, table constraints, functions, procedures,
 * aggregates, types (enums, composites, domains, ranges: their array type
 * follows), triggers, policies and schemas.
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
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/memutils.h"

#include "fix.h"
#include "kinds.h"
#include "remote.h"
#include "side.h"
#include "util.h"
#include "workflow.h"

/* how a kind's identity spells its name, and where its key holds it */
typedef enum RenameShape
{
	SHAPE_QUALIFIED,			/* schema.name: relations, types */
	SHAPE_COLUMN,				/* schema.relation.name */
	SHAPE_ON,					/* name on schema.relation */
	SHAPE_ROUTINE,				/* schema.name(argument types) */
	SHAPE_SCHEMA				/* name */
} RenameShape;

#define MAX_RENAME_STMTS 6

/* the kinds renamed, and how */
typedef struct RenameKind
{
	const char *kind;
	const char *alter;			/* ALTER <alter> */
	RenameShape shape;
	const char *child_word;		/* ALTER TABLE t RENAME <child_word> x TO y */
	ObjectType	stmts[MAX_RENAME_STMTS];	/* RenameStmt types renaming it */
	int			nstmts;
	SdFixPhase	phase;
} RenameKind;

/* a relation may be renamed by ALTER TABLE, ALTER VIEW... whatever it is */
#define RELATION_STMTS {OBJECT_TABLE, OBJECT_VIEW, OBJECT_MATVIEW, OBJECT_SEQUENCE, \
		OBJECT_INDEX, OBJECT_FOREIGN_TABLE}, 6
#define ROUTINE_STMTS {OBJECT_FUNCTION, OBJECT_PROCEDURE, OBJECT_AGGREGATE, OBJECT_ROUTINE}, 4

static const RenameKind rename_kinds[] = {
	{"schema", "SCHEMA", SHAPE_SCHEMA, NULL, {OBJECT_SCHEMA}, 1, FIX_PHASE_SCHEMA},
	{"type", "TYPE", SHAPE_QUALIFIED, NULL, {OBJECT_TYPE, OBJECT_DOMAIN}, 2, FIX_PHASE_TYPE},
	{"function", "FUNCTION", SHAPE_ROUTINE, NULL, ROUTINE_STMTS, FIX_PHASE_FUNCTION},
	{"procedure", "PROCEDURE", SHAPE_ROUTINE, NULL, ROUTINE_STMTS, FIX_PHASE_FUNCTION},
	{"aggregate", "AGGREGATE", SHAPE_ROUTINE, NULL, ROUTINE_STMTS, FIX_PHASE_FUNCTION},
	{"table", "TABLE", SHAPE_QUALIFIED, NULL, RELATION_STMTS, FIX_PHASE_TABLE},
	{"view", "VIEW", SHAPE_QUALIFIED, NULL, RELATION_STMTS, FIX_PHASE_TABLE},
	{"materialized view", "MATERIALIZED VIEW", SHAPE_QUALIFIED, NULL, RELATION_STMTS, FIX_PHASE_TABLE},
	{"sequence", "SEQUENCE", SHAPE_QUALIFIED, NULL, RELATION_STMTS, FIX_PHASE_TABLE},
	{"foreign table", "FOREIGN TABLE", SHAPE_QUALIFIED, NULL, RELATION_STMTS, FIX_PHASE_TABLE},
	{"index", "INDEX", SHAPE_QUALIFIED, NULL, RELATION_STMTS, FIX_PHASE_TABLE},
	{"table column", "TABLE", SHAPE_COLUMN, "COLUMN", {OBJECT_COLUMN}, 1, FIX_PHASE_COLUMN},
	{"foreign table column", "FOREIGN TABLE", SHAPE_COLUMN, "COLUMN", {OBJECT_COLUMN}, 1, FIX_PHASE_COLUMN},
	{"table constraint", "TABLE", SHAPE_ON, "CONSTRAINT", {OBJECT_TABCONSTRAINT}, 1, FIX_PHASE_COLUMN},
	{"trigger", "TRIGGER", SHAPE_ON, NULL, {OBJECT_TRIGGER}, 1, FIX_PHASE_TRIGGER},
	{"policy", "POLICY", SHAPE_ON, NULL, {OBJECT_POLICY}, 1, FIX_PHASE_POLICY},
};

/* a pair found: the extra object is the missing one renamed */
typedef struct SdRename
{
	SdObject   *missing;
	SdObject   *extra;
	const RenameKind *rk;
	char	   *why;			/* the evidence, or why it is a guess */
	bool		evidence;		/* the audit log records it */
	bool		apply;			/* evidence, or a guess under "guess" */
	bool		refused;		/* only a note: the log says otherwise */
} SdRename;

/* an object in a renamed schema, paired with its counterpart */
typedef enum InSchema
{
	IN_SCHEMA_COVERED,			/* identical but for the schema's name */
	IN_SCHEMA_DIFFERS			/* on both sides, but it differs */
} InSchema;

typedef struct InSchemaEntry
{
	const SdObject *obj;		/* hash key */
	InSchema	state;
	const SdObject *other;		/* its counterpart */
	SdRename   *rn;				/* the schema's rename */
} InSchemaEntry;

/* obj's entry in rename_kinds, or NULL: a kind not renamed */
static const RenameKind *
rename_kind(const SdObject *obj)
{
	int			i;

	for (i = 0; i < lengthof(rename_kinds); i++)
		if (strcmp(rename_kinds[i].kind, obj->kind) == 0)
			return &rename_kinds[i];
	return NULL;
}

/* where a key of the shape holds the object's own name */
static int
name_at(RenameShape shape)
{
	switch (shape)
	{
		case SHAPE_SCHEMA:
			return 0;
		case SHAPE_QUALIFIED:
		case SHAPE_ROUTINE:
			return 1;
		case SHAPE_COLUMN:
		case SHAPE_ON:
			return 2;
	}
	return 0;					/* keep compiler quiet */
}

/* whether obj's key and parent have the shape its kind's renames expect */
static bool
shaped(const RenameKind *rk, const SdObject *obj)
{
	switch (rk->shape)
	{
		case SHAPE_SCHEMA:
			return obj->nkey == 1 && obj->nparent == 0;
		case SHAPE_QUALIFIED:
			/* an index, an owned sequence: a child of its table too */
			return obj->nkey == 2;
		case SHAPE_ROUTINE:
			return obj->nkey >= 2 && obj->nkey % 2 == 0 && obj->nparent == 0;
		case SHAPE_COLUMN:
		case SHAPE_ON:
			/* a constraint keyed by its definition (ignore constraint_names): no */
			return obj->nkey == 3 && obj->nparent == 2;
	}
	return false;
}

/* the last name part: the object's own name */
static const char *
own_name(const SdObject *obj)
{
	return obj->key[name_at(rename_kind(obj)->shape)];
}

/* whether a and b are of one kind, under one parent, differing in name */
static bool
same_place(const SdObject *a, const SdObject *b)
{
	const RenameKind *rk = rename_kind(a);
	int			at;
	int			i;

	if (rk == NULL || strcmp(a->kind, b->kind) != 0 || a->nkey != b->nkey ||
		a->nparent != b->nparent || !shaped(rk, a))
		return false;
	at = name_at(rk->shape);
	for (i = 0; i < a->nkey; i++)
		if (i != at && strcmp(a->key[i], b->key[i]) != 0)
			return false;
	for (i = 0; i < a->nparent; i++)
		if (strcmp(a->parent[i], b->parent[i]) != 0)
			return false;
	return strcmp(a->key[at], b->key[at]) != 0;
}

/*
 * identity_named
 *		The identity obj would have, named name (as pg_identify_object()
 *		spells it, which is how the audit log records an object), or NULL
 *		if obj's identity is not spelt as its kind's shape says.
 */
static char *
identity_named(const SdObject *obj, const char *name)
{
	const RenameKind *rk = rename_kind(obj);
	char	   *prefix;

	switch (rk->shape)
	{
		case SHAPE_SCHEMA:
			return pstrdup(quote_identifier(name));
		case SHAPE_QUALIFIED:
			return quote_qualified_identifier(obj->key[0], name);
		case SHAPE_COLUMN:
			return psprintf("%s.%s", quote_qualified_identifier(obj->parent[0], obj->parent[1]),
							quote_identifier(name));
		case SHAPE_ON:
			return psprintf("%s on %s", quote_identifier(name),
							quote_qualified_identifier(obj->parent[0], obj->parent[1]));
		case SHAPE_ROUTINE:
			/* the argument types, as the identity spells them */
			prefix = quote_qualified_identifier(obj->key[0], obj->key[1]);
			if (strncmp(obj->identity, prefix, strlen(prefix)) != 0 ||
				obj->identity[strlen(prefix)] != '(')
				return NULL;
			return psprintf("%s%s", quote_qualified_identifier(obj->key[0], name),
							obj->identity + strlen(prefix));
	}
	return NULL;				/* keep compiler quiet */
}

/* ---- the evidence: the target's audit log ------------------------------- */

/* one rename a log entry's statement makes */
typedef struct RenameFact
{
	ObjectType	type;			/* the RenameStmt's renameType */
	char	   *from;
	char	   *to;
} RenameFact;

/* a log entry that may record a rename */
typedef struct LogEntry
{
	int64		id;
	char	   *identity;		/* the renamed object's, after the rename */
	char	   *statement;
	List	   *facts;			/* RenameFact: what the statement renames */
	bool		parsed;			/* facts are read */
} LogEntry;

/*
 * Every entry that may record a rename, newest first: a chain's entries
 * carry the identities of its intermediate names, unknown before they are
 * read, so the entries are not narrowed to the diff's identities.
 */
#define LOG_QUERY(schema) \
	psprintf("SELECT l.id, l.object_identity, l.statement FROM %s.schemadrift_ddl_log l" \
			 " WHERE l.object_identity IS NOT NULL AND l.statement IS NOT NULL" \
			 " AND NOT l.creating_extension" \
			 " AND l.command_tag OPERATOR(pg_catalog.~~) 'ALTER %%'" \
			 " AND l.statement OPERATOR(pg_catalog.~*) 'rename'" \
			 " ORDER BY l.id DESC", schema)

typedef struct LogRead
{
	const char *server;			/* NULL: this database */
	List	   *entries;		/* LogEntry, newest first */
	MemoryContext cxt;
} LogRead;

/* the log's rename entries of this database, through SPI (sd_util_try) */
static void
log_read_local(void *arg)
{
	LogRead    *lr = (LogRead *) arg;
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
	rc = SPI_execute_with_args(LOG_QUERY(schema), 0, NULL, NULL, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(lr->cxt);
		LogEntry   *e = palloc0(sizeof(LogEntry));

		e->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		e->identity = SPI_getvalue(tup, desc, 2);
		e->statement = SPI_getvalue(tup, desc, 3);
		lr->entries = lappend(lr->entries, e);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

/* one entry read over libpq, into the LogRead */
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
	e = palloc0(sizeof(LogEntry));
	e->id = strtoi64(PQgetvalue(row, 0, 0), NULL, 10);
	/* UTF8, the client encoding */
	e->identity = pg_any_to_server(PQgetvalue(row, 0, 1), strlen(PQgetvalue(row, 0, 1)), PG_UTF8);
	e->statement = pg_any_to_server(PQgetvalue(row, 0, 2), strlen(PQgetvalue(row, 0, 2)), PG_UTF8);
	lr->entries = lappend(lr->entries, e);
	MemoryContextSwitchTo(old);
}

/* the log's rename entries of the target's server, over libpq (sd_util_try) */
static void
log_read_remote(void *arg)
{
	LogRead    *lr = (LogRead *) arg;
	SdRemote   *r = sd_remote_connect(lr->server);
	char	   *schema;
	char	   *can_read;

	schema = sd_remote_value(r, SD_REMOTE_FIND_SCHEMADRIFT_SQL, true, "reading the audit log");
	if (schema != NULL)
	{
		can_read = sd_remote_value(r, psprintf("SELECT pg_catalog.has_table_privilege(%s, 'SELECT')",
											   quote_literal_cstr(psprintf("%s.schemadrift_ddl_log", schema))),
								   false, "reading the audit log");
		if (can_read != NULL && strcmp(can_read, "t") == 0)
			sd_remote_rows(r, LOG_QUERY(schema), 0, NULL, log_row, lr,
						   "reading the audit log");
	}
	sd_remote_close(r);
}

/*
 * parse_facts
 *		The renames of a log entry's statement (each statement of it, by
 *		PostgreSQL's parser), into the entry's facts.
 */
static void
parse_facts(void *arg)
{
	LogEntry   *le = (LogEntry *) arg;
	List	   *stmts = raw_parser(le->statement, RAW_PARSE_DEFAULT);
	ListCell   *lc;

	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst(lc);
		RenameStmt *rs;
		const char *old = NULL;
		RenameFact *f;

		if (!IsA(raw->stmt, RenameStmt))
			continue;
		rs = (RenameStmt *) raw->stmt;
		if (rs->newname == NULL)
			continue;
		switch (rs->renameType)
		{
			case OBJECT_TABLE:
			case OBJECT_VIEW:
			case OBJECT_MATVIEW:
			case OBJECT_SEQUENCE:
			case OBJECT_INDEX:
			case OBJECT_FOREIGN_TABLE:
				if (rs->relation != NULL)
					old = rs->relation->relname;
				break;
			case OBJECT_COLUMN:
			case OBJECT_TABCONSTRAINT:
			case OBJECT_TRIGGER:
			case OBJECT_POLICY:
			case OBJECT_SCHEMA:
				old = rs->subname;
				break;
			case OBJECT_FUNCTION:
			case OBJECT_PROCEDURE:
			case OBJECT_AGGREGATE:
			case OBJECT_ROUTINE:
				if (rs->object != NULL && IsA(rs->object, ObjectWithArgs))
					old = strVal(llast(((ObjectWithArgs *) rs->object)->objname));
				break;
			case OBJECT_TYPE:
			case OBJECT_DOMAIN:
				if (rs->object != NULL && IsA(rs->object, List))
					old = strVal(llast((List *) rs->object));
				break;
			default:
				break;
		}
		if (old == NULL)
			continue;
		f = palloc(sizeof(RenameFact));
		f->type = rs->renameType;
		f->from = pstrdup(old);
		f->to = pstrdup(rs->newname);
		le->facts = lappend(le->facts, f);
	}
}

/* the entry's facts, parsed on first use; none where it does not parse */
static List *
entry_facts(LogEntry *le, MemoryContext cxt)
{
	if (!le->parsed)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		char	   *error;

		le->parsed = true;
		/* a statement the parser cannot read (another major's) is none */
		if (!sd_util_try(parse_facts, le, &error))
			le->facts = NIL;
		MemoryContextSwitchTo(old);
	}
	return le->facts;
}

/* a name the object had, and the entry that renamed it away from it */
typedef struct Former
{
	char	   *name;
	int64		id;
} Former;

/* the object's history, as the log tells it */
typedef struct History
{
	List	   *formers;		/* Former, newest first */
} History;

/*
 * history
 *		The names obj (the target's) had before, following the log's renames
 *		of its kind in its place backwards from its current name: an entry
 *		renaming x to the followed name makes x the name before it; an entry
 *		renaming the followed name away to y means another object had it
 *		then, and obj took the name after that entry: the chain ends.
 */
static History
history(List *entries, const SdObject *obj, MemoryContext cxt)
{
	const RenameKind *rk = rename_kind(obj);
	History		h = {NIL};
	char	   *check = identity_named(obj, own_name(obj));
	const char *cur = own_name(obj);
	ListCell   *lc;

	/* an identity not spelt as expected: the log cannot be matched */
	if (check == NULL || strcmp(check, obj->identity) != 0)
		return h;
	foreach(lc, entries)
	{
		LogEntry   *le = lfirst(lc);
		ListCell   *fc;
		int			k;

		foreach(fc, entry_facts(le, cxt))
		{
			RenameFact *f = lfirst(fc);
			char	   *after;

			for (k = 0; k < rk->nstmts; k++)
				if (rk->stmts[k] == f->type)
					break;
			if (k == rk->nstmts)
				continue;
			/* the entry is about an object of obj's kind in obj's place */
			after = identity_named(obj, f->to);
			if (after == NULL || strcmp(after, le->identity) != 0)
				continue;
			if (strcmp(f->to, cur) == 0)
			{
				Former	   *fo = palloc(sizeof(Former));

				fo->name = f->from;
				fo->id = le->id;
				h.formers = lappend(h.formers, fo);
				cur = f->from;
				break;
			}
			/* another object had the name until then */
			if (strcmp(f->from, cur) == 0)
				return h;
		}
	}
	return h;
}

/*
 * evidence
 *		If h (extra object e's history) leads back to m's name, the notes'
 *		citation of the entries that renamed it from there, else NULL.
 */
static char *
evidence(const History *h, const SdObject *m, const SdObject *e)
{
	StringInfoData ids;
	StringInfoData names;
	int			n;

	for (n = 1; n <= list_length(h->formers); n++)
		if (strcmp(((Former *) list_nth(h->formers, n - 1))->name, own_name(m)) == 0)
			break;
	if (n > list_length(h->formers))
		return NULL;
	if (n == 1)
		return psprintf("schemadrift_ddl_log entry %lld on the target records the rename",
						(long long) ((Former *) linitial(h->formers))->id);
	/* oldest first */
	initStringInfo(&ids);
	initStringInfo(&names);
	for (; n > 0; n--)
	{
		Former	   *fo = list_nth(h->formers, n - 1);

		appendStringInfo(&ids, "%s%lld", ids.len > 0 ? ", " : "", (long long) fo->id);
		appendStringInfo(&names, "%s to ", quote_identifier(fo->name));
	}
	appendStringInfoString(&names, quote_identifier(own_name(e)));
	return psprintf("schemadrift_ddl_log entries %s on the target record the renames %s",
					ids.data, names.data);
}

/* why h (extra object e's history, which has formers) rules out m */
static char *
contradiction(const History *h, const SdObject *m, const SdObject *e)
{
	Former	   *fo = llast(h->formers);

	return psprintf("the target's audit log records %s as renamed from %s (schemadrift_ddl_log entry %lld), not from %s: not taken for a rename",
					e->identity, identity_named(e, fo->name), (long long) fo->id,
					m->identity);
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
 *		attributes, and for a relation identical children too.  (A schema's
 *		objects are compared by schema_children().)
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

/* ---- a renamed schema's objects ------------------------------------------ */

/*
 * in_schema
 *		Whether obj's key starts with schema: it is an object in it (the
 *		schema itself aside).
 */
static bool
in_schema(const SdObject *obj, const char *schema)
{
	return obj->nkey > 1 && obj->schema != NULL && strcmp(obj->schema, schema) == 0 &&
		strcmp(obj->key[0], schema) == 0;
}

/*
 * mapped_mkey
 *		The match key obj (in schema from) would have in schema to: its
 *		key's schema, and for a routine the schemas of its argument types
 *		that are from.
 */
static char *
mapped_mkey(const SdObject *obj, const char *from, const char *to)
{
	char	  **key = palloc(sizeof(char *) * obj->nkey);
	const RenameKind *rk = rename_kind(obj);
	bool		routine = rk != NULL && rk->shape == SHAPE_ROUTINE;
	int			i;

	for (i = 0; i < obj->nkey; i++)
		key[i] = (i == 0 || (routine && i % 2 == 0)) && strcmp(obj->key[i], from) == 0 ?
			(char *) to : obj->key[i];
	return sd_objects_encode_key(obj->kind, obj->nkey, key);
}

/*
 * mapped_attrs
 *		obj's attributes text with every name qualified by schema from
 *		("from." as quote_identifier spells it, not preceded by a part of an
 *		identifier or a dot) qualified by to instead: what its attributes
 *		print once the schema is renamed.
 */
static char *
mapped_attrs(SdObject *obj, const char *from, const char *to)
{
	const char *text = sd_object_attrs_text(obj);
	char	   *needle = sd_util_json_inner(psprintf("%s.", quote_identifier(from)));
	char	   *repl = sd_util_json_inner(psprintf("%s.", quote_identifier(to)));
	size_t		nlen = strlen(needle);
	StringInfoData buf;
	const char *p;

	if (text == NULL)
		return NULL;
	initStringInfo(&buf);
	for (p = text; *p;)
	{
		unsigned char prev = p > text ? (unsigned char) p[-1] : ' ';

		if (strncmp(p, needle, nlen) == 0 &&
			!(sd_util_name_char((char) prev) || prev == '.'))
		{
			appendStringInfoString(&buf, repl);
			p += nlen;
		}
		else
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

typedef struct Keyed
{
	char	   *mkey;
	SdObject   *obj;
	bool		paired;
} Keyed;

static int
cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const Keyed *) a)->mkey, ((const Keyed *) b)->mkey);
}

/* a child that differs or is on one side only: its relation differs (by name) */
static void
taint(List **tainted, const SdObject *obj)
{
	if (obj->nparent == 2)
		*tainted = lappend(*tainted, obj->parent[1]);
}

/* whether obj is a relation with such a child */
static bool
tainted_relation(List *tainted, const SdObject *obj)
{
	ListCell   *lc;

	if (obj->kindinfo == NULL || !obj->kindinfo->relation || obj->nkey != 2)
		return false;
	foreach(lc, tainted)
		if (strcmp(lfirst(lc), obj->key[1]) == 0)
			return true;
	return false;
}

/* record obj's state in a renamed schema, and its counterpart */
static void
in_schema_set(HTAB *h, const SdObject *obj, InSchema state, const SdObject *other,
			  SdRename *rn)
{
	bool		found;
	InSchemaEntry *ent = hash_search(h, &obj, HASH_ENTER, &found);

	ent->state = state;
	ent->other = other;
	ent->rn = rn;
}

/*
 * schema_children
 *		Pair the objects of a renamed schema (rn: the source's s, the
 *		target's r), each under r with the one under s of its key mapped,
 *		and record in ctx's in_schema table which are identical but for the
 *		schema's name (their rows are covered by the rename) and which
 *		differ (a relation also when one of its children differs or is on
 *		one side only).  Returns whether every object pairs and is
 *		identical.
 */
static bool
schema_children(SdFixContext *ctx, HTAB *h, SdRename *rn)
{
	const char *s = rn->missing->key[0];
	const char *r = rn->extra->key[0];
	Keyed	   *src = palloc(sizeof(Keyed) * Max(ctx->source->nobjects, 1));
	Keyed	   *tgt = palloc(sizeof(Keyed) * Max(ctx->target->nobjects, 1));
	int			nsrc = 0,
				ntgt = 0,
				i;
	List	   *tainted = NIL;
	bool		all = true;

	for (i = 0; i < ctx->source->nobjects; i++)
		if (in_schema(&ctx->source->objects[i], s))
		{
			src[nsrc].obj = &ctx->source->objects[i];
			src[nsrc].mkey = src[nsrc].obj->mkey;
			src[nsrc++].paired = false;
		}
	for (i = 0; i < ctx->target->nobjects; i++)
		if (in_schema(&ctx->target->objects[i], r))
		{
			tgt[ntgt].obj = &ctx->target->objects[i];
			tgt[ntgt].mkey = mapped_mkey(tgt[ntgt].obj, r, s);
			tgt[ntgt++].paired = false;
		}
	qsort(src, nsrc, sizeof(Keyed), cmp_keyed);

	/* pairs: identical ones, differing ones (and their relations) */
	for (i = 0; i < ntgt; i++)
	{
		Keyed	   *k = bsearch(&tgt[i], src, nsrc, sizeof(Keyed), cmp_keyed);
		char	   *mapped;

		if (k == NULL)
		{
			taint(&tainted, tgt[i].obj);
			all = false;
			continue;
		}
		k->paired = tgt[i].paired = true;
		/* identical, or identical once the schema's name is mapped */
		if (strcmp(tgt[i].obj->hash, k->obj->hash) == 0)
			continue;
		mapped = mapped_attrs(tgt[i].obj, r, s);
		if (mapped != NULL && sd_object_attrs_text(k->obj) != NULL &&
			strcmp(mapped, sd_object_attrs_text(k->obj)) == 0)
			continue;
		taint(&tainted, tgt[i].obj);
		all = false;
		in_schema_set(h, tgt[i].obj, IN_SCHEMA_DIFFERS, k->obj, rn);
		in_schema_set(h, k->obj, IN_SCHEMA_DIFFERS, tgt[i].obj, rn);
	}
	for (i = 0; i < nsrc; i++)
		if (!src[i].paired)
		{
			taint(&tainted, src[i].obj);
			all = false;
		}

	/* the identical ones; a relation with a differing child differs */
	for (i = 0; i < ntgt; i++)
	{
		Keyed	   *k;
		InSchema	state;
		bool		found;

		if (!tgt[i].paired)
			continue;
		k = bsearch(&tgt[i], src, nsrc, sizeof(Keyed), cmp_keyed);
		hash_search(h, &tgt[i].obj, HASH_FIND, &found);
		if (found)
			continue;
		state = tainted_relation(tainted, tgt[i].obj) ? IN_SCHEMA_DIFFERS : IN_SCHEMA_COVERED;
		in_schema_set(h, tgt[i].obj, state, k->obj, rn);
		in_schema_set(h, k->obj, state, tgt[i].obj, rn);
	}
	return all;
}

/* ---- pairing ---------------------------------------------------------------- */

/* a pair found, kept in ctx (see SdRename) */
static SdRename *
add_rename(SdFixContext *ctx, SdObject *m, SdObject *e, char *why, bool evidence,
		   bool apply, bool refused)
{
	SdRename   *rn = palloc0(sizeof(SdRename));

	rn->missing = m;
	rn->extra = e;
	rn->rk = rename_kind(e);
	rn->why = why;
	rn->evidence = evidence;
	rn->apply = apply;
	rn->refused = refused;
	ctx->renames = lappend(ctx->renames, rn);
	return rn;
}

/* an empty table of objects in renamed schemas (InSchemaEntry by pointer) */
static HTAB *
in_schema_table(const char *name)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(SdObject *);
	ctl.entrysize = sizeof(InSchemaEntry);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/*
 * check_schemas
 *		For each schema rename found, pair the objects in it (the rename's
 *		rows then cover theirs, schema_children()); a guessed one is kept
 *		only where every object pairs and is identical.
 */
static void
check_schemas(SdFixContext *ctx)
{
	ListCell   *lc;

	foreach(lc, ctx->renames)
	{
		SdRename   *rn = lfirst(lc);
		HTAB	   *probe;

		if (rn->rk->shape != SHAPE_SCHEMA || rn->refused)
			continue;
		if (!rn->evidence)
		{
			probe = in_schema_table("schemadrift renamed schema probe");
			if (!schema_children(ctx, probe, rn))
			{
				ctx->renames = foreach_delete_current(ctx->renames, lc);
				continue;
			}
		}
		if (!rn->apply)
			continue;
		if (ctx->rename_in_schema == NULL)
			ctx->rename_in_schema = in_schema_table("schemadrift renamed schema objects");
		(void) schema_children(ctx, ctx->rename_in_schema, rn);
	}
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
	bool		candidates = false;
	LogRead		lr;
	History    *hist;
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
	hist = palloc0(sizeof(History) * nextra);

	/* whether any extra object could be a renamed one */
	for (j = 0; j < nextra && !candidates; j++)
		for (i = 0; i < nmissing && !candidates; i++)
			candidates = rename_kind(extra[j]) != NULL && same_place(missing[i], extra[j]);
	if (!candidates)
	{
		MemoryContextSwitchTo(old);
		return;
	}

	/* evidence, where the target keeps a log the caller may read */
	memset(&lr, 0, sizeof(lr));
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
	{
		if (rename_kind(extra[j]) == NULL)
			continue;
		/* the history of an extra object that may pair with a missing one */
		for (i = 0; i < nmissing; i++)
			if (same_place(missing[i], extra[j]))
				break;
		if (i == nmissing)
			continue;
		hist[j] = history(lr.entries, extra[j], ctx->cxt);
		for (i = 0; i < nmissing && hist[j].formers != NIL; i++)
		{
			char	   *why;

			if (m_used[i] || e_used[j] || !same_place(missing[i], extra[j]))
				continue;
			why = evidence(&hist[j], missing[i], extra[j]);
			if (why != NULL)
			{
				add_rename(ctx, missing[i], extra[j], why, true, true, false);
				m_used[i] = e_used[j] = true;
			}
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
		/* the log knows where the extra one comes from: not from there */
		if (hist[j].formers != NIL)
			add_rename(ctx, missing[found], extra[j],
					   contradiction(&hist[j], missing[found], extra[j]), false, false, true);
		else
			add_rename(ctx, missing[found], extra[j],
					   pstrdup("same attributes, no audit log evidence"), false,
					   ctx->options.renames == SD_RENAMES_GUESS, false);
		m_used[found] = e_used[j] = true;
	}
	check_schemas(ctx);
	MemoryContextSwitchTo(old);
}

/* the rename's statement: the extra object takes the missing one's name */
static char *
rename_sql(const SdRename *rn)
{
	const RenameKind *rk = rn->rk;
	const SdObject *e = rn->extra;
	const char *to = quote_identifier(own_name(rn->missing));

	switch (rk->shape)
	{
		case SHAPE_SCHEMA:
			return psprintf("ALTER SCHEMA %s RENAME TO %s", quote_identifier(own_name(e)), to);
		case SHAPE_QUALIFIED:
			return psprintf("ALTER %s %s RENAME TO %s", rk->alter,
							quote_qualified_identifier(e->key[0], e->key[1]), to);
		case SHAPE_ROUTINE:
			return psprintf("ALTER %s %s RENAME TO %s", rk->alter,
							sd_fix_routine_signature((SdObject *) e), to);
		case SHAPE_COLUMN:
		case SHAPE_ON:
			if (rk->child_word != NULL)
				return psprintf("ALTER %s %s RENAME %s %s TO %s", rk->alter,
								quote_qualified_identifier(e->parent[0], e->parent[1]),
								rk->child_word, quote_identifier(own_name(e)), to);
			return psprintf("ALTER %s %s ON %s RENAME TO %s", rk->alter,
							quote_identifier(own_name(e)),
							quote_qualified_identifier(e->parent[0], e->parent[1]), to);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * schema_note
 *		If obj (missing: the source's; else the target's) is an object in a
 *		schema renamed by a fix: a row covered by the rename fills fix (no
 *		statement: covered) and returns true; a row that differs beyond the
 *		schema's name gets no statement and a note, and returns true; one on
 *		its side only sets *suggestion to a note on the order and returns
 *		false (its own fix runs around the rename).
 */
static bool
schema_note(SdFixContext *ctx, SdObject *obj, bool missing, SdFix *fix,
			const char **suggestion)
{
	InSchemaEntry *ent = NULL;
	ListCell   *lc;
	SdRename   *rn;
	char	   *rename;

	if (ctx->rename_in_schema != NULL)
		ent = hash_search(ctx->rename_in_schema, &obj, HASH_FIND, NULL);
	if (ent != NULL)
	{
		rn = ent->rn;
		rename = psprintf("the rename of schema %s to %s (%s)",
						  rn->extra->identity, rn->missing->identity, rn->why);
		if (ent->state == IN_SCHEMA_COVERED)
		{
			fix->covered = true;
			fix->note = missing ?
				psprintf("a rename of %s, by %s", ent->other->identity, rename) :
				psprintf("renamed to %s by %s", ent->other->identity, rename);
		}
		else
			fix->note = psprintf("differs from %s beyond the schema's name: no statement (a drop and a create would lose its data); diff again after %s",
								 ent->other->identity, rename);
		return true;
	}
	foreach(lc, ctx->renames)
	{
		rn = lfirst(lc);
		if (rn->rk->shape != SHAPE_SCHEMA || !rn->apply ||
			!in_schema(obj, own_name(missing ? rn->missing : rn->extra)))
			continue;
		*suggestion = missing ?
			psprintf("only in schema %s: created after the rename of schema %s to %s",
					 rn->missing->identity, rn->extra->identity, rn->missing->identity) :
			psprintf("only in schema %s: dropped before the rename of schema %s to %s",
					 rn->extra->identity, rn->extra->identity, rn->missing->identity);
		return false;
	}
	return false;
}

/*
 * sd_fix_rename
 *		If obj (missing: the source's; else the target's) is half of a
 *		rename found by sd_fix_find_renames(), or an object in a renamed
 *		schema: a rename made fills fix (the statement on the missing row,
 *		none on the extra one, nor on the rows it covers) and returns true;
 *		a rename only suggested or refused sets *suggestion to the note and
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
		SdFixStep  *step;

		if ((missing ? rn->missing : rn->extra) != obj)
			continue;
		if (rn->refused)
		{
			*suggestion = rn->why;
			return false;
		}
		if (!rn->apply)
		{
			*suggestion = missing ?
				psprintf("may be %s renamed on the target (%s): pass \"renames\": \"guess\" to rename it rather than create it",
						 rn->extra->identity, rn->why) :
				psprintf("may be %s renamed (%s): pass \"renames\": \"guess\" to rename it rather than drop it",
						 rn->missing->identity, rn->why);
			return false;
		}
		if (!missing)
		{
			fix->covered = true;
			fix->note = psprintf("renamed to %s by the fix of that row (%s)",
								 rn->missing->identity, rn->why);
			return true;
		}
		step = palloc0(sizeof(SdFixStep));
		step->phase = rn->rk->phase;
		step->part = FIX_PART_MAIN;
		step->sql = rename_sql(rn);
		fix->steps = list_make1(step);
		fix->note = psprintf("a rename of %s (%s)", rn->extra->identity, rn->why);
		if (strcmp(rn->missing->hash, rn->extra->hash) != 0 && rn->rk->shape == SHAPE_SCHEMA)
			fix->note = psprintf("%s; its own attributes differ: diff again after the rename",
								 fix->note);
		return true;
	}
	return schema_note(ctx, obj, missing, fix, suggestion);
}
