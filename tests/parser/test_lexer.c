/* Locations, cpp line markers and doc comments. */
#include <criterion/criterion.h>
#include <string.h>

#include "parse_fixture.h"

Test(lexer, locations_count_bytes_and_tabs_as_one_column)
{
    struct parsed p;
    parse_str(&p, "\n\ttype  t =\tint;\nroutine r(x : int);");
    cr_assert(p.ok, "%s", p.msgs);
    const struct mg_stmt *s = stmt_at(&p, 0);
    cr_expect_eq(s->loc.file, 0);
    cr_expect_eq(s->loc.line, 2);
    cr_expect_eq(s->loc.col, 2);
    cr_expect_eq(s->loc.offset, 2);
    cr_expect_eq(s->u.type->name_loc.col, 8);
    cr_expect_eq(s->u.type->spec->loc.col, 12);
    cr_expect_eq(s->u.type->spec->loc.offset, 12);
    s = stmt_at(&p, 1);
    cr_expect_eq(s->loc.line, 3);
    cr_expect_eq(s->loc.offset, 17);
    cr_expect_str_eq(mg_source_file_name(&p.src, s->loc.file), "t.defs");
    parsed_free(&p);
}

Test(lexer, line_markers_move_file_and_line)
{
    struct parsed p;
    parse_str(&p, "# 1 \"main.defs\"\n"
                  "# 1 \"<built-in>\"\n"
                  "# 1 \"<command-line>\"\n"
                  "# 1 \"main.defs\"\n"
                  "# 1 \"/usr/include/mach/std_types.defs\" 1 3 4\n"
                  "\n"
                  "type int = MACH_MSG_TYPE_INTEGER_32;\n"
                  "# 40 \"main.defs\" 2\n"
                  "  routine r(x : int);\n"
                  "#line 7 \"dir\\\\with \\\"quote\\\".defs\"\n"
                  "skip;\n"
                  "#pragma once\n"
                  "#ident \"v1\"\n"
                  "#\n"
                  "skip;\n");
    cr_assert(p.ok, "%s", p.msgs);
    const struct mg_stmt *s = stmt_at(&p, 0);
    cr_expect_str_eq(mg_source_file_name(&p.src, s->loc.file),
                     "/usr/include/mach/std_types.defs");
    cr_expect_eq(s->loc.line, 2);
    cr_expect_eq(s->loc.col, 1);
    s = stmt_at(&p, 1);
    cr_expect_str_eq(mg_source_file_name(&p.src, s->loc.file), "main.defs");
    cr_expect_eq(s->loc.line, 40);
    cr_expect_eq(s->loc.col, 3);
    s = stmt_at(&p, 2);
    cr_expect_str_eq(mg_source_file_name(&p.src, s->loc.file), "dir\\with \"quote\".defs");
    cr_expect_eq(s->loc.line, 7);
    s = stmt_at(&p, 3);
    cr_expect_eq(s->loc.line, 11, "pragma, ident and null directives are lines too");
    parsed_free(&p);
}

Test(lexer, error_location_follows_line_marker)
{
    struct parsed p;
    parse_str(&p, "# 100 \"orig.defs\"\nroutine r(x : int)\nskip;\n");
    cr_expect(!p.ok);
    cr_expect_str_eq(p.msgs, "orig.defs:101:1: error: expected ';' before 'skip'\n"
                             "  101 | skip;\n"
                             "      | ^\n");
    parsed_free(&p);
}

Test(lexer, unexpected_directive_is_an_error)
{
    struct parsed p;
    parse_str(&p, "#include <x.defs>\nskip;\n");
    cr_expect(!p.ok);
    cr_expect(strstr(p.msgs, "t.defs:1:1: error: preprocessor directive '#include'") != NULL,
              "%s", p.msgs);
    cr_expect_eq(p.ast.nstmts, 1, "the next line still parses");
    parsed_free(&p);
    parse_str(&p, "skip; # 3 \"x\"\n");
    cr_expect(!p.ok, "a '#' that does not start a line is not a line marker");
    parsed_free(&p);
}

static const char *doc_of(const struct parsed *p, unsigned n)
{
    const struct mg_stmt *s = stmt_at(p, n);
    cr_assert_not_null(s);
    return s->kind == MG_STMT_TYPE ? s->u.type->doc : s->u.routine->doc;
}

Test(lexer, doc_comments)
{
    struct parsed p;
    parse_str(&p, "/*\n"
                  " * Returns the answer.\n"
                  " *   Indented detail.\n"
                  " */\n"
                  "\n"
                  "routine a(x : int);\n"
                  "routine b(x : int);\n"
                  "// one\n"
                  "// two\n"
                  "simpleroutine c(x : int);\n"
                  "/** A type. */ type t = int;\n"
                  "skip; /* trailing, not a doc */\n"
                  "routine d(x : int);\n"
                  "/* stale */ skip;\n"
                  "routine e(x : int);\n"
                  "/* first */\n"
                  "/* second */\n"
                  "routine f(x : int);\n");
    cr_assert(p.ok, "%s", p.msgs);
    cr_expect_str_eq(doc_of(&p, 0), "Returns the answer.\n  Indented detail.");
    cr_expect_null(doc_of(&p, 1));
    cr_expect_str_eq(doc_of(&p, 2), "one\ntwo");
    cr_expect_str_eq(doc_of(&p, 3), "A type.");
    cr_expect_null(doc_of(&p, 5));
    cr_expect_null(doc_of(&p, 7));
    cr_expect_str_eq(doc_of(&p, 8), "second");
    parsed_free(&p);
}

Test(lexer, operand_stops_at_comment)
{
    struct parsed p;
    parse_str(&p, "waittime 100 /* ms */;\nmsgoption\n  MACH_SEND_TIMEOUT // why\n;\n");
    cr_assert(p.ok, "%s", p.msgs);
    cr_expect_str_eq(stmt_at(&p, 0)->u.text, "100");
    cr_expect_str_eq(stmt_at(&p, 1)->u.text, "MACH_SEND_TIMEOUT");
    cr_expect_eq(stmt_at(&p, 1)->loc.line, 2);
    parsed_free(&p);
}
