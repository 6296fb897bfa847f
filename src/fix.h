/*-------------------------------------------------------------------------
 *
 * fix.h
 *	  Fix SQL: the statements that remove one difference, and their order.
 *
 * IDENTIFICATION
 *	  src/fix.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_FIX_H
#define SCHEMADRIFT_FIX_H

#include "objects.h"

/* when a missing and an extra object are fixed as a rename (fix_rename.c) */
typedef enum SdRenames
{
	SD_RENAMES_EVIDENCE,		/* where the target's audit log records it */
	SD_RENAMES_GUESS,			/* also where only the attributes match */
	SD_RENAMES_OFF
} SdRenames;

/* what a script is made with: the fix options of a diff or a sync */
typedef struct SdFixOptions
{
	bool		allow_destructive;	/* emit drops and lossy steps */
	bool		concurrently;	/* indexes built and dropped CONCURRENTLY */
	bool		not_valid;		/* FKs and CHECKs added NOT VALID, then
								 * validated */
	bool		count_rows;		/* count the rows a step meets (hazards) */
	char	   *lock_timeout;	/* SET at the top of a script */
	char	   *statement_timeout;
	SdRenames	renames;
} SdFixOptions;

/* where a step goes in a script (drops run in reverse) */
typedef enum SdFixPhase
{
	FIX_PHASE_SCHEMA,
	FIX_PHASE_EXTENSION,
	FIX_PHASE_COLLATION,
	FIX_PHASE_TYPE,				/* a base type's shell among them */
	FIX_PHASE_C_FUNCTION,		/* routines in C or internal: they need only
								 * types, and a shell will do */
	FIX_PHASE_BASE_TYPE,		/* a base type's definition: after its C
								 * functions, before what uses it */
	FIX_PHASE_LANGUAGE,			/* after its C handler, before its routines */
	FIX_PHASE_FUNCTION,
	FIX_PHASE_OPERATOR,			/* made of functions and types: access
								 * methods, casts, transforms, conversions,
								 * operators, text search parsers and
								 * templates */
	FIX_PHASE_OPERATOR_FAMILY,	/* made of those: operator families with
								 * their members, text search dictionaries */
	FIX_PHASE_OPERATOR_CLASS,	/* and of those: operator classes, text
								 * search configurations */
	FIX_PHASE_SEQUENCE,
	FIX_PHASE_TABLE,
	FIX_PHASE_COLUMN,
	FIX_PHASE_CONSTRAINT,
	FIX_PHASE_INDEX,
	FIX_PHASE_FOREIGN_KEY,
	FIX_PHASE_SEQUENCE_OWNER,
	FIX_PHASE_ATOMIC_FUNCTION,	/* SQL-standard bodies: after what they read */
	FIX_PHASE_VIEW,
	FIX_PHASE_TRIGGER,
	FIX_PHASE_POLICY,
	FIX_PHASE_STATISTICS,
	FIX_PHASE_PUBLICATION,
	FIX_PHASE_OTHER,
	FIX_NUM_PHASES
} SdFixPhase;

/*
 * The parts of a script, in the order they run: new enum labels (committed
 * before the rest: a label cannot be used in the transaction that adds it),
 * the main transaction, index builds and drops CONCURRENTLY (outside any
 * transaction), then the validation of constraints added NOT VALID (a
 * transaction of its own).
 */
typedef enum SdFixPart
{
	FIX_PART_LABELS,
	FIX_PART_MAIN,
	FIX_PART_CONCURRENTLY,
	FIX_PART_VALIDATE,
	FIX_NUM_PARTS
} SdFixPart;

/* the fix of one diff row */
typedef struct SdFix
{
	List	   *steps;			/* SdFixStep: one statement each */
	char	   *note;			/* why there is no fix, or a remark */
	bool		invalid;		/* no fix can be written: steps are void */
	bool		covered;		/* fixed by another row's statements (the
								 * other half of a rename) */
} SdFix;

/* one statement of a fix */
typedef struct SdFixStep
{
	SdFixPhase	phase;
	bool		drop;			/* removes something: reverse order */
	SdFixPart	part;			/* which part of a script it runs in */
	char	   *sql;			/* the statement, without ";" */
	char	   *destructive;	/* why it is destructive, or NULL */
	char	   *manual;			/* why it cannot run as written (a secret to
								 * fill in): always left as a comment */
	char	   *remark;			/* a line the script shows before it */
	char	   *creates;		/* identity of the relation it creates (a
								 * view's drop: it drops) */
	List	   *after;			/* identities of relations it needs first (a
								 * partition: its parent) */
	List	   *needs;			/* identities its text reads or calls when it
								 * runs (fix_deps.c): relations, routines */
	bool		late_ok;		/* may run in a later phase than its own:
								 * nothing needs it (ALTER COLUMN SET
								 * DEFAULT) */
} SdFixStep;

/* whether counting a change from oldtype to type runs user code, and why */
typedef struct SdFixCastHazard
{
	char	   *oldtype;
	char	   *type;
	char	   *why;			/* NULL: it does not */
} SdFixCastHazard;

