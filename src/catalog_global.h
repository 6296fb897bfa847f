/*-------------------------------------------------------------------------
 *
 * catalog_global.h
 *	  The extraction query's arms for database-wide objects.
 *
 * IDENTIFICATION
 *	  src/catalog_global.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_CATALOG_GLOBAL_H
#define SCHEMADRIFT_CATALOG_GLOBAL_H

#include "lib/stringinfo.h"

extern void sd_catalog_append_publications(StringInfo buf, int server_version);
extern void sd_catalog_append_publication_relations(StringInfo buf, int server_version);
extern void sd_catalog_append_publication_namespaces(StringInfo buf, int server_version);
extern void sd_catalog_append_foreign_data_wrappers(StringInfo buf, int server_version);
extern void sd_catalog_append_servers(StringInfo buf, int server_version);
extern void sd_catalog_append_user_mappings(StringInfo buf, int server_version);
extern void sd_catalog_append_event_triggers(StringInfo buf, int server_version);
extern void sd_catalog_append_subscriptions(StringInfo buf, int server_version);
extern void sd_catalog_append_default_privileges(StringInfo buf, int server_version);
extern void sd_catalog_append_languages(StringInfo buf, int server_version);
extern void sd_catalog_append_access_methods(StringInfo buf, int server_version);
extern void sd_catalog_append_casts(StringInfo buf, int server_version);
extern void sd_catalog_append_transforms(StringInfo buf, int server_version);

#endif							/* SCHEMADRIFT_CATALOG_GLOBAL_H */
