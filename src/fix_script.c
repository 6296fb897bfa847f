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
 *	  foreign keys, views, triggers, policies...).  SQL-standard functions
 *	  and views are one group, ordered by their edges alone; a SQL-standard
 *	  function that an earlier phase calls (a default, a check, an index)
 *	  moves into that phase when what it needs is made by then
 *	  (settle_phases).  Within a group, a step comes after what it needs
 *	  (a partition after its parent; edges from the definitions,
 *	  fix_deps.c), drops the other way round, and steps otherwise keep the
 *	  diff's order, which is the objects' order;
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

/* a list of strings, copied into the current memory context */
static List *
copy_strings(List *strings)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, strings)
		result = lappend(result, pstrdup(lfirst(lc)));
	return result;
}

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
			step->after = copy_strings(src->after);
			step->needs = copy_strings(src->needs);
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

/*
 * The phases whose steps are ordered together, by their edges alone: a
 * SQL-standard body can read a view, and a view can call such a function,
 * so neither kind can go first as a whole.  Other phases are groups of
 * their own.
 */
static int
phase_group(SdFixPhase phase)
{
	return phase == FIX_PHASE_VIEW ? FIX_PHASE_ATOMIC_FUNCTION : (int) phase;
}

/*
 * drops first, latest group first; then the rest by group; within a group
 * by phase (reversed for drops), ties by seq
 */
static int
cmp_steps(const void *a, const void *b)
{
	const OrderedStep *x = a;
	const OrderedStep *y = b;
	int			gx = phase_group(x->step->phase);
	int			gy = phase_group(y->step->phase);

	if (x->step->drop != y->step->drop)
		return x->step->drop ? -1 : 1;
	if (gx != gy)
		return x->step->drop ? gy - gx : gx - gy;
	if (x->step->phase != y->step->phase)
		return x->step->drop ? (int) y->step->phase - (int) x->step->phase
			: (int) x->step->phase - (int) y->step->phase;
	return x->seq - y->seq;
}

/* whether step needs identity first: a parent it names, or what it reads */
static bool
step_needs(SdFixStep *step, const char *identity)
{
	return sd_list_has_string(step->after, identity) ||
		sd_list_has_string(step->needs, identity);
}

/*
 * whether step needs what a step in steps[from..to) creates; for a drop,
 * whether a step there drops something that needs what step drops (drops
 * go the other way round)
 */
static bool
waits_for(SdFixStep *step, OrderedStep *steps, int from, int to)
{
	int			i;

	for (i = from; i < to; i++)
	{
		SdFixStep  *other = steps[i].step;

		if (other == step)
			continue;
		if (step->drop ? step->creates != NULL && step_needs(other, step->creates)
			: other->creates != NULL && step_needs(step, other->creates))
			return true;
	}
	return false;
}

/* a remark more on step */
static void
add_remark(SdFixStep *step, const char *remark)
{
	step->remark = step->remark ? psprintf("%s; %s", step->remark, remark) : pstrdup(remark);
}

/*
 * order_within_groups
 *		Within each group of phases (phase_group) of the sorted steps, put a
 *		step that needs something after the step that creates it (a
 *		partition after its partitioned table, a child after its parents, a
 *		view or a SQL-standard function after the views and functions it
 *		reads and calls), and a drop after the drops of what needs what it
 *		drops, keeping the order otherwise.  Steps that wait for each other
 *		in a cycle cannot be ordered so: the first of them goes where its
 *		kind puts it, with a remark, and the rest are ordered again.
 */
static void
order_within_groups(OrderedStep *steps, int nsteps)
{
	int			start = 0;

	while (start < nsteps)
	{
		int			end = start;
		int			done = start;

		while (end < nsteps &&
			   phase_group(steps[end].step->phase) == phase_group(steps[start].step->phase) &&
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
			{
				add_remark(steps[done].step,
						   "placed by its kind, not by what it reads: it and other steps here wait for each other (a cycle in their definitions)");
				moved = 1;
			}
			done += moved;
		}
		start = end;
	}
}

/* the steps that create (or, drops, drop) something, by what */
typedef struct Maker
{
	const char *identity;
	SdFixStep  *step;
} Maker;

typedef struct Makers
{
	Maker	   *makers;
	int			n;
} Makers;

static int
cmp_maker(const void *a, const void *b)
{
	return strcmp(((const Maker *) a)->identity, ((const Maker *) b)->identity);
}

static Makers *
makers_of(OrderedStep *steps, int nsteps)
{
	Makers	   *m = palloc0(sizeof(Makers));
	int			i;

	m->makers = palloc(sizeof(Maker) * Max(nsteps, 1));
	for (i = 0; i < nsteps; i++)
		if (steps[i].step->creates != NULL)
		{
			m->makers[m->n].identity = steps[i].step->creates;
			m->makers[m->n].step = steps[i].step;
			m->n++;
		}
	qsort(m->makers, m->n, sizeof(Maker), cmp_maker);
	return m;
}

