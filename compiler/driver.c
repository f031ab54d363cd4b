#define _GNU_SOURCE
#include "driver.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "describe.h"
#include "emit.h"
#include "emit_defines.h"
#include "emit_async.h"
#include "options.h"
#include "output.h"
#include "parse.h"
#include "preprocess.h"
#include "sema.h"

void mg_unit_init(struct mg_unit *u, const char *name, FILE *err)
{
    memset(u, 0, sizeof *u);
    mg_arena_init(&u->arena);
    mg_source_init(&u->src, &u->arena, name);
    mg_diag_init(&u->diag, &u->src, err);
}

void mg_unit_free(struct mg_unit *u)
{
    mg_arena_free(&u->arena);
    memset(u, 0, sizeof *u);
}

struct mg_interface *mg_unit_compile(struct mg_unit *u, const char *text, size_t len,
                                     const struct mg_target *target)
{
    mg_source_set_text(&u->src, text, len);
    if (!mg_parse(&u->arena, &u->src, &u->diag, &u->ast) || u->diag.fatal)
        return NULL;
    u->iface = mg_analyze(&u->arena, &u->diag, &u->ast, target);
    if (mg_diag_errors(&u->diag))
        u->iface = NULL;
    return u->iface;
}

/* machgen's standard .defs: $MACHGEN_DEFS_DIR, else the installed copy, else the
 * source tree's (for running from a build directory). */
static const char *standard_defs_dir(void)
{
    const char *env = getenv("MACHGEN_DEFS_DIR");
    if (env && *env)
        return env;
    struct stat st;
    if (stat(MACHGEN_INSTALL_DEFS_DIR, &st) == 0 && S_ISDIR(st.st_mode))
        return MACHGEN_INSTALL_DEFS_DIR;
    return MACHGEN_SOURCE_DEFS_DIR;
}

static const char *subsystem_name(const struct mg_ast *ast)
{
    for (const struct mg_stmt *s = ast->stmts; s; s = s->next)
        if (s->kind == MG_STMT_SUBSYSTEM)
            return s->u.subsystem.name;
    return NULL;
}

/* The input's file name without directory and extension. */
static char *input_stem(const char *input)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    char *stem = strdup(base);
    if (stem) {
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
    }
    return stem;
}

/* Every file the preprocessor read, from its line markers: the input first, then
 * each included .defs in order of first appearance. */
static bool write_depfile(const struct mg_options *o, const struct mg_unit *u, FILE *err)
{
    char *stem = input_stem(o->input);
    const char *subsys = subsystem_name(&u->ast);
    char *mf = NULL, *target = NULL;
    /* Default target: the user header, as named by -header or after the subsystem. */
    int rc = o->header_file ? asprintf(&target, "%s", o->header_file)
                            : asprintf(&target, "%s.h", subsys ? subsys : stem ? stem : "out");
    if (!stem || rc < 0 || asprintf(&mf, "%s.d", stem) < 0) {
        free(stem);
        fputs("machgen: fatal error: out of memory\n", err);
        return false;
    }
    struct mg_membuf b;
    mg_membuf_init(&b);
    if (o->nmt == 0) {
        mg_depfile_escape(&b, target);
    } else {
        for (size_t i = 0; i < o->nmt; i++) {
            if (i)
                fputc(' ', b.fp);
            if (o->mt_quote[i])
                mg_depfile_escape(&b, o->mt[i]);
            else
                fputs(o->mt[i], b.fp);
        }
    }
    fputc(':', b.fp);
    for (uint32_t i = 0; i < u->src.nfiles; i++) {
        const char *f = u->src.files[i];
        if (f[0] == '<' || f[0] == '\0')
            continue; /* <built-in>, <command-line>, <stdin> */
        fputs(" \\\n  ", b.fp);
        mg_depfile_escape(&b, f);
    }
    fputc('\n', b.fp);
    if (o->mp) {
        for (uint32_t i = 1; i < u->src.nfiles; i++) {
            const char *f = u->src.files[i];
            if (f[0] == '<' || f[0] == '\0' || strcmp(f, o->input) == 0)
                continue;
            fputc('\n', b.fp);
            mg_depfile_escape(&b, f);
            fputs(":\n", b.fp);
        }
    }
    bool ok = mg_membuf_finish(&b) &&
              mg_write_file_atomic(o->mf ? o->mf : mf, b.data, b.len, err);
    mg_membuf_free(&b);
    free(stem);
    free(mf);
    free(target);
    return ok;
}

