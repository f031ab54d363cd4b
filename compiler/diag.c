#define _GNU_SOURCE
#include "diag.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const struct mg_loc mg_noloc = {UINT32_MAX, 0, 0, 0};

/* Long lines (generated or hostile input) are shown as a window around the caret. */
enum { MG_CARET_WINDOW = 160 };

void mg_diag_init(struct mg_diag *d, const struct mg_source *src, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->src = src;
    d->out = out;
    d->max_errors = 50;
}

static const char *sev_name(enum mg_severity s)
{
    switch (s) {
    case MG_NOTE: return "note";
    case MG_WARNING: return "warning";
    default: return "error";
    }
}

static const char *sev_color(enum mg_severity s)
{
    switch (s) {
    case MG_NOTE: return "\033[1;36m";
    case MG_WARNING: return "\033[1;35m";
    default: return "\033[1;31m";
    }
}

/* The line to show under a message and the caret's byte position in it. */
struct caret_line {
    const char *text;
    size_t len, caret;
    char *owned; /* the original file's line, when it could be used */
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Reads line `lineno` (1-based) of `path` into a malloc'ed string. */
static char *read_line(const char *path, uint32_t lineno, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n = -1;
    for (uint32_t i = 0; i < lineno; i++) {
        n = getline(&buf, &cap, f);
        if (n < 0)
            break;
    }
    fclose(f);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* The preprocessor collapses runs of blanks between tokens, so columns counted in its
 * output drift from the file the user wrote. When the original line holds the same
 * non-blank characters, show it instead and move the caret to the same character. */
static void use_original_line(const struct mg_diag *d, struct mg_loc loc, struct caret_line *cl)
{
    const char *path = mg_source_file_name(d->src, loc.file);
    if (!path || path[0] == '<' || cl->len > 4096)
        return;
    size_t olen;
    char *orig = read_line(path, loc.line, &olen);
    if (!orig)
        return;
    size_t i = 0, j = 0, ocaret = SIZE_MAX;
    for (;;) {
        while (i < cl->len && is_blank(cl->text[i]))
            i++;
        while (j < olen && is_blank(orig[j]))
            j++;
        if (i >= cl->caret && ocaret == SIZE_MAX)
            ocaret = j;
        if (i >= cl->len || j >= olen)
            break;
        if (cl->text[i] != orig[j])
            break;
        i++;
        j++;
    }
    if (i < cl->len || j < olen || ocaret == SIZE_MAX) {
        free(orig);
        return; /* a macro expanded or the file changed: keep the parsed text */
    }
    cl->text = cl->owned = orig;
    cl->len = olen;
    cl->caret = ocaret;
}

static struct caret_line caret_line_for(const struct mg_diag *d, struct mg_loc loc)
{
    struct caret_line cl = {0};
    cl.text = mg_source_line_at(d->src, loc.offset, &cl.len);
    cl.caret = loc.offset - (size_t)(cl.text - d->src->text);
    if (cl.caret > cl.len)
        cl.caret = cl.len;
    use_original_line(d, loc, &cl);
    return cl;
}

static void print_caret(struct mg_diag *d, struct mg_loc loc, const struct caret_line *cl)
{
    const char *line = cl->text;
    size_t len = cl->len, caret = cl->caret;
    size_t start = 0, end = len;
    if (len > MG_CARET_WINDOW) {
        start = caret > MG_CARET_WINDOW / 2 ? caret - MG_CARET_WINDOW / 2 : 0;
        end = start + MG_CARET_WINDOW < len ? start + MG_CARET_WINDOW : len;
    }
    fprintf(d->out, "%5u | ", loc.line);
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)line[i];
        fputc(c == '\t' || c >= 0x20 ? c : ' ', d->out);
    }
    fputs("\n      | ", d->out);
    for (size_t i = start; i < caret && i < end; i++)
        fputc(line[i] == '\t' ? '\t' : ' ', d->out);
    if (d->color)
        fputs("\033[1;32m", d->out);
    fputc('^', d->out);
    if (d->color)
        fputs("\033[0m", d->out);
    fputc('\n', d->out);
}

