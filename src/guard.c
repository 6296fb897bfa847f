/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The DDL guard: event triggers that let a DDL command through, or stop
 *	  it, according to the rules and the mode.
 *
 * schemadrift.guard (off, warn, enforce; superuser-only, settable per
 * database and role) sets the mode.  At ddl_command_start, before the
 * command runs, schemadrift_guard_ddl_command_start reads the command's
 * targets from its parse tree (guard_target.c) and judges each under the
 * rules (guard_rules.c) as current_user.  At sql_drop,
 * schemadrift_guard_sql_drop judges the objects a command removes only by
 * cascade (and every object of DROP OWNED), while the transaction is open.
 * Both are invoker C functions; the install script creates their event
 * triggers ENABLE ALWAYS, so session_replication_role does not silence
 * them.
 *
 * A target no rule allows is, in enforce, an ERROR 42501 whose detail names
 * the role, command, object and why, and whose hint gives the way forward;
 * in warn, a WARNING and a row of the audit log.  Either way one structured
 * LOG line (JSON) goes to the server log first, which keeps the attempt
 * even though the transaction aborts.
 *
 * Not judged: commands of an extension script (CREATE/ALTER EXTENSION is
 * judged as such), pg_upgrade's replay (IsBinaryUpgrade), temporary
 * objects, and DROP EXTENSION schemadrift / ALTER EXTENSION schemadrift
 * UPDATE by a superuser or the extension's owner (never lock the owner
 * out).  A superuser passes any denial by setting
 * schemadrift.guard_break_glass to a reason: the pass is recorded in the
 * audit log and the server log.
 *
 * IDENTIFICATION
 *	  src/guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inet.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "audit.h"
#include "guard.h"
#include "util.h"

PG_FUNCTION_INFO_V1(schemadrift_guard_ddl_command_start);
PG_FUNCTION_INFO_V1(schemadrift_guard_sql_drop);

typedef enum GuardMode
{
	GUARD_MODE_OFF,
	GUARD_MODE_WARN,
	GUARD_MODE_ENFORCE
} GuardMode;

static const struct config_enum_entry guard_mode_options[] = {
	{"off", GUARD_MODE_OFF, false},
	{"warn", GUARD_MODE_WARN, false},
	{"enforce", GUARD_MODE_ENFORCE, false},
	{NULL, 0, false}
};

/* settings */
static int	sd_guard_mode = GUARD_MODE_OFF;
static char *sd_guard_break_glass = NULL;

/* what one event judges, and the audit row its refusals share */
typedef struct GuardEvent
{
	Oid			fn_oid;			/* the event-trigger function */
	Oid			nspid;			/* the extension's schema */
	const char *event;			/* "ddl_command_start" or "sql_drop" */
	const char *change_reason;
	bool		have_row;		/* row is filled */
	AuditRow	row;
} GuardEvent;

/*
 * break_glass_active
 *		Whether the current user is a superuser with a break-glass reason
 *		set.  (The setting is superuser-only, but a superuser can give it to
 *		a role with ALTER ROLE ... SET: it counts only for superusers.)
 */
static bool
break_glass_active(void)
{
	return sd_guard_break_glass != NULL && sd_guard_break_glass[0] != '\0' &&
		superuser();
}

/*
 * owner_maintenance
 *		Whether parsetree is DROP EXTENSION schemadrift or ALTER EXTENSION
 *		schemadrift UPDATE run by a superuser or by the owner of the
 *		extension (the owner of its rules table): those pass in every mode.
 */
static bool
owner_maintenance(Node *parsetree, Oid nspid)
{
	Oid			owner;

	if (parsetree == NULL)
		return false;
	if (IsA(parsetree, DropStmt))
	{
		DropStmt   *stmt = (DropStmt *) parsetree;
		ListCell   *lc;

		if (stmt->removeType != OBJECT_EXTENSION)
			return false;
		foreach(lc, stmt->objects)
			if (strcmp(strVal(lfirst(lc)), "schemadrift") != 0)
				return false;
	}
	else if (!IsA(parsetree, AlterExtensionStmt) ||
			 strcmp(((AlterExtensionStmt *) parsetree)->extname, "schemadrift") != 0)
		return false;

	if (superuser())
		return true;
	owner = sd_guard_rules_owner(nspid);
	return OidIsValid(owner) && owner == GetUserId();
}

