/*-------------------------------------------------------------------------
 *
 * guard_target.c
 *	  What a DDL command changes, read from its parse tree for the guard.
 *
 * At ddl_command_start the guard has the raw parse tree of the command
 * (EventTriggerData.parsetree) and nothing else: the command has not run,
 * and PostgreSQL has checked nothing (not even that the objects exist).
 * This file turns the tree into targets: one (command tag, schema, object)
 * per object the command names, with the schema it really lives in or will
 * be created in.  Names are resolved the way the command will resolve them
 * (search_path, the creation namespace) but without taking any lock:
 * RangeVarGetRelidExtended(..., NoLock, RVR_MISSING_OK, ...) for relations,
 * syscache lookups for the other kinds (get_object_address would lock, and
 * invite lock-upgrade deadlocks).
 *
 * Rules of the reading:
 *	- an object that does not exist yields no target: the command will fail
 *	  with PostgreSQL's own error, or (IF EXISTS) do nothing to it; when its
 *	  name is qualified its schema is still judged;
 *	- temporary objects yield no target (they are not schema);
 *	- objects outside schemas (extensions, foreign servers, languages, ...)
 *	  yield a target with no schema, and so does a command this file does
 *	  not know how to read (marked unresolved): the rules let such targets
 *	  through only with the schema pattern '*' (fail closed);
 *	- CREATE SCHEMA ... CREATE TABLE ... yields the schema and one target
 *	  per element, with the element's own command tag (the elements run as
 *	  subcommands with no ddl_command_start of their own);
 *	- ALTER ... SET SCHEMA yields the object where it is and again in its
 *	  new schema.
 *
 * IDENTIFICATION
 *	  src/guard_target.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_conversion.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_ts_parser.h"
#include "catalog/pg_ts_template.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "parser/parse_oper.h"
#include "parser/parse_type.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "compat.h"
#include "guard.h"

/*
 * sd_guard_target_make
 *		A new target; the strings are copied into the current memory context.
 *		object NULL shows as the schema, or "(no schema)", or "(unresolved)".
 */
GuardTarget *
sd_guard_target_make(CommandTag tag, const char *schema, const char *object,
					 bool resolved)
{
	GuardTarget *t = palloc0(sizeof(GuardTarget));

	t->tag = tag;
	t->schema = schema ? pstrdup(schema) : NULL;
	t->object = pstrdup(object ? object : schema ? schema :
						resolved ? "(no schema)" : "(unresolved)");
	t->resolved = resolved;
	return t;
}

/*
 * add
 *		Append a target to *targets.
 */
static void
add(List **targets, CommandTag tag, const char *schema, const char *object,
	bool resolved)
{
	*targets = lappend(*targets, sd_guard_target_make(tag, schema, object, resolved));
}

/*
 * add_in_namespace
 *		Append a target for object name in namespace nspid, unless that is a
 *		temporary namespace.
 */
static void
add_in_namespace(List **targets, CommandTag tag, Oid nspid, const char *name)
{
	char	   *schema;

	if (isAnyTempNamespace(nspid))
		return;
	schema = get_namespace_name(nspid);
	if (schema == NULL)
		return;
	add(targets, tag, schema, quote_qualified_identifier(schema, name), true);
}

/*
 * add_created_relation
 *		A relation (or composite type) the command creates: it goes into
 *		the schema named, or the creation namespace of the search_path.
 *		Temporary relations are not judged; nor is pg_temp looked up (that
 *		would create this session's temporary schema).
 */
static void
add_created_relation(List **targets, CommandTag tag, RangeVar *rv)
{
	if (rv == NULL || rv->relpersistence == RELPERSISTENCE_TEMP ||
		(rv->schemaname != NULL && strcmp(rv->schemaname, "pg_temp") == 0))
		return;
	add_in_namespace(targets, tag, RangeVarGetCreationNamespace(rv), rv->relname);
}

/*
 * add_existing_relation
 *		A relation the command changes, resolved as the command will resolve
 *		it but without a lock.  A missing relation yields a target only if
 *		its schema is named.
 */
