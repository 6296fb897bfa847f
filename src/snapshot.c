/*-------------------------------------------------------------------------
 *
 * snapshot.c
 *	  Snapshot documents: the portable jsonb form of a schema.
 *
 * A snapshot is what a team commits to git as the source of truth:
 *
 *	{"format": "schemadrift-snapshot", "format_version": 2,
 *	 "model_version": 1, "extension_version": "0.2.0",
 *	 "server_version_num": 150020,
 *	 "server_version": "15.20 (...)", "options": {...canonical...},
 *	 "fingerprint": "<root>", "objects": [{"kind", "identity", "schema",
 *	 "key", "parent", "attrs", "hash"}, ...]}
 *
 * It holds no time stamp and no database name, so the same schema always
 * gives the same document, and no secrets: user mappings are their server
 * and role only, options that may hold a secret are left out of servers,
 * wrappers and foreign tables (catalog.c), and subscriptions are only named
 * (as unsupported objects), never their connection strings.
 *
 * Loading checks everything a hand-edited or foreign file can get wrong and
 * says where: the format and its version, the object model's version (a
 * newer model than this library's is refused; format 1, from 0.1.0, is
 * model 1), the options, every object's
 * shape, each object against its hash and the whole against the
 * fingerprint.
 *
 * IDENTIFICATION
 *	  src/snapshot.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "compat.h"
#include "options.h"
#include "side.h"
#include "snapshot.h"
#include "util.h"

/* ---- building ------------------------------------------------------------ */

/*
 * A snapshot of 10,000 tables holds about 130,000 objects.  Building it with
 * pushJsonbValue() would first make a JsonbValue tree of the whole document
 * (over a kilobyte per object), so the document is serialized here the way
 * jsonb_util.c's convertJsonbObject()/convertJsonbArray() do it: each object
 * becomes a small jsonb of its own, and the "objects" array and the
 * top-level object are written around those containers directly, in
 * PostgreSQL's on-disk jsonb format (which pg_upgrade keeps stable).
 */

typedef enum PartKind
{
	PART_STRING,
	PART_NUMERIC,
	PART_CONTAINER,				/* one serialized container */
	PART_OBJECTS				/* the "objects" array, streamed */
} PartKind;

typedef struct Part
{
	const char *key;
	PartKind	kind;
	const char *string;
	Numeric		numeric;
	const char *data;			/* PART_CONTAINER */
	int			len;
} Part;

/* pad the buffer to a 4-byte boundary, as padBufferToInt() does */
static void
pad_to_int(StringInfo buf)
{
	while (buf->len != INTALIGN(buf->len))
		appendStringInfoCharMacro(buf, '\0');
}

/* parts in jsonb's key order */
static int
part_key_cmp(const void *a, const void *b)
{
	return sd_jsonb_key_cmp(((const Part *) a)->key, ((const Part *) b)->key);
}

/* the JEntry of the i-th child, given its length and the running total */
static JEntry
make_jentry(uint32 type, int len, int totallen, int i)
{
	if (totallen > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("snapshot is too large for a jsonb value"),
				 errdetail("A jsonb container holds at most %d bytes.", JENTRY_OFFLENMASK),
				 errhint("Take the snapshot of fewer schemas with the \"include_schemas\" option.")));
	if ((i % JB_OFFSET_STRIDE) == 0)
		return type | totallen | JENTRY_HAS_OFF;
	return type | len;
}

static Jsonb *object_jsonb(SdObject *obj);

/*
 * write_objects
 *		Append the "objects" array: each object is made into a small jsonb
 *		of its own in a scratch context and copied in, one at a time.
 */
