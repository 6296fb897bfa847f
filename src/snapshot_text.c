/*-------------------------------------------------------------------------
 *
 * snapshot_text.c
 *	  The snapshot as text laid out for git: one object per line.
 *
 * schemadrift_snapshot_text() writes the document schemadrift_snapshot()
 * returns (the same keys and values: cast to jsonb, the two are equal), in
 * a fixed layout, so that a schema change is a readable diff in a pull
 * request:
 *
 *	{"format": "schemadrift-snapshot", "format_version": 2, "model_version": 2,
 *	 "extension_version": "0.2.0", "server_version_num": 150020, "server_version": "...",
 *	 "options": {...},
 *	 "fingerprint": "...",
 *	 "objects": [
 *	{"kind": "schema", "identity": "public", "schema": "public", "key": [...], "attrs": {...}, "hash": "..."},
 *	...
 *	]}
 *
 * The header comes first, in that key order, the versions on its first
 * line; then one line per object, in the order of the model (schema, kind,
 * key), with its keys in the order above and its attributes in jsonb's
 * canonical text (strings escaped, so no line break inside a line).  Nothing
 * depends on the session: the same schema gives the same text, byte for
 * byte.
 *
 * IDENTIFICATION
 *	  src/snapshot_text.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"

#include "side.h"
#include "snapshot.h"
#include "workflow.h"

static void
append_key_string(StringInfo buf, const char *key, const char *value)
{
	appendStringInfo(buf, "\"%s\": ", key);
	escape_json(buf, value);
}

static void
append_string_array(StringInfo buf, const char *key, int n, char **parts)
{
	int			i;

	appendStringInfo(buf, ", \"%s\": [", key);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		escape_json(buf, parts[i]);
	}
	appendStringInfoChar(buf, ']');
}

/*
 * sd_snapshot_text
 *		The text layout of a sorted object set's snapshot.
 */
static text *
sd_snapshot_text(SdObjectSet *set)
{
	StringInfoData buf;
	char		root[SD_SHA256_HEX_LEN + 1];
	int			i;

	sd_objects_fingerprint(set, root);
	initStringInfo(&buf);

	appendStringInfoChar(&buf, '{');
	append_key_string(&buf, "format", SD_SNAPSHOT_FORMAT);
	appendStringInfo(&buf, ", \"format_version\": %d, \"model_version\": %d,\n",
					 SD_SNAPSHOT_FORMAT_VERSION, set->model_version);
	append_key_string(&buf, "extension_version", SCHEMADRIFT_VERSION);
	appendStringInfo(&buf, ", \"server_version_num\": %d, ", set->server_version_num);
	append_key_string(&buf, "server_version", set->server_version);
	appendStringInfo(&buf, ",\n\"options\": %s,\n", set->options->canonical);
	append_key_string(&buf, "fingerprint", root);
	appendStringInfoString(&buf, ",\n\"objects\": [\n");

	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];

		CHECK_FOR_INTERRUPTS();
		appendStringInfoChar(&buf, '{');
		append_key_string(&buf, "kind", obj->kind);
		appendStringInfoString(&buf, ", ");
		append_key_string(&buf, "identity", obj->identity);
		if (obj->schema)
		{
			appendStringInfoString(&buf, ", ");
			append_key_string(&buf, "schema", obj->schema);
		}
		append_string_array(&buf, "key", obj->nkey, obj->key);
		if (obj->nparent > 0)
			append_string_array(&buf, "parent", obj->nparent, obj->parent);
		appendStringInfo(&buf, ", \"attrs\": %s, ", sd_object_attrs_text(obj));
		append_key_string(&buf, "hash", obj->hash);
		appendStringInfoString(&buf, i + 1 < set->nobjects ? "},\n" : "}\n");
	}
	appendStringInfoString(&buf, "]}");
	return cstring_to_text_with_len(buf.data, buf.len);
}

PG_FUNCTION_INFO_V1(schemadrift_snapshot_text);

/*
 * schemadrift_snapshot_text(options jsonb, server text) -> text
 *
 * The server may be a foreign server or a stored baseline.
 */
Datum
schemadrift_snapshot_text(PG_FUNCTION_ARGS)
{
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	char	   *server = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext workcxt;
	SdObjectSet *set;
	text	   *result;

	workcxt = AllocSetContextCreate(callercxt, "schemadrift snapshot text",
									ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(workcxt);
	set = sd_side_read_named(server, "server", options, true);
	sd_objects_report_unsupported(set);
	MemoryContextSwitchTo(callercxt);
	result = sd_snapshot_text(set);
	MemoryContextDelete(workcxt);
	PG_RETURN_TEXT_P(result);
}
