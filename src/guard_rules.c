/*-------------------------------------------------------------------------
 *
 * guard_rules.c
 *	  The DDL guard's rules: their table, a per-backend cache, evaluation,
 *	  and the SQL functions that manage them.
 *
 * A rule says that a role (or PUBLIC) may, or may not, run commands whose
 * tag matches one of its command patterns on objects in schemas matching
 * one of its schema patterns, optionally only inside a validity window and,
 * for allow rules, only with a change reason (schemadrift.change_reason)
 * matching a regular expression.  The rules live in the table
 * @extschema@.schemadrift_guard_rules, which only the extension's owner and
 * superusers can change; the functions below validate what they write.
 *
 * Evaluation (sd_guard_rules_judge), for one target of one command:
 *	1. the rules that apply are those whose role is PUBLIC or one the
 *	   current user has the privileges of (has_privs_of_role; a superuser
 *	   matches only roles it is really a member of), whose window holds the
 *	   statement's start time, and whose patterns match the target;
 *	2. a deny rule that applies decides: denied (deny always wins);
 *	3. otherwise an allow rule that applies and whose reason pattern (if
 *	   any) matches the change reason decides: allowed;
 *	4. otherwise denied: because of the reason if an allow rule applied but
 *	   for its reason pattern, else because no rule allows it.
 * Within each step the rule with the lowest id is the one reported.
 *
 * The rules are read once per backend, with a plain table scan (no SPI),
 * and kept in CacheMemoryContext until a relcache invalidation of the rules
 * table: a statement trigger on the table sends one after every write, so
 * a change is seen by every backend from its next command on.
 *
 * IDENTIFICATION
 *	  src/guard_rules.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compat.h"
#include "guard.h"
#include "util.h"

PG_FUNCTION_INFO_V1(schemadrift_guard_allow);
PG_FUNCTION_INFO_V1(schemadrift_guard_deny);
PG_FUNCTION_INFO_V1(schemadrift_guard_revoke);
PG_FUNCTION_INFO_V1(schemadrift_guard_rules_changed);

/* one cached rule */
typedef struct GuardRule
{
	int64		id;
	Oid			role;			/* InvalidOid: PUBLIC */
	bool		deny;
	int			nschemas;
	char	  **schemas;
	int			ncommands;
	char	  **commands;
	bool		has_from;
	TimestampTz valid_from;
	bool		has_until;
	TimestampTz valid_until;
	text	   *reason_pattern; /* NULL: none */
} GuardRule;

/* the columns the cache reads, with their types */
enum
{
	RC_ID, RC_ROLE, RC_SCHEMAS, RC_COMMANDS, RC_ACTION, RC_VALID_FROM,
	RC_VALID_UNTIL, RC_REASON_PATTERN, NUM_RULE_COLUMNS
};

static const struct
{
	const char *name;
	Oid			typid;
}			rule_columns[NUM_RULE_COLUMNS] =
{
	{"id", INT8OID},
	{"role", REGROLEOID},
	{"schemas", TEXTARRAYOID},
	{"commands", TEXTARRAYOID},
	{"action", TEXTOID},
	{"valid_from", TIMESTAMPTZOID},
	{"valid_until", TIMESTAMPTZOID},
	{"reason_pattern", TEXTOID}
};

/* the rules of this backend's database, as last read */
static struct
{
	bool		valid;
	Oid			nspid;			/* the extension's schema */
	Oid			relid;			/* schemadrift_guard_rules */
	MemoryContext cxt;			/* holds rules and what they point to */
	int			nrules;
	GuardRule  *rules;			/* in id order */
}			ruleset;

static bool callback_registered = false;
static bool inval_seen = false;

/*
 * rules_relcache_callback
 *		Forget the cached rules when their table changes (or on a reset of
 *		the whole relcache).
 */
static void
rules_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == ruleset.relid)
	{
		ruleset.valid = false;
		inval_seen = true;
	}
}

/*
 * rules_table
 *		The OID of the rules table in schema nspid; ERROR (the guard fails
 *		closed) if it is missing.
 */
static Oid
rules_table(Oid nspid)
{
	Oid			relid = get_relname_relid(SD_GUARD_RULES_TABLE, nspid);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("schemadrift guard rules table \"%s.%s\" does not exist",
						get_namespace_name(nspid), SD_GUARD_RULES_TABLE),
				 errdetail("The guard refuses every DDL command while it cannot read its rules."),
				 errhint("A superuser can turn the guard off with SET schemadrift.guard = off, then recreate the extension.")));
	return relid;
}

