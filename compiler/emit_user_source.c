/* The user source: one client stub per routine. Packs the request (variable arrays
 * tight), sends it and waits for the reply on the thread's reply port, checks the
 * reply exactly as MIG does and unpacks it into the caller's arguments. */
#include "emit.h"
#include "emit_common.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct usr {
    struct mg_cw *w;
    const struct mg_interface *itf;
    const struct mg_routine *rt;
};

/* How a message this client holds is destroyed: a KernelUser client inside a kernel
 * uses the kernel's own function (see mg_emit_user_source). */
static const char *destroy_fn(const struct usr *u)
{
    return u->itf->kernel_user ? "MACHGEN_MSG_DESTROY" : "mach_msg_destroy";
}

/* A field through the pointer of its segment (segment 0: InP / Out0P). */
static void seg_field(char *buf, size_t n, const char *base, const struct mg_msg_field *f)
{
    if (f->segment == 0 && strcmp(base, "In") == 0)
        snprintf(buf, n, "InP->%s", f->name);
    else
        snprintf(buf, n, "%s%" PRIu32 "P->%s", base, f->segment, f->name);
}

static const struct mg_msg_field *count_field_of(const struct mg_layout *l, const struct mg_param *a)
{
    const struct mg_param *owner = a->samecount ? a->samecount : a;
    if (owner->type->wire == MG_WIRE_INLINE)
        return mg_em_find_field(l, owner, MG_FIELD_VAR_COUNT);
    return owner->count ? mg_em_find_field(l, owner->count, MG_FIELD_COUNT) : NULL;
}

/* The caller's count of an array (its own or the samecount one's), read through
 * the pointer when the count is an in/out parameter. */
struct count_text {
    char s[160];
};

static struct count_text count_param(const struct mg_param *a)
{
    const struct mg_param *owner = a->samecount ? a->samecount : a;
    struct count_text c;
    if (!owner->count)
        snprintf(c.s, sizeof c.s, "0");
    else
        snprintf(c.s, sizeof c.s, "%s%s", owner->count->by_ref_user ? "*" : "",
                 owner->count->name);
    return c;
}

static void desc_expr(char *buf, size_t n, const char *base, const struct mg_descriptor *d)
{
    if (d->arg->type->kpd_count > 1)
        snprintf(buf, n, "%s->%s[%" PRIu32 "]", base, d->arg->name, d->index);
    else
        snprintf(buf, n, "%s->%s", base, d->arg->name);
}

static void value_type(char *buf, size_t n, const struct mg_param *a)
{
    mg_em_param_type(buf, n, a, MG_EM_USER);
    if (a->by_ref_user) {
        size_t l = strlen(buf);
        if (l && buf[l - 1] == '*')
            buf[--l] = 0;
        while (l && buf[l - 1] == ' ')
            buf[--l] = 0;
    }
}

