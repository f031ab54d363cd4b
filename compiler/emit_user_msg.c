/* The client side of a routine's messages: request packing, reply checks and
 * reply unpacking shared by the synchronous and asynchronous stubs
 * (emit_user_msg.h). */
#include "emit_user_msg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "emit_common.h"

const char *mg_user_msg_destroy_fn(const struct mg_interface *itf)
{
    return itf->kernel_user ? "MACHGEN_MSG_DESTROY" : "mach_msg_destroy";
}

static const char *destroy_fn(const struct mg_user_msg *u)
{
    return mg_user_msg_destroy_fn(u->itf);
}

/* "*" when the stub reaches an in argument through its pointer. */
static const char *deref(const struct mg_user_msg *u, bool by_ref)
{
    return by_ref && !u->inputs_by_value ? "*" : "";
}

/* A field through the pointer of its segment (segment 0: InP / Out0P). */
static void seg_field(char *buf, size_t n, const char *base, const struct mg_msg_field *f)
{
    if (f->segment == 0 && strcmp(base, "In") == 0)
        snprintf(buf, n, "InP->%s", f->name);
    else
        snprintf(buf, n, "%s%" PRIu32 "P->%s", base, f->segment, f->name);
}

/* The caller's count of an array (its own or the samecount one's), read through
 * the pointer when the count is an in/out parameter. */
struct count_text {
    char s[160];
};

static struct count_text count_param(const struct mg_user_msg *u, const struct mg_param *a)
{
    const struct mg_param *owner = a->samecount ? a->samecount : a;
    struct count_text c;
    if (!owner->count)
        snprintf(c.s, sizeof c.s, "0");
    else
        snprintf(c.s, sizeof c.s, "%s%s", deref(u, owner->count->by_ref_user),
                 owner->count->name);
    return c;
}