/* both sides of a diff, and what fixes are made with */
typedef struct SdFixContext
{
	SdObjectSet *source;
	SdObjectSet *target;
	SdFixOptions options;
	int			target_version; /* server_version_num of the target */
	bool		target_local;	/* the target is this database: hazards are
								 * counted on its rows */
	char	   *target_server;	/* the target's foreign server, or NULL */
	struct SdRemote *counts;	/* the connection hazards are counted on
								 * (fix_count.c), or NULL */
	char	   *counts_unreachable; /* why it could not be opened */
	bool		valid_function_known;	/* valid_function was looked up */
	char	   *valid_function; /* pg_input_is_valid or schemadrift's */
	char	   *valid_function_missing; /* why there is none */
	bool		create;			/* a create script: the target is empty, or
								 * a new database (apply_fresh.c) */
	List	   *renames;		/* SdRename (fix_rename.c) */
	struct HTAB *rename_in_schema;	/* objects in renamed schemas
										 * (fix_rename.c) */
	MemoryContext cxt;			/* where the children indexes live */
	List	   *parsed;			/* objects whose attributes a fix parsed */
	struct SdFixChildren *source_children;	/* built on first use */
	struct SdFixChildren *target_children;
	struct SdFixRoutines *source_routines;	/* fix_deps.c, built on first use */
	struct SdFixRoutines *target_routines;
	List	   *cast_hazards;	/* SdFixCastHazard, asked of the target
								 * (fix_count.c) */
	bool		dependents_ready;	/* dependents and their needs are built */
	List	   *dependents;		/* target objects whose definitions read
								 * something (fix.c), in cxt */
	List	   *dependents_needs;	/* and what each reads: Lists of names */
} SdFixContext;

/* the hex digits of a row's target value kept in a script's plan */
#define SD_FIX_DIGEST_LEN 16

/* a diff row kept for a script */
typedef struct SdFixRow
{
	char	   *kind;
	char	   *identity;
	char	   *change;
	char	   *attribute;
	char	   *note;
	List	   *steps;			/* SdFixStep */
	bool		fixed;			/* false: no fix could be written */
	char		target_digest[SD_FIX_DIGEST_LEN + 1];	/* of target_value, or
														 * "-" */
} SdFixRow;

/* what a script's header says */
typedef struct SdFixScriptInfo
{
	char	   *target;
	char	   *source;
	char	   *options;
	char		target_fingerprint[SD_SHA256_HEX_LEN + 1];
	char		source_fingerprint[SD_SHA256_HEX_LEN + 1];
	bool		create;			/* a create script: the target is empty */
	char	   *read_options;	/* canonical options the sides were read
								 * with (the fingerprints' options) */
	char	   *plan_target;	/* the sides as JSON, for the plan line */
	char	   *plan_source;
} SdFixScriptInfo;

/* the machine-readable line of a script's header (schemadrift_apply) */
#define SD_FIX_PLAN_PREFIX "-- schemadrift-plan: "
#define SD_FIX_PLAN_VERSION 1

/* what sd_fix_count() returns when it has no count */
#define SD_FIX_COUNT_NO_TABLE	(-1)	/* no such table, or no SELECT on it */
#define SD_FIX_COUNT_FAILED		(-2)	/* the count failed */
#define SD_FIX_COUNT_NO_TARGET	(-3)	/* the target could not be reached */
#define SD_FIX_COUNT_FILTERED	(-4)	/* row-level security filters the table */

extern const char *const sd_fix_option_names[];

extern void sd_fix_options_parse(Jsonb *fix, bool script, SdFixOptions *out);
extern void sd_fix_init(SdFix *fix);
extern void sd_fix_missing(SdFixContext *ctx, SdObject *src, SdFix *fix);
extern void sd_fix_extra(SdFixContext *ctx, SdObject *tgt, SdFix *fix);
extern void sd_fix_changed(SdFixContext *ctx, SdObject *src, SdObject *tgt,
						   const char *attribute, SdFix *fix);
extern void sd_fix_release(SdFixContext *ctx);
extern int64 sd_fix_count(SdFixContext *ctx, const char *schema, const char *table,
						  const char *sql, char **error);
extern const char *sd_fix_valid_function(SdFixContext *ctx, char **why_not);
extern const char *sd_fix_cast_hazard(SdFixContext *ctx, const char *oldtype,
									  const char *type);
extern void sd_fix_count_end(SdFixContext *ctx);
extern void sd_fix_find_renames(SdFixContext *ctx, SdObject **missing, int nmissing,
								SdObject **extra, int nextra);
extern bool sd_fix_rename(SdFixContext *ctx, SdObject *obj, bool missing, SdFix *fix,
						  const char **suggestion);
extern char *sd_fix_routine_signature(SdObject *obj);
extern SdFixRow *sd_fix_row_copy(const char *kind, const char *identity,
								 const char *change, const char *attribute,
								 const char *note, SdFix *fix);
extern void sd_fix_row_digest(SdFixRow *row, const char *target_value);
extern const char *sd_fix_row_state(SdFixRow *row, bool allow_destructive);
extern char *sd_fix_script(SdFixContext *ctx, List *rows, SdFixScriptInfo *info);
extern char *sd_fix_text(SdFixContext *ctx, SdFix *fix);
extern void sd_fix_comment_text(StringInfo buf, const char *s);
extern void sd_fix_step_text(StringInfo buf, SdFixStep *step, bool allow_destructive);
extern List *sd_fix_parse(const char *sql, char **error);

/* fix_deps.c */
extern List *sd_fix_deps_statement(SdFixContext *ctx, Node *stmt, bool source);
extern List *sd_fix_deps_text(SdFixContext *ctx, const char *sql, bool source);

#endif							/* SCHEMADRIFT_FIX_H */
