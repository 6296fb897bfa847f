/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The DDL audit log: event-trigger capture, hash chain, retention.
 *
 * Capture.  Three C event-trigger functions (ddl_command_end, sql_drop,
 * table_rewrite) write rows into @extschema@.schemadrift_ddl_log in the
 * DDL's own transaction, so a rolled-back DDL leaves no row.  They are
 * invoker functions: they record the real current_user, pin search_path with
 * a GUC nest level, and switch to the log's owner with SetUserIdAndSecContext
 * only around the INSERT (as pg_cron runs jobs), so no one gains the owner's
 * rights.  Each INSERT is one prepared plan (kept with SPI_keepplan) over
 * pg_event_trigger_ddl_commands() or pg_event_trigger_dropped_objects(); the
 * log's OID, owner and plans are cached and dropped by a relcache
 * invalidation callback.  The write runs in a subtransaction and fails open:
 * an error becomes a WARNING and the DDL proceeds.
 *
 * Chain.  Rows are inserted unsealed (chain_hash NULL) and sealed later, in
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
 * IDENTIFICATION
 *	  src/audit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/xid8.h"

#include "compat.h"
#include SD_QUERYJUMBLE_H
#include "audit.h"
#include "redact.h"
#include "util.h"

PG_FUNCTION_INFO_V1(schemadrift_audit_ddl_command_end);
PG_FUNCTION_INFO_V1(schemadrift_audit_sql_drop);
PG_FUNCTION_INFO_V1(schemadrift_audit_table_rewrite);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_protect);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_load);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_seal);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_verify);
PG_FUNCTION_INFO_V1(schemadrift_ddl_log_purge);

#define LOG_TABLE	"schemadrift_ddl_log"
#define CHAIN_TABLE "schemadrift_ddl_log_chain"
#define LOG_SEQ		"schemadrift_ddl_log_id_seq"

/* the chain's starting point, before any row was sealed or purged */
#define GENESIS_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* the search_path every audit statement runs under */
#define AUDIT_SEARCH_PATH "pg_catalog, pg_temp"

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

/* the columns every capture plan fills, and the values common to all */
#define INSERT_COLUMNS \
	"(occurred_at, transaction_id, backend_pid, session_user_name, " \
	"current_user_name, client_addr, client_port, application_name, " \
	"database_name, event, command_tag, object_type, schema_name, " \
	"object_identity, creating_extension, is_drop, statement, " \
	"change_reason, detail)"
#define COMMON_VALUES \
	"pg_catalog.statement_timestamp(), $1, pg_catalog.pg_backend_pid(), " \
	"$2, $3, pg_catalog.inet_client_addr(), pg_catalog.inet_client_port(), " \
	"$4, pg_catalog.current_database()"

/* the prepared INSERT plans, one per kind of event */
typedef enum AuditPlan
{
	PLAN_COMMANDS,				/* ddl_command_end */
	PLAN_DROPS,					/* sql_drop */
	PLAN_REWRITE,				/* table_rewrite */
	PLAN_ONE,					/* one row given in full (purge) */
	NUM_AUDIT_PLANS
} AuditPlan;

/* parameters $1..$13 of the plans; the first eight are shared */
#define NUM_COMMON_ARGS 8
#define NUM_MAX_ARGS	13

/*
 * Where the log lives, resolved once per backend and kept until a relcache
 * invalidation of the log or the chain table.  Strings and plans live in
 * CacheMemoryContext.
 */
typedef struct AuditTarget
{
	bool		valid;
	Oid			nspid;			/* the extension's schema */
	Oid			logrelid;		/* schemadrift_ddl_log */
	Oid			chainrelid;		/* schemadrift_ddl_log_chain */
	Oid			owner;			/* owner of schemadrift_ddl_log */
	char	   *nspname;
	char	   *log_qual;		/* quoted qualified names */
	char	   *chain_qual;
	char	   *seq_qual;
	SPIPlanPtr	plans[NUM_AUDIT_PLANS];
} AuditTarget;

/* the values of one capture that do not come from the SRFs */
typedef struct AuditRow
{
	Datum		values[NUM_MAX_ARGS];
	char		nulls[NUM_MAX_ARGS];
} AuditRow;

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

/* settings */
static bool sd_audit_capture = true;
static char *sd_audit_change_reason = NULL;

static AuditTarget target;
static bool callback_registered = false;

