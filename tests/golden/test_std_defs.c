/* machgen's own <mach/std_types.defs> and <mach/mach_types.defs>: preprocessed by
 * the C compiler's preprocessor (as the driver does), they analyse without any
 * diagnostic on LP64 and ILP32, and pointer-sized types follow the target. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "parse.h"
#include "sema.h"
#include "source.h"

static char *run_cpp(const char *define)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' -E -x c -D__MACH30__ %s -I '%s' '%s/std/uses_std.defs'",
             MACHGEN_TEST_CC, define, MACHGEN_DEFS_DIR, MACHGEN_TEST_DATA);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, n, o);
    fclose(o);
    cr_assert_eq(pclose(p), 0, "preprocessor failed: %s", cmd);
    return buf;
}

static const struct mg_type *type_named(const struct mg_interface *itf, const char *name)
{
    for (uint32_t i = 0; i < itf->ntypes; i++)
        if (strcmp(itf->types[i]->name, name) == 0)
            return itf->types[i];
    cr_assert_fail("no type %s", name);
    return NULL;
}

static void check(const char *define, const char *arch, uint64_t ptr_bytes, uint32_t req_max)
{
    char *text = run_cpp(define);
    struct mg_arena arena;
    mg_arena_init(&arena);
    struct mg_source src;
    mg_source_init(&src, &arena, "uses_std.defs");
    mg_source_set_text(&src, text, strlen(text));
    char *msgs = NULL;
    size_t mlen = 0;
    FILE *m = open_memstream(&msgs, &mlen);
    struct mg_diag diag;
    mg_diag_init(&diag, &src, m);
    struct mg_ast ast;
    memset(&ast, 0, sizeof ast);
    bool parsed = mg_parse(&arena, &src, &diag, &ast);
    struct mg_target t;
    cr_assert(mg_target_from_name(arch, &t));
    struct mg_interface *itf = parsed ? mg_analyze(&arena, &diag, &ast, &t) : NULL;
    fclose(m);
    cr_assert_not_null(itf, "%s", msgs);
    cr_assert_eq(diag.warnings, 0, "%s", msgs);
    cr_assert_eq(mg_type_bytes(type_named(itf, "vm_address_t")), ptr_bytes);
    cr_assert_eq(mg_type_bytes(type_named(itf, "mach_vm_size_t")), 8);
    cr_assert_eq(type_named(itf, "pointer_t")->wire, MG_WIRE_OOL);
    cr_assert_eq(type_named(itf, "mach_port_send_t")->in_name, MG_MSGT_POLYMORPHIC);
    cr_assert_eq(type_named(itf, "mach_port_send_t")->out_name, MG_MSGT_MOVE_SEND);
    cr_assert_eq(type_named(itf, "thread_act_array_t")->wire, MG_WIRE_OOL_PORTS);
    cr_assert_eq(mg_type_bytes(type_named(itf, "audit_token_t")), 32);
    cr_assert_eq(mg_type_bytes(type_named(itf, "mach_port_context_t")), 8, "64-bit on every ABI");
    cr_assert_eq(type_named(itf, "task_info_t")->number, 94, "Darwin's wire bound");
    cr_assert_eq(type_named(itf, "exception_handler_array_t")->kpd_count, 32);
    const struct mg_routine *rt = &itf->routines[0];
    cr_assert_eq(rt->request_id, 7000);
    cr_assert_eq(rt->request.trailer_size, 52);
    cr_assert_eq(rt->request.max_size, req_max);
    free(msgs);
    free(text);
    mg_arena_free(&arena);
}

/* request: header 24 + body 4, then OOL data (16 | 12) and three port descriptors
 * (send, rcv, any: 36), then NDR 8, addr (8 | 4), size 8, dataCnt 4 */
Test(std_defs, lp64) { check("-D__MACHGEN_LP64__", "x86_64", 8, 28 + 16 + 36 + 8 + 8 + 8 + 4); }
Test(std_defs, ilp32) { check("-D__MACHGEN_ILP32__", "arm64_32", 4, 28 + 12 + 36 + 8 + 4 + 8 + 4); }
