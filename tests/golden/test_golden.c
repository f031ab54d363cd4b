/* Runs every tests/golden/NAME.defs through parse -> analyze -> describe in-process
 * and compares the text byte for byte with NAME.describe; every
 * tests/golden/errors/NAME.defs must fail (warn-NAME.defs: succeed) and print
 * exactly NAME.err (diagnostics, no colour). Files named *-ilp32.defs are analysed for arm64_32, all others for
 * x86_64. On a mismatch the first differing line is shown; MACHGEN_UPDATE_GOLDEN=1
 * rewrites the expected files. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "describe.h"
#include "diag.h"
#include "parse.h"
#include "sema.h"
#include "source.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* Describes `defs` into a malloc'd string; diagnostics go to *diags. */
static char *describe_file(const char *path, const char *name, char **diags, bool *ok)
{
    struct mg_arena arena;
    mg_arena_init(&arena);
    struct mg_source src;
    mg_source_init(&src, &arena, name);
    size_t len;
    char *text = slurp(path, &len);
    cr_assert_not_null(text, "cannot read %s", path);
    mg_source_set_text(&src, text, len);
    size_t dlen;
    FILE *dout = open_memstream(diags, &dlen);
    struct mg_diag diag;
    mg_diag_init(&diag, &src, dout);
    struct mg_ast ast;
    memset(&ast, 0, sizeof ast);
    char *out = NULL;
    size_t olen = 0;
    *ok = false;
    if (mg_parse(&arena, &src, &diag, &ast)) {
        struct mg_target target;
        if (strstr(name, "-ilp32"))
            mg_target_from_name("arm64_32", &target);
        else
            mg_target_default(&target);
        struct mg_interface *itf = mg_analyze(&arena, &diag, &ast, &target);
        if (itf) {
            FILE *o = open_memstream(&out, &olen);
            mg_describe(o, itf);
            fclose(o);
            *ok = true;
        }
    }
    fclose(dout);
    free(text);
    mg_arena_free(&arena);
    return out;
}

static void first_difference(const char *want, const char *got, const char *name,
                             const char *ext)
{
    unsigned line = 1;
    const char *w = want, *g = got;
    while (*w && *w == *g) {
        if (*w == '\n')
            line++;
        w++, g++;
    }
    const char *ws = w, *gs = g;
    while (ws > want && ws[-1] != '\n')
        ws--;
    while (gs > got && gs[-1] != '\n')
        gs--;
    int wl = (int)strcspn(ws, "\n"), gl = (int)strcspn(gs, "\n");
    cr_log_error("%s.%s differs at line %u:\n- expected: %.*s\n+ actual:   %.*s", name, ext,
                 line, wl, ws, gl, gs);
}

/* Checks every .defs in dir; errors=true compares diagnostics instead of output. */
static void run_dir(const char *dir, bool errors)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    bool update = getenv("MACHGEN_UPDATE_GOLDEN") && strcmp(getenv("MACHGEN_UPDATE_GOLDEN"), "1") == 0;
    unsigned checked = 0, failed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".defs") != 0)
            continue;
        char base[256], defs[1024], expect[1024];
        snprintf(base, sizeof base, "%.*s", (int)(n - 5), e->d_name);
        snprintf(defs, sizeof defs, "%s/%s", dir, e->d_name);
        snprintf(expect, sizeof expect, "%s/%s.%s", dir, base, errors ? "err" : "describe");
        char *diags = NULL;
        bool ok;
        char *got = describe_file(defs, e->d_name, &diags, &ok);
        checked++;
        if (errors) {
            free(got);
            got = diags;
            diags = NULL;
        }
        /* in errors/, warn-*.defs must analyse and print only warnings */
        bool want_ok = !errors || strncmp(e->d_name, "warn-", 5) == 0;
        if (ok != want_ok) {
            cr_log_error("%s %s:\n%s", e->d_name, ok ? "analysed without error" : "did not analyse",
                         errors ? got : diags);
            failed++;
        } else if (update) {
            FILE *f = fopen(expect, "w");
            cr_assert_not_null(f);
            fputs(got, f);
            fclose(f);
        } else {
            size_t wlen;
            char *want = slurp(expect, &wlen);
            if (!want) {
                cr_log_error("missing %s", expect);
                failed++;
            } else if (strcmp(want, got) != 0) {
                first_difference(want, got, base, errors ? "err" : "describe");
                failed++;
            }
            free(want);
        }
        free(got);
        free(diags);
    }
    closedir(d);
    cr_assert_gt(checked, 0, "no golden inputs found in %s", dir);
    cr_assert_eq(failed, 0, "%u of %u golden files in %s failed (see log)", failed, checked, dir);
}

Test(golden, describe_outputs_match) { run_dir(MACHGEN_TEST_DATA, false); }

Test(golden, error_diagnostics_match) { run_dir(MACHGEN_TEST_DATA "/errors", true); }
