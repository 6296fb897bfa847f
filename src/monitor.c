/*-------------------------------------------------------------------------
 *
 * monitor.c
 *	  A drift check meant for a scheduler (pg_cron): each run recorded, a
 *	  NOTIFY when the result changes.
 *
 * schemadrift_monitor(source, target, options) diffs target (this database
 * by default, or a server) against source (a baseline, a server), with
 * accepted drift honoured as by the gate (accept.c), and records the run in
 * schemadrift_monitor_runs: when, the sides, whether it drifted, the
 * counts, and a hash of the differences.  When that hash is not the one of
 * the previous run of the same sides (or there was none), the run is marked
 * changed and "NOTIFY schemadrift_drift" tells listeners, with the sides
 * and counts as a JSON payload.  Errors are raised, not recorded: the
 * scheduler keeps them (pg_cron's cron.job_run_details).
 *
 * IDENTIFICATION
 *	  src/monitor.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "util.h"
#include "workflow.h"

#define SD_MONITOR_CHANNEL	"schemadrift_drift"

/* sha256 of the differences that count (not accepted), in the diff's order */
static void
drift_hash(const SdDrift *drift, char *out)
{
	pg_cryptohash_ctx *ctx = sd_util_sha256_begin();
	int			i;

	for (i = 0; i < drift->nrows; i++)
	{
		const SdDriftRow *row = &drift->rows[i];
		char	   *line;

		if (row->accepted)
			continue;
		line = psprintf("%s\n%s\n%s\n%s\n", row->change, row->kind, row->identity,
						row->attribute ? row->attribute : "");
		sd_util_sha256_add(ctx, line, strlen(line));
	}
	sd_util_sha256_end(ctx, out);
}

PG_FUNCTION_INFO_V1(schemadrift_monitor);

/*
 * schemadrift_monitor(source text, target text, options jsonb) -> boolean
 *
 * true when target matches source (but for accepted drift).
 */
Datum
schemadrift_monitor(PG_FUNCTION_ARGS)
{
	char	   *source_name = sd_workflow_text_arg(fcinfo, 0, "source");
	SdDriftSide source = {TEXTOID, PG_GETARG_DATUM(0), false};
	SdDriftSide target = {TEXTOID, PG_GETARG_DATUM(1), PG_ARGISNULL(1)};
	SdDrift    *drift;
	char		hash[SD_SHA256_HEX_LEN + 1];
	char	   *by_kind;
	Oid			argtypes[9] = {TEXTOID, TEXTOID, BOOLOID, INT8OID, INT8OID, INT8OID,
	INT8OID, JSONBOID, TEXTOID};
	Datum		args[9];
	char		nulls[9] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	char	   *schema;
	bool		changed;
	int			rc;

	drift = sd_drift_read(get_func_namespace(fcinfo->flinfo->fn_oid),
						  &target, &source, PG_GETARG_DATUM(2), PG_ARGISNULL(2),
						  false);
	drift_hash(drift, hash);
	by_kind = sd_drift_by_kind_json(drift);

	args[0] = CStringGetTextDatum(source_name);
	if (target.isnull)
		nulls[1] = 'n';
	else
		args[1] = target.value;
	args[2] = BoolGetDatum(drift->nfailing > 0);
	args[3] = Int64GetDatum(drift->missing);
	args[4] = Int64GetDatum(drift->extra);
	args[5] = Int64GetDatum(drift->changed);
	args[6] = Int64GetDatum(drift->accepted);
	args[7] = JsonbPGetDatum(sd_jsonb_from_cstring(by_kind));
	args[8] = CStringGetTextDatum(hash);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = sd_workflow_schema();
	rc = SPI_execute_with_args(psprintf("SELECT drift_hash FROM %s.schemadrift_monitor_runs"
										" WHERE source OPERATOR(pg_catalog.=) $1"
										" AND target IS NOT DISTINCT FROM $2"
										" ORDER BY id DESC LIMIT 1", schema),
							   2, argtypes, args, nulls, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	changed = SPI_processed == 0 ||
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), hash) != 0;

	rc = SPI_execute_with_args(psprintf("INSERT INTO %s.schemadrift_monitor_runs"
										" (source, target, drift, missing, extra, changed, accepted,"
										" by_kind, drift_hash, changed_since_last)"
										" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, %s)",
										schema, changed ? "true" : "false"),
							   9, argtypes, args, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	SPI_finish();

	if (changed)
	{
		StringInfoData payload;

		initStringInfo(&payload);
		appendStringInfoString(&payload, "{\"source\": ");
		escape_json(&payload, source_name);
		appendStringInfoString(&payload, ", \"target\": ");
		if (target.isnull)
			appendStringInfoString(&payload, "null");
		else
			escape_json(&payload, TextDatumGetCString(target.value));
		appendStringInfo(&payload, ", \"drift\": %s, \"missing\": %lld, \"extra\": %lld, \"changed\": %lld, \"accepted\": %lld}",
						 drift->nfailing > 0 ? "true" : "false",
						 (long long) drift->missing, (long long) drift->extra,
						 (long long) drift->changed, (long long) drift->accepted);
		Async_Notify(SD_MONITOR_CHANNEL, payload.data);
	}
	PG_RETURN_BOOL(drift->nfailing == 0);
}