/*
 * damaged
 *		ERROR: the rules table does not have the shape the install script
 *		gave it.  The guard fails closed.
 */
static void
damaged(Relation rel, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
			 errmsg("schemadrift guard rules table \"%s\" is damaged",
					RelationGetRelationName(rel)),
			 errdetail("%s", what),
			 errhint("A superuser can turn the guard off with SET schemadrift.guard = off, then repair the table or recreate the extension.")));
}

/*
 * text_array_strings
 *		The elements of a text[] datum as C strings in the current memory
 *		context; NULL elements are left out.  *n is set.
 */
static char **
text_array_strings(Datum array, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	char	  **out;
	int			i;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &nelems);
	out = palloc(sizeof(char *) * Max(nelems, 1));
	*n = 0;
	for (i = 0; i < nelems; i++)
		if (!nulls[i])
			out[(*n)++] = TextDatumGetCString(elems[i]);
	return out;
}

/*
 * rule_id_cmp
 *		qsort comparator: rules in id order.
 */
static int
rule_id_cmp(const void *a, const void *b)
{
	int64		x = ((const GuardRule *) a)->id;
	int64		y = ((const GuardRule *) b)->id;

	return (x > y) - (x < y);
}

/*
 * read_rules
 *		Read every row of the (locked) rules table rel into ruleset, in
 *		ruleset.cxt, with the latest snapshot: a rule committed by another
 *		session counts from the next command on, in any isolation level.
 */
static void
read_rules(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			attno[NUM_RULE_COLUMNS];
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	int			c;
	int			i;
	int			allocated = 8;
	MemoryContext oldcxt;

	for (c = 0; c < NUM_RULE_COLUMNS; c++)
	{
		attno[c] = -1;
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped &&
				strcmp(NameStr(att->attname), rule_columns[c].name) == 0)
				attno[c] = i;
		}
		if (attno[c] < 0 || TupleDescAttr(desc, attno[c])->atttypid != rule_columns[c].typid)
			damaged(rel, psprintf("Column \"%s\" is missing or has the wrong type.",
								  rule_columns[c].name));
	}

	oldcxt = MemoryContextSwitchTo(ruleset.cxt);
	ruleset.rules = palloc0(sizeof(GuardRule) * allocated);
	ruleset.nrules = 0;

	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		GuardRule  *r;
		char	   *action;

		slot_getallattrs(slot);
		if (slot->tts_isnull[attno[RC_ID]] || slot->tts_isnull[attno[RC_SCHEMAS]] ||
			slot->tts_isnull[attno[RC_COMMANDS]] || slot->tts_isnull[attno[RC_ACTION]])
			damaged(rel, "A rule has no id, schemas, commands or action.");

		if (ruleset.nrules == allocated)
		{
			allocated *= 2;
			ruleset.rules = repalloc(ruleset.rules, sizeof(GuardRule) * allocated);
		}
		r = &ruleset.rules[ruleset.nrules++];
		memset(r, 0, sizeof(*r));
		r->id = DatumGetInt64(slot->tts_values[attno[RC_ID]]);
		r->role = slot->tts_isnull[attno[RC_ROLE]] ? InvalidOid :
			DatumGetObjectId(slot->tts_values[attno[RC_ROLE]]);
		r->schemas = text_array_strings(slot->tts_values[attno[RC_SCHEMAS]], &r->nschemas);
		r->commands = text_array_strings(slot->tts_values[attno[RC_COMMANDS]], &r->ncommands);
		action = TextDatumGetCString(slot->tts_values[attno[RC_ACTION]]);
		/* anything but "allow" denies: a damaged row must not open the gate */
		r->deny = (strcmp(action, "allow") != 0);
		r->has_from = !slot->tts_isnull[attno[RC_VALID_FROM]];
		if (r->has_from)
			r->valid_from = DatumGetTimestampTz(slot->tts_values[attno[RC_VALID_FROM]]);
		r->has_until = !slot->tts_isnull[attno[RC_VALID_UNTIL]];
		if (r->has_until)
			r->valid_until = DatumGetTimestampTz(slot->tts_values[attno[RC_VALID_UNTIL]]);
		if (!slot->tts_isnull[attno[RC_REASON_PATTERN]])
			r->reason_pattern = DatumGetTextPCopy(slot->tts_values[attno[RC_REASON_PATTERN]]);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	MemoryContextSwitchTo(oldcxt);

	qsort(ruleset.rules, ruleset.nrules, sizeof(GuardRule), rule_id_cmp);
}

