/* Output files are built in memory and written atomically (temporary file + rename),
 * and left untouched when their bytes would not change. "/dev/null" suppresses one. */
#ifndef MACHGEN_OUTPUT_H
#define MACHGEN_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* An in-memory FILE (open_memstream) for emitters. */
struct mg_membuf {
    char *data;
    size_t len;
    FILE *fp;
};

void mg_membuf_init(struct mg_membuf *b);
bool mg_membuf_finish(struct mg_membuf *b); /* closes fp; data/len are final */
void mg_membuf_free(struct mg_membuf *b);

bool mg_write_file_atomic(const char *path, const char *data, size_t len, FILE *err);
void mg_depfile_escape(struct mg_membuf *b, const char *s);

#endif