/*
 * describe_why
 *		The reason a target is refused, as the end of the detail sentence;
 *		palloc'd.
 */
static char *
describe_why(const GuardTarget *t, const GuardDecision *d, const char *change_reason)
{
	switch (d->verdict)
	{
		case GUARD_DENIED_BY_RULE:
			return psprintf("rule %lld denies it", (long long) d->rule_id);
		case GUARD_DENIED_REASON:
			return psprintf("rule %lld allows it only with a change reason matching \"%s\", and schemadrift.change_reason is \"%s\"",
							(long long) d->rule_id, d->reason_pattern, change_reason);
		case GUARD_DENIED_PROTECTED:
			return pstrdup("it would change an event trigger of extension schemadrift, which guards and audits DDL");
		case GUARD_DENIED_NO_RULE:
		case GUARD_ALLOWED:
			break;
	}
	if (!t->resolved)
		return pstrdup("its target could not be resolved, and no rule for every schema allows it");
	return pstrdup("no rule allows it");
}

/*
 * ensure_row
 *		Fill the audit row of the event once: who, when, from where, the
 *		statement (passwords masked).  Used for the LOG line and for rows
 *		written to the audit log.
 */
static void
ensure_row(GuardEvent *ev, CommandTag tag)
{
	if (ev->have_row)
		return;
	sd_audit_fill_row(&ev->row, "guard", GetCommandTagName(tag));
	ev->have_row = true;
}

/*
 * row_text
 *		Column col of the event's row as a C string, or NULL.
 */
static char *
row_text(GuardEvent *ev, LogColumn col)
{
	return ev->row.nulls[col] ? NULL : TextDatumGetCString(ev->row.values[col]);
}

/*
 * json_field
 *		Append "key": value (a JSON string, or null) to buf.
 */
static void
json_field(StringInfo buf, const char *key, const char *value)
{
	if (buf->len > 1)
		appendStringInfoString(buf, ", ");
	escape_json(buf, key);
	appendStringInfoString(buf, ": ");
	if (value == NULL)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, value);
}

/*
 * log_decision
 *		The structured server-log line of a refusal, a warning or a
 *		break-glass pass: one JSON object.  It is written at LOG level
 *		before any ERROR, so it survives the abort; the statement it carries
 *		has passwords masked, and the raw statement is kept out of it.  A
 *		refusal is also queued for schemadrift_ddl_denied (guard_denied.c).
 */
static void
log_decision(GuardEvent *ev, const GuardTarget *t, const GuardDecision *d,
			 const char *action, const char *why)
{
	StringInfoData buf;
	char		rule[32];

	ensure_row(ev, t->tag);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	json_field(&buf, "action", action);
	json_field(&buf, "mode", guard_mode_options[sd_guard_mode].name);
	json_field(&buf, "event", ev->event);
	json_field(&buf, "database", row_text(ev, COL_DATABASE_NAME));
	json_field(&buf, "session_user", row_text(ev, COL_SESSION_USER));
	json_field(&buf, "current_user", row_text(ev, COL_CURRENT_USER));
	json_field(&buf, "client_addr", ev->row.nulls[COL_CLIENT_ADDR] ? NULL :
			   DatumGetCString(DirectFunctionCall1(inet_out, ev->row.values[COL_CLIENT_ADDR])));
	json_field(&buf, "application_name", row_text(ev, COL_APPLICATION_NAME));
	json_field(&buf, "command", GetCommandTagName(t->tag));
	json_field(&buf, "schema", t->schema);
	json_field(&buf, "object", t->object);
	snprintf(rule, sizeof(rule), "%lld", (long long) d->rule_id);
	json_field(&buf, "rule", d->rule_id != 0 ? rule : NULL);
	json_field(&buf, "why", why);
	json_field(&buf, "change_reason", ev->change_reason[0] ? ev->change_reason : NULL);
	if (strcmp(action, "break-glass") == 0)
		json_field(&buf, "break_glass", sd_guard_break_glass);
	json_field(&buf, "statement", row_text(ev, COL_STATEMENT));
	appendStringInfoChar(&buf, '}');

	ereport(LOG,
			(errmsg("schemadrift guard: %s", buf.data),
			 errhidestmt(true)));
	/* a refusal's transaction keeps nothing: queue it durably (preloaded) */
	if (strcmp(action, "denied") == 0)
		sd_guard_denied_queue(buf.data);
	pfree(buf.data);
}

