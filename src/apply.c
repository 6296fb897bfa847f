/*-------------------------------------------------------------------------
 *
 * apply.c
 *	  Guarded apply: a fix script run on the target it was planned for, and
 *	  only if that target has not changed since.
 *
 * schemadrift_apply(target, script, options):
 *
 *	1. reads the script's plan line (fix_script.c: both sides, both
 *	   fingerprints, the options they were read with, every row of the diff
 *	   with what the script does about it, the sha256 of the statements),
 *	   and refuses a script without one, or whose statements or header were
 *	   changed since (a checksum against accidents, not a signature: the
 *	   caller can run any SQL as themselves anyway);
 *	2. reads the target's fingerprint; if it is not the one planned
 *	   against, refuses with the first differences (the diff of the target
 *	   against the source now, compared with the planned rows);
 *	3. runs the statements one at a time over libpq, as the script splits
 *	   them (apply_script.c): BEGIN ... COMMIT parts in their transaction,
 *	   CREATE/DROP INDEX CONCURRENTLY outside any.  A failing statement
 *	   ends the run: the connection is closed, which rolls back the
 *	   transaction it was in; parts committed before it stay, and the error
 *	   says how many statements that is;
 *	4. reads the target again and diffs it against the source: what
 *	   remains must be exactly the rows the script skipped (destructive or
 *	   manual steps left as comments, differences no statement fixes).
 *
 * The target is a foreign server (the connection of remote_conn.c: the
 * server and the user mapping, USAGE, the password rule for non-superusers,
 * our deadlines, waits on the latch) or this database (NULL): a loopback
 * connection as the current user, which authenticates with the database
 * server's own credentials, so only superusers may use it.  libpq is needed
 * either way: SPI refuses BEGIN and COMMIT, and CREATE INDEX CONCURRENTLY
 * cannot run inside a function.
 *
 * IDENTIFICATION
 *	  src/apply.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "commands/dbcommands.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "apply.h"
#include "compare.h"
#include "fix.h"
#include "objects.h"
#include "options.h"
#include "remote.h"
#include "side.h"
#include "snapshot.h"
#include "util.h"

/* how many differences an error or a warning lists */
#define SHOWN_DIFFERENCES 5

/* one row of a plan */
typedef struct PlanRow
{
	char	   *key;			/* kind, identity, change, attribute */
	char	   *digest;			/* of the target value */
	bool		remains;		/* skipped or unfixed: expected after */
	bool		seen;
} PlanRow;

/* a script's plan line, read */
typedef struct ScriptPlan
{
	char	   *target_fingerprint;
	char	   *source_fingerprint;
	SdOptions  *options;
	char	   *source_type;
	char	   *source_name;	/* server, baseline or database */
	bool		create;			/* a create script: planned against an
								 * empty database */
	List	   *rows;			/* PlanRow */
	const char *body;			/* the script after the plan line */
	int			body_line;		/* its first line */
} ScriptPlan;

/* ---- the plan line ------------------------------------------------------- */

static void
bad_plan(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("script has been changed since it was planned"),
			 errdetail_internal("%s", detail),
			 errhint("Plan it again with schemadrift_sync_sql(); change what it does through the plan's options (allow_destructive, concurrently, not_valid), not by editing it.")));
}

