/*-------------------------------------------------------------------------
 *
 * compare.c
 *	  The diff: what must change in a target schema to match a source.
 *
 * Both sides are sorted object sets (objects.c); one merge pass pairs them
 * by kind and raw key.  An object only in the source is "missing", one only
 * in the target "extra"; a pair whose hashes differ is "changed", reported
 * one row per differing attribute.  Children (columns, constraints, indexes,
 * triggers, policies, extended statistics) of a missing or extra relation,
 * and the members of a publication or server (sd_kinds: "relation" and
 * "family"), are folded into its row, which counts them in its note; a
 * folded child is never also paired with an object of the same key on the
 * other side.  Column order is
 * compared on the columns both sides have, so one added column does not
 * also show as an order change.  Between different major versions,
 * differences in text that core deparses (definitions, defaults,
 * expressions) are marked as possible version noise, and so are missing and
 * extra constraints when they match by definition (ignore
 * constraint_names).
 *
 * A side is this database (NULL), a snapshot (jsonb), a foreign server or
 * a stored baseline (text: side.c).
 *
 * With the option explain, each row also names the last audit log entry of
 * its object (attribution.c) on the side that has the change.  The diff
 * says what must change in the target to match the source: the target is
 * what drifted, so an extra or changed row is attributed from the
 * target's log (who created or altered it there), and a missing row from
 * the target's log too when the target dropped the object; a missing
 * object the target never had is attributed from the source's log (who
 * created it there: a migration not deployed yet).  changed_on says which.
 * A snapshot or a baseline has no log; a foreign server has one when its
 * database has schemadrift, read over the connection its objects came on.
 *
 * IDENTIFICATION
 *	  src/compare.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "executor/tuptable.h"
#include "commands/dbcommands.h"

#include "compare.h"
#include "compat.h"
#include "fix.h"
#include "objects.h"
#include "options.h"
#include "remote.h"
#include "side.h"
#include "snapshot.h"
#include "util.h"
#include "workflow.h"

/*
 * The result columns this library fills.  A declaration may hold any of
 * them in any order (sd_util_result_columns): schemadrift 0.1.0's has all
 * seven, later versions may add columns.
 */
typedef enum DiffColumn
{
	COL_KIND,
	COL_IDENTITY,
	COL_CHANGE,
	COL_ATTRIBUTE,
	COL_SOURCE_VALUE,
	COL_TARGET_VALUE,
	COL_NOTE,
	COL_FIX_SQL,
	/* with explain: the last audit log entry (attribution.c) */
	COL_CHANGED_ON,
	COL_CHANGED_BY,
	COL_CHANGED_AT,
	COL_APPLICATION_NAME,
	COL_CLIENT_ADDR,
	COL_COMMAND_TAG,
	COL_STATEMENT,
	COL_CHANGE_REASON,
	COL_AUDIT_ID,
	NUM_DIFF_COLUMNS
} DiffColumn;

#define FIRST_EXPLAIN_COLUMN	COL_CHANGED_ON

static const SdResultColumn diff_columns[NUM_DIFF_COLUMNS] = {
	[COL_KIND] = {"kind", TEXTOID},
	[COL_IDENTITY] = {"identity", TEXTOID},
	[COL_CHANGE] = {"change", TEXTOID},
	[COL_ATTRIBUTE] = {"attribute", TEXTOID},
	[COL_SOURCE_VALUE] = {"source_value", TEXTOID},
	[COL_TARGET_VALUE] = {"target_value", TEXTOID},
	[COL_NOTE] = {"note", TEXTOID},
	[COL_FIX_SQL] = {"fix_sql", TEXTOID},
	[COL_CHANGED_ON] = {"changed_on", TEXTOID},
	[COL_CHANGED_BY] = {"changed_by", TEXTOID},
	[COL_CHANGED_AT] = {"changed_at", TIMESTAMPTZOID},
	[COL_APPLICATION_NAME] = {"application_name", TEXTOID},
	[COL_CLIENT_ADDR] = {"client_addr", INETOID},
	[COL_COMMAND_TAG] = {"command_tag", TEXTOID},
	[COL_STATEMENT] = {"statement", TEXTOID},
	[COL_CHANGE_REASON] = {"change_reason", TEXTOID},
	[COL_AUDIT_ID] = {"audit_id", INT8OID},
};

/* the options of a diff that shape its rows, not what it reads */
static const char *const diff_row_option_names[] = {"explain", NULL};

/* attributes whose text core deparses, and which may print differently
 * from one major version to the next */
static const char *const deparsed_attributes[] = {
	"definition", "default", "generated", "using", "with_check", "checks",
	"partition_key", "partition_bound", "arguments", "result", "body",
	"row_filter", NULL
};

typedef struct DiffState
{
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
	int			colpos[NUM_DIFF_COLUMNS];	/* -1: not declared */
	SdObjectSet *source;
	SdObjectSet *target;
	char	   *version_note;	/* non-NULL when the majors differ */
	bool		maintain_noise; /* the majors differ: MAINTAIN may too */
	bool		constraints_by_definition;	/* ignore constraint_names */
	char	   *model_note;		/* non-NULL when the object models differ */
	int			older_model;	/* the older of the two model versions */
	SdFixContext *fix;			/* NULL when fix_sql is not declared */
	List	   *script_rows;	/* SdFixRow: a script is made, not rows */
	MemoryContext rows_cxt;		/* where script_rows live */
	bool		script;
	bool		explain;		/* attribute the rows (attribution.c) */
	SdRemote   *target_remote;	/* with explain: a remote side's connection, */
	SdRemote   *source_remote;	/* left open by its read, or NULL */
} DiffState;

static bool
is_relation(const SdObject *obj)
{
	return obj->kindinfo != NULL && obj->kindinfo->relation;
}

static bool
is_deparsed_attribute(const char *attr)
{
	const char *const *p;

	for (p = deparsed_attributes; *p; p++)
		if (strcmp(*p, attr) == 0)
			return true;
	return false;
}

/* set column col of a result row to the text s (NULL if s is) */
static void
set_text(DiffState *ds, Datum *values, bool *nulls, DiffColumn col, const char *s)
{
	int			pos = ds->colpos[col];

	if (pos < 0)
		return;
	nulls[pos] = (s == NULL);
	if (s != NULL)
		values[pos] = CStringGetTextDatum(s);
}

