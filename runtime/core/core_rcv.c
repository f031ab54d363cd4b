/* Receiving: picking a message from a port or port set, MACH_RCV_TOO_LARGE,
 * copyout of rights into the receiver's space and trailer construction. */
#include "core_internal.h"

#include <string.h>

static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static mgc_port *pick_port(mgc_space *s, mach_port_name_t name, mach_msg_return_t *mr)
{
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e || !(e->type & (MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_PORT_SET))) {
        *mr = MACH_RCV_INVALID_NAME;
        return NULL;
    }
    if (e->type & MACH_PORT_TYPE_PORT_SET) {
        mgc_port *p = mgc_pset_ready(e->obj, true);
        if (!p)
            *mr = MGC_RCV_WOULD_BLOCK;
        return p;
    }
    mgc_port *p = e->obj; /* a member of sets too: XNU receives from it directly */
    if (!p->qhead) {
        *mr = MGC_RCV_WOULD_BLOCK;
        return NULL;
    }
    return p;
}

mach_msg_return_t mgc_msg_peek(mgc_space *space, mach_port_name_t name,
                               mach_msg_size_t *size, int *complex)
{
    mach_msg_return_t mr = MACH_MSG_SUCCESS;
    mgc_entry *e = mgc_entry_lookup(space, name);
    mgc_port *p;
    if (e && (e->type & MACH_PORT_TYPE_PORT_SET))
        p = mgc_pset_ready(e->obj, false); /* the member a receive takes first */
    else
        p = pick_port(space, name, &mr);
    if (!p)
        return mr == MACH_MSG_SUCCESS ? MGC_RCV_WOULD_BLOCK : mr;
    *size = p->qhead->size;
    *complex = (p->qhead->bits & MACH_MSGH_BITS_COMPLEX) != 0;
    return MACH_MSG_SUCCESS;
}

static mgc_kmsg *dequeue(mgc_port *p, uint32_t *seqno)
{
    mgc_kmsg *k = p->qhead;
    bool was_full = p->msgcount >= p->qlimit;
    p->qhead = k->next;
    if (!p->qhead)
        p->qtail = NULL;
    k->next = NULL;
    k->queued = false;
    p->msgcount--;
    p->core->queued_bytes -= k->size;
    *seqno = p->seqno++;
    for (uint32_t i = 0; i < k->nports; i++) {
        if (k->types[i] == MACH_MSG_TYPE_PORT_RECEIVE && MGC_PORT_VALID(k->ports[i]))
            k->ports[i]->destination = NULL;
    }
    if (was_full) {
        mgc_port_spnotify(p);
        if (p->core->ops.send_possible)
            p->core->ops.send_possible(p->core->ops.ctx, p);
    }
    return k;
}

/* The destination right is consumed on delivery; the receiver sees the
 * name of its receive right (XNU copyout_dest). */
static mach_port_name_t copyout_dest(mgc_kmsg *k, mgc_port *p)
{
    mach_port_name_t name = p->receiver_name;
    if (MACH_MSGH_BITS_REMOTE(k->bits) == MACH_MSG_TYPE_PORT_SEND)
        mgc_release_send(p);
    else
        p->sorights--;
    k->dest = NULL;
    mgc_port_unref(p);
    return name;
}

static void fill_trailer(uint8_t *t, mach_msg_size_t tsize, const mgc_kmsg *k, uint32_t seqno,
                         mach_port_context_t ctx)
{
    mach_msg_max_trailer_t tr;
    memset(&tr, 0, sizeof tr);
    tr.msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
    tr.msgh_trailer_size = tsize;
    tr.msgh_seqno = seqno;
    if (k->kernel) {
        tr.msgh_sender.val[0] = 0;
        tr.msgh_sender.val[1] = 1;
    } else {
        const mgc_creds *c = &k->sender;
        tr.msgh_sender.val[0] = c->euid;
        tr.msgh_sender.val[1] = c->egid;
        tr.msgh_audit.val[0] = c->auid;
        tr.msgh_audit.val[1] = c->euid;
        tr.msgh_audit.val[2] = c->egid;
        tr.msgh_audit.val[3] = c->uid;
        tr.msgh_audit.val[4] = c->gid;
        tr.msgh_audit.val[5] = c->pid;
        tr.msgh_audit.val[6] = c->asid;
        tr.msgh_audit.val[7] = c->pidversion;
    }
    tr.msgh_context = ctx;
    memcpy(t, &tr, tsize);
}

