/*-------------------------------------------------------------------------
 *
 * snapshot.h
 *	  Snapshot documents: the portable jsonb form of a schema.
 *
 * IDENTIFICATION
 *	  src/snapshot.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_SNAPSHOT_H
#define SCHEMADRIFT_SNAPSHOT_H

#include "utils/jsonb.h"

#include "objects.h"

#define SD_SNAPSHOT_FORMAT			"schemadrift-snapshot"
#define SD_SNAPSHOT_FORMAT_VERSION	1

extern Jsonb *sd_snapshot_build(SdObjectSet *set);
extern SdObjectSet *sd_snapshot_load(Jsonb *doc, const char *argname);

#endif							/* SCHEMADRIFT_SNAPSHOT_H */
