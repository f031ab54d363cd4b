/* The code writer: every generated line goes through here so indentation is uniform. */
#include "cwriter.h"

#include <stdarg.h>

static void indent(struct mg_cw *w)
{
    for (int i = 0; i < w->indent; i++)
        fputc('\t', w->fp);
}

void mg_cw_line(struct mg_cw *w, const char *fmt, ...)
{
    va_list ap;
    if (fmt[0]) {
        indent(w);
        va_start(ap, fmt);
        vfprintf(w->fp, fmt, ap);
        va_end(ap);
    }
    fputc('\n', w->fp);
}

void mg_cw_open(struct mg_cw *w, const char *fmt, ...)
{
    va_list ap;
    indent(w);
    va_start(ap, fmt);
    vfprintf(w->fp, fmt, ap);
    va_end(ap);
    fputs(fmt[0] ? " {\n" : "{\n", w->fp);
    w->indent++;
}

void mg_cw_close(struct mg_cw *w, const char *fmt, ...)
{
    va_list ap;
    if (w->indent > 0)
        w->indent--;
    indent(w);
    fputc('}', w->fp);
    va_start(ap, fmt);
    vfprintf(w->fp, fmt, ap);
    va_end(ap);
    fputc('\n', w->fp);
}

void mg_cw_raw(struct mg_cw *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(w->fp, fmt, ap);
    va_end(ap);
}

void mg_cw_blank(struct mg_cw *w)
{
    fputc('\n', w->fp);
}

void mg_cw_brace(struct mg_cw *w)
{
    indent(w);
    fputs("{\n", w->fp);
    w->indent++;
}

void mg_cw_end(struct mg_cw *w)
{
    if (w->indent > 0)
        w->indent--;
    indent(w);
    fputs("}\n", w->fp);
}
