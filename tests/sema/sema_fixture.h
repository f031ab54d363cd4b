/* Shared fixture: one arena, source and diagnostics sink per test. */
#ifndef MACHGEN_TEST_SEMA_FIXTURE_H
#define MACHGEN_TEST_SEMA_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast_build.h"
#include "diag.h"
#include "sema.h"
#include "source.h"

struct fx {
    struct mg_arena arena;
    struct mg_source src;
    struct mg_diag diag;
    char *out;
    size_t outlen;
    FILE *sink;
    struct tb b;
    struct mg_target target;
};

static inline void fx_init(struct fx *f)
{
    memset(f, 0, sizeof *f);
    mg_arena_init(&f->arena);
    mg_source_init(&f->src, &f->arena, "test.defs");
    static const char text[] = "routine test(x : int);\n";
    mg_source_set_text(&f->src, text, sizeof text - 1);
    f->sink = open_memstream(&f->out, &f->outlen);
    mg_diag_init(&f->diag, &f->src, f->sink);
    f->b.a = &f->arena;
    mg_target_default(&f->target);
}

static inline const char *fx_messages(struct fx *f)
{
    fflush(f->sink);
    return f->out ? f->out : "";
}

static inline void fx_fini(struct fx *f)
{
    fclose(f->sink);
    free(f->out);
    mg_arena_free(&f->arena);
}

static inline struct mg_interface *fx_analyze(struct fx *f)
{
    struct mg_interface *itf = mg_analyze(&f->arena, &f->diag, &f->b.ast, &f->target);
    fflush(f->sink);
    return itf;
}

/* The usual standard types. */
static inline void fx_std_types(struct fx *f)
{
    tb_type(&f->b, "int", tb_name(&f->b, "MACH_MSG_TYPE_INTEGER_32"));
    tb_type(&f->b, "mach_port_t", tb_name(&f->b, "MACH_MSG_TYPE_COPY_SEND"));
    tb_type(&f->b, "mach_port_move_send_t", tb_name(&f->b, "MACH_MSG_TYPE_MOVE_SEND"));
    tb_type(&f->b, "mach_port_make_send_t", tb_name(&f->b, "MACH_MSG_TYPE_MAKE_SEND"));
    tb_type(&f->b, "mach_port_send_t", tb_name(&f->b, "MACH_MSG_TYPE_PORT_SEND"));
    tb_type(&f->b, "mach_port_receive_t", tb_name(&f->b, "MACH_MSG_TYPE_PORT_RECEIVE"));
    tb_type(&f->b, "mach_port_poly_t", tb_name(&f->b, "polymorphic"));
}

/* A routine `name(server : mach_port_t; ...)` whose further args the caller adds. */
static inline struct mg_routinedecl *fx_routine(struct fx *f, bool simple, const char *name)
{
    struct mg_routinedecl *rd = tb_routine(&f->b, simple, name);
    tb_arg(&f->b, rd, MG_ARG_DEFAULT, "server", tb_name(&f->b, "mach_port_t"), 0);
    return rd;
}

#endif