/* the string member key of c, or NULL */
static char *
plan_string(JsonbContainer *c, const char *key)
{
	JsonbValue *v = sd_jsonb_get(c, key);

	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* the key of a row: its kind, identity, change and attribute */
static char *
row_key(const char *kind, const char *identity, const char *change,
		const char *attribute)
{
	return psprintf("%s\x1f%s\x1f%s\x1f%s", kind, identity, change,
					attribute ? attribute : "");
}

/* "changed table column public.t.c (type)", for messages */
static char *
key_text(const char *key)
{
	char	   *s = pstrdup(key);
	char	   *parts[4];
	int			i;

	parts[0] = s;
	for (i = 1; i < 4; i++)
	{
		parts[i] = strchr(parts[i - 1], '\x1f');
		if (parts[i] == NULL)
			return s;
		*parts[i]++ = '\0';
	}
	if (strcmp(parts[2], "changed") == 0)
		return psprintf("%s %s %s (%s)", parts[2], parts[0], parts[1], parts[3]);
	return psprintf("%s %s %s", parts[2], parts[0], parts[1]);
}

typedef struct ParseArg
{
	const char *text;
	Jsonb	   *doc;
} ParseArg;

static void
parse_json(void *arg)
{
	ParseArg   *p = (ParseArg *) arg;

	p->doc = sd_jsonb_from_cstring(p->text);
}

/* the plan's rows */
static List *
plan_rows(JsonbContainer *c)
{
	JsonbValue *rows = sd_jsonb_get(c, "rows");
	List	   *out = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (rows == NULL || rows->type != jbvBinary || !JsonContainerIsArray(rows->val.binary.data))
		bad_plan("Its plan line has no rows.");
	it = JsonbIteratorInit(rows->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *f[6];
		int			n = 0;
		JsonbIterator *rit;
		JsonbValue	rv;
		PlanRow    *row;

		if (tok != WJB_ELEM)
			continue;
		if (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data))
			bad_plan("A row of its plan line is not an array.");
		rit = JsonbIteratorInit(v.val.binary.data);
		while ((tok = JsonbIteratorNext(&rit, &rv, true)) != WJB_DONE)
			if (tok == WJB_ELEM)
			{
				if (rv.type != jbvString || n >= 6)
					bad_plan("A row of its plan line is malformed.");
				f[n++] = pnstrdup(rv.val.string.val, rv.val.string.len);
			}
		if (n != 6)
			bad_plan("A row of its plan line is malformed.");
		row = palloc0(sizeof(PlanRow));
		row->key = row_key(f[0], f[1], f[2], f[3]);
		row->digest = f[4];
		if (strcmp(f[5], "skipped") == 0 || strcmp(f[5], "unfixed") == 0)
			row->remains = true;
		else if (strcmp(f[5], "run") != 0)
			bad_plan("A row of its plan line is malformed.");
		out = lappend(out, row);
	}
	return out;
}

