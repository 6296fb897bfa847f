/*-------------------------------------------------------------------------
 *
 * remote_conn.c
 *	  Connections to remote servers: a foreign server and the caller's user
 *	  mapping, made into a checked libpq connection, and the queries run on
 *	  it, each with a deadline, cancellable at every step.
 *
 * The connection is built as dblink builds one from a foreign server
 * (get_connect_string): USAGE on the server is checked, the options of the
 * server and of the user mapping are filtered to libpq's own (user and
 * secrets only from the user mapping, never debug options), and they are
 * passed as keyword/value arrays, never as a concatenated connection string.
 * Only servers of the postgres_fdw and dblink_fdw wrappers are sides; a
 * wrapper is recognised by its validator function, not by its name.
 *
 * Non-superusers never reach a remote with the server's own credentials
 * (THREATS.md T1-T4, the rule of dblink and postgres_fdw): their user
 * mapping must hold a password before connecting (or, on a postgres_fdw
 * server, password_required 'false', which only a superuser can set), the
 * service and passfile options are refused, and after connecting
 * PQconnectionUsedPassword() must show that the remote asked for it.
 *
 * libpq is driven without blocking (PQconnectStartParams/PQconnectPoll,
 * PQsendQueryParams/PQconsumeInput) on the backend's latch, with deadlines
 * of our own (libpq ignores connect_timeout in PQconnectPoll; the helpers
 * of PostgreSQL 16 and later wait without one), so that Ctrl-C,
 * statement_timeout, schemadrift.connect_timeout and
 * schemadrift.remote_timeout end any step.  On an error or a timeout the
 * connection is closed, never cancelled (PQcancel can block on a dead
 * host): every open connection is in a list that the end of its
 * (sub)transaction closes.  The steps of connecting and of a query are
 * exported too (sd_remote_connect_step, sd_remote_receive_step), with a
 * wait on several connections' sockets at once (sd_remote_wait_any), for a
 * read over several connections (side_remote_slices.c).  Only a DNS lookup, inside libpq, cannot be
 * interrupted: hostaddr avoids it.
 *
 * A remote session is pinned before any catalog query: the settings the
 * local side pins (util.c), client_encoding UTF8, statement_timeout, in a
 * REPEATABLE READ READ ONLY transaction.  Its errors come back with the
 * remote SQLSTATE, message, detail and hint, and the server's name as
 * context; its notices go to the server log at DEBUG1, never to the client.
 *
 * IDENTIFICATION
 *	  src/remote_conn.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_user_mapping.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "postmaster/postmaster.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
#include "utils/wait_event.h"

#include "compat.h"
#include "remote.h"
#include "util.h"

/* the majors whose catalogs the extraction SQL can read */
#define SD_REMOTE_MIN_VERSION	150000
#define SD_REMOTE_MAX_VERSION	189999

/* GUCs */
int			sd_connect_timeout = 10;
int			sd_remote_timeout = 300;
int			sd_remote_connections = 1;

/* the open connections, newest first */
static SdRemote *open_remotes = NULL;
static bool callbacks_registered = false;

/* libpq's connection options, read once (malloc'd by libpq) */
static PQconninfoOption *libpq_options = NULL;

static void finish_connecting(SdRemote *r);
static TimestampTz deadline_in(int seconds);

/*
 * sd_remote_init
 *		Define the remote settings (from _PG_init).
 */
void
sd_remote_init(void)
{
	DefineCustomIntVariable("schemadrift.connect_timeout",
							"Sets the longest wait for a connection to a remote server.",
							"Counts from the start of the connection to its end, "
							"authentication included; a DNS lookup cannot be "
							"interrupted (give hostaddr to avoid one).",
							&sd_connect_timeout,
							10, 1, 3600,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("schemadrift.remote_timeout",
							"Sets the longest wait for each query on a remote server.",
							"The remote session's statement_timeout is set to it "
							"too; 0 waits as long as the query runs (Ctrl-C and "
							"statement_timeout still end it).",
							&sd_remote_timeout,
							300, 0, 86400,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("schemadrift.remote_connections",
							"Sets the most connections that read one remote server at once.",
							"The extra connections share the first one's exported "
							"snapshot and each reads a slice of the relations; they "
							"are used only from schemadrift.parallel_min_relations "
							"relations on.  1 reads over one connection.",
							&sd_remote_connections,
							1, 1, SD_REMOTE_MAX_CONNECTIONS,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}

/* ---- the list of open connections ---------------------------------------- */

/* unlink r from the list and close its connection */
static void
close_remote(SdRemote *r)
{
	SdRemote  **p;

	for (p = &open_remotes; *p != NULL; p = &(*p)->next)
		if (*p == r)
		{
			*p = r->next;
			break;
		}
	if (r->conn != NULL)
		PQfinish(r->conn);
	r->conn = NULL;
	pfree(r->server);
	if (r->version_text)
		pfree(r->version_text);
	pfree(r);
}

/* the end of a transaction closes every connection left open */
static void
remote_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			while (open_remotes != NULL)
				close_remote(open_remotes);
			break;
		default:
			break;
	}
}

/* a subtransaction's abort closes the connections it opened */
static void
remote_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	SdRemote   *r;
	SdRemote   *next;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	for (r = open_remotes; r != NULL; r = next)
	{
		next = r->next;
		if (r->subid >= mySubid)
			close_remote(r);
	}
}

