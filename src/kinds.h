/*-------------------------------------------------------------------------
 *
 * kinds.h
 *	  The table of object kinds, and the version of the object model.
 *
 * IDENTIFICATION
 *	  src/kinds.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_KINDS_H
#define SCHEMADRIFT_KINDS_H

/*
 * The version of the object model: what the objects of each kind hold (their
 * attrs and hashes) and which kinds there are.  It moves whenever a change
 * alters an object's attrs or hash (a new kind, a new attribute, a new
 * rule for an existing one); every snapshot records it, and fingerprints
 * of different models never compare equal.  Model 1 is schemadrift 0.1.0's.
 * Model 2 (schemadrift 0.2.0) adds publications and their members,
 * subscriptions, foreign-data wrappers, servers and user mappings, foreign
 * tables, event triggers, collations, extended statistics, rules, default
 * privileges, languages, access methods, casts, transforms, base and shell
 * types, operators, operator classes and families, conversions and text
 * search objects, and makes a sequence owned by a column a child of its
 * table.
 *
 * When moving it: bump SD_MODEL_VERSION, set the "model" field of every kind
 * whose objects change to the new version (kinds.c), and add a line to the
 * model history in README.md.
 */
#define SD_MODEL_VERSION	2

/* the kind of the rows that count what the model does not compare */
#define SD_KIND_UNSUPPORTED "unsupported"

/* One kind of object, described once */
typedef struct SdKind
{
	const char *name;			/* pg_identify_object() type */
	bool		relation;		/* a relation, a publication, a server: its
								 * children fold into its row when it exists
								 * on one side only */
	const char *child_one;		/* a child of a relation: how the folded
								 * relation's note counts it ("column") */
	const char *child_many;		/* ... and its plural ("columns") */
	const char *family;			/* relations and their children: which
								 * relations a child's parent names ("" for
								 * pg_class relations, else the kind of the
								 * parent), so that a server and a
								 * publication of one name stay apart */
	int			model;			/* the model version that last changed what
								 * objects of this kind hold */
} SdKind;

extern const SdKind sd_kinds[];
extern const int sd_nkinds;

extern const SdKind *sd_kind_lookup(const char *name);
extern int	sd_kind_index(const SdKind *kind);

#endif							/* SCHEMADRIFT_KINDS_H */