/* whether s is a fingerprint: 64 lower-case hex digits */
static bool
is_fingerprint(const char *s)
{
	int			i;

	if (s == NULL || strlen(s) != SD_SHA256_HEX_LEN)
		return false;
	for (i = 0; i < SD_SHA256_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * planned_against_empty
 *		Whether the plan is a create script's: its target is "empty" and
 *		its target fingerprint is an empty database's under its options
 *		(the two must agree: a plan line edited to call its target empty
 *		is a sync script's still, and is applied as one).
 */
static bool
planned_against_empty(JsonbContainer *c, ScriptPlan *plan)
{
	JsonbValue *v = sd_jsonb_get(c, "target");
	char	   *type;
	SdObjectSet empty;
	char		hex[SD_SHA256_HEX_LEN + 1];

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		bad_plan("Its plan line does not name the target.");
	type = plan_string(v->val.binary.data, "type");
	if (type == NULL || strcmp(type, "empty") != 0)
		return false;
	memset(&empty, 0, sizeof(empty));
	empty.options = plan->options;
	empty.model_version = SD_MODEL_VERSION;
	sd_objects_fingerprint(&empty, hex);
	return strcmp(hex, plan->target_fingerprint) == 0;
}

/*
 * read_plan
 *		Find and check the plan line of script.  The header is the script's
 *		first lines, all comments; the plan line is its last.
 */
static void
read_plan(const char *script, ScriptPlan *plan)
{
	const char *line = script;
	const char *planned_against = NULL;
	const char *end;
	char	   *text;
	ParseArg	parse;
	char	   *error;
	JsonbContainer *c;
	JsonbValue *v;
	char	   *sha;
	char		hex[SD_SHA256_HEX_LEN + 1];
	int			lineno = 1;

	memset(plan, 0, sizeof(ScriptPlan));
	for (;;)
	{
		if (strncmp(line, "--", 2) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("script has no schemadrift plan"),
					 errdetail("A script to apply starts with the header that schemadrift_sync_sql() or schemadrift_create_sql() writes, whose last line is \"%s...\".",
							   SD_FIX_PLAN_PREFIX),
					 errhint("Make the script with schemadrift_sync_sql(), and apply it unchanged.")));
		end = strchr(line, '\n');
		if (strncmp(line, "-- schemadrift-planned-against: ", 32) == 0)
			planned_against = line + 32;
		if (strncmp(line, SD_FIX_PLAN_PREFIX, strlen(SD_FIX_PLAN_PREFIX)) == 0)
			break;
		if (end == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("script has no schemadrift plan"),
					 errdetail("Its header has no line \"%s...\".", SD_FIX_PLAN_PREFIX),
					 errhint("Make the script with schemadrift_sync_sql(), and apply it unchanged.")));
		line = end + 1;
		lineno++;
	}
	if (end == NULL)
		bad_plan("Its plan line is its last line: it has no statements.");
	text = pnstrdup(line + strlen(SD_FIX_PLAN_PREFIX),
					end - line - strlen(SD_FIX_PLAN_PREFIX));
	plan->body = end + 1;
	plan->body_line = lineno + 1;

	parse.text = text;
	if (!sd_util_try(parse_json, &parse, &error))
		bad_plan(psprintf("Its plan line is not JSON: %s.", error));
	c = &parse.doc->root;
	v = sd_jsonb_get(c, "version");
	if (v == NULL || v->type != jbvNumeric ||
		DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(v->val.numeric))) != SD_FIX_PLAN_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("script's plan is of a version this schemadrift cannot apply"),
				 errhint("Plan the script again with this schemadrift.")));

	sha = plan_string(c, "body_sha256");
	sd_util_text_sha256(plan->body, hex);
	if (sha == NULL || strcmp(sha, hex) != 0)
		bad_plan("The sha256 of its statements is not the one its plan line records.");
	plan->target_fingerprint = plan_string(c, "target_fingerprint");
	plan->source_fingerprint = plan_string(c, "source_fingerprint");
	if (!is_fingerprint(plan->target_fingerprint) || !is_fingerprint(plan->source_fingerprint))
		bad_plan("Its plan line has no valid fingerprints.");
	if (planned_against == NULL ||
		strncmp(planned_against, plan->target_fingerprint, SD_SHA256_HEX_LEN) != 0 ||
		(planned_against[SD_SHA256_HEX_LEN] != '\n' && planned_against[SD_SHA256_HEX_LEN] != '\r'))
		bad_plan("Its \"planned-against\" line does not name the fingerprint of its plan line.");
	v = sd_jsonb_get(c, "options");
	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		bad_plan("Its plan line has no options.");
	plan->options = sd_options_parse(JsonbValueToJsonb(v));
	v = sd_jsonb_get(c, "source");
	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		bad_plan("Its plan line does not name the source.");
	plan->source_type = plan_string(v->val.binary.data, "type");
	plan->source_name = plan_string(v->val.binary.data, "name");
	if (plan->source_name == NULL)
		plan->source_name = plan_string(v->val.binary.data, "database");
	if (plan->source_type == NULL)
		bad_plan("Its plan line does not name the source.");
	plan->rows = plan_rows(c);
	plan->create = planned_against_empty(c, plan);
}

/* ---- sides ------------------------------------------------------------- */

/* how messages name the target */
static char *
target_name(const char *target)
{
	if (target == NULL)
		return pstrdup("this database");
	return psprintf("server \"%s\"", target);
}

/*
 * read_local_unlocked
 *		This database's objects, read in a subtransaction that is then
 *		rolled back: reading takes locks (core's deparse functions lock the
 *		relations a view reads) that, held by this transaction, would block
 *		the loopback connection's ALTER and DROP until they time out.  The
 *		set is in the caller's memory context.
 */
