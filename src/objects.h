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

#include "options.h"
#include "util.h"

/* One schema object (DESIGN.md, "Canonical objects") */
typedef struct SdObject
{
	char	   *kind;			/* pg_identify_object() type */
	char	   *identity;		/* pg_identify_object() identity */
	char	   *schema;			/* schema it lives in, NULL if none */
	int			nkey;
	char	  **key;			/* raw name parts: what objects match on */
	int			nparent;		/* 0 if the object has no parent relation */
	char	  **parent;			/* raw name parts of the parent relation */
	Jsonb	   *attrs;
	char		hash[SD_SHA256_HEX_LEN + 1];
	char	   *mkey;			/* kind + key, encoded: sort and match key */
} SdObject;

/* All objects of one side, with what they were read under */
typedef struct SdObjectSet
{
	SdObject   *objects;
	int			nobjects;
	SdOptions  *options;
	int			server_version_num;
	char	   *server_version;
	const char *origin;			/* "this database", "snapshot", ... */
} SdObjectSet;

extern SdObjectSet *sd_objects_extract_local(SdOptions *options, bool with_attrs);
extern char *sd_objects_encode_key(const char *kind, int nparts, char **parts);
extern void sd_objects_sort(SdObjectSet *set);
extern int	sd_objects_cmp(const SdObject *a, const SdObject *b);
extern void sd_objects_fingerprint(const SdObjectSet *set, char *out);
extern void sd_objects_report_unsupported(const SdObjectSet *set);

#endif							/* SCHEMADRIFT_OBJECTS_H */