static void
write_objects(StringInfo buf, SdObjectSet *set)
{
	MemoryContext tmpcxt;
	uint32		header = (uint32) set->nobjects | JB_FARRAY;
	int			jentries;
	int			totallen = 0;
	int			i;

	pad_to_int(buf);
	appendBinaryStringInfo(buf, (char *) &header, sizeof(uint32));
	jentries = buf->len;
	enlargeStringInfo(buf, sizeof(JEntry) * set->nobjects);
	buf->len += sizeof(JEntry) * set->nobjects;

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift snapshot object",
								   ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];
		JsonbContainer *attrs_before = obj->attrs;
		MemoryContext old = MemoryContextSwitchTo(tmpcxt);
		Jsonb	   *elem = object_jsonb(obj);
		int			before;
		JEntry		meta;

		MemoryContextSwitchTo(old);
		before = buf->len;
		pad_to_int(buf);
		appendBinaryStringInfo(buf, VARDATA(elem), VARSIZE(elem) - VARHDRSZ);
		totallen += buf->len - before;
		meta = make_jentry(JENTRY_ISCONTAINER, buf->len - before, totallen, i);
		memcpy(buf->data + jentries + sizeof(JEntry) * i, &meta, sizeof(JEntry));

		obj->attrs = attrs_before;	/* if parsed, it was in tmpcxt */
		MemoryContextReset(tmpcxt);
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(tmpcxt);
}

/*
 * serialize_snapshot
 *		The snapshot document: a jsonb object of the given parts, laid out as
 *		convertJsonbObject() lays it out (keys first, then values).  buf is
 *		allocated by the caller, ideally large enough for the document.
 */
static Jsonb *
serialize_snapshot(StringInfo buf, Part *parts, int n, SdObjectSet *set)
{
	uint32		header = (uint32) n | JB_FOBJECT;
	int			jentries;
	int			totallen = 0;
	int			i;
	Jsonb	   *result;

	qsort(parts, n, sizeof(Part), part_key_cmp);

	buf->len = VARHDRSZ;		/* room for the varlena header */
	appendBinaryStringInfo(buf, (char *) &header, sizeof(uint32));
	jentries = buf->len;
	enlargeStringInfo(buf, sizeof(JEntry) * n * 2);
	buf->len += sizeof(JEntry) * n * 2;

	for (i = 0; i < n; i++)
	{
		int			len = strlen(parts[i].key);
		JEntry		meta;

		appendBinaryStringInfo(buf, parts[i].key, len);
		totallen += len;
		meta = make_jentry(JENTRY_ISSTRING, len, totallen, i);
		memcpy(buf->data + jentries + sizeof(JEntry) * i, &meta, sizeof(JEntry));
	}
	for (i = 0; i < n; i++)
	{
		int			before = buf->len;
		uint32		type = 0;
		JEntry		meta;

		switch (parts[i].kind)
		{
			case PART_STRING:
				appendBinaryStringInfo(buf, parts[i].string, strlen(parts[i].string));
				type = JENTRY_ISSTRING;
				break;
			case PART_NUMERIC:
				pad_to_int(buf);
				appendBinaryStringInfo(buf, (char *) parts[i].numeric,
									   VARSIZE_ANY(parts[i].numeric));
				type = JENTRY_ISNUMERIC;
				break;
			case PART_CONTAINER:
				pad_to_int(buf);
				appendBinaryStringInfo(buf, parts[i].data, parts[i].len);
				type = JENTRY_ISCONTAINER;
				break;
			case PART_OBJECTS:
				write_objects(buf, set);
				type = JENTRY_ISCONTAINER;
				break;
		}
		totallen += buf->len - before;
		meta = make_jentry(type, buf->len - before, totallen, i + n);
		memcpy(buf->data + jentries + sizeof(JEntry) * (n + i), &meta, sizeof(JEntry));
	}

	result = (Jsonb *) buf->data;
	SET_VARSIZE(result, buf->len);
	return result;
}

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

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = strlen(s);
	(void) pushJsonbValue(state, tok, &v);
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
 * object_jsonb
 *		One element of "objects", as a jsonb of its own.
 */
