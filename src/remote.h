/*-------------------------------------------------------------------------
 *
 * remote.h
 *	  Connections to remote servers: a foreign server and the caller's user
 *	  mapping, made into a checked libpq connection with deadlines.
 *
 * IDENTIFICATION
 *	  src/remote.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_REMOTE_H
#define SCHEMADRIFT_REMOTE_H

#include "libpq-fe.h"
#include "datatype/timestamp.h"

/* One open connection to a remote server */
typedef struct SdRemote
{
	PGconn	   *conn;
	char	   *server;			/* the foreign server's name */
	int			version;		/* the remote's server_version_num */
	char	   *version_text;	/* and its server_version */
	bool		utf8;			/* its server_encoding is UTF8 */
	bool		password_required;	/* must show it used the mapping's */
	SubTransactionId subid;		/* the subtransaction that opened it */
	struct SdRemote *next;		/* in the list of open connections */
} SdRemote;

/* called once per row of a query's result (a PGRES_SINGLE_TUPLE result) */
typedef void (*SdRemoteRowFn) (void *arg, PGresult *row);

/* one connection waited on among several (sd_remote_wait_any) */
typedef struct SdRemoteWait
{
	SdRemote   *r;
	int			events;			/* WL_SOCKET_* to wait for; 0: none */
	TimestampTz deadline;		/* 0: none */
	bool		ready;			/* out: the events came */
	bool		expired;		/* out: the deadline passed */
} SdRemoteWait;

/* the most connections one remote is read over (remote_connections) */
#define SD_REMOTE_MAX_CONNECTIONS 8

/* GUCs (seconds) */
extern PGDLLIMPORT int sd_connect_timeout;
extern PGDLLIMPORT int sd_remote_timeout;
extern PGDLLIMPORT int sd_remote_connections;

extern void sd_remote_init(void);

/* remote_fleet.c */
extern PGDLLIMPORT int sd_fleet_concurrency;
extern void sd_fleet_init(void);
/* the transaction every remote read runs in */
#define SD_REMOTE_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"

extern SdRemote *sd_remote_connect(const char *server);
extern SdRemote *sd_remote_connect_session(const char *server);
extern SdRemote *sd_remote_connect_loopback(void);
extern SdRemote *sd_remote_start(const char *server);
extern char *sd_remote_check_connected(SdRemote *r, int *sqlstate);
extern char *sd_remote_pin_sql(SdRemote *r);
extern void sd_remote_close(SdRemote *r);
extern int	sd_remote_connect_step(SdRemote *r, bool first, int *sqlstate, char **error);
extern void sd_remote_connect_failed(SdRemote *r, int sqlstate, const char *error);
extern TimestampTz sd_remote_deadline(int seconds);
extern void sd_remote_timed_out(SdRemote *r, bool connecting, const char *what);
extern void sd_remote_wait_any(SdRemoteWait *w, int n);
extern void sd_remote_send_start(SdRemote *r, const char *sql, int nparams,
								 const char *const *params, const char *what);
extern int	sd_remote_receive_step(SdRemote *r, SdRemoteRowFn fn, void *arg,
								   const char *what);
extern bool sd_remote_try_value(SdRemote *r, const char *sql, char **value,
								const char *what);
extern bool sd_remote_is_open(SdRemote *r);
extern void sd_remote_command(SdRemote *r, const char *sql, const char *what);
extern char *sd_remote_value(SdRemote *r, const char *sql, bool missing_ok,
							 const char *what);
extern void sd_remote_send(SdRemote *r, const char *sql, int nparams,
						   const char *const *params, const char *what);
extern void sd_remote_receive(SdRemote *r, SdRemoteRowFn fn, void *arg,
							  const char *what);
extern void sd_remote_rows(SdRemote *r, const char *sql, int nparams,
						   const char *const *params, SdRemoteRowFn fn,
						   void *arg, const char *what);

/* side_remote_slices.c: one remote read over several connections */
typedef struct SdRemoteSlices SdRemoteSlices;

extern SdRemoteSlices *sd_remote_slices_open(SdRemote *first, const char *what);
extern void sd_remote_slices_close(SdRemoteSlices *s);
extern int	sd_remote_slices_send(SdRemoteSlices *s,
								  char *(*wrap) (const char *extraction),
								  int nparams, const char *const *params,
								  const char *what);
extern void sd_remote_slices_receive(SdRemoteSlices *s, SdRemoteRowFn fn,
									 void *arg, const char *what);

#endif							/* SCHEMADRIFT_REMOTE_H */
