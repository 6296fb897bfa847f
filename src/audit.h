/*-------------------------------------------------------------------------
 *
 * audit.h
 *	  The DDL audit log: event-trigger capture and the log's writer.
 *
 * Besides sd_audit_init (for _PG_init), what chain.c and guard.c use: the
 * resolved log, a row of it, the writer that capture, purge and the guard
 * share, and the call of an event-trigger set-returning function.
 *
 * IDENTIFICATION
 *	  src/audit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_AUDIT_H
#define SCHEMADRIFT_AUDIT_H

#include "executor/spi.h"
#include "nodes/execnodes.h"
#include "nodes/parsenodes.h"
#include "tcop/cmdtag.h"
#include "utils/tuplestore.h"
#include "utils/relcache.h"

#include "compat.h"

#define SD_LOG_TABLE	"schemadrift_ddl_log"
#define SD_CHAIN_TABLE	"schemadrift_ddl_log_chain"
#define SD_LOG_SEQ		"schemadrift_ddl_log_id_seq"

/* the columns of schemadrift_ddl_log, in the install script's order */
typedef enum LogColumn
{
	COL_ID,
	COL_OCCURRED_AT,
	COL_TRANSACTION_ID,
	COL_BACKEND_PID,
	COL_SESSION_USER,
	COL_CURRENT_USER,
	COL_CLIENT_ADDR,
	COL_CLIENT_PORT,
	COL_APPLICATION_NAME,
	COL_DATABASE_NAME,
	COL_EVENT,
	COL_COMMAND_TAG,
	COL_OBJECT_TYPE,
	COL_SCHEMA_NAME,
	COL_OBJECT_IDENTITY,
	COL_CREATING_EXTENSION,
	COL_IS_DROP,
	COL_STATEMENT,
	COL_CHANGE_REASON,
	COL_DETAIL,
	COL_CHAIN_HASH,
	NUM_LOG_COLUMNS
} LogColumn;

/*
 * Where the log lives, resolved once per backend and kept until a relcache
 * invalidation of the log or the chain table.  Strings and the plan live in
 * CacheMemoryContext.  The shape of the log (direct, seqrelid, attnums) is
 * inspected at the first write, with the log locked.
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
	bool		inspected;		/* the fields below are set */
	bool		direct;			/* rows may be written without the executor */
	bool		evaluates;		/* writing runs expressions of the log */
	Oid			seqrelid;		/* the sequence of the id default */
	AttrNumber	attnums[NUM_LOG_COLUMNS];	/* each column's attnum */
	SPIPlanPtr	insert_plan;	/* the INSERT when not direct */
} AuditTarget;

/* one row of the log: every column; id and chain_hash are the writer's */
typedef struct AuditRow
{
	Datum		values[NUM_LOG_COLUMNS];
	bool		nulls[NUM_LOG_COLUMNS];
} AuditRow;

/* an open log, ready for rows (see writer_begin) */
typedef struct LogWriter
{
	AuditTarget *t;
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	bool		pushed_snapshot;
	int			nestlevel;		/* of the pinned search_path, or 0 */
	struct SdTouchedList *touched;	/* collects the objects written, or NULL */
} LogWriter;

extern void sd_audit_init(void);
extern AuditTarget *sd_audit_target(Oid fn_oid);
extern void sd_audit_fill_row(AuditRow *row, const char *event,
							  const char *command_tag);
extern void sd_audit_set_text(AuditRow *row, LogColumn col, const char *s);
extern void sd_audit_writer_begin(LogWriter *w, Oid fn_oid);
extern int64 sd_audit_writer_put(LogWriter *w, AuditRow *row);
extern void sd_audit_writer_end(LogWriter *w);
extern void sd_audit_capture_utility(CommandTag tag, const char *object_type,
									 List *names);
#if !SD_REINDEX_FIRES_EVENT_TRIGGERS
extern void sd_audit_capture_reindex(ReindexStmt *stmt);
#endif
extern bool sd_audit_in_own_insert(void);
extern Tuplestorestate *sd_audit_call_event_srf(Oid fnoid, TupleDesc *desc);

#endif							/* SCHEMADRIFT_AUDIT_H */
