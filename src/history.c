/*-------------------------------------------------------------------------
 *
 * history.c
 *	  Object history and drift at DDL time: what the audit trigger does
 *	  with the objects a command touched, once it has logged them.
 *
 * The audit capture (audit.c) hands over, for each ddl_command_end and
 * sql_drop event, the objects it logged with the id of each log row.  Two
 * optional jobs read those objects as the model reads them, with the
 * catalog extraction's own SQL (catalog.c) restricted to them: a relation
 * with its children (columns, constraints, indexes, triggers, ...) by its
 * OID, any other object by its identity.  Nothing else is read: no DDL pays
 * for a full extraction.
 *
 * Object history (schemadrift.object_history): each object's kind,
 * identity, parent relation, hash and attrs after the command go into
 * schemadrift_object_history, keyed by the log row that touched it (a
 * column an ALTER TABLE added comes with its table's row: the log names the
 * table); a dropped object gets a row without hash and attrs.  The log's
 * own columns, and so its hash chain and its direct write, are untouched.
 *
 * Drift at DDL time (schemadrift.expected_baseline): the same objects,
 * read under the baseline's options, are compared with the baseline's rows
 * in schemadrift_baseline_objects (one per object, saved with the
 * baseline); an object that is not in the baseline, differs from it, or is
 * missing from the database while the baseline has it is reported in a
 * WARNING and with NOTIFY schemadrift_drift, '<identity>'.
 *
 * Both run as the log's owner, each in a subtransaction of its own, and
 * fail open: an error becomes a WARNING and the command goes on (a query
 * cancel still cancels it).  They run in the command's transaction: a
 * rolled-back command leaves no history row and sends no notification.
 *
 * IDENTIFICATION
 *	  src/history.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "audit.h"
#include "catalog.h"
#include "history.h"
#include "objects.h"
#include "options.h"
#include "rows.h"
#include "util.h"
#include "workflow.h"

/* the channel drift at DDL time is notified on (as schemadrift_monitor's) */
#define DRIFT_CHANNEL	"schemadrift_drift"

/* how many drifted objects a WARNING's detail lists */
#define DRIFT_DETAIL_MAX	20

/* settings */
static bool sd_object_history = false;
static char *sd_expected_baseline = NULL;

/*
 * What one touched object makes us read: a relation and its children, or
 * one other object; or, for a dropped object, nothing.
 */
typedef struct Target
{
	int64		audit_id;		/* the first log row that touched it */
	bool		dropped;
	Oid			relid;			/* a relation, or InvalidOid */
	char		relkind;		/* its kind */
	char	   *kind;			/* otherwise the object's kind */
	char	   *identity;		/* and identity; a relation's, once resolved */
	char	   *parent;			/* dropped: its relation, or NULL */
	int			first;			/* its objects in the set read */
	int			count;
} Target;

/* a drifted object, for the WARNING and the notification */
typedef struct DriftItem
{
	char	   *kind;
	char	   *identity;
	const char *what;
} DriftItem;

/*
 * Kept plans.  The extraction's plans (one per kind of relation, one for
 * other objects) depend on nothing of schemadrift's;
 * the others name its tables, and are dropped when the schema they were
 * made for is not the one in use, or after an error.
 */
/* the relkinds a relation target may have, and a plan for each */
static const char relation_kinds[] = {
	RELKIND_RELATION, RELKIND_PARTITIONED_TABLE, RELKIND_FOREIGN_TABLE,
	RELKIND_VIEW, RELKIND_MATVIEW, RELKIND_SEQUENCE
};
static SPIPlanPtr relation_plans[lengthof(relation_kinds)];
static SPIPlanPtr object_plan = NULL;
static Oid	kept_nspid = InvalidOid;
static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr dropped_plan = NULL;
static SPIPlanPtr options_plan = NULL;
static SPIPlanPtr rel_rows_plan = NULL;
static SPIPlanPtr obj_rows_plan = NULL;

/* the state of one event's work, shared by the jobs */
typedef struct EventWork
{
	Oid			fn_oid;			/* the audit's trigger function */
	List	   *touched;		/* what the capture logged (SdTouched *) */
	bool		ready;			/* the fields below are set */
	AuditTarget *t;
	CommandTag	tag;
	List	   *targets;		/* of Target * */
	SdOptions  *history_options;	/* the model's: options '{}' */
	SdObjectSet *history_set;	/* read under them, or NULL */
	const char *baseline;
	MemoryContext resultcxt;	/* where drift items go */
	List	   *drift;			/* of DriftItem * */
} EventWork;