/*
 * record_in_log
 *		Write one row for target t to the audit log, in the DDL's own
 *		transaction, as the log's owner: event "guard", the target's schema
 *		and object, and detail.  An error here stops the command: a
 *		break-glass pass or a warning that cannot be recorded does not
 *		happen (a superuser can still turn the guard off).
 */
static void
record_in_log(GuardEvent *ev, const GuardTarget *t, const char *detail)
{
	AuditTarget *at;
	LogWriter	w;
	Oid			save_userid;
	int			save_sec_context;

	ensure_row(ev, t->tag);
	sd_audit_set_text(&ev->row, COL_COMMAND_TAG, GetCommandTagName(t->tag));
	sd_audit_set_text(&ev->row, COL_SCHEMA_NAME, t->schema);
	sd_audit_set_text(&ev->row, COL_OBJECT_IDENTITY, t->object);
	sd_audit_set_text(&ev->row, COL_DETAIL, detail);

	at = sd_audit_target(ev->fn_oid);
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(at->owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	sd_audit_writer_begin(&w, ev->fn_oid);
	sd_audit_writer_put(&w, &ev->row);
	sd_audit_writer_end(&w);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * refuse
 *		Act on a target the rules do not allow: pass it with the break-glass,
 *		warn, or stop the command with ERROR 42501.
 */
static void
refuse(GuardEvent *ev, const GuardTarget *t, const GuardDecision *d)
{
	char	   *why = describe_why(t, d, ev->change_reason);
	char	   *user = GetUserNameFromId(GetUserId(), false);
	const char *mode = guard_mode_options[sd_guard_mode].name;
	char	   *detail;

	detail = psprintf("Role \"%s\" may not run %s on %s: %s (guard mode \"%s\").",
					  user, GetCommandTagName(t->tag), t->object, why, mode);

	if (break_glass_active())
	{
		log_decision(ev, t, d, "break-glass", why);
		record_in_log(ev, t, psprintf("guard break-glass: %s; %s",
									  sd_guard_break_glass, detail));
		return;
	}

	if (sd_guard_mode == GUARD_MODE_WARN)
	{
		log_decision(ev, t, d, "warned", why);
		ereport(WARNING,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("schema change would be blocked by schemadrift"),
				 errdetail("%s", detail),
				 errhint("The guard only warns; in mode \"enforce\" this command fails.")));
		record_in_log(ev, t, psprintf("guard warn: %s", detail));
		return;
	}

	log_decision(ev, t, d, "denied", why);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("schema change blocked by schemadrift"),
			 errdetail("%s", detail),
			 d->verdict == GUARD_DENIED_PROTECTED ?
			 errhint("A superuser can pass with a recorded reason (SET schemadrift.guard_break_glass = '...'), or turn the guard off first (SET schemadrift.guard = off).") :
			 d->verdict == GUARD_DENIED_REASON ?
			 errhint("Set schemadrift.change_reason to the change ticket (SET schemadrift.change_reason = '...') and run the command again.") :
			 superuser() ?
			 errhint("Run migrations as a role that a rule allows (see schemadrift_guard_rules); in an emergency a superuser can pass with a recorded reason: SET schemadrift.guard_break_glass = '...'.") :
			 errhint("Run migrations as a role that a rule allows (see schemadrift_guard_rules), or ask the database owner.")));
}

/*
 * judge_targets
 *		Judge every target of targets as the current user; refuse those no
 *		rule allows.  Invalidations are taken in first, so that a rule
 *		committed by another session counts from this command on.
 */
static void
judge_targets(GuardEvent *ev, List *targets)
{
	TimestampTz now = GetCurrentStatementStartTimestamp();
	Oid			userid = GetUserId();
	ListCell   *lc;

	if (targets == NIL)
		return;
	AcceptInvalidationMessages();
	foreach(lc, targets)
	{
		GuardTarget *t = lfirst(lc);
		GuardDecision d;

		sd_guard_rules_judge(ev->nspid, userid, t, ev->change_reason, now, &d);
		if (d.verdict != GUARD_ALLOWED)
			refuse(ev, t, &d);
	}
}

