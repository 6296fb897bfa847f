/*-------------------------------------------------------------------------
 *
 * objects.h
 *	  Canonical objects: extraction from this database, order, fingerprint.
 *
 * IDENTIFICATION
 *	  src/objects.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_OBJECTS_H
#define SCHEMADRIFT_OBJECTS_H

#include "utils/jsonb.h"

#include "kinds.h"
#include "options.h"
#include "util.h"

/* One schema object (DESIGN.md, "Canonical objects") */
typedef struct SdObject
{
	char	   *kind;			/* pg_identify_object() type */
	const SdKind *kindinfo;		/* its entry in sd_kinds, NULL if the model
								 * has no such kind */
	char	   *identity;		/* pg_identify_object() identity */
	char	   *schema;			/* schema it lives in, NULL if none */
	char	   *sort_schema;	/* the same in UTF-8 (the order's first key):
								 * schema itself in a UTF-8 database */
	int			nkey;
	char	  **key;			/* raw name parts: what objects match on */
	int			nparent;		/* 0 if the object has no parent relation */
	char	  **parent;			/* raw name parts of the parent relation */
	char	   *attrs_text;		/* canonical JSON text of attrs, or NULL */
	JsonbContainer *attrs;		/* parsed attrs, or NULL until needed */
	char		hash[SD_SHA256_HEX_LEN + 1];
	char	   *mkey;			/* kind + key, encoded in UTF-8: sort and
								 * match key */
} SdObject;

/* All objects of one side, with what they were read under */
typedef struct SdObjectSet
{
	SdObject   *objects;
	int			nobjects;
	SdOptions  *options;
	int			server_version_num;
	char	   *server_version;
	int			model_version;	/* the object model it was read with */
} SdObjectSet;

extern SdObjectSet *sd_objects_extract_local(SdOptions *options, bool with_attrs);
extern JsonbContainer *sd_object_attrs(SdObject *obj);
extern char *sd_object_attrs_text(SdObject *obj);
extern char *sd_objects_encode_key(const char *kind, int nparts, char **parts);
/* memory for many small objects, never freed piecemeal */
typedef struct SdArena
{
	MemoryContext cxt;
	char	   *next;
	Size		left;
} SdArena;

extern void sd_arena_init(SdArena *arena, MemoryContext cxt);
extern void *sd_arena_alloc(SdArena *arena, Size size);
extern void sd_object_fill(SdObject *obj, const char *kind, const char *identity,
						   const char *schema, int nkey, char **key,
						   int nparent, char **parent, const char *attrs_text,
						   SdArena *arena);
extern void sd_objects_sort(SdObjectSet *set);
extern int	sd_objects_cmp(const SdObject *a, const SdObject *b);
/* a schema's (or another group's) hash: name in UTF-8 */
typedef struct SdGroupHash
{
	const char *name;
	char		hash[SD_SHA256_HEX_LEN + 1];
	int			first;			/* its first object in the set */
	int			count;			/* and how many */
} SdGroupHash;

extern void sd_objects_hash_leaf(pg_cryptohash_ctx *ctx, const SdObject *obj);
extern SdGroupHash *sd_objects_schema_hashes(const SdObjectSet *set, int *n);
extern void sd_objects_root(const SdOptions *options, int model_version,
							const SdGroupHash *groups, int n, char *out);
extern void sd_objects_fingerprint(const SdObjectSet *set, char *out);
extern void sd_objects_report_unsupported(SdObjectSet *set);

#endif							/* SCHEMADRIFT_OBJECTS_H */
