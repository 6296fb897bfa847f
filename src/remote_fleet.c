/*-------------------------------------------------------------------------
 *
 * remote_fleet.c
 *	  Many foreign servers in one call: their fingerprints read at the same
 *	  time over asynchronous libpq, grouped, and counted against a source.
 *
 * schemadrift_fleet() reads the source (this database, a server or a
 * snapshot) once, then asks every server for its schemas' hashes (computed
 * there, in C where it has schemadrift, in SQL otherwise, as side_remote.c
 * asks: only they travel), up
 * to schemadrift.fleet_concurrency servers at a time, all their sockets
 * waited on in one WaitEventSet with the backend's latch.  Each server goes
 * through the steps of a remote read (connect, pin the session, begin,
 * catalog state, schema hashes, commit, then the snapshot and, where some
 * transaction ended meanwhile, the catalog state again: the same check
 * for concurrent DDL, retried) on its own, with its own deadlines
 * (schemadrift.connect_timeout, schemadrift.remote_timeout): a server that
 * is down or slow gets its row with the error, and delays no other.  Ctrl-C
 * ends the whole call, and the end of the transaction closes every
 * connection.  Servers of equal fingerprints form a group; for each group
 * whose schema is not the source's, one of its servers is diffed against
 * the source (hash first) to count what is missing, extra and changed.
 *
 * IDENTIFICATION
 *	  src/remote_fleet.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "catalog.h"
#include "compare.h"
#include "compat.h"
#include "kinds.h"
#include "remote.h"
#include "side.h"
#include "snapshot.h"
#include "util.h"

/* GUC */
int			sd_fleet_concurrency = 16;

/* the steps of a server's read, after connecting */
typedef enum FleetStep
{
	STEP_CONNECT,
	STEP_PIN,
	STEP_BEGIN,
	STEP_STATE_BEFORE,
	STEP_FIND_SCHEMADRIFT,
	STEP_MODEL,
	STEP_HASHES,
	STEP_COMMIT,
	STEP_SNAPSHOT_AFTER,
	STEP_STATE_AFTER,
	STEP_DONE
} FleetStep;

static const char *const step_names[] = {
	"connecting", "setting up the session", "setting up the session",
	"reading the catalogs", "reading the catalogs", "reading the catalogs",
	"reading the catalogs", "reading the catalogs", "reading the catalogs",
	"reading the catalogs", "done"
};

/* one server of the fleet */
typedef struct FleetMember
{
	char	   *server;
	SdOptions  *options;		/* the call's */
	SdRemote   *r;
	FleetStep	step;
	int			attempt;
	int			events;			/* what its socket waits for */
	bool		flushing;		/* a query is not all sent yet */
	TimestampTz started;
	TimestampTz deadline;		/* of the current step */
	double		elapsed_ms;
	char	   *hashes_sql;
	int			hashes_nparams;
	char	   *remote_schema;	/* its schemadrift's, quoted, if any */
	bool		use_c;			/* ask it for the hashes in C */
	char	   *state_before;
	char	   *state_after;
	SdGroupHash *groups;
	int			ngroups;
	char	   *error;			/* set: the server's row reports it */
	bool		has_fingerprint;
	char		fingerprint[SD_SHA256_HEX_LEN + 1];
	int			group_id;
	bool		counted;
	int64		missing;
	int64		extra;
	int64		changed;
} FleetMember;

typedef struct Fleet
{
	FleetMember *members;
	int			n;
	SdOptions  *options;
	char	   *options_utf8;
} Fleet;

/*
 * sd_fleet_init
 *		Define the fleet's setting (from _PG_init).
 */