static mach_msg_size_t count_ool_names(const mgc_kmsg *k)
{
    if (!(k->bits & MACH_MSGH_BITS_COMPLEX))
        return 0;
    uint32_t n = 0;
    const uint8_t *d = k->body + 4;
    for (uint32_t i = 0; i < k->ndesc; i++) {
        if (d[11] == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
            uint32_t c;
            memcpy(&c, d + 12, 4);
            n += c;
        }
        d += mgc_desc_size(d[11]);
    }
    return n;
}

/* Too large and no MACH_RCV_LARGE: keep only the destination, destroy the
 * rest, hand back a bare header (+ trailer as far as it fits). */
static void receive_error(mgc_space *s, mgc_port *p, mgc_kmsg *k, uint8_t *buf,
                          mach_msg_size_t buf_size, mach_msg_size_t tsize, uint32_t seqno,
                          mgc_rcv_info *info)
{
    (void)s;
    mach_msg_header_t h;
    mach_port_context_t ctx = p->context;
    mach_msg_type_name_t dt = MACH_MSGH_BITS_REMOTE(k->bits);
    mach_msg_type_name_t rt = MACH_MSGH_BITS_LOCAL(k->bits);
    h.msgh_local_port = copyout_dest(k, p);
    h.msgh_remote_port = MACH_PORT_NULL;
    h.msgh_bits = MACH_MSGH_BITS_SET(rt, dt, 0, k->bits & ~MACH_MSGH_BITS_PORTS_MASK);
    h.msgh_size = sizeof h;
    h.msgh_voucher_port = k->voucher_name_passthru;
    h.msgh_id = k->id;
    uint8_t tmp[sizeof h + MAX_TRAILER_SIZE];
    memcpy(tmp, &h, sizeof h);
    fill_trailer(tmp + sizeof h, tsize, k, seqno, ctx);
    mach_msg_size_t total = (mach_msg_size_t)sizeof h + tsize;
    memcpy(buf, tmp, total < buf_size ? total : buf_size);
    info->msg_size = sizeof h;
    info->trailer_size = tsize;
    mgc_kmsg_destroy(k);
}

/* Copy the body out, translating every right into the receiver's names.
 * A right that cannot be named (no room) arrives as MACH_PORT_DEAD. */
/* Guarded descriptor: without MACH_RCV_GUARDED_DESC the receiver did not
 * opt in and the right is destroyed (XNU). With it, an IMMOVABLE_RECEIVE
 * descriptor makes the port guarded and immovable in the receiver, its guard
 * being the receive buffer's address (XNU uses the user buffer address; here
 * it is the host's buffer, reported in the descriptor's context). */
static mach_port_name_t copyout_guarded(mgc_space *s, mgc_port *p, uint8_t *d, const void *buf,
                                        mach_msg_option_t options, bool pseudo,
                                        mach_msg_return_t *mr)
{
    mach_port_name_t name;
    if (!pseudo && !(options & MACH_RCV_GUARDED_DESC)) {
        mgc_release_right(p, MACH_MSG_TYPE_PORT_RECEIVE);
        memset(d, 0, 8);
        return MACH_PORT_NULL;
    }
    if (mgc_copyout_right(s, p, MACH_MSG_TYPE_PORT_RECEIVE, &name) != KERN_SUCCESS) {
        mgc_release_right(p, MACH_MSG_TYPE_PORT_RECEIVE);
        *mr = MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE;
        return MACH_PORT_DEAD;
    }
    if (MGC_PORT_VALID(p) && (d[8] & MACH_MSG_GUARD_FLAGS_IMMOVABLE_RECEIVE)) {
        p->guarded = true;
        p->strict_guard = false;
        p->immovable_receive = !pseudo; /* not in the sender's own space */
        p->context = (mach_port_context_t)(uintptr_t)buf;
        memcpy(d, &p->context, 8);
        d[8] &= (uint8_t)~MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND;
    }
    return name;
}

