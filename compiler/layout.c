/* Request and reply layouts, computed field by field for the target ABI.
 *
 * Rules (Apple MIG's wire format): a message is the 24-byte header; if it carries
 * any port or out-of-line argument it is complex and continues with the 4-byte
 * descriptor count and the descriptors in argument order (port 12 bytes, OOL and
 * OOL-ports 16 on LP64 / 12 on ILP32). Inline data follows, every item padded to
 * 4 bytes: the 8-byte NDR record only when there is data that is not a port (inline,
 * or out-of-line memory even without a count) or a RetCode, the
 * RetCode only in a non-complex reply of a routine, then the arguments. A bounded
 * variable array is a count word followed by the elements packed tight and rounded
 * to 4, so everything after it moves: each such array closes a segment and later
 * offsets are relative to its end. */
#include <string.h>

#include "layout.h"

enum { MG_SIZE_LIMIT = 0x7fffffff };

uint32_t mg_trailer_size(const struct mg_target *t, uint32_t elem)
{
    switch (elem) {
    case MG_TRAILER_NULL: return 8;
    case MG_TRAILER_SEQNO: return 12;
    case MG_TRAILER_SENDER: return 20;
    case MG_TRAILER_AUDIT: return 52;
    case MG_TRAILER_CTX: return 52 + t->context_size;
    default: return 52 + t->context_size + 8; /* mach_msg_mac_trailer_t */
    }
}

struct builder {
    struct mg_arena *arena;
    const struct mg_target *t;
    struct mg_layout *l;
    uint32_t capf, capd;
    uint32_t seg;
    uint64_t off;       /* offset within the current segment */
    uint64_t min, max;  /* running totals */
};

