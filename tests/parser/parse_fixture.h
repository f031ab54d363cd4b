/* Runs mg_parse on a text held in memory and keeps everything a test inspects:
 * the tree, the diagnostics printed (captured in memory) and the result. */
#ifndef MACHGEN_TEST_PARSE_FIXTURE_H
#define MACHGEN_TEST_PARSE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

struct parsed {
    struct mg_arena arena;
    struct mg_source src;
    struct mg_diag diag;
    struct mg_ast ast;
    char *text;   /* private NUL-terminated copy of the input */
    char *msgs;   /* everything the diagnostics printed */
    size_t msgs_len;
    bool ok;      /* mg_parse's result */
};

/* `name` is the main file name used in messages. */
void parse_text(struct parsed *p, const char *name, const char *text, size_t len);
static inline void parse_str(struct parsed *p, const char *text)
{
    parse_text(p, "t.defs", text, strlen(text));
}
void parsed_free(struct parsed *p);

/* The n-th (0-based) statement, or NULL. */
const struct mg_stmt *stmt_at(const struct parsed *p, unsigned n);
const struct mg_arg *arg_at(const struct mg_routinedecl *r, unsigned n);

#endif
