/*-------------------------------------------------------------------------
 *
 * redact.h
 *	  Masking of passwords in statement text before it is stored.
 *
 * IDENTIFICATION
 *	  src/redact.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_REDACT_H
#define SCHEMADRIFT_REDACT_H

#define SD_REDACTED "***"

extern char *sd_redact_statement(const char *sql, int len);

#endif							/* SCHEMADRIFT_REDACT_H */
