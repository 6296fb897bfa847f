/*-------------------------------------------------------------------------
 *
 * fix.c
 *	  Fix SQL: the statements that remove one difference of a diff.
 *
 * A row of a diff is an object missing from the target (created here from
 * the source's attributes, with every child folded into it), an extra one
 * (dropped), or one attribute that differs (altered in place where
 * PostgreSQL can, dropped and created again where it cannot).  A fix is a
 * list of steps, each one statement with the phase of a script it belongs
 * to (fix.h) and what its text reads and calls (fix_deps.c):
 * schemadrift_sync_sql() orders the steps of many rows by phase and by
 * those edges, drops in reverse.
 *
 * Names are quoted here, from the raw name parts of an object's key, never
 * taken from its identity text; labels, comments and options go through
 * quote_literal.  Text that is SQL by nature (a type, a default, a
 * constraint or view definition, a function body) is copied from the
 * source's attributes; every statement built with such text must parse as
 * exactly the statement intended, with the number of elements intended (one
 * column, one constraint), or the row gets no fix and says why: a crafted
 * snapshot can make its own object what it likes, but cannot smuggle a
 * second statement or a second ALTER TABLE action into a script.
 *
 * Destructive steps (any drop, a type change, SET NOT NULL, a label that
 * goes) are written as comments marked "-- DESTRUCTIVE:" with the reason,
 * unless the fix options allow them.
 *
 * IDENTIFICATION
 *	  src/fix.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "compat.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "utils/formatting.h"
#include "apply.h"
#include "fix.h"
#include "objects.h"
#include "options.h"
#include "util.h"

/* the options of a diff that shape its fixes, not what it reads */
const char *const sd_fix_option_names[] = {
	"allow_destructive", "concurrently", "not_valid", "count_rows",
	"lock_timeout", "statement_timeout", "renames", NULL
};

/* the children of each relation of a set, by encoded parent key */
typedef struct ChildEntry
{
	char	   *pkey;
	SdObject   *obj;
} ChildEntry;

typedef struct SdFixChildren
{
	ChildEntry *entries;
	int			n;
} SdFixChildren;

static void create_user_mapping(SdFix *fix, SdObject *um);
static char *function_name_only(SdFix *fix, const char *regprocedure);
static void grant_diff(SdFix *fix, const char *head, const char *target, const char *column,
					   List *want, List *have, const char *owner, SdFixPhase phase, NodeTag tag);
static void create_sequence(SdFix *fix, SdObject *seq);
static void create_rule(SdFix *fix, SdObject *rule, bool replace);
static void add_fdw_options(StringInfo buf, List *options);
static void alter_fdw_options(SdFix *fix, SdFixPhase phase, const char *head,
							  List *want, List *have, NodeTag tag);
static bool support_words(SdObject *obj, const char **words, char **name);
static void create_base_type(SdFix *fix, SdObject *typ);
static void replace_object(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt,
						   const char *why);
static bool is_base_type(SdObject *obj);

/* ---- options ------------------------------------------------------------- */

/* a timeout: a string PostgreSQL reads as one, like '5s' or '0' */
static char *
option_timeout(JsonbContainer *c, const char *key, const char *dflt)
{
	JsonbValue *v = sd_jsonb_get(c, key);
	char	   *s;
	const char *p;

	if (v == NULL)
		return pstrdup(dflt);
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a string, not %s", key, sd_jsonb_type_name(v)),
				 errhint("Pass a duration such as \"5s\", \"500ms\" or \"0\" (no limit).")));
	s = pnstrdup(v->val.string.val, v->val.string.len);
	/* digits, then an optional unit of letters: nothing to quote or escape */
	for (p = s; *p >= '0' && *p <= '9'; p++)
		;
	if (p == s)
		p = "x";
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for option \"%s\": \"%s\"", key, s),
					 errhint("Pass a duration such as \"5s\", \"500ms\" or \"0\" (no limit).")));
	return s;
}

/* option renames: "evidence" (the default), "guess" or "off" */
static SdRenames
option_renames(JsonbContainer *c)
{
	JsonbValue *v = sd_jsonb_get(c, "renames");
	char	   *s;

	if (v == NULL)
		return SD_RENAMES_EVIDENCE;
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"renames\" must be a string, not %s", sd_jsonb_type_name(v)),
				 errhint("Pass \"evidence\", \"guess\" or \"off\".")));
	s = pnstrdup(v->val.string.val, v->val.string.len);
	if (strcmp(s, "evidence") == 0)
		return SD_RENAMES_EVIDENCE;
	if (strcmp(s, "guess") == 0)
		return SD_RENAMES_GUESS;
	if (strcmp(s, "off") == 0)
		return SD_RENAMES_OFF;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for option \"renames\": \"%s\"", s),
			 errhint("Pass \"evidence\" (rename where the target's audit log records it), \"guess\" (also where only the attributes match) or \"off\".")));
	return SD_RENAMES_OFF;		/* keep compiler quiet */
}

/*
 * sd_fix_options_parse
 *		The fix options of a diff (script false) or a script (fix: an
 *		object holding only keys of sd_fix_option_names, or NULL for none).
 */
void
sd_fix_options_parse(Jsonb *fix, bool script, SdFixOptions *out)
{
	JsonbContainer *c = fix ? &fix->root : NULL;

	/*
	 * Counting reads whole tables: a script counts by default, a diff's rows
	 * only when asked (a plain diff must not scan the tables it compares).
	 */
	out->count_rows = c ? sd_options_bool(c, "count_rows", script) : script;

	out->allow_destructive = c ? sd_options_bool(c, "allow_destructive", false) : false;
	out->concurrently = c ? sd_options_bool(c, "concurrently", false) : false;
	out->not_valid = c ? sd_options_bool(c, "not_valid", false) : false;
	out->lock_timeout = c ? option_timeout(c, "lock_timeout", "5s") : pstrdup("5s");
	out->statement_timeout = c ? option_timeout(c, "statement_timeout", "0") : pstrdup("0");
	out->renames = c ? option_renames(c) : SD_RENAMES_EVIDENCE;
}

/* ---- attributes ---------------------------------------------------------- */

/*
 * The context of the fix being made.  A fix reads the attributes of objects
 * other than the row's own (the columns of a table it creates); those are
 * parsed in the row's memory, and forgotten again by sd_fix_release() before
 * that memory goes.
 */
static SdFixContext *fix_ctx;

static JsonbContainer *
obj_attrs(SdObject *obj)
{
	if (obj->attrs == NULL && obj->attrs_text != NULL)
	{
		(void) sd_object_attrs(obj);
		fix_ctx->parsed = lappend(fix_ctx->parsed, obj);
	}
	return obj->attrs;
}

/*
 * sd_fix_release
 *		Forget the attributes the fixes of a row parsed: call before the
 *		memory the row was made in is reset.
 */
void
sd_fix_release(SdFixContext *ctx)
{
	ListCell   *lc;

	foreach(lc, ctx->parsed)
		((SdObject *) lfirst(lc))->attrs = NULL;
	ctx->parsed = NIL;
}

/* attribute key of obj as text (JSON text for arrays and objects), or NULL */
static char *
attr(SdObject *obj, const char *key)
{
	JsonbContainer *attrs = obj_attrs(obj);
	JsonbValue *v = attrs ? sd_jsonb_get(attrs, key) : NULL;

	if (v == NULL || v->type == jbvNull)
		return NULL;
	return sd_jsonb_value_text(v, false);
}

static bool
attr_bool(SdObject *obj, const char *key)
{
	JsonbContainer *attrs = obj_attrs(obj);
	JsonbValue *v = attrs ? sd_jsonb_get(attrs, key) : NULL;

	return v != NULL && v->type == jbvBool && v->val.boolean;
}

static bool
attr_present(SdObject *obj, const char *key)
{
	JsonbContainer *attrs = obj_attrs(obj);
	JsonbValue *v = attrs ? sd_jsonb_get(attrs, key) : NULL;

	return v != NULL && v->type != jbvNull;
}

/* the strings of an array attribute (none if absent) */
static List *
attr_strings(SdObject *obj, const char *key)
{
	JsonbContainer *attrs = obj_attrs(obj);
	JsonbValue *v = attrs ? sd_jsonb_get(attrs, key) : NULL;
	List	   *l = NIL;

	if (v != NULL && v->type != jbvNull && sd_jsonb_strings(v, &l, NULL) != 0)
		return NIL;
	return l;
}

/* ---- names --------------------------------------------------------------- */

static char *
qualified(const char *schema, const char *name)
{
	return psprintf("%s.%s", quote_identifier(schema), quote_identifier(name));
}

/* the name of an object keyed (schema, name) */
static char *
obj_name(SdObject *obj)
{
	if (obj->nkey == 1)
		return pstrdup(quote_identifier(obj->key[0]));
	return qualified(obj->key[0], obj->key[1]);
}

/* the relation a child belongs to */
static char *
parent_name(SdObject *obj)
{
	return qualified(obj->parent[0], obj->parent[1]);
}

/*
 * routine_signature
 *		schema.name(argtype, ...) of a function, procedure or aggregate from
 *		its key: schema, name, then the schema and name of every argument
 *		type.
 */
static char *
routine_signature(SdObject *obj)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s(", qualified(obj->key[0], obj->key[1]));
	for (i = 2; i + 1 < obj->nkey; i += 2)
		appendStringInfo(&buf, "%s%s", i > 2 ? ", " : "",
						 qualified(obj->key[i], obj->key[i + 1]));
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * sd_fix_routine_signature
 *		routine_signature() for the renames (fix_rename.c): palloc'd.
 */
char *
sd_fix_routine_signature(SdObject *obj)
{
	return routine_signature(obj);
}

static bool
kind_is(SdObject *obj, const char *kind)
{
	return strcmp(obj->kind, kind) == 0;
}

static bool
is_routine(SdObject *obj)
{
	return kind_is(obj, "function") || kind_is(obj, "procedure") ||
		kind_is(obj, "aggregate");
}

static bool
is_domain(SdObject *obj)
{
	char	   *t = kind_is(obj, "type") ? attr(obj, "type") : NULL;

	return t != NULL && strcmp(t, "domain") == 0;
}

/*
 * parse_name
 *		Read the name at p, spelled as quote_ident() spells names (in double
 *		quotes, with doubled quotes inside, or plain lower case letters,
 *		digits, _ and $): the raw name into *name, and return where the text
 *		goes on, or NULL if no name starts at p.
 */
static const char *
parse_name(const char *p, char **name)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (*p == '"')
	{
		for (p++; *p; p++)
		{
			if (*p == '"')
			{
				if (p[1] != '"')
					break;
				p++;
			}
			appendStringInfoChar(&buf, *p);
		}
		if (*p != '"')
			return NULL;
		p++;
	}
	else
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$' ||
			   (unsigned char) *p >= 0x80)
			appendStringInfoChar(&buf, *p++);
	if (buf.len == 0)
		return NULL;
	*name = buf.data;
	return p;
}

/*
 * constraint_name
 *		The raw name of a table constraint: the last part of its key, or,
 *		when constraints are matched by definition (ignore constraint_names:
 *		the key holds no name), the name its identity starts with ("name on
 *		schema.table", the name as quote_ident() spells it).  NULL if the
 *		identity does not start with one.
 */
static char *
constraint_name(SdObject *con)
{
	char	   *name;
	const char *rest;

	if (con->nkey == 3)
		return con->key[2];
	rest = parse_name(con->identity, &name);
	if (rest == NULL || strncmp(rest, " on ", 4) != 0)
		return NULL;
	return name;
}
/*
 * object_words
 *		How COMMENT ON, ALTER ... OWNER TO and DROP name obj: the keywords and
 *		the name ("TABLE", "s.t"; "COLUMN", "s.t.c"; "TRIGGER", "tg ON s.t").
 *		Returns false for a kind with no such spelling.
 */
static bool
object_words(SdObject *obj, const char **words, char **name)
{
	const char *k = obj->kind;

	*name = NULL;
	if (strcmp(k, "schema") == 0)
		*words = "SCHEMA";
	else if (strcmp(k, "extension") == 0)
		*words = "EXTENSION";
	else if (strcmp(k, "table") == 0)
		*words = "TABLE";
	else if (strcmp(k, "foreign table") == 0)
		*words = "FOREIGN TABLE";
	else if (strcmp(k, "sequence") == 0)
		*words = "SEQUENCE";
	else if (strcmp(k, "view") == 0)
		*words = "VIEW";
	else if (strcmp(k, "materialized view") == 0)
		*words = "MATERIALIZED VIEW";
	else if (strcmp(k, "index") == 0)
		*words = "INDEX";
	else if (strcmp(k, "collation") == 0)
		*words = "COLLATION";
	else if (strcmp(k, "statistics object") == 0)
		*words = "STATISTICS";
	else if (strcmp(k, "publication") == 0)
		*words = "PUBLICATION";
	else if (strcmp(k, "server") == 0)
		*words = "SERVER";
	else if (strcmp(k, "foreign-data wrapper") == 0)
		*words = "FOREIGN DATA WRAPPER";
	else if (strcmp(k, "event trigger") == 0)
		*words = "EVENT TRIGGER";
	else if (strcmp(k, "type") == 0)
		*words = is_domain(obj) ? "DOMAIN" : "TYPE";
	else if (strcmp(k, "function") == 0)
	{
		*words = "FUNCTION";
		*name = routine_signature(obj);
	}
	else if (strcmp(k, "procedure") == 0)
	{
		*words = "PROCEDURE";
		*name = routine_signature(obj);
	}
	else if (strcmp(k, "aggregate") == 0)
	{
		*words = "AGGREGATE";
		*name = routine_signature(obj);
	}
	else if (strcmp(k, "table column") == 0 || strcmp(k, "foreign table column") == 0)
	{
		*words = "COLUMN";
		*name = psprintf("%s.%s", parent_name(obj), quote_identifier(obj->key[2]));
	}
	else if (strcmp(k, "table constraint") == 0 && constraint_name(obj) != NULL)
	{
		*words = "CONSTRAINT";
		*name = psprintf("%s ON %s", quote_identifier(constraint_name(obj)), parent_name(obj));
	}
	else if (strcmp(k, "trigger") == 0 || strcmp(k, "policy") == 0 || strcmp(k, "rule") == 0)
	{
		*words = strcmp(k, "trigger") == 0 ? "TRIGGER" : strcmp(k, "rule") == 0 ? "RULE" : "POLICY";
		*name = psprintf("%s ON %s", quote_identifier(obj->key[2]), parent_name(obj));
	}
	else
		return support_words(obj, words, name);
	if (*name == NULL)
		*name = obj_name(obj);
	return true;
}

/* ---- checking what was built ------------------------------------------- */

/*
 * parse_one
 *		Parse sql as a script of raw statements; the list, or NIL with
 *		*error set when it does not parse.  Only syntax errors are caught
 *		(the raw parser touches nothing but memory); anything else, such as
 *		a cancel, goes on up.
 */
static List *
parse_one(const char *sql, char **error)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *volatile result = NIL;

	*error = NULL;
	PG_TRY();
	{
		result = raw_parser(sql, RAW_PARSE_DEFAULT);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION)
			PG_RE_THROW();
		FlushErrorState();
		*error = edata->message;
		result = NIL;
	}
	PG_END_TRY();
	return result;
}

/*
 * sd_fix_parse
 *		parse_one for the other files of the fix (fix_deps.c).
 */
List *
sd_fix_parse(const char *sql, char **error)
{
	return parse_one(sql, error);
}

/* how many elements a statement holds, for those whose count is checked */
static int
statement_items(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
			return list_length(((AlterTableStmt *) stmt)->cmds);
		case T_CreateStmt:
			return list_length(((CreateStmt *) stmt)->tableElts);
		case T_CompositeTypeStmt:
			return list_length(((CompositeTypeStmt *) stmt)->coldeflist);
		case T_DefineStmt:
			return list_length(((DefineStmt *) stmt)->definition);
		case T_AlterOpFamilyStmt:
			return list_length(((AlterOpFamilyStmt *) stmt)->items);
		case T_CreateOpClassStmt:
			return list_length(((CreateOpClassStmt *) stmt)->items);
		case T_AlterTSConfigurationStmt:
			return list_length(((AlterTSConfigurationStmt *) stmt)->tokentype);
		case T_AlterTSDictionaryStmt:
			return list_length(((AlterTSDictionaryStmt *) stmt)->options);
		default:
			return -1;
	}
}

static void
fix_invalid(SdFix *fix, const char *why)
{
	if (!fix->invalid)
		fix->note = psprintf("no fix: the source's definition of this object does not make the statement it should (%s); check the source", why);
	fix->invalid = true;
}

/* whether stmt is ALTER TABLE ... ALTER COLUMN ... SET DEFAULT alone */
static bool
is_set_default(Node *stmt)
{
	AlterTableStmt *alter = (AlterTableStmt *) stmt;

	return IsA(stmt, AlterTableStmt) && list_length(alter->cmds) == 1 &&
		((AlterTableCmd *) linitial(alter->cmds))->subtype == AT_ColumnDefault &&
		((AlterTableCmd *) linitial(alter->cmds))->def != NULL;
}

/*
 * add_step
 *		Append the statement sql to fix, if it parses as one statement of
 *		type tag holding nitems elements (-1: any number).  destructive,
 *		if not NULL, says why the step can lose data or fail on rows.
 */
static void
add_step(SdFix *fix, SdFixPhase phase, bool drop, const char *sql,
		 NodeTag tag, int nitems, const char *destructive)
{
	char	   *error;
	List	   *stmts;
	SdFixStep  *step;

	if (fix->invalid)
		return;
	stmts = parse_one(sql, &error);
	if (error != NULL)
	{
		fix_invalid(fix, error);
		return;
	}
	if (list_length(stmts) != 1)
	{
		fix_invalid(fix, "more than one statement");
		return;
	}
	if (nodeTag(linitial_node(RawStmt, stmts)->stmt) != tag)
	{
		fix_invalid(fix, "another kind of statement");
		return;
	}
	if (nitems >= 0 && statement_items(linitial_node(RawStmt, stmts)->stmt) != nitems)
	{
		fix_invalid(fix, "another number of elements");
		return;
	}
	step = palloc0(sizeof(SdFixStep));
	step->part = FIX_PART_MAIN;
	step->phase = phase;
	step->drop = drop;
	step->sql = pstrdup(sql);
	step->destructive = destructive ? pstrdup(destructive) : NULL;
	/* what it reads and calls when it runs, to order it by (fix_deps.c) */
	step->needs = sd_fix_deps_statement(fix_ctx, linitial_node(RawStmt, stmts)->stmt, !drop);
	step->late_ok = is_set_default(linitial_node(RawStmt, stmts)->stmt);
	fix->steps = lappend(fix->steps, step);
}

/*
 * check_expression
 *		Whether text is one SQL expression and nothing else: "SELECT (text)"
 *		must be a plain SELECT of one target.
 */
static bool
check_expression(SdFix *fix, const char *text)
{
	char	   *error;
	List	   *stmts;
	SelectStmt *sel;

	if (fix->invalid)
		return false;
	stmts = parse_one(psprintf("SELECT (%s)", text), &error);
	if (error != NULL || list_length(stmts) != 1 ||
		!IsA(linitial_node(RawStmt, stmts)->stmt, SelectStmt))
	{
		fix_invalid(fix, error ? error : "an expression that is not one");
		return false;
	}
	sel = (SelectStmt *) linitial_node(RawStmt, stmts)->stmt;
	if (list_length(sel->targetList) != 1 || sel->fromClause != NIL ||
		sel->whereClause != NULL || sel->groupClause != NIL ||
		sel->havingClause != NULL || sel->windowClause != NIL ||
		sel->sortClause != NIL || sel->limitCount != NULL ||
		sel->limitOffset != NULL || sel->lockingClause != NIL ||
		sel->withClause != NULL || sel->distinctClause != NIL ||
		sel->intoClause != NULL || sel->valuesLists != NIL ||
		sel->op != SETOP_NONE)
	{
		fix_invalid(fix, "an expression that is not one");
		return false;
	}
	return true;
}

/*
 * type_name_error
 *		NULL if text is one type name, else why not.
 */
static char *
type_name_error(const char *text)
{
	char	   *error = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		(void) raw_parser(text, RAW_PARSE_TYPE_NAME);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION)
			PG_RE_THROW();
		FlushErrorState();
		error = edata->message;
	}
	PG_END_TRY();
	return error;
}

/*
 * check_type
 *		Whether text is one type name; if not, fix is invalid.
 */
static bool
check_type(SdFix *fix, const char *text)
{
	char	   *error;

	if (fix->invalid)
		return false;
	error = type_name_error(text);
	if (error != NULL)
	{
		fix_invalid(fix, error);
		return false;
	}
	return true;
}

/* ---- children ------------------------------------------------------------ */

static int
cmp_child(const void *a, const void *b)
{
	return strcmp(((const ChildEntry *) a)->pkey, ((const ChildEntry *) b)->pkey);
}

static SdFixChildren *
build_children(SdObjectSet *set)
{
	SdFixChildren *ch = palloc0(sizeof(SdFixChildren));
	int			i;

	ch->entries = palloc(sizeof(ChildEntry) * Max(set->nobjects, 1));
	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *o = &set->objects[i];

		if (o->nparent == 0 || o->kindinfo == NULL || o->kindinfo->family == NULL)
			continue;
		ch->entries[ch->n].pkey = sd_objects_encode_key(o->kindinfo->family,
														o->nparent, o->parent);
		ch->entries[ch->n].obj = o;
		ch->n++;
	}
	/* a stable order within one parent: the set's own */
	qsort(ch->entries, ch->n, sizeof(ChildEntry), cmp_child);
	return ch;
}

/* the children of relation rel in set (of the side ctx names), of kind */
static List *
children_of(SdFixContext *ctx, bool source, SdObject *rel, const char *kind)
{
	SdFixChildren **chp = source ? &ctx->source_children : &ctx->target_children;
	SdFixChildren *ch;
	char	   *pkey;
	ChildEntry	key;
	ChildEntry *hit;
	List	   *result = NIL;
	int			lo;

	if (*chp == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx->cxt);

		*chp = build_children(source ? ctx->source : ctx->target);
		MemoryContextSwitchTo(old);
	}
	ch = *chp;
	if (rel->kindinfo == NULL || rel->kindinfo->family == NULL || ch->n == 0)
		return NIL;
	pkey = sd_objects_encode_key(rel->kindinfo->family, rel->nkey, rel->key);
	key.pkey = pkey;
	hit = bsearch(&key, ch->entries, ch->n, sizeof(ChildEntry), cmp_child);
	if (hit == NULL)
		return NIL;
	lo = hit - ch->entries;
	while (lo > 0 && strcmp(ch->entries[lo - 1].pkey, pkey) == 0)
		lo--;
	for (; lo < ch->n && strcmp(ch->entries[lo].pkey, pkey) == 0; lo++)
		if (kind == NULL || strcmp(ch->entries[lo].obj->kind, kind) == 0)
			result = lappend(result, ch->entries[lo].obj);
	return result;
}

/* names (or, literal, values) of a list, quoted and separated by ", " */
static void
append_names(StringInfo buf, List *names, bool literal)
{
	ListCell   *lc;

	foreach(lc, names)
		appendStringInfo(buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 literal ? quote_literal_cstr(lfirst(lc)) : quote_identifier(lfirst(lc)));
}

/* roles of a list: PUBLIC as the keyword, the others quoted */
static void
append_roles(StringInfo buf, List *roles)
{
	ListCell   *lc;

	foreach(lc, roles)
		appendStringInfo(buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 strcmp(lfirst(lc), "PUBLIC") == 0 ? "PUBLIC" :
						 quote_identifier(lfirst(lc)));
}

/*
 * ordered_columns
 *		The columns of a relation in the order its column_order lists them
 *		(the source's order), those it does not list at the end.
 */
static List *
ordered_columns(List *columns, List *order)
{
	List	   *sorted = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, order)
		foreach(lc2, columns)
			if (strcmp(((SdObject *) lfirst(lc2))->key[2], lfirst(lc)) == 0)
				sorted = lappend(sorted, lfirst(lc2));
	foreach(lc, columns)
		if (!list_member_ptr(sorted, lfirst(lc)))
			sorted = lappend(sorted, lfirst(lc));
	return sorted;
}

/* how ALTER ... TRIGGER sets the state a trigger fires in (NULL: origin) */
static const char *
enable_words(const char *state)
{
	if (state == NULL || strcmp(state, "origin") == 0)
		return "ENABLE";
	if (strcmp(state, "disabled") == 0)
		return "DISABLE";
	return strcmp(state, "replica") == 0 ? "ENABLE REPLICA" : "ENABLE ALWAYS";
}

/* ---- pieces shared by many kinds ---------------------------------------- */

static void
add_comment(SdFix *fix, SdObject *obj, const char *comment, SdFixPhase phase)
{
	const char *words;
	char	   *name;

	if (!object_words(obj, &words, &name))
		return;
	add_step(fix, phase, false,
			 psprintf("COMMENT ON %s %s IS %s", words, name,
					  comment ? quote_literal_cstr(comment) : "NULL"),
			 T_CommentStmt, -1, NULL);
}

static void
add_owner(SdFix *fix, SdObject *obj, const char *owner, SdFixPhase phase)
{
	const char *words;
	char	   *name;

	if (owner == NULL || !object_words(obj, &words, &name))
		return;
	/* an index, a constraint, a column have no owner of their own */
	add_step(fix, phase, false,
			 psprintf("ALTER %s %s OWNER TO %s", words, name, quote_identifier(owner)),
			 strcmp(words, "TABLE") == 0 || strcmp(words, "VIEW") == 0 ||
			 strcmp(words, "SEQUENCE") == 0 || strcmp(words, "MATERIALIZED VIEW") == 0 ||
			 strcmp(words, "FOREIGN TABLE") == 0 ? T_AlterTableStmt : T_AlterOwnerStmt,
			 -1, NULL);
}

/* what GRANT and REVOKE call the object, or NULL */
static char *
grant_target(SdObject *obj)
{
	const char *k = obj->kind;

	if (strcmp(k, "table") == 0 || strcmp(k, "view") == 0 ||
		strcmp(k, "materialized view") == 0 || strcmp(k, "foreign table") == 0)
		return psprintf("TABLE %s", obj_name(obj));
	if (strcmp(k, "sequence") == 0)
		return psprintf("SEQUENCE %s", obj_name(obj));
	if (strcmp(k, "schema") == 0)
		return psprintf("SCHEMA %s", obj_name(obj));
	if (strcmp(k, "type") == 0)
		return psprintf("%s %s", is_domain(obj) ? "DOMAIN" : "TYPE", obj_name(obj));
	if (is_routine(obj))
		return psprintf("%s %s", kind_is(obj, "procedure") ? "PROCEDURE" : "FUNCTION",
						routine_signature(obj));
	if (strcmp(k, "server") == 0)
		return psprintf("FOREIGN SERVER %s", obj_name(obj));
	if (strcmp(k, "foreign-data wrapper") == 0)
		return psprintf("FOREIGN DATA WRAPPER %s", obj_name(obj));
	if (strcmp(k, "language") == 0 && obj->nkey == 1)
		return psprintf("LANGUAGE %s", obj_name(obj));
	return NULL;
}

/*
 * grant_steps
 *		REVOKE what the target grants and the source does not, then GRANT
 *		what the source grants and the target does not.  Entries are
 *		"grantee:PRIVILEGE", "*" added when grantable; "(owner)" is the
 *		object's owner, PUBLIC everyone.  column, if not NULL, is the quoted
 *		column the privileges are on.
 */
