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
 * the read is tried again, and after a few tries fails with 40001.
 *
 * Hash first.  The remote computes hashes itself, and only what differs
 * travels.  A fingerprint moves one hash per schema (the Merkle tree's
 * schema level, computed in SQL exactly as objects.c computes it), from
 * which the root is computed here.  A diff reads the other side first (or
 * while the remote computes: the query is sent before), then asks the
 * remote for its schemas' hashes; if they are all equal, the remote's
 * objects are the other side's and nothing else travels.  Otherwise a
 * second query sends the hashes of the other side's "units" (a relation
 * with its columns, constraints, indexes, triggers and policies; any other
 * object alone) in the schemas that differ, and the remote returns the
 * objects, with their attrs, of the units whose hash differs or that the
 * other side lacks, and names the units it lacks.  The remote's set is then
 * the other side's equal units and what came back: the diff itself runs on
 * whole sets as for any side.
 *
 * Several connections.  Where the remote has no schemadrift of its own and
 * is large enough, the whole-extraction rounds run over several connections
 * that share one exported snapshot, each on its part of the extraction
 * (side_remote_slices.c): a full read as is; a fingerprint from every
 * object's hash (a schema hash needs all of a schema's objects in order,
 * which no part has); the first round of a diff from schema digests, sums
 * the parts add up (schema_digests_sql); the second from each part's
 * units, a unit the remote lacks being one that every part lacks.
 *
 * IDENTIFICATION
 *	  src/side_remote.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "catalog.h"
#include "compat.h"
#include "kinds.h"
#include "remote.h"
#include "rows.h"
#include "side.h"
#include "util.h"

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

/* ---- SQL around the extraction ------------------------------------------- */

/*
 * An object's mkey (sd_objects_encode_key of its kind and key) and its unit's
 * key (sd_objects_encode_key of "" and its parent's key, or its own), in
 * SQL: parts length-prefixed by their UTF-8 byte length.
 */
static char *
encoded_parts_sql(const char *array)
{
	return psprintf("coalesce((SELECT pg_catalog.string_agg('|' || pg_catalog.octet_length(pg_catalog.convert_to(u.p, 'UTF8'))::pg_catalog.text || ':' || u.p, '' ORDER BY u.n)"
					" FROM pg_catalog.unnest(%s) WITH ORDINALITY u(p, n)), '')", array);
}

static char *
mkey_sql(void)
{
	return psprintf("pg_catalog.octet_length(pg_catalog.convert_to(x.kind, 'UTF8'))::pg_catalog.text || ':' || x.kind || %s",
					encoded_parts_sql("x.key"));
}

static char *
unit_sql(void)
{
	return psprintf("'0:' || %s",
					encoded_parts_sql("CASE WHEN pg_catalog.cardinality(x.parent) > 0 THEN x.parent ELSE x.key END"));
}

/* the hash of the leaf lines ("<mkey> <hash>\n") of a group, in mkey order */
#define GROUP_HASH_SQL(mkey, hash) \
	"pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.string_agg(" \
	mkey " || ' ' || " hash " || E'\\n', '' ORDER BY pg_catalog.convert_to(" mkey ", 'UTF8')), 'UTF8')), 'hex')"

/*
 * schema_hashes_sql
 *		Each schema's hash ("" for objects in none), as objects.c computes
 *		it, from the extraction run with hashes ($2 false).
 */
static char *
schema_hashes_sql(const char *extraction)
{
	return psprintf("WITH x(kind, identity, schema, key, parent, attrs, hash) AS MATERIALIZED (\n%s\n),\n"
					"y AS (SELECT coalesce(x.schema, '') AS grp, %s AS mkey, x.hash FROM x)\n"
					"SELECT y.grp, " GROUP_HASH_SQL("y.mkey", "y.hash") " FROM y GROUP BY y.grp",
					extraction, mkey_sql());
}

/*
 * Schema digests, for the first round of a hash-first read over several
 * connections (side_remote_slices.c).  A schema's hash is taken over all
 * its objects' leaf lines in order, which parts that each read some of the
 * objects cannot compute; a digest can be added up from parts: the sum,
 * modulo 2^64, of the first 8 bytes of each leaf line's sha256, and the
 * sum of the next 8 (two independent 64-bit sums: a changed, missing or
 * extra object changes both unless its leaf hash agrees in 128 bits).  It
 * only decides which schemas go to the second round, whose unit hashes are
 * exact, and never enters a fingerprint.
 */
#define DIGEST_PIECE_SQL(from) \
	"pg_catalog.sum(('x' || pg_catalog.encode(pg_catalog.substr(y.lh, " from ", 8), 'hex'))" \
	"::pg_catalog.bit(64)::pg_catalog.int8)::pg_catalog.text"

/*
 * schema_digests_sql
 *		Each schema's two digest sums ("" for objects in none) over the rows
 *		of extraction (one part's, run with hashes: $2 false), as text.
 */
