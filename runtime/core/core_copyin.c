/* Copyin: turning (name, disposition) pairs of a space into rights, and a
 * user message into a kmsg, with XNU's validation order and error codes. */
#include "core_internal.h"

#include <string.h>

mach_msg_type_name_t mgc_copyin_type(mach_msg_type_name_t disp)
{
    switch (disp) {
    case MACH_MSG_TYPE_MOVE_RECEIVE:
        return MACH_MSG_TYPE_PORT_RECEIVE;
    case MACH_MSG_TYPE_MOVE_SEND_ONCE:
    case MACH_MSG_TYPE_MAKE_SEND_ONCE:
        return MACH_MSG_TYPE_PORT_SEND_ONCE;
    case MACH_MSG_TYPE_MOVE_SEND:
    case MACH_MSG_TYPE_MAKE_SEND:
    case MACH_MSG_TYPE_COPY_SEND:
        return MACH_MSG_TYPE_PORT_SEND;
    default:
        return MACH_MSG_TYPE_PORT_NONE;
    }
}

/* The receive right leaves its space: waiters are sent away and the
 * per-receiver state (mscount, seqno, context, guard) is reset. */
void mgc_clear_receiver(mgc_port *p)
{
    mgc_pset_remove(p);
    p->receiver = NULL;
    p->receiver_name = MACH_PORT_NULL;
    p->destination = NULL;
    p->mscount = 0;
    p->seqno = 0;
    p->context = 0;
    p->guarded = false;
    p->strict_guard = false;
}

kern_return_t mgc_right_copyin_check(mgc_space *s, mach_port_name_t name,
                                     mach_msg_type_name_t disp, uint32_t moves, unsigned flags)
{
    bool deadok = (flags & MGC_CI_DEADOK) != 0;
    mgc_entry *e = mgc_entry_get(s, name);
    bool dead_so = (flags & MGC_CI_DEAD_SO) && disp == MACH_MSG_TYPE_MOVE_SEND_ONCE && e &&
                   (e->type & MACH_PORT_TYPE_SEND_ONCE) && !e->dnreq;
    if (!dead_so)
        e = mgc_entry_lookup(s, name); /* a right to a dead port turns into a dead name */
    if (!e)
        return KERN_INVALID_NAME;
    mach_port_type_t t = e->type;
    mgc_port *p = (t & MACH_PORT_TYPE_PORT_RIGHTS) ? e->obj : NULL;
    switch (disp) {
    case MACH_MSG_TYPE_MAKE_SEND:
        if (!(t & MACH_PORT_TYPE_RECEIVE))
            return KERN_INVALID_RIGHT;
        return p->reply_port ? KERN_INVALID_CAPABILITY : KERN_SUCCESS;
    case MACH_MSG_TYPE_MAKE_SEND_ONCE:
        if (!(t & MACH_PORT_TYPE_RECEIVE))
            return KERN_INVALID_RIGHT;
        return (p->reply_port && !(flags & MGC_CI_REPLY_SO)) ? KERN_INVALID_CAPABILITY
                                                             : KERN_SUCCESS;
    case MACH_MSG_TYPE_MOVE_RECEIVE:
        if (!(t & MACH_PORT_TYPE_RECEIVE))
            return KERN_INVALID_RIGHT;
        return (p->immovable_receive || p->reply_port) ? KERN_INVALID_CAPABILITY : KERN_SUCCESS;
    case MACH_MSG_TYPE_COPY_SEND:
        if (t & MACH_PORT_TYPE_DEAD_NAME)
            return deadok ? KERN_SUCCESS : KERN_INVALID_RIGHT;
        if (!(t & MACH_PORT_TYPE_SEND))
            return KERN_INVALID_RIGHT;
        return p->reply_port ? KERN_INVALID_CAPABILITY : KERN_SUCCESS;
    case MACH_MSG_TYPE_MOVE_SEND:
        if (t & MACH_PORT_TYPE_DEAD_NAME)
            return (deadok && e->urefs >= moves) ? KERN_SUCCESS : KERN_INVALID_RIGHT;
        return ((t & MACH_PORT_TYPE_SEND) && e->urefs >= moves) ? KERN_SUCCESS
                                                                 : KERN_INVALID_RIGHT;
    case MACH_MSG_TYPE_MOVE_SEND_ONCE:
        if (t & MACH_PORT_TYPE_DEAD_NAME)
            return deadok ? KERN_SUCCESS : KERN_INVALID_RIGHT;
        return (t & MACH_PORT_TYPE_SEND_ONCE) ? KERN_SUCCESS : KERN_INVALID_RIGHT;
    default:
        return KERN_INVALID_RIGHT;
    }
}

