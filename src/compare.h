/*-------------------------------------------------------------------------
 *
 * compare.h
 *	  The diff: what must change in a target schema to match a source.
 *
 * IDENTIFICATION
 *	  src/compare.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_COMPARE_H
#define SCHEMADRIFT_COMPARE_H

#include "objects.h"

/* the attribute of a diff row of a missing or an extra object */
#define SD_WHOLE_OBJECT "whole object"

extern List *sd_compare_rows(SdObjectSet *source, SdObjectSet *target);
extern void sd_compare_counts(SdObjectSet *source, SdObjectSet *target,
							  int64 *missing, int64 *extra, int64 *changed);

#endif							/* SCHEMADRIFT_COMPARE_H */
