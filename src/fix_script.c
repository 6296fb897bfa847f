/*-------------------------------------------------------------------------
 *
 * fix_script.c
 *	  Sync and create scripts: the fixes of a whole diff, in order.
 *
 * schemadrift_sync_sql() and schemadrift_create_sql() run the diff
 * (compare.c) and keep every row's fix (fix.c); this file puts their steps
 * into one script:
 *
 *	- a header naming both sides, their fingerprints, the options and the
 *	  time, a "planned against" line with the target's fingerprint, and a
 *	  plan line (one line of JSON: both sides, both fingerprints, the
 *	  options they were read with, every row with what the script does
 *	  about it and a digest of its target value, and the sha256 of the rest
 *	  of the script), which schemadrift_apply() (apply.c) checks;
 *	- SET lock_timeout, statement_timeout and check_function_bodies = off
 *	  (bodies of non-atomic functions have no dependencies to order by);
 *	- new enum labels in a first transaction of their own: a label cannot be
 *	  used in the transaction that adds it;
 *	- then one transaction: drops in reverse phase order (views before the
 *	  tables they read, tables before their types and schemas), then
 *	  creations and changes in phase order (fix.h: schemas, extensions,
 *	  types, functions, sequences, tables, columns, constraints, indexes,
 *	  foreign keys, views, triggers, policies...).  Within a phase, steps
 *	  keep the diff's order, which is the objects' order;
 *	- destructive steps the options do not allow are left in as comments
 *	  marked "-- DESTRUCTIVE:";
 *	- the differences no statement fixes, each with its reason, at the end.
 *
 * Text from the sides (identities, notes) enters the script only in
 * comments, with its line breaks escaped: no name can end a comment.
 *
 * IDENTIFICATION
 *	  src/fix_script.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "fix.h"
#include "util.h"

/*
 * sd_fix_row_copy
 *		A diff row and its fix, copied into the current memory context.
 */
SdFixRow *
sd_fix_row_copy(const char *kind, const char *identity, const char *change,
				const char *attribute, const char *note, SdFix *fix)
{
	SdFixRow   *row = palloc0(sizeof(SdFixRow));
	ListCell   *lc;

	row->kind = pstrdup(kind);
	row->identity = pstrdup(identity);
	row->change = pstrdup(change);
	row->attribute = attribute ? pstrdup(attribute) : NULL;
	if (fix != NULL && fix->note != NULL)
		note = note ? psprintf("%s; %s", note, fix->note) : fix->note;
	row->note = note ? pstrdup(note) : NULL;
	row->fixed = fix != NULL && !fix->invalid && (fix->steps != NIL || fix->covered);
	strlcpy(row->target_digest, "-", sizeof(row->target_digest));
	if (row->fixed)
		foreach(lc, fix->steps)
		{
			SdFixStep  *src = lfirst(lc);
			SdFixStep  *step = palloc(sizeof(SdFixStep));

			*step = *src;
			step->sql = pstrdup(src->sql);
			step->destructive = src->destructive ? pstrdup(src->destructive) : NULL;
			step->manual = src->manual ? pstrdup(src->manual) : NULL;
			step->remark = src->remark ? pstrdup(src->remark) : NULL;
			step->creates = src->creates ? pstrdup(src->creates) : NULL;
			step->after = NIL;
			{
				ListCell   *lc2;

				foreach(lc2, src->after)
					step->after = lappend(step->after, pstrdup(lfirst(lc2)));
			}
			row->steps = lappend(row->steps, step);
		}
	return row;
}


/*
 * sd_fix_row_digest
 *		Keep the first hex digits of the sha256 of the row's target value
 *		(NULL: "-"): a script's plan tells a target changed in a row it
 *		plans for from the target it was planned against.
 */
void
sd_fix_row_digest(SdFixRow *row, const char *target_value)
{
	char		hex[SD_SHA256_HEX_LEN + 1];

	if (target_value == NULL)
	{
		strlcpy(row->target_digest, "-", sizeof(row->target_digest));
		return;
	}
	sd_util_sha256_hex(target_value, strlen(target_value), hex);
	strlcpy(row->target_digest, hex, sizeof(row->target_digest));
}

