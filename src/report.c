/*-------------------------------------------------------------------------
 *
 * report.c
 *	  Reports people read: a diff as text, markdown (what a CI job posts on
 *	  a pull request) or json.
 *
 * A report says what was compared, counts the objects missing, extra and
 * changed, by kind (accepted drift apart: accept.c), then lists the rows of
 * the diff grouped by kind (kinds
 * in name order, rows in the diff's order), with the fix SQL when the
 * installed schemadrift_diff has a fix_sql column.  In text and markdown a
 * value longer than SD_REPORT_VALUE_CHARS characters is cut (the json form
 * and schemadrift_diff() keep it whole).
 *
 * IDENTIFICATION
 *	  src/report.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "workflow.h"

#define SD_REPORT_VALUE_CHARS	200

typedef enum ReportFormat
{
	REPORT_TEXT,
	REPORT_MARKDOWN,
	REPORT_JSON
} ReportFormat;

/* the rows of one kind, and what they count */
typedef struct KindGroup
{
	const char *kind;
	int		   *rows;			/* indexes into the drift's rows */
	int			nrows;
	int64		missing;
	int64		extra;
	int64		changed;		/* objects */
	int64		accepted;		/* rows */
} KindGroup;

static int
cmp_row_kind(const void *a, const void *b, void *arg)
{
	const SdDrift *drift = arg;
	int			ia = *(const int *) a;
	int			ib = *(const int *) b;
	int			c = strcmp(drift->rows[ia].kind, drift->rows[ib].kind);

	if (c != 0)
		return c;
	return ia < ib ? -1 : ia > ib;
}

/*
 * group_by_kind
 *		The drift's rows grouped by kind, in kind order; *ngroups of them.
 */
static KindGroup *
group_by_kind(const SdDrift *drift, int *ngroups)
{
	int		   *order = palloc(sizeof(int) * Max(drift->nrows, 1));
	KindGroup  *groups = palloc0(sizeof(KindGroup) * Max(drift->nrows, 1));
	KindGroup  *g = NULL;
	const SdDriftRow *prev = NULL;
	int			i;

	for (i = 0; i < drift->nrows; i++)
		order[i] = i;
	qsort_arg(order, drift->nrows, sizeof(int), cmp_row_kind, (void *) drift);

	*ngroups = 0;
	for (i = 0; i < drift->nrows; i++)
	{
		const SdDriftRow *row = &drift->rows[order[i]];

		if (g == NULL || strcmp(g->kind, row->kind) != 0)
		{
			g = &groups[(*ngroups)++];
			g->kind = row->kind;
			g->rows = &order[i];
			prev = NULL;
		}
		g->nrows++;
		if (row->accepted)
		{
			g->accepted++;
			continue;
		}
		if (strcmp(row->change, "missing") == 0)
			g->missing++;
		else if (strcmp(row->change, "extra") == 0)
			g->extra++;
		else if (prev == NULL || strcmp(prev->change, "changed") != 0 ||
				 strcmp(prev->identity, row->identity) != 0)
			g->changed++;
		prev = row;
	}
	return groups;
}

static void
append_count(StringInfo buf, int64 n, const char *what)
{
	if (n > 0)
		appendStringInfo(buf, "%s%lld %s", buf->len > 0 ? ", " : "", (long long) n, what);
}

/* "1 missing, 2 changed": a group's counts that are not zero */
static char *
counts_text(KindGroup *g)
{
	StringInfoData buf;

	initStringInfo(&buf);
	append_count(&buf, g->missing, "missing");
	append_count(&buf, g->extra, "extra");
	append_count(&buf, g->changed, "changed");
	append_count(&buf, g->accepted, "accepted");
	return buf.data;
}

/* a value cut to SD_REPORT_VALUE_CHARS characters */
static const char *
cut(const char *v, const char *null_text)
{
	return sd_drift_cut(v, SD_REPORT_VALUE_CHARS, null_text);
}

