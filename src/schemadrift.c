/*-------------------------------------------------------------------------
 *
 * schemadrift.c
 *	  Module initialization: the magic block, GUCs and hooks only.
 *
 * The work is done elsewhere, one file per part (see DESIGN.md): catalog.c
 * builds the extraction SQL; side_local.c (with extract.c) runs it here and
 * side_remote.c (with remote_conn.c, remote_fleet.c) on foreign servers,
 * rows.c makes rows into canonical objects, objects.c orders and
 * fingerprints them; snapshot.c reads and writes snapshot documents,
 * compare.c diffs two sides; guard.c (with guard_rules.c, guard_target.c
 * and guard_denied.c) is the DDL guard.
 *
 * IDENTIFICATION
 *	  src/schemadrift.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "tcop/utility.h"
#include "utils/guc.h"

#include "audit.h"
#include "extract.h"
#include "remote.h"
#include "guard.h"
#include "history.h"
#include "compat.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/*
 * sd_ProcessUtility
 *		The ProcessUtility hook: let the guard judge what no event trigger
 *		sees (guard.c); record an allowed command on roles, databases,
 *		tablespaces, ALTER SYSTEM and the like (and REINDEX before 17) in
 *		the audit log (audit.c);
 *		then run the command through the previous hook or core.
 */
static void
sd_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
				  bool readOnlyTree, ProcessUtilityContext context,
				  ParamListInfo params, QueryEnvironment *queryEnv,
				  DestReceiver *dest, QueryCompletion *qc)
{
	const char *object_type;
	List	   *names;

	sd_guard_check_utility(pstmt->utilityStmt);
	if (pstmt->utilityStmt != NULL &&
		sd_guard_shared_object(pstmt->utilityStmt, &object_type, &names))
		sd_audit_capture_utility(CreateCommandTag(pstmt->utilityStmt),
								 object_type, names);
#if !SD_REINDEX_FIRES_EVENT_TRIGGERS
	else if (pstmt->utilityStmt != NULL && IsA(pstmt->utilityStmt, ReindexStmt))
		sd_audit_capture_reindex((ReindexStmt *) pstmt->utilityStmt);
#endif
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
							params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

/*
 * _PG_init
 *		Define the schemadrift.* settings and reserve the prefix, so that no
 *		one can pre-set a placeholder that a later version would read; chain
 *		the ProcessUtility hook.  The hook is installed wherever the library
 *		is loaded, but only a preloaded library (shared_ or
 *		session_preload_libraries) has it from a backend's first command.
 */
void
_PG_init(void)
{
	sd_audit_init();
	sd_history_init();
	sd_extract_init();
	sd_remote_init();
	sd_fleet_init();
	sd_guard_init();
	sd_guard_denied_init();
	MarkGUCPrefixReserved("schemadrift");

	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = sd_ProcessUtility;
}
