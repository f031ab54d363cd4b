#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* One row per option. Options taking a value accept it as the next argument; the
 * single-letter preprocessor options (-I, -D, -U) also accept it attached (-Idir). */
enum opt_id {
    OPT_HELP, OPT_VERSION, OPT_CHECK, OPT_DESCRIBE, OPT_PREPROCESSED, OPT_COLOR,
    OPT_USER, OPT_SERVER, OPT_HEADER, OPT_SHEADER, OPT_ASYNC, OPT_ASYNC_HEADER,
    OPT_ASYNC_SERVER, OPT_ASYNC_SHEADER, OPT_IHEADER, OPT_DHEADER, OPT_I_PREFIX,
    OPT_SPLIT, OPT_NOVOUCHERS, OPT_MACH_MSG2, OPT_MAXONSTACK, OPT_MAX_DESCRS,
    OPT_MAX_REPLY_DESCRS, OPT_ARCH, OPT_TARGET, OPT_ISYSROOT, OPT_CC, OPT_CPP,
    OPT_INCLUDE, OPT_DEFINE, OPT_UNDEF, OPT_MD, OPT_MF, OPT_MT, OPT_MQ, OPT_MP,
    OPT_QUIET, OPT_WARN_ON, OPT_VERBOSE, OPT_QUIET_VERBOSE, OPT_WERROR, OPT_MAX_ERRORS,
    OPT_LEGACY_ON, OPT_LEGACY_OFF,
};

struct opt {
    const char *name;
    enum opt_id id;
    bool takes_value;
    const char *help;  /* NULL: an alias or legacy switch listed under another entry */
    const char *metavar;
};

