/*-------------------------------------------------------------------------
 *
 * fix_count.c
 *	  Hazard counts: how many of the target's rows a step of a fix would
 *	  fail on or lose, counted on the target itself (this database through
 *	  SPI, a foreign server over libpq); and schemadrift_input_is_valid(),
 *	  PostgreSQL 15's stand-in for pg_input_is_valid().
 *
 * fix.c builds each count query from quoted names, and from type names the
 * raw parser took as type names and nothing else: no expression text of
 * either side (a CHECK, a default, a row filter: code, in a crafted
 * snapshot) is ever run.  A count that fails (a column the target does not
 * have yet, statement_timeout) is a count not made, not a failed diff; a
 * cancel still cancels.
 *
 * Nor does a count run code of the target's that a role other than a
 * superuser wrote.  A count of a type change casts the column's values: it
 * runs the types' input and output functions, the casts between them and
 * the CHECK constraints of domains, and any of these can be a function in
 * SQL or PL/pgSQL that the owner of a type wrote.  Counted as the diffing
 * user (a superuser, often), it would run with that user's rights, as
 * functions in an index expression would under pg_dump or VACUUM; so such
 * a change is not counted, and the remark names the function
 * (CAST_HAZARD_SQL).  Row-level security would both filter what is counted
 * (a count of 0 drops a step's destructive mark) and run the policies' code:
 * a table it filters for the diffing user is not counted, and counts run
 * with row_security off, so that a table the check did not see (the one a
 * foreign key refers to) fails its count rather than be filtered.
 *
 * On a foreign server, the counts of one diff share one connection, opened
 * on the first count as the diff's reads are (the user mapping, the
 * password rule, the deadlines of remote_conn.c), in a session whose
 * transactions are READ ONLY, and closed when the diff ends.
 *
 * IDENTIFICATION
 *	  src/fix_count.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint_d.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_proc_d.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#endif
#include "parser/parse_type.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"

#include "fix.h"
#include "remote.h"
#include "util.h"

#define COUNTING "counting the rows a fix step meets"

/*
 * The quoted schema of schemadrift where it has schemadrift_input_is_valid()
 * (0.2.0 or later); no row otherwise.  OFFSET 0: see
 * SD_REMOTE_FIND_SCHEMADRIFT_SQL.
 */
#define FIND_INPUT_IS_VALID_SQL \
	"SELECT pg_catalog.quote_ident(x.nspname) FROM (" \
	"SELECT n.nspname" \
	" FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace" \
	" WHERE e.extname = 'schemadrift' OFFSET 0) x" \
	" WHERE pg_catalog.to_regprocedure(pg_catalog.quote_ident(x.nspname)" \
	" || '.schemadrift_input_is_valid(pg_catalog.text, pg_catalog.text)') IS NOT NULL"

/*
 * Why a count of a change of a column from type $1 to type $2 (type names
 * as the target prints them) would run code of the target's that a role
 * other than a superuser wrote, or no row when it would not.  The types in
 * play are the two, text, and what they are built on (a domain's base type,
 * an array's element type, the types a domain's CHECK refers to); the code
 * in play is their input and output functions, every cast among them
 * (narrowly: the count uses three), and the functions and operators of
 * their domains' CHECK constraints (pg_depend records them).  A function
 * is trusted when it is built in, in a language only superusers may write
 * in (C, internal, an untrusted PL), or owned by a superuser.  Composite,
 * range and multirange types read and print their parts through the
 * parts' types: not followed, not counted.  A type name the target does not
 * know is no hazard: the count fails to parse, and runs nothing.
 * Runs as it is, here through SPI and on a foreign server over libpq, with
 * search_path pinned to pg_catalog.
 */
