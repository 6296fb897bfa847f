/*-------------------------------------------------------------------------
 *
 * catalog_global.c
 *	  The extraction query's arms for database-wide objects: publications
 *	  and their members, subscriptions, foreign-data wrappers, servers and
 *	  their user mappings, event triggers, default privileges, languages,
 *	  access methods, casts, transforms.
 *
 * Each arm appends one SELECT of (kind, identity, schema, key, parent,
 * attrs) to the query catalog.c builds, and may use its common tables (f,
 * nsp, rel).  These objects belong to no schema: their schema is NULL, and
 * include_schemas leaves them listed (the members of a publication only
 * when their table or schema is in scope).
 *
 * IDENTIFICATION
 *	  src/catalog_global.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_cast_d.h"
#include "catalog/pg_default_acl_d.h"
#include "catalog/pg_publication_d.h"
#include "catalog/pg_user_mapping_d.h"
#include "lib/stringinfo.h"

#include "catalog_attrs.h"
#include "catalog_global.h"

/*
 * append_global_object
 *		The SELECT of a database-wide kind of object named by one name (a
 *		publication, a wrapper, a server, an event trigger): identity the
 *		quoted name, key the raw name, the attrs o, from catalog (alias
 *		alias, its name column name) and the joins given, leaving out the
 *		members of an extension and, when filter is not NULL, the rows it
 *		rejects.
 */
static void
append_global_object(StringInfo buf, const char *kind, const char *catalog,
					 const char *alias, const char *name, const char *joins,
					 const char *filter, SdAttrs *o)
{
	appendStringInfo(buf,
					 "SELECT '%s', " QIDENT("%s.%s") ", " NO_SCHEMA ","
					 " ARRAY[%s.%s::pg_catalog.text], " NO_PARENT ", %s"
					 " FROM pg_catalog.%s %s CROSS JOIN f%s"
					 " LEFT JOIN pg_catalog.pg_description d ON d.objoid = %s.oid"
					 " AND d.classoid = %u AND d.objsubid = 0"
					 " WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
					 " WHERE e.classid = %u"
					 " AND e.objid = %s.oid AND e.deptype = 'e')%s%s",
					 kind, alias, name, alias, name, sd_attrs_sql(o),
					 catalog, alias, joins,
					 alias, sd_attrs_catalog_oid(catalog),
					 sd_attrs_catalog_oid(catalog), alias,
					 filter ? " AND " : "", filter ? filter : "");
}

/*
 * Publications.  The operations published are listed in a fixed order;
 * PostgreSQL 18's publish_generated_columns is left out at its default
 * ("none"), so that a publication made the same way on 15 and on 18 has
 * the same attrs.
 */
void
sd_catalog_append_publications(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "all_tables", JV_BOOL, "p.puballtables");
	sd_attrs_add(&o, "publish", JV_JSON,
				 "'[' || pg_catalog.concat_ws(', ',"
				 " CASE WHEN p.pubinsert THEN '\"insert\"' END, CASE WHEN p.pubupdate THEN '\"update\"' END,"
				 " CASE WHEN p.pubdelete THEN '\"delete\"' END, CASE WHEN p.pubtruncate THEN '\"truncate\"' END) || ']'");
	sd_attrs_add(&o, "publish_via_partition_root", JV_BOOL, "p.pubviaroot");
	if (server_version >= 180000)
		sd_attrs_add(&o, "publish_generated_columns", JV_TEXT,
					 "CASE p.pubgencols::pg_catalog.text WHEN 's' THEN 'stored' WHEN 'n' THEN NULL"
					 " ELSE p.pubgencols::pg_catalog.text END");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("p.pubowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_global_object(buf, "publication", "pg_publication", "p", "pubname", "", NULL, &o);
}

