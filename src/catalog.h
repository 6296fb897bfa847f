/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  The catalog extraction SQL, built for a given server version.
 *
 * IDENTIFICATION
 *	  src/catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_CATALOG_H
#define SCHEMADRIFT_CATALOG_H

/* every kind: the whole extraction in one query */
#define SD_CATALOG_ALL_ARMS 0xFFFFFFFF

extern char *sd_catalog_extraction_sql(int server_version, uint32 arms,
									   Oid rel_from, Oid rel_to);
extern char *sd_catalog_for_this_database(char *(*build) (void *arg), void *arg);
extern int	sd_catalog_arm_count(void);
extern int	sd_catalog_arm_weight(int arm);
extern bool sd_catalog_arm_leader_only(int arm);
extern bool sd_catalog_arm_split(int arm);
extern char *sd_catalog_relation_sql(int server_version, char relkind);
extern char *sd_catalog_relations_where_sql(int server_version, const char *rel_filter,
											 const char *owner_filter);
extern char *sd_catalog_object_sql(int server_version);
extern char *sd_catalog_state_sql(int server_version);

#endif							/* SCHEMADRIFT_CATALOG_H */