/*
 * dropped_schema
 *		The schema of a dropped object: its schema_name, or, for objects
 *		that belong to a table and have no schema of their own (a view's
 *		"_RETURN" rule, dropped with the view on PostgreSQL 15; triggers,
 *		policies, defaults on some servers), the first of its address_names,
 *		which is its table's schema; a schema is judged in itself, as at
 *		ddl_command_start.  NULL for objects outside schemas.
 */
static char *
dropped_schema(TupleTableSlot *slot, int c_type, int c_schema, int c_names)
{
	bool		is_schema = !slot->tts_isnull[c_type] &&
		strcmp(TextDatumGetCString(slot->tts_values[c_type]), "schema") == 0;
	ArrayType  *names;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (!slot->tts_isnull[c_schema])
		return TextDatumGetCString(slot->tts_values[c_schema]);
	if (slot->tts_isnull[c_names])
		return NULL;
	names = DatumGetArrayTypeP(slot->tts_values[c_names]);
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	/* a table sub-object (schema, table, name) or a schema (its name) */
	if (n < 1 || nulls[0] || (n != 3 && !is_schema))
		return NULL;
	return TextDatumGetCString(elems[0]);
}

/*
 * dropped_targets
 *		The objects of a sql_drop event the guard judges there: those removed
 *		only by cascade (the command's own were judged at its start), and
 *		for DROP OWNED every object (its start names only roles).  Internal
 *		dependents and temporary objects are left out.
 */
static List *
dropped_targets(CommandTag tag)
{
	TupleDesc	desc;
	Tuplestorestate *store;
	TupleTableSlot *slot;
	List	   *targets = NIL;
	int			c_original,
				c_normal,
				c_temp,
				c_type,
				c_schema,
				c_identity,
				c_names;
	int			i;

	store = sd_audit_call_event_srf(F_PG_EVENT_TRIGGER_DROPPED_OBJECTS, &desc);
	if (store == NULL)
		return NIL;
	c_original = c_normal = c_temp = c_type = c_schema = c_identity = c_names = -1;
	for (i = 0; i < desc->natts; i++)
	{
		const char *name = NameStr(TupleDescAttr(desc, i)->attname);

		if (strcmp(name, "original") == 0)
			c_original = i;
		else if (strcmp(name, "normal") == 0)
			c_normal = i;
		else if (strcmp(name, "is_temporary") == 0)
			c_temp = i;
		else if (strcmp(name, "object_type") == 0)
			c_type = i;
		else if (strcmp(name, "schema_name") == 0)
			c_schema = i;
		else if (strcmp(name, "object_identity") == 0)
			c_identity = i;
		else if (strcmp(name, "address_names") == 0)
			c_names = i;
	}
	if (c_original < 0 || c_normal < 0 || c_temp < 0 || c_type < 0 || c_schema < 0 ||
		c_identity < 0 || c_names < 0)
		elog(ERROR, "pg_event_trigger_dropped_objects() lacks a column the guard reads");

	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	while (tuplestore_gettupleslot(store, true, false, slot))
	{
		bool		original;
		bool		normal;

		slot_getallattrs(slot);
		original = DatumGetBool(slot->tts_values[c_original]);
		normal = DatumGetBool(slot->tts_values[c_normal]);
		if (DatumGetBool(slot->tts_values[c_temp]) || (!original && !normal) ||
			(original && tag != CMDTAG_DROP_OWNED))
			continue;
		targets = lappend(targets,
						  sd_guard_target_make(tag,
											   dropped_schema(slot, c_type, c_schema, c_names),
											   slot->tts_isnull[c_identity] ? NULL :
											   TextDatumGetCString(slot->tts_values[c_identity]),
											   true));
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_end(store);
	return targets;
}

/*
 * init_event
 *		Start judging an event for the installation the function fn_oid
 *		belongs to.
 */
static void
init_event(GuardEvent *ev, Oid fn_oid, const char *event)
{
	const char *reason = GetConfigOption("schemadrift.change_reason", true, false);

	memset(ev, 0, sizeof(*ev));
	ev->fn_oid = fn_oid;
	ev->nspid = get_func_namespace(fn_oid);
	ev->event = event;
	ev->change_reason = reason ? reason : "";
}

/*
 * turns_event_triggers_off
 *		Whether stmt is SET event_triggers = off (or false, 0, ...): the
 *		PostgreSQL 17 switch that silences every event trigger.
 */
static bool
turns_event_triggers_off(VariableSetStmt *stmt)
{
	A_Const    *value;
	bool		on;

	if (stmt->kind != VAR_SET_VALUE || stmt->name == NULL ||
		strcmp(stmt->name, "event_triggers") != 0 || list_length(stmt->args) != 1 ||
		!IsA(linitial(stmt->args), A_Const))
		return false;
	value = linitial_node(A_Const, stmt->args);
	if (value->isnull)
		return false;
	if (IsA(&value->val, Integer))
		return intVal(&value->val) == 0;
	return IsA(&value->val, String) && parse_bool(strVal(&value->val), &on) && !on;
}

/*
 * protected_trigger
 *		The name of the schemadrift event trigger that parsetree would
 *		change or silence -- ALTER (DISABLE, RENAME, OWNER) or DROP of one,
 *		or SET event_triggers = off -- or NULL.
 */
static const char *
protected_trigger(Node *parsetree)
{
	const char *name = NULL;
	ListCell   *lc;

	switch (nodeTag(parsetree))
	{
		case T_AlterEventTrigStmt:
			name = ((AlterEventTrigStmt *) parsetree)->trigname;
			break;
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->renameType == OBJECT_EVENT_TRIGGER)
				name = strVal(((RenameStmt *) parsetree)->object);
			break;
		case T_AlterOwnerStmt:
			if (((AlterOwnerStmt *) parsetree)->objectType == OBJECT_EVENT_TRIGGER)
				name = strVal(((AlterOwnerStmt *) parsetree)->object);
			break;
		case T_DropStmt:
			if (((DropStmt *) parsetree)->removeType == OBJECT_EVENT_TRIGGER)
				foreach(lc, ((DropStmt *) parsetree)->objects)
					if (OidIsValid(sd_util_own_event_trigger(strVal(lfirst(lc)), NULL)))
						return strVal(lfirst(lc));
			return NULL;
		case T_VariableSetStmt:
			if (turns_event_triggers_off((VariableSetStmt *) parsetree))
				return "schemadrift_guard_ddl_command_start";
			return NULL;
		default:
			return NULL;
	}
	if (name == NULL || !OidIsValid(sd_util_own_event_trigger(name, NULL)))
		return NULL;
	return name;
}