static void emit(struct mg_diag *d, enum mg_severity sev, struct mg_loc loc, const char *wname,
                 const char *fmt, va_list ap)
{
    bool located = loc.file != UINT32_MAX && d->src;
    struct caret_line cl = {0};
    if (located && d->src->len > 0) {
        cl = caret_line_for(d, loc);
        if (cl.owned)
            loc.col = (uint32_t)cl.caret + 1;
    }
    if (d->color)
        fputs("\033[1m", d->out);
    if (located)
        fprintf(d->out, "%s:%u:%u: ", mg_source_file_name(d->src, loc.file), loc.line, loc.col);
    else
        fputs("machgen: ", d->out);
    if (d->color)
        fprintf(d->out, "%s%s:\033[0m ", sev_color(sev), sev_name(sev));
    else
        fprintf(d->out, "%s: ", sev_name(sev));
    vfprintf(d->out, fmt, ap);
    if (wname)
        fprintf(d->out, " [-W%s%s]", d->werror ? "error=" : "", wname);
    fputc('\n', d->out);
    if (located && d->src->len > 0)
        print_caret(d, loc, &cl);
    free(cl.owned);
}

static bool count_error(struct mg_diag *d)
{
    if (d->fatal)
        return false;
    d->errors++;
    if (d->max_errors && d->errors > d->max_errors) {
        fprintf(d->out, "machgen: fatal error: too many errors (%u), stopping\n", d->max_errors);
        d->fatal = true;
        return false;
    }
    return true;
}

void mg_error(struct mg_diag *d, struct mg_loc loc, const char *fmt, ...)
{
    d->last_suppressed = !count_error(d);
    if (d->last_suppressed)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(d, MG_ERROR, loc, NULL, fmt, ap);
    va_end(ap);
}

void mg_fatal(struct mg_diag *d, struct mg_loc loc, const char *fmt, ...)
{
    d->last_suppressed = !count_error(d);
    if (!d->last_suppressed) {
        va_list ap;
        va_start(ap, fmt);
        emit(d, MG_FATAL, loc, NULL, fmt, ap);
        va_end(ap);
    }
    d->fatal = true;
}

static bool warning_disabled(const struct mg_diag *d, const char *name)
{
    if (d->warnings_off)
        return true;
    for (const char *const *p = d->disabled; p && *p; p++)
        if (strcmp(*p, name) == 0)
            return true;
    return false;
}

void mg_warning(struct mg_diag *d, struct mg_loc loc, const char *name, const char *fmt, ...)
{
    if (warning_disabled(d, name) || d->fatal) {
        d->last_suppressed = true;
        return;
    }
    if (d->werror) {
        d->last_suppressed = !count_error(d);
        if (d->last_suppressed)
            return;
    } else {
        d->warnings++;
        d->last_suppressed = false;
    }
    va_list ap;
    va_start(ap, fmt);
    emit(d, d->werror ? MG_ERROR : MG_WARNING, loc, name, fmt, ap);
    va_end(ap);
}

void mg_note(struct mg_diag *d, struct mg_loc loc, const char *fmt, ...)
{
    if (d->last_suppressed)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(d, MG_NOTE, loc, NULL, fmt, ap);
    va_end(ap);
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps). */
static size_t edit_distance(const char *a, const char *b, bool icase)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return SIZE_MAX;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int ca = (unsigned char)a[i - 1], cb = (unsigned char)b[j - 1];
            if (icase) {
                ca = tolower(ca);
                cb = tolower(cb);
            }
            size_t cost = ca != cb;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1) {
                int pa = (unsigned char)a[i - 2], pb = (unsigned char)b[j - 2];
                if (icase) {
                    pa = tolower(pa);
                    pb = tolower(pb);
                }
                if (ca == pb && pa == cb && d[i - 2][j - 2] + 1 < best)
                    best = d[i - 2][j - 2] + 1;
            }
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *mg_spell_suggest(const char *word, const char *const *candidates, size_t n,
                             bool icase)
{
    size_t wlen = strlen(word);
    if (wlen <= 1)
        return NULL;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t clen = strlen(candidates[i]);
        size_t longer = clen > wlen ? clen : wlen;
        size_t cutoff = longer / 3 > 0 ? longer / 3 : 1;
        size_t dist = edit_distance(word, candidates[i], icase);
        if (dist == 0 || dist > cutoff)
            continue;
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    return best;
}