static void reply_fail(struct usr *u, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reply_fail(struct usr *u, const char *code, const char *fmt, ...)
{
    char cond[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cond, sizeof cond, fmt, ap);
    va_end(ap);
    mg_cw_line(u->w, "if (%s)", cond);
    mg_cw_line(u->w, "\tMACHGEN_REPLY_FAILED(%s);", code);
}

static void pack_descriptors(struct usr *u)
{
    const struct mg_layout *l = &u->rt->request;
    struct mg_cw *w = u->w;
    if (!l->complex)
        return;
    mg_cw_line(w, "InP->msgh_body.msgh_descriptor_count = %" PRIu32 ";", l->ndescriptors);
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
                mg_cw_line(w, "if (%s > %" PRIu32 ")", count_param(a).s, t->kpd_count);
                mg_cw_line(w, "\treturn MIG_ARRAY_TOO_LARGE;");
            }
            mg_cw_line(w, "for (mach_msg_type_number_t Index = 0; Index < %" PRIu32 "; Index++)",
                       t->kpd_count);
            if (t->var_array)
                snprintf(val, sizeof val, "Index < %s ? %s[Index] : MACH_PORT_NULL", count_param(a).s,
                         a->name);
            else
                snprintf(val, sizeof val, "%s[Index]", a->name);
            mg_cw_line(w, "\tInP->%s[Index] = (mach_msg_port_descriptor_t){ .name = %s, "
                          ".disposition = %s, .type = MACH_MSG_PORT_DESCRIPTOR };",
                       a->name, val, mg_em_disposition(d->disposition));
            continue;
        }
        desc_expr(de, sizeof de, "InP", d);
        if (t->kpd_count > 1)
            snprintf(val, sizeof val, "%s[%" PRIu32 "]", a->name, d->index);
        else
            snprintf(val, sizeof val, "%s%s", a->by_ref_user ? "*" : "", a->name);
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
            mg_em_times(count, sizeof count, count_param(a).s, mg_em_unit_bytes(t));
            bound = d->max_elems / mg_em_unit_bytes(t);
        } else {
            snprintf(count, sizeof count, "%s", count_param(a).s);
            bound = d->max_elems;
        }
        if (bound && !a->samecount) {
            mg_cw_line(w, "if (%s > %" PRIu64 ")", count_param(a).s, bound);
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

static void pack_inline(struct usr *u)
{
    const struct mg_layout *l = &u->rt->request;
    struct mg_cw *w = u->w;
    char fe[256];
    uint32_t maxvar = 0;
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        const struct mg_param *a = f->arg;
        seg_field(fe, sizeof fe, "In", f);
        switch (f->kind) {
        case MG_FIELD_NDR: mg_cw_line(w, "InP->NDR = NDR_record;"); break;
        case MG_FIELD_RETCODE: break;
        case MG_FIELD_STRING_OFFSET: mg_cw_line(w, "%s = 0;", fe); break;
        case MG_FIELD_COUNT:
            if (a->role == MG_ROLE_COUNT_INOUT) {
                uint64_t max = mg_em_max_units(a->parent->type);
                const char *c = a->parent->count ? a->parent->count->name : "0";
                mg_cw_line(w, "%s = *%s < %" PRIu64 " ? *%s : %" PRIu64 ";", fe, c, max, c, max);
            } else {
                mg_cw_line(w, "%s = %s%s;", fe, a->by_ref_user ? "*" : "", a->name);
            }
            break;
        case MG_FIELD_VAR_COUNT:
            if (!a->type->string) {
                mg_cw_line(w, "if (%s > %" PRIu64 ")", count_param(a).s, mg_em_max_units(a->type));
                mg_cw_line(w, "\treturn MIG_ARRAY_TOO_LARGE;");
                mg_cw_line(w, "%s = %s;", fe, count_param(a).s);
            }
            break;
        case MG_FIELD_DATA: {
            const struct mg_type *t = a->type;
            if (t->string)
                mg_cw_line(w, "(void)mig_strncpy_zerofill(%s, %s, %" PRIu64 ");", fe, a->name,
                           t->number);
            else if (mg_em_field_decl(t, MG_EM_USER).dims == 0)
                mg_cw_line(w, "%s = %s%s;", fe, a->by_ref_user ? "*" : "", a->name);
            else
                mg_cw_line(w, "memcpy(%s, %s, %" PRIu64 ");", fe, a->name, mg_type_bytes(t));
            if (f->size > mg_type_bytes(t)) /* no stack bytes leave in the padding */
                mg_cw_line(w, "memset(%sPad, 0, sizeof(%sPad));", fe, fe);
            break;
        }
        case MG_FIELD_VAR_DATA: {
            const struct mg_type *t = a->type;
            char cf[256];
            seg_field(cf, sizeof cf, "In", f->count_field);
            mg_cw_brace(w);
            if (t->string) {
                mg_cw_line(w, "%s = (mach_msg_type_number_t)mig_strncpy(%s, %s, %" PRIu64 ");", cf,
                           fe, a->name, t->number);
                mg_cw_line(w, "const mach_msg_size_t ByteCount = %s;", cf);
            } else {
                char b[300];
                mg_em_times(b, sizeof b, count_param(a).s, mg_em_unit_bytes(t));
                mg_cw_line(w, "const mach_msg_size_t ByteCount = %s;", b);
                mg_cw_line(w, "memcpy(%s, %s, ByteCount);", fe, a->name);
            }
            mg_cw_line(w, "memset((char *)%s + ByteCount, 0, ((ByteCount + 3u) & ~3u) - ByteCount);", fe);
            mg_cw_line(w, "msgh_size_delta += (ByteCount + 3u) & ~3u;");
            mg_cw_end(w);
            maxvar += f->size;
            if (mg_em_segment_used(l, f->segment + 1))
                mg_cw_line(w, "In%" PRIu32 "P = (Request *)((char *)InP + msgh_size_delta - %" PRIu32 ");",
                           f->segment + 1, maxvar);
            break;
        }
        case MG_FIELD_NATIVE: /* ValueOf by value, PointerTo through its pointer */
            if (a->type->native_badvalue) { /* PointerToIfNot: absent when badvalue */
                mg_cw_line(w, "memset(&%s, 0, sizeof(%s));", fe, fe);
                mg_cw_line(w, "if ((InP->__Present__%s = (%s != %s)))", f->name, a->name,
                           a->type->native_badvalue);
                mg_cw_line(w, "\t%s.__Real__%s = *%s;", fe, f->name, a->name);
            } else {
                mg_cw_line(w, "%s = %s%s;", fe, a->type->native_pointer ? "*" : "", a->name);
            }
            break;
        }
    }
}

