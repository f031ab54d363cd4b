/* Hostile input: the parser must report and return, never crash or hang. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "parse_fixture.h"

Test(robust, binary_garbage_gives_one_error_per_run, .timeout = 20)
{
    unsigned char buf[4096];
    unsigned seed = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (unsigned char)(seed >> 16);
    }
    struct parsed p;
    parse_text(&p, "garbage.defs", (const char *)buf, sizeof buf);
    cr_expect(!p.ok);
    cr_expect(p.diag.errors > 0);
    cr_expect(p.diag.errors <= 51, "the error limit applies (%u)", p.diag.errors);
    parsed_free(&p);
}

Test(robust, every_single_byte_input, .timeout = 20)
{
    for (int c = 0; c < 256; c++) {
        char b = (char)c;
        struct parsed p;
        parse_text(&p, "b.defs", &b, 1);
        bool blank = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
                     c == '\f' || c == ';' || c == '#';
        cr_expect_eq(p.ok, blank, "byte 0x%02x", c);
        parsed_free(&p);
    }
}

Test(robust, embedded_nul_is_an_error_not_eof)
{
    static const char text[] = "skip;\0skip;\nskip;";
    struct parsed p;
    parse_text(&p, "nul.defs", text, sizeof text - 1);
    cr_expect(!p.ok);
    cr_expect(strstr(p.msgs, "nul.defs:1:6: error: NUL byte in input") != NULL, "%s", p.msgs);
    cr_expect_eq(p.ast.nstmts, 3, "parsing goes on after the NUL");
    parsed_free(&p);
}

Test(robust, ten_thousand_nested_parentheses, .timeout = 20)
{
    size_t depth = 10000;
    size_t len = strlen("type t = array[") + 2 * depth + strlen("1] of int;") + 1;
    char *text = malloc(len);
    char *q = text;
    q += sprintf(q, "type t = array[");
    memset(q, '(', depth);
    q += depth;
    *q++ = '1';
    memset(q, ')', depth);
    q += depth;
    q += sprintf(q, "] of int;");
    struct parsed p;
    parse_text(&p, "deep.defs", text, (size_t)(q - text));
    cr_expect(!p.ok);
    cr_expect(strstr(p.msgs, "error: nesting too deep") != NULL, "%s", p.msgs);
    cr_expect(strstr(p.msgs, "memory exhausted") == NULL);
    parsed_free(&p);

    /* Moderately deep nesting is fine. */
    q = text;
    q += sprintf(q, "type t = array[");
    memset(q, '(', 1000);
    q += 1000;
    *q++ = '7';
    memset(q, ')', 1000);
    q += 1000;
    q += sprintf(q, "] of int;");
    parse_text(&p, "deep.defs", text, (size_t)(q - text));
    cr_expect(p.ok, "%.300s", p.msgs);
    cr_expect_eq(stmt_at(&p, 0)->u.type->spec->u.array.size, 7);
    parsed_free(&p);
    free(text);
}

Test(robust, deeply_nested_types_and_unary_minus, .timeout = 20)
{
    size_t n = 20000;
    char *text = malloc(n + 64);
    char *q = text + sprintf(text, "type t = ");
    memset(q, '^', n);
    q += n;
    q += sprintf(q, "int;");
    struct parsed p;
    parse_text(&p, "deep.defs", text, (size_t)(q - text));
    cr_expect(!p.ok);
    cr_expect(strstr(p.msgs, "nesting too deep") != NULL, "%.300s", p.msgs);
    parsed_free(&p);
    free(text);
}

Test(robust, ten_megabyte_line, .timeout = 60)
{
    size_t n = 10u << 20;
    char *text = malloc(n + 64);
    char *q = text + sprintf(text, "type t = ");
    memset(q, 'a', n);
    q += n;
    q += sprintf(q, " x;");
    struct parsed p;
    parse_text(&p, "huge.defs", text, (size_t)(q - text));
    cr_expect(!p.ok);
    cr_expect_eq(p.diag.errors, 1);
    /* The message names the spot and shows a window of the line, not 10 MB. */
    cr_expect(p.msgs_len < 2000, "message is %zu bytes", p.msgs_len);
    cr_expect(strstr(p.msgs, "huge.defs:1:10485771: error: expected ';' before 'x'") != NULL,
              "%.400s", p.msgs);
    parsed_free(&p);

    /* A 10 MB identifier that is valid: the tree keeps it whole. */
    q = text + sprintf(text, "serverprefix ");
    memset(q, 'b', n);
    q += n;
    q += sprintf(q, ";");
    parse_text(&p, "huge.defs", text, (size_t)(q - text));
    cr_expect(p.ok);
    cr_expect_eq(strlen(stmt_at(&p, 0)->u.text), n);
    parsed_free(&p);
    free(text);
}