static bool load_input(const struct mg_options *o, const struct mg_target *target, char **text,
                       size_t *len, FILE *err)
{
    if (o->preprocessed)
        return mg_read_file(o->input, text, len, err);
    if (access(o->input, R_OK) != 0) {
        /* Say it ourselves rather than through the preprocessor's wording. */
        return mg_read_file(o->input, text, len, err);
    }
    struct mg_preprocess_req req = {
        .input = o->input,
        .cc = o->cc,
        .cpp = o->cpp,
        .args = o->cpp_args,
        .nargs = o->ncpp_args,
        .defs_dir = standard_defs_dir(),
        /* With -target the compiler sets the target's macros itself. */
        .darwin_arch = o->target ? NULL : target->arch,
        .verbose = o->verbose,
    };
    return mg_preprocess(&req, text, len, err);
}

static bool resolve_target(const struct mg_options *o, struct mg_target *t, FILE *err)
{
    const char *arch = o->arch;
    char archbuf[64];
    if (!arch && o->target) {
        /* The arch is the triple's first component (x86_64-apple-macos11). */
        size_t n = strcspn(o->target, "-");
        if (n >= sizeof archbuf)
            n = sizeof archbuf - 1;
        memcpy(archbuf, o->target, n);
        archbuf[n] = '\0';
        arch = archbuf;
    }
    if (!mg_target_from_name(arch ? arch : "x86_64", t)) {
        fprintf(err, "machgen: error: unknown architecture '%s' (known: x86_64, arm64, arm64e, "
                     "i386, arm64_32, armv7k)\n", arch);
        return false;
    }
    return true;
}

/* -dheader / -iheader: written only when asked for, like mig. */
static bool write_aux_header(const char *path,
                             void (*emit)(FILE *, const struct mg_interface *),
                             const struct mg_interface *iface, FILE *err)
{
    if (!path)
        return true;
    struct mg_membuf b;
    mg_membuf_init(&b);
    emit(b.fp, iface);
    bool ok = mg_membuf_finish(&b) && mg_write_file_atomic(path, b.data, b.len, err);
    mg_membuf_free(&b);
    return ok;
}

/* -i PREFIX: one client source per routine, PREFIXroutine.c, instead of the user file. */
static bool write_per_routine_sources(const char *prefix, const char *header,
                                      const struct mg_interface *iface, FILE *err)
{
    const char *slash = strrchr(header, '/');
    const char *include = slash ? slash + 1 : header;
    bool ok = true;
    for (uint32_t i = 0; ok && i < iface->nroutines; i++) {
        const struct mg_routine *rt = &iface->routines[i];
        if (rt->kind == MG_RT_SKIP)
            continue;
        char *path = NULL;
        if (asprintf(&path, "%s%s.c", prefix, rt->name) < 0) {
            fputs("machgen: fatal error: out of memory\n", err);
            return false;
        }
        struct mg_membuf b;
        mg_membuf_init(&b);
        mg_emit_user_source_routine(b.fp, iface, include, rt);
        ok = mg_membuf_finish(&b) && mg_write_file_atomic(path, b.data, b.len, err);
        mg_membuf_free(&b);
        free(path);
    }
    return ok;
}

/* mig's output names: SUBSYSTEM.h, SUBSYSTEMUser.c, SUBSYSTEMServer.c in the current
 * directory; a server header only with -sheader; "/dev/null" suppresses a file. */
