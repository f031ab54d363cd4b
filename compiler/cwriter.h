/* A tiny code writer: printf to a FILE with the current indentation (tabs). */
#ifndef MACHGEN_CWRITER_H
#define MACHGEN_CWRITER_H

#include <stdio.h>

struct mg_cw {
    FILE *fp;
    int indent;
};

/* One line at the current indentation ("" prints an empty line). */
void mg_cw_line(struct mg_cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line ending in '{', then indents. */
void mg_cw_open(struct mg_cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Unindents, then a line starting with '}' (fmt continues it, e.g. " else {"). */
void mg_cw_close(struct mg_cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An empty line; a bare "{" line that indents; "}" after unindenting. */
void mg_cw_blank(struct mg_cw *w);
void mg_cw_brace(struct mg_cw *w);
void mg_cw_end(struct mg_cw *w);
/* Raw text, no indentation, no newline. */
void mg_cw_raw(struct mg_cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
