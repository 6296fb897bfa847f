/*-------------------------------------------------------------------------
 *
 * side_remote_slices.c
 *	  A remote read over several connections that share one snapshot, each
 *	  running a part of the catalog extraction.
 *
 * The extraction is dealt out as extract.c deals it between the backend and
 * its parallel workers (sd_extract_deal): whole arms, and slices of the
 * relations by OID range, sized so that every part gets the same load.
 * Here each part is a libpq connection to the remote.  The first
 * connection, in its REPEATABLE READ READ ONLY transaction, exports its
 * snapshot (pg_export_snapshot); the others are opened as remote_conn.c
 * opens any (the same checks, password rule, deadlines and pinning: its
 * functions, driven in steps), begin the same kind of transaction and
 * import that snapshot (SET TRANSACTION SNAPSHOT).  Every part's query then
 * sees what the single query would have seen, and the caller's check for
 * concurrent DDL (the catalog state before, on the first connection, and
 * after its commit, which comes after every part has finished) covers the
 * whole read.
 *
 * Every connection is driven at once by one wait on the backend's latch
 * and their sockets (sd_remote_wait_any): Ctrl-C, statement_timeout and the
 * deadlines end any step, and an error on any connection ends the read;
 * the connections are in remote_conn.c's list, which the end of the
 * (sub)transaction closes, whatever happened.  Rows from every connection
 * go to one row function, into one object set (rows.c).
 *
 * Extra connections are used only where they pay: from
 * schemadrift.parallel_min_relations relations on (the threshold of the
 * local parallel read), up to schemadrift.remote_connections, and no more
 * than the remote has free connection slots, keeping one.  Where the remote
 * cannot export a snapshot, or an extra connection cannot be opened (the
 * role's or the database's connection limit, say), the read goes on over
 * the connections that could, down to the first alone, with no error.
 *
 * IDENTIFICATION
 *	  src/side_remote_slices.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq-fe.h"
#include "storage/latch.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "extract.h"
#include "remote.h"
#include "side.h"

/* a read's connections are its parts: the arrays below are of parts */
StaticAssertDecl(SD_REMOTE_MAX_CONNECTIONS <= SD_MAX_PARTS,
				 "schemadrift.remote_connections may not exceed the parts a plan holds");

/* a read over several connections */
struct SdRemoteSlices
{
	int			n;				/* connections, the first one's included */
	SdRemote   *conns[SD_MAX_PARTS];	/* conns[0]: the first, not ours */
	SdExtractPlan plan;			/* part i runs on conns[i] */
	SdRemoteWait waits[SD_MAX_PARTS];	/* the queries in flight */
};

/* the statements that set up an extra connection, after connecting */
#define SETUP_STEPS 3

/*
 * count_sql
 *		A query, for a remote of version version, of its count of relations
 *		(up to schemadrift.parallel_min_relations), a space, and its free
 *		connection slots (for ordinary roles: the reserved ones are not).
 *		An estimate: a role without pg_read_all_stats sees no backend_type
 *		of other roles' sessions, which are then not counted (auxiliary
 *		processes, which take no slot, look the same); an extra connection
 *		refused all the same is left out (connect_extras).
 */
static char *
count_sql(int version)
{
	return psprintf("SELECT (%s)::pg_catalog.text || ' ' || ("
					"pg_catalog.current_setting('max_connections')::pg_catalog.int4"
					" - pg_catalog.current_setting('superuser_reserved_connections')::pg_catalog.int4"
					"%s"
					" - (SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_activity a"
					" WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend')::pg_catalog.int4"
					")::pg_catalog.text",
					sd_extract_relations_sql(Max(sd_parallel_min_relations, 1)),
					version >= 160000 ?
					" - pg_catalog.current_setting('reserved_connections')::pg_catalog.int4" : "");
}

/*
 * wanted_extras
 *		How many extra connections to read the remote of first over: none
 *		below schemadrift.parallel_min_relations relations, at most
 *		schemadrift.remote_connections - 1, and no more than the remote's
 *		free connection slots but one.  Runs in first's transaction.
 */
static int
wanted_extras(SdRemote *first, const char *what)
{
	char	   *counts;
	long		relations = 0;
	long		free_slots = 0;

	if (sd_remote_connections <= 1)
		return 0;
	counts = sd_remote_value(first, count_sql(first->version), false, what);
	if (counts == NULL || sscanf(counts, "%ld %ld", &relations, &free_slots) != 2)
		elog(ERROR, "remote relation count came back malformed");
	if (sd_parallel_min_relations > 0 && relations < sd_parallel_min_relations)
		return 0;
	return (int) Max(Min(sd_remote_connections - 1, free_slots - 1), 0);
}