/*
 * forget_schema_plans
 *		Drop the kept plans that name schemadrift's tables.
 */
static void
forget_schema_plans(void)
{
	SPIPlanPtr *plans[] = {&insert_plan, &dropped_plan, &options_plan,
	&rel_rows_plan, &obj_rows_plan};
	int			i;

	for (i = 0; i < lengthof(plans); i++)
	{
		if (*plans[i] != NULL)
			SPI_freeplan(*plans[i]);
		*plans[i] = NULL;
	}
	kept_nspid = InvalidOid;
}

/*
 * keep_plan
 *		Prepare sql with its argument types and keep the generic plan.
 *		Connected to SPI.
 */
static SPIPlanPtr
keep_plan(const char *sql, int nargs, Oid *argtypes)
{
	/*
	 * Generic: planning the extraction costs more than running it for one
	 * object, and its plan does not depend on the values (an OID, an
	 * identity) much.
	 */
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, CURSOR_OPT_GENERIC_PLAN);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

/*
 * schema_plans
 *		Make sure the kept plans naming schemadrift's tables are those of
 *		the installation t.  Connected to SPI.
 */
static void
schema_plans(AuditTarget *t)
{
	const char *nsp = quote_identifier(t->nspname);
	Oid			insert_types[6] = {INT8OID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Oid			dropped_types[5] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, BOOLOID};
	Oid			text2[2] = {TEXTOID, TEXTOID};
	Oid			text3[3] = {TEXTOID, TEXTOID, TEXTOID};

	if (kept_nspid == t->nspid && insert_plan != NULL)
		return;
	forget_schema_plans();

	insert_plan = keep_plan(psprintf("INSERT INTO %s.schemadrift_object_history"
									 " (audit_id, kind, identity, parent, hash, attrs)"
									 " SELECT $1, u.k, u.i, u.p, u.h, u.a::pg_catalog.jsonb"
									 " FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3),"
									 " pg_catalog.unnest($4), pg_catalog.unnest($5),"
									 " pg_catalog.unnest($6)) u(k, i, p, h, a)",
									 nsp), 6, insert_types);
	/*
	 * A dropped object's parent: the address's, or for a child of a
	 * relation ($5) the last one recorded (the index on identity, audit_id
	 * finds it without reading the object's older rows).
	 */
	dropped_plan = keep_plan(psprintf("INSERT INTO %s.schemadrift_object_history"
									  " (audit_id, kind, identity, parent)"
									  " SELECT $1, $2, $3, COALESCE($4, CASE WHEN $5 THEN (SELECT h.parent"
									  " FROM %s.schemadrift_object_history h"
									  " WHERE h.identity OPERATOR(pg_catalog.=) $3"
									  " AND h.kind OPERATOR(pg_catalog.=) $2"
									  " ORDER BY h.audit_id DESC LIMIT 1) END)",
									  nsp, nsp), 5, dropped_types);
	options_plan = keep_plan(psprintf("SELECT COALESCE(b.options, b.snapshot OPERATOR(pg_catalog.->) 'options'),"
									  " EXISTS (SELECT 1 FROM %s.schemadrift_baseline_objects o"
									  " WHERE o.baseline OPERATOR(pg_catalog.=) b.name)"
									  " FROM %s.schemadrift_baselines b"
									  " WHERE b.name OPERATOR(pg_catalog.=) $1",
									  nsp, nsp), 1, text2);
	rel_rows_plan = keep_plan(psprintf("SELECT o.kind, o.identity, o.hash"
									   " FROM %s.schemadrift_baseline_objects o"
									   " WHERE o.baseline OPERATOR(pg_catalog.=) $1"
									   " AND (o.identity OPERATOR(pg_catalog.=) $2"
									   " OR o.parent OPERATOR(pg_catalog.=) $2)",
									   nsp), 2, text2);
	obj_rows_plan = keep_plan(psprintf("SELECT o.kind, o.identity, o.hash"
									   " FROM %s.schemadrift_baseline_objects o"
									   " WHERE o.baseline OPERATOR(pg_catalog.=) $1"
									   " AND o.identity OPERATOR(pg_catalog.=) $2"
									   " AND o.kind OPERATOR(pg_catalog.=) $3",
									   nsp), 3, text3);
	kept_nspid = t->nspid;
}