static void reply_fail(const struct mg_user_msg *u, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reply_fail(const struct mg_user_msg *u, const char *code, const char *fmt, ...)
{
    char cond[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cond, sizeof cond, fmt, ap);
    va_end(ap);
    mg_cw_line(u->w, "if (%s)", cond);
    mg_cw_line(u->w, "\tMACHGEN_REPLY_FAILED(%s);", code);
}

/* The message pack_descriptors / pack_inline fill, and its pointers. */
static const struct mg_layout *packed_layout(const struct mg_user_msg *u)
{
    return u->pack_reply ? &u->rt->reply : &u->rt->request;
}

static const char *ptr0(const struct mg_user_msg *u)
{
    return u->pack_reply ? "Out0P" : "InP";
}

static const char *seg_base(const struct mg_user_msg *u)
{
    return u->pack_reply ? "Out" : "In";
}

static void pack_descriptors(const struct mg_user_msg *u)
{
    const struct mg_layout *l = packed_layout(u);
    struct mg_cw *w = u->w;
    if (!l->complex)
        return;
    mg_cw_line(w, "%s->msgh_body.msgh_descriptor_count = %" PRIu32 ";", ptr0(u), l->ndescriptors);
    char de[256], val[256], disp[256], dealloc[128], count[256];
    for (uint32_t i = 0; i < l->ndescriptors; i++) {
        const struct mg_descriptor *d = &l->descriptors[i];
        const struct mg_param *a = d->arg;
        const struct mg_type *t = a->type;
        if (t->kpd_count > 1 && t->wire == MG_WIRE_PORT) {
            /* an array of ports: one descriptor per element, unused ones null */
            if (d->index != 0)
                continue;
            if (t->var_array && !a->samecount) {
                mg_cw_line(w, "if (%s > %" PRIu32 ")", count_param(u, a).s, t->kpd_count);
                mg_cw_line(w, "\treturn MIG_ARRAY_TOO_LARGE;");
            }
            mg_cw_line(w, "for (mach_msg_type_number_t Index = 0; Index < %" PRIu32 "; Index++)",
                       t->kpd_count);
            if (t->var_array)
                snprintf(val, sizeof val, "Index < %s ? %s[Index] : MACH_PORT_NULL", count_param(u, a).s,
                         a->name);
            else
                snprintf(val, sizeof val, "%s[Index]", a->name);
            mg_cw_line(w, "\t%s->%s[Index] = (mach_msg_port_descriptor_t){ .name = %s, "
                          ".disposition = %s, .type = MACH_MSG_PORT_DESCRIPTOR };",
                       ptr0(u), a->name, val, mg_em_disposition(d->disposition));
            continue;
        }
        mg_em_desc_expr(de, sizeof de, ptr0(u), d);
        if (t->kpd_count > 1)
            snprintf(val, sizeof val, "%s[%" PRIu32 "]", a->name, d->index);
        else if (u->pack_reply && t->outtran) /* a deferred reply translates as the server does */
            snprintf(val, sizeof val, "%s(%s)", t->outtran, a->name);
        else
            snprintf(val, sizeof val, "%s%s", deref(u, a->by_ref_user), a->name);
        if (d->disposition < 0 && a->poly)
            snprintf(disp, sizeof disp, "%s", a->poly->name);
        else
            snprintf(disp, sizeof disp, "%s", mg_em_disposition(d->disposition));
        snprintf(dealloc, sizeof dealloc, "%s",
                 d->dealloc == MG_DEALLOC_YES ? "TRUE"
                 : d->dealloc == MG_DEALLOC_MAYBE && a->dealloc_arg ? a->dealloc_arg->name
                                                                    : "FALSE");
        if (d->kind == MG_DESC_PORT) {
            mg_cw_line(w, "%s = (mach_msg_port_descriptor_t){ .name = %s, .disposition = %s, "
                          ".type = MACH_MSG_PORT_DESCRIPTOR };", de, val, disp);
            continue;
        }
        uint64_t bound = 0;
        if (d->fixed_size)
            snprintf(count, sizeof count, "%" PRIu64,
                     d->kind == MG_DESC_OOL ? d->max_elems : t->number);
        else if (d->kind == MG_DESC_OOL) {
            mg_em_times(count, sizeof count, count_param(u, a).s, mg_em_unit_bytes(t));
            bound = d->max_elems / mg_em_unit_bytes(t);
        } else {
            snprintf(count, sizeof count, "%s", count_param(u, a).s);
            bound = d->max_elems;
        }
        if (bound && !a->samecount) {
            mg_cw_line(w, "if (%s > %" PRIu64 ")", count_param(u, a).s, bound);
            mg_cw_line(w, "\treturn MIG_ARRAY_TOO_LARGE;");
        }
        if (d->kind == MG_DESC_OOL)
            mg_cw_line(w, "%s = (mach_msg_ool_descriptor_t){ .address = (void *)%s, .size = %s, "
                          ".deallocate = %s, .copy = %s, .type = MACH_MSG_OOL_DESCRIPTOR };",
                       de, val, count, dealloc,
                       d->copy == MG_COPY_PHYSICAL ? "MACH_MSG_PHYSICAL_COPY" : "MACH_MSG_VIRTUAL_COPY");
        else
            mg_cw_line(w, "%s = (mach_msg_ool_ports_descriptor_t){ .address = (void *)%s, "
                          ".count = %s, .deallocate = %s, .copy = MACH_MSG_PHYSICAL_COPY, "
                          ".disposition = %s, .type = MACH_MSG_OOL_PORTS_DESCRIPTOR };",
                       de, val, count, dealloc, disp);
    }
}

static void pack_inline(const struct mg_user_msg *u)
{
    const struct mg_layout *l = packed_layout(u);
    struct mg_cw *w = u->w;
    char fe[256];
    uint32_t maxvar = 0;
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        const struct mg_param *a = f->arg;
        seg_field(fe, sizeof fe, seg_base(u), f);
        switch (f->kind) {
        case MG_FIELD_NDR: mg_cw_line(w, "%s->NDR = NDR_record;", ptr0(u)); break;
        case MG_FIELD_RETCODE:
            if (u->pack_reply)
                mg_cw_line(w, "%s->RetCode = KERN_SUCCESS;", ptr0(u));
            break;
        case MG_FIELD_STRING_OFFSET: mg_cw_line(w, "%s = 0;", fe); break;
        case MG_FIELD_COUNT:
            if (a->role == MG_ROLE_COUNT_INOUT) {
                uint64_t max = mg_em_max_units(a->parent->type);
                const char *c = a->parent->count ? a->parent->count->name : "0";
                const char *r = deref(u, true);
                mg_cw_line(w, "%s = %s%s < %" PRIu64 " ? %s%s : %" PRIu64 ";", fe, r, c, max, r, c,
                           max);
            } else {
                mg_cw_line(w, "%s = %s%s;", fe, deref(u, a->by_ref_user), a->name);
            }
            break;
        case MG_FIELD_VAR_COUNT:
            if (!a->type->string) {
                mg_cw_line(w, "if (%s > %" PRIu64 ")", count_param(u, a).s, mg_em_max_units(a->type));
                mg_cw_line(w, "\treturn MIG_ARRAY_TOO_LARGE;");
                mg_cw_line(w, "%s = %s;", fe, count_param(u, a).s);
            }
            break;
        case MG_FIELD_DATA: {
            const struct mg_type *t = a->type;
            if (u->pack_reply && t->outtran) /* a deferred reply translates as the server does */
                mg_em_outtran_copy(w, a, "", fe, "");
            else if (t->string)
                mg_cw_line(w, "(void)mig_strncpy_zerofill(%s, %s, %" PRIu64 ");", fe, a->name,
                           t->number);
            else if (mg_em_field_decl(t, u->pack_reply ? MG_EM_SERVER : MG_EM_USER).dims == 0)
                mg_cw_line(w, "%s = %s%s;", fe, deref(u, a->by_ref_user), a->name);
            else
                mg_cw_line(w, "memcpy(%s, %s, %" PRIu64 ");", fe, a->name, mg_type_bytes(t));
            if (f->size > mg_type_bytes(t)) /* no stack bytes leave in the padding */
                mg_cw_line(w, "memset(%sPad, 0, sizeof(%sPad));", fe, fe);
            break;
        }
        case MG_FIELD_VAR_DATA: {
            const struct mg_type *t = a->type;
            char cf[256];
            seg_field(cf, sizeof cf, seg_base(u), f->count_field);
            mg_cw_brace(w);
            if (t->string) {
                mg_cw_line(w, "%s = (mach_msg_type_number_t)mig_strncpy(%s, %s, %" PRIu64 ");", cf,
                           fe, a->name, t->number);
                mg_cw_line(w, "const mach_msg_size_t ByteCount = %s;", cf);
            } else {
                char b[300];
                mg_em_times(b, sizeof b, count_param(u, a).s, mg_em_unit_bytes(t));
                mg_cw_line(w, "const mach_msg_size_t ByteCount = %s;", b);
                mg_cw_line(w, "memcpy(%s, %s, ByteCount);", fe, a->name);
            }
            mg_cw_line(w, "memset((char *)%s + ByteCount, 0, ((ByteCount + 3u) & ~3u) - ByteCount);", fe);
            mg_cw_line(w, "msgh_size_delta += (ByteCount + 3u) & ~3u;");
            mg_cw_end(w);
            maxvar += f->size;
            if (mg_em_segment_used(l, f->segment + 1))
                mg_cw_line(w, "%s%" PRIu32 "P = (%s *)((char *)%s + msgh_size_delta - %" PRIu32 ");",
                           seg_base(u), f->segment + 1, u->pack_reply ? "Reply" : "Request", ptr0(u),
                           maxvar);
            break;
        }
        case MG_FIELD_NATIVE: /* ValueOf by value, PointerTo through its pointer */
            if (a->type->native_badvalue) { /* PointerToIfNot: absent when badvalue */
                mg_cw_line(w, "memset(&%s, 0, sizeof(%s));", fe, fe);
                mg_cw_line(w, "if ((%s->__Present__%s = (%s != %s)))", ptr0(u), f->name, a->name,
                           a->type->native_badvalue);
                mg_cw_line(w, "\t%s.__Real__%s = *%s;", fe, f->name, a->name);
            } else {
                /* a deferred reply takes the value itself, a request its pointer */
                mg_cw_line(w, "%s = %s%s;", fe, a->type->native_pointer && !u->pack_reply ? "*" : "",
                           a->name);
            }
            break;
        }
    }
}

