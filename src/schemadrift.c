/*-------------------------------------------------------------------------
 *
 * schemadrift.c
 *	  Module initialization: the magic block, GUCs and hooks only.
 *
 * The work is done elsewhere, one file per part (see DESIGN.md): catalog.c
 * builds the extraction SQL; side_local.c (with extract.c) runs it here and
 * side_remote.c (with remote_conn.c) on a foreign server, rows.c makes rows
 * into canonical objects, objects.c orders and fingerprints them;
 * snapshot.c reads and writes snapshot documents, compare.c diffs two sides.
 *
 * IDENTIFICATION
 *	  src/schemadrift.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "audit.h"
#include "extract.h"
#include "remote.h"
#include "compat.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * _PG_init
 *		Define the schemadrift.* settings and reserve the prefix, so that no
 *		one can pre-set a placeholder that a later version would read.
 */
void
_PG_init(void)
{
	sd_audit_init();
	sd_extract_init();
	sd_remote_init();
	sd_fleet_init();
	MarkGUCPrefixReserved("schemadrift");
}
