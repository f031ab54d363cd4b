/* The command line, driven in-process through mg_main: options, preprocessing,
 * exit statuses, dependency files, and the real GNU Mach corpus. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"

struct run {
    int status;
    char *out, *err;
    size_t outlen, errlen;
};

/* Runs machgen with a NULL-terminated argument list, capturing stdout and stderr. */
static struct run run_machgen(const char *first, ...)
{
    const char *argv[64] = {"machgen"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    struct run r = {0};
    FILE *out = open_memstream(&r.out, &r.outlen);
    FILE *err = open_memstream(&r.err, &r.errlen);
    cr_assert(out && err);
    r.status = mg_main(argc, (char **)argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

static char tmpdir[64];

static void enter_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/machgen-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    cr_assert_eq(chdir(tmpdir), 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot create %s", path);
    fputs(text, f);
    fclose(f);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    if (d)
        closedir(d);
    return n;
}

static const char *const simple_defs =
    "subsystem simple 1000;\n"
    "type int = MACH_MSG_TYPE_INTEGER_32;\n"
    "type mach_port_t = MACH_MSG_TYPE_COPY_SEND;\n"
    "routine add(server : mach_port_t; a : int; b : int; out sum : int);\n";

TestSuite(cli, .init = enter_tmpdir);

Test(cli, help_lists_mig_options)
{
    struct run r = run_machgen("--help", NULL);
    cr_assert_eq(r.status, 0);
    const char *must[] = {"-user", "-server", "-header", "-sheader", "-iheader", "-dheader",
                          "-MD", "-arch", "-target", "-cc", "-cpp", "--check", "--describe"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        cr_assert_not_null(strstr(r.out, must[i]), "help does not mention %s", must[i]);
    run_free(&r);
}

Test(cli, version)
{
    struct run r = run_machgen("--version", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strncmp(r.out, "machgen ", 8) == 0, "got: %s", r.out);
    run_free(&r);
}

Test(cli, unknown_option_is_a_usage_error_with_suggestion)
{
    struct run r = run_machgen("--chek", "x.defs", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert_not_null(strstr(r.err, "unknown option '--chek'; did you mean '--check'?"),
                       "got: %s", r.err);
    run_free(&r);
}

Test(cli, missing_input_file)
{
    struct run r = run_machgen("--check", "nope.defs", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_not_null(strstr(r.err, "machgen: error: cannot open 'nope.defs'"), "got: %s", r.err);
    run_free(&r);
}

Test(cli, no_input_file)
{
    struct run r = run_machgen("--check", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert_not_null(strstr(r.err, "no input file"));
    run_free(&r);
}

Test(cli, unknown_arch)
{
    write_text("s.defs", simple_defs);
    struct run r = run_machgen("--check", "-arch", "pdp11", "s.defs", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert_not_null(strstr(r.err, "unknown architecture 'pdp11'"));
    run_free(&r);
}

Test(cli, check_valid_file_writes_nothing)
{
    write_text("s.defs", simple_defs);
    struct run r = run_machgen("--check", "s.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_eq(r.errlen, 0, "stderr: %s", r.err);
    cr_assert_eq(r.outlen, 0);
    cr_assert_eq(count_entries("."), 1, "--check must not write files");
    run_free(&r);
}

Test(cli, missing_include_fails_through_the_preprocessor)
{
    write_text("m.defs", "#include <no/such/file.defs>\nsubsystem m 1;\n");
    struct run r = run_machgen("--check", "m.defs", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_not_null(strstr(r.err, "machgen: error: the preprocessor"), "got: %s", r.err);
    run_free(&r);
}

Test(cli, preprocessor_that_cannot_run)
{
    write_text("s.defs", simple_defs);
    struct run r = run_machgen("--check", "-cc", "/no/such/compiler", "s.defs", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_not_null(strstr(r.err, "cannot run the preprocessor '/no/such/compiler'"),
                       "got: %s", r.err);
    run_free(&r);
}

Test(cli, defines_and_include_paths_reach_the_preprocessor)
{
    mkdir("inc", 0755);
    write_text("inc/types.defs", "type int = MACH_MSG_TYPE_INTEGER_32;\n"
                                 "type mach_port_t = MACH_MSG_TYPE_COPY_SEND;\n");
    write_text("d.defs", "#include <types.defs>\n"
                         "#ifdef WANT_SUBSYSTEM\nsubsystem d 500;\n#endif\n"
                         "routine r(server : mach_port_t; x : int);\n");
    struct run bad = run_machgen("--check", "-I", "inc", "d.defs", NULL);
    cr_assert_eq(bad.status, 1, "without -D the subsystem is missing");
    struct run good = run_machgen("--check", "-Iinc", "-DWANT_SUBSYSTEM", "d.defs", NULL);
    cr_assert_eq(good.status, 0, "stderr: %s", good.err);
    struct run undef = run_machgen("--check", "-Iinc", "-DWANT_SUBSYSTEM", "-U", "WANT_SUBSYSTEM",
                                   "d.defs", NULL);
    cr_assert_eq(undef.status, 1, "-U after -D must win");
    run_free(&bad);
    run_free(&good);
    run_free(&undef);
}

Test(cli, errors_point_into_the_included_file)
{
    mkdir("inc", 0755);
    write_text("inc/bad.defs", "type int = MACH_MSG_TYPE_INTEGER_32;\n"
                               "type broken = no_such_type;\n");
    write_text("e.defs", "subsystem e 1;\n#include \"inc/bad.defs\"\n");
    struct run r = run_machgen("--check", "e.defs", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_not_null(strstr(r.err, "inc/bad.defs:2:"), "got: %s", r.err);
    run_free(&r);
}

/* cpp collapses blanks between tokens; positions must still be the file's own. */
Test(cli, columns_refer_to_the_original_file)
{
    write_text("c.defs", "subsystem c 1;\n"
                         "type int = MACH_MSG_TYPE_INTEGER_32;\n"
                         "routine r(server\t:   mach_port_t;     x    :    intt);\n");
    struct run r = run_machgen("--check", "c.defs", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_not_null(strstr(r.err, "c.defs:3:22: error: unknown type 'mach_port_t'"),
                       "got: %s", r.err);
    cr_assert_not_null(strstr(r.err, "c.defs:3:49: error: unknown type 'intt'; did you mean 'int'?"),
                       "got: %s", r.err);
    cr_assert_not_null(strstr(r.err, "    3 | routine r(server\t:   mach_port_t;"),
                       "the original line is shown: %s", r.err);
    run_free(&r);
}

Test(cli, standard_defs_are_found_anywhere)
{
    write_text("std.defs", "subsystem std 100;\n"
                           "#include <mach/std_types.defs>\n"
                           "#include <mach/mach_types.defs>\n"
                           "routine r(server : mach_port_t; n : int; b : boolean_t;\n"
                           "          out p : mach_port_t; s : c_string[*:64]);\n");
    struct run r = run_machgen("--check", "std.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    run_free(&r);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    return buf;
}

Test(cli, depfile_lists_every_defs_file_read)
{
    mkdir("my dir", 0755);
    write_text("my dir/types.defs", "type int = MACH_MSG_TYPE_INTEGER_32;\n"
                                    "type mach_port_t = MACH_MSG_TYPE_COPY_SEND;\n");
    write_text("dep.defs", "subsystem dep 7;\n#include \"my dir/types.defs\"\n"
                           "routine r(server : mach_port_t; x : int);\n");
    struct run r = run_machgen("--check", "-MD", "-MF", "out.d", "-MT", "gen/dep.h", "-MP",
                               "dep.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    char *d = slurp("out.d");
    cr_assert_not_null(d);
    cr_assert(strncmp(d, "gen/dep.h:", 10) == 0, "got: %s", d);
    cr_assert_not_null(strstr(d, "dep.defs"), "got: %s", d);
    cr_assert_not_null(strstr(d, "my\\ dir/types.defs"), "space must be escaped: %s", d);
    cr_assert_not_null(strstr(d, "\nmy\\ dir/types.defs:\n"), "-MP phony target: %s", d);
    cr_assert_null(strstr(d, "<built-in>"));
    free(d);
    run_free(&r);
}

Test(cli, depfile_default_name_and_target)
{
    write_text("s.defs", simple_defs);
    struct run r = run_machgen("--check", "-MD", "s.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    char *d = slurp("s.d");
    cr_assert_not_null(d, "-MD without -MF writes STEM.d");
    cr_assert(strncmp(d, "simple.h:", 9) == 0, "default target is the user header: %s", d);
    free(d);
    run_free(&r);
}

Test(cli, preprocessed_input_skips_cpp)
{
    /* A '#define' line is not a line marker: without cpp it must be rejected. */
    write_text("p.defs", "#define X 1\nsubsystem p 1;\n");
    struct run raw = run_machgen("--check", "--preprocessed", "p.defs", NULL);
    cr_assert_eq(raw.status, 1);
    struct run cooked = run_machgen("--check", "p.defs", NULL);
    cr_assert_eq(cooked.status, 0, "stderr: %s", cooked.err);
    run_free(&raw);
    run_free(&cooked);
}

Test(cli, describe_prints_the_model)
{
    write_text("s.defs", simple_defs);
    struct run r = run_machgen("--describe", "s.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_not_null(strstr(r.out, "simple"));
    cr_assert_not_null(strstr(r.out, "add"));
    cr_assert_not_null(strstr(r.out, "1000"));
    cr_assert_not_null(strstr(r.out, "1100"), "reply id = request id + 100:\n%s", r.out);
    run_free(&r);
}

Test(cli, no_partial_output_on_error)
{
    write_text("bad.defs", "subsystem bad 1;\nroutine r(x : undefined_type);\n");
    struct run r = run_machgen("-MD", "bad.defs", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_eq(count_entries("."), 1, "nothing may be written when the input has errors");
    run_free(&r);
}

/* Every GNU Mach interface that declares a subsystem passes --check with the include
 * paths a Hurd build uses; the types-only files are covered by being included. */
Test(corpus, gnumach_defs_check)
{
    const char *root = "/usr/include/x86_64-linux-gnu";
    const char *dirs[] = {"mach", "device", "mach_debug", "mach/x86_64"};
    struct stat st;
    if (stat("/usr/include/x86_64-linux-gnu/mach/mach.defs", &st) != 0)
        cr_skip_test("gnumach-dev is not installed");
    int checked = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char dir[256];
        snprintf(dir, sizeof dir, "%s/%s", root, dirs[i]);
        DIR *d = opendir(dir);
        cr_assert_not_null(d, "%s", dir);
        for (struct dirent *e; (e = readdir(d));) {
            size_t n = strlen(e->d_name);
            if (n < 6 || strcmp(e->d_name + n - 5, ".defs") != 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            char *text = slurp(path);
            cr_assert_not_null(text);
            bool has_subsystem = strstr(text, "subsystem") != NULL &&
                                 strstr(text, "\nsubsystem") != NULL;
            free(text);
            if (!has_subsystem)
                continue;
            char inc[300];
            snprintf(inc, sizeof inc, "-I%s", root);
            struct run r = run_machgen("--check", "-q", inc, path, NULL);
            cr_expect_eq(r.status, 0, "%s:\n%s", path, r.err);
            run_free(&r);
            checked++;
        }
        closedir(d);
    }
    cr_assert_geq(checked, 15, "only %d GNU Mach interfaces found", checked);
}

Test(cli, dheader_and_iheader_like_mig)
{
    write_text("s.defs", simple_defs);
    struct run r = run_machgen("-dheader", "s_defines.h", "-iheader", "s_internal.h", "-user",
                               "/dev/null", "-server", "/dev/null", "-header", "/dev/null",
                               "s.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    char *d = slurp("s_defines.h");
    char *i = slurp("s_internal.h");
    cr_assert_not_null(d);
    cr_assert_not_null(i);
    cr_assert_not_null(strstr(d, "#define MACH_ID_ADD 1000 /* add() */"), "%s", d);
    cr_assert_not_null(strstr(d, "#define MACH_ID_ADD_REPLY 1100 /* add() */"), "%s", d);
    cr_assert_not_null(strstr(i, "#define add add_external"), "%s", i);
    cr_assert_eq(count_entries("."), 3, "/dev/null outputs must not be created");
    free(d);
    free(i);
    run_free(&r);
}

Test(cli, per_routine_client_sources_with_i)
{
    write_text("s.defs", "subsystem simple 1000;\n"
                         "type int = MACH_MSG_TYPE_INTEGER_32;\n"
                         "type mach_port_t = MACH_MSG_TYPE_COPY_SEND;\n"
                         "routine add(server : mach_port_t; a : int; b : int; out sum : int);\n"
                         "skip;\n"
                         "simpleroutine ping(server : mach_port_t);\n");
    struct run r = run_machgen("-i", "one_", "s.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    char *add = slurp("one_add.c");
    char *ping = slurp("one_ping.c");
    cr_assert_not_null(add);
    cr_assert_not_null(ping);
    cr_assert_not_null(strstr(add, "#include \"simple.h\""), "%s", add);
    cr_assert_not_null(strstr(add, "kern_return_t add\n"), "%s", add);
    cr_assert_null(strstr(add, "kern_return_t ping\n"), "one routine per file");
    cr_assert_not_null(strstr(ping, "kern_return_t ping\n"), "%s", ping);
    struct stat st;
    cr_assert_neq(stat("simpleUser.c", &st), 0, "-i replaces the user file");
    cr_assert_eq(stat("simpleServer.c", &st), 0);
    free(add);
    free(ping);
    run_free(&r);
}

Test(cli, async_sources_come_with_their_default_headers)
{
    write_text("s.defs", simple_defs);
    struct run r = run_machgen("-async", "sa.c", "-asyncserver", "ss.c", "s.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    char *ca = slurp("sa.c"), *ch = slurp("simpleAsync.h");
    char *sa = slurp("ss.c"), *sh = slurp("simpleAsyncServer.h");
    cr_assert(ca && ch && sa && sh, "a source without the header it includes");
    cr_assert_not_null(strstr(ca, "#include \"simpleAsync.h\""), "%s", ca);
    cr_assert_not_null(strstr(sa, "#include \"simpleAsyncServer.h\""), "%s", sa);
    cr_assert_not_null(strstr(ch, "add_async("), "%s", ch);
    cr_assert_not_null(strstr(sh, "add_deferred_reply("), "%s", sh);
    free(ca), free(ch), free(sa), free(sh);
    run_free(&r);

    /* a header named on the command line replaces the default one */
    cr_assert_eq(unlink("simpleAsync.h"), 0);
    r = run_machgen("-async", "sa.c", "-asyncheader", "mine.h", "s.defs", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    struct stat st;
    cr_assert_eq(stat("mine.h", &st), 0);
    cr_assert_neq(stat("simpleAsync.h", &st), 0);
    run_free(&r);
}