/* our own INSERT is running: the load trigger stands aside */
static bool in_own_insert = false;

/* seal, purge or load is rewriting rows: the protect trigger stands aside */
static bool in_maintenance = false;

/*
 * audit_relcache_callback
 *		Forget the cached target when the log or the chain table changes (or
 *		on a reset of the whole relcache).  Plans are freed at the next
 *		lookup, never here: one may be running.
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
	int			i;

	for (i = 0; i < NUM_AUDIT_PLANS; i++)
	{
		if (target.plans[i] != NULL)
			SPI_freeplan(target.plans[i]);
		target.plans[i] = NULL;
	}
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
 * audit_target
 *		The log of the schemadrift installation that function fn_oid belongs
 *		to (its schema holds the log).  Resolved once and cached; ERROR with
 *		a repair hint if the log table is missing.
 */
static AuditTarget *
audit_target(Oid fn_oid)
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
	logrelid = get_relname_relid(LOG_TABLE, nspid);
	chainrelid = get_relname_relid(CHAIN_TABLE, nspid);
	if (!OidIsValid(logrelid) || !OidIsValid(chainrelid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("DDL audit log table \"%s.%s\" does not exist",
						nspname, OidIsValid(logrelid) ? CHAIN_TABLE : LOG_TABLE),
				 errhint("Recreate it with DROP EXTENSION schemadrift and CREATE EXTENSION schemadrift, after saving the rows you want to keep.")));

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(logrelid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", logrelid);
	target.owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	oldcxt = MemoryContextSwitchTo(CacheMemoryContext);
	target.nspname = pstrdup(nspname);
	target.log_qual = pstrdup(quote_qualified_identifier(nspname, LOG_TABLE));
	target.chain_qual = pstrdup(quote_qualified_identifier(nspname, CHAIN_TABLE));
	target.seq_qual = pstrdup(quote_qualified_identifier(nspname, LOG_SEQ));
	MemoryContextSwitchTo(oldcxt);

	target.nspid = nspid;
	target.logrelid = logrelid;
	target.chainrelid = chainrelid;
	target.valid = true;
	return &target;
}

/*
 * audit_plan
 *		The kept INSERT plan of the given kind, prepared on first use.  The
 *		caller is connected to SPI, with search_path pinned.
 */
