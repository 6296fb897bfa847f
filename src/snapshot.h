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
/*
 * Format 1: schemadrift 0.1.0's documents, model version 1 implied.
 * Format 2: adds "model_version" (kinds.h), which a format 1 reader would
 * ignore: it refuses format 2 instead of misreading a newer model.
 */
#define SD_SNAPSHOT_FORMAT_VERSION	2

extern Jsonb *sd_snapshot_build(SdObjectSet *set);
extern SdObjectSet *sd_snapshot_load(Jsonb *doc, const char *argname);

#endif							/* SCHEMADRIFT_SNAPSHOT_H */
