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

extern PGDLLIMPORT int sd_max_parallel_workers;
extern PGDLLIMPORT int sd_parallel_min_relations;

extern void sd_extract_init(void);
extern void sd_extract_run(SdObjectSet *set, bool with_attrs, Snapshot snap,
						   MemoryContext resultcxt);

#endif							/* SCHEMADRIFT_EXTRACT_H */
