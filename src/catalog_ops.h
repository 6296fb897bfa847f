/*-------------------------------------------------------------------------
 *
 * catalog_ops.h
 *	  The extraction query's arms for operators and their classes and
 *	  families, conversions and text search objects.
 *
 * IDENTIFICATION
 *	  src/catalog_ops.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_CATALOG_OPS_H
#define SCHEMADRIFT_CATALOG_OPS_H

#include "lib/stringinfo.h"

extern void sd_catalog_append_operators(StringInfo buf, int server_version);
extern void sd_catalog_append_text_search(StringInfo buf, int server_version);

#endif							/* SCHEMADRIFT_CATALOG_OPS_H */
