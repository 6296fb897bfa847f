/*-------------------------------------------------------------------------
 *
 * options.h
 *	  The options document: validation and canonical form.
 *
 * IDENTIFICATION
 *	  src/options.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_OPTIONS_H
#define SCHEMADRIFT_OPTIONS_H

#include "utils/jsonb.h"

typedef struct SdOptions
{
	char	   *canonical;		/* canonical JSON text; $1 of the extraction */
	Jsonb	   *jsonb;			/* the same, as jsonb */
} SdOptions;

extern SdOptions *sd_options_parse(Jsonb *options);
extern SdOptions *sd_options_from_datum(FunctionCallInfo fcinfo, int argno);
extern bool sd_options_equal(const SdOptions *a, const SdOptions *b);
extern bool sd_options_ignores(const SdOptions *options, const char *item);
extern const char *sd_jsonb_type_name(JsonbValue *v);
extern bool sd_options_bool(JsonbContainer *c, const char *key, bool dflt);
extern Jsonb *sd_options_take(Jsonb *options, const char *const *names, Jsonb **taken);

#endif							/* SCHEMADRIFT_OPTIONS_H */
