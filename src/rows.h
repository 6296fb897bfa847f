/*-------------------------------------------------------------------------
 *
 * rows.h
 *	  Rows of the catalog extraction into objects: the one path every live
 *	  side's rows take (this backend, its parallel workers, a remote
 *	  server).
 *
 * IDENTIFICATION
 *	  src/rows.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_ROWS_H
#define SCHEMADRIFT_ROWS_H

#include "access/tupdesc.h"
#include "common/cryptohash.h"

#include "objects.h"

/*
 * The row type of the extraction query (catalog.c): kind, identity, schema,
 * key text[], parent text[], attrs, hash.  A row carries its attrs, its
 * hash or both.
 */
#define SD_ROW_NATTS 7
#define SD_ROW_KIND 0
#define SD_ROW_ATTRS 5
#define SD_ROW_HASH 6

/* What rows are read into: one set, growing */
typedef struct SdRowReader
{
	SdObjectSet *set;
	bool		with_attrs;		/* keep every object's attrs */
	pg_cryptohash_ctx *hashctx; /* for the rows that come without a hash */
	int			capacity;
	SdArena		arena;
	MemoryContext rowcxt;
} SdRowReader;

extern TupleDesc sd_rows_tupdesc(void);
extern void sd_rows_check_type(TupleDesc actual);
extern bool sd_rows_keeps_attrs(Datum kind);
extern void sd_rows_begin(SdRowReader *r, SdObjectSet *set, bool with_attrs,
						  MemoryContext resultcxt);
extern void sd_rows_add(SdRowReader *r, Datum *values, bool *isnull);
extern void sd_rows_add_text(SdRowReader *r, char **texts, int encoding);
extern void sd_rows_end(SdRowReader *r);

#endif							/* SCHEMADRIFT_ROWS_H */
