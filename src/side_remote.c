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
 * and again after it has committed (the latest state), unless the
 * remote's snapshot shows that no transaction ended meanwhile; when they
 * differ the read is tried again, and after a few tries fails with 40001.
 *
 * Hash first.  The remote computes hashes itself, and only what differs
 * travels.  A fingerprint moves one hash per schema (the Merkle tree's
 * schema level, computed in SQL exactly as objects.c computes it), from
 * which the root is computed here.  A diff sends its first query, reads
 * the other side meanwhile, and compares digests of buckets: every "unit"
 * (a relation with its columns, constraints, indexes, triggers and
 * policies; any other object alone) falls in one of SD_UNIT_BUCKETS
 * buckets by its key, and the remote sends each bucket's digest (96 KB at
 * most, however many schemas).  If they are all equal, the remote's
 * objects are the other side's and nothing else travels.  Otherwise a
 * second query sends the hashes of the other side's units in the buckets
 * that differ; the remote reads only the relations of those buckets (and
 * its other objects, which are few) and returns the objects, with their
 * attrs, of the units whose hash differs or that the other side lacks,
 * and names the units it lacks.  The remote's set is then the other side's
 * equal units and what came back: the diff itself runs on whole sets as
 * for any side.  Where the remote has schemadrift, both rounds run through
 * its own functions (schemadrift_unit_digests, schemadrift_unit_objects,
 * at the end of this file), which check their reads for concurrent DDL
 * where they run, so no catalog state is taken over libpq.
 *
 * Several connections.  Where the remote has no schemadrift of its own and
 * is large enough, the whole-extraction rounds run over several connections
 * that share one exported snapshot, each on its part of the extraction
 * (side_remote_slices.c): a full read as is; a fingerprint from every
 * object's hash (a schema hash needs all of a schema's objects in order,
 * which no part has); the first round of a diff from each part's bucket
 * digests, which add up.  The second round reads little and runs on the
 * first connection.
 *
 * IDENTIFICATION
 *	  src/side_remote.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "common/hashfn.h"
#include "executor/spi.h"
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
#include "utils/snapmgr.h"

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
 * The most key parts the SQL below encodes without a subquery: keys and
 * parents of more parts (none in this object model today) take the slower,
 * general form.
 */
#define FLAT_KEY_PARTS 4

/* the UTF-8 byte length of the text expression e, as text */
static char *
utf8_length_sql(const char *e, bool utf8)
{
	return utf8 ? psprintf("pg_catalog.octet_length(%s)::pg_catalog.text", e) :
		psprintf("pg_catalog.octet_length(pg_catalog.convert_to(%s, 'UTF8'))::pg_catalog.text", e);
}

/*
 * encoded_parts_sql
 *		The parts of the text[] expression array, each as "|<UTF-8 byte
 *		length>:<part>", in order: the tail of sd_objects_encode_key, in SQL.
 *		utf8: the remote's encoding is UTF-8, so a text's length in bytes is
 *		its UTF-8 length.  Up to FLAT_KEY_PARTS parts are written out one by
 *		one (a subquery per row costs a third of the aggregation); array is
 *		then repeated, so it should be a column.
 */
static char *
encoded_parts_sql(const char *array, bool utf8)
{
	StringInfoData buf;
	char	   *general;
	int			i;

	general = psprintf("coalesce((SELECT pg_catalog.string_agg('|' || %s || ':' || u.p, '' ORDER BY u.n)"
					   " FROM pg_catalog.unnest(%s) WITH ORDINALITY u(p, n)), '')",
					   utf8_length_sql("u.p", utf8), array);
	initStringInfo(&buf);
	appendStringInfo(&buf, "CASE WHEN coalesce(pg_catalog.cardinality(%s), 0) <= %d THEN ",
					 array, FLAT_KEY_PARTS);
	for (i = 1; i <= FLAT_KEY_PARTS; i++)
	{
		char	   *part = psprintf("(%s)[%d]", array, i);

		appendStringInfo(&buf, "%scoalesce('|' || %s || ':' || %s, '')",
						 i > 1 ? " || " : "", utf8_length_sql(part, utf8), part);
	}
	appendStringInfo(&buf, " ELSE %s END", general);
	return buf.data;
}

/* an object's mkey (sd_objects_encode_key of its kind and key), of x */
static char *
mkey_sql(bool utf8)
{
	return psprintf("%s || ':' || x.kind || %s",
					utf8_length_sql("x.kind", utf8), encoded_parts_sql("x.key", utf8));
}

/*
 * The unit of an object (sd_objects_encode_key of "" and its parent's key,
 * or its own): of x, where x.uk is that key (UNIT_KEY_SQL, a column first).
 */
#define UNIT_KEY_SQL "CASE WHEN pg_catalog.cardinality(x.parent) > 0 THEN x.parent ELSE x.key END"

static char *
unit_sql(bool utf8)
{
	return psprintf("'0:' || %s", encoded_parts_sql("x.uk", utf8));
}

/*
 * bucket_sql
 *		The bucket of the unit (text expression) unit: the first
 *		SD_UNIT_BUCKET_BITS bits of the sha256 of its UTF-8 bytes
 *		(unit_bucket).  Buckets cut a schema's units into parts of which a
 *		hash-first diff asks only for those that differ.
 */
static char *
bucket_sql(const char *unit)
{
	StaticAssertStmt(SD_UNIT_BUCKET_BITS <= 16, "a bucket is read from two bytes");
	return psprintf("(('x' || pg_catalog.encode(pg_catalog.substr(pg_catalog.sha256(pg_catalog.convert_to(%s, 'UTF8')),"
					" 1, 2), 'hex'))::pg_catalog.bit(16)::pg_catalog.int4 >> %d)",
					unit, 16 - SD_UNIT_BUCKET_BITS);
}

/*
 * group_hash_sql
 *		The hash of the leaf lines ("<mkey> <hash>\n") of a group, in mkey
 *		order (UTF-8 bytes: "C" order, where the remote's encoding is UTF-8).
 */
static char *
group_hash_sql(const char *mkey, const char *hash, bool utf8)
{
	char	   *order = utf8 ? psprintf("%s COLLATE \"C\"", mkey) :
		psprintf("pg_catalog.convert_to(%s, 'UTF8')", mkey);

	return psprintf("pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.string_agg("
					"%s || ' ' || %s || E'\\n', '' ORDER BY %s), 'UTF8')), 'hex')",
					mkey, hash, order);
}

/*
 * schema_hashes_sql
 *		Each schema's hash ("" for objects in none), as objects.c computes
 *		it, from the extraction run with hashes ($2 false).
 */
