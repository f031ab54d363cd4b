/* Shared state of the re2c lexer and the bison parser for one mg_parse() call.
 * Everything the grammar needs lives here (no globals); the generated parser
 * receives it through %param. */
#ifndef MACHGEN_PSTATE_H
#define MACHGEN_PSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

/* Bison location type: where a token or rule starts, plus the end byte offset
 * (one past its last byte) so multi-token text can be cut from the buffer. */
struct mg_span {
    struct mg_loc loc;
    uint32_t end;
};

/* A constant integer expression being evaluated bottom-up by the parser. */
struct mg_cexpr {
    int64_t value;
    bool ok; /* false after a reported error: suppresses follow-up errors */
};

/* Lists under construction (head + tail for O(1) append, in source order). */
struct mg_arglist {
    struct mg_arg *head, *tail;
    unsigned n;
};
struct mg_translist {
    struct mg_translation *head, *tail;
};
struct mg_fieldlist {
    struct mg_field *head, *tail;
    unsigned n;
};
/* One flag written after an argument's type. */
struct mg_flagnode {
    unsigned bit;        /* mg_arg_flag bit, or 0 for a flag with no Darwin meaning */
    const char *name;    /* as written, for messages */
    struct mg_loc loc;
    struct mg_flagnode *next;
};
struct mg_flaglist {
    struct mg_flagnode *head, *tail;
};

/* What the next token must be lexed as; set by the parser right after the
 * keyword that takes a special operand (MIG's lexer start conditions). */
enum mg_lex_mode {
    MG_LEX_NORMAL,
    MG_LEX_OPERAND, /* msgoption/waittime/sendtime bare operand */
};

struct mg_pstate {
    /* inputs and outputs */
    struct mg_arena *arena;
    struct mg_source *src;
    struct mg_diag *diag;
    struct mg_ast *ast;

    /* lexer cursor (re2c) */
    const unsigned char *buf, *cur, *lim, *mar, *tok;
    const unsigned char *line_start; /* first byte of the current physical line */
    uint32_t file;                   /* logical file of the current line */
    uint32_t line;                   /* logical line of the current line */
    bool bol;                        /* only whitespace seen on this line so far */
    enum mg_lex_mode mode;

    /* doc comment candidate: the last comment block that started a line */
    const unsigned char *doc_begin, *doc_end;
    uint32_t doc_file;
    bool doc_is_line;         /* block made of // comments (may be extended) */
    uint32_t doc_last_line;   /* logical line where the candidate block ended */
    bool doc_valid;

    /* a statement keyword held back while STMT_BREAK is returned for it */
    int pending_tok;
    union MG_YYSTYPE *pending_val; /* arena copy; valid while pending_tok != 0 */
    struct mg_span pending_span;

    /* the last two tokens returned (for "did you mean" on the token before an error) */
    int last_tok, prev_tok;
    struct mg_span last_span, prev_span;

    /* error bookkeeping for cascade suppression */
    uint32_t last_err_line, last_err_file;
    bool any_syntax_error;
    bool depth_reported; /* "nesting too deep" already said */
    bool in_args;        /* inside a routine's argument list */
};

/* Lexer entry point used by the generated parser (defined in lexer.re). */
union MG_YYSTYPE;
int mg_yylex(union MG_YYSTYPE *lval, struct mg_span *lloc, struct mg_pstate *ps);
void mg_lexer_init(struct mg_pstate *ps);

/* Location of a byte of the buffer on the current line (lexer helper). */
struct mg_loc mg_lexer_loc(const struct mg_pstate *ps, const unsigned char *p);

#endif
