/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The DDL audit log: event-trigger capture and the log's writer.
 *
 * Capture.  Three C event-trigger functions (ddl_command_end, sql_drop,
 * table_rewrite) write rows into @extschema@.schemadrift_ddl_log in the
 * DDL's own transaction, so a rolled-back DDL leaves no row.  They are
 * invoker functions: they record the real current_user and switch to the
 * log's owner with SetUserIdAndSecContext only around the write (as pg_cron
 * runs jobs), so no one gains the owner's rights; whenever the write resolves
 * names or runs expressions of the log, search_path is pinned to pg_catalog
 * with a GUC nest level.  The rows come from calling pg_event_trigger_ddl_commands() or
 * pg_event_trigger_dropped_objects() directly (materialize mode, as a
 * FunctionScan would) and are written without the executor: the id from the
 * column's sequence, table_tuple_insert, ExecConstraints and the insertion
 * into every index of the log, as logical replication applies a row
 * (execReplication.c).  That direct path is taken only while the log is as
 * the install script made it, give or take indexes and constraints: when a
 * column, default, trigger, row-level security or a partition makes it
 * different, every row goes through one kept SPI INSERT instead, so such a
 * log behaves as any table would.  The log's OID, owner, column positions
 * and the choice of path are cached and dropped by a relcache invalidation
 * callback.  The write runs in a subtransaction and fails open: an error
 * becomes a WARNING and the DDL proceeds.
 *
 * Commands no event trigger fires for (roles, databases, tablespaces, ALTER
 * SYSTEM, event triggers: what guard.c's sd_guard_shared_object names) are
 * recorded the same way from the ProcessUtility hook, as event "utility",
 * in the log of the database the session is connected to.
 *
 * The hash chain, retention and the log's table triggers are in chain.c.
 *
 * IDENTIFICATION
 *	  src/audit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xlog.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/primnodes.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/xid8.h"

#include "compat.h"
#include SD_QUERYJUMBLE_H
#include "audit.h"
#include "history.h"
#include "redact.h"
#include "util.h"

PG_FUNCTION_INFO_V1(schemadrift_audit_ddl_command_end);
PG_FUNCTION_INFO_V1(schemadrift_audit_sql_drop);
PG_FUNCTION_INFO_V1(schemadrift_audit_table_rewrite);

#define LOAD_FUNC	"schemadrift_ddl_log_load"

/* the search_path every audit statement runs under */
#define AUDIT_SEARCH_PATH "pg_catalog, pg_temp"

/* a capture fills the columns from occurred_at to detail */
#define FIRST_FILLED	COL_OCCURRED_AT
#define NUM_FILLED		(COL_DETAIL - COL_OCCURRED_AT + 1)

/* name and type of each column */
static const struct
{
	const char *name;
	Oid			typid;
}			log_columns[NUM_LOG_COLUMNS] =
{
	{"id", INT8OID},
	{"occurred_at", TIMESTAMPTZOID},
	{"transaction_id", XID8OID},
	{"backend_pid", INT4OID},
	{"session_user_name", TEXTOID},
	{"current_user_name", TEXTOID},
	{"client_addr", INETOID},
	{"client_port", INT4OID},
	{"application_name", TEXTOID},
	{"database_name", TEXTOID},
	{"event", TEXTOID},
	{"command_tag", TEXTOID},
	{"object_type", TEXTOID},
	{"schema_name", TEXTOID},
	{"object_identity", TEXTOID},
	{"creating_extension", BOOLOID},
	{"is_drop", BOOLOID},
	{"statement", TEXTOID},
	{"change_reason", TEXTOID},
	{"detail", TEXTOID},
	{"chain_hash", TEXTOID}
};

/* the kinds of event a capture records */
typedef enum AuditEvent
{
	EVENT_COMMANDS,				/* ddl_command_end */
	EVENT_DROPS,				/* sql_drop */
	EVENT_REWRITE,				/* table_rewrite */
	EVENT_UTILITY				/* the ProcessUtility hook */
} AuditEvent;

/* a command no event trigger fires for, as the ProcessUtility hook sees it */
typedef struct UtilityCommand
{
	CommandTag	tag;
	const char *object_type;	/* or NULL */
	List	   *names;			/* unquoted names of its objects, or NIL */
	const char *schema;			/* with identity: one object in a schema */
	const char *identity;		/* its quoted identity, or NULL */
} UtilityCommand;

/* settings */
static bool sd_audit_capture = true;
static char *sd_audit_change_reason = NULL;

static AuditTarget target;
static bool callback_registered = false;

/* our own INSERT is running: the load trigger stands aside */
static bool in_own_insert = false;

/*
 * audit_relcache_callback
 *		Forget the cached target when the log or the chain table changes (or
 *		on a reset of the whole relcache).  The plan is freed at the next
 *		lookup, never here: it may be running.
 */
static void
audit_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == target.logrelid ||
		relid == target.chainrelid)
		target.valid = false;
}

/*
 * reset_target
 *		Free what the cached target holds and mark it empty.
 */
static void
reset_target(void)
{
	if (target.insert_plan != NULL)
		SPI_freeplan(target.insert_plan);
	if (target.nspname)
		pfree(target.nspname);
	if (target.log_qual)
		pfree(target.log_qual);
	if (target.chain_qual)
		pfree(target.chain_qual);
	if (target.seq_qual)
		pfree(target.seq_qual);
	memset(&target, 0, sizeof(target));
}

/*
 * sd_audit_target
 *		The log of the schemadrift installation that function fn_oid belongs
 *		to (its schema holds the log).  Resolved once and cached; ERROR with
 *		a repair hint if the log table is missing.
 */