/* Drop one dead-name uref consumed by moving a dead name. */
static void move_dead(mgc_space *s, mach_port_name_t name, mgc_entry *e)
{
    if (e->urefs == 1)
        mgc_entry_free(s, name);
    else if (e->urefs < MACH_PORT_UREFS_MAX)
        e->urefs--;
}

/* The entry's last port right is gone: unname it (the entry's reference
 * passes to the caller). */
static void entry_vacate(mgc_space *s, mach_port_name_t name, mgc_entry *e, bool hashed)
{
    mgc_entry_release_request(s, name, e);
    if (hashed)
        mgc_hash_remove(s, e->obj);
    mgc_entry_free(s, name);
}

kern_return_t mgc_right_copyin(mgc_space *s, mach_port_name_t name,
                               mach_msg_type_name_t disp, unsigned flags, mgc_port **out)
{
    kern_return_t kr = mgc_right_copyin_check(s, name, disp, 1, flags);
    if (kr != KERN_SUCCESS)
        return kr;
    mgc_entry *e = mgc_entry_get(s, name);
    mgc_port *p = e->obj;

    if (e->type & MACH_PORT_TYPE_DEAD_NAME) {
        if (disp != MACH_MSG_TYPE_COPY_SEND)
            move_dead(s, name, e);
        *out = MGC_PORT_DEAD;
        return KERN_SUCCESS;
    }
    switch (disp) {
    case MACH_MSG_TYPE_MAKE_SEND:
        p->mscount++;
        p->srights++;
        mgc_port_ref(p);
        break;
    case MACH_MSG_TYPE_MAKE_SEND_ONCE:
        p->sorights++;
        mgc_port_ref(p);
        break;
    case MACH_MSG_TYPE_COPY_SEND:
        p->srights++;
        mgc_port_ref(p);
        break;
    case MACH_MSG_TYPE_MOVE_SEND:
        if (e->urefs > 1) {
            if (e->urefs < MACH_PORT_UREFS_MAX) /* pegged urefs stay pegged */
                e->urefs--;
            p->srights++; /* the name keeps its own send right */
            mgc_port_ref(p);
        } else if (e->type & MACH_PORT_TYPE_RECEIVE) {
            e->type &= ~MACH_PORT_TYPE_SEND;
            e->urefs = 0;
            mgc_port_ref(p);
        } else {
            entry_vacate(s, name, e, true);
        }
        break;
    case MACH_MSG_TYPE_MOVE_SEND_ONCE:
        entry_vacate(s, name, e, false);
        break;
    case MACH_MSG_TYPE_MOVE_RECEIVE: {
        mgc_core *core = s->core;
        if (core->ops.receive_gone)
            core->ops.receive_gone(core->ops.ctx, s, name, MACH_RCV_PORT_CHANGED);
        mgc_clear_receiver(p);
        if (e->type & MACH_PORT_TYPE_SEND) {
            e->type &= ~MACH_PORT_TYPE_RECEIVE;
            mgc_port_ref(p);
        } else {
            entry_vacate(s, name, e, true);
        }
        break;
    }
    default:
        return KERN_INVALID_RIGHT;
    }
    *out = p;
    return KERN_SUCCESS;
}

