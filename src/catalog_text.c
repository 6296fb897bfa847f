/*-------------------------------------------------------------------------
 *
 * catalog_text.c
 *	  The extraction query's arms for conversions and text search objects
 *	  (configurations with their token mappings, dictionaries, parsers,
 *	  templates).
 *
 * Each arm appends one SELECT of (kind, identity, schema, key, parent,
 * attrs) to the query catalog.c builds, and may use its common tables (f,
 * nsp).  All these objects live in a schema and are named by it and their
 * name, which is their identity and key.
 *
 * IDENTIFICATION
 *	  src/catalog_text.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "catalog_attrs.h"
#include "catalog_ops.h"

/* the qualified name of a row of a catalog with a name and a schema */
#define QUALIFIED_NAME(catalog, namecol, nspcol, oid) \
	"(SELECT " QUALIFIED("qn.nspname", "q." namecol) " FROM pg_catalog." catalog " q" \
	" JOIN pg_catalog.pg_namespace qn ON qn.oid = q." nspcol " WHERE q.oid = " oid ")"

/*
 * Conversions: source and destination encodings, function, default for
 * the pair, owner, comment.
 */
static void
append_conversions(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "source", JV_TEXT, "pg_catalog.pg_encoding_to_char(cv.conforencoding)");
	sd_attrs_add(&o, "destination", JV_TEXT, "pg_catalog.pg_encoding_to_char(cv.contoencoding)");
	sd_attrs_add(&o, "function", JV_TEXT, REGPROC("cv.conproc"));
	sd_attrs_add(&o, "default", JV_BOOL, "cv.condefault");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("cv.conowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	sd_attrs_append_schema_object(buf, "conversion", "pg_conversion", "cv", "conname", "connamespace",
								  NULL, NULL, "", &o);
}

/*
 * Text search configurations: parser, token mappings (each "token:
 * dictionaries in order", in the parser's token order), owner, comment.
 */
static void
append_ts_configurations(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "parser", JV_TEXT,
				 QUALIFIED_NAME("pg_ts_parser", "prsname", "prsnamespace", "cfg.cfgparser"));
	sd_attrs_add(&o, "mappings", JV_JSON,
				 sd_attrs_string_array("tt.alias || ': ' || m.dicts",
									   "(SELECT mp.maptokentype, pg_catalog.string_agg("
									   QUALIFIED_NAME("pg_ts_dict", "dictname", "dictnamespace", "mp.mapdict")
									   ", ', ' ORDER BY mp.mapseqno) AS dicts"
									   " FROM pg_catalog.pg_ts_config_map mp WHERE mp.mapcfg = cfg.oid"
									   " GROUP BY mp.maptokentype) m"
									   " JOIN pg_catalog.ts_token_type(cfg.cfgparser) tt ON tt.tokid = m.maptokentype",
									   "tt.tokid"));
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("cfg.cfgowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	sd_attrs_append_schema_object(buf, "text search configuration", "pg_ts_config", "cfg", "cfgname",
								  "cfgnamespace", NULL, NULL, "", &o);
}

/*
 * Text search dictionaries: template, options (as core keeps them, in the
 * order given), owner, comment.
 */
static void
append_ts_dictionaries(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "template", JV_TEXT,
				 QUALIFIED_NAME("pg_ts_template", "tmplname", "tmplnamespace", "dict.dicttemplate"));
	sd_attrs_add(&o, "options", JV_TEXT, "dict.dictinitoption");
	sd_attrs_add(&o, "owner", JV_TEXT, OWNER("dict.dictowner"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	sd_attrs_append_schema_object(buf, "text search dictionary", "pg_ts_dict", "dict", "dictname",
								  "dictnamespace", NULL, NULL, "", &o);
}

/* Text search parsers: their five functions, comment (they have no owner) */
static void
append_ts_parsers(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "start", JV_TEXT, REGPROC("prs.prsstart"));
	sd_attrs_add(&o, "gettoken", JV_TEXT, REGPROC("prs.prstoken"));
	sd_attrs_add(&o, "end", JV_TEXT, REGPROC("prs.prsend"));
	sd_attrs_add(&o, "lextypes", JV_TEXT, REGPROC("prs.prslextype"));
	sd_attrs_add(&o, "headline", JV_TEXT, REGPROC("prs.prsheadline"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	sd_attrs_append_schema_object(buf, "text search parser", "pg_ts_parser", "prs", "prsname",
								  "prsnamespace", NULL, NULL, "", &o);
}

/* Text search templates: init and lexize functions, comment (no owner) */
static void
append_ts_templates(StringInfo buf, int server_version)
{
	SdAttrs		o = {0};

	sd_attrs_add(&o, "init", JV_TEXT, REGPROC("tmpl.tmplinit"));
	sd_attrs_add(&o, "lexize", JV_TEXT, REGPROC("tmpl.tmpllexize"));
	sd_attrs_add(&o, "comment", JV_TEXT, COMMENT("d"));

	sd_attrs_append_schema_object(buf, "text search template", "pg_ts_template", "tmpl", "tmplname",
								  "tmplnamespace", NULL, NULL, "", &o);
}

/*
 * sd_catalog_append_text_search
 *		Conversions and the four kinds of text search objects: few objects
 *		each, in one arm of the query.
 */
void
sd_catalog_append_text_search(StringInfo buf, int server_version)
{
	append_conversions(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	append_ts_configurations(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	append_ts_dictionaries(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	append_ts_parsers(buf, server_version);
	appendStringInfoString(buf, "\nUNION ALL\n");
	append_ts_templates(buf, server_version);
}
