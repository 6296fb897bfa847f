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

#include "objects.h"
#include "options.h"

/* how often a side is read while DDL keeps committing under the reading */
#define SD_EXTRACT_ATTEMPTS 3

/* side_local.c */
extern SdObjectSet *sd_side_local_read(SdOptions *options, bool with_attrs);

/* side_remote.c */
typedef SdObjectSet *(*SdReferenceFn) (void *arg);

extern SdObjectSet *sd_side_remote_read(const char *server, SdOptions *options,
										bool with_attrs);
extern char *sd_side_remote_schema_hashes_sql(int server_version);
extern void sd_side_remote_fingerprint(const char *server, SdOptions *options,
									   char *out);
extern SdObjectSet *sd_side_remote_read_against(const char *server, SdOptions *options,
												SdReferenceFn reference, void *arg,
												SdObjectSet **other);

/* side.c */
extern void sd_side_check_name(const char *name, const char *argname);
extern void sd_side_inconsistent(const char *server);
extern SdObjectSet *sd_side_read_named(const char *name, const char *argname,
									   SdOptions *options, bool with_attrs);

#endif							/* SCHEMADRIFT_SIDE_H */