typedef struct LocalRead
{
	SdOptions  *options;
	bool		with_attrs;
	SdObjectSet *set;
} LocalRead;

static void
local_read(void *arg)
{
	LocalRead  *lr = (LocalRead *) arg;

	/* the loopback's commits: not only in this backend's caches */
	AcceptInvalidationMessages();
	lr->set = sd_side_local_read(lr->options, lr->with_attrs);
}

static SdObjectSet *
read_local_unlocked(SdOptions *options, bool with_attrs)
{
	LocalRead	lr = {options, with_attrs, NULL};

	sd_util_rolled_back(local_read, &lr);
	return lr.set;
}

/* the target's objects, with attrs or only hashes */
static SdObjectSet *
read_target(const char *target, SdOptions *options, bool with_attrs)
{
	if (target == NULL)
		return read_local_unlocked(options, with_attrs);
	return sd_side_remote_read(target, options, with_attrs, NULL);
}

static void
target_fingerprint(const char *target, SdOptions *options, char *out)
{
	if (target == NULL)
		sd_objects_fingerprint(read_target(NULL, options, false), out);
	else
		sd_side_remote_fingerprint(target, options, out);
}

/*
 * read_source
 *		The source the script was planned from, read now, for the diffs of
 *		a refusal and of the check afterwards: options' "source" when given
 *		(a server's name, null for this database, a snapshot), else the
 *		plan's source when it can be read from here (this database, a
 *		foreign server or a baseline).  NULL when it cannot.
 */
static SdObjectSet *
read_source(ScriptPlan *plan, Jsonb *applyopts)
{
	JsonbValue *v = sd_jsonb_get(&applyopts->root, "source");

	if (v != NULL)
	{
		if (v->type == jbvNull)
			return sd_side_local_read(plan->options, true);
		if (v->type == jbvString)
			return sd_side_read_named(pnstrdup(v->val.string.val, v->val.string.len),
									  "source", plan->options, true);
		if (v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data))
		{
			SdObjectSet *set = sd_snapshot_load(JsonbValueToJsonb(v), "source");

			if (!sd_options_equal(set->options, plan->options))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("snapshot given as \"source\" was taken with other options than the script's"),
						 errdetail("The snapshot was taken with %s; the script was planned with %s.",
								   set->options->canonical, plan->options->canonical)));
			return set;
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"source\" must be a server's name, null or a snapshot")));
	}
	if (strcmp(plan->source_type, "local") == 0 && plan->source_name != NULL &&
		strcmp(plan->source_name, get_database_name(MyDatabaseId)) == 0)
		return sd_side_local_read(plan->options, true);
	if ((strcmp(plan->source_type, "server") == 0 || strcmp(plan->source_type, "baseline") == 0) &&
		plan->source_name != NULL)
		return sd_side_read_named(plan->source_name, "source", plan->options, true);
	return NULL;
}

/* ---- comparing a diff with the plan ------------------------------------ */

/*
 * against_plan
 *		Compare rows (SdFixRow, a diff now) with the plan's rows.  After
 *		the run: rows that remain although the script should have fixed
 *		them are listed into *unexpected (a skipped row that is gone is not
 *		one: another statement may fix it, as a rename fixes an index on
 *		the renamed column); *remaining gets every row now, as JSON.
 *		Without (a refusal): rows not planned as they are now, and planned
 *		rows that are no longer there, digests included.  Returns how many
 *		differences there are.
 */