/*
 * sd_history_parent_identity
 *		The identity of an object's parent from its raw name parts, as the
 *		extraction's exclusion patterns spell it: schema.relation, or a
 *		publication's or server's name; NULL without a parent.  palloc'd.
 */
char *
sd_history_parent_identity(int nparent, char **parent)
{
	if (nparent == 2)
		return pstrdup(quote_qualified_identifier(parent[0], parent[1]));
	if (nparent == 1)
		return pstrdup(quote_identifier(parent[0]));
	return NULL;
}

/* ---- which objects to read ------------------------------------------------ */

/*
 * relation_of_child
 *		The relation a trigger, policy, rule, column default or statistics
 *		object (objid in catalog classid) belongs to; InvalidOid for other
 *		catalogs, or if it is gone.
 */
static Oid
relation_of_child(Oid classid, Oid objid)
{
	AttrNumber	oidcol;
	AttrNumber	relcol;
	Relation	catalog;
	HeapTuple	tup;
	Oid			relid = InvalidOid;

	switch (classid)
	{
		case TriggerRelationId:
			oidcol = Anum_pg_trigger_oid;
			relcol = Anum_pg_trigger_tgrelid;
			break;
		case PolicyRelationId:
			oidcol = Anum_pg_policy_oid;
			relcol = Anum_pg_policy_polrelid;
			break;
		case RewriteRelationId:
			oidcol = Anum_pg_rewrite_oid;
			relcol = Anum_pg_rewrite_ev_class;
			break;
		case AttrDefaultRelationId:
			oidcol = Anum_pg_attrdef_oid;
			relcol = Anum_pg_attrdef_adrelid;
			break;
		case StatisticExtRelationId:
			oidcol = Anum_pg_statistic_ext_oid;
			relcol = Anum_pg_statistic_ext_stxrelid;
			break;
		default:
			return InvalidOid;
	}
	catalog = table_open(classid, AccessShareLock);
	tup = get_catalog_object_by_oid(catalog, oidcol, objid);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, relcol, RelationGetDescr(catalog), &isnull);

		if (!isnull)
			relid = DatumGetObjectId(d);
	}
	table_close(catalog, AccessShareLock);
	return relid;
}

/*
 * type_identity
 *		The identity of type typid, as pg_identify_object() gives it.
 */
static char *
type_identity(Oid typid)
{
	ObjectAddress addr;

	addr.classId = TypeRelationId;
	addr.objectId = typid;
	addr.objectSubId = 0;
	return getObjectIdentity(&addr, true);
}

/*
 * resolve
 *		Fill target from the touched object: the relation it is or belongs
 *		to, or the kind and identity of the object the model reads it as.
 *		Returns false for an object the model does not read (a TOAST table,
 *		a kind it does not know).
 */
static bool
resolve(SdTouched *o, Target *target)
{
	memset(target, 0, sizeof(*target));
	target->audit_id = o->audit_id;
	target->dropped = o->dropped;

	if (o->dropped)
	{
		target->kind = o->classid == TypeRelationId ? "type" : o->object_type;
		target->identity = o->identity;
		target->parent = o->parent;
		return target->identity != NULL && sd_kind_lookup(target->kind) != NULL;
	}

	switch (o->classid)
	{
		case RelationRelationId:
			switch (get_rel_relkind(o->objid))
			{
				case RELKIND_INDEX:
				case RELKIND_PARTITIONED_INDEX:
					target->relid = IndexGetRelation(o->objid, true);
					target->relkind = get_rel_relkind(target->relid);
					break;
				case RELKIND_RELATION:
				case RELKIND_PARTITIONED_TABLE:
				case RELKIND_VIEW:
				case RELKIND_MATVIEW:
				case RELKIND_FOREIGN_TABLE:
				case RELKIND_SEQUENCE:
					target->relid = o->objid;
					target->relkind = get_rel_relkind(target->relid);
					break;
				case RELKIND_COMPOSITE_TYPE:
					target->kind = "type";
					target->identity = type_identity(get_rel_type_id(o->objid));
					return target->identity != NULL;
				default:
					return false;
			}
			return OidIsValid(target->relid);
		case ConstraintRelationId:
			{
				HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(o->objid));
				Form_pg_constraint con;

				if (!HeapTupleIsValid(tup))
					return false;
				con = (Form_pg_constraint) GETSTRUCT(tup);
				target->relid = con->conrelid;
				target->relkind = get_rel_relkind(con->conrelid);
				if (!OidIsValid(con->conrelid) && OidIsValid(con->contypid))
				{
					target->kind = "type";
					target->identity = type_identity(con->contypid);
				}
				ReleaseSysCache(tup);
				return OidIsValid(target->relid) || target->identity != NULL;
			}
		case TriggerRelationId:
		case PolicyRelationId:
		case RewriteRelationId:
		case AttrDefaultRelationId:
		case StatisticExtRelationId:
			target->relid = relation_of_child(o->classid, o->objid);
			target->relkind = get_rel_relkind(target->relid);
			return OidIsValid(target->relid);
		case TypeRelationId:
			target->kind = "type";
			target->identity = o->identity;
			return target->identity != NULL;
		default:
			target->kind = o->object_type;
			target->identity = o->identity;
			return target->identity != NULL && target->kind != NULL &&
				sd_kind_lookup(target->kind) != NULL &&
				strcmp(target->kind, SD_KIND_UNSUPPORTED) != 0;
	}
}