void
sd_fleet_init(void)
{
	DefineCustomIntVariable("schemadrift.fleet_concurrency",
							"Sets how many servers schemadrift_fleet() reads at the same time.",
							"Each server in flight holds one connection and one "
							"backend on its remote.",
							&sd_fleet_concurrency,
							16, 1, 1000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}

/* ---- one server's steps --------------------------------------------------- */

/* the member failed: record why, close its connection */
static void
fail(FleetMember *m, const char *error)
{
	m->error = pstrdup(error);
	if (m->r != NULL)
		sd_remote_close(m->r);
	m->r = NULL;
	m->step = STEP_DONE;
	m->elapsed_ms = (double) (GetCurrentTimestamp() - m->started) / 1000.0;
}

/* the member's libpq error, or what it was doing */
static void
fail_libpq(FleetMember *m)
{
	char	   *message = pchomp(PQerrorMessage(m->r->conn));

	fail(m, psprintf("lost the connection while %s: %s", step_names[m->step], message));
}

/* the timeouts of the step the member is in */
static void
set_deadline(FleetMember *m)
{
	m->deadline = sd_remote_deadline(m->step == STEP_CONNECT ? sd_connect_timeout :
									 sd_remote_timeout);
}

/* send the query of the member's step */
static void
send_step(Fleet *fleet, FleetMember *m)
{
	const char *params[2] = {fleet->options_utf8, "false"};
	const char *sql = NULL;
	int			nparams = 0;
	int			rc;

	set_deadline(m);
	switch (m->step)
	{
		case STEP_PIN:
			sql = sd_remote_pin_sql(m->r);
			break;
		case STEP_BEGIN:
			sql = SD_REMOTE_BEGIN;
			break;
		case STEP_STATE_BEFORE:
		case STEP_STATE_AFTER:
			sql = sd_side_remote_state_sql(m->r->version);
			break;
		case STEP_SNAPSHOT_AFTER:
			sql = SD_REMOTE_SNAPSHOT_SQL;
			break;
		case STEP_FIND_SCHEMADRIFT:
			sql = SD_REMOTE_FIND_SCHEMADRIFT_SQL;
			break;
		case STEP_MODEL:
			sql = sd_side_remote_model_sql(m->remote_schema);
			break;
		case STEP_HASHES:
			if (m->hashes_sql == NULL)
			{
				m->hashes_sql = m->use_c ? sd_side_remote_c_hashes_sql(m->remote_schema) :
					sd_side_remote_schema_hashes_sql(m->r->version, m->r->utf8);
				m->hashes_nparams = m->use_c ? 1 : 2;
			}
			sql = m->hashes_sql;
			nparams = m->hashes_nparams;
			break;
		case STEP_COMMIT:
			sql = "COMMIT";
			break;
		default:
			elog(ERROR, "fleet step %d sends no query", (int) m->step);
	}
	if (!PQsendQueryParams(m->r->conn, sql, nparams, NULL, params, NULL, NULL, 0))
	{
		fail_libpq(m);
		return;
	}
	rc = PQflush(m->r->conn);
	if (rc < 0)
	{
		fail_libpq(m);
		return;
	}
	m->flushing = (rc == 1);
	m->events = WL_SOCKET_READABLE | (m->flushing ? WL_SOCKET_WRITEABLE : 0);
}

static int
group_cmp(const void *a, const void *b)
{
	return strcmp(((const SdGroupHash *) a)->name, ((const SdGroupHash *) b)->name);
}

/* keep what the result of the member's step says */
static void
take_result(FleetMember *m, PGresult *res)
{
	int			i;

	switch (m->step)
	{
		case STEP_STATE_BEFORE:
		case STEP_SNAPSHOT_AFTER:
		case STEP_STATE_AFTER:
			if (PQntuples(res) != 1 || PQnfields(res) != 1)
			{
				fail(m, "the catalog state query returned no single value");
				return;
			}
			if (m->step == STEP_STATE_BEFORE)
				m->state_before = pstrdup(PQgetvalue(res, 0, 0));
			else
				m->state_after = pstrdup(PQgetvalue(res, 0, 0));
			break;
		case STEP_FIND_SCHEMADRIFT:
			if (PQntuples(res) >= 1 && PQnfields(res) == 1 && !PQgetisnull(res, 0, 0))
				m->remote_schema = pstrdup(PQgetvalue(res, 0, 0));
			break;
		case STEP_MODEL:
			m->use_c = PQntuples(res) == 1 && PQnfields(res) == 1 && !PQgetisnull(res, 0, 0) &&
				atoi(PQgetvalue(res, 0, 0)) == SD_MODEL_VERSION;
			break;
		case STEP_HASHES:
			m->ngroups = PQntuples(res);
			m->groups = palloc(sizeof(SdGroupHash) * Max(m->ngroups, 1));
			for (i = 0; i < m->ngroups; i++)
			{
				if (PQnfields(res) != 2 || strlen(PQgetvalue(res, i, 1)) != SD_SHA256_HEX_LEN)
				{
					fail(m, "the remote schema hashes came back malformed");
					return;
				}
				m->groups[i].name = pstrdup(PQgetvalue(res, i, 0));
				strlcpy(m->groups[i].hash, PQgetvalue(res, i, 1), sizeof(m->groups[i].hash));
				m->groups[i].first = m->groups[i].count = 0;
			}
			if (m->ngroups > 1)
				qsort(m->groups, m->ngroups, sizeof(SdGroupHash), group_cmp);
			break;
		default:
			break;
	}
}

/* the member's step is complete: on to the next */
static void
next_step(Fleet *fleet, FleetMember *m)
{
	if (m->step == STEP_SNAPSHOT_AFTER || m->step == STEP_STATE_AFTER)
	{
		if (m->step == STEP_SNAPSHOT_AFTER ?
			sd_side_remote_snapshot_unchanged(m->state_before, m->state_after) :
			sd_side_remote_states_equal(m->state_before, m->state_after))
		{
			sd_objects_root(fleet->options, SD_MODEL_VERSION, m->groups, m->ngroups,
							m->fingerprint);
			m->has_fingerprint = true;
			sd_remote_close(m->r);
			m->r = NULL;
			m->step = STEP_DONE;
			m->elapsed_ms = (double) (GetCurrentTimestamp() - m->started) / 1000.0;
			return;
		}
		if (m->step == STEP_SNAPSHOT_AFTER)
			m->step = STEP_STATE_AFTER; /* some transaction ended: ask */
		else
		{
			if (++m->attempt >= SD_EXTRACT_ATTEMPTS)
			{
				fail(m, "could not read a consistent schema: it changed while it was being read");
				return;
			}
			m->step = STEP_BEGIN;	/* read again */
		}
	}
	else if (m->step == STEP_FIND_SCHEMADRIFT && m->remote_schema == NULL)
		m->step = STEP_HASHES;	/* no schemadrift there: in SQL */
	else if (m->step == STEP_STATE_BEFORE && m->attempt > 0)
		m->step = STEP_HASHES;	/* found out in the first attempt */
	else
		m->step++;
	send_step(fleet, m);
}

/*
 * advance
 *		Move the member on as far as its socket allows without waiting.
 */
static void
advance(Fleet *fleet, FleetMember *m)
{
	PGconn	   *conn = m->r->conn;

	if (m->step == STEP_CONNECT)
	{
		char	   *error;
		int			sqlstate;
		int			events = sd_remote_connect_step(m->r, false, &sqlstate, &error);

		if (events < 0)
		{
			fail(m, sqlstate == ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION ?
				 psprintf("could not connect: %s", error) : error);
			return;
		}
		if (events > 0)
		{
			m->events = events;
			return;
		}
		m->step = STEP_PIN;
		send_step(fleet, m);
		return;
	}

	if (m->flushing)
	{
		int			rc = PQflush(conn);

		if (rc < 0)
		{
			fail_libpq(m);
			return;
		}
		m->flushing = (rc == 1);
		m->events = WL_SOCKET_READABLE | (m->flushing ? WL_SOCKET_WRITEABLE : 0);
	}
	if (!PQconsumeInput(conn))
	{
		fail_libpq(m);
		return;
	}
	while (!PQisBusy(conn))
	{
		PGresult   *res = PQgetResult(conn);
		ExecStatusType status;

		if (res == NULL)
		{
			if (m->step != STEP_DONE)
				next_step(fleet, m);
			return;
		}
		status = PQresultStatus(res);
		if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
			take_result(m, res);
		else
		{
			const char *message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			fail(m, psprintf("remote error while %s: %s", step_names[m->step],
							 message ? message : pchomp(PQerrorMessage(conn))));
		}
		PQclear(res);
		if (m->step == STEP_DONE)
			return;
	}
}

/*
 * for_one_server
 *		Run fn(m, arg) in a subtransaction: an error about one server (unknown,
 *		no user mapping, the password rule, a remote failure) becomes its
 *		row's error, returned as false; a cancel or a shutdown is raised.
 */
/* what for_one_server() runs */
typedef struct ServerCall
{
	void		(*fn) (FleetMember *m, void *arg);
	FleetMember *m;
	void	   *arg;
} ServerCall;

static void
call_for_server(void *arg)
{
	ServerCall *call = (ServerCall *) arg;

	call->fn(call->m, call->arg);
}

static bool
for_one_server(void (*fn) (FleetMember *m, void *arg), FleetMember *m, void *arg)
{
	ServerCall	call = {fn, m, arg};

	return sd_util_try(call_for_server, &call, &m->error);
}

/* check the server and start connecting to it */
static void
connect_member(FleetMember *m, void *arg)
{
	sd_side_check_name(m->server, "servers");
	m->r = sd_remote_start(m->server);
}

/*
 * start_member
 *		Check the server and start connecting to it; the checks that raise
 *		fail the server's own row only.
 */
static void
start_member(FleetMember *m)
{
	m->started = GetCurrentTimestamp();
	m->step = STEP_CONNECT;
	if (!for_one_server(connect_member, m, NULL))
	{
		char	   *error = m->error;

		m->r = NULL;
		fail(m, error);
		return;
	}
	set_deadline(m);
	m->events = WL_SOCKET_WRITEABLE;
}

/*
 * read_fingerprints
 *		Every member's fingerprint (or error), up to sd_fleet_concurrency at
 *		a time, all waited on together (sd_remote_wait_any: one wait on the
 *		latch and every socket, Ctrl-C served).
 */
static void
read_fingerprints(Fleet *fleet)
{
	SdRemoteWait *waits = palloc(sizeof(SdRemoteWait) * Max(fleet->n, 1));
	FleetMember **waiting = palloc(sizeof(FleetMember *) * Max(fleet->n, 1));
	int			next = 0;

	for (;;)
	{
		int			active = 0;
		int			nwait = 0;
		int			i;

		for (i = 0; i < next; i++)
			if (fleet->members[i].step != STEP_DONE)
				active++;
		while (next < fleet->n && active < sd_fleet_concurrency)
		{
			start_member(&fleet->members[next]);
			if (fleet->members[next].step != STEP_DONE)
				active++;
			next++;
		}
		if (active == 0 && next >= fleet->n)
			break;

		for (i = 0; i < next; i++)
		{
			FleetMember *m = &fleet->members[i];

			if (m->step == STEP_DONE)
				continue;
			if (PQsocket(m->r->conn) == PGINVALID_SOCKET)
			{
				fail(m, psprintf("lost the connection while %s", step_names[m->step]));
				continue;
			}
			waits[nwait].r = m->r;
			waits[nwait].events = m->events;
			waits[nwait].deadline = m->deadline;
			waiting[nwait++] = m;
		}
		if (nwait == 0)
			continue;
		sd_remote_wait_any(waits, nwait);
		for (i = 0; i < nwait; i++)
		{
			FleetMember *m = waiting[i];

			if (m->step == STEP_DONE)
				continue;
			if (waits[i].expired)
				fail(m, m->step == STEP_CONNECT ?
					 psprintf("could not connect: timed out after %d s", sd_connect_timeout) :
					 psprintf("no answer within %d s while %s", sd_remote_timeout,
							  step_names[m->step]));
			else if (waits[i].ready)
				advance(fleet, m);
		}
	}
	pfree(waits);
	pfree(waiting);
}

/* ---- counting ---------------------------------------------------------------- */

/* the source's set, for sd_side_remote_read_against */
static SdObjectSet *
the_source(void *arg)
{
	return (SdObjectSet *) arg;
}

/* diff m's server against the source (arg), hash first, and count */
static void
diff_member(FleetMember *m, void *arg)
{
	SdObjectSet *source = (SdObjectSet *) arg;
	SdObjectSet *other;
	SdObjectSet *target = sd_side_remote_read_against(m->server, m->options,
													  the_source, source, &other,
													  NULL);

	sd_compare_counts(source, target, &m->missing, &m->extra, &m->changed);
}

/*
 * group_and_count
 *		Number the groups of equal fingerprints in order of first appearance,
 *		and count the drift of each group that is not the source's, diffing
 *		one of its servers (the next one if that fails).
 */
static void
group_and_count(Fleet *fleet, SdObjectSet *source, const char *source_fp)
{
	int			ngroups = 0;
	int			i,
				j;

	for (i = 0; i < fleet->n; i++)
	{
		FleetMember *m = &fleet->members[i];

		if (!m->has_fingerprint || m->group_id != 0)
			continue;
		m->group_id = ++ngroups;
		for (j = i + 1; j < fleet->n; j++)
			if (fleet->members[j].has_fingerprint &&
				strcmp(fleet->members[j].fingerprint, m->fingerprint) == 0)
				fleet->members[j].group_id = m->group_id;
	}

	for (i = 0; i < fleet->n; i++)
	{
		FleetMember *m = &fleet->members[i];
		FleetMember *done = NULL;

		if (!m->has_fingerprint || m->counted)
			continue;
		if (strcmp(m->fingerprint, source_fp) == 0)
		{
			m->counted = true;
			continue;
		}
		/* the first of the group whose diff succeeds counts for all */
		for (j = i; j < fleet->n && done == NULL; j++)
		{
			FleetMember *o = &fleet->members[j];
			TimestampTz start = GetCurrentTimestamp();

			if (o->group_id != m->group_id || o->counted)
				continue;
			if (for_one_server(diff_member, o, source))
				done = o;
			o->elapsed_ms += (double) (GetCurrentTimestamp() - start) / 1000.0;
		}
		for (j = i; j < fleet->n; j++)
		{
			FleetMember *o = &fleet->members[j];

			if (o->group_id != m->group_id)
				continue;
			o->counted = true;
			if (done != NULL)
			{
				o->missing = done->missing;
				o->extra = done->extra;
				o->changed = done->changed;
			}
		}
	}
}

/* ---- SQL-callable functions ---------------------------------------------- */

PG_FUNCTION_INFO_V1(schemadrift_fleet);
PG_FUNCTION_INFO_V1(schemadrift_fleet_snapshot);

/*
 * run_fleet
 *		schemadrift_fleet(servers, source, options): the source is this
 *		database (NULL), a server (text) or a snapshot (source_is_snapshot).
 */
static Datum
run_fleet(FunctionCallInfo fcinfo, bool source_is_snapshot)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Fleet		fleet;
	ArrayType  *servers;
	Datum	   *names;
	bool	   *nulls;
	SdObjectSet *source;
	char		source_fp[SD_SHA256_HEX_LEN + 1];
	MemoryContext fleetcxt;
	MemoryContext old;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("\"servers\" is NULL"),
				 errhint("Pass an array of foreign server names.")));
	if (source_is_snapshot && PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("snapshot given as \"source\" is NULL"),
				 errhint("Omit the argument to compare with this database.")));
	fleet.options = sd_options_from_datum(fcinfo, 2);
	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts != 9)
		elog(ERROR, "schemadrift_fleet must be declared with 9 result columns");

	servers = PG_GETARG_ARRAYTYPE_P(0);
	if (ARR_NDIM(servers) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("\"servers\" must be a one-dimensional array")));
	deconstruct_array(servers, TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &fleet.n);
	for (i = 0; i < fleet.n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("\"servers\" holds a NULL"),
					 errhint("Name each foreign server.")));

	fleetcxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift fleet",
									 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(fleetcxt);

	fleet.options_utf8 = pg_server_to_any(fleet.options->canonical,
										  strlen(fleet.options->canonical), PG_UTF8);
	fleet.members = palloc0(sizeof(FleetMember) * Max(fleet.n, 1));
	for (i = 0; i < fleet.n; i++)
	{
		fleet.members[i].server = TextDatumGetCString(names[i]);
		fleet.members[i].options = fleet.options;
	}

	/* the source, read whole: it is what drifted servers are diffed with */
	if (source_is_snapshot)
		source = sd_snapshot_load(PG_GETARG_JSONB_P(1), "source");
	else
		source = sd_side_read_named(PG_ARGISNULL(1) ? NULL : TextDatumGetCString(PG_GETARG_DATUM(1)),
									"source", fleet.options, true);
	if (!sd_options_equal(source->options, fleet.options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot given as \"source\" was taken with other options"),
				 errdetail("The snapshot was taken with %s; this call uses %s.",
						   source->options->canonical, fleet.options->canonical),
				 errhint("Pass the snapshot's options, or take the snapshot again with these options.")));
	sd_objects_fingerprint(source, source_fp);

	read_fingerprints(&fleet);
	group_and_count(&fleet, source, source_fp);

	for (i = 0; i < fleet.n; i++)
	{
		FleetMember *m = &fleet.members[i];
		Datum		values[9];
		bool		isnull[9] = {0};
		bool		counted = m->has_fingerprint && m->counted && m->error == NULL;

		values[0] = CStringGetTextDatum(m->server);
		isnull[1] = !m->has_fingerprint;
		if (m->has_fingerprint)
			values[1] = CStringGetTextDatum(m->fingerprint);
		isnull[2] = !m->has_fingerprint;
		values[2] = BoolGetDatum(m->has_fingerprint && strcmp(m->fingerprint, source_fp) == 0);
		isnull[3] = !m->has_fingerprint;
		values[3] = Int32GetDatum(m->group_id);
		isnull[4] = isnull[5] = isnull[6] = !counted;
		values[4] = Int64GetDatum(m->missing);
		values[5] = Int64GetDatum(m->extra);
		values[6] = Int64GetDatum(m->changed);
		isnull[7] = (m->error == NULL);
		if (m->error)
			values[7] = CStringGetTextDatum(m->error);
		values[8] = Float8GetDatum(m->elapsed_ms);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(fleetcxt);
	return (Datum) 0;
}

/* schemadrift_fleet(servers text[], source text, options jsonb) */
Datum
schemadrift_fleet(PG_FUNCTION_ARGS)
{
	return run_fleet(fcinfo, false);
}

/* schemadrift_fleet(servers text[], source jsonb, options jsonb) */
Datum
schemadrift_fleet_snapshot(PG_FUNCTION_ARGS)
{
	return run_fleet(fcinfo, true);
}