/*
 * sd_remote_is_open
 *		Whether r is still open: an error closes the connection it happened
 *		on (and frees r).  Only compares r with the open ones, so r may be
 *		a pointer to a connection closed since, as long as no connection
 *		was opened in between.
 */
bool
sd_remote_is_open(SdRemote *r)
{
	SdRemote   *o;

	for (o = open_remotes; o != NULL; o = o->next)
		if (o == r)
			return true;
	return false;
}

/*
 * sd_remote_close
 *		Close a connection opened by sd_remote_connect().
 */
void
sd_remote_close(SdRemote *r)
{
	close_remote(r);
}

/* ---- errors --------------------------------------------------------------- */

/*
 * connection_lost
 *		Close r and fail: the connection broke or libpq could not go on.
 *		libpq's message never holds a password.
 */
static void
connection_lost(SdRemote *r, const char *what)
{
	char	   *server = pstrdup(r->server);
	char	   *message = pchomp(PQerrorMessage(r->conn));

	close_remote(r);
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("lost the connection to server \"%s\" while %s", server, what),
			 errdetail_internal("%s", message)));
}

/*
 * timed_out
 *		Close r and fail: the deadline passed.
 */
static void
timed_out(SdRemote *r, bool connecting, const char *what)
{
	char	   *server = pstrdup(r->server);

	close_remote(r);
	if (connecting)
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to server \"%s\": timed out after %d s",
						server, sd_connect_timeout),
				 errdetail("The remote server did not complete the connection within schemadrift.connect_timeout."),
				 errhint("Check that the server's host and port are right and the remote is up, or raise schemadrift.connect_timeout.")));
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("server \"%s\" did not answer within %d s while %s",
					server, sd_remote_timeout, what),
			 errdetail("The connection was closed after schemadrift.remote_timeout."),
			 errhint("Check the remote for locks held by long transactions, or raise schemadrift.remote_timeout.")));
}

/*
 * remote_error
 *		Fail with the error of a remote query, keeping its SQLSTATE, message,
 *		detail and hint; the result is freed and the connection closed.
 */
static void
remote_error(SdRemote *r, PGresult *res, const char *what)
{
	const char *diag_sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *diag_primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *diag_detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *diag_hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	int			sqlstate = ERRCODE_CONNECTION_FAILURE;
	char	   *primary;
	char	   *detail = diag_detail ? pstrdup(diag_detail) : NULL;
	char	   *hint = diag_hint ? pstrdup(diag_hint) : NULL;
	char	   *server = pstrdup(r->server);

	if (diag_sqlstate && strlen(diag_sqlstate) == 5)
		sqlstate = MAKE_SQLSTATE(diag_sqlstate[0], diag_sqlstate[1],
								 diag_sqlstate[2], diag_sqlstate[3],
								 diag_sqlstate[4]);
	primary = diag_primary ? pstrdup(diag_primary) : pchomp(PQerrorMessage(r->conn));
	PQclear(res);
	close_remote(r);
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg_internal("%s", primary),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 errcontext("remote server \"%s\", while %s", server, what)));
}

/* remote notices: to the server log at DEBUG1, never to the client */
static void
notice_receiver(void *arg, const PGresult *res)
{
	SdRemote   *r = (SdRemote *) arg;
	const char *message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	ereport(DEBUG1,
			(errmsg_internal("remote server \"%s\": %s", r->server,
							 message ? message : "(no message)")));
}

/* ---- waiting -------------------------------------------------------------- */

/*
 * sd_remote_timed_out
 *		Close r and fail: its deadline passed while connecting (connecting)
 *		or while what.
 */
void
sd_remote_timed_out(SdRemote *r, bool connecting, const char *what)
{
	timed_out(r, connecting, what);
}

/*
 * sd_remote_deadline
 *		The time seconds from now, or 0 (no deadline) for seconds <= 0.
 */
TimestampTz
sd_remote_deadline(int seconds)
{
	return deadline_in(seconds);
}

/* the time seconds from now, or 0 (no deadline) for seconds <= 0 */
static TimestampTz
deadline_in(int seconds)
{
	if (seconds <= 0)
		return 0;
	return TimestampTzPlusMilliseconds(GetCurrentTimestamp(), (int64) seconds * 1000);
}