#define CAST_HAZARD_SQL \
	"WITH RECURSIVE t(oid) AS (" \
	"SELECT v.x FROM (VALUES (pg_catalog.to_regtype(%s)::pg_catalog.oid)," \
	" (pg_catalog.to_regtype(%s)::pg_catalog.oid), ('pg_catalog.text'::pg_catalog.regtype::pg_catalog.oid)) v(x)" \
	" WHERE v.x IS NOT NULL" \
	" UNION" \
	" SELECT n.x FROM t JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid," \
	" LATERAL (SELECT y.typbasetype WHERE y.typtype OPERATOR(pg_catalog.=) 'd'" \
	" UNION ALL SELECT y.typelem WHERE y.typelem OPERATOR(pg_catalog.<>) 0" \
	" UNION ALL SELECT d.refobjid FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_depend d" \
	" ON d.classid OPERATOR(pg_catalog.=) " CppAsString2(ConstraintRelationId) \
	" AND d.objid OPERATOR(pg_catalog.=) k.oid" \
	" AND d.refclassid OPERATOR(pg_catalog.=) " CppAsString2(TypeRelationId) \
	" WHERE k.contypid OPERATOR(pg_catalog.=) y.oid) n(x))," \
	" ty AS (SELECT y.oid, y.typtype, y.typinput, y.typoutput" \
	" FROM t JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid)," \
	" f(oid) AS (" \
	"SELECT ty.typinput FROM ty" \
	" UNION ALL SELECT ty.typoutput FROM ty" \
	" UNION ALL SELECT c.castfunc FROM pg_catalog.pg_cast c" \
	" WHERE c.castsource IN (SELECT t.oid FROM t) AND c.casttarget IN (SELECT t.oid FROM t)" \
	" UNION ALL SELECT CASE WHEN d.refclassid OPERATOR(pg_catalog.=) " CppAsString2(ProcedureRelationId) \
	" THEN d.refobjid ELSE o.oprcode::pg_catalog.oid END" \
	" FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_depend d" \
	" ON d.classid OPERATOR(pg_catalog.=) " CppAsString2(ConstraintRelationId) \
	" AND d.objid OPERATOR(pg_catalog.=) k.oid" \
	" LEFT JOIN pg_catalog.pg_operator o ON d.refclassid OPERATOR(pg_catalog.=) " CppAsString2(OperatorRelationId) \
	" AND o.oid OPERATOR(pg_catalog.=) d.refobjid" \
	" WHERE k.contypid IN (SELECT t.oid FROM t)" \
	" AND d.refclassid IN (" CppAsString2(ProcedureRelationId) ", " CppAsString2(OperatorRelationId) "))" \
	" SELECT w.why FROM (" \
	"SELECT 1 AS o, 'the count would read type ' || pg_catalog.format_type(ty.oid, NULL)" \
	" || ', a ' || CASE ty.typtype WHEN 'c' THEN 'composite' WHEN 'r' THEN 'range' ELSE 'multirange' END" \
	" || ' type, through the types of its parts' AS why" \
	" FROM ty WHERE ty.typtype IN ('c', 'r', 'm')" \
	" UNION ALL SELECT 2, 'the count would run ' || p.oid::pg_catalog.regprocedure::pg_catalog.text" \
	" || ', a function in ' || l.lanname || ' that ' || pg_catalog.quote_ident(r.rolname)" \
	" || ', not a superuser, owns'" \
	" FROM (SELECT DISTINCT f.oid FROM f) u JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) u.oid" \
	" JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang" \
	" JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) p.proowner" \
	" WHERE p.oid OPERATOR(pg_catalog.>=) " CppAsString2(FirstNormalObjectId) "::pg_catalog.oid AND l.lanpltrusted AND NOT r.rolsuper) w" \
	" ORDER BY w.o, w.why LIMIT 1"

/* ---- this database -------------------------------------------------------- */

/* a query returning one value, and the value */
typedef struct LocalValue
{
	const char *sql;
	char	   *value;
} LocalValue;

static void
local_value(void *arg)
{
	LocalValue *lv = (LocalValue *) arg;
	MemoryContext cxt = CurrentMemoryContext;
	int			nestlevel;

	/*
	 * The settings a read pins (search_path pg_catalog first), and no row
	 * security: a table it would filter fails the count.
	 */
	nestlevel = sd_util_pin_gucs();
	(void) set_config_option("row_security", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(lv->sql, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "query failed: %s", lv->sql);
	if (SPI_processed == 1)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		lv->value = v ? MemoryContextStrdup(cxt, v) : NULL;
	}
	SPI_finish();
	sd_util_unpin_gucs(nestlevel);
}