/*
 * model_noted
 *		note, with the model note appended when obj's kind changed in a model
 *		version newer than the older side's (its rows may come from the model
 *		change rather than from the schemas).
 */
static const char *
model_noted(DiffState *ds, const SdObject *obj, const char *note)
{
	if (ds->model_note == NULL ||
		(obj->kindinfo != NULL && obj->kindinfo->model <= ds->older_model))
		return note;
	if (note == NULL)
		return ds->model_note;
	return psprintf("%s; %s", note, ds->model_note);
}

/*
 * emit
 *		One result row.  fix, if not NULL, is the row's fix: its text goes
 *		into fix_sql, and its note (why there is none, or a remark) into
 *		note.
 */
static void
emit(DiffState *ds, const SdObject *obj, const char *change,
	 const char *attribute, const char *source_value,
	 const char *target_value, const char *note, SdFix *fix)
{
	Datum	   *values;
	bool	   *nulls;

	if (ds->script)
	{
		MemoryContext old = MemoryContextSwitchTo(ds->rows_cxt);
		SdFixRow   *row = sd_fix_row_copy(obj->kind, obj->identity, change,
										  attribute, model_noted(ds, obj, note), fix);

		sd_fix_row_digest(row, target_value);
		ds->script_rows = lappend(ds->script_rows, row);
		MemoryContextSwitchTo(old);
		return;
	}
	values = palloc0(sizeof(Datum) * ds->tupdesc->natts);
	nulls = palloc(sizeof(bool) * ds->tupdesc->natts);
	/* the explain columns are filled afterwards, if at all */
	memset(nulls, true, sizeof(bool) * ds->tupdesc->natts);
	if (fix != NULL)
	{
		set_text(ds, values, nulls, COL_FIX_SQL, sd_fix_text(ds->fix, fix));
		if (fix->note != NULL)
			note = note ? psprintf("%s; %s", note, fix->note) : fix->note;
	}
	else
		set_text(ds, values, nulls, COL_FIX_SQL, NULL);

	set_text(ds, values, nulls, COL_KIND, obj->kind);
	set_text(ds, values, nulls, COL_IDENTITY, obj->identity);
	set_text(ds, values, nulls, COL_CHANGE, change);
	set_text(ds, values, nulls, COL_ATTRIBUTE, attribute);
	set_text(ds, values, nulls, COL_SOURCE_VALUE, source_value);
	set_text(ds, values, nulls, COL_TARGET_VALUE, target_value);
	set_text(ds, values, nulls, COL_NOTE, model_noted(ds, obj, note));
	tuplestore_putvalues(ds->tupstore, ds->tupdesc, values, nulls);
}

/* the top-level keys of a jsonb object, in jsonb order */
static List *
object_keys(JsonbContainer *c)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	v;
	JsonbIteratorToken tok;
	List	   *keys = NIL;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_KEY)
			keys = lappend(keys, pnstrdup(v.val.string.val, v.val.string.len));
	return keys;
}

/* the strings of a jsonb array value (none if it is not one) */
static List *
array_strings(JsonbValue *v)
{
	List	   *result;

	if (sd_jsonb_strings(v, &result, NULL) != 0)
		return NIL;
	return result;
}

/*
 * privileges_differ_only_in_maintain
 *		Whether two privilege lists (an absent one is empty) are the same but
 *		for MAINTAIN entries ("grantee:MAINTAIN", with "*" if grantable).
 *		PostgreSQL 17 added the privilege, and from then on a table owner's
 *		explicit ACL holds it: across that version such a difference is
 *		version noise.
 */
static bool
privileges_differ_only_in_maintain(JsonbValue *sv, JsonbValue *tv)
{
	List	   *lists[2] = {array_strings(sv), array_strings(tv)};
	List	   *kept[2] = {NIL, NIL};
	ListCell   *lc;
	ListCell   *lc2;
	int			side;

	for (side = 0; side < 2; side++)
		foreach(lc, lists[side])
		{
			const char *entry = lfirst(lc);
			const char *colon = strrchr(entry, ':');

			if (colon == NULL || (strcmp(colon + 1, "MAINTAIN") != 0 &&
								  strcmp(colon + 1, "MAINTAIN*") != 0))
				kept[side] = lappend(kept[side], (void *) entry);
		}
	if (list_length(kept[0]) != list_length(kept[1]))
		return false;
	forboth(lc, kept[0], lc2, kept[1])
		if (strcmp(lfirst(lc), lfirst(lc2)) != 0)
			return false;
	return true;
}

/* a List of C strings as a JSON array text */
static char *
strings_to_json(List *l)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, l)
	{
		if (buf.len > 1)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, lfirst(lc));
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * compare_column_order
 *		Emit a "column_order" row when the columns both tables have are not
 *		in the same relative order.  Added or dropped columns are reported as
 *		columns; they do not make an order change of their own.
 */
static void
compare_column_order(DiffState *ds, const SdObject *s, const SdObject *t,
					 JsonbValue *sv, JsonbValue *tv)
{
	List	   *scols = array_strings(sv);
	List	   *tcols = array_strings(tv);
	List	   *scommon = NIL;
	List	   *tcommon = NIL;
	ListCell   *lc,
			   *lc2;
	bool		same = true;

	foreach(lc, scols)
		if (sd_list_has_string(tcols, lfirst(lc)))
			scommon = lappend(scommon, lfirst(lc));
	foreach(lc, tcols)
		if (sd_list_has_string(scols, lfirst(lc)))
			tcommon = lappend(tcommon, lfirst(lc));
	forboth(lc, scommon, lc2, tcommon)
	{
		if (strcmp(lfirst(lc), lfirst(lc2)) != 0)
		{
			same = false;
			break;
		}
	}
	if (!same)
	{
		SdFix		fix;

		sd_fix_init(&fix);
		if (ds->fix)
			sd_fix_changed(ds->fix, (SdObject *) s, (SdObject *) t, "column_order", &fix);
		emit(ds, s, "changed", "column_order", strings_to_json(scommon),
			 strings_to_json(tcommon),
			 "order of the columns both sides have", ds->fix ? &fix : NULL);
	}
}

/*
 * compare_attributes
 *		One "changed" row per attribute whose value differs between the two
 *		versions of an object (absent on one side counts as NULL).
 */
