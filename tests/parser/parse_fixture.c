#define _POSIX_C_SOURCE 200809L
#include "parse_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

void parse_text(struct parsed *p, const char *name, const char *text, size_t len)
{
    memset(p, 0, sizeof *p);
    mg_arena_init(&p->arena);
    p->text = malloc(len + 1);
    memcpy(p->text, text, len);
    p->text[len] = '\0';
    mg_source_init(&p->src, &p->arena, name);
    mg_source_set_text(&p->src, p->text, len);
    FILE *out = open_memstream(&p->msgs, &p->msgs_len);
    mg_diag_init(&p->diag, &p->src, out);
    p->ok = mg_parse(&p->arena, &p->src, &p->diag, &p->ast);
    fclose(out);
}

void parsed_free(struct parsed *p)
{
    mg_arena_free(&p->arena);
    free(p->text);
    free(p->msgs);
}

const struct mg_stmt *stmt_at(const struct parsed *p, unsigned n)
{
    const struct mg_stmt *s = p->ast.stmts;
    while (s && n--)
        s = s->next;
    return s;
}

const struct mg_arg *arg_at(const struct mg_routinedecl *r, unsigned n)
{
    const struct mg_arg *a = r->args;
    while (a && n--)
        a = a->next;
    return a;
}
