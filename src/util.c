/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Small helpers shared by every part: pinned settings, sha256, jsonb.
 *
 * IDENTIFICATION
 *	  src/util.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "compat.h"
#include "util.h"

/*
 * The settings under which catalog definitions are deparsed.  Every side
 * reads its catalogs under these, so that names print schema-qualified the
 * same way (search_path) and constants print the same way (the rest).
 */
static const struct
{
	const char *name;
	const char *value;
}			pinned_gucs[] =
{
	{"search_path", "pg_catalog"},
	{"quote_all_identifiers", "off"},
	{"standard_conforming_strings", "on"},
	{"DateStyle", "ISO, YMD"},
	{"IntervalStyle", "postgres"},
	{"extra_float_digits", "3"},
	{"TimeZone", "UTC"},
	{"bytea_output", "hex"},
	{"lc_monetary", "C"},
	/* compiling the extraction query costs more than running it */
	{"jit", "off"},

	/*
	 * The catalogs a read probes are in memory: with the default 4, the
	 * planner scans pg_opclass once per index column instead of probing
	 * its index, and a whole read takes a tenth longer.
	 */
	{"random_page_cost", "1.1"},
};

/*
 * sd_util_pin_gucs
 *		Set the deparse settings for the current transaction level and return
 *		the GUC nest level that sd_util_unpin_gucs() restores.  On error the
 *		transaction abort restores them.
 */