/*
 * rolespec_name
 *		The name of the role a RoleSpec names (CURRENT_USER, CURRENT_ROLE and
 *		SESSION_USER resolved), or NULL for none (ALTER ROLE ALL) or PUBLIC.
 */
static const char *
rolespec_name(RoleSpec *spec)
{
	if (spec == NULL || spec->roletype == ROLESPEC_PUBLIC)
		return NULL;
	if (spec->roletype == ROLESPEC_CSTRING)
		return spec->rolename;
	return get_rolespec_name(spec);
}

/*
 * name_list
 *		A list of the one name name, or NIL if it is NULL.
 */
static List *
name_list(const char *name)
{
	return name ? list_make1((char *) name) : NIL;
}

/* the tags of the commands hook_only_target judges that fire no event trigger */
static const CommandTag hook_only_tags[] = {
	CMDTAG_CREATE_ROLE, CMDTAG_ALTER_ROLE, CMDTAG_DROP_ROLE, CMDTAG_GRANT_ROLE,
	CMDTAG_REVOKE_ROLE, CMDTAG_CREATE_DATABASE, CMDTAG_ALTER_DATABASE,
	CMDTAG_DROP_DATABASE, CMDTAG_CREATE_TABLESPACE, CMDTAG_ALTER_TABLESPACE,
	CMDTAG_DROP_TABLESPACE, CMDTAG_ALTER_SYSTEM, CMDTAG_REASSIGN_OWNED,
	CMDTAG_CREATE_EVENT_TRIGGER, CMDTAG_ALTER_EVENT_TRIGGER, CMDTAG_DROP_EVENT_TRIGGER,
	CMDTAG_REINDEX				/* fires event triggers from PostgreSQL 17 on */
};

/*
 * sd_guard_tag_judged
 *		Whether the guard ever judges commands of tag: those event triggers
 *		fire for, and those the ProcessUtility hook judges.  Rules may name
 *		only these.
 */
bool
sd_guard_tag_judged(CommandTag tag)
{
	int			i;

	if (command_tag_event_trigger_ok(tag))
		return true;
	for (i = 0; i < lengthof(hook_only_tags); i++)
		if (hook_only_tags[i] == tag)
			return true;
	return false;
}