AuditTarget *
sd_audit_target(Oid fn_oid)
{
	Oid			nspid = get_func_namespace(fn_oid);
	char	   *nspname;
	Oid			logrelid;
	Oid			chainrelid;
	HeapTuple	tup;
	MemoryContext oldcxt;

	if (target.valid && target.nspid == nspid)
		return &target;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(audit_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	reset_target();

	nspname = get_namespace_name(nspid);
	if (nspname == NULL)
		elog(ERROR, "cache lookup failed for namespace %u", nspid);
	logrelid = get_relname_relid(SD_LOG_TABLE, nspid);
	chainrelid = get_relname_relid(SD_CHAIN_TABLE, nspid);
	if (!OidIsValid(logrelid) || !OidIsValid(chainrelid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("DDL audit log table \"%s.%s\" does not exist",
						nspname, OidIsValid(logrelid) ? SD_CHAIN_TABLE : SD_LOG_TABLE),
				 errhint("Recreate it with DROP EXTENSION schemadrift and CREATE EXTENSION schemadrift, after saving the rows you want to keep.")));

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(logrelid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", logrelid);
	target.owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	oldcxt = MemoryContextSwitchTo(CacheMemoryContext);
	target.nspname = pstrdup(nspname);
	target.log_qual = pstrdup(quote_qualified_identifier(nspname, SD_LOG_TABLE));
	target.chain_qual = pstrdup(quote_qualified_identifier(nspname, SD_CHAIN_TABLE));
	target.seq_qual = pstrdup(quote_qualified_identifier(nspname, SD_LOG_SEQ));
	MemoryContextSwitchTo(oldcxt);

	target.nspid = nspid;
	target.logrelid = logrelid;
	target.chainrelid = chainrelid;
	target.valid = true;
	return &target;
}

/*
 * id_default_sequence
 *		The sequence of the id column's default if that default is exactly
 *		nextval('<sequence>'::regclass), as the install script makes it;
 *		InvalidOid otherwise.
 */
static Oid
id_default_sequence(Relation rel, AttrNumber attnum)
{
	Node	   *def = build_column_default(rel, attnum);
	FuncExpr   *fexpr;
	Const	   *arg;

	if (def == NULL || !IsA(def, FuncExpr))
		return InvalidOid;
	fexpr = (FuncExpr *) def;
	if (fexpr->funcid != F_NEXTVAL || list_length(fexpr->args) != 1 ||
		!IsA(linitial(fexpr->args), Const))
		return InvalidOid;
	arg = linitial_node(Const, fexpr->args);
	if (arg->consttype != REGCLASSOID || arg->constisnull)
		return InvalidOid;
	return DatumGetObjectId(arg->constvalue);
}

/*
 * inspect_log
 *		Decide whether rows can be written to the (locked) log rel without
 *		the executor, and record where each column is.  The direct path
 *		writes the columns, draws the id from the sequence of its default,
 *		checks constraints and fills every index; it does nothing else.  So
 *		it is taken only when nothing else would happen in an INSERT: an
 *		ordinary table (not partitioned, not a partition, no row-level
 *		security) the owner may INSERT into, with exactly the log's columns
 *		and types, no default but the id's nextval, and no INSERT trigger
 *		but schemadrift's own load triggers (which stand aside for capture
 *		anyway).  Foreign keys and deferrable constraints come with INSERT
 *		triggers, so they too send rows through the SPI INSERT.
 */
static void
inspect_log(AuditTarget *t, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *indexes;
	ListCell   *lc;
	int			i;
	int			c;

	t->inspected = true;
	t->direct = false;
	memset(t->attnums, 0, sizeof(t->attnums));

	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relispartition || rel->rd_rel->relrowsecurity)
		return;
	if (pg_class_aclcheck(RelationGetRelid(rel), t->owner, ACL_INSERT) != ACLCHECK_OK)
		return;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		for (c = 0; c < NUM_LOG_COLUMNS; c++)
			if (strcmp(NameStr(att->attname), log_columns[c].name) == 0)
				break;
		if (c == NUM_LOG_COLUMNS || att->atttypid != log_columns[c].typid ||
			att->atttypmod != -1 || att->attgenerated != '\0' ||
			att->attidentity != '\0' || t->attnums[c] != 0)
			return;
		/* the INSERT names every column but these two */
		if (att->atthasdef && c == COL_CHAIN_HASH)
			return;
		t->attnums[c] = att->attnum;
	}
	for (c = 0; c < NUM_LOG_COLUMNS; c++)
		if (t->attnums[c] == 0)
			return;

	t->seqrelid = id_default_sequence(rel, t->attnums[COL_ID]);
	if (!OidIsValid(t->seqrelid))
		return;

	if (rel->trigdesc != NULL)
	{
		for (i = 0; i < rel->trigdesc->numtriggers; i++)
		{
			Trigger    *trig = &rel->trigdesc->triggers[i];
			char	   *fname;

			if (!TRIGGER_FOR_INSERT(trig->tgtype))
				continue;
			fname = get_func_name(trig->tgfoid);
			if (TRIGGER_FOR_ROW(trig->tgtype) || fname == NULL ||
				strcmp(fname, LOAD_FUNC) != 0 ||
				get_func_namespace(trig->tgfoid) != t->nspid)
				return;
		}
	}

	/*
	 * Whether the direct write runs any expression of the log (a CHECK
	 * constraint, an expression or partial index, an exclusion constraint):
	 * only then does it need the pinned search_path.  Otherwise it resolves
	 * nothing by name.
	 */
	t->evaluates = (rel->rd_att->constr != NULL && rel->rd_att->constr->num_check > 0);
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), RowExclusiveLock);

		if (idx->rd_index->indisexclusion ||
			!heap_attisnull(idx->rd_indextuple, Anum_pg_index_indexprs, NULL) ||
			!heap_attisnull(idx->rd_indextuple, Anum_pg_index_indpred, NULL))
			t->evaluates = true;
		index_close(idx, NoLock);
	}
	list_free(indexes);

	t->direct = true;
}