/*
 * The tables of a publication (FOR TABLE), children of the publication.
 * The identity is core's: the table's qualified name, then the
 * publication's name unquoted.  The column list is mapped from attnums to
 * names (in attnum order, as core keeps it); the row filter is deparsed
 * by core.  Tables out of scope (the rel CTE) are left out.
 */
void
sd_catalog_append_publication_relations(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "columns", JV_JSON,
				 psprintf("CASE WHEN pr.prattrs IS NOT NULL THEN %s END",
						  sd_attrs_string_array("a.attname",
												"pg_catalog.unnest(pr.prattrs::pg_catalog.int2[]) WITH ORDINALITY x(n, i)"
												" JOIN pg_catalog.pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = x.n",
												"x.i")));
	sd_attrs_add(&o, "row_filter", JV_TEXT, sd_attrs_table_expr("pr.prqual", "pr.prrelid"));

	appendStringInfo(buf,
					 "SELECT 'publication relation', r.ident || ' in publication ' || p.pubname, " NO_SCHEMA ","
					 " ARRAY[p.pubname::pg_catalog.text, r.nspname, r.relname], ARRAY[p.pubname::pg_catalog.text], %s"
					 " FROM pg_catalog.pg_publication_rel pr CROSS JOIN f"
					 " JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid"
					 " JOIN rel r ON r.oid = pr.prrelid"
					 " WHERE" NOT_EXT_MEMBER(PublicationRelationId, "p.oid"),
					 sd_attrs_sql(&o));
}

/*
 * The schemas of a publication (FOR TABLES IN SCHEMA), children of the
 * publication; core's identity names both unquoted.  They have no
 * attributes: being there is all there is.
 */
void
sd_catalog_append_publication_namespaces(StringInfo buf, int server_version)
{
	appendStringInfoString(buf,
						   "SELECT 'publication namespace', n.nspname || ' in publication ' || p.pubname, " NO_SCHEMA ","
						   " ARRAY[p.pubname::pg_catalog.text, n.nspname], ARRAY[p.pubname::pg_catalog.text], '{}'"
						   " FROM pg_catalog.pg_publication_namespace pn"
						   " JOIN pg_catalog.pg_publication p ON p.oid = pn.pnpubid"
						   " JOIN nsp n ON n.oid = pn.pnnspid"
						   " WHERE" NOT_EXT_MEMBER(PublicationRelationId, "p.oid"));
}

/*
 * Foreign-data wrappers: handler, validator, options (secrets left out,
 * see fdw_options), owner, privileges, comment.  A wrapper an extension
 * made (postgres_fdw's) is the extension's.
 */
void
sd_catalog_append_foreign_data_wrappers(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "handler", JV_TEXT, REGPROC("w.fdwhandler"));
	sd_attrs_add(&o, "validator", JV_TEXT, REGPROC("w.fdwvalidator"));
	sd_attrs_add(&o, "options", JV_JSON, sd_attrs_fdw_options("w.fdwoptions"));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("w.fdwowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("w.fdwacl", "w.fdwowner", "F"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_global_object(buf, "foreign-data wrapper", "pg_foreign_data_wrapper", "w", "fdwname", "",
						 NULL, &o);
}

/*
 * Foreign servers: wrapper, type, version, options (secrets left out, see
 * fdw_options), owner, privileges, comment.  A server folds its user
 * mappings into its row in a diff.
 */
void
sd_catalog_append_servers(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "wrapper", JV_TEXT, "w.fdwname");
	sd_attrs_add(&o, "type", JV_TEXT, "s.srvtype");
	sd_attrs_add(&o, "version", JV_TEXT, "s.srvversion");
	sd_attrs_add(&o, "options", JV_JSON, sd_attrs_fdw_options("s.srvoptions"));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("s.srvowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("s.srvacl", "s.srvowner", "S"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_global_object(buf, "server", "pg_foreign_server", "s", "srvname",
						 " JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw", NULL, &o);
}