/*
 * sd_fix_row_state
 *		What a script does about row: "run" (its statements run), "skipped"
 *		(a step of it is left as a comment: destructive and not allowed, or
 *		manual) or "unfixed" (no statement fixes it).  A guarded apply
 *		expects exactly the skipped and unfixed rows to remain.
 */
const char *
sd_fix_row_state(SdFixRow *row, bool allow_destructive)
{
	ListCell   *lc;

	if (!row->fixed)
		return "unfixed";
	foreach(lc, row->steps)
	{
		SdFixStep  *step = lfirst(lc);

		if (step->manual != NULL || (step->destructive != NULL && !allow_destructive))
			return "skipped";
	}
	return "run";
}

/*
 * append_plan
 *		The plan line of a script: what schemadrift_apply() checks and
 *		expects, as one line of JSON after SD_FIX_PLAN_PREFIX.  body is the
 *		text of the script after this line, whose sha256 the line keeps (a
 *		checksum against edits, not a signature: whoever can edit the script
 *		can edit the line).
 */
static void
append_plan(StringInfo buf, List *rows, SdFixScriptInfo *info, bool allow,
			const char *body)
{
	char		hex[SD_SHA256_HEX_LEN + 1];
	ListCell   *lc;
	bool		first = true;

	sd_util_text_sha256(body, hex);
	appendStringInfo(buf, "%s{\"version\": %d, \"target\": %s, \"source\": %s, "
					 "\"target_fingerprint\": \"%s\", \"source_fingerprint\": \"%s\", "
					 "\"options\": %s, \"body_sha256\": \"%s\", \"rows\": [",
					 SD_FIX_PLAN_PREFIX, SD_FIX_PLAN_VERSION, info->plan_target,
					 info->plan_source, info->target_fingerprint,
					 info->source_fingerprint, info->read_options, hex);
	foreach(lc, rows)
	{
		SdFixRow   *row = lfirst(lc);

		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		appendStringInfoChar(buf, '[');
		escape_json(buf, row->kind);
		appendStringInfoString(buf, ", ");
		escape_json(buf, row->identity);
		appendStringInfoString(buf, ", ");
		escape_json(buf, row->change);
		appendStringInfoString(buf, ", ");
		escape_json(buf, row->attribute ? row->attribute : "");
		appendStringInfo(buf, ", \"%s\", \"%s\"]", row->target_digest,
						 sd_fix_row_state(row, allow));
	}
	appendStringInfoString(buf, "]}\n");
}

/* what each part of a script is for (fix.h, SdFixPart) */
static const char *const part_titles[FIX_NUM_PARTS] = {
	[FIX_PART_LABELS] = "new enum labels, committed first (a label cannot be used in the transaction that adds it)",
	[FIX_PART_MAIN] = "the changes, in one transaction",
	[FIX_PART_CONCURRENTLY] = "indexes built and dropped CONCURRENTLY, outside any transaction (each statement on its own; a failed build leaves an invalid index to drop)",
	[FIX_PART_VALIDATE] = "constraints added NOT VALID, validated (this does not block writes)",
};

typedef struct OrderedStep
{
	SdFixStep  *step;
	int			seq;			/* the diff's order, to keep sorts stable */
} OrderedStep;

/* drops first, latest phase first; then the rest by phase; ties by seq */
static int
cmp_steps(const void *a, const void *b)
{
	const OrderedStep *x = a;
	const OrderedStep *y = b;

	if (x->step->drop != y->step->drop)
		return x->step->drop ? -1 : 1;
	if (x->step->phase != y->step->phase)
		return x->step->drop ? (int) y->step->phase - (int) x->step->phase
			: (int) x->step->phase - (int) y->step->phase;
	return x->seq - y->seq;
}

/*
 * whether step needs a relation that a step in steps[from..to) creates; for
 * a drop, whether a step there drops a relation that reads the one step
 * drops (drops go the other way round)
 */
