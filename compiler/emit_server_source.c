/* The server source: one stub per routine that checks the request exactly as MIG's
 * wire contract requires, calls the routine and builds the reply in place, then the
 * demux and the subsystem table. */
#include "emit.h"
#include "emit_common.h"
#include "emit_server.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct srv {
    struct mg_cw *w;
    const struct mg_interface *itf;
    const struct mg_routine *rt;
    uint32_t *rq_bases, *rp_bases;
};

static void fail_if(struct srv *s, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The disposition a reply's port descriptor is sent with. A KernelServer's layout
 * holds the kernel's (the right as the receiver gets it, the kernel having made it);
 * its user-space form sends with the type's own disposition, as any server. */
static void reply_disposition(char *buf, size_t n, const struct mg_interface *itf,
                              const struct mg_descriptor *d)
{
    const char *kernel = mg_em_disposition(d->disposition);
    const char *user = mg_em_disposition(d->arg->type->kpd_count > 1 && d->arg->type->element
                                             ? d->arg->type->element->in_name
                                             : d->arg->type->in_name);
    if (itf->kernel_server && strcmp(kernel, user) != 0)
        snprintf(buf, n, "MACHGEN_REPLY_DISPOSITION(%s, %s)", kernel, user);
    else
        snprintf(buf, n, "%s", kernel);
}

#include <stdarg.h>
static void fail_if(struct srv *s, const char *code, const char *fmt, ...)
{
    char cond[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cond, sizeof cond, fmt, ap);
    va_end(ap);
    mg_cw_line(s->w, "if (%s)", cond);
    s->w->indent++;
    mg_cw_line(s->w, "MACHGEN_CHECK_FAILED(%s);", code);
    s->w->indent--;
}

/* Expression for a request field, through the pointer of its segment. */
static void req_field(char *buf, size_t n, const struct mg_msg_field *f)
{
    snprintf(buf, n, "In%" PRIu32 "P->%s", f->segment, f->name);
}

static void check_request(struct srv *s)
{
    const struct mg_routine *rt = s->rt;
    const struct mg_layout *l = &rt->request;
    struct mg_cw *w = s->w;
    if (l->complex)
        fail_if(s, "MIG_BAD_ARGUMENTS",
                "!(In0P->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||\n\t    "
                "In0P->msgh_body.msgh_descriptor_count != %" PRIu32, l->ndescriptors);
    else
        fail_if(s, "MIG_BAD_ARGUMENTS", "In0P->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX");
    char fixed[160];
    mg_em_fixed_size(fixed, sizeof fixed, l, MG_EM_SERVER, "In0P");
    if (l->has_native && l->fields[l->nfields - 1].arg->type->native_badvalue)
        fail_if(s, "MIG_BAD_ARGUMENTS", "msgh_size < %" PRIu32 "u + 4u ||\n\t    msgh_size != %s",
                l->max_size, fixed); /* the presence word first, then what it implies */
    else if (l->min_size == l->max_size)
        fail_if(s, "MIG_BAD_ARGUMENTS", "msgh_size != %s", fixed);
    else
        fail_if(s, "MIG_BAD_ARGUMENTS", "msgh_size < %" PRIu32 " || msgh_size > %" PRIu32,
                l->min_size, l->max_size);

    /* variable arrays: each count within its bound and the size exactly what they imply */
    uint32_t maxvar = 0;
    bool any_var = false;
    char cnt[256];
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        if (f->kind != MG_FIELD_VAR_DATA)
            continue;
        const struct mg_type *t = f->arg->type;
        req_field(cnt, sizeof cnt, f->count_field);
        fail_if(s, "MIG_BAD_ARGUMENTS", "%s > %" PRIu64, cnt, mg_em_max_units(t));
        char bytes[300];
        mg_em_times(bytes, sizeof bytes, cnt, mg_em_unit_bytes(t));
        mg_cw_line(w, "msgh_size_delta += (%s + 3u) & ~3u;", bytes);
        maxvar += f->size;
        any_var = true;
        /* later counts are read only once the message is known to reach them */
        if (mg_em_segment_used(l, f->segment + 1))
            fail_if(s, "MIG_BAD_ARGUMENTS", "msgh_size < %" PRIu32 "u + msgh_size_delta", l->min_size);
        if (mg_em_segment_used(l, f->segment + 1))
            mg_cw_line(w, "In%" PRIu32 "P = (Request *)((char *)In0P + msgh_size_delta - %" PRIu32 ");",
                       f->segment + 1, maxvar);
    }
    if (any_var)
        fail_if(s, "MIG_BAD_ARGUMENTS", "msgh_size != %" PRIu32 "u + msgh_size_delta", l->min_size);

    /* descriptors: type and received right; OOL sizes agree with their counts */
    char de[256];
    for (uint32_t i = 0; i < l->ndescriptors; i++) {
        const struct mg_descriptor *d = &l->descriptors[i];
        const struct mg_type *t = d->arg->type;
        if (t->kpd_count > 1 && t->wire == MG_WIRE_PORT) {
            if (d->index != 0)
                continue;
            const struct mg_msg_field *cf = t->var_array ? mg_em_count_field(l, d->arg) : NULL;
            if (cf) {
                req_field(cnt, sizeof cnt, cf);
                fail_if(s, "MIG_BAD_ARGUMENTS", "%s > %" PRIu32, cnt, t->kpd_count);
            }
            mg_cw_line(w, "for (mach_msg_type_number_t Index = 0; Index < %" PRIu32 "; Index++)",
                       t->kpd_count);
            w->indent++;
            fail_if(s, "MIG_TYPE_ERROR",
                    "In0P->%s[Index].type != MACH_MSG_PORT_DESCRIPTOR ||\n\t    "
                    "(In0P->%s[Index].name != MACH_PORT_NULL && In0P->%s[Index].disposition != %s)",
                    d->arg->name, d->arg->name, d->arg->name, mg_em_received(d->received));
            w->indent--;
            continue;
        }
        mg_em_desc_expr(de, sizeof de, "In0P", d);
        if (d->kind == MG_DESC_OOL) {
            fail_if(s, "MIG_TYPE_ERROR", "%s.type != MACH_MSG_OOL_DESCRIPTOR", de);
        } else if (d->received >= 0) {
            fail_if(s, "MIG_TYPE_ERROR", "%s.type != %s ||\n\t    %s.disposition != %s", de,
                    mg_em_desc_type_macro(d->kind), de, mg_em_received(d->received));
        } else {
            fail_if(s, "MIG_TYPE_ERROR", "%s.type != %s", de, mg_em_desc_type_macro(d->kind));
        }
        const char *sz = d->kind == MG_DESC_OOL ? "size" : "count";
        if (d->kind == MG_DESC_PORT)
            continue;
        if (d->fixed_size) {
            fail_if(s, "MIG_TYPE_ERROR", "%s.%s != %" PRIu64, de, sz,
                    d->kind == MG_DESC_OOL ? d->max_elems : t->number);
            continue;
        }
        const struct mg_msg_field *cf = mg_em_count_field(l, d->arg);
        if (!cf)
            continue;
        req_field(cnt, sizeof cnt, cf);
        uint32_t unit = d->kind == MG_DESC_OOL ? mg_em_unit_bytes(t) : 1;
        uint64_t bound = d->kind == MG_DESC_OOL ? d->max_elems / unit : d->max_elems;
        if (bound)
            fail_if(s, "MIG_BAD_ARGUMENTS", "%s > %" PRIu64, cnt, bound);
        char expect[300];
        mg_em_times(expect, sizeof expect, cnt, unit);
        fail_if(s, "MIG_TYPE_ERROR", "%s.%s != %s", de, sz, expect);
    }

    /* strings must be terminated inside the bytes received */
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        if (!f->arg || !f->arg->type->string)
            continue;
        char fe[256];
        req_field(fe, sizeof fe, f);
        if (f->kind == MG_FIELD_DATA) {
            fail_if(s, "MIG_BAD_ARGUMENTS", "memchr(%s, '\\0', %" PRIu64 ") == NULL", fe,
                    f->arg->type->number);
        } else if (f->kind == MG_FIELD_VAR_DATA) {
            req_field(cnt, sizeof cnt, f->count_field);
            fail_if(s, "MIG_BAD_ARGUMENTS", "memchr(%s, '\\0', %s) == NULL", fe, cnt);
        }
    }

    bool trailer = false;
    for (uint32_t i = 0; i < rt->nargs; i++)
        trailer |= rt->args[i].server_trailer;
    if (trailer) {
        mg_cw_line(w, "TrailerP = (const %s *)((char *)In0P + round_msg(msgh_size));",
                   mg_em_trailer_ctype(l->trailer_elems));
        fail_if(s, "MIG_TRAILER_ERROR", "TrailerP->msgh_trailer_type != MACH_MSG_TRAILER_FORMAT_0");
        fail_if(s, "MIG_TRAILER_ERROR", "TrailerP->msgh_trailer_size < sizeof(%s)",
                mg_em_trailer_ctype(l->trailer_elems));
    }
}

