/*-------------------------------------------------------------------------
 *
 * snapshot.c
 *	  Snapshot documents: the portable jsonb form of a schema.
 *
 * A snapshot is what a team commits to git as the source of truth:
 *
 *	{"format": "schemadrift-snapshot", "format_version": 1,
 *	 "extension_version": "0.1.0", "server_version_num": 150020,
 *	 "server_version": "15.20 (...)", "options": {...canonical...},
 *	 "fingerprint": "<root>", "objects": [{"kind", "identity", "schema",
 *	 "key", "parent", "attrs", "hash"}, ...]}
 *
 * It holds no time stamp and no database name, so the same schema always
 * gives the same document, and no secrets: user mappings and subscriptions
 * are only named (as unsupported objects), never their options.
 *
 * Loading checks everything a hand-edited or foreign file can get wrong and
 * says where: the format and its version, the options, every object's
 * shape, each object against its hash and the whole against the
 * fingerprint.
 *
 * IDENTIFICATION
 *	  src/snapshot.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "compat.h"
#include "options.h"
#include "snapshot.h"
#include "util.h"

/* ---- building ------------------------------------------------------------ */

static void
push_key(JsonbParseState **state, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	(void) pushJsonbValue(state, WJB_KEY, &v);
}

static void
push_string(JsonbParseState **state, JsonbIteratorToken tok, const char *s)
{
	JsonbValue	v;

	if (s == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = (char *) s;
		v.val.string.len = strlen(s);
	}
	(void) pushJsonbValue(state, tok, &v);
}

static void
push_int(JsonbParseState **state, int64 n)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(n);
	(void) pushJsonbValue(state, WJB_VALUE, &v);
}

static void
push_jsonb(JsonbParseState **state, Jsonb *jb)
{
	JsonbValue	v;

	v.type = jbvBinary;
	v.val.binary.data = &jb->root;
	v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
	(void) pushJsonbValue(state, WJB_VALUE, &v);
}

static void
push_string_array(JsonbParseState **state, int n, char **parts)
{
	int			i;

	(void) pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
		push_string(state, WJB_ELEM, parts[i]);
	(void) pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

/*
 * sd_snapshot_build
 *		The snapshot document of a sorted object set, palloc'd.
 */
Jsonb *
sd_snapshot_build(const SdObjectSet *set)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;
	char		root[SD_SHA256_HEX_LEN + 1];
	int			i;

	sd_objects_fingerprint(set, root);

	(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	push_key(&state, "format");
	push_string(&state, WJB_VALUE, SD_SNAPSHOT_FORMAT);
	push_key(&state, "format_version");
	push_int(&state, SD_SNAPSHOT_FORMAT_VERSION);
	push_key(&state, "extension_version");
	push_string(&state, WJB_VALUE, SCHEMADRIFT_VERSION);
	push_key(&state, "server_version_num");
	push_int(&state, set->server_version_num);
	push_key(&state, "server_version");
	push_string(&state, WJB_VALUE, set->server_version);
	push_key(&state, "options");
	push_jsonb(&state, set->options->jsonb);
	push_key(&state, "fingerprint");
	push_string(&state, WJB_VALUE, root);
	push_key(&state, "objects");
	(void) pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < set->nobjects; i++)
	{
		const SdObject *obj = &set->objects[i];

		(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		push_key(&state, "kind");
		push_string(&state, WJB_VALUE, obj->kind);
		push_key(&state, "identity");
		push_string(&state, WJB_VALUE, obj->identity);
		if (obj->schema)
		{
			push_key(&state, "schema");
			push_string(&state, WJB_VALUE, obj->schema);
		}
		push_key(&state, "key");
		push_string_array(&state, obj->nkey, obj->key);
		if (obj->nparent > 0)
		{
			push_key(&state, "parent");
			push_string_array(&state, obj->nparent, obj->parent);
		}
		push_key(&state, "attrs");
		push_jsonb(&state, obj->attrs);
		push_key(&state, "hash");
		push_string(&state, WJB_VALUE, obj->hash);
		(void) pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	(void) pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	return JsonbValueToJsonb(res);
}

/* ---- loading ------------------------------------------------------------- */

/* where loading is, for the error context */
typedef struct LoadContext
{
	const char *argname;
} LoadContext;

static void
load_error_callback(void *arg)
{
	LoadContext *lc = (LoadContext *) arg;

	errcontext("schemadrift snapshot given as \"%s\"", lc->argname);
}

static void invalid_snapshot(const char *detail) pg_attribute_noreturn();

/*
 * invalid_snapshot
 *		Raise "invalid snapshot" with detail, a full sentence.
 */
static void
invalid_snapshot(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid schemadrift snapshot"),
			 errdetail_internal("%s", detail),
			 errhint("Take snapshots with schemadrift_snapshot() and pass them unchanged.")));
}

