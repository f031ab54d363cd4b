/* Shared pieces of the emitters: C spellings, message structs with their static
 * layout checks, prototypes and ownership comments. */
#include "emit_common.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

bool mg_em_is_routine(const struct mg_routine *rt)
{
    return rt->kind != MG_RT_SKIP;
}

uint32_t mg_em_nslots(const struct mg_interface *itf)
{
    return itf->nroutines;
}

const char *mg_em_own_ctype(const struct mg_type *t, enum mg_em_side side)
{
    return side == MG_EM_USER ? t->user_ctype : t->server_ctype;
}

const char *mg_em_port_elem_ctype(const struct mg_type *t, enum mg_em_side side)
{
    for (const struct mg_type *e = t->element; e; e = e->element) {
        const char *c = side == MG_EM_USER ? e->user_ctype : e->trans_ctype;
        if (c)
            return c;
    }
    return "mach_port_t";
}

struct mg_em_cdecl mg_em_field_decl(const struct mg_type *t, enum mg_em_side side)
{
    struct mg_em_cdecl d = {"char", mg_type_bytes(t)};
    if (t->string) {
        d.dims = t->number;
        return d;
    }
    const char *own = mg_em_own_ctype(t, side);
    if (own && !t->var_array && t->is_struct) {
        d.ctype = own;
        d.dims = 0;
        return d;
    }
    /* arrays are declared with the nearest element type that has a C name */
    uint64_t total = mg_type_bytes(t);
    for (const struct mg_type *e = t->element; e; e = e->element) {
        const char *c = mg_em_own_ctype(e, side);
        uint64_t eb = mg_type_bytes(e);
        if (c && e->string)
            return d;
        if (c && e->is_struct && !e->var_array && eb && total % eb == 0) {
            d.ctype = c;
            d.dims = total / eb;
            return d;
        }
    }
    return d;
}

uint32_t mg_em_unit_bytes(const struct mg_type *t)
{
    uint32_t b = t->elem_bits / 8 ? t->elem_bits / 8 : 1;
    return b * (t->count_multiplier ? t->count_multiplier : 1);
}

uint64_t mg_em_max_units(const struct mg_type *t)
{
    return t->number / (t->count_multiplier ? t->count_multiplier : 1);
}

void mg_em_outtran_copy(struct mg_cw *w, const struct mg_param *a, const char *dst_base,
                        const char *field, const char *src_prefix)
{
    const struct mg_type *t = a->type;
    if (t->string)
        mg_cw_line(w, "(void)mig_strncpy_zerofill(%s%s, %s(%s%s), %" PRIu64 ");", dst_base, field,
                   t->outtran, src_prefix, a->name, t->number);
    else if (mg_em_field_decl(t, MG_EM_SERVER).dims != 0)
        mg_cw_line(w, "memcpy(%s%s, %s(%s%s), %" PRIu64 ");", dst_base, field, t->outtran, src_prefix,
                   a->name, mg_type_bytes(t));
    else
        mg_cw_line(w, "%s%s = %s(%s%s);", dst_base, field, t->outtran, src_prefix, a->name);
}

void mg_em_times(char *buf, size_t size, const char *expr, uint32_t n)
{
    if (n == 1)
        snprintf(buf, size, "%s", expr);
    else
        snprintf(buf, size, "%s * %" PRIu32 "u", expr, n);
}

uint32_t *mg_em_segment_bases(const struct mg_layout *l)
{
    uint32_t n = l->nsegments ? l->nsegments : 1;
    uint32_t *b = calloc(n, sizeof *b);
    if (!b)
        abort();
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        if (f->kind == MG_FIELD_VAR_DATA && f->segment + 1 < n)
            b[f->segment + 1] = b[f->segment] + f->offset + f->size;
    }
    return b;
}

bool mg_em_segment_used(const struct mg_layout *l, uint32_t k)
{
    for (uint32_t i = 0; i < l->nfields; i++)
        if (l->fields[i].segment == k)
            return true;
    return false;
}

const struct mg_msg_field *mg_em_find_field(const struct mg_layout *l, const struct mg_param *a,
                                            enum mg_field_kind kind)
{
    for (uint32_t i = 0; i < l->nfields; i++)
        if (l->fields[i].arg == a && l->fields[i].kind == kind)
            return &l->fields[i];
    return NULL;
}