/* The expression a server routine receives for one argument (locals are named
 * after the argument). */
static void arg_expr(struct srv *s, const struct mg_param *a, char *buf, size_t n)
{
    const struct mg_routine *rt = s->rt;
    const struct mg_layout *rq = &rt->request, *rp = &rt->reply;
    const struct mg_type *t = a->type;
    switch (a->role) {
    case MG_ROLE_REQUEST_PORT:
    case MG_ROLE_REPLY_PORT:
        snprintf(buf, n, "arg_%s", a->name);
        return;
    case MG_ROLE_MSGSEQNO: snprintf(buf, n, "TrailerP->msgh_seqno"); return;
    case MG_ROLE_SECTOKEN: snprintf(buf, n, "TrailerP->msgh_sender"); return;
    case MG_ROLE_AUDITTOKEN: snprintf(buf, n, "TrailerP->msgh_audit"); return;
    case MG_ROLE_CONTEXTTOKEN: snprintf(buf, n, "TrailerP->msgh_context"); return;
    case MG_ROLE_IMPLICIT: snprintf(buf, n, "TrailerP->%s", a->name); return; /* ServerImpl */
    case MG_ROLE_POLY: {
        const struct mg_param *p = a->parent;
        if (p->role == MG_ROLE_REQUEST_PORT)
            snprintf(buf, n, "%s(In0P->Head.msgh_bits)", mg_em_request_bits(s->itf));
        else if (p->role == MG_ROLE_REPLY_PORT)
            snprintf(buf, n, "%s(In0P->Head.msgh_bits)", mg_em_reply_bits(s->itf));
        else if (p->in_reply)
            snprintf(buf, n, "&arg_%s", a->name);
        else
            snprintf(buf, n, "(mach_msg_type_name_t)In0P->%s.disposition", p->name);
        return;
    }
    case MG_ROLE_DEALLOC:
        snprintf(buf, n, "&arg_%s", a->name);
        return;
    case MG_ROLE_COUNT: {
        const struct mg_param *p = a->parent;
        const struct mg_layout *l = p->in_reply ? rp : rq;
        const struct mg_msg_field *cf = mg_em_count_field(l, p);
        if (p->in_reply)
            snprintf(buf, n, "&OutP->%s", cf ? cf->name : a->name);
        else if (cf)
            req_field(buf, n, cf);
        else
            snprintf(buf, n, "0");
        return;
    }
    default: break;
    }
    /* in, out, inout */
    if (t->kpd_count > 1) {
        snprintf(buf, n, "arg_%s", a->name); /* a local array of names */
        return;
    }
    if (t->intran || t->outtran || t->destructor || t->wire != MG_WIRE_INLINE) {
        snprintf(buf, n, "%sarg_%s", a->in_reply ? "&" : "", a->name);
        return;
    }
    if (t->native && t->native_pointer && mg_em_unaligned_field(rt, a, s->rp_bases)) {
        if (t->native_badvalue) {
            const struct mg_msg_field *nf = mg_em_find_field(rq, a, MG_FIELD_NATIVE);
            snprintf(buf, n, "(In0P->__Present__%s ? &arg_%s : %s)", nf ? nf->name : a->name,
                     a->name, t->native_badvalue);
        } else {
            snprintf(buf, n, "&arg_%s", a->name);
        }
        return;
    }
    if (t->native && t->native_badvalue) { /* PointerToIfNot: the value, or badvalue if absent */
        const struct mg_msg_field *nf = mg_em_find_field(rq, a, MG_FIELD_NATIVE);
        const char *fn = nf ? nf->name : a->name;
        snprintf(buf, n, "(In0P->__Present__%s ? &In0P->%s.__Real__%s : %s)", fn, fn, fn,
                 t->native_badvalue);
        return;
    }
    if (t->native) { /* ValueOf by value, PointerTo as a pointer into the message */
        const struct mg_msg_field *nf = mg_em_find_field(a->in_reply ? rp : rq, a, MG_FIELD_NATIVE);
        snprintf(buf, n, "%s%s->%s", t->native_pointer ? "&" : "", a->in_reply ? "OutP" : "In0P",
                 nf ? nf->name : a->name);
        return;
    }
    const struct mg_msg_field *f = mg_em_find_field(a->in_reply ? rp : rq, a,
                                                    t->var_array ? MG_FIELD_VAR_DATA : MG_FIELD_DATA);
    if (!f) {
        snprintf(buf, n, "0");
        return;
    }
    bool scalar = mg_em_field_decl(t, MG_EM_SERVER).dims == 0;
    const bool aligned_copy = mg_em_unaligned_field(rt, a, s->rp_bases) != NULL;
    /* An array is laid out with the C type of its nearest named element, while a
     * named array type may be declared in C over other elements (a C array of range
     * structs for a .defs array of offsets): then it is handed over untyped; the
     * header asserts the sizes agree. */
    const char *cast = "";
    if (!scalar && !t->string && mg_em_own_ctype(t, MG_EM_SERVER)) {
        const char *elem = t->element ? mg_em_own_ctype(t->element, MG_EM_SERVER) : NULL;
        if (!t->var_array || !elem || strcmp(elem, mg_em_field_decl(t, MG_EM_SERVER).ctype) != 0)
            cast = "(void *)";
    }
    if (aligned_copy) {
        snprintf(buf, n, "%s%sarg_%s", cast, scalar ? "&" : "", a->name);
    } else if (a->in_reply) {
        snprintf(buf, n, "%s%sOutP->%s", cast, scalar ? "&" : "", f->name);
    } else {
        char fe[400];
        req_field(fe, sizeof fe, f);
        snprintf(buf, n, "%s%s", cast, fe);
    }
}