int
sd_util_pin_gucs(void)
{
	int			nestlevel = NewGUCNestLevel();
	int			i;

	for (i = 0; i < lengthof(pinned_gucs); i++)
		(void) set_config_option(pinned_gucs[i].name, pinned_gucs[i].value,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

/*
 * sd_util_pinned_setting
 *		The i-th of the settings sd_util_pin_gucs() pins (name and value), or
 *		false past the last: a remote side pins the same ones in its session.
 */
bool
sd_util_pinned_setting(int i, const char **name, const char **value)
{
	if (i < 0 || i >= lengthof(pinned_gucs))
		return false;
	*name = pinned_gucs[i].name;
	*value = pinned_gucs[i].value;
	return true;
}

/*
 * sd_util_unpin_gucs
 *		Restore the settings sd_util_pin_gucs() changed.
 */
void
sd_util_unpin_gucs(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

/*
 * sd_util_sha256_begin, sd_util_sha256_add, sd_util_sha256_end
 *		Incremental sha256.  end() writes 64 lower-case hex digits and a
 *		terminator to out (at least SD_SHA256_HEX_LEN + 1 bytes) and frees
 *		the context.
 */
pg_cryptohash_ctx *
sd_util_sha256_begin(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize sha256: %s", pg_cryptohash_error(ctx));
	return ctx;
}

void
sd_util_sha256_add(pg_cryptohash_ctx *ctx, const char *data, size_t len)
{
	if (pg_cryptohash_update(ctx, (const uint8 *) data, len) < 0)
		elog(ERROR, "could not update sha256: %s", pg_cryptohash_error(ctx));
}

/* finish ctx's digest into out as hex; ctx can be initialized again */
static void
sha256_final_hex(pg_cryptohash_ctx *ctx, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	int			i;

	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finish sha256: %s", pg_cryptohash_error(ctx));
	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
	{
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	out[SD_SHA256_HEX_LEN] = '\0';
}

void
sd_util_sha256_end(pg_cryptohash_ctx *ctx, char *out)
{
	sha256_final_hex(ctx, out);
	pg_cryptohash_free(ctx);
}

/*
 * sd_util_sha256_hex
 *		sha256 of data as 64 lower-case hex digits plus a terminator, written
 *		to out (at least SD_SHA256_HEX_LEN + 1 bytes).
 */
void
sd_util_sha256_hex(const char *data, size_t len, char *out)
{
	pg_cryptohash_ctx *ctx = sd_util_sha256_begin();

	sd_util_sha256_add(ctx, data, len);
	sd_util_sha256_end(ctx, out);
}

/*
 * sd_util_attrs_hash
 *		An object's hash: sha256 of the UTF-8 bytes of its canonical attrs
 *		text (len bytes in the database encoding), as hex into out (at least
 *		SD_SHA256_HEX_LEN + 1 bytes).  The extraction query computes the
 *		same in SQL when asked to (catalog.c).  ctx, from
 *		sd_util_sha256_begin(), is initialized again and stays usable: one
 *		context serves any number of objects.
 */
void
sd_util_attrs_hash(pg_cryptohash_ctx *ctx, const char *attrs, size_t len, char *out)
{
	char	   *u = pg_server_to_any(attrs, len, PG_UTF8);

	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize sha256: %s", pg_cryptohash_error(ctx));
	sd_util_sha256_add(ctx, u, u == attrs ? len : strlen(u));
	sha256_final_hex(ctx, out);
	if (u != attrs)
		pfree(u);
}

/*
 * sd_jsonb_get
 *		The value under key in jsonb object container c, or NULL if c is not
 *		an object or has no such key.  The result is palloc'd; containers
 *		inside it point into c.
 */
JsonbValue *
sd_jsonb_get(JsonbContainer *c, const char *key)
{
	if (c == NULL || !JsonContainerIsObject(c))
		return NULL;
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

/*
 * sd_jsonb_value_text
 *		A jsonb value as text: strings bare (or as JSON string literals when
 *		quote_strings, which keeps "true" and true apart), everything else in
 *		jsonb's canonical output form.  Returns a palloc'd string.
 */
char *
sd_jsonb_value_text(JsonbValue *v, bool quote_strings)
{
	StringInfoData buf;

	switch (v->type)
	{
		case jbvString:
			if (!quote_strings)
				return pnstrdup(v->val.string.val, v->val.string.len);
			initStringInfo(&buf);
			{
				char	   *s = pnstrdup(v->val.string.val, v->val.string.len);

				escape_json(&buf, s);
				pfree(s);
			}
			return buf.data;
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvNull:
			return pstrdup("null");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * sd_jsonb_key_cmp
 *		The order of keys in a jsonb object (and in its canonical text):
 *		shorter keys first, then bytewise.  For qsort comparators of things
 *		written out as jsonb objects.
 */
int
sd_jsonb_key_cmp(const char *a, const char *b)
{
	size_t		la = strlen(a);
	size_t		lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(a, b, la);
}

/*
 * sd_jsonb_from_cstring
 *		Parse a JSON text into a palloc'd Jsonb.
 */
Jsonb *
sd_jsonb_from_cstring(const char *text)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
}

/*
 * sd_util_result_columns
 *		Map the columns a set-returning function was declared with (tupdesc)
 *		onto the columns this library can fill (columns, n of them): pos[i]
 *		is the position in tupdesc of columns[i], or -1 when the declaration
 *		lacks it.
 *
 * One library serves every installed version of the extension's SQL: a
 * declaration from an older version may have fewer columns than this
 * library knows (those are then not computed), in any order.  A declared
 * column the library does not know means the SQL is newer than the library:
 * an error says so, rather than returning a column of NULLs.
 */
void
sd_util_result_columns(TupleDesc tupdesc, const SdResultColumn *columns, int n,
					   int *pos, const char *funcname)
{
	int			i,
				j;

	for (i = 0; i < n; i++)
		pos[i] = -1;
	for (j = 0; j < tupdesc->natts; j++)
	{
		const char *attname = NameStr(TupleDescAttr(tupdesc, j)->attname);

		for (i = 0; i < n; i++)
			if (strcmp(attname, columns[i].name) == 0)
				break;
		if (i == n || pos[i] != -1)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("function %s is declared with a result column \"%s\" that this schemadrift library cannot fill",
							funcname, attname),
					 errdetail("The extension's SQL objects are newer than its shared library (version %s).",
							   SCHEMADRIFT_VERSION),
					 errhint("Install the schemadrift library of the extension version installed in this database, then reconnect.")));
		if (TupleDescAttr(tupdesc, j)->atttypid != columns[i].type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("function %s is declared with result column \"%s\" of type %s, not %s",
							funcname, attname,
							format_type_be(TupleDescAttr(tupdesc, j)->atttypid),
							format_type_be(columns[i].type)),
					 errhint("Reinstall the extension's SQL objects (DROP EXTENSION and CREATE EXTENSION, or ALTER EXTENSION schemadrift UPDATE).")));
		pos[i] = j;
	}
}

/*
 * sd_util_own_event_trigger
 *		The function of event trigger name if the trigger belongs to
 *		extension schemadrift in the current database; InvalidOid otherwise.
 *		If fires is not NULL, *fires is set to whether the trigger would fire
 *		now: its ENABLE setting against session_replication_role, as the
 *		event trigger manager decides.
 */
Oid
sd_util_own_event_trigger(const char *name, bool *fires)
{
	Oid			evtoid = get_event_trigger_oid(name, true);
	Oid			extoid = get_extension_oid("schemadrift", true);
	HeapTuple	tup;
	Form_pg_event_trigger evt;
	Oid			fn_oid;

	if (fires)
		*fires = false;
	if (!OidIsValid(evtoid) || !OidIsValid(extoid) ||
		getExtensionOfObject(EventTriggerRelationId, evtoid) != extoid)
		return InvalidOid;
	tup = SearchSysCache1(EVENTTRIGGEROID, ObjectIdGetDatum(evtoid));
	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	evt = (Form_pg_event_trigger) GETSTRUCT(tup);
	fn_oid = evt->evtfoid;
	if (fires)
		*fires = evt->evtenabled == TRIGGER_FIRES_ALWAYS ||
			(evt->evtenabled == TRIGGER_FIRES_ON_ORIGIN &&
			 SessionReplicationRole != SESSION_REPLICATION_ROLE_REPLICA) ||
			(evt->evtenabled == TRIGGER_FIRES_ON_REPLICA &&
			 SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA);
	ReleaseSysCache(tup);
	return fn_oid;
}

/*
 * sd_jsonb_strings
 *		The elements of v, a jsonb array of strings, as a List of palloc'd C
 *		strings into *out.  Returns 0 when v is one; -1 when v is not an
 *		array (or is NULL); otherwise the 1-based position of the first
 *		element that is not a string, whose value goes into *bad (if not
 *		NULL) for the caller's error message.
 */
int
sd_jsonb_strings(JsonbValue *v, List **out, JsonbValue *bad)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	int			n = 0;

	*out = NIL;
	if (v == NULL || v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		return -1;
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		n++;
		if (elem.type != jbvString)
		{
			if (bad)
				*bad = elem;
			*out = NIL;
			return n;
		}
		*out = lappend(*out, pnstrdup(elem.val.string.val, elem.val.string.len));
	}
	return 0;
}

/*
 * sd_list_has_string
 *		Whether the List of C strings l holds s.
 */
/*
 * sd_util_json_inner
 *		s as it appears inside a JSON string (escaped, without the quotes),
 *		palloc'd: for finding or replacing a name in an object's attrs text.
 */
char *
sd_util_json_inner(const char *s)
{
	StringInfoData buf;

	initStringInfo(&buf);
	escape_json(&buf, s);
	buf.data[buf.len - 1] = '\0';
	return buf.data + 1;
}

/*
 * sd_util_name_char
 *		Whether c can continue an unquoted name (a letter, digit, "_", "$"
 *		or a byte of a multibyte character): so that "t.state" is not found
 *		in "t.states".
 */
bool
sd_util_name_char(char c)
{
	return isalnum((unsigned char) c) || c == '_' || c == '$' || IS_HIGHBIT_SET(c);
}

bool
sd_list_has_string(List *l, const char *s)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

/*
 * sd_list_cstring_cmp
 *		list_sort() comparator of a List of C strings: byte order.
 */
int
sd_list_cstring_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp((const char *) lfirst(a), (const char *) lfirst(b));
}

/*
 * subxact_run
 *		Run fn(arg) in a subtransaction, then release it (keep) or roll it
 *		back.  An error in fn rolls it back and is returned (in the caller's
 *		memory context); NULL when fn returned.  Memory and resource owner
 *		are the caller's again either way.
 */
static ErrorData *
subxact_run(void (*fn) (void *arg), void *arg, bool keep)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		fn(arg);
		if (keep)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return edata;
}