static Jsonb *
object_jsonb(SdObject *obj)
{
	JsonbParseState *state = NULL;
	JsonbValue	v;
	JsonbContainer *attrs = sd_object_attrs(obj);

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
	v.type = jbvBinary;
	v.val.binary.data = attrs;
	v.val.binary.len = 0;		/* unused when unpacking */
	(void) pushJsonbValue(&state, WJB_VALUE, &v);
	push_key(&state, "hash");
	push_string(&state, WJB_VALUE, obj->hash);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/*
 * sd_snapshot_build
 *		The snapshot document of a sorted object set, palloc'd.
 *
 * The document is written straight into one buffer sized from the objects'
 * texts, each object's temporary state freed as soon as it is written: the
 * peak is about the size of the document plus the set.
 */
Jsonb *
sd_snapshot_build(SdObjectSet *set)
{
	char		root[SD_SHA256_HEX_LEN + 1];
	Part		parts[9];
	StringInfoData buf;
	Size		estimate = 4096;
	int			i;

	sd_objects_fingerprint(set, root);

	/* an object's jsonb is about its texts plus a few dozen bytes per key */
	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];

		estimate += 96 + strlen(obj->identity) + strlen(obj->mkey) +
			(obj->attrs_text ? strlen(obj->attrs_text) + strlen(obj->attrs_text) / 8 : 256);
	}
	/* a jsonb holds at most 256 MB: a StringInfo's 1 GB limit is no constraint */
	estimate = Min(estimate, (Size) MaxAllocSize - 1);
	buf.data = palloc(estimate);
	buf.maxlen = (int) estimate;
	buf.len = 0;
	buf.data[0] = '\0';
	buf.cursor = 0;

	memset(parts, 0, sizeof(parts));
	parts[0].key = "format";
	parts[0].kind = PART_STRING;
	parts[0].string = SD_SNAPSHOT_FORMAT;
	parts[1].key = "format_version";
	parts[1].kind = PART_NUMERIC;
	parts[1].numeric = int64_to_numeric(SD_SNAPSHOT_FORMAT_VERSION);
	parts[2].key = "extension_version";
	parts[2].kind = PART_STRING;
	parts[2].string = SCHEMADRIFT_VERSION;
	parts[3].key = "server_version_num";
	parts[3].kind = PART_NUMERIC;
	parts[3].numeric = int64_to_numeric(set->server_version_num);
	parts[4].key = "server_version";
	parts[4].kind = PART_STRING;
	parts[4].string = set->server_version;
	parts[5].key = "options";
	parts[5].kind = PART_CONTAINER;
	parts[5].data = VARDATA(set->options->jsonb);
	parts[5].len = VARSIZE(set->options->jsonb) - VARHDRSZ;
	parts[6].key = "fingerprint";
	parts[6].kind = PART_STRING;
	parts[6].string = root;
	parts[7].key = "objects";
	parts[7].kind = PART_OBJECTS;
	parts[8].key = "model_version";
	parts[8].kind = PART_NUMERIC;
	parts[8].numeric = int64_to_numeric(set->model_version);

	return serialize_snapshot(&buf, parts, lengthof(parts), set);
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

static void invalid_snapshot(const char *detail);

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
	List	   *strings;
	char	  **parts;
	ListCell   *lc;
	int			i = 0;

	if (sd_jsonb_strings(v, &strings, NULL) != 0)
		return NULL;
	*n = list_length(strings);
	parts = palloc(sizeof(char *) * Max(*n, 1));
	foreach(lc, strings)
		parts[i++] = lfirst(lc);
	list_free(strings);
	return parts;
}

/*
 * load_object
 *		Read element n (1-based) of "objects" into obj, checking its shape
 *		and its hash (computed with hashctx).  Temporary memory goes to the
 *		current context; the object to arena.  Its attrs point into the
 *		document, which must outlive it.
 */