static int
against_plan(ScriptPlan *plan, List *rows, bool after, StringInfo unexpected,
			 StringInfo remaining)
{
	ListCell   *lc;
	ListCell   *lc2;
	int			n = 0;

	foreach(lc, plan->rows)
		((PlanRow *) lfirst(lc))->seen = false;
	if (remaining)
		appendStringInfoChar(remaining, '[');
	foreach(lc, rows)
	{
		SdFixRow   *row = lfirst(lc);
		char	   *key = row_key(row->kind, row->identity, row->change, row->attribute);
		bool		expected = false;

		foreach(lc2, plan->rows)
		{
			PlanRow    *pr = lfirst(lc2);

			if (pr->seen || strcmp(pr->key, key) != 0)
				continue;
			if (after ? pr->remains : strcmp(pr->digest, row->target_digest) == 0)
			{
				pr->seen = true;
				expected = true;
				break;
			}
		}
		if (!expected && n++ < SHOWN_DIFFERENCES)
			appendStringInfo(unexpected, "%s%s %s", unexpected->len > 0 ? "; " : "",
							 after ? "still" : "now", key_text(key));
		if (remaining)
		{
			if (foreach_current_index(lc) > 0)
				appendStringInfoString(remaining, ", ");
			appendStringInfoString(remaining, "{\"kind\": ");
			escape_json(remaining, row->kind);
			appendStringInfoString(remaining, ", \"identity\": ");
			escape_json(remaining, row->identity);
			appendStringInfoString(remaining, ", \"change\": ");
			escape_json(remaining, row->change);
			appendStringInfoString(remaining, ", \"attribute\": ");
			if (row->attribute)
				escape_json(remaining, row->attribute);
			else
				appendStringInfoString(remaining, "null");
			appendStringInfo(remaining, ", \"skipped_by_the_script\": %s}",
							 expected ? "true" : "false");
		}
	}
	if (remaining)
		appendStringInfoChar(remaining, ']');
	foreach(lc, plan->rows)
	{
		PlanRow    *pr = lfirst(lc);

		/* after: a skipped row fixed on the way (by a rename) is fine */
		if (pr->seen || after)
			continue;
		if (n++ < SHOWN_DIFFERENCES)
			appendStringInfo(unexpected, "%sno longer %s", unexpected->len > 0 ? "; " : "",
							 key_text(pr->key));
	}
	if (n > SHOWN_DIFFERENCES)
		appendStringInfo(unexpected, "; and %d more", n - SHOWN_DIFFERENCES);
	return n;
}

/*
 * refuse_changed
 *		The target's fingerprint is not the planned one: fail, listing the
 *		first differences between the diff now and the planned one.
 */
static void
refuse_changed(const char *target, ScriptPlan *plan, const char *now, Jsonb *applyopts)
{
	SdObjectSet *source = read_source(plan, applyopts);
	StringInfoData diffs;

	initStringInfo(&diffs);
	if (source != NULL)
		against_plan(plan, sd_compare_rows(source, read_target(target, plan->options, true)),
					 false, &diffs, NULL);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s has changed since the script was planned", target_name(target)),
			 source == NULL ?
			 errdetail("The script was planned against fingerprint %s; the target's is now %s.",
					   plan->target_fingerprint, now) :
			 errdetail("The script was planned against fingerprint %s; the target's is now %s. Differences from the plan: %s.",
					   plan->target_fingerprint, now, diffs.data),
			 source == NULL ?
			 errhint("Plan the script again with schemadrift_sync_sql(); pass the source in the options (\"source\") to see what changed.") :
			 errhint("Plan the script again with schemadrift_sync_sql().")));
}

/*
 * check_new_database
 *		A create script (planned against an empty database) whose target's
 *		fingerprint is not the empty one runs anyway on a new database
 *		(apply_fresh.c): read whole, with no options, the target holds no
 *		object but those CREATE DATABASE makes, each with the attributes
 *		it is made with (or fewer of them: schema public dropped); and each
 *		of those the plan's options read is one the script creates (IF NOT
 *		EXISTS, then its source's owner, privileges and comment), so that
 *		none is left that the source lacks.  Otherwise refuse, with the
 *		first differences.
 */
