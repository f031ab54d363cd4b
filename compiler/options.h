/* Command-line options: mig's spellings (-user, -header, -sheader, -MD, -arch, ...)
 * plus machgen's own (--check, --describe, --preprocessed, --color). */
#ifndef MACHGEN_OPTIONS_H
#define MACHGEN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum mg_mode {
    MG_MODE_GENERATE, /* default: write the stubs */
    MG_MODE_CHECK,    /* --check: validate only, write nothing */
    MG_MODE_DESCRIBE, /* --describe: print the resolved model */
    MG_MODE_HELP,
    MG_MODE_VERSION,
};

enum mg_color { MG_COLOR_AUTO, MG_COLOR_ALWAYS, MG_COLOR_NEVER };

struct mg_options {
    enum mg_mode mode;
    const char *input; /* the .defs file */

    /* Preprocessing. cpp_args holds -I/-D/-U/-isysroot/-target in command-line order. */
    const char **cpp_args;
    size_t ncpp_args;
    const char *cc;       /* -cc: C compiler run as `cc -E` (default $MACHGEN_CC, $MIGCC, cc) */
    const char *cpp;      /* -cpp: a preprocessor run as is (no -E) */
    bool preprocessed;    /* --preprocessed: input is already preprocessed, no cpp */
    const char *defs_dir; /* directory of machgen's standard .defs (searched last) */

    /* Target. */
    const char *arch;   /* -arch NAME */
    const char *target; /* -target TRIPLE */

    /* Outputs (mig names); NULL = default, "/dev/null" = suppress. */
    const char *user_file, *server_file, *header_file, *sheader_file, *iheader_file,
        *dheader_file;
    /* Asynchronous outputs (emit_async.h); NULL = not written. */
    const char *async_file, *async_header_file, *async_server_file, *async_sheader_file;
    const char *user_prefix_files; /* -i PREFIX: one user file per routine */
    bool split;
    bool no_vouchers;
    bool mach_msg2;
    long max_on_stack, max_descrs, max_reply_descrs;

    /* Dependency file (gcc semantics). */
    bool md;            /* -MD */
    const char *mf;     /* -MF FILE */
    const char **mt;    /* -MT / -MQ targets */
    size_t nmt;
    bool *mt_quote;     /* per target: -MQ */
    bool mp;            /* -MP */

    /* Diagnostics. */
    bool quiet;         /* -q / -w: warnings off */
    bool werror;
    const char **wno;   /* -Wno-NAME, NULL-terminated */
    size_t nwno;
    enum mg_color color;
    unsigned max_errors;
    bool verbose;

    /* Legacy mig switches accepted for compatibility (no effect on Darwin output). */
    bool ansi_c, symtab, bounds_annotations, ndr_checks, msg_rpc, rpc_trap, event_logging;
};

/* Parses argv into *o (allocations live until mg_options_free). On a usage error prints
 * "machgen: error: ..." to err and returns false. */
bool mg_options_parse(struct mg_options *o, int argc, char **argv, FILE *err);
void mg_options_free(struct mg_options *o);
void mg_print_help(FILE *out);

#endif
