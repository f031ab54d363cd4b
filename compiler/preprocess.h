/* Input: reading a .defs file, or running it through the C preprocessor as mig does
 * (cc -E with -D__MACH30__ and the input's directory first on the include path). */
#ifndef MACHGEN_PREPROCESS_H
#define MACHGEN_PREPROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct mg_preprocess_req {
    const char *input;
    const char *cc;        /* run as `cc -E`; NULL: $MACHGEN_CC, $MIGCC or cc */
    const char *cpp;       /* run as is, overrides cc */
    const char *const *args; /* -I/-D/-U/... in command-line order */
    size_t nargs;
    const char *defs_dir;  /* machgen's standard .defs: after -I dirs, before system dirs */
    const char *darwin_arch; /* predefine this Darwin target's macros in place of the host's
                                (NULL: leave the preprocessor's own, e.g. with -target) */
    bool verbose;
};

/* Both return a malloc'ed, NUL-terminated buffer; errors go to err as
 * "machgen: error: ..." (the preprocessor's own messages pass through to err). */
bool mg_read_file(const char *path, char **text, size_t *len, FILE *err);
bool mg_preprocess(const struct mg_preprocess_req *req, char **text, size_t *len, FILE *err);

#endif
