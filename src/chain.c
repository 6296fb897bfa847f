/*-------------------------------------------------------------------------
 *
 * chain.c
 *	  The DDL audit log after capture: hash chain, verification, retention,
 *	  and the log's table triggers (append-only, restore).
 *
 * Rows are inserted unsealed (chain_hash NULL) and sealed later, in
 * id order, by schemadrift_ddl_log_seal() (also run by verify and purge):
 * the DDL path takes no lock beyond its own row.  Ids are not handed out in
 * commit order, so sealing goes by high-water marks: a mark is the last id
 * handed out so far plus the transactions running at that moment, and the
 * rows up to a mark are sealed only once every one of those transactions has
 * finished.  That is sound because capture assigns the transaction's xid
 * before it draws an id: a row with an id up to the mark belongs to a
 * transaction that was either finished or running when the mark was taken.
 * chain_hash = sha256(previous chain_hash || canonical text of the row).
 *
 * Retention.  schemadrift_ddl_log_purge() deletes a sealed prefix of rows
 * older than an age, moves the chain's base past it and records itself.
 *
 * Retention.  schemadrift_ddl_log_purge() deletes a sealed prefix of rows
 * older than an age, moves the chain's base past it and records itself
 * through capture's writer (audit.c).
 *
 * IDENTIFICATION
 *	  src/chain.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/xid8.h"

#include "compat.h"
#include "audit.h"
#include "chain.h"
#include "util.h"

PG_FUNCTION_INFO_V1(schemadrift_ddl_log_protect);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_load);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_seal);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_verify);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_purge);

/* the chain's starting point, before any row was sealed or purged */
#define GENESIS_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/*
 * The canonical text of a row that its chain_hash covers: every column but
 * chain_hash, as a jsonb array (whose text form is canonical; timestamps
 * print in UTC under sd_util_pin_gucs()).
 */
#define CANONICAL_ROW \
	"pg_catalog.jsonb_build_array(id, occurred_at, transaction_id, " \
	"backend_pid, session_user_name, current_user_name, client_addr, " \
	"client_port, application_name, database_name, event, command_tag, " \
	"object_type, schema_name, object_identity, creating_extension, " \
	"is_drop, statement, change_reason, detail)::pg_catalog.text"

/* state of the hash chain (one row of schemadrift_ddl_log_chain) */
typedef struct ChainState
{
	int64		base_id;
	char	   *base_hash;
	int64		sealed_through;
	char	   *head_hash;
	bool		has_mark;
	int64		mark_id;
	Datum		mark_xids;		/* xid8[] */
	char	   *mark_origin;
} ChainState;

/* the result of a verification */
typedef struct VerifyResult
{
	bool		ok;
	int64		sealed_rows;
	int64		pending_rows;
	int64		broken_id;
	char	   *problem;
} VerifyResult;

/* seal, purge or load is rewriting rows: the protect trigger stands aside */
static bool in_maintenance = false;

/*
 * chain_origin
 *		Which cluster and database a mark's transaction ids belong to; a
 *		mark restored from a dump of another database is discarded.
 *		Returns a palloc'd string.
 */
static char *
chain_origin(void)
{
	return psprintf(UINT64_FORMAT "/%u", GetSystemIdentifier(), MyDatabaseId);
}

/*
 * spi_text
 *		Column col of row 0 of the last SPI result as a palloc'd string, or
 *		NULL.
 */
static char *
spi_text(int col)
{
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);
}

/*
 * spi_int64
 *		Column col of row 0 of the last SPI result as int64; *isnull is set.
 */
static int64
spi_int64(int col, bool *isnull)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  col, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

/*
 * lock_chain_state
 *		Lock the chain state row FOR UPDATE (creating it on first use) and
 *		read it into *st.  Only seal and purge take this lock; DDL never does.
 *		The caller is connected to SPI as the owner.
 */