static char *
schema_digests_sql(const char *extraction)
{
	return psprintf("WITH x(kind, identity, schema, key, parent, attrs, hash) AS MATERIALIZED (\n%s\n),\n"
					"y AS (SELECT coalesce(x.schema, '') AS grp, pg_catalog.sha256(pg_catalog.convert_to("
					"%s || ' ' || x.hash || E'\\n', 'UTF8')) AS lh FROM x)\n"
					"SELECT y.grp, " DIGEST_PIECE_SQL("1") ", " DIGEST_PIECE_SQL("9")
					" FROM y GROUP BY y.grp",
					extraction, mkey_sql());
}

/*
 * units_sql
 *		From the extraction run with attrs ($2 true), in the schemas of $3 (a
 *		jsonb array of names): the objects of every unit whose hash is not
 *		the one in $4 (a jsonb object of unit keys and hashes: the other
 *		side's), with their hashes; then a row of NULLs but the unit key (as
 *		identity) for each unit of $4 the remote lacks.  Run by each part of
 *		a read over several connections, on its part of the extraction: a
 *		unit is then absent if every part names it.
 */
static char *
units_sql(const char *extraction)
{
	return psprintf("WITH x(kind, identity, schema, key, parent, attrs, hash) AS MATERIALIZED (\n%s\n),\n"
					"y AS (SELECT x.kind, x.identity, x.schema, x.key, x.parent, x.attrs,"
					" pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(x.attrs, 'UTF8')), 'hex') AS h,"
					" %s AS mkey, %s AS unit FROM x"
					" WHERE coalesce(x.schema, '') IN (SELECT pg_catalog.jsonb_array_elements_text($3::pg_catalog.jsonb))),\n"
					"u AS (SELECT y.unit, " GROUP_HASH_SQL("y.mkey", "y.h") " AS uh FROM y GROUP BY y.unit),\n"
					"l AS (SELECT e.key AS unit, e.value AS lh FROM pg_catalog.jsonb_each_text($4::pg_catalog.jsonb) e)\n"
					"SELECT y.kind, y.identity, y.schema, y.key, y.parent, y.attrs, y.h"
					" FROM y JOIN u ON u.unit = y.unit LEFT JOIN l ON l.unit = y.unit"
					" WHERE l.lh IS NULL OR l.lh <> u.uh\n"
					"UNION ALL\n"
					"SELECT NULL, l.unit, NULL, NULL, NULL, NULL, NULL FROM l"
					" WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.unit = l.unit)",
					extraction, mkey_sql(), unit_sql());
}



/*
 * sd_side_remote_schema_hashes_sql
 *		The query that returns a remote's schema hashes (name, hash), for a
 *		remote of version server_version; parameters $1 (the options, jsonb
 *		text) and $2 ("false").
 */
char *
sd_side_remote_schema_hashes_sql(int server_version)
{
	return schema_hashes_sql(sd_catalog_extraction_sql(server_version, SD_CATALOG_ALL_ARMS,
													   InvalidOid, InvalidOid));
}

/* ---- reading ---------------------------------------------------------------- */

/* a remote read in progress */
typedef struct RemoteRead
{
	const char *server;
	SdRemote   *r;
	SdOptions  *options;
	char	   *state_sql;
	char	   *options_utf8;	/* $1 */
	char	   *before;			/* the catalog state of the transaction */
	char	   *remote_schema;	/* the remote's schemadrift, quoted, if it
								 * has one of this object model */
	bool		keep;			/* leave the connection open when done */
	bool		sliced;			/* read over several connections if it pays */
	SdRemoteSlices *slices;		/* the other connections, in this attempt */
} RemoteRead;

/* connect: the connection is in its transaction; then read_start() */
static void
read_begin(RemoteRead *rr, const char *server, SdOptions *options)
{
	rr->server = server;
	rr->options = options;
	rr->r = sd_remote_connect(server);
	rr->state_sql = sd_catalog_state_sql(rr->r->version);
	rr->options_utf8 = pg_server_to_any(options->canonical, strlen(options->canonical), PG_UTF8);
	rr->remote_schema = NULL;
	rr->keep = false;
	rr->sliced = false;
	rr->slices = NULL;
	rr->before = NULL;
}

/*
 * read_start
 *		Start an attempt, in the connection's transaction: open the other
 *		connections where rr->sliced asks for them and the remote is worth
 *		it (sd_remote_slices_open), and take the catalog state.
 */
static void
read_start(RemoteRead *rr)
{
	if (rr->sliced)
		rr->slices = sd_remote_slices_open(rr->r, READING);
	rr->before = sd_remote_value(rr->r, rr->state_sql, false, READING);
}

/*
 * read_consistent
 *		End the transaction and check that no DDL committed on the remote
 *		while it ran.  True: done (the connection is closed, unless rr->keep:
 *		then it is idle, outside any transaction).  False: a new
 *		transaction has begun, to read again; after SD_EXTRACT_ATTEMPTS
 *		attempts, fail with 40001.
 */