const struct mg_descriptor *mg_em_find_desc(const struct mg_layout *l, const struct mg_param *a)
{
    for (uint32_t i = 0; i < l->ndescriptors; i++)
        if (l->descriptors[i].arg == a)
            return &l->descriptors[i];
    return NULL;
}

const struct mg_msg_field *mg_em_count_field(const struct mg_layout *l, const struct mg_param *a)
{
    const struct mg_param *owner = a->samecount ? a->samecount : a;
    if (owner->type->wire == MG_WIRE_INLINE)
        return mg_em_find_field(l, owner, MG_FIELD_VAR_COUNT);
    return owner->count ? mg_em_find_field(l, owner->count, MG_FIELD_COUNT) : NULL;
}

void mg_em_desc_expr(char *buf, size_t n, const char *base, const struct mg_descriptor *d)
{
    if (d->arg->type->kpd_count > 1)
        snprintf(buf, n, "%s->%s[%" PRIu32 "]", base, d->arg->name, d->index);
    else
        snprintf(buf, n, "%s->%s", base, d->arg->name);
}

const char *mg_em_desc_ctype(enum mg_desc_kind k)
{
    switch (k) {
    case MG_DESC_PORT: return "mach_msg_port_descriptor_t";
    case MG_DESC_OOL: return "mach_msg_ool_descriptor_t";
    case MG_DESC_OOL_PORTS: return "mach_msg_ool_ports_descriptor_t";
    }
    return "mach_msg_type_descriptor_t";
}

const char *mg_em_desc_type_macro(enum mg_desc_kind k)
{
    switch (k) {
    case MG_DESC_PORT: return "MACH_MSG_PORT_DESCRIPTOR";
    case MG_DESC_OOL: return "MACH_MSG_OOL_DESCRIPTOR";
    case MG_DESC_OOL_PORTS: return "MACH_MSG_OOL_PORTS_DESCRIPTOR";
    }
    return "0";
}

const char *mg_em_disposition(int msgt)
{
    /* The model's names for real dispositions; anything else is written as PORT_NONE. */
    if (msgt == MG_MSGT_PORT_NAME || (msgt >= MG_MSGT_MOVE_RECEIVE && msgt <= MG_MSGT_MAKE_SEND_ONCE))
        return mg_msgt_name(msgt);
    return "MACH_MSG_TYPE_PORT_NONE";
}

const char *mg_em_received(int msgt)
{
    switch (msgt) {
    case MG_MSGT_MOVE_RECEIVE: return "MACH_MSG_TYPE_PORT_RECEIVE";
    case MG_MSGT_MOVE_SEND:
    case MG_MSGT_COPY_SEND:
    case MG_MSGT_MAKE_SEND: return "MACH_MSG_TYPE_PORT_SEND";
    case MG_MSGT_MOVE_SEND_ONCE:
    case MG_MSGT_MAKE_SEND_ONCE: return "MACH_MSG_TYPE_PORT_SEND_ONCE";
    }
    return "MACH_MSG_TYPE_PORT_NONE";
}

const char *mg_em_trailer_ctype(uint32_t elem)
{
    switch (elem) {
    case MG_TRAILER_NULL: return "mach_msg_trailer_t";
    case MG_TRAILER_SEQNO: return "mach_msg_seqno_trailer_t";
    case MG_TRAILER_SENDER: return "mach_msg_security_trailer_t";
    case MG_TRAILER_AUDIT: return "mach_msg_audit_trailer_t";
    case MG_TRAILER_CTX: return "mach_msg_context_trailer_t";
    }
    return "mach_msg_max_trailer_t";
}

const char *mg_em_trailer_elem_macro(uint32_t elem)
{
    switch (elem) {
    case MG_TRAILER_NULL: return "MACH_RCV_TRAILER_NULL";
    case MG_TRAILER_SEQNO: return "MACH_RCV_TRAILER_SEQNO";
    case MG_TRAILER_SENDER: return "MACH_RCV_TRAILER_SENDER";
    case MG_TRAILER_AUDIT: return "MACH_RCV_TRAILER_AUDIT";
    case MG_TRAILER_CTX: return "MACH_RCV_TRAILER_CTX";
    case MG_TRAILER_AV: return "MACH_RCV_TRAILER_AV";
    }
    return "MACH_RCV_TRAILER_LABELS";
}

/* ---- prototypes ------------------------------------------------------------ */