static void
lock_chain_state(AuditTarget *t, ChainState *st)
{
	char	   *select;
	bool		isnull;
	int			rc;

	select = psprintf("SELECT base_id, base_hash, sealed_through, head_hash, "
					  "mark_id, mark_xids, mark_origin FROM %s FOR UPDATE",
					  t->chain_qual);
	rc = SPI_execute(select, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
	{
		char	   *insert;

		insert = psprintf("INSERT INTO %s (base_hash, head_hash) VALUES "
						  "('%s', '%s') ON CONFLICT DO NOTHING",
						  t->chain_qual, GENESIS_HASH, GENESIS_HASH);
		rc = SPI_execute(insert, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
		rc = SPI_execute(select, false, 0);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not lock the DDL log chain state");
	}

	st->base_id = spi_int64(1, &isnull);
	st->base_hash = spi_text(2);
	st->sealed_through = spi_int64(3, &isnull);
	st->head_hash = spi_text(4);
	st->mark_id = spi_int64(5, &st->has_mark);
	st->has_mark = !st->has_mark;
	st->mark_xids = SPI_getbinval(SPI_tuptable->vals[0],
								  SPI_tuptable->tupdesc, 6, &isnull);
	if (isnull)
		st->has_mark = false;
	else
		st->mark_xids = SPI_datumTransfer(st->mark_xids, false, -1);
	st->mark_origin = spi_text(7);
}

/*
 * read_chain_state
 *		Read the chain state without locking; the genesis state if there is
 *		no state row yet.
 */
static void
read_chain_state(AuditTarget *t, ChainState *st)
{
	bool		isnull;
	int			rc;

	memset(st, 0, sizeof(*st));
	st->base_hash = GENESIS_HASH;
	st->head_hash = GENESIS_HASH;
	rc = SPI_execute(psprintf("SELECT base_id, base_hash, sealed_through, "
							  "head_hash FROM %s", t->chain_qual),
					 false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return;
	st->base_id = spi_int64(1, &isnull);
	st->base_hash = spi_text(2);
	st->sealed_through = spi_int64(3, &isnull);
	st->head_hash = spi_text(4);
}

/*
 * mark_finished
 *		Whether every transaction of the mark has finished.
 */
static bool
mark_finished(ChainState *st)
{
	Oid			argtypes[1] = {XID8ARRAYOID};
	Datum		values[1];
	bool		isnull;
	int			rc;

	values[0] = st->mark_xids;
	rc = SPI_execute_with_args("SELECT NOT EXISTS (SELECT FROM "
							   "pg_catalog.unnest($1) x WHERE "
							   "pg_catalog.pg_xact_status(x) "
							   "OPERATOR(pg_catalog.=) 'in progress')",
							   1, argtypes, values, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "SPI_execute_with_args failed: %s",
			 SPI_result_code_string(rc));
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * take_mark
 *		Take a new high-water mark: first the last id handed out, then the
 *		transactions running now.  A row with an id up to the mark belongs to
 *		a transaction that had its xid before the id, hence before this
 *		snapshot: finished, or in the list.  Returns false if no id was
 *		handed out since the last seal.
 */
static bool
take_mark(AuditTarget *t, ChainState *st)
{
	char	   *sql;
	bool		isnull;
	int64		last;
	Snapshot	snap;
	FullTransactionId next;
	Datum	   *xids;
	int			i;
	int			rc;

	sql = psprintf("SELECT pg_catalog.pg_sequence_last_value(%s::pg_catalog.regclass)",
				   quote_literal_cstr(t->seq_qual));
	rc = SPI_execute(sql, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	last = spi_int64(1, &isnull);
	if (isnull || last <= st->sealed_through)
		return false;

	/* after reading the id: the running transactions, widened to xid8 */
	snap = GetLatestSnapshot();
	next = ReadNextFullTransactionId();
	xids = palloc(sizeof(Datum) * Max(snap->xcnt, 1));
	for (i = 0; i < snap->xcnt; i++)
	{
		TransactionId xid = snap->xip[i];
		uint32		epoch = EpochFromFullTransactionId(next);

		if (xid > XidFromFullTransactionId(next))
			epoch--;
		xids[i] = FullTransactionIdGetDatum(FullTransactionIdFromEpochAndXid(epoch, xid));
	}

	st->has_mark = true;
	st->mark_id = last;
	st->mark_xids = PointerGetDatum(construct_array(xids, snap->xcnt, XID8OID,
													sizeof(uint64),
													FLOAT8PASSBYVAL,
													TYPALIGN_DOUBLE));
	st->mark_origin = chain_origin();
	return true;
}

/*
 * chain_link
 *		The hash a row carries: sha256 of the previous link's hash followed
 *		by the row's canonical text, as 64 hex digits into out.  Sealing
 *		writes it, verifying recomputes it: one definition for both.
 */
static void
chain_link(const char *prev, const char *canon, char *out)
{
	pg_cryptohash_ctx *ctx = sd_util_sha256_begin();

	sd_util_sha256_add(ctx, prev, strlen(prev));
	sd_util_sha256_add(ctx, canon, strlen(canon));
	sd_util_sha256_end(ctx, out);
}

/*
 * for_each_row
 *		Run query (a SELECT of the log in id order) through a cursor, 1000
 *		rows at a time, and call row() on each row until there are none left
 *		or row() returns false.  row() runs in a memory context reset after
 *		each row (a log of a million rows is not held at once); it may run
 *		SPI commands of its own: the batch is its own tuple table.
 *		Connected to SPI.
 */
typedef bool (*RowFn) (HeapTuple tuple, TupleDesc desc, void *arg);

static void
for_each_row(const char *query, int nargs, Oid *argtypes, Datum *values,
			 RowFn row, void *arg)
{
	Portal		portal = SPI_cursor_open_with_args(NULL, query, nargs, argtypes, values,
												   NULL, false, 0);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift log row",
												 ALLOCSET_SMALL_SIZES);
	bool		more = true;

	while (more)
	{
		SPITupleTable *batch;
		uint64		n;
		uint64		i;

		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		batch = SPI_tuptable;
		n = SPI_processed;
		for (i = 0; i < n && more; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(rowcxt);

			more = row(batch->vals[i], batch->tupdesc, arg);
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
		}
		SPI_freetuptable(batch);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(rowcxt);
}

/* seal_range's walk: the link before the row, and the row's UPDATE */
typedef struct SealWalk
{
	MemoryContext cxt;			/* where prev lives */
	char	   *prev;
	SPIPlanPtr	update;
	int64		count;
} SealWalk;

static bool
seal_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	SealWalk   *w = (SealWalk *) arg;
	bool		isnull;
	char		hash[SD_SHA256_HEX_LEN + 1];
	Datum		uvalues[2];
	int			rc;

	chain_link(w->prev, SPI_getvalue(tuple, desc, 2), hash);
	uvalues[0] = SPI_getbinval(tuple, desc, 1, &isnull);
	uvalues[1] = CStringGetTextDatum(hash);
	rc = SPI_execute_plan(w->update, uvalues, NULL, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	pfree(w->prev);
	w->prev = MemoryContextStrdup(w->cxt, hash);
	w->count++;
	return true;
}

/*
 * seal_range
 *		Chain the rows with ids in (st->sealed_through, upto], in id order,
 *		and move the head.  Returns the number of rows sealed.
 */
static int64
seal_range(AuditTarget *t, ChainState *st, int64 upto)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2];
	SealWalk	w;

	w.cxt = CurrentMemoryContext;
	w.prev = pstrdup(st->head_hash);
	w.count = 0;
	w.update = SPI_prepare(psprintf("UPDATE %s SET chain_hash = $2 WHERE id "
									"OPERATOR(pg_catalog.=) $1", t->log_qual),
						   2, (Oid[]) {INT8OID, TEXTOID});
	if (w.update == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));

	values[0] = Int64GetDatum(st->sealed_through);
	values[1] = Int64GetDatum(upto);
	for_each_row(psprintf("SELECT id, " CANONICAL_ROW
						  " FROM %s WHERE id OPERATOR(pg_catalog.>) $1 "
						  "AND id OPERATOR(pg_catalog.<=) $2 ORDER BY id",
						  t->log_qual),
				 2, argtypes, values, seal_row, &w);
	SPI_freeplan(w.update);

	st->sealed_through = upto;
	st->head_hash = w.prev;
	return w.count;
}

/*
 * save_chain_state
 *		Write *st back to the (locked) state row.
 */
static void
save_chain_state(AuditTarget *t, ChainState *st)
{
	Oid			argtypes[7] = {INT8OID, TEXTOID, INT8OID, TEXTOID, INT8OID,
	XID8ARRAYOID, TEXTOID};
	Datum		values[7];
	char		nulls[7] = "       ";
	int			rc;

	values[0] = Int64GetDatum(st->base_id);
	values[1] = CStringGetTextDatum(st->base_hash);
	values[2] = Int64GetDatum(st->sealed_through);
	values[3] = CStringGetTextDatum(st->head_hash);
	if (st->has_mark)
	{
		values[4] = Int64GetDatum(st->mark_id);
		values[5] = st->mark_xids;
		values[6] = CStringGetTextDatum(st->mark_origin);
	}
	else
		nulls[4] = nulls[5] = nulls[6] = 'n';

	rc = SPI_execute_with_args(psprintf("UPDATE %s SET base_id = $1, base_hash = $2, "
										"sealed_through = $3, head_hash = $4, mark_id = $5, "
										"mark_xids = $6, mark_origin = $7, "
										"sealed_at = pg_catalog.now()",
										t->chain_qual),
							   7, argtypes, values, nulls, false, 0);
	if (rc != SPI_OK_UPDATE || SPI_processed != 1)
		elog(ERROR, "could not update the DDL log chain state");
}

/*
 * seal_chain
 *		Seal what can be sealed: the rows up to the pending mark if all its
 *		transactions have finished, then take a new mark and, if it has no
 *		running transactions left, seal up to it too.  Leaves the state row
 *		locked and in *st.  Runs as the owner, connected to SPI, with
 *		in_maintenance set.  In REPEATABLE READ or SERIALIZABLE nothing is
 *		sealed (the transaction snapshot could miss rows that have since
 *		committed).  Returns the number of rows sealed.
 */
static int64
seal_chain(AuditTarget *t, ChainState *st)
{
	char	   *origin = chain_origin();
	int64		sealed = 0;
	bool		moved = false;
	int			pass;

	lock_chain_state(t, st);
	if (IsolationUsesXactSnapshot())
		return 0;

	/* a mark restored from another database means nothing here */
	if (st->has_mark &&
		(st->mark_origin == NULL || strcmp(st->mark_origin, origin) != 0))
	{
		st->has_mark = false;
		moved = true;
	}

	for (pass = 0; pass < 2; pass++)
	{
		if (st->has_mark)
		{
			if (!mark_finished(st))
				break;
			if (st->mark_id > st->sealed_through)
				sealed += seal_range(t, st, st->mark_id);
			st->has_mark = false;
			moved = true;
		}
		if (!take_mark(t, st))
			break;
		moved = true;
	}

	if (moved)
		save_chain_state(t, st);
	if (sealed > 0)
		ereport(LOG,
				(errmsg("schemadrift DDL log sealed through id " INT64_FORMAT ", chain head %s",
						st->sealed_through, st->head_hash),
				 errhidestmt(true)));
	return sealed;
}

/* verify_chain's walk: the link before the row, and the last sealed row */
typedef struct VerifyWalk
{
	MemoryContext cxt;			/* where prev and res's problem live */
	ChainState *st;
	VerifyResult *res;
	char	   *prev;
	int64		last_sealed;
} VerifyWalk;

/* check one row; false (and res filled) at the first broken one */
static bool
verify_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	VerifyWalk *w = (VerifyWalk *) arg;
	VerifyResult *res = w->res;
	bool		isnull;
	int64		id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
	char	   *stored = SPI_getvalue(tuple, desc, 2);

	if (id > w->st->sealed_through)
	{
		if (stored != NULL)
		{
			res->ok = false;
			res->broken_id = id;
			res->problem = MemoryContextStrdup(w->cxt, "the row carries a hash but lies beyond the sealed range: the hash was forged");
		}
		else
			res->pending_rows++;
	}
	else if (stored == NULL)
	{
		res->ok = false;
		res->broken_id = id;
		res->problem = MemoryContextStrdup(w->cxt, "the row lies in the sealed range but has no hash: it was inserted after sealing");
	}
	else
	{
		char		hash[SD_SHA256_HEX_LEN + 1];

		chain_link(w->prev, SPI_getvalue(tuple, desc, 3), hash);
		if (strcmp(hash, stored) != 0)
		{
			res->ok = false;
			res->broken_id = id;
			res->problem = MemoryContextStrdup(w->cxt, "the row does not match the hash chain: it was changed, or a sealed row before it was deleted or changed");
		}
		else
		{
			pfree(w->prev);
			w->prev = MemoryContextStrdup(w->cxt, stored);
			w->last_sealed = id;
			res->sealed_rows++;
		}
	}
	return res->ok;
}

/*
 * verify_chain
 *		Recompute the chain from its base and report the first broken link:
 *		a sealed row whose hash does not follow from the previous one and its
 *		own content (it was changed, or a row before it was deleted or
 *		changed), a row without a hash inside the sealed range (inserted
 *		afterwards), a hash beyond it, a row inside the purged range, or a
 *		head that does not match the state (the newest sealed rows were
 *		deleted).  Connected to SPI as the owner.
 */
static void
verify_chain(AuditTarget *t, ChainState *st, VerifyResult *res)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];
	VerifyWalk	w;
	int			rc;

	memset(res, 0, sizeof(*res));
	res->ok = true;

	values[0] = Int64GetDatum(st->base_id);
	rc = SPI_execute_with_args(psprintf("SELECT max(id) FROM %s WHERE id "
										"OPERATOR(pg_catalog.<=) $1",
										t->log_qual),
							   1, argtypes, values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	{
		bool		isnull;
		int64		id = spi_int64(1, &isnull);

		if (!isnull)
		{
			res->ok = false;
			res->broken_id = id;
			res->problem = pstrdup("the row lies in the purged range: it was inserted after a purge");
			return;
		}
	}

	w.cxt = CurrentMemoryContext;
	w.st = st;
	w.res = res;
	w.prev = pstrdup(st->base_hash);
	w.last_sealed = st->base_id;
	for_each_row(psprintf("SELECT id, chain_hash, " CANONICAL_ROW
						  " FROM %s WHERE id OPERATOR(pg_catalog.>) $1 ORDER BY id",
						  t->log_qual),
				 1, argtypes, values, verify_row, &w);

	if (res->ok && strcmp(w.prev, st->head_hash) != 0)
	{
		res->ok = false;
		res->broken_id = w.last_sealed;
		res->problem = pstrdup("the chain ends at this row but its recorded head differs: the newest sealed rows were deleted or changed");
	}
}