/* MOVE_RECEIVE through a guarded port descriptor: the descriptor must carry
 * the port's guard, or declare it unguarded (XNU's guard check). */
static kern_return_t copyin_guarded(mgc_space *s, mach_port_name_t name, uint64_t ctx,
                                    unsigned gflags, mgc_port **out)
{
    kern_return_t kr = mgc_right_copyin_check(s, name, MACH_MSG_TYPE_MOVE_RECEIVE, 1, 0);
    if (kr != KERN_SUCCESS)
        return kr;
    mgc_port *p = mgc_entry_get(s, name)->obj;
    bool ok = ((gflags & MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND) && !p->guarded && ctx == 0) ||
              (p->guarded && p->context == ctx);
    if (!ok)
        return KERN_INVALID_ARGUMENT;
    return mgc_right_copyin(s, name, MACH_MSG_TYPE_MOVE_RECEIVE, 0, out);
}

/* ---- message copyin ------------------------------------------------------ */

static void rd32(const uint8_t *p, uint32_t *v) { memcpy(v, p, 4); }

/* First pass (no side effects): descriptor types and sizes, like XNU's
 * measuring pass, plus the totals the kmsg needs. */
static mach_msg_return_t measure(const uint8_t *dsc, mach_msg_size_t avail, uint32_t count,
                                 size_t nnames, uint32_t *nports, uint32_t *dbytes)
{
    uint32_t pos = 0, ports = 0;
    uint64_t names = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (pos + 12 > avail)
            return MACH_SEND_MSG_TOO_SMALL;
        unsigned type = dsc[pos + 11];
        if (!mgc_type_valid_desc(type))
            return MACH_SEND_INVALID_TYPE;
        uint32_t sz = mgc_desc_size(type);
        if (pos + sz > avail)
            return MACH_SEND_MSG_TOO_SMALL;
        const uint8_t *d = dsc + pos;
        if (type == MACH_MSG_PORT_DESCRIPTOR) {
            ports++;
        } else if (type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
            uint32_t n;
            rd32(d + 12, &n);
            names += n;
            ports += n;
            if (names > nnames || names > (1u << 24))
                return MACH_SEND_INVALID_MEMORY;
        } else if (type == MACH_MSG_GUARDED_PORT_DESCRIPTOR) {
            uint32_t flags = (uint32_t)d[8] | ((uint32_t)d[9] << 8);
            uint64_t ctx;
            memcpy(&ctx, d, 8);
            if (d[10] != MACH_MSG_TYPE_MOVE_RECEIVE || flags == 0 || (flags & ~3u) ||
                ((flags & 2u) && ctx != 0))
                return MACH_SEND_INVALID_TYPE;
            ports++;
        }
        pos += sz;
    }
    *nports = ports;
    *dbytes = pos;
    return MACH_MSG_SUCCESS;
}

static void release_partial(mgc_kmsg *k, uint32_t nports)
{
    for (uint32_t i = 0; i < nports; i++)
        mgc_release_right(k->ports[i], k->types[i]);
    k->nports = 0;
}

static void release_header(mgc_kmsg *k)
{
    mgc_release_right(k->dest, MACH_MSGH_BITS_REMOTE(k->bits));
    mgc_release_right(k->reply, MACH_MSGH_BITS_LOCAL(k->bits));
    k->dest = k->reply = NULL;
}

/* Body copyin: rights of port and OOL-ports descriptors, OOL checks. On
 * failure everything copied in (header included) is released. */
