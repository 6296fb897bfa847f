/*-------------------------------------------------------------------------
 *
 * rows.c
 *	  Rows of the catalog extraction into objects.
 *
 * Every live side reads the same query (catalog.c) and its rows take this
 * one path into an object set, wherever they were produced: the backend's
 * executor and the parallel workers' tuple queues (extract.c) hand over
 * datums, a remote server (side_remote.c) hands over text, which is turned
 * into the same datums first.  Rows without a hash are hashed here, in C
 * (sha256 of the attrs' UTF-8 text, as the query would compute it).
 *
 * IDENTIFICATION
 *	  src/rows.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "compat.h"
#include "rows.h"
#include "util.h"

static const struct
{
	const char *name;
	Oid			type;
	bool		nullable;
}			row_columns[SD_ROW_NATTS] = {
	{"kind", TEXTOID, false}, {"identity", TEXTOID, false},
	{"schema", TEXTOID, true}, {"key", TEXTARRAYOID, false},
	{"parent", TEXTARRAYOID, true}, {"attrs", TEXTOID, true},
	{"hash", TEXTOID, true},
};

/*
 * sd_rows_tupdesc
 *		The extraction's row type, palloc'd.
 */
TupleDesc
sd_rows_tupdesc(void)
{
	TupleDesc	desc = CreateTemplateTupleDesc(SD_ROW_NATTS);
	int			i;

	for (i = 0; i < SD_ROW_NATTS; i++)
		TupleDescInitEntry(desc, i + 1, row_columns[i].name,
						   row_columns[i].type, -1, 0);
	return desc;
}

/*
 * sd_rows_check_type
 *		Whatever arms a query has, its rows must have the extraction's row
 *		type (the leader reads the workers' rows with sd_rows_tupdesc()).
 */
void
sd_rows_check_type(TupleDesc actual)
{
	int			i;

	if (actual == NULL || actual->natts != SD_ROW_NATTS)
		elog(ERROR, "catalog extraction query returns %d columns, expected %d",
			 actual ? actual->natts : 0, SD_ROW_NATTS);
	for (i = 0; i < SD_ROW_NATTS; i++)
		if (TupleDescAttr(actual, i)->atttypid != row_columns[i].type)
			elog(ERROR, "catalog extraction query column %d has type %u, expected %u",
				 i + 1, TupleDescAttr(actual, i)->atttypid, row_columns[i].type);
}

/*
 * sd_rows_keeps_attrs
 *		Whether an object of kind (a text datum) keeps its attrs when the
 *		caller wants hashes only (SD_KIND_UNSUPPORTED: its attrs are the
 *		report of what is not modelled).
 */
bool
sd_rows_keeps_attrs(Datum kind)
{
	text	   *k = DatumGetTextPP(kind);

	return VARSIZE_ANY_EXHDR(k) == strlen(SD_KIND_UNSUPPORTED) &&
		memcmp(VARDATA_ANY(k), SD_KIND_UNSUPPORTED, strlen(SD_KIND_UNSUPPORTED)) == 0;
}

/*
 * text_array_to_cstrings
 *		Deconstruct a text[] datum into palloc'd C strings; NULL elements are
 *		an error (the extraction never produces them).
 */
static char **
text_array_to_cstrings(Datum d, int *n)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	Datum	   *elems;
	bool	   *nulls;
	char	  **result;
	int			i;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	result = palloc(sizeof(char *) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			elog(ERROR, "unexpected NULL in object key");
		result[i] = TextDatumGetCString(elems[i]);
	}
	return result;
}

/*
 * sd_rows_begin
 *		Start reading rows into set (emptied), its objects allocated in
 *		resultcxt.  Objects keep their attrs only if with_attrs (and for the
 *		unsupported rows).  End with sd_rows_end().
 */
void
sd_rows_begin(SdRowReader *r, SdObjectSet *set, bool with_attrs,
			  MemoryContext resultcxt)
{
	memset(r, 0, sizeof(*r));
	r->set = set;
	r->with_attrs = with_attrs;
	r->hashctx = sd_util_sha256_begin();
	r->capacity = 1024;
	set->objects = MemoryContextAlloc(resultcxt, sizeof(SdObject) * r->capacity);
	set->nobjects = 0;
	sd_arena_init(&r->arena, resultcxt);
	r->rowcxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift extraction row",
									  ALLOCSET_DEFAULT_SIZES);
}

/*
 * sd_rows_add
 *		Add one row of the extraction (its 7 columns deformed) to the set.
 *
 * kind, identity and key are never NULL for an object that still exists,
 * and a row carries its attrs, its hash or both; pg_identify_object()
 * returns a NULL identity for one dropped while the extraction runs.  That
 * is an error here, which the caller turns into another attempt when DDL
 * committed meanwhile.
 */