static void
check_new_database(const char *target, ScriptPlan *plan, const char *now)
{
	SdObjectSet *whole = read_target(target, sd_options_parse(sd_jsonb_from_cstring("{}")), true);
	StringInfoData diffs;
	ListCell   *lc;
	int			n = 0;

	initStringInfo(&diffs);
	foreach(lc, sd_compare_rows(sd_apply_fresh_set(), whole))
	{
		SdFixRow   *row = lfirst(lc);

		/* an object of a new database dropped since does no harm */
		if (strcmp(row->change, "missing") == 0)
			continue;
		if (n++ < SHOWN_DIFFERENCES)
			appendStringInfo(&diffs, "%s%s", n > 1 ? "; " : "",
							 key_text(row_key(row->kind, row->identity, row->change,
											  row->attribute)));
	}
	if (n == 0)
	{
		SdObjectSet *scoped = read_target(target, plan->options, false);
		int			i;

		for (i = 0; i < scoped->nobjects; i++)
		{
			SdObject   *obj = &scoped->objects[i];
			char	   *key = row_key(obj->kind, obj->identity, "missing", SD_WHOLE_OBJECT);
			bool		created = false;

			foreach(lc, plan->rows)
				if (strcmp(((PlanRow *) lfirst(lc))->key, key) == 0)
					created = true;
			if (!created && n++ < SHOWN_DIFFERENCES)
				appendStringInfo(&diffs, "%s%s %s, which the source lacks and the script leaves",
								 n > 1 ? "; " : "", obj->kind, obj->identity);
		}
	}
	if (n == 0)
		return;
	if (n > SHOWN_DIFFERENCES)
		appendStringInfo(&diffs, "; and %d more", n - SHOWN_DIFFERENCES);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s is neither empty nor a new database", target_name(target)),
			 errdetail("The create script was planned against an empty database (fingerprint %s) and runs on one that holds only what CREATE DATABASE makes; the target's fingerprint is %s. Differences from a new database: %s.",
					   plan->target_fingerprint, now, diffs.data),
			 errhint("Apply it to a database just made by CREATE DATABASE, or plan with schemadrift_sync_sql() against this target.")));
}

/* ---- running ------------------------------------------------------------- */

typedef struct ApplyRun
{
	const char *target;
	SdApplyStatement *current;
	int			number;			/* of the current statement, from 1 */
	int			nstatements;
	bool		in_xact;
	int			committed;		/* statements committed so far */
	int			pending;		/* run in the open transaction */
	int			ran;
} ApplyRun;

/* what a failure in the middle of a run left behind */
static void
run_error_callback(void *arg)
{
	ApplyRun   *run = (ApplyRun *) arg;

	if (run->current == NULL)
		return;
	errcontext("schemadrift_apply: statement %d of %d (line %d of the script) failed on %s; %s; %s",
			   run->number, run->nstatements, run->current->line,
			   target_name(run->target),
			   run->in_xact ?
			   "the transaction it ran in was rolled back, with every statement of it" :
			   "it ran outside a transaction (a failed CREATE INDEX CONCURRENTLY can leave an invalid index, to drop)",
			   run->committed > 0 ?
			   psprintf("%d statement(s) committed before it stay applied", run->committed) :
			   "nothing was committed before it: the target is unchanged");
}

/*
 * run_script
 *		Run the statements on the target, one at a time; returns how many
 *		ran, not counting BEGIN, COMMIT and the SETs of the session.
 */