static bool
waits_for(SdFixStep *step, OrderedStep *steps, int from, int to)
{
	ListCell   *lc;
	int			i;

	if (step->drop)
	{
		if (step->creates == NULL)
			return false;
		for (i = from; i < to; i++)
			if (steps[i].step != step)
				foreach(lc, steps[i].step->after)
					if (strcmp(step->creates, lfirst(lc)) == 0)
						return true;
		return false;
	}
	foreach(lc, step->after)
		for (i = from; i < to; i++)
			if (steps[i].step->creates != NULL && steps[i].step != step &&
				strcmp(steps[i].step->creates, lfirst(lc)) == 0)
				return true;
	return false;
}

/*
 * order_within_phases
 *		Within each phase of the sorted steps, put a step that needs a
 *		relation after the step that creates it (a partition after its
 *		partitioned table, a child after its parents, a view after the views
 *		it reads), and the drop of a view after the drops of the views that
 *		read it, keeping the order otherwise.  Steps that wait for each other in a cycle keep their
 *		order.
 */
static void
order_within_phases(OrderedStep *steps, int nsteps)
{
	int			start = 0;

	while (start < nsteps)
	{
		int			end = start;
		int			done = start;

		while (end < nsteps && steps[end].step->phase == steps[start].step->phase &&
			   steps[end].step->drop == steps[start].step->drop)
			end++;
		/* each round moves every step whose relations are there to the front */
		while (done < end)
		{
			int			moved = 0;
			int			i;

			for (i = done; i < end; i++)
				if (!waits_for(steps[i].step, steps, done, end))
				{
					OrderedStep tmp = steps[i];

					memmove(&steps[done + moved + 1], &steps[done + moved],
							sizeof(OrderedStep) * (i - done - moved));
					steps[done + moved] = tmp;
					moved++;
				}
			if (moved == 0)
				break;
			done += moved;
		}
		start = end;
	}
}

/* the script in buf with the plan line after its first header_len bytes */
static char *
with_plan(StringInfo buf, int header_len, List *rows, SdFixScriptInfo *info,
		  bool allow)
{
	StringInfoData out;

	initStringInfo(&out);
	appendBinaryStringInfo(&out, buf->data, header_len);
	append_plan(&out, rows, info, allow, buf->data + header_len);
	appendStringInfoString(&out, buf->data + header_len);
	pfree(buf->data);
	return out.data;
}

/*
 * sd_fix_script
 *		The script of rows (SdFixRow, in diff order).
 */