static void
compare_attributes(DiffState *ds, SdObject *s, SdObject *t)
{
	JsonbContainer *sattrs = sd_object_attrs(s);
	JsonbContainer *tattrs = sd_object_attrs(t);
	List	   *keys = list_concat(object_keys(sattrs), object_keys(tattrs));
	ListCell   *lc;
	const char *prev = NULL;

	list_sort(keys, sd_list_cstring_cmp);
	foreach(lc, keys)
	{
		const char *key = lfirst(lc);
		JsonbValue *sv;
		JsonbValue *tv;
		char	   *stext;
		char	   *ttext;
		char	   *note;
		SdFix		fix;

		if (prev != NULL && strcmp(prev, key) == 0)
			continue;
		prev = key;

		sv = sd_jsonb_get(sattrs, key);
		tv = sd_jsonb_get(tattrs, key);

		if (strcmp(key, "column_order") == 0)
		{
			compare_column_order(ds, s, t, sv, tv);
			continue;
		}

		/* quoted forms tell the string "true" from the boolean */
		stext = sv ? sd_jsonb_value_text(sv, true) : NULL;
		ttext = tv ? sd_jsonb_value_text(tv, true) : NULL;
		if (stext && ttext && strcmp(stext, ttext) == 0)
			continue;

		note = NULL;
		if (ds->version_note && is_deparsed_attribute(key))
			note = ds->version_note;
		else if (ds->maintain_noise && strcmp(key, "privileges") == 0 &&
				 privileges_differ_only_in_maintain(sv, tv))
			note = psprintf("%s (the MAINTAIN privilege exists from PostgreSQL 17)",
							ds->version_note);
		sd_fix_init(&fix);
		if (ds->fix)
			sd_fix_changed(ds->fix, s, t, key, &fix);
		emit(ds, s, "changed", key,
			 sv ? sd_jsonb_value_text(sv, false) : NULL,
			 tv ? sd_jsonb_value_text(tv, false) : NULL,
			 note, ds->fix ? &fix : NULL);
	}
}

/* ---- folding children into a missing or extra relation ------------------ */

typedef struct FoldedRelation
{
	char	   *pkey;			/* encoded raw key of the relation */
	int		   *nchildren;		/* folded children, per kind (sd_kinds) */
} FoldedRelation;

static int
cmp_folded(const void *a, const void *b)
{
	return strcmp(((const FoldedRelation *) a)->pkey,
				  ((const FoldedRelation *) b)->pkey);
}

static FoldedRelation *
find_folded(FoldedRelation *rels, int n, const char *pkey)
{
	FoldedRelation key;

	key.pkey = (char *) pkey;
	return bsearch(&key, rels, n, sizeof(FoldedRelation), cmp_folded);
}

/*
 * collect_only_in
 *		The relations of set a that set b lacks, sorted by encoded key, each
 *		with zeroed child counts.
 */
static FoldedRelation *
collect_only_in(const SdObjectSet *a, const SdObjectSet *b, int *n)
{
	FoldedRelation *rels = palloc(sizeof(FoldedRelation) * Max(a->nobjects, 1));
	int			i = 0,
				j = 0;

	*n = 0;
	while (i < a->nobjects)
	{
		int			c = j < b->nobjects ? sd_objects_cmp(&a->objects[i], &b->objects[j]) : -1;

		if (c < 0)
		{
			if (is_relation(&a->objects[i]))
			{
				rels[*n].nchildren = palloc0(sizeof(int) * sd_nkinds);
				rels[*n].pkey = sd_objects_encode_key(a->objects[i].kindinfo->family,
													  a->objects[i].nkey, a->objects[i].key);
				(*n)++;
			}
			i++;
		}
		else if (c > 0)
			j++;
		else
		{
			i++;
			j++;
		}
	}
	qsort(rels, *n, sizeof(FoldedRelation), cmp_folded);
	return rels;
}

/*
 * fold_child
 *		If obj's parent relation is in rels, count obj there and return true
 *		(the object is not reported on its own).
 */
static bool
fold_child(FoldedRelation *rels, int n, const SdObject *obj)
{
	FoldedRelation *rel;
	char	   *pkey;

	if (obj->nparent == 0 || n == 0 || obj->kindinfo == NULL ||
		obj->kindinfo->family == NULL)
		return false;
	pkey = sd_objects_encode_key(obj->kindinfo->family, obj->nparent, obj->parent);
	rel = find_folded(rels, n, pkey);
	pfree(pkey);
	if (rel == NULL)
		return false;
	rel->nchildren[sd_kind_index(obj->kindinfo)]++;
	return true;
}

static void
append_count(StringInfo buf, int n, const char *singular, const char *plural)
{
	if (n == 0)
		return;
	appendStringInfo(buf, "%s%d %s", buf->len > 0 ? ", " : "", n,
					 n == 1 ? singular : plural);
}

/* "with 12 columns, 1 constraint, 2 indexes", or NULL */
static char *
folded_note(FoldedRelation *rels, int n, const SdObject *obj)
{
	FoldedRelation *rel;
	StringInfoData buf;
	char	   *pkey;
	int			k;

	if (!is_relation(obj))
		return NULL;
	pkey = sd_objects_encode_key(obj->kindinfo->family, obj->nkey, obj->key);
	rel = find_folded(rels, n, pkey);
	pfree(pkey);
	if (rel == NULL)
		return NULL;
	initStringInfo(&buf);
	for (k = 0; k < sd_nkinds; k++)
		if (sd_kinds[k].child_one != NULL)
			append_count(&buf, rel->nchildren[k], sd_kinds[k].child_one,
						 sd_kinds[k].child_many);
	if (buf.len == 0)
		return NULL;
	return psprintf("with %s", buf.data);
}

/*
 * emit_whole
 *		The row of an object only one side has: change is "missing" (obj is
 *		the source's) or "extra" (the target's).  The note counts the
 *		children folded into a relation (rels, n: that side's relations);
 *		between major versions, it marks a constraint matched by its
 *		definition, whose text may print differently there.
 */
