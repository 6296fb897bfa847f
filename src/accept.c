/*-------------------------------------------------------------------------
 *
 * accept.c
 *	  Accepted drift: known differences the gates let pass until they
 *	  expire.
 *
 * schemadrift_accepted_drift holds, in the database that runs the check,
 * one row per accepted difference: the other side it applies to (a server
 * or a baseline, by its spelling; NULL for any side, and the only kind that
 * applies to a snapshot), the object's kind (NULL: any), the change
 * (missing, extra, changed; NULL: any), an identity LIKE pattern, the reason,
 * who accepted it, when, and until when.  The rows of a diff read back for
 * the gate and the reports (drift.c) are matched against them: a row an
 * acceptance covers no longer counts as drift (reports list it as
 * accepted, with the reason); a row only an expired acceptance covers
 * counts again, and says so.  schemadrift_diff() itself is unchanged.
 *
 * The table is readable by everyone (a gate run by any role must see the
 * same acceptances) and written by the extension's owner and superusers.
 *
 * IDENTIFICATION
 *	  src/accept.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "workflow.h"

typedef struct Acceptance
{
	char	   *id;
	char	   *kind;			/* NULL: any */
	char	   *change;			/* NULL: any */
	Datum		pattern;		/* text */
	char	   *note;			/* what a row it covers says */
	bool		expired;
} Acceptance;

static bool
covers(Acceptance *a, SdDriftRow *row)
{
	if (a->kind != NULL && strcmp(a->kind, row->kind) != 0)
		return false;
	if (a->change != NULL && strcmp(a->change, row->change) != 0)
		return false;
	return DatumGetBool(DirectFunctionCall2Coll(textlike, C_COLLATION_OID,
												CStringGetTextDatum(row->identity),
												a->pattern));
}

/*
 * sd_accept_mark
 *		Mark the drift's rows that an acceptance for target_name or
 *		source_name (the sides' text names, NULL for this database or a
 *		snapshot) covers.
 */
void
sd_accept_mark(SdDrift *drift, const char *target_name, const char *source_name)
{
	MemoryContext callercxt = CurrentMemoryContext;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	Acceptance *acc;
	uint64		n;
	uint64		i;
	int			r;
	int			rc;

	if (drift->nrows == 0)
		return;
	if (target_name != NULL)
		args[0] = CStringGetTextDatum(target_name);
	else
		nulls[0] = 'n';
	if (source_name != NULL)
		args[1] = CStringGetTextDatum(source_name);
	else
		nulls[1] = 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(psprintf("SELECT id::pg_catalog.text, kind, change, identity_pattern,"
										" pg_catalog.format('accepted (#%%s by %%s%%s): %%s', id, accepted_by,"
										"  ', until ' OPERATOR(pg_catalog.||) expires_at, reason),"
										" pg_catalog.format('acceptance #%%s expired at %%s: %%s', id, expires_at, reason),"
										" expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()"
										" FROM %s.schemadrift_accepted_drift"
										" WHERE side IS NULL OR side OPERATOR(pg_catalog.=) $1"
										" OR side OPERATOR(pg_catalog.=) $2 ORDER BY id",
										sd_workflow_schema()),
							   2, argtypes, args, nulls, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));

	n = SPI_processed;
	acc = MemoryContextAllocZero(callercxt, sizeof(Acceptance) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext spicxt = MemoryContextSwitchTo(callercxt);
		bool		isnull;
		Datum		expired = SPI_getbinval(tup, desc, 7, &isnull);

		acc[i].id = SPI_getvalue(tup, desc, 1);
		acc[i].kind = SPI_getvalue(tup, desc, 2);
		acc[i].change = SPI_getvalue(tup, desc, 3);
		acc[i].pattern = CStringGetTextDatum(SPI_getvalue(tup, desc, 4));
		acc[i].expired = !isnull && DatumGetBool(expired);
		acc[i].note = SPI_getvalue(tup, desc, acc[i].expired ? 6 : 5);
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();

	for (r = 0; r < drift->nrows; r++)
	{
		SdDriftRow *row = &drift->rows[r];

		for (i = 0; i < n && !row->accepted; i++)
		{
			if (!covers(&acc[i], row))
				continue;
			/* an active acceptance wins over an expired one */
			if (!acc[i].expired || row->acceptance == NULL)
				row->acceptance = acc[i].note;
			row->accepted = !acc[i].expired;
		}
	}
}