void mg_user_msg_consume_on_send_error(const struct mg_user_msg *u, const char *result)
{
    struct mg_cw *w = u->w;
    switch (u->rt->consume_on_send_error) {
    case MG_CONSUME_NONE: break;
    case MG_CONSUME_TIMEOUT:
        mg_cw_line(w, "if (%s == MACH_SEND_TIMED_OUT)", result);
        mg_cw_line(w, "\t%s(&InP->Head);", destroy_fn(u));
        break;
    case MG_CONSUME_ANY:
        mg_cw_line(w, "if (%s == MACH_SEND_TIMED_OUT || %s == MACH_SEND_INVALID_DEST)", result,
                   result);
        mg_cw_line(w, "\t%s(&InP->Head);", destroy_fn(u));
        break;
    }
}

bool mg_user_msg_has_var(const struct mg_layout *l)
{
    for (uint32_t i = 0; i < l->nfields; i++)
        if (l->fields[i].kind == MG_FIELD_VAR_DATA)
            return true;
    return false;
}

void mg_user_msg_check_reply(const struct mg_user_msg *u)
{
    const struct mg_routine *rt = u->rt;
    const struct mg_layout *l = &rt->reply;
    struct mg_cw *w = u->w;
    mg_cw_open(w, "if (Out0P->Head.msgh_id != %" PRId32 ")", rt->reply_id);
    mg_cw_line(w, "const mach_msg_id_t id = Out0P->Head.msgh_id;");
    mg_cw_line(w, "%s(&Out0P->Head);", destroy_fn(u));
    mg_cw_line(w, "return id == MACH_NOTIFY_SEND_ONCE ? MIG_SERVER_DIED : MIG_REPLY_MISMATCH;");
    mg_cw_end(w);
    mg_cw_line(w, "msgh_size = Out0P->Head.msgh_size;");
    char range[256];
    char fixed[160];
    mg_em_fixed_size(fixed, sizeof fixed, l, MG_EM_USER, "Out0P");
    if (l->min_size == l->max_size)
        snprintf(range, sizeof range, "msgh_size != %s", fixed);
    else
        snprintf(range, sizeof range, "(msgh_size < %" PRIu32 " || msgh_size > %" PRIu32 ")",
                 l->min_size, l->max_size);
    if (l->complex) {
        /* an error reply is never complex: it is the 36-byte mig_reply_error_t */
        mg_cw_open(w, "if (!(Out0P->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX))");
        mg_cw_line(w, "const kern_return_t code = ((mig_reply_error_t *)Out0P)->RetCode;");
        mg_cw_line(w, "if (msgh_size == (mach_msg_size_t)sizeof(mig_reply_error_t) && code != KERN_SUCCESS)");
        mg_cw_line(w, "\treturn code;");
        mg_cw_line(w, "MACHGEN_REPLY_FAILED(MIG_TYPE_ERROR);");
        mg_cw_end(w);
        reply_fail(u, "MIG_TYPE_ERROR", "Out0P->msgh_body.msgh_descriptor_count != %" PRIu32 " ||\n\t    %s",
                   l->ndescriptors, range);
    } else {
        reply_fail(u, "MIG_TYPE_ERROR",
                   "(Out0P->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||\n\t    (%s &&\n\t     "
                   "(msgh_size != (mach_msg_size_t)sizeof(mig_reply_error_t) || "
                   "Out0P->RetCode == KERN_SUCCESS))",
                   range);
        mg_cw_line(w, "if (Out0P->RetCode != KERN_SUCCESS)");
        mg_cw_line(w, "\treturn Out0P->RetCode;");
    }
    reply_fail(u, "MIG_TYPE_ERROR", "Out0P->Head.msgh_remote_port != MACH_PORT_NULL");
    if (mg_user_msg_has_var(l) && mg_user_msg_has_var(&rt->request))
        mg_cw_line(w, "msgh_size_delta = 0;");

    /* variable arrays: counts within bounds, size exactly what they imply */
    uint32_t maxvar = 0;
    bool any_var = false;
    char cnt[256];
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        if (f->kind != MG_FIELD_VAR_DATA)
            continue;
        const struct mg_type *t = f->arg->type;
        seg_field(cnt, sizeof cnt, "Out", f->count_field);
        reply_fail(u, "MIG_TYPE_ERROR", "%s > %" PRIu64 " ||\n\t    msgh_size < %" PRIu32 "u + msgh_size_delta",
                   cnt, mg_em_max_units(t), l->min_size);
        char bytes[300];
        mg_em_times(bytes, sizeof bytes, cnt, mg_em_unit_bytes(t));
        mg_cw_line(w, "msgh_size_delta += (%s + 3u) & ~3u;", bytes);
        maxvar += f->size;
        any_var = true;
        if (mg_em_segment_used(l, f->segment + 1))
            mg_cw_line(w, "Out%" PRIu32 "P = (Reply *)((char *)Out0P + msgh_size_delta - %" PRIu32 ");",
                       f->segment + 1, maxvar);
    }
    if (any_var)
        reply_fail(u, "MIG_TYPE_ERROR", "msgh_size != %" PRIu32 "u + msgh_size_delta", l->min_size);

    char de[256];
    for (uint32_t i = 0; i < l->ndescriptors; i++) {
        const struct mg_descriptor *d = &l->descriptors[i];
        const struct mg_type *t = d->arg->type;
        if (t->kpd_count > 1 && t->wire == MG_WIRE_PORT) {
            if (d->index != 0)
                continue;
            const struct mg_msg_field *cf = t->var_array ? mg_em_count_field(l, d->arg) : NULL;
            if (cf) {
                seg_field(cnt, sizeof cnt, "Out", cf);
                reply_fail(u, "MIG_TYPE_ERROR", "%s > %" PRIu32, cnt, t->kpd_count);
            }
            mg_cw_line(w, "for (mach_msg_type_number_t Index = 0; Index < %" PRIu32 "; Index++)",
                       t->kpd_count);
            w->indent++;
            reply_fail(u, "MIG_TYPE_ERROR",
                       "Out0P->%s[Index].type != MACH_MSG_PORT_DESCRIPTOR ||\n\t    "
                       "(Out0P->%s[Index].name != MACH_PORT_NULL && Out0P->%s[Index].disposition != %s)",
                       d->arg->name, d->arg->name, d->arg->name, mg_em_received(d->received));
            w->indent--;
            continue;
        }
        mg_em_desc_expr(de, sizeof de, "Out0P", d);
        if (d->kind == MG_DESC_OOL)
            reply_fail(u, "MIG_TYPE_ERROR", "%s.type != MACH_MSG_OOL_DESCRIPTOR", de);
        else if (d->received >= 0)
            reply_fail(u, "MIG_TYPE_ERROR", "%s.type != %s ||\n\t    %s.disposition != %s", de,
                       mg_em_desc_type_macro(d->kind), de, mg_em_received(d->received));
        else
            reply_fail(u, "MIG_TYPE_ERROR", "%s.type != %s", de, mg_em_desc_type_macro(d->kind));
        if (d->kind == MG_DESC_PORT)
            continue;
        const char *sz = d->kind == MG_DESC_OOL ? "size" : "count";
        if (d->fixed_size) {
            reply_fail(u, "MIG_TYPE_ERROR", "%s.%s != %" PRIu64, de, sz,
                       d->kind == MG_DESC_OOL ? d->max_elems : t->number);
            continue;
        }
        const struct mg_msg_field *cf = mg_em_count_field(l, d->arg);
        if (!cf)
            continue;
        seg_field(cnt, sizeof cnt, "Out", cf);
        uint32_t unit = d->kind == MG_DESC_OOL ? mg_em_unit_bytes(t) : 1;
        uint64_t bound = d->kind == MG_DESC_OOL ? d->max_elems / unit : d->max_elems;
        if (bound)
            reply_fail(u, "MIG_TYPE_ERROR", "%s > %" PRIu64, cnt, bound);
        char expect[300];
        mg_em_times(expect, sizeof expect, cnt, unit);
        reply_fail(u, "MIG_TYPE_ERROR", "%s.%s != %s", de, sz, expect);
    }
    bool trailer = false;
    for (uint32_t i = 0; i < rt->nargs; i++)
        trailer |= rt->args[i].user_trailer;
    if (trailer) {
        mg_cw_line(w, "TrailerP = (const %s *)((char *)Out0P + round_msg(msgh_size));",
                   mg_em_trailer_ctype(l->trailer_elems));
        reply_fail(u, "MIG_TRAILER_ERROR",
                   "TrailerP->msgh_trailer_type != MACH_MSG_TRAILER_FORMAT_0 ||\n\t    "
                   "TrailerP->msgh_trailer_size < sizeof(%s)",
                   mg_em_trailer_ctype(l->trailer_elems));
    }
}