static void
grant_steps(SdFix *fix, SdObject *obj, const char *column, List *want,
			List *have, const char *owner, SdFixPhase phase)
{
	char	   *target = column ? psprintf("TABLE %s", parent_name(obj)) : grant_target(obj);

	if (target != NULL)
		grant_diff(fix, "", target, column, want, have, owner, phase, T_GrantStmt);
}

/*
 * grant_diff
 *		The REVOKEs and GRANTs of grant_steps(), each "head GRANT ... ON on
 *		TO ..." (head: "" or ALTER DEFAULT PRIVILEGES ...), parsed as tag.
 */
static void
grant_diff(SdFix *fix, const char *head, const char *target, const char *column,
		   List *want, List *have, const char *owner, SdFixPhase phase, NodeTag tag)
{
	int			pass;

	for (pass = 0; pass < 2; pass++)
	{
		List	   *from = pass == 0 ? have : want;
		List	   *other = pass == 0 ? want : have;
		ListCell   *lc;

		foreach(lc, from)
		{
			char	   *entry = pstrdup(lfirst(lc));
			char	   *colon = strrchr(entry, ':');
			char	   *priv;
			bool		grantable;
			const char *grantee;

			if (sd_list_has_string(other, entry) || colon == NULL)
				continue;
			*colon = '\0';
			priv = colon + 1;
			grantable = priv[0] != '\0' && priv[strlen(priv) - 1] == '*';
			if (grantable)
				priv[strlen(priv) - 1] = '\0';
			/* privileges are keywords: nothing else gets into the script */
			if (strspn(priv, "ABCDEFGHIJKLMNOPQRSTUVWXYZ ") != strlen(priv) || priv[0] == '\0')
			{
				fix_invalid(fix, "a privilege that is not one");
				return;
			}
			if (strcmp(entry, "PUBLIC") == 0)
				grantee = "PUBLIC";
			else if (strcmp(entry, "(owner)") == 0)
			{
				if (owner == NULL)
				{
					fix->note = "privileges of the owner are not fixed: the owner is not compared (ignore owner)";
					continue;
				}
				grantee = quote_identifier(owner);
			}
			else
				grantee = quote_identifier(entry);
			if (pass == 0)
				add_step(fix, phase, false,
						 psprintf("%sREVOKE %s%s%s ON %s FROM %s", head, grantable ? "GRANT OPTION FOR " : "",
								  priv, column ? psprintf(" (%s)", column) : "", target, grantee),
						 tag, -1, NULL);
			else
				add_step(fix, phase, false,
						 psprintf("%sGRANT %s%s ON %s TO %s%s", head, priv,
								  column ? psprintf(" (%s)", column) : "", target, grantee,
								  grantable ? " WITH GRANT OPTION" : ""),
						 tag, -1, NULL);
		}
	}
}

/*
 * The privileges an object has right after its CREATE (its owner's, and
 * what PostgreSQL grants PUBLIC by default): what grant_steps() starts from
 * for an object it creates.
 */
static List *
default_privileges(SdObject *obj)
{
	const char *k = obj->kind;
	List	   *l = NIL;
	const char *const *p;
	static const char *const table_privs[] = {
		"(owner):DELETE", "(owner):INSERT", "(owner):REFERENCES", "(owner):SELECT",
		"(owner):TRIGGER", "(owner):TRUNCATE", "(owner):UPDATE", NULL
	};

	if (strcmp(k, "table") == 0 || strcmp(k, "view") == 0 ||
		strcmp(k, "materialized view") == 0 || strcmp(k, "foreign table") == 0)
	{
		for (p = table_privs; *p; p++)
			l = lappend(l, (void *) *p);
		/* MAINTAIN from PostgreSQL 17 (the statements run on the target) */
		if (fix_ctx->target_version >= 170000)
			l = lappend(l, "(owner):MAINTAIN");
	}
	else if (strcmp(k, "sequence") == 0)
		l = list_make3("(owner):SELECT", "(owner):UPDATE", "(owner):USAGE");
	else if (strcmp(k, "schema") == 0)
		l = list_make2("(owner):CREATE", "(owner):USAGE");
	else if (strcmp(k, "type") == 0 || strcmp(k, "language") == 0)
		l = list_make2("(owner):USAGE", "PUBLIC:USAGE");
	else if (is_routine(obj))
		l = list_make2("(owner):EXECUTE", "PUBLIC:EXECUTE");
	else if (strcmp(k, "server") == 0 || strcmp(k, "foreign-data wrapper") == 0)
		l = list_make1("(owner):USAGE");
	return l;
}

/* comment, owner and privileges of an object the fix creates */
static void
add_trailers(SdFix *fix, SdObject *obj, SdFixPhase phase)
{
	char	   *comment = attr(obj, "comment");
	char	   *owner = attr(obj, "owner");

	if (owner != NULL)
		add_owner(fix, obj, owner, phase);
	if (comment != NULL)
		add_comment(fix, obj, comment, phase);
	if (attr_present(obj, "privileges") && !kind_is(obj, "table column"))
		grant_steps(fix, obj, NULL, attr_strings(obj, "privileges"),
					default_privileges(obj), owner, phase);
}

/*
 * undo_new_database
 *		In a create script, an object that CREATE DATABASE makes (schema
 *		public, extension plpgsql: apply_fresh.c) may be there before the
 *		script runs, as a new database has it.  Its CREATE ... IF NOT
 *		EXISTS then does nothing, and add_trailers() only sets what the
 *		source has: undo here what a new database gives it and the source
 *		lacks (its comment, privileges beyond the owner's), so that the
 *		script leaves the source's values on an empty database and on a new
 *		one alike.  Attributes the options ignore are left alone.
 */
static void
undo_new_database(SdFixContext *ctx, SdFix *fix, SdObject *src, SdFixPhase phase)
{
	SdObject   *fresh;
	SdOptions  *options = ctx->source->options;

	if (!ctx->create || (fresh = sd_apply_fresh_object(src->kind, src->identity)) == NULL)
		return;
	if (attr(src, "comment") == NULL && attr(fresh, "comment") != NULL &&
		!sd_options_ignores(options, "comments"))
		add_comment(fix, src, NULL, phase);
	if (attr_present(fresh, "privileges") && !sd_options_ignores(options, "privileges"))
	{
		List	   *want = attr_present(src, "privileges") ?
			attr_strings(src, "privileges") : default_privileges(src);
		List	   *created = default_privileges(src);
		List	   *extra = NIL;
		List	   *kept = NIL;
		ListCell   *lc;

		/* add_trailers() revoked the owner's that the source lacks */
		foreach(lc, attr_strings(fresh, "privileges"))
			if (!sd_list_has_string(created, lfirst(lc)))
			{
				extra = lappend(extra, lfirst(lc));
				if (sd_list_has_string(want, lfirst(lc)))
					kept = lappend(kept, lfirst(lc));
			}
		/* REVOKE extra - want; nothing to GRANT */
		grant_steps(fix, src, NULL, kept, extra, attr(src, "owner"), phase);
	}
}

static void
add_options(StringInfo buf, const char *prefix, List *options)
{
	ListCell   *lc;

	if (options == NIL)
		return;
	appendStringInfo(buf, "%s(", prefix);
	foreach(lc, options)
	{
		char	   *o = pstrdup(lfirst(lc));
		char	   *eq = strchr(o, '=');

		if (eq)
			*eq = '\0';
		appendStringInfo(buf, "%s%s%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 quote_identifier(o), eq ? " = " : "",
						 eq ? quote_literal_cstr(eq + 1) : "");
	}
	appendStringInfoChar(buf, ')');
}

/* option names alone, for RESET (...) */
static void
add_option_names(StringInfo buf, List *options)
{
	ListCell   *lc;

	appendStringInfoChar(buf, '(');
	foreach(lc, options)
	{
		char	   *o = pstrdup(lfirst(lc));
		char	   *eq = strchr(o, '=');

		if (eq)
			*eq = '\0';
		appendStringInfo(buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 quote_identifier(o));
	}
	appendStringInfoChar(buf, ')');
}

/*
 * reset_and_set
 *		"head RESET (...)" of the storage options have, then "head SET (...)"
 *		of want: one ALTER TABLE action each.
 */
static void
reset_and_set(SdFix *fix, SdFixPhase phase, const char *head, List *want, List *have)
{
	StringInfoData buf;

	if (have != NIL)
	{
		initStringInfo(&buf);
		appendStringInfo(&buf, "%s RESET ", head);
		add_option_names(&buf, have);
		add_step(fix, phase, false, buf.data, T_AlterTableStmt, 1, NULL);
	}
	if (want != NIL)
	{
		initStringInfo(&buf);
		appendStringInfo(&buf, "%s SET ", head);
		add_options(&buf, "", want);
		add_step(fix, phase, false, buf.data, T_AlterTableStmt, 1, NULL);
	}
}

/* ---- columns ------------------------------------------------------------- */

/*
 * sequence_options
 *		" AS type START WITH ... CYCLE" of sequence options seq (an
 *		identity's sequence has its column's type: with_type false).
 */
static char *
sequence_options(JsonbValue *seq, bool with_type)
{
	StringInfoData buf;
	static const char *const keys[] = {"start", "increment", "min", "max", "cache", NULL};
	static const char *const words[] = {"START WITH", "INCREMENT BY", "MINVALUE", "MAXVALUE", "CACHE", NULL};
	int			i;
	JsonbContainer *c;
	JsonbValue *v;

	initStringInfo(&buf);
	if (seq == NULL || seq->type != jbvBinary)
		return buf.data;
	c = seq->val.binary.data;
	v = sd_jsonb_get(c, "type");
	if (with_type && v && v->type == jbvString)
		appendStringInfo(&buf, " AS %s", pnstrdup(v->val.string.val, v->val.string.len));
	for (i = 0; keys[i]; i++)
	{
		v = sd_jsonb_get(c, keys[i]);
		if (v && v->type == jbvNumeric)
			appendStringInfo(&buf, " %s %s", words[i], sd_jsonb_value_text(v, false));
	}
	v = sd_jsonb_get(c, "cycle");
	if (v && v->type == jbvBool)
		appendStringInfoString(&buf, v->val.boolean ? " CYCLE" : " NO CYCLE");
	return buf.data;
}

/*
 * column_definition
 *		"name type [COLLATE c] [GENERATED ...] [DEFAULT d] [NOT NULL]" of a
 *		column, its foreign text checked.
 */
static char *
column_definition(SdFix *fix, SdObject *col)
{
	StringInfoData buf;
	char	   *type = attr(col, "type");
	char	   *collation = attr(col, "collation");
	char	   *dflt = attr(col, "default");
	char	   *generated = attr(col, "generated");
	char	   *identity = attr(col, "identity");

	initStringInfo(&buf);
	if (type == NULL || !check_type(fix, type))
	{
		fix_invalid(fix, "a column without a type");
		return NULL;
	}
	appendStringInfo(&buf, "%s %s", quote_identifier(col->key[2]), type);
	/* a foreign table's column has its options right after its type */
	if (attr_present(col, "fdw_options"))
		add_fdw_options(&buf, attr_strings(col, "fdw_options"));
	if (collation != NULL)
	{
		if (!check_type(fix, collation))	/* a qualified name */
			return NULL;
		appendStringInfo(&buf, " COLLATE %s", collation);
	}
	if (generated != NULL)
	{
		char	   *storage = attr(col, "generated_storage");

		if (!check_expression(fix, generated))
			return NULL;
		appendStringInfo(&buf, " GENERATED ALWAYS AS (%s)%s", generated,
						 storage && strcmp(storage, "virtual") == 0 ? " VIRTUAL" : " STORED");
	}
	if (identity != NULL)
	{
		JsonbContainer *attrs = obj_attrs(col);
		char	   *opts = sequence_options(sd_jsonb_get(attrs, "identity_sequence"), false);

		appendStringInfo(&buf, " GENERATED %s AS IDENTITY%s%s%s",
						 strcmp(identity, "always") == 0 ? "ALWAYS" : "BY DEFAULT",
						 opts[0] ? " (" : "", opts[0] ? opts + 1 : "", opts[0] ? ")" : "");
	}
	if (dflt != NULL)
	{
		if (!check_expression(fix, dflt))
			return NULL;
		appendStringInfo(&buf, " DEFAULT %s", dflt);
	}
	if (attr_bool(col, "not_null"))
		appendStringInfoString(&buf, " NOT NULL");
	return buf.data;
}

/* the per-column settings CREATE TABLE and ADD COLUMN do not carry */
static void
column_trailers(SdFix *fix, SdObject *col, const char *table, SdFixPhase phase)
{
	char	   *qcol = pstrdup(quote_identifier(col->key[2]));
	char	   *v;

	if ((v = attr(col, "storage")) != NULL)
		add_step(fix, phase, false,
				 psprintf("ALTER TABLE %s ALTER COLUMN %s SET STORAGE %s", table, qcol,
						  quote_identifier(v)), T_AlterTableStmt, 1, NULL);
	if ((v = attr(col, "compression")) != NULL)
		add_step(fix, phase, false,
				 psprintf("ALTER TABLE %s ALTER COLUMN %s SET COMPRESSION %s", table, qcol,
						  quote_identifier(v)), T_AlterTableStmt, 1, NULL);
	if ((v = attr(col, "statistics")) != NULL)
		add_step(fix, phase, false,
				 psprintf("ALTER TABLE %s ALTER COLUMN %s SET STATISTICS %d", table, qcol,
						  atoi(v)), T_AlterTableStmt, 1, NULL);
	if (attr_present(col, "options"))
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "ALTER TABLE %s ALTER COLUMN %s SET ", table, qcol);
		add_options(&buf, "", attr_strings(col, "options"));
		add_step(fix, phase, false, buf.data, T_AlterTableStmt, 1, NULL);
	}
	if ((v = attr(col, "comment")) != NULL)
		add_comment(fix, col, v, phase);
	if (attr_present(col, "privileges"))
		grant_steps(fix, col, qcol, attr_strings(col, "privileges"), NIL, NULL, phase);
}

/* the last step added, to mark it */
static SdFixStep *
last_step(SdFix *fix)
{
	return fix->invalid || fix->steps == NIL ? NULL : llast(fix->steps);
}

/* ---- hazards: what a step would do to the target's rows ------------------ */

/*
 * hazard
 *		Count what the last step of fix would meet in the target's rows:
 *		count_sql counts the rows that make it fail (fails) or lose data,
 *		which one and many say for one row and for several ("row of t
 *		holds NULL in c", "rows of t hold NULL in c").
 *		A step that would fail is left as a comment saying so; one that
 *		would lose nothing loses its destructive mark; otherwise the count
 *		goes into a remark.  The target is counted on when it is a live
 *		database (this one, or a foreign server: fix_count.c); against a
 *		snapshot, the remark says the counts are unknown.
 */
static void
hazard(SdFix *fix, const char *schema, const char *table, const char *count_sql,
	   bool fails, const char *one, const char *many)
{
	SdFixStep  *step = last_step(fix);
	int64		n;
	char	   *error;

	if (step == NULL)
		return;
	if (!fix_ctx->options.count_rows)
		return;
	if (!fix_ctx->target_local && fix_ctx->target_server == NULL)
	{
		step->remark = psprintf("rows not counted: the target is a snapshot, not a live database (%s)", many);
		return;
	}
	n = sd_fix_count(fix_ctx, schema, table, count_sql, &error);
	if (n == SD_FIX_COUNT_NO_TABLE)
		step->remark = psprintf("rows not counted: no SELECT on %s (%s)", qualified(schema, table), many);
	else if (n == SD_FIX_COUNT_NO_TARGET)
		step->remark = psprintf("rows not counted: the target could not be reached (%s)", many);
	else if (n == SD_FIX_COUNT_FILTERED)
		step->remark = psprintf("rows not counted: row-level security would hide rows of %s from the count (%s)",
								qualified(schema, table), many);
	else if (n < 0)
		step->remark = psprintf("rows not counted: the count failed on the target as it is now (%s)", many);
	else if (n == 0)
	{
		step->remark = psprintf("0 %s", many);
		if (fails)
			step->destructive = NULL;
	}
	else if (fails)
		step->manual = psprintf("would fail: " INT64_FORMAT " %s; change %s first", n,
								n == 1 ? one : many, n == 1 ? "it" : "them");
	else
		step->remark = psprintf(INT64_FORMAT " %s", n, n == 1 ? one : many);
}

/*
 * narrowing_hazard
 *		For a type change of column src from oldtype to type that can lose
 *		data, count the values that do not survive it: those whose text the
 *		new type does not accept (pg_input_is_valid, or schemadrift's own on
 *		PostgreSQL 15), and those that change on the way to the new type and
 *		back (rounded, truncated).  Both type names are type names and
 *		nothing else (the raw parser said so).  The count is an upper bound
 *		where a cast between categories converts what text input refuses
 *		(boolean to integer).  It is not made where the casts would run a
 *		function that a role other than a superuser wrote
 *		(sd_fix_cast_hazard).
 */
static void
narrowing_hazard(SdFix *fix, SdObject *src, const char *oldtype, const char *type)
{
	SdFixStep  *step = last_step(fix);
	char	   *table = parent_name(src);
	const char *col = quote_identifier(src->key[2]);
	char	   *one = psprintf("row of %s holds a value in %s that %s does not take as it is (the change fails on it or alters it)",
							   table, col, type);
	char	   *many = psprintf("rows of %s hold a value in %s that %s does not take as it is (the change fails on them or alters them)",
								table, col, type);
	const char *valid = "pg_catalog.pg_input_is_valid";

	if (step == NULL || !fix_ctx->options.count_rows || type_name_error(oldtype) != NULL)
		return;
	if (fix_ctx->target_local || fix_ctx->target_server != NULL)
	{
		char	   *why_not;
		const char *runs;

		valid = sd_fix_valid_function(fix_ctx, &why_not);
		if (valid == NULL)
		{
			step->remark = psprintf("rows not counted: %s (%s)", why_not, many);
			return;
		}
		runs = sd_fix_cast_hazard(fix_ctx, oldtype, type);
		if (runs != NULL)
		{
			step->remark = psprintf("rows not counted: %s (%s)", runs, many);
			return;
		}
	}
	hazard(fix, src->parent[0], src->parent[1],
		   psprintf("SELECT pg_catalog.count(*) FROM %s WHERE %s IS NOT NULL AND"
					" CASE WHEN %s(%s::pg_catalog.text, %s)"
					" THEN ((%s::%s)::%s)::pg_catalog.text IS DISTINCT FROM %s::pg_catalog.text"
					" ELSE true END",
					table, col, valid, col, quote_literal_cstr(type),
					col, type, oldtype, col),
		   false, one, many);
}

/*
 * key_columns
 *		The quoted column list "(a, b)" that follows prefix in a constraint
 *		definition ("UNIQUE (a, b)", "FOREIGN KEY (a) REFERENCES ..."), as a
 *		List of raw names, and where the definition goes on; NULL if it does
 *		not read as one.
 */
static const char *
key_columns(const char *def, List **cols)
{
	const char *p = def;

	*cols = NIL;
	if (*p != '(')
		return NULL;
	p++;
	for (;;)
	{
		char	   *name;

		p = parse_name(p, &name);
		if (p == NULL)
			return NULL;
		*cols = lappend(*cols, name);
		if (strncmp(p, ", ", 2) == 0)
			p += 2;
		else if (*p == ')')
			return p + 1;
		else
			return NULL;
	}
}

/* "a IS NOT NULL AND b IS NOT NULL", or "t.a, t.b" (sep) of raw names */
static char *
column_expr(List *cols, const char *prefix, const char *suffix, const char *sep)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, cols)
		appendStringInfo(&buf, "%s%s%s%s", foreach_current_index(lc) > 0 ? sep : "",
						 prefix, quote_identifier(lfirst(lc)), suffix);
	return buf.data;
}

/*
 * constraint_hazard
 *		For a unique or primary key constraint, count the groups of rows
 *		that would collide (NULLs do not); for a foreign key, the rows whose
 *		key the referenced table lacks.  A check is an expression of the
 *		source: it is never run here.
 */
static void
constraint_hazard(SdFix *fix, SdObject *con)
{
	char	   *type = attr(con, "type");
	char	   *def = attr(con, "definition");
	const char *schema = con->parent[0];
	const char *table = con->parent[1];
	char	   *t = qualified(schema, table);
	List	   *cols;
	const char *p;

	if (type == NULL || def == NULL)
		return;
	if (strcmp(type, "unique") == 0 || strcmp(type, "primary key") == 0)
	{
		p = def + (strncmp(def, "UNIQUE ", 7) == 0 ? 7 : strncmp(def, "PRIMARY KEY ", 12) == 0 ? 12 : 0);
		if (p == def || strncmp(p, "NULLS NOT DISTINCT ", 19) == 0 || key_columns(p, &cols) == NULL)
			return;
		hazard(fix, schema, table,
			   psprintf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s GROUP BY %s HAVING count(*) > 1) d",
						t, column_expr(cols, "", " IS NOT NULL", " AND "),
						column_expr(cols, "", "", ", ")),
			   true, psprintf("group of rows of %s shares a key", t),
			   psprintf("groups of rows of %s share a key", t));
		if (strcmp(type, "primary key") == 0 && last_step(fix) && last_step(fix)->manual == NULL)
			hazard(fix, schema, table,
				   psprintf("SELECT count(*) FROM %s WHERE NOT (%s)", t,
							column_expr(cols, "", " IS NOT NULL", " AND ")),
				   true, psprintf("row of %s has a NULL in the key", t),
				   psprintf("rows of %s have a NULL in the key", t));
	}
	else if (strcmp(type, "foreign key") == 0 && strncmp(def, "FOREIGN KEY ", 12) == 0)
	{
		List	   *refcols;
		char	   *rschema;
		char	   *rtable;

		p = key_columns(def + 12, &cols);
		if (p == NULL || strncmp(p, " REFERENCES ", 12) != 0)
			return;
		p = parse_name(p + 12, &rschema);
		if (p == NULL || *p != '.' || (p = parse_name(p + 1, &rtable)) == NULL ||
			key_columns(p, &refcols) == NULL || list_length(refcols) != list_length(cols))
			return;
		{
			StringInfoData join;
			ListCell   *lc1,
					   *lc2;

			initStringInfo(&join);
			forboth(lc1, cols, lc2, refcols)
				appendStringInfo(&join, "%sr.%s = t.%s", join.len > 0 ? " AND " : "",
								 quote_identifier(lfirst(lc2)), quote_identifier(lfirst(lc1)));
			hazard(fix, schema, table,
				   psprintf("SELECT count(*) FROM %s t WHERE %s AND NOT EXISTS (SELECT 1 FROM %s r WHERE %s)",
							t, column_expr(cols, "t.", " IS NOT NULL", " AND "),
							qualified(rschema, rtable), join.data),
				   true, psprintf("row of %s references a key %s lacks", t, qualified(rschema, rtable)),
				   psprintf("rows of %s reference a key %s lacks", t, qualified(rschema, rtable)));
		}
	}
	else if (strcmp(type, "check") == 0 && last_step(fix))
		last_step(fix)->remark = "rows not counted: a check is an expression of the source, which schemadrift does not run";
}

/* ---- creating objects ---------------------------------------------------- */

static SdFixPhase
constraint_phase(SdObject *con)
{
	char	   *type = attr(con, "type");

	return type && strcmp(type, "foreign key") == 0 ? FIX_PHASE_FOREIGN_KEY : FIX_PHASE_CONSTRAINT;
}

/*
 * create_constraint
 *		ALTER TABLE ... ADD CONSTRAINT.  On a table that exists already
 *		(existing), with the not_valid option, a foreign key or check is
 *		added NOT VALID and validated in a later part of the script: adding
 *		it then takes only a brief lock, and validating it does not block
 *		writes.
 */
static void
create_constraint(SdFix *fix, SdObject *con, bool existing)
{
	char	   *def = attr(con, "definition");
	char	   *comment = attr(con, "comment");
	char	   *type = attr(con, "type");
	char	   *name = constraint_name(con);
	bool		not_valid;
	int			len;

	if (def == NULL)
	{
		fix_invalid(fix, "a constraint without a definition");
		return;
	}
	len = strlen(def);
	not_valid = existing && fix_ctx->options.not_valid && name != NULL && type != NULL &&
		(strcmp(type, "foreign key") == 0 || strcmp(type, "check") == 0) &&
		!(len >= 10 && strcmp(def + len - 10, " NOT VALID") == 0);
	if (name != NULL)
		add_step(fix, constraint_phase(con), false,
				 psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s%s", parent_name(con),
						  quote_identifier(name), def, not_valid ? " NOT VALID" : ""),
				 T_AlterTableStmt, 1, NULL);
	else
		add_step(fix, constraint_phase(con), false,
				 psprintf("ALTER TABLE %s ADD %s", parent_name(con), def),
				 T_AlterTableStmt, 1, NULL);
	if (not_valid)
	{
		add_step(fix, constraint_phase(con), false,
				 psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", parent_name(con),
						  quote_identifier(name)),
				 T_AlterTableStmt, 1, NULL);
		if (last_step(fix))
			last_step(fix)->part = FIX_PART_VALIDATE;
	}
	if (comment != NULL && name != NULL)
		add_comment(fix, con, comment, constraint_phase(con));
}

/* whether the table of index idx is partitioned (in the target) */
static bool
on_partitioned_table(SdObject *idx)
{
	SdObjectSet *set = fix_ctx->target;
	int			i;

	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *o = &set->objects[i];

		if (o->nkey == 2 && idx->nparent == 2 && strcmp(o->kind, "table") == 0 &&
			strcmp(o->key[0], idx->parent[0]) == 0 && strcmp(o->key[1], idx->parent[1]) == 0)
			return attr_present(o, "partition_key");
	}
	return false;
}

/* whether an index on a table that exists is built or dropped CONCURRENTLY */
static bool
index_concurrently(SdObject *idx, bool existing)
{
	return existing && fix_ctx->options.concurrently && !on_partitioned_table(idx);
}

/*
 * create_index
 *		CREATE INDEX; on a table that exists already (existing), with the
 *		concurrently option, CONCURRENTLY, in the script's part outside a
 *		transaction.
 */
static void
create_index(SdFix *fix, SdObject *idx, bool existing)
{
	char	   *def = attr(idx, "definition");
	char	   *comment = attr(idx, "comment");
	char	   *tblspc = attr(idx, "tablespace");
	bool		concurrently = index_concurrently(idx, existing);
	SdFixPart	part = concurrently ? FIX_PART_CONCURRENTLY : FIX_PART_MAIN;

	if (def == NULL)
	{
		fix_invalid(fix, "an index without a definition");
		return;
	}
	add_step(fix, FIX_PHASE_INDEX, false,
			 psprintf("CREATE %sINDEX %sIF NOT EXISTS %s ON %s USING %s%s",
					  attr_bool(idx, "unique") ? "UNIQUE " : "",
					  concurrently ? "CONCURRENTLY " : "",
					  quote_identifier(idx->key[1]), parent_name(idx), def,
					  tblspc ? psprintf(" TABLESPACE %s", quote_identifier(tblspc)) : ""),
			 T_IndexStmt, -1, NULL);
	if (last_step(fix))
		last_step(fix)->part = part;
	if (comment != NULL)
	{
		add_comment(fix, idx, comment, FIX_PHASE_INDEX);
		if (last_step(fix))
			last_step(fix)->part = part;
	}
}

