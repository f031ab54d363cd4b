/* Robustness: mutated golden inputs (bytes deleted, duplicated or replaced, with a
 * fixed seed) go through parse -> analyze -> describe even when parsing reported
 * errors. Whatever the tree looks like, the passes must not crash or hang. */
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

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void run_text(const char *text, size_t len, bool ilp32)
{
    struct mg_arena arena;
    mg_arena_init(&arena);
    struct mg_source src;
    mg_source_init(&src, &arena, "mutant.defs");
    mg_source_set_text(&src, text, len);
    FILE *sink = fopen("/dev/null", "w");
    struct mg_diag diag;
    mg_diag_init(&diag, &src, sink);
    diag.max_errors = 0;
    struct mg_ast ast;
    memset(&ast, 0, sizeof ast);
    (void)mg_parse(&arena, &src, &diag, &ast);
    struct mg_target t;
    mg_target_from_name(ilp32 ? "i386" : "arm64", &t);
    struct mg_interface *itf = mg_analyze(&arena, &diag, &ast, &t);
    if (itf)
        mg_describe(sink, itf);
    fclose(sink);
    mg_arena_free(&arena);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static const char *const pieces[] = {
    "array[*:0] of ", "^", "c_string[*:", "struct[3] of ", "polymorphic", "|", ";", ",",
    "dealloc", "samecount", "countinout", "out ", "inout ", "requestport ", "skip;",
    "subsystem x 2147483600;", "type int = int;", "MACH_MSG_TYPE_MOVE_RECEIVE", "(", ")",
    "routine ", "simpleroutine ", "serveraudittoken ", "msgseqno ", "physicalcopy", "retcode",
    "array[] of array[] of ", "PointerTo(int)", "ValueOf(x)", "= ", "dealloc[]", "9999999999",
};

Test(robust, mutated_inputs_do_not_crash, .timeout = 60)
{
    DIR *d = opendir(MACHGEN_TEST_DATA);
    cr_assert_not_null(d);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned runs = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".defs") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", MACHGEN_TEST_DATA, e->d_name);
        size_t len;
        char *orig = slurp(path, &len);
        char *buf = malloc(len * 2 + 256);
        for (int iter = 0; iter < 300; iter++) {
            memcpy(buf, orig, len);
            size_t blen = len;
            int edits = 1 + (int)(rng_next(&seed) % 4);
            for (int k = 0; k < edits && blen > 0; k++) {
                size_t at = rng_next(&seed) % blen;
                size_t span = 1 + rng_next(&seed) % 12;
                if (span > blen - at)
                    span = blen - at;
                switch (rng_next(&seed) % 3) {
                case 0: /* delete */
                    memmove(buf + at, buf + at + span, blen - at - span);
                    blen -= span;
                    break;
                case 1: { /* insert a piece of the language */
                    const char *p = pieces[rng_next(&seed) % (sizeof pieces / sizeof pieces[0])];
                    size_t pl = strlen(p);
                    if (blen + pl < len * 2 + 200) {
                        memmove(buf + at + pl, buf + at, blen - at);
                        memcpy(buf + at, p, pl);
                        blen += pl;
                    }
                    break;
                }
                default: /* duplicate a span */
                    if (blen + span < len * 2 + 200) {
                        memmove(buf + at + span, buf + at, blen - at);
                        blen += span;
                    }
                    break;
                }
            }
            buf[blen] = '\0';
            run_text(buf, blen, iter & 1);
            runs++;
        }
        free(buf);
        free(orig);
    }
    closedir(d);
    cr_assert_gt(runs, 1000);
}
