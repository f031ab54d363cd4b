/* Diagnostics: GCC-style messages with the source line and a caret.
 *
 *   file:line:col: error: message
 *    12 | routine foo(x : intt);
 *       |                 ^~~~
 *
 * One mg_diag per compilation (no global state). Passes report through it and keep
 * going; the driver checks mg_diag_errors() between passes. */
#ifndef MACHGEN_DIAG_H
#define MACHGEN_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "source.h"

enum mg_severity { MG_NOTE, MG_WARNING, MG_ERROR, MG_FATAL };

struct mg_diag {
    const struct mg_source *src;
    FILE *out;
    bool color;
    bool warnings_off;      /* -q / -w */
    bool werror;            /* -Werror */
    unsigned max_errors;    /* stop reporting (and mark fatal) after this many; 0 = no limit */
    unsigned errors, warnings;
    bool fatal;             /* error limit reached or fatal error: callers should stop */
    const char *const *disabled; /* NULL-terminated list of -Wno-NAME warning names */
    bool last_suppressed;   /* a warning was dropped: its notes are dropped too */
};

void mg_diag_init(struct mg_diag *d, const struct mg_source *src, FILE *out);

/* A location with file == UINT32_MAX is "no location": the message starts with "machgen:". */
extern const struct mg_loc mg_noloc;

void mg_error(struct mg_diag *d, struct mg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* `name` is the warning's option name (printed as [-Wname]); it may be disabled. */
void mg_warning(struct mg_diag *d, struct mg_loc loc, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A note attaches to the previous error or warning (e.g. "previous definition is here"). */
void mg_note(struct mg_diag *d, struct mg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error after which compilation cannot continue (e.g. the preprocessor failed). */
void mg_fatal(struct mg_diag *d, struct mg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline unsigned mg_diag_errors(const struct mg_diag *d) { return d->errors; }

/* "Did you mean": the candidate closest to `word` by Damerau-Levenshtein distance,
 * accepted only within a third of the longer length (GCC's cutoff) and never for
 * one-character words; case-insensitive when `icase`. NULL when nothing is close. */
const char *mg_spell_suggest(const char *word, const char *const *candidates, size_t n,
                             bool icase);

#endif
