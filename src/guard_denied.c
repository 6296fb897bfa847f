/*-------------------------------------------------------------------------
 *
 * guard_denied.c
 *	  The durable queue of refused DDL, and the background worker that moves
 *	  it into the table schemadrift_ddl_denied.
 *
 * A refused command's transaction aborts, so nothing it writes to a table
 * survives.  With the library in shared_preload_libraries, each refusal is
 * also appended, as one JSON line, to the file pg_schemadrift_denied.queue
 * in the data directory, and fsync'd before the ERROR is raised: it
 * survives the abort, an EXCEPTION block that swallows the error, and a
 * crash.  One background worker, connected to the database named by
 * schemadrift.denied_database (pg_cron's model: one database holds the
 * records of every database), takes the file (renames it, under an
 * exclusive flock that appenders also take), inserts each line into
 * schemadrift_ddl_denied of that database, commits, and only then removes
 * the taken file.  A crash between the commit and the removal replays the
 * file: each line carries a unique id (the table's primary key), and the
 * insert skips lines already there, so each refusal is kept exactly once.
 * Without preload there is no queue: the LOG line is all there is.
 *
 * IDENTIFICATION
 *	  src/guard_denied.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "guard.h"
#include "util.h"

PGDLLEXPORT void schemadrift_denied_main(Datum main_arg);

#define QUEUE_FILE		"pg_schemadrift_denied.queue"
#define QUEUE_TAKEN		"pg_schemadrift_denied.queue.taken"

/* set in the postmaster when preloaded; backends inherit it */
static bool queue_enabled = false;

/* settings */
static char *sd_denied_database = NULL;
static int	sd_denied_naptime = 1;

/* makes queue ids unique within a backend */
static uint32 queue_counter = 0;

/* the worker said once that its database has no table (until it has one) */
static bool warned_no_table = false;

/*
 * sd_guard_denied_init
 *		Define the queue's settings; when the library is being preloaded,
 *		turn the queue on and register its worker.  Called from _PG_init
 *		before the prefix is reserved.
 */
void
sd_guard_denied_init(void)
{
	BackgroundWorker worker;

	DefineCustomStringVariable("schemadrift.denied_database",
							   "Database whose schemadrift_ddl_denied receives refused DDL.",
							   "With schemadrift in shared_preload_libraries, one "
							   "background worker connects to this database and moves "
							   "the queued refusals of every database into its table "
							   "schemadrift_ddl_denied.  Read when the worker starts.",
							   &sd_denied_database,
							   "postgres",
							   PGC_SIGHUP,
							   0,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("schemadrift.denied_naptime",
							"Seconds between two moves of the refused-DDL queue.",
							NULL,
							&sd_denied_naptime,
							1, 1, 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;
	queue_enabled = true;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "schemadrift");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "schemadrift_denied_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "schemadrift denied-DDL mover");
	snprintf(worker.bgw_type, BGW_MAXLEN, "schemadrift denied-DDL mover");
	RegisterBackgroundWorker(&worker);
}

/*
 * open_locked_queue
 *		Open the queue file for appending and lock it exclusively, making
 *		sure the file locked is still the one named QUEUE_FILE (the worker
 *		may have taken it between our open and our lock).  Returns the fd,
 *		or -1 with errno set.
 */
static int
open_locked_queue(void)
{
	for (;;)
	{
		int			fd = OpenTransientFile(QUEUE_FILE, O_WRONLY | O_APPEND | O_CREAT | PG_BINARY);
		struct stat by_fd;
		struct stat by_name;

		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) != 0 || fstat(fd, &by_fd) != 0)
		{
			int			save_errno = errno;

			CloseTransientFile(fd);
			errno = save_errno;
			return -1;
		}
		if (stat(QUEUE_FILE, &by_name) == 0 && by_name.st_ino == by_fd.st_ino &&
			by_name.st_dev == by_fd.st_dev)
			return fd;
		CloseTransientFile(fd);	/* taken meanwhile: open the new one */
	}
}

/*
 * sd_guard_denied_queue
 *		Append the refusal record (a JSON object, without its id) to the
 *		queue and fsync it; a no-op unless the library was preloaded.  The
 *		record gains "id" and "occurred_at".  A failure is reported at LOG
 *		level: the refusal itself goes on (its LOG line is written already).
 */
void
sd_guard_denied_queue(const char *record)
{
	StringInfoData line;
	int			fd;
	int			rc;

	if (!queue_enabled || record[0] != '{')
		return;

	initStringInfo(&line);
	appendStringInfo(&line, "{\"id\": \"%d.%lld.%u\", \"occurred_at\": \"%s\", %s\n",
					 MyProcPid, (long long) GetCurrentTimestamp(), queue_counter++,
					 timestamptz_to_str(GetCurrentStatementStartTimestamp()),
					 record + 1);

	fd = open_locked_queue();
	if (fd < 0)
	{
		ereport(LOG,
				(errcode_for_file_access(),
				 errmsg("could not queue a refused DDL command in \"%s\": %m", QUEUE_FILE)));
		pfree(line.data);
		return;
	}
	rc = write(fd, line.data, line.len);
	if (rc != line.len || pg_fsync(fd) != 0)
		ereport(LOG,
				(errcode_for_file_access(),
				 errmsg("could not write to \"%s\": %m", QUEUE_FILE)));
	CloseTransientFile(fd);		/* releases the lock */
	pfree(line.data);
}