static SPIPlanPtr
audit_plan(AuditTarget *t, AuditPlan which)
{
	static const Oid argtypes[NUM_MAX_ARGS] = {
		XID8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID,
		TEXTOID,
		/* $9..$13: PLAN_REWRITE uses $9 (oid) and $10; PLAN_ONE all */
		TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID
	};
	Oid			types[NUM_MAX_ARGS];
	StringInfoData sql;
	SPIPlanPtr	plan;
	int			nargs = NUM_COMMON_ARGS;

	if (t->plans[which] != NULL)
		return t->plans[which];

	memcpy(types, argtypes, sizeof(types));
	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO %s " INSERT_COLUMNS " ", t->log_qual);
	switch (which)
	{
		case PLAN_COMMANDS:
			appendStringInfoString(&sql,
								   "SELECT " COMMON_VALUES ", 'ddl_command_end', "
								   "c.command_tag, c.object_type, c.schema_name, "
								   "c.object_identity, c.in_extension, false, $5, $6, NULL "
								   "FROM pg_catalog.pg_event_trigger_ddl_commands() c");
			break;
		case PLAN_DROPS:
			appendStringInfoString(&sql,
								   "SELECT " COMMON_VALUES ", 'sql_drop', "
								   "$8, d.object_type, d.schema_name, d.object_identity, "
								   "$7, true, $5, $6, NULL "
								   "FROM pg_catalog.pg_event_trigger_dropped_objects() d "
								   "WHERE d.original OR d.normal");
			break;
		case PLAN_REWRITE:
			types[8] = OIDOID;
			nargs = 10;
			appendStringInfoString(&sql,
								   "SELECT " COMMON_VALUES ", 'table_rewrite', "
								   "$8, o.type, o.schema, o.identity, $7, false, $5, $6, $10 "
								   "FROM pg_catalog.pg_identify_object("
								   "'pg_catalog.pg_class'::pg_catalog.regclass, $9, 0) o");
			break;
		case PLAN_ONE:
			nargs = NUM_MAX_ARGS;
			appendStringInfoString(&sql,
								   "VALUES (" COMMON_VALUES ", $9, $8, $10, $11, $12, "
								   "$7, false, $5, $6, $13)");
			break;
		case NUM_AUDIT_PLANS:
			elog(ERROR, "invalid audit plan");
	}

	plan = SPI_prepare(sql.data, nargs, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 sql.data, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	t->plans[which] = plan;
	pfree(sql.data);
	return plan;
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
 * fill_common_row
 *		Set parameters $1..$8 of a capture: the transaction id (assigned here,
 *		before the INSERT draws an id: the chain's marks rely on it), the
 *		session and current user (taken before any switch to the owner), the
 *		application name, the statement, the change reason, whether an
 *		extension script is running, and the command tag.
 */
static void
fill_common_row(AuditRow *row, const char *command_tag)
{
	char	   *name;
	char	   *statement;

	memset(row->nulls, ' ', sizeof(row->nulls));
	row->values[0] = FullTransactionIdGetDatum(GetTopFullTransactionId());

	name = GetUserNameFromId(GetSessionUserId(), true);
	row->values[1] = name ? CStringGetTextDatum(name) : (Datum) 0;
	row->nulls[1] = name ? ' ' : 'n';
	name = GetUserNameFromId(GetUserId(), true);
	row->values[2] = name ? CStringGetTextDatum(name) : (Datum) 0;
	row->nulls[2] = name ? ' ' : 'n';

	if (application_name != NULL && application_name[0] != '\0')
		row->values[3] = CStringGetTextDatum(application_name);
	else
		row->nulls[3] = 'n';

	statement = top_level_statement();
	if (statement != NULL)
		row->values[4] = CStringGetTextDatum(statement);
	else
		row->nulls[4] = 'n';

	if (sd_audit_change_reason != NULL && sd_audit_change_reason[0] != '\0')
		row->values[5] = CStringGetTextDatum(sd_audit_change_reason);
	else
		row->nulls[5] = 'n';

	row->values[6] = BoolGetDatum(creating_extension);
	if (command_tag != NULL)
		row->values[7] = CStringGetTextDatum(command_tag);
	else
		row->nulls[7] = 'n';
}

/*
 * run_audit_insert
 *		Execute a capture plan.  The caller is connected to SPI and runs as
 *		the log's owner.
 */
static void
run_audit_insert(AuditTarget *t, AuditPlan which, AuditRow *row)
{
	SPIPlanPtr	plan = audit_plan(t, which);
	int			rc;

	in_own_insert = true;
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, row->values, row->nulls, false, 0);
	}
	PG_FINALLY();
	{
		in_own_insert = false;
	}
	PG_END_TRY();
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

/*
 * write_event_rows
 *		Resolve the log, switch to its owner under a pinned search_path and
 *		insert the rows of one event.  Runs inside the caller's
 *		subtransaction, which restores user and settings on error.
 */
static void
write_event_rows(Oid fn_oid, AuditPlan which, EventTriggerData *trigdata)
{
	AuditTarget *t;
	AuditRow	row;
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;

	fill_common_row(&row, GetCommandTagName(trigdata->tag));

	if (which == PLAN_REWRITE)
	{
		LOCAL_FCINFO(rwinfo, 0);
		int			reason;
		StringInfoData detail;

		InitFunctionCallInfoData(*rwinfo, NULL, 0, InvalidOid, NULL, NULL);
		row.values[8] = pg_event_trigger_table_rewrite_oid(rwinfo);
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
		row.values[9] = CStringGetTextDatum(detail.data);
	}

	t = audit_target(fn_oid);

	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", AUDIT_SEARCH_PATH,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(t->owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	run_audit_insert(t, which, &row);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");

	SetUserIdAndSecContext(save_userid, save_sec_context);
	AtEOXact_GUC(true, save_nestlevel);
}

/*
 * audit_capture
 *		The body of the three event-trigger functions: record the event in a
 *		short-lived memory context and a subtransaction.  Fails open: any
 *		error but a cancel is turned into a WARNING and the DDL goes on.
 */
static void
audit_capture(FunctionCallInfo fcinfo, AuditPlan which)
{
	EventTriggerData *trigdata;
	MemoryContext evcxt;
	MemoryContext oldcxt;
	ResourceOwner oldowner;

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
	if (which == PLAN_COMMANDS && trigdata->parsetree != NULL &&
		IsA(trigdata->parsetree, DropStmt))
		return;

	evcxt = AllocSetContextCreate(CurrentMemoryContext,
								  "schemadrift audit event",
								  ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(evcxt);
	oldowner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(evcxt);

	PG_TRY();
	{
		write_event_rows(fcinfo->flinfo->fn_oid, which, trigdata);

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

		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("could not record %s in the DDL audit log: %s",
						GetCommandTagName(trigdata->tag), edata->message),
				 errdetail("The command was executed but is missing from schemadrift_ddl_log."),
				 errhint("Check that the table schemadrift_ddl_log of extension schemadrift exists and is intact; see \"Repairing the log\" in the schemadrift README.")));
		FreeErrorData(edata);
	}
	PG_END_TRY();

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(evcxt);
}

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

