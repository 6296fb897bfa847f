/*-------------------------------------------------------------------------
 *
 * baseline.c
 *	  Stored baselines: named snapshots kept in schemadrift_baselines, and
 *	  a baseline as a side ("baseline:NAME").
 *
 * A baseline is a snapshot document (snapshot.c) saved under a name, with
 * its fingerprint, a note, who saved it and when.  The table belongs to the
 * extension but its rows are user data (pg_extension_config_dump): pg_dump
 * keeps them.  Nothing here is SECURITY DEFINER: the functions run as their
 * caller, and the table's privileges decide who may save, drop and read
 * baselines (by default the extension's owner and superusers only; GRANT
 * SELECT lets a role diff against them).
 *
 * A side named "baseline:NAME" is read from the table and loaded like a
 * snapshot given as jsonb, so every check of snapshot.c applies to it.
 *
 * Saving a baseline also saves one row per object (kind, identity, parent
 * relation, hash) in schemadrift_baseline_objects, and its options beside
 * the document: the audit trigger compares what a command touched with
 * those rows (history.c) without reading the document.  Dropping the
 * baseline drops them (ON DELETE CASCADE).
 *
 * IDENTIFICATION
 *	  src/baseline.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "history.h"
#include "side.h"
#include "snapshot.h"
#include "workflow.h"

/*
 * sd_workflow_check_name
 *		Check a baseline name or a version id (what says which) : 1 to 63
 *		ASCII letters, digits, ".", "_" and "-", starting with a letter or
 *		a digit, so that it reads the same in every encoding, in a side's
 *		spelling and in a file name.
 */
void
sd_workflow_check_name(const char *name, const char *what)
{
	const char *p;
	int			len = strlen(name);

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errhint("Use a name such as \"release-2026.12\" or \"0042\".")));
	if (len > SD_WORKFLOW_NAME_MAXLEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("%s is too long", what),
				 errdetail("It has %d bytes; at most %d are allowed.",
						   len, SD_WORKFLOW_NAME_MAXLEN)));
	for (p = name; *p; p++)
	{
		bool		alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9');

		if (alnum || (p > name && (*p == '.' || *p == '_' || *p == '-')))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" contains a character that is not allowed",
						what, name),
				 errdetail("Byte %d is not allowed there.", (int) (p - name) + 1),
				 errhint("Use ASCII letters, digits, \".\", \"_\" and \"-\", starting with a letter or a digit.")));
	}
}

/*
 * sd_workflow_text_arg
 *		Argument argno (named argname) of a SQL-callable function, as a C
 *		string; NULL is an error.
 */
char *
sd_workflow_text_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("\"%s\" must not be NULL", argname)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * sd_workflow_schema
 *		The schema schemadrift is installed in, quoted.  Call it connected to
 *		SPI; the result is in the SPI procedure's context.
 */
char *
sd_workflow_schema(void)
{
	int			rc;
	bool		isnull;

	rc = SPI_execute("SELECT pg_catalog.quote_ident(n.nspname)"
					 " FROM pg_catalog.pg_extension e"
					 " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
					 " WHERE e.extname OPERATOR(pg_catalog.=) 'schemadrift'",
					 true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"schemadrift\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION schemadrift.")));
	return TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * sd_workflow_check_new
 *		Fail unless table (qualified) lacks a row whose column keycol is
 *		value: what (say "baseline") value was verb ("saved") by
 *		<prefix>_by at <prefix>_at, and hint says what to do.  Connected to
 *		SPI.
 */
void
sd_workflow_check_new(const char *table, const char *keycol, const char *prefix,
					  const char *value, const char *what, const char *verb,
					  const char *hint)
{
	Oid			argtype = TEXTOID;
	Datum		arg = CStringGetTextDatum(value);
	int			rc;

	rc = SPI_execute_with_args(psprintf("SELECT %s_by, %s_at::pg_catalog.text FROM %s"
										" WHERE %s OPERATOR(pg_catalog.=) $1",
										prefix, prefix, table, keycol),
							   1, &argtype, &arg, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("%s \"%s\" already exists", what, value),
				 errdetail("It was %s by %s at %s.", verb,
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
				 errhint("%s", hint)));
}

