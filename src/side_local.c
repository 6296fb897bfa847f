/*-------------------------------------------------------------------------
 *
 * side_local.c
 *	  This database as a side: a consistent read of its catalogs.
 *
 * sd_side_local_read() runs catalog.c's query (through extract.c, which may
 * split it between parallel workers; rows become objects in rows.c) and
 * returns the sorted set.  It guards against concurrent DDL: the query
 * reads catalog rows through one MVCC snapshot, but core's deparse functions
 * read the latest committed state through the caches, so a DDL committed
 * while the query runs could mix two states into one result (or raise
 * "cache lookup failed").  A catalog state check before and after tells;
 * the extraction is then retried, and after a few tries fails with a clean,
 * retryable error (SQLSTATE 40001).  side_remote.c does the same on a
 * remote server.
 *
 * IDENTIFICATION
 *	  src/side_local.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "catalog.h"
#include "compat.h"
#include "extract.h"
#include "side.h"
#include "util.h"

/*
 * run_state_query
 *		Run the catalog state query under snapshot snap; returns a palloc'd
 *		string in the current memory context.  Must be called connected to
 *		SPI.
 */
static char *
run_state_query(Snapshot snap)
{
	SPIPlanPtr	plan;
	int			rc;
	bool		isnull;
	Datum		d;
	char	   *result;

	plan = SPI_prepare(sd_catalog_state_sql(PG_VERSION_NUM), 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the catalog state query: %s",
			 SPI_result_code_string(SPI_result));
	rc = SPI_execute_snapshot(plan, NULL, NULL, snap, InvalidSnapshot, true, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "catalog state query failed: %s", SPI_result_code_string(rc));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	result = TextDatumGetCString(d);
	SPI_freetuptable(SPI_tuptable);
	SPI_freeplan(plan);
	return result;
}

static int
cmp_xid(const void *a, const void *b)
{
	TransactionId xa = *(const TransactionId *) a;
	TransactionId xb = *(const TransactionId *) b;

	return xa < xb ? -1 : (xa > xb ? 1 : 0);
}

/*
 * snapshots_equal
 *		Whether no transaction ended between snapshots a and b (taken in
 *		that order): same horizon, same transactions in progress.  Then no
 *		DDL can have committed in between.
 */
static bool
snapshots_equal(Snapshot a, Snapshot b)
{
	TransactionId *xa;
	TransactionId *xb;
	bool		equal;

	/* during recovery the running xids are in subxip: do not trust this */
	if (a->takenDuringRecovery || b->takenDuringRecovery)
		return false;
	if (a->xmin != b->xmin || a->xmax != b->xmax || a->xcnt != b->xcnt ||
		a->subxcnt != b->subxcnt || a->suboverflowed != b->suboverflowed ||
		a->curcid != b->curcid)
		return false;
	if (a->xcnt == 0)
		return true;
	xa = palloc(sizeof(TransactionId) * a->xcnt);
	xb = palloc(sizeof(TransactionId) * b->xcnt);
	memcpy(xa, a->xip, sizeof(TransactionId) * a->xcnt);
	memcpy(xb, b->xip, sizeof(TransactionId) * b->xcnt);
	qsort(xa, a->xcnt, sizeof(TransactionId), cmp_xid);
	qsort(xb, b->xcnt, sizeof(TransactionId), cmp_xid);
	equal = memcmp(xa, xb, sizeof(TransactionId) * a->xcnt) == 0;
	pfree(xa);
	pfree(xb);
	return equal;
}

/*
 * sd_side_local_unchanged
 *		Whether the catalogs core's deparse functions read are the same under
 *		the registered snapshot before as now (for this side's read, and for
 *		schemadrift_unit_objects' read done for another side).
 *
 * Cheap when nothing ended in between (the snapshots are equal); otherwise
 * the catalog state is computed under both snapshots and compared: a
 * transaction that committed only DML does not count.  Must be called
 * connected to SPI.
 */
bool
sd_side_local_unchanged(Snapshot before)
{
	Snapshot	now = RegisterSnapshot(GetLatestSnapshot());
	bool		unchanged;

	unchanged = snapshots_equal(before, now) ||
		strcmp(run_state_query(before), run_state_query(now)) == 0;
	UnregisterSnapshot(now);
	return unchanged;
}

/*
 * extract_once
 *		One extraction attempt under snapshot snap.  Fills set->objects
 *		(allocated in resultcxt) and returns whether no DDL committed while
 *		it ran.  Must be called inside a subtransaction: errors propagate.
 */
static bool
extract_once(SdObjectSet *set, bool with_attrs, Snapshot snap,
			 MemoryContext resultcxt)
{
	bool		unchanged;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	sd_extract_run(set, with_attrs, snap, resultcxt);
	unchanged = sd_side_local_unchanged(snap);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	return unchanged;
}

/*
 * changed_since
 *		After a failed attempt: whether DDL committed since snap was taken
 *		(which would explain the failure).
 */
static bool
changed_since(Snapshot snap)
{
	bool		unchanged;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	unchanged = sd_side_local_unchanged(snap);
	SPI_finish();
	return !unchanged;
}

/*
 * sd_side_local_read
 *		Read every canonical object of this database under options.
 *
 * Returns a sorted set allocated in the caller's memory context; objects
 * carry their attrs only if with_attrs (the fingerprint needs hashes only).
 * Each attempt reads under a fresh snapshot of the latest committed state
 * (what the deparse functions see too).  Fails with SQLSTATE 40001 if
 * concurrent DDL kept changing the catalogs through SD_EXTRACT_ATTEMPTS
 * tries; errors that concurrent DDL does not explain are raised as they
 * are.
 */
SdObjectSet *
sd_side_local_read(SdOptions *options, bool with_attrs)
{
	MemoryContext callercxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	SdObjectSet *set = palloc0(sizeof(SdObjectSet));
	int			nestlevel;
	int			attempt;

	set->options = options;
	set->server_version_num = PG_VERSION_NUM;
	set->model_version = SD_MODEL_VERSION;
	set->server_version = pstrdup(GetConfigOption("server_version", false, false));

	nestlevel = sd_util_pin_gucs();

	for (attempt = 1;; attempt++)
	{
		bool		consistent = false;
		MemoryContext attemptcxt;
		Snapshot	snap;

		attemptcxt = AllocSetContextCreate(callercxt, "schemadrift extraction",
										   ALLOCSET_DEFAULT_SIZES);
		/* everything committed so far, and our own transaction's DDL */
		snap = RegisterSnapshot(GetLatestSnapshot());

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(callercxt);
		PG_TRY();
		{
			consistent = extract_once(set, with_attrs, snap, attemptcxt);
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
				!changed_since(snap))
			{
				UnregisterSnapshot(snap);
				ReThrowError(edata);
			}
			FreeErrorData(edata);
			consistent = false;
		}
		PG_END_TRY();

		UnregisterSnapshot(snap);
		if (consistent)
			break;				/* attemptcxt lives on under callercxt */

		MemoryContextDelete(attemptcxt);
		set->objects = NULL;
		set->nobjects = 0;

		if (attempt >= SD_EXTRACT_ATTEMPTS)
			sd_side_inconsistent(NULL);
		CHECK_FOR_INTERRUPTS();
	}

	sd_util_unpin_gucs(nestlevel);
	sd_objects_sort(set);
	return set;
}