static char *
schema_hashes_sql(const char *extraction, bool utf8)
{
	return psprintf("WITH x(kind, identity, schema, key, parent, attrs, hash) AS MATERIALIZED (\n%s\n),\n"
					"y AS (SELECT coalesce(x.schema, '') AS grp, %s AS mkey, x.hash FROM x)\n"
					"SELECT y.grp, %s FROM y GROUP BY y.grp",
					extraction, mkey_sql(utf8), group_hash_sql("y.mkey", "y.hash", utf8));
}

/*
 * Bucket digests, the first round of a hash-first diff.  Every unit falls
 * in one of SD_UNIT_BUCKETS buckets (bucket_sql); a bucket's digest is the
 * XOR of the first 8 bytes of the sha256 of each of its objects' leaf line,
 * and the XOR of the next 8: a changed, missing or extra object changes both
 * unless its leaf hash agrees in 128 bits (a set's leaf lines are distinct,
 * so none cancels another).  Unlike a hash over lines in order, a digest
 * adds up from parts, so the parts of a read over several connections each
 * send theirs.  It only decides which buckets go to the second round, whose
 * unit hashes are exact, and never enters a fingerprint.  They travel as
 * one base64 text, 18 bytes a bucket that has objects (its number, int2,
 * and the two XORs, int8, all big-endian): 72 KB at most, 96 KB as base64.
 */
/* the XOR of a digest column over its buckets, as 16 hex digits */
#define ROOT_HEX_SQL(col) \
	"pg_catalog.lpad(pg_catalog.to_hex(coalesce(pg_catalog.bit_xor(" col "), 0)), 16, '0')"

#define DIGEST_PIECE_SQL(from) \
	"pg_catalog.bit_xor(('x' || pg_catalog.encode(pg_catalog.substr(y.lh, " from ", 8), 'hex'))" \
	"::pg_catalog.bit(64)::pg_catalog.int8)"

/*
 * bucket_digests_sql, bucket_digests_utf8_sql
 *		One row of the rows of extraction (run with hashes: $2 false): their
 *		root, the XOR of every bucket's digests (32 hex digits, zeros when
 *		there are no rows), and the bucket digests as base64 text (NULL when
 *		there are none).
 */
static char *
bucket_digests_sql(const char *extraction, bool utf8)
{
	return psprintf("WITH x0(kind, identity, schema, key, parent, attrs, hash) AS MATERIALIZED (\n%s\n),\n"
					"x AS (SELECT x.*, " UNIT_KEY_SQL " AS uk FROM x0 x),\n"
					"y AS (SELECT %s AS unit, pg_catalog.sha256(pg_catalog.convert_to(%s || ' ' || x.hash || E'\\n', 'UTF8')) AS lh FROM x),\n"
					"ub AS (SELECT v.unit, %s AS b FROM (SELECT DISTINCT y.unit COLLATE \"C\" AS unit FROM y) v),\n"
					"z AS (SELECT ub.b, " DIGEST_PIECE_SQL("1") " AS d1, " DIGEST_PIECE_SQL("9") " AS d2"
					" FROM y JOIN ub ON ub.unit = y.unit COLLATE \"C\" GROUP BY ub.b)\n"
					"SELECT " ROOT_HEX_SQL("z.d1") " || " ROOT_HEX_SQL("z.d2") " AS root,"
					" pg_catalog.translate(pg_catalog.encode(pg_catalog.string_agg("
					"pg_catalog.int2send(z.b::pg_catalog.int2) || pg_catalog.int8send(z.d1) || pg_catalog.int8send(z.d2),"
					" '' ORDER BY z.b), 'base64'), E'\\n', '') AS digests FROM z",
					extraction, unit_sql(utf8), mkey_sql(utf8), bucket_sql("v.unit"));
}

static char *
bucket_digests_utf8_sql(const char *extraction)
{
	return bucket_digests_sql(extraction, true);
}

static char *
bucket_digests_other_sql(const char *extraction)
{
	return bucket_digests_sql(extraction, false);
}

/*
 * relation_in_buckets_sql
 *		" AND" the relation of pg_class alias rel, in pg_namespace alias nsp,
 *		is a unit of one of the buckets of $3 (an int4[]).
 */
static char *
relation_in_buckets_sql(const char *nsp, const char *rel, bool utf8)
{
	char	   *parts = psprintf("ARRAY[%s.nspname::pg_catalog.text, %s.relname::pg_catalog.text]",
								 nsp, rel);
	char	   *unit = psprintf("'0:' || %s", encoded_parts_sql(parts, utf8));

	return psprintf(" AND %s OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.int4[])", bucket_sql(unit));
}

/*
 * units_sql
 *		The second round of a hash-first diff: from the extraction run with
 *		attrs ($2 true), its relations restricted to the units of the
 *		buckets of $3 (an int4[]), and its other arms whole: the objects of
 *		every unit of those buckets whose hash is not the one in $4 (a jsonb
 *		object of unit keys and hashes: the other side's), with their
 *		hashes; then a row of NULLs but the unit key (as identity) for each
 *		unit of $4 the remote lacks.  Where the remote's encoding is not
 *		UTF-8, the other side may name units it cannot hold (Cyrillic names
 *		asked of a LATIN1 database): there the unit keys of $4, and those
 *		sent back, are the hex of their UTF-8 bytes, and are compared as
 *		bytes.
 */
static char *
units_sql(int server_version, bool utf8)
{
	char	   *extraction;

	extraction = sd_catalog_relations_where_sql(server_version,
												relation_in_buckets_sql("n", "c", utf8),
												relation_in_buckets_sql("tn", "t", utf8));
	return psprintf("WITH x0(kind, identity, schema, key, parent, attrs, hash) AS MATERIALIZED (\n%s\n),\n"
					"x AS (SELECT x.*, " UNIT_KEY_SQL " AS uk FROM x0 x),\n"
					"y0 AS (SELECT x.kind, x.identity, x.schema, x.key, x.parent, x.attrs,"
					" pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(x.attrs, 'UTF8')), 'hex') AS h,"
					" %s AS mkey, %s AS unit FROM x),\n"
					"y AS (SELECT y0.*, %s AS ukey FROM y0 WHERE %s OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.int4[])),\n"
					"u AS (SELECT y.ukey, %s AS uh FROM y GROUP BY y.ukey),\n"
					"l AS (SELECT %s AS ukey, e.key, e.value AS lh FROM pg_catalog.jsonb_each_text($4::pg_catalog.jsonb) e)\n"
					"SELECT y.kind, y.identity, y.schema, y.key, y.parent, y.attrs, y.h"
					" FROM y JOIN u ON u.ukey = y.ukey LEFT JOIN l ON l.ukey = y.ukey"
					" WHERE l.lh IS NULL OR l.lh <> u.uh\n"
					"UNION ALL\n"
					"SELECT NULL, l.key, NULL, NULL, NULL, NULL, NULL FROM l"
					" WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.ukey = l.ukey)",
					extraction, mkey_sql(utf8), unit_sql(utf8),
					utf8 ? "y0.unit" : "pg_catalog.convert_to(y0.unit, 'UTF8')",
					bucket_sql("y0.unit"),
					group_hash_sql("y.mkey", "y.h", utf8),
					utf8 ? "e.key" : "pg_catalog.decode(e.key, 'hex')");
}