static void
create_trigger(SdFix *fix, SdObject *tg)
{
	char	   *def = attr(tg, "definition");
	char	   *enabled = attr(tg, "enabled");
	char	   *comment = attr(tg, "comment");

	if (def == NULL)
	{
		fix_invalid(fix, "a trigger without a definition");
		return;
	}
	add_step(fix, FIX_PHASE_TRIGGER, false, def, T_CreateTrigStmt, -1, NULL);
	if (enabled != NULL && strcmp(enabled, "origin") != 0)
		add_step(fix, FIX_PHASE_TRIGGER, false,
				 psprintf("ALTER TABLE %s %s TRIGGER %s", parent_name(tg),
						  enable_words(enabled),
						  quote_identifier(tg->key[2])),
				 T_AlterTableStmt, 1, NULL);
	if (comment != NULL)
		add_comment(fix, tg, comment, FIX_PHASE_TRIGGER);
}

static void
create_policy(SdFix *fix, SdObject *pol)
{
	StringInfoData buf;
	char	   *command = attr(pol, "command");
	char	   *qual = attr(pol, "using");
	char	   *check = attr(pol, "with_check");
	char	   *comment = attr(pol, "comment");
	List	   *roles = attr_strings(pol, "roles");

	if (command == NULL || strspn(command, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(command))
	{
		fix_invalid(fix, "a policy without a command");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE POLICY %s ON %s AS %s FOR %s",
					 quote_identifier(pol->key[2]), parent_name(pol),
					 attr_bool(pol, "permissive") ? "PERMISSIVE" : "RESTRICTIVE", command);
	if (roles != NIL)
	{
		appendStringInfoString(&buf, " TO ");
		append_roles(&buf, roles);
	}
	if (qual != NULL)
	{
		if (!check_expression(fix, qual))
			return;
		appendStringInfo(&buf, " USING (%s)", qual);
	}
	if (check != NULL)
	{
		if (!check_expression(fix, check))
			return;
		appendStringInfo(&buf, " WITH CHECK (%s)", check);
	}
	add_step(fix, FIX_PHASE_POLICY, false, buf.data, T_CreatePolicyStmt, -1, NULL);
	if (comment != NULL)
		add_comment(fix, pol, comment, FIX_PHASE_POLICY);
}

static void
create_statistics(SdFix *fix, SdObject *st)
{
	char	   *def = attr(st, "definition");
	List	   *kinds = attr_strings(st, "kinds");
	char	   *target = attr(st, "statistics");
	StringInfoData buf;

	if (def == NULL)
	{
		fix_invalid(fix, "a statistics object without a definition");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE STATISTICS IF NOT EXISTS %s", obj_name(st));
	if (kinds != NIL)
	{
		appendStringInfoString(&buf, " (");
		append_names(&buf, kinds, false);
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfo(&buf, " ON %s FROM %s", def, parent_name(st));
	add_step(fix, FIX_PHASE_STATISTICS, false, buf.data, T_CreateStatsStmt, -1, NULL);
	if (target != NULL)
		add_step(fix, FIX_PHASE_STATISTICS, false,
				 psprintf("ALTER STATISTICS %s SET STATISTICS %d", obj_name(st), atoi(target)),
				 T_AlterStatsStmt, -1, NULL);
	add_trailers(fix, st, FIX_PHASE_STATISTICS);
}

/*
 * create_table
 *		CREATE TABLE with its columns and the constraints that need no other
 *		table, then its indexes, foreign keys, triggers, policies and
 *		statistics: everything the diff folded into the table's row.
 */
static void
create_table(SdFixContext *ctx, SdFix *fix, SdObject *tbl)
{
	StringInfoData buf;
	char	   *name = obj_name(tbl);
	char	   *partition_of = attr(tbl, "partition_of");
	char	   *bound = attr(tbl, "partition_bound");
	char	   *of_type = attr(tbl, "of_type");
	char	   *key = attr(tbl, "partition_key");
	char	   *am = attr(tbl, "access_method");
	char	   *tblspc = attr(tbl, "tablespace");
	char	   *replident = attr(tbl, "replica_identity");
	List	   *columns = children_of(ctx, true, tbl, "table column");
	List	   *constraints = children_of(ctx, true, tbl, "table constraint");
	List	   *inherits = attr_strings(tbl, "inherits");
	List	   *order = attr_strings(tbl, "column_order");
	List	   *later = NIL;
	ListCell   *lc;
	int			nitems = 0;
	int			first;
	int			bufmark;
	bool		own_columns = partition_of == NULL && of_type == NULL;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sTABLE IF NOT EXISTS %s",
					 attr(tbl, "persistence") && strcmp(attr(tbl, "persistence"), "unlogged") == 0 ? "UNLOGGED " : "",
					 name);
	if (partition_of != NULL)
	{
		if (!check_type(fix, partition_of))
			return;
		appendStringInfo(&buf, " PARTITION OF %s", partition_of);
	}
	else if (of_type != NULL)
	{
		if (!check_type(fix, of_type))
			return;
		appendStringInfo(&buf, " OF %s", of_type);
	}
	bufmark = buf.len;
	appendStringInfoString(&buf, " (");

	/* columns in the source's order, when it is known */
	if (own_columns)
	{
		foreach(lc, ordered_columns(columns, order))
		{
			char	   *def = column_definition(fix, lfirst(lc));

			if (def == NULL)
				return;
			appendStringInfo(&buf, "%s\n    %s", nitems++ > 0 ? "," : "", def);
		}
	}
	foreach(lc, constraints)
	{
		SdObject   *con = lfirst(lc);
		char	   *def = attr(con, "definition");

		if (constraint_phase(con) == FIX_PHASE_FOREIGN_KEY || def == NULL)
		{
			later = lappend(later, con);
			continue;
		}
		if (constraint_name(con) != NULL)
			appendStringInfo(&buf, "%s\n    CONSTRAINT %s %s", nitems++ > 0 ? "," : "",
							 quote_identifier(constraint_name(con)), def);
		else
			appendStringInfo(&buf, "%s\n    %s", nitems++ > 0 ? "," : "", def);
	}
	if (nitems > 0)
		appendStringInfoString(&buf, "\n)");
	else if (own_columns)
		appendStringInfoString(&buf, ")");
	else
	{
		/* PARTITION OF and OF take no empty list */
		buf.len = bufmark;
		buf.data[buf.len] = '\0';
	}
	if (partition_of != NULL)
		appendStringInfo(&buf, " %s", bound ? bound : "DEFAULT");
	else if (inherits != NIL)
	{
		appendStringInfoString(&buf, " INHERITS (");
		foreach(lc, inherits)
		{
			if (!check_type(fix, lfirst(lc)))
				return;
			appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
							 (char *) lfirst(lc));
		}
		appendStringInfoChar(&buf, ')');
	}
	if (key != NULL)
		appendStringInfo(&buf, " PARTITION BY %s", key);
	if (am != NULL)
		appendStringInfo(&buf, " USING %s", quote_identifier(am));
	add_options(&buf, " WITH ", attr_strings(tbl, "options"));
	if (tblspc != NULL)
		appendStringInfo(&buf, " TABLESPACE %s", quote_identifier(tblspc));
	first = list_length(fix->steps);
	add_step(fix, FIX_PHASE_TABLE, false, buf.data, T_CreateStmt, nitems, NULL);
	if (!fix->invalid)
	{
		/* a partition or child after its parents (fix_script.c) */
		SdFixStep  *step = llast(fix->steps);

		step->creates = tbl->identity;
		if (partition_of != NULL)
			step->after = list_make1(partition_of);
		foreach(lc, inherits)
			step->after = lappend(step->after, lfirst(lc));
	}

	foreach(lc, columns)
		column_trailers(fix, lfirst(lc), name, FIX_PHASE_TABLE);
	foreach(lc, constraints)
	{
		SdObject   *con = lfirst(lc);
		char	   *comment = attr(con, "comment");

		if (list_member_ptr(later, con))
			create_constraint(fix, con, false);
		else if (comment != NULL && constraint_name(con) != NULL)
			add_comment(fix, con, comment, FIX_PHASE_TABLE);
	}
	foreach(lc, children_of(ctx, true, tbl, "index"))
		create_index(fix, lfirst(lc), false);
	/* its owned sequences (serial columns), folded into its row */
	foreach(lc, children_of(ctx, true, tbl, "sequence"))
		create_sequence(fix, lfirst(lc));
	if (replident != NULL && strcmp(replident, "default") != 0)
		add_step(fix, FIX_PHASE_INDEX, false,
				 psprintf("ALTER TABLE %s REPLICA IDENTITY %s", name,
						  strncmp(replident, "index ", 6) == 0 ?
						  psprintf("USING INDEX %s", replident + 6) :
						  strcmp(replident, "full") == 0 ? "FULL" : "NOTHING"),
				 T_AlterTableStmt, 1, NULL);
	if (attr_bool(tbl, "row_security"))
		add_step(fix, FIX_PHASE_TABLE, false,
				 psprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY", name), T_AlterTableStmt, 1, NULL);
	if (attr_bool(tbl, "force_row_security"))
		add_step(fix, FIX_PHASE_TABLE, false,
				 psprintf("ALTER TABLE %s FORCE ROW LEVEL SECURITY", name), T_AlterTableStmt, 1, NULL);
	add_trailers(fix, tbl, FIX_PHASE_TABLE);
	foreach(lc, children_of(ctx, true, tbl, "trigger"))
		create_trigger(fix, lfirst(lc));
	foreach(lc, children_of(ctx, true, tbl, "rule"))
		create_rule(fix, lfirst(lc), false);
	foreach(lc, children_of(ctx, true, tbl, "policy"))
		create_policy(fix, lfirst(lc));
	foreach(lc, children_of(ctx, true, tbl, "statistics object"))
		create_statistics(fix, lfirst(lc));

	/* the table's other steps of its phase wait for it, wherever it goes */
	if (!fix->invalid)
		for_each_from(lc, fix->steps, first + 1)
		{
			SdFixStep  *step = lfirst(lc);

			if (step->phase == FIX_PHASE_TABLE && step->after == NIL)
				step->after = list_make1(tbl->identity);
		}
}

static void
create_sequence(SdFix *fix, SdObject *seq)
{
	JsonbValue	self;
	char	   *owned_by = attr(seq, "owned_by");
	char	   *persistence = attr(seq, "persistence");

	/* the options are the sequence's own attributes */
	self.type = jbvBinary;
	self.val.binary.data = obj_attrs(seq);
	self.val.binary.len = 0;
	add_step(fix, FIX_PHASE_SEQUENCE, false,
			 psprintf("CREATE %sSEQUENCE IF NOT EXISTS %s%s",
					  persistence && strcmp(persistence, "unlogged") == 0 ? "UNLOGGED " : "",
					  obj_name(seq), sequence_options(&self, true)),
			 T_CreateSeqStmt, -1, NULL);
	if (owned_by != NULL)
		add_step(fix, FIX_PHASE_SEQUENCE_OWNER, false,
				 psprintf("ALTER SEQUENCE %s OWNED BY %s", obj_name(seq), owned_by),
				 T_AlterSeqStmt, -1, NULL);
	add_trailers(fix, seq, FIX_PHASE_SEQUENCE);
}

/* a view's definition without its final ";" */
static char *
view_query(SdObject *view)
{
	char	   *def = attr(view, "definition");
	int			len;

	if (def == NULL)
		return NULL;
	len = strlen(def);
	while (len > 0 && (def[len - 1] == ';' || def[len - 1] == ' ' || def[len - 1] == '\n'))
		len--;
	return pnstrdup(def, len);
}

static void
create_view(SdFixContext *ctx, SdFix *fix, SdObject *view, bool replace)
{
	char	   *query = view_query(view);
	StringInfoData buf;
	bool		matview = kind_is(view, "materialized view");
	char	   *tblspc = attr(view, "tablespace");
	ListCell   *lc;
	int			first;

	if (query == NULL)
	{
		fix_invalid(fix, "a view without a definition");
		return;
	}
	initStringInfo(&buf);
	if (matview)
	{
		appendStringInfo(&buf, "CREATE MATERIALIZED VIEW IF NOT EXISTS %s", obj_name(view));
		if (attr(view, "access_method"))
			appendStringInfo(&buf, " USING %s", quote_identifier(attr(view, "access_method")));
		add_options(&buf, " WITH ", attr_strings(view, "options"));
		if (tblspc != NULL)
			appendStringInfo(&buf, " TABLESPACE %s", quote_identifier(tblspc));
		appendStringInfo(&buf, " AS\n%s", query);
		add_step(fix, FIX_PHASE_VIEW, false, buf.data, T_CreateTableAsStmt, -1, NULL);
	}
	else
	{
		appendStringInfo(&buf, "CREATE %sVIEW %s", replace ? "OR REPLACE " : "", obj_name(view));
		add_options(&buf, " WITH ", attr_strings(view, "options"));
		appendStringInfo(&buf, " AS\n%s", query);
		add_step(fix, FIX_PHASE_VIEW, false, buf.data, T_ViewStmt, -1, NULL);
	}
	if (fix->invalid)
		return;
	first = list_length(fix->steps) - 1;
	/* after what it reads and calls: its needs (add_step) */
	((SdFixStep *) llast(fix->steps))->creates = view->identity;
	add_trailers(fix, view, FIX_PHASE_VIEW);
	foreach(lc, children_of(ctx, true, view, "index"))
		create_index(fix, lfirst(lc), false);
	foreach(lc, children_of(ctx, true, view, "trigger"))
		create_trigger(fix, lfirst(lc));
	foreach(lc, children_of(ctx, true, view, "rule"))
		create_rule(fix, lfirst(lc), false);

	/* what follows goes with the view, after it */
	if (!fix->invalid)
		for_each_from(lc, fix->steps, first + 1)
		{
			SdFixStep  *step = lfirst(lc);

			step->phase = FIX_PHASE_VIEW;
			step->after = list_make1(view->identity);
		}
}

/*
 * config_value
 *		The value of a routine's SET clause, as pg_dump writes it: a setting
 *		whose value is a list (search_path and the like) as a list of
 *		literals, split as the server splits it, so that it is stored again
 *		as it was; any other as one literal.
 */
static char *
config_value(const char *name, const char *value)
{
	static const char *const list_settings[] = {
		"search_path", "temp_tablespaces", "session_preload_libraries",
		"local_preload_libraries", "shared_preload_libraries", NULL
	};
	const char *const *p;
	StringInfoData buf;
	List	   *elems;
	char	   *raw = pstrdup(value);

	for (p = list_settings; *p; p++)
		if (pg_strcasecmp(*p, name) == 0)
			break;
	if (*p == NULL || !SplitGUCList(raw, ',', &elems))
		return quote_literal_cstr(value);
	initStringInfo(&buf);
	append_names(&buf, elems, true);
	if (elems == NIL)
		appendStringInfoString(&buf, "''");
	return buf.data;
}

/*
 * routine_statement
 *		CREATE OR REPLACE FUNCTION/PROCEDURE of a routine from its
 *		attributes.
 */
static char *
routine_statement(SdFix *fix, SdObject *fn)
{
	StringInfoData buf;
	char	   *args = attr(fn, "arguments");
	char	   *result = attr(fn, "result");
	char	   *lang = attr(fn, "language");
	char	   *body = attr(fn, "body");
	char	   *library = attr(fn, "library");
	char	   *v;
	bool		proc = kind_is(fn, "procedure");
	ListCell   *lc;

	if (lang == NULL || body == NULL)
	{
		fix_invalid(fix, "a routine without a language or a body");
		return NULL;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE OR REPLACE %s %s(%s)", proc ? "PROCEDURE" : "FUNCTION",
					 qualified(fn->key[0], fn->key[1]), args ? args : "");
	if (!proc && result != NULL)
		appendStringInfo(&buf, " RETURNS %s", result);
	appendStringInfo(&buf, "\n    LANGUAGE %s", quote_identifier(lang));
	if (attr_bool(fn, "window"))
		appendStringInfoString(&buf, " WINDOW");
	if (!proc)
	{
		v = attr(fn, "volatility");
		if (v && (strcmp(v, "immutable") == 0 || strcmp(v, "stable") == 0))
			appendStringInfo(&buf, " %s", strcmp(v, "immutable") == 0 ? "IMMUTABLE" : "STABLE");
		if (attr_bool(fn, "strict"))
			appendStringInfoString(&buf, " STRICT");
		if (attr_bool(fn, "leakproof"))
			appendStringInfoString(&buf, " LEAKPROOF");
		v = attr(fn, "parallel");
		if (v && (strcmp(v, "safe") == 0 || strcmp(v, "restricted") == 0))
			appendStringInfo(&buf, " PARALLEL %s", strcmp(v, "safe") == 0 ? "SAFE" : "RESTRICTED");
		v = attr(fn, "cost");
		if (v)
			appendStringInfo(&buf, " COST %s", v);
		v = attr(fn, "rows");
		if (v)
			appendStringInfo(&buf, " ROWS %s", v);
		v = attr(fn, "support");
		if (v)
			appendStringInfo(&buf, " SUPPORT %s", quote_identifier(v));
	}
	if (attr_bool(fn, "security_definer"))
		appendStringInfoString(&buf, " SECURITY DEFINER");
	foreach(lc, attr_strings(fn, "config"))
	{
		char	   *c = pstrdup(lfirst(lc));
		char	   *eq = strchr(c, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		appendStringInfo(&buf, "\n    SET %s TO %s", quote_identifier(c), config_value(c, eq + 1));
	}
	if (library != NULL)
		appendStringInfo(&buf, "\n    AS %s, %s", quote_literal_cstr(library), quote_literal_cstr(body));
	else if (strncmp(body, "BEGIN ATOMIC", 12) == 0 || strncmp(body, "RETURN ", 7) == 0)
		appendStringInfo(&buf, "\n%s", body);
	else
		appendStringInfo(&buf, "\nAS %s", quote_literal_cstr(body));
	return buf.data;
}

/*
 * routine_phase
 *		A body PostgreSQL keeps as text is not checked while the script runs
 *		(check_function_bodies = off): such a routine goes early, before the
 *		tables and views that may use it.  A SQL-standard body (BEGIN ATOMIC,
 *		RETURN) is parsed at once and depends on what it reads: it goes after
 *		the tables, in one group with the views, ordered by the edges of
 *		their definitions (fix_deps.c, fix_script.c).
 */
static SdFixPhase
routine_phase(SdObject *fn)
{
	char	   *body = attr(fn, "body");
	char	   *lang = attr(fn, "language");

	/* C needs nothing but types, shells included: before languages */
	if (lang != NULL && (strcmp(lang, "c") == 0 || strcmp(lang, "internal") == 0))
		return FIX_PHASE_C_FUNCTION;
	if (body != NULL && attr(fn, "library") == NULL &&
		(strncmp(body, "BEGIN ATOMIC", 12) == 0 || strncmp(body, "RETURN ", 7) == 0))
		return FIX_PHASE_ATOMIC_FUNCTION;
	return FIX_PHASE_FUNCTION;
}

/*
 * create_aggregate
 *		CREATE AGGREGATE from the aggregate's attributes: its functions by
 *		name (the signature is implied by the aggregate's), its types, its
 *		initial conditions as literals.
 */
static void
create_aggregate(SdFix *fix, SdObject *fn)
{
	static const char *const funcs[] = {"sfunc", "finalfunc", "combinefunc", "serialfunc",
	"deserialfunc", "msfunc", "minvfunc", "mfinalfunc", NULL};
	static const char *const types[] = {"stype", "mstype", NULL};
	JsonbValue *agg = sd_jsonb_get(obj_attrs(fn), "aggregate");
	JsonbContainer *a;
	StringInfoData buf;
	const char *const *k;
	char	   *args = attr(fn, "arguments");
	char	   *v;
	JsonbValue *jv;

	if (agg == NULL || agg->type != jbvBinary)
	{
		fix_invalid(fix, "an aggregate without its functions");
		return;
	}
	a = agg->val.binary.data;
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE OR REPLACE AGGREGATE %s(%s) (",
					 qualified(fn->key[0], fn->key[1]), args && args[0] ? args : "*");
#define AGG_TEXT(key) \
	((jv = sd_jsonb_get(a, (key))) != NULL && jv->type == jbvString ? \
	 pnstrdup(jv->val.string.val, jv->val.string.len) : NULL)
	for (k = funcs; *k; k++)
		if ((v = AGG_TEXT(*k)) != NULL)
		{
			if ((v = function_name_only(fix, v)) == NULL)
				return;
			appendStringInfo(&buf, "%s%s = %s", buf.data[buf.len - 1] == '(' ? "" : ", ", *k, v);
		}
	for (k = types; *k; k++)
		if ((v = AGG_TEXT(*k)) != NULL)
		{
			if (!check_type(fix, v))
				return;
			appendStringInfo(&buf, ", %s = %s", *k, v);
		}
	if ((v = AGG_TEXT("initcond")) != NULL)
		appendStringInfo(&buf, ", initcond = %s", quote_literal_cstr(v));
	if ((v = AGG_TEXT("minitcond")) != NULL)
		appendStringInfo(&buf, ", minitcond = %s", quote_literal_cstr(v));
	if ((jv = sd_jsonb_get(a, "sspace")) != NULL && jv->type == jbvNumeric)
		appendStringInfo(&buf, ", sspace = %s", sd_jsonb_value_text(jv, false));
	if ((jv = sd_jsonb_get(a, "finalfunc_extra")) != NULL && jv->type == jbvBool && jv->val.boolean)
		appendStringInfoString(&buf, ", finalfunc_extra");
	if ((v = AGG_TEXT("finalfunc_modify")) != NULL && strlen(v) == 1 && strchr("rsw", v[0]))
		appendStringInfo(&buf, ", finalfunc_modify = %s",
						 v[0] == 'r' ? "read_only" : v[0] == 's' ? "shareable" : "read_write");
	if ((v = AGG_TEXT("kind")) != NULL && strcmp(v, "hypothetical") == 0)
		appendStringInfoString(&buf, ", hypothetical");
#undef AGG_TEXT
	if ((v = attr(fn, "parallel")) != NULL &&
		(strcmp(v, "safe") == 0 || strcmp(v, "restricted") == 0))
		appendStringInfo(&buf, ", parallel = %s", v);
	if (sd_jsonb_get(a, "sortop") != NULL && sd_jsonb_get(a, "sortop")->type == jbvString)
	{
		fix->note = "schemadrift writes no fix for an aggregate with a sort operator yet";
		fix->invalid = true;
		return;
	}
	appendStringInfoChar(&buf, ')');
	add_step(fix, FIX_PHASE_FUNCTION, false, buf.data, T_DefineStmt, -1, NULL);
	add_trailers(fix, fn, FIX_PHASE_FUNCTION);
}

/*
 * add_routine_step
 *		CREATE OR REPLACE of routine fn (sql): ordered by what its body
 *		reads and calls (add_step), and before what calls it.
 */
static void
add_routine_step(SdFix *fix, SdObject *fn, const char *sql)
{
	add_step(fix, routine_phase(fn), false, sql, T_CreateFunctionStmt, -1, NULL);
	if (last_step(fix))
		last_step(fix)->creates = fn->identity;
}

static void
create_routine(SdFix *fix, SdObject *fn)
{
	char	   *sql;
	int			first;
	ListCell   *lc;

	if (kind_is(fn, "aggregate"))
	{
		create_aggregate(fix, fn);
		return;
	}
	sql = routine_statement(fix, fn);
	if (sql == NULL)
		return;
	add_routine_step(fix, fn, sql);
	first = list_length(fix->steps);
	add_trailers(fix, fn, routine_phase(fn));
	/* its owner, comment and grants after it, wherever it goes */
	if (!fix->invalid)
		for_each_from(lc, fix->steps, first)
			((SdFixStep *) lfirst(lc))->after = list_make1(fn->identity);
}

/* "name": CHECK (...) entries of a domain: the name, unquoted, and the check */
static bool
split_domain_check(const char *entry, char **name, char **check)
{
	const char *rest = parse_name(entry, name);

	if (rest == NULL || strncmp(rest, ": ", 2) != 0)
		return false;
	*check = pstrdup(rest + 2);
	return true;
}
static void
create_type(SdFix *fix, SdObject *typ)
{
	char	   *type = attr(typ, "type");
	char	   *name = obj_name(typ);
	StringInfoData buf;
	ListCell   *lc;

	if (type == NULL)
	{
		fix_invalid(fix, "a type without a type");
		return;
	}
	initStringInfo(&buf);
	if (strcmp(type, "enum") == 0)
	{
		appendStringInfo(&buf, "CREATE TYPE %s AS ENUM (", name);
		append_names(&buf, attr_strings(typ, "labels"), true);
		appendStringInfoChar(&buf, ')');
		add_step(fix, FIX_PHASE_TYPE, false, buf.data, T_CreateEnumStmt, -1, NULL);
	}
	else if (strcmp(type, "composite") == 0)
	{
		List	   *attrs = attr_strings(typ, "attributes");

		appendStringInfo(&buf, "CREATE TYPE %s AS (", name);
		foreach(lc, attrs)
			appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
							 (char *) lfirst(lc));
		appendStringInfoChar(&buf, ')');
		add_step(fix, FIX_PHASE_TYPE, false, buf.data, T_CompositeTypeStmt,
				 list_length(attrs), NULL);
	}
	else if (strcmp(type, "domain") == 0)
	{
		char	   *base = attr(typ, "base");
		char	   *collation = attr(typ, "collation");
		char	   *dflt = attr(typ, "default");

		if (base == NULL || !check_type(fix, base))
			return;
		appendStringInfo(&buf, "CREATE DOMAIN %s AS %s", name, base);
		if (collation != NULL)
		{
			if (!check_type(fix, collation))
				return;
			appendStringInfo(&buf, " COLLATE %s", collation);
		}
		if (dflt != NULL)
		{
			if (!check_expression(fix, dflt))
				return;
			appendStringInfo(&buf, " DEFAULT %s", dflt);
		}
		if (attr_bool(typ, "not_null"))
			appendStringInfoString(&buf, " NOT NULL");
		add_step(fix, FIX_PHASE_TYPE, false, buf.data, T_CreateDomainStmt, -1, NULL);
		foreach(lc, attr_strings(typ, "checks"))
		{
			char	   *cname;
			char	   *check;

			if (!split_domain_check(lfirst(lc), &cname, &check))
			{
				fix_invalid(fix, "a domain check that is not one");
				return;
			}
			add_step(fix, FIX_PHASE_TYPE, false,
					 psprintf("ALTER DOMAIN %s ADD CONSTRAINT %s %s", name,
							  quote_identifier(cname), check),
					 T_AlterDomainStmt, -1, NULL);
		}
	}
	else if (strcmp(type, "range") == 0)
	{
		JsonbValue *rng = sd_jsonb_get(obj_attrs(typ), "range");
		static const char *const keys[] = {"subtype", "subtype_opclass", "collation",
		"canonical", "subtype_diff", NULL};
		static const char *const words[] = {"SUBTYPE", "SUBTYPE_OPCLASS", "COLLATION",
		"CANONICAL", "SUBTYPE_DIFF", NULL};
		int			i;

		if (rng == NULL || rng->type != jbvBinary)
		{
			fix_invalid(fix, "a range without its subtype");
			return;
		}
		appendStringInfo(&buf, "CREATE TYPE %s AS RANGE (", name);
		for (i = 0; keys[i]; i++)
		{
			JsonbValue *v = sd_jsonb_get(rng->val.binary.data, keys[i]);
			char	   *s;

			if (v == NULL || v->type != jbvString)
				continue;
			s = pnstrdup(v->val.string.val, v->val.string.len);
			/* a function is named with its arguments: the name alone */
			if (i >= 3 && strchr(s, '('))
				*strchr(s, '(') = '\0';
			if (i > 0 && !check_type(fix, s))
				return;
			appendStringInfo(&buf, "%s%s = %s", i > 0 ? ", " : "", words[i], s);
		}
		{
			JsonbValue *mr = sd_jsonb_get(rng->val.binary.data, "multirange");

			if (mr != NULL && mr->type == jbvString)
				appendStringInfo(&buf, ", MULTIRANGE_TYPE_NAME = %s",
								 qualified(typ->key[0], pnstrdup(mr->val.string.val, mr->val.string.len)));
		}
		appendStringInfoChar(&buf, ')');
		add_step(fix, FIX_PHASE_TYPE, false, buf.data, T_CreateRangeStmt, -1, NULL);
	}
	else if (strcmp(type, "base") == 0 || strcmp(type, "shell") == 0)
	{
		create_base_type(fix, typ);
		return;
	}
	else
	{
		fix->note = psprintf("schemadrift writes no fix for %s types yet", type);
		fix->invalid = true;
		return;
	}
	add_trailers(fix, typ, FIX_PHASE_TYPE);
}

/* the operations a publication publishes, as its publish option spells them */
static char *
publish_list(SdObject *pub)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, attr_strings(pub, "publish"))
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", (char *) lfirst(lc));
	return buf.data;
}