/* ------------------------------------------------------------------------
 * Working as the owner (seal, verify, purge)
 * ------------------------------------------------------------------------
 */

/* what begin_owner_work saved */
typedef struct OwnerWork
{
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;
} OwnerWork;

/*
 * begin_owner_work
 *		Pin the deparse settings (UTC timestamps for the canonical row text,
 *		search_path = pg_catalog), switch to the log's owner and connect to
 *		SPI.  On error the transaction abort restores all of it.
 */
static void
begin_owner_work(AuditTarget *t, OwnerWork *w)
{
	w->nestlevel = sd_util_pin_gucs();
	GetUserIdAndSecContext(&w->save_userid, &w->save_sec_context);
	SetUserIdAndSecContext(t->owner,
						   w->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/*
 * end_owner_work
 *		Undo begin_owner_work.
 */
static void
end_owner_work(OwnerWork *w)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	SetUserIdAndSecContext(w->save_userid, w->save_sec_context);
	sd_util_unpin_gucs(w->nestlevel);
}

/*
 * check_log_reader
 *		ERROR unless the current user may read the log.
 */
static void
check_log_reader(AuditTarget *t)
{
	if (pg_class_aclcheck(t->logrelid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", SD_LOG_TABLE),
				 errdetail("Sealing and verifying the DDL log require SELECT on it."),
				 errhint("The owner of extension schemadrift can GRANT SELECT ON %s.%s to this role.",
						 t->nspname, SD_LOG_TABLE)));
}

/* ------------------------------------------------------------------------
 * SQL-callable functions
 * ------------------------------------------------------------------------
 */

/*
 * schemadrift_ddl_log_protect
 *		Row trigger (UPDATE, DELETE) and statement trigger (TRUNCATE) on the
 *		log and its chain state: refuses the change unless schemadrift's own
 *		seal, purge or load code is making it.  ENABLE ALWAYS, so that
 *		session_replication_role = replica does not skip it.
 */
Datum
schemadrift_ddl_log_protect(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *op;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the trigger manager",
						"schemadrift_ddl_log_protect")));

	if (in_maintenance && !TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
			return PointerGetDatum(trigdata->tg_newtuple);
		return PointerGetDatum(trigdata->tg_trigtuple);
	}

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		op = "UPDATE";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		op = "DELETE";
	else
		op = "TRUNCATE";

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("%s of table \"%s\" is not allowed", op,
					RelationGetRelationName(trigdata->tg_relation)),
			 errdetail("The schemadrift DDL audit log is append-only."),
			 errhint("Old rows are removed with schemadrift_ddl_log_purge().")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * schemadrift_ddl_log_load
 *		Statement triggers BEFORE and AFTER INSERT on the log, which stand
 *		aside for schemadrift's own INSERTs.  Any other INSERT is a load of
 *		saved rows, in practice pg_restore's COPY: the rows this database
 *		captured before the load (the restore's own DDL, unsealed) are first
 *		moved out of the way (negative ids), then given ids after the loaded
 *		rows, with the id sequence moved past them.  So restored ids and
 *		hashes stay as they were and the restore's own rows follow them.
 */
Datum
schemadrift_ddl_log_load(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	char	   *nspname;
	char	   *log_qual;
	char	   *seq_lit;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the trigger manager",
						"schemadrift_ddl_log_load")));
	if (sd_audit_in_own_insert())
		return PointerGetDatum(NULL);

	rel = trigdata->tg_relation;
	nspname = get_namespace_name(RelationGetNamespace(rel));
	log_qual = quote_qualified_identifier(nspname, RelationGetRelationName(rel));
	seq_lit = quote_literal_cstr(quote_qualified_identifier(nspname, SD_LOG_SEQ));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	in_maintenance = true;
	PG_TRY();
	{
		int			rc;

		if (TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		{
			rc = SPI_execute(psprintf("UPDATE %s SET id = OPERATOR(pg_catalog.-) id "
									  "WHERE chain_hash IS NULL AND id OPERATOR(pg_catalog.>) 0",
									  log_qual), false, 0);
			if (rc != SPI_OK_UPDATE)
				elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
		}
		else
		{
			SPIPlanPtr	renumber;
			uint64		i;
			SPITupleTable *moved;

			rc = SPI_execute(psprintf("SELECT pg_catalog.setval(%s::pg_catalog.regclass, "
									  "GREATEST((SELECT max(id) FROM %s), "
									  "pg_catalog.pg_sequence_last_value(%s::pg_catalog.regclass), 1))",
									  seq_lit, log_qual, seq_lit), false, 0);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));

			rc = SPI_execute(psprintf("SELECT id FROM %s WHERE id OPERATOR(pg_catalog.<) 0 "
									  "ORDER BY id DESC", log_qual), false, 0);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
			moved = SPI_tuptable;
			renumber = SPI_prepare(psprintf("UPDATE %s SET id = pg_catalog.nextval(%s::pg_catalog.regclass) "
											"WHERE id OPERATOR(pg_catalog.=) $1",
											log_qual, seq_lit),
								   1, (Oid[]) {INT8OID});
			if (renumber == NULL)
				elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
			for (i = 0; i < moved->numvals; i++)
			{
				bool		isnull;
				Datum		id = SPI_getbinval(moved->vals[i], moved->tupdesc, 1, &isnull);

				rc = SPI_execute_plan(renumber, &id, NULL, false, 0);
				if (rc != SPI_OK_UPDATE)
					elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
			}
		}
	}
	PG_FINALLY();
	{
		in_maintenance = false;
	}
	PG_END_TRY();
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	return PointerGetDatum(NULL);
}

