/*-------------------------------------------------------------------------
 *
 * attribution.c
 *	  Who made each drift: the last audit log entry of a drifted object.
 *
 * Given the kinds and identities of a diff's rows and a side whose audit
 * log can be read (this database, or a foreign server whose database has
 * schemadrift, over the connection its objects were read on), each row is
 * given the last entry of that side's schemadrift_ddl_log (audit.c) that
 * names its object, or else its parent (a column, constraint, trigger or
 * policy is changed by an ALTER of its table, which is audited on the
 * table: the last such entry whose statement mentions the object's name is
 * preferred, then the last of all): the command, who ran it, when, from
 * which application and client, the statement (redacted as the log keeps
 * it) and the change reason.  Entries written by extension scripts are not
 * considered.  One query per side, whatever the number of rows: the
 * identities travel as one JSON parameter.  The same SQL runs through SPI
 * and through libpq, and its rows take the same path into SdAttribution.
 *
 * The log is read as the caller (here) or as the user mapping's role
 * (there): a role that cannot read it gets no attribution and a NOTICE,
 * once per side and call; so does a remote without schemadrift.
 *
 * The parent is found from the identity's spelling ("c on s.t", "s.t.col"):
 * a name holding " on " or a dot inside quotes can be attributed to the
 * wrong parent, or to none.
 *
 * IDENTIFICATION
 *	  src/attribution.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "remote.h"
#include "workflow.h"

#define READING_LOG "reading the audit log"

/* the columns of the attribution query, after the request's ordinal */
#define SD_ATTRIBUTION_NCOLS	9

/*
 * parent_identity
 *		The identity of the relation an object (kind, identity) belongs to,
 *		or NULL; *name is then the object's own name within it (what a
 *		statement on the relation that changed the object mentions).
 */
static char *
parent_identity(const char *kind, const char *identity, char **name)
{
	const char *on = NULL;
	const char *p;
	const char *dot;

	*name = NULL;
	for (p = strstr(identity, " on "); p != NULL; p = strstr(p + 1, " on "))
		on = p;
	if (on != NULL)
	{
		*name = pnstrdup(identity, on - identity);
		return pstrdup(on + 4);
	}
	if (strcmp(kind, "table column") == 0 ||
		strcmp(kind, "foreign table column") == 0)
	{
		dot = strrchr(identity, '.');
		if (dot != NULL)
		{
			*name = pstrdup(dot + 1);
			return pnstrdup(identity, dot - identity);
		}
	}
	return NULL;
}

/* a JSON string, or null */
static void
append_json_or_null(StringInfo buf, const char *s)
{
	if (s == NULL)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, s);
}

/*
 * sd_attribution_log_readable
 *		Whether the current user may read the audit log of the extension
 *		in schema (quoted).  Call it connected to SPI.
 */
