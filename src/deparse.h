/*-------------------------------------------------------------------------
 *
 * deparse.h
 *	  pg_get_expr() of an expression on one table without opening it.
 *
 * IDENTIFICATION
 *	  src/deparse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_DEPARSE_H
#define SCHEMADRIFT_DEPARSE_H

extern char *sd_deparse_function(void);

#endif							/* SCHEMADRIFT_DEPARSE_H */
