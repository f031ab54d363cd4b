/* Shared state of one semantic analysis run (sema*.c only). */
#ifndef MACHGEN_SEMA_INTERNAL_H
#define MACHGEN_SEMA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "model.h"

/* String-keyed open-addressing table (names are arena strings, never removed). */
struct mg_symtab {
    const char **keys;
    void **values;
    uint32_t cap, count;
};

void mg_symtab_init(struct mg_symtab *t, struct mg_arena *a, uint32_t cap_hint);
void *mg_symtab_get(const struct mg_symtab *t, const char *key);
/* Inserts or replaces; returns the previous value or NULL. */
void *mg_symtab_put(struct mg_symtab *t, struct mg_arena *a, const char *key, void *value);

struct mg_type_entry {
    const struct mg_type *type;
    struct mg_loc loc; /* of the name in its declaration */
};

struct mg_sema {
    struct mg_arena *arena;
    struct mg_diag *diag;
    struct mg_interface *itf;
    struct mg_symtab types;     /* name -> struct mg_type_entry */
    const char **type_names;    /* declared names, for did-you-mean */
    uint32_t ntype_names, cap_type_names;
    struct mg_symtab routines;  /* name -> struct mg_routine_entry (loc) */
    struct mg_param *scratch;   /* argument workspace reused by every routine */
    uint32_t cap_scratch;
    const struct mg_type *count_type, *poly_type, *dealloc_type; /* shared companions */
    unsigned implicit_warned;   /* bit per GNU implicit type already warned about */
};

/* sema_types.c */
const struct mg_type *mg_sema_resolve(struct mg_sema *s, const struct mg_typespec *ts,
                                      const char *name);
/* A `NAME = SPEC translations` type, not entered into the table (argument-local). */
const struct mg_type *mg_sema_named_type(struct mg_sema *s, const struct mg_typedecl *td);
void mg_sema_declare_type(struct mg_sema *s, const struct mg_typedecl *td);

/* sema_routines.c: builds one routine's arguments and flags (ids are set by the caller). */
bool mg_sema_routine(struct mg_sema *s, const struct mg_routinedecl *rd, struct mg_routine *rt);

#endif
