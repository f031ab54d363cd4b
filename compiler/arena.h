/* Region allocator: every AST node, string and model object of one compilation
 * lives in one arena and is freed at once. Allocation failure aborts with a message
 * (the compiler has no sensible way to continue without memory). */
#ifndef MACHGEN_ARENA_H
#define MACHGEN_ARENA_H

#include <stddef.h>

struct mg_arena_block;

struct mg_arena {
    struct mg_arena_block *head;
    size_t total; /* bytes handed out, for the scale benchmark */
};

void mg_arena_init(struct mg_arena *a);
void mg_arena_free(struct mg_arena *a);
/* Zero-filled, aligned for any object. */
void *mg_arena_alloc(struct mg_arena *a, size_t size);
char *mg_arena_strndup(struct mg_arena *a, const char *s, size_t n);
char *mg_arena_strdup(struct mg_arena *a, const char *s);
char *mg_arena_printf(struct mg_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define MG_NEW(arena, type) ((type *)mg_arena_alloc((arena), sizeof(type)))

#endif
