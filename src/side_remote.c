/*-------------------------------------------------------------------------
 *
 * side_remote.c
 *	  A foreign server as a side: the catalog extraction run on the remote
 *	  over libpq, its rows read into objects the way local rows are.
 *
 * The remote needs no schemadrift: the query of catalog.c, built for the
 * remote's server version, runs there as it runs here, in the pinned,
 * REPEATABLE READ READ ONLY session remote_conn.c opens, and its rows take
 * the same path into objects (rows.c).  Like the local read, it checks for
 * concurrent DDL: core's deparse functions on the remote read its latest
 * catalog state, not the transaction's snapshot, so the catalog state is
 * taken in the transaction before the extraction (the snapshot's state)
 * and again after it has committed (the latest state); when they differ
 * the read is tried again, and after a few tries fails with 40001.  With
 * hashes only (fingerprints), the remote computes them and sends no attrs.
 *
 * IDENTIFICATION
 *	  src/side_remote.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "catalog.h"
#include "compat.h"
#include "kinds.h"
#include "remote.h"
#include "rows.h"
#include "side.h"

#define READING "reading the catalogs"

/* one remote row into the set */
static void
remote_row(void *arg, PGresult *row)
{
	SdRowReader *rows = (SdRowReader *) arg;
	char	   *texts[SD_ROW_NATTS];
	int			i;

	if (PQnfields(row) != SD_ROW_NATTS)
		elog(ERROR, "remote catalog extraction returned %d columns, expected %d",
			 PQnfields(row), SD_ROW_NATTS);
	for (i = 0; i < SD_ROW_NATTS; i++)
		texts[i] = PQgetisnull(row, 0, i) ? NULL : PQgetvalue(row, 0, i);
	sd_rows_add_text(rows, texts, PG_UTF8);
}

/*
 * sd_side_remote_read
 *		Read every canonical object of the foreign server named server under
 *		options.  Returns a sorted set in the caller's memory context; with
 *		attrs only if with_attrs.  The set records the remote's version.
 */
SdObjectSet *
sd_side_remote_read(const char *server, SdOptions *options, bool with_attrs)
{
	MemoryContext callercxt = CurrentMemoryContext;
	SdObjectSet *set = palloc0(sizeof(SdObjectSet));
	SdRemote   *r = sd_remote_connect(server);
	char	   *extraction;
	char	   *state_sql;
	const char *params[2];
	int			attempt;

	set->options = options;
	set->server_version_num = r->version;
	set->server_version = pstrdup(r->version_text);
	set->model_version = SD_MODEL_VERSION;

	extraction = sd_catalog_extraction_sql(r->version, SD_CATALOG_ALL_ARMS,
										   InvalidOid, InvalidOid);
	state_sql = sd_catalog_state_sql(r->version);
	params[0] = pg_server_to_any(options->canonical, strlen(options->canonical), PG_UTF8);
	params[1] = with_attrs ? "true" : "false";

	for (attempt = 1;; attempt++)
	{
		MemoryContext attemptcxt;
		SdRowReader rows;
		char	   *before;
		char	   *after;

		attemptcxt = AllocSetContextCreate(callercxt, "schemadrift remote read",
										   ALLOCSET_DEFAULT_SIZES);
		/* the transaction's snapshot is taken by its first query: this */
		before = sd_remote_value(r, state_sql, READING);
		sd_rows_begin(&rows, set, with_attrs, attemptcxt);
		sd_remote_rows(r, extraction, 2, params, remote_row, &rows, READING);
		sd_rows_end(&rows);
		sd_remote_command(r, "COMMIT", READING);
		after = sd_remote_value(r, state_sql, READING);
		if (before != NULL && after != NULL && strcmp(before, after) == 0)
			break;

		MemoryContextDelete(attemptcxt);
		set->objects = NULL;
		set->nobjects = 0;
		if (attempt >= SD_EXTRACT_ATTEMPTS)
		{
			sd_remote_close(r);
			sd_side_inconsistent(server);
		}
		sd_remote_command(r, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", READING);
	}
	sd_remote_close(r);
	sd_objects_sort(set);
	return set;
}