/*
 * User mappings, children of their server: the server and the role (or
 * "public"), nothing else.  Their options hold passwords, and are visible
 * only to some readers (a fingerprint must not depend on who reads it): they
 * are never read, from pg_user_mappings, whose other columns anyone may
 * read.  The role goes through role_map.  The identity is core's: the
 * role quoted, the server not.
 */
void
sd_catalog_append_user_mappings(StringInfo buf, int server_version)
{
	appendStringInfoString(buf,
						   "SELECT 'user mapping',"
						   " CASE WHEN um.umuser = 0 THEN 'public' ELSE " QIDENT("um.role") " END"
						   " || ' on server ' || um.srvname, " NO_SCHEMA ","
						   " ARRAY[um.srvname::pg_catalog.text, um.role], ARRAY[um.srvname::pg_catalog.text], '{}'"
						   " FROM (SELECT u.umid, u.umuser, u.srvname,"
						   " CASE WHEN u.umuser = 0 THEN 'public' ELSE"
						   " COALESCE(f.rmap ->> u.usename::pg_catalog.text, u.usename::pg_catalog.text) END AS role"
						   " FROM pg_catalog.pg_user_mappings u CROSS JOIN f) um"
						   " WHERE" NOT_EXT_MEMBER(UserMappingRelationId, "um.umid"));
}

/*
 * Event triggers, except those of an extension (schemadrift's own among
 * them): event, command tags, function, enabled state, owner, comment.
 */
void
sd_catalog_append_event_triggers(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "event", JV_TEXT, "et.evtevent");
	sd_attrs_add(&o, "tags", JV_JSON, sd_attrs_sorted_array("et.evttags"));
	sd_attrs_add(&o, "function", JV_TEXT, REGPROC("et.evtfoid"));
	sd_attrs_add(&o, "enabled", JV_TEXT, ENABLED_STATE("et.evtenabled"));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("et.evtowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_global_object(buf, "event trigger", "pg_event_trigger", "et", "evtname", "", NULL, &o);
}

/*
 * Subscriptions of this database (pg_subscription is shared: subdbid
 * says whose): enabled, binary, streaming, two-phase, disable on error,
 * slot name, synchronous_commit, publications (sorted), and from
 * PostgreSQL 16 origin, password_required and run_as_owner, from 17
 * failover, these left out at their defaults (any, true, false, false) so
 * that a subscription made the same way on 15 and on 18 has the same
 * attrs; owner, comment (core keeps it in pg_description, not in the
 * shared pg_shdescription).  streaming stays: its default became parallel
 * in PostgreSQL 18, and the subscription does stream differently there.
 *
 * subconninfo is never read, not even hashed: it holds passwords, and only
 * superusers may read it.  Every other column read here is readable by
 * any role (core grants them to PUBLIC column by column, on 15 to 18), so
 * the query never names the table as a whole.  substream is a boolean on
 * 15 and a char from 16 (parallel streaming): both print as off, on or
 * parallel.  two_phase is true whether the slot's two-phase state is
 * still pending or already enabled (that moves on its own).
 */