/*
 * same_target
 *		Whether a and b make us read the same objects.
 */
static bool
same_target(const Target *a, const Target *b)
{
	if (a->dropped != b->dropped || a->relid != b->relid)
		return false;
	if (OidIsValid(a->relid))
		return true;
	return strcmp(a->kind, b->kind) == 0 && strcmp(a->identity, b->identity) == 0;
}

/*
 * resolve_targets
 *		The distinct targets of the touched objects, each with the first log
 *		row that touched it, in log order.  palloc'd in the current context.
 */
static List *
resolve_targets(List *touched)
{
	List	   *targets = NIL;
	ListCell   *lc;

	foreach(lc, touched)
	{
		Target		t;
		ListCell   *lc2;
		bool		seen = false;

		if (!resolve((SdTouched *) lfirst(lc), &t))
			continue;
		foreach(lc2, targets)
			if ((seen = same_target(lfirst(lc2), &t)))
				break;
		if (!seen)
			targets = lappend(targets, memcpy(palloc(sizeof(Target)), &t, sizeof(Target)));
	}
	return targets;
}

/* ---- reading them as the model does ---------------------------------------- */

/*
 * add_result_rows
 *		Add the rows of the last SPI query (the extraction's row type) to
 *		the set being read.
 */
static void
add_result_rows(SdRowReader *r)
{
	Datum		values[SD_ROW_NATTS];
	bool		isnull[SD_ROW_NATTS];
	uint64		i;

	sd_rows_check_type(SPI_tuptable->tupdesc);
	for (i = 0; i < SPI_processed; i++)
	{
		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, values, isnull);
		sd_rows_add(r, values, isnull);
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * read_targets
 *		Read the objects of every target that is not dropped under options,
 *		with their attrs, into a new set: each target's are
 *		set->objects[first .. first + count).  A relation's identity is set
 *		from its row (a relation the options leave out has none, and no
 *		objects).  Connected to SPI, search_path pinned; the set is in the
 *		current memory context.
 */
static SdObjectSet *
read_targets(List *targets, SdOptions *options)
{
	SdObjectSet *set = palloc0(sizeof(SdObjectSet));
	SdRowReader r;
	ListCell   *lc;

	set->options = options;
	set->model_version = SD_MODEL_VERSION;
	set->server_version_num = PG_VERSION_NUM;

	if (object_plan == NULL)
	{
		Oid			types[4] = {JSONBOID, BOOLOID, TEXTOID, TEXTOID};

		object_plan = keep_plan(sd_catalog_object_sql(PG_VERSION_NUM), 4, types);
	}

	sd_rows_begin(&r, set, true, CurrentMemoryContext);
	foreach(lc, targets)
	{
		Target	   *t = lfirst(lc);
		Datum		args[4];
		char		nulls[4] = {' ', ' ', ' ', ' '};
		int			rc;

		t->first = set->nobjects;
		t->count = 0;
		if (t->dropped)
			continue;
		args[0] = JsonbPGetDatum(options->jsonb);
		args[1] = BoolGetDatum(true);
		/* not read-only: the command's own changes must be seen */
		if (OidIsValid(t->relid))
		{
			const char *k = memchr(relation_kinds, t->relkind, sizeof(relation_kinds));

			if (k == NULL)
				continue;		/* a kind the model does not read */
			if (relation_plans[k - relation_kinds] == NULL)
			{
				Oid			types[3] = {JSONBOID, BOOLOID, OIDOID};

				relation_plans[k - relation_kinds] =
					keep_plan(sd_catalog_relation_sql(PG_VERSION_NUM, t->relkind), 3, types);
			}
			args[2] = ObjectIdGetDatum(t->relid);
			rc = SPI_execute_plan(relation_plans[k - relation_kinds], args, nulls, false, 0);
		}
		else
		{
			args[2] = CStringGetTextDatum(t->identity);
			args[3] = CStringGetTextDatum(t->kind);
			rc = SPI_execute_plan(object_plan, args, nulls, false, 0);
		}
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
		add_result_rows(&r);
		t->count = set->nobjects - t->first;
	}
	sd_rows_end(&r);

	/* a relation's identity: the row of its own among its objects */
	foreach(lc, targets)
	{
		Target	   *t = lfirst(lc);
		int			i;

		if (!OidIsValid(t->relid))
			continue;
		t->identity = NULL;
		for (i = t->first; i < t->first + t->count; i++)
			if (set->objects[i].kindinfo != NULL &&
				(set->objects[i].kindinfo->relation ||
				 strcmp(set->objects[i].kind, "sequence") == 0) &&
				set->objects[i].nkey == 2 && set->objects[i].nparent == 0)
				t->identity = set->objects[i].identity;
		/* an owned sequence is a child of its table: its one row */
		if (t->identity == NULL && t->count == 1)
			t->identity = set->objects[t->first].identity;
	}
	return set;
}

/* ---- object history -------------------------------------------------------- */

/*
 * write_history
 *		Record each target's objects (or its drop) under its log row.
 *		Connected to SPI, as the log's owner.
 */
static void
write_history(EventWork *ew)
{
	SdObjectSet *set = ew->history_set;
	ListCell   *lc;

	foreach(lc, ew->targets)
	{
		Target	   *t = lfirst(lc);
		Datum		args[6];
		char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
		int			rc;

		args[0] = Int64GetDatum(t->audit_id);
		if (t->dropped)
		{
			const SdKind *kind = sd_kind_lookup(t->kind);

			args[4] = BoolGetDatum(t->parent == NULL && kind != NULL &&
								   kind->child_one != NULL);
			args[1] = CStringGetTextDatum(t->kind);
			args[2] = CStringGetTextDatum(t->identity);
			if (t->parent == NULL)
				nulls[3] = 'n';
			else
				args[3] = CStringGetTextDatum(t->parent);
			rc = SPI_execute_plan(dropped_plan, args, nulls, false, 0);
		}
		else
		{
			char	  **k = palloc(sizeof(char *) * Max(t->count, 1));
			char	  **i = palloc(sizeof(char *) * Max(t->count, 1));
			char	  **p = palloc(sizeof(char *) * Max(t->count, 1));
			char	  **h = palloc(sizeof(char *) * Max(t->count, 1));
			char	  **a = palloc(sizeof(char *) * Max(t->count, 1));
			int			n;

			if (t->count == 0)
				continue;
			for (n = 0; n < t->count; n++)
			{
				SdObject   *obj = &set->objects[t->first + n];

				k[n] = obj->kind;
				i[n] = obj->identity;
				p[n] = sd_history_parent_identity(obj->nparent, obj->parent);
				h[n] = obj->hash;
				a[n] = sd_object_attrs_text(obj);
			}
			args[1] = sd_util_text_array(k, t->count);
			args[2] = sd_util_text_array(i, t->count);
			args[3] = sd_util_text_array(p, t->count);
			args[4] = sd_util_text_array(h, t->count);
			args[5] = sd_util_text_array(a, t->count);
			rc = SPI_execute_plan(insert_plan, args, nulls, false, 0);
		}
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	}
}

/* ---- drift at DDL time ----------------------------------------------------- */

/*
 * baseline_options
 *		The options baseline name was saved with.  ERROR if it does not
 *		exist, or has no per-object rows to compare with.  Connected to
 *		SPI.
 */
static SdOptions *
baseline_options(const char *name)
{
	Datum		arg = CStringGetTextDatum(name);
	bool		isnull;
	Datum		d;
	int			rc;

	rc = SPI_execute_plan(options_plan, &arg, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("baseline \"%s\" does not exist", name),
				 errdetail("schemadrift.expected_baseline names it."),
				 errhint("Save it with schemadrift_baseline_save(), or set schemadrift.expected_baseline to a saved baseline.")));
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("baseline \"%s\" has no rows in schemadrift_baseline_objects", name),
				 errdetail("The objects a command touched are compared with those rows."),
				 errhint("Save the baseline again: drop it with schemadrift_baseline_drop() and save it with schemadrift_baseline_save().")));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("baseline \"%s\" has no options", name)));
	return sd_options_parse(DatumGetJsonbPCopy(d));
}