void mg_user_msg_unpack_reply(const struct mg_user_msg *u)
{
    const struct mg_routine *rt = u->rt;
    const struct mg_layout *l = &rt->reply;
    struct mg_cw *w = u->w;
    char de[256], vt[256], fe[256];
    for (uint32_t i = 0; i < l->ndescriptors; i++) {
        const struct mg_descriptor *d = &l->descriptors[i];
        const struct mg_param *a = d->arg;
        mg_em_desc_expr(de, sizeof de, "Out0P", d);
        mg_em_value_type(vt, sizeof vt, a, MG_EM_USER);
        if (d->kind == MG_DESC_PORT) {
            if (a->type->kpd_count > 1) {
                if (d->index != 0)
                    continue;
                const struct mg_msg_field *cf =
                    a->type->var_array ? mg_em_count_field(l, a) : NULL;
                char n[300];
                if (cf)
                    seg_field(n, sizeof n, "Out", cf);
                else
                    snprintf(n, sizeof n, "%" PRIu32, a->type->kpd_count);
                mg_cw_line(w, "for (mach_msg_type_number_t Index = 0; Index < %s; Index++)", n);
                mg_cw_line(w, "\t%s[Index] = Out0P->%s[Index].name;", a->name, a->name);
            } else
                mg_cw_line(w, "*%s = %s.name;", a->name, de);
        } else if (a->type->kpd_count > 1) {
            /* an array of regions: each element from its own descriptor */
            mg_cw_line(w, "%s[%" PRIu32 "] = (%s)(%s.address);", a->name, d->index,
                       mg_em_port_elem_ctype(a->type, MG_EM_USER), de);
        } else {
            mg_cw_line(w, "*%s = (%s)(%s.address);", a->name, vt, de);
            if (d->kind == MG_DESC_OOL_PORTS && a->count && a->count->user_visible)
                mg_cw_line(w, "*%s = %s.count;", a->count->name, de);
        }
        if (a->poly && a->poly->user_visible && a->poly->by_ref_user)
            mg_cw_line(w, "*%s = %s.disposition;", a->poly->name, de);
    }
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        const struct mg_param *a = f->arg;
        seg_field(fe, sizeof fe, "Out", f);
        switch (f->kind) {
        case MG_FIELD_NATIVE: /* out natives are PointerTo: into the caller's value */
            mg_cw_line(w, "*%s = %s;", a->name, fe);
            break;
        case MG_FIELD_COUNT:
            if (a->role == MG_ROLE_COUNT && a->user_visible &&
                (a->parent->type->wire == MG_WIRE_OOL || a->parent->type->wire == MG_WIRE_PORT))
                mg_cw_line(w, "*%s = %s;", a->name, fe);
            break;
        case MG_FIELD_DATA: {
            const struct mg_type *t = a->type;
            if (t->string)
                mg_cw_line(w, "(void)mig_strncpy(%s, %s, %" PRIu64 ");", a->name, fe, t->number);
            else if (mg_em_field_decl(t, MG_EM_USER).dims == 0)
                mg_cw_line(w, "*%s = %s;", a->name, fe);
            else
                mg_cw_line(w, "memcpy(%s, %s, %" PRIu64 ");", a->name, fe, mg_type_bytes(t));
            break;
        }
        case MG_FIELD_VAR_DATA: {
            const struct mg_type *t = a->type;
            char cf[256];
            seg_field(cf, sizeof cf, "Out", f->count_field);
            if (t->string) {
                mg_cw_line(w, "if (%s == 0)", cf);
                mg_cw_line(w, "\t%s[0] = '\\0';", a->name);
                mg_cw_line(w, "else");
                mg_cw_line(w, "\t(void)mig_strncpy(%s, %s, (int)%s);", a->name, fe, cf);
            } else if (a->countinout && a->count) {
                mg_cw_open(w, "if (%s > *%s)", cf, a->count->name);
                mg_cw_line(w, "memcpy(%s, %s, *%s * %" PRIu32 "u);", a->name, fe, a->count->name,
                           mg_em_unit_bytes(t));
                mg_cw_line(w, "Result = MIG_ARRAY_TOO_LARGE;");
                mg_cw_close(w, " else {");
                w->indent++;
                mg_cw_line(w, "memcpy(%s, %s, %s * %" PRIu32 "u);", a->name, fe, cf,
                           mg_em_unit_bytes(t));
                mg_cw_end(w);
                mg_cw_line(w, "*%s = %s;", a->count->name, cf);
            } else {
                mg_cw_line(w, "memcpy(%s, %s, %s * %" PRIu32 "u);", a->name, fe, cf,
                           mg_em_unit_bytes(t));
                if (a->count && a->count->user_visible)
                    mg_cw_line(w, "*%s = %s;", a->count->name, cf);
            }
            break;
        }
        default: break;
        }
    }
    static const struct { enum mg_arg_role role; const char *field; } tr[] = {
        {MG_ROLE_MSGSEQNO, "msgh_seqno"}, {MG_ROLE_SECTOKEN, "msgh_sender"},
        {MG_ROLE_AUDITTOKEN, "msgh_audit"}, {MG_ROLE_CONTEXTTOKEN, "msgh_context"},
    };
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!a->user_trailer)
            continue;
        if (a->role == MG_ROLE_IMPLICIT) /* UserImpl: the trailer field it names */
            mg_cw_line(w, "*%s = TrailerP->%s;", a->name, a->name);
        for (size_t k = 0; k < sizeof tr / sizeof tr[0]; k++)
            if (tr[k].role == a->role)
                mg_cw_line(w, "*%s = TrailerP->%s;", a->name, tr[k].field);
    }
}