void
sd_catalog_append_subscriptions(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "enabled", JV_BOOL, "sub.subenabled");
	sd_attrs_add(&o, "binary", JV_BOOL, "sub.subbinary");
	if (server_version >= 160000)
		sd_attrs_add(&o, "streaming", JV_TEXT,
					 "CASE sub.substream WHEN 'f' THEN 'off' WHEN 't' THEN 'on' WHEN 'p' THEN 'parallel'"
					 " ELSE sub.substream::pg_catalog.text END");
	else
		sd_attrs_add(&o, "streaming", JV_TEXT, "CASE WHEN sub.substream THEN 'on' ELSE 'off' END");
	sd_attrs_add(&o, "two_phase", JV_BOOL, "sub.subtwophasestate <> 'd'");
	sd_attrs_add(&o, "disable_on_error", JV_BOOL, "sub.subdisableonerr");
	sd_attrs_add(&o, "slot_name", JV_TEXT, "sub.subslotname");
	sd_attrs_add(&o, "synchronous_commit", JV_TEXT, "sub.subsynccommit");
	sd_attrs_add(&o, "publications", JV_JSON, sd_attrs_sorted_array("sub.subpublications"));
	if (server_version >= 160000)
	{
		sd_attrs_add(&o, "origin", JV_TEXT,
					 "CASE WHEN sub.suborigin <> 'any' THEN sub.suborigin END");
		sd_attrs_add(&o, "password_required", JV_BOOL,
					 "CASE WHEN NOT sub.subpasswordrequired THEN false END");
		sd_attrs_add(&o, "run_as_owner", JV_BOOL, "CASE WHEN sub.subrunasowner THEN true END");
	}
	if (server_version >= 170000)
		sd_attrs_add(&o, "failover", JV_BOOL, "CASE WHEN sub.subfailover THEN true END");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("sub.subowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_global_object(buf, "subscription", "pg_subscription", "sub", "subname", "",
						 "sub.subdbid = (SELECT db.oid FROM pg_catalog.pg_database db"
						 " WHERE db.datname = pg_catalog.current_database())", &o);
}

/*
 * Default privileges (ALTER DEFAULT PRIVILEGES): for a role (through
 * role_map), in a schema in scope or in none, on a kind of object; their
 * privileges as "grantee:PRIVILEGE" (the role itself written "(owner)"),
 * always listed: in a schema they add to the built-in defaults, in none
 * they replace them.  The identity is core's, the role mapped.  They are
 * privileges: under ignore privileges they are left out.
 */
void
sd_catalog_append_default_privileges(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_acl_list("da.defaclacl", "da.defaclrole"));

	appendStringInfo(buf,
					 "SELECT 'default acl', 'for role ' || " QIDENT("x.role")
					 " || COALESCE(' in schema ' || " QIDENT("n.nspname") ", '') || ' on ' || x.objtype,"
					 " n.nspname, ARRAY[x.role, COALESCE(n.nspname, ''), x.objtype], " NO_PARENT ", %s"
					 " FROM pg_catalog.pg_default_acl da CROSS JOIN f"
					 " LEFT JOIN nsp n ON n.oid = da.defaclnamespace"
					 " CROSS JOIN LATERAL (SELECT COALESCE(f.rmap ->> pg_catalog.pg_get_userbyid(da.defaclrole),"
					 " pg_catalog.pg_get_userbyid(da.defaclrole)::pg_catalog.text) AS role,"
					 " CASE da.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'"
					 " WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas'"
					 " WHEN 'L' THEN 'large objects' ELSE da.defaclobjtype::pg_catalog.text END AS objtype) x"
					 " WHERE NOT f.no_acl AND (da.defaclnamespace = 0 OR n.oid IS NOT NULL)"
					 " AND" NOT_EXT_MEMBER(DefaultAclRelationId, "da.oid"),
					 sd_attrs_sql(&o));
}

/*
 * Procedural languages made after initdb and not by an extension (plpgsql
 * is its extension's): trusted, handler, inline and validator functions,
 * owner, privileges, comment.
 */