/* a baseline row: kind, identity, hash */
typedef struct BaselineRow
{
	char	   *kind;
	char	   *identity;
	char	   *hash;
	bool		matched;
} BaselineRow;

/*
 * baseline_rows
 *		The baseline's rows of a target: a relation's own and its
 *		children's, or the one of an object.  Each hash is checked: a
 *		damaged row is an error.  Connected to SPI.
 */
static BaselineRow *
baseline_rows(const char *baseline, Target *t, int *n)
{
	Datum		args[3];
	BaselineRow *rows;
	uint64		i;
	int			rc;

	args[0] = CStringGetTextDatum(baseline);
	args[1] = CStringGetTextDatum(t->identity);
	if (OidIsValid(t->relid))
		rc = SPI_execute_plan(rel_rows_plan, args, NULL, false, 0);
	else
	{
		args[2] = CStringGetTextDatum(t->kind);
		rc = SPI_execute_plan(obj_rows_plan, args, NULL, false, 0);
	}
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));

	rows = palloc0(sizeof(BaselineRow) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *hash = SPI_getvalue(tup, desc, 3);
		const char *p;

		rows[i].kind = SPI_getvalue(tup, desc, 1);
		rows[i].identity = SPI_getvalue(tup, desc, 2);
		for (p = hash; p != NULL && *p; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
				break;
		if (rows[i].kind == NULL || rows[i].identity == NULL || hash == NULL ||
			*p != '\0' || strlen(hash) != SD_SHA256_HEX_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("baseline \"%s\" has a damaged row for %s", baseline, t->identity),
					 errdetail("Its hash is \"%s\"; a hash is 64 hexadecimal digits.",
							   hash ? hash : "NULL"),
					 errhint("Save the baseline again: drop it with schemadrift_baseline_drop() and save it with schemadrift_baseline_save().")));
		rows[i].hash = hash;
	}
	*n = (int) SPI_processed;
	SPI_freetuptable(SPI_tuptable);
	return rows;
}

