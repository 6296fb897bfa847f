/*-------------------------------------------------------------------------
 *
 * extract.h
 *	  Running the catalog extraction in this database, in parallel.
 *
 * IDENTIFICATION
 *	  src/extract.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_EXTRACT_H
#define SCHEMADRIFT_EXTRACT_H

#include "utils/snapshot.h"

#include "objects.h"

/* the most processes (or connections) one extraction is dealt between */
#define SD_MAX_PARTS	8

/*
 * How one extraction is dealt out (sd_extract_deal).  Part i runs its whole
 * arms, arms[i], and the split arms (sd_catalog_arm_split) for the relations
 * of OIDs from[i] <= oid < to[i] (InvalidOid: no bound).
 */
typedef struct SdExtractPlan
{
	int			nparts;
	uint32		split_arms;		/* the arms read in slices */
	uint32		arms[SD_MAX_PARTS]; /* part i's whole arms */
	Oid			from[SD_MAX_PARTS]; /* part i's slice of relations */
	Oid			to[SD_MAX_PARTS];
} SdExtractPlan;

extern PGDLLIMPORT int sd_max_parallel_workers;
extern PGDLLIMPORT int sd_parallel_min_relations;

extern void sd_extract_init(void);
extern char *sd_extract_relations_sql(int limit);
extern bool sd_extract_slice_empty(Oid from, Oid to);
extern char *sd_extract_deal(int nparts, double leader_load, SdExtractPlan *plan);
extern void sd_extract_cut(SdExtractPlan *plan, const Oid *cuts, int ncuts);
extern void sd_extract_run(SdObjectSet *set, bool with_attrs, Snapshot snap,
						   MemoryContext resultcxt);

#endif							/* SCHEMADRIFT_EXTRACT_H */
