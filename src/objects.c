/*-------------------------------------------------------------------------
 *
 * objects.c
 *	  Canonical objects: their memory, their order, the fingerprint.
 *
 * An object is what every side (side_local.c, side_remote.c, snapshot.c)
 * reads into a set through one constructor, sd_object_fill(); this file
 * keeps their memory (an arena), their order and the fingerprint over it.
 *
 * The fingerprint is a Merkle root: object hashes roll up into one hash per
 * schema, and those, with the options, into the root.
 *
 * IDENTIFICATION
 *	  src/objects.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "compat.h"
#include "objects.h"

static char *
put_len_prefixed(char *p, const char *s)
{
	size_t		len = strlen(s);
	char		digits[24];
	int			n = 0;

	/* the length in decimal (written backwards, then copied), ':', s */
	do
	{
		digits[n++] = '0' + (char) (len % 10);
		len /= 10;
	} while (len > 0);
	while (n > 0)
		*p++ = digits[--n];
	*p++ = ':';
	return stpcpy(p, s);
}

/*
 * to_utf8
 *		s in UTF-8: s itself if the database encoding is UTF-8, otherwise a
 *		palloc'd copy.  In a SQL_ASCII database s is taken as it is, and must
 *		be valid UTF-8 (an error otherwise: such a database holds bytes in no
 *		known encoding, which cannot be compared with another database's).
 */
static const char *
to_utf8(const char *s)
{
	return pg_server_to_any(s, strlen(s), PG_UTF8);
}

/*
 * sd_objects_encode_key
 *		Encode kind and key parts into one string that sorts and matches
 *		objects: every part is length-prefixed, so no name can collide with
 *		another however it is spelled.  The parts are taken in UTF-8, so the
 *		key, the order it gives and the fingerprint over it are the same in a
 *		database of any encoding.  Returns a palloc'd string.
 */
char *
sd_objects_encode_key(const char *kind, int nparts, char **parts)
{
	const char **utf8 = palloc(sizeof(char *) * Max(nparts, 1));
	size_t		size = 24 + strlen(kind);
	char	   *result;
	char	   *p;
	int			i;

	for (i = 0; i < nparts; i++)
	{
		utf8[i] = to_utf8(parts[i]);
		size += 1 + 24 + strlen(utf8[i]);
	}
	result = palloc(size + 1);
	p = put_len_prefixed(result, kind);
	for (i = 0; i < nparts; i++)
	{
		*p++ = '|';
		p = put_len_prefixed(p, utf8[i]);
		if (utf8[i] != parts[i])
			pfree((char *) utf8[i]);
	}
	*p = '\0';
	pfree(utf8);
	return result;
}

/*
 * sd_arena_init, sd_arena_alloc
 *		Memory for objects' strings, carved from 256 kB blocks of a memory
 *		context: a chunk per object would cost a chunk header and a rounding
 *		up to a power of two each, a third of the memory of a large set.  The
 *		memory lives as long as the context; it is never freed piecemeal.
 */
#define SD_ARENA_BLOCK (256 * 1024)

void
sd_arena_init(SdArena *arena, MemoryContext cxt)
{
	arena->cxt = cxt;
	arena->next = NULL;
	arena->left = 0;
}

void *
sd_arena_alloc(SdArena *arena, Size size)
{
	void	   *result;

	size = MAXALIGN(size);
	if (size > SD_ARENA_BLOCK / 8)
		return MemoryContextAllocHuge(arena->cxt, size);
	if (size > arena->left)
	{
		arena->next = MemoryContextAlloc(arena->cxt, SD_ARENA_BLOCK);
		arena->left = SD_ARENA_BLOCK;
	}
	result = arena->next;
	arena->next += size;
	arena->left -= size;
	return result;
}

/*
 * sd_object_fill
 *		Fill obj from its parts, copying them into one allocation of arena (a
 *		snapshot of 10,000 tables holds some 130,000 objects: one chunk each
 *		instead of a dozen keeps that to tens of megabytes).  attrs_text may
 *		be NULL; the caller sets attrs and hash.
 */