static JsonbValue *
container_get(JsonbContainer *c, const char *key)
{
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

static bool
is_object(JsonbValue *v)
{
	return v != NULL && v->type == jbvBinary &&
		JsonContainerIsObject(v->val.binary.data);
}

static bool
is_array(JsonbValue *v)
{
	return v != NULL && v->type == jbvBinary &&
		JsonContainerIsArray(v->val.binary.data) &&
		!JsonContainerIsScalar(v->val.binary.data);
}

static char *
string_value(JsonbValue *v)
{
	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * integer_value
 *		The integer in v, or false if v is not an integral number in range.
 */
static bool
integer_value(JsonbValue *v, int32 *out)
{
	char	   *s;
	char	   *end;
	long		n;

	if (v == NULL || v->type != jbvNumeric)
		return false;
	s = sd_jsonb_value_text(v, false);
	errno = 0;
	n = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || n < PG_INT32_MIN || n > PG_INT32_MAX)
		return false;
	*out = (int32) n;
	return true;
}

/*
 * string_parts
 *		The strings of a jsonb array of strings, or NULL if v is not one.
 */
static char **
string_parts(JsonbValue *v, int *n)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	char	  **parts;
	int			i = 0;

	if (!is_array(v))
		return NULL;
	*n = JsonContainerSize(v->val.binary.data);
	parts = palloc(sizeof(char *) * Max(*n, 1));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (elem.type != jbvString)
			return NULL;
		parts[i++] = pnstrdup(elem.val.string.val, elem.val.string.len);
	}
	return parts;
}

/*
 * load_object
 *		Read element n (1-based) of "objects" into obj, checking its shape
 *		and its hash.
 */
static void
load_object(SdObject *obj, JsonbValue *elem, int n)
{
	JsonbContainer *c;
	JsonbValue *v;
	char	   *hash;
	StringInfoData attrs_text;

	if (!is_object(elem))
		invalid_snapshot(psprintf("Element %d of \"objects\" is not an object.", n));
	c = elem->val.binary.data;

	obj->kind = string_value(container_get(c, "kind"));
	if (obj->kind == NULL)
		invalid_snapshot(psprintf("Element %d of \"objects\" has no string \"%s\".", n, "kind"));
	obj->identity = string_value(container_get(c, "identity"));
	if (obj->identity == NULL)
		invalid_snapshot(psprintf("Element %d of \"objects\" has no string \"%s\".", n, "identity"));

	v = container_get(c, "schema");
	obj->schema = NULL;
	if (v != NULL && v->type != jbvNull)
	{
		obj->schema = string_value(v);
		if (obj->schema == NULL)
			invalid_snapshot(psprintf("Element %d of \"objects\" has a \"%s\" that is not a string.", n, "schema"));
	}

	obj->key = string_parts(container_get(c, "key"), &obj->nkey);
	if (obj->key == NULL || obj->nkey == 0)
		invalid_snapshot(psprintf("Element %d of \"objects\" has no \"%s\" array of strings.", n, "key"));

	v = container_get(c, "parent");
	obj->nparent = 0;
	obj->parent = NULL;
	if (v != NULL && v->type != jbvNull)
	{
		obj->parent = string_parts(v, &obj->nparent);
		if (obj->parent == NULL)
			invalid_snapshot(psprintf("Element %d of \"objects\" has a \"%s\" that is not an array of strings.", n, "parent"));
	}

	v = container_get(c, "attrs");
	if (!is_object(v))
		invalid_snapshot(psprintf("Element %d of \"objects\" has no \"%s\" object.", n, "attrs"));
	obj->attrs = JsonbValueToJsonb(v);

	/* the hash is always recomputed; a stored one must agree with it */
	initStringInfo(&attrs_text);
	(void) JsonbToCString(&attrs_text, &obj->attrs->root, VARSIZE(obj->attrs));
	sd_util_sha256_hex(attrs_text.data, attrs_text.len, obj->hash);
	pfree(attrs_text.data);

	v = container_get(c, "hash");
	if (v != NULL && v->type != jbvNull)
	{
		hash = string_value(v);
		if (hash == NULL)
			invalid_snapshot(psprintf("Element %d of \"objects\" has a \"%s\" that is not a string.", n, "hash"));
		if (strcmp(hash, obj->hash) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("snapshot object %s %s does not match its hash",
							obj->kind, obj->identity),
					 errdetail("Its attributes were changed after the snapshot was taken (element %d of \"objects\").", n),
					 errhint("Take the snapshot again, or remove the object's \"hash\" and the snapshot's \"fingerprint\" to accept the edit.")));
	}
	obj->mkey = sd_objects_encode_key(obj->kind, obj->nkey, obj->key);
}

