/*-------------------------------------------------------------------------
 *
 * drift.c
 *	  The rows of a diff, read back in C, and the CI gate in SQL
 *	  (schemadrift_assert_no_drift).
 *
 * The gate, the reports and the versions' status all need the rows
 * schemadrift_diff() returns.  Rather than a second way into compare.c,
 * they call the overload of schemadrift_diff() that the extension declares
 * for their sides' types, through fmgr, and read its result by column name:
 * the same rows, the same checks and errors, and whatever columns the
 * installed declaration has (fix_sql when it has one).
 *
 * The workflow functions are declared with the same overloads as
 * schemadrift_diff (text or jsonb sides, passed by name): their first three
 * arguments are laid out as the matching overload's, which
 * sd_drift_args() tells apart by their declared types.
 *
 * IDENTIFICATION
 *	  src/drift.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "commands/dbcommands.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "util.h"
#include "workflow.h"

/* rows listed in the gate's error detail */
#define SD_ASSERT_DETAIL_ROWS	50
/* characters of a value shown in one line of it */
#define SD_ASSERT_VALUE_CHARS	60

/*
 * sd_drift_args
 *		Where the target, the source and the options are among the
 *		arguments of fcinfo's function, declared like one of
 *		schemadrift_diff's overloads: (target, source, options) or, for a
 *		jsonb source with a text target, (source jsonb, options, target).
 */
void
sd_drift_args(FunctionCallInfo fcinfo, SdDriftSide *target, SdDriftSide *source,
			  int *optarg)
{
	Oid		   *argtypes;
	int			nargs;
	int			targ = 0;
	int			sarg = 1;

	(void) get_func_signature(fcinfo->flinfo->fn_oid, &argtypes, &nargs);
	if (nargs < 3)
		elog(ERROR, "function %u must have a target, a source and options",
			 fcinfo->flinfo->fn_oid);
	*optarg = 2;
	if (argtypes[2] == TEXTOID)
	{
		sarg = 0;
		*optarg = 1;
		targ = 2;
	}
	target->type = argtypes[targ];
	target->value = PG_GETARG_DATUM(targ);
	target->isnull = PG_ARGISNULL(targ);
	source->type = argtypes[sarg];
	source->value = PG_GETARG_DATUM(sarg);
	source->isnull = PG_ARGISNULL(sarg);
}

/* what a side is, for people: its name, this database, or a snapshot */
static char *
side_label(SdDriftSide *side)
{
	JsonbValue *fp;

	if (side->isnull)
		return side->type == TEXTOID ?
			psprintf("this database (%s)", get_database_name(MyDatabaseId)) : "NULL";
	if (side->type == TEXTOID)
		return TextDatumGetCString(side->value);
	fp = sd_jsonb_get(&DatumGetJsonbP(side->value)->root, "fingerprint");
	if (fp != NULL && fp->type == jbvString && fp->val.string.len >= 12)
		return psprintf("snapshot %.*s", 12, fp->val.string.val);
	return "snapshot";
}

