/*-------------------------------------------------------------------------
 *
 * versions.c
 *	  Stamped versions: the schema_version table of migration tools, with
 *	  the fingerprint and snapshot of the schema each version left, and the
 *	  status of this database against them.
 *
 * schemadrift_version_stamp() records a version id, the migrations it
 * applied (name and checksum each), and this database's snapshot and
 * fingerprint (default options) into schemadrift_versions.  A version is
 * stamped once; a migration recorded again must carry the checksum it was
 * first recorded with (Flyway's "checksum mismatch": an applied migration
 * was edited).
 *
 * schemadrift_status() says which stamped version this database's schema
 * matches (the latest one with its fingerprint) or, when none, how far it
 * drifted since the latest stamp (objects missing, extra and changed, by
 * kind): a diff of this database against that stamp's snapshot.
 *
 * As for baselines (baseline.c), the functions run as their caller: the
 * table's privileges decide who may stamp and read.
 *
 * IDENTIFICATION
 *	  src/versions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "side.h"
#include "workflow.h"

static void
invalid_migrations(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid \"migrations\""),
			 errdetail_internal("%s", detail),
			 errhint("Pass an array of objects such as '[{\"name\": \"0042_add_tax_id.sql\", \"checksum\": \"<sha256 of the file>\"}]', or '[]'.")));
}

/* a non-empty string member of a migration (n: 1-based), or an error */
static char *
migration_string(JsonbContainer *c, const char *key, int n)
{
	JsonbValue *v = sd_jsonb_get(c, key);

	if (v == NULL || v->type != jbvString || v->val.string.len == 0)
		invalid_migrations(psprintf("Element %d has no non-empty string \"%s\".", n, key));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * check_migrations
 *		Check the shape of a migrations array: objects with a "name" and a
 *		"checksum" (non-empty strings) and nothing else, names unique.
 */
static void
check_migrations(Jsonb *migrations)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	List	   *names = NIL;
	int			n = 0;

	if (!JB_ROOT_IS_ARRAY(migrations) || JB_ROOT_IS_SCALAR(migrations))
		invalid_migrations("It is not an array.");
	it = JsonbIteratorInit(&migrations->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbContainer *c;
		JsonbIterator *kit;
		JsonbValue	k;
		JsonbIteratorToken ktok;
		char	   *name;

		if (tok != WJB_ELEM)
			continue;
		n++;
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			invalid_migrations(psprintf("Element %d is not an object.", n));
		c = v.val.binary.data;
		kit = JsonbIteratorInit(c);
		while ((ktok = JsonbIteratorNext(&kit, &k, true)) != WJB_DONE)
			if (ktok == WJB_KEY &&
				!(k.val.string.len == 4 && strncmp(k.val.string.val, "name", 4) == 0) &&
				!(k.val.string.len == 8 && strncmp(k.val.string.val, "checksum", 8) == 0))
				invalid_migrations(psprintf("Element %d has a key \"%.*s\"; a migration has only \"name\" and \"checksum\".",
											n, k.val.string.len, k.val.string.val));
		name = migration_string(c, "name", n);
		(void) migration_string(c, "checksum", n);
		if (sd_list_has_string(names, name))
			invalid_migrations(psprintf("Migration \"%s\" is listed twice.", name));
		names = lappend(names, name);
	}
}

PG_FUNCTION_INFO_V1(schemadrift_version_stamp);
PG_FUNCTION_INFO_V1(schemadrift_status);

/*
 * schemadrift_version_stamp(version text, migrations jsonb, note text,
 *							 options jsonb) -> text
 *
 * Returns the fingerprint stamped, of the schema as options select it (the
 * snapshot keeps them; schemadrift_status reads the schema with them).
 */
