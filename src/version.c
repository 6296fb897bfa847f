/*-------------------------------------------------------------------------
 *
 * version.c
 *	  The versions a DBA needs to know: the shared library's, the SQL
 *	  objects' installed in this database, the object model's and the
 *	  snapshot format's.
 *
 * One shared library serves every installed version of the extension's SQL
 * (a database runs ALTER EXTENSION schemadrift UPDATE when its DBA chooses),
 * so the library's version and the installed one may differ for a while.
 *
 * IDENTIFICATION
 *	  src/version.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "compat.h"
#include "kinds.h"
#include "snapshot.h"
#include "util.h"

/*
 * installed_version
 *		The version of schemadrift installed in this database (pg_extension),
 *		palloc'd, or NULL if it is not installed (the library was loaded by
 *		hand or through shared_preload_libraries).
 */
static char *
installed_version(void)
{
	char	   *version = NULL;

	(void) sd_util_installed(NULL, NULL, &version);
	return version;
}

PG_FUNCTION_INFO_V1(schemadrift_version);

/*
 * schemadrift_version() -> (library_version, extension_version,
 *							 model_version, snapshot_format_version)
 */
Datum
schemadrift_version(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	char	   *installed;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != 4)
		elog(ERROR, "schemadrift_version() must be declared with 4 result columns");

	installed = installed_version();
	values[0] = CStringGetTextDatum(SCHEMADRIFT_VERSION);
	if (installed)
		values[1] = CStringGetTextDatum(installed);
	else
		nulls[1] = true;
	values[2] = Int32GetDatum(SD_MODEL_VERSION);
	values[3] = Int32GetDatum(SD_SNAPSHOT_FORMAT_VERSION);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