static int
run_script(const char *target, List *statements)
{
	SdRemote   *r;
	ApplyRun	run;
	ErrorContextCallback errcb;
	ListCell   *lc;

	memset(&run, 0, sizeof(run));
	run.target = target;
	run.nstatements = list_length(statements);
	r = target == NULL ? sd_remote_connect_loopback() : sd_remote_connect_session(target);

	errcb.callback = run_error_callback;
	errcb.arg = &run;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	foreach(lc, statements)
	{
		SdApplyStatement *st = lfirst(lc);

		run.current = st;
		run.number = foreach_current_index(lc) + 1;
		if (st->kind == SD_APPLY_BEGIN)
			run.in_xact = true;
		sd_remote_command(r, st->sql, psprintf("running statement %d of the script", run.number));
		switch (st->kind)
		{
			case SD_APPLY_BEGIN:
				break;
			case SD_APPLY_COMMIT:
				run.in_xact = false;
				run.committed += run.pending;
				run.pending = 0;
				break;
			case SD_APPLY_ROLLBACK:
				run.in_xact = false;
				run.pending = 0;
				break;
			case SD_APPLY_SET:
				break;
			case SD_APPLY_OTHER:
				run.ran++;
				if (run.in_xact)
					run.pending++;
				else
					run.committed++;
				break;
		}
	}
	run.current = NULL;
	error_context_stack = errcb.previous;
	if (run.in_xact)
	{
		sd_remote_command(r, "ROLLBACK", "ending the script");
		sd_remote_close(r);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("script ends inside a transaction"),
				 errdetail("Its last transaction was rolled back; %d statement(s) committed before it stay applied.",
						   run.committed)));
	}
	sd_remote_close(r);
	return run.ran;
}

/* ---- the function -------------------------------------------------------- */

static const char *const apply_option_names[] = {"source", NULL};

/* options of schemadrift_apply: only "source" */
static Jsonb *
check_apply_options(FunctionCallInfo fcinfo, int argno)
{
	Jsonb	   *opts;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("options must not be NULL"),
				 errhint("Pass '{}' for no options.")));
	opts = PG_GETARG_JSONB_P(argno);
	if (!JB_ROOT_IS_OBJECT(opts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object")));
	it = JsonbIteratorInit(&opts->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		const char *const *p;
		char	   *key;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		for (p = apply_option_names; *p; p++)
			if (strcmp(*p, key) == 0)
				break;
		if (*p == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\" of schemadrift_apply", key),
					 errhint("Its only option is \"source\": the side the script was planned from, for the check after it ran. The options of the script itself are the plan's.")));
	}
	return opts;
}

/* what an apply did */
typedef struct ApplyResult
{
	int			statements;
	char		before[SD_SHA256_HEX_LEN + 1];
	char		after[SD_SHA256_HEX_LEN + 1];
	char	   *remaining;		/* JSON, or NULL: not checked */
	int			as_planned;		/* 1, 0, or -1: not known */
} ApplyResult;

/*
 * check_target
 *		Who may apply to target: to this database (NULL) only superusers,
 *		in a READ COMMITTED transaction; a foreign server by name, never a
 *		baseline or a connection string.
 */
static void
check_target(const char *target)
{
	if (target != NULL)
	{
		sd_side_check_name(target, "target");
		return;
	}
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to apply a script to this database through a loopback connection"),
				 errdetail("The loopback connection authenticates with the database server's own credentials (trust, peer, .pgpass), which only superusers may use."),
				 errhint("Create a foreign server for this database and a user mapping with your password, and apply the script to that server.")));
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("cannot apply a script to this database in a REPEATABLE READ or SERIALIZABLE transaction"),
				 errdetail("The check after the script reads what the loopback connection committed, which this transaction's snapshot does not show."),
				 errhint("Run schemadrift_apply() in a READ COMMITTED transaction.")));
}

/*
 * check_after
 *		Step 4: read the target again and compare what remains with what
 *		the plan skipped, into res; a WARNING names the rows that should
 *		not be there.
 */
