/*-------------------------------------------------------------------------
 *
 * side.c
 *	  Sides named by text: this database, a foreign server, and what is
 *	  refused (a connection string); the objects and fingerprint of a side.
 *
 * A side is NULL (this database), a snapshot (jsonb, snapshot.c), or the
 * name of a foreign server of the postgres_fdw or dblink_fdw wrapper, read
 * over libpq with the caller's user mapping (side_remote.c).  A raw
 * connection string is never a side, for anyone: the statement that named
 * it would carry its password into the server log and pg_stat_activity.
 * Names that start with "baseline:" are stored baselines (baseline.c).
 *
 * IDENTIFICATION
 *	  src/side.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "compat.h"
#include "side.h"
#include "util.h"
#include "workflow.h"

/*
 * sd_side_inconsistent
 *		Fail because concurrent DDL kept changing the schema of a side
 *		(server NULL: this database) through every attempt to read it.
 */
void
sd_side_inconsistent(const char *server)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 server ?
			 errmsg("could not read a consistent schema from server \"%s\": it changed while it was being read", server) :
			 errmsg("could not read a consistent schema: it changed while it was being read"),
			 errdetail("Concurrent DDL committed during each of %d attempts.",
					   SD_EXTRACT_ATTEMPTS),
			 errhint("Retry the command when the concurrent schema changes have finished.")));
}

/*
 * looks_like_conninfo
 *		Whether name looks like a libpq connection string or URI rather than
 *		a server name: key=value pairs, or a postgres:// URI.
 */
static bool
looks_like_conninfo(const char *name)
{
	return strchr(name, '=') != NULL ||
		strncmp(name, "postgres://", 11) == 0 ||
		strncmp(name, "postgresql://", 13) == 0;
}

/*
 * sd_side_check_name
 *		Check that name (given as argument argname) can name a foreign server
 *		side.  A name that is not a foreign server and looks like a
 *		connection string is refused without repeating it: it may hold a
 *		password.
 */
void
sd_side_check_name(const char *name, const char *argname)
{
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is an empty server name", argname),
				 errhint("Pass NULL, or omit the argument, for this database.")));

	if (sd_side_is_baseline(name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" names a stored baseline, not a foreign server", name),
				 errdetail("\"%s\" must be a foreign server here.", argname),
				 errhint("Pass the baseline as the source or target of schemadrift_diff().")));

	if (GetForeignServerByName(name, true) == NULL && looks_like_conninfo(name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a connection string cannot be a side"),
				 errdetail("\"%s\" is neither this database nor a foreign server; a connection string would carry its password into the server log.",
						   argname),
				 errhint("Create a foreign server (CREATE SERVER ... FOREIGN DATA WRAPPER postgres_fdw) and a user mapping for it, and pass the server's name.")));
}

/*
 * sd_side_read_named
 *		The objects of the side named name (given as argument argname):
 *		this database when name is NULL, a stored baseline when name is
 *		"baseline:NAME", otherwise a foreign server.  Sorted,
 *		in the current memory context; with attrs only if with_attrs.
 */
SdObjectSet *
sd_side_read_named(const char *name, const char *argname, SdOptions *options,
				   bool with_attrs)
{
	if (name == NULL)
		return sd_side_local_read(options, with_attrs);
	if (sd_side_is_baseline(name))
		return sd_baseline_read(name, argname, options);
	sd_side_check_name(name, argname);
	return sd_side_remote_read(name, options, with_attrs, NULL);
}

/* the server argument of a function that reads one side, or NULL */
static char *
server_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* ---- SQL-callable functions ---------------------------------------------- */

PG_FUNCTION_INFO_V1(schemadrift_objects);
PG_FUNCTION_INFO_V1(schemadrift_fingerprint);

/*
 * schemadrift_objects(options jsonb, server text) -> TABLE(kind, identity, attrs, hash)
 *
 * The server argument is absent from 0.1.0's declaration.
 */
Datum
schemadrift_objects(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	char	   *server = server_arg(fcinfo, 1);
	SdObjectSet *set;
	int			i;

	MemoryContext rowcxt;

	InitMaterializedSRF(fcinfo, 0);
	set = sd_side_read_named(server, "server", options, true);
	sd_objects_report_unsupported(set);

	/* each row's datums are copied into the tuplestore: free them at once */
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "schemadrift objects row",
								   ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < set->nobjects; i++)
	{
		SdObject   *obj = &set->objects[i];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		MemoryContext old = MemoryContextSwitchTo(rowcxt);

		values[0] = CStringGetTextDatum(obj->kind);
		values[1] = CStringGetTextDatum(obj->identity);
		/* a baseline's objects hold parsed attrs only */
		values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(sd_object_attrs_text(obj)));
		values[3] = CStringGetTextDatum(obj->hash);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);
	return (Datum) 0;
}

/*
 * schemadrift_fingerprint(options jsonb, server text) -> text
 */
Datum
schemadrift_fingerprint(PG_FUNCTION_ARGS)
{
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	char	   *server = server_arg(fcinfo, 1);
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext workcxt;
	SdObjectSet *set;
	char		root[SD_SHA256_HEX_LEN + 1];

	workcxt = AllocSetContextCreate(callercxt, "schemadrift fingerprint",
									ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(workcxt);
	if (server != NULL && !sd_side_is_baseline(server))
	{
		/* hash first: one hash per schema travels */
		sd_side_check_name(server, "server");
		sd_side_remote_fingerprint(server, options, root);
	}
	else
	{
		set = sd_side_read_named(server, "server", options, false);
		sd_objects_report_unsupported(set);
		sd_objects_fingerprint(set, root);
	}
	MemoryContextSwitchTo(callercxt);
	MemoryContextDelete(workcxt);
	PG_RETURN_TEXT_P(cstring_to_text(root));
}

PG_FUNCTION_INFO_V1(schemadrift_schema_hashes);

/*
 * schemadrift_schema_hashes(options jsonb) -> TABLE(schema text, hash text)
 *
 * The level of the fingerprint's Merkle tree below the root: one hash per
 * schema of this database ("" for the objects in none), names in UTF-8
 * order.  Another database's schemadrift asks for them when it reads this
 * one as a remote side: computed here, in C, they equal what its SQL path
 * computes, faster.
 */
Datum
schemadrift_schema_hashes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SdOptions  *options = sd_options_from_datum(fcinfo, 0);
	SdObjectSet *set;
	SdGroupHash *groups;
	int			n;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	set = sd_side_local_read(options, false);
	groups = sd_objects_schema_hashes(set, &n);
	for (i = 0; i < n; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(pg_any_to_server(groups[i].name,
														 strlen(groups[i].name), PG_UTF8));
		values[1] = CStringGetTextDatum(groups[i].hash);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
