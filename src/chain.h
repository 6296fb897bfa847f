/*-------------------------------------------------------------------------
 *
 * chain.h
 *	  The DDL audit log after capture: hash chain, verification, retention,
 *	  and the log's table triggers.
 *
 * chain.c exports only SQL-callable functions (schemadrift_ddl_log_seal,
 * _verify, _purge, _protect, _load); nothing of it is called from C.
 *
 * IDENTIFICATION
 *	  src/chain.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_CHAIN_H
#define SCHEMADRIFT_CHAIN_H

#endif							/* SCHEMADRIFT_CHAIN_H */
