/*-------------------------------------------------------------------------
 *
 * util.h
 *	  Small helpers shared by every part: pinned settings, sha256, jsonb.
 *
 * IDENTIFICATION
 *	  src/util.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMADRIFT_UTIL_H
#define SCHEMADRIFT_UTIL_H

#include "common/cryptohash.h"
#include "lib/stringinfo.h"
#include "access/tupdesc.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#define SD_SHA256_HEX_LEN 64

extern int	sd_util_pin_gucs(void);
extern void sd_util_unpin_gucs(int nestlevel);
extern bool sd_util_pinned_setting(int i, const char **name, const char **value);
extern pg_cryptohash_ctx *sd_util_sha256_begin(void);
extern void sd_util_sha256_add(pg_cryptohash_ctx *ctx, const char *data, size_t len);
extern void sd_util_sha256_end(pg_cryptohash_ctx *ctx, char *out);
extern void sd_util_sha256_hex(const char *data, size_t len, char *out);
extern void sd_util_text_sha256(const char *text, char *out);
extern void sd_util_attrs_hash(pg_cryptohash_ctx *ctx, const char *attrs, size_t len,
							   char *out);

extern JsonbValue *sd_jsonb_get(JsonbContainer *c, const char *key);
extern char *sd_jsonb_value_text(JsonbValue *v, bool quote_strings);
extern Jsonb *sd_jsonb_from_cstring(const char *text);
extern int	sd_jsonb_key_cmp(const char *a, const char *b);
extern int	sd_jsonb_strings(JsonbValue *v, List **out, JsonbValue *bad);
extern bool sd_list_has_string(List *l, const char *s);
extern char *sd_util_json_inner(const char *s);
extern bool sd_util_name_char(char c);
extern int	sd_list_cstring_cmp(const ListCell *a, const ListCell *b);
/* a result column a set-returning function can be declared with */
typedef struct SdResultColumn
{
	const char *name;
	Oid			type;
} SdResultColumn;

extern void sd_util_result_columns(TupleDesc tupdesc, const SdResultColumn *columns,
								   int n, int *pos, const char *funcname);

extern bool sd_util_try(void (*fn) (void *arg), void *arg, char **error);
extern ErrorData *sd_util_try_error(void (*fn) (void *arg), void *arg);
extern Datum sd_util_text_array(char **strings, int n);
extern void sd_util_rolled_back(void (*fn) (void *arg), void *arg);
extern Oid	sd_util_own_event_trigger(const char *name, bool *fires);
extern bool sd_util_installed(Oid *extoid, Oid *nspoid, char **version);

#endif							/* SCHEMADRIFT_UTIL_H */