/* units_sql for this database (schemadrift_unit_objects) */
static char *
units_sql_here(void *arg)
{
	return units_sql(PG_VERSION_NUM, GetDatabaseEncoding() == PG_UTF8);
}

/*
 * sd_side_remote_schema_hashes_sql
 *		The query that returns a remote's schema hashes (name, hash), for a
 *		remote of version server_version (utf8: its encoding is UTF-8);
 *		parameters $1 (the options, jsonb text) and $2 ("false").
 */
char *
sd_side_remote_schema_hashes_sql(int server_version, bool utf8)
{
	return schema_hashes_sql(sd_catalog_extraction_sql(server_version, SD_CATALOG_ALL_ARMS,
													   InvalidOid, InvalidOid), utf8);
}

/* ---- reading ---------------------------------------------------------------- */

/*
 * sd_side_remote_state_sql, sd_side_remote_states_equal
 *		The remote's catalog state (sd_catalog_state_sql) after its snapshot
 *		(pg_current_snapshot(), "xmin:xmax:xip,..."), and whether two such
 *		values tell that no DDL committed between them.
 *
 * Equal snapshots say that no transaction ended between the two (any end
 * changes the in-progress list or xmax): then the catalogs cannot have
 * changed, and the state check can be skipped.  After a read,
 * SD_REMOTE_SNAPSHOT_SQL asks for the snapshot alone, and only where it
 * differs (some transaction ended: on a busy server, always) for the state
 * (about 0.2 s at 10,000 tables), whose parts then decide.  The local read
 * does the same with registered snapshots (side_local.c).  A standby gives
 * no snapshot (SD_REMOTE_SNAPSHOT_EXPR): its states always decide.
 */
char *
sd_side_remote_state_sql(int server_version)
{
	return psprintf("SELECT pg_catalog.concat(" SD_REMOTE_SNAPSHOT_EXPR ", ' ', (%s))",
					sd_catalog_state_sql(server_version));
}

bool
sd_side_remote_snapshot_unchanged(const char *before, const char *snapshot)
{
	size_t		len = snapshot ? strlen(snapshot) : 0;

	/* no snapshot (a standby): no shortcut */
	return before != NULL && len > 0 && strncmp(before, snapshot, len) == 0 &&
		before[len] == ' ';
}

bool
sd_side_remote_states_equal(const char *before, const char *after)
{
	const char *b = before ? strchr(before, ' ') : NULL;
	const char *a = after ? strchr(after, ' ') : NULL;

	return b != NULL && a != NULL && strcmp(b, a) == 0;
}

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
	bool		state_in_query; /* over one connection, the first query of an
								 * attempt returns the catalog state too */
	bool		self_consistent;	/* only the remote's schemadrift reads, in
									 * C: its read checks itself */
	bool		remote_changed; /* ... and found that DDL committed since the
								 * transaction's snapshot */
	SdRemoteSlices *slices;		/* the other connections, in this attempt */
} RemoteRead;

/* connect: the connection is in its transaction; then read_start() */
static void
read_begin(RemoteRead *rr, const char *server, SdOptions *options)
{
	rr->server = server;
	rr->options = options;
	rr->r = sd_remote_connect(server);
	rr->state_sql = sd_side_remote_state_sql(rr->r->version);
	rr->options_utf8 = pg_server_to_any(options->canonical, strlen(options->canonical), PG_UTF8);
	rr->remote_schema = NULL;
	rr->keep = false;
	rr->sliced = false;
	rr->state_in_query = false;
	rr->self_consistent = false;
	rr->remote_changed = false;
	rr->slices = NULL;
	rr->before = NULL;
}

/*
 * read_start
 *		Start an attempt, in the connection's transaction: open the other
 *		connections where rr->sliced asks for them and the remote is worth
 *		it (sd_remote_slices_open), and take the catalog state, unless the
 *		first query brings it (rr->state_in_query, over one connection:
 *		with_state_sql; a REPEATABLE READ transaction sees one snapshot, so
 *		the state is the same in any of its queries, and the remote starts
 *		on the extraction one query sooner).
 */
static void
read_start(RemoteRead *rr)
{
	if (rr->sliced)
		rr->slices = sd_remote_slices_open(rr->r, READING);
	rr->before = NULL;
	rr->remote_changed = false;
	if (!rr->state_in_query || rr->slices != NULL)
		rr->before = sd_remote_value(rr->r, rr->state_sql, false, READING);
}

/*
 * with_state_sql, take_state
 *		query with the transaction's catalog state as a first column, and
 *		that column of one of its rows into rr->before.  A query that
 *		returned no row leaves it NULL: take_state_if_missing() then asks.
 *
 * Where only the remote's schemadrift reads (rr->self_consistent: a
 * fingerprint, or a diff's first round, in C), no state is taken: that read
 * takes a fresh snapshot per attempt and checks itself as this database's
 * read does (side_local.c), whatever the transaction's snapshot.  Only a
 * query that reads under that snapshot (a diff's second round) needs the
 * check here, and takes the state then: the transaction's snapshot is the
 * same in any of its queries.
 */
static char *
with_state_sql(RemoteRead *rr, const char *query)
{
	if (rr->self_consistent)
		return psprintf("SELECT NULL::pg_catalog.text AS state, q.* FROM (%s) q", query);
	return psprintf("SELECT (%s) AS state, q.* FROM (%s) q", rr->state_sql, query);
}

static void
take_state(RemoteRead *rr, PGresult *row)
{
	if (rr->self_consistent)
		return;
	if (PQgetisnull(row, 0, 0))
		elog(ERROR, "remote catalog state came back malformed");
	if (rr->before == NULL)
		rr->before = pstrdup(PQgetvalue(row, 0, 0));
}

static void
take_state_if_missing(RemoteRead *rr)
{
	if (rr->before == NULL && !rr->self_consistent)
		rr->before = sd_remote_value(rr->r, rr->state_sql, false, READING);
}