/* a text column of the slot (or NULL), by position (-1: absent) */
static char *
slot_text(TupleTableSlot *slot, int pos)
{
	bool		isnull;
	Datum		d;

	if (pos < 0)
		return NULL;
	d = slot_getattr(slot, pos + 1, &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

static int
column_pos(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			return i;
	return -1;
}

/*
 * row_attribution
 *		The last audit log entry a row of schemadrift_diff with explain
 *		names (pos: the positions of changed_on, audit_id, command_tag,
 *		changed_by, changed_at, application_name, client_addr, statement,
 *		change_reason), or NULL.
 */
static SdAttribution *
row_attribution(TupleTableSlot *slot, const int *pos)
{
	SdAttribution *a;
	bool		isnull;
	Datum		d;

	if (pos[0] < 0 || pos[1] < 0 || pos[4] < 0)
		return NULL;
	d = slot_getattr(slot, pos[1] + 1, &isnull);
	if (isnull)
		return NULL;
	a = palloc0(sizeof(SdAttribution));
	a->id = DatumGetInt64(d);
	a->side = slot_text(slot, pos[0]);
	a->command_tag = slot_text(slot, pos[2]);
	a->user_name = slot_text(slot, pos[3]);
	d = slot_getattr(slot, pos[4] + 1, &isnull);
	a->at_value = isnull ? 0 : DatumGetTimestampTz(d);
	a->at = isnull ? "?" : sd_attribution_time_text(a->at_value);
	a->application = slot_text(slot, pos[5]);
	if (pos[6] >= 0)
	{
		d = slot_getattr(slot, pos[6] + 1, &isnull);
		if (!isnull)
			a->client = DatumGetCString(DirectFunctionCall1(inet_out, d));
	}
	a->statement = slot_text(slot, pos[7]);
	a->change_reason = slot_text(slot, pos[8]);
	return a;
}

/*
 * sd_drift_read
 *		The rows of schemadrift_diff(target, source, options), from the
 *		overload declared in schema nspid for the sides' types, with the
 *		objects missing, extra and changed counted.  With explain, the diff
 *		runs with {"explain": true} added to the options, and each row
 *		carries its last audit log entry (attribution.c) where it has one.
 */
SdDrift *
sd_drift_read(Oid nspid, SdDriftSide *target, SdDriftSide *source,
			  Datum options, bool options_null, bool explain)
{
	SdDrift    *drift = palloc0(sizeof(SdDrift));
	Oid			argtypes[3];
	Datum		args[3];
	bool		nulls[3];
	Oid			funcoid;
	FmgrInfo	flinfo;
	ReturnSetInfo rsinfo;
	TupleTableSlot *slot;
	int			pos[17];
	const char *const names[17] = {"kind", "identity", "change", "attribute",
		"source_value", "target_value", "note", "fix_sql",
		"changed_on", "audit_id", "command_tag", "changed_by", "changed_at",
	"application_name", "client_addr", "statement", "change_reason"};
	char	   *schema;
	char	   *last = NULL;
	char	   *object;
	int			capacity = 16;
	int			i;

	LOCAL_FCINFO(fc, 3);

	if (explain && !options_null)
		options = DirectFunctionCall2(jsonb_concat, options,
									  JsonbPGetDatum(sd_jsonb_from_cstring("{\"explain\": true}")));

	/* the overload: (target, source, options), or (source, options, target) */
	if (target->type == TEXTOID && source->type == JSONBOID)
	{
		argtypes[0] = JSONBOID;
		args[0] = source->value;
		nulls[0] = source->isnull;
		argtypes[1] = JSONBOID;
		args[1] = options;
		nulls[1] = options_null;
		argtypes[2] = TEXTOID;
		args[2] = target->value;
		nulls[2] = target->isnull;
	}
	else
	{
		argtypes[0] = target->type;
		args[0] = target->value;
		nulls[0] = target->isnull;
		argtypes[1] = source->type;
		args[1] = source->value;
		nulls[1] = source->isnull;
		argtypes[2] = JSONBOID;
		args[2] = options;
		nulls[2] = options_null;
	}

	/* schemadrift_diff of the calling function's schema */
	schema = get_namespace_name(nspid);
	if (schema == NULL)
		elog(ERROR, "cache lookup failed for namespace %u", nspid);
	funcoid = LookupFuncName(list_make2(makeString(schema),
										makeString("schemadrift_diff")),
							 3, argtypes, false);
	fmgr_info(funcoid, &flinfo);

	memset(&rsinfo, 0, sizeof(rsinfo));
	rsinfo.type = T_ReturnSetInfo;
	rsinfo.econtext = CreateStandaloneExprContext();
	rsinfo.allowedModes = (int) SFRM_Materialize;
	rsinfo.returnMode = SFRM_Materialize;
	InitFunctionCallInfoData(*fc, &flinfo, 3, InvalidOid, NULL, (Node *) &rsinfo);
	for (i = 0; i < 3; i++)
	{
		fc->args[i].value = args[i];
		fc->args[i].isnull = nulls[i];
	}
	(void) FunctionCallInvoke(fc);
	if (rsinfo.setResult == NULL || rsinfo.setDesc == NULL)
		elog(ERROR, "schemadrift_diff returned no result set");

	for (i = 0; i < 17; i++)
		pos[i] = column_pos(rsinfo.setDesc, names[i]);

	drift->rows = palloc(sizeof(SdDriftRow) * capacity);
	slot = MakeSingleTupleTableSlot(rsinfo.setDesc, &TTSOpsMinimalTuple);
	while (tuplestore_gettupleslot(rsinfo.setResult, true, false, slot))
	{
		SdDriftRow *row;

		if (drift->nrows == capacity)
		{
			capacity *= 2;
			drift->rows = repalloc_huge(drift->rows, sizeof(SdDriftRow) * capacity);
		}
		row = &drift->rows[drift->nrows++];
		row->kind = slot_text(slot, pos[0]);
		row->identity = slot_text(slot, pos[1]);
		row->change = slot_text(slot, pos[2]);
		row->attribute = slot_text(slot, pos[3]);
		row->source_value = slot_text(slot, pos[4]);
		row->target_value = slot_text(slot, pos[5]);
		row->note = slot_text(slot, pos[6]);
		row->fix_sql = slot_text(slot, pos[7]);
		row->accepted = false;
		row->acceptance = NULL;
		row->last_ddl = row_attribution(slot, &pos[8]);
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_end(rsinfo.setResult);
	FreeExprContext(rsinfo.econtext, true);

	/* accepted drift is keyed by the sides' names */
	sd_accept_mark(drift,
				   target->type == TEXTOID && !target->isnull ?
				   TextDatumGetCString(target->value) : NULL,
				   source->type == TEXTOID && !source->isnull ?
				   TextDatumGetCString(source->value) : NULL);

	for (i = 0; i < drift->nrows; i++)
	{
		SdDriftRow *row = &drift->rows[i];

		if (row->accepted)
		{
			drift->accepted++;
			continue;
		}
		drift->nfailing++;
		if (strcmp(row->change, "missing") == 0)
			drift->missing++;
		else if (strcmp(row->change, "extra") == 0)
			drift->extra++;
		else
		{
			/* an object's changed rows come one after the other */
			object = psprintf("%s\n%s", row->kind, row->identity);
			if (last == NULL || strcmp(last, object) != 0)
				drift->changed++;
			last = object;
		}
	}

	drift->target_label = side_label(target);
	drift->source_label = side_label(source);
	return drift;
}

/*
 * sd_drift_from_call
 *		The drift of a SQL-callable function declared like schemadrift_diff
 *		(attributed with explain).
 */
SdDrift *
sd_drift_from_call(FunctionCallInfo fcinfo, bool explain)
{
	SdDriftSide target;
	SdDriftSide source;
	int			optarg;

	sd_drift_args(fcinfo, &target, &source, &optarg);
	return sd_drift_read(get_func_namespace(fcinfo->flinfo->fn_oid),
						 &target, &source, PG_GETARG_DATUM(optarg),
						 PG_ARGISNULL(optarg), explain);
}

/*
 * sd_drift_objects_text
 *		"3 objects differ (1 missing, 1 extra, 1 changed)", and the
 *		accepted differences if any.
 */
const char *
sd_drift_objects_text(const SdDrift *drift)
{
	int64		n = drift->missing + drift->extra + drift->changed;

	const char *text = psprintf("%lld %s (%lld missing, %lld extra, %lld changed)",
								(long long) n, n == 1 ? "object differs" : "objects differ",
								(long long) drift->missing, (long long) drift->extra,
								(long long) drift->changed);

	if (drift->accepted == 0)
		return text;
	return psprintf("%s, and %s", text, sd_drift_accepted_text(drift));
}

/* "2 accepted differences" */
const char *
sd_drift_accepted_text(const SdDrift *drift)
{
	return psprintf("%lld accepted %s", (long long) drift->accepted,
					drift->accepted == 1 ? "difference" : "differences");
}

/*
 * sd_drift_cut
 *		A value cut to at most chars characters ("..." marks a cut); NULL
 *		is null_text.
 */
const char *
sd_drift_cut(const char *v, int chars, const char *null_text)
{
	int			len;

	if (v == NULL)
		return null_text;
	len = pg_mbcharcliplen(v, strlen(v), chars);
	if (v[len] == '\0')
		return v;
	return psprintf("%.*s...", len, v);
}

PG_FUNCTION_INFO_V1(schemadrift_assert_no_drift);

/*
 * schemadrift_assert_no_drift(target, source, options) -> boolean
 *
 * true when target matches source but for accepted drift (accept.c);
 * otherwise an ERROR (SQLSTATE SD001) counting the objects that differ, its
 * detail listing the first rows.
 */
Datum
schemadrift_assert_no_drift(PG_FUNCTION_ARGS)
{
	SdDrift    *drift = sd_drift_from_call(fcinfo, false);
	StringInfoData detail;
	int			shown = 0;
	int			i;

	if (drift->nfailing == 0)
	{
		if (drift->accepted > 0)
			ereport(NOTICE,
					(errmsg("no drift but %s", sd_drift_accepted_text(drift)),
					 errhint("schemadrift_report() lists them with their reasons.")));
		PG_RETURN_BOOL(true);
	}

	initStringInfo(&detail);
	for (i = 0; i < drift->nrows && shown < SD_ASSERT_DETAIL_ROWS; i++)
	{
		SdDriftRow *row = &drift->rows[i];

		if (row->accepted)
			continue;
		if (shown++ > 0)
			appendStringInfoChar(&detail, '\n');
		appendStringInfo(&detail, "%s %s %s", row->change, row->kind, row->identity);
		if (strcmp(row->change, "changed") == 0)
			appendStringInfo(&detail, ": %s %s -> %s", row->attribute,
							 sd_drift_cut(row->source_value, SD_ASSERT_VALUE_CHARS, "NULL"),
							 sd_drift_cut(row->target_value, SD_ASSERT_VALUE_CHARS, "NULL"));
		if (row->note != NULL)
			appendStringInfo(&detail, " (%s)", row->note);
		if (row->acceptance != NULL)
			appendStringInfo(&detail, " (%s)", row->acceptance);
	}
	if (drift->nfailing > SD_ASSERT_DETAIL_ROWS)
		appendStringInfo(&detail, "\nand %d more", drift->nfailing - SD_ASSERT_DETAIL_ROWS);

	ereport(ERROR,
			(errcode(ERRCODE_SD_SCHEMA_DRIFT),
			 errmsg("schema drift: target %s does not match source %s: %s",
					drift->target_label, drift->source_label,
					sd_drift_objects_text(drift)),
			 errdetail_internal("%s", detail.data),
			 errhint("Run schemadrift_diff() with the same arguments for every row, or schemadrift_report() for a report.")));
	PG_RETURN_BOOL(false);		/* keep compiler quiet */
}