static mach_msg_return_t copyout_body(mgc_space *s, mgc_kmsg *k, uint8_t *out,
                                      mach_port_name_t *names, mach_msg_option_t options,
                                      bool pseudo)
{
    mach_msg_return_t mr = MACH_MSG_SUCCESS;
    uint8_t *d = out + 4;
    uint32_t slot = 0, ni = 0;
    for (uint32_t i = 0; i < k->ndesc; i++) {
        unsigned type = d[11];
        if (type == MACH_MSG_PORT_DESCRIPTOR || type == MACH_MSG_GUARDED_PORT_DESCRIPTOR ||
            type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
            uint32_t n = 1;
            if (type == MACH_MSG_OOL_PORTS_DESCRIPTOR)
                memcpy(&n, d + 12, 4);
            for (uint32_t j = 0; j < n; j++, slot++) {
                mach_port_name_t name;
                mgc_port *p = k->ports[slot];
                k->ports[slot] = NULL;
                if (type == MACH_MSG_GUARDED_PORT_DESCRIPTOR) {
                    wr32(d + 12, copyout_guarded(s, p, d, out - sizeof(mach_msg_header_t),
                                                 options, pseudo, &mr));
                    continue;
                }
                if (mgc_copyout_right(s, p, k->types[slot], &name) != KERN_SUCCESS) {
                    mgc_release_right(p, k->types[slot]);
                    name = MACH_PORT_DEAD;
                    mr = MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE;
                }
                if (type == MACH_MSG_PORT_DESCRIPTOR)
                    wr32(d, name);
                else
                    names[ni++] = name;
            }
        }
        d += mgc_desc_size(type);
    }
    k->nports = 0;
    return mr;
}

mach_msg_return_t mgc_msg_receive(mgc_space *space, mach_port_name_t name,
                                  mach_msg_option_t options, void *buf, mach_msg_size_t buf_size,
                                  mach_port_name_t *ool_names, size_t ool_names_cap,
                                  mgc_rcv_info *info)
{
    mgc_rcv_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    mach_msg_return_t mr = MACH_MSG_SUCCESS;
    mgc_port *p = pick_port(space, name, &mr);
    if (!p)
        return mr;
    /* Only format 0 exists; like XNU, the trailer-type bits are ignored and
     * the elements alone select the size. */
    mach_msg_size_t tsize = REQUESTED_TRAILER_SIZE(options);
    mgc_kmsg *k = p->qhead;
    info->port_name = p->receiver_name;

    if ((uint64_t)k->size + tsize > buf_size) {
        info->msg_size = k->size;
        if (options & MACH_RCV_LARGE) {
            if (buf_size >= 8)
                memcpy((uint8_t *)buf + 4, &k->size, 4);
            if ((options & MACH_RCV_LARGE_IDENTITY) && buf_size >= 16)
                memcpy((uint8_t *)buf + 12, &info->port_name, 4);
            return MACH_RCV_TOO_LARGE;
        }
        uint32_t seqno;
        k = dequeue(p, &seqno);
        receive_error(space, p, k, buf, buf_size, tsize, seqno, info);
        return MACH_RCV_TOO_LARGE;
    }
    uint32_t need = count_ool_names(k);
    info->ool_name_count = need;
    if (need > ool_names_cap)
        return MGC_RCV_NAMES_SHORT;

    uint32_t seqno;
    mach_port_context_t ctx = p->context;
    k = dequeue(p, &seqno);
    uint8_t *out = buf;
    mach_msg_type_name_t dt = MACH_MSGH_BITS_REMOTE(k->bits);
    mach_msg_type_name_t rt = MACH_MSGH_BITS_LOCAL(k->bits);

    mach_msg_header_t h;
    h.msgh_local_port = copyout_dest(k, p);
    mgc_port *reply = k->reply;
    k->reply = NULL;
    if (mgc_copyout_right(space, reply, rt, &h.msgh_remote_port) != KERN_SUCCESS) {
        /* No room for the reply right: like XNU, destroy everything but
         * the destination and hand back a bare header. */
        mgc_release_right(reply, rt);
        h.msgh_remote_port = MACH_PORT_NULL;
        h.msgh_bits = MACH_MSGH_BITS_SET(rt, dt, 0, k->bits & ~MACH_MSGH_BITS_PORTS_MASK);
        h.msgh_size = sizeof h;
        h.msgh_voucher_port = k->voucher_name_passthru;
        h.msgh_id = k->id;
        uint8_t tmp[sizeof h + MAX_TRAILER_SIZE];
        memcpy(tmp, &h, sizeof h);
        fill_trailer(tmp + sizeof h, tsize, k, seqno, ctx);
        memcpy(out, tmp, sizeof h + tsize);
        info->msg_size = sizeof h;
        info->trailer_size = tsize;
        info->ool_name_count = 0;
        mgc_kmsg_destroy(k);
        return MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE;
    }
    h.msgh_bits = MACH_MSGH_BITS_SET(rt, dt, 0, k->bits & MACH_MSGH_BITS_COMPLEX);
    h.msgh_size = k->size;
    h.msgh_voucher_port = k->voucher_name_passthru;
    h.msgh_id = k->id;
    memcpy(out, &h, sizeof h);
    memcpy(out + sizeof h, k->body, k->size - sizeof h);
    if (k->bits & MACH_MSGH_BITS_COMPLEX) {
        mach_msg_return_t bmr = copyout_body(space, k, out + sizeof h, ool_names, options, false);
        if (mr == MACH_MSG_SUCCESS)
            mr = bmr;
    }
    fill_trailer(out + k->size, tsize, k, seqno, ctx);
    info->msg_size = k->size;
    info->trailer_size = tsize;
    /* OOL tokens now belong to the receiver (the host maps them). */
    mgc_kmsg_free(k);
    return mr;
}