/*
 * read_consistent
 *		End the transaction and check that no DDL committed on the remote
 *		while it ran (sd_side_remote_states_equal).  True: done (the
 *		connection is closed, unless rr->keep: then it is idle, outside any
 *		transaction).  False: a new
 *		transaction has begun, to read again; after SD_EXTRACT_ATTEMPTS
 *		attempts, fail with 40001.
 */
static bool
read_consistent(RemoteRead *rr, int attempt)
{
	char	   *after;
	bool		unchanged;

	/* the other connections have read their parts: done with them */
	if (rr->slices != NULL)
	{
		sd_remote_slices_close(rr->slices);
		rr->slices = NULL;
	}
	sd_remote_command(rr->r, "COMMIT", READING);
	if (rr->self_consistent)
		unchanged = !rr->remote_changed;	/* the remote's read checked itself */
	else
	{
		after = sd_remote_value(rr->r, SD_REMOTE_SNAPSHOT_SQL, false, READING);
		unchanged = sd_side_remote_snapshot_unchanged(rr->before, after);
		if (!unchanged)
		{
			after = sd_remote_value(rr->r, rr->state_sql, false, READING);
			unchanged = sd_side_remote_states_equal(rr->before, after);
		}
	}
	if (unchanged)
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
 *		The query for the remote's schema hashes (or, with digests, its
 *		bucket digests: the first round of a diff), and its number of
 *		parameters.  A remote with schemadrift (0.2.0 or later, of this
 *		object model) computes them in C, with its parallel workers, through
 *		schemadrift_schema_hashes() or schemadrift_unit_digests(); any
 *		other, in SQL (schema_hashes_sql, bucket_digests_sql).  Both give
 *		the same values: the C path is this code, and the SQL path is
 *		checked against it (drift_scenarios' remotes have schemadrift,
 *		remote.sql's have not, and both agree with the snapshots).
 */
static char *
schema_hashes_query(RemoteRead *rr, bool digests, int *nparams)
{
	char	   *schema;
	char	   *model = NULL;
	char	   *extraction;

	schema = sd_remote_value(rr->r, SD_REMOTE_FIND_SCHEMADRIFT_SQL, true, READING);
	if (schema != NULL)
		model = sd_remote_value(rr->r, sd_side_remote_model_sql(schema), false, READING);
	if (model != NULL && atoi(model) == SD_MODEL_VERSION)
	{
		rr->remote_schema = schema;
		*nparams = 1;
		return digests ?
			psprintf("SELECT u.root, u.digests FROM %s.schemadrift_unit_digests($1::pg_catalog.jsonb) u", schema) :
			sd_side_remote_c_hashes_sql(schema);
	}
	*nparams = 2;
	extraction = sd_catalog_extraction_sql(rr->r->version, SD_CATALOG_ALL_ARMS,
										   InvalidOid, InvalidOid);
	return digests ? bucket_digests_sql(extraction, rr->r->utf8) :
		schema_hashes_sql(extraction, rr->r->utf8);
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
	RemoteRead *rr;				/* whose state may come with the rows */
} RemoteGroups;

static void
remote_group_row(void *arg, PGresult *row)
{
	RemoteGroups *g = (RemoteGroups *) arg;
	SdGroupHash *gh;
	int			c = 0;			/* the first column of the name and hash */

	if (g->rr != NULL && g->rr->state_in_query && PQnfields(row) == 3)
	{
		take_state(g->rr, row);
		c = 1;
	}
	if (PQnfields(row) != c + 2 || PQgetisnull(row, 0, c) || PQgetisnull(row, 0, c + 1) ||
		strlen(PQgetvalue(row, 0, c + 1)) != SD_SHA256_HEX_LEN)
		elog(ERROR, "remote schema hashes came back malformed");
	if (g->n >= g->capacity)
	{
		g->capacity = Max(16, g->capacity * 2);
		g->groups = g->groups ? repalloc(g->groups, sizeof(SdGroupHash) * g->capacity) :
			palloc(sizeof(SdGroupHash) * g->capacity);
	}
	gh = &g->groups[g->n++];
	gh->name = pstrdup(PQgetvalue(row, 0, c));	/* UTF8: the client encoding */
	strlcpy(gh->hash, PQgetvalue(row, 0, c + 1), sizeof(gh->hash));
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
	g->rr = rr;
	sd_remote_receive(rr->r, remote_group_row, g, READING);
	take_state_if_missing(rr);
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
	sql = schema_hashes_query(&rr, false, &nparams);
	rr.sliced = (rr.remote_schema == NULL);
	rr.self_consistent = (rr.remote_schema != NULL);
	rr.state_in_query = true;
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

		sd_remote_send(rr.r, with_state_sql(&rr, sql), nparams, params, READING);
		receive_groups(&rr, &g);
		if (read_consistent(&rr, attempt))
		{
			sd_objects_root(options, SD_MODEL_VERSION, g.groups, g.n, out);
			return;
		}
	}
}

/* ---- hash first: a remote read against another side ---------------------- */

/* a unit of objects and its hash, keyed by its encoded key (UTF-8) */
typedef struct UnitEntry
{
	char	   *key;			/* hash table key: must be first */
	pg_cryptohash_ctx *ctx;
	bool		replaced;		/* the remote sent its own version */
	bool		absent;			/* the remote lacks it */
	bool		equal;			/* (schemadrift_unit_objects) the other side
								 * has it with the same hash */
	char		hash[SD_SHA256_HEX_LEN + 1];
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
		e->replaced = e->absent = e->equal = false;
		e->hash[0] = '\0';
	}
	return e;
}

/* what the units query brings back */
typedef struct UnitRows
{
	SdRowReader rows;
	HTAB	   *units;
	bool		hex_keys;		/* unit keys travel as hex (units_sql) */
	bool		changed;		/* schemadrift_unit_objects() found DDL */
} UnitRows;