static bool is_trailer_role(enum mg_arg_role r)
{
    return r == MG_ROLE_MSGSEQNO || r == MG_ROLE_SECTOKEN || r == MG_ROLE_AUDITTOKEN ||
           r == MG_ROLE_CONTEXTTOKEN || r == MG_ROLE_IMPLICIT;
}

void mg_em_fixed_size(char *buf, size_t n, const struct mg_layout *l, enum mg_em_side side,
                      const char *msg)
{
    if (!l->has_native) {
        snprintf(buf, n, "%" PRIu32, l->max_size);
        return;
    }
    /* a native value closes the message: its C size, rounded to 4 bytes; an optional
     * one (PointerToIfNot) follows its presence word and is there only when set */
    const struct mg_msg_field *f = &l->fields[l->nfields - 1];
    const struct mg_type *t = f->arg->type;
    const char *ct = side == MG_EM_USER ? t->user_ctype : t->server_ctype;
    if (t->native_badvalue)
        snprintf(buf, n, "(%" PRIu32 "u + 4u + (%s->__Present__%s ? ((sizeof(%s) + 3u) & ~(size_t)3u) : 0u))",
                 l->max_size, msg, f->name, ct);
    else
        snprintf(buf, n, "(%" PRIu32 "u + ((sizeof(%s) + 3u) & ~(size_t)3u))", l->max_size, ct);
}

void mg_em_param_type(char *buf, size_t n, const struct mg_param *a, enum mg_em_side side)
{
    const struct mg_type *t = a->type;
    bool by_ref = side == MG_EM_USER ? a->by_ref_user : a->by_ref_server;
    const char *ct = side == MG_EM_USER ? a->user_ctype : a->server_ctype;
    switch (a->role) {
    case MG_ROLE_IN:
    case MG_ROLE_OUT:
    case MG_ROLE_INOUT: {
        const char *own = side == MG_EM_USER ? t->user_ctype : t->trans_ctype;
        /* the caller's in strings need not be full-size buffers (callers pass literals) */
        if (side == MG_EM_USER && t->string && t->wire == MG_WIRE_INLINE && a->role == MG_ROLE_IN) {
            snprintf(buf, n, "const char *");
            return;
        }
        if (own && (t->declared || t->is_struct))
            snprintf(buf, n, "%s%s", own, by_ref ? " *" : "");
        else /* an anonymous array or struct: a pointer to its elements (an
              * out-of-line one is itself a pointer, passed by reference when out) */
            snprintf(buf, n, "%s *%s", ct, by_ref && t->wire != MG_WIRE_INLINE ? "*" : "");
        return;
    }
    default:
        if (is_trailer_role(a->role) && side == MG_EM_USER)
            by_ref = true; /* the client receives trailer data */
        snprintf(buf, n, "%s%s", ct, by_ref ? " *" : "");
        return;
    }
}

void mg_em_value_type(char *buf, size_t n, const struct mg_param *a, enum mg_em_side side)
{
    mg_em_param_type(buf, n, a, side);
    if (side == MG_EM_SERVER ? a->by_ref_server : a->by_ref_user) {
        size_t l = strlen(buf);
        if (l && buf[l - 1] == '*')
            buf[--l] = 0;
        while (l && buf[l - 1] == ' ')
            buf[--l] = 0;
    }
}

void mg_em_params(struct mg_cw *w, const struct mg_routine *rt, enum mg_em_side side)
{
    uint32_t last = UINT32_MAX;
    for (uint32_t i = 0; i < rt->nargs; i++)
        if (side == MG_EM_USER ? rt->args[i].user_visible : rt->args[i].server_visible)
            last = i;
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!(side == MG_EM_USER ? a->user_visible : a->server_visible))
            continue;
        char ty[512];
        mg_em_param_type(ty, sizeof ty, a, side);
        size_t l = strlen(ty);
        mg_cw_line(w, "%s%s%s%s", ty, l && ty[l - 1] == '*' ? "" : " ", a->name,
                   i == last ? "" : ",");
    }
    if (last == UINT32_MAX)
        mg_cw_line(w, "void");
}

/* ---- message structs ------------------------------------------------------- */

static const char *side_prefix(const struct mg_interface *itf, enum mg_em_side side)
{
    return side == MG_EM_USER ? itf->user_prefix : itf->server_prefix;
}