static const struct opt opts[] = {
    {"--help", OPT_HELP, false, "print this help and exit", NULL},
    {"-help", OPT_HELP, false, NULL, NULL},
    {"--version", OPT_VERSION, false, "print the version and exit (also -version)", NULL},
    {"-version", OPT_VERSION, false, NULL, NULL},
    {"--check", OPT_CHECK, false, "check the interface and exit; write nothing", NULL},
    {"--describe", OPT_DESCRIBE, false,
     "print the resolved interface (ids, message layouts) to standard output", NULL},
    {"--preprocessed", OPT_PREPROCESSED, false,
     "the input is already preprocessed: do not run the C preprocessor", NULL},
    {"--color", OPT_COLOR, true, "colour diagnostics: auto (default), always, never", "WHEN"},
    {"-user", OPT_USER, true, "client source file (default SUBSYSTEMUser.c)", "FILE"},
    {"-server", OPT_SERVER, true, "server source file (default SUBSYSTEMServer.c)", "FILE"},
    {"-header", OPT_HEADER, true, "client header (default SUBSYSTEM.h)", "FILE"},
    {"-sheader", OPT_SHEADER, true, "server header (default: none)", "FILE"},
    {"-async", OPT_ASYNC, true, "asynchronous client stubs (machgen/async.h)", "FILE"},
    {"-asyncheader", OPT_ASYNC_HEADER, true, "header of the asynchronous client stubs", "FILE"},
    {"-asyncserver", OPT_ASYNC_SERVER, true, "deferred server reply functions", "FILE"},
    {"-asyncsheader", OPT_ASYNC_SHEADER, true, "header of the deferred server replies", "FILE"},
    {"-iheader", OPT_IHEADER, true, "internal header (KernelServer interfaces)", "FILE"},
    {"-dheader", OPT_DHEADER, true, "defines header", "FILE"},
    {"-i", OPT_I_PREFIX, true, "one client source file per routine, named PREFIXroutine.c",
     "PREFIX"},
    {"-split", OPT_SPLIT, false, "imports go to the .c files as well as the headers", NULL},
    {"-novouchers", OPT_NOVOUCHERS, false, "no voucher code in the stubs", NULL},
    {"-mach_msg2", OPT_MACH_MSG2, false, "kernel server stubs split into KData/UData", NULL},
    {"-maxonstack", OPT_MAXONSTACK, true, "messages larger than N bytes go on the heap", "N"},
    {"-max_descrs", OPT_MAX_DESCRS, true, "maximum descriptors in a request", "N"},
    {"-max_reply_descrs", OPT_MAX_REPLY_DESCRS, true, "maximum descriptors in a reply", "N"},
    {"-arch", OPT_ARCH, true,
     "target architecture: x86_64, arm64, arm64e (LP64, default), i386, arm64_32, armv7k (ILP32)",
     "ARCH"},
    {"-target", OPT_TARGET, true, "target triple; passed to the preprocessor, sets the ABI",
     "TRIPLE"},
    {"-isysroot", OPT_ISYSROOT, true, "SDK root, passed to the preprocessor", "DIR"},
    {"-cc", OPT_CC, true, "C compiler used as the preprocessor (run as CC -E)", "CC"},
    {"-cpp", OPT_CPP, true, "preprocessor program, run without -E", "CPP"},
    {"-I", OPT_INCLUDE, true, "add DIR to the include search path", "DIR"},
    {"-D", OPT_DEFINE, true, "define a preprocessor macro", "NAME[=VALUE]"},
    {"-U", OPT_UNDEF, true, "undefine a preprocessor macro", "NAME"},
    {"-MD", OPT_MD, false, "write a dependency file (default: OUTPUT.d, or -MF)", NULL},
    {"-MF", OPT_MF, true, "dependency file name", "FILE"},
    {"-MT", OPT_MT, true, "target named in the dependency file", "TARGET"},
    {"-MQ", OPT_MQ, true, "like -MT, quoting characters special to make", "TARGET"},
    {"-MP", OPT_MP, false, "add a phony target for each dependency", NULL},
    {"-q", OPT_QUIET, false, "no warnings (also -w)", NULL},
    {"-w", OPT_QUIET, false, NULL, NULL},
    {"-Q", OPT_WARN_ON, false, "warnings on (default)", NULL},
    {"-Werror", OPT_WERROR, false, "treat warnings as errors", NULL},
    {"-fmax-errors", OPT_MAX_ERRORS, true, "stop after N errors (default 50, 0 = no limit)", "N"},
    {"-v", OPT_VERBOSE, false, "verbose: list the files read and written", NULL},
    {"-V", OPT_QUIET_VERBOSE, false, "not verbose (default)", NULL},
    /* mig's legacy switches: accepted, with no effect on Darwin output. */
    {"-k", OPT_LEGACY_ON, false, NULL, NULL}, {"-K", OPT_LEGACY_OFF, false, NULL, NULL},
    {"-s", OPT_LEGACY_ON, false, NULL, NULL}, {"-S", OPT_LEGACY_OFF, false, NULL, NULL},
    {"-b", OPT_LEGACY_ON, false, NULL, NULL}, {"-B", OPT_LEGACY_OFF, false, NULL, NULL},
    {"-n", OPT_LEGACY_ON, false, NULL, NULL}, {"-N", OPT_LEGACY_OFF, false, NULL, NULL},
    {"-r", OPT_LEGACY_ON, false, NULL, NULL}, {"-R", OPT_LEGACY_OFF, false, NULL, NULL},
    {"-t", OPT_LEGACY_ON, false, NULL, NULL}, {"-T", OPT_LEGACY_OFF, false, NULL, NULL},
    {"-l", OPT_LEGACY_ON, false, NULL, NULL}, {"-L", OPT_LEGACY_OFF, false, NULL, NULL},
};

static const struct opt *find_opt(const char *arg, const char **attached)
{
    *attached = NULL;
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(arg, opts[i].name) == 0)
            return &opts[i];
    /* --color=WHEN, -fmax-errors=N */
    const char *eq = strchr(arg, '=');
    if (eq) {
        for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
            size_t n = strlen(opts[i].name);
            if (opts[i].takes_value && (size_t)(eq - arg) == n && strncmp(arg, opts[i].name, n) == 0) {
                *attached = eq + 1;
                return &opts[i];
            }
        }
    }
    /* -Idir, -DNAME, -UNAME */
    if (arg[0] == '-' && (arg[1] == 'I' || arg[1] == 'D' || arg[1] == 'U') && arg[2]) {
        for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
            if (opts[i].name[1] == arg[1] && opts[i].name[2] == '\0') {
                *attached = arg + 2;
                return &opts[i];
            }
        }
    }
    return NULL;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("machgen: fatal error: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static void push_cpp(struct mg_options *o, const char *a)
{
    o->cpp_args = xrealloc(o->cpp_args, (o->ncpp_args + 1) * sizeof *o->cpp_args);
    o->cpp_args[o->ncpp_args++] = a;
}

static bool parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || *s == '\0' || *end != '\0' || v < 0)
        return false;
    *out = v;
    return true;
}