/*
 * find_row
 *		The baseline row of obj among rows, or NULL.
 */
static BaselineRow *
find_row(BaselineRow *rows, int nrows, const SdObject *obj)
{
	int			j;

	for (j = 0; j < nrows; j++)
		if (strcmp(rows[j].identity, obj->identity) == 0 &&
			strcmp(rows[j].kind, obj->kind) == 0)
			return &rows[j];
	return NULL;
}

/*
 * add_drift
 *		Note a drifted object, in the context the report is made in.
 */
static void
add_drift(EventWork *ew, const char *kind, const char *identity, const char *what)
{
	MemoryContext old = MemoryContextSwitchTo(ew->resultcxt);
	DriftItem  *d = palloc(sizeof(DriftItem));

	d->kind = pstrdup(kind);
	d->identity = pstrdup(identity);
	d->what = what;
	ew->drift = lappend(ew->drift, d);
	MemoryContextSwitchTo(old);
}

/*
 * check_drift
 *		Compare each target's objects, read under the baseline's options,
 *		with the baseline's rows, and note what differs.  A relation that
 *		is not in the baseline is noted alone (its children with it), as a
 *		diff folds them.  Connected to SPI, as the log's owner.
 */
static void
check_drift(EventWork *ew)
{
	SdOptions  *options = baseline_options(ew->baseline);
	SdObjectSet *set;
	ListCell   *lc;

	if (ew->history_set != NULL && sd_options_equal(options, ew->history_options))
		set = ew->history_set;
	else
		set = read_targets(ew->targets, options);

	foreach(lc, ew->targets)
	{
		Target	   *t = lfirst(lc);
		BaselineRow *rows;
		int			nrows;
		int			i;
		int			j;

		if (t->identity == NULL)
			continue;			/* a relation the options leave out */
		if (!t->dropped && t->count == 0)
			continue;			/* an object the options leave out */
		/*
		 * A column or constraint an ALTER TABLE dropped: its ddl_command_end
		 * reads the table and says it is missing.
		 */
		if (t->dropped && t->parent != NULL &&
			(ew->tag == CMDTAG_ALTER_TABLE || ew->tag == CMDTAG_ALTER_FOREIGN_TABLE))
			continue;
		rows = baseline_rows(ew->baseline, t, &nrows);

		if (t->dropped)
		{
			if (nrows > 0)
				add_drift(ew, t->kind, t->identity, "dropped, but the baseline has it");
			continue;
		}

		/* a relation the baseline lacks: its row alone, its children with it */
		if (OidIsValid(t->relid))
		{
			for (i = t->first; i < t->first + t->count; i++)
				if (strcmp(set->objects[i].identity, t->identity) == 0)
					break;
			if (i < t->first + t->count &&
				find_row(rows, nrows, &set->objects[i]) == NULL)
			{
				add_drift(ew, set->objects[i].kind, t->identity, "not in the baseline");
				continue;
			}
		}

		for (i = t->first; i < t->first + t->count; i++)
		{
			SdObject   *obj = &set->objects[i];
			BaselineRow *match = find_row(rows, nrows, obj);

			if (match == NULL)
			{
				add_drift(ew, obj->kind, obj->identity, "not in the baseline");
				continue;
			}
			match->matched = true;
			if (strcmp(match->hash, obj->hash) != 0)
				add_drift(ew, obj->kind, obj->identity, "differs from the baseline");
		}
		for (j = 0; j < nrows; j++)
		{
			/* a table's owned sequence is a relation of its own, not read */
			if (rows[j].matched || (strcmp(rows[j].kind, "sequence") == 0 &&
									strcmp(rows[j].identity, t->identity) != 0))
				continue;
			add_drift(ew, rows[j].kind, rows[j].identity, "missing: the baseline has it");
		}
	}
}