static bool
read_consistent(RemoteRead *rr, int attempt)
{
	char	   *after;

	/* the other connections have read their parts: done with them */
	if (rr->slices != NULL)
	{
		sd_remote_slices_close(rr->slices);
		rr->slices = NULL;
	}
	sd_remote_command(rr->r, "COMMIT", READING);
	after = sd_remote_value(rr->r, rr->state_sql, false, READING);
	if (rr->before != NULL && after != NULL && strcmp(rr->before, after) == 0)
	{
		if (!rr->keep)
		{
			sd_remote_close(rr->r);
			rr->r = NULL;
		}
		return true;
	}
	if (attempt >= SD_EXTRACT_ATTEMPTS)
	{
		sd_remote_close(rr->r);
		sd_side_inconsistent(rr->server);
	}
	sd_remote_command(rr->r, SD_REMOTE_BEGIN, READING);
	read_start(rr);
	return false;
}

/*
 * schema_hashes_query
 *		The query for the remote's schema hashes, and its number of
 *		parameters.  A remote with schemadrift (0.2.0 or later, of this
 *		object model) computes them in C, with its parallel workers, through
 *		schemadrift_schema_hashes(); any other, in SQL (schema_hashes_sql).
 *		Both give the same hashes: the C path is this code, and the SQL path
 *		is checked against it (drift_scenarios' remotes have schemadrift,
 *		remote.sql's have not, and both agree with the snapshots).
 */
static char *
schema_hashes_query(RemoteRead *rr, int *nparams)
{
	char	   *schema;
	char	   *model = NULL;

	schema = sd_remote_value(rr->r, SD_REMOTE_FIND_SCHEMADRIFT_SQL, true, READING);
	if (schema != NULL)
		model = sd_remote_value(rr->r, sd_side_remote_model_sql(schema), false, READING);
	if (model != NULL && atoi(model) == SD_MODEL_VERSION)
	{
		rr->remote_schema = schema;
		*nparams = 1;
		return sd_side_remote_c_hashes_sql(schema);
	}
	*nparams = 2;
	return schema_hashes_sql(sd_catalog_extraction_sql(rr->r->version, SD_CATALOG_ALL_ARMS,
													   InvalidOid, InvalidOid));
}

/*
 * sd_side_remote_model_sql, sd_side_remote_c_hashes_sql
 *		Given the remote's schemadrift schema (quoted, as
 *		SD_REMOTE_FIND_SCHEMADRIFT_SQL returns it): the query of its object
 *		model version, and the query of its schema hashes computed in C
 *		(parameter $1, the options).
 */
char *
sd_side_remote_model_sql(const char *schema)
{
	return psprintf("SELECT v.model_version FROM %s.schemadrift_version() v", schema);
}

char *
sd_side_remote_c_hashes_sql(const char *schema)
{
	return psprintf("SELECT h.schema, h.hash FROM %s.schemadrift_schema_hashes($1::pg_catalog.jsonb) h",
					schema);
}

/* a new set of the remote's */
static SdObjectSet *
remote_set(RemoteRead *rr)
{
	SdObjectSet *set = palloc0(sizeof(SdObjectSet));

	set->options = rr->options;
	set->server_version_num = rr->r->version;
	set->server_version = pstrdup(rr->r->version_text);
	set->model_version = SD_MODEL_VERSION;
	return set;
}

/*
 * receive_hashes
 *		Over several connections (rr->slices), after the extraction with
 *		hashes ($2 false) was sent: its rows, as a new sorted set of the
 *		remote's objects with their hashes (attrs only where a kind keeps
 *		them), allocated in cxt.  The schema hashes are then computed here,
 *		as for any set, rather than by the remote: they are hashes over
 *		every object of a schema, and the parts each read some of them.
 */
static SdObjectSet *
receive_hashes(RemoteRead *rr, MemoryContext cxt)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	SdObjectSet *set = remote_set(rr);
	SdRowReader rows;

	sd_rows_begin(&rows, set, false, cxt);
	sd_remote_slices_receive(rr->slices, remote_row, &rows, READING);
	sd_rows_end(&rows);
	sd_objects_sort(set);
	MemoryContextSwitchTo(oldcxt);
	return set;
}

/*
 * sd_side_remote_read
 *		Read every canonical object of the foreign server named server under
 *		options.  Returns a sorted set in the caller's memory context; with
 *		attrs only if with_attrs.  The set records the remote's version.
 *		When keep is not NULL, the connection is left open for more queries
 *		(the audit log's, attribution.c) and returned there: the caller
 *		closes it (sd_remote_close), or the end of the transaction does.
 */
