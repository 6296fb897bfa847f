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
 * scripts are written for.
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

#include "parser/gramparse.h"
#include "parser/scanner.h"

#include "apply.h"

/* the words psql watches at the start of a statement */
#define WATCHED_WORDS 4

/* whether tok is a word: an identifier or a keyword */
static bool
is_word(int tok)
{
	return tok == IDENT || tok > NOT_EQUALS;
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
	int			words[WATCHED_WORDS];
	int			nwords = 0;
	int			paren_depth = 0;
	int			begin_depth = 0;
	int			line = first_line;
	int			counted = 0;

	scanner = scanner_init(script, &yyext, &ScanKeywords, ScanKeywordTokens);
	/* the scripts are written for standard_conforming_strings = on */
	yyext.standard_conforming_strings = true;
	yyext.escape_string_warning = false;

	for (;;)
	{
		int			tok = core_yylex(&yylval, &yylloc, scanner);

		if (tok == 0 || (tok == ';' && paren_depth == 0 && begin_depth == 0))
		{
			if (start >= 0)
			{
				SdApplyStatement *st = palloc0(sizeof(SdApplyStatement));

				st->sql = trimmed(script, start, tok == 0 ? (int) strlen(script) : yylloc);
				st->line = line_at(script, start, &line, &counted);
				if (nwords > 0 && (words[0] == BEGIN_P ||
								   (words[0] == START && nwords > 1 && words[1] == TRANSACTION)))
					st->kind = SD_APPLY_BEGIN;
				else if (nwords > 0 && (words[0] == COMMIT || words[0] == END_P))
					st->kind = SD_APPLY_COMMIT;
				else if (nwords > 0 && (words[0] == ROLLBACK || words[0] == ABORT_P))
					st->kind = SD_APPLY_ROLLBACK;
				else if (nwords > 0 && (words[0] == SET || words[0] == RESET))
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
		else if (is_word(tok))
		{
			if (nwords < WATCHED_WORDS)
				words[nwords] = tok;
			nwords++;

			/*
			 * CREATE [OR REPLACE] FUNCTION|PROCEDURE: a BEGIN ATOMIC body
			 * holds statements of its own (psql's heuristic, psqlscan.l).
			 */
			if (nwords > 1 && words[0] == CREATE && paren_depth == 0 &&
				(words[1] == FUNCTION || words[1] == PROCEDURE ||
				 (nwords > 3 && words[1] == OR && words[2] == REPLACE &&
				  (words[3] == FUNCTION || words[3] == PROCEDURE))))
			{
				if (tok == BEGIN_P)
					begin_depth++;
				else if (tok == CASE && begin_depth > 0)
					begin_depth++;
				else if (tok == END_P && begin_depth > 0)
					begin_depth--;
			}
		}
	}
	scanner_finish(scanner);
	return statements;
}