static void options_expr(char *buf, size_t n, const struct mg_routine *rt, bool rpc)
{
    size_t o = (size_t)snprintf(buf, n, rpc ? "MACH_SEND_MSG | MACH_RCV_MSG" : "MACH_SEND_MSG");
    if (rt->msgoption && o < n)
        o += (size_t)snprintf(buf + o, n - o, " | %s", rt->msgoption);
    if (rt->msgoption_arg && o < n)
        o += (size_t)snprintf(buf + o, n - o, " | %s", rt->msgoption_arg->name);
    bool wait = rt->timeout_arg ? rt->timeout_arg->role == MG_ROLE_WAITTIME
                                : rt->timeout_kind == MG_TIMEOUT_WAIT;
    bool any_timeout = rt->timeout_arg || rt->timeout_kind != MG_TIMEOUT_NONE;
    if (any_timeout && o < n)
        o += (size_t)snprintf(buf + o, n - o, rpc && wait ? " | MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT"
                                                          : " | MACH_SEND_TIMEOUT");
    if (rpc && rt->use_special_reply_port && !rt->reply_port && o < n)
        o += (size_t)snprintf(buf + o, n - o,
                              " | MACH_SEND_SYNC_OVERRIDE | MACH_SEND_SYNC_USE_THRPRI | "
                              "MACH_RCV_SYNC_WAIT");
    if (rpc && rt->reply.trailer_elems && o < n)
        snprintf(buf + o, n - o,
                 " | MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) | "
                 "MACH_RCV_TRAILER_ELEMENTS(%s)",
                 mg_em_trailer_elem_macro(rt->reply.trailer_elems));
}

static const char *timeout_expr(const struct mg_routine *rt)
{
    if (rt->timeout_arg)
        return rt->timeout_arg->name;
    if (rt->timeout_kind != MG_TIMEOUT_NONE && rt->timeout)
        return rt->timeout;
    return "MACH_MSG_TIMEOUT_NONE";
}

/* What to do with the unsent request when the send fails (ConsumeOnSendError). */
static void consume_on_send_error(struct usr *u)
{
    struct mg_cw *w = u->w;
    switch (u->rt->consume_on_send_error) {
    case MG_CONSUME_NONE: break;
    case MG_CONSUME_TIMEOUT:
        mg_cw_line(w, "if (msg_result == MACH_SEND_TIMED_OUT)");
        mg_cw_line(w, "\t%s(&InP->Head);", destroy_fn(u));
        break;
    case MG_CONSUME_ANY:
        mg_cw_line(w, "if (msg_result == MACH_SEND_TIMED_OUT || msg_result == MACH_SEND_INVALID_DEST)");
        mg_cw_line(w, "\t%s(&InP->Head);", destroy_fn(u));
        break;
    }
}