/* a unit key sent back as the hex of its UTF-8 bytes, palloc'd */
static char *
hex_key(const char *hex)
{
	size_t		len = strlen(hex);
	char	   *key = palloc(len / 2 + 1);
	size_t		i;

	if (len % 2 != 0)
		elog(ERROR, "remote named a unit that was not asked about");
	for (i = 0; i < len / 2; i++)
	{
		char		pair[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
		unsigned long v;

		if (!isxdigit((unsigned char) pair[0]) || !isxdigit((unsigned char) pair[1]) ||
			(v = strtoul(pair, NULL, 16)) == 0)
			elog(ERROR, "remote named a unit that was not asked about");
		key[i] = (char) v;
	}
	key[len / 2] = '\0';
	return key;
}

static void
unit_row(void *arg, PGresult *row)
{
	UnitRows   *ur = (UnitRows *) arg;

	if (PQnfields(row) != SD_ROW_NATTS)
		elog(ERROR, "remote units query returned %d columns, expected %d",
			 PQnfields(row), SD_ROW_NATTS);
	if (PQgetisnull(row, 0, 0) && PQgetisnull(row, 0, 1))
	{
		/* schemadrift_unit_objects(): DDL committed since the snapshot */
		ur->changed = true;
		return;
	}
	if (PQgetisnull(row, 0, 0))
	{
		/* a unit of the other side's that the remote lacks */
		char	   *key = PQgetvalue(row, 0, 1);
		UnitEntry  *e;

		if (ur->hex_keys)
			key = hex_key(key);
		e = unit_lookup(ur->units, key, false);

		if (e == NULL)
			elog(ERROR, "remote named a unit that was not asked about");
		e->absent = true;
		return;
	}
	remote_row(&ur->rows, row);
}

/* ---- bucket digests --------------------------------------------------------- */

/* sha256 of what sd_util_sha256_add() fed into ctx since its init, raw */
static void
sha256_raw_final(pg_cryptohash_ctx *ctx, uint8 *out)
{
	if (pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not finalize sha256: %s", pg_cryptohash_error(ctx));
}

static void
sha256_raw_init(pg_cryptohash_ctx *ctx)
{
	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize sha256: %s", pg_cryptohash_error(ctx));
}

/* the bucket of a unit key (UTF-8), with ctx: as bucket_sql computes it */
static int
unit_bucket(pg_cryptohash_ctx *ctx, const char *ukey)
{
	uint8		h[PG_SHA256_DIGEST_LENGTH];

	sha256_raw_init(ctx);
	sd_util_sha256_add(ctx, ukey, strlen(ukey));
	sha256_raw_final(ctx, h);
	return ((h[0] << 8) | h[1]) >> (16 - SD_UNIT_BUCKET_BITS);
}

/*
 * sd_side_bucket_digests
 *		The bucket digests of set (with hashes) into out, as
 *		bucket_digests_sql computes them; each object's bucket into
 *		buckets[i], unless buckets is NULL.
 */
void
sd_side_bucket_digests(const SdObjectSet *set, SdBucketDigests *out, int *buckets)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	int			i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < set->nobjects; i++)
	{
		const SdObject *obj = &set->objects[i];
		char	   *ukey = unit_key(obj);
		int			b = unit_bucket(ctx, ukey);
		uint8		h[PG_SHA256_DIGEST_LENGTH];
		int			k;
		int			j;

		pfree(ukey);
		sha256_raw_init(ctx);
		sd_objects_hash_leaf(ctx, obj);
		sha256_raw_final(ctx, h);
		for (k = 0; k < 2; k++)
		{
			uint64		v = 0;

			for (j = 0; j < 8; j++)
				v = (v << 8) | h[k * 8 + j];
			out->d[b][k] ^= v;
		}
		out->present[b] = true;
		if (buckets != NULL)
			buckets[i] = b;
	}
	pg_cryptohash_free(ctx);
}

#define DIGEST_RECORD_LEN 18	/* int2 bucket, two int8 */

/*
 * sd_side_bucket_digests_text
 *		The digests as bucket_digests_sql returns them (base64 of a record
 *		per bucket that has units), palloc'd; NULL when none has.
 */
char *
sd_side_bucket_digests_text(const SdBucketDigests *digests)
{
	unsigned char *raw = palloc(SD_UNIT_BUCKETS * DIGEST_RECORD_LEN);
	unsigned char *p = raw;
	char	   *out;
	int			len;
	int			b;

	for (b = 0; b < SD_UNIT_BUCKETS; b++)
	{
		int			k;
		int			j;

		if (!digests->present[b])
			continue;
		*p++ = (unsigned char) (b >> 8);
		*p++ = (unsigned char) b;
		for (k = 0; k < 2; k++)
			for (j = 7; j >= 0; j--)
				*p++ = (unsigned char) (digests->d[b][k] >> (j * 8));
	}
	if (p == raw)
		return NULL;
	len = pg_b64_enc_len(p - raw);
	out = palloc(len + 1);
	len = pg_b64_encode((void *) raw, p - raw, out, len);
	if (len < 0)
		elog(ERROR, "could not encode bucket digests");
	out[len] = '\0';
	return out;
}

/* the root of digests (the XOR of every bucket's), as 32 hex digits */
static void
digests_root(const SdBucketDigests *digests, char *out)
{
	uint64		root[2] = {0, 0};
	int			b;

	for (b = 0; b < SD_UNIT_BUCKETS; b++)
	{
		root[0] ^= digests->d[b][0];
		root[1] ^= digests->d[b][1];
	}
	snprintf(out, 33, "%016llx%016llx",
			 (unsigned long long) root[0], (unsigned long long) root[1]);
}

/*
 * digests_row
 *		A row of the first round: (root, digests) from a part of a read over
 *		several connections, or (state, root, digests) from the cursor of a
 *		read over one, whose first row brings the state and the root and
 *		whose second the digests (round1_cursor_sql).  Digests are XORed
 *		into da->digests: they add up from parts.
 */
typedef struct DigestsArg
{
	SdBucketDigests *digests;
	RemoteRead *rr;				/* whose state may come with the row */
	char		root[33];		/* the remote's root, if it came */
	bool		have_root;
} DigestsArg;

static void
digests_row(void *arg, PGresult *row)
{
	DigestsArg *da = (DigestsArg *) arg;
	SdBucketDigests *dg = da->digests;
	const char *text;
	unsigned char *raw;
	int			c = 0;			/* the column of the root */
	int			len;
	int			i;

	if (PQnfields(row) == 3)
	{
		if (!PQgetisnull(row, 0, 0))
			take_state(da->rr, row);
		c = 1;
	}
	if (PQnfields(row) != c + 2)
		elog(ERROR, "remote bucket digests came back malformed");
	if (!PQgetisnull(row, 0, c))
	{
		if (strlen(PQgetvalue(row, 0, c)) != 32)
			elog(ERROR, "remote bucket digests came back malformed");
		memcpy(da->root, PQgetvalue(row, 0, c), 33);
		da->have_root = true;
	}
	if (PQgetisnull(row, 0, c + 1))
		return;					/* no objects, or the cursor's first row */
	text = PQgetvalue(row, 0, c + 1);
	raw = palloc(pg_b64_dec_len(strlen(text)) + 1);
	len = pg_b64_decode(text, strlen(text), (void *) raw, pg_b64_dec_len(strlen(text)));
	if (len < 0 || len % DIGEST_RECORD_LEN != 0)
		elog(ERROR, "remote bucket digests came back malformed");
	for (i = 0; i < len; i += DIGEST_RECORD_LEN)
	{
		const unsigned char *r = raw + i;
		int			b = (r[0] << 8) | r[1];
		int			k;
		int			j;

		if (b >= SD_UNIT_BUCKETS)
			elog(ERROR, "remote bucket digests came back malformed");
		for (k = 0; k < 2; k++)
		{
			uint64		v = 0;

			for (j = 0; j < 8; j++)
				v = (v << 8) | r[2 + k * 8 + j];
			dg->d[b][k] ^= v;
		}
		dg->present[b] = true;
	}
	pfree(raw);
}