static void
emit_whole(DiffState *ds, SdObject *obj, const char *change,
		   FoldedRelation *rels, int n)
{
	bool		missing = strcmp(change, "missing") == 0;
	char	   *attrs = sd_object_attrs_text(obj);
	const char *note;
	const char *suggestion = NULL;
	SdFix		fix;

	if (ds->version_note && ds->constraints_by_definition &&
		strcmp(obj->kind, "table constraint") == 0)
		note = ds->version_note;
	else
		note = folded_note(rels, n, obj);
	sd_fix_init(&fix);
	if (ds->fix && !sd_fix_rename(ds->fix, obj, missing, &fix, &suggestion))
	{
		if (missing)
			sd_fix_missing(ds->fix, obj, &fix);
		else
			sd_fix_extra(ds->fix, obj, &fix);
		if (suggestion != NULL)
			note = note ? psprintf("%s; %s", note, suggestion) : suggestion;
	}
	emit(ds, obj, change, "whole object", missing ? attrs : NULL,
		 missing ? NULL : attrs, note, ds->fix ? &fix : NULL);
}

/*
 * find_renames
 *		Hand the objects the diff will report as missing or extra on their
 *		own (not folded) to the fixes, which pair renamed ones
 *		(fix_rename.c).  The pass is the merge of sd_compare().
 */
static void
find_renames(DiffState *ds, bool *s_folded, bool *t_folded)
{
	SdObjectSet *s = ds->source;
	SdObjectSet *t = ds->target;
	SdObject  **missing = palloc(sizeof(SdObject *) * Max(s->nobjects, 1));
	SdObject  **extra = palloc(sizeof(SdObject *) * Max(t->nobjects, 1));
	int			nmissing = 0,
				nextra = 0;
	int			i = 0,
				j = 0;

	while (i < s->nobjects || j < t->nobjects)
	{
		int			c;

		if (i >= s->nobjects)
			c = 1;
		else if (j >= t->nobjects)
			c = -1;
		else
			c = sd_objects_cmp(&s->objects[i], &t->objects[j]);
		if (c < 0)
		{
			if (!s_folded[i])
				missing[nmissing++] = &s->objects[i];
			i++;
		}
		else if (c > 0)
		{
			if (!t_folded[j])
				extra[nextra++] = &t->objects[j];
			j++;
		}
		else
		{
			i++;
			j++;
		}
	}
	sd_fix_find_renames(ds->fix, missing, nmissing, extra, nextra);
}

/*
 * sd_compare
 *		Diff target against source into ds->tupstore.
 *
 * Two passes: the first folds children of missing and extra relations (so
 * that the relation's row can count them), the second emits rows in merge
 * order.  A child is either folded or paired, never both: when a table on
 * one side and a view of the same name on the other both fold an index or
 * a trigger of the same key, each is counted with its own relation and the
 * two are not compared; one folded on one side only is reported on its own
 * on the other.
 */
static void
sd_compare(DiffState *ds)
{
	SdObjectSet *s = ds->source;
	SdObjectSet *t = ds->target;
	FoldedRelation *missing_rels;
	FoldedRelation *extra_rels;
	int			nmissing,
				nextra;
	bool	   *s_folded;
	bool	   *t_folded;
	MemoryContext rowcxt;
	int			i,
				j;

	missing_rels = collect_only_in(s, t, &nmissing);
	extra_rels = collect_only_in(t, s, &nextra);
	s_folded = palloc0(sizeof(bool) * Max(s->nobjects, 1));
	t_folded = palloc0(sizeof(bool) * Max(t->nobjects, 1));
	for (i = 0; i < s->nobjects; i++)
		s_folded[i] = fold_child(missing_rels, nmissing, &s->objects[i]);
	for (j = 0; j < t->nobjects; j++)
		t_folded[j] = fold_child(extra_rels, nextra, &t->objects[j]);

	if (ds->fix)
		find_renames(ds, s_folded, t_folded);

	/*
	 * Each step's text (rendered attributes, parsed attributes, values) is
	 * copied into the tuplestore by emit(): free it at once, so that a large
	 * diff does not hold its whole output twice.
	 */
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift diff row",
								   ALLOCSET_DEFAULT_SIZES);
	i = j = 0;
	while (i < s->nobjects || j < t->nobjects)
	{
		int			c;
		SdObject   *so = i < s->nobjects ? &s->objects[i] : NULL;
		SdObject   *to = j < t->nobjects ? &t->objects[j] : NULL;
		JsonbContainer *so_attrs = so ? so->attrs : NULL;
		JsonbContainer *to_attrs = to ? to->attrs : NULL;
		MemoryContext old = MemoryContextSwitchTo(rowcxt);

		CHECK_FOR_INTERRUPTS();
		if (i >= s->nobjects)
			c = 1;
		else if (j >= t->nobjects)
			c = -1;
		else
			c = sd_objects_cmp(&s->objects[i], &t->objects[j]);

		if (c < 0)
		{
			if (!s_folded[i])
				emit_whole(ds, so, "missing", missing_rels, nmissing);
			i++;
		}
		else if (c > 0)
		{
			if (!t_folded[j])
				emit_whole(ds, to, "extra", extra_rels, nextra);
			j++;
		}
		else
		{
			if (s_folded[i] && !t_folded[j])
				emit_whole(ds, to, "extra", extra_rels, nextra);
			else if (!s_folded[i] && t_folded[j])
				emit_whole(ds, so, "missing", missing_rels, nmissing);
			else if (!s_folded[i] && strcmp(so->hash, to->hash) != 0)
				compare_attributes(ds, so, to);
			i++;
			j++;
		}

		/* attributes parsed in rowcxt are gone with it */
		if (ds->fix)
			sd_fix_release(ds->fix);
		if (so)
			so->attrs = so_attrs;
		if (to)
			to->attrs = to_attrs;
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);
	if (ds->fix)
		sd_fix_count_end(ds->fix);
}

/* ---- sides --------------------------------------------------------------- */

typedef enum SideType
{
	SIDE_LOCAL,
	SIDE_NAMED,
	SIDE_SNAPSHOT,
	SIDE_EMPTY					/* an empty database (create scripts) */
} SideType;

/*
 * load_side
 *		The object set of one side of a diff.  local_cache holds this
 *		database's set once read, so that a diff of this database with itself
 *		reads it once.  keep, if not NULL, receives the connection of a
 *		foreign server's read, left open (for its audit log).
 */