SdObjectSet *
sd_side_remote_read(const char *server, SdOptions *options, bool with_attrs,
					SdRemote **keep)
{
	MemoryContext callercxt = CurrentMemoryContext;
	RemoteRead	rr;
	SdObjectSet *set;
	char	   *extraction;
	const char *params[2];
	int			attempt;

	read_begin(&rr, server, options);
	rr.keep = (keep != NULL);
	rr.sliced = true;
	read_start(&rr);
	set = remote_set(&rr);
	extraction = sd_catalog_extraction_sql(rr.r->version, SD_CATALOG_ALL_ARMS,
										   InvalidOid, InvalidOid);
	params[0] = rr.options_utf8;
	params[1] = with_attrs ? "true" : "false";

	for (attempt = 1;; attempt++)
	{
		MemoryContext attemptcxt;
		SdRowReader rows;

		attemptcxt = AllocSetContextCreate(callercxt, "schemadrift remote read",
										   ALLOCSET_DEFAULT_SIZES);
		sd_rows_begin(&rows, set, with_attrs, attemptcxt);
		if (rr.slices != NULL)
		{
			sd_remote_slices_send(rr.slices, NULL, 2, params, READING);
			sd_remote_slices_receive(rr.slices, remote_row, &rows, READING);
		}
		else
			sd_remote_rows(rr.r, extraction, 2, params, remote_row, &rows, READING);
		sd_rows_end(&rows);
		if (read_consistent(&rr, attempt))
			break;
		MemoryContextDelete(attemptcxt);
		set->objects = NULL;
		set->nobjects = 0;
	}
	sd_objects_sort(set);
	if (keep != NULL)
		*keep = rr.r;
	return set;
}

/* one schema hash of the remote's */
typedef struct RemoteGroups
{
	SdGroupHash *groups;
	int			n;
	int			capacity;
} RemoteGroups;

static void
remote_group_row(void *arg, PGresult *row)
{
	RemoteGroups *g = (RemoteGroups *) arg;
	SdGroupHash *gh;

	if (PQnfields(row) != 2 || PQgetisnull(row, 0, 0) || PQgetisnull(row, 0, 1) ||
		strlen(PQgetvalue(row, 0, 1)) != SD_SHA256_HEX_LEN)
		elog(ERROR, "remote schema hashes came back malformed");
	if (g->n >= g->capacity)
	{
		g->capacity = Max(16, g->capacity * 2);
		g->groups = g->groups ? repalloc(g->groups, sizeof(SdGroupHash) * g->capacity) :
			palloc(sizeof(SdGroupHash) * g->capacity);
	}
	gh = &g->groups[g->n++];
	gh->name = pstrdup(PQgetvalue(row, 0, 0));	/* UTF8: the client encoding */
	strlcpy(gh->hash, PQgetvalue(row, 0, 1), sizeof(gh->hash));
	gh->first = gh->count = 0;
}

static int
group_name_cmp(const void *a, const void *b)
{
	return strcmp(((const SdGroupHash *) a)->name, ((const SdGroupHash *) b)->name);
}

/* the remote's schema hashes, sorted by name, from the query sent last */
static void
receive_groups(RemoteRead *rr, RemoteGroups *g)
{
	memset(g, 0, sizeof(*g));
	sd_remote_receive(rr->r, remote_group_row, g, READING);
	if (g->n > 1)
		qsort(g->groups, g->n, sizeof(SdGroupHash), group_name_cmp);
}

/*
 * sd_side_remote_fingerprint
 *		The fingerprint of the foreign server named server under options,
 *		into out: only one hash per schema travels.
 */
void
sd_side_remote_fingerprint(const char *server, SdOptions *options, char *out)
{
	RemoteRead	rr;
	char	   *sql;
	const char *params[2];
	int			nparams;
	int			attempt;

	read_begin(&rr, server, options);
	sql = schema_hashes_query(&rr, &nparams);
	rr.sliced = (rr.remote_schema == NULL);
	read_start(&rr);
	params[0] = rr.options_utf8;
	params[1] = "false";
	for (attempt = 1;; attempt++)
	{
		RemoteGroups g;

		if (rr.slices != NULL)
		{
			MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
													  "schemadrift remote hashes",
													  ALLOCSET_DEFAULT_SIZES);
			SdObjectSet *hashes;
			bool		done;

			sd_remote_slices_send(rr.slices, NULL, 2, params, READING);
			hashes = receive_hashes(&rr, cxt);
			done = read_consistent(&rr, attempt);
			if (done)
				sd_objects_fingerprint(hashes, out);
			MemoryContextDelete(cxt);
			if (done)
				return;
			continue;
		}

		sd_remote_send(rr.r, sql, nparams, params, READING);
		receive_groups(&rr, &g);
		if (read_consistent(&rr, attempt))
		{
			sd_objects_root(options, SD_MODEL_VERSION, g.groups, g.n, out);
			return;
		}
	}
}

/* ---- schema digests, over several connections ---------------------------- */

/* one part's digest sums of one schema */
typedef struct DigestRow
{
	char	   *name;			/* UTF-8, as the remote sent it */
	uint64		sum[2];
} DigestRow;

typedef struct Digests
{
	DigestRow  *rows;
	int			n;
	int			capacity;
} Digests;

/* a decimal integer (a sum of int8s, maybe negative), modulo 2^64 */
static uint64
sum_mod64(const char *text)
{
	const char *p = text;
	bool		negative = (*p == '-');
	uint64		v = 0;

	if (negative)
		p++;
	if (*p == '\0')
		elog(ERROR, "remote schema digests came back malformed");
	for (; *p != '\0'; p++)
	{
		if (*p < '0' || *p > '9')
			elog(ERROR, "remote schema digests came back malformed");
		v = v * 10 + (uint64) (*p - '0');
	}
	return negative ? (uint64) 0 - v : v;
}