bool mg_user_msg_has_countinout(const struct mg_routine *rt)
{
    for (uint32_t i = 0; i < rt->nargs; i++)
        if (rt->args[i].countinout)
            return true;
    return false;
}

bool mg_user_msg_has_trailer(const struct mg_routine *rt)
{
    for (uint32_t i = 0; i < rt->nargs; i++)
        if (rt->args[i].user_trailer)
            return true;
    return false;
}

void mg_user_msg_pack_request(const struct mg_user_msg *m)
{
    pack_descriptors(m);
    pack_inline(m);
}

void mg_user_msg_pack_reply(const struct mg_user_msg *m)
{
    struct mg_user_msg r = *m;
    r.pack_reply = true;
    r.inputs_by_value = true;
    pack_descriptors(&r);
    pack_inline(&r);
}

void mg_user_msg_request_header(const struct mg_user_msg *m, const char *reply_name,
                                const char *local_disposition)
{
    const struct mg_routine *rt = m->rt;
    const struct mg_layout *rq = &rt->request;
    struct mg_cw *w = m->w;
    const struct mg_param *rqp = rt->request_port;
    char remote[256];
    if (rqp->type->in_name == MG_MSGT_POLYMORPHIC && rqp->poly)
        snprintf(remote, sizeof remote, "%s", rqp->poly->name);
    else
        snprintf(remote, sizeof remote, "%s", mg_em_disposition(rqp->type->in_name));
    mg_cw_line(w, "InP->Head.msgh_bits = MACH_MSGH_BITS(%s, %s)%s;", remote, local_disposition,
               rq->complex ? " | MACH_MSGH_BITS_COMPLEX" : "");
    if (mg_user_msg_has_var(rq))
        mg_cw_line(w, "InP->Head.msgh_size = %" PRIu32 "u + msgh_size_delta;", rq->min_size);
    else if (rq->has_native) {
        char fixed[160];
        mg_em_fixed_size(fixed, sizeof fixed, rq, MG_EM_USER, "InP");
        mg_cw_line(w, "InP->Head.msgh_size = (mach_msg_size_t)%s;", fixed);
    } else
        mg_cw_line(w, "InP->Head.msgh_size = (mach_msg_size_t)sizeof(Request);");
    mg_cw_line(w, "InP->Head.msgh_remote_port = %s;", rqp->name);
    mg_cw_line(w, "InP->Head.msgh_local_port = %s;", reply_name);
    mg_cw_line(w, "InP->Head.msgh_voucher_port = MACH_PORT_NULL;");
    mg_cw_line(w, "InP->Head.msgh_id = %" PRId32 ";", rt->request_id);
}

