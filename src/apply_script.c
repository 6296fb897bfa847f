/*-------------------------------------------------------------------------
 *
 * apply_script.c
 *	  A fix script cut into its statements, for a guarded apply.
 *
 * schemadrift_apply() (apply.c) runs a script one statement at a time over
 * libpq: each statement is sent alone, so that CREATE INDEX CONCURRENTLY
 * runs outside any transaction and a failure names its statement.  The
 * script is cut with PostgreSQL's own lexer (scan.l, through core_yylex),
 * so that a ';' inside a string, a dollar-quoted body, a quoted name or a
 * comment never ends a statement; and, as psql does it, a ';' inside the
 * BEGIN ... END of a SQL-standard function body (CREATE [OR REPLACE]
 * FUNCTION or PROCEDURE ... BEGIN ATOMIC) does not either.  The lexer,
 * unlike the grammar, reads the statements of every major version the
 * scripts are written for.  The grammar's token numbers (gram.h) are not
 * installed from PostgreSQL 16 on: the lexer is given keyword token
 * numbers of our own (KEYWORD_BASE + the keyword's index), so a keyword is
 * known by its spelling, and an identifier by its first character.
 *
 * Statements are only cut, never rewritten: each is sent as it is written
 * in the script.
 *
 * IDENTIFICATION
 *	  src/apply_script.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/keywords.h"
#include "parser/scanner.h"
#include "utils/memutils.h"

#include "apply.h"

/* the words psql watches at the start of a statement */
#define WATCHED_WORDS 4

/* keyword tokens: KEYWORD_BASE + the keyword's index in ScanKeywords */
#define KEYWORD_BASE 10000

/* the words the cutting looks for; any other word is W_OTHER */
typedef enum Word
{
	W_NONE,						/* not a word */
	W_OTHER,
	W_ABORT, W_BEGIN, W_CASE, W_COMMIT, W_CREATE, W_END, W_FUNCTION, W_OR,
	W_PROCEDURE, W_REPLACE, W_RESET, W_ROLLBACK, W_SET, W_START, W_TRANSACTION
} Word;

static const struct
{
	const char *keyword;
	Word		word;
}			watched[] = {
	{"abort", W_ABORT}, {"begin", W_BEGIN}, {"case", W_CASE},
	{"commit", W_COMMIT}, {"create", W_CREATE}, {"end", W_END},
	{"function", W_FUNCTION}, {"or", W_OR}, {"procedure", W_PROCEDURE},
	{"replace", W_REPLACE}, {"reset", W_RESET}, {"rollback", W_ROLLBACK},
	{"set", W_SET}, {"start", W_START}, {"transaction", W_TRANSACTION}
};

/* the keyword token numbers handed to the lexer, made once */
static const uint16 *
keyword_tokens(void)
{
	static uint16 *tokens = NULL;

	if (tokens == NULL)
	{
		uint16	   *t = MemoryContextAlloc(TopMemoryContext,
										   sizeof(uint16) * Max(ScanKeywords.num_keywords, 1));
		int			i;

		for (i = 0; i < ScanKeywords.num_keywords; i++)
			t[i] = KEYWORD_BASE + i;
		tokens = t;
	}
	return tokens;
}

/*
 * word_of
 *		What the token tok at byte offset loc of script is as a word: a
 *		keyword by its spelling, an identifier (plain, quoted or with
 *		unicode escapes) as W_OTHER; W_NONE for anything else (operators,
 *		punctuation, numbers, strings, E'...' and the like included).
 */
static Word
word_of(const char *script, int tok, int loc)
{
	const unsigned char *p = (const unsigned char *) script + loc;
	int			i;

	if (tok >= KEYWORD_BASE && tok < KEYWORD_BASE + ScanKeywords.num_keywords)
	{
		const char *kw = GetScanKeyword(tok - KEYWORD_BASE, &ScanKeywords);

		for (i = 0; i < lengthof(watched); i++)
			if (strcmp(kw, watched[i].keyword) == 0)
				return watched[i].word;
		return W_OTHER;
	}
	if (tok < 256)
		return W_NONE;			/* a one-character token */
	if (*p == '"')
		return W_OTHER;
	if (!(isalpha(*p) || *p == '_' || *p >= 0x80))
		return W_NONE;
	/* B'..', E'..', N'..', X'..', U&'..' are strings; U&".." a name */
	while (sd_util_name_char((char) *p))
		p++;
	if (*p == '\'' || (*p == '&' && p[1] == '\''))
		return W_NONE;
	return W_OTHER;
}

