/* Real interface files: Debian's gnumach-dev .defs, preprocessed like a build would
 * (user side, KERNEL_SERVER, KERNEL_USER, and with the Hurd's translation hooks
 * defined), must parse without errors. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse_fixture.h"

#define GNU_INC "/usr/include/x86_64-linux-gnu"

static const char *const gnumach_defs[] = {
    "device/device.defs", "device/device_reply.defs", "device/device_request.defs",
    "device/device_types.defs", "mach/bootstrap.defs", "mach/default_pager.defs",
    "mach/default_pager_helper.defs", "mach/default_pager_types.defs", "mach/exc.defs",
    "mach/experimental.defs", "mach/gnumach.defs", "mach/mach.defs", "mach/mach4.defs",
    "mach/mach_host.defs", "mach/mach_port.defs", "mach/mach_types.defs",
    "mach/memory_object.defs", "mach/memory_object_default.defs", "mach/notify.defs",
    "mach/std_types.defs", "mach/task_notify.defs", "mach/x86_64/mach_i386.defs",
    "mach/x86_64/machine_types.defs", "mach_debug/mach_debug.defs",
    "mach_debug/mach_debug_types.defs",
};

/* Runs the C preprocessor; returns its output (malloc'd) or NULL. */
static char *preprocess(const char *path, const char *defines, size_t *len)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s -E -x c -C -undef -nostdinc %s -I" GNU_INC " -I/usr/include '%s' 2>/dev/null",
             MACHGEN_TEST_CC, defines, path);
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    if (pclose(f) != 0) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void parse_all(const char *defines)
{
    if (access(GNU_INC "/mach/mach.defs", R_OK) != 0)
        cr_skip_test("gnumach-dev is not installed (no " GNU_INC "/mach/mach.defs)");
    unsigned clean = 0, total = sizeof gnumach_defs / sizeof gnumach_defs[0];
    for (unsigned i = 0; i < total; i++) {
        char path[512];
        snprintf(path, sizeof path, GNU_INC "/%s", gnumach_defs[i]);
        size_t len = 0;
        char *text = preprocess(path, defines, &len);
        cr_assert_not_null(text, "cpp failed on %s", path);
        struct parsed p;
        parse_text(&p, path, text, len);
        cr_expect(p.ok, "%s %s:\n%.2000s", gnumach_defs[i], defines, p.msgs);
        cr_expect_eq(p.diag.errors, 0);
        cr_expect(p.ast.nstmts > 0, "%s has statements", gnumach_defs[i]);
        clean += p.ok;
        parsed_free(&p);
        free(text);
    }
    cr_expect_eq(clean, total);
}

Test(corpus, gnumach_user_side, .timeout = 120) { parse_all(""); }
Test(corpus, gnumach_kernel_server, .timeout = 120) { parse_all("-DKERNEL_SERVER=1"); }
Test(corpus, gnumach_kernel_user, .timeout = 120) { parse_all("-DKERNEL_USER=1"); }

/* What a Hurd server build defines: every translation hook, prefixes and imports. */
static const char HURD_HOOKS[] =
    "-DMACH_PAYLOAD_TO_PORT=payload_to_port "
    "'-DMEMORY_OBJECT_INTRAN=pager_t begin_using_pager(mach_port_t)' "
    "'-DMEMORY_OBJECT_INTRAN_PAYLOAD=pager_t begin_using_pager_payload' "
    "'-DMEMORY_OBJECT_OUTTRAN=mach_port_t end_using(pager_t)' "
    "'-DMEMORY_OBJECT_DESTRUCTOR=pager_end(pager_t)' "
    "'-DDEVICE_INTRAN=dev_t dev_lookup(mach_port_t)' "
    "'-DDEVICE_INTRAN_PAYLOAD=dev_t dev_payload' "
    "'-DNOTIFY_INTRAN=port_t notify_lookup(mach_port_t)' "
    "'-DNOTIFY_INTRAN_PAYLOAD=port_t notify_payload' "
    "-DSERVERPREFIX=S_ -DUSERPREFIX=U_ "
    "'-DNOTIFY_IMPORTS=import \"n.h\";' '-DDEVICE_IMPORTS=import \"d.h\";' "
    "-DMIGRATING_THREADS=1 -DMACH_PCSAMPLE=1";

