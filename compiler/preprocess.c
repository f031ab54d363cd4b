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

bool mg_preprocess(const struct mg_preprocess_req *req, char **text, size_t *len, FILE *err)
{
    char *cmd = strdup(req->cpp ? req->cpp : req->cc ? req->cc : default_cc());
    char *dir = strdup(req->input);
    size_t maxargs = 32 + req->nargs;
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
    for (size_t i = 0; i < req->nargs; i++)
        argv[n++] = req->args[i];
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