void
sd_catalog_append_languages(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "trusted", JV_BOOL, "l.lanpltrusted");
	sd_attrs_add(&o, "handler", JV_TEXT, REGPROC("l.lanplcallfoid"));
	sd_attrs_add(&o, "inline", JV_TEXT, REGPROC("l.laninline"));
	sd_attrs_add(&o, "validator", JV_TEXT, REGPROC("l.lanvalidator"));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("l.lanowner"));
	sd_attrs_add(&o, "privileges", JV_JSON, sd_attrs_privileges("l.lanacl", "l.lanowner", "l"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_global_object(buf, "language", "pg_language", "l", "lanname", "",
						 USER_OID("l.oid"), &o);
}

/*
 * Access methods made after initdb and not by an extension: type (index
 * or table), handler, comment.
 */
void
sd_catalog_append_access_methods(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "type", JV_TEXT,
				 "CASE am.amtype WHEN 'i' THEN 'index' WHEN 't' THEN 'table' ELSE am.amtype::pg_catalog.text END");
	sd_attrs_add(&o, "handler", JV_TEXT, REGPROC("am.amhandler"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_global_object(buf, "access method", "pg_am", "am", "amname", "",
						 USER_OID("am.oid"), &o);
}

/*
 * append_user_object
 *		The SELECT of a database-wide kind of object made after initdb and
 *		not named by one name (a cast, a transform): identity core's, key
 *		the text[] expression key, the attrs o, from catalog (alias alias)
 *		and the joins given, leaving out the members of an extension and,
 *		when filter is not NULL, the rows it rejects.
 */
static void
append_user_object(StringInfo buf, const char *kind, const char *catalog,
				   const char *alias, const char *key, const char *joins,
				   const char *filter, SdAttrs *o)
{
	appendStringInfo(buf,
					 "SELECT '%s', (pg_catalog.pg_identify_object(%u, %s.oid, 0)).identity,"
					 " " NO_SCHEMA ", %s, " NO_PARENT ", %s"
					 " FROM pg_catalog.%s %s CROSS JOIN f%s"
					 " LEFT JOIN pg_catalog.pg_description d ON d.objoid = %s.oid"
					 " AND d.classoid = %u AND d.objsubid = 0"
					 " WHERE %s.oid >= '" CppAsString2(FirstNormalObjectId) "'::pg_catalog.oid"
					 " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
					 " WHERE e.classid = %u"
					 " AND e.objid = %s.oid AND e.deptype = 'e')%s%s",
					 kind, sd_attrs_catalog_oid(catalog), alias, key, sd_attrs_sql(o),
					 catalog, alias, joins, alias, sd_attrs_catalog_oid(catalog), alias,
					 sd_attrs_catalog_oid(catalog), alias,
					 filter ? " AND " : "", filter ? filter : "");
}

/*
 * Casts made after initdb, not by an extension nor by a type for itself
 * (a range type's cast to its multirange): function, context (explicit,
 * assignment, implicit), method (function, inout, binary), comment.  The
 * identity is core's; the key the raw schema and name of both types.
 */
void
sd_catalog_append_casts(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "function", JV_TEXT, REGPROC("c.castfunc"));
	sd_attrs_add(&o, "context", JV_TEXT,
				 "CASE c.castcontext WHEN 'e' THEN 'explicit' WHEN 'a' THEN 'assignment'"
				 " WHEN 'i' THEN 'implicit' END");
	sd_attrs_add(&o, "method", JV_TEXT,
				 "CASE c.castmethod WHEN 'f' THEN 'function' WHEN 'i' THEN 'inout' WHEN 'b' THEN 'binary' END");
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_user_object(buf, "cast", "pg_cast", "c",
					   TYPE_KEY("c.castsource") " || " TYPE_KEY("c.casttarget"), "",
					   "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep"
					   " WHERE dep.classid = " CppAsString2(CastRelationId) " AND dep.objid = c.oid"
					   " AND dep.deptype = 'i')", &o);
}

/*
 * Transforms made after initdb and not by an extension: their from-SQL
 * and to-SQL functions, comment.  The identity is core's; the key the
 * type's raw schema and name, and the language.
 */
void
sd_catalog_append_transforms(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "from_sql", JV_TEXT, REGPROC("tr.trffromsql"));
	sd_attrs_add(&o, "to_sql", JV_TEXT, REGPROC("tr.trftosql"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	append_user_object(buf, "transform", "pg_transform", "tr",
					   TYPE_KEY("tr.trftype") " || ARRAY[l.lanname::pg_catalog.text]",
					   " JOIN pg_catalog.pg_language l ON l.oid = tr.trflang", NULL, &o);
}