static struct mg_msg_field *add_field(struct builder *b, enum mg_field_kind kind, const char *name,
                                  const struct mg_param *arg, uint32_t size)
{
    struct mg_msg_field *f = &b->l->fields[b->l->nfields++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->name = name;
    f->arg = arg;
    f->segment = b->seg;
    f->offset = (uint32_t)b->off;
    f->size = size;
    b->off += size;
    b->min += size;
    b->max += size;
    return f;
}

static void end_segment(struct builder *b)
{
    b->seg++;
    b->off = 0;
}

static void add_descriptors(struct builder *b, const struct mg_param *a, bool reply,
                            bool kernel_server)
{
    const struct mg_type *t = a->type;
    /* a fixed array of ports is N port descriptors; its element says what each is */
    for (uint32_t i = 0; i < t->kpd_count; i++) {
        struct mg_descriptor *d = &b->l->descriptors[b->l->ndescriptors++];
        memset(d, 0, sizeof *d);
        d->arg = a;
        d->index = i;
        d->offset = (uint32_t)b->off;
        if (t->wire == MG_WIRE_PORT) {
            d->kind = MG_DESC_PORT;
            d->size = b->t->port_desc_size;
        } else {
            d->kind = t->wire == MG_WIRE_OOL ? MG_DESC_OOL : MG_DESC_OOL_PORTS;
            d->size = b->t->ool_desc_size;
        }
        int sent = reply && kernel_server ? t->out_name : t->in_name;
        if (d->kind != MG_DESC_OOL) {
            d->disposition = a->poly && sent == MG_MSGT_POLYMORPHIC ? -1 : sent;
            d->received = t->out_name;
        }
        d->dealloc = a->dealloc;
        d->copy = d->kind == MG_DESC_OOL && !a->physical_copy ? MG_COPY_VIRTUAL : MG_COPY_PHYSICAL;
        if (d->kind == MG_DESC_OOL) {
            const struct mg_type *e = t->kpd_count > 1 ? t->element : t;
            d->fixed_size = !e->var_array;
            d->max_elems = mg_type_bytes(e);
        } else if (d->kind == MG_DESC_OOL_PORTS) {
            d->fixed_size = !t->var_array;
            d->max_elems = t->number;
        }
        b->off += d->size;
        b->min += d->size;
        b->max += d->size;
    }
}

/* Counts are in units of the array's element type (a struct counts once). */
static uint64_t elem_bytes(const struct mg_type *t)
{
    return t->element && t->element->number ? mg_type_bytes(t->element) : (t->elem_bits + 7) / 8;
}

static uint64_t max_elems(const struct mg_type *t)
{
    uint64_t per = t->element && t->element->number ? t->element->number : 1;
    return t->number / per;
}

/* The count word of a samecount array lives with the array it shares. */
static const struct mg_msg_field *find_count_field(const struct mg_layout *l, const struct mg_param *a)
{
    for (uint32_t i = l->nfields; i-- > 0;)
        if (l->fields[i].arg == a &&
            (l->fields[i].kind == MG_FIELD_VAR_COUNT || l->fields[i].kind == MG_FIELD_COUNT))
            return &l->fields[i];
    return NULL;
}

static void add_inline(struct builder *b, const struct mg_param *a)
{
    const struct mg_type *t = a->type;
    struct mg_arena *ar = b->arena;
    if (a->role == MG_ROLE_COUNT) {
        const struct mg_param *p = a->parent;
        /* inline arrays embed their count; samecount arrays have none of their own */
        if (p->type->wire == MG_WIRE_INLINE || p->samecount)
            return;
        struct mg_msg_field *f = add_field(b, MG_FIELD_COUNT, a->name, a, 4);
        f->max_count = max_elems(p->type);
        return;
    }
    if (a->role == MG_ROLE_COUNT_INOUT) {
        struct mg_msg_field *f = add_field(b, MG_FIELD_COUNT, a->name, a, 4);
        f->max_count = max_elems(a->parent->type);
        return;
    }
    if (t->native) {
        add_field(b, MG_FIELD_NATIVE, a->name, a, 0);
        b->l->has_native = true;
        end_segment(b);
        return;
    }
    if (!t->var_array) {
        add_field(b, MG_FIELD_DATA, a->name, a, (uint32_t)mg_round4(mg_type_bytes(t)));
        return;
    }
    const struct mg_msg_field *count = NULL;
    if (t->string)
        add_field(b, MG_FIELD_STRING_OFFSET, mg_arena_printf(ar, "%sOffset", a->name), a, 4);
    if (a->samecount)
        count = find_count_field(b->l, a->samecount);
    else {
        struct mg_msg_field *c =
            add_field(b, MG_FIELD_VAR_COUNT, mg_arena_printf(ar, "%sCnt", a->name), a, 4);
        c->max_count = max_elems(t);
        count = c;
    }
    uint64_t max = mg_round4(mg_type_bytes(t));
    struct mg_msg_field *f = add_field(b, MG_FIELD_VAR_DATA, a->name, a, 0);
    f->size = (uint32_t)max;
    f->elem_size = (uint32_t)(elem_bytes(t) ? elem_bytes(t) : 1);
    f->max_count = max_elems(t);
    f->count_field = count;
    b->max += max;
    end_segment(b);
}

/* The trailer a ServerImpl/UserImpl argument needs: up to the field it names. */
static uint32_t implicit_trailer_elem(const char *field)
{
    static const struct {
        const char *name;
        uint32_t elem;
    } fields[] = {{"msgh_seqno", MG_TRAILER_SEQNO},    {"msgh_sender", MG_TRAILER_SENDER},
                  {"msgh_audit", MG_TRAILER_AUDIT},    {"msgh_context", MG_TRAILER_CTX},
                  {"msgh_ad", MG_TRAILER_AV}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(field, fields[i].name) == 0)
            return fields[i].elem;
    return MG_TRAILER_LABELS;
}

static bool build(struct mg_arena *arena, const struct mg_target *t, struct mg_routine *rt,
                  bool reply, bool kernel_server)
{
    struct mg_layout *l = reply ? &rt->reply : &rt->request;
    memset(l, 0, sizeof *l);
    l->present = !reply || rt->kind == MG_RT_ROUTINE;
    if (!l->present)
        return true;

    uint32_t nd = 0, nf = 2;
    bool ndr = false; /* MIG's NDR label: any data that is not a port, inline or not */
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!(reply ? a->in_reply : a->in_request))
            continue;
        if (a->type->wire != MG_WIRE_INLINE) {
            nd += a->type->kpd_count;
            ndr |= a->type->wire == MG_WIRE_OOL;
        } else {
            ndr = true;
            nf += 3;
        }
    }
    l->complex = nd > 0;
    bool retcode = reply && !l->complex;
    struct builder b = {.arena = arena, .t = t, .l = l};
    l->descriptors = nd ? mg_arena_alloc(arena, nd * sizeof *l->descriptors) : NULL;
    l->fields = mg_arena_alloc(arena, nf * sizeof *l->fields);

    b.off = MG_MSG_HEADER_SIZE;
    b.min = b.max = MG_MSG_HEADER_SIZE;
    if (l->complex) {
        b.off += MG_MSG_BODY_SIZE;
        b.min += MG_MSG_BODY_SIZE;
        b.max += MG_MSG_BODY_SIZE;
        for (uint32_t i = 0; i < rt->nargs; i++) {
            const struct mg_param *a = &rt->args[i];
            if ((reply ? a->in_reply : a->in_request) && a->type->wire != MG_WIRE_INLINE)
                add_descriptors(&b, a, reply, kernel_server);
        }
    }
    if (ndr || retcode)
        add_field(&b, MG_FIELD_NDR, "NDR", NULL, MG_NDR_SIZE);
    if (retcode)
        add_field(&b, MG_FIELD_RETCODE, "RetCode", NULL, MG_RETCODE_SIZE);
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        /* a retcode argument of a complex request is not sent (MIG keeps RetCode out
         * of complex messages) */
        if (!reply && a->retcode && l->complex)
            continue;
        if ((reply ? a->in_reply : a->in_request) && a->type->wire == MG_WIRE_INLINE)
            add_inline(&b, a);
    }
    l->nsegments = b.seg + 1; /* a last, empty segment still starts after its array */
    l->min_size = (uint32_t)(b.min > MG_SIZE_LIMIT ? MG_SIZE_LIMIT : b.min);
    l->max_size = (uint32_t)(b.max > MG_SIZE_LIMIT ? MG_SIZE_LIMIT : b.max);

    uint32_t elems = MG_TRAILER_NULL;
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!(reply ? a->user_trailer : a->server_trailer))
            continue;
        uint32_t e = a->role == MG_ROLE_MSGSEQNO      ? MG_TRAILER_SEQNO
                     : a->role == MG_ROLE_SECTOKEN    ? MG_TRAILER_SENDER
                     : a->role == MG_ROLE_AUDITTOKEN  ? MG_TRAILER_AUDIT
                     : a->role == MG_ROLE_CONTEXTTOKEN ? MG_TRAILER_CTX
                     : a->role == MG_ROLE_IMPLICIT     ? implicit_trailer_elem(a->name)
                                                       : MG_TRAILER_LABELS;
        if (e > elems)
            elems = e;
    }
    l->trailer_elems = elems;
    l->trailer_size = mg_trailer_size(t, elems);
    return b.max + l->trailer_size <= MG_SIZE_LIMIT;
}

bool mg_layout_routine(struct mg_arena *arena, const struct mg_target *t, struct mg_routine *rt,
                       bool kernel_server)
{
    bool ok = build(arena, t, rt, false, kernel_server);
    return build(arena, t, rt, true, kernel_server) && ok;
}