/*
 * sd_workflow_local_snapshot
 *		The snapshot document of this database under options, and its
 *		fingerprint into fingerprint (SD_SHA256_HEX_LEN + 1 bytes).  If keep
 *		is not NULL, *keep is the set of objects the document was built
 *		from, in the caller's memory context; otherwise it is freed.
 */
Jsonb *
sd_workflow_local_snapshot(SdOptions *options, char *fingerprint,
						   SdObjectSet **keep)
{
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext workcxt;
	SdObjectSet *set;
	Jsonb	   *doc;

	workcxt = AllocSetContextCreate(callercxt, "schemadrift workflow snapshot",
									ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(keep ? callercxt : workcxt);
	set = sd_side_local_read(options, true);
	sd_objects_report_unsupported(set);
	sd_objects_fingerprint(set, fingerprint);
	MemoryContextSwitchTo(callercxt);
	doc = sd_snapshot_build(set);
	MemoryContextDelete(workcxt);
	if (keep)
		*keep = set;
	return doc;
}

/*
 * store_baseline_objects
 *		Save one row per object of set in schemadrift_baseline_objects
 *		(schema: where it is, quoted) for baseline name: kind, identity,
 *		parent relation and hash, what the audit trigger compares the
 *		objects a command touched with (history.c) without reading the
 *		whole document.  Connected to SPI.
 */
static void
store_baseline_objects(const char *schema, const char *name, SdObjectSet *set)
{
	Oid			argtypes[5] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		args[5];
	char	  **cols[4];
	int			n = 0;
	int			i;
	int			c;
	int			rc;

	for (c = 0; c < 4; c++)
		cols[c] = palloc(sizeof(char *) * Max(set->nobjects, 1));
	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];

		if (obj->kindinfo == NULL || strcmp(obj->kind, SD_KIND_UNSUPPORTED) == 0)
			continue;
		cols[0][n] = obj->kind;
		cols[1][n] = obj->identity;
		cols[2][n] = sd_history_parent_identity(obj->nparent, obj->parent);
		cols[3][n] = obj->hash;
		n++;
	}
	args[0] = CStringGetTextDatum(name);
	for (c = 0; c < 4; c++)
		args[c + 1] = sd_util_text_array(cols[c], n);
	rc = SPI_execute_with_args(psprintf("INSERT INTO %s.schemadrift_baseline_objects"
										" (baseline, kind, identity, parent, hash)"
										" SELECT $1, u.k, u.i, u.p, u.h"
										" FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3),"
										" pg_catalog.unnest($4), pg_catalog.unnest($5)) u(k, i, p, h)",
										schema),
							   5, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
}

/*
 * sd_side_is_baseline
 *		Whether a side's name names a stored baseline.
 */
bool
sd_side_is_baseline(const char *name)
{
	return name != NULL &&
		strncmp(name, SD_BASELINE_PREFIX, strlen(SD_BASELINE_PREFIX)) == 0;
}

/*
 * fetch_baseline
 *		The snapshot document of baseline name, in the current context.
 */
static Jsonb *
fetch_baseline(const char *name)
{
	MemoryContext callercxt = CurrentMemoryContext;
	Datum		arg = CStringGetTextDatum(name);
	Oid			argtype = TEXTOID;
	Jsonb	   *doc;
	Datum		d;
	bool		isnull;
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(psprintf("SELECT snapshot FROM %s.schemadrift_baselines"
										" WHERE name OPERATOR(pg_catalog.=) $1",
										sd_workflow_schema()),
							   1, &argtype, &arg, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("baseline \"%s\" does not exist", name),
				 errhint("Save it with schemadrift_baseline_save(); SELECT name FROM schemadrift_baselines lists the saved ones.")));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	MemoryContextSwitchTo(callercxt);
	doc = DatumGetJsonbPCopy(d);
	SPI_finish();
	return doc;
}