static mach_msg_return_t copyin_body(mgc_space *s, mgc_kmsg *k, uint8_t *dsc,
                                     const mach_port_name_t *names)
{
    uint32_t slot = 0, pos = 0;
    size_t ni = 0;
    mach_msg_return_t mr = MACH_MSG_SUCCESS;
    for (uint32_t i = 0; i < k->ndesc && mr == MACH_MSG_SUCCESS; i++) {
        uint8_t *d = dsc + pos;
        unsigned type = d[11];
        pos += mgc_desc_size(type);
        switch (type) {
        case MACH_MSG_PORT_DESCRIPTOR:
        case MACH_MSG_GUARDED_PORT_DESCRIPTOR: {
            mach_port_name_t name;
            rd32(d + (type == MACH_MSG_PORT_DESCRIPTOR ? 0 : 12), &name);
            mach_msg_type_name_t disp = d[10];
            mgc_port *p = MACH_PORT_VALID(name) ? NULL : (name ? MGC_PORT_DEAD : NULL);
            kern_return_t kr = KERN_SUCCESS;
            if (MACH_PORT_VALID(name) && type == MACH_MSG_PORT_DESCRIPTOR) {
                kr = mgc_right_copyin(s, name, disp, MGC_CI_DEADOK, &p);
            } else if (MACH_PORT_VALID(name)) {
                uint64_t ctx;
                memcpy(&ctx, d, 8);
                kr = copyin_guarded(s, name, ctx, (unsigned)d[8] | ((unsigned)d[9] << 8), &p);
                /* in flight the port is unguarded; copyout may guard it anew */
                d[8] |= MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND;
            }
            if (kr != KERN_SUCCESS) {
                mr = MACH_SEND_INVALID_RIGHT;
                break;
            }
            d[10] = (uint8_t)mgc_copyin_type(disp);
            k->ports[slot] = p;
            k->types[slot++] = d[10];
            break;
        }
        case MACH_MSG_OOL_DESCRIPTOR:
        case MACH_MSG_OOL_VOLATILE_DESCRIPTOR: {
            uint64_t token;
            memcpy(&token, d, 8);
            if (d[9] != MACH_MSG_PHYSICAL_COPY && d[9] != MACH_MSG_VIRTUAL_COPY)
                mr = MACH_SEND_INVALID_TYPE;
            else if (token == MGC_OOL_INVALID)
                mr = MACH_SEND_INVALID_MEMORY;
            break;
        }
        case MACH_MSG_OOL_PORTS_DESCRIPTOR: {
            uint32_t n;
            rd32(d + 12, &n);
            /* XNU checks neither the copy option nor the disposition here: a
             * bad disposition fails on the first valid name. */
            mach_msg_type_name_t disp = d[10];
            mach_msg_type_name_t rt = mgc_copyin_type(disp);
            for (uint32_t j = 0; j < n; j++) {
                mach_port_name_t name = names[ni++];
                mgc_port *p = name ? MGC_PORT_DEAD : NULL;
                if (MACH_PORT_VALID(name) &&
                    mgc_right_copyin(s, name, disp, MGC_CI_DEADOK, &p) != KERN_SUCCESS) {
                    mr = MACH_SEND_INVALID_RIGHT;
                    break;
                }
                k->ports[slot] = p;
                k->types[slot++] = (uint8_t)rt;
            }
            d[10] = (uint8_t)rt;
            memset(d, 0, 8); /* the address is the host's business */
            break;
        }
        default:
            mr = MACH_SEND_INVALID_TYPE;
            break;
        }
    }
    if (mr != MACH_MSG_SUCCESS) {
        release_header(k);
        release_partial(k, slot);
    }
    return mr;
}

/* MACH_SEND_NOTIFY with a request registered on the destination name: a
 * full queue arms the send-possible request, otherwise the message may
 * exceed the queue limit (XNU re-arms at this point of the copyin). */