/* the first of the makers of identity, or NULL; the others follow it */
static Maker *
first_maker(Makers *m, const char *identity)
{
	Maker		key;
	Maker	   *hit;

	key.identity = identity;
	hit = m->n > 0 ? bsearch(&key, m->makers, m->n, sizeof(Maker), cmp_maker) : NULL;
	while (hit != NULL && hit > m->makers && strcmp(hit[-1].identity, identity) == 0)
		hit--;
	return hit;
}

/* how deep lowering goes along functions that call functions */
#define MAX_LOWER_DEPTH 16

static bool settle_step(Makers *m, SdFixStep *step, int depth);

/*
 * lower_maker
 *		Move maker, a SQL-standard function (or its drop), into the phase of
 *		a step that needs it, if what the function needs comes (goes) no
 *		later there; whether it could.
 */
static bool
lower_maker(Makers *m, SdFixStep *maker, SdFixPhase phase, int depth)
{
	SdFixPhase	was = maker->phase;

	if (maker->phase != FIX_PHASE_ATOMIC_FUNCTION || depth >= MAX_LOWER_DEPTH)
		return false;
	maker->phase = phase;
	if (settle_step(m, maker, depth + 1))
		return true;
	maker->phase = was;
	return false;
}

/*
 * settle_step
 *		Whether everything step needs is made in its group or an earlier one
 *		(for a drop: dropped in its group or a later one, which the
 *		reversed order makes the same test), lowering SQL-standard functions
 *		that it needs into its phase where they come later.
 */
static bool
settle_step(Makers *m, SdFixStep *step, int depth)
{
	List	   *lists[2] = {step->after, step->needs};
	int			l;
	bool		ok = true;

	for (l = 0; l < 2; l++)
	{
		ListCell   *lc;

		foreach(lc, lists[l])
		{
			Maker	   *mk = first_maker(m, lfirst(lc));

			for (; mk != NULL && mk < m->makers + m->n &&
				 strcmp(mk->identity, lfirst(lc)) == 0; mk++)
				if (mk->step != step && mk->step->drop == step->drop &&
					mk->step->part == step->part &&
					phase_group(mk->step->phase) > phase_group(step->phase) &&
					!lower_maker(m, mk->step, step->phase, depth))
					ok = false;
		}
	}
	return ok;
}

/*
 * settle_phases
 *		Phases put a SQL-standard function after the tables, so that it can
 *		read them; a default, a check or an index expression that calls one
 *		comes earlier.  Such a function goes into the phase of the step that
 *		calls it (and, dropped, is dropped there, after it), when what it
 *		reads and calls is made by then; if not, a SET DEFAULT goes into the
 *		function's phase, after it; otherwise the step keeps its place with
 *		a remark.  The steps are then to be sorted again.
 */
static void
settle_phases(OrderedStep *steps, int nsteps)
{
	Makers	   *m = makers_of(steps, nsteps);
	int			i;

	for (i = 0; i < nsteps; i++)
	{
		SdFixStep  *step = steps[i].step;
		ListCell   *lc;

		if (step->needs == NIL || settle_step(m, step, 0))
			continue;
		if (!step->drop && step->late_ok)
		{
			/* the latest group of what it needs, where it waits for it */
			foreach(lc, step->needs)
			{
				Maker	   *mk = first_maker(m, lfirst(lc));

				for (; mk != NULL && mk < m->makers + m->n &&
					 strcmp(mk->identity, lfirst(lc)) == 0; mk++)
					if (!mk->step->drop && mk->step->part == step->part &&
						phase_group(mk->step->phase) > phase_group(step->phase))
						step->phase = mk->step->phase;
			}
			continue;
		}
		add_remark(step, step->drop ?
				   "placed by its kind: a function that its definition calls is dropped before it, and the drop may fail; drop them by hand" :
				   "placed by its kind: a function that it calls comes later in this script (it reads what comes later), and the step may fail; make them by hand");
	}
	pfree(m->makers);
	pfree(m);
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
	settle_phases(steps, nsteps);
	qsort(steps, nsteps, sizeof(OrderedStep), cmp_steps);
	order_within_groups(steps, nsteps);

	/*
	 * A statement that fixes several rows at once (CREATE OR REPLACE
	 * FUNCTION for each of its changed attributes) runs once.  Sorted by
	 * phase, equal statements of one object are near each other, but not
	 * always next to each other: compare within the group of phases.
	 */
	for (i = 0; i < nsteps; i++)
	{
		int			j;

		for (j = i - 1; j >= 0 &&
			 phase_group(steps[j].step->phase) == phase_group(steps[i].step->phase) &&
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