mach_msg_return_t mgc_kmsg_pseudo_receive(mgc_kmsg *k, mgc_space *space, void *buf,
                                          mach_msg_size_t buf_size, mach_port_name_t *ool_names,
                                          size_t ool_names_cap, mgc_rcv_info *info)
{
    mgc_rcv_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    info->ool_name_count = count_ool_names(k);
    if (buf_size < k->size)
        return MACH_RCV_TOO_LARGE;
    if (info->ool_name_count > ool_names_cap)
        return MGC_RCV_NAMES_SHORT;
    mach_msg_return_t mr = MACH_MSG_SUCCESS;
    mach_msg_type_name_t dt = MACH_MSGH_BITS_REMOTE(k->bits);
    mach_msg_type_name_t rt = MACH_MSGH_BITS_LOCAL(k->bits);
    mach_msg_header_t h;
    mgc_port *dest = k->dest, *reply = k->reply;
    k->dest = k->reply = NULL;
    if (mgc_copyout_right(space, dest, dt, &h.msgh_remote_port) != KERN_SUCCESS) {
        mgc_release_right(dest, dt);
        h.msgh_remote_port = MACH_PORT_DEAD;
        mr |= MACH_MSG_IPC_SPACE;
    }
    if (mgc_copyout_right(space, reply, rt, &h.msgh_local_port) != KERN_SUCCESS) {
        mgc_release_right(reply, rt);
        h.msgh_local_port = MACH_PORT_DEAD;
        mr |= MACH_MSG_IPC_SPACE;
    }
    h.msgh_bits = MACH_MSGH_BITS_SET(dt, rt, 0, k->bits & MACH_MSGH_BITS_COMPLEX);
    h.msgh_size = k->size;
    h.msgh_voucher_port = k->voucher_name_passthru;
    h.msgh_id = k->id;
    uint8_t *out = buf;
    memcpy(out, &h, sizeof h);
    memcpy(out + sizeof h, k->body, k->size - sizeof h);
    if (k->bits & MACH_MSGH_BITS_COMPLEX) {
        if (copyout_body(space, k, out + sizeof h, ool_names, 0, true) != MACH_MSG_SUCCESS)
            mr |= MACH_MSG_IPC_SPACE;
    }
    info->msg_size = k->size;
    mgc_kmsg_free(k);
    return mr;
}
