/*-------------------------------------------------------------------------
 *
 * options.c
 *	  The options document: validation and canonical form.
 *
 * Every function takes its options as one jsonb object:
 *
 *	include_schemas  array of schema names: only these (default: all)
 *	exclude_schemas  array of schema names: not these
 *	exclude          array of LIKE patterns matched against identities (an
 *	                 object is excluded if its identity or its table's does)
 *	ignore           array of: owner, privileges, comments, column_order,
 *	                 tablespace, constraint_names (table constraints then
 *	                 match by type and definition, not by name)
 *	role_map         object mapping role names to role names, applied to
 *	                 owners, grantees and policy roles on every side
 *
 * Options decide what enters attrs, so results are only comparable under
 * equal options.  The canonical form (arrays sorted and deduplicated, empty
 * ones dropped, role_map without roles mapped onto themselves, keys in jsonb
 * order) is what snapshots and fingerprints record and what equality is
 * checked on.
 *
 * IDENTIFICATION
 *	  src/options.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "options.h"
#include "util.h"

static const char *const valid_options[] = {
	"include_schemas", "exclude_schemas", "exclude", "ignore", "role_map", NULL
};

static const char *const valid_ignore[] = {
	"owner", "privileges", "comments", "column_order", "tablespace",
	"constraint_names", NULL
};

#define VALID_OPTIONS_HINT \
	"Valid options are: include_schemas, exclude_schemas, exclude, ignore, role_map."
#define VALID_IGNORE_HINT \
	"Valid values are: owner, privileges, comments, column_order, tablespace, constraint_names."

/*
 * sd_jsonb_type_name
 *		The JSON type of a value, for error messages.
 */
const char *
sd_jsonb_type_name(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvArray:
			return "an array";
		case jbvObject:
			return "an object";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		default:
			return "of an unknown type";
	}
}

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/*
 * string_array
 *		Validate that v (the value of option name) is an array of strings and
 *		return its elements, sorted in byte order and deduplicated.
 */
static List *
string_array(const char *name, JsonbValue *v)
{
	JsonbValue	elem;
	List	   *result;
	List	   *dedup = NIL;
	ListCell   *lc;
	int			bad = sd_jsonb_strings(v, &result, &elem);

	if (bad < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be an array of strings", name),
				 errdetail("The value given is %s.", sd_jsonb_type_name(v))));
	if (bad > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be an array of strings", name),
				 errdetail("Element %d is %s.", bad, sd_jsonb_type_name(&elem))));

	list_sort(result, sd_list_cstring_cmp);
	foreach(lc, result)
	{
		if (dedup == NIL || strcmp(llast(dedup), lfirst(lc)) != 0)
			dedup = lappend(dedup, lfirst(lc));
	}
	return dedup;
}

static void
append_json_string_array(StringInfo buf, const char *key, List *items)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfoString(buf, buf->len > 1 ? ", " : "");
	escape_json(buf, key);
	appendStringInfoString(buf, ": [");
	foreach(lc, items)
	{
		if (!first)
			appendStringInfoString(buf, ", ");
		escape_json(buf, lfirst(lc));
		first = false;
	}
	appendStringInfoChar(buf, ']');
}

/*
 * check_like_pattern
 *		Reject a pattern of option name that LIKE would reject.  With the
 *		default escape character, the only invalid pattern is one that ends
 *		in an unescaped backslash; LIKE notices only when a match gets that
 *		far, so the error would otherwise come late, raw, and depend on the
 *		objects compared.
 */
static void
check_like_pattern(const char *name, const char *pattern)
{
	const char *p = pattern;

	while (*p != '\0')
	{
		if (*p == '\\')
		{
			p++;
			if (*p == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid LIKE pattern \"%s\" in option \"%s\"", pattern, name),
						 errdetail("A LIKE pattern must not end with the escape character, a backslash."),
						 errhint("To match a backslash, write two backslashes.")));
		}
		p += pg_mblen(p);
	}
}

/*
 * append_role_map
 *		Validate the value v of option role_map and append its canonical form
 *		to buf (the options object being built): identity pairs such as
 *		{"app": "app"} change nothing and are left out, and so is an empty
 *		map, so that they do not make otherwise equal options differ.
 */
static void
append_role_map(StringInfo buf, JsonbValue *v)
{
	JsonbIterator *it;
	JsonbValue	mv;
	JsonbIteratorToken tok;
	StringInfoData map;
	char	   *from = NULL;

	if (v->type != jbvBinary || JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"role_map\" must be an object mapping role names to role names"),
				 errdetail("The value given is %s.", sd_jsonb_type_name(v))));

	initStringInfo(&map);
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &mv, true)) != WJB_DONE)
	{
		char	   *to;

		if (tok == WJB_KEY)
		{
			from = pnstrdup(mv.val.string.val, mv.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE)
			continue;
		if (mv.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"role_map\" must be an object mapping role names to role names"),
					 errdetail("The value for \"%s\" is %s.", from, sd_jsonb_type_name(&mv))));
		to = pnstrdup(mv.val.string.val, mv.val.string.len);
		if (strcmp(to, "PUBLIC") == 0 || strcmp(to, "(owner)") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"role_map\" cannot map \"%s\" to \"%s\"", from, to),
					 errdetail("\"PUBLIC\" and \"(owner)\" stand for all roles and for the owner in privileges.")));
		if (strcmp(from, to) == 0)
			continue;
		appendStringInfoString(&map, map.len > 0 ? ", " : "");
		escape_json(&map, from);
		appendStringInfoString(&map, ": ");
		escape_json(&map, to);
	}

	if (map.len > 0)
		appendStringInfo(buf, "%s\"role_map\": {%s}", buf->len > 1 ? ", " : "", map.data);
	pfree(map.data);
}