void mg_user_msg_check_macros(struct mg_cw *w, const struct mg_interface *itf)
{
    if (itf->kernel_user) {
        mg_cw_line(w, "/* KernelUser: built inside a kernel (__MigKernelSpecificCode nonzero), the stubs");
        mg_cw_line(w, " * send with mach_msg_send_from_kernel / mach_msg_rpc_from_kernel and destroy with");
        mg_cw_line(w, " * mach_msg_destroy_from_kernel, which that code provides; anywhere else they are");
        mg_cw_line(w, " * ordinary clients. */");
        mg_cw_line(w, "#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode");
        mg_cw_line(w, "#define MACHGEN_MSG_DESTROY mach_msg_destroy_from_kernel");
        mg_cw_line(w, "#else");
        mg_cw_line(w, "#define MACHGEN_MSG_DESTROY mach_msg_destroy");
        mg_cw_line(w, "#endif");
        mg_cw_blank(w);
    }
    const char *destroy = mg_user_msg_destroy_fn(itf);
    mg_cw_line(w, "/* A reply failed a check: it is destroyed (with the rights and memory it");
    mg_cw_line(w, " * carried) and the stub returns the MIG error. Define");
    mg_cw_line(w, " * MACHGEN_TRACE_CHECKS(func, line, code) to learn which check (a line of this file). */");
    mg_cw_line(w, "#ifdef MACHGEN_TRACE_CHECKS");
    mg_cw_line(w, "#define MACHGEN_REPLY_FAILED(code) \\");
    mg_cw_line(w, "\tdo { MACHGEN_TRACE_CHECKS(__func__, __LINE__, (code)); %s(&Out0P->Head); return (code); } while (0)", destroy);
    mg_cw_line(w, "#else");
    mg_cw_line(w, "#define MACHGEN_REPLY_FAILED(code) \\");
    mg_cw_line(w, "\tdo { %s(&Out0P->Head); return (code); } while (0)", destroy);
    mg_cw_line(w, "#endif");
    mg_cw_blank(w);
}