/* the text of script[start, end) without trailing white space, palloc'd */
static char *
trimmed(const char *script, int start, int end)
{
	while (end > start && (script[end - 1] == ' ' || script[end - 1] == '\t' ||
						   script[end - 1] == '\n' || script[end - 1] == '\r'))
		end--;
	return pnstrdup(script + start, end - start);
}

/* the line of script at byte offset */
static int
line_at(const char *script, int offset, int *line, int *counted)
{
	while (*counted < offset)
	{
		if (script[*counted] == '\n')
			(*line)++;
		(*counted)++;
	}
	return *line;
}

/*
 * sd_apply_split
 *		The statements of script (SdApplyStatement, in order), each without
 *		its ';', with its first line and whether it begins or ends a
 *		transaction.  A statement made of nothing (";") is left out.  A
 *		token the lexer cannot read (an unterminated string) is an ERROR;
 *		a statement the grammar would not accept is left for the target to
 *		refuse.
 */
List *
sd_apply_split(const char *script, int first_line)
{
	core_yyscan_t scanner;
	core_yy_extra_type yyext;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	List	   *statements = NIL;
	int			start = -1;		/* the first token of this statement */
	Word		words[WATCHED_WORDS];
	int			nwords = 0;
	int			paren_depth = 0;
	int			begin_depth = 0;
	int			line = first_line;
	int			counted = 0;

	scanner = scanner_init(script, &yyext, &ScanKeywords, keyword_tokens());
	/* the scripts are written for standard_conforming_strings = on */
	yyext.standard_conforming_strings = true;
	yyext.escape_string_warning = false;

	for (;;)
	{
		int			tok = core_yylex(&yylval, &yylloc, scanner);
		Word		word;

		if (tok == 0 || (tok == ';' && paren_depth == 0 && begin_depth == 0))
		{
			if (start >= 0)
			{
				SdApplyStatement *st = palloc0(sizeof(SdApplyStatement));

				st->sql = trimmed(script, start, tok == 0 ? (int) strlen(script) : yylloc);
				st->line = line_at(script, start, &line, &counted);
				if (nwords > 0 && (words[0] == W_BEGIN ||
								   (words[0] == W_START && nwords > 1 && words[1] == W_TRANSACTION)))
					st->kind = SD_APPLY_BEGIN;
				else if (nwords > 0 && (words[0] == W_COMMIT || words[0] == W_END))
					st->kind = SD_APPLY_COMMIT;
				else if (nwords > 0 && (words[0] == W_ROLLBACK || words[0] == W_ABORT))
					st->kind = SD_APPLY_ROLLBACK;
				else if (nwords > 0 && (words[0] == W_SET || words[0] == W_RESET))
					st->kind = SD_APPLY_SET;
				else
					st->kind = SD_APPLY_OTHER;
				statements = lappend(statements, st);
			}
			if (tok == 0)
				break;
			start = -1;
			nwords = 0;
			paren_depth = 0;
			continue;
		}
		if (start < 0)
			start = yylloc;
		if (tok == '(')
			paren_depth++;
		else if (tok == ')' && paren_depth > 0)
			paren_depth--;
		else if ((word = word_of(script, tok, yylloc)) != W_NONE)
		{
			if (nwords < WATCHED_WORDS)
				words[nwords] = word;
			nwords++;

			/*
			 * CREATE [OR REPLACE] FUNCTION|PROCEDURE: a BEGIN ATOMIC body
			 * holds statements of its own (psql's heuristic, psqlscan.l).
			 */
			if (nwords > 1 && words[0] == W_CREATE && paren_depth == 0 &&
				(words[1] == W_FUNCTION || words[1] == W_PROCEDURE ||
				 (nwords > 3 && words[1] == W_OR && words[2] == W_REPLACE &&
				  (words[3] == W_FUNCTION || words[3] == W_PROCEDURE))))
			{
				if (word == W_BEGIN)
					begin_depth++;
				else if (word == W_CASE && begin_depth > 0)
					begin_depth++;
				else if (word == W_END && begin_depth > 0)
					begin_depth--;
			}
		}
	}
	scanner_finish(scanner);
	return statements;
}