/*
 * round1_cursor_sql
 *		Over one connection, the first round (query: its root and digests,
 *		one row) as a cursor of two rows: the transaction's catalog state
 *		and the root, then the digests.  The first FETCH computes both; the
 *		second, sent only when the roots differ, moves the digests (24 KB at
 *		most): two equal databases move little more than the query.
 */
static char *
round1_cursor_sql(RemoteRead *rr, const char *query)
{
	return psprintf("DECLARE sd_round1 NO SCROLL CURSOR FOR"
					" WITH r AS MATERIALIZED (%s)"
					" SELECT r.state, r.root, NULL::pg_catalog.text FROM r"
					" UNION ALL SELECT NULL, NULL, r.digests FROM r",
					with_state_sql(rr, query));
}

/*
 * differing_buckets
 *		The buckets whose digests differ between a and b, or that only one
 *		has units in, as an int4[] literal, palloc'd, with differ[b] set for
 *		each; NULL if none differs.
 */
static char *
differing_buckets(const SdBucketDigests *a, const SdBucketDigests *b, bool *differ)
{
	StringInfoData buf;
	int			i;
	bool		any = false;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < SD_UNIT_BUCKETS; i++)
	{
		differ[i] = (a->present[i] != b->present[i] ||
					 a->d[i][0] != b->d[i][0] || a->d[i][1] != b->d[i][1]);
		if (!differ[i])
			continue;
		appendStringInfo(&buf, "%s%d", any ? "," : "", i);
		any = true;
	}
	appendStringInfoChar(&buf, '}');
	return any ? buf.data : NULL;
}