/*
 * "ALTER TABLE by alice at <time> (psql, 10.0.0.1, reason CHG-1):
 * <statement>": an object's last audit log entry, "on the source: " first
 * when it comes from the source's log (a missing object the target never
 * dropped: attribution.c)
 */
static char *
last_ddl_text(const SdAttribution *a)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (a->side != NULL && strcmp(a->side, "source") == 0)
		appendStringInfoString(&buf, "on the source: ");
	appendStringInfo(&buf, "%s by %s at %s", a->command_tag,
					 a->user_name ? a->user_name : "?", a->at);
	if (a->application || a->client || a->change_reason)
	{
		appendStringInfoString(&buf, " (");
		if (a->application)
			appendStringInfoString(&buf, a->application);
		if (a->client)
			appendStringInfo(&buf, "%s%s", a->application ? ", " : "", a->client);
		if (a->change_reason)
			appendStringInfo(&buf, "%sreason %s", a->application || a->client ? ", " : "",
							 a->change_reason);
		appendStringInfoChar(&buf, ')');
	}
	if (a->statement)
		appendStringInfo(&buf, ": %s", cut(a->statement, ""));
	return buf.data;
}

/* ---- text ---------------------------------------------------------------- */

static void
report_text(StringInfo buf, const SdDrift *drift, KindGroup *groups, int ngroups)
{
	int			g;
	int			i;

	if (drift->nfailing == 0)
	{
		appendStringInfo(buf, "no drift: target %s matches source %s\n",
						 drift->target_label, drift->source_label);
		if (drift->accepted == 0)
			return;
		appendStringInfo(buf, "but for %s\n", sd_drift_accepted_text(drift));
	}
	else
		appendStringInfo(buf, "schema drift: %s\ntarget: %s\nsource: %s\n",
						 sd_drift_objects_text(drift), drift->target_label,
						 drift->source_label);
	for (g = 0; g < ngroups; g++)
	{
		KindGroup  *kg = &groups[g];

		appendStringInfo(buf, "\n%s (%s)\n", kg->kind, counts_text(kg));
		for (i = 0; i < kg->nrows; i++)
		{
			const SdDriftRow *row = &drift->rows[kg->rows[i]];

			appendStringInfo(buf, "  %-8s %s", row->change, row->identity);
			if (strcmp(row->change, "changed") == 0)
				appendStringInfo(buf, "  %s: %s -> %s", row->attribute,
								 cut(row->source_value, "NULL"),
								 cut(row->target_value, "NULL"));
			if (row->note != NULL)
				appendStringInfo(buf, "  (%s)", row->note);
			if (row->acceptance != NULL)
				appendStringInfo(buf, "  (%s)", row->acceptance);
			appendStringInfoChar(buf, '\n');
			if (row->last_ddl != NULL)
				appendStringInfo(buf, "    last DDL: %s\n", last_ddl_text(row->last_ddl));
			if (row->fix_sql != NULL)
			{
				const char *p;

				/* a fix of several lines stays under its row */
				appendStringInfoString(buf, "    fix: ");
				for (p = row->fix_sql; *p; p++)
				{
					appendStringInfoChar(buf, *p);
					if (*p == '\n')
						appendStringInfoString(buf, "         ");
				}
				appendStringInfoChar(buf, '\n');
			}
		}
	}
}

/* ---- markdown ------------------------------------------------------------ */

/* text for a table cell: pipes escaped, line breaks as <br> */
static void
append_cell(StringInfo buf, const char *s, bool code)
{
	const char *p;

	code = code && s[0] != '\0' && strchr(s, '`') == NULL;
	appendStringInfoString(buf, code ? " `" : " ");
	for (p = s; *p; p++)
	{
		if (*p == '|')
			appendStringInfoString(buf, "\\|");
		else if (*p == '\n')
			appendStringInfoString(buf, code ? " " : "<br>");
		else if (*p != '\r')
			appendStringInfoChar(buf, *p);
	}
	appendStringInfoString(buf, code ? "` |" : " |");
}

