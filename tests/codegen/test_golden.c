/* Golden generated code: every golden/NAME.defs is analysed in-process (no cpp) and
 * its four outputs must equal golden/NAME.{user.h,user.c,server.c,server.h} byte for
 * byte; generating twice must give identical bytes. A .defs whose first line says
 * `golden-arch: NAME` is generated for that target (e.g. the ILP32 ones). MACHGEN_UPDATE_GOLDEN=1 rewrites
 * the expected files (review every change by hand). */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "emit.h"
#include "parse.h"
#include "preprocess.h"
#include "sema.h"
#include "source.h"

enum { NOUT = 4 };
static const char *const suffix[NOUT] = {"user.h", "user.c", "server.c", "server.h"};

struct generated {
    char *text[NOUT];
    size_t len[NOUT];
};

static void generate(const char *path, struct generated *g)
{
    char *text;
    size_t len;
    cr_assert(mg_read_file(path, &text, &len, stderr), "cannot read %s", path);
    struct mg_arena arena;
    mg_arena_init(&arena);
    struct mg_source src;
    mg_source_init(&src, &arena, path);
    mg_source_set_text(&src, text, len);
    struct mg_diag diag;
    mg_diag_init(&diag, &src, stderr);
    struct mg_ast ast;
    memset(&ast, 0, sizeof ast);
    cr_assert(mg_parse(&arena, &src, &diag, &ast), "%s does not parse", path);
    /* a first line "golden-arch: NAME" selects the target (-arch NAME) */
    struct mg_target target;
    mg_target_default(&target);
    char first[200] = {0};
    const char *nl = memchr(text, '\n', len);
    memcpy(first, text, (size_t)(nl ? nl - text : (long)len) < sizeof first - 1
                            ? (size_t)(nl ? nl - text : (long)len) : sizeof first - 1);
    const char *arch = strstr(first, "golden-arch: ");
    if (arch) {
        char name[32] = {0};
        sscanf(arch + strlen("golden-arch: "), "%31[a-z0-9_]", name);
        cr_assert(mg_target_from_name(name, &target), "%s: unknown arch %s", path, name);
    }
    const struct mg_interface *itf = mg_analyze(&arena, &diag, &ast, &target);
    cr_assert_not_null(itf, "%s does not analyse", path);
    cr_assert_null(mg_emit_unsupported(itf));
    char uh[256], sh[256];
    snprintf(uh, sizeof uh, "%s.h", itf->subsystem);
    snprintf(sh, sizeof sh, "%sServer.h", itf->subsystem);
    for (int i = 0; i < NOUT; i++) {
        FILE *f = open_memstream(&g->text[i], &g->len[i]);
        switch (i) {
        case 0: mg_emit_user_header(f, itf, uh); break;
        case 1: mg_emit_user_source(f, itf, uh); break;
        case 2: mg_emit_server_source(f, itf, sh); break;
        case 3: mg_emit_server_header(f, itf, sh); break;
        }
        fclose(f);
    }
    mg_arena_free(&arena);
    free(text);
}

static void first_difference(const char *want, const char *got, const char *name)
{
    unsigned line = 1;
    const char *w = want, *g = got;
    while (*w && *w == *g) {
        if (*w == '\n')
            line++;
        w++;
        g++;
    }
    const char *we = strchr(w, '\n'), *ge = strchr(g, '\n');
    cr_log_error("%s: first difference at line %u\n  want: %.*s\n  got:  %.*s", name, line,
                 (int)(we ? we - w : (long)strlen(w)), w, (int)(ge ? ge - g : (long)strlen(g)), g);
}

static int check_one(const char *dir, const char *base)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.defs", dir, base);
    struct generated a, b;
    generate(path, &a);
    generate(path, &b);
    int failures = 0;
    bool update = getenv("MACHGEN_UPDATE_GOLDEN") != NULL;
    for (int i = 0; i < NOUT; i++) {
        cr_expect(a.len[i] == b.len[i] && memcmp(a.text[i], b.text[i], a.len[i]) == 0,
                  "%s.%s: two generations differ", base, suffix[i]);
        char exp[1024];
        snprintf(exp, sizeof exp, "%s/%s.%s", dir, base, suffix[i]);
        if (update) {
            FILE *f = fopen(exp, "wb");
            cr_assert_not_null(f);
            fwrite(a.text[i], 1, a.len[i], f);
            fclose(f);
        }
        char *want;
        size_t wlen;
        if (!mg_read_file(exp, &want, &wlen, stderr)) {
            cr_log_error("missing %s (run with MACHGEN_UPDATE_GOLDEN=1)", exp);
            failures++;
            continue;
        }
        if (wlen != a.len[i] || memcmp(want, a.text[i], wlen) != 0) {
            first_difference(want, a.text[i], exp);
            failures++;
        }
        free(want);
        free(a.text[i]);
        free(b.text[i]);
    }
    return failures;
}

Test(codegen_golden, all)
{
    const char *dir = MACHGEN_TEST_DATA "/golden";
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0, failures = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".defs") != 0)
            continue;
        char base[256];
        snprintf(base, sizeof base, "%.*s", (int)(l - 5), e->d_name);
        failures += check_one(dir, base);
        n++;
    }
    closedir(d);
    cr_assert_geq(n, 3, "golden interfaces found: %d", n);
    cr_assert_eq(failures, 0, "%d golden files differ", failures);
}