/*
 * wait_for
 *		Sleep on the latch until r's socket is ready for events, serving
 *		interrupts (Ctrl-C, statement_timeout, termination: the transaction
 *		abort then closes r) and failing once deadline (0: none) passes.
 */
static void
wait_for(SdRemote *r, int events, TimestampTz deadline, bool connecting,
		 const char *what)
{
	for (;;)
	{
		long		timeout = -1;
		int			wl = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | events;
		int			rc;
		pgsocket	sock = PQsocket(r->conn);

		if (sock == PGINVALID_SOCKET)
			connection_lost(r, what);
		if (deadline != 0)
		{
			timeout = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
			if (timeout <= 0)
				timed_out(r, connecting, what);
			wl |= WL_TIMEOUT;
		}
		rc = WaitLatchOrSocket(MyLatch, wl, sock, timeout, PG_WAIT_EXTENSION);
		if (rc & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
		if (rc & events)
			return;
	}
}

/*
 * sd_remote_wait_any
 *		Sleep on the latch until at least one of the n connections w[i] with
 *		events to wait for (w[i].events != 0) is ready for them (w[i].ready)
 *		or has passed its deadline (w[i].expired; deadline 0: none), serving
 *		interrupts meanwhile (Ctrl-C, statement_timeout, termination: the
 *		transaction abort then closes every connection).  A connection whose
 *		socket is gone counts as ready: its next step finds the failure.
 *		What to do with an expired connection is the caller's choice.
 */
void
sd_remote_wait_any(SdRemoteWait *w, int n)
{
	for (;;)
	{
		WaitEventSet *set;
		WaitEvent  *events;
		TimestampTz now = GetCurrentTimestamp();
		long		timeout = -1;
		int			nwait = 0;
		int			nevents;
		bool		any = false;
		int			i;

		for (i = 0; i < n; i++)
		{
			w[i].ready = w[i].expired = false;
			if (w[i].events == 0)
				continue;
			if (PQsocket(w[i].r->conn) == PGINVALID_SOCKET)
				w[i].ready = any = true;
			else if (w[i].deadline != 0)
			{
				long		left = TimestampDifferenceMilliseconds(now, w[i].deadline);

				if (left <= 0)
					w[i].expired = any = true;
				else if (timeout < 0 || left < timeout)
					timeout = left;
			}
		}
		if (any)
			return;

		/* all that can raise before the set exists (see below) */
		for (i = 0; i < n; i++)
			if (w[i].events != 0)
				nwait++;
		if (nwait == 0)
			elog(ERROR, "no remote connection to wait for");
		events = palloc(sizeof(WaitEvent) * (nwait + 2));

		set = SD_CREATE_WAIT_EVENT_SET(nwait + 2);
		AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
		AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
		for (i = 0; i < n; i++)
			if (w[i].events != 0)
				AddWaitEventToSet(set, w[i].events, PQsocket(w[i].r->conn), NULL, &w[i]);
		nevents = WaitEventSetWait(set, timeout, events, nwait + 2, PG_WAIT_EXTENSION);

		/*
		 * The set is freed before anything can raise an error (Ctrl-C below):
		 * before PostgreSQL 17 no resource owner would free its descriptor.
		 */
		FreeWaitEventSet(set);
		for (i = 0; i < nevents; i++)
		{
			if (events[i].events & WL_LATCH_SET)
			{
				ResetLatch(MyLatch);
				CHECK_FOR_INTERRUPTS();
			}
			else if (events[i].user_data != NULL)
			{
				((SdRemoteWait *) events[i].user_data)->ready = true;
				any = true;
			}
		}
		pfree(events);
		if (any)
			return;
	}
}

/* ---- connecting ------------------------------------------------------------ */

/*
 * is_side_wrapper
 *		Whether fdw is postgres_fdw or dblink_fdw, by its validator function
 *		(a wrapper can be created under any name).
 */
static bool
is_side_wrapper(ForeignDataWrapper *fdw, bool *postgres_fdw)
{
	char	   *validator;

	*postgres_fdw = false;
	if (!OidIsValid(fdw->fdwvalidator))
		return false;
	validator = get_func_name(fdw->fdwvalidator);
	if (validator == NULL)
		return false;
	*postgres_fdw = strcmp(validator, "postgres_fdw_validator") == 0;
	return *postgres_fdw || strcmp(validator, "dblink_fdw_validator") == 0;
}

/*
 * libpq_option
 *		libpq's description of the connection option keyword, or NULL if
 *		libpq has no such option.
 */
static const PQconninfoOption *
libpq_option(const char *keyword)
{
	const PQconninfoOption *opt;

	if (libpq_options == NULL)
	{
		libpq_options = PQconndefaults();
		if (libpq_options == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Could not get libpq's default connection options.")));
	}
	for (opt = libpq_options; opt->keyword != NULL; opt++)
		if (strcmp(opt->keyword, keyword) == 0)
			return opt;
	return NULL;
}

/*
 * usable_option
 *		Whether an option of the server (from_mapping false) or of the user
 *		mapping is passed to libpq, as dblink decides it
 *		(is_valid_dblink_option): libpq's own options only, no debug option,
 *		no client_encoding (ours is UTF8); the user and secrets only from the
 *		user mapping, everything else only from the server.
 */
static bool
usable_option(const char *name, bool from_mapping)
{
	const PQconninfoOption *opt = libpq_option(name);

	if (opt == NULL || strchr(opt->dispchar, 'D') != NULL ||
		strcmp(name, "client_encoding") == 0 ||
		strcmp(name, "fallback_application_name") == 0)
		return false;
	if (strcmp(name, "user") == 0 || strchr(opt->dispchar, '*') != NULL)
		return from_mapping;
	return !from_mapping;
}

/*
 * check_password_rule
 *		Before connecting as a non-superuser: the user mapping must give a
 *		password (or, on a postgres_fdw server, a superuser must have set
 *		password_required 'false' on it, which postgres_fdw's validator
 *		allows only superusers), and options that reach the server's own
 *		files are refused.  Returns whether the connection must then show
 *		that it used the password (false for superusers and where a
 *		superuser waived it).
 */
static bool
check_password_rule(const char *server, bool postgres_fdw, List *server_options,
					List *mapping_options)
{
	ListCell   *lc;
	bool		has_password = false;
	bool		required = true;

	if (superuser())
		return false;

	foreach(lc, server_options)
	{
		DefElem    *def = lfirst(lc);

		if (strcmp(def->defname, "service") == 0 || strcmp(def->defname, "passfile") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
					 errmsg("server \"%s\" has option \"%s\", which non-superusers may not connect with",
							server, def->defname),
					 errdetail("It names a file of the database server's operating system user, whose credentials non-superusers must not borrow."),
					 errhint("Give the connection parameters as options of the server, and the password in the user mapping.")));
	}
	foreach(lc, mapping_options)
	{
		DefElem    *def = lfirst(lc);

		if (strcmp(def->defname, "password") == 0 && strVal(def->arg)[0] != '\0')
			has_password = true;
		else if (postgres_fdw && strcmp(def->defname, "password_required") == 0)
			required = defGetBoolean(def);
	}
	if (!required)
		return false;
	if (has_password)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
			 errmsg("password is required to connect to server \"%s\"", server),
			 errdetail("Non-superusers must give a password in their user mapping: schemadrift does not connect with the database server's own credentials (trust, peer, .pgpass, a service file)."),
			 errhint("Add it: ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (ADD password '...').",
					 quote_identifier(server))));
}