static void
report_markdown(StringInfo buf, const SdDrift *drift, KindGroup *groups, int ngroups)
{
	bool		fix = false;
	bool		who = false;
	int			g;
	int			i;

	if (drift->nfailing == 0)
	{
		appendStringInfo(buf, "## schemadrift: no drift\n\nTarget %s matches source %s",
						 drift->target_label, drift->source_label);
		if (drift->accepted == 0)
		{
			appendStringInfoString(buf, ".\n");
			return;
		}
		appendStringInfo(buf, ", but for %s.\n\n", sd_drift_accepted_text(drift));
	}
	else
		appendStringInfo(buf, "## schemadrift: %s\n\nTarget: %s. Source: %s.\n\n",
						 sd_drift_objects_text(drift), drift->target_label,
						 drift->source_label);
	for (i = 0; i < drift->nrows; i++)
	{
		fix = fix || drift->rows[i].fix_sql != NULL;
		who = who || drift->rows[i].last_ddl != NULL;
	}

	appendStringInfoString(buf, "| Kind | Missing | Extra | Changed | Accepted |\n| --- | ---: | ---: | ---: | ---: |\n");
	for (g = 0; g < ngroups; g++)
		appendStringInfo(buf, "| %s | %lld | %lld | %lld | %lld |\n", groups[g].kind,
						 (long long) groups[g].missing, (long long) groups[g].extra,
						 (long long) groups[g].changed, (long long) groups[g].accepted);

	for (g = 0; g < ngroups; g++)
	{
		KindGroup  *kg = &groups[g];

		appendStringInfo(buf, "\n### %s\n\n| Change | Identity | Attribute | Source | Target | Note |%s%s\n"
						 "| --- | --- | --- | --- | --- | --- |%s%s\n",
						 kg->kind, who ? " Last DDL |" : "", fix ? " Fix |" : "",
						 who ? " --- |" : "", fix ? " --- |" : "");
		for (i = 0; i < kg->nrows; i++)
		{
			const SdDriftRow *row = &drift->rows[kg->rows[i]];

			appendStringInfoChar(buf, '|');
			append_cell(buf, row->change, false);
			append_cell(buf, row->identity, true);
			append_cell(buf, row->attribute ? row->attribute : "", false);
			append_cell(buf, cut(row->source_value, ""), true);
			append_cell(buf, cut(row->target_value, ""), true);
			append_cell(buf, row->note == NULL ? (row->acceptance ? row->acceptance : "") :
						row->acceptance == NULL ? row->note :
						psprintf("%s; %s", row->note, row->acceptance), false);
			if (who)
				append_cell(buf, row->last_ddl ? last_ddl_text(row->last_ddl) : "", false);
			if (fix)
				append_cell(buf, row->fix_sql ? row->fix_sql : "", true);
			appendStringInfoChar(buf, '\n');
		}
	}
}

/* ---- json ---------------------------------------------------------------- */

static void
append_json_field(StringInfo buf, const char *key, const char *value, bool first)
{
	if (!first)
		appendStringInfoString(buf, ", ");
	escape_json(buf, key);
	appendStringInfoString(buf, ": ");
	if (value == NULL)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, value);
}