Test(robust, unterminated_constructs)
{
    static const char *const cases[] = {
        "rcsid \"abc", "/* open", "import <a.h", "routine r(x : int", "type t = array[",
        "type t = PointerTo(", "waittime", "msgoption (A|B", "# 3 \"unterminated", "type",
        "subsystem", "routine r(x : int,", "type t = struct {", "type t = (MACH_MSG_TYPE_X,",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct parsed p;
        parse_str(&p, cases[i]);
        cr_expect(!p.ok, "case '%s' must fail", cases[i]);
        cr_expect(p.diag.errors >= 1 && p.diag.errors <= 3, "case '%s': %u errors:\n%s",
                  cases[i], p.diag.errors, p.msgs);
        parsed_free(&p);
    }
}

Test(robust, recovery_reports_several_errors)
{
    struct parsed p;
    parse_str(&p, "routine a(x : int)\nroutine b(x : int);\n"
                  "type t = ;\n"
                  "rotuine c(x : int);\n"
                  "routine d(x : int, countinot);\n"
                  "routine e(x : int);\n");
    cr_expect_eq(p.diag.errors, 4, "%s", p.msgs);
    /* a's missing ';' costs nothing else; the broken type and statement are dropped. */
    static const char *const names[] = {"a", "b", "d", "e"};
    cr_assert_eq(p.ast.nstmts, 4, "%s", p.msgs);
    for (unsigned i = 0; i < 4; i++)
        cr_expect_str_eq(stmt_at(&p, i)->u.routine->name, names[i]);
    parsed_free(&p);
}

Test(robust, many_distinct_line_marker_files_stay_linear, .timeout = 20)
{
    size_t n = 100000;
    char *text = malloc(n * 32);
    char *q = text;
    for (size_t i = 0; i < n; i++)
        q += sprintf(q, "# 1 \"f%zu.defs\"\nskip;\n", i);
    struct parsed p;
    parse_text(&p, "m.defs", text, (size_t)(q - text));
    cr_expect(p.ok);
    cr_expect_eq(p.src.nfiles, n + 1);
    cr_expect_eq(p.ast.nstmts, n);
    cr_expect_str_eq(mg_source_file_name(&p.src, p.ast.last->loc.file), "f99999.defs");
    /* Interning the same name again finds the existing entry. */
    cr_expect_eq(mg_source_file(&p.src, "f12345.defs", 11), 12346);
    parsed_free(&p);
    free(text);
}

Test(robust, missing_semicolons_lose_no_statement)
{
    struct parsed p;
    parse_str(&p, "skip skip;\ntype t = int\ntype u = t\nroutine r(x : u)\nsubsystem s 1\n"
                  "import <a.h>\nserverprefix S_;\n");
    cr_expect_eq(p.diag.errors, 6, "one per missing ';':\n%s", p.msgs);
    static const enum mg_stmt_kind kinds[] = {MG_STMT_SKIP, MG_STMT_SKIP, MG_STMT_TYPE,
                                              MG_STMT_TYPE, MG_STMT_ROUTINE, MG_STMT_SUBSYSTEM,
                                              MG_STMT_IMPORT, MG_STMT_SERVERPREFIX};
    cr_assert_eq(p.ast.nstmts, 8, "%s", p.msgs);
    for (unsigned i = 0; i < 8; i++)
        cr_expect_eq(stmt_at(&p, i)->kind, kinds[i], "statement %u", i);
    cr_expect(strstr(p.msgs, "t.defs:3:1: error: expected ';' before 'type'") != NULL, "%s",
              p.msgs);
    parsed_free(&p);
}

Test(robust, unclosed_argument_list_keeps_the_next_statement)
{
    struct parsed p;
    parse_str(&p, "routine a(\n"
                  "routine b(p : mach_port_t;\n"
                  "skip;\n"
                  "simpleroutine c(p : mach_port_t, dealloc\n"
                  "type t = int;\n"
                  "routine d(p : t);\n");
    cr_expect_eq(p.diag.errors, 3, "%s", p.msgs);
    cr_assert_eq(p.ast.nstmts, 6, "%s", p.msgs);
    static const enum mg_stmt_kind kinds[] = {MG_STMT_ROUTINE, MG_STMT_ROUTINE, MG_STMT_SKIP,
                                              MG_STMT_ROUTINE, MG_STMT_TYPE, MG_STMT_ROUTINE};
    for (unsigned i = 0; i < 6; i++)
        cr_expect_eq(stmt_at(&p, i)->kind, kinds[i], "statement %u", i);
    const struct mg_routinedecl *c = stmt_at(&p, 3)->u.routine;
    cr_expect_eq(c->kind, MG_SIMPLEROUTINE);
    cr_expect_eq(c->nargs, 1);
    cr_expect_eq(c->args->flags, MG_FLAG_DEALLOC);
    cr_expect_str_eq(stmt_at(&p, 5)->u.routine->name, "d");
    parsed_free(&p);
}