/*
 * insert_plan
 *		The kept INSERT of one row given in full, returning its id, for a
 *		log that does not take the direct path.  The caller is connected to SPI, with
 *		search_path pinned.
 */
static SPIPlanPtr
insert_plan(AuditTarget *t)
{
	Oid			types[NUM_FILLED];
	StringInfoData sql;
	SPIPlanPtr	plan;
	int			i;

	if (t->insert_plan != NULL)
		return t->insert_plan;

	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO %s (", t->log_qual);
	for (i = 0; i < NUM_FILLED; i++)
	{
		types[i] = log_columns[FIRST_FILLED + i].typid;
		appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "",
						 log_columns[FIRST_FILLED + i].name);
	}
	appendStringInfoString(&sql, ") VALUES (");
	for (i = 0; i < NUM_FILLED; i++)
		appendStringInfo(&sql, "%s$%d", i > 0 ? ", " : "", i + 1);
	appendStringInfoString(&sql, ") RETURNING id");

	plan = SPI_prepare(sql.data, NUM_FILLED, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 sql.data, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	t->insert_plan = plan;
	pfree(sql.data);
	return plan;
}

/*
 * sd_audit_writer_begin
 *		Open the log of the installation fn_oid belongs to for writing rows,
 *		as the current user (the owner).  search_path is pinned to
 *		pg_catalog (a GUC nest level, undone by writer_end or the abort) when
 *		the write runs SQL or expressions of the log; the direct write of a
 *		log as installed resolves nothing by name.  The log is locked first and the cached target checked afterwards, so
 *		that a change committed while we waited for the lock is seen.  The
 *		direct path gets a minimal executor state (result relation, its
 *		indexes, a slot); the other path connects to SPI.  Everything is
 *		released by writer_end, or by the (sub)transaction's abort.
 */
void
sd_audit_writer_begin(LogWriter *w, Oid fn_oid)
{
	AuditTarget *t;
	Relation	rel;

	memset(w, 0, sizeof(*w));
	for (;;)
	{
		t = sd_audit_target(fn_oid);
		rel = table_open(t->logrelid, RowExclusiveLock);
		if (target.valid)
			break;
		table_close(rel, RowExclusiveLock);
	}
	if (!t->inspected)
		inspect_log(t, rel);
	w->t = t;

	/* whatever resolves names while writing does so in pg_catalog only */
	if (!t->direct || t->evaluates)
	{
		w->nestlevel = NewGUCNestLevel();
		(void) set_config_option("search_path", AUDIT_SEARCH_PATH,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}

	if (!t->direct)
	{
		table_close(rel, NoLock);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		return;
	}

	/* what the command did so far is visible to constraints, as in SPI */
	CommandCounterIncrement();
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		w->pushed_snapshot = true;
	}

	w->rel = rel;
	w->estate = CreateExecutorState();
	w->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(w->rri, rel, 0, NULL, 0);
	ExecOpenIndices(w->rri, false);
	w->slot = table_slot_create(rel, NULL);
}

/*
 * sd_audit_writer_put
 *		Write one row: row's columns from occurred_at to detail, a new id,
 *		chain_hash NULL.  On the direct path the row is checked against the
 *		log's constraints, inserted with the current command id (so later
 *		commands of the transaction see it, and a rollback removes it) and
 *		added to every index, unique ones checked.  row's datums are only
 *		read.  Returns the row's id (0 if the INSERT of a log that is not
 *		written directly returned none: a trigger skipped it).
 */
int64
sd_audit_writer_put(LogWriter *w, AuditRow *row)
{
	AuditTarget *t = w->t;
	TupleTableSlot *slot = w->slot;
	int			natts;
	int			c;
	List	   *recheck;
	int64		id;

	if (!t->direct)
	{
		char		nulls[NUM_FILLED];
		int			rc = 0;

		for (c = 0; c < NUM_FILLED; c++)
			nulls[c] = row->nulls[FIRST_FILLED + c] ? 'n' : ' ';
		in_own_insert = true;
		PG_TRY();
		{
			rc = SPI_execute_plan(insert_plan(t), &row->values[FIRST_FILLED],
								  nulls, false, 0);
		}
		PG_FINALLY();
		{
			in_own_insert = false;
		}
		PG_END_TRY();
		if (rc != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
		id = 0;
		if (SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				id = DatumGetInt64(d);
		}
		SPI_freetuptable(SPI_tuptable);
		return id;
	}

	ExecClearTuple(slot);
	natts = slot->tts_tupleDescriptor->natts;
	memset(slot->tts_isnull, true, sizeof(bool) * natts);
	for (c = FIRST_FILLED; c < FIRST_FILLED + NUM_FILLED; c++)
	{
		slot->tts_values[t->attnums[c] - 1] = row->values[c];
		slot->tts_isnull[t->attnums[c] - 1] = row->nulls[c];
	}
	id = nextval_internal(t->seqrelid, true);
	slot->tts_values[t->attnums[COL_ID] - 1] = Int64GetDatum(id);
	slot->tts_isnull[t->attnums[COL_ID] - 1] = false;
	ExecStoreVirtualTuple(slot);

	if (w->rel->rd_att->constr != NULL)
		ExecConstraints(w->rri, slot, w->estate);
	table_tuple_insert(w->rel, slot, GetCurrentCommandId(true), 0, NULL);
	if (w->rri->ri_NumIndices > 0)
	{
		recheck = SD_EXEC_INSERT_INDEX_TUPLES(w->rri, slot, w->estate);
		/* deferred checks come with a constraint trigger: not direct */
		if (recheck != NIL)
			elog(ERROR, "unexpected deferred index check on the DDL audit log");
	}
	ResetPerTupleExprContext(w->estate);
	return id;
}

/*
 * sd_audit_writer_end
 *		Close what writer_begin opened; the log stays locked until the end
 *		of the transaction.
 */
void
sd_audit_writer_end(LogWriter *w)
{
	if (!w->t->direct)
	{
		if (SPI_finish() != SPI_OK_FINISH)
			elog(ERROR, "SPI_finish failed");
	}
	else
	{
		ExecDropSingleTupleTableSlot(w->slot);
		ExecCloseIndices(w->rri);
		FreeExecutorState(w->estate);
		table_close(w->rel, NoLock);
		if (w->pushed_snapshot)
			PopActiveSnapshot();
	}
	if (w->nestlevel > 0)
		AtEOXact_GUC(true, w->nestlevel);
}

/*
 * top_level_statement
 *		The text of the top-level statement being executed: the active
 *		portal's statement sliced out of its query string (so each command of
 *		a multi-command string gets its own text), with passwords masked.
 *		Inside a function or a DO block that is the outer statement; inside
 *		an extension script, the CREATE/ALTER EXTENSION.  Returns a palloc'd
 *		string, or NULL when there is no statement text.
 */
static char *
top_level_statement(void)
{
	const char *src = NULL;
	int			location = -1;
	int			len = 0;

	if (ActivePortal != NULL && ActivePortal->sourceText != NULL)
	{
		src = ActivePortal->sourceText;
		if (list_length(ActivePortal->stmts) == 1)
		{
			PlannedStmt *stmt = linitial_node(PlannedStmt, ActivePortal->stmts);

			location = stmt->stmt_location;
			len = stmt->stmt_len;
		}
	}
	else if (debug_query_string != NULL)
		src = debug_query_string;
	if (src == NULL)
		return NULL;

	src = CleanQuerytext(src, &location, &len);
	return sd_redact_statement(src, len);
}

/*
 * sd_audit_set_text
 *		Set column col of row to the text s, or NULL if s is NULL.
 */
void
sd_audit_set_text(AuditRow *row, LogColumn col, const char *s)
{
	row->nulls[col] = (s == NULL);
	row->values[col] = s ? CStringGetTextDatum(s) : (Datum) 0;
}

/*
 * call_no_arg
 *		Call a no-argument V1 function of the backend directly (these read
 *		session state); *isnull is set.
 */
static Datum
call_no_arg(PGFunction fn, bool *isnull)
{
	LOCAL_FCINFO(fcinfo, 0);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
	result = fn(fcinfo);
	*isnull = fcinfo->isnull;
	return result;
}

/*
 * sd_audit_fill_row
 *		Set the columns of a capture that do not depend on the object: the
 *		transaction id (assigned here, before an id is drawn: the chain's
 *		marks rely on it), the statement timestamp, the backend pid, the
 *		session and current user (taken before any switch to the owner),
 *		client address and port, application name, database, the event,
 *		the statement, the change reason, whether an extension script is
 *		running, and the command tag.  The object columns, is_drop and detail
 *		are left NULL/false for the caller.  Datums are palloc'd in the
 *		current memory context.
 */
void
sd_audit_fill_row(AuditRow *row, const char *event, const char *command_tag)
{
	memset(row->nulls, true, sizeof(row->nulls));
	memset(row->values, 0, sizeof(row->values));

	row->values[COL_TRANSACTION_ID] =
		FullTransactionIdGetDatum(GetTopFullTransactionId());
	row->nulls[COL_TRANSACTION_ID] = false;
	row->values[COL_OCCURRED_AT] =
		TimestampTzGetDatum(GetCurrentStatementStartTimestamp());
	row->nulls[COL_OCCURRED_AT] = false;
	row->values[COL_BACKEND_PID] = Int32GetDatum(MyProcPid);
	row->nulls[COL_BACKEND_PID] = false;

	sd_audit_set_text(row, COL_SESSION_USER, GetUserNameFromId(GetSessionUserId(), true));
	sd_audit_set_text(row, COL_CURRENT_USER, GetUserNameFromId(GetUserId(), true));
	row->values[COL_CLIENT_ADDR] = call_no_arg(inet_client_addr,
											   &row->nulls[COL_CLIENT_ADDR]);
	row->values[COL_CLIENT_PORT] = call_no_arg(inet_client_port,
											   &row->nulls[COL_CLIENT_PORT]);
	sd_audit_set_text(row, COL_APPLICATION_NAME,
			 (application_name != NULL && application_name[0] != '\0') ?
			 application_name : NULL);
	sd_audit_set_text(row, COL_DATABASE_NAME, get_database_name(MyDatabaseId));

	sd_audit_set_text(row, COL_EVENT, event);
	sd_audit_set_text(row, COL_COMMAND_TAG, command_tag);
	sd_audit_set_text(row, COL_STATEMENT, top_level_statement());
	sd_audit_set_text(row, COL_CHANGE_REASON,
			 (sd_audit_change_reason != NULL && sd_audit_change_reason[0] != '\0') ?
			 sd_audit_change_reason : NULL);

	row->values[COL_CREATING_EXTENSION] = BoolGetDatum(creating_extension);
	row->nulls[COL_CREATING_EXTENSION] = false;
	row->values[COL_IS_DROP] = BoolGetDatum(false);
	row->nulls[COL_IS_DROP] = false;
}

/*
 * sd_audit_call_event_srf
 *		Call one of the event-trigger set-returning functions (fnoid) the way
 *		a FunctionScan calls it in materialize mode, without a query.
 *		Returns the tuplestore of its rows (NULL if it returned none) and
 *		sets *desc; both live in the current memory context, which the
 *		caller deletes.
 */
Tuplestorestate *
sd_audit_call_event_srf(Oid fnoid, TupleDesc *desc)
{
	FmgrInfo	flinfo;
	ReturnSetInfo rsinfo;
	LOCAL_FCINFO(fcinfo, 0);

	fmgr_info(fnoid, &flinfo);
	memset(&rsinfo, 0, sizeof(rsinfo));
	rsinfo.type = T_ReturnSetInfo;
	rsinfo.econtext = CreateStandaloneExprContext();
	rsinfo.allowedModes = (int) SFRM_Materialize;
	rsinfo.returnMode = SFRM_Materialize;

	InitFunctionCallInfoData(*fcinfo, &flinfo, 0, InvalidOid, NULL,
							 (Node *) &rsinfo);
	(void) FunctionCallInvoke(fcinfo);
	FreeExprContext(rsinfo.econtext, true);

	if (rsinfo.returnMode != SFRM_Materialize)
		elog(ERROR, "function %u did not return its rows in materialize mode", fnoid);
	*desc = rsinfo.setDesc;
	return rsinfo.setResult;
}

/*
 * srf_column
 *		The 0-based position of column name in desc.
 */
static int
srf_column(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			return i;
	elog(ERROR, "event trigger function has no column \"%s\"", name);
	return -1;					/* keep compiler quiet */
}

/*
 * dropped_table_subobject_schema
 *		The schema of a dropped trigger, policy or column default, which
 *		pg_event_trigger_dropped_objects() reports as NULL on some servers:
 *		the first of its address_names (schema, table, name).  NULL for other
 *		object types, or when address_names is NULL or empty.
 *
 * These objects have no schema of their own: core reports their table's
 * since a fix back-patched to the supported branches (PostgreSQL 15.20
 * does), while 18beta1 and older minor releases report NULL.  Taking it
 * from the address here makes the log say the same on every server.  The
 * result is a text datum in the current memory context.
 */
static Datum
dropped_table_subobject_schema(Datum object_type, Datum address_names,
							   bool *isnull)
{
	char	   *type = TextDatumGetCString(object_type);
	Datum	   *elems;
	bool	   *elem_nulls;
	int			nelems;

	*isnull = true;
	if (strcmp(type, "trigger") != 0 && strcmp(type, "policy") != 0 &&
		strcmp(type, "default value") != 0)
		return (Datum) 0;

	deconstruct_array(DatumGetArrayTypeP(address_names), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &elem_nulls, &nelems);
	if (nelems < 1 || elem_nulls[0])
		return (Datum) 0;
	*isnull = false;
	return elems[0];
}

/*
 * collect_touched
 *		Add the object of the event trigger SRF's row in slot, logged as
 *		row id, to touched (in its memory context): its address, type and
 *		identity; for a dropped column, constraint, trigger, policy or rule
 *		also its relation, from its address names (schema, relation, name).
 */
static void
collect_touched(SdTouchedList *touched, TupleTableSlot *slot, int64 id,
				bool dropped, int col_classid, int col_objid, int col_objsubid,
				int col_type, int col_identity, int col_addrnames)
{
	MemoryContext old = MemoryContextSwitchTo(touched->cxt);
	SdTouched  *o = palloc0(sizeof(SdTouched));

	o->audit_id = id;
	o->dropped = dropped;
	o->classid = DatumGetObjectId(slot->tts_values[col_classid]);
	o->objid = DatumGetObjectId(slot->tts_values[col_objid]);
	o->objsubid = DatumGetInt32(slot->tts_values[col_objsubid]);
	if (!slot->tts_isnull[col_type])
		o->object_type = TextDatumGetCString(slot->tts_values[col_type]);
	if (!slot->tts_isnull[col_identity])
		o->identity = TextDatumGetCString(slot->tts_values[col_identity]);
	if (dropped && o->object_type != NULL && !slot->tts_isnull[col_addrnames] &&
		(strcmp(o->object_type, "table column") == 0 ||
		 strcmp(o->object_type, "foreign table column") == 0 ||
		 strcmp(o->object_type, "table constraint") == 0 ||
		 strcmp(o->object_type, "trigger") == 0 ||
		 strcmp(o->object_type, "policy") == 0 ||
		 strcmp(o->object_type, "rule") == 0))
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(slot->tts_values[col_addrnames]),
						  TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		if (n == 3 && !nulls[0] && !nulls[1])
			o->parent = pstrdup(quote_qualified_identifier(TextDatumGetCString(elems[0]),
														   TextDatumGetCString(elems[1])));
	}
	touched->items = lappend(touched->items, o);
	MemoryContextSwitchTo(old);
}

/*
 * put_object_rows
 *		Write one row per row of an event-trigger SRF: row holds the common
 *		columns, the SRF gives object type, schema and identity, and for
 *		ddl_command_end the command tag and in_extension; sql_drop keeps
 *		only the objects named by the command or dropped with them
 *		(original or normal), not internal dependents, and fills in the
 *		schema of triggers, policies and column defaults where the server
 *		does not (dropped_table_subobject_schema).
 */
static void
put_object_rows(LogWriter *w, AuditRow *row, AuditEvent which)
{
	TupleDesc	desc;
	Tuplestorestate *store;
	TupleTableSlot *slot;
	int64		id;
	int			col_type;
	int			col_schema;
	int			col_identity;
	int			col_tag = -1;
	int			col_inext = -1;
	int			col_original = -1;
	int			col_normal = -1;
	int			col_addrnames = -1;
	int			col_classid;
	int			col_objid;
	int			col_objsubid;
	int			col_temp = -1;

	store = sd_audit_call_event_srf(which == EVENT_COMMANDS ?
						   F_PG_EVENT_TRIGGER_DDL_COMMANDS :
						   F_PG_EVENT_TRIGGER_DROPPED_OBJECTS, &desc);
	if (store == NULL)
		return;

	col_type = srf_column(desc, "object_type");
	col_schema = srf_column(desc, "schema_name");
	col_identity = srf_column(desc, "object_identity");
	col_classid = srf_column(desc, "classid");
	col_objid = srf_column(desc, "objid");
	col_objsubid = srf_column(desc, "objsubid");
	if (which == EVENT_COMMANDS)
	{
		col_tag = srf_column(desc, "command_tag");
		col_inext = srf_column(desc, "in_extension");
	}
	else
	{
		col_original = srf_column(desc, "original");
		col_normal = srf_column(desc, "normal");
		col_addrnames = srf_column(desc, "address_names");
		col_temp = srf_column(desc, "is_temporary");
		row->values[COL_IS_DROP] = BoolGetDatum(true);
	}

	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	while (tuplestore_gettupleslot(store, true, false, slot))
	{
		slot_getallattrs(slot);
		if (which == EVENT_DROPS &&
			!(DatumGetBool(slot->tts_values[col_original]) ||
			  DatumGetBool(slot->tts_values[col_normal])))
			continue;
		if (which == EVENT_COMMANDS)
		{
			row->values[COL_COMMAND_TAG] = slot->tts_values[col_tag];
			row->nulls[COL_COMMAND_TAG] = slot->tts_isnull[col_tag];
			row->values[COL_CREATING_EXTENSION] = slot->tts_values[col_inext];
			row->nulls[COL_CREATING_EXTENSION] = slot->tts_isnull[col_inext];
		}
		row->values[COL_OBJECT_TYPE] = slot->tts_values[col_type];
		row->nulls[COL_OBJECT_TYPE] = slot->tts_isnull[col_type];
		row->values[COL_SCHEMA_NAME] = slot->tts_values[col_schema];
		row->nulls[COL_SCHEMA_NAME] = slot->tts_isnull[col_schema];
		if (which == EVENT_DROPS && slot->tts_isnull[col_schema] &&
			!slot->tts_isnull[col_type] && !slot->tts_isnull[col_addrnames])
			row->values[COL_SCHEMA_NAME] =
				dropped_table_subobject_schema(slot->tts_values[col_type],
											   slot->tts_values[col_addrnames],
											   &row->nulls[COL_SCHEMA_NAME]);
		row->values[COL_OBJECT_IDENTITY] = slot->tts_values[col_identity];
		row->nulls[COL_OBJECT_IDENTITY] = slot->tts_isnull[col_identity];
		id = sd_audit_writer_put(w, row);

		/* for history.c: an object of the database's schema, logged */
		if (w->touched != NULL && id != 0 &&
			!(which == EVENT_COMMANDS && DatumGetBool(row->values[COL_CREATING_EXTENSION])) &&
			!(which == EVENT_DROPS && DatumGetBool(slot->tts_values[col_temp])))
			collect_touched(w->touched, slot, id, which == EVENT_DROPS,
							col_classid, col_objid, col_objsubid, col_type,
							col_identity, col_addrnames);
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_end(store);
}

/*
 * put_rewrite_row
 *		Write the row of a table rewrite: the table as pg_identify_object()
 *		names it, and why it is rewritten in detail.
 */
static void
put_rewrite_row(LogWriter *w, AuditRow *row)
{
	LOCAL_FCINFO(rwinfo, 0);
	Oid			relid;
	int			reason;
	StringInfoData detail;
	HeapTupleHeader ident;
	bool		isnull;

	InitFunctionCallInfoData(*rwinfo, NULL, 0, InvalidOid, NULL, NULL);
	relid = DatumGetObjectId(pg_event_trigger_table_rewrite_oid(rwinfo));
	InitFunctionCallInfoData(*rwinfo, NULL, 0, InvalidOid, NULL, NULL);
	reason = DatumGetInt32(pg_event_trigger_table_rewrite_reason(rwinfo));

	initStringInfo(&detail);
	appendStringInfoString(&detail, "table rewrite:");
	if (reason & AT_REWRITE_ALTER_PERSISTENCE)
		appendStringInfoString(&detail, " persistence");
	if (reason & AT_REWRITE_DEFAULT_VAL)
		appendStringInfoString(&detail, " default-value");
	if (reason & AT_REWRITE_COLUMN_REWRITE)
		appendStringInfoString(&detail, " column-rewrite");
	if (reason & AT_REWRITE_ACCESS_METHOD)
		appendStringInfoString(&detail, " access-method");
	sd_audit_set_text(row, COL_DETAIL, detail.data);

	/* pg_identify_object(type, schema, name, identity) */
	ident = DatumGetHeapTupleHeader(OidFunctionCall3(F_PG_IDENTIFY_OBJECT,
													 ObjectIdGetDatum(RelationRelationId),
													 ObjectIdGetDatum(relid),
													 Int32GetDatum(0)));
	row->values[COL_OBJECT_TYPE] = GetAttributeByNum(ident, 1, &isnull);
	row->nulls[COL_OBJECT_TYPE] = isnull;
	row->values[COL_SCHEMA_NAME] = GetAttributeByNum(ident, 2, &isnull);
	row->nulls[COL_SCHEMA_NAME] = isnull;
	row->values[COL_OBJECT_IDENTITY] = GetAttributeByNum(ident, 4, &isnull);
	row->nulls[COL_OBJECT_IDENTITY] = isnull;
	sd_audit_writer_put(w, row);
}

/*
 * put_utility_rows
 *		Write the rows of a command no event trigger fires for (roles,
 *		databases, tablespaces, ALTER SYSTEM, event triggers, ...): one per
 *		object named, with its object type and quoted name, outside schemas;
 *		one without a name if it names none.
 */
static void
put_utility_rows(LogWriter *w, AuditRow *row, const UtilityCommand *cmd)
{
	ListCell   *lc;

	sd_audit_set_text(row, COL_OBJECT_TYPE, cmd->object_type);
	row->values[COL_IS_DROP] =
		BoolGetDatum(strncmp(GetCommandTagName(cmd->tag), "DROP ", 5) == 0);
	if (cmd->identity != NULL)
	{
		sd_audit_set_text(row, COL_SCHEMA_NAME, cmd->schema);
		sd_audit_set_text(row, COL_OBJECT_IDENTITY, cmd->identity);
		sd_audit_writer_put(w, row);
		return;
	}
	if (cmd->names == NIL)
	{
		sd_audit_set_text(row, COL_OBJECT_IDENTITY, NULL);
		sd_audit_writer_put(w, row);
	}
	foreach(lc, cmd->names)
	{
		sd_audit_set_text(row, COL_OBJECT_IDENTITY, quote_identifier(lfirst(lc)));
		sd_audit_writer_put(w, row);
	}
}

/*
 * write_event_rows
 *		Switch to the log's owner and write the rows of one event: of the
 *		event trigger call trigdata, or of the utility command cmd; with
 *		touched not NULL, collect the objects written into it.  Runs
 *		inside the caller's subtransaction, which restores user and settings
 *		on error.
 */
static void
write_event_rows(Oid fn_oid, AuditEvent which, EventTriggerData *trigdata,
				 const UtilityCommand *cmd, SdTouchedList *touched)
{
	static const char *const event_names[] = {
		"ddl_command_end", "sql_drop", "table_rewrite", "utility"
	};
	AuditTarget *t;
	AuditRow	row;
	LogWriter	w;
	Oid			save_userid;
	int			save_sec_context;

	sd_audit_fill_row(&row, event_names[which],
					  GetCommandTagName(trigdata ? trigdata->tag : cmd->tag));

	t = sd_audit_target(fn_oid);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(t->owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);

	sd_audit_writer_begin(&w, fn_oid);
	w.touched = touched;
	if (which == EVENT_UTILITY)
		put_utility_rows(&w, &row, cmd);
	else if (which == EVENT_REWRITE)
		put_rewrite_row(&w, &row);
	else
		put_object_rows(&w, &row, which);
	sd_audit_writer_end(&w);

	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * capture_failing_open
 *		Record one event (see write_event_rows; touched, if not NULL,
 *		collects its objects) in a short-lived memory context and a
 *		subtransaction.  Fails open: any error but a cancel is
 *		turned into a WARNING and the command goes on.
 */
static void
capture_failing_open(Oid fn_oid, AuditEvent which, EventTriggerData *trigdata,
					 const UtilityCommand *cmd, SdTouchedList *touched)
{
	CommandTag	tag = trigdata ? trigdata->tag : cmd->tag;
	MemoryContext evcxt;
	MemoryContext oldcxt;
	ResourceOwner oldowner;

	evcxt = AllocSetContextCreate(CurrentMemoryContext,
								  "schemadrift audit event",
								  ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(evcxt);
	oldowner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(evcxt);

	PG_TRY();
	{
		write_event_rows(fn_oid, which, trigdata, cmd, touched);

		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(evcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(evcxt);
		edata = CopyErrorData();
		FlushErrorState();

		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(evcxt);
		CurrentResourceOwner = oldowner;

		/* a cancel is not a failure to write: let it cancel the DDL */
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(edata);

		/* resolve the log afresh next time */
		target.valid = false;
		/* nothing was logged: nothing for history.c */
		if (touched != NULL)
			touched->items = NIL;

		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("could not record %s in the DDL audit log: %s",
						GetCommandTagName(tag), edata->message),
				 errdetail("The command was executed but is missing from schemadrift_ddl_log."),
				 errhint("Check that the table schemadrift_ddl_log of extension schemadrift exists and is intact; see \"Repairing the log\" in the schemadrift README.")));
		FreeErrorData(edata);
	}
	PG_END_TRY();

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(evcxt);
}

/*
 * audit_capture
 *		The body of the three event-trigger functions: record the event,
 *		failing open.
 */
static void
audit_capture(FunctionCallInfo fcinfo, AuditEvent which)
{
	EventTriggerData *trigdata;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the event trigger manager",
						get_func_name(fcinfo->flinfo->fn_oid))));

	/* off; inside our own INSERT; or pg_upgrade replaying the catalog */
	if (!sd_audit_capture || in_own_insert || IsBinaryUpgrade)
		return;

	trigdata = (EventTriggerData *) fcinfo->context;

	/* DROP collects no commands: its rows come from sql_drop */
	if (which == EVENT_COMMANDS && trigdata->parsetree != NULL &&
		IsA(trigdata->parsetree, DropStmt))
		return;

	/* history.c's jobs want the objects of commands and drops */
	if ((which == EVENT_COMMANDS || which == EVENT_DROPS) && sd_history_wanted())
	{
		SdTouchedList touched;

		touched.cxt = AllocSetContextCreate(CurrentMemoryContext,
											"schemadrift touched objects",
											ALLOCSET_SMALL_SIZES);
		touched.items = NIL;
		capture_failing_open(fcinfo->flinfo->fn_oid, which, trigdata, NULL, &touched);
		sd_history_after_event(fcinfo->flinfo->fn_oid, trigdata->tag, touched.items);
		MemoryContextDelete(touched.cxt);
		return;
	}

	capture_failing_open(fcinfo->flinfo->fn_oid, which, trigdata, NULL, NULL);
}

