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
 *	  time, and a machine-readable "planned against" line with the target's
 *	  fingerprint (what a guarded apply checks before it runs the script);
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
#include "utils/timestamp.h"

#include "fix.h"

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
	row->fixed = fix != NULL && !fix->invalid && fix->steps != NIL;
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

	if (rows == NIL)
	{
		appendStringInfoString(&buf, "-- no differences: nothing to do\n");
		return buf.data;
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
	return buf.data;
}
