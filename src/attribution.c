/*-------------------------------------------------------------------------
 *
 * attribution.c
 *	  Who made each drift: the last audit log entry of a drifted object.
 *
 * When one side of a report is this database, each row of the diff is
 * given the last entry of schemadrift_ddl_log (audit.c) that names its
 * object, or else its parent (a column, constraint, trigger or policy is
 * changed by an ALTER of its table, which is audited on the table: the
 * last such entry whose statement mentions the object's name is preferred,
 * then the last of all): the
 * command, who ran it, when, from which application and client, the
 * statement and the change reason.  Entries written by extension scripts
 * are not considered.  The log is read as the caller: a role that cannot
 * read it gets no attribution, and no error.
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
#include "utils/array.h"
#include "utils/builtins.h"

#include "workflow.h"

/*
 * parent_identity
 *		The identity of the relation an object belongs to, or NULL; *name is
 *		then the object's own name within it (what a statement on the
 *		relation that changed the object mentions).
 */
static char *
parent_identity(const SdDriftRow *row, char **name)
{
	const char *on = NULL;
	const char *p;
	const char *dot;

	*name = NULL;
	for (p = strstr(row->identity, " on "); p != NULL; p = strstr(p + 1, " on "))
		on = p;
	if (on != NULL)
	{
		*name = pnstrdup(row->identity, on - row->identity);
		return pstrdup(on + 4);
	}
	if (strcmp(row->kind, "table column") == 0 ||
		strcmp(row->kind, "foreign table column") == 0)
	{
		dot = strrchr(row->identity, '.');
		if (dot != NULL)
		{
			*name = pstrdup(dot + 1);
			return pnstrdup(row->identity, dot - row->identity);
		}
	}
	return NULL;
}

/* a text[] of n C strings, NULL elements where strings[i] is NULL */
static Datum
text_array(char **strings, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int			i;

	for (i = 0; i < n; i++)
	{
		nulls[i] = strings[i] == NULL;
		elems[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(strings[i]);
	}
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  TEXTOID, -1, false, TYPALIGN_INT));
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
 * sd_attribute
 *		Give the drift's rows their last audit log entry, where the caller
 *		may read the log.
 */
void
sd_attribute(SdDrift *drift)
{
	MemoryContext callercxt = CurrentMemoryContext;
	char	  **identities;
	char	  **parents;
	char	  **names;
	Oid			argtypes[3] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		args[3];
	char	   *schema;
	bool		isnull;
	uint64		i;
	int			rc;

	if (drift->nrows == 0)
		return;
	identities = palloc(sizeof(char *) * drift->nrows);
	parents = palloc(sizeof(char *) * drift->nrows);
	names = palloc(sizeof(char *) * drift->nrows);
	for (i = 0; i < drift->nrows; i++)
	{
		identities[i] = drift->rows[i].identity;
		parents[i] = parent_identity(&drift->rows[i], &names[i]);
	}
	args[0] = text_array(identities, drift->nrows);
	args[1] = text_array(parents, drift->nrows);
	args[2] = text_array(names, drift->nrows);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = sd_workflow_schema();
	if (!sd_attribution_log_readable(schema))
	{
		SPI_finish();
		return;
	}

	/*
	 * Each row's identity and its parent, joined by equality (hashable):
	 * the object's own entry first, then its relation's entries whose
	 * statement names it, then its relation's; the latest of them.
	 */
	rc = SPI_execute_with_args(psprintf("SELECT DISTINCT ON (i.ord) i.ord::pg_catalog.int4,"
										" l.command_tag, l.current_user_name,"
										" pg_catalog.to_char(l.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') OPERATOR(pg_catalog.||) ' UTC',"
										" l.application_name, l.client_addr::pg_catalog.text, l.statement,"
										" l.change_reason"
										" FROM (SELECT u.ord, x.ident"
										"  , x.prio, u.name"
										"  FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3))"
										"   WITH ORDINALITY AS u(identity, parent, name, ord),"
										"  LATERAL (VALUES (u.identity, 0), (u.parent, 1)) AS x(ident, prio)"
										"  WHERE x.ident IS NOT NULL) i"
										" JOIN %s.schemadrift_ddl_log l"
										"  ON l.object_identity OPERATOR(pg_catalog.=) i.ident"
										" WHERE NOT l.creating_extension"
										" AND l.event OPERATOR(pg_catalog.=) ANY ('{ddl_command_end,sql_drop,utility}')"
										" ORDER BY i.ord, i.prio,"
										"  COALESCE(pg_catalog.strpos(pg_catalog.lower(l.statement), pg_catalog.lower(i.name))"
										"   OPERATOR(pg_catalog.>) 0, false) DESC,"
										"  l.id DESC", schema),
							   3, argtypes, args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		int			ord = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		MemoryContext spicxt = MemoryContextSwitchTo(callercxt);
		SdAttribution *a = palloc(sizeof(SdAttribution));

		a->command_tag = SPI_getvalue(tup, desc, 2);
		a->user_name = SPI_getvalue(tup, desc, 3);
		a->at = SPI_getvalue(tup, desc, 4);
		a->application = SPI_getvalue(tup, desc, 5);
		a->client = SPI_getvalue(tup, desc, 6);
		a->statement = SPI_getvalue(tup, desc, 7);
		a->change_reason = SPI_getvalue(tup, desc, 8);
		drift->rows[ord - 1].last_ddl = a;
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();
}
