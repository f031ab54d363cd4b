/* Helpers the grammar actions call (compiler/parse.c): AST node construction,
 * constant folding with overflow checks, and the wording of parser diagnostics.
 * Kept out of parser.y so the grammar file stays a grammar. */
#ifndef MACHGEN_PARSE_SUPPORT_H
#define MACHGEN_PARSE_SUPPORT_H

#include "pstate.h"

/* Bison stack depth limit; deeper nesting is reported as "nesting too deep". */
enum { MG_PARSE_MAX_DEPTH = 10000 };

struct mg_stmt *mg_ps_stmt(struct mg_pstate *ps, enum mg_stmt_kind kind, struct mg_loc loc);
unsigned mg_ps_subsys_mod(unsigned mods, unsigned bit, const char *name, struct mg_pstate *ps,
                          struct mg_loc loc);
bool mg_ps_consume_kind(struct mg_pstate *ps, const char *word, struct mg_loc loc,
                        enum mg_consume_kind *out);

struct mg_cexpr mg_ps_arith(struct mg_pstate *ps, int op, struct mg_cexpr a, struct mg_cexpr b,
                            struct mg_loc op_loc);

struct mg_typespec *mg_ps_typespec(struct mg_pstate *ps, enum mg_ts_kind kind, struct mg_loc loc);
struct mg_typespec *mg_ps_array(struct mg_pstate *ps, enum mg_ts_kind kind, struct mg_loc loc,
                                enum mg_bound_kind bound, const struct mg_cexpr *size,
                                struct mg_loc size_loc, struct mg_typespec *elem);
struct mg_typespec *mg_ps_native(struct mg_pstate *ps, enum mg_native_kind kind,
                                 struct mg_loc loc, const char *ctype, const char *badvalue);
/* MIG's long-form `(MACH_MSG_TYPE_X, BITS[, flags])`: a string type maps onto
 * c_string with a warning; everything else is an obsolete-form error. */
struct mg_typespec *mg_ps_long_form(struct mg_pstate *ps, struct mg_loc loc, const char *name,
                                    struct mg_loc name_loc, const struct mg_cexpr *bits,
                                    struct mg_loc bits_loc, bool has_flags);
/* Source text of a token run with whitespace and comments collapsed to one space. */
const char *mg_ps_text(struct mg_pstate *ps, struct mg_span span);

struct mg_translation *mg_ps_trans(struct mg_pstate *ps, enum mg_trans_kind kind,
                                   struct mg_loc loc, const char *type, const char *func,
                                   const char *argtype);

struct mg_routinedecl *mg_ps_routine(struct mg_pstate *ps, enum mg_routine_kind kind,
                                     struct mg_loc loc, const char *name, struct mg_loc name_loc,
                                     const struct mg_arglist *args, const char *doc);
/* Reports the ';' missing before the statement keyword at `kw`. */
void mg_ps_missing_semicolon(struct mg_pstate *ps, struct mg_span kw);
/* Reports the ')' missing before the statement keyword at `kw`; leaves the list. */
void mg_ps_unclosed_args(struct mg_pstate *ps, struct mg_span kw);
struct mg_arg *mg_ps_arg(struct mg_pstate *ps, enum mg_arg_kind kind, struct mg_loc loc,
                         const char *name, struct mg_loc name_loc, struct mg_typespec *type,
                         const struct mg_flagnode *flags);

struct mg_flagnode *mg_ps_flag(struct mg_pstate *ps, unsigned bit, struct mg_span at);
struct mg_flagnode *mg_ps_flag_gnu(struct mg_pstate *ps, struct mg_span at);
struct mg_flagnode *mg_ps_flag_obsolete(struct mg_pstate *ps, struct mg_span at);
struct mg_flagnode *mg_ps_flag_unknown(struct mg_pstate *ps, const char *word, struct mg_loc loc);

/* Keyword lists (NULL-terminated) for "did you mean". */
const char *const *mg_ps_statement_words(void);
const char *const *mg_ps_argkind_words(void);
const char *const *mg_ps_typekw_words(void);
const char *const *mg_ps_translation_words(void);
const char *const *mg_ps_flag_words(void);
const char *mg_ps_suggest(const char *word, const char *const *words);
/* "unknown WHAT 'word'" plus "; did you mean 'x'?" when one is close. */
void mg_ps_unknown_word(struct mg_pstate *ps, struct mg_loc loc, const char *what,
                        const char *word, const char *const *words);

#endif
