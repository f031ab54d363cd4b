/* Tiny helpers to build syntax trees in tests, independent of the parser. */
#ifndef MACHGEN_TEST_AST_BUILD_H
#define MACHGEN_TEST_AST_BUILD_H

#include <string.h>

#include "arena.h"
#include "ast.h"

struct tb {
    struct mg_arena *a;
    struct mg_ast ast;
    unsigned line;
};

static inline struct mg_loc tb_loc(struct tb *b)
{
    struct mg_loc l = {0, ++b->line, 1, 0};
    return l;
}

static inline void tb_push(struct tb *b, struct mg_stmt *st)
{
    if (b->ast.last)
        b->ast.last->next = st;
    else
        b->ast.stmts = st;
    b->ast.last = st;
    b->ast.nstmts++;
}

static inline struct mg_typespec *tb_name(struct tb *b, const char *name)
{
    struct mg_typespec *t = MG_NEW(b->a, struct mg_typespec);
    t->kind = MG_TS_NAME;
    t->loc = tb_loc(b);
    t->u.name.name = name;
    return t;
}

static inline struct mg_typespec *tb_pair(struct tb *b, const char *x, const char *y)
{
    struct mg_typespec *t = MG_NEW(b->a, struct mg_typespec);
    t->kind = MG_TS_PAIR;
    t->loc = tb_loc(b);
    t->u.pair.send = tb_name(b, x);
    t->u.pair.recv = tb_name(b, y);
    return t;
}

static inline struct mg_typespec *tb_array(struct tb *b, enum mg_bound_kind k, uint64_t n,
                                           struct mg_typespec *elem)
{
    struct mg_typespec *t = MG_NEW(b->a, struct mg_typespec);
    t->kind = MG_TS_ARRAY;
    t->loc = tb_loc(b);
    t->u.array.bound = k;
    t->u.array.size = n;
    t->u.array.size_loc = t->loc;
    t->u.array.elem = elem;
    return t;
}

static inline struct mg_typespec *tb_struct(struct tb *b, uint64_t n, struct mg_typespec *elem)
{
    struct mg_typespec *t = tb_array(b, MG_BOUND_FIXED, n, elem);
    t->kind = MG_TS_STRUCT;
    return t;
}

static inline struct mg_typespec *tb_cstring(struct tb *b, bool variable, uint64_t n)
{
    struct mg_typespec *t = tb_array(b, variable ? MG_BOUND_VARIABLE : MG_BOUND_FIXED, n, NULL);
    t->kind = MG_TS_CSTRING;
    return t;
}

static inline struct mg_typespec *tb_ptr(struct tb *b, struct mg_typespec *target)
{
    struct mg_typespec *t = MG_NEW(b->a, struct mg_typespec);
    t->kind = MG_TS_POINTER;
    t->loc = tb_loc(b);
    t->u.pointer.target = target;
    return t;
}

static inline void tb_subsystem(struct tb *b, const char *name, int64_t base)
{
    struct mg_stmt *st = MG_NEW(b->a, struct mg_stmt);
    st->kind = MG_STMT_SUBSYSTEM;
    st->loc = tb_loc(b);
    st->u.subsystem.name = name;
    st->u.subsystem.name_loc = st->loc;
    st->u.subsystem.base = base;
    tb_push(b, st);
}

static inline struct mg_typedecl *tb_type(struct tb *b, const char *name, struct mg_typespec *ts)
{
    struct mg_stmt *st = MG_NEW(b->a, struct mg_stmt);
    st->kind = MG_STMT_TYPE;
    st->loc = tb_loc(b);
    struct mg_typedecl *td = MG_NEW(b->a, struct mg_typedecl);
    td->name = name;
    td->loc = td->name_loc = st->loc;
    td->spec = ts;
    st->u.type = td;
    tb_push(b, st);
    return td;
}

static inline void tb_trans(struct tb *b, struct mg_typedecl *td, enum mg_trans_kind k,
                            const char *type, const char *func, const char *argtype)
{
    struct mg_translation *tr = MG_NEW(b->a, struct mg_translation);
    tr->kind = k;
    tr->loc = tb_loc(b);
    tr->type = type;
    tr->func = func;
    tr->argtype = argtype;
    struct mg_translation **p = &td->trans;
    while (*p)
        p = &(*p)->next;
    *p = tr;
}

static inline struct mg_routinedecl *tb_routine(struct tb *b, bool simple, const char *name)
{
    struct mg_stmt *st = MG_NEW(b->a, struct mg_stmt);
    st->kind = MG_STMT_ROUTINE;
    st->loc = tb_loc(b);
    struct mg_routinedecl *rd = MG_NEW(b->a, struct mg_routinedecl);
    rd->kind = simple ? MG_SIMPLEROUTINE : MG_ROUTINE;
    rd->loc = rd->name_loc = st->loc;
    rd->name = name;
    st->u.routine = rd;
    tb_push(b, st);
    return rd;
}

static inline struct mg_arg *tb_arg(struct tb *b, struct mg_routinedecl *rd, enum mg_arg_kind k,
                                    const char *name, struct mg_typespec *ts, unsigned flags)
{
    struct mg_arg *a = MG_NEW(b->a, struct mg_arg);
    a->kind = k;
    a->loc = a->name_loc = tb_loc(b);
    a->name = name;
    a->type = ts;
    a->flags = flags;
    struct mg_arg **p = &rd->args;
    while (*p)
        p = &(*p)->next;
    *p = a;
    rd->nargs++;
    return a;
}

static inline void tb_simple(struct tb *b, enum mg_stmt_kind k)
{
    struct mg_stmt *st = MG_NEW(b->a, struct mg_stmt);
    st->kind = k;
    st->loc = tb_loc(b);
    tb_push(b, st);
}

static inline void tb_text(struct tb *b, enum mg_stmt_kind k, const char *text)
{
    struct mg_stmt *st = MG_NEW(b->a, struct mg_stmt);
    st->kind = k;
    st->loc = tb_loc(b);
    st->u.text = text;
    tb_push(b, st);
}

#endif