/* Locals for arguments that do not live in the messages as the routine sees them:
 * ports and OOL data (descriptors), translated values, Poly and Dealloc. */
static void declare_locals(struct srv *s)
{
    const struct mg_routine *rt = s->rt;
    struct mg_cw *w = s->w;
    char vt[256], ex[1024];
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        const struct mg_type *t = a->type;
        if (!a->server_visible)
            continue;
        mg_em_value_type(vt, sizeof vt, a, MG_EM_SERVER);
        size_t vl = strlen(vt);
        const char *sp = vl && vt[vl - 1] == '*' ? "" : " ";
        switch (a->role) {
        case MG_ROLE_REQUEST_PORT:
        case MG_ROLE_REPLY_PORT: {
            char hdr[64];
            snprintf(hdr, sizeof hdr, "In0P->Head.%s",
                     a->role == MG_ROLE_REQUEST_PORT ? mg_em_request_port_field(s->itf)
                                                     : mg_em_reply_port_field(s->itf));
            if (t->intran)
                mg_cw_line(w, "%s%sarg_%s = %s(%s);", vt, sp, a->name, t->intran, hdr);
            else
                mg_cw_line(w, "%s%sarg_%s = %s;", vt, sp, a->name, hdr);
            continue;
        }
        case MG_ROLE_POLY:
            if (a->parent->in_reply)
                mg_cw_line(w, "mach_msg_type_name_t arg_%s = %s;", a->name,
                           a->parent->type->out_name >= 0 ? mg_em_disposition(a->parent->type->out_name)
                                                          : "MACH_MSG_TYPE_PORT_NONE");
            continue;
        case MG_ROLE_DEALLOC:
            mg_cw_line(w, "boolean_t arg_%s = FALSE;", a->name);
            continue;
        case MG_ROLE_IN:
        case MG_ROLE_OUT:
        case MG_ROLE_INOUT: break;
        default: continue;
        }
        if (t->kpd_count > 1 && t->wire != MG_WIRE_PORT) {
            /* an array of regions: the routine sees a plain array of their addresses */
            const char *et = mg_em_port_elem_ctype(t, MG_EM_SERVER);
            mg_cw_line(w, "%s arg_%s[%" PRIu32 "];", et, a->name, t->kpd_count);
            for (uint32_t k = 0; a->in_request && k < t->kpd_count; k++)
                mg_cw_line(w, "arg_%s[%" PRIu32 "] = (%s)(In0P->%s[%" PRIu32 "].address);", a->name,
                           k, et, a->name, k);
            continue;
        }
        if (t->kpd_count > 1) {
            /* the routine sees a plain array of names */
            mg_cw_line(w, "%s arg_%s[%" PRIu32 "];", mg_em_port_elem_ctype(t, MG_EM_SERVER), a->name,
                       t->kpd_count);
            if (a->in_request) {
                mg_cw_line(w, "for (mach_msg_type_number_t Index = 0; Index < %" PRIu32 "; Index++)",
                           t->kpd_count);
                mg_cw_line(w, "\targ_%s[Index] = In0P->%s[Index].name;", a->name, a->name);
            }
            continue;
        }
        if (a->in_request) {
            /* the value as received, translated when the type says so */
            if (t->wire == MG_WIRE_PORT)
                snprintf(ex, sizeof ex, "In0P->%s.name", a->name);
            else if (t->wire == MG_WIRE_OOL || t->wire == MG_WIRE_OOL_PORTS)
                snprintf(ex, sizeof ex, "(%s)(In0P->%s.address)", vt, a->name);
            else if (t->intran || t->destructor) {
                const struct mg_msg_field *f = mg_em_find_field(&rt->request, a, MG_FIELD_DATA);
                if (f)
                    req_field(ex, sizeof ex, f);
                else
                    snprintf(ex, sizeof ex, "0");
            } else
                continue;
            if (a->in_reply && t->wire == MG_WIRE_INLINE)
                continue;
            if (t->intran)
                mg_cw_line(w, "%s%sarg_%s = %s(%s);", vt, sp, a->name, t->intran, ex);
            else
                mg_cw_line(w, "%s%sarg_%s = %s;", vt, sp, a->name, ex);
        } else if (t->wire != MG_WIRE_INLINE || t->outtran) {
            mg_cw_line(w, "%s%sarg_%s;", vt, sp, a->name);
        }
    }
}

