/*-------------------------------------------------------------------------
 *
 * redact.c
 *	  Masking of passwords in statement text before it is stored.
 *
 * The DDL audit log keeps the text of every DDL statement.  Some carry a
 * secret: CREATE/ALTER USER MAPPING and CREATE/ALTER SERVER options
 * (password 'x', sslpassword 'x'), CREATE/ALTER SUBSCRIPTION ... CONNECTION
 * 'host=h password=x', CREATE/ALTER ROLE ... PASSWORD 'x' (roles are shared
 * objects and fire no event trigger, but the text can reach the log inside a
 * DO block or a function body), and any of these quoted once more inside a
 * string (EXECUTE 'ALTER ROLE r PASSWORD ''x''').
 *
 * The rule is lexical and errs on the side of masking: wherever a word that
 * ends in "password" (case-insensitive, so also sslpassword and "password")
 * is followed by white space and/or '=' and then a value, the value is
 * replaced by ***.  A value is a string literal ('...', E'...', a literal
 * quoted twice inside another literal, or $tag$...$tag$), or, after '=' (a
 * connection string), a run of characters up to white space or a quote.
 * The quotes are kept, so the stored text still reads password '***'.
 *
 * The options of wrappers, servers, user mappings and foreign tables hold
 * other secrets under other names (api_token, client_secret, "secretKey"):
 * a word that contains "password", "secret", "token" or "key" and is
 * followed by white space and a string literal, as an option is, has its
 * value masked too; the object model leaves the same options out of every
 * snapshot (catalog_attrs.c).  Words such as KEY in PRIMARY KEY are not
 * followed by a literal, and stay as they are.
 *
 * IDENTIFICATION
 *	  src/redact.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "redact.h"

/*
 * is_ident_char
 *		Whether c can continue an unquoted SQL identifier.
 */
static inline bool
is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' ||
		(unsigned char) c >= 0x80;
}

/*
 * is_space
 *		SQL white space.
 */
static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/* the words whose values are secrets; the first also after '=' */
static const char *const secret_words[] = {"password", "secret", "token", "key"};

/*
 * find_keyword
 *		Position of the next case-insensitive secret word in s[from, len),
 *		or -1 if there is none; *klen is its length, *is_password whether it
 *		is "password".
 */
static int
find_keyword(const char *s, int from, int len, int *klen, bool *is_password)
{
	int			i;
	int			w;

	for (i = from; i < len; i++)
		for (w = 0; w < lengthof(secret_words); w++)
		{
			int			wl = strlen(secret_words[w]);

			if (i + wl <= len && pg_strncasecmp(s + i, secret_words[w], wl) == 0)
			{
				*klen = wl;
				*is_password = (w == 0);
				return i;
			}
		}
	return -1;
}

/*
 * quoted_value_end
 *		The value at s[start] opens with a run of nquotes single quotes (one
 *		at top level, two for a literal quoted inside another literal).
 *		Return the position of the closing run, or -1 if there is none.  With
 *		one quote, '' inside is an escaped quote and, in an E'' string, so is
 *		a backslash-escaped character.
 */
static int
quoted_value_end(const char *s, int start, int len, int nquotes, bool escapes)
{
	int			i = start + nquotes;

	while (i < len)
	{
		if (escapes && s[i] == '\\' && i + 1 < len)
		{
			i += 2;
			continue;
		}
		if (s[i] == '\'')
		{
			int			run = 0;

			while (i + run < len && s[i + run] == '\'')
				run++;
			if (nquotes == 1)
			{
				if (run == 1)
					return i;
				/* doubled quotes: an escaped quote, or escapes + close */
				if (run % 2 == 1)
					return i + run - 1;
				i += run;
				continue;
			}
			/* a literal quoted inside a literal ends at the first '' */
			if (run >= nquotes)
				return i;
			i += run;
			continue;
		}
		i++;
	}
	return -1;
}

/*
 * dollar_value_end
 *		The value at s[start] is a dollar-quoted string $tag$...$tag$.  Set
 *		*body to where its content starts and return where the closing tag
 *		starts, or -1 if it is not a well-formed dollar quote.
 */