static SdObjectSet *
load_side(SideType type, Datum value, const char *argname,
		  SdOptions *options, SdObjectSet **local_cache, SdRemote **keep)
{
	SdObjectSet *set;
	char	   *name;

	switch (type)
	{
		case SIDE_LOCAL:
			if (*local_cache == NULL)
				*local_cache = sd_side_local_read(options, true);
			return *local_cache;

		case SIDE_NAMED:
			name = TextDatumGetCString(value);
			if (keep == NULL || sd_side_is_baseline(name))
				return sd_side_read_named(name, argname, options, true);
			sd_side_check_name(name, argname);
			return sd_side_remote_read(name, options, true, keep);

		case SIDE_SNAPSHOT:
			set = sd_snapshot_load(DatumGetJsonbP(value), argname);
			if (!sd_options_equal(set->options, options))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("snapshot given as \"%s\" was taken with other options", argname),
						 errdetail("The snapshot was taken with %s; this diff uses %s.",
								   set->options->canonical, options->canonical),
						 errhint("Pass the snapshot's options to schemadrift_diff, or take the snapshot again with these options.")));
			return set;

		case SIDE_EMPTY:
			set = palloc0(sizeof(SdObjectSet));
			set->options = options;
			set->model_version = SD_MODEL_VERSION;
			set->server_version_num = PG_VERSION_NUM;
			set->server_version = PG_VERSION;
			return set;
	}
	return NULL;				/* keep compiler quiet */
}

/* a side to read, for a remote read hash first against it */
typedef struct SideToRead
{
	SideType	type;
	Datum		value;
	const char *argname;
	SdOptions  *options;
	SdObjectSet **local_cache;
	SdRemote  **keep;
} SideToRead;

static SdObjectSet *
read_reference(void *arg)
{
	SideToRead *side = (SideToRead *) arg;

	return load_side(side->type, side->value, side->argname, side->options,
					 side->local_cache, side->keep);
}

/*
 * read_server_against
 *		Read the server named by value (argument argname) hash first against
 *		the other side (its type, value and argument name), which is read
 *		into *other meanwhile.  keep and other_keep, if not NULL, receive
 *		the connections of the server's and the other side's reads, left
 *		open.
 */
static SdObjectSet *
read_server_against(Datum value, const char *argname, SideType other_type,
					Datum other_value, const char *other_argname, SdOptions *options,
					SdObjectSet **local, SdObjectSet **other,
					SdRemote **keep, SdRemote **other_keep)
{
	char	   *server = TextDatumGetCString(value);
	SideToRead	side;

	sd_side_check_name(server, argname);
	side.type = other_type;
	side.value = other_value;
	side.argname = other_argname;
	side.options = options;
	side.local_cache = local;
	side.keep = other_keep;
	return sd_side_remote_read_against(server, options, read_reference, &side, other,
									   keep);
}

/*
 * load_sides
 *		Read both sides of a diff into ds.  A foreign server is read hash
 *		first against the other side (side_remote.c): the other side is read
 *		while the remote computes its hashes, and only what differs travels.
 *		When both are servers, the target is read whole and the source
 *		against it.  With explain, the servers' connections are left open
 *		in ds, for their audit logs.
 */
static void
load_sides(DiffState *ds, FunctionCallInfo fcinfo, SideType ttype, int targ,
		   SideType stype, int sarg, SdOptions *options, SdObjectSet **local)
{
	Datum		tvalue = ttype == SIDE_LOCAL || ttype == SIDE_EMPTY ? (Datum) 0 : PG_GETARG_DATUM(targ);
	Datum		svalue = stype == SIDE_LOCAL ? (Datum) 0 : PG_GETARG_DATUM(sarg);
	SdRemote  **tkeep = ds->explain ? &ds->target_remote : NULL;
	SdRemote  **skeep = ds->explain ? &ds->source_remote : NULL;

	/* a stored baseline is read whole, as a snapshot (baseline.c) */
	if (stype == SIDE_NAMED && !sd_side_is_baseline(TextDatumGetCString(svalue)))
		ds->source = read_server_against(svalue, "source", ttype, tvalue, "target",
										 options, local, &ds->target, skeep, tkeep);
	else if (ttype == SIDE_NAMED && !sd_side_is_baseline(TextDatumGetCString(tvalue)))
		ds->target = read_server_against(tvalue, "target", stype, svalue, "source",
										 options, local, &ds->source, tkeep, skeep);
	else
	{
		ds->target = load_side(ttype, tvalue, "target", options, local, tkeep);
		ds->source = load_side(stype, svalue, "source", options, local, skeep);
	}
}

/* what a run of the diff makes */
typedef enum DiffOutput
{
	DIFF_ROWS,					/* schemadrift_diff's rows */
	DIFF_SCRIPT					/* one script (schemadrift_sync_sql,
								 * schemadrift_create_sql) */
} DiffOutput;

/* how a script's plan line names a side (JSON) */
static char *
plan_side(FunctionCallInfo fcinfo, SideType type, int arg)
{
	StringInfoData buf;
	char	   *name;

	initStringInfo(&buf);
	switch (type)
	{
		case SIDE_LOCAL:
			appendStringInfoString(&buf, "{\"type\": \"local\", \"database\": ");
			escape_json(&buf, get_database_name(MyDatabaseId));
			appendStringInfoChar(&buf, '}');
			break;
		case SIDE_NAMED:
			name = TextDatumGetCString(PG_GETARG_DATUM(arg));
			appendStringInfo(&buf, "{\"type\": \"%s\", \"name\": ",
							 sd_side_is_baseline(name) ? "baseline" : "server");
			escape_json(&buf, name);
			appendStringInfoChar(&buf, '}');
			break;
		case SIDE_SNAPSHOT:
			appendStringInfoString(&buf, "{\"type\": \"snapshot\"}");
			break;
		case SIDE_EMPTY:
			appendStringInfoString(&buf, "{\"type\": \"empty\"}");
			break;
	}
	return buf.data;
}

/* how a script's header names a side */
static char *
describe_side(FunctionCallInfo fcinfo, SideType type, int arg)
{
	switch (type)
	{
		case SIDE_LOCAL:
			return psprintf("this database (%s)", get_database_name(MyDatabaseId));
		case SIDE_NAMED:
			return psprintf("foreign server %s", quote_identifier(TextDatumGetCString(PG_GETARG_DATUM(arg))));
		case SIDE_SNAPSHOT:
			return pstrdup("a snapshot");
		case SIDE_EMPTY:
			return pstrdup("an empty database");
	}
	return NULL;				/* keep compiler quiet */
}

