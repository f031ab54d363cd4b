/* Source text and locations.
 *
 * machgen parses the output of the C preprocessor. Line markers (`# 12 "foo.defs"`)
 * in that text move the logical position back to the original file, so every
 * location names the file and line the user wrote. The parsed buffer itself is kept
 * so diagnostics can show the offending line under the message. */
#ifndef MACHGEN_SOURCE_H
#define MACHGEN_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* A position: logical file (index into mg_source.files), 1-based line and column
 * in that file, and the byte offset in the parsed buffer (for the caret line). */
struct mg_loc {
    uint32_t file;
    uint32_t line;
    uint32_t col;
    uint32_t offset;
};

struct mg_source {
    struct mg_arena *arena;
    const char *text;  /* parsed buffer, NUL-terminated (may contain other NULs) */
    size_t len;
    const char **files; /* interned logical file names; index 0 is the main input */
    uint32_t nfiles, capfiles;
    /* Open-addressing index over files (slot = file index + 1, 0 = empty), so hostile
     * input with very many distinct line-marker names stays linear. */
    uint32_t *file_slots;
    uint32_t nslots;
};

void mg_source_init(struct mg_source *s, struct mg_arena *arena, const char *main_name);
void mg_source_set_text(struct mg_source *s, const char *text, size_t len);
/* Interns a logical file name (from a line marker); returns its index. */
uint32_t mg_source_file(struct mg_source *s, const char *name, size_t len);
const char *mg_source_file_name(const struct mg_source *s, uint32_t file);
/* The full line of the parsed buffer containing byte `offset` (without newline). */
const char *mg_source_line_at(const struct mg_source *s, uint32_t offset, size_t *len);

#endif
