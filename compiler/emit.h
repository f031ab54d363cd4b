/* Code generation: client and server stubs, byte-compatible with Apple MIG's wire
 * format, printed from the interface model (model.h). */
#ifndef MACHGEN_EMIT_H
#define MACHGEN_EMIT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

struct mg_emit_outputs {
    const char *user_header, *user_source, *server_source, *server_header; /* NULL = not wanted */
};

/* Generates every wanted output in memory; then writes each with
 * mg_write_file_atomic (compiler/output.h). Writes nothing if generation fails. */
bool mg_emit_files(const struct mg_interface *, const struct mg_emit_outputs *, FILE *err);

/* One function per output, writing to a FILE (golden tests call these in-process).
 * header_name is how the generated sources #include the header (its base name). */
void mg_emit_user_header(FILE *, const struct mg_interface *, const char *header_name);
void mg_emit_user_source(FILE *, const struct mg_interface *, const char *header_name);
/* mig's -i PREFIX: a client source holding only this routine's stub. */
void mg_emit_user_source_routine(FILE *, const struct mg_interface *, const char *header_name,
                                 const struct mg_routine *rt);
void mg_emit_server_header(FILE *, const struct mg_interface *, const char *header_name);
void mg_emit_server_source(FILE *, const struct mg_interface *, const char *sheader_name /*may be NULL*/);

/* Why the interface cannot be generated (a feature the emitters do not support yet),
 * or NULL when it can. */
const char *mg_emit_unsupported(const struct mg_interface *);

#endif