/*
 * take_queue
 *		Make the queue file the taken file, unless a taken file is left from
 *		a round that did not finish (it is replayed first).  Returns whether
 *		there is a taken file to move.
 */
static bool
take_queue(void)
{
	int			fd;

	if (access(QUEUE_TAKEN, F_OK) == 0)
		return true;
	fd = open(QUEUE_FILE, O_RDWR | PG_BINARY, 0);
	if (fd < 0)
	{
		if (errno != ENOENT)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not open \"%s\": %m", QUEUE_FILE)));
		return false;
	}
	if (flock(fd, LOCK_EX) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not lock \"%s\": %m", QUEUE_FILE)));
	(void) durable_rename(QUEUE_FILE, QUEUE_TAKEN, ERROR);
	close(fd);					/* releases the lock */
	return true;
}

/*
 * denied_table
 *		The quoted, qualified name of schemadrift_ddl_denied in this
 *		database, or NULL if schemadrift (or the table) is not installed.
 *		The caller is connected to SPI.
 */
static char *
denied_table(void)
{
	int			rc;
	bool		isnull;
	Datum		d;

	rc = SPI_execute("SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) "
					 "'.schemadrift_ddl_denied' "
					 "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
					 "ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
					 "JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid "
					 "AND c.relname OPERATOR(pg_catalog.=) 'schemadrift_ddl_denied' "
					 "WHERE e.extname OPERATOR(pg_catalog.=) 'schemadrift'",
					 true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return NULL;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return TextDatumGetCString(d);
}

/*
 * insert_lines
 *		Insert each line of buf into table, skipping ids already there.
 *		The caller is connected to SPI, with search_path pinned.
 */
static void
insert_lines(const char *table, char *buf)
{
	char	   *sql;
	Oid			types[1] = {TEXTOID};
	char	   *line = buf;

	sql = psprintf("INSERT INTO %s (queue_id, occurred_at, database_name, session_user_name, "
				   "current_user_name, client_addr, application_name, command_tag, schema_name, "
				   "object_identity, rule_id, why, mode, change_reason, statement) "
				   "SELECT r->>'id', (r->>'occurred_at')::timestamptz, r->>'database', "
				   "r->>'session_user', r->>'current_user', (r->>'client_addr')::inet, "
				   "r->>'application_name', "
				   "r->>'command', r->>'schema', r->>'object', (r->>'rule')::bigint, "
				   "r->>'why', r->>'mode', r->>'change_reason', r->>'statement' "
				   "FROM (SELECT $1::pg_catalog.jsonb AS r) s "
				   "ON CONFLICT (queue_id) DO NOTHING", table);
	while (*line)
	{
		char	   *end = strchr(line, '\n');
		Datum		values[1];
		int			rc;

		if (end != NULL)
			*end = '\0';
		if (*line)
		{
			values[0] = CStringGetTextDatum(line);
			rc = SPI_execute_with_args(sql, 1, types, values, NULL, false, 0);
			if (rc != SPI_OK_INSERT)
				elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
		}
		if (end == NULL)
			break;
		line = end + 1;
	}
}

/*
 * move_queue
 *		One round: take the queue, insert its lines in one transaction, and
 *		remove the taken file once that transaction has committed.  If this
 *		database has no schemadrift_ddl_denied, the file is kept (and a
 *		WARNING says so, once).
 */
static void
move_queue(void)
{
	StringInfoData buf;
	FILE	   *f;
	char		chunk[8192];
	size_t		n;
	char	   *table;
	int			nestlevel;

	if (!take_queue())
		return;

	initStringInfo(&buf);
	f = AllocateFile(QUEUE_TAKEN, PG_BINARY_R);
	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open \"%s\": %m", QUEUE_TAKEN)));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		appendBinaryStringInfo(&buf, chunk, n);
	FreeFile(f);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "moving refused DDL into schemadrift_ddl_denied");
	nestlevel = sd_util_pin_gucs();

	table = denied_table();
	if (table != NULL)
	{
		insert_lines(table, buf.data);
		warned_no_table = false;
	}
	else if (!warned_no_table)
		ereport(WARNING,
				(errmsg("refused DDL is queued but database \"%s\" has no schemadrift_ddl_denied table",
						sd_denied_database),
				 errhint("CREATE EXTENSION schemadrift in that database, or set schemadrift.denied_database.")));

	sd_util_unpin_gucs(nestlevel);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	if (table == NULL)
		warned_no_table = true;

	if (table != NULL)
	{
		if (unlink(QUEUE_TAKEN) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not remove \"%s\": %m", QUEUE_TAKEN)));
		fsync_fname(".", true);
	}
	pfree(buf.data);
}

/*
 * schemadrift_denied_main
 *		The worker: connect to schemadrift.denied_database, then move the
 *		queue at start and every schemadrift.denied_naptime seconds.  An
 *		error ends the worker; the postmaster starts it again 10 s later.
 */
void
schemadrift_denied_main(Datum main_arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(sd_denied_database, NULL, 0);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		move_queue();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 sd_denied_naptime * 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