/*
 * shared_object_type
 *		The object type of a command no event trigger sees, as
 *		pg_identify_object() spells it; NULL for other types.
 */
static const char *
shared_object_type(ObjectType objtype)
{
	switch (objtype)
	{
		case OBJECT_ROLE:
			return "role";
		case OBJECT_DATABASE:
			return "database";
		case OBJECT_TABLESPACE:
			return "tablespace";
		case OBJECT_EVENT_TRIGGER:
			return "event trigger";
		case OBJECT_PARAMETER_ACL:
			return "parameter ACL";
		default:
			return NULL;
	}
}

/*
 * sd_guard_shared_object
 *		Whether parsetree is a command no event trigger sees: roles,
 *		databases, tablespaces, ALTER SYSTEM, REASSIGN OWNED, event triggers,
 *		and the COMMENT, SECURITY LABEL, GRANT, RENAME, OWNER TO, SET SCHEMA
 *		and DROP of object types event triggers do not support.  If so,
 *		*object_type is set to its type as pg_identify_object() spells it
 *		(NULL if none) and *names to the (unquoted) names of its objects (for
 *		ALTER SYSTEM, the setting; several for DROP ROLE a, b; NIL if none).
 *		The list is palloc'd in the current memory context; the strings
 *		belong to the parse tree or the syscache's copies, or are constants.  The ProcessUtility hook judges these commands
 *		(sd_guard_check_utility) and records them in the audit log.
 */
bool
sd_guard_shared_object(Node *parsetree, const char **object_type,
					   List **names)
{
	ObjectType	objtype;
	Node	   *object = NULL;
	List	   *objects = NIL;
	const char *name = NULL;
	ListCell   *lc;

	*object_type = NULL;
	*names = NIL;
	switch (nodeTag(parsetree))
	{
		case T_CreateRoleStmt:
			*names = name_list(((CreateRoleStmt *) parsetree)->role);
			*object_type = "role";
			return true;
		case T_AlterRoleStmt:
			*names = name_list(rolespec_name(((AlterRoleStmt *) parsetree)->role));
			*object_type = "role";
			return true;
		case T_AlterRoleSetStmt:
			*names = name_list(rolespec_name(((AlterRoleSetStmt *) parsetree)->role));
			*object_type = "role";
			return true;
		case T_DropRoleStmt:
			foreach(lc, ((DropRoleStmt *) parsetree)->roles)
			{
				name = rolespec_name(lfirst(lc));
				if (name)
					*names = lappend(*names, (char *) name);
			}
			*object_type = "role";
			return true;
		case T_GrantRoleStmt:
			/* the roles whose members change (GRANT a, b TO c: a and b) */
			foreach(lc, ((GrantRoleStmt *) parsetree)->granted_roles)
			{
				AccessPriv *priv = lfirst(lc);

				if (priv->priv_name != NULL)
					*names = lappend(*names, priv->priv_name);
			}
			*object_type = "role";
			return true;
		case T_ReassignOwnedStmt:
			return true;
		case T_CreatedbStmt:
			*names = name_list(((CreatedbStmt *) parsetree)->dbname);
			*object_type = "database";
			return true;
		case T_AlterDatabaseStmt:
			*names = name_list(((AlterDatabaseStmt *) parsetree)->dbname);
			*object_type = "database";
			return true;
		case T_AlterDatabaseSetStmt:
			*names = name_list(((AlterDatabaseSetStmt *) parsetree)->dbname);
			*object_type = "database";
			return true;
		case T_AlterDatabaseRefreshCollStmt:
			*names = name_list(((AlterDatabaseRefreshCollStmt *) parsetree)->dbname);
			*object_type = "database";
			return true;
		case T_DropdbStmt:
			*names = name_list(((DropdbStmt *) parsetree)->dbname);
			*object_type = "database";
			return true;
		case T_CreateTableSpaceStmt:
			*names = name_list(((CreateTableSpaceStmt *) parsetree)->tablespacename);
			*object_type = "tablespace";
			return true;
		case T_DropTableSpaceStmt:
			*names = name_list(((DropTableSpaceStmt *) parsetree)->tablespacename);
			*object_type = "tablespace";
			return true;
		case T_AlterTableSpaceOptionsStmt:
			*names = name_list(((AlterTableSpaceOptionsStmt *) parsetree)->tablespacename);
			*object_type = "tablespace";
			return true;
		case T_AlterSystemStmt:
			*names = name_list(((AlterSystemStmt *) parsetree)->setstmt->name);
			return true;
		case T_CreateEventTrigStmt:
			*names = name_list(((CreateEventTrigStmt *) parsetree)->trigname);
			*object_type = "event trigger";
			return true;
		case T_AlterEventTrigStmt:
			*names = name_list(((AlterEventTrigStmt *) parsetree)->trigname);
			*object_type = "event trigger";
			return true;

		case T_CommentStmt:
			objtype = ((CommentStmt *) parsetree)->objtype;
			object = (Node *) ((CommentStmt *) parsetree)->object;
			break;
		case T_SecLabelStmt:
			objtype = ((SecLabelStmt *) parsetree)->objtype;
			object = (Node *) ((SecLabelStmt *) parsetree)->object;
			break;
		case T_GrantStmt:
			objtype = ((GrantStmt *) parsetree)->objtype;
			break;
		case T_RenameStmt:
			objtype = ((RenameStmt *) parsetree)->renameType;
			if (objtype == OBJECT_DATABASE || objtype == OBJECT_ROLE ||
				objtype == OBJECT_TABLESPACE)
				name = ((RenameStmt *) parsetree)->subname;
			else
				object = ((RenameStmt *) parsetree)->object;
			break;
		case T_AlterOwnerStmt:
			objtype = ((AlterOwnerStmt *) parsetree)->objectType;
			object = (Node *) ((AlterOwnerStmt *) parsetree)->object;
			break;
		case T_AlterObjectSchemaStmt:
			objtype = ((AlterObjectSchemaStmt *) parsetree)->objectType;
			object = (Node *) ((AlterObjectSchemaStmt *) parsetree)->object;
			break;
		case T_DropStmt:
			objtype = ((DropStmt *) parsetree)->removeType;
			objects = ((DropStmt *) parsetree)->objects;
			break;

		default:
			return false;
	}

	/* utility.c runs these past the event triggers only for these types */
	if (EventTriggerSupportsObjectType(objtype))
		return false;
	if (name != NULL)
		*names = list_make1((char *) name);
	else if (object != NULL && IsA(object, String))
		*names = list_make1(strVal(object));
	else
		foreach(lc, objects)
		{
			if (lfirst(lc) != NULL && IsA(lfirst(lc), String))
				*names = lappend(*names, strVal(lfirst(lc)));
		}
	*object_type = shared_object_type(objtype);
	return true;
}