void
sd_object_fill(SdObject *obj, const char *kind, const char *identity,
			   const char *schema, int nkey, char **key,
			   int nparent, char **parent, const char *attrs_text,
			   SdArena *arena)
{
	char	   *mkey = sd_objects_encode_key(kind, nkey, key);
	const char *sort_schema = schema ? to_utf8(schema) : NULL;
	Size		size = 0;
	char	   *p;
	int			i;

	/* a known kind's name is stored once, in sd_kinds, not per object */
	obj->kindinfo = sd_kind_lookup(kind);
	obj->kind = obj->kindinfo ? (char *) obj->kindinfo->name : NULL;

	size += sizeof(char *) * (nkey + nparent);
	size += strlen(identity) + 1 + strlen(mkey) + 1;
	if (obj->kind == NULL)
		size += strlen(kind) + 1;
	if (schema)
		size += strlen(schema) + 1;
	if (sort_schema != schema)
		size += strlen(sort_schema) + 1;
	if (attrs_text)
		size += strlen(attrs_text) + 1;
	for (i = 0; i < nkey; i++)
		size += strlen(key[i]) + 1;
	for (i = 0; i < nparent; i++)
		size += strlen(parent[i]) + 1;

	p = sd_arena_alloc(arena, size);
	obj->key = (char **) p;
	obj->parent = nparent > 0 ? (char **) p + nkey : NULL;
	p += sizeof(char *) * (nkey + nparent);

#define SD_COPY(dst, src) \
	do { size_t l_ = strlen(src) + 1; memcpy(p, (src), l_); (dst) = p; p += l_; } while (0)

	SD_COPY(obj->identity, identity);
	SD_COPY(obj->mkey, mkey);
	if (obj->kind == NULL)
		SD_COPY(obj->kind, kind);
	obj->schema = NULL;
	if (schema)
		SD_COPY(obj->schema, schema);
	obj->sort_schema = obj->schema;
	if (sort_schema != schema)
		SD_COPY(obj->sort_schema, sort_schema);
	obj->attrs_text = NULL;
	if (attrs_text)
		SD_COPY(obj->attrs_text, attrs_text);
	for (i = 0; i < nkey; i++)
		SD_COPY(obj->key[i], key[i]);
	for (i = 0; i < nparent; i++)
		SD_COPY(obj->parent[i], parent[i]);
#undef SD_COPY

	obj->nkey = nkey;
	obj->nparent = nparent;
	obj->attrs = NULL;			/* parsed when needed: sd_object_attrs() */
	pfree(mkey);
	if (sort_schema != schema)
		pfree((char *) sort_schema);
}

/*
 * sd_object_attrs
 *		The attributes of obj as a jsonb container, parsed from its text on
 *		first use (in the memory context current then; callers keep the set
 *		and its objects in one context).
 */
JsonbContainer *
sd_object_attrs(SdObject *obj)
{
	if (obj->attrs == NULL && obj->attrs_text != NULL)
		obj->attrs = &sd_jsonb_from_cstring(obj->attrs_text)->root;
	return obj->attrs;
}

/*
 * sd_object_attrs_text
 *		The canonical text of obj's attributes (what its hash covers).
 *		Returns the stored text, or a palloc'd rendering of the container.
 */
char *
sd_object_attrs_text(SdObject *obj)
{
	if (obj->attrs_text != NULL)
		return obj->attrs_text;
	if (obj->attrs == NULL)
		return NULL;
	return JsonbToCString(NULL, obj->attrs, 256);
}

/*
 * sd_objects_cmp
 *		The total order of objects: by schema ("" for database-wide objects),
 *		then by encoded kind and key.  Both sides of a diff and the
 *		fingerprint use it.
 */
int
sd_objects_cmp(const SdObject *a, const SdObject *b)
{
	int			c = strcmp(a->sort_schema ? a->sort_schema : "",
						   b->sort_schema ? b->sort_schema : "");

	if (c != 0)
		return c;
	return strcmp(a->mkey, b->mkey);
}