static void
add_existing_relation(List **targets, CommandTag tag, RangeVar *rv)
{
	Oid			relid;

	if (rv == NULL)
		return;
	relid = RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
	if (OidIsValid(relid))
		add_in_namespace(targets, tag, get_rel_namespace(relid), get_rel_name(relid));
	else if (rv->schemaname != NULL && strcmp(rv->schemaname, "pg_temp") != 0)
		add(targets, tag, rv->schemaname,
			quote_qualified_identifier(rv->schemaname, rv->relname), true);
}

/*
 * add_created_name
 *		An object the command creates under a qualified name (a function,
 *		type, operator, ...): the schema named, or the creation namespace.
 */
static void
add_created_name(List **targets, CommandTag tag, List *names)
{
	char	   *objname;
	Oid			nspid;

	if (names == NIL)
		return;
	nspid = QualifiedNameGetCreationNamespace(names, &objname);
	add_in_namespace(targets, tag, nspid, objname);
}

/*
 * add_by_address
 *		An object found by a lookup (classid, objid), or, if the lookup found
 *		nothing, by the schema its name gives, if any.
 */
static void
add_by_address(List **targets, CommandTag tag, Oid classid, Oid objid,
			   List *names)
{
	char	   *schema;
	char	   *objname;

	if (OidIsValid(objid))
	{
		ObjectAddress addr;
		Oid			nspid;

		addr.classId = classid;
		addr.objectId = objid;
		addr.objectSubId = 0;
		nspid = get_object_namespace(&addr);
		if (OidIsValid(nspid))
		{
			DeconstructQualifiedName(names, &schema, &objname);
			add_in_namespace(targets, tag, nspid, objname);
			return;
		}
	}
	DeconstructQualifiedName(names, &schema, &objname);
	if (schema != NULL)
		add(targets, tag, schema, quote_qualified_identifier(schema, objname), true);
}

/*
 * add_type
 *		An existing type or domain, given as a TypeName or a name list.
 */
static void
add_type(List **targets, CommandTag tag, Node *object)
{
	TypeName   *tn;

	if (IsA(object, TypeName))
		tn = (TypeName *) object;
	else
		tn = makeTypeNameFromNameList(castNode(List, object));
	add_by_address(targets, tag, TypeRelationId,
				   LookupTypeNameOid(NULL, tn, true), tn->names);
}

/*
 * add_named_object
 *		An existing object the command names, in the representation of
 *		DropStmt.objects, CommentStmt.object and the like for objtype.
 */