/* one part's row of schema_digests_sql: a schema and its two sums */
static void
digest_row(void *arg, PGresult *row)
{
	Digests    *d = (Digests *) arg;
	DigestRow  *dr;

	if (PQnfields(row) != 3 || PQgetisnull(row, 0, 0) || PQgetisnull(row, 0, 1) ||
		PQgetisnull(row, 0, 2))
		elog(ERROR, "remote schema digests came back malformed");
	if (d->n >= d->capacity)
	{
		d->capacity = Max(16, d->capacity * 2);
		d->rows = d->rows ? repalloc(d->rows, sizeof(DigestRow) * d->capacity) :
			palloc(sizeof(DigestRow) * d->capacity);
	}
	dr = &d->rows[d->n++];
	dr->name = pstrdup(PQgetvalue(row, 0, 0));
	dr->sum[0] = sum_mod64(PQgetvalue(row, 0, 1));
	dr->sum[1] = sum_mod64(PQgetvalue(row, 0, 2));
}

static int
digest_row_cmp(const void *a, const void *b)
{
	return strcmp(((const DigestRow *) a)->name, ((const DigestRow *) b)->name);
}

/* a digest as the hash of a group, to compare as schema hashes are */
static void
digest_text(const uint64 *sum, char *out)
{
	snprintf(out, SD_SHA256_HEX_LEN + 1, "%016llx%016llx",
			 (unsigned long long) sum[0], (unsigned long long) sum[1]);
}

/*
 * receive_digests
 *		The remote's schemas and their digests, added up from the parts of
 *		the query sd_remote_slices_send() sent (schema_digests_sql), sorted by
 *		name, into g.
 */
static void
receive_digests(RemoteRead *rr, RemoteGroups *g)
{
	Digests		d;
	int			i;

	memset(&d, 0, sizeof(d));
	memset(g, 0, sizeof(*g));
	sd_remote_slices_receive(rr->slices, digest_row, &d, READING);
	if (d.n > 1)
		qsort(d.rows, d.n, sizeof(DigestRow), digest_row_cmp);
	g->groups = palloc(sizeof(SdGroupHash) * Max(d.n, 1));
	for (i = 0; i < d.n;)
	{
		uint64		sum[2] = {0, 0};
		SdGroupHash *gh = &g->groups[g->n++];

		gh->name = d.rows[i].name;
		for (; i < d.n && strcmp(d.rows[i].name, gh->name) == 0; i++)
		{
			sum[0] += d.rows[i].sum[0];
			sum[1] += d.rows[i].sum[1];
		}
		digest_text(sum, gh->hash);
		gh->first = gh->count = 0;
	}
}

/*
 * local_digests
 *		The other side's schema groups (lg, of set) with their digests in
 *		place of their hashes, palloc'd: as schema_digests_sql computes them.
 */
static SdGroupHash *
local_digests(const SdObjectSet *set, const SdGroupHash *lg, int nlg)
{
	SdGroupHash *dg = palloc(sizeof(SdGroupHash) * Max(nlg, 1));
	int			g;
	int			i;

	for (g = 0; g < nlg; g++)
	{
		uint64		sum[2] = {0, 0};

		dg[g] = lg[g];
		for (i = lg[g].first; i < lg[g].first + lg[g].count; i++)
		{
			pg_cryptohash_ctx *ctx = sd_util_sha256_begin();
			char		hex[SD_SHA256_HEX_LEN + 1];
			char		piece[17];

			sd_objects_hash_leaf(ctx, &set->objects[i]);
			sd_util_sha256_end(ctx, hex);
			memcpy(piece, hex, 16);
			piece[16] = '\0';
			sum[0] += strtou64(piece, NULL, 16);
			memcpy(piece, hex + 16, 16);
			sum[1] += strtou64(piece, NULL, 16);
		}
		digest_text(sum, dg[g].hash);
	}
	return dg;
}

/* ---- hash first: a remote read against another side ---------------------- */

/* a unit of objects and its hash, keyed by its encoded key (UTF-8) */
typedef struct UnitEntry
{
	char	   *key;			/* hash table key: must be first */
	pg_cryptohash_ctx *ctx;
	bool		replaced;		/* the remote sent its own version */
	bool		absent;			/* the remote lacks it */
	int			absent_reports; /* parts that said they lack it */
} UnitEntry;