Datum
schemadrift_version_stamp(PG_FUNCTION_ARGS)
{
	char	   *version = sd_workflow_text_arg(fcinfo, 0, "version");
	Jsonb	   *migrations;
	SdOptions  *options = PG_NARGS() > 3 ? sd_options_from_datum(fcinfo, 3) :
		sd_options_parse(sd_jsonb_from_cstring("{}"));
	char		fingerprint[SD_SHA256_HEX_LEN + 1];
	Jsonb	   *doc;
	Oid			argtypes[5] = {TEXTOID, JSONBOID, TEXTOID, JSONBOID, TEXTOID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	char	   *schema;
	int			rc;

	sd_workflow_check_name(version, "version");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("\"migrations\" must not be NULL"),
				 errhint("Pass '[]' for none.")));
	migrations = PG_GETARG_JSONB_P(1);
	check_migrations(migrations);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = sd_workflow_schema();
	args[0] = CStringGetTextDatum(version);
	args[3] = JsonbPGetDatum(migrations);

	sd_workflow_check_new(psprintf("%s.schemadrift_versions", schema), "version",
						  "stamped", version, "version", "stamped",
						  "A version is stamped once: stamp the next version under a new id.");

	/* a migration recorded before must have kept its checksum */
	rc = SPI_execute_with_args(psprintf("SELECT n.name, o.version, o.checksum, n.checksum"
										" FROM pg_catalog.jsonb_to_recordset($1) AS n(name pg_catalog.text, checksum pg_catalog.text)"
										" JOIN (SELECT v.version, v.stamped_at, m.name, m.checksum"
										"  FROM %s.schemadrift_versions v,"
										"  pg_catalog.jsonb_to_recordset(v.migrations) AS m(name pg_catalog.text, checksum pg_catalog.text)) o"
										" ON o.name OPERATOR(pg_catalog.=) n.name"
										" WHERE o.checksum OPERATOR(pg_catalog.<>) n.checksum"
										" ORDER BY o.stamped_at, n.name LIMIT 1", schema),
							   1, &argtypes[3], &args[3], NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		ereport(ERROR,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("checksum mismatch for migration \"%s\"", SPI_getvalue(tup, desc, 1)),
				 errdetail("Version \"%s\" recorded it with checksum %s; this stamp gives %s.",
						   SPI_getvalue(tup, desc, 2), SPI_getvalue(tup, desc, 3),
						   SPI_getvalue(tup, desc, 4)),
				 errhint("An applied migration must not change: restore the file as it was applied, and make the change in a new migration.")));
	}

	doc = sd_workflow_local_snapshot(options, fingerprint, NULL);
	args[1] = JsonbPGetDatum(doc);
	args[2] = CStringGetTextDatum(fingerprint);
	if (PG_ARGISNULL(2))
		nulls[4] = 'n';
	else
		args[4] = PG_GETARG_DATUM(2);
	rc = SPI_execute_with_args(psprintf("INSERT INTO %s.schemadrift_versions"
										" (version, snapshot, fingerprint, migrations, note)"
										" VALUES ($1, $2, $3, $4, $5)", schema),
							   5, argtypes, args, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(fingerprint));
}

/*
 * latest_options
 *		The options the latest stamped version was stamped with (in the
 *		caller's memory context), or the defaults when none is stamped.
 *		Called connected to SPI.
 */
