/* The compiler as a library: one compilation unit runs the passes
 *   text -> mg_parse -> AST -> mg_analyze -> interface model -> emitters
 * and mg_main is the whole command line, callable in-process by tests. */
#ifndef MACHGEN_DRIVER_H
#define MACHGEN_DRIVER_H

#include <stdio.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "model.h"
#include "source.h"

struct mg_unit {
    struct mg_arena arena;
    struct mg_source src;
    struct mg_diag diag;
    struct mg_ast ast;
    struct mg_interface *iface; /* NULL until analysed, or when there were errors */
};

/* Sets up a unit whose diagnostics go to err, naming the main input `name`. */
void mg_unit_init(struct mg_unit *u, const char *name, FILE *err);
void mg_unit_free(struct mg_unit *u);

/* Parses and analyses preprocessed text (the unit keeps a reference to it).
 * Returns the model, or NULL when errors were reported. */
struct mg_interface *mg_unit_compile(struct mg_unit *u, const char *text, size_t len,
                                     const struct mg_target *target);

/* The command line: returns the process exit status (0, 1 input errors, 2 usage). */
int mg_main(int argc, char **argv, FILE *out, FILE *err);

#endif