/*
 * load_rules
 *		Make ruleset hold the rules of the installation in schema nspid,
 *		reading them again if they changed since.  An invalidation that
 *		arrives while the rules are read makes them be read again.
 */
static void
load_rules(Oid nspid)
{
	if (ruleset.valid && ruleset.nspid == nspid)
		return;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(rules_relcache_callback, (Datum) 0);
		callback_registered = true;
	}

	for (;;)
	{
		Relation	rel;

		ruleset.valid = false;
		if (ruleset.cxt == NULL)
			ruleset.cxt = AllocSetContextCreate(CacheMemoryContext,
												"schemadrift guard rules",
												ALLOCSET_SMALL_SIZES);
		else
			MemoryContextReset(ruleset.cxt);
		ruleset.rules = NULL;
		ruleset.nrules = 0;

		ruleset.relid = rules_table(nspid);
		rel = table_open(ruleset.relid, AccessShareLock);
		inval_seen = false;
		read_rules(rel);
		table_close(rel, AccessShareLock);
		if (!inval_seen)
			break;
	}
	ruleset.nspid = nspid;
	ruleset.valid = true;
}

/*
 * sd_guard_glob_match
 *		Whether s matches pattern, where '*' matches any run of characters
 *		and '?' any one byte; everything else matches itself.
 */