void
sd_rows_add(SdRowReader *r, Datum *values, bool *isnull)
{
	SdObjectSet *set = r->set;
	MemoryContext old;
	char	  **key;
	char	  **parent = NULL;
	int			nkey;
	int			nparent = 0;
	int			i;
	SdObject   *obj;

	for (i = 0; i < SD_ROW_NATTS; i++)
		if (isnull[i] && !row_columns[i].nullable)
			elog(ERROR, "catalog extraction returned NULL as %s", row_columns[i].name);
	if (isnull[SD_ROW_ATTRS] && isnull[SD_ROW_HASH])
		elog(ERROR, "catalog extraction returned neither attrs nor hash");

	if (set->nobjects >= r->capacity)
	{
		r->capacity *= 2;
		set->objects = repalloc_huge(set->objects, sizeof(SdObject) * r->capacity);
	}
	obj = &set->objects[set->nobjects];

	old = MemoryContextSwitchTo(r->rowcxt);
	key = text_array_to_cstrings(values[3], &nkey);
	if (!isnull[4])
		parent = text_array_to_cstrings(values[4], &nparent);
	sd_object_fill(obj,
				   TextDatumGetCString(values[0]),
				   TextDatumGetCString(values[1]),
				   isnull[2] ? NULL : TextDatumGetCString(values[2]),
				   nkey, key, nparent, parent,
				   isnull[SD_ROW_ATTRS] || !(r->with_attrs || sd_rows_keeps_attrs(values[SD_ROW_KIND])) ?
				   NULL : TextDatumGetCString(values[SD_ROW_ATTRS]),
				   &r->arena);
	if (isnull[SD_ROW_HASH])
	{
		text	   *attrs = DatumGetTextPP(values[SD_ROW_ATTRS]);

		sd_util_attrs_hash(r->hashctx, VARDATA_ANY(attrs), VARSIZE_ANY_EXHDR(attrs), obj->hash);
	}
	else
	{
		text	   *hash = DatumGetTextPP(values[SD_ROW_HASH]);

		if (VARSIZE_ANY_EXHDR(hash) != SD_SHA256_HEX_LEN)
			elog(ERROR, "catalog extraction returned a hash of %d characters",
				 (int) VARSIZE_ANY_EXHDR(hash));
		text_to_cstring_buffer(hash, obj->hash, sizeof(obj->hash));
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->rowcxt);
	set->nobjects++;
}

/*
 * sd_rows_add_text
 *		Add one row given as the text of its 7 columns (NULL for SQL NULL),
 *		in the given encoding (a remote server's client_encoding): each is
 *		converted to this database's encoding and read by the column's input
 *		function, then added as sd_rows_add() adds it.
 */
void
sd_rows_add_text(SdRowReader *r, char **texts, int encoding)
{
	Datum		values[SD_ROW_NATTS];
	bool		isnull[SD_ROW_NATTS];
	MemoryContext old = MemoryContextSwitchTo(r->rowcxt);
	Oid			array_in = InvalidOid;
	Oid			ioparam = InvalidOid;
	int			i;

	for (i = 0; i < SD_ROW_NATTS; i++)
	{
		char	   *s;

		isnull[i] = (texts[i] == NULL);
		if (isnull[i])
		{
			values[i] = (Datum) 0;
			continue;
		}
		s = pg_any_to_server(texts[i], strlen(texts[i]), encoding);
		if (row_columns[i].type == TEXTOID)
			values[i] = CStringGetTextDatum(s);
		else
		{
			FmgrInfo	flinfo;

			if (!OidIsValid(array_in))
				getTypeInputInfo(TEXTARRAYOID, &array_in, &ioparam);
			fmgr_info(array_in, &flinfo);
			values[i] = InputFunctionCall(&flinfo, s, ioparam, -1);
		}
	}
	MemoryContextSwitchTo(old);
	/* sd_rows_add resets rowcxt when done with the row */
	sd_rows_add(r, values, isnull);
}

/*
 * sd_rows_end
 *		Done reading: free the reader's state, trim the set's array.
 */
void
sd_rows_end(SdRowReader *r)
{
	SdObjectSet *set = r->set;

	pg_cryptohash_free(r->hashctx);
	r->hashctx = NULL;
	MemoryContextDelete(r->rowcxt);
	if (set->nobjects > 0 && set->nobjects < r->capacity)
		set->objects = repalloc_huge(set->objects, sizeof(SdObject) * set->nobjects);
}