Test(corpus, gnumach_with_translation_hooks, .timeout = 120) { parse_all(HURD_HOOKS); }

Test(corpus, gnumach_translation_hooks_reach_the_tree, .timeout = 60)
{
    if (access(GNU_INC "/mach/memory_object.defs", R_OK) != 0)
        cr_skip_test("gnumach-dev is not installed");
    size_t len;
    char *text = preprocess(GNU_INC "/mach/memory_object.defs", HURD_HOOKS, &len);
    cr_assert_not_null(text);
    struct parsed p;
    parse_text(&p, "memory_object.defs", text, len);
    cr_assert(p.ok, "%.2000s", p.msgs);
    const struct mg_typedecl *mo = NULL;
    for (const struct mg_stmt *s = p.ast.stmts; s; s = s->next)
        if (s->kind == MG_STMT_TYPE && strcmp(s->u.type->name, "memory_object_t") == 0)
            mo = s->u.type;
    cr_assert_not_null(mo);
    static const enum mg_trans_kind want[] = {MG_TRANS_CTYPE, MG_TRANS_INTRAN,
                                              MG_TRANS_INTRANPAYLOAD, MG_TRANS_OUTTRAN,
                                              MG_TRANS_DESTRUCTOR};
    const struct mg_translation *t = mo->trans;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++, t = t->next) {
        cr_assert_not_null(t, "translation %zu missing", i);
        cr_expect_eq(t->kind, want[i], "translation %zu", i);
    }
    cr_expect_null(t);
    cr_expect_str_eq(mo->trans->next->func, "begin_using_pager");
    cr_expect_str_eq(mo->trans->next->next->func, "begin_using_pager_payload");
    cr_expect(strstr(p.msgs, "'intranpayload' is a GNU MIG extension") != NULL);
    parsed_free(&p);
    free(text);
}

/* Spot checks that the corpus is parsed into the right shapes, not just accepted. */
Test(corpus, gnumach_mach_port_shapes, .timeout = 60)
{
    if (access(GNU_INC "/mach/mach_port.defs", R_OK) != 0)
        cr_skip_test("gnumach-dev is not installed");
    size_t len;
    char *text = preprocess(GNU_INC "/mach/mach_port.defs", "", &len);
    cr_assert_not_null(text);
    struct parsed p;
    parse_text(&p, "mach_port.defs", text, len);
    cr_assert(p.ok, "%.2000s", p.msgs);
    const struct mg_stmt *sub = NULL, *names = NULL;
    unsigned routines = 0, skips = 0;
    for (const struct mg_stmt *s = p.ast.stmts; s; s = s->next) {
        if (s->kind == MG_STMT_SUBSYSTEM)
            sub = s;
        if (s->kind == MG_STMT_SKIP)
            skips++;
        if (s->kind == MG_STMT_ROUTINE) {
            routines++;
            if (strcmp(s->u.routine->name, "mach_port_names") == 0)
                names = s;
        }
    }
    cr_assert_not_null(sub);
    cr_expect_str_eq(sub->u.subsystem.name, "mach_port");
    cr_expect_eq(sub->u.subsystem.base, 3200);
    cr_expect_str_eq(mg_source_file_name(&p.src, sub->loc.file), GNU_INC "/mach/mach_port.defs");
    cr_expect_gt(routines, 15);
    cr_assert_not_null(names);
    const struct mg_routinedecl *r = names->u.routine;
    cr_expect_eq(r->nargs, 3);
    cr_expect_str_eq(r->args->name, "task");
    cr_expect_eq(r->args->next->kind, MG_ARG_OUT);
    cr_assert_not_null(r->args->next->decl, "inline 'name : T = spec' declaration");
    cr_expect_str_eq(r->args->next->decl->name, "mach_port_name_array_t");
    cr_expect_eq(r->args->next->type->kind, MG_TS_POINTER);
    parsed_free(&p);
    free(text);
}