/* ALTER PUBLICATION ... ADD of a table or schema m of a publication */
static void
add_publication_member(SdFix *fix, SdObject *m)
{
	StringInfoData t;
	char	   *filter = attr(m, "row_filter");
	List	   *cols = attr_strings(m, "columns");

	initStringInfo(&t);
	appendStringInfo(&t, "ALTER PUBLICATION %s ADD ", quote_identifier(m->key[0]));
	if (kind_is(m, "publication namespace"))
		appendStringInfo(&t, "TABLES IN SCHEMA %s", quote_identifier(m->key[1]));
	else
	{
		appendStringInfo(&t, "TABLE %s", qualified(m->key[1], m->key[2]));
		if (cols != NIL)
		{
			appendStringInfoString(&t, " (");
			append_names(&t, cols, false);
			appendStringInfoChar(&t, ')');
		}
		if (filter != NULL)
		{
			if (!check_expression(fix, filter))
				return;
			appendStringInfo(&t, " WHERE (%s)", filter);
		}
	}
	add_step(fix, FIX_PHASE_PUBLICATION, false, t.data, T_AlterPublicationStmt, -1, NULL);
}

static void
create_publication(SdFixContext *ctx, SdFix *fix, SdObject *pub)
{
	StringInfoData buf;
	char	   *publish = publish_list(pub);
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE PUBLICATION %s%s", obj_name(pub),
					 attr_bool(pub, "all_tables") ? " FOR ALL TABLES" : "");
	appendStringInfo(&buf, " WITH (publish = %s, publish_via_partition_root = %s)",
					 quote_literal_cstr(publish),
					 attr_bool(pub, "publish_via_partition_root") ? "true" : "false");
	add_step(fix, FIX_PHASE_PUBLICATION, false, buf.data, T_CreatePublicationStmt, -1, NULL);
	foreach(lc, children_of(ctx, true, pub, NULL))
		add_publication_member(fix, lfirst(lc));
	add_trailers(fix, pub, FIX_PHASE_PUBLICATION);
}


/* OPTIONS (name 'value', ...) of an options list ("name=value" entries) */
static void
add_fdw_options(StringInfo buf, List *options)
{
	ListCell   *lc;

	if (options == NIL)
		return;
	appendStringInfoString(buf, " OPTIONS (");
	foreach(lc, options)
	{
		char	   *o = pstrdup(lfirst(lc));
		char	   *eq = strchr(o, '=');

		if (eq)
			*eq = '\0';
		appendStringInfo(buf, "%s%s %s", foreach_current_index(lc) > 0 ? ", " : "",
						 quote_identifier(o), quote_literal_cstr(eq ? eq + 1 : ""));
	}
	appendStringInfoChar(buf, ')');
}

/* a function named with its arguments ("s.f(integer)"): the name alone */
static char *
function_name_only(SdFix *fix, const char *regprocedure)
{
	char	   *name = pstrdup(regprocedure);
	char	   *paren = strchr(name, '(');

	if (paren)
		*paren = '\0';
	if (!check_type(fix, name))
		return NULL;
	return name;
}

static void
create_wrapper(SdFix *fix, SdObject *w)
{
	StringInfoData buf;
	char	   *handler = attr(w, "handler");
	char	   *validator = attr(w, "validator");

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE FOREIGN DATA WRAPPER %s", obj_name(w));
	if (handler && (handler = function_name_only(fix, handler)) != NULL)
		appendStringInfo(&buf, " HANDLER %s", handler);
	if (validator && (validator = function_name_only(fix, validator)) != NULL)
		appendStringInfo(&buf, " VALIDATOR %s", validator);
	add_fdw_options(&buf, attr_strings(w, "options"));
	add_step(fix, FIX_PHASE_EXTENSION, false, buf.data, T_CreateFdwStmt, -1, NULL);
	add_trailers(fix, w, FIX_PHASE_EXTENSION);
}

static const char *const secret_note =
"options whose names say password, secret, token or key are not in the model: add them by hand";