/*
 * Sorting a set.  Most comparisons of a plain sort would chase two pointers
 * into the objects' strings, whose beginnings are mostly alike (the schema,
 * then the mkey's kind and schema again).  So the objects are first
 * grouped by schema and kind (few groups, put in order by one object each),
 * and each group sorted on its own by an abbreviated key: the 8 bytes of
 * the mkey that follow the prefix all of the group's mkeys share, with
 * strcmp() on the rest only for equal abbreviations (as PostgreSQL's sort
 * support does for text).  Within a group the order is that of the mkeys;
 * between groups it is decided by the kinds' length-prefixed spellings,
 * which differ within the prefix.
 */
typedef struct SortItem
{
	uint64		abbrev;
	SdObject   *obj;
} SortItem;

typedef struct SortGroup
{
	SdObject   *rep;			/* hash key: an object of the group */
	int			count;
	int			next;			/* where its items go */
	int			lcp;			/* bytes all its mkeys share */
} SortGroup;

static uint32
sort_group_hash(const void *key, Size keysize)
{
	const SdObject *obj = *(SdObject *const *) key;
	const char *schema = obj->sort_schema ? obj->sort_schema : "";

	return hash_bytes((const unsigned char *) schema, strlen(schema)) ^
		hash_bytes((const unsigned char *) obj->kind, strlen(obj->kind));
}

static int
sort_group_match(const void *key1, const void *key2, Size keysize)
{
	const SdObject *a = *(SdObject *const *) key1;
	const SdObject *b = *(SdObject *const *) key2;

	if (strcmp(a->sort_schema ? a->sort_schema : "", b->sort_schema ? b->sort_schema : "") != 0)
		return 1;
	return strcmp(a->kind, b->kind);
}

static int
sort_group_cmp(const void *a, const void *b)
{
	return sd_objects_cmp((*(SortGroup *const *) a)->rep, (*(SortGroup *const *) b)->rep);
}

static int
sort_item_cmp(const void *a, const void *b, void *arg)
{
	const SortItem *x = (const SortItem *) a;
	const SortItem *y = (const SortItem *) b;

	if (x->abbrev != y->abbrev)
		return x->abbrev < y->abbrev ? -1 : 1;
	return strcmp(x->obj->mkey + *(int *) arg, y->obj->mkey + *(int *) arg);
}

/*
 * sd_objects_sort
 *		Sort a set into sd_objects_cmp order.
 *
 * Items (abbreviation and pointer) are sorted, then the objects moved once
 * into a new array: an object is a dozen words, and sorting them in place
 * would move each several times.
 */