static int
dollar_value_end(const char *s, int start, int len, int *body)
{
	int			i = start + 1;
	int			taglen;
	int			j;

	while (i < len && s[i] != '$' && is_ident_char(s[i]))
		i++;
	if (i >= len || s[i] != '$')
		return -1;
	taglen = i - start + 1;
	*body = i + 1;
	for (j = *body; j + taglen <= len; j++)
	{
		if (s[j] == '$' && strncmp(s + j, s + start, taglen) == 0)
			return j;
	}
	return -1;
}

/*
 * sd_redact_statement
 *		Copy of the first len bytes of sql with every password value replaced
 *		by ***, in a palloc'd string owned by the caller.
 */
char *
sd_redact_statement(const char *sql, int len)
{
	StringInfoData out;
	int			copied = 0;
	int			pos;

	int			klen;
	bool		is_password;

	pos = find_keyword(sql, 0, len, &klen, &is_password);
	if (pos < 0)
		return pnstrdup(sql, len);

	initStringInfo(&out);
	while (pos >= 0)
	{
		int			k = pos + klen;
		bool		saw_eq = false;
		bool		saw_sep = false;
		int			vstart = -1;
		int			vend = -1;

		/*
		 * password_hash, passwords: another word.  The other secret words
		 * may stand anywhere in an option's name (api_token, "secretKey"):
		 * go to the end of the word.
		 */
		if (is_password && k < len && is_ident_char(sql[k]))
		{
			pos = find_keyword(sql, k, len, &klen, &is_password);
			continue;
		}
		while (!is_password && k < len && is_ident_char(sql[k]))
			k++;
		/* the closing quote of "password" or "sslpassword" */
		if (k < len && sql[k] == '"')
			k++;
		while (k < len && (is_space(sql[k]) || sql[k] == '='))
		{
			if (sql[k] == '=')
				saw_eq = true;
			saw_sep = true;
			k++;
		}
		/* the other words only as options are written: word 'value' */
		if (!is_password && saw_eq)
			saw_sep = false;

		if (saw_sep && k < len)
		{
			bool		escapes = false;

			if ((sql[k] == 'E' || sql[k] == 'e') && k + 1 < len &&
				sql[k + 1] == '\'')
			{
				escapes = true;
				k++;
			}
			if (sql[k] == '\'')
			{
				int			nquotes = 0;
				int			close;

				while (k + nquotes < len && sql[k + nquotes] == '\'')
					nquotes++;
				if (nquotes > 2)
					nquotes = nquotes % 2 == 1 ? 1 : 2;
				close = quoted_value_end(sql, k, len, nquotes, escapes);
				if (close >= 0)
				{
					vstart = k + nquotes;
					vend = close;
				}
				else if (nquotes == 1)
				{
					/* unterminated: mask the rest */
					vstart = k + 1;
					vend = len;
				}
			}
			else if (sql[k] == '$')
			{
				int			body;
				int			close = dollar_value_end(sql, k, len, &body);

				if (close >= 0)
				{
					vstart = body;
					vend = close;
				}
			}
			else if (saw_eq && is_password)
			{
				int			e = k;

				while (e < len && !is_space(sql[e]) && sql[e] != '\'' &&
					   sql[e] != '"' && sql[e] != ';' && sql[e] != ')' &&
					   sql[e] != ',')
					e++;
				if (e > k)
				{
					vstart = k;
					vend = e;
				}
			}
		}

		if (vstart >= 0 && vend > vstart)
		{
			appendBinaryStringInfo(&out, sql + copied, vstart - copied);
			appendStringInfoString(&out, SD_REDACTED);
			copied = vend;
			pos = find_keyword(sql, vend, len, &klen, &is_password);
		}
		else
			pos = find_keyword(sql, pos + klen, len, &klen, &is_password);
	}
	appendBinaryStringInfo(&out, sql + copied, len - copied);
	return out.data;
}
