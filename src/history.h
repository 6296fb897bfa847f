/*-------------------------------------------------------------------------
 *
 * history.h
 *	  Object history and drift at DDL time: what the audit trigger does
 *	  with the objects a command touched, after it logged them.
 *
 * IDENTIFICATION
 *	  src/history.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_HISTORY_H
#define SCHEMADRIFT_HISTORY_H

#include "nodes/pg_list.h"
#include "tcop/cmdtag.h"

/* one object an audited command touched, with the id of its log row */
typedef struct SdTouched
{
	int64		audit_id;
	Oid			classid;
	Oid			objid;
	int32		objsubid;
	char	   *object_type;	/* as the event trigger function says it */
	char	   *identity;
	char	   *parent;			/* a dropped child's relation, or NULL */
	bool		dropped;
} SdTouched;

/* what the capture of one event collects, in a context of its own */
typedef struct SdTouchedList
{
	MemoryContext cxt;
	List	   *items;			/* of SdTouched * */
} SdTouchedList;

extern void sd_history_init(void);
extern bool sd_history_wanted(void);
extern void sd_history_after_event(Oid fn_oid, CommandTag tag, List *touched);
extern char *sd_history_parent_identity(int nparent, char **parent);

#endif							/* SCHEMADRIFT_HISTORY_H */