static const char *const option_names[] = {
    "--help", "--version", "--check", "--describe", "--preprocessed", "--color", "-user",
    "-server", "-header", "-sheader", "-async", "-asyncheader", "-asyncserver", "-asyncsheader",
    "-iheader", "-dheader", "-split", "-novouchers",
    "-mach_msg2", "-maxonstack", "-max_descrs", "-max_reply_descrs", "-arch", "-target",
    "-isysroot", "-cc", "-cpp", "-MD", "-MF", "-MT", "-MQ", "-MP", "-Werror", "-fmax-errors",
    "-version",
};

static bool usage_error(FILE *err, const char *fmt, const char *arg)
{
    fputs("machgen: error: ", err);
    fprintf(err, fmt, arg);
    fputs("\n(run 'machgen --help' for the list of options)\n", err);
    return false;
}

bool mg_options_parse(struct mg_options *o, int argc, char **argv, FILE *err)
{
    memset(o, 0, sizeof *o);
    o->max_errors = 50;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            if (o->input)
                return usage_error(err, "more than one input file given ('%s')", arg);
            o->input = arg;
            continue;
        }
        if (strncmp(arg, "-Wno-", 5) == 0 && arg[5]) {
            o->wno = xrealloc(o->wno, (o->nwno + 2) * sizeof *o->wno);
            o->wno[o->nwno++] = arg + 5;
            o->wno[o->nwno] = NULL;
            continue;
        }
        const char *val;
        const struct opt *opt = find_opt(arg, &val);
        if (!opt) {
            const char *s = mg_spell_suggest(arg, option_names,
                                             sizeof option_names / sizeof option_names[0], false);
            if (s) {
                fprintf(err, "machgen: error: unknown option '%s'; did you mean '%s'?\n", arg, s);
                fputs("(run 'machgen --help' for the list of options)\n", err);
                return false;
            }
            return usage_error(err, "unknown option '%s'", arg);
        }
        if (opt->takes_value && !val) {
            if (i + 1 >= argc)
                return usage_error(err, "option '%s' needs a value", arg);
            val = argv[++i];
        }
        switch (opt->id) {
        case OPT_HELP: o->mode = MG_MODE_HELP; break;
        case OPT_VERSION: o->mode = MG_MODE_VERSION; break;
        case OPT_CHECK: o->mode = MG_MODE_CHECK; break;
        case OPT_DESCRIBE: o->mode = MG_MODE_DESCRIBE; break;
        case OPT_PREPROCESSED: o->preprocessed = true; break;
        case OPT_COLOR:
            if (strcmp(val, "auto") == 0) o->color = MG_COLOR_AUTO;
            else if (strcmp(val, "always") == 0) o->color = MG_COLOR_ALWAYS;
            else if (strcmp(val, "never") == 0) o->color = MG_COLOR_NEVER;
            else return usage_error(err, "--color takes auto, always or never, not '%s'", val);
            break;
        case OPT_USER: o->user_file = val; break;
        case OPT_SERVER: o->server_file = val; break;
        case OPT_HEADER: o->header_file = val; break;
        case OPT_SHEADER: o->sheader_file = val; break;
        case OPT_ASYNC: o->async_file = val; break;
        case OPT_ASYNC_HEADER: o->async_header_file = val; break;
        case OPT_ASYNC_SERVER: o->async_server_file = val; break;
        case OPT_ASYNC_SHEADER: o->async_sheader_file = val; break;
        case OPT_IHEADER: o->iheader_file = val; break;
        case OPT_DHEADER: o->dheader_file = val; break;
        case OPT_I_PREFIX: o->user_prefix_files = val; break;
        case OPT_SPLIT: o->split = true; break;
        case OPT_NOVOUCHERS: o->no_vouchers = true; break;
        case OPT_MACH_MSG2: o->mach_msg2 = true; break;
        case OPT_MAXONSTACK:
            if (!parse_long(val, &o->max_on_stack))
                return usage_error(err, "-maxonstack needs a non-negative number, not '%s'", val);
            break;
        case OPT_MAX_DESCRS:
            if (!parse_long(val, &o->max_descrs))
                return usage_error(err, "-max_descrs needs a non-negative number, not '%s'", val);
            break;
        case OPT_MAX_REPLY_DESCRS:
            if (!parse_long(val, &o->max_reply_descrs))
                return usage_error(err, "-max_reply_descrs needs a non-negative number, not '%s'",
                                   val);
            break;
        case OPT_MAX_ERRORS: {
            long n;
            if (!parse_long(val, &n) || n > 100000)
                return usage_error(err, "-fmax-errors needs a number, not '%s'", val);
            o->max_errors = (unsigned)n;
            break;
        }
        case OPT_ARCH: o->arch = val; break;
        case OPT_TARGET:
            o->target = val;
            push_cpp(o, "-target");
            push_cpp(o, val);
            break;
        case OPT_ISYSROOT:
            push_cpp(o, "-isysroot");
            push_cpp(o, val);
            break;
        case OPT_CC: o->cc = val; break;
        case OPT_CPP: o->cpp = val; break;
        case OPT_INCLUDE: push_cpp(o, "-I"); push_cpp(o, val); break;
        case OPT_DEFINE: push_cpp(o, "-D"); push_cpp(o, val); break;
        case OPT_UNDEF: push_cpp(o, "-U"); push_cpp(o, val); break;
        case OPT_MD: o->md = true; break;
        case OPT_MF: o->mf = val; o->md = true; break;
        case OPT_MT:
        case OPT_MQ:
            o->mt = xrealloc(o->mt, (o->nmt + 1) * sizeof *o->mt);
            o->mt_quote = xrealloc(o->mt_quote, (o->nmt + 1) * sizeof *o->mt_quote);
            o->mt[o->nmt] = val;
            o->mt_quote[o->nmt++] = opt->id == OPT_MQ;
            break;
        case OPT_MP: o->mp = true; break;
        case OPT_QUIET: o->quiet = true; break;
        case OPT_WARN_ON: o->quiet = false; break;
        case OPT_WERROR: o->werror = true; break;
        case OPT_VERBOSE: o->verbose = true; break;
        case OPT_QUIET_VERBOSE: o->verbose = false; break;
        case OPT_LEGACY_ON:
        case OPT_LEGACY_OFF: break;
        }
    }
    if (o->mode != MG_MODE_HELP && o->mode != MG_MODE_VERSION && !o->input)
        return usage_error(err, "%s", "no input file (usage: machgen [options] FILE.defs)");
    return true;
}