/* ---- explain: the last audit log entry of each row ---------------------- */

/* the audit log of a side: this database's, a remote's, or none */
static SdAuditLog
side_log(SideType type, SdRemote *remote, const char *side)
{
	SdAuditLog	log;

	log.local = (type == SIDE_LOCAL);
	log.remote = remote;
	log.side = side;
	return log;
}

/* a text column of a row read back (NULL if absent or NULL) */
static char *
row_text(DiffState *ds, Datum *values, bool *nulls, DiffColumn col)
{
	int			pos = ds->colpos[col];

	if (pos < 0 || nulls[pos])
		return NULL;
	return TextDatumGetCString(values[pos]);
}

/* fill the explain columns of a row from its attribution */
static void
set_attribution(DiffState *ds, Datum *values, bool *nulls, const SdAttribution *a)
{
	set_text(ds, values, nulls, COL_CHANGED_ON, a->side);
	set_text(ds, values, nulls, COL_CHANGED_BY, a->user_name);
	set_text(ds, values, nulls, COL_APPLICATION_NAME, a->application);
	set_text(ds, values, nulls, COL_COMMAND_TAG, a->command_tag);
	set_text(ds, values, nulls, COL_STATEMENT, a->statement);
	set_text(ds, values, nulls, COL_CHANGE_REASON, a->change_reason);
	if (ds->colpos[COL_CHANGED_AT] >= 0)
	{
		nulls[ds->colpos[COL_CHANGED_AT]] = false;
		values[ds->colpos[COL_CHANGED_AT]] = TimestampTzGetDatum(a->at_value);
	}
	if (ds->colpos[COL_CLIENT_ADDR] >= 0 && a->client != NULL)
	{
		nulls[ds->colpos[COL_CLIENT_ADDR]] = false;
		values[ds->colpos[COL_CLIENT_ADDR]] = DirectFunctionCall1(inet_in,
																  CStringGetDatum(a->client));
	}
	if (ds->colpos[COL_AUDIT_ID] >= 0)
	{
		nulls[ds->colpos[COL_AUDIT_ID]] = false;
		values[ds->colpos[COL_AUDIT_ID]] = Int64GetDatum(a->id);
	}
}

/*
 * explain_rows
 *		Copy the rows of ds->tupstore into out with their explain columns:
 *		each row's last audit log entry on the side that has the change
 *		(the file's header says which), one query per side's log.
 */