char *
sd_fix_script(SdFixContext *ctx, List *rows, SdFixScriptInfo *info)
{
	StringInfoData buf;
	OrderedStep *steps;
	int			nsteps = 0;
	int			nskipped = 0;
	int			nunfixed = 0;
	int			nparts[FIX_NUM_PARTS] = {0};
	int			nused = 0;
	int			ndup = 0;
	int			part;
	int			i;
	ListCell   *lc;
	ListCell   *lc2;
	bool		allow = ctx->options.allow_destructive;
	int			header_len;

	foreach(lc, rows)
		nsteps += list_length(((SdFixRow *) lfirst(lc))->steps);
	steps = palloc(sizeof(OrderedStep) * Max(nsteps, 1));
	nsteps = 0;
	foreach(lc, rows)
	{
		SdFixRow   *row = lfirst(lc);

		if (!row->fixed)
			nunfixed++;
		foreach(lc2, row->steps)
		{
			SdFixStep  *step = lfirst(lc2);

			steps[nsteps].step = step;
			steps[nsteps].seq = nsteps;
			nsteps++;
			if (step->destructive && !allow)
				nskipped++;
			nparts[step->part]++;
		}
	}
	qsort(steps, nsteps, sizeof(OrderedStep), cmp_steps);

	order_within_phases(steps, nsteps);

	/*
	 * A statement that fixes several rows at once (CREATE OR REPLACE
	 * FUNCTION for each of its changed attributes) runs once.  Sorted by
	 * phase, equal statements of one object are near each other, but not
	 * always next to each other: compare within the phase.
	 */
	for (i = 0; i < nsteps; i++)
	{
		int			j;

		for (j = i - 1; j >= 0 && steps[j].step->phase == steps[i].step->phase &&
			 steps[j].step->drop == steps[i].step->drop; j--)
			if (steps[j].step->sql != NULL && strcmp(steps[j].step->sql, steps[i].step->sql) == 0)
			{
				if (steps[i].step->destructive && !allow)
					nskipped--;
				nparts[steps[i].step->part]--;
				steps[i].step->sql = NULL;
				ndup++;
				break;
			}
	}

	initStringInfo(&buf);
	appendStringInfoString(&buf, info->create ?
						   "-- schemadrift create script\n" : "-- schemadrift sync script\n");
	appendStringInfoString(&buf, "-- makes the target match the source\n-- target: ");
	sd_fix_comment_text(&buf, info->target);
	appendStringInfo(&buf, ", fingerprint %s\n-- source: ", info->target_fingerprint);
	sd_fix_comment_text(&buf, info->source);
	appendStringInfo(&buf, ", fingerprint %s\n-- options: ", info->source_fingerprint);
	sd_fix_comment_text(&buf, info->options);
	appendStringInfo(&buf, "\n-- generated: %s\n",
					 timestamptz_to_str(GetCurrentTimestamp()));
	appendStringInfo(&buf, "-- differences: %d; statements: %d", list_length(rows), nsteps - nskipped - ndup);
	if (nskipped > 0)
		appendStringInfo(&buf, "; destructive steps left as comments: %d (allow_destructive runs them)",
						 nskipped);
	if (nunfixed > 0)
		appendStringInfo(&buf, "; differences without a fix: %d (listed at the end)", nunfixed);
	appendStringInfo(&buf, "\n-- schemadrift-planned-against: %s\n", info->target_fingerprint);
	header_len = buf.len;

	if (rows == NIL)
	{
		appendStringInfoString(&buf, "-- no differences: nothing to do\n");
		return with_plan(&buf, header_len, rows, info, allow);
	}

	appendStringInfo(&buf, "\nSET lock_timeout = %s;\n", quote_literal_cstr(ctx->options.lock_timeout));
	appendStringInfo(&buf, "SET statement_timeout = %s;\n", quote_literal_cstr(ctx->options.statement_timeout));
	appendStringInfoString(&buf, "SET check_function_bodies = off;\n");

	for (part = 0; part < FIX_NUM_PARTS; part++)
		if (nparts[part] > 0)
			nused++;
	for (part = 0, i = 0; part < FIX_NUM_PARTS; part++)
	{
		int			j;

		if (nparts[part] == 0)
			continue;
		i++;
		appendStringInfoChar(&buf, '\n');
		if (nused > 1)
			appendStringInfo(&buf, "-- part %d of %d: %s\n", i, nused, part_titles[part]);
		if (part != FIX_PART_CONCURRENTLY)
			appendStringInfoString(&buf, "BEGIN;\n");
		for (j = 0; j < nsteps; j++)
			if (steps[j].step->part == part && steps[j].step->sql != NULL)
				sd_fix_step_text(&buf, steps[j].step, allow);
		if (part != FIX_PART_CONCURRENTLY)
			appendStringInfoString(&buf, "COMMIT;\n");
	}

	if (nunfixed > 0)
	{
		appendStringInfoString(&buf, "\n-- differences this script does not fix:\n");
		foreach(lc, rows)
		{
			SdFixRow   *row = lfirst(lc);

			if (row->fixed)
				continue;
			appendStringInfoString(&buf, "-- ");
			sd_fix_comment_text(&buf, row->kind);
			appendStringInfoChar(&buf, ' ');
			sd_fix_comment_text(&buf, row->identity);
			appendStringInfo(&buf, " (%s", row->change);
			if (row->attribute && strcmp(row->attribute, "whole object") != 0)
			{
				appendStringInfoChar(&buf, ' ');
				sd_fix_comment_text(&buf, row->attribute);
			}
			appendStringInfoString(&buf, ")");
			if (row->note)
			{
				appendStringInfoString(&buf, ": ");
				sd_fix_comment_text(&buf, row->note);
			}
			appendStringInfoChar(&buf, '\n');
		}
	}
	return with_plan(&buf, header_len, rows, info, allow);
}