/*
 * capture_utility
 *		Record a command the ProcessUtility hook sees (see
 *		sd_audit_capture_utility) where capture would record it.
 */
static void
capture_utility(const UtilityCommand *cmd)
{
	Oid			fn_oid;
	bool		fires;

	if (!sd_audit_capture || in_own_insert || IsBinaryUpgrade ||
		creating_extension || RecoveryInProgress() || !IsTransactionState())
		return;
	fn_oid = sd_util_own_event_trigger("schemadrift_audit_ddl_command_end", &fires);
	if (!OidIsValid(fn_oid) || !fires)
		return;
	capture_failing_open(fn_oid, EVENT_UTILITY, NULL, cmd, NULL);
}

/*
 * sd_audit_capture_utility
 *		Called by the ProcessUtility hook, after the guard allowed it, for a
 *		command no event trigger fires for (see sd_guard_shared_object):
 *		record it in the log of the database the session is connected to,
 *		as event "utility", one row per object it names (names, unquoted),
 *		before it runs, in its transaction (a command that fails leaves no
 *		row).  Nothing is recorded where capture would
 *		record nothing: schemadrift not installed here, its ddl_command_end
 *		trigger disabled, capture off, binary upgrade, or recovery (a hot
 *		standby runs ALTER SYSTEM but writes no table); nor inside an
 *		extension script, which the guard does not judge either (the
 *		CREATE/ALTER EXTENSION is recorded).  Fails open.
 */