/* ------------------------------------------------------------------------
 * The hash chain
 * ------------------------------------------------------------------------
 */

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
 * seal_range
 *		Chain the rows with ids in (st->sealed_through, upto], in id order,
 *		and move the head.  Returns the number of rows sealed.
 */
static int64
seal_range(AuditTarget *t, ChainState *st, int64 upto)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2];
	SPIPlanPtr	update;
	Portal		portal;
	char	   *prev = pstrdup(st->head_hash);
	int64		count = 0;

	update = SPI_prepare(psprintf("UPDATE %s SET chain_hash = $2 WHERE id "
								  "OPERATOR(pg_catalog.=) $1", t->log_qual),
						 2, (Oid[]) {INT8OID, TEXTOID});
	if (update == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));

	values[0] = Int64GetDatum(st->sealed_through);
	values[1] = Int64GetDatum(upto);
	portal = SPI_cursor_open_with_args(NULL,
									   psprintf("SELECT id, " CANONICAL_ROW
												" FROM %s WHERE id OPERATOR(pg_catalog.>) $1 "
												"AND id OPERATOR(pg_catalog.<=) $2 ORDER BY id",
												t->log_qual),
									   2, argtypes, values, NULL, false, 0);
	for (;;)
	{
		uint64		i;
		uint64		n;
		SPITupleTable *tuptable;

		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		tuptable = SPI_tuptable;
		n = SPI_processed;
		for (i = 0; i < n; i++)
		{
			bool		isnull;
			Datum		id = SPI_getbinval(tuptable->vals[i], tuptable->tupdesc, 1, &isnull);
			char	   *canon = SPI_getvalue(tuptable->vals[i], tuptable->tupdesc, 2);
			StringInfoData buf;
			char		hash[SD_SHA256_HEX_LEN + 1];
			Datum		uvalues[2];
			int			rc;

			initStringInfo(&buf);
			appendStringInfoString(&buf, prev);
			appendStringInfoString(&buf, canon);
			sd_util_sha256_hex(buf.data, buf.len, hash);
			pfree(buf.data);

			uvalues[0] = id;
			uvalues[1] = CStringGetTextDatum(hash);
			rc = SPI_execute_plan(update, uvalues, NULL, false, 0);
			if (rc != SPI_OK_UPDATE)
				elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
			pfree(prev);
			prev = pstrdup(hash);
			count++;
		}
		SPI_freetuptable(tuptable);
	}
	SPI_cursor_close(portal);
	SPI_freeplan(update);

	st->sealed_through = upto;
	st->head_hash = prev;
	return count;
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
	Portal		portal;
	char	   *prev = pstrdup(st->base_hash);
	int64		last_sealed = st->base_id;
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

	portal = SPI_cursor_open_with_args(NULL,
									   psprintf("SELECT id, chain_hash, " CANONICAL_ROW
												" FROM %s WHERE id OPERATOR(pg_catalog.>) $1 ORDER BY id",
												t->log_qual),
									   1, argtypes, values, NULL, false, 0);
	while (res->ok)
	{
		uint64		i;
		uint64		n;
		SPITupleTable *tuptable;

		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		tuptable = SPI_tuptable;
		n = SPI_processed;
		for (i = 0; i < n && res->ok; i++)
		{
			bool		isnull;
			int64		id = DatumGetInt64(SPI_getbinval(tuptable->vals[i],
														 tuptable->tupdesc, 1, &isnull));
			char	   *stored = SPI_getvalue(tuptable->vals[i], tuptable->tupdesc, 2);

			if (id > st->sealed_through)
			{
				if (stored != NULL)
				{
					res->ok = false;
					res->broken_id = id;
					res->problem = pstrdup("the row carries a hash but lies beyond the sealed range: the hash was forged");
				}
				else
					res->pending_rows++;
			}
			else if (stored == NULL)
			{
				res->ok = false;
				res->broken_id = id;
				res->problem = pstrdup("the row lies in the sealed range but has no hash: it was inserted after sealing");
			}
			else
			{
				char	   *canon = SPI_getvalue(tuptable->vals[i], tuptable->tupdesc, 3);
				StringInfoData buf;
				char		hash[SD_SHA256_HEX_LEN + 1];

				initStringInfo(&buf);
				appendStringInfoString(&buf, prev);
				appendStringInfoString(&buf, canon);
				sd_util_sha256_hex(buf.data, buf.len, hash);
				pfree(buf.data);
				if (strcmp(hash, stored) != 0)
				{
					res->ok = false;
					res->broken_id = id;
					res->problem = pstrdup("the row does not match the hash chain: it was changed, or a sealed row before it was deleted or changed");
				}
				else
				{
					pfree(prev);
					prev = pstrdup(stored);
					last_sealed = id;
					res->sealed_rows++;
				}
			}
		}
		SPI_freetuptable(tuptable);
	}
	SPI_cursor_close(portal);

	if (res->ok && strcmp(prev, st->head_hash) != 0)
	{
		res->ok = false;
		res->broken_id = last_sealed;
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
				 errmsg("permission denied for table %s", LOG_TABLE),
				 errdetail("Sealing and verifying the DDL log require SELECT on it."),
				 errhint("The owner of extension schemadrift can GRANT SELECT ON %s.%s to this role.",
						 t->nspname, LOG_TABLE)));
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
	audit_capture(fcinfo, PLAN_COMMANDS);
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
	audit_capture(fcinfo, PLAN_DROPS);
	PG_RETURN_NULL();
}