static uint32
unit_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
unit_match(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

static HTAB *
unit_table(void)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(UnitEntry);
	ctl.hash = unit_hash;
	ctl.match = unit_match;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create("schemadrift units", 1024, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/* the encoded key of obj's unit: its parent relation's, or its own */
static char *
unit_key(const SdObject *obj)
{
	return obj->nparent > 0 ? sd_objects_encode_key("", obj->nparent, obj->parent) :
		sd_objects_encode_key("", obj->nkey, obj->key);
}

static UnitEntry *
unit_lookup(HTAB *units, char *key, bool create)
{
	bool		found;
	UnitEntry  *e = hash_search(units, &key, create ? HASH_ENTER : HASH_FIND, &found);

	if (create && !found)
	{
		e->key = key;
		e->ctx = NULL;
		e->replaced = e->absent = false;
		e->absent_reports = 0;
	}
	return e;
}

/* what the units query brings back */
typedef struct UnitRows
{
	SdRowReader rows;
	HTAB	   *units;
} UnitRows;

static void
unit_row(void *arg, PGresult *row)
{
	UnitRows   *ur = (UnitRows *) arg;

	if (PQnfields(row) != SD_ROW_NATTS)
		elog(ERROR, "remote units query returned %d columns, expected %d",
			 PQnfields(row), SD_ROW_NATTS);
	if (PQgetisnull(row, 0, 0))
	{
		/* a unit of the other side's that the remote lacks */
		UnitEntry  *e = unit_lookup(ur->units, PQgetvalue(row, 0, 1), false);

		if (e == NULL)
			elog(ERROR, "remote named a unit that was not asked about");
		e->absent_reports++;
		return;
	}
	remote_row(&ur->rows, row);
}

/*
 * differing_schemas
 *		The names (UTF-8) of the schemas whose hashes differ between the
 *		other side's (a, sorted) and the remote's (b, sorted), or that only
 *		one has, as a JSON array, palloc'd; NULL if none differs.
 *		a_differs[i] tells whether a[i] is one of them.
 */
static char *
differing_schemas(SdGroupHash *a, int na, SdGroupHash *b, int nb, bool *a_differs)
{
	StringInfoData buf;
	int			i = 0,
				j = 0;
	bool		any = false;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	while (i < na || j < nb)
	{
		int			c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i].name, b[j].name);
		const char *name;

		if (c == 0 && strcmp(a[i].hash, b[j].hash) == 0)
		{
			a_differs[i] = false;
			i++, j++;
			continue;
		}
		name = c <= 0 ? a[i].name : b[j].name;
		if (c <= 0)
			a_differs[i++] = true;
		if (c >= 0)
			j++;
		if (any)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, name);
		any = true;
	}
	appendStringInfoChar(&buf, ']');
	return any ? buf.data : NULL;
}

/*
 * sd_side_remote_read_against
 *		Read the foreign server named server under options, hash first,
 *		against another side: reference(arg) returns that side's sorted set
 *		(with attrs), and is called after the remote's first query is sent,
 *		so that both sides are read at the same time.  Returns the remote's
 *		sorted set, whose objects are the other side's where their units are
 *		equal; *other is set to the other side's set.  keep is as for
 *		sd_side_remote_read().
 */