/*
 * drift_cmp
 *		list_sort() comparator of DriftItems: by kind, then identity, so
 *		that a relation comes before its children and the order is stable.
 */
static int
drift_cmp(const ListCell *a, const ListCell *b)
{
	const DriftItem *x = lfirst(a);
	const DriftItem *y = lfirst(b);
	int			c = strcmp(x->kind, y->kind);

	return c != 0 ? c : strcmp(x->identity, y->identity);
}

/*
 * report_drift
 *		Tell the session (a WARNING) and the listeners (NOTIFY
 *		schemadrift_drift, '<identity>', one per object) what the command
 *		moved away from the baseline.  Runs as the command's user.
 */
static void
report_drift(EventWork *ew)
{
	StringInfoData detail;
	ListCell   *lc;
	int			n = list_length(ew->drift);
	int			shown = 0;

	initStringInfo(&detail);
	list_sort(ew->drift, drift_cmp);
	foreach(lc, ew->drift)
	{
		DriftItem  *d = lfirst(lc);

		Async_Notify(DRIFT_CHANNEL, d->identity);
		if (shown == DRIFT_DETAIL_MAX)
			continue;
		appendStringInfo(&detail, "%s%s %s: %s.", shown > 0 ? "\n" : "",
						 d->kind, d->identity, d->what);
		shown++;
	}
	if (n > shown)
		appendStringInfo(&detail, "\nand %d more.", n - shown);

	ereport(WARNING,
			(errcode(ERRCODE_SD_SCHEMA_DRIFT),
			 errmsg_plural("%s moved %d object away from baseline \"%s\"",
						   "%s moved %d objects away from baseline \"%s\"",
						   n, GetCommandTagName(ew->tag), n, ew->baseline),
			 errdetail_internal("%s", detail.data),
			 errhint("schemadrift.expected_baseline says this database should match it; SELECT * FROM schemadrift_diff(source => 'baseline:%s') shows all of the drift.",
					 ew->baseline)));
}

/* ---- the jobs, each failing open ------------------------------------------- */

typedef enum EventJob
{
	JOB_HISTORY,
	JOB_DRIFT
} EventJob;

typedef struct JobCall
{
	EventWork  *ew;
	EventJob	job;
} JobCall;

/*
 * run_job
 *		One job as the log's owner, connected to SPI with the extraction's
 *		settings pinned; called by sd_util_try, whose subtransaction undoes
 *		all of it on error.  The first job also resolves the targets (so
 *		that an error there fails open too).
 */
