/*-------------------------------------------------------------------------
 *
 * audit.h
 *	  The DDL audit log: event-trigger capture, hash chain, retention.
 *
 * IDENTIFICATION
 *	  src/audit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_AUDIT_H
#define SCHEMADRIFT_AUDIT_H

extern void sd_audit_init(void);

#endif							/* SCHEMADRIFT_AUDIT_H */
