/*-------------------------------------------------------------------------
 *
 * objects.c
 *	  Canonical objects: extraction from this database, order, fingerprint.
 *
 * sd_objects_extract_local() runs catalog.c's query through SPI and keeps
 * the rows as SdObjects.  It guards against concurrent DDL: the query reads
 * catalog rows through one MVCC snapshot, but core's deparse functions read
 * the latest committed state through the caches, so a DDL committed while
 * the query runs could mix two states into one result (or raise "cache
 * lookup failed").  A catalog state check before and after tells; the
 * extraction is then retried, and after a few tries fails with a clean,
 * retryable error (SQLSTATE 40001).
 *
 * The fingerprint is a Merkle root: object hashes roll up into one hash per
 * schema, and those, with the options, into the root.
 *
 * IDENTIFICATION
 *	  src/objects.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "compat.h"
#include "catalog.h"
#include "objects.h"

/* how often the extraction is tried while DDL keeps committing under it */
#define SD_EXTRACT_ATTEMPTS 3

/* rows fetched from the extraction cursor at a time */
#define SD_FETCH_BATCH 5000

/*
 * sd_objects_encode_key
 *		Encode kind and key parts into one string that sorts and matches
 *		objects: every part is length-prefixed, so no name can collide with
 *		another however it is spelled.  Returns a palloc'd string.
 */
char *
sd_objects_encode_key(const char *kind, int nparts, char **parts)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, kind);
	for (i = 0; i < nparts; i++)
		appendStringInfo(&buf, "|%zu:%s", strlen(parts[i]), parts[i]);
	return buf.data;
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
 * object_from_tuple
 *		Fill obj from one row of the extraction query, allocating in the
 *		current memory context.
 */
static void
object_from_tuple(SdObject *obj, HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	Datum		d;

	obj->kind = TextDatumGetCString(SPI_getbinval(tup, desc, 1, &isnull));
	obj->identity = TextDatumGetCString(SPI_getbinval(tup, desc, 2, &isnull));
	d = SPI_getbinval(tup, desc, 3, &isnull);
	obj->schema = isnull ? NULL : TextDatumGetCString(d);
	obj->key = text_array_to_cstrings(SPI_getbinval(tup, desc, 4, &isnull), &obj->nkey);
	d = SPI_getbinval(tup, desc, 5, &isnull);
	if (isnull)
	{
		obj->nparent = 0;
		obj->parent = NULL;
	}
	else
		obj->parent = text_array_to_cstrings(d, &obj->nparent);
	d = SPI_getbinval(tup, desc, 6, &isnull);
	obj->attrs = isnull ? NULL : sd_jsonb_from_cstring(TextDatumGetCString(d));
	d = SPI_getbinval(tup, desc, 7, &isnull);
	strlcpy(obj->hash, TextDatumGetCString(d), sizeof(obj->hash));
	obj->mkey = sd_objects_encode_key(obj->kind, obj->nkey, obj->key);
}

/*
 * run_state_query
 *		Run the catalog state query under snapshot snap; returns a palloc'd
 *		string in the caller's memory context.
 */
