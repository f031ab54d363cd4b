/* Aligned temporaries for server routine arguments. MIG packs messages to 4 bytes,
 * so an 8-byte value or array element can sit at 4 mod 8 in the request or reply;
 * a routine handed a pointer there would access a misaligned int64_t or struct.
 * Such arguments get a local of the field's own C type, copied in before the call
 * and out after it; every other argument still points into the message. */
#include <inttypes.h>
#include <stdio.h>

#include "emit_common.h"
#include "emit_server.h"

/* Whether a's C type may need 8-byte alignment: any element of 64 bits. */
static bool wants_8(const struct mg_type *t)
{
    return t->elem_bits >= 64 && t->elem_bits % 64 == 0;
}

const struct mg_msg_field *mg_em_unaligned_field(const struct mg_routine *rt,
                                                 const struct mg_param *a,
                                                 const uint32_t *rp_bases)
{
    const struct mg_type *t = a->type;
    if (a->role != MG_ROLE_IN && a->role != MG_ROLE_OUT && a->role != MG_ROLE_INOUT)
        return NULL;
    if (t->native) {
        /* a C type of unknown alignment, handed over by pointer: assume 8 */
        if (!t->native_pointer)
            return NULL;
        const struct mg_layout *l = a->in_reply ? &rt->reply : &rt->request;
        const struct mg_msg_field *f = mg_em_find_field(l, a, MG_FIELD_NATIVE);
        if (!f)
            return NULL;
        uint64_t at = (a->in_reply ? (uint64_t)rp_bases[f->segment] : 0) + f->offset +
                      (t->native_badvalue ? 4u : 0u); /* after the presence word */
        return f->segment == 0 || a->in_reply ? (at % 8 ? f : NULL) : f;
    }
    if (t->wire != MG_WIRE_INLINE || t->string || t->intran || t->outtran ||
        t->destructor || !wants_8(t))
        return NULL;
    const bool scalar = mg_em_field_decl(t, MG_EM_SERVER).dims == 0 && !t->var_array;
    if (!a->in_reply && scalar)
        return NULL; /* passed by value */
    const struct mg_layout *l = a->in_reply ? &rt->reply : &rt->request;
    const struct mg_msg_field *f =
        mg_em_find_field(l, a, t->var_array ? MG_FIELD_VAR_DATA : MG_FIELD_DATA);
    if (!f)
        return NULL;
    uint64_t at;
    if (a->in_reply)
        at = (uint64_t)rp_bases[f->segment] + f->offset; /* the reply is built at its largest */
    else if (f->segment == 0)
        at = f->offset;
    else
        return f; /* after a variable part: its place is known only at run time */
    return at % 8 ? f : NULL;
}

void mg_em_aligned_copies_in(struct mg_cw *w, const struct mg_routine *rt, const uint32_t *rp_bases)
{
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        const struct mg_msg_field *f = mg_em_unaligned_field(rt, a, rp_bases);
        if (!f)
            continue;
        const struct mg_em_cdecl d = mg_em_field_decl(a->type, MG_EM_SERVER);
        if (a->type->native && a->type->native_badvalue) { /* PointerToIfNot: in only */
            mg_cw_line(w, "%s arg_%s; /* aligned: %s is not */", d.ctype, a->name, f->name);
            mg_cw_line(w, "if (In0P->__Present__%s)", f->name);
            mg_cw_line(w, "\tmemcpy(&arg_%s, &In0P->%s.__Real__%s, sizeof arg_%s);", a->name, f->name,
                       f->name, a->name);
            continue;
        }
        if (a->type->native)
            mg_cw_line(w, "%s arg_%s; /* aligned: %s is not */", d.ctype, a->name, f->name);
        else if (d.dims)
            mg_cw_line(w, "%s arg_%s[%" PRIu64 "] = {0}; /* aligned: %s is not */", d.ctype, a->name,
                       d.dims, f->name);
        else
            mg_cw_line(w, "%s arg_%s = {0}; /* aligned: %s is not */", d.ctype, a->name, f->name);
        if (a->in_reply && a->in_request) /* inout: the value the presets put in the reply */
            mg_cw_line(w, "memcpy(&arg_%s, &OutP->%s, sizeof arg_%s);", a->name, f->name, a->name);
        else if (!a->in_reply && a->type->var_array && f->count_field)
            mg_cw_line(w, "memcpy(arg_%s, In%" PRIu32 "P->%s, In%" PRIu32 "P->%s * %" PRIu32 "u);",
                       a->name, f->segment, f->name, f->count_field->segment, f->count_field->name,
                       f->elem_size);
        else if (!a->in_reply)
            mg_cw_line(w, "memcpy(&arg_%s, &In%" PRIu32 "P->%s, sizeof arg_%s);", a->name, f->segment,
                       f->name, a->name);
        else if (a->type->native) /* out: what the routine does not write goes back as 0 */
            mg_cw_line(w, "memset(&arg_%s, 0, sizeof arg_%s);", a->name, a->name);
    }
}

void mg_em_aligned_copies_out(struct mg_cw *w, const struct mg_routine *rt, const uint32_t *rp_bases)
{
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        const struct mg_msg_field *f = mg_em_unaligned_field(rt, a, rp_bases);
        /* the whole local: the field is declared at its largest, an unused tail is 0 */
        if (f && a->in_reply)
            mg_cw_line(w, "memcpy(&OutP->%s, &arg_%s, sizeof arg_%s);", f->name, a->name, a->name);
    }
}