static void
explain_rows(DiffState *ds, Tuplestorestate *out, SdAuditLog *target_log,
			 SdAuditLog *source_log)
{
	TupleDesc	desc = ds->tupdesc;
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	int			capacity = 64;
	int			n = 0;
	char	  **kinds = palloc(sizeof(char *) * capacity);
	char	  **identities = palloc(sizeof(char *) * capacity);
	bool	   *missing = palloc(sizeof(bool) * capacity);
	SdAttribution **found;
	int			i;

	/* the rows' objects */
	while (tuplestore_gettupleslot(ds->tupstore, true, false, slot))
	{
		char	   *change;

		slot_getallattrs(slot);
		if (n == capacity)
		{
			capacity *= 2;
			kinds = repalloc_huge(kinds, sizeof(char *) * capacity);
			identities = repalloc_huge(identities, sizeof(char *) * capacity);
			missing = repalloc_huge(missing, sizeof(bool) * capacity);
		}
		kinds[n] = row_text(ds, slot->tts_values, slot->tts_isnull, COL_KIND);
		identities[n] = row_text(ds, slot->tts_values, slot->tts_isnull, COL_IDENTITY);
		change = row_text(ds, slot->tts_values, slot->tts_isnull, COL_CHANGE);
		if (kinds[n] == NULL || identities[n] == NULL || change == NULL)
			elog(ERROR, "diff row without kind, identity or change");
		missing[n] = strcmp(change, "missing") == 0;
		n++;
	}

	/* the target's entries; a missing object it has none of, the source's */
	found = sd_attribute_rows(target_log, n, kinds, identities);
	{
		int		   *rows = palloc(sizeof(int) * Max(n, 1));
		int			m = 0;

		for (i = 0; i < n; i++)
			if (missing[i] && found[i] == NULL)
			{
				kinds[m] = kinds[i];
				identities[m] = identities[i];
				rows[m++] = i;
			}
		if (m > 0)
		{
			SdAttribution **from_source = sd_attribute_rows(source_log, m, kinds,
															identities);

			for (i = 0; i < m; i++)
				found[rows[i]] = from_source[i];
		}
	}

	/* the rows again, attributed */
	tuplestore_rescan(ds->tupstore);
	i = 0;
	while (tuplestore_gettupleslot(ds->tupstore, true, false, slot))
	{
		Datum	   *values = palloc(sizeof(Datum) * desc->natts);
		bool	   *nulls = palloc(sizeof(bool) * desc->natts);

		slot_getallattrs(slot);
		memcpy(values, slot->tts_values, sizeof(Datum) * desc->natts);
		memcpy(nulls, slot->tts_isnull, sizeof(bool) * desc->natts);
		if (i < n && found[i] != NULL)
			set_attribution(ds, values, nulls, found[i]);
		tuplestore_putvalues(out, desc, values, nulls);
		pfree(values);
		pfree(nulls);
		i++;
	}
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * run_diff
 *		The body shared by every overload of schemadrift_diff and of the
 *		script functions: load both sides, check they compare, and return
 *		the rows, or the script.
 */
static Datum
run_diff(FunctionCallInfo fcinfo, SideType ttype, int targ,
		 SideType stype, int sarg, int optarg, DiffOutput output)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SdOptions  *options;
	SdObjectSet *local = NULL;
	DiffState	ds;
	MemoryContext diffcxt;
	MemoryContext old;
	int			smajor,
				tmajor;
	SdFixOptions fixopts;
	Jsonb	   *fixdoc;
	Jsonb	   *rowdoc;
	bool		explain;
	text	   *script = NULL;
	Tuplestorestate *result = NULL;
	int			col;

	/* the options of the fixes and of the rows are not options of what is read */
	if (PG_ARGISNULL(optarg))
		(void) sd_options_from_datum(fcinfo, optarg);	/* the NULL error */
	options = sd_options_parse(sd_options_take(sd_options_take(PG_GETARG_JSONB_P(optarg),
															   sd_fix_option_names, &fixdoc),
											   diff_row_option_names, &rowdoc));
	sd_fix_options_parse(fixdoc, output == DIFF_SCRIPT, &fixopts);
	explain = rowdoc ? sd_options_bool(&rowdoc->root, "explain", false) : false;
	if (output == DIFF_ROWS)
		InitMaterializedSRF(fcinfo, 0);

	/* NULL text side = this database; a NULL snapshot is an error */
	if (ttype == SIDE_SNAPSHOT && PG_ARGISNULL(targ))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("snapshot given as \"target\" is NULL"),
				 errhint("Omit the argument to compare with this database.")));
	if (stype == SIDE_SNAPSHOT && PG_ARGISNULL(sarg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("snapshot given as \"source\" is NULL"),
				 errhint("Omit the argument to compare with this database.")));
	if (ttype == SIDE_NAMED && PG_ARGISNULL(targ))
		ttype = SIDE_LOCAL;
	if (stype == SIDE_NAMED && PG_ARGISNULL(sarg))
		stype = SIDE_LOCAL;

	diffcxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift diff",
									ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(diffcxt);

	memset(&ds, 0, sizeof(ds));
	if (output == DIFF_ROWS)
	{
		ds.tupstore = rsinfo->setResult;
		ds.tupdesc = rsinfo->setDesc;
		sd_util_result_columns(ds.tupdesc, diff_columns, NUM_DIFF_COLUMNS, ds.colpos,
							   "schemadrift_diff");

		/*
		 * With explain, rows go to a store of their own first: their
		 * attribution needs all of them (one query per side's log).  A
		 * declaration without the explain columns has nothing to fill.
		 */
		for (col = FIRST_EXPLAIN_COLUMN; col < NUM_DIFF_COLUMNS && explain; col++)
			if (ds.colpos[col] >= 0)
			{
				ds.explain = true;
				result = ds.tupstore;
				ds.tupstore = tuplestore_begin_heap(true, false, work_mem);
				break;
			}
		if (ds.explain && (ds.colpos[COL_KIND] < 0 || ds.colpos[COL_IDENTITY] < 0 ||
						   ds.colpos[COL_CHANGE] < 0))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("function schemadrift_diff is declared with attribution columns but without \"kind\", \"identity\" or \"change\""),
					 errdetail("The option \"explain\" finds each row's audit log entry by its kind, identity and change."),
					 errhint("Declare the three columns, or leave \"explain\" out.")));
	}
	else
	{
		ds.script = true;
		ds.rows_cxt = diffcxt;
	}
	ds.constraints_by_definition = sd_options_ignores(options, "constraint_names");
	load_sides(&ds, fcinfo, ttype, targ, stype, sarg, options, &local);
	if (ttype == SIDE_EMPTY)
	{
		/* an empty database of the source's kind */
		ds.target->server_version_num = ds.source->server_version_num;
		ds.target->server_version = ds.source->server_version;
		ds.target->model_version = ds.source->model_version;
	}
	if (ds.script || ds.colpos[COL_FIX_SQL] >= 0)
	{
		ds.fix = palloc0(sizeof(SdFixContext));
		ds.fix->source = ds.source;
		ds.fix->target = ds.target;
		ds.fix->options = fixopts;
		ds.fix->target_version = ds.target->server_version_num;
		ds.fix->target_local = (ttype == SIDE_LOCAL);
		if (ttype == SIDE_NAMED && !sd_side_is_baseline(TextDatumGetCString(PG_GETARG_DATUM(targ))))
			ds.fix->target_server = TextDatumGetCString(PG_GETARG_DATUM(targ));
		ds.fix->cxt = diffcxt;
	}

	if (local != NULL)
		sd_objects_report_unsupported(local);

	smajor = ds.source->server_version_num / 10000;
	tmajor = ds.target->server_version_num / 10000;
	if (smajor != tmajor)
	{
		ds.version_note = psprintf("may be version noise: the source was read on PostgreSQL %d, the target on PostgreSQL %d",
								   smajor, tmajor);
		/*
		 * MAINTAIN exists from 17 on (and in the betas of 16, which had it
		 * before it was reverted): between any two majors, a privileges
		 * difference in MAINTAIN alone is version noise.
		 */
		ds.maintain_noise = true;
		ereport(NOTICE,
				(errmsg("comparing a schema read on PostgreSQL %d with one read on PostgreSQL %d",
						smajor, tmajor),
				 errdetail("Definitions that PostgreSQL deparses (views, indexes, defaults, expressions) may print differently across major versions; such rows are marked in \"note\".")));
	}

	if (ds.source->model_version != ds.target->model_version)
	{
		ds.older_model = Min(ds.source->model_version, ds.target->model_version);
		ds.model_note = psprintf("may come from the object model change: the source was read with model %d, the target with model %d",
								 ds.source->model_version, ds.target->model_version);
		ereport(NOTICE,
				(errmsg("comparing a schema read with object model %d with one read with object model %d",
						ds.source->model_version, ds.target->model_version),
				 errdetail("Object model %d describes some kinds of objects differently; rows of those kinds are marked in \"note\".",
						   Max(ds.source->model_version, ds.target->model_version)),
				 errhint("Take the older snapshot again with this schemadrift to compare like with like.")));
	}

	sd_compare(&ds);

	if (ds.explain)
	{
		SdAuditLog	tlog = side_log(ttype, ds.target_remote, "target");
		SdAuditLog	slog = side_log(stype, ds.source_remote, "source");

		explain_rows(&ds, result, &tlog, &slog);
		tuplestore_end(ds.tupstore);
		if (ds.target_remote != NULL)
			sd_remote_close(ds.target_remote);
		if (ds.source_remote != NULL)
			sd_remote_close(ds.source_remote);
	}

	if (ds.script)
	{
		SdFixScriptInfo info;

		info.target = describe_side(fcinfo, ttype, targ);
		info.source = describe_side(fcinfo, stype, sarg);
		info.options = JsonbToCString(NULL, &PG_GETARG_JSONB_P(optarg)->root, 64);
		info.read_options = options->canonical;
		info.plan_target = plan_side(fcinfo, ttype, targ);
		info.plan_source = plan_side(fcinfo, stype, sarg);
		sd_objects_fingerprint(ds.target, info.target_fingerprint);
		sd_objects_fingerprint(ds.source, info.source_fingerprint);
		info.create = (ttype == SIDE_EMPTY);
		MemoryContextSwitchTo(old);
		script = cstring_to_text(sd_fix_script(ds.fix, ds.script_rows, &info));
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(diffcxt);
	if (script != NULL)
		PG_RETURN_TEXT_P(script);
	return (Datum) 0;
}