static void
add_named_object(List **targets, CommandTag tag, ObjectType objtype, Node *object)
{
	List	   *names;

	switch (objtype)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
		case OBJECT_FOREIGN_TABLE:
			add_existing_relation(targets, tag,
								  makeRangeVarFromNameList(castNode(List, object)));
			break;

		case OBJECT_COLUMN:
		case OBJECT_TRIGGER:
		case OBJECT_POLICY:
		case OBJECT_RULE:
		case OBJECT_TABCONSTRAINT:
			/* the table's name, then the object's */
			names = castNode(List, object);
			if (list_length(names) >= 2)
				add_existing_relation(targets, tag,
									  makeRangeVarFromNameList(list_truncate(list_copy(names),
																			 list_length(names) - 1)));
			break;

		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			/* a TypeName (DROP, COMMENT) or a name list (RENAME, OWNER) */
			add_type(targets, tag, object);
			break;

		case OBJECT_DOMCONSTRAINT:
			/* the domain's name list (RENAME), or (TypeName, name) (COMMENT) */
			names = castNode(List, object);
			if (names != NIL && IsA(linitial(names), TypeName))
				add_type(targets, tag, linitial(names));
			else
				add_type(targets, tag, object);
			break;

		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_AGGREGATE:
			{
				ObjectWithArgs *owa = castNode(ObjectWithArgs, object);

				add_by_address(targets, tag, ProcedureRelationId,
							   LookupFuncWithArgs(objtype, owa, true), owa->objname);
			}
			break;

		case OBJECT_OPERATOR:
			{
				ObjectWithArgs *owa = castNode(ObjectWithArgs, object);

				add_by_address(targets, tag, OperatorRelationId,
							   LookupOperWithArgs(owa, true), owa->objname);
			}
			break;

		case OBJECT_COLLATION:
			names = castNode(List, object);
			add_by_address(targets, tag, CollationRelationId,
						   get_collation_oid(names, true), names);
			break;
		case OBJECT_CONVERSION:
			names = castNode(List, object);
			add_by_address(targets, tag, ConversionRelationId,
						   get_conversion_oid(names, true), names);
			break;
		case OBJECT_STATISTIC_EXT:
			names = castNode(List, object);
			add_by_address(targets, tag, StatisticExtRelationId,
						   get_statistics_object_oid(names, true), names);
			break;
		case OBJECT_TSPARSER:
			names = castNode(List, object);
			add_by_address(targets, tag, TSParserRelationId,
						   get_ts_parser_oid(names, true), names);
			break;
		case OBJECT_TSDICTIONARY:
			names = castNode(List, object);
			add_by_address(targets, tag, TSDictionaryRelationId,
						   get_ts_dict_oid(names, true), names);
			break;
		case OBJECT_TSTEMPLATE:
			names = castNode(List, object);
			add_by_address(targets, tag, TSTemplateRelationId,
						   get_ts_template_oid(names, true), names);
			break;
		case OBJECT_TSCONFIGURATION:
			names = castNode(List, object);
			add_by_address(targets, tag, TSConfigRelationId,
						   get_ts_config_oid(names, true), names);
			break;

		case OBJECT_OPCLASS:
		case OBJECT_OPFAMILY:
			/* the access method's name, then the qualified name */
			names = castNode(List, object);
			if (list_length(names) >= 2)
				add_by_address(targets, tag, InvalidOid, InvalidOid,
							   list_copy_tail(names, 1));
			if (list_length(names) < 3)
				add(targets, tag, NULL, NameListToString(list_copy_tail(names, 1)), false);
			break;

		case OBJECT_SCHEMA:
			add(targets, tag, strVal(object), quote_identifier(strVal(object)), true);
			break;

		case OBJECT_ACCESS_METHOD:
		case OBJECT_CAST:
		case OBJECT_DATABASE:
		case OBJECT_EVENT_TRIGGER:
		case OBJECT_EXTENSION:
		case OBJECT_FDW:
		case OBJECT_FOREIGN_SERVER:
		case OBJECT_LANGUAGE:
		case OBJECT_LARGEOBJECT:
		case OBJECT_PARAMETER_ACL:
		case OBJECT_PUBLICATION:
		case OBJECT_PUBLICATION_NAMESPACE:
		case OBJECT_PUBLICATION_REL:
		case OBJECT_ROLE:
		case OBJECT_SUBSCRIPTION:
		case OBJECT_TABLESPACE:
		case OBJECT_TRANSFORM:
		case OBJECT_USER_MAPPING:
			/* outside schemas */
			add(targets, tag, NULL,
				(object != NULL && IsA(object, String)) ? quote_identifier(strVal(object)) : NULL,
				true);
			break;

		default:
			add(targets, tag, NULL, NULL, false);
			break;
	}
}

/*
 * add_relation_or_object
 *		The existing object of a RenameStmt, AlterObjectSchemaStmt or
 *		AlterOwnerStmt: a relation, or another object.
 */
static void
add_relation_or_object(List **targets, CommandTag tag, ObjectType objtype,
					   RangeVar *relation, Node *object)
{
	if (relation != NULL)
		add_existing_relation(targets, tag, relation);
	else if (object != NULL)
		add_named_object(targets, tag, objtype, object);
	else
		add(targets, tag, NULL, NULL, false);
}

/*
 * add_grant
 *		The objects of a GRANT or REVOKE.
 */
static void
add_grant(List **targets, CommandTag tag, GrantStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Node	   *obj = lfirst(lc);

		if (stmt->targtype == ACL_TARGET_ALL_IN_SCHEMA)
			add(targets, tag, strVal(obj), quote_identifier(strVal(obj)), true);
		else if (IsA(obj, RangeVar))
			add_existing_relation(targets, tag, (RangeVar *) obj);
		else
			add_named_object(targets, tag, stmt->objtype, obj);
	}
}

/*
 * add_default_privileges
 *		ALTER DEFAULT PRIVILEGES: the schemas of IN SCHEMA, or no schema
 *		(it then applies everywhere).
 */