static void pad_to(struct mg_cw *w, uint32_t *pos, uint32_t want, const char *after)
{
    if (want > *pos) {
        mg_cw_line(w, "char %sPad[%" PRIu32 "];", after, want - *pos);
        *pos = want;
    }
}

/* Declares one message and asserts its layout. A simpleroutine's "reply" is the
 * 36-byte form its server stub fills in (never sent). */
static void message_struct(struct mg_cw *w, const struct mg_routine *rt, bool reply,
                           enum mg_em_side side)
{
    const struct mg_layout *l = reply ? &rt->reply : &rt->request;
    const char *kind = reply ? "Reply" : "Request";
    mg_cw_open(w, "typedef struct");
    mg_cw_line(w, "mach_msg_header_t Head;");
    if (!l->present) {
        mg_cw_line(w, "NDR_record_t NDR;");
        mg_cw_line(w, "kern_return_t RetCode;");
        mg_cw_close(w, " __%s__%s_t;", kind, rt->name);
        mg_cw_line(w, "MACHGEN_STATIC_ASSERT(sizeof(__%s__%s_t) == %d, \"__%s__%s_t size\");",
                   kind, rt->name, MG_REPLY_ERROR_SIZE, kind, rt->name);
        return;
    }
    uint32_t *bases = mg_em_segment_bases(l);
    uint32_t pos = MG_MSG_HEADER_SIZE;
    if (l->complex) {
        mg_cw_line(w, "/* start of the kernel processed data */");
        mg_cw_line(w, "mach_msg_body_t msgh_body;");
        pos += MG_MSG_BODY_SIZE;
        for (uint32_t i = 0; i < l->ndescriptors;) {
            const struct mg_descriptor *d = &l->descriptors[i];
            uint32_t n = 1;
            while (i + n < l->ndescriptors && l->descriptors[i + n].arg == d->arg)
                n++;
            if (d->arg->type->kpd_count > 1)
                mg_cw_line(w, "%s %s[%" PRIu32 "];", mg_em_desc_ctype(d->kind), d->arg->name, n);
            else
                mg_cw_line(w, "%s %s;", mg_em_desc_ctype(d->kind), d->arg->name);
            pos = d->offset + n * d->size;
            i += n;
        }
        mg_cw_line(w, "/* end of the kernel processed data */");
    }
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        uint32_t at = mg_em_field_pos(bases, f);
        const char *prev = i ? l->fields[i - 1].name : "body";
        pad_to(w, &pos, at, prev);
        switch (f->kind) {
        case MG_FIELD_NDR: mg_cw_line(w, "NDR_record_t NDR;"); pos += 8; break;
        case MG_FIELD_RETCODE: mg_cw_line(w, "kern_return_t RetCode;"); pos += 4; break;
        case MG_FIELD_COUNT:
        case MG_FIELD_VAR_COUNT:
        case MG_FIELD_STRING_OFFSET:
            mg_cw_line(w, "mach_msg_type_number_t %s;", f->name);
            pos += 4;
            break;
        case MG_FIELD_DATA:
        case MG_FIELD_VAR_DATA: {
            struct mg_em_cdecl d = mg_em_field_decl(f->arg->type, side);
            if (d.dims)
                mg_cw_line(w, "%s %s[%" PRIu64 "];", d.ctype, f->name, d.dims);
            else
                mg_cw_line(w, "%s %s;", d.ctype, f->name);
            pos += (uint32_t)mg_type_bytes(f->arg->type);
            break;
        }
        case MG_FIELD_NATIVE: { /* the last field (mg_emit_unsupported): sizeof decides */
            const struct mg_type *t = f->arg->type;
            const char *ct = side == MG_EM_USER ? t->user_ctype : t->server_ctype;
            if (t->native_badvalue) {
                mg_cw_line(w, "boolean_t __Present__%s;", f->name);
                mg_cw_open(w, "union");
                mg_cw_line(w, "%s __Real__%s;", ct, f->name);
                mg_cw_line(w, "char __Phony__%s[(sizeof(%s) + 3u) & ~(size_t)3u];", f->name, ct);
                mg_cw_close(w, " %s;", f->name);
            } else {
                mg_cw_line(w, "%s %s;", ct, f->name);
            }
            break;
        }
        }
    }
    if (l->nfields)
        pad_to(w, &pos, l->max_size, l->fields[l->nfields - 1].name);
    mg_cw_close(w, " __%s__%s_t;", kind, rt->name);

    /* the C compiler must agree with the layout machgen computed */
    const char *sn = rt->name;
    if (l->has_native) {
        const struct mg_msg_field *nf = &l->fields[l->nfields - 1];
        const char *pre = nf->arg->type->native_badvalue ? "__Present__" : "";
        mg_cw_line(w, "MACHGEN_STATIC_ASSERT(offsetof(__%s__%s_t, %s%s) == %" PRIu32
                      ", \"__%s__%s_t.%s offset\");",
                   kind, sn, pre, nf->name, l->max_size, kind, sn, nf->name);
    } else {
        mg_cw_line(w, "MACHGEN_STATIC_ASSERT(sizeof(__%s__%s_t) == %" PRIu32 ", \"__%s__%s_t size\");",
                   kind, sn, l->max_size, kind, sn);
    }
    for (uint32_t i = 0; i < l->ndescriptors; i++) {
        const struct mg_descriptor *d = &l->descriptors[i];
        if (i && l->descriptors[i - 1].arg == d->arg)
            continue;
        mg_cw_line(w, "MACHGEN_STATIC_ASSERT(offsetof(__%s__%s_t, %s) == %" PRIu32
                      ", \"__%s__%s_t.%s offset\");",
                   kind, sn, d->arg->name, d->offset, kind, sn, d->arg->name);
    }
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        if (f->kind == MG_FIELD_NATIVE)
            continue; /* asserted above */
        mg_cw_line(w, "MACHGEN_STATIC_ASSERT(offsetof(__%s__%s_t, %s) == %" PRIu32
                      ", \"__%s__%s_t.%s offset\");",
                   kind, sn, f->name, mg_em_field_pos(bases, f), kind, sn, f->name);
        if (f->kind == MG_FIELD_DATA || f->kind == MG_FIELD_VAR_DATA)
            mg_cw_line(w, "MACHGEN_STATIC_ASSERT(sizeof(((__%s__%s_t *)0)->%s) == %" PRIu64
                          ", \"C type of %s.%s does not match its size in the .defs\");",
                       kind, sn, f->name, mg_type_bytes(f->arg->type), sn, f->name);
    }
    free(bases);
}