static char *
run_state_query(SPIPlanPtr plan, Snapshot snap, MemoryContext resultcxt)
{
	int			rc;
	bool		isnull;
	Datum		d;
	MemoryContext old;
	char	   *result;

	rc = SPI_execute_snapshot(plan, NULL, NULL, snap, InvalidSnapshot, true, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "catalog state query failed: %s", SPI_result_code_string(rc));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	old = MemoryContextSwitchTo(resultcxt);
	result = TextDatumGetCString(d);
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * extract_once
 *		One extraction attempt.  Fills set->objects (allocated in resultcxt)
 *		and returns whether the catalog state is still state_before, that is,
 *		whether no DDL committed since it was taken.  Must be called inside a
 *		subtransaction: errors propagate.
 */
static bool
extract_once(SdObjectSet *set, bool with_attrs, const char *state_before,
			 MemoryContext resultcxt)
{
	SPIPlanPtr	plan;
	SPIPlanPtr	state_plan;
	Oid			argtypes[2] = {JSONBOID, BOOLOID};
	Datum		values[2];
	Portal		portal;
	Snapshot	snap;
	char	   *state_after;
	int			capacity = 1024;
	int			n = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	plan = SPI_prepare(sd_catalog_extraction_sql(PG_VERSION_NUM), 2, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare the catalog extraction query: %s",
			 SPI_result_code_string(SPI_result));
	state_plan = SPI_prepare(sd_catalog_state_sql(PG_VERSION_NUM), 0, NULL);
	if (state_plan == NULL)
		elog(ERROR, "could not prepare the catalog state query: %s",
			 SPI_result_code_string(SPI_result));

	/* everything committed so far, and our own transaction's DDL */
	snap = RegisterSnapshot(GetLatestSnapshot());

	values[0] = JsonbPGetDatum(set->options->jsonb);
	values[1] = BoolGetDatum(with_attrs);
	PushActiveSnapshot(snap);
	portal = SPI_cursor_open(NULL, plan, values, NULL, true);

	set->objects = MemoryContextAlloc(resultcxt, sizeof(SdObject) * capacity);
	for (;;)
	{
		uint64		i;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, SD_FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		if (n + SPI_processed > (uint64) capacity)
		{
			while (n + SPI_processed > (uint64) capacity)
				capacity *= 2;
			set->objects = repalloc_huge(set->objects, sizeof(SdObject) * capacity);
		}
		for (i = 0; i < SPI_processed; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(resultcxt);

			object_from_tuple(&set->objects[n++], SPI_tuptable->vals[i],
							  SPI_tuptable->tupdesc);
			MemoryContextSwitchTo(old);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	PopActiveSnapshot();
	set->nobjects = n;

	state_after = run_state_query(state_plan, GetLatestSnapshot(), resultcxt);
	UnregisterSnapshot(snap);

	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");

	return strcmp(state_before, state_after) == 0;
}

/*
 * catalogs_changed_since
 *		Whether the catalog state differs from before (used after an error,
 *		to tell a concurrent DDL from a real failure).
 */
static bool
catalogs_changed_since(const char *before)
{
	bool		changed;
	SPIPlanPtr	plan;

	if (before == NULL)
		return false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sd_catalog_state_sql(PG_VERSION_NUM), 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the catalog state query");
	changed = strcmp(before, run_state_query(plan, GetLatestSnapshot(),
											 CurrentMemoryContext)) != 0;
	SPI_finish();
	return changed;
}

/*
 * current_state
 *		The catalog state now, as a palloc'd string.
 */
static char *
current_state(void)
{
	SPIPlanPtr	plan;
	char	   *result;
	MemoryContext cxt = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sd_catalog_state_sql(PG_VERSION_NUM), 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the catalog state query");
	result = run_state_query(plan, GetLatestSnapshot(), cxt);
	SPI_finish();
	return result;
}

/*
 * sd_objects_extract_local
 *		Read every canonical object of this database under options.
 *
 * Returns a sorted set allocated in the caller's memory context; objects
 * carry their attrs only if with_attrs (the fingerprint needs hashes only).
 * Fails
 * with SQLSTATE 40001 if concurrent DDL kept changing the catalogs through
 * SD_EXTRACT_ATTEMPTS tries; errors not explained by concurrent DDL are
 * raised as they are.
 */
SdObjectSet *
sd_objects_extract_local(SdOptions *options, bool with_attrs)
{
	MemoryContext callercxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	SdObjectSet *set = palloc0(sizeof(SdObjectSet));
	int			nestlevel;
	int			attempt;

	set->options = options;
	set->server_version_num = PG_VERSION_NUM;
	set->server_version = pstrdup(GetConfigOption("server_version", false, false));
	set->origin = "this database";

	nestlevel = sd_util_pin_gucs();

	for (attempt = 1;; attempt++)
	{
		bool		consistent = false;
		bool		failed = false;
		char	   *state_at_start = current_state();
		MemoryContext attemptcxt;

		attemptcxt = AllocSetContextCreate(callercxt, "schemadrift extraction",
										   ALLOCSET_DEFAULT_SIZES);

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(callercxt);
		PG_TRY();
		{
			consistent = extract_once(set, with_attrs, state_at_start, attemptcxt);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(callercxt);
			CurrentResourceOwner = oldowner;
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(callercxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(callercxt);
			CurrentResourceOwner = oldowner;

			/*
			 * A query cancel, or an error that concurrent DDL does not
			 * explain, goes to the caller unchanged.
			 */
			if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
				edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
				!catalogs_changed_since(state_at_start))
				ReThrowError(edata);
			FreeErrorData(edata);
			failed = true;
		}
		PG_END_TRY();

		if (consistent && !failed)
			break;				/* attemptcxt lives on under callercxt */

		MemoryContextDelete(attemptcxt);
		set->objects = NULL;
		set->nobjects = 0;

		if (attempt >= SD_EXTRACT_ATTEMPTS)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not read a consistent schema: it changed while it was being read"),
					 errdetail("Concurrent DDL committed during each of %d attempts.",
							   SD_EXTRACT_ATTEMPTS),
					 errhint("Retry the command when the concurrent schema changes have finished.")));
		CHECK_FOR_INTERRUPTS();
	}

	sd_util_unpin_gucs(nestlevel);
	sd_objects_sort(set);
	return set;
}

/*
 * sd_objects_cmp
 *		The total order of objects: by schema ("" for database-wide objects),
 *		then by encoded kind and key.  Both sides of a diff and the
 *		fingerprint use it.
 */
int
sd_objects_cmp(const SdObject *a, const SdObject *b)
{
	int			c = strcmp(a->schema ? a->schema : "", b->schema ? b->schema : "");

	if (c != 0)
		return c;
	return strcmp(a->mkey, b->mkey);
}

static int
qsort_objects(const void *a, const void *b)
{
	return sd_objects_cmp((const SdObject *) a, (const SdObject *) b);
}

/*
 * sd_objects_sort
 *		Sort a set in place into sd_objects_cmp order.
 */
void
sd_objects_sort(SdObjectSet *set)
{
	if (set->nobjects > 1)
		qsort(set->objects, set->nobjects, sizeof(SdObject), qsort_objects);
}

/* incremental sha256 helpers */
static pg_cryptohash_ctx *
hash_begin(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize sha256: %s", pg_cryptohash_error(ctx));
	return ctx;
}

static void
hash_add(pg_cryptohash_ctx *ctx, const char *s)
{
	if (pg_cryptohash_update(ctx, (const uint8 *) s, strlen(s)) < 0)
		elog(ERROR, "could not update sha256: %s", pg_cryptohash_error(ctx));
}

static void
hash_end(pg_cryptohash_ctx *ctx, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	int			i;

	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finish sha256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
	{
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	out[SD_SHA256_HEX_LEN] = '\0';
}

/*
 * sd_objects_fingerprint
 *		The Merkle root of a sorted set, as 64 hex digits into out.
 *
 * A leaf line is the object's encoded kind and key and its hash; a schema's
 * hash covers its leaf lines in order; the root covers a version tag, the
 * canonical options, and each schema's name and hash.  Equal schemas under
 * equal options give equal roots, whatever order the objects were created
 * in, and nothing else does (short of a sha256 collision).
 */
void
sd_objects_fingerprint(const SdObjectSet *set, char *out)
{
	pg_cryptohash_ctx *root = hash_begin();
	int			i = 0;
	StringInfoData line;

	initStringInfo(&line);
	hash_add(root, "schemadrift fingerprint 1\n");
	hash_add(root, set->options->canonical);
	hash_add(root, "\n");

	while (i < set->nobjects)
	{
		const char *group = set->objects[i].schema ? set->objects[i].schema : "";
		pg_cryptohash_ctx *schema_ctx = hash_begin();
		char		schema_hash[SD_SHA256_HEX_LEN + 1];

		for (; i < set->nobjects; i++)
		{
			const SdObject *obj = &set->objects[i];

			if (strcmp(obj->schema ? obj->schema : "", group) != 0)
				break;
			resetStringInfo(&line);
			appendStringInfo(&line, "%s %s\n", obj->mkey, obj->hash);
			hash_add(schema_ctx, line.data);
		}
		hash_end(schema_ctx, schema_hash);

		resetStringInfo(&line);
		appendStringInfo(&line, "%zu:%s %s\n", strlen(group), group, schema_hash);
		hash_add(root, line.data);
	}
	hash_end(root, out);
	pfree(line.data);
}

/*
 * sd_objects_report_unsupported
 *		A NOTICE naming the object kinds the model does not cover yet, if the
 *		set has any: they are counted in the fingerprint (as "unsupported"
 *		objects) but not compared attribute by attribute.
 */
void
sd_objects_report_unsupported(const SdObjectSet *set)
{
	StringInfoData detail;
	int			total = 0;
	int			i;

	initStringInfo(&detail);
	for (i = 0; i < set->nobjects; i++)
	{
		const SdObject *obj = &set->objects[i];
		JsonbValue *count;
		char	   *n;

		if (strcmp(obj->kind, "unsupported") != 0)
			continue;
		count = sd_jsonb_get(obj->attrs, "count");
		n = count ? sd_jsonb_value_text(count, false) : pstrdup("?");
		appendStringInfo(&detail, "%s%s: %s", detail.len > 0 ? ", " : "",
						 obj->identity, n);
		total += atoi(n);
	}
	if (total > 0)
		ereport(NOTICE,
				(errmsg("%d object(s) of kinds schemadrift does not model yet are only counted and listed",
						total),
				 errdetail("%s.", detail.data),
				 errhint("They appear as rows of kind \"unsupported\"; exclude them with the \"exclude\" option.")));
}

/* ---- SQL-callable functions ---------------------------------------------- */

PG_FUNCTION_INFO_V1(schemadrift_objects);
PG_FUNCTION_INFO_V1(schemadrift_fingerprint);

/*
 * schemadrift_objects(options jsonb) -> TABLE(kind, identity, attrs, hash)
 */
Datum
schemadrift_objects(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	SdObjectSet *set;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	set = sd_objects_extract_local(options, true);
	sd_objects_report_unsupported(set);

	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(obj->kind);
		values[1] = CStringGetTextDatum(obj->identity);
		values[2] = JsonbPGetDatum(obj->attrs);
		values[3] = CStringGetTextDatum(obj->hash);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * schemadrift_fingerprint(options jsonb) -> text
 */
Datum
schemadrift_fingerprint(PG_FUNCTION_ARGS)
{
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	SdObjectSet *set = sd_objects_extract_local(options, false);
	char		root[SD_SHA256_HEX_LEN + 1];

	sd_objects_report_unsupported(set);
	sd_objects_fingerprint(set, root);
	PG_RETURN_TEXT_P(cstring_to_text(root));
}