bool
sd_attribution_log_readable(const char *schema)
{
	bool		isnull;
	int			rc;

	rc = SPI_execute(psprintf("SELECT pg_catalog.has_table_privilege(%s, 'SELECT')",
							  quote_literal_cstr(psprintf("%s.schemadrift_ddl_log", schema))),
					 true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * attribution_request
 *		The query's parameter: a JSON array with one [identity, parent, name]
 *		per distinct object of the n rows (consecutive rows of one object,
 *		as a changed object's are, ask once); which[i] is row i's element
 *		(0-based).  In the server encoding; palloc'd.
 */
static char *
attribution_request(int n, char **kinds, char **identities, int *which)
{
	StringInfoData buf;
	int			nreq = 0;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < n; i++)
	{
		char	   *parent;
		char	   *name;

		if (i > 0 && strcmp(kinds[i], kinds[i - 1]) == 0 &&
			strcmp(identities[i], identities[i - 1]) == 0)
		{
			which[i] = which[i - 1];
			continue;
		}
		which[i] = nreq++;
		parent = parent_identity(kinds[i], identities[i], &name);
		if (buf.len > 1)
			appendStringInfoString(&buf, ", ");
		appendStringInfoChar(&buf, '[');
		escape_json(&buf, identities[i]);
		appendStringInfoString(&buf, ", ");
		append_json_or_null(&buf, parent);
		appendStringInfoString(&buf, ", ");
		append_json_or_null(&buf, name);
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * attribution_sql
 *		The query of the last entries of the audit log in schema (quoted)
 *		for the objects of $1 (attribution_request's JSON, as text): one row
 *		per object that has one, its ordinal (1-based) first.  Every name and
 *		operator is qualified: it runs in this database's session as it is
 *		and on a remote pinned to pg_catalog.
 *
 * Each object's identity and its parent are joined by equality (hashable):
 * the object's own entries first, then its relation's entries whose
 * statement names it, then its relation's; the latest of them.  One command
 * can write several entries for one object (a CREATE TABLE with a foreign
 * key is also an ALTER TABLE of the table): the entry shown is the first
 * that the latest command wrote for it (same transaction, same statement).
 */
static char *
attribution_sql(const char *schema)
{
	return psprintf("SELECT DISTINCT ON (i.ord) i.ord::pg_catalog.int4,"
					" pg_catalog.first_value(l.id) OVER w,"
					" pg_catalog.first_value(l.command_tag) OVER w,"
					" pg_catalog.first_value(l.current_user_name) OVER w,"
					" pg_catalog.to_char((pg_catalog.first_value(l.occurred_at) OVER w) AT TIME ZONE 'UTC',"
					"  'YYYY-MM-DD HH24:MI:SS.US'),"
					" pg_catalog.first_value(l.application_name) OVER w,"
					" pg_catalog.host(pg_catalog.first_value(l.client_addr) OVER w),"
					" pg_catalog.first_value(l.statement) OVER w,"
					" pg_catalog.first_value(l.change_reason) OVER w"
					" FROM (SELECT e.ord, x.ident, x.prio,"
					"  e.r OPERATOR(pg_catalog.->>) 2 AS name"
					"  FROM pg_catalog.jsonb_array_elements($1::pg_catalog.jsonb)"
					"   WITH ORDINALITY AS e(r, ord),"
					"  LATERAL (VALUES (e.r OPERATOR(pg_catalog.->>) 0, 0),"
					"   (e.r OPERATOR(pg_catalog.->>) 1, 1)) AS x(ident, prio)"
					"  WHERE x.ident IS NOT NULL) i"
					" JOIN %s.schemadrift_ddl_log l"
					"  ON l.object_identity OPERATOR(pg_catalog.=) i.ident"
					" WHERE NOT l.creating_extension"
					" AND l.event OPERATOR(pg_catalog.=) ANY ('{ddl_command_end,sql_drop,utility}'::pg_catalog.text[])"
					" WINDOW w AS (PARTITION BY i.ord, i.prio, l.transaction_id, l.statement ORDER BY l.id)"
					" ORDER BY i.ord, i.prio,"
					"  COALESCE(pg_catalog.strpos(pg_catalog.lower(l.statement), pg_catalog.lower(i.name))"
					"   OPERATOR(pg_catalog.>) 0, false) DESC,"
					"  l.id DESC", schema);
}

/*
 * sd_attribution_time_text
 *		An audit entry's time as reports show it: "2026-12-05 23:40:00 UTC".
 */
char *
sd_attribution_time_text(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(t) || timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		return pstrdup("?");
	return psprintf("%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * one_attribution
 *		An SdAttribution from a row of attribution_sql's columns after the
 *		ordinal, as text in the server encoding (NULL for SQL NULL), in the
 *		current memory context.
 */
static SdAttribution *
one_attribution(char **v, const char *side)
{
	SdAttribution *a = palloc0(sizeof(SdAttribution));

	a->side = side;
	a->id = v[0] ? pg_strtoint64(v[0]) : 0;
	a->command_tag = v[1] ? pstrdup(v[1]) : NULL;
	a->user_name = v[2] ? pstrdup(v[2]) : NULL;
	a->at_value = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
														  CStringGetDatum(psprintf("%s+00", v[3])),
														  ObjectIdGetDatum(InvalidOid),
														  Int32GetDatum(-1)));
	a->at = sd_attribution_time_text(a->at_value);
	a->application = v[4] ? pstrdup(v[4]) : NULL;
	a->client = v[5] ? pstrdup(v[5]) : NULL;
	a->statement = v[6] ? pstrdup(v[6]) : NULL;
	a->change_reason = v[7] ? pstrdup(v[7]) : NULL;
	return a;
}

/* ---- this database ---------------------------------------------------------- */

/*
 * attribute_local
 *		This database's entries for the objects of request (nreq of them)
 *		into found[], in the caller's memory context.
 */
static void
attribute_local(const char *request, SdAttribution **found, int nreq,
				const char *side)
{
	MemoryContext callercxt = CurrentMemoryContext;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *schema;
	char	   *log;
	bool		isnull;
	uint64		i;
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = sd_workflow_schema();
	log = psprintf("%s.schemadrift_ddl_log", schema);
	if (!sd_attribution_log_readable(schema))
	{
		/* before SPI_finish(): log is in SPI's memory, which it frees */
		ereport(NOTICE,
				(errmsg("cannot read the audit log of this database: the %s's rows are not attributed",
						side),
				 errdetail("Role \"%s\" has no SELECT privilege on %s.",
						   GetUserNameFromId(GetUserId(), false), log),
				 errhint("Grant the role SELECT on the audit log to see who changed each object.")));
		SPI_finish();
		return;
	}

	args[0] = CStringGetTextDatum(request);
	rc = SPI_execute_with_args(attribution_sql(schema), 1, argtypes, args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		int			ord = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		MemoryContext spicxt = MemoryContextSwitchTo(callercxt);
		char	   *v[SD_ATTRIBUTION_NCOLS - 1];
		int			c;

		for (c = 0; c < SD_ATTRIBUTION_NCOLS - 1; c++)
			v[c] = SPI_getvalue(tup, desc, c + 2);
		if (ord >= 1 && ord <= nreq)
			found[ord - 1] = one_attribution(v, side);
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();
}

/* ---- a remote --------------------------------------------------------------- */

/*
 * The remote's schemadrift schema (quoted) when its role may read the audit
 * log there, '' when it may not; no row without schemadrift.
 */
#define FIND_REMOTE_LOG_SQL \
	"SELECT CASE WHEN pg_catalog.has_table_privilege(c.oid, 'SELECT')" \
	" THEN pg_catalog.quote_ident(n.nspname) ELSE '' END" \
	" FROM pg_catalog.pg_extension e" \
	" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace" \
	" JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid" \
	"  AND c.relname OPERATOR(pg_catalog.=) 'schemadrift_ddl_log'" \
	" WHERE e.extname OPERATOR(pg_catalog.=) 'schemadrift'"

typedef struct RemoteFound
{
	SdAttribution **found;
	int			nreq;
	const char *side;
} RemoteFound;

/* one remote row (UTF8) into found[] */
static void
remote_attribution_row(void *arg, PGresult *row)
{
	RemoteFound *rf = (RemoteFound *) arg;
	char	   *v[SD_ATTRIBUTION_NCOLS - 1];
	int			ord;
	int			c;

	if (PQnfields(row) != SD_ATTRIBUTION_NCOLS || PQgetisnull(row, 0, 0) ||
		PQgetisnull(row, 0, 4))
		elog(ERROR, "remote audit log query returned a malformed row");
	ord = atoi(PQgetvalue(row, 0, 0));
	for (c = 0; c < SD_ATTRIBUTION_NCOLS - 1; c++)
	{
		const char *s = PQgetvalue(row, 0, c + 1);

		v[c] = PQgetisnull(row, 0, c + 1) ? NULL :
			pg_any_to_server(s, strlen(s), PG_UTF8);
	}
	if (ord >= 1 && ord <= rf->nreq)
		rf->found[ord - 1] = one_attribution(v, rf->side);
}

/*
 * attribute_remote
 *		The entries of r's audit log for the objects of request, over r (a
 *		connection left open by its read, idle).
 */
static void
attribute_remote(SdRemote *r, const char *request, SdAttribution **found,
				 int nreq, const char *side)
{
	char	   *schema = sd_remote_value(r, FIND_REMOTE_LOG_SQL, true, READING_LOG);
	const char *params[1];
	RemoteFound rf;

	if (schema == NULL)
	{
		ereport(NOTICE,
				(errmsg("server \"%s\" has no audit log: the %s's rows are not attributed",
						r->server, side),
				 errdetail("schemadrift is not installed in the server's database."),
				 errhint("Install schemadrift there (CREATE EXTENSION schemadrift) to audit its DDL.")));
		return;
	}
	if (schema[0] == '\0')
	{
		ereport(NOTICE,
				(errmsg("cannot read the audit log of server \"%s\": the %s's rows are not attributed",
						r->server, side),
				 errdetail("The role of the user mapping has no SELECT privilege on schemadrift_ddl_log there."),
				 errhint("Grant that role SELECT on the audit log to see who changed each object.")));
		return;
	}
	params[0] = pg_server_to_any(request, strlen(request), PG_UTF8);
	rf.found = found;
	rf.nreq = nreq;
	rf.side = side;
	sd_remote_rows(r, attribution_sql(schema), 1, params,
				   remote_attribution_row, &rf, READING_LOG);
}

/*
 * sd_attribute_rows
 *		The last audit log entry of each of n objects (kinds[i],
 *		identities[i]) on the side log names ("target" or "source"): an
 *		array of n, NULL where an object has none or the log cannot be read
 *		(a NOTICE then says why).  Palloc'd in the current memory context.
 */
SdAttribution **
sd_attribute_rows(const SdAuditLog *log, int n, char **kinds, char **identities)
{
	SdAttribution **result = palloc0(sizeof(SdAttribution *) * Max(n, 1));
	SdAttribution **found;
	int		   *which;
	char	   *request;
	int			nreq;
	int			i;

	if (n == 0 || (!log->local && log->remote == NULL))
		return result;
	which = palloc(sizeof(int) * n);
	request = attribution_request(n, kinds, identities, which);
	nreq = which[n - 1] + 1;
	found = palloc0(sizeof(SdAttribution *) * nreq);
	if (log->local)
		attribute_local(request, found, nreq, log->side);
	else
		attribute_remote(log->remote, request, found, nreq, log->side);
	for (i = 0; i < n; i++)
		result[i] = found[which[i]];
	return result;
}