void mg_em_message_types(struct mg_cw *w, const struct mg_interface *itf, enum mg_em_side side)
{
    for (int reply = 0; reply < 2; reply++) {
        const char *kind = reply ? "Reply" : "Request";
        mg_cw_line(w, "/* Every %s as sent at its largest; variable arrays are packed tight on the", kind);
        mg_cw_line(w, " * wire, so the fields after one move down by the bytes it does not use. */");
        mg_cw_line(w, "#ifndef __%s__%s_subsystem__defined", kind, itf->subsystem);
        mg_cw_line(w, "#define __%s__%s_subsystem__defined", kind, itf->subsystem);
        mg_cw_line(w, "#pragma pack(push, 4)");
        for (uint32_t i = 0; i < itf->nroutines; i++) {
            const struct mg_routine *rt = &itf->routines[i];
            if (!mg_em_is_routine(rt))
                continue;
            message_struct(w, rt, reply, side);
            mg_cw_blank(w);
        }
        mg_cw_line(w, "#pragma pack(pop)");
        mg_cw_line(w, "#endif /* !__%s__%s_subsystem__defined */", kind, itf->subsystem);
        mg_cw_blank(w);
    }
}

void mg_em_message_unions(struct mg_cw *w, const struct mg_interface *itf, enum mg_em_side side)
{
    const char *pfx = side_prefix(itf, side);
    for (int reply = 0; reply < 2; reply++) {
        const char *kind = reply ? "Reply" : "Request";
        mg_cw_line(w, "#ifndef __%sUnion__%s%s_subsystem__defined", kind, pfx, itf->subsystem);
        mg_cw_line(w, "#define __%sUnion__%s%s_subsystem__defined", kind, pfx, itf->subsystem);
        mg_cw_open(w, "union __%sUnion__%s%s_subsystem", kind, pfx, itf->subsystem);
        bool any = false;
        for (uint32_t i = 0; i < itf->nroutines; i++) {
            const struct mg_routine *rt = &itf->routines[i];
            if (!mg_em_is_routine(rt))
                continue;
            mg_cw_line(w, "__%s__%s_t %s_%s;", kind, rt->name, kind, rt->name);
            any = true;
        }
        if (!any)
            mg_cw_line(w, "mig_reply_error_t %s_none;", kind);
        mg_cw_close(w, ";");
        mg_cw_line(w, "#endif /* !__%sUnion__%s%s_subsystem__defined */", kind, pfx,
                   itf->subsystem);
    }
}