static void
add_default_privileges(List **targets, CommandTag tag, AlterDefaultPrivilegesStmt *stmt)
{
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "schemas") != 0)
			continue;
		foreach(lc2, castNode(List, opt->arg))
			add(targets, tag, strVal(lfirst(lc2)), quote_identifier(strVal(lfirst(lc2))), true);
		return;
	}
	add(targets, tag, NULL, "default privileges in every schema", true);
}

/*
 * add_schema
 *		CREATE SCHEMA and its elements, each under its own command tag and
 *		in the new schema (PostgreSQL refuses elements qualified with another
 *		schema).
 */
static void
add_schema(List **targets, CommandTag tag, CreateSchemaStmt *stmt)
{
	const char *schema = stmt->schemaname;
	ListCell   *lc;

	if (schema == NULL)
		schema = get_rolespec_name(stmt->authrole);
	add(targets, tag, schema, quote_identifier(schema), true);

	foreach(lc, stmt->schemaElts)
	{
		Node	   *elem = lfirst(lc);
		const char *name = NULL;

		if (IsA(elem, CreateStmt))
			name = ((CreateStmt *) elem)->relation->relname;
		else if (IsA(elem, ViewStmt))
			name = ((ViewStmt *) elem)->view->relname;
		else if (IsA(elem, CreateSeqStmt))
			name = ((CreateSeqStmt *) elem)->sequence->relname;
		else if (IsA(elem, IndexStmt))
			name = ((IndexStmt *) elem)->relation->relname;
		else if (IsA(elem, CreateTrigStmt))
			name = ((CreateTrigStmt *) elem)->relation->relname;
		add(targets, CreateCommandTag(elem), schema,
			name ? quote_qualified_identifier(schema, name) : quote_identifier(schema),
			true);
	}
}

/*
 * sd_guard_targets
 *		The targets of the command parsetree, judged under tag; a List of
 *		GuardTarget in the current memory context.  An empty list means the
 *		command changes nothing the rules cover (a temporary object, or an
 *		object that does not exist).
 */
