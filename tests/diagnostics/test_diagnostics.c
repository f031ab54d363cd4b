/* Diagnostic pairs: every cases/NAME.defs is checked and its printed diagnostics
 * must equal cases/NAME.err byte for byte. Cases are already preprocessed text.
 * Inputs that cannot sensibly live in a file (NUL bytes, megabytes, deep nesting)
 * are generated here with their expected messages. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "parse.h"
#include "sema.h"
#include "source.h"

/* The pass pipeline a case goes through: the parser, then the semantic pass when the
 * text parsed, as in the compiler. */
static bool check_text(struct mg_arena *arena, struct mg_source *src, struct mg_diag *diag)
{
    struct mg_ast ast;
    if (!mg_parse(arena, src, diag, &ast) || diag->fatal)
        return false;
    struct mg_target target;
    mg_target_default(&target);
    return mg_analyze(arena, diag, &ast, &target) != NULL;
}

/* Runs the pipeline on text; returns the diagnostics printed (malloc'd). */
static char *diagnose(const char *name, const char *text, size_t len)
{
    struct mg_arena arena;
    mg_arena_init(&arena);
    char *copy = malloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    struct mg_source src;
    mg_source_init(&src, &arena, name);
    mg_source_set_text(&src, copy, len);
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    struct mg_diag diag;
    mg_diag_init(&diag, &src, f);
    check_text(&arena, &src, &diag);
    fclose(f);
    mg_arena_free(&arena);
    free(copy);
    return out;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n < cap ? n : cap - 1] = '\0';
    *len = n;
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(diagnostics, file_pairs, .timeout = 60)
{
    const char *dir = MACHGEN_TEST_DATA "/cases";
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 512) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".defs") == 0)
            names[n++] = strndup(e->d_name, l - 5);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    cr_assert_geq(n, 25, "expected at least 25 cases, found %zu", n);
    unsigned failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024], errpath[1024], shown[600];
        snprintf(path, sizeof path, "%s/%s.defs", dir, names[i]);
        snprintf(errpath, sizeof errpath, "%s/%s.err", dir, names[i]);
        snprintf(shown, sizeof shown, "cases/%s.defs", names[i]);
        size_t len, elen;
        char *text = slurp(path, &len);
        char *want = slurp(errpath, &elen);
        cr_expect_not_null(want, "missing %s", errpath);
        char *got = diagnose(shown, text, len);
        if (want && strcmp(got, want) != 0) {
            failed++;
            cr_expect_str_eq(got, want, "case %s differs.\n--- got:\n%s--- want:\n%s",
                             names[i], got, want);
        }
        free(got);
        free(want);
        free(text);
        free(names[i]);
    }
    cr_expect_eq(failed, 0);
}

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

Test(diagnostics, nul_bytes)
{
    static const char text[] = "subsystem s 1;\nskip;\0\0\0skip;\n";
    char *got = diagnose("cases/nul.defs", text, sizeof text - 1);
    cr_expect_str_eq(got, "cases/nul.defs:2:6: error: NUL byte in input\n"
                          "    2 | skip;   skip;\n"
                          "      |      ^\n");
    free(got);
}

Test(diagnostics, binary_garbage)
{
    static const char text[] = "subsystem s 1;\n\x01\x02\xff\xfe\x80;\n";
    char *got = diagnose("cases/bin.defs", text, sizeof text - 1);
    cr_expect_str_eq(got, "cases/bin.defs:2:1: error: stray byte '\\x01' in input\n"
                          "    2 |   \xff\xfe\x80;\n"
                          "      | ^\n");
    free(got);
}

Test(diagnostics, deep_nesting, .timeout = 30)
{
    size_t depth = 10000;
    char *text = malloc(2 * depth + 64);
    char *q = text + sprintf(text, "type t = array[");
    memset(q, '(', depth);
    q += depth;
    *q++ = '1';
    memset(q, ')', depth);
    q += depth;
    q += sprintf(q, "] of int;\n");
    char *got = diagnose("cases/deep.defs", text, (size_t)(q - text));
    static const char want[] = "cases/deep.defs:1:10008: error: nesting too deep (the parser's "
                               "limit is 10000 levels of parentheses, types and expressions)\n";
    cr_expect(strncmp(got, want, sizeof want - 1) == 0, "%.300s", got);
    cr_expect_eq(count(got, ": error: "), 1, "exactly one error");
    cr_expect_lt(strlen(got), 600, "the caret line is a window, not 20000 bytes");
    cr_expect(strstr(got, "exhausted") == NULL);
    free(got);
    free(text);
}

Test(diagnostics, huge_line, .timeout = 60)
{
    size_t n = 10u << 20;
    char *text = malloc(n + 64);
    char *q = text + sprintf(text, "routine r(x : int, ");
    memset(q, 'z', n);
    q += n;
    q += sprintf(q, "zz);\n");
    char *got = diagnose("cases/huge.defs", text, (size_t)(q - text));
    /* One error; the source line is shown as a window around the caret. */
    cr_expect(strncmp(got, "cases/huge.defs:1:20: error: unknown flag 'zzzzzz", 48) == 0,
              "%.200s", got);
    cr_expect(strstr(got, "zzz...'\n") != NULL, "the name is shortened: %.200s", got);
    cr_expect(strlen(got) < 2000, "%zu bytes of messages", strlen(got));
    free(got);
    free(text);
}

/* Line markers name the file whose line a message shows; only a regular file is read
 * (a device would never end its line, a FIFO would block). */
Test(diagnostics, line_marker_naming_a_device, .timeout = 10)
{
    static const char text[] = "# 1 \"/dev/zero\"\nsubsystem s 1;\nskip;\x01\n";
    char *got = diagnose("cases/dev.defs", text, sizeof text - 1);
    cr_expect_str_eq(got, "/dev/zero:2:6: error: stray byte '\\x01' in input\n"
                          "    2 | skip; \n"
                          "      |      ^\n");
    free(got);
}

Test(diagnostics, spelling_suggestions)
{
    static const char *const words[] = {"routine", "simpleroutine", "skip", "type", "import",
                                        "uimport", "simport"};
    size_t n = sizeof words / sizeof words[0];
    cr_expect_str_eq(mg_spell_suggest("rotine", words, n, false), "routine");
    cr_expect_str_eq(mg_spell_suggest("rouitne", words, n, false), "routine", "a swap is one edit");
    cr_expect_str_eq(mg_spell_suggest("simplerotuine", words, n, false), "simpleroutine");
    cr_expect_str_eq(mg_spell_suggest("SKIPP", words, n, true), "skip");
    cr_expect_null(mg_spell_suggest("SKIPP", words, n, false), "case counts unless told");
    cr_expect_null(mg_spell_suggest("routine", words, n, false), "an exact match is no suggestion");
    cr_expect_null(mg_spell_suggest("sk", words, n, false), "two edits of four is too far");
    cr_expect_null(mg_spell_suggest("x", words, n, false));
    cr_expect_str_eq(mg_spell_suggest("timport", words, n, false), "import",
                     "of equally close words the first listed wins");
    cr_expect_str_eq(mg_spell_suggest("uimpor", words, n, false), "uimport",
                     "a closer word later in the list wins");
    char longword[80];
    memset(longword, 'r', sizeof longword - 1);
    longword[sizeof longword - 1] = '\0';
    cr_expect_null(mg_spell_suggest(longword, words, n, false));
}