/*
 * sd_baseline_read
 *		The objects of the side "baseline:NAME" (side, given as argument
 *		argname), which must have been saved under options.
 */
SdObjectSet *
sd_baseline_read(const char *side, const char *argname, SdOptions *options)
{
	const char *name = side + strlen(SD_BASELINE_PREFIX);
	SdObjectSet *set;

	sd_workflow_check_name(name, "baseline name");
	set = sd_snapshot_load(fetch_baseline(name), argname);
	if (!sd_options_equal(set->options, options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("baseline \"%s\" was saved with other options", name),
				 errdetail("The baseline was saved with %s; this call uses %s.",
						   set->options->canonical, options->canonical),
				 errhint("Pass the baseline's options (SELECT snapshot->'options' FROM schemadrift_baselines WHERE name = '%s'), or save another baseline with these options.",
						 name)));
	return set;
}

/* ---- SQL-callable functions ---------------------------------------------- */

PG_FUNCTION_INFO_V1(schemadrift_baseline_save);
PG_FUNCTION_INFO_V1(schemadrift_baseline_drop);

/*
 * schemadrift_baseline_save(name text, note text, options jsonb) -> text
 *
 * Save this database's snapshot as baseline name; returns its fingerprint.
 * A name is saved once: drop a baseline to save it again.
 */
Datum
schemadrift_baseline_save(PG_FUNCTION_ARGS)
{
	char	   *name = sd_workflow_text_arg(fcinfo, 0, "name");
	SdOptions  *options = sd_options_from_datum(fcinfo, 2);
	char		fingerprint[SD_SHA256_HEX_LEN + 1];
	Jsonb	   *doc;
	Oid			argtypes[5] = {TEXTOID, JSONBOID, TEXTOID, TEXTOID, JSONBOID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	char	   *schema;
	SdObjectSet *set;
	int			rc;

	sd_workflow_check_name(name, "baseline name");
	doc = sd_workflow_local_snapshot(options, fingerprint, &set);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = sd_workflow_schema();
	args[0] = CStringGetTextDatum(name);
	sd_workflow_check_new(psprintf("%s.schemadrift_baselines", schema), "name",
						  "created", name, "baseline", "saved",
						  "Save under another name, or drop it first with schemadrift_baseline_drop().");

	args[1] = JsonbPGetDatum(doc);
	args[2] = CStringGetTextDatum(fingerprint);
	if (PG_ARGISNULL(1))
		nulls[3] = 'n';
	else
		args[3] = PG_GETARG_DATUM(1);
	args[4] = JsonbPGetDatum(options->jsonb);
	rc = SPI_execute_with_args(psprintf("INSERT INTO %s.schemadrift_baselines"
										" (name, snapshot, fingerprint, note, options)"
										" VALUES ($1, $2, $3, $4, $5)", schema),
							   5, argtypes, args, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	store_baseline_objects(schema, name, set);
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(fingerprint));
}

/*
 * schemadrift_baseline_drop(name text) -> void
 */
Datum
schemadrift_baseline_drop(PG_FUNCTION_ARGS)
{
	char	   *name = sd_workflow_text_arg(fcinfo, 0, "name");
	Oid			argtype = TEXTOID;
	Datum		arg;
	int			rc;

	sd_workflow_check_name(name, "baseline name");
	arg = CStringGetTextDatum(name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(psprintf("DELETE FROM %s.schemadrift_baselines"
										" WHERE name OPERATOR(pg_catalog.=) $1",
										sd_workflow_schema()),
							   1, &argtype, &arg, NULL, false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("baseline \"%s\" does not exist", name)));
	SPI_finish();
	PG_RETURN_VOID();
}
