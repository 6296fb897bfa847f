/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Every PG_VERSION_NUM shim of schemadrift, in one place.
 *
 * Compile-time differences between PostgreSQL 15 and 18 live here; the
 * server version of a side being read (local or remote) is a run-time axis
 * handled where the catalog SQL is built (catalog.c).
 *
 * IDENTIFICATION
 *	  src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_COMPAT_H
#define SCHEMADRIFT_COMPAT_H

#if PG_VERSION_NUM < 150000
#error "schemadrift requires PostgreSQL 15 or later"
#endif

/* varatt.h was split out of postgres.h in PostgreSQL 16 */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* CleanQuerytext() moved from utils/ to nodes/queryjumble.h in PostgreSQL 16 */
#if PG_VERSION_NUM >= 160000
#define SD_QUERYJUMBLE_H "nodes/queryjumble.h"
#else
#define SD_QUERYJUMBLE_H "utils/queryjumble.h"
#endif

/* ExecInsertIndexTuples() gained onlySummarizing in PostgreSQL 16 */
#if PG_VERSION_NUM >= 160000
#define SD_EXEC_INSERT_INDEX_TUPLES(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define SD_EXEC_INSERT_INDEX_TUPLES(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif

/* object_aclcheck() replaced the per-class aclcheck functions in 16 */
#if PG_VERSION_NUM >= 160000
#define SD_FOREIGN_SERVER_ACLCHECK(srvid, roleid, mode) \
	object_aclcheck(ForeignServerRelationId, (srvid), (roleid), (mode))
#else
#define SD_FOREIGN_SERVER_ACLCHECK(srvid, roleid, mode) \
	pg_foreign_server_aclcheck((srvid), (roleid), (mode))
#endif

/* CreateWaitEventSet() takes a resource owner from PostgreSQL 17 on */
#if PG_VERSION_NUM >= 170000
#define SD_CREATE_WAIT_EVENT_SET(n) CreateWaitEventSet(CurrentResourceOwner, (n))
#else
#define SD_CREATE_WAIT_EVENT_SET(n) CreateWaitEventSet(CurrentMemoryContext, (n))
#endif

/*
 * The number of command tags: core's COMMAND_TAG_NEXTTAG sentinel was removed
 * in PostgreSQL 17 (a CommandTag is now always a valid index), so count the
 * entries of cmdtaglist.h, as core builds its own tables from it.
 */
#if PG_VERSION_NUM >= 170000
typedef enum SdCommandTagCount
{
#define PG_CMDTAG(tag, name, evtrgok, rwrok, rowcnt) SD_COUNT_##tag,
#include "tcop/cmdtaglist.h"
#undef PG_CMDTAG
	SD_COMMAND_TAG_COUNT
} SdCommandTagCount;
#else
#define SD_COMMAND_TAG_COUNT COMMAND_TAG_NEXTTAG
#endif

/* REINDEX fires event triggers from PostgreSQL 17 on (f21848de20) */
#define SD_REINDEX_FIRES_EVENT_TRIGGERS (PG_VERSION_NUM >= 170000)

/* ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION: from PostgreSQL 17 */
#if PG_VERSION_NUM >= 170000
#define SD_AT_IS_SET_EXPRESSION(subtype) ((subtype) == AT_SetExpression)
#else
#define SD_AT_IS_SET_EXPRESSION(subtype) false
#endif

#endif							/* SCHEMADRIFT_COMPAT_H */