static void send_notify_arm(mgc_space *s, mach_port_name_t dn, mach_msg_type_name_t dt,
                            mgc_kmsg *k)
{
    mgc_entry *e = mgc_entry_lookup(s, dn);
    if (!e || !e->dnreq || dt == MACH_MSG_TYPE_MOVE_SEND_ONCE ||
        dt == MACH_MSG_TYPE_MAKE_SEND_ONCE || !(e->type & MACH_PORT_TYPE_PORT_RIGHTS))
        return;
    mgc_port *p = e->obj;
    if (!p->active)
        return;
    if (p->msgcount >= p->qlimit) {
        mgc_dnreq *r = mgc_dnreq_find(p, s, dn);
        if (r && r->sp)
            r->sp = MGC_SP_ARMED;
    } else {
        k->send_always = true;
    }
}

/* Header copyin is all-or-nothing: every right is checked before any is
 * taken, so a rejected header leaves the sender's space untouched. */
static mach_msg_return_t copyin_header(mgc_space *s, mgc_kmsg *k, const mach_msg_header_t *h,
                                       mach_msg_option_t options)
{
    mach_msg_type_name_t dt = MACH_MSGH_BITS_REMOTE(h->msgh_bits);
    mach_msg_type_name_t rt = MACH_MSGH_BITS_LOCAL(h->msgh_bits);
    mach_msg_type_name_t vt = MACH_MSGH_BITS_VOUCHER(h->msgh_bits);
    mach_port_name_t dn = h->msgh_remote_port, rn = h->msgh_local_port;
    mach_port_name_t vn = h->msgh_voucher_port;

    if (h->msgh_bits & ~MACH_MSGH_BITS_USER)
        return MACH_SEND_INVALID_HEADER;
    if (rt == 0) {
        if (rn != MACH_PORT_NULL)
            return MACH_SEND_INVALID_HEADER;
    } else if (!MACH_MSG_TYPE_PORT_ANY_SEND(rt)) {
        return MACH_SEND_INVALID_HEADER;
    }
    if (vt != 0 && vt != MACH_MSG_TYPE_MOVE_SEND && vt != MACH_MSG_TYPE_COPY_SEND)
        return MACH_SEND_INVALID_VOUCHER;
    if (!MACH_MSG_TYPE_PORT_ANY_SEND(dt))
        return MACH_SEND_INVALID_HEADER;
    if (!MACH_PORT_VALID(dn))
        return MACH_SEND_INVALID_DEST;
    if (dn == rn && (dt == MACH_MSG_TYPE_MOVE_SEND_ONCE || rt == MACH_MSG_TYPE_MOVE_SEND_ONCE))
        return MACH_SEND_INVALID_DEST;
    /* machgen has no voucher objects: any voucher name is invalid. */
    if (vt != 0 && vn != MACH_PORT_NULL)
        return MACH_SEND_INVALID_VOUCHER;

    bool same = (dn == rn);
    uint32_t moves = same ? (uint32_t)(dt == MACH_MSG_TYPE_MOVE_SEND) +
                                (uint32_t)(rt == MACH_MSG_TYPE_MOVE_SEND)
                          : 1;
    const unsigned dflags = MGC_CI_REPLY_SO | MGC_CI_DEAD_SO,
                   rflags = MGC_CI_DEADOK | MGC_CI_REPLY_SO;
    if (mgc_right_copyin_check(s, dn, dt, moves, dflags) != KERN_SUCCESS)
        return MACH_SEND_INVALID_DEST;
    if (MACH_PORT_VALID(rn)) {
        /* XNU wants a port right under the reply name: a dead name is refused
         * (a send right whose port died since is still taken, as MACH_PORT_DEAD) */
        const mgc_entry *re = mgc_entry_get(s, rn);
        if (!re || !(re->type & MACH_PORT_TYPE_PORT_RIGHTS) ||
            mgc_right_copyin_check(s, rn, rt, moves, rflags) != KERN_SUCCESS)
            return MACH_SEND_INVALID_REPLY;
    }

    if (options & MACH_SEND_NOTIFY)
        send_notify_arm(s, dn, dt, k);
    mgc_port *dest = NULL, *reply = NULL;
    /* Non-moving copy first, so a shared name's last uref is moved last. */
    bool reply_first = same && dt == MACH_MSG_TYPE_MOVE_SEND && rt != MACH_MSG_TYPE_MOVE_SEND;
    if (reply_first)
        mgc_right_copyin(s, rn, rt, rflags, &reply);
    if (mgc_right_copyin(s, dn, dt, dflags, &dest) != KERN_SUCCESS) {
        mgc_release_right(reply, mgc_copyin_type(rt));
        return MACH_SEND_INVALID_DEST;
    }
    if (!reply_first) {
        if (MACH_PORT_VALID(rn)) {
            if (mgc_right_copyin(s, rn, rt, rflags, &reply) != KERN_SUCCESS) {
                mgc_release_right(dest, mgc_copyin_type(dt));
                return MACH_SEND_INVALID_REPLY;
            }
        } else if (rn == MACH_PORT_DEAD) {
            reply = MGC_PORT_DEAD;
        }
    }
    k->dest = dest;
    k->reply = reply;
    k->bits = (h->msgh_bits & MACH_MSGH_BITS_COMPLEX) |
              MACH_MSGH_BITS(mgc_copyin_type(dt), rt ? mgc_copyin_type(rt) : 0);
    k->voucher_name_passthru = vt == 0 ? vn : MACH_PORT_NULL;
    k->id = h->msgh_id;
    return MACH_MSG_SUCCESS;
}