/*
 * sd_options_parse
 *		Validate an options document and return its canonical form.  Any
 *		problem is an ERROR that names the option and what is wrong with it.
 */
SdOptions *
sd_options_parse(Jsonb *options)
{
	SdOptions  *result = palloc0(sizeof(SdOptions));
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	StringInfoData buf;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a jsonb object"),
				 errhint("Pass options such as '{\"ignore\": [\"owner\"]}', or '{}' for none.")));

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');

	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			if (!in_list(valid_options, key))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unrecognized option \"%s\"", key),
						 errhint(VALID_OPTIONS_HINT)));
			continue;
		}
		if (tok != WJB_VALUE)
			continue;

		if (strcmp(key, "role_map") == 0)
			append_role_map(&buf, &v);
		else
		{
			List	   *items = string_array(key, &v);
			ListCell   *lc;

			if (strcmp(key, "ignore") == 0)
			{
				foreach(lc, items)
					if (!in_list(valid_ignore, lfirst(lc)))
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("unrecognized value \"%s\" in option \"ignore\"",
										(char *) lfirst(lc)),
								 errhint(VALID_IGNORE_HINT)));
			}
			else if (strcmp(key, "exclude") == 0)
			{
				foreach(lc, items)
					check_like_pattern(key, lfirst(lc));
			}
			else if (strcmp(key, "include_schemas") == 0 && items == NIL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"include_schemas\" must not be empty"),
						 errhint("Leave the option out to include every schema.")));
			if (items != NIL)
				append_json_string_array(&buf, key, items);
		}
	}
	appendStringInfoChar(&buf, '}');

	/* jsonb puts the keys in its own canonical order */
	result->jsonb = sd_jsonb_from_cstring(buf.data);
	result->canonical = JsonbToCString(NULL, &result->jsonb->root, VARSIZE(result->jsonb));
	return result;
}

/*
 * sd_options_from_datum
 *		Parse argument argno of a SQL-callable function as options.  NULL is
 *		an error: "no options" is '{}'.
 */
SdOptions *
sd_options_from_datum(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("options must not be NULL"),
				 errhint("Pass '{}' for no options.")));
	return sd_options_parse(PG_GETARG_JSONB_P(argno));
}

/*
 * sd_options_equal
 *		Whether two validated option sets are the same.
 */
bool
sd_options_equal(const SdOptions *a, const SdOptions *b)
{
	return strcmp(a->canonical, b->canonical) == 0;
}

/*
 * sd_options_ignores
 *		Whether validated options list item under "ignore".
 */
bool
sd_options_ignores(const SdOptions *options, const char *item)
{
	JsonbValue *ignore = sd_jsonb_get(&options->jsonb->root, "ignore");
	JsonbValue	elem;

	if (ignore == NULL || ignore->type != jbvBinary)
		return false;
	elem.type = jbvString;
	elem.val.string.val = (char *) item;
	elem.val.string.len = strlen(item);
	return findJsonbValueFromContainer(ignore->val.binary.data, JB_FARRAY, &elem) != NULL;
}

/*
 * sd_options_take
 *		Split an options document: the keys listed in names (options that
 *		shape output, not what is read: the fix options of a diff) go into
 *		*taken, an object, or NULL when there are none; the rest is returned.
 *		A document that is not an object is returned as it is, for
 *		sd_options_parse() to reject.
 */
Jsonb *
sd_options_take(Jsonb *options, const char *const *names, Jsonb **taken)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	StringInfoData rest;
	StringInfoData take;
	char	   *key = NULL;

	*taken = NULL;
	if (!JB_ROOT_IS_OBJECT(options))
		return options;
	initStringInfo(&rest);
	initStringInfo(&take);
	appendStringInfoChar(&rest, '{');
	appendStringInfoChar(&take, '{');
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		StringInfo	buf;

		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE)
			continue;
		buf = in_list(names, key) ? &take : &rest;
		if (buf->len > 1)
			appendStringInfoString(buf, ", ");
		escape_json(buf, key);
		appendStringInfo(buf, ": %s", sd_jsonb_value_text(&v, true));
	}
	appendStringInfoChar(&rest, '}');
	appendStringInfoChar(&take, '}');
	if (take.len > 2)
		*taken = sd_jsonb_from_cstring(take.data);
	return sd_jsonb_from_cstring(rest.data);
}

/*
 * sd_options_bool
 *		The boolean option key of an options object c, or dflt when it is
 *		absent; any other JSON type is an error.
 */
bool
sd_options_bool(JsonbContainer *c, const char *key, bool dflt)
{
	JsonbValue *v = sd_jsonb_get(c, key);

	if (v == NULL)
		return dflt;
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a boolean, not %s", key, sd_jsonb_type_name(v)),
				 errhint("Pass true or false.")));
	return v->val.boolean;
}