/*
 * hook_only_target
 *		The target of a command no event trigger sees (see
 *		sd_guard_shared_object).  Such a target is outside schemas (only a
 *		rule for every schema allows it).  NULL for every other command,
 *		which the event triggers judge.
 */
static GuardTarget *
hook_only_target(Node *parsetree)
{
	const char *object_type;
	List	   *names;

	if (!sd_guard_shared_object(parsetree, &object_type, &names))
		return NULL;
	return sd_guard_target_make(CreateCommandTag(parsetree), NULL,
								names ? quote_identifier(linitial(names)) : NULL,
								true);
}

/*
 * sd_guard_check_utility
 *		Called by the ProcessUtility hook before every utility command, for
 *		what no event trigger sees.  Commands that would change or silence
 *		schemadrift's own event triggers are refused like a command no rule
 *		allows (enforce: ERROR; warn: WARNING; a superuser's break-glass
 *		passes, recorded); DROP EXTENSION and turning the guard off stay
 *		possible: this prevents accidents, it is no barrier to a superuser.
 *		Commands on roles, databases, tablespaces, ALTER SYSTEM and the like
 *		are judged under the rules of the database the session is connected
 *		to, as targets outside schemas; in a database without schemadrift
 *		they are not judged.  Before PostgreSQL 17, REINDEX (which fires no
 *		event trigger there) is judged here, its targets resolved as the
 *		event trigger resolves them from 17 on.
 */