bool
sd_guard_glob_match(const char *pattern, const char *s)
{
	const char *star = NULL;
	const char *resume = NULL;

	while (*s)
	{
		if (*pattern == '*')
		{
			star = pattern++;
			resume = s;
		}
		else if (*pattern == '?' || *pattern == *s)
		{
			pattern++;
			s++;
		}
		else if (star != NULL)
		{
			pattern = star + 1;
			s = ++resume;
		}
		else
			return false;
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

/*
 * role_applies
 *		Whether a rule for role applies to userid: PUBLIC always; otherwise
 *		if userid has the privileges of role, as PostgreSQL's own privilege
 *		checks count it (INHERIT respected).  has_privs_of_role() makes a
 *		superuser a member of every role; here a superuser matches only
 *		roles it is a member of, so that guarding one role does not silently
 *		exempt every superuser.
 */
static bool
role_applies(Oid role, Oid userid)
{
	if (!OidIsValid(role) || role == userid)
		return true;
	if (superuser_arg(userid))
		return is_member_of_role_nosuper(userid, role);
	return has_privs_of_role(userid, role);
}

/*
 * rule_applies
 *		Whether rule r covers target for userid at time now, the reason
 *		pattern aside.  A target with no schema (an object outside schemas,
 *		or one that could not be resolved) is covered only by the schema
 *		pattern '*'.
 */
static bool
rule_applies(const GuardRule *r, Oid userid, const GuardTarget *target,
			 const char *tagname, TimestampTz now)
{
	bool		found = false;
	int			i;

	if ((r->has_from && now < r->valid_from) ||
		(r->has_until && now >= r->valid_until))
		return false;
	for (i = 0; i < r->ncommands && !found; i++)
		found = sd_guard_glob_match(r->commands[i], tagname);
	if (!found)
		return false;
	found = false;
	for (i = 0; i < r->nschemas && !found; i++)
		found = target->schema != NULL ?
			sd_guard_glob_match(r->schemas[i], target->schema) :
			strcmp(r->schemas[i], "*") == 0;
	if (!found)
		return false;
	return role_applies(r->role, userid);
}

/*
 * reason_matches
 *		Whether the change reason matches the rule's pattern (a POSIX
 *		regular expression, searched, as ~ does).  Compiled patterns are
 *		cached by the regex code.
 */
static bool
reason_matches(const GuardRule *r, const char *reason)
{
	if (r->reason_pattern == NULL)
		return true;
	return RE_compile_and_execute(r->reason_pattern, (char *) reason,
								  strlen(reason), REG_ADVANCED, C_COLLATION_OID,
								  0, NULL);
}

/*
 * sd_guard_rules_judge
 *		Decide target for userid under the rules of the installation in
 *		schema nspid (see the file header for the order).  The rules are
 *		read only if they changed since the last call.  decision's
 *		reason_pattern, when set, is palloc'd in the current memory context.
 */
void
sd_guard_rules_judge(Oid nspid, Oid userid, const GuardTarget *target,
					 const char *change_reason, TimestampTz now,
					 GuardDecision *decision)
{
	const char *tagname = GetCommandTagName(target->tag);
	const GuardRule *reason_rule = NULL;
	int			i;

	load_rules(nspid);

	for (i = 0; i < ruleset.nrules; i++)
	{
		const GuardRule *r = &ruleset.rules[i];

		if (r->deny && rule_applies(r, userid, target, tagname, now))
		{
			decision->verdict = GUARD_DENIED_BY_RULE;
			decision->rule_id = r->id;
			decision->reason_pattern = NULL;
			return;
		}
	}
	for (i = 0; i < ruleset.nrules; i++)
	{
		const GuardRule *r = &ruleset.rules[i];

		if (r->deny || !rule_applies(r, userid, target, tagname, now))
			continue;
		if (reason_matches(r, change_reason))
		{
			decision->verdict = GUARD_ALLOWED;
			decision->rule_id = r->id;
			decision->reason_pattern = NULL;
			return;
		}
		if (reason_rule == NULL)
			reason_rule = r;
	}
	if (reason_rule != NULL)
	{
		decision->verdict = GUARD_DENIED_REASON;
		decision->rule_id = reason_rule->id;
		decision->reason_pattern = text_to_cstring(reason_rule->reason_pattern);
	}
	else
	{
		decision->verdict = GUARD_DENIED_NO_RULE;
		decision->rule_id = 0;
		decision->reason_pattern = NULL;
	}
}

/* ------------------------------------------------------------------------
 * Validation of the functions' arguments
 * ------------------------------------------------------------------------
 */

/*
 * sd_guard_rules_owner
 *		The owner of the rules table in schema nspid (the extension's
 *		owner), or InvalidOid if there is no such table.
 */
Oid
sd_guard_rules_owner(Oid nspid)
{
	Oid			relid = get_relname_relid(SD_GUARD_RULES_TABLE, nspid);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(relid))
		return InvalidOid;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * check_may_manage
 *		ERROR unless the current user may change the rules of the
 *		installation in schema nspid: a superuser, or a role with the
 *		privileges of the rules table's owner (the extension's owner).
 */
static void
check_may_manage(Oid nspid)
{
	Oid			owner;
	char	   *ownername;

	(void) rules_table(nspid);
	owner = sd_guard_rules_owner(nspid);
	ownername = GetUserNameFromId(owner, false);
	if (!superuser() && !has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to change schemadrift guard rules"),
				 errdetail("Only superusers and the owner of extension schemadrift (role \"%s\") may change them.",
						   ownername)));
}

/*
 * check_role
 *		The OID of the role a rule names, InvalidOid for PUBLIC; ERROR if it
 *		is NULL or no such role exists.
 */
static Oid
check_role(FunctionCallInfo fcinfo, int argno)
{
	char	   *name;
	Oid			roleid;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("role of a guard rule must not be null"),
				 errhint("Pass 'PUBLIC' for a rule that applies to every role.")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (pg_strcasecmp(name, "public") == 0)
		return InvalidOid;
	roleid = get_role_oid(name, true);
	if (!OidIsValid(roleid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\" does not exist", name),
				 errdetail("A guard rule names an existing role, or PUBLIC."),
				 errhint("Create the role first, or pass 'PUBLIC'.")));
	return roleid;
}

/*
 * check_patterns
 *		The patterns of argument argno (a text[]) as a text[] datum, upper
 *		case for command patterns; ERROR if there are none, one is NULL or
 *		empty, or (commands) one matches no command tag the guard judges.
 */