void mg_options_free(struct mg_options *o)
{
    free(o->cpp_args);
    free(o->mt);
    free(o->mt_quote);
    free(o->wno);
    memset(o, 0, sizeof *o);
}

void mg_print_help(FILE *out)
{
    fputs("Usage: machgen [options] FILE.defs\n"
          "\n"
          "Reads a Mach interface definition (the MIG language), runs the C preprocessor on it,\n"
          "checks it and writes client and server stubs for Darwin Mach messages. The options\n"
          "are mig's, so a build that runs mig can run machgen instead.\n"
          "\nOptions:\n",
          out);
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (!opts[i].help)
            continue;
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
                 opts[i].metavar ? opts[i].metavar : "");
        fprintf(out, "  %-24s %s\n", left, opts[i].help);
    }
    fputs("  -Wno-NAME                turn off the warning NAME (shown as [-WNAME])\n"
          "  -k -K -s -S -b -B -n -N -r -R -t -T -l -L\n"
          "                           mig's legacy switches: accepted, no effect\n"
          "\nEnvironment:\n"
          "  MACHGEN_CC, MIGCC        C compiler used as the preprocessor (default: cc)\n"
          "\nExit status: 0 success, 1 errors in the input (or the preprocessor failed),\n"
          "2 wrong command line.\n",
          out);
}