void
sd_audit_capture_utility(CommandTag tag, const char *object_type, List *names)
{
	UtilityCommand cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.tag = tag;
	cmd.object_type = object_type;
	cmd.names = names;
	capture_utility(&cmd);
}

#if !SD_REINDEX_FIRES_EVENT_TRIGGERS
/*
 * sd_audit_capture_reindex
 *		Called by the ProcessUtility hook, after the guard allowed it, for a
 *		REINDEX before PostgreSQL 17 (where it fires no event trigger):
 *		record it as event "utility", one row for the object it names (the
 *		index, table or materialized view with its schema, the schema, or
 *		the database), as sd_audit_capture_utility records other commands.
 *		From 17 on, ddl_command_end records a REINDEX with one row per index
 *		it rebuilds.  A relation that does not exist is not recorded (the
 *		command fails).  The name is resolved without a lock, as the guard
 *		resolves it.  REINDEX ... CONCURRENTLY, SCHEMA, DATABASE and SYSTEM
 *		commit the transaction they start in before they work, so their row
 *		stays even if the REINDEX then fails.
 */
void
sd_audit_capture_reindex(ReindexStmt *stmt)
{
	UtilityCommand cmd;

	if (!sd_audit_capture || in_own_insert || IsBinaryUpgrade ||
		creating_extension || RecoveryInProgress() || !IsTransactionState())
		return;

	memset(&cmd, 0, sizeof(cmd));
	cmd.tag = CMDTAG_REINDEX;
	if (stmt->relation != NULL)
	{
		ObjectAddress address;

		address.classId = RelationRelationId;
		address.objectId = RangeVarGetRelidExtended(stmt->relation, NoLock,
													RVR_MISSING_OK, NULL, NULL);
		address.objectSubId = 0;
		if (!OidIsValid(address.objectId))
			return;
		cmd.object_type = getObjectTypeDescription(&address, true);
		cmd.identity = getObjectIdentity(&address, true);
		cmd.schema = get_namespace_name(get_rel_namespace(address.objectId));
		if (cmd.object_type == NULL || cmd.identity == NULL)
			return;
	}
	else if (stmt->kind == REINDEX_OBJECT_SCHEMA)
	{
		cmd.object_type = "schema";
		cmd.identity = quote_identifier(stmt->name);
	}
	else
	{
		/* DATABASE and SYSTEM: only the current database can be named */
		cmd.object_type = "database";
		cmd.identity = quote_identifier(get_database_name(MyDatabaseId));
	}
	capture_utility(&cmd);
}
#endif