/*
 * connect_extras
 *		Open the extra connections to server, all at once, and have each
 *		import snapshot in a REPEATABLE READ READ ONLY transaction of a
 *		pinned session.  Connections that cannot be opened are left out
 *		(closed, noted at DEBUG1); an error after connecting is raised.
 *		Returns how many are ready, in conns.
 */
static int
connect_extras(const char *server, int n, const char *snapshot, SdRemote **conns,
			   const char *what)
{
	SdRemoteWait w[SD_MAX_PARTS];
	int			step[SD_MAX_PARTS];	/* -1: connecting; SETUP_STEPS: ready */
	char	   *setup[SETUP_STEPS];
	int			active = 0;
	int			ready = 0;
	int			i;

	setup[1] = SD_REMOTE_BEGIN;
	setup[2] = psprintf("SET TRANSACTION SNAPSHOT %s", quote_literal_cstr(snapshot));
	for (i = 0; i < n; i++)
	{
		char	   *error;
		int			sqlstate;

		w[i].r = sd_remote_start(server);
		w[i].deadline = sd_remote_deadline(sd_connect_timeout);
		w[i].events = sd_remote_connect_step(w[i].r, true, &sqlstate, &error);
		step[i] = -1;
		if (w[i].events < 0)
		{
			ereport(DEBUG1,
					(errmsg_internal("schemadrift: an extra connection to server \"%s\" failed: %s",
									 server, error)));
			sd_remote_close(w[i].r);
			w[i].events = 0;
			step[i] = SETUP_STEPS + 1;	/* left out */
		}
		else
			active++;
	}

	while (active > 0)
	{
		sd_remote_wait_any(w, n);
		for (i = 0; i < n; i++)
		{
			if (w[i].expired)
			{
				if (step[i] >= 0)
					sd_remote_timed_out(w[i].r, false, what);
				ereport(DEBUG1,
						(errmsg_internal("schemadrift: an extra connection to server \"%s\" timed out",
										 server)));
				sd_remote_close(w[i].r);
				w[i].events = 0;
				step[i] = SETUP_STEPS + 1;
				active--;
				continue;
			}
			if (!w[i].ready)
				continue;
			if (step[i] < 0)
			{
				char	   *error;
				int			sqlstate;

				w[i].events = sd_remote_connect_step(w[i].r, false, &sqlstate, &error);
				if (w[i].events < 0)
				{
					/* the password rule and the version are as for the first */
					if (sqlstate != ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION)
						sd_remote_connect_failed(w[i].r, sqlstate, error);
					ereport(DEBUG1,
							(errmsg_internal("schemadrift: an extra connection to server \"%s\" failed: %s",
											 server, error)));
					sd_remote_close(w[i].r);
					w[i].events = 0;
					step[i] = SETUP_STEPS + 1;
					active--;
					continue;
				}
				if (w[i].events > 0)
					continue;
			}
			else
			{
				w[i].events = sd_remote_receive_step(w[i].r, NULL, NULL, what);
				if (w[i].events > 0)
					continue;
			}
			/* connected, or the last statement done: the next ones */
			while (w[i].events == 0)
			{
				if (++step[i] == SETUP_STEPS)
				{
					active--;
					break;
				}
				if (step[i] == 0)
					setup[0] = sd_remote_pin_sql(w[i].r);
				sd_remote_send_start(w[i].r, setup[step[i]], 0, NULL, what);
				w[i].deadline = sd_remote_deadline(sd_remote_timeout);
				w[i].events = sd_remote_receive_step(w[i].r, NULL, NULL, what);
			}
		}
	}

	for (i = 0; i < n; i++)
		if (step[i] == SETUP_STEPS)
			conns[ready++] = w[i].r;
	return ready;
}

/*
 * sd_remote_slices_open
 *		Where the remote of first (a connection of sd_remote_connect(), at
 *		the start of its transaction: no query has run in it yet) is worth
 *		reading over several connections, open the others on its exported
 *		snapshot and deal the extraction out between them all.  Returns
 *		NULL to read over first alone; first is then still at the start of
 *		a transaction (a new one if the export failed).  The caller closes
 *		the others with sd_remote_slices_close() once the read is done, and
 *		before ending first's transaction; errors close them with the
 *		(sub)transaction.
 */