static Datum
check_patterns(FunctionCallInfo fcinfo, int argno, bool commands)
{
	const char *what = commands ? "commands" : "schemas";
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (PG_ARGISNULL(argno))
		n = 0;
	else
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(argno), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of a guard rule must list at least one pattern", what),
				 errhint("Use '{*}' to match every %s.", commands ? "command" : "schema")));

	for (i = 0; i < n; i++)
	{
		char	   *p;
		char	   *c;
		bool		known = false;
		int			tag;

		if (nulls[i] || VARSIZE_ANY_EXHDR(DatumGetTextPP(elems[i])) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s of a guard rule must not contain null or empty patterns", what)));
		if (!commands)
			continue;

		p = TextDatumGetCString(elems[i]);
		for (c = p; *c; c++)
			*c = pg_ascii_toupper((unsigned char) *c);
		for (tag = 0; tag < SD_COMMAND_TAG_COUNT && !known; tag++)
			known = sd_guard_tag_judged((CommandTag) tag) &&
				sd_guard_glob_match(p, GetCommandTagName((CommandTag) tag));
		if (!known)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("command pattern \"%s\" matches no DDL command", p),
					 errdetail("Command patterns are command tags such as \"CREATE TABLE\" or \"ALTER *\": * matches any characters, ? one character."),
					 errhint("The tags are those of the event trigger firing matrix in the PostgreSQL documentation, and those of roles, databases, tablespaces, ALTER SYSTEM, REASSIGN OWNED and event triggers.")));
		elems[i] = CStringGetTextDatum(p);
	}
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * check_reason_pattern
 *		ERROR unless pattern compiles as a POSIX regular expression (as ~
 *		compiles it).
 */
static void
check_reason_pattern(const char *pattern)
{
	int			len = strlen(pattern);
	pg_wchar   *wide = palloc((len + 1) * sizeof(pg_wchar));
	int			wlen = pg_mb2wchar_with_len(pattern, wide, len);
	regex_t		re;
	int			rc;

	rc = pg_regcomp(&re, wide, wlen, REG_ADVANCED, C_COLLATION_OID);
	if (rc != REG_OKAY)
	{
		char		msg[256];

		pg_regerror(rc, &re, msg, sizeof(msg));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				 errmsg("invalid reason pattern \"%s\"", pattern),
				 errdetail("The regular expression is invalid: %s.", msg),
				 errhint("A reason pattern is a POSIX regular expression matched against schemadrift.change_reason, for example '^CHG-[0-9]+$'.")));
	}
	pg_regfree(&re);
	pfree(wide);
}

/*
 * check_window
 *		ERROR if both ends of a validity window are given and it is empty.
 */
static void
check_window(FunctionCallInfo fcinfo, int from_arg, int until_arg)
{
	TimestampTz from;
	TimestampTz until;

	if (PG_ARGISNULL(from_arg) || PG_ARGISNULL(until_arg))
		return;
	from = PG_GETARG_TIMESTAMPTZ(from_arg);
	until = PG_GETARG_TIMESTAMPTZ(until_arg);
	if (from >= until)
	{
		/* timestamptz_to_str() returns a static buffer */
		char	   *from_text = pstrdup(timestamptz_to_str(from));
		char	   *until_text = pstrdup(timestamptz_to_str(until));

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("validity window of a guard rule is empty"),
				 errdetail("valid_from (%s) is not before valid_until (%s).",
						   from_text, until_text),
				 errhint("Give a valid_until later than valid_from, or leave either end open (NULL).")));
	}
}

/*
 * run_rules_sql
 *		Run sql (an INSERT or DELETE of the rules table ... RETURNING id)
 *		with the given parameters, under a pinned search_path, and return
 *		the id it returned, or 0 if no row.
 */
static int64
run_rules_sql(const char *sql, int nargs, Oid *types, Datum *values,
			  const char *nulls)
{
	int			nestlevel;
	int			rc;
	int64		id = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nestlevel = sd_util_pin_gucs();
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT_RETURNING && rc != SPI_OK_DELETE_RETURNING)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		bool		isnull;

		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1, &isnull));
	}
	sd_util_unpin_gucs(nestlevel);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	return id;
}

/*
 * rules_qual
 *		The quoted, qualified name of the rules table in schema nspid.
 */
static char *
rules_qual(Oid nspid)
{
	return quote_qualified_identifier(get_namespace_name(nspid), SD_GUARD_RULES_TABLE);
}

/*
 * add_rule
 *		Validate the arguments shared by allow and deny (role 0, schemas 1,
 *		commands 2, and the window and comment at the given positions) and
 *		insert the rule; returns its id.
 */