/*
 * sd_audit_init
 *		Define the audit settings.  Called from _PG_init before the
 *		schemadrift prefix is reserved.
 */
void
sd_audit_init(void)
{
	DefineCustomBoolVariable("schemadrift.capture",
							 "Records DDL commands in the schemadrift_ddl_log table.",
							 "When on (the default), the event triggers of "
							 "extension schemadrift write one row per object "
							 "every DDL command touches, in the command's own "
							 "transaction.  Only superusers may change it: "
							 "allowing ordinary roles to turn it off would "
							 "defeat the point of an audit log.",
							 &sd_audit_capture,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("schemadrift.change_reason",
							   "Reason recorded with the DDL commands of this session.",
							   "Copied into the change_reason column of every "
							   "schemadrift_ddl_log row written while it is set, "
							   "for example a ticket number: SET "
							   "schemadrift.change_reason = 'JIRA-123'.  Any "
							   "session may set it; it is information, not "
							   "authorization.",
							   &sd_audit_change_reason,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);
}

/*
 * sd_audit_in_own_insert
 *		Whether capture's own INSERT (the path for a log that is not written
 *		directly) is running; the load trigger stands aside for it.
 */
bool
sd_audit_in_own_insert(void)
{
	return in_own_insert;
}

/* ------------------------------------------------------------------------
 * SQL-callable functions
 * ------------------------------------------------------------------------
 */

/*
 * schemadrift_audit_ddl_command_end
 *		ddl_command_end: one row per object the command touched.
 */
Datum
schemadrift_audit_ddl_command_end(PG_FUNCTION_ARGS)
{
	audit_capture(fcinfo, EVENT_COMMANDS);
	PG_RETURN_NULL();
}

/*
 * schemadrift_audit_sql_drop
 *		sql_drop: one row per dropped object (the objects the command named
 *		and those dropped with them by CASCADE; not internal dependents such
 *		as a table's row type or TOAST table).
 */
Datum
schemadrift_audit_sql_drop(PG_FUNCTION_ARGS)
{
	audit_capture(fcinfo, EVENT_DROPS);
	PG_RETURN_NULL();
}

/*
 * schemadrift_audit_table_rewrite
 *		table_rewrite: which table is rewritten and why.
 */
Datum
schemadrift_audit_table_rewrite(PG_FUNCTION_ARGS)
{
	audit_capture(fcinfo, EVENT_REWRITE);
	PG_RETURN_NULL();
}