static bool generate(const struct mg_options *o, const struct mg_interface *iface, FILE *err)
{
    const char *why = mg_emit_unsupported(iface);
    if (why) {
        fprintf(err, "machgen: error: cannot generate stubs for '%s': %s\n", o->input, why);
        return false;
    }
    char *names[3] = {NULL, NULL, NULL};
    if (asprintf(&names[0], "%s.h", iface->subsystem) < 0 ||
        asprintf(&names[1], "%sUser.c", iface->subsystem) < 0 ||
        asprintf(&names[2], "%sServer.c", iface->subsystem) < 0) {
        fputs("machgen: fatal error: out of memory\n", err);
        return false;
    }
    struct mg_emit_outputs outs = {
        .user_header = o->header_file ? o->header_file : names[0],
        .user_source = o->user_prefix_files ? NULL : o->user_file ? o->user_file : names[1],
        .server_source = o->server_file ? o->server_file : names[2],
        .server_header = o->sheader_file,
    };
    if (o->verbose)
        fprintf(err, "machgen: writing %s %s %s%s%s\n", outs.user_header, outs.user_source,
                outs.server_source, outs.server_header ? " " : "",
                outs.server_header ? outs.server_header : "");
    bool ok = mg_emit_files(iface, &outs, err);
    if (ok && (o->async_file || o->async_header_file || o->async_server_file ||
               o->async_sheader_file)) {
        const char *uh = strrchr(outs.user_header, '/');
        /* a source always comes with the header it includes, named by default as
         * mig names its header: after the subsystem, in the current directory */
        char *async_names[2] = {NULL, NULL};
        if ((o->async_file && !o->async_header_file &&
             asprintf(&async_names[0], "%sAsync.h", iface->subsystem) < 0) ||
            (o->async_server_file && !o->async_sheader_file &&
             asprintf(&async_names[1], "%sAsyncServer.h", iface->subsystem) < 0)) {
            fputs("machgen: fatal error: out of memory\n", err);
            ok = false;
        }
        struct mg_async_outputs aouts = {
            .client_header = o->async_header_file ? o->async_header_file : async_names[0],
            .client_source = o->async_file,
            .server_header = o->async_sheader_file ? o->async_sheader_file : async_names[1],
            .server_source = o->async_server_file,
            .user_header_name = strcmp(outs.user_header, "/dev/null") == 0 ? names[0]
                                : uh ? uh + 1 : outs.user_header,
        };
        ok = ok && mg_emit_async_files(iface, &aouts, err);
        free(async_names[0]);
        free(async_names[1]);
    }
    if (ok && o->user_prefix_files)
        ok = write_per_routine_sources(o->user_prefix_files,
                                       strcmp(outs.user_header, "/dev/null") == 0
                                           ? names[0] : outs.user_header, iface, err);
    ok = ok && write_aux_header(o->dheader_file, mg_emit_defines_header, iface, err) &&
         write_aux_header(o->iheader_file, mg_emit_internal_header, iface, err);
    for (int i = 0; i < 3; i++)
        free(names[i]);
    return ok;
}

int mg_main(int argc, char **argv, FILE *out, FILE *err)
{
    struct mg_options o;
    if (!mg_options_parse(&o, argc, argv, err)) {
        mg_options_free(&o);
        return 2;
    }
    if (o.mode == MG_MODE_HELP) {
        mg_print_help(out);
        mg_options_free(&o);
        return 0;
    }
    if (o.mode == MG_MODE_VERSION) {
        fprintf(out, "machgen %s\n", MACHGEN_VERSION);
        mg_options_free(&o);
        return 0;
    }
    struct mg_target target;
    if (!resolve_target(&o, &target, err)) {
        mg_options_free(&o);
        return 2;
    }

    int status = 1;
    char *text = NULL;
    size_t len = 0;
    struct mg_unit u;
    mg_unit_init(&u, o.input, err);
    u.diag.color = o.color == MG_COLOR_ALWAYS ||
                   (o.color == MG_COLOR_AUTO && isatty(fileno(err)) && !getenv("NO_COLOR"));
    u.diag.werror = o.werror;
    u.diag.warnings_off = o.quiet;
    u.diag.disabled = o.wno;
    u.diag.max_errors = o.max_errors;

    if (!load_input(&o, &target, &text, &len, err))
        goto done;
    struct mg_interface *iface = mg_unit_compile(&u, text, len, &target);
    if (!iface)
        goto done;

    switch (o.mode) {
    case MG_MODE_CHECK:
        status = 0;
        break;
    case MG_MODE_DESCRIBE:
        mg_describe(out, iface);
        status = fflush(out) == 0 ? 0 : 1;
        break;
    default:
        status = generate(&o, iface, err) ? 0 : 1;
        break;
    }
    if (status == 0 && o.md && !write_depfile(&o, &u, err))
        status = 1;
done:
    mg_unit_free(&u);
    free(text);
    mg_options_free(&o);
    return status;
}
