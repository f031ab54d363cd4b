#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mg_arena_block {
    struct mg_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

enum { MG_ARENA_BLOCK = 64 * 1024 };

static void *oom(void)
{
    fputs("machgen: fatal error: out of memory\n", stderr);
    exit(1);
}

void mg_arena_init(struct mg_arena *a)
{
    a->head = NULL;
    a->total = 0;
}

void mg_arena_free(struct mg_arena *a)
{
    struct mg_arena_block *b = a->head;
    while (b) {
        struct mg_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void *mg_arena_alloc(struct mg_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    struct mg_arena_block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > MG_ARENA_BLOCK ? size : MG_ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return oom();
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

char *mg_arena_strndup(struct mg_arena *a, const char *s, size_t n)
{
    char *p = mg_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mg_arena_strdup(struct mg_arena *a, const char *s)
{
    return mg_arena_strndup(a, s, strlen(s));
}

char *mg_arena_printf(struct mg_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = mg_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}