mach_msg_return_t mgc_msg_copyin(mgc_space *sender, const void *msg, mach_msg_size_t size,
                                 const mach_port_name_t *ool_names, size_t ool_name_count,
                                 mach_msg_option_t options, mgc_kmsg **out)
{
    *out = NULL;
    mgc_core *core = sender->core;
    if (!sender->active)
        return MACH_SEND_INVALID_DEST;
    if (size < sizeof(mach_msg_header_t) || (size & 3))
        return MACH_SEND_MSG_TOO_SMALL;
    if (size > core->limits.max_msg_size)
        return MACH_SEND_TOO_LARGE;

    mach_msg_header_t h;
    memcpy(&h, msg, sizeof h);
    const uint8_t *bytes = msg;
    uint32_t ndesc = 0, nports = 0, dbytes = 0;
    if (h.msgh_bits & MACH_MSGH_BITS_COMPLEX) {
        if (size < sizeof(mach_msg_base_t))
            return MACH_SEND_MSG_TOO_SMALL;
        rd32(bytes + sizeof h, &ndesc);
        if (ndesc > (size - sizeof(mach_msg_base_t)) / 12)
            return MACH_SEND_MSG_TOO_SMALL;
        mach_msg_return_t mr = measure(bytes + sizeof(mach_msg_base_t),
                                       size - (mach_msg_size_t)sizeof(mach_msg_base_t), ndesc,
                                       ool_names ? ool_name_count : 0, &nports, &dbytes);
        if (mr != MACH_MSG_SUCCESS)
            return mr;
    }
    if (h.msgh_bits & ~MACH_MSGH_BITS_USER)
        return MACH_SEND_INVALID_HEADER;

    mgc_kmsg *k = mgc_kmsg_alloc(core, size - (mach_msg_size_t)sizeof h, nports);
    if (!k)
        return MACH_SEND_NO_BUFFER;
    memcpy(k->body, bytes + sizeof h, size - sizeof h);
    k->size = size;
    k->sender = sender->creds;

    mach_msg_return_t mr = copyin_header(sender, k, &h, options);
    if (mr != MACH_MSG_SUCCESS) {
        mgc_kmsg_free(k);
        return mr;
    }
    if (h.msgh_bits & MACH_MSGH_BITS_COMPLEX) {
        k->ndesc = ndesc;
        k->nports = nports;
        mr = copyin_body(sender, k, k->body + 4, ool_names);
        if (mr != MACH_MSG_SUCCESS) {
            mgc_kmsg_free(k);
            return mr;
        }
    }
    *out = k;
    return MACH_MSG_SUCCESS;
}