static void out_presets(struct srv *s)
{
    const struct mg_routine *rt = s->rt;
    const struct mg_layout *rp = &rt->reply;
    struct mg_cw *w = s->w;
    for (uint32_t i = 0; i < rp->nfields; i++) {
        const struct mg_msg_field *f = &rp->fields[i];
        if (!f->arg)
            continue;
        const struct mg_param *a = f->arg;
        if (f->kind == MG_FIELD_VAR_COUNT) {
            uint64_t max = mg_em_max_units(a->type);
            const struct mg_msg_field *ci =
                a->count_inout ? mg_em_find_field(&rt->request, a->count_inout, MG_FIELD_COUNT) : NULL;
            if (ci) {
                char ce[256];
                req_field(ce, sizeof ce, ci);
                mg_cw_line(w, "OutP->%s = %s < %" PRIu64 " ? %s : %" PRIu64 ";", f->name, ce, max,
                           ce, max);
            } else {
                mg_cw_line(w, "OutP->%s = %" PRIu64 ";", f->name, max);
            }
        } else if (f->kind == MG_FIELD_COUNT && a->role == MG_ROLE_COUNT) {
            const struct mg_type *pt = a->parent->type;
            /* an inout array's count reaches the routine as the client sent it */
            const struct mg_msg_field *inf =
                a->parent->in_request ? mg_em_find_field(&rt->request, a, MG_FIELD_COUNT) : NULL;
            if (inf) {
                char ie[256];
                req_field(ie, sizeof ie, inf);
                mg_cw_line(w, "OutP->%s = %s;", f->name, ie);
            } else {
                mg_cw_line(w, "OutP->%s = %" PRIu32 ";", f->name, pt->kpd_count > 1 ? pt->kpd_count : 0);
            }
        } else if (f->kind == MG_FIELD_NATIVE && a->in_request) {
            /* an inout native starts as the client sent it */
            const struct mg_msg_field *inf = mg_em_find_field(&rt->request, a, MG_FIELD_NATIVE);
            if (inf)
                mg_cw_line(w, "OutP->%s = In0P->%s;", f->name, inf->name);
        } else if (f->kind == MG_FIELD_DATA && a->in_request && !a->type->outtran) {
            const struct mg_msg_field *inf = mg_em_find_field(&rt->request, a, MG_FIELD_DATA);
            if (!inf)
                continue;
            char ie[256];
            req_field(ie, sizeof ie, inf);
            if (mg_em_field_decl(a->type, MG_EM_SERVER).dims == 0)
                mg_cw_line(w, "OutP->%s = %s;", f->name, ie);
            else
                mg_cw_line(w, "memcpy(OutP->%s, %s, sizeof(OutP->%s));", f->name, ie, f->name);
        }
    }
}