static void
load_object(SdObject *obj, JsonbValue *elem, int n, SdArena *arena,
			pg_cryptohash_ctx *hashctx)
{
	JsonbContainer *c;
	JsonbValue *v;
	char	   *kind;
	char	   *identity;
	char	   *schema = NULL;
	char	  **key;
	char	  **parent = NULL;
	int			nkey = 0;
	int			nparent = 0;
	char	   *hash;
	StringInfoData attrs_text;

	if (!is_object(elem))
		invalid_snapshot(psprintf("Element %d of \"objects\" is not an object.", n));
	c = elem->val.binary.data;

	kind = string_value(container_get(c, "kind"));
	if (kind == NULL)
		invalid_snapshot(psprintf("Element %d of \"objects\" has no string \"%s\".", n, "kind"));
	identity = string_value(container_get(c, "identity"));
	if (identity == NULL)
		invalid_snapshot(psprintf("Element %d of \"objects\" has no string \"%s\".", n, "identity"));

	v = container_get(c, "schema");
	if (v != NULL && v->type != jbvNull)
	{
		schema = string_value(v);
		if (schema == NULL)
			invalid_snapshot(psprintf("Element %d of \"objects\" has a \"%s\" that is not a string.", n, "schema"));
	}

	key = string_parts(container_get(c, "key"), &nkey);
	if (key == NULL || nkey == 0)
		invalid_snapshot(psprintf("Element %d of \"objects\" has no \"%s\" array of strings.", n, "key"));

	v = container_get(c, "parent");
	if (v != NULL && v->type != jbvNull)
	{
		parent = string_parts(v, &nparent);
		if (parent == NULL)
			invalid_snapshot(psprintf("Element %d of \"objects\" has a \"%s\" that is not an array of strings.", n, "parent"));
	}

	v = container_get(c, "attrs");
	if (!is_object(v))
		invalid_snapshot(psprintf("Element %d of \"objects\" has no \"%s\" object.", n, "attrs"));

	sd_object_fill(obj, kind, identity, schema, nkey, key, nparent, parent, NULL, arena);
	obj->attrs = v->val.binary.data;	/* points into the document */

	/* the hash is always recomputed; a stored one must agree with it */
	initStringInfo(&attrs_text);
	(void) JsonbToCString(&attrs_text, obj->attrs, v->val.binary.len);
	sd_util_attrs_hash(hashctx, attrs_text.data, attrs_text.len, obj->hash);

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
	char	   *taken_by;
	MemoryContext tmpcxt;
	SdArena		arena;
	pg_cryptohash_ctx *hashctx;
	int			i;

	lc.argname = argname;
	errcb.callback = load_error_callback;
	errcb.arg = &lc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	format = JB_ROOT_IS_OBJECT(doc) ? string_value(sd_jsonb_get(&doc->root, "format")) : NULL;
	if (format == NULL || strcmp(format, SD_SNAPSHOT_FORMAT) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" is not a schemadrift snapshot", argname),
				 errdetail("A snapshot is a jsonb object with \"format\": \"%s\".",
						   SD_SNAPSHOT_FORMAT),
				 errhint("Take snapshots with schemadrift_snapshot().")));

	taken_by = string_value(sd_jsonb_get(&doc->root, "extension_version"));
	if (taken_by == NULL)
		taken_by = "of an unknown version";
	if (!integer_value(sd_jsonb_get(&doc->root, "format_version"), &format_version) ||
		format_version < 1)
		invalid_snapshot("\"format_version\" is not a positive integer.");
	if (format_version > SD_SNAPSHOT_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("snapshot format version %d is not supported", format_version),
				 errdetail("The snapshot was taken by schemadrift %s; this schemadrift (%s) reads snapshot format versions up to %d.",
						   taken_by, SCHEMADRIFT_VERSION, SD_SNAPSHOT_FORMAT_VERSION),
				 errhint("Install the schemadrift version that took the snapshot, or a later one, to read it.")));

	/* format 1 (schemadrift 0.1.0) predates model versions: it is model 1 */
	if (format_version == 1)
		set->model_version = 1;
	else if (!integer_value(sd_jsonb_get(&doc->root, "model_version"), &set->model_version) ||
			 set->model_version < 1)
		invalid_snapshot("\"model_version\" is not a positive integer.");
	if (set->model_version > SD_MODEL_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("snapshot object model version %d is not supported",
						set->model_version),
				 errdetail("The snapshot was taken by schemadrift %s; this schemadrift (%s) reads object model versions up to %d.",
						   taken_by, SCHEMADRIFT_VERSION, SD_MODEL_VERSION),
				 errhint("Install the schemadrift version that took the snapshot, or a later one, to read it.")));

	if (!integer_value(sd_jsonb_get(&doc->root, "server_version_num"), &set->server_version_num) ||
		set->server_version_num < 90000)
		invalid_snapshot("\"server_version_num\" is not a PostgreSQL version number.");
	set->server_version = string_value(sd_jsonb_get(&doc->root, "server_version"));
	if (set->server_version == NULL)
		set->server_version = psprintf("%d", set->server_version_num);

	v = sd_jsonb_get(&doc->root, "options");
	if (!is_object(v))
		invalid_snapshot("\"options\" is not an object.");
	set->options = sd_options_parse(JsonbValueToJsonb(v));

	v = sd_jsonb_get(&doc->root, "objects");
	if (!is_array(v))
		invalid_snapshot("\"objects\" is not an array.");
	set->nobjects = JsonContainerSize(v->val.binary.data);
	set->objects = palloc_extended(sizeof(SdObject) * Max(set->nobjects, 1),
								   MCXT_ALLOC_HUGE);
	sd_arena_init(&arena, CurrentMemoryContext);
	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift snapshot load",
								   ALLOCSET_DEFAULT_SIZES);
	hashctx = sd_util_sha256_begin();
	it = JsonbIteratorInit(v->val.binary.data);
	i = 0;
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		MemoryContext setcxt;

		if (tok != WJB_ELEM)
			continue;
		CHECK_FOR_INTERRUPTS();
		setcxt = MemoryContextSwitchTo(tmpcxt);
		load_object(&set->objects[i], &elem, i + 1, &arena, hashctx);
		MemoryContextSwitchTo(setcxt);
		MemoryContextReset(tmpcxt);
		i++;
	}
	MemoryContextDelete(tmpcxt);
	pg_cryptohash_free(hashctx);

	sd_objects_sort(set);
	for (i = 1; i < set->nobjects; i++)
		if (sd_objects_cmp(&set->objects[i - 1], &set->objects[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid schemadrift snapshot"),
					 errdetail("It lists %s %s twice.", set->objects[i].kind,
							   set->objects[i].identity)));

	v = sd_jsonb_get(&doc->root, "fingerprint");
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
 * schemadrift_snapshot(options jsonb, server text) -> jsonb
 *
 * The server argument is absent from 0.1.0's declaration.
 */
Datum
schemadrift_snapshot(PG_FUNCTION_ARGS)
{
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	char	   *server = PG_NARGS() > 1 && !PG_ARGISNULL(1) ?
		text_to_cstring(PG_GETARG_TEXT_PP(1)) : NULL;
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext workcxt;
	SdObjectSet *set;
	Jsonb	   *doc;

	/*
	 * The objects live in a context of their own, gone before the document
	 * is returned: while the executor prints a document of tens of
	 * megabytes, only the document is left.
	 */
	workcxt = AllocSetContextCreate(callercxt, "schemadrift snapshot",
									ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(workcxt);
	set = sd_side_read_named(server, "server", options, true);
	sd_objects_report_unsupported(set);
	MemoryContextSwitchTo(callercxt);
	doc = sd_snapshot_build(set);
	MemoryContextDelete(workcxt);

	/*
	 * PostgreSQL then prints the document, copying it twice (the text, the
	 * protocol message).  The objects just freed are tens of megabytes of
	 * small blocks that glibc keeps in its heap, resident, unless told to
	 * give them back: doing so lowers the peak by about as much (test/bench/
	 * core.sh measures it).
	 */
#ifdef __GLIBC__
	malloc_trim(0);
#endif

	PG_RETURN_JSONB_P(doc);
}