/*
 * sd_remote_pin_sql, pin_session
 *		Pin r's session before any catalog query: the settings the local
 *		side pins, statement_timeout (sd_remote_pin_sql() gives the query
 *		that sets them), then a REPEATABLE READ READ ONLY transaction
 *		(SD_REMOTE_BEGIN).  Every call is schema-qualified: a remote role
 *		whose search_path puts a schema of its own first runs none of its
 *		functions here.
 */
char *
sd_remote_pin_sql(SdRemote *r)
{
	StringInfoData sql;
	const char *name;
	const char *value;
	int			i;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (i = 0; sd_util_pinned_setting(i, &name, &value); i++)
		appendStringInfo(&sql, "pg_catalog.set_config(%s, %s, false), ",
						 quote_literal_cstr(name), quote_literal_cstr(value));
	appendStringInfo(&sql, "pg_catalog.set_config('statement_timeout', '%d', false), "
					 "pg_catalog.set_config('lock_timeout', '0', false), "
					 "pg_catalog.set_config('idle_in_transaction_session_timeout', '0', false)",
					 sd_remote_timeout * 1000);
	if (r->version >= 170000)
		appendStringInfoString(&sql, ", pg_catalog.set_config('transaction_timeout', '0', false)");
	return sql.data;
}

static void
pin_session(SdRemote *r, bool begin_read)
{
	char	   *sql = sd_remote_pin_sql(r);

	sd_remote_command(r, sql, "setting up the session");
	if (begin_read)
		sd_remote_command(r, SD_REMOTE_BEGIN, "setting up the session");
	pfree(sql);
}

/*
 * start_connection
 *		Register a new connection named name in the list of open ones (so
 *		that the end of the (sub)transaction closes it) and start libpq on
 *		the keyword/value arrays, without waiting.
 */
