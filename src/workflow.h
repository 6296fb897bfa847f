/*-------------------------------------------------------------------------
 *
 * workflow.h
 *	  The drift workflow: snapshot text, stored baselines, the drift of a
 *	  diff read back in C (for the CI gate, reports and versions), and
 *	  stamped versions.
 *
 * IDENTIFICATION
 *	  src/workflow.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_WORKFLOW_H
#define SCHEMADRIFT_WORKFLOW_H

#include "fmgr.h"
#include "datatype/timestamp.h"
#include "utils/jsonb.h"

#include "objects.h"
#include "options.h"

/* side names that start with this are stored baselines */
#define SD_BASELINE_PREFIX		"baseline:"

/* a baseline name or a version id: ASCII letters, digits, ".", "_", "-" */
#define SD_WORKFLOW_NAME_MAXLEN	63

/*
 * SQLSTATE of schemadrift_assert_no_drift()'s error: class "SD" (a class
 * the SQL standard leaves to implementations), "schema drift found".
 */
#define ERRCODE_SD_SCHEMA_DRIFT	MAKE_SQLSTATE('S','D','0','0','1')

/* baseline.c */
extern void sd_workflow_check_name(const char *name, const char *what);
extern char *sd_workflow_text_arg(FunctionCallInfo fcinfo, int argno,
								  const char *argname);
extern char *sd_workflow_schema(void);
extern bool sd_attribution_log_readable(const char *schema);
extern void sd_workflow_check_new(const char *table, const char *keycol,
								  const char *prefix, const char *value,
								  const char *what, const char *verb,
								  const char *hint);
extern Jsonb *sd_workflow_local_snapshot(SdOptions *options, char *fingerprint,
										 SdObjectSet **keep);
extern bool sd_side_is_baseline(const char *name);
extern SdObjectSet *sd_baseline_read(const char *side, const char *argname,
									 SdOptions *options);

/* attribution.c: the last audit log entry of a drifted object */
typedef struct SdAttribution
{
	const char *side;			/* whose log: "target" or "source" */
	int64		id;				/* the entry's id in that log */
	char	   *command_tag;
	char	   *user_name;		/* current_user_name */
	TimestampTz at_value;
	char	   *at;				/* "2026-12-05 23:40:00 UTC" */
	char	   *application;
	char	   *client;			/* the client's address, or NULL */
	char	   *statement;		/* redacted, as the log keeps it */
	char	   *change_reason;
} SdAttribution;

/* where a side's audit log is read: this database, a remote, or nowhere */
struct SdRemote;
typedef struct SdAuditLog
{
	bool		local;			/* this database */
	struct SdRemote *remote;	/* else a remote read left open, or NULL */
	const char *side;			/* "target" or "source" */
} SdAuditLog;

/* drift.c: the rows of a schemadrift_diff() call, read back */
typedef struct SdDriftRow
{
	char	   *kind;
	char	   *identity;
	char	   *change;
	char	   *attribute;
	char	   *source_value;
	char	   *target_value;
	char	   *note;
	char	   *fix_sql;		/* NULL when the declaration has no fix_sql */
	bool		accepted;		/* an acceptance covers it (accept.c) */
	char	   *acceptance;		/* which, or which expired one; or NULL */
	SdAttribution *last_ddl;	/* or NULL (attribution.c) */
} SdDriftRow;

typedef struct SdDrift
{
	SdDriftRow *rows;
	int			nrows;
	int			nfailing;		/* rows no acceptance covers */
	int64		missing;		/* objects, of those rows */
	int64		extra;
	int64		changed;
	int64		accepted;		/* rows an acceptance covers */
	char	   *target_label;	/* what the sides are, for people */
	char	   *source_label;
} SdDrift;

/* one side of a diff: a name (text; NULL for this database) or a snapshot */
typedef struct SdDriftSide
{
	Oid			type;			/* TEXTOID or JSONBOID */
	Datum		value;
	bool		isnull;
} SdDriftSide;

extern void sd_drift_args(FunctionCallInfo fcinfo, SdDriftSide *target,
						  SdDriftSide *source, int *optarg);
extern SdDrift *sd_drift_read(Oid nspid, SdDriftSide *target, SdDriftSide *source,
							  Datum options, bool options_null, bool explain);
extern SdDrift *sd_drift_from_call(FunctionCallInfo fcinfo, bool explain);
extern const char *sd_drift_objects_text(const SdDrift *drift);
extern const char *sd_drift_accepted_text(const SdDrift *drift);
extern const char *sd_drift_cut(const char *v, int chars, const char *null_text);

/* accept.c */
extern void sd_accept_mark(SdDrift *drift, const char *target_name,
						   const char *source_name);

/* attribution.c */
extern SdAttribution **sd_attribute_rows(const SdAuditLog *log, int n,
										 char **kinds, char **identities);
extern char *sd_attribution_time_text(TimestampTz t);

/* report.c */
extern char *sd_drift_by_kind_json(const SdDrift *drift);

#endif							/* SCHEMADRIFT_WORKFLOW_H */
