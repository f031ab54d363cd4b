/* Running the C preprocessor, as mig does, and reading input files. */
#define _GNU_SOURCE
#include "preprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Growable byte buffer for a whole input. */
struct buf {
    char *data;
    size_t len, cap;
};

static bool buf_reserve(struct buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return true;
    size_t cap = b->cap ? b->cap : 64 * 1024;
    while (cap - b->len <= extra) {
        if (cap > SIZE_MAX / 2)
            return false;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

/* Reads fd to EOF; the result is NUL-terminated (the text may hold other NULs). */
static bool read_all(int fd, struct buf *b)
{
    for (;;) {
        if (!buf_reserve(b, 64 * 1024))
            return false;
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (n == 0)
            break;
        b->len += (size_t)n;
    }
    b->data[b->len] = '\0';
    return true;
}

bool mg_read_file(const char *path, char **text, size_t *len, FILE *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(err, "machgen: error: cannot open '%s': %s\n", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(err, "machgen: error: '%s' is a directory\n", path);
        close(fd);
        return false;
    }
    struct buf b = {0};
    bool ok = read_all(fd, &b);
    int saved = errno;
    close(fd);
    if (!ok) {
        fprintf(err, "machgen: error: cannot read '%s': %s\n", path, strerror(saved));
        free(b.data);
        return false;
    }
    *text = b.data;
    *len = b.len;
    return true;
}

/* Splits a command such as "ccache gcc" at blanks into argv entries. */
static size_t split_command(char *cmd, const char **argv, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(cmd, " \t"); tok && n < max; tok = strtok(NULL, " \t"))
        argv[n++] = tok;
    return n;
}

static const char *default_cc(void)
{
    const char *cc = getenv("MACHGEN_CC");
    if (!cc || !*cc)
        cc = getenv("MIGCC");
    return cc && *cc ? cc : "cc";
}

/* The preprocessor runs on the host, but the .defs (and C headers they include, such as
 * <mach/machine/thread_state.h>) test the *target*: Darwin, its architecture and its
 * data model. So the host's predefines are replaced by the target's, as clang would set
 * them for an Apple triple. */
static const char *const host_undefs[] = {
    "__linux__", "__linux", "linux", "__gnu_linux__", "unix", "__unix", "__unix__",
    "__x86_64__", "__x86_64", "__amd64__", "__amd64", "__i386__", "__i386", "i386",
    "__aarch64__", "__arm64__", "__arm__", "__LP64__", "_LP64", "__ILP32__", "_ILP32",
};

struct arch_macros {
    const char *arch;
    bool lp64;
    const char *defines[4];
};

static const struct arch_macros darwin_archs[] = {
    {"x86_64", true, {"__x86_64__=1", "__x86_64=1", "__amd64__=1", "__amd64=1"}},
    {"x86_64h", true, {"__x86_64__=1", "__x86_64=1", "__amd64__=1", "__amd64=1"}},
    {"arm64", true, {"__arm64__=1", "__aarch64__=1", NULL, NULL}},
    {"arm64e", true, {"__arm64__=1", "__aarch64__=1", "__arm64e__=1", NULL}},
    {"i386", false, {"__i386__=1", "__i386=1", "i386=1", NULL}},
    {"arm64_32", false, {"__arm64__=1", "__aarch64__=1", "__ARM64_ARCH_8_32__=1", NULL}},
    {"armv7k", false, {"__arm__=1", "__ARM_ARCH_7K__=2", NULL, NULL}},
    {"armv7", false, {"__arm__=1", "__ARM_ARCH_7A__=1", NULL, NULL}},
    {"armv7s", false, {"__arm__=1", "__ARM_ARCH_7S__=1", NULL, NULL}},
    {"armv6", false, {"__arm__=1", "__ARM_ARCH_6K__=1", NULL, NULL}},
    {"arm", false, {"__arm__=1", NULL, NULL, NULL}},
};

/* Appends -U/-D pairs for the Darwin target `arch` to argv at *n. */
static void add_target_macros(const char *arch, const char **argv, size_t *n)
{
    const struct arch_macros *m = NULL;
    for (size_t i = 0; i < sizeof darwin_archs / sizeof darwin_archs[0]; i++)
        if (strcmp(darwin_archs[i].arch, arch) == 0)
            m = &darwin_archs[i];
    if (!m)
        return;
    for (size_t i = 0; i < sizeof host_undefs / sizeof host_undefs[0]; i++) {
        argv[(*n)++] = "-U";
        argv[(*n)++] = host_undefs[i];
    }
    argv[(*n)++] = "-D__APPLE__=1";
    argv[(*n)++] = "-D__MACH__=1";
    if (m->lp64) {
        argv[(*n)++] = "-D__LP64__=1";
        argv[(*n)++] = "-D_LP64=1";
        argv[(*n)++] = "-D__MACHGEN_LP64__=1";
    } else {
        argv[(*n)++] = "-D__ILP32__=1";
        argv[(*n)++] = "-D_ILP32=1";
        argv[(*n)++] = "-D__MACHGEN_ILP32__=1";
    }
    for (size_t i = 0; i < 4 && m->defines[i]; i++) {
        argv[(*n)++] = "-D";
        argv[(*n)++] = m->defines[i];
    }
}

bool mg_preprocess(const struct mg_preprocess_req *req, char **text, size_t *len, FILE *err)
{
    char *cmd = strdup(req->cpp ? req->cpp : req->cc ? req->cc : default_cc());
    char *dir = strdup(req->input);
    size_t maxargs = 96 + req->nargs;
    const char **argv = calloc(maxargs, sizeof *argv);
    char *incdir = NULL;
    if (!cmd || !dir || !argv) {
        fputs("machgen: fatal error: out of memory\n", err);
        free(cmd); free(dir); free(argv);
        return false;
    }
    size_t n = split_command(cmd, argv, 8);
    if (n == 0) {
        fputs("machgen: error: the preprocessor command is empty\n", err);
        free(cmd); free(dir); free(argv);
        return false;
    }
    const char *prog = argv[0];
    if (!req->cpp)
        argv[n++] = "-E";
    argv[n++] = "-x";
    argv[n++] = "c";
    argv[n++] = "-C"; /* keep comments: doc comments travel into generated headers */
    argv[n++] = "-D__MACH30__";
    argv[n++] = "-D__MACHGEN__";
    /* Like mig: the input's own directory is searched first. */
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        incdir = malloc(strlen(dir) + 3);
        if (incdir) {
            sprintf(incdir, "-I%s", *dir ? dir : "/");
            argv[n++] = incdir;
        }
    }
    if (req->darwin_arch)
        add_target_macros(req->darwin_arch, argv, &n);
    /* User include directories become -isystem, in order, ahead of machgen's own: a
     * plain -I naming a system directory (e.g. /usr/include/<multiarch>, where GNU Mach
     * keeps its .defs) would otherwise be ignored by the preprocessor and lose to ours. */
    for (size_t i = 0; i < req->nargs; i++)
        argv[n++] = strcmp(req->args[i], "-I") == 0 ? "-isystem" : req->args[i];
    if (req->defs_dir) {
        argv[n++] = "-isystem";
        argv[n++] = req->defs_dir;
    }
    argv[n++] = req->input;
    argv[n] = NULL;

    if (req->verbose) {
        fputs("machgen: running", err);
        for (size_t i = 0; argv[i]; i++)
            fprintf(err, " %s", argv[i]);
        fputc('\n', err);
    }

    int out[2];
    bool ok = false;
    struct buf b = {0};
    if (pipe2(out, O_CLOEXEC) != 0) {
        fprintf(err, "machgen: error: cannot create a pipe: %s\n", strerror(errno));
        goto done;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (fileno(err) >= 0 && fileno(err) != STDERR_FILENO)
        posix_spawn_file_actions_adddup2(&fa, fileno(err), STDERR_FILENO);
    pid_t pid;
    int rc = posix_spawnp(&pid, prog, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (rc != 0) {
        fprintf(err, "machgen: error: cannot run the preprocessor '%s': %s\n", prog, strerror(rc));
        close(out[0]);
        goto done;
    }
    bool read_ok = read_all(out[0], &b);
    close(out[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(status)) {
        fprintf(err, "machgen: error: the preprocessor '%s' was killed by signal %d\n", prog,
                WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0) {
        fprintf(err, "machgen: error: the preprocessor '%s' failed (exit status %d) on '%s'\n",
                prog, WEXITSTATUS(status), req->input);
    } else if (!read_ok) {
        fprintf(err, "machgen: error: cannot read the preprocessor's output\n");
    } else {
        ok = true;
    }
done:
    if (ok) {
        *text = b.data;
        *len = b.len;
    } else {
        free(b.data);
    }
    free(incdir);
    free(cmd);
    free(dir);
    free(argv);
    return ok;
}