/* ---- comments -------------------------------------------------------------- */

void mg_em_doc_comment(struct mg_cw *w, const char *doc)
{
    if (!doc || !doc[0])
        return;
    mg_cw_line(w, "/*");
    const char *p = doc;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        /* never let the text close the comment early */
        char line[1024];
        size_t o = 0;
        for (size_t i = 0; i < n && o + 2 < sizeof line; i++) {
            line[o++] = p[i];
            if (p[i] == '*' && i + 1 < n && p[i + 1] == '/')
                line[o++] = ' ';
        }
        while (o && (line[o - 1] == ' ' || line[o - 1] == '\t' || line[o - 1] == '\r'))
            o--;
        line[o] = 0;
        mg_cw_line(w, o ? " * %s" : " *", line);
        p = e ? e + 1 : p + n;
    }
    mg_cw_line(w, " */");
}

static const char *right_word(int out_name)
{
    switch (out_name) {
    case MG_MSGT_MOVE_RECEIVE: return "receive right";
    case MG_MSGT_MOVE_SEND: return "send right";
    case MG_MSGT_MOVE_SEND_ONCE: return "send-once right";
    }
    return "right";
}

/* One line per argument whose resources change hands. */
void mg_em_ownership_comment(struct mg_cw *w, const struct mg_routine *rt, enum mg_em_side side)
{
    bool any = false;
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!(a->in_request || a->in_reply) || a->ownership == MG_OWN_COPY ||
            a->ownership == MG_OWN_NAME_ONLY)
            continue;
        if (!(side == MG_EM_USER ? a->user_visible : a->server_visible))
            continue;
        if (!any)
            mg_cw_line(w, "/* Ownership:");
        any = true;
        bool sent_by_me = side == MG_EM_USER ? a->in_request : a->in_reply;
        bool ports = a->type->wire == MG_WIRE_PORT || a->type->wire == MG_WIRE_OOL_PORTS;
        const char *what = ports ? right_word(a->type->out_name) : "memory region";
        if (sent_by_me && !(a->in_request && a->in_reply)) {
            const char *how = "";
            switch (a->ownership) {
            case MG_OWN_RIGHT_MOVED: how = "your right moves with the message"; break;
            case MG_OWN_RIGHT_NEW: how = "you keep your right; the receiver gets a new one"; break;
            case MG_OWN_RIGHT_POLY: how = "moved or copied as its Poly disposition says"; break;
            case MG_OWN_MEMORY_MOVED: how = "the region is unmapped from you when sent (dealloc)"; break;
            case MG_OWN_MEMORY_COPIED: how = "you keep the region; the receiver gets a copy"; break;
            case MG_OWN_MEMORY_MAYBE: how = "unmapped when sent if its Dealloc argument is TRUE"; break;
            default: break;
            }
            mg_cw_line(w, " *   %s: %s.", a->name, how);
        } else if (side == MG_EM_USER) {
            mg_cw_line(w, " *   %s: on success you own the %s%s received%s.", a->name,
                       a->type->wire == MG_WIRE_OOL_PORTS ? "array and every " : "", what,
                       a->type->wire == MG_WIRE_PORT ? "" : " (vm_deallocate it)");
        } else {
            mg_cw_line(w, " *   %s: yours on KERN_SUCCESS (keep or release the %s); on any "
                          "other return the serve loop destroys it.", a->name, what);
        }
    }
    if (any)
        mg_cw_line(w, " */");
}