List *
sd_guard_targets(Node *parsetree, CommandTag tag)
{
	List	   *targets = NIL;
	ListCell   *lc;

	switch (nodeTag(parsetree))
	{
		case T_CreateStmt:
		case T_CreateForeignTableStmt:
			add_created_relation(&targets, tag, ((CreateStmt *) parsetree)->relation);
			break;
		case T_CreateTableAsStmt:
			add_created_relation(&targets, tag, ((CreateTableAsStmt *) parsetree)->into->rel);
			break;
		case T_ViewStmt:
			add_created_relation(&targets, tag, ((ViewStmt *) parsetree)->view);
			break;
		case T_CreateSeqStmt:
			add_created_relation(&targets, tag, ((CreateSeqStmt *) parsetree)->sequence);
			break;
		case T_CompositeTypeStmt:
			add_created_relation(&targets, tag, ((CompositeTypeStmt *) parsetree)->typevar);
			break;

		case T_AlterSeqStmt:
			add_existing_relation(&targets, tag, ((AlterSeqStmt *) parsetree)->sequence);
			break;
		case T_IndexStmt:
			/* an index lives in its table's schema */
			add_existing_relation(&targets, tag, ((IndexStmt *) parsetree)->relation);
			break;
		case T_AlterTableStmt:
			add_existing_relation(&targets, tag, ((AlterTableStmt *) parsetree)->relation);
			break;
		case T_CreateTrigStmt:
			add_existing_relation(&targets, tag, ((CreateTrigStmt *) parsetree)->relation);
			break;
		case T_CreatePolicyStmt:
			add_existing_relation(&targets, tag, ((CreatePolicyStmt *) parsetree)->table);
			break;
		case T_AlterPolicyStmt:
			add_existing_relation(&targets, tag, ((AlterPolicyStmt *) parsetree)->table);
			break;
		case T_RuleStmt:
			add_existing_relation(&targets, tag, ((RuleStmt *) parsetree)->relation);
			break;
		case T_RefreshMatViewStmt:
			add_existing_relation(&targets, tag, ((RefreshMatViewStmt *) parsetree)->relation);
			break;
		case T_ReindexStmt:
			{
				ReindexStmt *stmt = (ReindexStmt *) parsetree;

				if (stmt->relation != NULL)
					add_existing_relation(&targets, tag, stmt->relation);
				else if (stmt->kind == REINDEX_OBJECT_SCHEMA)
					add(&targets, tag, stmt->name, quote_identifier(stmt->name), true);
				else
					add(&targets, tag, NULL, NULL, true);
			}
			break;

		case T_RenameStmt:
			{
				RenameStmt *stmt = (RenameStmt *) parsetree;

				if (stmt->renameType == OBJECT_SCHEMA)
				{
					add(&targets, tag, stmt->subname, quote_identifier(stmt->subname), true);
					add(&targets, tag, stmt->newname, quote_identifier(stmt->newname), true);
				}
				else
					add_relation_or_object(&targets, tag, stmt->renameType,
										   stmt->relation, stmt->object);
			}
			break;
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *stmt = (AlterObjectSchemaStmt *) parsetree;
				GuardTarget *old;

				add_relation_or_object(&targets, tag, stmt->objectType,
									   stmt->relation, stmt->object);
				/* and where it goes */
				old = targets != NIL ? llast(targets) : NULL;
				add(&targets, tag, stmt->newschema,
					(old && old->schema) ?
					quote_qualified_identifier(stmt->newschema,
											   strrchr(old->object, '.') ?
											   strrchr(old->object, '.') + 1 : old->object) :
					quote_identifier(stmt->newschema), true);
			}
			break;
		case T_AlterOwnerStmt:
			{
				AlterOwnerStmt *stmt = (AlterOwnerStmt *) parsetree;

				add_relation_or_object(&targets, tag, stmt->objectType,
									   stmt->relation, stmt->object);
			}
			break;
		case T_DropStmt:
			{
				DropStmt   *stmt = (DropStmt *) parsetree;

				foreach(lc, stmt->objects)
					add_named_object(&targets, tag, stmt->removeType, lfirst(lc));
			}
			break;
		case T_CommentStmt:
			add_named_object(&targets, tag, ((CommentStmt *) parsetree)->objtype,
							 ((CommentStmt *) parsetree)->object);
			break;
		case T_SecLabelStmt:
			add_named_object(&targets, tag, ((SecLabelStmt *) parsetree)->objtype,
							 ((SecLabelStmt *) parsetree)->object);
			break;

		case T_CreateSchemaStmt:
			add_schema(&targets, tag, (CreateSchemaStmt *) parsetree);
			break;

		case T_CreateFunctionStmt:
			add_created_name(&targets, tag, ((CreateFunctionStmt *) parsetree)->funcname);
			break;
		case T_DefineStmt:
			add_created_name(&targets, tag, ((DefineStmt *) parsetree)->defnames);
			break;
		case T_CreateEnumStmt:
			add_created_name(&targets, tag, ((CreateEnumStmt *) parsetree)->typeName);
			break;
		case T_CreateRangeStmt:
			add_created_name(&targets, tag, ((CreateRangeStmt *) parsetree)->typeName);
			break;
		case T_CreateDomainStmt:
			add_created_name(&targets, tag, ((CreateDomainStmt *) parsetree)->domainname);
			break;
		case T_CreateConversionStmt:
			add_created_name(&targets, tag, ((CreateConversionStmt *) parsetree)->conversion_name);
			break;
		case T_CreateOpClassStmt:
			add_created_name(&targets, tag, ((CreateOpClassStmt *) parsetree)->opclassname);
			break;
		case T_CreateOpFamilyStmt:
			add_created_name(&targets, tag, ((CreateOpFamilyStmt *) parsetree)->opfamilyname);
			break;
		case T_CreateStatsStmt:
			{
				CreateStatsStmt *stmt = (CreateStatsStmt *) parsetree;

				if (stmt->defnames != NIL)
					add_created_name(&targets, tag, stmt->defnames);
				else if (stmt->relations != NIL && IsA(linitial(stmt->relations), RangeVar))
					add_existing_relation(&targets, tag, linitial(stmt->relations));
				else
					add(&targets, tag, NULL, NULL, false);
			}
			break;

		case T_AlterEnumStmt:
			add_named_object(&targets, tag, OBJECT_TYPE,
							 (Node *) ((AlterEnumStmt *) parsetree)->typeName);
			break;
		case T_AlterDomainStmt:
			add_named_object(&targets, tag, OBJECT_DOMAIN,
							 (Node *) ((AlterDomainStmt *) parsetree)->typeName);
			break;
		case T_AlterTypeStmt:
			add_named_object(&targets, tag, OBJECT_TYPE,
							 (Node *) ((AlterTypeStmt *) parsetree)->typeName);
			break;
		case T_AlterFunctionStmt:
			add_named_object(&targets, tag, ((AlterFunctionStmt *) parsetree)->objtype,
							 (Node *) ((AlterFunctionStmt *) parsetree)->func);
			break;
		case T_AlterOperatorStmt:
			add_named_object(&targets, tag, OBJECT_OPERATOR,
							 (Node *) ((AlterOperatorStmt *) parsetree)->opername);
			break;
		case T_AlterCollationStmt:
			add_named_object(&targets, tag, OBJECT_COLLATION,
							 (Node *) ((AlterCollationStmt *) parsetree)->collname);
			break;
		case T_AlterStatsStmt:
			add_named_object(&targets, tag, OBJECT_STATISTIC_EXT,
							 (Node *) ((AlterStatsStmt *) parsetree)->defnames);
			break;
		case T_AlterTSDictionaryStmt:
			add_named_object(&targets, tag, OBJECT_TSDICTIONARY,
							 (Node *) ((AlterTSDictionaryStmt *) parsetree)->dictname);
			break;
		case T_AlterTSConfigurationStmt:
			add_named_object(&targets, tag, OBJECT_TSCONFIGURATION,
							 (Node *) ((AlterTSConfigurationStmt *) parsetree)->cfgname);
			break;
		case T_AlterOpFamilyStmt:
			{
				AlterOpFamilyStmt *stmt = (AlterOpFamilyStmt *) parsetree;

				add_named_object(&targets, tag, OBJECT_OPFAMILY,
								 (Node *) lcons(makeString(stmt->amname),
												list_copy(stmt->opfamilyname)));
			}
			break;

		case T_GrantStmt:
			add_grant(&targets, tag, (GrantStmt *) parsetree);
			break;
		case T_AlterDefaultPrivilegesStmt:
			add_default_privileges(&targets, tag, (AlterDefaultPrivilegesStmt *) parsetree);
			break;
		case T_ImportForeignSchemaStmt:
			{
				char	   *schema = ((ImportForeignSchemaStmt *) parsetree)->local_schema;

				add(&targets, tag, schema, quote_identifier(schema), true);
			}
			break;

		case T_CreateExtensionStmt:
			/* judged as an extension (outside schemas), whatever its SCHEMA */
			add(&targets, tag, NULL,
				quote_identifier(((CreateExtensionStmt *) parsetree)->extname), true);
			break;
		case T_AlterExtensionStmt:
			add(&targets, tag, NULL,
				quote_identifier(((AlterExtensionStmt *) parsetree)->extname), true);
			break;
		case T_AlterExtensionContentsStmt:
			add(&targets, tag, NULL,
				quote_identifier(((AlterExtensionContentsStmt *) parsetree)->extname), true);
			break;

		case T_CreateFdwStmt:
		case T_AlterFdwStmt:
		case T_CreateForeignServerStmt:
		case T_AlterForeignServerStmt:
		case T_CreateUserMappingStmt:
		case T_AlterUserMappingStmt:
		case T_DropUserMappingStmt:
		case T_CreatePLangStmt:
		case T_CreateAmStmt:
		case T_CreateCastStmt:
		case T_CreateTransformStmt:
		case T_CreatePublicationStmt:
		case T_AlterPublicationStmt:
		case T_CreateSubscriptionStmt:
		case T_AlterSubscriptionStmt:
		case T_DropSubscriptionStmt:
		case T_DropOwnedStmt:
		case T_ReassignOwnedStmt:
			/* outside schemas (DROP OWNED's drops are judged at sql_drop) */
			add(&targets, tag, NULL, NULL, true);
			break;

		default:
			add(&targets, tag, NULL, NULL, false);
			break;
	}
	return targets;
}