static void build_reply(struct srv *s)
{
    const struct mg_routine *rt = s->rt;
    const struct mg_layout *l = &rt->reply;
    struct mg_cw *w = s->w;
    char de[256];
    if (l->complex) {
        mg_cw_line(w, "OutP->Head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;");
        mg_cw_line(w, "OutP->msgh_body.msgh_descriptor_count = %" PRIu32 ";", l->ndescriptors);
    }
    for (uint32_t i = 0; i < l->ndescriptors; i++) {
        const struct mg_descriptor *d = &l->descriptors[i];
        const struct mg_param *a = d->arg;
        const struct mg_type *t = a->type;
        if (t->kpd_count > 1 && t->wire == MG_WIRE_PORT) {
            if (d->index != 0)
                continue;
            const struct mg_msg_field *cf = t->var_array ? mg_em_count_field(l, a) : NULL;
            if (cf)
                fail_if(s, "MIG_ARRAY_TOO_LARGE", "OutP->%s > %" PRIu32, cf->name, t->kpd_count);
            mg_cw_line(w, "for (mach_msg_type_number_t Index = 0; Index < %" PRIu32 "; Index++)",
                       t->kpd_count);
            char v[300];
            if (cf)
                snprintf(v, sizeof v, "Index < OutP->%s ? arg_%s[Index] : MACH_PORT_NULL", cf->name,
                         a->name);
            else
                snprintf(v, sizeof v, "arg_%s[Index]", a->name);
            char rd[160];
            reply_disposition(rd, sizeof rd, s->itf, d);
            mg_cw_line(w, "\tOutP->%s[Index] = (mach_msg_port_descriptor_t){ .name = %s, "
                          ".disposition = %s, .type = MACH_MSG_PORT_DESCRIPTOR };",
                       a->name, v, rd);
            continue;
        }
        mg_em_desc_expr(de, sizeof de, "OutP", d);
        char val[256], disp[256], dealloc[128];
        if (t->outtran)
            snprintf(val, sizeof val, "%s(arg_%s)", t->outtran, a->name);
        else if (t->kpd_count > 1)
            snprintf(val, sizeof val, "arg_%s[%" PRIu32 "]", a->name, d->index);
        else
            snprintf(val, sizeof val, "arg_%s", a->name);
        if (d->disposition < 0 && a->poly)
            snprintf(disp, sizeof disp, "arg_%s", a->poly->name);
        else
            reply_disposition(disp, sizeof disp, s->itf, d);
        snprintf(dealloc, sizeof dealloc, "%s",
                 d->dealloc == MG_DEALLOC_YES ? "TRUE"
                 : d->dealloc == MG_DEALLOC_MAYBE && a->dealloc_arg ? "arg_DEALLOC"
                                                                    : "FALSE");
        if (strcmp(dealloc, "arg_DEALLOC") == 0)
            snprintf(dealloc, sizeof dealloc, "arg_%s", a->dealloc_arg->name);
        if (d->kind == MG_DESC_PORT) {
            mg_cw_line(w, "%s = (mach_msg_port_descriptor_t){ .name = %s, .disposition = %s, "
                          ".type = MACH_MSG_PORT_DESCRIPTOR };", de, val, disp);
            continue;
        }
        const struct mg_msg_field *cf = d->fixed_size ? NULL : mg_em_count_field(l, a);
        char count[256];
        if (d->kind == MG_DESC_OOL) {
            if (cf) {
                char c[260];
                snprintf(c, sizeof c, "OutP->%s", cf->name);
                mg_em_times(count, sizeof count, c, mg_em_unit_bytes(t));
            } else
                snprintf(count, sizeof count, "%" PRIu64, d->max_elems);
            mg_cw_line(w, "%s = (mach_msg_ool_descriptor_t){ .address = (void *)%s, .size = %s, "
                          ".deallocate = %s, .copy = %s, .type = MACH_MSG_OOL_DESCRIPTOR };",
                       de, val, count, dealloc,
                       d->copy == MG_COPY_PHYSICAL ? "MACH_MSG_PHYSICAL_COPY" : "MACH_MSG_VIRTUAL_COPY");
        } else {
            if (cf)
                snprintf(count, sizeof count, "OutP->%s", cf->name);
            else
                snprintf(count, sizeof count, "%" PRIu64, t->number);
            mg_cw_line(w, "%s = (mach_msg_ool_ports_descriptor_t){ .address = (void *)%s, "
                          ".count = %s, .deallocate = %s, .copy = MACH_MSG_PHYSICAL_COPY, "
                          ".disposition = %s, .type = MACH_MSG_OOL_PORTS_DESCRIPTOR };",
                       de, val, count, dealloc, disp);
        }
    }
    /* inline fields: translations, strings, then pack variable arrays tight */
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        if (f->kind == MG_FIELD_NDR)
            mg_cw_line(w, "OutP->NDR = NDR_record;");
        else if (f->kind == MG_FIELD_RETCODE)
            mg_cw_line(w, "OutP->RetCode = KERN_SUCCESS;");
        else if (f->kind == MG_FIELD_DATA && f->arg->type->outtran)
            mg_em_outtran_copy(w, f->arg, "OutP->", f->name, "arg_");
        else if (f->kind == MG_FIELD_DATA && f->arg->type->string)
            mg_cw_line(w, "OutP->%s[%" PRIu64 "] = '\\0';", f->name, f->arg->type->number - 1);
        if (f->kind == MG_FIELD_DATA && f->size > mg_type_bytes(f->arg->type))
            mg_cw_line(w, "memset(OutP->%sPad, 0, sizeof(OutP->%sPad));", f->name, f->name);
        else if (f->kind == MG_FIELD_VAR_DATA && f->arg->type->string) {
            uint64_t n = f->arg->type->number;
            mg_cw_brace(w);
            mg_cw_line(w, "const char *Nul = (const char *)memchr(OutP->%s, '\\0', %" PRIu64 ");",
                       f->name, n);
            mg_cw_line(w, "if (Nul == NULL)");
            mg_cw_line(w, "\tOutP->%s[%" PRIu64 "] = '\\0';", f->name, n - 1);
            mg_cw_line(w, "OutP->%s = Nul ? (mach_msg_type_number_t)(Nul - OutP->%s) + 1 : %" PRIu64 ";",
                       f->count_field->name, f->name, n);
            mg_cw_end(w);
        }
    }
    bool any_var = false;
    for (uint32_t i = 0; i < l->nfields; i++)
        any_var |= l->fields[i].kind == MG_FIELD_VAR_DATA;
    if (!any_var && l->has_native) {
        char fixed[160];
        mg_em_fixed_size(fixed, sizeof fixed, l, MG_EM_SERVER, "OutP");
        mg_cw_line(w, "OutP->Head.msgh_size = (mach_msg_size_t)%s;", fixed);
        return;
    }
    if (!any_var) {
        mg_cw_line(w, "OutP->Head.msgh_size = (mach_msg_size_t)sizeof(Reply);");
        return;
    }
    /* counts are read before anything moves: a samecount array uses an earlier one */
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        if (f->kind != MG_FIELD_VAR_DATA || f->arg->samecount)
            continue;
        mg_cw_line(w, "const mach_msg_type_number_t %sN = OutP->%s;", f->name, f->count_field->name);
        if (!f->arg->type->string) /* string counts were just computed within bounds */
            fail_if(s, "MIG_ARRAY_TOO_LARGE", "%sN > %" PRIu64, f->name,
                    mg_em_max_units(f->arg->type));
    }
    mg_cw_line(w, "mach_msg_size_t ReplySizeDelta = 0, ByteCount;");
    uint32_t maxvar = 0;
    for (uint32_t k = 0; k < l->nsegments; k++) {
        const struct mg_msg_field *end = NULL;
        for (uint32_t i = 0; i < l->nfields; i++)
            if (l->fields[i].segment == k && l->fields[i].kind == MG_FIELD_VAR_DATA)
                end = &l->fields[i];
        uint32_t base = s->rp_bases[k];
        if (end) {
            const struct mg_param *owner = end->arg->samecount ? end->arg->samecount : end->arg;
            const struct mg_msg_field *of = mg_em_find_field(l, owner, MG_FIELD_VAR_DATA);
            char n[260], b[300];
            snprintf(n, sizeof n, "%sN", of ? of->name : end->name);
            mg_em_times(b, sizeof b, n, mg_em_unit_bytes(end->arg->type));
            mg_cw_line(w, "ByteCount = %s;", b);
            mg_cw_line(w, "memset((char *)OutP->%s + ByteCount, 0, ((ByteCount + 3u) & ~3u) - ByteCount);",
                       end->name);
        }
        if (k > 0) {
            if (end)
                mg_cw_line(w, "memmove((char *)OutP + %" PRIu32 "u + ReplySizeDelta - %" PRIu32 "u, "
                              "(char *)OutP + %" PRIu32 "u, %" PRIu32 "u + ByteCount);",
                           base, maxvar, base, end->offset);
            else if (l->max_size > base)
                mg_cw_line(w, "memmove((char *)OutP + %" PRIu32 "u + ReplySizeDelta - %" PRIu32 "u, "
                              "(char *)OutP + %" PRIu32 "u, %" PRIu32 "u);",
                           base, maxvar, base, l->max_size - base);
        }
        if (end) {
            mg_cw_line(w, "ReplySizeDelta += (ByteCount + 3u) & ~3u;");
            maxvar += end->size;
        }
    }
    mg_cw_line(w, "OutP->Head.msgh_size = %" PRIu32 "u - %" PRIu32 "u + ReplySizeDelta;", l->max_size, maxvar);
}