void mg_em_contract_comment(struct mg_cw *w, enum mg_em_side side)
{
    if (side == MG_EM_USER) {
        mg_cw_line(w, "/*");
        mg_cw_line(w, " * Ownership contract of these client stubs (see docs/ownership.md):");
        mg_cw_line(w, " * - KERN_SUCCESS: you own every port right and out-of-line region the reply");
        mg_cw_line(w, " *   carried (release rights with mach_port_deallocate / mach_port_mod_refs,");
        mg_cw_line(w, " *   regions with vm_deallocate; OOL port arrays: each right, then the array).");
        mg_cw_line(w, " * - MIG_ARRAY_TOO_LARGE (CountInOut arrays): the array was truncated to your");
        mg_cw_line(w, " *   buffer and its count is the server's; every other out argument is valid");
        mg_cw_line(w, " *   and owned as on success.");
        mg_cw_line(w, " * - Any other error: out arguments are untouched; a reply that failed its");
        mg_cw_line(w, " *   checks has been destroyed (its rights and memory released).");
        mg_cw_line(w, " * - Rights and regions you send with a move/dealloc disposition are gone once");
        mg_cw_line(w, " *   the message is sent, whatever the server answers.");
        mg_cw_line(w, " */");
    } else {
        mg_cw_line(w, "/*");
        mg_cw_line(w, " * Ownership contract of server routines (see docs/ownership.md):");
        mg_cw_line(w, " * - KERN_SUCCESS: the routine owns every port right and out-of-line region");
        mg_cw_line(w, " *   the request carried (keep or release each), and its out values are sent.");
        mg_cw_line(w, " * - MIG_NO_REPLY: as for success, and no reply is sent; the routine keeps");
        mg_cw_line(w, " *   the reply right (sreplyport) and answers later.");
        mg_cw_line(w, " * - Any other code: the routine must not have released anything it received:");
        mg_cw_line(w, " *   the serve loop destroys the request's rights and memory and sends the");
        mg_cw_line(w, " *   code in a 36-byte error reply.");
        mg_cw_line(w, " */");
    }
}

/* ---- includes -------------------------------------------------------------- */

void mg_em_imports(struct mg_cw *w, const struct mg_interface *itf, enum mg_em_output out,
                   bool have_sheader)
{
    for (uint32_t i = 0; i < itf->nimports; i++) {
        const struct mg_import *im = &itf->imports[i];
        bool want = false;
        switch (im->kind) {
        case MG_IMPORT:
            want = out == MG_EM_USER_HEADER || out == MG_EM_SERVER_HEADER ||
                   (out == MG_EM_SERVER_SOURCE && !have_sheader);
            break;
        case MG_UIMPORT: want = out == MG_EM_USER_HEADER; break;
        case MG_SIMPORT:
            want = out == MG_EM_SERVER_HEADER || (out == MG_EM_SERVER_SOURCE && !have_sheader);
            break;
        case MG_DIMPORT: want = out == MG_EM_USER_HEADER || out == MG_EM_SERVER_HEADER; break;
        case MG_IIMPORT: want = out == MG_EM_SERVER_SOURCE && !have_sheader; break;
        }
        if (want)
            mg_cw_line(w, "#include %s", im->file);
    }
}

void mg_em_banner(struct mg_cw *w, const struct mg_interface *itf, const char *what)
{
    mg_cw_line(w, "/*");
    mg_cw_line(w, " * %s for the %s subsystem (message ids %" PRId32 "..%" PRId32 ").",
               what, itf->subsystem, itf->base,
               itf->base + (int32_t)(itf->nroutines ? itf->nroutines - 1 : 0));
    mg_cw_line(w, " * Generated by machgen; do not edit.");
    mg_cw_line(w, " */");
    if (itf->rcsid) {
        mg_cw_line(w, "#ifndef UseExternRCSId");
        mg_cw_line(w, "static const char %s_rcsid[] __attribute__((unused)) = \"%s\";",
                   itf->subsystem, itf->rcsid);
        mg_cw_line(w, "#endif");
    }
}

void mg_em_std_includes(struct mg_cw *w)
{
    static const char *const hdrs[] = {
        "stddef.h", "string.h", "mach/ndr.h", "mach/boolean.h", "mach/kern_return.h",
        "mach/notify.h", "mach/mach_types.h", "mach/message.h", "mach/mig_errors.h",
        "mach/port.h", "mach/mig.h",
    };
    for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++)
        mg_cw_line(w, "#include <%s>", hdrs[i]);
}

void mg_em_static_assert_macro(struct mg_cw *w)
{
    mg_cw_line(w, "#ifndef MACHGEN_STATIC_ASSERT");
    mg_cw_line(w, "#ifdef __cplusplus");
    mg_cw_line(w, "#define MACHGEN_STATIC_ASSERT(e, m) static_assert(e, m)");
    mg_cw_line(w, "#else");
    mg_cw_line(w, "#define MACHGEN_STATIC_ASSERT(e, m) _Static_assert(e, m)");
    mg_cw_line(w, "#endif");
    mg_cw_line(w, "#endif");
}