/* ---- hash first against another side ------------------------------------- */

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
	SdBucketDigests *local = NULL;
	int		   *ref_bucket = NULL;
	SdObjectSet *set;
	char	   *digests_sql;
	int			digests_nparams;
	char	   *units_query = NULL;
	int			attempt;

	read_begin(&rr, server, options);
	rr.keep = (keep != NULL);
	set = remote_set(&rr);
	digests_sql = schema_hashes_query(&rr, true, &digests_nparams);
	rr.sliced = (rr.remote_schema == NULL);
	rr.state_in_query = true;
	read_start(&rr);

	for (attempt = 1;; attempt++)
	{
		const char *params[4];
		int			nparams;
		SdBucketDigests *remote = palloc0(sizeof(SdBucketDigests));
		DigestsArg	da = {remote, &rr};
		char		local_root[33];
		bool		differ[SD_UNIT_BUCKETS];
		char	   *buckets;
		MemoryContext attemptcxt;
		UnitRows	ur;
		HTAB	   *units;
		StringInfoData unit_hashes;
		HASH_SEQ_STATUS seq;
		UnitEntry  *e;
		int			i;
		int			n;

		params[0] = rr.options_utf8;
		params[1] = "false";
		/*
		 * In C where the remote can, both rounds: they check themselves
		 * (the second reads nothing again, or checks its read there).
		 */
		rr.self_consistent = (rr.remote_schema != NULL);
		attemptcxt = AllocSetContextCreate(callercxt, "schemadrift remote read",
										   ALLOCSET_DEFAULT_SIZES);
		if (rr.slices != NULL)
			sd_remote_slices_send(rr.slices,
								  rr.r->utf8 ? bucket_digests_utf8_sql : bucket_digests_other_sql,
								  2, params, READING);
		else
		{
			sd_remote_rows(rr.r, round1_cursor_sql(&rr, digests_sql), digests_nparams, params,
						   NULL, NULL, READING);
			sd_remote_send(rr.r, "FETCH 1 FROM sd_round1", 0, NULL, READING);
		}
		if (ref == NULL)
		{
			/* this side, while the remote works */
			ref = reference(arg);
			local = palloc(sizeof(SdBucketDigests));
			ref_bucket = palloc(sizeof(int) * Max(ref->nobjects, 1));
			sd_side_bucket_digests(ref, local, ref_bucket);
		}
		if (rr.slices != NULL)
			sd_remote_slices_receive(rr.slices, digests_row, &da, READING);
		else
		{
			/* the root first; the digests only if it differs */
			sd_remote_receive(rr.r, digests_row, &da, READING);
			take_state_if_missing(&rr);
			digests_root(local, local_root);
			if (!da.have_root)
				elog(ERROR, "remote bucket digests came back malformed");
			if (strcmp(da.root, local_root) == 0)
				memcpy(remote, local, sizeof(SdBucketDigests));
			else
				sd_remote_rows(rr.r, "FETCH 1 FROM sd_round1", 0, NULL, digests_row, &da,
							   READING);
		}
		buckets = differing_buckets(local, remote, differ);
		pfree(remote);
		set->objects = NULL;
		set->nobjects = 0;
		if (buckets == NULL)
		{
			/* every bucket equal: the remote's objects are the other side's */
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

		/* the other side's units in the differing buckets, and their hashes */
		units = unit_table();
		for (i = 0; i < ref->nobjects; i++)
		{
			SdObject   *obj = &ref->objects[i];

			if (!differ[ref_bucket[i]])
				continue;		/* equal on both sides */
			e = unit_lookup(units, unit_key(obj), true);
			if (e->ctx == NULL)
				e->ctx = sd_util_sha256_begin();
			sd_objects_hash_leaf(e->ctx, obj);
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
			if (rr.r->utf8)
				escape_json(&unit_hashes, e->key);
			else
			{
				/* the hex of the key's UTF-8 bytes (units_sql) */
				const char *k;

				appendStringInfoChar(&unit_hashes, '"');
				for (k = e->key; *k != '\0'; k++)
					appendStringInfo(&unit_hashes, "%02x", (unsigned char) *k);
				appendStringInfoChar(&unit_hashes, '"');
			}
			appendStringInfo(&unit_hashes, ": \"%s\"", hex);
		}
		appendStringInfoChar(&unit_hashes, '}');

		/*
		 * What differs comes back, with attrs, over the first connection.
		 * This round reads under the transaction's snapshot, which must be
		 * checked against the latest: by the remote's schemadrift where it
		 * has one (schemadrift_unit_objects(), the same query run there),
		 * else here, with the catalog state taken now.
		 */
		if (units_query == NULL)
			units_query = rr.remote_schema != NULL ?
				psprintf("SELECT u.kind, u.identity, u.schema, u.key, u.parent, u.attrs, u.hash"
						 " FROM %s.schemadrift_unit_objects($1::pg_catalog.jsonb,"
						 " $2::pg_catalog.int4[], $3::pg_catalog.jsonb) u", rr.remote_schema) :
				units_sql(rr.r->version, rr.r->utf8);
		take_state_if_missing(&rr);
		nparams = 1;			/* the options */
		if (rr.remote_schema == NULL)
			params[nparams++] = "true"; /* with attrs ($2 of units_sql) */
		params[nparams++] = buckets;
		params[nparams++] = unit_hashes.data;
		memset(&ur, 0, sizeof(ur));
		ur.units = units;
		ur.hex_keys = !rr.r->utf8;
		sd_rows_begin(&ur.rows, set, true, attemptcxt);
		sd_remote_rows(rr.r, units_query, nparams, params, unit_row, &ur, READING);
		sd_rows_end(&ur.rows);
		rr.remote_changed = ur.changed;
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
				char	   *ukey;

				if (!differ[ref_bucket[i]])
				{
					all[n++] = *obj;
					continue;
				}
				ukey = unit_key(obj);
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

/*
 * The first round's read, kept for the second.  The caller asks both rounds
 * in one transaction, over one connection; schemadrift_unit_digests() reads
 * with attrs and keeps the set (in a child of TopTransactionContext, for the
 * rest of the transaction), and schemadrift_unit_objects() with the same
 * options answers from it: no second read of the catalogs, and both rounds
 * see the one consistent read.  Only in a UTF-8 database, where the objects'
 * strings are the bytes that unit keys and buckets are computed from.
 */
static MemoryContext round1_cxt = NULL;
static SdObjectSet *round1_set = NULL;
static int *round1_buckets = NULL;	/* each object's unit's bucket */
static char *round1_options = NULL;
static bool round1_callback = false;

static void
round1_forget(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* the memory goes with TopTransactionContext */
			round1_cxt = NULL;
			round1_set = NULL;
			round1_buckets = NULL;
			round1_options = NULL;
			break;
		default:
			break;
	}
}

/*
 * round1_read
 *		Read this database under options for the first round, its bucket
 *		digests into digests; keep the read if it can be kept.
 */
static void
round1_read(SdOptions *options, SdBucketDigests *digests)
{
	MemoryContext cxt;
	MemoryContext old;
	SdObjectSet *set;
	int		   *buckets;
	char	   *canonical;

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		set = sd_side_local_read(options, false);
		sd_side_bucket_digests(set, digests, NULL);
		return;
	}
	if (!round1_callback)
	{
		RegisterXactCallback(round1_forget, NULL);
		round1_callback = true;
	}
	cxt = AllocSetContextCreate(TopTransactionContext, "schemadrift first round",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	set = sd_side_local_read(options, true);
	buckets = palloc(sizeof(int) * Max(set->nobjects, 1));
	sd_side_bucket_digests(set, digests, buckets);
	canonical = pstrdup(options->canonical);
	MemoryContextSwitchTo(old);
	if (round1_cxt != NULL)
		MemoryContextDelete(round1_cxt);
	round1_cxt = cxt;
	round1_set = set;
	round1_buckets = buckets;
	round1_options = canonical;
}

/*
 * units_from_round1
 *		schemadrift_unit_objects() from the first round's read: the rows
 *		units_sql() gives, in the same columns.  A unit's hash is computed
 *		as the caller computes its own (its objects' leaf lines in the set's
 *		order).
 */
static void
units_from_round1(ReturnSetInfo *rsinfo, const SdObjectSet *set, const int *buckets,
				  const bool *wanted, Jsonb *units)
{
	HTAB	   *table = unit_table();
	UnitEntry **of = palloc0(sizeof(UnitEntry *) * Max(set->nobjects, 1));
	HASH_SEQ_STATUS seq;
	UnitEntry  *e;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	Datum		values[SD_ROW_NATTS];
	bool		nulls[SD_ROW_NATTS];
	int			i;

	/* the units of the buckets asked for, and their hashes */
	for (i = 0; i < set->nobjects; i++)
	{
		const SdObject *obj = &set->objects[i];

		if (!wanted[buckets[i]])
			continue;
		e = unit_lookup(table, unit_key(obj), true);
		if (e->ctx == NULL)
			e->ctx = sd_util_sha256_begin();
		sd_objects_hash_leaf(e->ctx, obj);
		of[i] = e;
	}
	hash_seq_init(&seq, table);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		sd_util_sha256_end(e->ctx, e->hash);
		e->ctx = NULL;
	}

	/* the other side's units: equal ones stay here, missing ones are named */
	memset(nulls, true, sizeof(nulls));
	it = JsonbIteratorInit(&units->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;
		JsonbValue	val;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		tok = JsonbIteratorNext(&it, &val, true);
		e = unit_lookup(table, key, false);
		if (e == NULL)
		{
			values[1] = CStringGetTextDatum(key);
			nulls[1] = false;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			nulls[1] = true;
		}
		else if (tok == WJB_VALUE && val.type == jbvString &&
				 val.val.string.len == SD_SHA256_HEX_LEN &&
				 memcmp(val.val.string.val, e->hash, SD_SHA256_HEX_LEN) == 0)
			e->equal = true;
	}

	/* the objects of the units that differ, or that the other side lacks */
	for (i = 0; i < set->nobjects; i++)
	{
		const SdObject *obj = &set->objects[i];

		if (of[i] == NULL || of[i]->equal)
			continue;
		memset(nulls, false, sizeof(nulls));
		values[0] = CStringGetTextDatum(obj->kind);
		values[1] = CStringGetTextDatum(obj->identity);
		if (obj->schema != NULL)
			values[2] = CStringGetTextDatum(obj->schema);
		else
			nulls[2] = true;
		values[3] = sd_util_text_array(obj->key, obj->nkey);
		if (obj->nparent > 0)
			values[4] = sd_util_text_array(obj->parent, obj->nparent);
		else
			nulls[4] = true;
		if (obj->attrs_text != NULL)
			values[5] = CStringGetTextDatum(obj->attrs_text);
		else
			nulls[5] = true;
		values[6] = CStringGetTextDatum(obj->hash);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	hash_destroy(table);
	pfree(of);
}

PG_FUNCTION_INFO_V1(schemadrift_unit_digests);

/*
 * schemadrift_unit_digests(options jsonb) -> TABLE(root text, digests text)
 *
 * The first round of a hash-first diff, computed in C where the remote has
 * schemadrift: what bucket_digests_sql() returns, for this database (its
 * objects read by the backend and its parallel workers).
 */
Datum
schemadrift_unit_digests(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	SdBucketDigests *digests = palloc(sizeof(SdBucketDigests));
	char		root[33];
	char	   *text;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	InitMaterializedSRF(fcinfo, 0);
	round1_read(options, digests);
	digests_root(digests, root);
	text = sd_side_bucket_digests_text(digests);
	values[0] = CStringGetTextDatum(root);
	nulls[1] = (text == NULL);
	if (text != NULL)
		values[1] = CStringGetTextDatum(text);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(schemadrift_unit_objects);

/*
 * schemadrift_unit_objects(options jsonb, buckets int4[], units jsonb)
 *		-> TABLE(kind, identity, schema, key, parent, attrs, hash)
 *
 * The second round of a hash-first diff, answered in C where the remote has
 * schemadrift: what units_sql() returns for this database (the objects,
 * with attrs and hashes, of its units in the buckets asked for whose hash is
 * not the one units gives, and a row naming each unit of units that this
 * database lacks).  Where schemadrift_unit_digests() read this database
 * with the same options earlier in the transaction, from that read (the
 * caller's case: round1_read).  Otherwise read under the snapshot of the
 * calling query: in the caller's REPEATABLE READ transaction, the one the
 * first round began.
 *
 * Core's deparse functions read the latest catalogs, so the read is checked
 * against the latest committed state (sd_side_local_unchanged): free when no
 * transaction ended since the snapshot was taken, otherwise two catalog
 * states compared.  Where DDL committed meanwhile (or the calling statement
 * itself changed the catalogs, as CREATE TABLE AS does), the result is one
 * row whose columns are all NULL, and the caller reads both rounds again in
 * a new transaction.  Over libpq the same check costs a catalog state taken
 * before the read (0.2 s at 10,000 tables), whatever happened.
 */
Datum
schemadrift_unit_objects(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SdOptions  *options;
	ArrayType  *buckets;
	Jsonb	   *units;
	Datum	   *elems;
	bool	   *elnulls;
	int			nelems;
	bool		wanted[SD_UNIT_BUCKETS];
	Oid			argtypes[4] = {JSONBOID, BOOLOID, INT4ARRAYOID, JSONBOID};
	Datum		args[4];
	Snapshot	snap;
	SPIPlanPtr	plan;
	SPITupleTable *rows;
	uint64		nrows;
	TupleDesc	desc;
	int			nestlevel;
	int			rc;
	int			i;
	uint64		row;

	options = sd_options_from_datum(fcinfo, 0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("buckets and units must not be NULL"),
				 errhint("Pass '{}' for no buckets or no units.")));
	buckets = PG_GETARG_ARRAYTYPE_P(1);
	units = PG_GETARG_JSONB_P(2);
	if (ARR_NDIM(buckets) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("buckets must be a one-dimensional array")));
	deconstruct_array(buckets, INT4OID, sizeof(int32), true, TYPALIGN_INT,
					  &elems, &elnulls, &nelems);
	memset(wanted, 0, sizeof(wanted));
	for (i = 0; i < nelems; i++)
	{
		if (elnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("buckets must not contain NULL")));
		if (DatumGetInt32(elems[i]) < 0 || DatumGetInt32(elems[i]) >= SD_UNIT_BUCKETS)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("bucket %d is out of range", DatumGetInt32(elems[i])),
					 errdetail("Buckets are numbered from 0 to %d.", SD_UNIT_BUCKETS - 1)));
		wanted[DatumGetInt32(elems[i])] = true;
	}
	if (!JB_ROOT_IS_OBJECT(units) || JB_ROOT_IS_SCALAR(units))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("units must be a JSON object"),
				 errdetail("Its keys are unit keys, its values the units' hashes.")));

	InitMaterializedSRF(fcinfo, 0);
	if (round1_set != NULL && strcmp(round1_options, options->canonical) == 0)
	{
		/* the first round of this transaction read it all */
		units_from_round1(rsinfo, round1_set, round1_buckets, wanted, units);
		return (Datum) 0;
	}

	nestlevel = sd_util_pin_gucs();
	snap = RegisterSnapshot(GetActiveSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sd_catalog_for_this_database(units_sql_here, NULL), 4, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare the units query: %s", SPI_result_code_string(SPI_result));
	args[0] = JsonbPGetDatum(options->jsonb);
	args[1] = BoolGetDatum(true);
	args[2] = PointerGetDatum(buckets);
	args[3] = JsonbPGetDatum(units);
	rc = SPI_execute_plan(plan, args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "units query failed: %s", SPI_result_code_string(rc));
	/* the check below runs queries of its own */
	rows = SPI_tuptable;
	nrows = SPI_processed;

	desc = rows->tupdesc;
	if (desc->natts != rsinfo->setDesc->natts)
		elog(ERROR, "units query returned %d columns, expected %d",
			 desc->natts, rsinfo->setDesc->natts);
	for (i = 0; i < desc->natts; i++)
		if (TupleDescAttr(desc, i)->atttypid != TupleDescAttr(rsinfo->setDesc, i)->atttypid)
			elog(ERROR, "units query column %d is of type %u, expected %u", i + 1,
				 TupleDescAttr(desc, i)->atttypid, TupleDescAttr(rsinfo->setDesc, i)->atttypid);

	if (!sd_side_local_unchanged(snap))
	{
		/* DDL committed since the snapshot: the caller reads again */
		Datum		values[SD_ROW_NATTS] = {0};
		bool		nulls[SD_ROW_NATTS];

		StaticAssertStmt(SD_ROW_NATTS == 7, "a units row has 7 columns");
		memset(nulls, true, sizeof(nulls));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	else
	{
		Datum	   *values = palloc(sizeof(Datum) * desc->natts);
		bool	   *nulls = palloc(sizeof(bool) * desc->natts);

		for (row = 0; row < nrows; row++)
		{
			heap_deform_tuple(rows->vals[row], desc, values, nulls);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	UnregisterSnapshot(snap);
	sd_util_unpin_gucs(nestlevel);
	return (Datum) 0;
}