static int64
count_local(const char *schema, const char *table, const char *sql, char **error)
{
	Oid			nsp = get_namespace_oid(schema, true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;
	LocalValue	lv = {sql, NULL};

	if (!OidIsValid(rel) || pg_class_aclcheck(rel, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return SD_FIX_COUNT_NO_TABLE;
	if (check_enable_rls(rel, InvalidOid, true) == RLS_ENABLED)
		return SD_FIX_COUNT_FILTERED;
	if (!sd_util_try(local_value, &lv, error) || lv.value == NULL)
		return SD_FIX_COUNT_FAILED;
	return pg_strtoint64(lv.value);
}

/* ---- a foreign server ------------------------------------------------------ */

static void
remote_open(void *arg)
{
	SdFixContext *ctx = (SdFixContext *) arg;
	SdRemote   *r = sd_remote_connect_session(ctx->target_server);

	/* nothing a count runs can write, whatever it calls */
	sd_remote_command(r, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", COUNTING);
	/* a table row security would filter fails its count */
	sd_remote_command(r, "SET row_security = off", COUNTING);
	ctx->counts = r;
}

/*
 * with_remote
 *		Run fn(arg) with ctx->counts open (opening it first); false, with
 *		the error, when that failed.  A connection the error closed is
 *		forgotten, and one it left open is closed: the next count opens a
 *		fresh one.  A target that cannot be reached is not tried again.
 */
static bool
with_remote(SdFixContext *ctx, void (*fn) (void *arg), void *arg, char **error)
{
	ErrorData  *edata;

	if (ctx->counts_unreachable != NULL)
	{
		*error = ctx->counts_unreachable;
		return false;
	}
	if (ctx->counts == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx->cxt);

		edata = sd_util_try_error(remote_open, ctx);
		if (edata != NULL)
		{
			ctx->counts_unreachable = pstrdup(edata->message);
			ctx->counts = NULL;
			FreeErrorData(edata);
			*error = ctx->counts_unreachable;
			MemoryContextSwitchTo(old);
			return false;
		}
		MemoryContextSwitchTo(old);
	}
	edata = sd_util_try_error(fn, arg);
	if (edata == NULL)
		return true;
	*error = pstrdup(edata->message);
	FreeErrorData(edata);
	if (sd_remote_is_open(ctx->counts))
		sd_remote_close(ctx->counts);
	ctx->counts = NULL;
	return false;
}

typedef struct RemoteCount
{
	SdFixContext *ctx;
	const char *relation;		/* quoted, qualified: in UTF8 */
	const char *sql;			/* in UTF8 */
	int64		n;
} RemoteCount;

static void
remote_count(void *arg)
{
	RemoteCount *rc = (RemoteCount *) arg;
	char	   *access;
	char	   *v;

	access = sd_remote_value(rc->ctx->counts,
							 psprintf("SELECT CASE WHEN c IS NULL THEN 'missing'"
									  " WHEN NOT pg_catalog.has_table_privilege(c, 'SELECT') THEN 'denied'"
									  " WHEN pg_catalog.row_security_active(c) THEN 'filtered'"
									  " ELSE 'readable' END"
									  " FROM (SELECT pg_catalog.to_regclass(%s) c) s",
									  quote_literal_cstr(rc->relation)),
							 false, COUNTING);
	if (access != NULL && strcmp(access, "filtered") == 0)
	{
		rc->n = SD_FIX_COUNT_FILTERED;
		return;
	}
	if (access == NULL || strcmp(access, "readable") != 0)
	{
		rc->n = SD_FIX_COUNT_NO_TABLE;
		return;
	}
	v = sd_remote_value(rc->ctx->counts, rc->sql, false, COUNTING);
	if (v == NULL)
		elog(ERROR, "the count query returned NULL");
	rc->n = pg_strtoint64(v);
}

static int64
count_remote(SdFixContext *ctx, const char *schema, const char *table,
			 const char *sql, char **error)
{
	RemoteCount rc;
	char	   *relation = psprintf("%s.%s", quote_identifier(schema), quote_identifier(table));

	rc.ctx = ctx;
	rc.relation = pg_server_to_any(relation, strlen(relation), PG_UTF8);
	rc.sql = pg_server_to_any(sql, strlen(sql), PG_UTF8);
	rc.n = SD_FIX_COUNT_FAILED;
	if (!with_remote(ctx, remote_count, &rc, error))
		return ctx->counts_unreachable ? SD_FIX_COUNT_NO_TARGET : SD_FIX_COUNT_FAILED;
	return rc.n;
}

/* ---- the interface ------------------------------------------------------------ */

/*
 * sd_fix_count
 *		Run the count query sql, about table schema.table, on ctx's target:
 *		the count, or SD_FIX_COUNT_NO_TABLE (no such table, or no SELECT on
 *		it), SD_FIX_COUNT_FAILED or SD_FIX_COUNT_NO_TARGET (with *error).
 *		The target must be this database or a foreign server.
 */
int64
sd_fix_count(SdFixContext *ctx, const char *schema, const char *table,
			 const char *sql, char **error)
{
	*error = NULL;
	if (ctx->target_local)
		return count_local(schema, table, sql, error);
	Assert(ctx->target_server != NULL);
	return count_remote(ctx, schema, table, sql, error);
}

typedef struct RemoteValid
{
	SdFixContext *ctx;
	char	   *function;
	char	   *missing;
} RemoteValid;

static void
remote_valid_function(void *arg)
{
	RemoteValid *rv = (RemoteValid *) arg;
	SdRemote   *r = rv->ctx->counts;
	char	   *schema;

	if (r->version >= 160000)
	{
		rv->function = "pg_catalog.pg_input_is_valid";
		return;
	}
	schema = sd_remote_value(r, FIND_INPUT_IS_VALID_SQL, true, COUNTING);
	if (schema != NULL)
		rv->function = psprintf("%s.schemadrift_input_is_valid",
								pg_any_to_server(schema, strlen(schema), PG_UTF8));
	else
		rv->missing = psprintf("the target runs PostgreSQL %d, which has no pg_input_is_valid, and no schemadrift 0.2.0 with schemadrift_input_is_valid",
							   r->version / 10000);
}

/*
 * sd_fix_valid_function
 *		The qualified name of a function (value text, type text) -> boolean
 *		that tells whether value is valid input for the type on ctx's target
 *		(pg_input_is_valid from PostgreSQL 16 on, schemadrift's own before),
 *		or NULL with the reason in *why_not.  Asked once per diff.
 */
const char *
sd_fix_valid_function(SdFixContext *ctx, char **why_not)
{
	if (!ctx->valid_function_known)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx->cxt);
		char	   *error;

		if (ctx->target_local)
		{
#if PG_VERSION_NUM >= 160000
			ctx->valid_function = "pg_catalog.pg_input_is_valid";
#else
			LocalValue	lv = {FIND_INPUT_IS_VALID_SQL, NULL};

			if (sd_util_try(local_value, &lv, &error) && lv.value != NULL)
				ctx->valid_function = psprintf("%s.schemadrift_input_is_valid", lv.value);
			else
				ctx->valid_function_missing = "schemadrift_input_is_valid was not found in schemadrift's schema";
#endif
		}
		else
		{
			RemoteValid rv = {ctx, NULL, NULL};

			if (!with_remote(ctx, remote_valid_function, &rv, &error))
				ctx->valid_function_missing = psprintf("the target could not be asked (%s)", error);
			else
			{
				ctx->valid_function = rv.function;
				ctx->valid_function_missing = rv.missing;
			}
		}
		ctx->valid_function_known = true;
		MemoryContextSwitchTo(old);
	}
	*why_not = ctx->valid_function_missing;
	return ctx->valid_function;
}

typedef struct RemoteHazard
{
	SdFixContext *ctx;
	const char *sql;			/* in UTF8 */
	char	   *why;
} RemoteHazard;

static void
remote_hazard(void *arg)
{
	RemoteHazard *rh = (RemoteHazard *) arg;
	char	   *why = sd_remote_value(rh->ctx->counts, rh->sql, true, COUNTING);

	rh->why = why ? pg_any_to_server(why, strlen(why), PG_UTF8) : NULL;
}

/*
 * sd_fix_cast_hazard
 *		Why counting the values of a column whose type changes from oldtype
 *		to type (type names, as the raw parser said) would run code on ctx's
 *		target that a role other than a superuser wrote (CAST_HAZARD_SQL),
 *		or NULL when it would not.  Where the question cannot be asked, the
 *		answer is why not: no count is made unasked.  Asked once per pair of
 *		types in a diff (many columns often change the same way), the
 *		answers kept in ctx.
 */
const char *
sd_fix_cast_hazard(SdFixContext *ctx, const char *oldtype, const char *type)
{
	char	   *sql;
	char	   *error;
	char	   *why;
	SdFixCastHazard *h;
	ListCell   *lc;
	MemoryContext old;

	foreach(lc, ctx->cast_hazards)
	{
		h = lfirst(lc);
		if (strcmp(h->oldtype, oldtype) == 0 && strcmp(h->type, type) == 0)
			return h->why;
	}
	sql = psprintf(CAST_HAZARD_SQL, quote_literal_cstr(oldtype), quote_literal_cstr(type));
	if (ctx->target_local)
	{
		LocalValue	lv = {sql, NULL};

		why = sd_util_try(local_value, &lv, &error) ? lv.value :
			psprintf("whether the count runs user code could not be checked (%s)", error);
	}
	else
	{
		RemoteHazard rh = {ctx, pg_server_to_any(sql, strlen(sql), PG_UTF8), NULL};

		why = with_remote(ctx, remote_hazard, &rh, &error) ? rh.why :
			psprintf("whether the count runs user code could not be checked (%s)", error);
	}
	old = MemoryContextSwitchTo(ctx->cxt);
	h = palloc(sizeof(SdFixCastHazard));
	h->oldtype = pstrdup(oldtype);
	h->type = pstrdup(type);
	h->why = why ? pstrdup(why) : NULL;
	ctx->cast_hazards = lappend(ctx->cast_hazards, h);
	MemoryContextSwitchTo(old);
	return h->why;
}

/*
 * sd_fix_count_end
 *		Close the connection the counts of ctx used, if any.
 */
void
sd_fix_count_end(SdFixContext *ctx)
{
	if (ctx->counts != NULL && sd_remote_is_open(ctx->counts))
		sd_remote_close(ctx->counts);
	ctx->counts = NULL;
}

/* ---- schemadrift_input_is_valid ---------------------------------------------- */

/* the type of the last call, kept in fn_extra */
typedef struct InputType
{
	char	   *name;
	int32		typmod;
	Oid			ioparam;
	FmgrInfo	input;
} InputType;

#if PG_VERSION_NUM < 160000
typedef struct InputCall
{
	InputType  *type;
	char	   *value;
} InputCall;

static void
input_call(void *arg)
{
	InputCall  *call = (InputCall *) arg;

	(void) InputFunctionCall(&call->type->input, call->value,
							 call->type->ioparam, call->type->typmod);
}
#endif

PG_FUNCTION_INFO_V1(schemadrift_input_is_valid);

/*
 * schemadrift_input_is_valid(value text, type text) -> boolean
 *		Whether value is valid input for type, as pg_input_is_valid() of
 *		PostgreSQL 16 and later (which it calls the same way there).  On 15,
 *		input functions cannot report an error softly: the input runs in a
 *		subtransaction, and a data exception (SQLSTATE class 22), a
 *		domain's CHECK or NOT NULL refusing the value (what 16's domain_in
 *		reports softly) or an unknown name (what the reg* types raise)
 *		means false; any other error is raised.  A subtransaction per value costs: count large
 *		tables with a statement_timeout.
 */
Datum
schemadrift_input_is_valid(PG_FUNCTION_ARGS)
{
	char	   *value = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	InputType  *type = (InputType *) fcinfo->flinfo->fn_extra;

	if (type == NULL || type->name == NULL || strcmp(type->name, name) != 0)
	{
		MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
		Oid			typoid;
		Oid			func;

		if (type == NULL)
			type = MemoryContextAllocZero(cxt, sizeof(InputType));
		else
			pfree(type->name);
		type->name = NULL;
		fcinfo->flinfo->fn_extra = type;
#if PG_VERSION_NUM >= 160000
		(void) parseTypeString(name, &typoid, &type->typmod, NULL);
#else
		parseTypeString(name, &typoid, &type->typmod, false);
#endif
		getTypeInputInfo(typoid, &func, &type->ioparam);
		fmgr_info_cxt(func, &type->input, cxt);
		type->name = MemoryContextStrdup(cxt, name);
	}

#if PG_VERSION_NUM >= 160000
	{
		ErrorSaveContext escontext = {T_ErrorSaveContext};
		Datum		result;

		PG_RETURN_BOOL(InputFunctionCallSafe(&type->input, value, type->ioparam,
											 type->typmod, (Node *) &escontext,
											 &result));
	}
#else
	{
		InputCall	call = {type, value};
		ErrorData  *edata;

		edata = sd_util_try_error(input_call, &call);
		if (edata == NULL)
			PG_RETURN_BOOL(true);
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_DATA_EXCEPTION ||
			edata->sqlerrcode == ERRCODE_CHECK_VIOLATION ||
			edata->sqlerrcode == ERRCODE_NOT_NULL_VIOLATION ||
			edata->sqlerrcode == ERRCODE_UNDEFINED_OBJECT ||
			edata->sqlerrcode == ERRCODE_UNDEFINED_TABLE ||
			edata->sqlerrcode == ERRCODE_UNDEFINED_FUNCTION ||
			edata->sqlerrcode == ERRCODE_UNDEFINED_SCHEMA)
		{
			FreeErrorData(edata);
			PG_RETURN_BOOL(false);
		}
		ReThrowError(edata);
	}
#endif
	PG_RETURN_NULL();			/* not reached */
}