SdObjectSet *
sd_side_remote_read_against(const char *server, SdOptions *options,
							SdReferenceFn reference, void *arg, SdObjectSet **other,
							SdRemote **keep)
{
	MemoryContext callercxt = CurrentMemoryContext;
	RemoteRead	rr;
	SdObjectSet *ref = NULL;
	SdObjectSet *set;
	char	   *extraction_hashes;
	char	   *extraction_attrs;
	char	   *groups_sql;
	int			groups_nparams;
	char	   *units_query = NULL;
	int			attempt;

	read_begin(&rr, server, options);
	rr.keep = (keep != NULL);
	set = remote_set(&rr);
	extraction_hashes = sd_catalog_extraction_sql(rr.r->version, SD_CATALOG_ALL_ARMS,
												  InvalidOid, InvalidOid);
	extraction_attrs = extraction_hashes;	/* the same SQL: $2 chooses */
	groups_sql = schema_hashes_query(&rr, &groups_nparams);
	rr.sliced = (rr.remote_schema == NULL);
	read_start(&rr);

	for (attempt = 1;; attempt++)
	{
		const char *params[4];
		int			parts = 1;
		RemoteGroups rg;
		SdGroupHash *lg;
		int			nlg;
		bool	   *ldiffer;
		char	   *differ;
		MemoryContext attemptcxt;
		UnitRows	ur;
		HTAB	   *units;
		StringInfoData unit_hashes;
		HASH_SEQ_STATUS seq;
		UnitEntry  *e;
		int			i,
					g;
		int			n;

		params[0] = rr.options_utf8;
		params[1] = "false";
		attemptcxt = AllocSetContextCreate(callercxt, "schemadrift remote read",
										   ALLOCSET_DEFAULT_SIZES);
		if (rr.slices != NULL)
		{
			/* each part's schema digests, added up; this side's to match */
			sd_remote_slices_send(rr.slices, schema_digests_sql, 2, params, READING);
			if (ref == NULL)
				ref = reference(arg);	/* while the remote works */
			receive_digests(&rr, &rg);
			lg = sd_objects_schema_hashes(ref, &nlg);
			ldiffer = palloc(sizeof(bool) * Max(nlg, 1));
			differ = differing_schemas(local_digests(ref, lg, nlg), nlg, rg.groups, rg.n, ldiffer);
		}
		else
		{
			sd_remote_send(rr.r, groups_sql, groups_nparams, params, READING);
			if (ref == NULL)
				ref = reference(arg);	/* while the remote works */
			receive_groups(&rr, &rg);
			lg = sd_objects_schema_hashes(ref, &nlg);
			ldiffer = palloc(sizeof(bool) * Max(nlg, 1));
			differ = differing_schemas(lg, nlg, rg.groups, rg.n, ldiffer);
		}
		set->objects = NULL;
		set->nobjects = 0;
		if (differ == NULL)
		{
			/* every schema equal: the remote's objects are the other side's */
			if (!read_consistent(&rr, attempt))
			{
				MemoryContextDelete(attemptcxt);
				continue;
			}
			set->objects = MemoryContextAllocHuge(attemptcxt, sizeof(SdObject) * Max(ref->nobjects, 1));
			memcpy(set->objects, ref->objects, sizeof(SdObject) * ref->nobjects);
			set->nobjects = ref->nobjects;
			break;
		}

		/* the other side's units in the differing schemas, and their hashes */
		units = unit_table();
		for (g = 0; g < nlg; g++)
		{
			if (!ldiffer[g])
				continue;		/* equal on both sides */
			for (i = lg[g].first; i < lg[g].first + lg[g].count; i++)
			{
				SdObject   *obj = &ref->objects[i];

				e = unit_lookup(units, unit_key(obj), true);
				if (e->ctx == NULL)
					e->ctx = sd_util_sha256_begin();
				sd_objects_hash_leaf(e->ctx, obj);
			}
		}
		initStringInfo(&unit_hashes);
		appendStringInfoChar(&unit_hashes, '{');
		n = 0;
		hash_seq_init(&seq, units);
		while ((e = hash_seq_search(&seq)) != NULL)
		{
			char		hex[SD_SHA256_HEX_LEN + 1];

			sd_util_sha256_end(e->ctx, hex);
			e->ctx = NULL;
			if (n++ > 0)
				appendStringInfoString(&unit_hashes, ", ");
			escape_json(&unit_hashes, e->key);
			appendStringInfo(&unit_hashes, ": \"%s\"", hex);
		}
		appendStringInfoChar(&unit_hashes, '}');

		/* what differs comes back, with attrs */
		if (units_query == NULL)
			units_query = groups_nparams == 1 ?
				psprintf("SELECT u.* FROM %s.schemadrift_changed_units($1::pg_catalog.jsonb, $2::pg_catalog.jsonb, $3::pg_catalog.jsonb) u",
						 rr.remote_schema) :
				units_sql(extraction_attrs);
		params[1] = "true";
		params[2] = differ;
		params[3] = unit_hashes.data;
		memset(&ur, 0, sizeof(ur));
		ur.units = units;
		sd_rows_begin(&ur.rows, set, true, attemptcxt);
		if (rr.slices != NULL)
		{
			/* each part its units: one every part lacks, the remote lacks */
			parts = sd_remote_slices_send(rr.slices, units_sql, 4, params, READING);
			sd_remote_slices_receive(rr.slices, unit_row, &ur, READING);
		}
		else if (rr.remote_schema != NULL)
		{
			/* schemadrift_changed_units(options, schemas, units) */
			const char *cparams[3] = {params[0], params[2], params[3]};

			sd_remote_rows(rr.r, units_query, 3, cparams, unit_row, &ur, READING);
		}
		else
			sd_remote_rows(rr.r, units_query, 4, params, unit_row, &ur, READING);
		sd_rows_end(&ur.rows);
		hash_seq_init(&seq, units);
		while ((e = hash_seq_search(&seq)) != NULL)
			e->absent = (e->absent_reports >= parts);
		if (!read_consistent(&rr, attempt))
		{
			MemoryContextDelete(attemptcxt);
			hash_destroy(units);
			continue;
		}

		/* the remote's set: what came back, and the other side's equal units */
		for (i = 0; i < set->nobjects; i++)
		{
			e = unit_lookup(units, unit_key(&set->objects[i]), false);
			if (e != NULL)
				e->replaced = true;
		}
		{
			int			returned = set->nobjects;
			SdObject   *all = MemoryContextAllocHuge(attemptcxt,
													 sizeof(SdObject) * Max(returned + ref->nobjects, 1));

			memcpy(all, set->objects, sizeof(SdObject) * returned);
			n = returned;
			for (i = 0; i < ref->nobjects; i++)
			{
				SdObject   *obj = &ref->objects[i];
				char	   *ukey = unit_key(obj);

				e = unit_lookup(units, ukey, false);
				pfree(ukey);
				if (e != NULL && (e->replaced || e->absent))
					continue;
				all[n++] = *obj;
			}
			set->objects = all;
			set->nobjects = n;
		}
		hash_destroy(units);
		break;
	}
	*other = ref;
	sd_objects_sort(set);
	if (keep != NULL)
		*keep = rr.r;
	return set;
}

/* ---- the remote's half, where it has schemadrift ---------------------------- */