void
sd_guard_check_utility(Node *parsetree)
{
	const char *protected_name;
	List	   *targets = NIL;
	Oid			fn_oid;
	GuardEvent	ev;
	GuardDecision d;

	if (sd_guard_mode == GUARD_MODE_OFF || IsBinaryUpgrade || creating_extension ||
		parsetree == NULL)
		return;

	protected_name = protected_trigger(parsetree);
	if (protected_name == NULL)
	{
		GuardTarget *target = hook_only_target(parsetree);

		if (target != NULL)
			targets = list_make1(target);
#if !SD_REINDEX_FIRES_EVENT_TRIGGERS
		/* REINDEX: judged like the event triggers judge it from 17 on */
		else if (IsA(parsetree, ReindexStmt))
			targets = sd_guard_targets(parsetree, CMDTAG_REINDEX);
#endif
		if (targets == NIL)
			return;
	}
	fn_oid = sd_util_own_event_trigger(protected_name ? protected_name :
										"schemadrift_guard_ddl_command_start",
									   NULL);
	if (!OidIsValid(fn_oid))
		return;
	init_event(&ev, fn_oid, "utility");

	if (protected_name == NULL)
	{
		judge_targets(&ev, targets);
		return;
	}
	d.verdict = GUARD_DENIED_PROTECTED;
	d.rule_id = 0;
	d.reason_pattern = NULL;
	refuse(&ev,
		   sd_guard_target_make(CreateCommandTag(parsetree), NULL,
								IsA(parsetree, VariableSetStmt) ? "event_triggers" :
								quote_identifier(protected_name), true),
		   &d);
}

/*
 * guard_event
 *		The body of both event-trigger functions: decide whether the event is
 *		judged at all, then judge its targets in a short-lived memory
 *		context.
 */
static void
guard_event(FunctionCallInfo fcinfo, bool drops)
{
	EventTriggerData *trigdata;
	GuardEvent	ev;
	MemoryContext evcxt;
	MemoryContext oldcxt;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the event trigger manager",
						get_func_name(fcinfo->flinfo->fn_oid))));

	/* off; pg_upgrade replaying the catalog; an extension script */
	if (sd_guard_mode == GUARD_MODE_OFF || IsBinaryUpgrade || creating_extension)
		return;

	trigdata = (EventTriggerData *) fcinfo->context;
	init_event(&ev, fcinfo->flinfo->fn_oid, drops ? "sql_drop" : "ddl_command_start");
	if (owner_maintenance(trigdata->parsetree, ev.nspid))
		return;

	evcxt = AllocSetContextCreate(CurrentMemoryContext,
								  "schemadrift guard event",
								  ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(evcxt);
	judge_targets(&ev, drops ? dropped_targets(trigdata->tag) :
				  sd_guard_targets(trigdata->parsetree, trigdata->tag));
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(evcxt);
}

/*
 * sd_guard_init
 *		Define the guard's settings.  Called from _PG_init before the
 *		schemadrift prefix is reserved.
 */
void
sd_guard_init(void)
{
	DefineCustomEnumVariable("schemadrift.guard",
							 "Mode of the DDL guard: off, warn or enforce.",
							 "In enforce, a DDL command that no rule of "
							 "schemadrift_guard_rules allows fails with "
							 "SQLSTATE 42501; in warn it runs, with a WARNING "
							 "and a row in schemadrift_ddl_log; both write a "
							 "LOG line.  Only superusers may change it; set it "
							 "per database or role with ALTER DATABASE/ROLE "
							 "... SET.",
							 &sd_guard_mode,
							 GUARD_MODE_OFF,
							 guard_mode_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("schemadrift.guard_break_glass",
							   "A superuser's reason to pass the DDL guard.",
							   "When a superuser sets it to a reason, DDL the "
							   "guard would refuse runs instead, and each pass is "
							   "recorded with the reason in schemadrift_ddl_log "
							   "and in the server log.  It has no effect for "
							   "other roles.",
							   &sd_guard_break_glass,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);
}

/* ------------------------------------------------------------------------
 * SQL-callable functions
 * ------------------------------------------------------------------------
 */

/*
 * schemadrift_guard_ddl_command_start
 *		ddl_command_start: judge the command's targets before it runs.
 */
Datum
schemadrift_guard_ddl_command_start(PG_FUNCTION_ARGS)
{
	guard_event(fcinfo, false);
	PG_RETURN_NULL();
}

/*
 * schemadrift_guard_sql_drop
 *		sql_drop: judge the objects the command removes by cascade.
 */
Datum
schemadrift_guard_sql_drop(PG_FUNCTION_ARGS)
{
	guard_event(fcinfo, true);
	PG_RETURN_NULL();
}