/* An unbounded `array[] of T` (not `^array[]`) looks inline to the server routine
 * though it travels out of line, so the stub frees it once the routine returned
 * (MIG's contract, which Apple-MIG servers rely on) and clears its descriptor. After
 * an error the serve loop destroys the request instead, rights included (Apple's
 * stub frees the array even then, leaking the rights of an OOL port array). */
static void free_inline_looking_arrays(struct srv *s)
{
    const struct mg_routine *rt = s->rt;
    struct mg_cw *w = s->w;
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        const struct mg_type *t = a->type;
        if (!a->in_request || a->in_reply || !t->mig_inline || t->kpd_count != 1)
            continue;
        const bool ports = t->wire == MG_WIRE_OOL_PORTS;
        const char *len = ports ? "count" : "size";
        char size[256];
        if (ports)
            snprintf(size, sizeof size, "In0P->%s.count * (mach_msg_size_t)sizeof(mach_port_name_t)",
                     a->name);
        else
            snprintf(size, sizeof size, "In0P->%s.size", a->name);
        mg_cw_line(w, "if (RetCode == KERN_SUCCESS || RetCode == MIG_NO_REPLY) {");
        w->indent++;
        if (s->itf->kernel_server) {
            mg_cw_line(w, "#if __MigKernelSpecificCode");
            mg_cw_line(w, "vm_map_copy_discard((vm_map_copy_t)In0P->%s.address);", a->name);
            mg_cw_line(w, "#else");
        }
        mg_cw_line(w, "mig_deallocate((vm_offset_t)In0P->%s.address, %s);", a->name, size);
        if (s->itf->kernel_server)
            mg_cw_line(w, "#endif");
        mg_cw_line(w, "In0P->%s.address = NULL;", a->name);
        mg_cw_line(w, "In0P->%s.%s = 0;", a->name, len);
        w->indent--;
        mg_cw_line(w, "}");
    }
}