/* {"kind": {"missing": 1, "extra": 0, "changed": 2}, ...} */
static char *
by_kind_json(KindGroup *groups, int ngroups)
{
	StringInfoData buf;
	int			g;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (g = 0; g < ngroups; g++)
	{
		if (g > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, groups[g].kind);
		appendStringInfo(&buf, ": {\"missing\": %lld, \"extra\": %lld, \"changed\": %lld}",
						 (long long) groups[g].missing, (long long) groups[g].extra,
						 (long long) groups[g].changed);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * sd_drift_by_kind_json
 *		The drift's counts by kind, as a JSON object text.
 */
char *
sd_drift_by_kind_json(const SdDrift *drift)
{
	int			ngroups;
	KindGroup  *groups = group_by_kind(drift, &ngroups);

	return by_kind_json(groups, ngroups);
}

static void
report_json(StringInfo buf, const SdDrift *drift, KindGroup *groups, int ngroups)
{
	int			i;

	appendStringInfoChar(buf, '{');
	append_json_field(buf, "target", drift->target_label, true);
	append_json_field(buf, "source", drift->source_label, false);
	appendStringInfo(buf, ", \"drift\": %s, \"missing\": %lld, \"extra\": %lld, \"changed\": %lld, \"accepted\": %lld,\n\"by_kind\": %s,\n\"rows\": [",
					 drift->nfailing > 0 ? "true" : "false", (long long) drift->missing,
					 (long long) drift->extra, (long long) drift->changed,
					 (long long) drift->accepted, by_kind_json(groups, ngroups));
	for (i = 0; i < drift->nrows; i++)
	{
		const SdDriftRow *row = &drift->rows[i];

		appendStringInfoString(buf, i > 0 ? ",\n{" : "\n{");
		append_json_field(buf, "kind", row->kind, true);
		append_json_field(buf, "identity", row->identity, false);
		append_json_field(buf, "change", row->change, false);
		append_json_field(buf, "attribute", row->attribute, false);
		append_json_field(buf, "source_value", row->source_value, false);
		append_json_field(buf, "target_value", row->target_value, false);
		append_json_field(buf, "note", row->note, false);
		appendStringInfo(buf, ", \"accepted\": %s", row->accepted ? "true" : "false");
		append_json_field(buf, "acceptance", row->acceptance, false);
		if (row->fix_sql != NULL)
			append_json_field(buf, "fix_sql", row->fix_sql, false);
		if (row->last_ddl != NULL)
		{
			const SdAttribution *a = row->last_ddl;

			appendStringInfoString(buf, ", \"last_ddl\": {");
			append_json_field(buf, "side", a->side, true);
			appendStringInfo(buf, ", \"audit_id\": " INT64_FORMAT, a->id);
			append_json_field(buf, "command_tag", a->command_tag, false);
			append_json_field(buf, "user", a->user_name, false);
			append_json_field(buf, "at", a->at, false);
			append_json_field(buf, "application", a->application, false);
			append_json_field(buf, "client", a->client, false);
			append_json_field(buf, "statement", a->statement, false);
			append_json_field(buf, "change_reason", a->change_reason, false);
			appendStringInfoChar(buf, '}');
		}
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoString(buf, drift->nrows > 0 ? "\n]}" : "]}");
}

PG_FUNCTION_INFO_V1(schemadrift_report);

/*
 * schemadrift_report(target, source, options, format text) -> text
 *
 * Declared with the overloads of schemadrift_diff, format last.
 */
Datum
schemadrift_report(PG_FUNCTION_ARGS)
{
	char	   *format = sd_workflow_text_arg(fcinfo, 3, "format");
	ReportFormat fmt;
	SdDrift    *drift;
	KindGroup  *groups;
	int			ngroups;
	StringInfoData buf;

	if (strcmp(format, "text") == 0)
		fmt = REPORT_TEXT;
	else if (strcmp(format, "markdown") == 0)
		fmt = REPORT_MARKDOWN;
	else if (strcmp(format, "json") == 0)
		fmt = REPORT_JSON;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized report format \"%s\"", format),
				 errhint("Use \"text\", \"markdown\" or \"json\".")));

	drift = sd_drift_from_call(fcinfo, true);
	groups = group_by_kind(drift, &ngroups);
	initStringInfo(&buf);
	switch (fmt)
	{
		case REPORT_TEXT:
			report_text(&buf, drift, groups, ngroups);
			break;
		case REPORT_MARKDOWN:
			report_markdown(&buf, drift, groups, ngroups);
			break;
		case REPORT_JSON:
			report_json(&buf, drift, groups, ngroups);
			break;
	}
	/* psql ends what it prints with a line break of its own */
	while (buf.len > 0 && buf.data[buf.len - 1] == '\n')
		buf.data[--buf.len] = '\0';
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