static void
create_server(SdFixContext *ctx, SdFix *fix, SdObject *srv)
{
	StringInfoData buf;
	char	   *wrapper = attr(srv, "wrapper");
	char	   *type = attr(srv, "type");
	char	   *version = attr(srv, "version");
	ListCell   *lc;

	if (wrapper == NULL)
	{
		fix_invalid(fix, "a server without a wrapper");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE SERVER IF NOT EXISTS %s", obj_name(srv));
	if (type)
		appendStringInfo(&buf, " TYPE %s", quote_literal_cstr(type));
	if (version)
		appendStringInfo(&buf, " VERSION %s", quote_literal_cstr(version));
	appendStringInfo(&buf, " FOREIGN DATA WRAPPER %s", quote_identifier(wrapper));
	add_fdw_options(&buf, attr_strings(srv, "options"));
	add_step(fix, FIX_PHASE_EXTENSION, false, buf.data, T_CreateForeignServerStmt, -1, NULL);
	if (!fix->invalid)
		((SdFixStep *) llast(fix->steps))->remark = (char *) secret_note;
	add_trailers(fix, srv, FIX_PHASE_EXTENSION);
	foreach(lc, children_of(ctx, true, srv, "user mapping"))
		create_user_mapping(fix, lfirst(lc));
}

/*
 * A user mapping's options hold a password and are never read: its CREATE
 * is written with placeholders, and only as a comment.
 */
static void
create_user_mapping(SdFix *fix, SdObject *um)
{
	SdFixStep  *step;

	add_step(fix, FIX_PHASE_EXTENSION, false,
			 psprintf("CREATE USER MAPPING IF NOT EXISTS FOR %s SERVER %s OPTIONS (user %s, password %s)",
					  strcmp(um->key[1], "public") == 0 ? "PUBLIC" : quote_identifier(um->key[1]),
					  quote_identifier(um->key[0]), quote_literal_cstr("<user>"),
					  quote_literal_cstr("<password>")),
			 T_CreateUserMappingStmt, -1, NULL);
	if (fix->invalid)
		return;
	step = llast(fix->steps);
	step->manual = "a user mapping's options hold a password, which no snapshot or diff holds: fill in the options and run it yourself";
}

static void
create_foreign_table(SdFixContext *ctx, SdFix *fix, SdObject *ft)
{
	StringInfoData buf;
	char	   *server = attr(ft, "server");
	List	   *columns = children_of(ctx, true, ft, "foreign table column");
	List	   *order = attr_strings(ft, "column_order");
	List	   *sorted;
	ListCell   *lc;
	int			n = 0;

	if (server == NULL)
	{
		fix_invalid(fix, "a foreign table without a server");
		return;
	}
	sorted = ordered_columns(columns, order);
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE FOREIGN TABLE IF NOT EXISTS %s (", obj_name(ft));
	foreach(lc, sorted)
	{
		SdObject   *col = lfirst(lc);
		char	   *def = column_definition(fix, col);

		if (def == NULL)
			return;
		appendStringInfo(&buf, "%s\n    %s", n++ > 0 ? "," : "", def);
	}
	foreach(lc, children_of(ctx, true, ft, "table constraint"))
	{
		SdObject   *con = lfirst(lc);
		char	   *def = attr(con, "definition");

		if (def == NULL || constraint_name(con) == NULL)
		{
			fix_invalid(fix, "a constraint without a name or a definition");
			return;
		}
		appendStringInfo(&buf, "%s\n    CONSTRAINT %s %s", n++ > 0 ? "," : "",
						 quote_identifier(constraint_name(con)), def);
	}
	appendStringInfo(&buf, "%s) SERVER %s", n > 0 ? "\n" : "", quote_identifier(server));
	add_fdw_options(&buf, attr_strings(ft, "options"));
	add_step(fix, FIX_PHASE_TABLE, false, buf.data, T_CreateForeignTableStmt, -1, NULL);
	add_trailers(fix, ft, FIX_PHASE_TABLE);
}

static void
create_event_trigger(SdFix *fix, SdObject *et)
{
	StringInfoData buf;
	char	   *event = attr(et, "event");
	char	   *function = attr(et, "function");
	char	   *enabled = attr(et, "enabled");
	List	   *tags = attr_strings(et, "tags");

	if (event == NULL || function == NULL ||
		(function = function_name_only(fix, function)) == NULL)
	{
		fix_invalid(fix, "an event trigger without an event or a function");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE EVENT TRIGGER %s ON %s", obj_name(et), quote_identifier(event));
	if (tags != NIL)
	{
		appendStringInfoString(&buf, " WHEN TAG IN (");
		append_names(&buf, tags, true);
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfo(&buf, " EXECUTE FUNCTION %s()", function);
	add_step(fix, FIX_PHASE_TRIGGER, false, buf.data, T_CreateEventTrigStmt, -1, NULL);
	if (enabled != NULL && strcmp(enabled, "origin") != 0)
		add_step(fix, FIX_PHASE_TRIGGER, false,
				 psprintf("ALTER EVENT TRIGGER %s %s", obj_name(et),
						  enable_words(enabled)),
				 T_AlterEventTrigStmt, -1, NULL);
	add_trailers(fix, et, FIX_PHASE_TRIGGER);
}

static void
create_collation(SdFix *fix, SdObject *c)
{
	StringInfoData buf;
	char	   *provider = attr(c, "provider");
	char	   *locale = attr(c, "locale");
	char	   *lc_collate = attr(c, "lc_collate");
	char	   *lc_ctype = attr(c, "lc_ctype");
	char	   *rules = attr(c, "rules");

	if (provider == NULL || strspn(provider, "abcdefghijklmnopqrstuvwxyz") != strlen(provider))
	{
		fix_invalid(fix, "a collation without a provider");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE COLLATION IF NOT EXISTS %s (provider = %s", obj_name(c), provider);
	if (locale)
		appendStringInfo(&buf, ", locale = %s", quote_literal_cstr(locale));
	else
	{
		if (lc_collate)
			appendStringInfo(&buf, ", lc_collate = %s", quote_literal_cstr(lc_collate));
		if (lc_ctype)
			appendStringInfo(&buf, ", lc_ctype = %s", quote_literal_cstr(lc_ctype));
	}
	if (rules)
		appendStringInfo(&buf, ", rules = %s", quote_literal_cstr(rules));
	if (attr_present(c, "deterministic") && !attr_bool(c, "deterministic"))
		appendStringInfoString(&buf, ", deterministic = false");
	appendStringInfoChar(&buf, ')');
	add_step(fix, FIX_PHASE_COLLATION, false, buf.data, T_DefineStmt, -1, NULL);
	add_trailers(fix, c, FIX_PHASE_COLLATION);
}

/*
 * Default privileges: key (role, schema or "", object type).  An absent
 * entry is, for the whole database, the built-in defaults of the object
 * type, and in a schema, nothing beyond them.
 */
static List *
default_acl_base(SdObject *da)
{
	static const struct
	{
		const char *objtype;
		const char *kind;
	}			kinds[] = {
		{"tables", "table"}, {"sequences", "sequence"}, {"functions", "function"},
		{"types", "type"}, {"schemas", "schema"}
	};
	SdObject	fake;
	int			i;

	if (da->key[1][0] != '\0')
		return NIL;
	for (i = 0; i < lengthof(kinds); i++)
		if (strcmp(da->key[2], kinds[i].objtype) == 0)
		{
			memset(&fake, 0, sizeof(fake));
			fake.kind = (char *) kinds[i].kind;
			return default_privileges(&fake);
		}
	return NIL;
}

static void
fix_default_acl(SdFix *fix, SdObject *src, SdObject *tgt)
{
	SdObject   *da = src ? src : tgt;
	const char *objtype = da->key[2];
	char	   *head;

	if (strspn(objtype, "abcdefghijklmnopqrstuvwxyz ") != strlen(objtype))
	{
		fix_invalid(fix, "an object type that is not one");
		return;
	}
	head = psprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s%s%s ",
					quote_identifier(da->key[0]),
					da->key[1][0] ? " IN SCHEMA " : "",
					da->key[1][0] ? quote_identifier(da->key[1]) : "");
	grant_diff(fix, head, str_toupper(objtype, strlen(objtype), C_COLLATION_OID), NULL,
			   src && attr_present(src, "privileges") ? attr_strings(src, "privileges") : default_acl_base(da),
			   tgt && attr_present(tgt, "privileges") ? attr_strings(tgt, "privileges") : default_acl_base(da),
			   da->key[0], FIX_PHASE_OTHER, T_AlterDefaultPrivilegesStmt);
	/* privileges the target's entry has and the source's lacks are revoked */
	if (tgt != NULL && src == NULL && !fix->invalid)
	{
		ListCell   *lc;

		foreach(lc, fix->steps)
			((SdFixStep *) lfirst(lc))->destructive = "takes default privileges away from objects created from now on";
	}
}

/* a rule: its definition is the whole CREATE RULE */
static void
create_rule(SdFix *fix, SdObject *rule, bool replace)
{
	char	   *def = attr(rule, "definition");
	char	   *enabled = attr(rule, "enabled");
	char	   *comment = attr(rule, "comment");
	int			len;

	if (def == NULL || strncmp(def, "CREATE RULE ", 12) != 0)
	{
		fix_invalid(fix, "a rule without a definition");
		return;
	}
	def = replace ? psprintf("CREATE OR REPLACE RULE %s", def + 12) : pstrdup(def);
	len = strlen(def);
	while (len > 0 && (def[len - 1] == ';' || def[len - 1] == '\n' || def[len - 1] == ' '))
		def[--len] = '\0';
	add_step(fix, FIX_PHASE_TRIGGER, false, def, T_RuleStmt, -1, NULL);
	if (enabled != NULL && strcmp(enabled, "origin") != 0)
		add_step(fix, FIX_PHASE_TRIGGER, false,
				 psprintf("ALTER TABLE %s %s RULE %s", parent_name(rule), enable_words(enabled),
						  quote_identifier(rule->key[2])),
				 T_AlterTableStmt, 1, NULL);
	if (comment != NULL)
		add_comment(fix, rule, comment, FIX_PHASE_TRIGGER);
}

/* ---- objects made of functions and types -------------------------------- */

/*
 * Languages, access methods, casts, transforms, conversions, operators,
 * operator families and classes, text search objects, base and shell types,
 * and subscriptions.  Most are made of functions and types the model reads
 * as regprocedure or format_type() text: a function is named by its name
 * alone where the statement takes a name (checked to be one), by its
 * signature where it takes one (checked to be one), and every statement
 * must parse as exactly the statement intended with the number of items
 * intended.  Names of the object itself come from its key, quoted here.
 */

/* whether obj is of a kind this section writes the statements of */
static bool
is_support_kind(SdObject *obj)
{
	static const char *const kinds[] = {
		"language", "access method", "cast", "transform", "operator",
		"operator family", "operator class", "conversion",
		"text search configuration", "text search dictionary",
		"text search parser", "text search template", "subscription", NULL
	};
	const char *const *k;

	for (k = kinds; *k; k++)
		if (strcmp(obj->kind, *k) == 0)
			return true;
	return false;
}

/* the number of key parts each kind has (a crafted snapshot may differ) */
static bool
support_key_ok(SdObject *obj)
{
	int			want = 2;

	if (kind_is(obj, "language") || kind_is(obj, "access method") ||
		kind_is(obj, "subscription"))
		want = 1;
	else if (kind_is(obj, "cast"))
		want = 4;
	else if (kind_is(obj, "transform") || kind_is(obj, "operator family") ||
			 kind_is(obj, "operator class"))
		want = 3;
	else if (kind_is(obj, "operator"))
		want = 6;
	return obj->nkey == want;
}

/*
 * support_phase
 *		Where an object of these kinds is created (and, in reverse, dropped).
 *		A language needs its handler (a C function) and comes before the
 *		routines written in it; the rest need functions and types (a cast,
 *		a transform, an operator, a conversion, an access method's handler,
 *		a text search parser's or template's functions); families and text
 *		search dictionaries need those (operators, templates), classes and
 *		configurations need families and dictionaries.  A subscription
 *		needs nothing of this database: last.
 */
static SdFixPhase
support_phase(SdObject *obj)
{
	if (kind_is(obj, "language"))
		return FIX_PHASE_LANGUAGE;
	if (kind_is(obj, "operator family") || kind_is(obj, "text search dictionary"))
		return FIX_PHASE_OPERATOR_FAMILY;
	if (kind_is(obj, "operator class") || kind_is(obj, "text search configuration"))
		return FIX_PHASE_OPERATOR_CLASS;
	if (kind_is(obj, "subscription"))
		return FIX_PHASE_OTHER;
	return FIX_PHASE_OPERATOR;
}

/* a type named by two key parts, or NONE when both are empty */
static char *
key_type(SdObject *obj, int i)
{
	if (obj->key[i][0] == '\0' && obj->key[i + 1][0] == '\0')
		return (char *) "NONE";
	return qualified(obj->key[i], obj->key[i + 1]);
}

/*
 * valid_operator_name
 *		Whether name is an operator's name: the characters PostgreSQL allows
 *		in one, no comment start, and not too long.
 */
static bool
valid_operator_name(const char *name)
{
	return name[0] != '\0' && strlen(name) < NAMEDATALEN &&
		strspn(name, "+-*/<>=~!@#%^&|`?") == strlen(name) &&
		strstr(name, "--") == NULL && strstr(name, "/*") == NULL;
}

/* schema.op (left, right) of an operator, from its key; NULL if bad */
static char *
operator_signature(SdObject *op)
{
	if (!valid_operator_name(op->key[1]))
		return NULL;
	return psprintf("%s.%s (%s, %s)", quote_identifier(op->key[0]), op->key[1],
					key_type(op, 2), key_type(op, 4));
}

/*
 * operator_ref
 *		The name of the operator regoperator text names ("s.op(l,r)"): the
 *		text before its argument types, checked to be an operator's name,
 *		schema-qualified or not.  NULL, and the fix invalid, if it is not.
 */
static char *
operator_ref(SdFix *fix, const char *regoperator)
{
	const char *p;
	const char *dot = NULL;
	bool		quoted = false;
	char	   *schema;
	const char *rest;

	for (p = regoperator; *p; p++)
	{
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '(')
			break;
		else if (!quoted && *p == '.')
			dot = p;
	}
	if (!valid_operator_name(pnstrdup(dot ? dot + 1 : regoperator,
									  p - (dot ? dot + 1 : regoperator))))
	{
		fix_invalid(fix, "an operator that is not one");
		return NULL;
	}
	if (dot != NULL)
	{
		rest = parse_name(regoperator, &schema);
		if (rest != dot)
		{
			fix_invalid(fix, "an operator that is not one");
			return NULL;
		}
	}
	return pnstrdup(regoperator, p - regoperator);
}

/*
 * parse_statement
 *		sql parsed as one statement of type tag: the statement, or NULL and
 *		the fix invalid (why: what sql was meant to be, when it parses as
 *		something else).
 */
static Node *
parse_statement(SdFix *fix, const char *sql, NodeTag tag, const char *why)
{
	char	   *error;
	List	   *stmts;

	if (fix->invalid)
		return NULL;
	stmts = parse_one(sql, &error);
	if (error != NULL || list_length(stmts) != 1 ||
		nodeTag(linitial_node(RawStmt, stmts)->stmt) != tag)
	{
		fix_invalid(fix, error ? error : why);
		return NULL;
	}
	return linitial_node(RawStmt, stmts)->stmt;
}

/*
 * check_signature
 *		Whether text is one function with its argument types, as regprocedure
 *		spells it: "DROP FUNCTION text" must name exactly one function.
 */
static bool
check_signature(SdFix *fix, const char *text)
{
	Node	   *stmt = parse_statement(fix, psprintf("DROP FUNCTION %s", text), T_DropStmt,
									   "a function that is not one");

	if (stmt != NULL &&
		(list_length(((DropStmt *) stmt)->objects) != 1 || strchr(text, '(') == NULL))
		fix_invalid(fix, "a function that is not one");
	return !fix->invalid;
}

/* the attribute key of obj as a function name alone, or NULL if absent */
static char *
attr_function(SdFix *fix, SdObject *obj, const char *key, bool *bad)
{
	char	   *f = attr(obj, key);

	if (f == NULL)
		return NULL;
	f = function_name_only(fix, f);
	if (f == NULL)
		*bad = true;
	return f;
}

/*
 * support_words
 *		object_words() of these kinds: how COMMENT ON, ALTER ... OWNER TO and
 *		DROP name them.
 */
static bool
support_words(SdObject *obj, const char **words, char **name)
{
	const char *k = obj->kind;

	if (!is_support_kind(obj) || !support_key_ok(obj))
		return false;
	if (strcmp(k, "language") == 0)
		*words = "LANGUAGE";
	else if (strcmp(k, "access method") == 0)
		*words = "ACCESS METHOD";
	else if (strcmp(k, "subscription") == 0)
		*words = "SUBSCRIPTION";
	else if (strcmp(k, "conversion") == 0)
		*words = "CONVERSION";
	else if (strncmp(k, "text search ", 12) == 0)
		*words = str_toupper(k, strlen(k), C_COLLATION_OID);
	else if (strcmp(k, "cast") == 0)
	{
		*words = "CAST";
		*name = psprintf("(%s AS %s)", qualified(obj->key[0], obj->key[1]),
						 qualified(obj->key[2], obj->key[3]));
	}
	else if (strcmp(k, "transform") == 0)
	{
		*words = "TRANSFORM";
		*name = psprintf("FOR %s LANGUAGE %s", qualified(obj->key[0], obj->key[1]),
						 quote_identifier(obj->key[2]));
	}
	else if (strcmp(k, "operator") == 0)
	{
		*words = "OPERATOR";
		if ((*name = operator_signature(obj)) == NULL)
			return false;
	}
	else
	{
		*words = kind_is(obj, "operator family") ? "OPERATOR FAMILY" : "OPERATOR CLASS";
		*name = psprintf("%s USING %s", qualified(obj->key[0], obj->key[1]),
						 quote_identifier(obj->key[2]));
	}
	if (*name == NULL)
		*name = obj_name(obj);
	return true;
}

/* what the CREATE of a replacement of obj is known as (SdFixStep.creates) */
static char *
replacement_tag(SdObject *obj)
{
	return psprintf("%s %s", obj->kind, obj->identity);
}

/*
 * replace_whole
 *		Drop the target's object and create the source's: replace_object(),
 *		with every step gated as the drop is, so that a script that leaves
 *		the drop as a comment does not fail on a CREATE of what is still
 *		there.
 */
static void
replace_whole(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt,
			  const char *why)
{
	ListCell   *lc;

	bool		first = true;

	replace_object(ctx, fix, src, tgt, why);
	if (fix->invalid)
		return;
	foreach(lc, fix->steps)
	{
		SdFixStep  *step = lfirst(lc);

		if (step->destructive == NULL)
			step->destructive = psprintf("creates again what the drop before it removes: %s", why);
		/* the other rows of the object wait for it (wait_for_replacement) */
		if (!step->drop && first)
		{
			step->creates = replacement_tag(src);
			first = false;
		}
	}
}

/*
 * wait_for_replacement
 *		The steps of a row that changes obj in place run after the CREATE of
 *		a row that makes obj again, when one does (replace_whole()): a
 *		comment set between the drop and the create would fail.
 */
static void
wait_for_replacement(SdFix *fix, SdObject *obj)
{
	ListCell   *lc;

	if (fix->invalid || (!is_support_kind(obj) && !kind_is(obj, "type")))
		return;
	foreach(lc, fix->steps)
	{
		SdFixStep  *step = lfirst(lc);

		if (!step->drop && step->after == NIL && step->creates == NULL)
			step->after = list_make1(replacement_tag(obj));
	}
}

/*
 * create_cast
 *		CREATE CAST between the types of its key: WITH FUNCTION of the
 *		source's function (checked to be one signature), WITH INOUT or
 *		WITHOUT FUNCTION, in its context.
 */
static void
create_cast(SdFix *fix, SdObject *c)
{
	StringInfoData buf;
	char	   *function = attr(c, "function");
	char	   *context = attr(c, "context");
	char	   *method = attr(c, "method");
	const char *how;

	if (method == NULL || context == NULL)
	{
		fix_invalid(fix, "a cast without a method or a context");
		return;
	}
	if (strcmp(method, "function") == 0 && function != NULL)
	{
		if (!check_signature(fix, function))
			return;
		how = psprintf("WITH FUNCTION %s", function);
	}
	else if (strcmp(method, "inout") == 0)
		how = "WITH INOUT";
	else if (strcmp(method, "binary") == 0)
		how = "WITHOUT FUNCTION";
	else
	{
		fix_invalid(fix, "a cast method that is not one");
		return;
	}
	if (strcmp(context, "explicit") != 0 && strcmp(context, "assignment") != 0 &&
		strcmp(context, "implicit") != 0)
	{
		fix_invalid(fix, "a cast context that is not one");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE CAST (%s AS %s) %s%s",
					 qualified(c->key[0], c->key[1]), qualified(c->key[2], c->key[3]), how,
					 strcmp(context, "assignment") == 0 ? " AS ASSIGNMENT" :
					 strcmp(context, "implicit") == 0 ? " AS IMPLICIT" : "");
	add_step(fix, FIX_PHASE_OPERATOR, false, buf.data, T_CreateCastStmt, -1, NULL);
	add_trailers(fix, c, FIX_PHASE_OPERATOR);
}

/*
 * create_language
 *		CREATE OR REPLACE LANGUAGE: for a missing language, and for one whose
 *		trust or functions differ (OR REPLACE keeps its owner, privileges and
 *		routines).  trailers: its owner, comment and privileges too.
 */
static void
create_language(SdFix *fix, SdObject *l, bool trailers)
{
	StringInfoData buf;
	bool		bad = false;
	char	   *handler = attr_function(fix, l, "handler", &bad);
	char	   *inl = attr_function(fix, l, "inline", &bad);
	char	   *validator = attr_function(fix, l, "validator", &bad);

	if (bad)
		return;
	if (handler == NULL)
	{
		fix_invalid(fix, "a language without a handler");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE OR REPLACE %sLANGUAGE %s HANDLER %s",
					 attr_bool(l, "trusted") ? "TRUSTED " : "", quote_identifier(l->key[0]), handler);
	if (inl != NULL)
		appendStringInfo(&buf, " INLINE %s", inl);
	if (validator != NULL)
		appendStringInfo(&buf, " VALIDATOR %s", validator);
	add_step(fix, FIX_PHASE_LANGUAGE, false, buf.data, T_CreatePLangStmt, -1, NULL);
	if (trailers)
		add_trailers(fix, l, FIX_PHASE_LANGUAGE);
}

/* CREATE ACCESS METHOD of its type with its handler (a name) */
static void
create_access_method(SdFix *fix, SdObject *am)
{
	bool		bad = false;
	char	   *type = attr(am, "type");
	char	   *handler = attr_function(fix, am, "handler", &bad);

	if (bad)
		return;
	if (handler == NULL || type == NULL ||
		(strcmp(type, "index") != 0 && strcmp(type, "table") != 0))
	{
		fix_invalid(fix, "an access method without a type or a handler");
		return;
	}
	add_step(fix, FIX_PHASE_OPERATOR, false,
			 psprintf("CREATE ACCESS METHOD %s TYPE %s HANDLER %s", quote_identifier(am->key[0]),
					  strcmp(type, "index") == 0 ? "INDEX" : "TABLE", handler),
			 T_CreateAmStmt, -1, NULL);
	add_trailers(fix, am, FIX_PHASE_OPERATOR);
}

/*
 * create_transform
 *		CREATE OR REPLACE TRANSFORM: for a missing transform and for one
 *		whose functions differ (OR REPLACE sets both, an absent one to none).
 */
static void
create_transform(SdFix *fix, SdObject *tr, bool trailers)
{
	StringInfoData buf;
	char	   *from = attr(tr, "from_sql");
	char	   *to = attr(tr, "to_sql");

	if ((from == NULL && to == NULL) || (from && !check_signature(fix, from)) ||
		(to && !check_signature(fix, to)))
	{
		fix_invalid(fix, "a transform without its functions");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE OR REPLACE TRANSFORM FOR %s LANGUAGE %s (",
					 qualified(tr->key[0], tr->key[1]), quote_identifier(tr->key[2]));
	if (from != NULL)
		appendStringInfo(&buf, "FROM SQL WITH FUNCTION %s", from);
	if (to != NULL)
		appendStringInfo(&buf, "%sTO SQL WITH FUNCTION %s", from ? ", " : "", to);
	appendStringInfoChar(&buf, ')');
	add_step(fix, FIX_PHASE_OPERATOR, false, buf.data, T_CreateTransformStmt, -1, NULL);
	if (trailers)
		add_trailers(fix, tr, FIX_PHASE_OPERATOR);
}

/* CREATE [DEFAULT] CONVERSION: its encodings as literals, its function */
static void
create_conversion(SdFix *fix, SdObject *cv)
{
	bool		bad = false;
	char	   *from = attr(cv, "source");
	char	   *to = attr(cv, "destination");
	char	   *function = attr_function(fix, cv, "function", &bad);

	if (bad)
		return;
	if (from == NULL || to == NULL || function == NULL)
	{
		fix_invalid(fix, "a conversion without its encodings or its function");
		return;
	}
	add_step(fix, FIX_PHASE_OPERATOR, false,
			 psprintf("CREATE %sCONVERSION %s FOR %s TO %s FROM %s",
					  attr_bool(cv, "default") ? "DEFAULT " : "", obj_name(cv),
					  quote_literal_cstr(from), quote_literal_cstr(to), function),
			 T_CreateConversionStmt, -1, NULL);
	add_trailers(fix, cv, FIX_PHASE_OPERATOR);
}

/*
 * define_with_functions
 *		"CREATE head name (WORD = function, ...)" of the function attributes
 *		keys (spelled words), those absent left out, then its trailers: a
 *		text search parser or template.
 */
static void
define_with_functions(SdFix *fix, SdObject *obj, const char *head,
					  const char *const *keys, const char *const *words)
{
	StringInfoData buf;
	int			n = 0;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %s %s (", head, obj_name(obj));
	for (i = 0; keys[i]; i++)
	{
		bool		bad = false;
		char	   *f = attr_function(fix, obj, keys[i], &bad);

		if (bad)
			return;
		if (f != NULL)
			appendStringInfo(&buf, "%s%s = %s", n++ > 0 ? ", " : "", words[i], f);
	}
	appendStringInfoChar(&buf, ')');
	add_step(fix, FIX_PHASE_OPERATOR, false, buf.data, T_DefineStmt, n, NULL);
	add_trailers(fix, obj, FIX_PHASE_OPERATOR);
}

/*
 * dictionary_options
 *		The options of a text search dictionary as core keeps them
 *		("name = 'value', ..."): the number of them, their names into *names
 *		(if not NULL); -1 and the fix invalid if the text is not a list of
 *		options.
 */
static int
dictionary_options(SdFix *fix, const char *options, List **names)
{
	Node	   *stmt = parse_statement(fix, psprintf("ALTER TEXT SEARCH DICTIONARY x (%s)", options),
									   T_AlterTSDictionaryStmt, "dictionary options that are not");
	ListCell   *lc;

	if (stmt == NULL)
		return -1;
	if (names != NULL)
		foreach(lc, ((AlterTSDictionaryStmt *) stmt)->options)
			*names = lappend(*names, ((DefElem *) lfirst(lc))->defname);
	return list_length(((AlterTSDictionaryStmt *) stmt)->options);
}

/*
 * create_ts_dictionary
 *		CREATE TEXT SEARCH DICTIONARY of its template, with its options as
 *		core keeps them (checked to be a list of options, and counted).
 */
static void
create_ts_dictionary(SdFix *fix, SdObject *d)
{
	char	   *template = attr(d, "template");
	char	   *options = attr(d, "options");
	int			n = 0;

	if (template == NULL || !check_type(fix, template))
	{
		fix_invalid(fix, "a dictionary without a template");
		return;
	}
	if (options != NULL && (n = dictionary_options(fix, options, NULL)) < 0)
		return;
	add_step(fix, FIX_PHASE_OPERATOR_FAMILY, false,
			 psprintf("CREATE TEXT SEARCH DICTIONARY %s (TEMPLATE = %s%s%s)", obj_name(d),
					  template, options ? ", " : "", options ? options : ""),
			 T_DefineStmt, n + 1, NULL);
	add_trailers(fix, d, FIX_PHASE_OPERATOR_FAMILY);
}

/*
 * ts_mapping
 *		Split a mapping of a text search configuration ("token: dictionaries
 *		in order") into the token, checked to be a plain word as the parser
 *		names its tokens, and the dictionaries.
 */
static bool
ts_mapping(SdFix *fix, const char *entry, char **token, char **dicts)
{
	const char *colon = strstr(entry, ": ");

	if (colon == NULL || colon == entry ||
		strspn(entry, "abcdefghijklmnopqrstuvwxyz0123456789_") != colon - entry)
	{
		fix_invalid(fix, "a token mapping that is not one");
		return false;
	}
	*token = pnstrdup(entry, colon - entry);
	*dicts = pstrdup(colon + 2);
	return true;
}

/* ALTER TEXT SEARCH CONFIGURATION ... ADD/ALTER MAPPING of one token */
static void
ts_map(SdFix *fix, SdObject *cfg, const char *entry, const char *verb)
{
	char	   *token;
	char	   *dicts;

	if (!ts_mapping(fix, entry, &token, &dicts))
		return;
	add_step(fix, FIX_PHASE_OPERATOR_CLASS, false,
			 psprintf("ALTER TEXT SEARCH CONFIGURATION %s %s MAPPING FOR %s WITH %s",
					  obj_name(cfg), verb, quote_identifier(token), dicts),
			 T_AlterTSConfigurationStmt, 1, NULL);
}

/* CREATE TEXT SEARCH CONFIGURATION of its parser, then ADD MAPPING of each token */
static void
create_ts_configuration(SdFix *fix, SdObject *cfg)
{
	char	   *parser = attr(cfg, "parser");
	ListCell   *lc;

	if (parser == NULL || !check_type(fix, parser))
	{
		fix_invalid(fix, "a configuration without a parser");
		return;
	}
	add_step(fix, FIX_PHASE_OPERATOR_CLASS, false,
			 psprintf("CREATE TEXT SEARCH CONFIGURATION %s (PARSER = %s)", obj_name(cfg), parser),
			 T_DefineStmt, 1, NULL);
	foreach(lc, attr_strings(cfg, "mappings"))
		ts_map(fix, cfg, lfirst(lc), "ADD");
	add_trailers(fix, cfg, FIX_PHASE_OPERATOR_CLASS);
}

/*
 * create_operator
 *		CREATE OPERATOR named and typed from its key: its function,
 *		commutator and negator (operator names), estimators (names),
 *		HASHES and MERGES.  A commutator or negator not made yet is made a
 *		shell, which its own CREATE then fills.
 */
static void
create_operator(SdFix *fix, SdObject *op)
{
	static const char *const refs[] = {"commutator", "negator", NULL};
	static const char *const estimators[] = {"restrict", "join", NULL};
	StringInfoData buf;
	bool		bad = false;
	char	   *function = attr_function(fix, op, "function", &bad);
	int			n = 1;
	int			i;

	if (bad)
		return;
	if (function == NULL || !valid_operator_name(op->key[1]))
	{
		fix_invalid(fix, "an operator without a function or a name");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE OPERATOR %s.%s (FUNCTION = %s", quote_identifier(op->key[0]),
					 op->key[1], function);
	if (strcmp(key_type(op, 2), "NONE") != 0)
	{
		appendStringInfo(&buf, ", LEFTARG = %s", key_type(op, 2));
		n++;
	}
	appendStringInfo(&buf, ", RIGHTARG = %s", key_type(op, 4));
	n++;
	for (i = 0; refs[i]; i++)
	{
		char	   *o = attr(op, refs[i]);

		if (o == NULL)
			continue;
		if ((o = operator_ref(fix, o)) == NULL)
			return;
		appendStringInfo(&buf, ", %s = OPERATOR(%s)", i == 0 ? "COMMUTATOR" : "NEGATOR", o);
		n++;
	}
	for (i = 0; estimators[i]; i++)
	{
		char	   *f = attr_function(fix, op, estimators[i], &bad);

		if (bad)
			return;
		if (f != NULL)
		{
			appendStringInfo(&buf, ", %s = %s", i == 0 ? "RESTRICT" : "JOIN", f);
			n++;
		}
	}
	if (attr_bool(op, "hashes"))
	{
		appendStringInfoString(&buf, ", HASHES");
		n++;
	}
	if (attr_bool(op, "merges"))
	{
		appendStringInfoString(&buf, ", MERGES");
		n++;
	}
	appendStringInfoChar(&buf, ')');
	add_step(fix, FIX_PHASE_OPERATOR, false, buf.data, T_DefineStmt, n, NULL);
	add_trailers(fix, op, FIX_PHASE_OPERATOR);
}

/*
 * family_member
 *		One item of ALTER OPERATOR FAMILY from a member as the model lists
 *		it ("number (left, right): member"): to add it, "OPERATOR number
 *		s.op(left,right) [FOR ORDER BY family]" or "FUNCTION number (left,
 *		right) s.f(args)"; to drop it, "OPERATOR|FUNCTION number (left,
 *		right)".  NULL, and the fix invalid, if the entry is not one.
 */
static char *
family_member(SdFix *fix, const char *entry, bool function, bool drop)
{
	const char *p = entry;
	const char *types;
	bool		quoted = false;
	int			depth = 0;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == entry || strncmp(p, " (", 2) != 0)
	{
		fix_invalid(fix, "a member of an operator family that is not one");
		return NULL;
	}
	types = p + 1;
	for (p = types; *p; p++)
	{
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '(')
			depth++;
		else if (!quoted && *p == ')' && --depth == 0)
			break;
	}
	if (*p != ')' || strncmp(p, "): ", 3) != 0)
	{
		fix_invalid(fix, "a member of an operator family that is not one");
		return NULL;
	}
	if (drop)
		return psprintf("%s %.*s", function ? "FUNCTION" : "OPERATOR", (int) (p + 1 - entry), entry);
	if (function)
		return psprintf("FUNCTION %.*s %s", (int) (p + 1 - entry), entry, p + 3);
	return psprintf("OPERATOR %.*s %s", (int) (types - 1 - entry), entry, p + 3);
}

/*
 * family_members
 *		"ALTER OPERATOR FAMILY ... ADD|DROP item, ..." of the operators and
 *		the functions of a family that are in want and not in have: one
 *		statement with exactly that many items.
 */
static void
family_members(SdFix *fix, SdObject *fam, List *want_ops, List *have_ops,
			   List *want_fns, List *have_fns, bool drop)
{
	StringInfoData buf;
	ListCell   *lc;
	int			n = 0;
	int			pass;

	initStringInfo(&buf);
	appendStringInfo(&buf, "ALTER OPERATOR FAMILY %s USING %s %s ",
					 qualified(fam->key[0], fam->key[1]), quote_identifier(fam->key[2]),
					 drop ? "DROP" : "ADD");
	for (pass = 0; pass < 2; pass++)
		foreach(lc, pass == 0 ? want_ops : want_fns)
		{
			char	   *item;

			if (sd_list_has_string(pass == 0 ? have_ops : have_fns, lfirst(lc)))
				continue;
			if ((item = family_member(fix, lfirst(lc), pass == 1, drop)) == NULL)
				return;
			appendStringInfo(&buf, "%s%s", n++ > 0 ? ", " : "", item);
		}
	if (n > 0)
		add_step(fix, FIX_PHASE_OPERATOR_FAMILY, false, buf.data, T_AlterOpFamilyStmt, n,
				 drop ? "drops members of the operator family: what uses them (an index, a query's plan) stops working" : NULL);
}

/* CREATE OPERATOR FAMILY, then ADD of every member it has */
static void
create_operator_family(SdFix *fix, SdObject *fam)
{
	add_step(fix, FIX_PHASE_OPERATOR_FAMILY, false,
			 psprintf("CREATE OPERATOR FAMILY %s USING %s", qualified(fam->key[0], fam->key[1]),
					  quote_identifier(fam->key[2])),
			 T_CreateOpFamilyStmt, -1, NULL);
	/* every member, those of its classes too: the classes are made empty */
	family_members(fix, fam, attr_strings(fam, "operators"), NIL,
				   attr_strings(fam, "functions"), NIL, false);
	add_trailers(fix, fam, FIX_PHASE_OPERATOR_FAMILY);
}

/*
 * create_operator_class
 *		CREATE OPERATOR CLASS in its family, with no member of its own: the
 *		model lists the members with the family (which adds them), not with
 *		the class.  STORAGE of the input type is no storage type at all.
 */
static void
create_operator_class(SdFix *fix, SdObject *opc)
{
	char	   *type = attr(opc, "type");
	char	   *family = attr(opc, "family");
	char	   *storage = attr(opc, "storage");

	if (type == NULL || family == NULL || !check_type(fix, type) || !check_type(fix, family) ||
		(storage != NULL && !check_type(fix, storage)))
	{
		fix_invalid(fix, "an operator class without a type or a family");
		return;
	}
	add_step(fix, FIX_PHASE_OPERATOR_CLASS, false,
			 psprintf("CREATE OPERATOR CLASS %s%s FOR TYPE %s USING %s FAMILY %s AS STORAGE %s",
					  qualified(opc->key[0], opc->key[1]), attr_bool(opc, "default") ? " DEFAULT" : "",
					  type, quote_identifier(opc->key[2]), family, storage ? storage : type),
			 T_CreateOpClassStmt, 1, NULL);
	add_trailers(fix, opc, FIX_PHASE_OPERATOR_CLASS);
}

/*
 * subscription_options
 *		The WITH (...) items of a subscription's attributes, each a keyword
 *		and a literal: its slot (NONE when it has none, which also means no
 *		slot is created) and the options the model reads.
 */
static char *
subscription_options(SdObject *sub)
{
	static const char *const bools[] = {"enabled", "binary", "two_phase", "disable_on_error",
	"password_required", "run_as_owner", "failover", NULL};
	static const char *const texts[] = {"streaming", "synchronous_commit", "origin", NULL};
	StringInfoData buf;
	const char *const *k;
	char	   *slot = attr(sub, "slot_name");

	initStringInfo(&buf);
	appendStringInfo(&buf, "slot_name = %s", slot ? quote_literal_cstr(slot) : "NONE, create_slot = false");
	for (k = bools; *k; k++)
		if (attr_present(sub, *k))
			appendStringInfo(&buf, ", %s = %s", *k, attr_bool(sub, *k) ? "true" : "false");
	for (k = texts; *k; k++)
		if (attr(sub, *k) != NULL)
			appendStringInfo(&buf, ", %s = %s", *k, quote_literal_cstr(attr(sub, *k)));
	return buf.data;
}

static const char *const subscription_manual =
"a subscription's connection string holds a password, which no snapshot or diff holds: fill it in and run this yourself (CREATE SUBSCRIPTION that makes a slot cannot run in a transaction block)";

/*
 * create_subscription
 *		CREATE SUBSCRIPTION with a placeholder for its connection string, as
 *		a comment only, and its comment and owner (which need it) likewise.
 */
static void
create_subscription(SdFix *fix, SdObject *sub)
{
	StringInfoData buf;
	List	   *pubs = attr_strings(sub, "publications");
	ListCell   *lc;

	if (pubs == NIL)
	{
		fix_invalid(fix, "a subscription without publications");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE SUBSCRIPTION %s CONNECTION %s PUBLICATION ",
					 quote_identifier(sub->key[0]), quote_literal_cstr("<connection string>"));
	append_names(&buf, pubs, false);
	appendStringInfo(&buf, " WITH (%s)", subscription_options(sub));
	add_step(fix, FIX_PHASE_OTHER, false, buf.data, T_CreateSubscriptionStmt, -1, NULL);
	add_trailers(fix, sub, FIX_PHASE_OTHER);
	if (!fix->invalid)
		foreach(lc, fix->steps)
			((SdFixStep *) lfirst(lc))->manual = (char *) subscription_manual;
}

/*
 * drop_subscription
 *		DROP SUBSCRIPTION, as a comment only: it drops the subscription's
 *		slot on the publisher (connecting to it), and cannot run in a
 *		transaction block while it has one.
 */
static void
drop_subscription(SdFix *fix, SdObject *sub)
{
	if (!support_key_ok(sub))
	{
		fix_invalid(fix, "a key of another length");
		return;
	}
	add_step(fix, FIX_PHASE_OTHER, true,
			 psprintf("DROP SUBSCRIPTION IF EXISTS %s", quote_identifier(sub->key[0])),
			 T_DropSubscriptionStmt, -1, "drops the subscription and its replication slot on the publisher");
	if (!fix->invalid)
		last_step(fix)->manual = "DROP SUBSCRIPTION drops its replication slot on the publisher and cannot run in a transaction block while it has one: run it yourself (or first ALTER SUBSCRIPTION ... DISABLE and SET (slot_name = NONE) to keep the slot)";
}

/*
 * Base and shell types.  A base type is made in two steps: its shell first
 * (with the types, before the C functions that take or return it), then its
 * definition, after those functions and before the tables and routines
 * that use it.  A shell is the first step alone.
 */

/* whether obj is a base type (not a shell: that has no definition) */
static bool
is_base_type(SdObject *obj)
{
	char	   *t = kind_is(obj, "type") ? attr(obj, "type") : NULL;

	return t != NULL && strcmp(t, "base") == 0;
}

/* the value of key in a base type's definition, as text, or NULL */
static char *
base_value(JsonbContainer *def, const char *key)
{
	JsonbValue *v = def ? sd_jsonb_get(def, key) : NULL;

	if (v == NULL || v->type == jbvNull)
		return NULL;
	return sd_jsonb_value_text(v, false);
}

/* a base type's definition (its base_type attribute), or NULL */
static JsonbContainer *
base_definition(SdObject *typ)
{
	JsonbValue *v = sd_jsonb_get(obj_attrs(typ), "base_type");

	return v != NULL && v->type == jbvBinary ? v->val.binary.data : NULL;
}

/* the definition keys that name functions, and their words */
static const char *const base_functions[] = {"input", "output", "receive", "send", "typmod_in",
"typmod_out", "analyze", "subscript", NULL};
static const char *const base_function_words[] = {"INPUT", "OUTPUT", "RECEIVE", "SEND",
"TYPMOD_IN", "TYPMOD_OUT", "ANALYZE", "SUBSCRIPT", NULL};

/* a word of a base type's alignment or storage, checked to be one */
static const char *
base_word(SdFix *fix, const char *v, const char *const *allowed)
{
	for (; v && *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return *allowed;
	fix_invalid(fix, "a base type's alignment or storage that is not one");
	return NULL;
}

static const char *const base_alignments[] = {"char", "int2", "int4", "double", NULL};
static const char *const base_storages[] = {"plain", "external", "main", "extended", NULL};

/*
 * The other items of a base type's definition, after its length, passing
 * and alignment: a literal ('l'), a type name ('t'), or a flag written only
 * when true ('b').
 */
static const struct
{
	const char *key;
	const char *word;
	char		how;
}			base_items[] = {
	{"category", "CATEGORY", 'l'}, {"preferred", "PREFERRED", 'b'},
	{"delimiter", "DELIMITER", 'l'}, {"element", "ELEMENT", 't'},
	{"collatable", "COLLATABLE", 'b'}, {"default", "DEFAULT", 'l'}, {NULL, NULL, 0}
};

/* CREATE TYPE name (INPUT = ..., ...): the definition of a base type */
static void
define_base_type(SdFix *fix, SdObject *typ)
{
	JsonbContainer *def = base_definition(typ);
	StringInfoData buf;
	const char *align;
	const char *storage;
	char	   *v;
	int			n = 0;
	int			i;

	if (def == NULL || base_value(def, "input") == NULL || base_value(def, "output") == NULL)
	{
		fix_invalid(fix, "a base type without its functions");
		return;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE TYPE %s (", obj_name(typ));
	for (i = 0; base_functions[i]; i++)
		if ((v = base_value(def, base_functions[i])) != NULL)
		{
			if ((v = function_name_only(fix, v)) == NULL)
				return;
			appendStringInfo(&buf, "%s%s = %s", n++ > 0 ? ", " : "", base_function_words[i], v);
		}
	v = base_value(def, "length");
	if (v == NULL || atoi(v) < 0)
		appendStringInfoString(&buf, ", INTERNALLENGTH = VARIABLE");
	else
		appendStringInfo(&buf, ", INTERNALLENGTH = %d", atoi(v));
	n++;
	if ((v = base_value(def, "by_value")) != NULL && strcmp(v, "true") == 0)
	{
		appendStringInfoString(&buf, ", PASSEDBYVALUE");
		n++;
	}
	if ((align = base_word(fix, base_value(def, "alignment"), base_alignments)) == NULL ||
		(storage = base_word(fix, base_value(def, "storage"), base_storages)) == NULL)
		return;
	appendStringInfo(&buf, ", ALIGNMENT = %s, STORAGE = %s", align, storage);
	n += 2;
	for (i = 0; base_items[i].key; i++)
	{
		if ((v = base_value(def, base_items[i].key)) == NULL ||
			(base_items[i].how == 'b' && strcmp(v, "true") != 0))
			continue;
		if (base_items[i].how == 't' && !check_type(fix, v))
			return;
		appendStringInfo(&buf, ", %s = %s", base_items[i].word,
						 base_items[i].how == 'l' ? quote_literal_cstr(v) : v);
		n++;
	}
	appendStringInfoChar(&buf, ')');
	add_step(fix, FIX_PHASE_BASE_TYPE, false, buf.data, T_DefineStmt, n, NULL);
}

/* a missing base or shell type: its shell, then its definition */
static void
create_base_type(SdFix *fix, SdObject *typ)
{
	add_step(fix, FIX_PHASE_TYPE, false, psprintf("CREATE TYPE %s", obj_name(typ)),
			 T_DefineStmt, 0, NULL);
	if (!is_base_type(typ))
	{
		add_trailers(fix, typ, FIX_PHASE_TYPE);
		return;
	}
	define_base_type(fix, typ);
	add_trailers(fix, typ, FIX_PHASE_BASE_TYPE);
}

/*
 * change_base_type
 *		A base type's definition that differs: its functions for binary I/O,
 *		type modifiers, analysis and subscripting and its storage change in
 *		place (ALTER TYPE ... SET); the rest only by making the type again,
 *		with every column of it.  A shell of the target is defined.
 */
static void
change_base_type(SdFix *fix, SdObject *src, SdObject *tgt)
{
	static const char *const settable[] = {"receive", "send", "typmod_in", "typmod_out",
	"analyze", "subscript", "storage", NULL};
	static const char *const fixed[] = {"input", "output", "length", "by_value", "alignment",
	"category", "preferred", "delimiter", "element", "collatable", "default", NULL};
	JsonbContainer *want = base_definition(src);
	JsonbContainer *have = base_definition(tgt);
	StringInfoData buf;
	const char *const *k;
	int			n = 0;

	if (want != NULL && !is_base_type(tgt))
	{
		char	   *t = attr(tgt, "type");

		if (t != NULL && strcmp(t, "shell") == 0)
		{
			define_base_type(fix, src);
			return;
		}
	}
	if (want == NULL || have == NULL)
	{
		fix->note = "the source's type is not a base type: its other rows say how it differs";
		fix->invalid = true;
		return;
	}
	for (k = fixed; *k; k++)
	{
		char	   *a = base_value(want, *k);
		char	   *b = base_value(have, *k);

		if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
		{
			fix->note = psprintf("a base type's %s cannot change in place: the type must be made again, and every column of it with it", *k);
			fix->invalid = true;
			return;
		}
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "ALTER TYPE %s SET (", obj_name(src));
	for (k = settable; *k; k++)
	{
		char	   *a = base_value(want, *k);
		char	   *b = base_value(have, *k);
		const char *v;

		if ((a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0))
			continue;
		if (strcmp(*k, "storage") == 0)
			v = base_word(fix, a, base_storages);
		else
			v = a ? function_name_only(fix, a) : "NONE";
		if (v == NULL)
			return;
		appendStringInfo(&buf, "%s%s = %s", n++ > 0 ? ", " : "",
						 str_toupper(*k, strlen(*k), C_COLLATION_OID), v);
	}
	appendStringInfoChar(&buf, ')');
	if (n > 0)
		add_step(fix, FIX_PHASE_BASE_TYPE, false, buf.data, T_AlterTypeStmt, -1, NULL);
}

/* whether a type is another sort of type on each side (a shell, an enum) */
static bool
type_shape_differs(SdObject *src, SdObject *tgt)
{
	char	   *a = attr(src, "type");
	char	   *b = attr(tgt, "type");

	return a != NULL && b != NULL && strcmp(a, b) != 0;
}

/*
 * change_type_shape
 *		A type that is another sort of type on each side (a shell and an
 *		enum), for each of its rows that differ (the script writes their
 *		equal statements once): a shell of the target becomes the source's
 *		base type in place; anything else is dropped and made again
 *		(destructive: it fails while a column uses it, and a base type goes
 *		with CASCADE).
 */
static void
change_type_shape(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt)
{
	char	   *t = attr(tgt, "type");

	if (is_base_type(src) && t != NULL && strcmp(t, "shell") == 0)
		define_base_type(fix, src);
	else
		replace_whole(ctx, fix, src, tgt, "drops the type to make it as the source has it");
}

/*
 * create_support
 *		sd_fix_missing() of these kinds.
 */
static void
create_support(SdFixContext *ctx, SdFix *fix, SdObject *src)
{
	static const char *const parser_keys[] = {"start", "gettoken", "end", "lextypes", "headline", NULL};
	static const char *const parser_words[] = {"START", "GETTOKEN", "END", "LEXTYPES", "HEADLINE", NULL};
	static const char *const template_keys[] = {"init", "lexize", NULL};
	static const char *const template_words[] = {"INIT", "LEXIZE", NULL};

	if (!support_key_ok(src))
		fix_invalid(fix, "a key of another length");
	else if (kind_is(src, "cast"))
		create_cast(fix, src);
	else if (kind_is(src, "language"))
		create_language(fix, src, true);
	else if (kind_is(src, "access method"))
		create_access_method(fix, src);
	else if (kind_is(src, "transform"))
		create_transform(fix, src, true);
	else if (kind_is(src, "conversion"))
		create_conversion(fix, src);
	else if (kind_is(src, "text search parser"))
		define_with_functions(fix, src, "TEXT SEARCH PARSER", parser_keys, parser_words);
	else if (kind_is(src, "text search template"))
		define_with_functions(fix, src, "TEXT SEARCH TEMPLATE", template_keys, template_words);
	else if (kind_is(src, "text search dictionary"))
		create_ts_dictionary(fix, src);
	else if (kind_is(src, "text search configuration"))
		create_ts_configuration(fix, src);
	else if (kind_is(src, "operator"))
		create_operator(fix, src);
	else if (kind_is(src, "operator family"))
		create_operator_family(fix, src);
	else if (kind_is(src, "operator class"))
		create_operator_class(fix, src);
	else if (kind_is(src, "subscription"))
		create_subscription(fix, src);
}

/*
 * change_ts_mappings
 *		The token mappings of a text search configuration: DROP MAPPING of
 *		the tokens the source does not map, ALTER MAPPING of those it maps to
 *		other dictionaries, ADD MAPPING of the others.
 */
static void
change_ts_mappings(SdFix *fix, SdObject *src, SdObject *tgt)
{
	List	   *want = attr_strings(src, "mappings");
	List	   *have = attr_strings(tgt, "mappings");
	List	   *want_tokens = NIL;
	ListCell   *lc;
	ListCell   *lc2;
	char	   *token;
	char	   *dicts;

	foreach(lc, want)
	{
		if (!ts_mapping(fix, lfirst(lc), &token, &dicts))
			return;
		want_tokens = lappend(want_tokens, token);
	}
	foreach(lc, have)
	{
		if (!ts_mapping(fix, lfirst(lc), &token, &dicts))
			return;
		if (!sd_list_has_string(want_tokens, token))
			add_step(fix, FIX_PHASE_OPERATOR_CLASS, false,
					 psprintf("ALTER TEXT SEARCH CONFIGURATION %s DROP MAPPING IF EXISTS FOR %s",
							  obj_name(src), quote_identifier(token)),
					 T_AlterTSConfigurationStmt, 1, NULL);
	}
	foreach(lc, want)
	{
		bool		mapped = false;

		if (sd_list_has_string(have, lfirst(lc)))
			continue;
		(void) ts_mapping(fix, lfirst(lc), &token, &dicts);
		foreach(lc2, have)
			if (strncmp(lfirst(lc2), token, strlen(token)) == 0 &&
				strncmp((char *) lfirst(lc2) + strlen(token), ": ", 2) == 0)
				mapped = true;
		ts_map(fix, src, lfirst(lc), mapped ? "ALTER" : "ADD");
	}
}

/*
 * change_dictionary_options
 *		ALTER TEXT SEARCH DICTIONARY (options): the source's options, and
 *		the names alone of the target's others, which that removes.
 */
static void
change_dictionary_options(SdFix *fix, SdObject *src, SdObject *tgt)
{
	char	   *want = attr(src, "options");
	char	   *have = attr(tgt, "options");
	List	   *want_names = NIL;
	List	   *have_names = NIL;
	StringInfoData buf;
	ListCell   *lc;
	int			n = 0;

	if ((want != NULL && (n = dictionary_options(fix, want, &want_names)) < 0) ||
		(have != NULL && dictionary_options(fix, have, &have_names) < 0))
		return;
	initStringInfo(&buf);
	appendStringInfo(&buf, "ALTER TEXT SEARCH DICTIONARY %s (%s", obj_name(src), want ? want : "");
	foreach(lc, have_names)
		if (!sd_list_has_string(want_names, lfirst(lc)))
			appendStringInfo(&buf, "%s%s", n++ > 0 ? ", " : "", quote_identifier(lfirst(lc)));
	appendStringInfoChar(&buf, ')');
	if (n > 0)
		add_step(fix, FIX_PHASE_OPERATOR_FAMILY, false, buf.data, T_AlterTSDictionaryStmt, n, NULL);
}

/*
 * change_subscription
 *		ALTER SUBSCRIPTION of one attribute: ENABLE or DISABLE, SET (option
 *		= value) (an absent option at its default; two_phase from
 *		PostgreSQL 18, on a disabled subscription), SET PUBLICATION without
 *		a refresh (a refresh connects to the publisher, outside any
 *		transaction: the note says to run it).
 */
static void
change_subscription(SdFix *fix, SdObject *src, const char *a)
{
	char	   *name = obj_name(src);
	char	   *v = attr(src, a);

	if (strcmp(a, "enabled") == 0)
		add_step(fix, FIX_PHASE_OTHER, false,
				 psprintf("ALTER SUBSCRIPTION %s %s", name, attr_bool(src, a) ? "ENABLE" : "DISABLE"),
				 T_AlterSubscriptionStmt, -1, NULL);
	else if (strcmp(a, "binary") == 0 || strcmp(a, "disable_on_error") == 0 ||
			 strcmp(a, "run_as_owner") == 0 || strcmp(a, "failover") == 0 ||
			 strcmp(a, "password_required") == 0)
		add_step(fix, FIX_PHASE_OTHER, false,
				 psprintf("ALTER SUBSCRIPTION %s SET (%s = %s)", name, a,
						  attr_bool(src, a) || (v == NULL && strcmp(a, "password_required") == 0) ?
						  "true" : "false"),
				 T_AlterSubscriptionStmt, -1, NULL);
	else if (strcmp(a, "streaming") == 0 || strcmp(a, "synchronous_commit") == 0 ||
			 strcmp(a, "origin") == 0)
		add_step(fix, FIX_PHASE_OTHER, false,
				 psprintf("ALTER SUBSCRIPTION %s SET (%s = %s)", name, a,
						  quote_literal_cstr(v ? v : strcmp(a, "origin") == 0 ? "any" : "off")),
				 T_AlterSubscriptionStmt, -1, NULL);
	else if (strcmp(a, "slot_name") == 0)
		add_step(fix, FIX_PHASE_OTHER, false,
				 psprintf("ALTER SUBSCRIPTION %s SET (slot_name = %s)", name,
						  v ? quote_literal_cstr(v) : "NONE"),
				 T_AlterSubscriptionStmt, -1, NULL);
	else if (strcmp(a, "publications") == 0 && attr_strings(src, a) != NIL)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "ALTER SUBSCRIPTION %s SET PUBLICATION ", name);
		append_names(&buf, attr_strings(src, a), false);
		appendStringInfoString(&buf, " WITH (refresh = false)");
		add_step(fix, FIX_PHASE_OTHER, false, buf.data, T_AlterSubscriptionStmt, -1, NULL);
		if (!fix->invalid)
			last_step(fix)->remark = "the tables of the publications are not refreshed: run ALTER SUBSCRIPTION ... REFRESH PUBLICATION after the script (it connects to the publisher, outside a transaction)";
	}
	else if (strcmp(a, "two_phase") == 0 && fix_ctx->target_version >= 180000)
		add_step(fix, FIX_PHASE_OTHER, false,
				 psprintf("ALTER SUBSCRIPTION %s SET (two_phase = %s)", name,
						  attr_bool(src, a) ? "true" : "false"),
				 T_AlterSubscriptionStmt, -1, NULL);
	else
	{
		fix->note = psprintf("a subscription's %s cannot change in place: make it again (its connection string, which holds a password, is not in the model)", a);
		fix->invalid = true;
	}
}

/*
 * change_support
 *		sd_fix_changed() of these kinds (comment, owner and privileges are
 *		change_common()'s): in place where PostgreSQL can, else dropped and
 *		made again.
 */
static void
change_support(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt,
			   const char *a)
{
	if (!support_key_ok(src))
		fix_invalid(fix, "a key of another length");
	else if (kind_is(src, "language"))
		create_language(fix, src, false);
	else if (kind_is(src, "transform"))
		create_transform(fix, src, false);
	else if (kind_is(src, "operator") && (strcmp(a, "restrict") == 0 || strcmp(a, "join") == 0))
	{
		bool		bad = false;
		char	   *f = attr_function(fix, src, a, &bad);
		char	   *sig = operator_signature(src);

		if (bad)
			return;
		if (sig == NULL)
		{
			fix_invalid(fix, "an operator that is not one");
			return;
		}
		add_step(fix, FIX_PHASE_OPERATOR, false,
				 psprintf("ALTER OPERATOR %s SET (%s = %s)", sig,
						  strcmp(a, "restrict") == 0 ? "RESTRICT" : "JOIN", f ? f : "NONE"),
				 T_AlterOperatorStmt, -1, NULL);
	}
	else if (kind_is(src, "operator"))
		replace_whole(ctx, fix, src, tgt,
					  "drops the operator to make it as the source has it: it fails while an operator class, an index, a view or a default uses it");
	else if (kind_is(src, "operator family"))
	{
		List	   *want_ops = attr_strings(src, "operators");
		List	   *have_ops = attr_strings(tgt, "operators");
		List	   *want_fns = attr_strings(src, "functions");
		List	   *have_fns = attr_strings(tgt, "functions");

		/* only the attribute of this row: the other has a row of its own */
		if (strcmp(a, "operators") == 0)
			want_fns = have_fns = NIL;
		else
			want_ops = have_ops = NIL;
		family_members(fix, src, have_ops, want_ops, have_fns, want_fns, true);
		family_members(fix, src, want_ops, have_ops, want_fns, have_fns, false);
	}
	else if (kind_is(src, "operator class"))
	{
		fix->note = "an operator class cannot change in place, and dropping it takes the members it brought to its family, which the model does not tell from the family's others: make the class and its members again by hand";
		fix->invalid = true;
	}
	else if (kind_is(src, "text search configuration") && strcmp(a, "mappings") == 0)
		change_ts_mappings(fix, src, tgt);
	else if (kind_is(src, "text search configuration"))
		replace_whole(ctx, fix, src, tgt,
					  "drops the configuration to make it as the source has it: it fails while an index or a default names it");
	else if (kind_is(src, "text search dictionary") && strcmp(a, "options") == 0)
		change_dictionary_options(fix, src, tgt);
	else if (kind_is(src, "text search dictionary"))
		replace_whole(ctx, fix, src, tgt,
					  "drops the dictionary to make it as the source has it: it fails while a configuration maps tokens to it");
	else if (kind_is(src, "text search parser"))
		replace_whole(ctx, fix, src, tgt,
					  "drops the parser to make it as the source has it: it fails while a configuration uses it");
	else if (kind_is(src, "text search template"))
		replace_whole(ctx, fix, src, tgt,
					  "drops the template to make it as the source has it: it fails while a dictionary uses it");
	else if (kind_is(src, "access method"))
		replace_whole(ctx, fix, src, tgt,
					  "drops the access method to make it as the source has it: it fails while an operator class, an index or a table uses it");
	else if (kind_is(src, "cast"))
		replace_whole(ctx, fix, src, tgt, "drops the cast to make it as the source has it");
	else if (kind_is(src, "conversion"))
		replace_whole(ctx, fix, src, tgt, "drops the conversion to make it as the source has it");
	else if (kind_is(src, "subscription"))
		change_subscription(fix, src, a);
}

/* ---- the three kinds of row ---------------------------------------------- */

void
sd_fix_init(SdFix *fix)
{
	memset(fix, 0, sizeof(SdFix));
}

static void
no_fix_for_kind(SdFix *fix, SdObject *obj)
{
	if (obj->kindinfo == NULL || strcmp(obj->kind, SD_KIND_UNSUPPORTED) == 0)
		fix->note = "no fix: schemadrift does not model this kind of object";
	else
		fix->note = psprintf("schemadrift writes no fix for %s objects yet", obj->kind);
	fix->invalid = true;
}

/*
 * sd_fix_missing
 *		The fix of an object of the source that the target lacks: create it.
 */
void
sd_fix_missing(SdFixContext *ctx, SdObject *src, SdFix *fix)
{
	const char *k = src->kind;

	fix_ctx = ctx;

	if (strcmp(k, "schema") == 0)
	{
		add_step(fix, FIX_PHASE_SCHEMA, false,
				 psprintf("CREATE SCHEMA IF NOT EXISTS %s", obj_name(src)),
				 T_CreateSchemaStmt, -1, NULL);
		add_trailers(fix, src, FIX_PHASE_SCHEMA);
		undo_new_database(ctx, fix, src, FIX_PHASE_SCHEMA);
	}
	else if (strcmp(k, "extension") == 0)
	{
		char	   *schema = attr(src, "schema");
		char	   *version = attr(src, "version");

		add_step(fix, FIX_PHASE_EXTENSION, false,
				 psprintf("CREATE EXTENSION IF NOT EXISTS %s%s%s", obj_name(src),
						  schema ? psprintf(" SCHEMA %s", quote_identifier(schema)) : "",
						  version ? psprintf(" VERSION %s", quote_literal_cstr(version)) : ""),
				 T_CreateExtensionStmt, -1, NULL);
		if (attr(src, "comment"))
			add_comment(fix, src, attr(src, "comment"), FIX_PHASE_EXTENSION);
		undo_new_database(ctx, fix, src, FIX_PHASE_EXTENSION);
	}
	else if (strcmp(k, "table") == 0)
		create_table(ctx, fix, src);
	else if (strcmp(k, "table column") == 0)
	{
		char	   *def = column_definition(fix, src);
		bool		needs_empty = attr_bool(src, "not_null") && attr(src, "default") == NULL &&
			attr(src, "identity") == NULL && attr(src, "generated") == NULL;

		if (def == NULL)
			return;

		add_step(fix, FIX_PHASE_COLUMN, false,
				 psprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s", parent_name(src), def),
				 T_AlterTableStmt, 1,
				 needs_empty ? "a NOT NULL column without a default cannot be added to a table that has rows" : NULL);
		if (needs_empty)
			hazard(fix, src->parent[0], src->parent[1],
				   psprintf("SELECT count(*) FROM %s", parent_name(src)),
				   true, psprintf("row in %s, which a NOT NULL column without a default cannot be added to",
								  parent_name(src)),
				   psprintf("rows in %s, which a NOT NULL column without a default cannot be added to",
							parent_name(src)));
		column_trailers(fix, src, parent_name(src), FIX_PHASE_COLUMN);
	}
	else if (strcmp(k, "table constraint") == 0)
	{
		create_constraint(fix, src, true);
		/* counted for the ADD step (or the VALIDATE that follows it) */
		constraint_hazard(fix, src);
	}
	else if (strcmp(k, "index") == 0)
		create_index(fix, src, true);
	else if (strcmp(k, "sequence") == 0)
		create_sequence(fix, src);
	else if (strcmp(k, "view") == 0 || strcmp(k, "materialized view") == 0)
		create_view(ctx, fix, src, false);
	else if (is_routine(src))
		create_routine(fix, src);
	else if (strcmp(k, "trigger") == 0)
		create_trigger(fix, src);
	else if (strcmp(k, "policy") == 0)
		create_policy(fix, src);
	else if (strcmp(k, "type") == 0)
		create_type(fix, src);
	else if (strcmp(k, "statistics object") == 0)
		create_statistics(fix, src);
	else if (strcmp(k, "publication") == 0)
		create_publication(ctx, fix, src);
	else if (strcmp(k, "foreign-data wrapper") == 0)
		create_wrapper(fix, src);
	else if (strcmp(k, "server") == 0)
		create_server(ctx, fix, src);
	else if (strcmp(k, "user mapping") == 0)
		create_user_mapping(fix, src);
	else if (strcmp(k, "foreign table") == 0)
		create_foreign_table(ctx, fix, src);
	else if (strcmp(k, "event trigger") == 0)
		create_event_trigger(fix, src);
	else if (strcmp(k, "collation") == 0)
		create_collation(fix, src);
	else if (strcmp(k, "default acl") == 0)
		fix_default_acl(fix, src, NULL);
	else if (strcmp(k, "rule") == 0)
		create_rule(fix, src, false);
	else if (strcmp(k, "publication namespace") == 0 ||
			 strcmp(k, "publication relation") == 0)
		add_publication_member(fix, src);
	else if (is_support_kind(src))
		create_support(ctx, fix, src);
	else
		no_fix_for_kind(fix, src);
}

/* the phase an object of this kind is created in */
static SdFixPhase
kind_phase(SdObject *obj)
{
	const char *k = obj->kind;

	if (strcmp(k, "schema") == 0)
		return FIX_PHASE_SCHEMA;
	if (strcmp(k, "extension") == 0)
		return FIX_PHASE_EXTENSION;
	if (strcmp(k, "collation") == 0)
		return FIX_PHASE_COLLATION;
	if (strcmp(k, "type") == 0)
		return is_base_type(obj) ? FIX_PHASE_BASE_TYPE : FIX_PHASE_TYPE;
	if (is_routine(obj))
		return routine_phase(obj);
	if (strcmp(k, "sequence") == 0)
		return FIX_PHASE_SEQUENCE;
	if (strcmp(k, "table") == 0 || strcmp(k, "foreign table") == 0)
		return FIX_PHASE_TABLE;
	if (strcmp(k, "table column") == 0 || strcmp(k, "foreign table column") == 0)
		return FIX_PHASE_COLUMN;
	if (strcmp(k, "table constraint") == 0)
		return constraint_phase(obj);
	if (strcmp(k, "index") == 0)
		return FIX_PHASE_INDEX;
	if (strcmp(k, "view") == 0 || strcmp(k, "materialized view") == 0)
		return FIX_PHASE_VIEW;
	if (strcmp(k, "trigger") == 0)
		return FIX_PHASE_TRIGGER;
	if (strcmp(k, "policy") == 0)
		return FIX_PHASE_POLICY;
	if (strcmp(k, "statistics object") == 0)
		return FIX_PHASE_STATISTICS;
	if (strncmp(k, "publication", 11) == 0)
		return FIX_PHASE_PUBLICATION;
	if (strcmp(k, "foreign-data wrapper") == 0 || strcmp(k, "server") == 0 ||
		strcmp(k, "user mapping") == 0)
		return FIX_PHASE_EXTENSION;
	if (strcmp(k, "event trigger") == 0 || strcmp(k, "rule") == 0)
		return FIX_PHASE_TRIGGER;
	if (is_support_kind(obj))
		return support_phase(obj);
	return FIX_PHASE_OTHER;
}

/* DROP statement of obj, its parse node type in *tag */
static char *
drop_statement(SdObject *obj, NodeTag *tag)
{
	const char *k = obj->kind;
	const char *words;
	char	   *name;

	*tag = T_DropStmt;
	if (strcmp(k, "table column") == 0 || strcmp(k, "foreign table column") == 0)
	{
		*tag = T_AlterTableStmt;
		return psprintf("ALTER %sTABLE %s DROP COLUMN IF EXISTS %s",
						strcmp(k, "foreign table column") == 0 ? "FOREIGN " : "",
						parent_name(obj), quote_identifier(obj->key[2]));
	}
	if (strcmp(k, "table constraint") == 0)
	{
		if (constraint_name(obj) == NULL)
			return NULL;
		*tag = T_AlterTableStmt;
		return psprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", parent_name(obj),
						quote_identifier(constraint_name(obj)));
	}
	if (strcmp(k, "publication relation") == 0)
	{
		*tag = T_AlterPublicationStmt;
		return psprintf("ALTER PUBLICATION %s DROP TABLE %s", quote_identifier(obj->key[0]),
						qualified(obj->key[1], obj->key[2]));
	}
	if (strcmp(k, "publication namespace") == 0)
	{
		*tag = T_AlterPublicationStmt;
		return psprintf("ALTER PUBLICATION %s DROP TABLES IN SCHEMA %s",
						quote_identifier(obj->key[0]), quote_identifier(obj->key[1]));
	}
	if (strcmp(k, "user mapping") == 0)
		*tag = T_DropUserMappingStmt;
	if (strcmp(k, "user mapping") == 0)
		return psprintf("DROP USER MAPPING IF EXISTS FOR %s SERVER %s",
						strcmp(obj->key[1], "public") == 0 ? "PUBLIC" : quote_identifier(obj->key[1]),
						quote_identifier(obj->key[0]));
	if (!object_words(obj, &words, &name))
		return NULL;
	/* its functions take and return it: a base type goes only with them */
	if (is_base_type(obj))
		return psprintf("DROP TYPE IF EXISTS %s CASCADE", name);
	if (strcmp(k, "extension") == 0)
		*tag = T_DropStmt;
	return psprintf("DROP %s IF EXISTS %s", words, name);
}

/*
 * definition_needs
 *		What an object of the target reads and calls (fix_deps.c), from its
 *		definition, for its drop: a view's or materialized view's query, a
 *		SQL-standard body, a column's default and generation, a check, an
 *		index's expressions, and a table's columns, checks and indexes
 *		(its drop drops them).  NIL for other objects.
 */
static List *
definition_needs(SdFixContext *ctx, SdObject *obj)
{
	List	   *needs = NIL;
	char	   *v;
	ListCell   *lc;

	if (kind_is(obj, "view") || kind_is(obj, "materialized view"))
		return sd_fix_deps_text(ctx, view_query(obj), false);
	if (is_routine(obj) && routine_phase(obj) == FIX_PHASE_ATOMIC_FUNCTION)
		return sd_fix_deps_text(ctx, psprintf("CREATE FUNCTION pg_temp.f() %s",
											  attr(obj, "body")), false);
	if (kind_is(obj, "table column"))
	{
		if ((v = attr(obj, "default")) != NULL)
			needs = sd_fix_deps_text(ctx, psprintf("SELECT (%s)", v), false);
		if ((v = attr(obj, "generated")) != NULL)
			needs = list_concat(needs, sd_fix_deps_text(ctx, psprintf("SELECT (%s)", v), false));
		return needs;
	}
	if (kind_is(obj, "table constraint") && (v = attr(obj, "definition")) != NULL)
		return sd_fix_deps_text(ctx, psprintf("ALTER TABLE pg_temp.t ADD %s", v), false);
	if (kind_is(obj, "index") && (v = attr(obj, "definition")) != NULL)
		return sd_fix_deps_text(ctx, psprintf("CREATE INDEX ON pg_temp.t USING %s", v), false);
	if (kind_is(obj, "table"))
	{
		foreach(lc, children_of(ctx, false, obj, NULL))
		{
			SdObject   *child = lfirst(lc);

			if (kind_is(child, "table column") || kind_is(child, "table constraint") ||
				kind_is(child, "index"))
				needs = list_concat(needs, definition_needs(ctx, child));
		}
	}
	return needs;
}

/*
 * sd_fix_extra
 *		The fix of an object of the target that the source lacks: drop it.
 *		Always destructive.
 */
void
sd_fix_extra(SdFixContext *ctx, SdObject *tgt, SdFix *fix)
{
	NodeTag		tag;
	char	   *sql;
	const char *why;

	fix_ctx = ctx;
	if (kind_is(tgt, "default acl"))
	{
		fix_default_acl(fix, NULL, tgt);
		return;
	}
	if (kind_is(tgt, "subscription"))
	{
		drop_subscription(fix, tgt);
		return;
	}
	sql = drop_statement(tgt, &tag);

	if (sql == NULL)
	{
		no_fix_for_kind(fix, tgt);
		return;
	}
	if (kind_is(tgt, "index") && index_concurrently(tgt, true))
	{
		add_step(fix, FIX_PHASE_INDEX, true,
				 psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", obj_name(tgt)),
				 T_DropStmt, -1, "drops an index the source does not have");
		if (last_step(fix))
			last_step(fix)->part = FIX_PART_CONCURRENTLY;
		return;
	}
	if (strcmp(tgt->kind, "table") == 0 || strcmp(tgt->kind, "materialized view") == 0)
		why = "drops the relation and every row in it";
	else if (strcmp(tgt->kind, "table column") == 0)
		why = "drops the column and its data";
	else if (strcmp(tgt->kind, "schema") == 0)
		why = "drops the schema (it must be empty by then)";
	else if (is_base_type(tgt))
		why = "drops the type with CASCADE: its functions, and every column and object that still uses it, in any schema, go with it";
	else
		why = "drops an object the source does not have";
	add_step(fix, kind_phase(tgt), true, sql, tag, -1, why);
	if (last_step(fix))
	{
		/* dropped before what it reads and calls (fix_script.c) */
		last_step(fix)->creates = tgt->identity;
		last_step(fix)->needs = definition_needs(ctx, tgt);
	}
	if (kind_is(tgt, "table column"))
		hazard(fix, tgt->parent[0], tgt->parent[1],
			   psprintf("SELECT count(*) FROM %s WHERE %s IS NOT NULL", parent_name(tgt),
						quote_identifier(tgt->key[2])),
			   false, psprintf("row of %s holds a value in %s, which the drop loses", parent_name(tgt),
							   quote_identifier(tgt->key[2])),
			   psprintf("rows of %s hold a value in %s, which the drop loses", parent_name(tgt),
						quote_identifier(tgt->key[2])));
	else if (kind_is(tgt, "table") || kind_is(tgt, "materialized view"))
		hazard(fix, tgt->key[0], tgt->key[1],
			   psprintf("SELECT count(*) FROM %s", obj_name(tgt)),
			   false, psprintf("row in %s, which the drop loses", obj_name(tgt)),
			   psprintf("rows in %s, which the drop loses", obj_name(tgt)));
}

/* ---- changed attributes -------------------------------------------------- */

static void
replace_object(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt,
			   const char *why)
{
	NodeTag		tag;
	char	   *drop = drop_statement(tgt, &tag);

	if (drop == NULL)
	{
		no_fix_for_kind(fix, src);
		return;
	}
	if (kind_is(tgt, "index") && index_concurrently(tgt, true))
	{
		drop = psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", obj_name(tgt));
		add_step(fix, kind_phase(tgt), true, drop, tag, -1, why);
		if (last_step(fix))
			last_step(fix)->part = FIX_PART_CONCURRENTLY;
	}
	else
		add_step(fix, kind_phase(tgt), true, drop, tag, -1, why);
	sd_fix_missing(ctx, src, fix);
}

/* ---- objects made again with what reads them --------------------------- */

/* the object of obj's kind and identity in set, or NULL */
static SdObject *
object_in(SdObjectSet *set, SdObject *obj)
{
	int			i;

	for (i = 0; i < set->nobjects; i++)
		if (strcmp(set->objects[i].identity, obj->identity) == 0 &&
			strcmp(set->objects[i].kind, obj->kind) == 0)
			return &set->objects[i];
	return NULL;
}

/*
 * output_name
 *		The name of one output column of a deparsed view query: its alias,
 *		or the column it names (pg_get_viewdef() writes "AS name" for every
 *		other expression); NULL when neither.
 */
static char *
output_name(ResTarget *rt)
{
	if (rt->name != NULL)
		return rt->name;
	if (IsA(rt->val, ColumnRef))
	{
		Node	   *last = llast(((ColumnRef *) rt->val)->fields);

		if (IsA(last, String))
			return strVal(last);
	}
	return NULL;
}

/*
 * view_columns
 *		The names of a view's columns, from its definition; NIL when they
 *		cannot be told.
 */
static List *
view_columns(SdObject *view)
{
	char	   *query = view_query(view);
	char	   *error;
	List	   *parsed;
	SelectStmt *sel;
	List	   *names = NIL;
	ListCell   *lc;

	if (query == NULL)
		return NIL;
	parsed = sd_fix_parse(query, &error);
	if (error != NULL || list_length(parsed) != 1 ||
		!IsA(linitial_node(RawStmt, parsed)->stmt, SelectStmt))
		return NIL;
	sel = (SelectStmt *) linitial_node(RawStmt, parsed)->stmt;
	while (sel->op != SETOP_NONE && sel->larg != NULL)
		sel = sel->larg;
	foreach(lc, sel->targetList)
	{
		char	   *name = IsA(lfirst(lc), ResTarget) ? output_name(lfirst(lc)) : NULL;

		if (name == NULL)
			return NIL;
		names = lappend(names, name);
	}
	return names;
}

/* whether the view keeps its columns, in their order, and may add some */
static bool
view_columns_kept(SdObject *src, SdObject *tgt)
{
	List	   *want = view_columns(src);
	List	   *have = view_columns(tgt);
	ListCell   *lc1,
			   *lc2;

	if (want == NIL || have == NIL || list_length(have) > list_length(want))
		return false;
	forboth(lc1, have, lc2, want)
		if (strcmp(lfirst(lc1), lfirst(lc2)) != 0)
			return false;
	return true;
}

/*
 * index_dependents
 *		The objects of the target whose definitions read or call something
 *		(views, materialized views, SQL-standard routines, columns,
 *		constraints, indexes), and what each reads, into ctx: parsed once per
 *		diff, however many objects are made again (each used to parse every
 *		definition of the target again: test/bench/recreate.sh, 200 views
 *		made again at 2,000 tables, took 18 s instead of 0.6 s).  The
 *		attributes parsed for it are dropped again; only the names read are
 *		kept, in ctx->cxt.
 */
static void
index_dependents(SdFixContext *ctx)
{
	SdObjectSet *t = ctx->target;
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "schemadrift dependents",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(tmp);
	int			nparsed = list_length(ctx->parsed);
	int			i;

	for (i = 0; t != NULL && i < t->nobjects; i++)
	{
		SdObject   *o = &t->objects[i];
		List	   *n;
		List	   *kept = NIL;
		ListCell   *lc;

		if (!(kind_is(o, "view") || kind_is(o, "materialized view") || is_routine(o) ||
			  kind_is(o, "table column") || kind_is(o, "table constraint") ||
			  kind_is(o, "index")) ||
			(n = definition_needs(ctx, o)) == NIL)
			continue;
		MemoryContextSwitchTo(ctx->cxt);
		foreach(lc, n)
			kept = lappend(kept, pstrdup(lfirst(lc)));
		ctx->dependents = lappend(ctx->dependents, o);
		ctx->dependents_needs = lappend(ctx->dependents_needs, kept);
		MemoryContextSwitchTo(tmp);
	}

	/* attributes parsed here live in tmp: forget them before it goes */
	for (i = nparsed; i < list_length(ctx->parsed); i++)
		((SdObject *) list_nth(ctx->parsed, i))->attrs = NULL;
	ctx->parsed = list_truncate(ctx->parsed, nparsed);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	ctx->dependents_ready = true;
}

/*
 * dependents_of
 *		The views, materialized views and SQL-standard routines of the
 *		target that read or call obj, directly or through one another (from
 *		their definitions, as the script is ordered; each definition is
 *		parsed once per diff: index_dependents); *blocker names the
 *		first object of another kind that does (a column default, a check,
 *		an index), which a recreation cannot carry along.
 */
static List *
dependents_of(SdFixContext *ctx, SdObject *obj, char **blocker)
{
	List	   *found = NIL;
	List	   *ids = list_make1(obj->identity);
	bool		grew = true;

	*blocker = NULL;
	if (!ctx->dependents_ready)
		index_dependents(ctx);
	while (grew)
	{
		ListCell   *lc1,
				   *lc2;

		grew = false;
		forboth(lc1, ctx->dependents, lc2, ctx->dependents_needs)
		{
			SdObject   *o = lfirst(lc1);
			ListCell   *lc;

			if (o == obj || list_member_ptr(found, o))
				continue;
			foreach(lc, (List *) lfirst(lc2))
				if (sd_list_has_string(ids, lfirst(lc)))
					break;
			if (lc == NULL)
				continue;
			if (!(kind_is(o, "view") || kind_is(o, "materialized view") ||
				  (is_routine(o) && routine_phase(o) == FIX_PHASE_ATOMIC_FUNCTION)))
			{
				if (*blocker == NULL)
					*blocker = psprintf("%s %s", o->kind, o->identity);
				continue;
			}
			found = lappend(found, o);
			ids = lappend(ids, o->identity);
			grew = true;
		}
	}
	return found;
}

/* the DROP of tgt, ordered as an extra object's is (before what it reads) */
static void
drop_for_recreation(SdFixContext *ctx, SdFix *fix, SdObject *tgt, const char *why)
{
	NodeTag		tag;
	char	   *sql = drop_statement(tgt, &tag);

	if (sql == NULL)
	{
		fix_invalid(fix, psprintf("a %s that cannot be dropped", tgt->kind));
		return;
	}
	add_step(fix, kind_phase(tgt), true, sql, tag, -1, why);
	if (last_step(fix))
	{
		last_step(fix)->creates = tgt->identity;
		last_step(fix)->needs = definition_needs(ctx, tgt);
	}
}

/* CREATE (OR REPLACE, so that its own row's statement may come first) */
static void
create_for_recreation(SdFixContext *ctx, SdFix *fix, SdObject *src)
{
	if (kind_is(src, "view"))
		create_view(ctx, fix, src, true);
	else
		sd_fix_missing(ctx, src, fix);
}

/*
 * recreate_with_dependents
 *		Make tgt again as src, when PostgreSQL cannot change it in place (a
 *		view whose columns change other than by new ones at the end, a
 *		materialized view, a function whose result changes): it is dropped
 *		with the views, materialized views and SQL-standard routines that
 *		read it (they would block the drop), and all are made again as the
 *		source has them, in one transaction.  why, if not NULL, says why
 *		that is destructive; so is a dependent the source does not have
 *		(it is not made again).  Everything is gated as one: left out, any
 *		of it would make the rest fail.  Where another kind of object uses
 *		tgt (a default, an index), nothing is written and the note says so.
 */
static void
recreate_with_dependents(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt,
						 const char *why)
{
	char	   *blocker;
	List	   *deps = dependents_of(ctx, tgt, &blocker);
	ListCell   *lc;

	if (blocker != NULL)
	{
		fix->note = psprintf("the %s cannot be changed in place, and schemadrift does not make it again because %s uses it: make them again by hand",
							 src->kind, blocker);
		fix->invalid = true;
		return;
	}
	foreach(lc, deps)
		if (object_in(ctx->source, lfirst(lc)) == NULL && why == NULL)
			why = psprintf("drops %s %s, which reads it and which the source does not have",
						   ((SdObject *) lfirst(lc))->kind, ((SdObject *) lfirst(lc))->identity);
	drop_for_recreation(ctx, fix, tgt, why);
	foreach(lc, deps)
		drop_for_recreation(ctx, fix, lfirst(lc), why);
	create_for_recreation(ctx, fix, src);
	foreach(lc, deps)
	{
		SdObject   *twin = object_in(ctx->source, lfirst(lc));

		if (twin != NULL)
			create_for_recreation(ctx, fix, twin);
	}
	if (fix->invalid || why == NULL)
		return;
	foreach(lc, fix->steps)
		((SdFixStep *) lfirst(lc))->destructive = (char *) why;
}

/* a widening type change PostgreSQL does without touching data */
static bool
type_change_is_safe(const char *from, const char *to)
{
	static const char *const chains[][3] = {
		{"smallint", "integer", "bigint"},
	};
	int			a = -1,
				b = -1,
				i;

	if (strcmp(to, "text") == 0 &&
		(strncmp(from, "character varying", 17) == 0 || strcmp(from, "text") == 0))
		return true;
	if (strcmp(from, "character varying") != 0 && strcmp(to, "character varying") == 0 &&
		strncmp(from, "character varying(", 18) == 0)
		return true;
	if (strncmp(from, "character varying(", 18) == 0 && strncmp(to, "character varying(", 18) == 0)
		return atoi(from + 18) <= atoi(to + 18);
	if (strncmp(from, "numeric(", 8) == 0 && strcmp(to, "numeric") == 0)
		return true;
	for (i = 0; i < 3; i++)
	{
		if (strcmp(from, chains[0][i]) == 0)
			a = i;
		if (strcmp(to, chains[0][i]) == 0)
			b = i;
	}
	return a >= 0 && b >= 0 && a <= b;
}

static void
change_column(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt,
			  const char *a)
{
	char	   *table = parent_name(src);
	char	   *col = pstrdup(quote_identifier(src->key[2]));
	char	   *v = attr(src, a);
	char	   *old = attr(tgt, a);
	char	   *prefix = psprintf("ALTER %sTABLE %s ALTER COLUMN %s",
									  kind_is(src, "foreign table column") ? "FOREIGN " : "",
									  table, col);

	if (strcmp(a, "type") == 0 || strcmp(a, "collation") == 0)
	{
		char	   *type = attr(src, "type");
		char	   *coll = attr(src, "collation");
		char	   *oldtype = attr(tgt, "type");
		bool		narrowing;

		if (type == NULL || !check_type(fix, type) || (coll && !check_type(fix, coll)))
			return;
		narrowing = (strcmp(a, "type") == 0 && oldtype && !type_change_is_safe(oldtype, type));
		add_step(fix, FIX_PHASE_COLUMN, false,
				 psprintf("%s TYPE %s%s%s USING %s::%s", prefix, type,
						  coll ? " COLLATE " : "", coll ? coll : "", col, type),
				 T_AlterTableStmt, 1,
				 narrowing ?
				 psprintf("changes the type from %s to %s: values that do not convert fail the statement or lose precision", oldtype, type) : NULL);
		if (narrowing && kind_is(src, "table column"))
			narrowing_hazard(fix, src, oldtype, type);
	}
	else if (strcmp(a, "not_null") == 0)
	{
		add_step(fix, FIX_PHASE_COLUMN, false,
				 psprintf("%s %s NOT NULL", prefix, attr_bool(src, a) ? "SET" : "DROP"),
				 T_AlterTableStmt, 1,
				 attr_bool(src, a) ? "SET NOT NULL fails if the column holds NULLs" : NULL);
		if (attr_bool(src, a))
			hazard(fix, src->parent[0], src->parent[1],
				   psprintf("SELECT count(*) FROM %s WHERE %s IS NULL", table, col),
				   true, psprintf("row of %s holds NULL in %s", table, col),
				   psprintf("rows of %s hold NULL in %s", table, col));
	}
	else if (strcmp(a, "default") == 0)
	{
		if (v != NULL && !check_expression(fix, v))
			return;
		add_step(fix, FIX_PHASE_COLUMN, false,
				 v ? psprintf("%s SET DEFAULT %s", prefix, v) : psprintf("%s DROP DEFAULT", prefix),
				 T_AlterTableStmt, 1, NULL);
	}
	else if (strcmp(a, "identity") == 0)
	{
		if (v == NULL)
			add_step(fix, FIX_PHASE_COLUMN, false, psprintf("%s DROP IDENTITY IF EXISTS", prefix),
					 T_AlterTableStmt, 1, NULL);
		else if (old == NULL)
			add_step(fix, FIX_PHASE_COLUMN, false,
					 psprintf("%s ADD GENERATED %s AS IDENTITY", prefix,
							  strcmp(v, "always") == 0 ? "ALWAYS" : "BY DEFAULT"),
					 T_AlterTableStmt, 1, NULL);
		else
			add_step(fix, FIX_PHASE_COLUMN, false,
					 psprintf("%s SET GENERATED %s", prefix,
							  strcmp(v, "always") == 0 ? "ALWAYS" : "BY DEFAULT"),
					 T_AlterTableStmt, 1, NULL);
	}
	else if (strcmp(a, "compression") == 0)
		add_step(fix, FIX_PHASE_COLUMN, false,
				 psprintf("%s SET COMPRESSION %s", prefix, v ? quote_identifier(v) : "DEFAULT"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "storage") == 0 && v != NULL)
		add_step(fix, FIX_PHASE_COLUMN, false,
				 psprintf("%s SET STORAGE %s", prefix, quote_identifier(v)),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "storage") == 0)
	{
		/* the attribute is absent when the column has its type's storage */
		fix->note = "the source column has its type's default storage: set it with ALTER COLUMN ... SET STORAGE and the type's storage (SET STORAGE DEFAULT from PostgreSQL 16)";
		fix->invalid = true;
	}
	else if (strcmp(a, "statistics") == 0)
		add_step(fix, FIX_PHASE_COLUMN, false,
				 psprintf("%s SET STATISTICS %d", prefix, v ? atoi(v) : -1),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "options") == 0)
		reset_and_set(fix, FIX_PHASE_COLUMN, prefix, attr_strings(src, a), attr_strings(tgt, a));
	else if (strcmp(a, "generated") == 0)
	{
		if (v != NULL && old != NULL && ctx->target_version >= 170000)
		{
			if (!check_expression(fix, v))
				return;
			add_step(fix, FIX_PHASE_COLUMN, false,
					 psprintf("%s SET EXPRESSION AS (%s)", prefix, v), T_AlterTableStmt, 1, NULL);
		}
		else if (v != NULL && old != NULL)
		{
			fix->note = "PostgreSQL before 17 cannot change a generation expression in place: drop the column and add it again (its values are computed anew)";
			fix->invalid = true;
		}
		else if (v == NULL)
			add_step(fix, FIX_PHASE_COLUMN, false, psprintf("%s DROP EXPRESSION", prefix),
					 T_AlterTableStmt, 1, NULL);
		else
		{
			fix->note = "a column cannot become generated in place: drop and add it again (its data is computed anew)";
			fix->invalid = true;
		}
	}
	else if (strcmp(a, "fdw_options") == 0)
		alter_fdw_options(fix, FIX_PHASE_COLUMN, prefix, attr_strings(src, a),
						  attr_strings(tgt, a), T_AlterTableStmt);
	else if (strcmp(a, "privileges") == 0)
		grant_steps(fix, src, col, attr_strings(src, a), attr_strings(tgt, a), NULL, FIX_PHASE_COLUMN);
	else if (strcmp(a, "comment") == 0)
		add_comment(fix, src, v, FIX_PHASE_COLUMN);
	else
	{
		fix->note = psprintf("schemadrift writes no fix for the %s of a column yet", a);
		fix->invalid = true;
	}
}

static void
change_table(SdFix *fix, SdObject *src, SdObject *tgt, const char *a)
{
	char	   *name = obj_name(src);
	char	   *v = attr(src, a);
	StringInfoData buf;

	initStringInfo(&buf);
	if (strcmp(a, "persistence") == 0)
		add_step(fix, FIX_PHASE_TABLE, false,
				 psprintf("ALTER TABLE %s SET %s", name,
						  v && strcmp(v, "unlogged") == 0 ? "UNLOGGED" : "LOGGED"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "row_security") == 0)
		add_step(fix, FIX_PHASE_TABLE, false,
				 psprintf("ALTER TABLE %s %s ROW LEVEL SECURITY", name,
						  attr_bool(src, a) ? "ENABLE" : "DISABLE"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "force_row_security") == 0)
		add_step(fix, FIX_PHASE_TABLE, false,
				 psprintf("ALTER TABLE %s %s ROW LEVEL SECURITY", name,
						  attr_bool(src, a) ? "FORCE" : "NO FORCE"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "replica_identity") == 0)
		add_step(fix, FIX_PHASE_INDEX, false,
				 psprintf("ALTER TABLE %s REPLICA IDENTITY %s", name,
						  v == NULL || strcmp(v, "default") == 0 ? "DEFAULT" :
						  strncmp(v, "index ", 6) == 0 ? psprintf("USING INDEX %s", v + 6) :
						  strcmp(v, "full") == 0 ? "FULL" : "NOTHING"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "access_method") == 0)
		add_step(fix, FIX_PHASE_TABLE, false,
				 psprintf("ALTER TABLE %s SET ACCESS METHOD %s", name, v ? quote_identifier(v) : "heap"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "tablespace") == 0)
		add_step(fix, FIX_PHASE_TABLE, false,
				 psprintf("ALTER TABLE %s SET TABLESPACE %s", name, v ? quote_identifier(v) : "pg_default"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "options") == 0)
		reset_and_set(fix, FIX_PHASE_TABLE, psprintf("ALTER TABLE %s", name),
					  attr_strings(src, a), attr_strings(tgt, a));
	else if (strcmp(a, "column_order") == 0)
	{
		fix->note = "PostgreSQL cannot reorder the columns of a table: recreate the table and copy its rows (or ignore column_order)";
		fix->invalid = true;
	}
	else
	{
		fix->note = psprintf("schemadrift writes no fix for the %s of a table: recreate the table as the source has it", a);
		fix->invalid = true;
	}
}

static void
change_sequence(SdFix *fix, SdObject *src, const char *a)
{
	char	   *name = obj_name(src);
	char	   *v = attr(src, a);

	if (strcmp(a, "type") == 0 && v != NULL)
	{
		if (!check_type(fix, v))
			return;
		add_step(fix, FIX_PHASE_SEQUENCE, false, psprintf("ALTER SEQUENCE %s AS %s", name, v),
				 T_AlterSeqStmt, -1, NULL);
	}
	else if (strcmp(a, "start") == 0 || strcmp(a, "increment") == 0 ||
			 strcmp(a, "min") == 0 || strcmp(a, "max") == 0 || strcmp(a, "cache") == 0)
	{
		const char *word = strcmp(a, "start") == 0 ? "START WITH" :
			strcmp(a, "increment") == 0 ? "INCREMENT BY" :
			strcmp(a, "min") == 0 ? "MINVALUE" : strcmp(a, "max") == 0 ? "MAXVALUE" : "CACHE";

		if (v == NULL)
			return;
		add_step(fix, FIX_PHASE_SEQUENCE, false,
				 psprintf("ALTER SEQUENCE %s %s %lld", name, word, (long long) strtoll(v, NULL, 10)),
				 T_AlterSeqStmt, -1, NULL);
	}
	else if (strcmp(a, "cycle") == 0)
		add_step(fix, FIX_PHASE_SEQUENCE, false,
				 psprintf("ALTER SEQUENCE %s %s", name, attr_bool(src, a) ? "CYCLE" : "NO CYCLE"),
				 T_AlterSeqStmt, -1, NULL);
	else if (strcmp(a, "persistence") == 0)
		add_step(fix, FIX_PHASE_SEQUENCE, false,
				 psprintf("ALTER SEQUENCE %s SET %s", name,
						  v && strcmp(v, "unlogged") == 0 ? "UNLOGGED" : "LOGGED"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(a, "owned_by") == 0)
	{
		if (v != NULL && !check_type(fix, v))
			return;
		add_step(fix, FIX_PHASE_SEQUENCE_OWNER, false,
				 psprintf("ALTER SEQUENCE %s OWNED BY %s", name, v ? v : "NONE"),
				 T_AlterSeqStmt, -1, NULL);
	}
	else
	{
		fix->note = psprintf("schemadrift writes no fix for the %s of a sequence yet", a);
		fix->invalid = true;
	}
}


/* whether text holds name as a whole name */
static bool
name_in(const char *text, const char *name)
{
	size_t		len = strlen(name);
	const char *p;

	for (p = strstr(text, name); p != NULL; p = strstr(p + 1, name))
		if ((p == text || !sd_util_name_char(p[-1])) && !sd_util_name_char(p[len]))
			return true;
	return false;
}

/*
 * whether obj names fragment (a name, JSON-escaped) in its attrs, or name
 * (the same, raw) in its identity (a cast's, a function's arguments)
 */
static bool
attrs_mention(SdObject *obj, const char *fragment, const char *name)
{
	char	   *text = obj->attrs_text ? obj->attrs_text : sd_object_attrs_text(obj);

	return (text != NULL && name_in(text, fragment)) ||
		(name != NULL && name_in(obj->identity, name));
}

/*
 * enum_columns
 *		The columns of the target that an enum's recreation converts (of
 *		type name or name[] on both sides), into *columns; or the first
 *		object of the target that uses the type in a way the recreation
 *		cannot carry along, described: a column the source does not have
 *		with this type, a generated one, any other object that names the
 *		type (a domain, a function, a view, an index or constraint of
 *		another table), and what keeps PostgreSQL from changing a
 *		converted column's type (a view, policy, trigger, generated column
 *		or partition key that names it).  Names are found in the attrs'
 *		text, so a mention that is not a use also blocks: the recreation
 *		is then left to a person, never half done.
 */
static char *
enum_blocker(SdFixContext *ctx, SdObject *tgt, const char *name, List **columns,
			 List **rebuild, List **casts)
{
	SdObjectSet *t = ctx->target;
	char	   *array = psprintf("%s[]", name);
	char	   *frag = sd_util_json_inner(name);
	List	   *tables = NIL;
	List	   *colnames = NIL;
	int			i;

	*columns = NIL;
	*rebuild = NIL;
	*casts = NIL;
	for (i = 0; i < t->nobjects; i++)
	{
		SdObject   *o = &t->objects[i];
		char	   *ty;
		SdObject   *twin;

		if (!kind_is(o, "table column") || (ty = attr(o, "type")) == NULL ||
			(strcmp(ty, name) != 0 && strcmp(ty, array) != 0))
			continue;
		twin = object_in(ctx->source, o);
		if (twin == NULL || attr(twin, "type") == NULL || strcmp(attr(twin, "type"), ty) != 0)
			return psprintf("column %s, which the source does not have with this type", o->identity);
		if (attr(o, "generated") != NULL)
			return psprintf("generated column %s", o->identity);
		*columns = lappend(*columns, o);
		tables = lappend(tables, parent_name(o));
		colnames = lappend(colnames, sd_util_json_inner(quote_identifier(o->key[2])));
	}
	for (i = 0; i < t->nobjects; i++)
	{
		SdObject   *o = &t->objects[i];
		ListCell   *lc1,
				   *lc2;
		bool		converted_table = false;
		List	   *reads;

		if (o == tgt || list_member_ptr(*columns, o))
			continue;
		reads = tables != NIL && (kind_is(o, "view") || kind_is(o, "materialized view")) ?
			sd_fix_deps_text(ctx, view_query(o), false) : NIL;
		forboth(lc1, tables, lc2, colnames)
		{
			bool		on_table = (o->nparent == 2 && strcmp(parent_name(o), lfirst(lc1)) == 0) ||
				((kind_is(o, "table") || kind_is(o, "partitioned table")) && strcmp(obj_name(o), lfirst(lc1)) == 0);
			bool		reads_table = sd_list_has_string(reads, lfirst(lc1));

			if (!on_table && !reads_table)
				continue;
			if (kind_is(o, "index") || kind_is(o, "table constraint") ||
				kind_is(o, "statistics object"))
			{
				/*
				 * Rebuilt with the column by ALTER COLUMN ... TYPE, from
				 * its definition as it prints then: one that names the type
				 * would name the old one, so it is dropped first and made
				 * again from the source's definition.
				 */
				if (!attrs_mention(o, lfirst(lc2), NULL))
					continue;
				converted_table = true;
				if (attrs_mention(o, frag, name))
				{
					if (kind_is(o, "statistics object") || object_in(ctx->source, o) == NULL)
						return psprintf("%s %s, which names the type", o->kind, o->identity);
					if (!list_member_ptr(*rebuild, o))
						*rebuild = lappend(*rebuild, o);
				}
				continue;
			}
			if ((kind_is(o, "table") && attr(o, "partition_key") == NULL) ||
				(kind_is(o, "table column") && attr(o, "generated") == NULL))
				continue;
			if (attrs_mention(o, lfirst(lc2), NULL))
				return psprintf("%s %s, which reads a column of the type", o->kind, o->identity);
		}
		if (converted_table || !attrs_mention(o, frag, name))
			continue;
		/* a cast WITH INOUT or WITHOUT FUNCTION goes and comes with the type */
		if (kind_is(o, "cast") && o->nkey == 4 && attr(o, "method") != NULL &&
			strcmp(attr(o, "method"), "function") != 0 && object_in(ctx->source, o) != NULL)
		{
			*casts = lappend(*casts, o);
			continue;
		}
		return psprintf("%s %s, which names the type", o->kind, o->identity);
	}
	return NULL;
}

/*
 * recreate_enum
 *		An enum whose labels the source has in another order, or without
 *		some of the target's: PostgreSQL can neither remove nor reorder
 *		labels in place.  The type is renamed out of the way, made again as
 *		the source has it, every column of it (or of its array) converted
 *		through text, with its default dropped and set again, and the old
 *		type dropped: all in one transaction, all or nothing.  Rows holding
 *		a label the source lacks make the conversion fail: they are counted
 *		first, and the whole recreation is left to a person if there are
 *		any (or, against a snapshot, is destructive).
 */
static void
recreate_enum(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt, bool removes)
{
	char	   *name = obj_name(src);
	List	   *want = attr_strings(src, "labels");
	List	   *columns;
	List	   *rebuild;
	List	   *casts;
	int			first;
	char	   *blocker = enum_blocker(ctx, tgt, name, &columns, &rebuild, &casts);
	char	   *old;
	char	   *why = NULL;
	char	   *manual = NULL;
	bool		lossless = true;
	SdFixStep  *alter;
	StringInfoData labels;
	ListCell   *lc;

	if (blocker != NULL)
	{
		fix->note = psprintf("an enum's labels cannot be %s in place, and schemadrift does not recreate this one because of %s: recreate the type and what uses it by hand%s",
							 removes ? "removed" : "reordered", blocker,
							 removes ? " (destructive: rows holding the labels the source lacks must change first)" : "");
		fix->invalid = true;
		return;
	}
	if (removes)
		why = "recreates the enum without labels the target has: a row holding one of them makes the conversion fail";

	/* the old type's new name: free in the target, within NAMEDATALEN */
	old = psprintf("%.*s_schemadrift_old",
				   pg_mbcliplen(src->key[1], strlen(src->key[1]), NAMEDATALEN - 1 - 16),
				   src->key[1]);
	add_step(fix, FIX_PHASE_TYPE, false,
			 psprintf("ALTER TYPE %s RENAME TO %s", name, quote_identifier(old)),
			 T_RenameStmt, -1, why);
	create_type(fix, src);

	foreach(lc, rebuild)
	{
		NodeTag		tag;
		char	   *drop = drop_statement(lfirst(lc), &tag);

		if (drop == NULL)
		{
			fix_invalid(fix, "an index or constraint that cannot be dropped");
			return;
		}
		add_step(fix, FIX_PHASE_COLUMN, false, drop, tag, -1, why);
	}
	initStringInfo(&labels);
	foreach(lc, want)
		appendStringInfo(&labels, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	foreach(lc, columns)
	{
		SdObject   *col = lfirst(lc);
		SdObject   *twin = object_in(ctx->source, col);
		char	   *table = parent_name(col);
		const char *c = quote_identifier(col->key[2]);
		bool		is_array = strcmp(attr(col, "type"), name) != 0;
		char	   *prefix = psprintf("ALTER TABLE %s ALTER COLUMN %s", table, c);
		char	   *dflt = attr(twin, "default");

		if (attr(col, "default") != NULL)
			add_step(fix, FIX_PHASE_COLUMN, false, psprintf("%s DROP DEFAULT", prefix),
					 T_AlterTableStmt, 1, why);
		add_step(fix, FIX_PHASE_COLUMN, false,
				 psprintf("%s TYPE %s%s USING %s::pg_catalog.text%s::%s%s", prefix, name,
						  is_array ? "[]" : "", c, is_array ? "[]" : "", name, is_array ? "[]" : ""),
				 T_AlterTableStmt, 1, why);
		alter = last_step(fix);
		if (removes)
			hazard(fix, col->parent[0], col->parent[1],
				   is_array ?
				   psprintf("SELECT pg_catalog.count(*) FROM %s WHERE EXISTS (SELECT 1 FROM pg_catalog.unnest(%s) x WHERE NOT (x::pg_catalog.text = ANY (ARRAY[%s]::pg_catalog.text[])))",
							table, c, labels.data) :
				   psprintf("SELECT pg_catalog.count(*) FROM %s WHERE NOT (%s::pg_catalog.text = ANY (ARRAY[%s]::pg_catalog.text[]))",
							table, c, labels.data),
				   true, psprintf("row of %s holds a label in %s that the source's %s lacks", table, c, name),
				   psprintf("rows of %s hold a label in %s that the source's %s lacks", table, c, name));
		if (alter == NULL || alter->destructive != NULL || alter->manual != NULL)
			lossless = false;
		if (dflt != NULL && check_expression(fix, dflt))
			add_step(fix, FIX_PHASE_COLUMN, false, psprintf("%s SET DEFAULT %s", prefix, dflt),
					 T_AlterTableStmt, 1, why);
	}
	foreach(lc, rebuild)
	{
		SdObject   *twin = object_in(ctx->source, lfirst(lc));

		if (kind_is(twin, "index"))
			create_index(fix, twin, false);
		else
			create_constraint(fix, twin, false);
	}
	/* a cast of the old type goes before it, the source's is made anew */
	foreach(lc, casts)
	{
		SdObject   *c = lfirst(lc);
		bool		from = strcmp(c->key[0], src->key[0]) == 0 && strcmp(c->key[1], src->key[1]) == 0;

		add_step(fix, FIX_PHASE_OTHER, false,
				 psprintf("DROP CAST IF EXISTS (%s AS %s)",
						  from ? qualified(src->key[0], old) : qualified(c->key[0], c->key[1]),
						  from ? qualified(c->key[2], c->key[3]) : qualified(src->key[0], old)),
				 T_DropStmt, -1, why);
		first = list_length(fix->steps);
		sd_fix_missing(ctx, object_in(ctx->source, c), fix);
		/* the cast's own rows (its comment) wait for it (wait_for_replacement) */
		if (!fix->invalid && list_length(fix->steps) > first)
			((SdFixStep *) list_nth(fix->steps, first))->creates = replacement_tag(c);
	}
	add_step(fix, FIX_PHASE_OTHER, false,
			 psprintf("DROP TYPE %s", qualified(src->key[0], old)), T_DropStmt, -1, why);
	if (fix->invalid)
		return;

	/*
	 * All or nothing: a step left out would leave the old type in use.  The
	 * recreation loses nothing when no row holds a label the source lacks
	 * (every count came back 0), and is destructive otherwise.
	 */
	foreach(lc, fix->steps)
	{
		SdFixStep  *step = lfirst(lc);

		if (step->manual != NULL && manual == NULL)
			manual = step->manual;
	}
	foreach(lc, fix->steps)
	{
		SdFixStep  *step = lfirst(lc);
		bool		first = foreach_current_index(lc) == 0;
		char	   *with = psprintf("with the recreation of %s above", name);

		step->manual = manual == NULL ? NULL : first ? manual : with;
		step->destructive = lossless ? NULL : first ? why : with;
	}
}

/* new enum labels: ADD VALUE, in the script's first, committed part */
static void
change_enum_labels(SdFixContext *ctx, SdFix *fix, SdObject *src, SdObject *tgt)
{
	List	   *want = attr_strings(src, "labels");
	List	   *have = attr_strings(tgt, "labels");
	List	   *kept = NIL;
	ListCell   *lc;
	ListCell   *lc2;
	const char *prev = NULL;

	/* the labels both have must be in the same order, and none may go */
	foreach(lc, want)
		if (sd_list_has_string(have, lfirst(lc)))
			kept = lappend(kept, lfirst(lc));
	if (list_length(kept) != list_length(have))
	{
		recreate_enum(ctx, fix, src, tgt, true);
		return;
	}
	forboth(lc, kept, lc2, have)
		if (strcmp(lfirst(lc), lfirst(lc2)) != 0)
		{
			recreate_enum(ctx, fix, src, tgt, false);
			return;
		}
	foreach(lc, want)
	{
		const char *label = lfirst(lc);

		if (!sd_list_has_string(have, label))
		{
			SdFixStep  *step;

			if (prev != NULL)
				add_step(fix, FIX_PHASE_TYPE, false,
						 psprintf("ALTER TYPE %s ADD VALUE IF NOT EXISTS %s AFTER %s", obj_name(src),
								  quote_literal_cstr(label), quote_literal_cstr(prev)),
						 T_AlterEnumStmt, -1, NULL);
			else if (have != NIL)
				add_step(fix, FIX_PHASE_TYPE, false,
						 psprintf("ALTER TYPE %s ADD VALUE IF NOT EXISTS %s BEFORE %s", obj_name(src),
								  quote_literal_cstr(label), quote_literal_cstr(linitial(have))),
						 T_AlterEnumStmt, -1, NULL);
			else
				add_step(fix, FIX_PHASE_TYPE, false,
						 psprintf("ALTER TYPE %s ADD VALUE IF NOT EXISTS %s", obj_name(src),
								  quote_literal_cstr(label)),
						 T_AlterEnumStmt, -1, NULL);
			if (fix->invalid)
				return;
			step = llast(fix->steps);
			step->part = FIX_PART_LABELS;
		}
		prev = label;
	}
}

static void
change_domain(SdFix *fix, SdObject *src, SdObject *tgt, const char *a)
{
	char	   *name = obj_name(src);
	char	   *v = attr(src, a);
	ListCell   *lc;

	if (strcmp(a, "default") == 0)
	{
		if (v != NULL && !check_expression(fix, v))
			return;
		add_step(fix, FIX_PHASE_TYPE, false,
				 v ? psprintf("ALTER DOMAIN %s SET DEFAULT %s", name, v) :
				 psprintf("ALTER DOMAIN %s DROP DEFAULT", name),
				 T_AlterDomainStmt, -1, NULL);
	}
	else if (strcmp(a, "not_null") == 0)
		add_step(fix, FIX_PHASE_TYPE, false,
				 psprintf("ALTER DOMAIN %s %s NOT NULL", name, attr_bool(src, a) ? "SET" : "DROP"),
				 T_AlterDomainStmt, -1,
				 attr_bool(src, a) ? "SET NOT NULL fails if a column of the domain holds NULLs" : NULL);
	else if (strcmp(a, "checks") == 0)
	{
		List	   *want = attr_strings(src, a);
		List	   *have = attr_strings(tgt, a);
		char	   *cname;
		char	   *check;

		foreach(lc, have)
			if (!sd_list_has_string(want, lfirst(lc)))
			{
				if (!split_domain_check(lfirst(lc), &cname, &check))
				{
					fix_invalid(fix, "a domain check that is not one");
					return;
				}
				add_step(fix, FIX_PHASE_TYPE, true,
						 psprintf("ALTER DOMAIN %s DROP CONSTRAINT IF EXISTS %s", name, quote_identifier(cname)),
						 T_AlterDomainStmt, -1, NULL);
			}
		foreach(lc, want)
			if (!sd_list_has_string(have, lfirst(lc)))
			{
				if (!split_domain_check(lfirst(lc), &cname, &check))
				{
					fix_invalid(fix, "a domain check that is not one");
					return;
				}
				add_step(fix, FIX_PHASE_TYPE, false,
						 psprintf("ALTER DOMAIN %s ADD CONSTRAINT %s %s", name, quote_identifier(cname), check),
						 T_AlterDomainStmt, -1, "a new check fails if a column of the domain holds values it rejects");
			}
	}
	else
	{
		fix->note = psprintf("schemadrift writes no fix for the %s of a domain: recreate it", a);
		fix->invalid = true;
	}
}

static void
change_policy(SdFix *fix, SdObject *src, const char *a)
{
	char	   *v = attr(src, a);
	char	   *head = psprintf("ALTER POLICY %s ON %s", quote_identifier(src->key[2]), parent_name(src));

	if (strcmp(a, "roles") == 0)
	{
		StringInfoData buf;
		List	   *roles = attr_strings(src, a);

		initStringInfo(&buf);
		appendStringInfo(&buf, "%s TO ", head);
		if (roles == NIL)
			appendStringInfoString(&buf, "PUBLIC");
		append_roles(&buf, roles);
		add_step(fix, FIX_PHASE_POLICY, false, buf.data, T_AlterPolicyStmt, -1, NULL);
	}
	else if ((strcmp(a, "using") == 0 || strcmp(a, "with_check") == 0) && v != NULL)
	{
		if (!check_expression(fix, v))
			return;
		add_step(fix, FIX_PHASE_POLICY, false,
				 psprintf("%s %s (%s)", head, strcmp(a, "using") == 0 ? "USING" : "WITH CHECK", v),
				 T_AlterPolicyStmt, -1, NULL);
	}
}

/* attributes every kind that has them fixes the same way */
static bool
change_common(SdFix *fix, SdObject *src, SdObject *tgt, const char *a)
{
	if (strcmp(a, "comment") == 0)
	{
		add_comment(fix, src, attr(src, a), kind_phase(src));
		return true;
	}
	if (strcmp(a, "owner") == 0 && !kind_is(src, "table column"))
	{
		if (attr(src, a) == NULL)
		{
			fix->note = "the source has no owner to set";
			fix->invalid = true;
		}
		else
			add_owner(fix, src, attr(src, a), kind_phase(src));
		return true;
	}
	if (strcmp(a, "privileges") == 0 && grant_target(src) != NULL)
	{
		char	   *owner = attr(src, "owner");

		/* absent is the default ACL (catalog_attrs.c) */
		grant_steps(fix, src, NULL,
					attr_present(src, a) ? attr_strings(src, a) : default_privileges(src),
					attr_present(tgt, a) ? attr_strings(tgt, a) : default_privileges(tgt),
					owner ? owner : attr(tgt, "owner"), kind_phase(src));
		return true;
	}
	return false;
}

/*
 * alter_fdw_options
 *		"head OPTIONS (DROP ..., SET ..., ADD ...)" that turns the options
 *		have ("name=value" entries) into want.
 */
static void
alter_fdw_options(SdFix *fix, SdFixPhase phase, const char *head, List *want,
				  List *have, NodeTag tag)
{
	StringInfoData buf;
	ListCell   *lc;
	ListCell   *lc2;
	int			n = 0;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s OPTIONS (", head);
	foreach(lc, have)
	{
		char	   *o = pstrdup(lfirst(lc));
		char	   *eq = strchr(o, '=');
		bool		kept = false;

		if (eq)
			*eq = '\0';
		foreach(lc2, want)
			if (strncmp(lfirst(lc2), o, strlen(o)) == 0 && ((char *) lfirst(lc2))[strlen(o)] == '=')
				kept = true;
		if (!kept)
			appendStringInfo(&buf, "%sDROP %s", n++ > 0 ? ", " : "", quote_identifier(o));
	}
	foreach(lc, want)
	{
		char	   *o = pstrdup(lfirst(lc));
		char	   *eq = strchr(o, '=');
		bool		had = false;

		if (sd_list_has_string(have, lfirst(lc)))
			continue;
		if (eq)
			*eq = '\0';
		foreach(lc2, have)
			if (strncmp(lfirst(lc2), o, strlen(o)) == 0 && ((char *) lfirst(lc2))[strlen(o)] == '=')
				had = true;
		appendStringInfo(&buf, "%s%s%s %s", n++ > 0 ? ", " : "", had ? "SET " : "ADD ",
						 quote_identifier(o), quote_literal_cstr(eq ? eq + 1 : ""));
	}
	appendStringInfoChar(&buf, ')');
	if (n > 0)
		add_step(fix, phase, false, buf.data, tag, -1, NULL);
}

/*
 * fix_changed
 *		sd_fix_changed() of one attribute.
 */
static void
fix_changed(SdFixContext *ctx, SdObject *src, SdObject *tgt,
			const char *a, SdFix *fix)
{
	const char *k = src->kind;

	fix_ctx = ctx;
	if (change_common(fix, src, tgt, a))
	{
		wait_for_replacement(fix, src);
		return;
	}
	if (strcmp(k, "table column") == 0 || strcmp(k, "foreign table column") == 0)
		change_column(ctx, fix, src, tgt, a);
	else if (strcmp(k, "table") == 0)
		change_table(fix, src, tgt, a);
	else if (strcmp(k, "sequence") == 0)
		change_sequence(fix, src, a);
	else if (strcmp(k, "table constraint") == 0)
		replace_object(ctx, fix, src, tgt,
					   "drops the constraint to add it as the source has it (rows that break it make the new one fail)");
	else if (strcmp(k, "index") == 0 && strcmp(a, "tablespace") == 0)
		add_step(fix, FIX_PHASE_INDEX, false,
				 psprintf("ALTER INDEX %s SET TABLESPACE %s", obj_name(src),
						  attr(src, a) ? quote_identifier(attr(src, a)) : "pg_default"),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(k, "index") == 0)
		replace_object(ctx, fix, src, tgt, "drops the index to build it as the source has it");
	else if (strcmp(k, "view") == 0 && strcmp(a, "definition") == 0 &&
			 view_columns_kept(src, tgt))
		create_view(ctx, fix, src, true);
	else if (strcmp(k, "view") == 0 && strcmp(a, "definition") == 0)
	{
		/* CREATE OR REPLACE VIEW cannot drop, rename or move a column */
		StringInfoData lost;
		List	   *want = view_columns(src);
		ListCell   *lc;
		int			nlost = 0;

		initStringInfo(&lost);
		foreach(lc, view_columns(tgt))
			if (!sd_list_has_string(want, lfirst(lc)))
				appendStringInfo(&lost, "%s%s", nlost++ > 0 ? ", " : "",
								 quote_identifier(lfirst(lc)));
		recreate_with_dependents(ctx, fix, src, tgt,
								 nlost == 0 ? NULL :
								 psprintf("drops the view to create it without column%s %s, which what reads it loses",
										  nlost > 1 ? "s" : "", lost.data));
	}
	else if (strcmp(k, "materialized view") == 0 && strcmp(a, "definition") == 0)
		recreate_with_dependents(ctx, fix, src, tgt, "drops the materialized view to create it as the source has it (its rows are computed again)");
	else if ((strcmp(k, "function") == 0 || strcmp(k, "procedure") == 0) &&
			 strcmp(a, "result") != 0 && strcmp(a, "arguments") != 0)
	{
		char	   *sql = routine_statement(fix, src);

		if (sql != NULL)
			add_routine_step(fix, src, sql);
	}
	else if (strcmp(k, "function") == 0)
		recreate_with_dependents(ctx, fix, src, tgt,
								 "drops the function to create it with another result");
	else if (strcmp(k, "trigger") == 0 && strcmp(a, "enabled") == 0)
	{
		char	   *v = attr(src, a);

		add_step(fix, FIX_PHASE_TRIGGER, false,
				 psprintf("ALTER TABLE %s %s TRIGGER %s", parent_name(src),
						  enable_words(v),
						  quote_identifier(src->key[2])),
				 T_AlterTableStmt, 1, NULL);
	}
	else if (strcmp(k, "trigger") == 0)
		replace_object(ctx, fix, src, tgt, "drops the trigger to create it as the source has it");
	else if (strcmp(k, "policy") == 0 &&
			 (strcmp(a, "roles") == 0 || strcmp(a, "using") == 0 || strcmp(a, "with_check") == 0) &&
			 (attr(src, a) != NULL || strcmp(a, "roles") == 0))
		change_policy(fix, src, a);
	else if (strcmp(k, "policy") == 0)
		replace_object(ctx, fix, src, tgt, "drops the policy to create it as the source has it");
	else if (strcmp(k, "type") == 0 && type_shape_differs(src, tgt))
		change_type_shape(ctx, fix, src, tgt);
	else if (strcmp(k, "type") == 0 && strcmp(a, "labels") == 0)
		change_enum_labels(ctx, fix, src, tgt);
	else if (strcmp(k, "type") == 0 && strcmp(a, "base_type") == 0)
	{
		change_base_type(fix, src, tgt);
		wait_for_replacement(fix, src);
	}
	else if (is_domain(src) && is_domain(tgt))
		change_domain(fix, src, tgt, a);
	else if (strcmp(k, "extension") == 0 && strcmp(a, "version") == 0 && attr(src, a) != NULL)
		add_step(fix, FIX_PHASE_EXTENSION, false,
				 psprintf("ALTER EXTENSION %s UPDATE TO %s", obj_name(src), quote_literal_cstr(attr(src, a))),
				 T_AlterExtensionStmt, -1, NULL);
	else if (strcmp(k, "extension") == 0 && strcmp(a, "schema") == 0 && attr(src, a) != NULL)
		add_step(fix, FIX_PHASE_EXTENSION, false,
				 psprintf("ALTER EXTENSION %s SET SCHEMA %s", obj_name(src), quote_identifier(attr(src, a))),
				 T_AlterObjectSchemaStmt, -1, NULL);
	else if (strcmp(k, "statistics object") == 0 && strcmp(a, "statistics") == 0)
		add_step(fix, FIX_PHASE_STATISTICS, false,
				 psprintf("ALTER STATISTICS %s SET STATISTICS %d", obj_name(src),
						  attr(src, a) ? atoi(attr(src, a)) : -1),
				 T_AlterStatsStmt, -1, NULL);
	else if (strcmp(k, "statistics object") == 0)
		replace_object(ctx, fix, src, tgt, "drops the statistics object to create it as the source has it");
	else if (strcmp(k, "publication") == 0 && strcmp(a, "publish") == 0)
		add_step(fix, FIX_PHASE_PUBLICATION, false,
				 psprintf("ALTER PUBLICATION %s SET (publish = %s)", obj_name(src),
						  quote_literal_cstr(publish_list(src))),
				 T_AlterPublicationStmt, -1, NULL);
	else if (strcmp(k, "publication") == 0 && strcmp(a, "publish_via_partition_root") == 0)
		add_step(fix, FIX_PHASE_PUBLICATION, false,
				 psprintf("ALTER PUBLICATION %s SET (publish_via_partition_root = %s)", obj_name(src),
						  attr_bool(src, a) ? "true" : "false"),
				 T_AlterPublicationStmt, -1, NULL);
	else if (strcmp(k, "publication") == 0)
		replace_object(ctx, fix, src, tgt,
					   "drops the publication to create it as the source has it: its subscribers must refresh");
	else if (strcmp(k, "foreign-data wrapper") == 0 && strcmp(a, "options") == 0)
		alter_fdw_options(fix, FIX_PHASE_EXTENSION,
						  psprintf("ALTER FOREIGN DATA WRAPPER %s", obj_name(src)),
						  attr_strings(src, a), attr_strings(tgt, a), T_AlterFdwStmt);
	else if (strcmp(k, "server") == 0 && strcmp(a, "options") == 0)
		alter_fdw_options(fix, FIX_PHASE_EXTENSION, psprintf("ALTER SERVER %s", obj_name(src)),
						  attr_strings(src, a), attr_strings(tgt, a), T_AlterForeignServerStmt);
	else if (strcmp(k, "foreign table") == 0 && strcmp(a, "options") == 0)
		alter_fdw_options(fix, FIX_PHASE_TABLE, psprintf("ALTER FOREIGN TABLE %s", obj_name(src)),
						  attr_strings(src, a), attr_strings(tgt, a), T_AlterTableStmt);
	else if (strcmp(k, "foreign-data wrapper") == 0 &&
			 (strcmp(a, "handler") == 0 || strcmp(a, "validator") == 0))
	{
		char	   *f = attr(src, a);

		if (f != NULL && (f = function_name_only(fix, f)) == NULL)
			return;
		add_step(fix, FIX_PHASE_EXTENSION, false,
				 psprintf("ALTER FOREIGN DATA WRAPPER %s %s%s%s", obj_name(src),
						  f ? "" : "NO ", strcmp(a, "handler") == 0 ? "HANDLER" : "VALIDATOR",
						  f ? psprintf(" %s", f) : ""),
				 T_AlterFdwStmt, -1, NULL);
	}
	else if (strcmp(k, "server") == 0 && strcmp(a, "version") == 0)
		add_step(fix, FIX_PHASE_EXTENSION, false,
				 psprintf("ALTER SERVER %s VERSION %s", obj_name(src),
						  attr(src, a) ? quote_literal_cstr(attr(src, a)) : "NULL"),
				 T_AlterForeignServerStmt, -1, NULL);
	else if (strcmp(k, "event trigger") == 0 && strcmp(a, "enabled") == 0)
	{
		char	   *v = attr(src, a);

		add_step(fix, FIX_PHASE_TRIGGER, false,
				 psprintf("ALTER EVENT TRIGGER %s %s", obj_name(src),
						  enable_words(v)),
				 T_AlterEventTrigStmt, -1, NULL);
	}
	else if (strcmp(k, "event trigger") == 0 || strcmp(k, "collation") == 0)
		replace_object(ctx, fix, src, tgt, "drops the object to create it as the source has it");
	else if (strcmp(k, "default acl") == 0)
		fix_default_acl(fix, src, tgt);
	else if (strcmp(k, "rule") == 0 && strcmp(a, "enabled") == 0)
		add_step(fix, FIX_PHASE_TRIGGER, false,
				 psprintf("ALTER TABLE %s %s RULE %s", parent_name(src), enable_words(attr(src, a)),
						  quote_identifier(src->key[2])),
				 T_AlterTableStmt, 1, NULL);
	else if (strcmp(k, "rule") == 0 && strcmp(a, "definition") == 0)
		create_rule(fix, src, true);
	else if (strcmp(k, "publication relation") == 0)
	{
		NodeTag		tag = T_Invalid;
		char	   *drop = drop_statement(tgt, &tag);

		add_step(fix, FIX_PHASE_PUBLICATION, false, drop, tag, -1, NULL);
		sd_fix_missing(ctx, src, fix);
	}
	else if (is_support_kind(src))
	{
		change_support(ctx, fix, src, tgt, a);
		wait_for_replacement(fix, src);
	}
	else
	{
		fix->note = psprintf("schemadrift writes no fix for the %s of %s objects yet", a, k);
		fix->invalid = true;
	}
}

/*
 * sd_fix_changed
 *		The fix of one attribute that differs between the source's and the
 *		target's version of an object.  What changes a view, materialized
 *		view or routine in place (its owner, grants, comment) waits for
 *		the object to be made again when another row's fix does that (a
 *		view read by one whose columns change).
 */
void
sd_fix_changed(SdFixContext *ctx, SdObject *src, SdObject *tgt,
			   const char *a, SdFix *fix)
{
	ListCell   *lc;

	fix_changed(ctx, src, tgt, a, fix);
	if (fix->invalid || !(kind_is(src, "view") || kind_is(src, "materialized view") ||
						  is_routine(src)))
		return;
	foreach(lc, fix->steps)
	{
		SdFixStep  *step = lfirst(lc);

		if (!step->drop && step->creates == NULL &&
			!sd_list_has_string(step->needs, src->identity))
			step->needs = lappend(step->needs, src->identity);
	}
}

/* ---- text ---------------------------------------------------------------- */

/* text in a comment line: line breaks and other control characters escaped */
void
sd_fix_comment_text(StringInfo buf, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '\n')
			appendStringInfoString(buf, "\\n");
		else if (c == '\r')
			appendStringInfoString(buf, "\\r");
		else if (c < 0x20 || c == 0x7f)
			appendStringInfo(buf, "\\x%02x", c);
		else
			appendStringInfoChar(buf, (char) c);
	}
}

/*
 * sd_fix_step_text
 *		A step as script text: the statement and ";", or, for a destructive
 *		step the options do not allow, the statement commented out after a
 *		"-- DESTRUCTIVE:" line with the reason.
 */
void
sd_fix_step_text(StringInfo buf, SdFixStep *step, bool allow_destructive)
{
	if (step->manual != NULL || (step->destructive != NULL && !allow_destructive))
	{
		const char *p;

		if (step->manual != NULL)
		{
			appendStringInfoString(buf, "-- MANUAL: ");
			sd_fix_comment_text(buf, step->manual);
		}
		else
		{
			appendStringInfoString(buf, "-- DESTRUCTIVE: ");
			sd_fix_comment_text(buf, step->destructive);
			appendStringInfoString(buf, " (skipped: pass allow_destructive to run it)");
		}
		if (step->remark != NULL)
		{
			appendStringInfoString(buf, "\n-- NOTE: ");
			sd_fix_comment_text(buf, step->remark);
		}
		appendStringInfoString(buf, "\n-- ");
		for (p = step->sql; *p; p++)
		{
			appendStringInfoChar(buf, *p);
			/* both end a comment in SQL */
			if (*p == '\n' || *p == '\r')
				appendStringInfoString(buf, "-- ");
		}
		appendStringInfoString(buf, ";\n");
		return;
	}
	if (step->destructive != NULL)
	{
		appendStringInfoString(buf, "-- DESTRUCTIVE: ");
		sd_fix_comment_text(buf, step->destructive);
		appendStringInfoChar(buf, '\n');
	}
	if (step->remark != NULL)
	{
		appendStringInfoString(buf, "-- NOTE: ");
		sd_fix_comment_text(buf, step->remark);
		appendStringInfoChar(buf, '\n');
	}
	appendStringInfo(buf, "%s;\n", step->sql);
}

/* whether step a runs before step b (and they are not alike) */
static bool
step_before(const SdFixStep *a, const SdFixStep *b)
{
	if (a->part != b->part)
		return a->part < b->part;
	if (a->drop != b->drop)
		return a->drop;
	if (a->phase != b->phase)
		return a->drop ? a->phase > b->phase : a->phase < b->phase;
	return false;
}

/*
 * sd_fix_text
 *		The fix_sql of a diff row: its steps in script order (drops first,
 *		in reverse phase order), or NULL when it has none.
 */
char *
sd_fix_text(SdFixContext *ctx, SdFix *fix)
{
	StringInfoData buf;
	SdFixStep **steps;
	ListCell   *lc;
	int			n = 0;
	int			i;

	if (fix->invalid || fix->steps == NIL)
		return NULL;

	/*
	 * In the order a script would run them (fix_script.c): by part, drops
	 * first in reverse phase order, then by phase; steps that compare equal
	 * keep the order they were made in (insertion sort: stable, and a row
	 * has few steps).
	 */
	steps = palloc(sizeof(SdFixStep *) * list_length(fix->steps));
	foreach(lc, fix->steps)
	{
		SdFixStep  *step = lfirst(lc);

		for (i = n; i > 0 && step_before(step, steps[i - 1]); i--)
			steps[i] = steps[i - 1];
		steps[i] = step;
		n++;
	}
	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		sd_fix_step_text(&buf, steps[i], ctx->options.allow_destructive);
	/* without its last newline */
	if (buf.len > 0)
		buf.data[--buf.len] = '\0';
	return buf.data;
}