/* a text[] datum of C strings */
static Datum
cstrings_to_array(int n, char **parts)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(parts[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* the strings of a jsonb array, in UTF-8 (as the caller's side sent them) */
static List *
jsonb_array_strings(Jsonb *j, const char *argname)
{
	JsonbValue	v;
	List	   *strings;
	List	   *result = NIL;
	ListCell   *lc;

	v.type = jbvBinary;
	v.val.binary.data = &j->root;
	v.val.binary.len = VARSIZE(j) - VARHDRSZ;
	if (sd_jsonb_strings(&v, &strings, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" must be a JSON array of strings", argname)));
	foreach(lc, strings)
		result = lappend(result, pg_server_to_any(lfirst(lc), strlen(lfirst(lc)), PG_UTF8));
	return result;
}

PG_FUNCTION_INFO_V1(schemadrift_changed_units);

/*
 * schemadrift_changed_units(options jsonb, schemas jsonb, units jsonb)
 *		-> TABLE(kind, identity, schema, key, parent, attrs, hash)
 *
 * The second round of a hash-first read, computed in C where the remote has
 * schemadrift: what units_sql() returns, for this database.  schemas is a
 * JSON array of schema names ("" for objects in none), units a JSON object
 * of the caller's unit keys and hashes in those schemas: returns every
 * object of a unit of those schemas whose hash is not the caller's, then a
 * row of NULLs but the unit key (as identity) for each of the caller's units
 * this database lacks.
 */
Datum
schemadrift_changed_units(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	List	   *schemas;
	Jsonb	   *theirs;
	SdObjectSet *set;
	HTAB	   *units;
	HASH_SEQ_STATUS seq;
	UnitEntry  *e;
	bool	   *in_schemas;
	int			i;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("\"schemas\" and \"units\" must not be NULL")));
	schemas = jsonb_array_strings(PG_GETARG_JSONB_P(1), "schemas");
	theirs = PG_GETARG_JSONB_P(2);
	if (!JB_ROOT_IS_OBJECT(theirs))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"units\" must be a JSON object of unit keys and hashes")));
	InitMaterializedSRF(fcinfo, 0);

	/* this database's units in those schemas, and their hashes */
	set = sd_side_local_read(options, true);
	units = unit_table();
	in_schemas = palloc(sizeof(bool) * Max(set->nobjects, 1));
	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];

		in_schemas[i] = sd_list_has_string(schemas, obj->sort_schema ? obj->sort_schema : "");
		if (!in_schemas[i])
			continue;
		e = unit_lookup(units, unit_key(obj), true);
		if (e->ctx == NULL)
			e->ctx = sd_util_sha256_begin();
		sd_objects_hash_leaf(e->ctx, obj);
	}
	hash_seq_init(&seq, units);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		char		hex[SD_SHA256_HEX_LEN + 1];
		JsonbValue *v;
		char	   *key;

		sd_util_sha256_end(e->ctx, hex);
		e->ctx = NULL;
		/* unit keys are UTF-8; the caller's arrived in this encoding */
		key = pg_any_to_server(e->key, strlen(e->key), PG_UTF8);
		v = getKeyJsonValueFromContainer(&theirs->root, key, strlen(key), NULL);
		e->replaced = (v == NULL || v->type != jbvString ||
					   v->val.string.len != SD_SHA256_HEX_LEN ||
					   memcmp(v->val.string.val, hex, SD_SHA256_HEX_LEN) != 0);
	}

	/* the objects of the units that differ or that the caller lacks */
	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];
		char	   *ukey;
		Datum		values[SD_ROW_NATTS];
		bool		nulls[SD_ROW_NATTS] = {0};

		if (!in_schemas[i])
			continue;
		ukey = unit_key(obj);
		e = unit_lookup(units, ukey, false);
		pfree(ukey);
		if (!e->replaced)
			continue;
		values[0] = CStringGetTextDatum(obj->kind);
		values[1] = CStringGetTextDatum(obj->identity);
		nulls[2] = (obj->schema == NULL);
		if (obj->schema)
			values[2] = CStringGetTextDatum(obj->schema);
		values[3] = cstrings_to_array(obj->nkey, obj->key);
		nulls[4] = (obj->nparent == 0);
		if (obj->nparent > 0)
			values[4] = cstrings_to_array(obj->nparent, obj->parent);
		values[5] = CStringGetTextDatum(sd_object_attrs_text(obj));
		values[6] = CStringGetTextDatum(obj->hash);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	/* the caller's units this database lacks */
	{
		JsonbIterator *it = JsonbIteratorInit(&theirs->root);
		JsonbValue	v;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			Datum		values[SD_ROW_NATTS] = {0};
			bool		nulls[SD_ROW_NATTS] = {true, false, true, true, true, true, true};
			char	   *key;

			if (tok != WJB_KEY)
				continue;
			key = pnstrdup(v.val.string.val, v.val.string.len);
			if (unit_lookup(units, pg_server_to_any(key, strlen(key), PG_UTF8), false) != NULL)
				continue;
			values[1] = CStringGetTextDatum(key);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
