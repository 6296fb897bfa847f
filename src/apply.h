/*-------------------------------------------------------------------------
 *
 * apply.h
 *	  Guarded apply: a fix script run on the target it was planned for.
 *
 * IDENTIFICATION
 *	  src/apply.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_APPLY_H
#define SCHEMADRIFT_APPLY_H

#include "nodes/pg_list.h"

#include "objects.h"

/* what a statement of a script does to transactions */
typedef enum SdApplyKind
{
	SD_APPLY_OTHER,
	SD_APPLY_BEGIN,
	SD_APPLY_COMMIT,
	SD_APPLY_ROLLBACK,
	SD_APPLY_SET				/* SET or RESET: the session only */
} SdApplyKind;

/* one statement of a script */
typedef struct SdApplyStatement
{
	char	   *sql;			/* as written, without its ';' */
	int			line;			/* its first line in the script */
	SdApplyKind kind;
} SdApplyStatement;

/* apply_script.c */
extern List *sd_apply_split(const char *script, int first_line);

/* apply_fresh.c: what CREATE DATABASE makes */
extern SdObjectSet *sd_apply_fresh_set(void);
extern SdObject *sd_apply_fresh_object(const char *kind, const char *identity);

#endif							/* SCHEMADRIFT_APPLY_H */