/*
 * sd_util_try
 *		Run fn(arg) in a subtransaction.  An error in it is rolled back and
 *		becomes *error (its message, in the caller's memory), and false is
 *		returned; a query cancel or a shutdown is raised on, as it came.
 */
bool
sd_util_try(void (*fn) (void *arg), void *arg, char **error)
{
	ErrorData  *edata = sd_util_try_error(fn, arg);

	if (edata == NULL)
		return true;
	*error = pstrdup(edata->message);
	FreeErrorData(edata);
	return false;
}

/*
 * sd_util_try_error
 *		As sd_util_try(), but the error itself is returned (NULL when fn
 *		returned), for a caller that tells errors apart by their SQLSTATE.
 */
ErrorData *
sd_util_try_error(void (*fn) (void *arg), void *arg)
{
	ErrorData  *edata = subxact_run(fn, arg, true);

	if (edata != NULL && (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
						  edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN))
		ReThrowError(edata);
	return edata;
}

/*
 * sd_util_text_array
 *		A one-dimensional text[] of the n C strings in strings (a NULL
 *		string is a NULL element), palloc'd in the current memory context:
 *		for passing many values to one parameterized statement.
 */
Datum
sd_util_text_array(char **strings, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1];
	int			lbs[1] = {1};
	int			i;

	for (i = 0; i < n; i++)
	{
		nulls[i] = strings[i] == NULL;
		elems[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(strings[i]);
	}
	dims[0] = n;
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * sd_util_rolled_back
 *		Run fn(arg) in a subtransaction that is then rolled back, whatever
 *		happens: what fn did to the database, and the locks it took, are
 *		undone (what it palloc'd stays, in the caller's memory context).
 *		An error in fn is raised again after the rollback.
 */
void
sd_util_rolled_back(void (*fn) (void *arg), void *arg)
{
	ErrorData  *edata = subxact_run(fn, arg, false);

	if (edata != NULL)
		ReThrowError(edata);
}

/*
 * sd_util_text_sha256
 *		The sha256 (hex, into out) of text without its trailing white
 *		space: what a script's plan line keeps of the statements after it,
 *		so that a script read back by a tool that drops the last newline
 *		(psql's \set var `cat file`) still matches.
 */
void
sd_util_text_sha256(const char *text, char *out)
{
	size_t		len = strlen(text);

	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
					   text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	sd_util_sha256_hex(text, len, out);
}

/*
 * sd_util_installed
 *		Whether schemadrift is installed in this database (pg_extension), and
 *		if so its OID (*extoid), its schema (*nspoid) and the version of its
 *		SQL objects (*version, palloc'd), each only if not NULL.  The library may be
 *		loaded where it is not (by hand, or through shared_preload_libraries).
 */
bool
sd_util_installed(Oid *extoid, Oid *nspoid, char **version)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("schemadrift"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	found = HeapTupleIsValid(tuple);
	if (found && extoid != NULL)
		*extoid = ((Form_pg_extension) GETSTRUCT(tuple))->oid;
	if (found && nspoid != NULL)
		*nspoid = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	if (found && version != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		*version = isnull ? NULL : TextDatumGetCString(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}
