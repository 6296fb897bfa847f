/*-------------------------------------------------------------------------
 *
 * side.h
 *	  Sides: where a schema is read from (this database, a foreign server),
 *	  and how a side named by text is told apart.
 *
 * IDENTIFICATION
 *	  src/side.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_SIDE_H
#define SCHEMADRIFT_SIDE_H

#include "utils/snapshot.h"

#include "objects.h"
#include "options.h"

/* how often a side is read while DDL keeps committing under the reading */
#define SD_EXTRACT_ATTEMPTS 3

/* side_local.c */
extern SdObjectSet *sd_side_local_read(SdOptions *options, bool with_attrs);
extern bool sd_side_local_unchanged(Snapshot before);

/* side_remote.c */
typedef SdObjectSet *(*SdReferenceFn) (void *arg);
struct SdRemote;

extern SdObjectSet *sd_side_remote_read(const char *server, SdOptions *options,
										bool with_attrs, struct SdRemote **keep);
/*
 * The remote's schemadrift schema, quoted, if it has one that can answer a
 * hash-first read in C (0.2.0 or later); no row otherwise.  The functions
 * are looked up in the extension's schema only (OFFSET 0 keeps the planner
 * from pushing the lookups down to every schema, where one the remote role
 * may not use, such as pg_toast, fails them with "permission denied").
 */
#define SD_REMOTE_FIND_SCHEMADRIFT_SQL \
	"SELECT pg_catalog.quote_ident(x.nspname) FROM (" \
	"SELECT n.nspname" \
	" FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace" \
	" WHERE e.extname = 'schemadrift' OFFSET 0) x" \
	" WHERE pg_catalog.to_regprocedure(pg_catalog.quote_ident(x.nspname)" \
	" || '.schemadrift_schema_hashes(pg_catalog.jsonb)') IS NOT NULL" \
	" AND pg_catalog.to_regprocedure(pg_catalog.quote_ident(x.nspname)" \
	" || '.schemadrift_version()') IS NOT NULL" \
	" AND pg_catalog.to_regprocedure(pg_catalog.quote_ident(x.nspname)" \
	" || '.schemadrift_unit_digests(pg_catalog.jsonb)') IS NOT NULL" \
	" AND pg_catalog.to_regprocedure(pg_catalog.quote_ident(x.nspname)" \
	" || '.schemadrift_unit_objects(pg_catalog.jsonb, pg_catalog.int4[], pg_catalog.jsonb)') IS NOT NULL"

/*
 * Units (a relation with its children, or an object alone) fall in buckets
 * by the first bits of their key's sha256: a hash-first diff compares the
 * buckets' digests first (side_remote.c).
 */
#define SD_UNIT_BUCKET_BITS 12
#define SD_UNIT_BUCKETS (1 << SD_UNIT_BUCKET_BITS)

/* the digests of a set's buckets */
typedef struct SdBucketDigests
{
	uint64		d[SD_UNIT_BUCKETS][2];
	bool		present[SD_UNIT_BUCKETS];	/* some unit falls in it */
} SdBucketDigests;

extern void sd_side_bucket_digests(const SdObjectSet *set, SdBucketDigests *out,
								   int *buckets);
extern char *sd_side_bucket_digests_text(const SdBucketDigests *digests);
extern char *sd_side_remote_schema_hashes_sql(int server_version, bool utf8);
extern char *sd_side_remote_model_sql(const char *schema);
extern char *sd_side_remote_state_sql(int server_version);
extern bool sd_side_remote_snapshot_unchanged(const char *before, const char *snapshot);
extern bool sd_side_remote_states_equal(const char *before, const char *after);

/*
 * The remote's snapshot, to compare with sd_side_remote_state_sql()'s; empty
 * on a standby, whose snapshots keep the running transactions where
 * pg_current_snapshot() does not show them (side_local.c's snapshots_equal
 * does not trust them either).
 */
#define SD_REMOTE_SNAPSHOT_EXPR \
	"CASE WHEN pg_catalog.pg_is_in_recovery() THEN ''" \
	" ELSE pg_catalog.pg_current_snapshot()::pg_catalog.text END"
#define SD_REMOTE_SNAPSHOT_SQL "SELECT " SD_REMOTE_SNAPSHOT_EXPR

extern char *sd_side_remote_c_hashes_sql(const char *schema);
extern void sd_side_remote_fingerprint(const char *server, SdOptions *options,
									   char *out);
extern SdObjectSet *sd_side_remote_read_against(const char *server, SdOptions *options,
												SdReferenceFn reference, void *arg,
												SdObjectSet **other,
												struct SdRemote **keep);

/* side.c */
extern void sd_side_check_name(const char *name, const char *argname);
extern void sd_side_inconsistent(const char *server);
extern SdObjectSet *sd_side_read_named(const char *name, const char *argname,
									   SdOptions *options, bool with_attrs);

#endif							/* SCHEMADRIFT_SIDE_H */