/*
 * sd_snapshot_load
 *		Read and check a snapshot document given as argument argname.
 *
 * Returns a sorted object set in the current memory context.  Its options
 * are the snapshot's own (validated); comparing them with the options of
 * the call is the caller's business.
 */
SdObjectSet *
sd_snapshot_load(Jsonb *doc, const char *argname)
{
	SdObjectSet *set = palloc0(sizeof(SdObjectSet));
	ErrorContextCallback errcb;
	LoadContext lc;
	JsonbValue *v;
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	char	   *format;
	int32		format_version;
	int			i;

	lc.argname = argname;
	errcb.callback = load_error_callback;
	errcb.arg = &lc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	format = JB_ROOT_IS_OBJECT(doc) ? string_value(sd_jsonb_get(doc, "format")) : NULL;
	if (format == NULL || strcmp(format, SD_SNAPSHOT_FORMAT) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" is not a schemadrift snapshot", argname),
				 errdetail("A snapshot is a jsonb object with \"format\": \"%s\".",
						   SD_SNAPSHOT_FORMAT),
				 errhint("Take snapshots with schemadrift_snapshot().")));

	if (!integer_value(sd_jsonb_get(doc, "format_version"), &format_version) ||
		format_version < 1)
		invalid_snapshot("\"format_version\" is not a positive integer.");
	if (format_version > SD_SNAPSHOT_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("snapshot format version %d is not supported", format_version),
				 errdetail("This schemadrift (%s) reads snapshot format versions up to %d.",
						   SCHEMADRIFT_VERSION, SD_SNAPSHOT_FORMAT_VERSION),
				 errhint("Update schemadrift (ALTER EXTENSION schemadrift UPDATE) to read snapshots taken by a newer version.")));

	if (!integer_value(sd_jsonb_get(doc, "server_version_num"), &set->server_version_num) ||
		set->server_version_num < 90000)
		invalid_snapshot("\"server_version_num\" is not a PostgreSQL version number.");
	set->server_version = string_value(sd_jsonb_get(doc, "server_version"));
	if (set->server_version == NULL)
		set->server_version = psprintf("%d", set->server_version_num);

	v = sd_jsonb_get(doc, "options");
	if (!is_object(v))
		invalid_snapshot("\"options\" is not an object.");
	set->options = sd_options_parse(JsonbValueToJsonb(v));
	set->origin = "snapshot";

	v = sd_jsonb_get(doc, "objects");
	if (!is_array(v))
		invalid_snapshot("\"objects\" is not an array.");
	set->nobjects = JsonContainerSize(v->val.binary.data);
	set->objects = palloc_extended(sizeof(SdObject) * Max(set->nobjects, 1),
								   MCXT_ALLOC_HUGE);
	it = JsonbIteratorInit(v->val.binary.data);
	i = 0;
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		CHECK_FOR_INTERRUPTS();
		load_object(&set->objects[i], &elem, i + 1);
		i++;
	}

	sd_objects_sort(set);
	for (i = 1; i < set->nobjects; i++)
		if (sd_objects_cmp(&set->objects[i - 1], &set->objects[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid schemadrift snapshot"),
					 errdetail("It lists %s %s twice.", set->objects[i].kind,
							   set->objects[i].identity)));

	v = sd_jsonb_get(doc, "fingerprint");
	if (v != NULL && v->type != jbvNull)
	{
		char		root[SD_SHA256_HEX_LEN + 1];
		char	   *stored = string_value(v);

		sd_objects_fingerprint(set, root);
		if (stored == NULL || strcmp(stored, root) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("snapshot does not match its fingerprint"),
					 errdetail("Objects were added, removed or edited after the snapshot was taken."),
					 errhint("Take the snapshot again, or remove its \"fingerprint\" to accept the edit.")));
	}

	error_context_stack = errcb.previous;
	return set;
}

/* ---- SQL-callable functions ---------------------------------------------- */

PG_FUNCTION_INFO_V1(schemadrift_snapshot);

/*
 * schemadrift_snapshot(options jsonb) -> jsonb
 */
Datum
schemadrift_snapshot(PG_FUNCTION_ARGS)
{
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	SdObjectSet *set = sd_objects_extract_local(options, true);

	sd_objects_report_unsupported(set);
	PG_RETURN_JSONB_P(sd_snapshot_build(set));
}