/*
 * schemadrift_audit_table_rewrite
 *		table_rewrite: which table is rewritten and why.
 */
Datum
schemadrift_audit_table_rewrite(PG_FUNCTION_ARGS)
{
	audit_capture(fcinfo, PLAN_REWRITE);
	PG_RETURN_NULL();
}

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
	if (in_own_insert)
		return PointerGetDatum(NULL);

	rel = trigdata->tg_relation;
	nspname = get_namespace_name(RelationGetNamespace(rel));
	log_qual = quote_qualified_identifier(nspname, RelationGetRelationName(rel));
	seq_lit = quote_literal_cstr(quote_qualified_identifier(nspname, LOG_SEQ));

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
	AuditTarget *t = audit_target(fcinfo->flinfo->fn_oid);
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
	AuditTarget *t = audit_target(fcinfo->flinfo->fn_oid);
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
	AuditTarget *t = audit_target(fcinfo->flinfo->fn_oid);
	OwnerWork	w;
	ChainState	st;
	AuditRow	row;
	int64		deleted = 0;
	int64		cut;
	int64		first_id = 0;
	char	   *age;

	if (!superuser() && !is_member_of_role_nosuper(GetUserId(), t->owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to purge the DDL audit log"),
				 errdetail("Only the owner of table %s.%s may purge it.",
						   t->nspname, LOG_TABLE)));

	age = DatumGetCString(DirectFunctionCall1(interval_out, older_than));
	fill_common_row(&row, "PURGE");

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
		}
	}
	PG_FINALLY();
	{
		in_maintenance = false;
	}
	PG_END_TRY();

	/* record the purge itself */
	row.values[8] = CStringGetTextDatum("purge");
	row.values[9] = CStringGetTextDatum("table");
	row.values[10] = CStringGetTextDatum(t->nspname);
	row.values[11] = CStringGetTextDatum(quote_qualified_identifier(t->nspname, LOG_TABLE));
	if (deleted > 0)
		row.values[12] = CStringGetTextDatum(psprintf("deleted " INT64_FORMAT " rows older than %s (ids " INT64_FORMAT " to " INT64_FORMAT ")",
													  deleted, age, first_id, cut));
	else
		row.values[12] = CStringGetTextDatum(psprintf("deleted 0 rows older than %s", age));
	run_audit_insert(t, PLAN_ONE, &row);

	end_owner_work(&w);
	PG_RETURN_INT64(deleted);
}
