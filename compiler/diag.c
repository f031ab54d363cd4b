#define _GNU_SOURCE
#include "diag.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const struct mg_loc mg_noloc = {UINT32_MAX, 0, 0, 0};

/* Long lines (generated or hostile input) are shown as a window around the caret. */
enum { MG_CARET_WINDOW = 160 };
/* Longer lines are shown as parsed (their caret window needs no original). */
enum { MG_ORIGINAL_LINE_MAX = 4096 };

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

/* Reads line `lineno` (1-based) of `path` into a malloc'ed string. Line markers in
 * the input name the path, so only a regular file is read, and a line longer than
 * MG_ORIGINAL_LINE_MAX is not used. */
static char *read_line(const char *path, uint32_t lineno, size_t *len)
{
    FILE *f = lineno ? fopen(path, "r") : NULL;
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return NULL;
    }
    char *buf = malloc(MG_ORIGINAL_LINE_MAX + 1);
    size_t n = 0;
    uint32_t line = 1;
    bool found = false; /* line `lineno` exists (it may be empty) */
    int c;
    while (buf && (c = getc(f)) != EOF) {
        if (line < lineno) {
            line += c == '\n';
            continue;
        }
        found = true;
        if (c == '\n')
            break;
        if (n == MG_ORIGINAL_LINE_MAX) {
            found = false;
            break;
        }
        buf[n++] = (char)c;
    }
    fclose(f);
    if (!found) {
        free(buf);
        return NULL;
    }
    while (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The preprocessor collapses runs of blanks between tokens, so columns counted in its
 * output drift from the file the user wrote. When the original line holds the same
 * non-blank characters, show it instead and move the caret to the same character. */
static void use_original_line(const struct mg_diag *d, struct mg_loc loc, struct caret_line *cl)
{
    const char *path = mg_source_file_name(d->src, loc.file);
    if (!path || path[0] == '<' || cl->len > MG_ORIGINAL_LINE_MAX)
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

enum { MG_SPELL_MAX = 64 };

static size_t spell_fold(char *dst, const char *src, size_t n, bool icase)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = icase ? (char)tolower((unsigned char)src[i]) : src[i];
    return n;
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps) of
 * two folded strings, or limit + 1 once it is sure to exceed limit. Runs on every
 * unknown word against every keyword, so it keeps three rows and stops early. */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m, size_t limit)
{
    size_t diff = n > m ? n - m : m - n;
    if (diff > limit) /* every alignment pays for the difference in length */
        return limit + 1;
    size_t rows[3][MG_SPELL_MAX + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    size_t prev_min = 0;
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        for (size_t j = 1; j <= m; j++) {
            size_t best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (sub < best)
                best = sub;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
            if (best < row_min)
                row_min = best;
        }
        /* A row draws on the two above it: once both exceed the limit, all later do. */
        if (row_min > limit && prev_min > limit)
            return limit + 1;
        prev_min = row_min;
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[m] > limit ? limit + 1 : prev[m];
}

const char *mg_spell_suggest(const char *word, const char *const *candidates, size_t n,
                             bool icase)
{
    size_t wlen = strlen(word);
    if (wlen <= 1 || wlen > MG_SPELL_MAX)
        return NULL;
    char w[MG_SPELL_MAX], c[MG_SPELL_MAX];
    spell_fold(w, word, wlen, icase);
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t clen = strlen(candidates[i]);
        if (clen > MG_SPELL_MAX)
            continue;
        size_t longer = clen > wlen ? clen : wlen;
        size_t cutoff = longer / 3 > 0 ? longer / 3 : 1;
        /* Only a strictly closer candidate replaces the best so far. */
        size_t limit = best_d <= cutoff ? best_d - 1 : cutoff;
        size_t dist = edit_distance(w, wlen, c, spell_fold(c, candidates[i], clen, icase), limit);
        if (dist == 0 || dist > limit)
            continue;
        best_d = dist;
        best = candidates[i];
    }
    return best;
}