/*
 * sd_compare_counts
 *		How many objects the diff of target against source finds missing,
 *		extra and changed (an object changed in several attributes counts
 *		once): the rows a schemadrift_diff() would return, counted.
 */
void
sd_compare_counts(SdObjectSet *source, SdObjectSet *target,
				  int64 *missing, int64 *extra, int64 *changed)
{
	DiffState	ds;
	TupleDesc	desc = CreateTemplateTupleDesc(3);
	TupleTableSlot *slot;
	char	   *last = NULL;

	TupleDescInitEntry(desc, 1, "kind", TEXTOID, -1, 0);
	TupleDescInitEntry(desc, 2, "identity", TEXTOID, -1, 0);
	TupleDescInitEntry(desc, 3, "change", TEXTOID, -1, 0);
	memset(&ds, 0, sizeof(ds));
	ds.tupdesc = desc;
	ds.tupstore = tuplestore_begin_heap(false, false, work_mem);
	sd_util_result_columns(desc, diff_columns, NUM_DIFF_COLUMNS, ds.colpos,
						   "schemadrift_fleet");
	ds.source = source;
	ds.target = target;
	sd_compare(&ds);

	*missing = *extra = *changed = 0;
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	while (tuplestore_gettupleslot(ds.tupstore, true, false, slot))
	{
		bool		isnull;
		char	   *change = TextDatumGetCString(slot_getattr(slot, 3, &isnull));

		if (strcmp(change, "missing") == 0)
			(*missing)++;
		else if (strcmp(change, "extra") == 0)
			(*extra)++;
		else
		{
			char	   *object = psprintf("%s\n%s",
										  TextDatumGetCString(slot_getattr(slot, 1, &isnull)),
										  TextDatumGetCString(slot_getattr(slot, 2, &isnull)));

			/* an object's changed rows come one after the other */
			if (last == NULL || strcmp(last, object) != 0)
				(*changed)++;
			last = object;
		}
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_end(ds.tupstore);
}

/*
 * sd_compare_rows
 *		The rows of the diff of target against source, without fixes: a
 *		list of SdFixRow (kind, identity, change, attribute, target digest)
 *		in the current memory context.
 */
List *
sd_compare_rows(SdObjectSet *source, SdObjectSet *target)
{
	DiffState	ds;

	memset(&ds, 0, sizeof(ds));
	ds.script = true;
	ds.rows_cxt = CurrentMemoryContext;
	ds.source = source;
	ds.target = target;
	ds.constraints_by_definition = sd_options_ignores(source->options, "constraint_names");
	sd_compare(&ds);
	return ds.script_rows;
}

/* ---- SQL-callable functions ---------------------------------------------- */

PG_FUNCTION_INFO_V1(schemadrift_diff);
PG_FUNCTION_INFO_V1(schemadrift_diff_target_snapshot);
PG_FUNCTION_INFO_V1(schemadrift_diff_source_snapshot);
PG_FUNCTION_INFO_V1(schemadrift_diff_snapshots);

/* schemadrift_diff(target text, source text, options jsonb) */
Datum
schemadrift_diff(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_NAMED, 0, SIDE_NAMED, 1, 2, DIFF_ROWS);
}

/* schemadrift_diff(target jsonb, source text, options jsonb) */
Datum
schemadrift_diff_target_snapshot(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_SNAPSHOT, 0, SIDE_NAMED, 1, 2, DIFF_ROWS);
}

/* schemadrift_diff(source jsonb, options jsonb, target text) */
Datum
schemadrift_diff_source_snapshot(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_NAMED, 2, SIDE_SNAPSHOT, 0, 1, DIFF_ROWS);
}

/* schemadrift_diff(target jsonb, source jsonb, options jsonb) */
Datum
schemadrift_diff_snapshots(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_SNAPSHOT, 0, SIDE_SNAPSHOT, 1, 2, DIFF_ROWS);
}

PG_FUNCTION_INFO_V1(schemadrift_sync_sql);
PG_FUNCTION_INFO_V1(schemadrift_sync_sql_target_snapshot);
PG_FUNCTION_INFO_V1(schemadrift_sync_sql_source_snapshot);
PG_FUNCTION_INFO_V1(schemadrift_sync_sql_snapshots);
PG_FUNCTION_INFO_V1(schemadrift_create_sql);

/* schemadrift_sync_sql(target text, source text, options jsonb) */
Datum
schemadrift_sync_sql(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_NAMED, 0, SIDE_NAMED, 1, 2, DIFF_SCRIPT);
}

/* schemadrift_sync_sql(target jsonb, source text, options jsonb) */
Datum
schemadrift_sync_sql_target_snapshot(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_SNAPSHOT, 0, SIDE_NAMED, 1, 2, DIFF_SCRIPT);
}

/* schemadrift_sync_sql(source jsonb, options jsonb, target text) */
Datum
schemadrift_sync_sql_source_snapshot(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_NAMED, 2, SIDE_SNAPSHOT, 0, 1, DIFF_SCRIPT);
}

/* schemadrift_sync_sql(target jsonb, source jsonb, options jsonb) */
Datum
schemadrift_sync_sql_snapshots(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_SNAPSHOT, 0, SIDE_SNAPSHOT, 1, 2, DIFF_SCRIPT);
}

/* schemadrift_create_sql(options jsonb, server text) */
Datum
schemadrift_create_sql(PG_FUNCTION_ARGS)
{
	return run_diff(fcinfo, SIDE_EMPTY, 0, SIDE_NAMED, 1, 0, DIFF_SCRIPT);
}