static SdRemote *
start_connection(const char *name, const char **keywords, const char **values,
				 bool password_required)
{
	SdRemote   *r;

	if (!callbacks_registered)
	{
		RegisterXactCallback(remote_xact_callback, NULL);
		RegisterSubXactCallback(remote_subxact_callback, NULL);
		callbacks_registered = true;
	}

	/* registered before libpq starts, so that any error below closes it */
	r = MemoryContextAllocZero(TopMemoryContext, sizeof(SdRemote));
	r->server = MemoryContextStrdup(TopMemoryContext, name);
	r->subid = GetCurrentSubTransactionId();
	r->password_required = password_required;
	r->next = open_remotes;
	open_remotes = r;

	r->conn = PQconnectStartParams(keywords, values, false);
	if (r->conn == NULL)
	{
		close_remote(r);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not allocate a libpq connection.")));
	}
	return r;
}

/*
 * sd_remote_start
 *		Check everything about the foreign server named server and the
 *		current user's user mapping (or PUBLIC's) that can be checked before
 *		connecting, and start connecting to it without waiting.  Drive the
 *		connection with PQconnectPoll(), then sd_remote_check_connected().
 *		The connection is closed by sd_remote_close(), or at the end of the
 *		(sub)transaction that opened it.
 */
SdRemote *
sd_remote_start(const char *servername)
{
	ForeignServer *server;
	ForeignDataWrapper *fdw;
	UserMapping *mapping;
	AclResult	aclresult;
	bool		postgres_fdw;
	bool		password_required;
	const char **keywords;
	const char **values;
	int			n = 0;
	ListCell   *lc;
	SdRemote   *r;

	server = GetForeignServerByName(servername, true);
	if (server == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("server \"%s\" does not exist", servername),
				 errhint("A side is this database (NULL), a snapshot (jsonb) or a foreign server: create one with CREATE SERVER ... FOREIGN DATA WRAPPER postgres_fdw.")));
	fdw = GetForeignDataWrapper(server->fdwid);
	if (!is_side_wrapper(fdw, &postgres_fdw))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not a PostgreSQL server", servername),
				 errdetail("Its foreign-data wrapper \"%s\" is neither postgres_fdw nor dblink_fdw.",
						   fdw->fdwname),
				 errhint("Create a server of the postgres_fdw or dblink_fdw wrapper for the remote database.")));
	aclresult = SD_FOREIGN_SERVER_ACLCHECK(server->serverid, GetUserId(), ACL_USAGE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);
	if (!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(GetUserId()),
							   ObjectIdGetDatum(server->serverid)) &&
		!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							   ObjectIdGetDatum(server->serverid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no user mapping for role \"%s\" on server \"%s\"",
						GetUserNameFromId(GetUserId(), false), server->servername),
				 errhint("Create one: CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (user '...', password '...').",
						 quote_identifier(server->servername))));
	mapping = GetUserMapping(GetUserId(), server->serverid);

	password_required = check_password_rule(server->servername, postgres_fdw,
											server->options, mapping->options);

	/* keyword/value arrays: server options, mapping options, ours */
	keywords = palloc0(sizeof(char *) *
					   (list_length(server->options) + list_length(mapping->options) + 3));
	values = palloc0(sizeof(char *) *
					 (list_length(server->options) + list_length(mapping->options) + 3));
	foreach(lc, server->options)
	{
		DefElem    *def = lfirst(lc);

		if (usable_option(def->defname, false))
		{
			keywords[n] = def->defname;
			values[n++] = strVal(def->arg);
		}
	}
	foreach(lc, mapping->options)
	{
		DefElem    *def = lfirst(lc);

		if (usable_option(def->defname, true))
		{
			keywords[n] = def->defname;
			values[n++] = strVal(def->arg);
		}
	}
	keywords[n] = "fallback_application_name";
	values[n++] = "schemadrift";
	keywords[n] = "client_encoding";
	values[n++] = "UTF8";
	keywords[n] = NULL;
	values[n] = NULL;

	r = start_connection(server->servername, keywords, values, password_required);
	pfree(keywords);
	pfree(values);
	return r;
}

/*
 * sd_remote_check_connected
 *		Once PQconnectPoll() has returned PGRES_POLLING_OK: the checks after
 *		connecting (the remote must have asked for the mapping's password
 *		where that is required; a major schemadrift can read), then the
 *		connection is made non-blocking.  Returns NULL, or the error (its
 *		SQLSTATE into *sqlstate, the message palloc'd) for the caller to
 *		raise or record; r is then left open.
 */
