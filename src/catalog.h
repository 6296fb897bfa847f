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

extern char *sd_catalog_extraction_sql(int server_version);
extern char *sd_catalog_state_sql(int server_version);

#endif							/* SCHEMADRIFT_CATALOG_H */