/*
 * schemadrift_ddl_log_seal
 *		Seal the rows of finished transactions into the chain; returns how
 *		many were sealed.  For anyone who may read the log.
 */
Datum
schemadrift_ddl_log_seal(PG_FUNCTION_ARGS)
{
	AuditTarget *t = sd_audit_target(fcinfo->flinfo->fn_oid);
	OwnerWork	w;
	ChainState	st;
	int64		sealed;

	check_log_reader(t);
	begin_owner_work(t, &w);
	in_maintenance = true;
	PG_TRY();
	{
		sealed = seal_chain(t, &st);
	}
	PG_FINALLY();
	{
		in_maintenance = false;
	}
	PG_END_TRY();
	end_owner_work(&w);
	PG_RETURN_INT64(sealed);
}

/*
 * schemadrift_ddl_log_verify
 *		Seal what can be sealed, then verify the chain: one row (ok,
 *		sealed_rows, pending_rows, first_broken_id, problem).
 */
Datum
schemadrift_ddl_log_verify(PG_FUNCTION_ARGS)
{
	AuditTarget *t = sd_audit_target(fcinfo->flinfo->fn_oid);
	OwnerWork	w;
	ChainState	st;
	VerifyResult res;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	check_log_reader(t);
	begin_owner_work(t, &w);
	in_maintenance = true;
	PG_TRY();
	{
		(void) seal_chain(t, &st);
	}
	PG_FINALLY();
	{
		in_maintenance = false;
	}
	PG_END_TRY();
	read_chain_state(t, &st);
	verify_chain(t, &st, &res);

	/* results outlive SPI_finish: copy them out first */
	values[0] = BoolGetDatum(res.ok);
	values[1] = Int64GetDatum(res.sealed_rows);
	values[2] = Int64GetDatum(res.pending_rows);
	values[3] = Int64GetDatum(res.broken_id);
	nulls[3] = res.ok;
	if (res.problem != NULL)
		values[4] = SPI_datumTransfer(CStringGetTextDatum(res.problem), false, -1);
	else
		nulls[4] = true;
	end_owner_work(&w);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * schemadrift_ddl_log_purge
 *		Delete the sealed rows older than older_than, as a prefix of the
 *		chain (the oldest id up to the first row that must stay), move the
 *		chain's base past them and record the purge in the log.  Only the
 *		owner of the log (or a member of its role, or a superuser) may purge.
 *		Returns the number of rows deleted.
 */
Datum
schemadrift_ddl_log_purge(PG_FUNCTION_ARGS)
{
	Datum		older_than = PG_GETARG_DATUM(0);
	AuditTarget *t = sd_audit_target(fcinfo->flinfo->fn_oid);
	OwnerWork	w;
	ChainState	st;
	AuditRow	row;
	LogWriter	lw;
	int64		deleted = 0;
	int64		cut;
	int64		first_id = 0;
	char	   *age;

	if (!superuser() && !is_member_of_role_nosuper(GetUserId(), t->owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to purge the DDL audit log"),
				 errdetail("Only the owner of table %s.%s may purge it.",
						   t->nspname, SD_LOG_TABLE)));

	age = DatumGetCString(DirectFunctionCall1(interval_out, older_than));
	sd_audit_fill_row(&row, "purge", "PURGE");

	begin_owner_work(t, &w);
	in_maintenance = true;
	PG_TRY();
	{
		Oid			argtypes[3] = {INT8OID, INT8OID, INTERVALOID};
		Datum		values[3];
		bool		isnull;
		int			rc;
		VerifyResult check;

		(void) seal_chain(t, &st);

		/* never delete the evidence of a broken chain */
		verify_chain(t, &st, &check);
		if (!check.ok)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("DDL audit log hash chain is broken"),
					 errdetail("At row " INT64_FORMAT ", %s.", check.broken_id, check.problem),
					 errhint("Investigate with schemadrift_ddl_log_verify() before purging; see \"Repairing the log\" in the schemadrift README.")));

		/* the first sealed row that is too young to go */
		values[0] = Int64GetDatum(st.base_id);
		values[1] = Int64GetDatum(st.sealed_through);
		values[2] = older_than;
		rc = SPI_execute_with_args(psprintf("SELECT min(id) FROM %s WHERE id OPERATOR(pg_catalog.>) $1 "
											"AND id OPERATOR(pg_catalog.<=) $2 AND occurred_at "
											"OPERATOR(pg_catalog.>=) (pg_catalog.now() OPERATOR(pg_catalog.-) $3)",
											t->log_qual),
								   3, argtypes, values, NULL, false, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
		cut = spi_int64(1, &isnull);
		cut = isnull ? st.sealed_through : cut - 1;

		if (cut > st.base_id)
		{
			/* the new base: the hash of the last row that goes */
			values[1] = Int64GetDatum(cut);
			rc = SPI_execute_with_args(psprintf("SELECT id, chain_hash FROM %s WHERE id OPERATOR(pg_catalog.>) $1 "
												"AND id OPERATOR(pg_catalog.<=) $2 ORDER BY id DESC LIMIT 1",
												t->log_qual),
									   2, argtypes, values, NULL, false, 1);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
			if (SPI_processed == 1)
			{
				char	   *hash = spi_text(2);

				if (hash != NULL)
					st.base_hash = hash;
			}

			rc = SPI_execute_with_args(psprintf("DELETE FROM %s WHERE id OPERATOR(pg_catalog.<=) $2 "
												"RETURNING id", t->log_qual),
									   2, argtypes, values, NULL, false, 0);
			if (rc != SPI_OK_DELETE_RETURNING)
				elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
			deleted = SPI_processed;
			if (deleted > 0)
			{
				uint64		i;

				first_id = cut;
				for (i = 0; i < SPI_processed; i++)
				{
					int64		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
																 SPI_tuptable->tupdesc, 1, &isnull));

					first_id = Min(first_id, id);
				}
			}
			st.base_id = cut;
			save_chain_state(t, &st);

			/* the object history of the rows that went (history.c) */
			if (OidIsValid(get_relname_relid("schemadrift_object_history", t->nspid)))
			{
				rc = SPI_execute_with_args(psprintf("DELETE FROM %s.schemadrift_object_history"
													" WHERE audit_id OPERATOR(pg_catalog.<=) $2",
													quote_identifier(t->nspname)),
										   2, argtypes, values, NULL, false, 0);
				if (rc != SPI_OK_DELETE)
					elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
			}
		}
	}
	PG_FINALLY();
	{
		in_maintenance = false;
	}
	PG_END_TRY();

	/* record the purge itself */
	sd_audit_set_text(&row, COL_OBJECT_TYPE, "table");
	sd_audit_set_text(&row, COL_SCHEMA_NAME, t->nspname);
	sd_audit_set_text(&row, COL_OBJECT_IDENTITY, quote_qualified_identifier(t->nspname, SD_LOG_TABLE));
	if (deleted > 0)
		sd_audit_set_text(&row, COL_DETAIL, psprintf("deleted " INT64_FORMAT " rows older than %s (ids " INT64_FORMAT " to " INT64_FORMAT ")",
											 deleted, age, first_id, cut));
	else
		sd_audit_set_text(&row, COL_DETAIL, psprintf("deleted 0 rows older than %s", age));
	sd_audit_writer_begin(&lw, fcinfo->flinfo->fn_oid);
	sd_audit_writer_put(&lw, &row);
	sd_audit_writer_end(&lw);

	end_owner_work(&w);
	PG_RETURN_INT64(deleted);
}