char *
sd_remote_check_connected(SdRemote *r, int *sqlstate)
{
	if (r->password_required && !PQconnectionUsedPassword(r->conn))
	{
		*sqlstate = ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED;
		return psprintf("the connection to server \"%s\" did not use the password of the user mapping",
						r->server);
	}
	r->version = PQserverVersion(r->conn);
	r->version_text = MemoryContextStrdup(TopMemoryContext,
										  PQparameterStatus(r->conn, "server_version") ?
										  PQparameterStatus(r->conn, "server_version") : "unknown");
	r->utf8 = (PQparameterStatus(r->conn, "server_encoding") != NULL &&
			   strcmp(PQparameterStatus(r->conn, "server_encoding"), "UTF8") == 0);
	if (r->version < SD_REMOTE_MIN_VERSION || r->version > SD_REMOTE_MAX_VERSION)
	{
		*sqlstate = ERRCODE_FEATURE_NOT_SUPPORTED;
		return psprintf("server \"%s\" runs PostgreSQL %s, which schemadrift cannot read",
						r->server, r->version_text);
	}
	PQsetNoticeReceiver(r->conn, notice_receiver, r);
	if (PQsetnonblocking(r->conn, 1) != 0)
	{
		*sqlstate = ERRCODE_CONNECTION_FAILURE;
		return psprintf("could not make the connection to server \"%s\" non-blocking",
						r->server);
	}
	return NULL;
}

/*
 * sd_remote_connect
 *		Open a checked, pinned connection to the foreign server named server,
 *		with the current user's user mapping (or PUBLIC's), waiting for it.
 *		The connection is closed by sd_remote_close(), or at the end of the
 *		(sub)transaction that opened it.
 */
SdRemote *
sd_remote_connect(const char *servername)
{
	SdRemote   *r = sd_remote_start(servername);

	finish_connecting(r);
	pin_session(r, true);
	return r;
}

/*
 * sd_remote_connect_session
 *		As sd_remote_connect(), but the pinned session is left outside any
 *		transaction: for a caller that runs statements of its own (a
 *		guarded apply, apply.c), which then begins and ends transactions.
 */
SdRemote *
sd_remote_connect_session(const char *servername)
{
	SdRemote   *r = sd_remote_start(servername);

	finish_connecting(r);
	pin_session(r, false);
	return r;
}

/*
 * sd_remote_connect_loopback
 *		A pinned session, outside any transaction, on this database of this
 *		server as the current user, over this server's first Unix socket
 *		(or 127.0.0.1 when it listens on none), with no password: it
 *		authenticates as pg_hba.conf says for such a connection (trust, or
 *		peer for the operating system user the server runs as, or
 *		.pgpass), that is, with the database server's own credentials.  So
 *		only superusers may open one (apply.c checks it; THREATS.md T1):
 *		any other role uses a foreign server for this database, with the
 *		password in its user mapping.
 */
SdRemote *
sd_remote_connect_loopback(void)
{
	const char *keywords[8];
	const char *values[8];
	char	   *dirs = pstrdup(GetConfigOption("unix_socket_directories", false, false));
	List	   *dirlist = NIL;
	int			n = 0;
	SdRemote   *r;

	if (!superuser())
		elog(ERROR, "only superusers open a loopback connection");
	if (SplitDirectoriesString(dirs, ',', &dirlist) && dirlist != NIL)
	{
		keywords[n] = "host";
		values[n++] = linitial(dirlist);
	}
	else
	{
		keywords[n] = "hostaddr";
		values[n++] = "127.0.0.1";
	}
	keywords[n] = "port";
	values[n++] = psprintf("%d", PostPortNumber);
	keywords[n] = "dbname";
	values[n++] = get_database_name(MyDatabaseId);
	keywords[n] = "user";
	values[n++] = GetUserNameFromId(GetUserId(), false);
	keywords[n] = "fallback_application_name";
	values[n++] = "schemadrift";
	keywords[n] = "client_encoding";
	values[n++] = "UTF8";
	keywords[n] = NULL;
	values[n] = NULL;
	r = start_connection("loopback", keywords, values, false);
	finish_connecting(r);
	pin_session(r, false);
	return r;
}

/*
 * sd_remote_connect_step
 *		One step of connecting r, started by sd_remote_start(); first is true
 *		for the step before any wait.  Returns the socket events to wait for
 *		before the next step, or 0 once the connection is made and checked
 *		(sd_remote_check_connected).  On failure returns -1 with the
 *		error's SQLSTATE in *sqlstate and its text (palloc'd) in *error: r is
 *		left open, for the caller to close or to fail with
 *		(sd_remote_connect_failed).
 */
int
sd_remote_connect_step(SdRemote *r, bool first, int *sqlstate, char **error)
{
	PostgresPollingStatusType status;

	status = first ? PGRES_POLLING_WRITING : PQconnectPoll(r->conn);
	if (status == PGRES_POLLING_FAILED || PQstatus(r->conn) == CONNECTION_BAD)
	{
		*sqlstate = ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION;
		*error = pchomp(PQerrorMessage(r->conn));
		return -1;
	}
	if (status == PGRES_POLLING_OK)
	{
		*error = sd_remote_check_connected(r, sqlstate);
		return *error != NULL ? -1 : 0;
	}
	return status == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;
}

