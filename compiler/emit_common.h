/* Helpers shared by the emitters: C spellings of model types, message layouts seen
 * as C structs, prototypes, and the ownership contract text. */
#ifndef MACHGEN_EMIT_COMMON_H
#define MACHGEN_EMIT_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "cwriter.h"
#include "model.h"

enum mg_em_side { MG_EM_USER, MG_EM_SERVER };

/* How a piece of inline data is declared in a message struct: `ctype name[dims]`
 * (dims == 0: a plain member). */
struct mg_em_cdecl {
    const char *ctype;
    uint64_t dims;
};
struct mg_em_cdecl mg_em_field_decl(const struct mg_type *t, enum mg_em_side side);

/* The C expression of a message's size without variable parts: a constant, or with a
 * closing native value, that constant plus its sizeof rounded to 4 (for an optional
 * native, read through msg, the pointer to the message). */
void mg_em_fixed_size(char *buf, size_t n, const struct mg_layout *l, enum mg_em_side side,
                      const char *msg);

/* C type of one element of a fixed or variable array of ports (sent as one port
 * descriptor per element). */
const char *mg_em_port_elem_ctype(const struct mg_type *t, enum mg_em_side side);

/* A type's own C name on one side (NULL for anonymous arrays and structs). */
const char *mg_em_own_ctype(const struct mg_type *t, enum mg_em_side side);

/* Bytes of one count unit of a variable array or OOL region (MIG counts arrays of
 * structs in structs), and the bound in those units. */
uint32_t mg_em_unit_bytes(const struct mg_type *t);
uint64_t mg_em_max_units(const struct mg_type *t);

/* Writes an out argument with an outtran translation into its reply field
 * (dst_base + field): a value is assigned; arrays and strings are copied from the
 * pointer the translation returns, as C functions cannot return arrays. */
void mg_em_outtran_copy(struct mg_cw *w, const struct mg_param *a, const char *dst_base,
                        const char *field, const char *src_prefix);

/* "EXPR * Nu", or just "EXPR" when n is 1. */
void mg_em_times(char *buf, size_t size, const char *expr, uint32_t n);

/* Offsets of each segment's start in the maximum-size message (the C struct).
 * Returns a malloc'd array of l->nsegments entries. */
uint32_t *mg_em_segment_bases(const struct mg_layout *l);
static inline uint32_t mg_em_field_pos(const uint32_t *bases, const struct mg_msg_field *f)
{
    return bases[f->segment] + f->offset;
}

/* Whether any field of layout l lies in segment k (its pointer is needed). */
bool mg_em_segment_used(const struct mg_layout *l, uint32_t k);

/* The field of layout l that carries arg a with the given kind, or NULL. */
const struct mg_msg_field *mg_em_find_field(const struct mg_layout *l, const struct mg_param *a,
                                            enum mg_field_kind kind);
/* The first descriptor of arg a in layout l, or NULL. */
const struct mg_descriptor *mg_em_find_desc(const struct mg_layout *l, const struct mg_param *a);
/* The count field of array a in layout l (its own, or its samecount owner's), or NULL. */
const struct mg_msg_field *mg_em_count_field(const struct mg_layout *l, const struct mg_param *a);
/* "base->name" or "base->name[i]": the C expression of descriptor d in a message. */
void mg_em_desc_expr(char *buf, size_t n, const char *base, const struct mg_descriptor *d);

const char *mg_em_desc_ctype(enum mg_desc_kind k);
const char *mg_em_desc_type_macro(enum mg_desc_kind k);
/* MACH_MSG_TYPE_* spelling of a disposition as sent, and of the right received. */
const char *mg_em_disposition(int msgt);
const char *mg_em_received(int msgt);
const char *mg_em_trailer_ctype(uint32_t elem);
const char *mg_em_trailer_elem_macro(uint32_t elem);

/* Parameter list of a prototype, one per line, at the writer's indentation. */
void mg_em_params(struct mg_cw *w, const struct mg_routine *rt, enum mg_em_side side);
/* C type of one parameter without the name (e.g. "mach_port_t", "int *"). */
void mg_em_param_type(char *buf, size_t n, const struct mg_param *a, enum mg_em_side side);
/* The same type held by value: without the star of a by-reference parameter. */
void mg_em_value_type(char *buf, size_t n, const struct mg_param *a, enum mg_em_side side);

/* `typedef struct {...} __Request__X_t;` and `__Reply__X_t` for every routine, with
 * static assertions of the computed layout; guarded so several headers can repeat
 * them. */
void mg_em_message_types(struct mg_cw *w, const struct mg_interface *itf, enum mg_em_side side);
/* The union of all requests or replies (used for buffer sizes). */
void mg_em_message_unions(struct mg_cw *w, const struct mg_interface *itf, enum mg_em_side side);

/* Comment lines: the routine's doc comment, and how ownership of its arguments moves. */
void mg_em_doc_comment(struct mg_cw *w, const char *doc);
void mg_em_ownership_comment(struct mg_cw *w, const struct mg_routine *rt, enum mg_em_side side);
void mg_em_contract_comment(struct mg_cw *w, enum mg_em_side side);

/* #include lines for imports that go to this output. */
enum mg_em_output { MG_EM_USER_HEADER, MG_EM_USER_SOURCE, MG_EM_SERVER_HEADER, MG_EM_SERVER_SOURCE };
void mg_em_imports(struct mg_cw *w, const struct mg_interface *itf, enum mg_em_output out,
                   bool have_sheader);

/* The generated-file banner and the base includes every output needs. */
void mg_em_banner(struct mg_cw *w, const struct mg_interface *itf, const char *what);
void mg_em_std_includes(struct mg_cw *w);
void mg_em_static_assert_macro(struct mg_cw *w);

bool mg_em_is_routine(const struct mg_routine *rt);
/* Number of slots (routines and skips) in the subsystem. */
uint32_t mg_em_nslots(const struct mg_interface *itf);

#endif