static bool has_var(const struct mg_layout *l)
{
    for (uint32_t i = 0; i < l->nfields; i++)
        if (l->fields[i].kind == MG_FIELD_VAR_DATA)
            return true;
    return false;
}

static void check_reply(struct usr *u)
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
    if (has_var(l) && has_var(&rt->request))
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
            const struct mg_msg_field *cf = t->var_array ? count_field_of(l, d->arg) : NULL;
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
        desc_expr(de, sizeof de, "Out0P", d);
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
        const struct mg_msg_field *cf = count_field_of(l, d->arg);
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

static void unpack_reply(struct usr *u)
{
    const struct mg_routine *rt = u->rt;
    const struct mg_layout *l = &rt->reply;
    struct mg_cw *w = u->w;
    char de[256], vt[256], fe[256];
    for (uint32_t i = 0; i < l->ndescriptors; i++) {
        const struct mg_descriptor *d = &l->descriptors[i];
        const struct mg_param *a = d->arg;
        desc_expr(de, sizeof de, "Out0P", d);
        value_type(vt, sizeof vt, a);
        if (d->kind == MG_DESC_PORT) {
            if (a->type->kpd_count > 1) {
                if (d->index != 0)
                    continue;
                const struct mg_msg_field *cf =
                    a->type->var_array ? count_field_of(l, a) : NULL;
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

static bool has_countinout(const struct mg_routine *rt)
{
    for (uint32_t i = 0; i < rt->nargs; i++)
        if (rt->args[i].countinout)
            return true;
    return false;
}

static void user_stub(struct usr *u)
{
    const struct mg_routine *rt = u->rt;
    struct mg_cw *w = u->w;
    bool rpc = rt->kind == MG_RT_ROUTINE;
    const struct mg_layout *rq = &rt->request, *rp = &rt->reply;
    bool mig_reply = rpc && !(rt->reply_port && rt->reply_port->user_visible);

    mg_cw_line(w, "/* %s %s */", rpc ? "Routine" : "SimpleRoutine", rt->name);
    mg_cw_line(w, "kern_return_t %s", rt->user_name);
    mg_cw_line(w, "(");
    w->indent++;
    mg_em_params(w, rt, MG_EM_USER);
    w->indent--;
    mg_cw_line(w, ")");
    mg_cw_brace(w);
    mg_cw_line(w, "typedef __Request__%s_t Request;", rt->name);
    if (rpc) {
        mg_cw_line(w, "typedef __Reply__%s_t Reply;", rt->name);
        mg_cw_line(w, "/* request and reply share the buffer; the kernel appends a trailer */");
        mg_cw_open(w, "union");
        mg_cw_line(w, "Request In;");
        mg_cw_line(w, "Reply Out;");
        mg_cw_line(w, "char Buf[sizeof(Reply) + sizeof(%s)];", mg_em_trailer_ctype(rp->trailer_elems));
        mg_cw_close(w, " Mess;");
    } else {
        mg_cw_line(w, "union { Request In; } Mess;");
    }
    mg_cw_line(w, "Request *InP = &Mess.In;");
    for (uint32_t k = 1; k < rq->nsegments; k++)
        if (mg_em_segment_used(rq, k))
            mg_cw_line(w, "Request *In%" PRIu32 "P;", k);
    if (rpc) {
        mg_cw_line(w, "Reply *Out0P = &Mess.Out;");
        for (uint32_t k = 1; k < rp->nsegments; k++)
            if (mg_em_segment_used(rp, k))
                mg_cw_line(w, "Reply *Out%" PRIu32 "P;", k);
        mg_cw_line(w, "mach_msg_size_t msgh_size;");
    }
    if (has_var(rq) || (rpc && has_var(rp)))
        mg_cw_line(w, "mach_msg_size_t msgh_size_delta = 0;");
    bool trailer = false;
    for (uint32_t i = 0; i < rt->nargs; i++)
        trailer |= rt->args[i].user_trailer;
    if (rpc && trailer)
        mg_cw_line(w, "const %s *TrailerP;", mg_em_trailer_ctype(rp->trailer_elems));
    if (rpc && has_countinout(rt))
        mg_cw_line(w, "kern_return_t Result = KERN_SUCCESS;");
    mg_cw_line(w, "mach_msg_return_t msg_result;");
    if (mig_reply)
        mg_cw_line(w, "mach_port_t ReplyPort;");
    mg_cw_blank(w);

    pack_descriptors(u);
    pack_inline(u);

    /* header */
    const struct mg_param *rqp = rt->request_port;
    char remote[256], local[256];
    if (rqp->type->in_name == MG_MSGT_POLYMORPHIC && rqp->poly)
        snprintf(remote, sizeof remote, "%s", rqp->poly->name);
    else
        snprintf(remote, sizeof remote, "%s", mg_em_disposition(rqp->type->in_name));
    const struct mg_param *rpp = rt->reply_port;
    const char *reply_name = "MACH_PORT_NULL";
    if (rpp && rpp->user_visible) {
        reply_name = rpp->name;
        if (rpp->type->in_name == MG_MSGT_POLYMORPHIC && rpp->poly)
            snprintf(local, sizeof local, "%s", rpp->poly->name);
        else
            snprintf(local, sizeof local, "%s", mg_em_disposition(rpp->type->in_name));
    } else if (rpc) {
        reply_name = "ReplyPort";
        snprintf(local, sizeof local, "MACH_MSG_TYPE_MAKE_SEND_ONCE");
        mg_cw_line(w, "ReplyPort = %s();",
                   rt->use_special_reply_port ? "mig_get_special_reply_port" : "mig_get_reply_port");
    } else {
        snprintf(local, sizeof local, "0");
    }
    mg_cw_line(w, "InP->Head.msgh_bits = MACH_MSGH_BITS(%s, %s)%s;", remote, local,
               rq->complex ? " | MACH_MSGH_BITS_COMPLEX" : "");
    if (has_var(rq))
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
    mg_cw_blank(w);

    char opts[512];
    options_expr(opts, sizeof opts, rt, rpc);
    const bool kernel = u->itf->kernel_user;
    if (!rpc) {
        if (kernel) {
            mg_cw_raw(w, "#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode\n");
            mg_cw_line(w, "msg_result = mach_msg_send_from_kernel(&InP->Head, InP->Head.msgh_size);");
            mg_cw_raw(w, "#else\n");
        }
        mg_cw_line(w, "msg_result = mach_msg(&InP->Head, %s, InP->Head.msgh_size, 0, "
                      "MACH_PORT_NULL, %s, MACH_PORT_NULL);", opts, timeout_expr(rt));
        if (kernel)
            mg_cw_raw(w, "#endif\n");
        consume_on_send_error(u);
        mg_cw_line(w, "return msg_result;");
        mg_cw_end(w);
        mg_cw_blank(w);
        return;
    }
    if (kernel) {
        mg_cw_raw(w, "#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode\n");
        mg_cw_line(w, "msg_result = mach_msg_rpc_from_kernel(&InP->Head, InP->Head.msgh_size, "
                      "(mach_msg_size_t)sizeof(Reply));");
        mg_cw_raw(w, "#else\n");
    }
    mg_cw_line(w, "msg_result = mach_msg(&InP->Head, %s, InP->Head.msgh_size, "
                  "(mach_msg_size_t)sizeof(Mess), %s, %s, MACH_PORT_NULL);",
               opts, reply_name, timeout_expr(rt));
    if (kernel)
        mg_cw_raw(w, "#endif\n");
    mg_cw_open(w, "if (msg_result != MACH_MSG_SUCCESS)");
    if (mig_reply) {
        mg_cw_line(w, "/* a request that never left keeps the reply port; after anything else a");
        mg_cw_line(w, " * late reply could arrive, so the port is destroyed */");
        mg_cw_line(w, "if (msg_result == MACH_SEND_INVALID_DATA || msg_result == MACH_SEND_INVALID_DEST ||");
        mg_cw_line(w, "    msg_result == MACH_SEND_INVALID_HEADER)");
        mg_cw_line(w, "\tmig_put_reply_port(ReplyPort);");
        mg_cw_line(w, "else");
        mg_cw_line(w, "\t%s(ReplyPort);", rt->use_special_reply_port
                                               ? "mig_dealloc_special_reply_port"
                                               : "mig_dealloc_reply_port");
    }
    consume_on_send_error(u);
    mg_cw_line(w, "return msg_result;");
    mg_cw_end(w);
    mg_cw_blank(w);
    check_reply(u);
    mg_cw_blank(w);
    unpack_reply(u);
    mg_cw_line(w, "return %s;", has_countinout(rt) ? "Result" : "KERN_SUCCESS");
    mg_cw_end(w);
    mg_cw_blank(w);
}

/* The client source: every routine's stub, or only `only`'s (mig's -i: one file per
 * routine, each with the same prologue). */
static void user_source(FILE *fp, const struct mg_interface *itf, const char *header_name,
                        const struct mg_routine *only)
{
    struct mg_cw w = {fp, 0};
    mg_em_banner(&w, itf, "Client stubs");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#include \"%s\"", header_name ? header_name : "user.h");
    mg_cw_line(&w, "#include <mach/mach.h> /* mach_msg, mach_msg_destroy */");
    for (uint32_t i = 0; i < itf->nroutines; i++)
        if (itf->routines[i].use_special_reply_port) {
            mg_cw_line(&w, "#include <mach/mach_sync_ipc.h> /* mig_get_special_reply_port */");
            break;
        }
    mg_em_imports(&w, itf, MG_EM_USER_SOURCE, false);
    mg_cw_blank(&w);
    if (itf->kernel_user) {
        mg_cw_line(&w, "/* KernelUser: built inside a kernel (__MigKernelSpecificCode nonzero), the stubs");
        mg_cw_line(&w, " * send with mach_msg_send_from_kernel / mach_msg_rpc_from_kernel and destroy with");
        mg_cw_line(&w, " * mach_msg_destroy_from_kernel, which that code provides; anywhere else they are");
        mg_cw_line(&w, " * ordinary clients. */");
        mg_cw_line(&w, "#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode");
        mg_cw_line(&w, "#define MACHGEN_MSG_DESTROY mach_msg_destroy_from_kernel");
        mg_cw_line(&w, "#else");
        mg_cw_line(&w, "#define MACHGEN_MSG_DESTROY mach_msg_destroy");
        mg_cw_line(&w, "#endif");
        mg_cw_blank(&w);
    }
    const char *destroy = itf->kernel_user ? "MACHGEN_MSG_DESTROY" : "mach_msg_destroy";
    mg_cw_line(&w, "/* A reply failed a check: it is destroyed (with the rights and memory it");
    mg_cw_line(&w, " * carried) and the stub returns the MIG error. Define");
    mg_cw_line(&w, " * MACHGEN_TRACE_CHECKS(func, line, code) to learn which check (a line of this file). */");
    mg_cw_line(&w, "#ifdef MACHGEN_TRACE_CHECKS");
    mg_cw_line(&w, "#define MACHGEN_REPLY_FAILED(code) \\");
    mg_cw_line(&w, "\tdo { MACHGEN_TRACE_CHECKS(__func__, __LINE__, (code)); %s(&Out0P->Head); return (code); } while (0)", destroy);
    mg_cw_line(&w, "#else");
    mg_cw_line(&w, "#define MACHGEN_REPLY_FAILED(code) \\");
    mg_cw_line(&w, "\tdo { %s(&Out0P->Head); return (code); } while (0)", destroy);
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        struct usr u = {.w = &w, .itf = itf, .rt = &itf->routines[i]};
        if (mg_em_is_routine(u.rt) && (!only || only == u.rt))
            user_stub(&u);
    }
}

void mg_emit_user_source(FILE *fp, const struct mg_interface *itf, const char *header_name)
{
    user_source(fp, itf, header_name, NULL);
}

void mg_emit_user_source_routine(FILE *fp, const struct mg_interface *itf,
                                 const char *header_name, const struct mg_routine *rt)
{
    user_source(fp, itf, header_name, rt);
}