void
sd_objects_sort(SdObjectSet *set)
{
	int			n = set->nobjects;
	HASHCTL		ctl;
	HTAB	   *groups;
	SortGroup  *last = NULL;
	SortGroup **order;
	SortItem   *items;
	SdObject   *sorted;
	HASH_SEQ_STATUS seq;
	SortGroup  *g;
	int			ngroups;
	int			start;
	int			i;

	if (n < 2)
		return;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(SdObject *);
	ctl.entrysize = sizeof(SortGroup);
	ctl.hash = sort_group_hash;
	ctl.match = sort_group_match;
	ctl.hcxt = CurrentMemoryContext;
	groups = hash_create("schemadrift sort groups", 64, &ctl,
						 HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);

	/* the groups, their sizes and the prefix their mkeys share */
	for (i = 0; i < n; i++)
	{
		SdObject   *obj = &set->objects[i];

		if (last == NULL || sort_group_match(&last->rep, &obj, 0) != 0)
		{
			bool		found;

			last = hash_search(groups, &obj, HASH_ENTER, &found);
			if (!found)
			{
				last->rep = obj;
				last->count = 0;
				last->lcp = strlen(obj->mkey);
			}
		}
		last->count++;
		if (last->lcp > 0 && strncmp(last->rep->mkey, obj->mkey, last->lcp) != 0)
		{
			int			l = 0;

			while (l < last->lcp && last->rep->mkey[l] == obj->mkey[l])
				l++;
			last->lcp = l;
		}
	}

	/* the groups in order, each given its place */
	ngroups = hash_get_num_entries(groups);
	order = palloc(sizeof(SortGroup *) * ngroups);
	hash_seq_init(&seq, groups);
	i = 0;
	while ((g = hash_seq_search(&seq)) != NULL)
		order[i++] = g;
	qsort(order, ngroups, sizeof(SortGroup *), sort_group_cmp);
	start = 0;
	for (i = 0; i < ngroups; i++)
	{
		order[i]->next = start;
		start += order[i]->count;
	}

	/* items, by group, with the 8 bytes after the group's prefix */
	items = palloc_extended(sizeof(SortItem) * n, MCXT_ALLOC_HUGE);
	last = NULL;
	for (i = 0; i < n; i++)
	{
		SdObject   *obj = &set->objects[i];
		const unsigned char *p;
		uint64		abbrev = 0;
		int			k;

		if (last == NULL || sort_group_match(&last->rep, &obj, 0) != 0)
			last = hash_search(groups, &obj, HASH_FIND, NULL);
		p = (const unsigned char *) obj->mkey + last->lcp;
		for (k = 0; k < 8; k++)
		{
			abbrev <<= 8;
			if (*p != '\0')
				abbrev |= *p++;
		}
		items[last->next].abbrev = abbrev;
		items[last->next].obj = obj;
		last->next++;
	}

	/* each group sorted on its own; then the objects moved in that order */
	start = 0;
	for (i = 0; i < ngroups; i++)
	{
		qsort_arg(items + start, order[i]->count, sizeof(SortItem), sort_item_cmp,
				  &order[i]->lcp);
		start += order[i]->count;
	}
	sorted = MemoryContextAllocHuge(GetMemoryChunkContext(set->objects),
									sizeof(SdObject) * n);
	for (i = 0; i < n; i++)
		sorted[i] = *items[i].obj;
#ifdef USE_ASSERT_CHECKING
	for (i = 1; i < n; i++)
		Assert(sd_objects_cmp(&sorted[i - 1], &sorted[i]) <= 0);
#endif
	pfree(set->objects);
	pfree(items);
	pfree(order);
	hash_destroy(groups);
	set->objects = sorted;
}

/* add text in the database encoding to a hash: hashes cover UTF-8 bytes */
static void
hash_add(pg_cryptohash_ctx *ctx, const char *s)
{
	char	   *u = pg_server_to_any(s, strlen(s), PG_UTF8);

	sd_util_sha256_add(ctx, u, strlen(u));
	if (u != s)
		pfree(u);
}

/*
 * The fingerprint is a Merkle root.  A leaf line is an object's encoded kind
 * and key and its hash; a schema's hash covers its leaf lines in order; the
 * root covers a version tag, the object model's version (from model 2 on),
 * the canonical options, and each schema's name and hash.  Equal schemas
 * under equal options give equal roots, whatever order the objects were
 * created in and whatever the database encoding (every part is in UTF-8:
 * mkey and sort_schema are), and nothing else does (short of a sha256
 * collision).  A remote computes its schemas' hashes itself, in SQL
 * (side_remote.c), the same way: only they need to travel.
 */

/* add "<mkey> <hash>\n", an object's leaf line, to a hash */
void
sd_objects_hash_leaf(pg_cryptohash_ctx *ctx, const SdObject *obj)
{
	sd_util_sha256_add(ctx, obj->mkey, strlen(obj->mkey));
	sd_util_sha256_add(ctx, " ", 1);
	sd_util_sha256_add(ctx, obj->hash, SD_SHA256_HEX_LEN);
	sd_util_sha256_add(ctx, "\n", 1);
}