/*
 * sd_remote_connect_failed
 *		Close r and raise the error sd_remote_connect_step() returned.
 */
void
sd_remote_connect_failed(SdRemote *r, int sqlstate, const char *error)
{
	char	   *servername = pstrdup(r->server);

	close_remote(r);
	if (sqlstate == ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("could not connect to server \"%s\"", servername),
				 errdetail_internal("%s", error)));
	if (sqlstate == ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg_internal("%s", error),
				 errdetail("Non-superusers may only connect with the password of their user mapping; the remote let this connection in without asking for it."),
				 errhint("Make the remote server ask for a password (for example scram-sha-256 in its pg_hba.conf).")));
	if (sqlstate == ERRCODE_FEATURE_NOT_SUPPORTED)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg_internal("%s", error),
				 errdetail("schemadrift reads the catalogs of PostgreSQL 15 to 18; this database runs PostgreSQL %s.",
						   GetConfigOption("server_version", false, false))));
	ereport(ERROR, (errcode(sqlstate), errmsg_internal("%s", error)));
}

/*
 * finish_connecting
 *		Wait for r's connection, started by start_connection(), until it is
 *		made and checked (sd_remote_check_connected), within
 *		schemadrift.connect_timeout.  Errors close r.
 */
static void
finish_connecting(SdRemote *r)
{
	TimestampTz deadline = deadline_in(sd_connect_timeout);
	char	   *error;
	int			sqlstate;
	int			events;

	events = sd_remote_connect_step(r, true, &sqlstate, &error);
	while (events > 0)
	{
		wait_for(r, events, deadline, true, "connecting");
		events = sd_remote_connect_step(r, false, &sqlstate, &error);
	}
	if (events < 0)
		sd_remote_connect_failed(r, sqlstate, error);
}

/* ---- queries ---------------------------------------------------------------- */

/*
 * send_query
 *		Send sql with its text parameters and flush it, waiting as needed.
 *		With single_row, rows come back one result each.
 */
static void
send_query(SdRemote *r, const char *sql, int nparams, const char *const *params,
		   bool single_row, TimestampTz deadline, const char *what)
{
	int			rc;

	if (!PQsendQueryParams(r->conn, sql, nparams, NULL, params, NULL, NULL, 0))
		connection_lost(r, what);
	if (single_row && !PQsetSingleRowMode(r->conn))
		connection_lost(r, what);
	while ((rc = PQflush(r->conn)) == 1)
	{
		wait_for(r, WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE, deadline, false, what);
		if (!PQconsumeInput(r->conn))
			connection_lost(r, what);
	}
	if (rc < 0)
		connection_lost(r, what);
}

/*
 * next_result
 *		The next result of the query in progress (NULL when it is done),
 *		waiting for it as needed.  The caller PQclear()s it.
 */
static PGresult *
next_result(SdRemote *r, TimestampTz deadline, const char *what)
{
	while (PQisBusy(r->conn))
	{
		wait_for(r, WL_SOCKET_READABLE, deadline, false, what);
		if (!PQconsumeInput(r->conn))
			connection_lost(r, what);
	}
	return PQgetResult(r->conn);
}

/*
 * sd_remote_send
 *		Send sql (with nparams text parameters, in UTF8) to r and return at
 *		once: the remote works on it while this backend does something else
 *		(reads its own side).  Rows come back in single-row mode: a large
 *		result is never held whole.  Collect them with sd_remote_receive().
 */
void
sd_remote_send(SdRemote *r, const char *sql, int nparams,
			   const char *const *params, const char *what)
{
	send_query(r, sql, nparams, params, true, deadline_in(sd_remote_timeout), what);
}

/*
 * take_result
 *		One result of the query in progress on r: a row goes to fn(arg, row)
 *		(fn may be NULL when no rows are wanted).  An error result is raised
 *		(r closed), or, when failed is not NULL, only noted there.  Frees res.
 */
static void
take_result(SdRemote *r, PGresult *res, SdRemoteRowFn fn, void *arg,
			const char *what, bool *failed)
{
	switch (PQresultStatus(res))
	{
		case PGRES_SINGLE_TUPLE:
			if (fn == NULL)
				break;
			/* a PGresult is malloc'd: freed on the way out of an error */
			PG_TRY();
			{
				fn(arg, res);
			}
			PG_CATCH();
			{
				PQclear(res);
				PG_RE_THROW();
			}
			PG_END_TRY();
			break;
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			break;
		default:
			if (failed == NULL)
				remote_error(r, res, what);
			ereport(DEBUG1,
					(errmsg_internal("remote server \"%s\": %s", r->server,
									 pchomp(PQresultErrorMessage(res)))));
			*failed = true;
	}
	PQclear(res);
}

