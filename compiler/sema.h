/* Semantic analysis: syntax tree -> interface model (model.h) for one target ABI. */
#ifndef MACHGEN_SEMA_H
#define MACHGEN_SEMA_H

#include <stdbool.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "model.h"

/* Resolves types, routines, message ids and computes every message layout.
 * Reports problems through diag; returns NULL when any error was reported. */
struct mg_interface *mg_analyze(struct mg_arena *arena, struct mg_diag *diag,
                                const struct mg_ast *ast, const struct mg_target *target);

/* The default target: Darwin LP64 (x86_64). */
void mg_target_default(struct mg_target *t);

/* Fills *t for an -arch name (x86_64, x86_64h, arm64, arm64e, i386, arm64_32, armv7k,
 * armv7, armv7s, ...). Returns false for unknown names (and leaves *t alone). */
bool mg_target_from_name(const char *arch, struct mg_target *t);

#endif
