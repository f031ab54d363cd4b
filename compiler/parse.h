/* Parser entry point: preprocessed .defs text -> syntax tree (ast.h).
 * Implemented by grammar/lexer.re (re2c) and grammar/parser.y (bison). */
#ifndef MACHGEN_PARSE_H
#define MACHGEN_PARSE_H

#include <stdbool.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

/* Parses src->text (already set with mg_source_set_text) into *out, reporting syntax
 * errors through diag and recovering at statement level. Line markers in the text
 * intern file names into src. Returns true when no error was reported. */
bool mg_parse(struct mg_arena *arena, struct mg_source *src, struct mg_diag *diag,
              struct mg_ast *out);

#endif