static void server_stub(struct srv *s)
{
    const struct mg_routine *rt = s->rt;
    struct mg_cw *w = s->w;
    const struct mg_layout *rq = &rt->request;
    s->rq_bases = mg_em_segment_bases(rq);
    s->rp_bases = mg_em_segment_bases(&rt->reply);

    mg_cw_line(w, "/* %s %s */", rt->kind == MG_RT_SIMPLEROUTINE ? "SimpleRoutine" : "Routine",
               rt->name);
    mg_cw_line(w, "static void _X%s(mach_msg_header_t *InHeadP, mach_msg_header_t *OutHeadP)",
               rt->name);
    mg_cw_brace(w);
    mg_cw_line(w, "typedef __Request__%s_t Request;", rt->name);
    if (rt->kind == MG_RT_ROUTINE)
        mg_cw_line(w, "typedef __Reply__%s_t Reply;", rt->name);
    mg_cw_line(w, "Request *In0P = (Request *)InHeadP;");
    for (uint32_t k = 1; k < rq->nsegments; k++)
        if (mg_em_segment_used(rq, k))
            mg_cw_line(w, "Request *In%" PRIu32 "P;", k);
    if (rt->kind == MG_RT_ROUTINE)
        mg_cw_line(w, "Reply *OutP = (Reply *)OutHeadP;");
    mg_cw_line(w, "const mach_msg_size_t msgh_size = In0P->Head.msgh_size;");
    bool any_var = false, trailer = false;
    for (uint32_t i = 0; i < rq->nfields; i++)
        any_var |= rq->fields[i].kind == MG_FIELD_VAR_DATA;
    for (uint32_t i = 0; i < rt->nargs; i++)
        trailer |= rt->args[i].server_trailer;
    if (any_var)
        mg_cw_line(w, "mach_msg_size_t msgh_size_delta = 0;");
    if (trailer)
        mg_cw_line(w, "const %s *TrailerP;", mg_em_trailer_ctype(rq->trailer_elems));
    mg_cw_line(w, "kern_return_t RetCode;");
    mg_cw_blank(w);
    check_request(s);
    mg_cw_blank(w);
    declare_locals(s);
    if (rt->kind == MG_RT_ROUTINE)
        out_presets(s);

    mg_em_aligned_copies_in(w, rt, s->rp_bases);

    /* the call */
    mg_cw_line(w, "RetCode = %s(", rt->server_name);
    w->indent++;
    uint32_t last = UINT32_MAX;
    for (uint32_t i = 0; i < rt->nargs; i++)
        if (rt->args[i].server_visible)
            last = i;
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!a->server_visible)
            continue;
        char ex[512];
        arg_expr(s, a, ex, sizeof ex);
        mg_cw_line(w, "%s%s", ex, i == last ? ");" : ",");
    }
    if (last == UINT32_MAX)
        mg_cw_line(w, ");");
    w->indent--;
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (a->server_visible && a->type->destructor &&
            (a->in_request || a->role == MG_ROLE_REQUEST_PORT || a->role == MG_ROLE_REPLY_PORT))
            mg_cw_line(w, "%s(arg_%s);", a->type->destructor, a->name);
    }
    free_inline_looking_arrays(s);
    if (rt->kind == MG_RT_SIMPLEROUTINE) {
        mg_cw_line(w, "MACHGEN_RETURN_ERROR(RetCode);");
    } else {
        mg_cw_line(w, "if (RetCode != KERN_SUCCESS)");
        mg_cw_line(w, "\tMACHGEN_RETURN_ERROR(RetCode);");
        mg_cw_blank(w);
        mg_em_aligned_copies_out(w, rt, s->rp_bases);
        build_reply(s);
    }
    mg_cw_end(w);
    mg_cw_blank(w);
    free(s->rq_bases);
    free(s->rp_bases);
}