SdRemoteSlices *
sd_remote_slices_open(SdRemote *first, const char *what)
{
	SdRemoteSlices *s;
	char	   *snapshot = NULL;
	char	   *cuts_sql;
	char	   *cuts;
	Oid			oids[SD_MAX_PARTS];
	int			ncuts = 0;
	int			extras;

	extras = wanted_extras(first, what);
	if (extras == 0)
		return NULL;
	if (!sd_remote_try_value(first, "SELECT pg_catalog.pg_export_snapshot()", &snapshot, what) ||
		snapshot == NULL)
	{
		/* the transaction is aborted: a new one, read alone */
		sd_remote_command(first, "ROLLBACK", what);
		sd_remote_command(first, SD_REMOTE_BEGIN, what);
		return NULL;
	}

	s = palloc0(sizeof(SdRemoteSlices));
	s->conns[0] = first;
	s->n = 1 + connect_extras(first->server, extras, snapshot, &s->conns[1], what);
	if (s->n == 1)
	{
		pfree(s);
		return NULL;
	}

	/* the cuts, computed on the remote, in the snapshot */
	cuts_sql = sd_extract_deal(s->n, 0, &s->plan);
	cuts = sd_remote_value(first,
						   psprintf("SELECT pg_catalog.array_to_string((%s), ',')", cuts_sql),
						   false, what);
	if (cuts != NULL)
	{
		char	   *p = cuts;

		while (*p != '\0' && ncuts < SD_MAX_PARTS)
		{
			char	   *end;

			oids[ncuts++] = (Oid) strtoul(p, &end, 10);
			if (end == p || (*end != ',' && *end != '\0'))
				elog(ERROR, "remote relation cuts came back malformed");
			p = *end == ',' ? end + 1 : end;
		}
	}
	sd_extract_cut(&s->plan, cuts != NULL ? oids : NULL, ncuts);
	ereport(DEBUG1,
			(errmsg_internal("schemadrift: reading server \"%s\" over %d connections",
							 first->server, s->n)));
	return s;
}

/*
 * sd_remote_slices_close
 *		Close the extra connections of s (not the first one) and free s.
 */
void
sd_remote_slices_close(SdRemoteSlices *s)
{
	int			i;

	for (i = 1; i < s->n; i++)
		sd_remote_close(s->conns[i]);
	pfree(s);
}

/*
 * part_sql
 *		The extraction query of part p of s's plan, for a remote of version
 *		version, or NULL when the part has nothing to read.
 */
static char *
part_sql(SdRemoteSlices *s, int p, int version)
{
	SdExtractPlan *plan = &s->plan;
	char	   *whole = NULL;
	char	   *slice = NULL;

	if (plan->arms[p] != 0)
		whole = sd_catalog_extraction_sql(version, plan->arms[p], InvalidOid, InvalidOid);
	if (!sd_extract_slice_empty(plan->from[p], plan->to[p]))
		slice = sd_catalog_extraction_sql(version, plan->split_arms,
										  plan->from[p], plan->to[p]);
	if (whole != NULL && slice != NULL)
		return psprintf("SELECT * FROM (\n%s\n) w\nUNION ALL\nSELECT * FROM (\n%s\n) s",
						whole, slice);
	return whole != NULL ? whole : slice;
}

/*
 * sd_remote_slices_send
 *		Send the extraction over s's connections, each its part: on each,
 *		the query wrap(part's extraction) (or the extraction itself, wrap
 *		NULL) with the nparams text parameters params.  Returns at once:
 *		collect the rows with sd_remote_slices_receive().  Returns how many
 *		connections run a query (a part may have nothing to read).
 */
int
sd_remote_slices_send(SdRemoteSlices *s, char *(*wrap) (const char *extraction),
					  int nparams, const char *const *params, const char *what)
{
	int			ran = 0;
	int			i;

	for (i = 0; i < s->n; i++)
	{
		char	   *sql = part_sql(s, i, s->conns[0]->version);
		SdRemoteWait *w = &s->waits[i];

		w->r = s->conns[i];
		w->events = 0;
		w->deadline = 0;
		if (sql == NULL)
			continue;
		if (wrap != NULL)
			sql = wrap(sql);
		/* sent whole (a units query carries the other side's hashes) */
		sd_remote_send(w->r, sql, nparams, params, what);
		w->deadline = sd_remote_deadline(sd_remote_timeout);
		w->events = WL_SOCKET_READABLE;
		ran++;
	}
	return ran;
}

/*
 * sd_remote_slices_receive
 *		Collect the rows of the queries sd_remote_slices_send() sent, every
 *		row to fn(arg, row), from all connections at once.  Errors (a remote
 *		error, a lost connection, a deadline) close the connection they come
 *		from and are raised.
 */
void
sd_remote_slices_receive(SdRemoteSlices *s, SdRemoteRowFn fn, void *arg,
						 const char *what)
{
	int			active = 0;
	int			i;

	for (i = 0; i < s->n; i++)
		if (s->waits[i].events != 0)
		{
			s->waits[i].events = sd_remote_receive_step(s->waits[i].r, fn, arg, what);
			if (s->waits[i].events != 0)
				active++;
		}
	while (active > 0)
	{
		sd_remote_wait_any(s->waits, s->n);
		for (i = 0; i < s->n; i++)
		{
			SdRemoteWait *w = &s->waits[i];

			if (w->expired)
				sd_remote_timed_out(w->r, false, what);
			if (!w->ready)
				continue;
			w->events = sd_remote_receive_step(w->r, fn, arg, what);
			if (w->events == 0)
				active--;
		}
	}
}