/*
 * sd_objects_schema_hashes
 *		The hash of each schema of a sorted set ("" for objects in none), in
 *		order, palloc'd; *n is their number.  Each records where its objects
 *		are in the set.
 */
SdGroupHash *
sd_objects_schema_hashes(const SdObjectSet *set, int *n)
{
	SdGroupHash *groups = palloc(sizeof(SdGroupHash) * Max(set->nobjects, 1));
	int			i = 0;

	*n = 0;
	while (i < set->nobjects)
	{
		SdGroupHash *g = &groups[(*n)++];
		pg_cryptohash_ctx *ctx = sd_util_sha256_begin();

		g->name = set->objects[i].sort_schema ? set->objects[i].sort_schema : "";
		g->first = i;
		for (; i < set->nobjects; i++)
		{
			const SdObject *obj = &set->objects[i];

			if (strcmp(obj->sort_schema ? obj->sort_schema : "", g->name) != 0)
				break;
			sd_objects_hash_leaf(ctx, obj);
		}
		g->count = i - g->first;
		sd_util_sha256_end(ctx, g->hash);
	}
	return groups;
}

/*
 * sd_objects_root
 *		The Merkle root over schema hashes (in sort_schema order), for a set
 *		read under options with object model model_version, as 64 hex
 *		digits into out.
 */
void
sd_objects_root(const SdOptions *options, int model_version,
				const SdGroupHash *groups, int n, char *out)
{
	pg_cryptohash_ctx *root = sd_util_sha256_begin();
	StringInfoData line;
	int			i;

	initStringInfo(&line);
	hash_add(root, "schemadrift fingerprint 1\n");

	/*
	 * The model version, from model 2 on: roots of model 1 are those of
	 * schemadrift 0.1.0, so that its snapshots and recorded fingerprints stay
	 * valid where the model has not changed.
	 */
	if (model_version > 1)
	{
		appendStringInfo(&line, "model %d\n", model_version);
		hash_add(root, line.data);
	}
	hash_add(root, options->canonical);
	hash_add(root, "\n");

	for (i = 0; i < n; i++)
	{
		resetStringInfo(&line);
		appendStringInfo(&line, "%zu:%s %s\n", strlen(groups[i].name), groups[i].name,
						 groups[i].hash);
		sd_util_sha256_add(root, line.data, line.len);
	}
	sd_util_sha256_end(root, out);
	pfree(line.data);
}

/*
 * sd_objects_fingerprint
 *		The Merkle root of a sorted set, as 64 hex digits into out.
 */
void
sd_objects_fingerprint(const SdObjectSet *set, char *out)
{
	int			n;
	SdGroupHash *groups = sd_objects_schema_hashes(set, &n);

	sd_objects_root(set->options, set->model_version, groups, n, out);
	pfree(groups);
}

/*
 * sd_objects_report_unsupported
 *		A NOTICE naming the object kinds the model does not cover yet, if the
 *		set has any: they are counted in the fingerprint (as "unsupported"
 *		objects) but not compared attribute by attribute.
 */
void
sd_objects_report_unsupported(SdObjectSet *set)
{
	StringInfoData detail;
	int			total = 0;
	int			i;

	initStringInfo(&detail);
	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];
		JsonbValue *count;
		char	   *n;

		if (strcmp(obj->kind, SD_KIND_UNSUPPORTED) != 0)
			continue;
		count = sd_jsonb_get(sd_object_attrs(obj), "count");
		n = count ? sd_jsonb_value_text(count, false) : pstrdup("?");
		appendStringInfo(&detail, "%s%s: %s", detail.len > 0 ? ", " : "",
						 obj->identity, n);
		total += atoi(n);
	}
	if (total > 0)
		ereport(NOTICE,
				(errmsg_plural("%d object of a kind schemadrift does not model yet is only counted and listed",
							   "%d objects of kinds schemadrift does not model yet are only counted and listed",
							   total, total),
				 errdetail("%s.", detail.data),
				 errhint("They appear as rows of kind \"unsupported\"; exclude them with the \"exclude\" option.")));
}
