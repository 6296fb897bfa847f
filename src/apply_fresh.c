/*-------------------------------------------------------------------------
 *
 * apply_fresh.c
 *	  What CREATE DATABASE makes: the objects a new database holds before
 *	  anything runs in it, for create scripts applied to one.
 *
 * A database made by CREATE DATABASE, from template0 or from a template1
 * left as initdb made it, is not empty: on PostgreSQL 15 to 18 it holds
 * schema public (owned by pg_database_owner, which keeps CREATE and USAGE,
 * USAGE granted to PUBLIC, commented "standard public schema") and
 * extension plpgsql (in pg_catalog, version 1.0, commented "PL/pgSQL
 * procedural language").  These are their rows as the catalog extraction
 * writes them when read with no options; they take the path of every
 * side's rows into an object set (rows.c), hashes included.
 *
 * A create script (schemadrift_create_sql) is planned against an empty
 * database.  It creates these two objects with IF NOT EXISTS, and then
 * sets what a new database gives them to the source's values (fix.c:
 * their owner, privileges and comment, undoing what the source lacks), so
 * it leaves the same schema on an empty database and on a new one;
 * schemadrift_apply (apply.c) runs it on either.
 *
 * IDENTIFICATION
 *	  src/apply_fresh.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "apply.h"
#include "kinds.h"
#include "objects.h"
#include "options.h"
#include "rows.h"
#include "util.h"

/*
 * The rows of a new database (PostgreSQL 15 to 18): kind, identity,
 * schema, key, parent, attrs, hash (NULL: computed from the attrs).
 */
static const char *const new_database_rows[][SD_ROW_NATTS] = {
	{"extension", "plpgsql", NULL, "{plpgsql}", NULL,
	"{\"schema\": \"pg_catalog\", \"comment\": \"PL/pgSQL procedural language\", \"version\": \"1.0\"}",
	NULL},
	{"schema", "public", "public", "{public}", NULL,
		"{\"owner\": \"pg_database_owner\", \"comment\": \"standard public schema\", "
		"\"privileges\": [\"(owner):CREATE\", \"(owner):USAGE\", \"PUBLIC:USAGE\"]}",
	NULL},
};

/*
 * sd_apply_fresh_set
 *		The objects of a new database, with their attrs, as a side read
 *		with no options ('{}') would hold them; sorted, in the current
 *		memory context.
 */
SdObjectSet *
sd_apply_fresh_set(void)
{
	SdObjectSet *set = palloc0(sizeof(SdObjectSet));
	SdRowReader reader;
	int			i;

	set->options = sd_options_parse(sd_jsonb_from_cstring("{}"));
	set->model_version = SD_MODEL_VERSION;
	set->server_version_num = PG_VERSION_NUM;
	set->server_version = PG_VERSION;
	sd_rows_begin(&reader, set, true, CurrentMemoryContext);
	for (i = 0; i < lengthof(new_database_rows); i++)
		sd_rows_add_text(&reader, (char **) new_database_rows[i], PG_UTF8);
	sd_rows_end(&reader);
	sd_objects_sort(set);
	return set;
}

/*
 * sd_apply_fresh_object
 *		The object kind/identity as a new database has it, or NULL when a
 *		new database has no such object.  In the current memory context.
 */
SdObject *
sd_apply_fresh_object(const char *kind, const char *identity)
{
	SdObjectSet *set = sd_apply_fresh_set();
	int			i;

	for (i = 0; i < set->nobjects; i++)
		if (strcmp(set->objects[i].kind, kind) == 0 &&
			strcmp(set->objects[i].identity, identity) == 0)
			return &set->objects[i];
	return NULL;
}