static int64
add_rule(FunctionCallInfo fcinfo, bool deny, int reason_arg, int from_arg,
		 int until_arg, int comment_arg)
{
	Oid			nspid = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			types[8] = {REGROLEOID, TEXTARRAYOID, TEXTARRAYOID, TEXTOID,
	TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
	Datum		values[8];
	char		nulls[8];
	Oid			roleid;

	check_may_manage(nspid);
	memset(nulls, ' ', sizeof(nulls));

	roleid = check_role(fcinfo, 0);
	values[0] = ObjectIdGetDatum(roleid);
	nulls[0] = OidIsValid(roleid) ? ' ' : 'n';
	values[1] = check_patterns(fcinfo, 1, false);
	values[2] = check_patterns(fcinfo, 2, true);
	values[3] = CStringGetTextDatum(deny ? "deny" : "allow");
	check_window(fcinfo, from_arg, until_arg);
	values[4] = PG_ARGISNULL(from_arg) ? (Datum) 0 : PG_GETARG_DATUM(from_arg);
	nulls[4] = PG_ARGISNULL(from_arg) ? 'n' : ' ';
	values[5] = PG_ARGISNULL(until_arg) ? (Datum) 0 : PG_GETARG_DATUM(until_arg);
	nulls[5] = PG_ARGISNULL(until_arg) ? 'n' : ' ';
	if (reason_arg >= 0 && !PG_ARGISNULL(reason_arg))
	{
		check_reason_pattern(text_to_cstring(PG_GETARG_TEXT_PP(reason_arg)));
		values[6] = PG_GETARG_DATUM(reason_arg);
	}
	else
		nulls[6] = 'n';
	values[7] = PG_ARGISNULL(comment_arg) ? (Datum) 0 : PG_GETARG_DATUM(comment_arg);
	nulls[7] = PG_ARGISNULL(comment_arg) ? 'n' : ' ';

	return run_rules_sql(psprintf("INSERT INTO %s (role, schemas, commands, action, "
								  "valid_from, valid_until, reason_pattern, comment, "
								  "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
								  "pg_catalog.current_user()) RETURNING id",
								  rules_qual(nspid)),
						 8, types, values, nulls);
}

/* ------------------------------------------------------------------------
 * SQL-callable functions
 * ------------------------------------------------------------------------
 */

/*
 * schemadrift_guard_allow(role, schemas, commands, reason_pattern,
 *						   valid_from, valid_until, comment) -> bigint
 *		Add an allow rule; returns its id.
 */
Datum
schemadrift_guard_allow(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(add_rule(fcinfo, false, 3, 4, 5, 6));
}

/*
 * schemadrift_guard_deny(role, schemas, commands, valid_from, valid_until,
 *						  comment) -> bigint
 *		Add a deny rule; returns its id.
 */
Datum
schemadrift_guard_deny(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(add_rule(fcinfo, true, -1, 3, 4, 5));
}

/*
 * schemadrift_guard_revoke(rule_id bigint) -> void
 *		Remove a rule; ERROR if there is no such rule.
 */
Datum
schemadrift_guard_revoke(PG_FUNCTION_ARGS)
{
	Oid			nspid = get_func_namespace(fcinfo->flinfo->fn_oid);
	int64		rule_id = PG_GETARG_INT64(0);
	Oid			types[1] = {INT8OID};
	Datum		values[1];

	check_may_manage(nspid);
	values[0] = Int64GetDatum(rule_id);
	if (run_rules_sql(psprintf("DELETE FROM %s WHERE id OPERATOR(pg_catalog.=) $1 RETURNING id",
							   rules_qual(nspid)),
					  1, types, values, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("guard rule %lld does not exist", (long long) rule_id),
				 errhint("The rules are listed in table schemadrift_guard_rules.")));
	PG_RETURN_VOID();
}

/*
 * schemadrift_guard_rules_changed
 *		Statement trigger on the rules table, after every INSERT, UPDATE,
 *		DELETE and TRUNCATE (ENABLE ALWAYS): a write to a table sends no
 *		relcache invalidation by itself, so send one, and every backend
 *		reads the rules again at its next command after the commit.
 */
Datum
schemadrift_guard_rules_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the trigger manager",
						get_func_name(fcinfo->flinfo->fn_oid))));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