static void
check_after(const char *target, ScriptPlan *plan, Jsonb *applyopts, ApplyResult *res)
{
	StringInfoData unexpected;
	SdObjectSet *source = read_source(plan, applyopts);
	int			nunexpected;

	initStringInfo(&unexpected);
	if (source != NULL)
	{
		SdObjectSet *tset = read_target(target, plan->options, true);
		StringInfoData remaining;
		char		sfp[SD_SHA256_HEX_LEN + 1];

		initStringInfo(&remaining);
		sd_objects_fingerprint(tset, res->after);
		sd_objects_fingerprint(source, sfp);
		if (strcmp(sfp, plan->source_fingerprint) != 0)
			ereport(NOTICE,
					(errmsg("the source has changed since the script was planned"),
					 errdetail("The check after the script compares the target with the source as it is now.")));
		nunexpected = against_plan(plan, sd_compare_rows(source, tset), true,
								   &unexpected, &remaining);
		res->remaining = remaining.data;
		res->as_planned = nunexpected == 0;
	}
	else
	{
		ListCell   *lc;
		bool		expect_equal = true;

		/* only fingerprints: equal to the source's when nothing remains */
		target_fingerprint(target, plan->options, res->after);
		foreach(lc, plan->rows)
			if (((PlanRow *) lfirst(lc))->remains)
				expect_equal = false;
		nunexpected = expect_equal && strcmp(res->after, plan->source_fingerprint) != 0 ? 1 : 0;
		if (nunexpected)
			appendStringInfo(&unexpected, "the target's fingerprint is %s, the source's %s",
							 res->after, plan->source_fingerprint);
		res->remaining = NULL;
		res->as_planned = expect_equal ? nunexpected == 0 : -1;
		if (!expect_equal)
			ereport(NOTICE,
					(errmsg("what remains on the target was not checked"),
					 errdetail("The script skips some steps and its source (%s) cannot be read from here.",
							   plan->source_type),
					 errhint("Pass the source in the options (\"source\": a snapshot or a server's name) to check it.")));
	}
	if (nunexpected > 0)
		ereport(WARNING,
				(errmsg("%s does not match the plan after the script ran", target_name(target)),
				 errdetail("Differences from what the script skipped: %s.", unexpected.data),
				 errhint("Another session may have changed the target or the source meanwhile; diff them again.")));
}

/*
 * apply_script
 *		The guarded apply of script to target (NULL: this database): the
 *		plan, the guard, the run, the check (this file's header), into res.
 */
static void
apply_script(const char *target, const char *script, Jsonb *applyopts, ApplyResult *res)
{
	ScriptPlan	plan;
	List	   *statements;

	check_target(target);
	read_plan(script, &plan);
	/* a script the lexer cannot read fails here, before anything runs */
	statements = sd_apply_split(plan.body, plan.body_line);

	target_fingerprint(target, plan.options, res->before);
	if (strcmp(res->before, plan.target_fingerprint) != 0)
	{
		if (plan.create)
			check_new_database(target, &plan, res->before);
		else
			refuse_changed(target, &plan, res->before, applyopts);
	}

	res->statements = statements != NIL ? run_script(target, statements) : 0;
	check_after(target, &plan, applyopts, res);
}

PG_FUNCTION_INFO_V1(schemadrift_apply);

/*
 * schemadrift_apply(target text, script text, options jsonb)
 *		RETURNS (statements, fingerprint_before, fingerprint_after,
 *		remaining, as_planned)
 */
Datum
schemadrift_apply(PG_FUNCTION_ARGS)
{
	char	   *target = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *script;
	Jsonb	   *applyopts;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false};
	ApplyResult res;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("script must not be NULL"),
				 errhint("Pass the text that schemadrift_sync_sql() returned.")));
	script = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (script[strspn(script, " \t\r\n")] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("script is empty"),
				 errhint("Pass the text that schemadrift_sync_sql() returned.")));
	applyopts = check_apply_options(fcinfo, 2);

	memset(&res, 0, sizeof(res));
	apply_script(target, script, applyopts, &res);

	values[0] = Int32GetDatum(res.statements);
	values[1] = CStringGetTextDatum(res.before);
	values[2] = CStringGetTextDatum(res.after);
	if (res.remaining != NULL)
		values[3] = DirectFunctionCall1(jsonb_in, CStringGetDatum(res.remaining));
	else
		nulls[3] = true;
	values[4] = BoolGetDatum(res.as_planned == 1);
	nulls[4] = res.as_planned < 0;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
