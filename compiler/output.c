/* Writing output files: whole or not at all. */
#define _GNU_SOURCE
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool same_content(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = false;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len) {
        char *old = malloc(len ? len : 1);
        size_t got = 0;
        while (old && got < len) {
            ssize_t n = read(fd, old + got, len - got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        same = old && got == len && memcmp(old, data, len) == 0;
        free(old);
    }
    close(fd);
    return same;
}

bool mg_write_file_atomic(const char *path, const char *data, size_t len, FILE *err)
{
    if (strcmp(path, "/dev/null") == 0)
        return true; /* mig convention: suppress this output */
    if (same_content(path, data, len))
        return true; /* unchanged: keep the timestamp so nothing rebuilds */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        fputs("machgen: fatal error: out of memory\n", err);
        return false;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        fprintf(err, "machgen: error: cannot create '%s': %s\n", tmp, strerror(errno));
        free(tmp);
        return false;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    bool ok = done == len;
    int saved = errno;
    /* Same permissions a plain creat() would give, not mkstemp's 0600. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        fprintf(err, "machgen: error: cannot write '%s': %s\n", path, strerror(saved));
        unlink(tmp);
        free(tmp);
        return false;
    }
    free(tmp);
    return true;
}

void mg_membuf_init(struct mg_membuf *b)
{
    b->data = NULL;
    b->len = 0;
    b->fp = open_memstream(&b->data, &b->len);
    if (!b->fp) {
        fputs("machgen: fatal error: out of memory\n", stderr);
        exit(1);
    }
}

bool mg_membuf_finish(struct mg_membuf *b)
{
    bool ok = fflush(b->fp) == 0 && !ferror(b->fp);
    fclose(b->fp);
    b->fp = NULL;
    return ok;
}

void mg_membuf_free(struct mg_membuf *b)
{
    if (b->fp)
        fclose(b->fp);
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->fp = NULL;
}

static void mem_putc(struct mg_membuf *b, char c)
{
    fputc(c, b->fp);
}

/* Make/Ninja depfile escaping: spaces and '#' with a backslash, '$' doubled. */
void mg_depfile_escape(struct mg_membuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == ' ' || *s == '#' || *s == '\t')
            mem_putc(b, '\\');
        if (*s == '$')
            mem_putc(b, '$');
        mem_putc(b, *s);
    }
}