static SdOptions *
latest_options(const char *schema, MemoryContext callercxt)
{
	Jsonb	   *stored = NULL;
	SdOptions  *options;
	MemoryContext spicxt;
	bool		isnull = true;
	Datum		d = (Datum) 0;
	int			rc;

	rc = SPI_execute(psprintf("SELECT snapshot OPERATOR(pg_catalog.->) 'options'"
							  " FROM %s.schemadrift_versions"
							  " ORDER BY stamped_at DESC, version DESC LIMIT 1", schema),
					 true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	spicxt = MemoryContextSwitchTo(callercxt);
	if (!isnull)
		stored = DatumGetJsonbPCopy(d);
	options = sd_options_parse(stored ? stored : sd_jsonb_from_cstring("{}"));
	MemoryContextSwitchTo(spicxt);
	return options;
}

/*
 * schemadrift_status(options jsonb) -> TABLE(fingerprint, version, matches,
 *						stamped_at, missing, extra, changed, by_kind)
 *
 * One row: this database's fingerprint under options (NULL: the options
 * the latest version was stamped with).  Only versions stamped with these
 * options count: the latest with that fingerprint (matches true), or else
 * the latest and the drift since it (matches false), or none.
 */
Datum
schemadrift_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callercxt = CurrentMemoryContext;
	SdOptions  *options = NULL;
	SdObjectSet *set;
	char		fingerprint[SD_SHA256_HEX_LEN + 1];
	Oid			argtypes[2] = {TEXTOID, JSONBOID};
	Datum		args[2];
	Datum		values[8];
	bool		nulls[8] = {false, false, true, true, true, true, true, true};
	Jsonb	   *snapshot = NULL;
	char	   *schema;
	int			rc;
	bool		isnull;

	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts != 8)
		elog(ERROR, "schemadrift_status must be declared with 8 result columns");
	if (PG_NARGS() > 0 && !PG_ARGISNULL(0))
		options = sd_options_parse(PG_GETARG_JSONB_P(0));

	if (options == NULL)
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		options = latest_options(sd_workflow_schema(), callercxt);
		SPI_finish();
	}

	set = sd_side_local_read(options, false);
	sd_objects_report_unsupported(set);
	sd_objects_fingerprint(set, fingerprint);
	values[0] = CStringGetTextDatum(fingerprint);
	nulls[1] = true;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = sd_workflow_schema();
	args[0] = CStringGetTextDatum(fingerprint);
	args[1] = JsonbPGetDatum(options->jsonb);
	rc = SPI_execute_with_args(psprintf("SELECT version, stamped_at,"
										" fingerprint OPERATOR(pg_catalog.=) $1 AS matches, snapshot"
										" FROM %s.schemadrift_versions"
										" WHERE snapshot OPERATOR(pg_catalog.->) 'options' OPERATOR(pg_catalog.=) $2"
										" ORDER BY fingerprint OPERATOR(pg_catalog.=) $1 DESC,"
										" stamped_at DESC, version DESC LIMIT 1", schema),
							   2, argtypes, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext spicxt = MemoryContextSwitchTo(callercxt);

		values[1] = CStringGetTextDatum(SPI_getvalue(tup, desc, 1));
		nulls[1] = false;
		values[3] = SPI_getbinval(tup, desc, 2, &isnull);	/* by value */
		nulls[3] = false;
		values[2] = SPI_getbinval(tup, desc, 3, &isnull);
		nulls[2] = false;
		if (!DatumGetBool(values[2]))
			snapshot = DatumGetJsonbPCopy(SPI_getbinval(tup, desc, 4, &isnull));
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();

	if (!nulls[2])
	{
		int64		counts[3] = {0, 0, 0};
		char	   *by_kind = "{}";
		int			i;

		if (snapshot != NULL)
		{
			SdDriftSide target = {TEXTOID, (Datum) 0, true};
			SdDriftSide source = {JSONBOID, JsonbPGetDatum(snapshot), false};
			JsonbValue *opts = sd_jsonb_get(&snapshot->root, "options");
			SdDrift    *drift;

			drift = sd_drift_read(get_func_namespace(fcinfo->flinfo->fn_oid),
								  &target, &source,
								  JsonbPGetDatum(opts ? JsonbValueToJsonb(opts) :
												 sd_jsonb_from_cstring("{}")),
								  false, false);
			counts[0] = drift->missing;
			counts[1] = drift->extra;
			counts[2] = drift->changed;
			by_kind = sd_drift_by_kind_json(drift);
		}
		for (i = 0; i < 3; i++)
		{
			values[4 + i] = Int64GetDatum(counts[i]);
			nulls[4 + i] = false;
		}
		values[7] = JsonbPGetDatum(sd_jsonb_from_cstring(by_kind));
		nulls[7] = false;
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
