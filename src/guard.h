/*-------------------------------------------------------------------------
 *
 * guard.h
 *	  The DDL guard: rules, the targets of a command, and the decision.
 *
 * guard.c holds the event triggers, the hook's checks and the settings,
 * guard_rules.c the rules (their table, cache, evaluation and SQL
 * functions), guard_target.c the reading of a command's targets from its
 * parse tree, guard_denied.c the durable queue of refusals and its worker.
 *
 * IDENTIFICATION
 *	  src/guard.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_GUARD_H
#define SCHEMADRIFT_GUARD_H

#include "nodes/pg_list.h"
#include "nodes/nodes.h"
#include "tcop/cmdtag.h"
#include "utils/timestamp.h"

#define SD_GUARD_RULES_TABLE	"schemadrift_guard_rules"

/*
 * One thing a command changes, as the rules see it: the command tag it is
 * judged under, the schema it lives in (NULL for objects outside schemas,
 * and for targets that could not be resolved) and its name for messages.
 */
typedef struct GuardTarget
{
	CommandTag	tag;
	char	   *schema;
	char	   *object;
	bool		resolved;
} GuardTarget;

/* the outcome of judging one target */
typedef enum GuardVerdict
{
	GUARD_ALLOWED,				/* an allow rule matched */
	GUARD_DENIED_BY_RULE,		/* a deny rule matched */
	GUARD_DENIED_REASON,		/* an allow rule matched but for the reason */
	GUARD_DENIED_NO_RULE,		/* no rule matched */
	GUARD_DENIED_PROTECTED		/* it changes schemadrift's own triggers */
} GuardVerdict;

typedef struct GuardDecision
{
	GuardVerdict verdict;
	int64		rule_id;		/* the deciding rule, 0 if none */
	char	   *reason_pattern; /* GUARD_DENIED_REASON: the rule's pattern */
} GuardDecision;

/* guard_rules.c */
extern void sd_guard_rules_judge(Oid nspid, Oid userid, const GuardTarget *target,
								 const char *change_reason, TimestampTz now,
								 GuardDecision *decision);
extern bool sd_guard_glob_match(const char *pattern, const char *s);
extern Oid	sd_guard_rules_owner(Oid nspid);

/* guard_target.c */
extern List *sd_guard_targets(Node *parsetree, CommandTag tag);
extern GuardTarget *sd_guard_target_make(CommandTag tag, const char *schema,
										 const char *object, bool resolved);

/* guard_denied.c */
extern void sd_guard_denied_init(void);
extern void sd_guard_denied_queue(const char *record);

/* guard.c */
extern void sd_guard_init(void);
extern void sd_guard_check_utility(Node *parsetree);
extern bool sd_guard_shared_object(Node *parsetree, const char **object_type,
								   List **names);
extern bool sd_guard_tag_judged(CommandTag tag);

#endif							/* SCHEMADRIFT_GUARD_H */