static void
run_job(void *arg)
{
	JobCall    *call = arg;
	EventWork  *ew = call->ew;
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;

	if (!ew->ready)
	{
		MemoryContext old = MemoryContextSwitchTo(ew->resultcxt);

		ew->targets = resolve_targets(ew->touched);
		ew->t = sd_audit_target(ew->fn_oid);
		ew->history_options = sd_options_parse(sd_jsonb_from_cstring("{}"));
		MemoryContextSwitchTo(old);
		ew->ready = true;
	}
	if (ew->targets == NIL)
		return;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(ew->t->owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	nestlevel = sd_util_pin_gucs();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema_plans(ew->t);

	if (call->job == JOB_HISTORY)
	{
		MemoryContext old = MemoryContextSwitchTo(ew->resultcxt);

		/* kept for the drift check, which may read under the same options */
		ew->history_set = read_targets(ew->targets, ew->history_options);
		MemoryContextSwitchTo(old);
		write_history(ew);
	}
	else
		check_drift(ew);

	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	sd_util_unpin_gucs(nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * sd_history_wanted
 *		Whether the audit capture should collect the objects it logs for
 *		this module: object history is on, or a baseline is expected.
 */
bool
sd_history_wanted(void)
{
	return sd_object_history ||
		(sd_expected_baseline != NULL && sd_expected_baseline[0] != '\0');
}

/*
 * sd_history_after_event
 *		After the capture of one event (command tag tag) logged the objects
 *		in touched (SdTouched *, each with its log row's id), record their
 *		history and check them against the expected baseline, as the
 *		settings ask.  Fails open: each job's error is a WARNING.  Called by
 *		the audit's event trigger functions, in the command's transaction;
 *		fn_oid is the trigger function (its schema holds the tables).
 */
void
sd_history_after_event(Oid fn_oid, CommandTag tag, List *touched)
{
	MemoryContext cxt;
	MemoryContext old;
	EventWork	ew;
	JobCall		call;
	char	   *error = NULL;

	if (touched == NIL || !sd_history_wanted())
		return;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift history",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);

	memset(&ew, 0, sizeof(ew));
	ew.fn_oid = fn_oid;
	ew.touched = touched;
	ew.tag = tag;
	ew.resultcxt = cxt;
	call.ew = &ew;

	if (sd_object_history)
	{
		call.job = JOB_HISTORY;
		if (!sd_util_try(run_job, &call, &error))
		{
			forget_schema_plans();
			ew.history_set = NULL;
			ew.ready = false;
			ereport(WARNING,
					(errmsg("could not record the object history of %s: %s",
							GetCommandTagName(tag), error),
					 errdetail("The command was executed and logged, but schemadrift_object_history misses its objects."),
					 errhint("Check that the table schemadrift_object_history of extension schemadrift exists and is intact.")));
		}
	}

	if (sd_expected_baseline != NULL && sd_expected_baseline[0] != '\0')
	{
		ew.baseline = sd_expected_baseline;
		call.job = JOB_DRIFT;
		if (!sd_util_try(run_job, &call, &error))
		{
			forget_schema_plans();
			ereport(WARNING,
					(errmsg("could not check %s against baseline \"%s\": %s",
							GetCommandTagName(tag), ew.baseline, error),
					 errdetail("The command was executed; whether it moved objects away from the baseline is not known."),
					 errhint("Check schemadrift.expected_baseline and the baseline's rows in schemadrift_baseline_objects; saving the baseline again rebuilds them.")));
		}
		else if (ew.drift != NIL)
			report_drift(&ew);
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/*
 * sd_history_init
 *		Define the settings of this module.  Called from _PG_init.
 */
void
sd_history_init(void)
{
	DefineCustomBoolVariable("schemadrift.object_history",
							 "Records the objects each DDL command touched, as the model reads them.",
							 "When on, the audit's event triggers read the "
							 "canonical attrs and hash of every object a "
							 "logged command touched (a table with its "
							 "columns, constraints, indexes and other "
							 "children) and keep them in "
							 "schemadrift_object_history, keyed by the log "
							 "row.  It costs a catalog read of those objects "
							 "per command.  Only superusers may change it.",
							 &sd_object_history,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("schemadrift.expected_baseline",
							   "The stored baseline this database's schema is expected to match.",
							   "When set, the audit's ddl_command_end and "
							   "sql_drop triggers compare the objects each "
							   "command touched with the baseline's rows and "
							   "report those that moved away from it with a "
							   "WARNING and NOTIFY schemadrift_drift.  Set it "
							   "per database: ALTER DATABASE ... SET "
							   "schemadrift.expected_baseline = "
							   "'release-2026.12'.  Only superusers may "
							   "change it.",
							   &sd_expected_baseline,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);
}