/* sd_remote_receive, with failed as for take_result() */
static void
receive(SdRemote *r, SdRemoteRowFn fn, void *arg, const char *what, bool *failed)
{
	TimestampTz deadline = deadline_in(sd_remote_timeout);
	PGresult   *res;

	while ((res = next_result(r, deadline, what)) != NULL)
		take_result(r, res, fn, arg, what, failed);
}

/*
 * sd_remote_receive
 *		Collect the result of the query sent last, calling fn(arg, row) for
 *		each row (fn may be NULL when no rows are wanted).  what names the
 *		step for errors ("reading the catalogs").  Errors close r.
 */
void
sd_remote_receive(SdRemote *r, SdRemoteRowFn fn, void *arg, const char *what)
{
	receive(r, fn, arg, what, NULL);
}

/*
 * sd_remote_send_start
 *		Send sql (with nparams text parameters, in UTF8) to r, single-row
 *		mode, without waiting even for it to be flushed: drive it with
 *		sd_remote_receive_step(), several connections at once
 *		(sd_remote_wait_any).
 */
void
sd_remote_send_start(SdRemote *r, const char *sql, int nparams,
					 const char *const *params, const char *what)
{
	if (!PQsendQueryParams(r->conn, sql, nparams, NULL, params, NULL, NULL, 0))
		connection_lost(r, what);
	if (!PQsetSingleRowMode(r->conn))
		connection_lost(r, what);
}

/*
 * sd_remote_receive_step
 *		Once r's socket is ready (or at first): flush what is left of the
 *		query sd_remote_send_start() sent, read what has come, and call
 *		fn(arg, row) for each row complete.  Returns the socket events to
 *		wait for before the next step, or 0 when the query is done.  Errors
 *		close r.
 */
int
sd_remote_receive_step(SdRemote *r, SdRemoteRowFn fn, void *arg, const char *what)
{
	int			flush = PQflush(r->conn);

	if (flush < 0 || !PQconsumeInput(r->conn))
		connection_lost(r, what);
	while (!PQisBusy(r->conn))
	{
		PGresult   *res = PQgetResult(r->conn);

		if (res == NULL)
			return 0;
		take_result(r, res, fn, arg, what, NULL);
	}
	return WL_SOCKET_READABLE | (flush == 1 ? WL_SOCKET_WRITEABLE : 0);
}

/*
 * sd_remote_rows
 *		Run sql on r and call fn(arg, row) for each row of its result.
 */
void
sd_remote_rows(SdRemote *r, const char *sql, int nparams,
			   const char *const *params, SdRemoteRowFn fn, void *arg,
			   const char *what)
{
	sd_remote_send(r, sql, nparams, params, what);
	sd_remote_receive(r, fn, arg, what);
}

/*
 * sd_remote_command
 *		Run a statement that returns no rows we need.
 */
void
sd_remote_command(SdRemote *r, const char *sql, const char *what)
{
	sd_remote_rows(r, sql, 0, NULL, NULL, NULL, what);
}

/* the single value of a one-row, one-column result */
typedef struct ValueResult
{
	int			nrows;
	char	   *value;
} ValueResult;

static void
value_row(void *arg, PGresult *row)
{
	ValueResult *v = (ValueResult *) arg;

	if (PQnfields(row) != 1 || v->nrows++ > 0)
		elog(ERROR, "remote query returned more than one value");
	v->value = PQgetisnull(row, 0, 0) ? NULL : pstrdup(PQgetvalue(row, 0, 0));
}

/*
 * sd_remote_value
 *		Run a query that returns one value; returns it as text in the remote's
 *		client encoding (UTF8), palloc'd, or NULL for SQL NULL.  No row is an
 *		error, or NULL too when missing_ok.
 */
char *
sd_remote_value(SdRemote *r, const char *sql, bool missing_ok, const char *what)
{
	ValueResult v = {0, NULL};

	sd_remote_rows(r, sql, 0, NULL, value_row, &v, what);
	if (v.nrows != 1 && !(v.nrows == 0 && missing_ok))
		elog(ERROR, "remote query returned %d rows, expected 1", v.nrows);
	return v.value;
}

/*
 * sd_remote_try_value
 *		As sd_remote_value(), but an error the remote reports is not raised:
 *		returns false (the remote's transaction, if any, is then aborted;
 *		the error goes to the server log at DEBUG1).  A lost connection is
 *		still raised.
 */
bool
sd_remote_try_value(SdRemote *r, const char *sql, char **value, const char *what)
{
	ValueResult v = {0, NULL};
	bool		failed = false;

	sd_remote_send(r, sql, 0, NULL, what);
	receive(r, value_row, &v, what, &failed);
	if (!failed && v.nrows != 1)
		elog(ERROR, "remote query returned %d rows, expected 1", v.nrows);
	*value = v.value;
	return !failed;
}