void mg_emit_server_source(FILE *fp, const struct mg_interface *itf, const char *sheader_name)
{
    struct mg_cw w = {fp, 0};
    mg_em_banner(&w, itf, "Server stubs");
    mg_cw_blank(&w);
    if (sheader_name) {
        mg_cw_line(&w, "#include \"%s\"", sheader_name);
    } else {
        mg_em_std_includes(&w);
        mg_em_imports(&w, itf, MG_EM_SERVER_SOURCE, false);
        mg_cw_blank(&w);
        mg_em_static_assert_macro(&w);
        mg_cw_blank(&w);
        mg_em_server_declarations(&w, itf);
        mg_cw_blank(&w);
        mg_em_message_types(&w, itf, MG_EM_SERVER);
        mg_em_message_unions(&w, itf, MG_EM_SERVER);
    }
    mg_em_kernel_server_macros(&w, itf);
    bool any = false;
    for (uint32_t i = 0; i < itf->nroutines; i++)
        any |= mg_em_is_routine(&itf->routines[i]);
    if (!any) { /* only skips: a demux and a table, no stubs */
        mg_cw_blank(&w);
        mg_em_server_demux(&w, itf);
        return;
    }
    mg_cw_blank(&w);
    mg_cw_line(&w, "/* Turns the reply the demux pre-filled into the 36-byte error reply. */");
    mg_cw_line(&w, "static void %s_error_reply(mach_msg_header_t *OutHeadP, kern_return_t code)",
               itf->subsystem);
    mg_cw_brace(&w);
    mg_cw_line(&w, "((mig_reply_error_t *)OutHeadP)->NDR = NDR_record;");
    mg_cw_line(&w, "((mig_reply_error_t *)OutHeadP)->RetCode = code;");
    mg_cw_end(&w);
    mg_cw_blank(&w);
    mg_cw_line(&w, "#define MACHGEN_RETURN_ERROR(code) \\");
    mg_cw_line(&w, "\tdo { %s_error_reply(OutHeadP, (code)); return; } while (0)", itf->subsystem);
    mg_cw_blank(&w);
    mg_cw_line(&w, "/* A request failed a check: define MACHGEN_TRACE_CHECKS(func, line, code) to");
    mg_cw_line(&w, " * learn which one (the line is in this file); the wire only carries the code. */");
    mg_cw_line(&w, "#ifdef MACHGEN_TRACE_CHECKS");
    mg_cw_line(&w, "#define MACHGEN_CHECK_FAILED(code) \\");
    mg_cw_line(&w, "\tdo { MACHGEN_TRACE_CHECKS(__func__, __LINE__, (code)); MACHGEN_RETURN_ERROR(code); } while (0)");
    mg_cw_line(&w, "#else");
    mg_cw_line(&w, "#define MACHGEN_CHECK_FAILED(code) MACHGEN_RETURN_ERROR(code)");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        struct srv s = {.w = &w, .itf = itf, .rt = &itf->routines[i]};
        if (mg_em_is_routine(s.rt))
            server_stub(&s);
    }
    mg_em_server_demux(&w, itf);
}
