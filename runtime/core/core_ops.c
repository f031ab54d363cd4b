/* mach_port_* operations on a space: allocation, references, types, sets,
 * guards and contexts, with XNU's result codes. Notification requests and
 * attributes live in core_request.c; right transfer in core_transfer.c. */
#include "core_internal.h"

#include <stdlib.h>

static mgc_core *core_of(mgc_space *s) { return s->core; }

static void gone(mgc_space *s, mach_port_name_t name, mach_msg_return_t why)
{
    mgc_core *c = core_of(s);
    if (c->ops.receive_gone)
        c->ops.receive_gone(c->ops.ctx, s, name, why);
}

/* ---- allocation ----------------------------------------------------------- */

static kern_return_t fill_new(mgc_space *s, mach_port_name_t name, mgc_entry *e,
                              mach_port_right_t right)
{
    mgc_core *core = core_of(s);
    switch (right) {
    case MACH_PORT_RIGHT_RECEIVE: {
        mgc_port *p = mgc_port_alloc(core);
        if (!p)
            return KERN_RESOURCE_SHORTAGE;
        e->obj = p;
        if (!mgc_hash_insert(s, p, MACH_PORT_INDEX(name))) {
            e->obj = NULL;
            p->active = false;
            mgc_port_ref(p);
            mgc_port_unref(p);
            return KERN_RESOURCE_SHORTAGE;
        }
        mgc_port_ref(p);
        e->type = MACH_PORT_TYPE_RECEIVE;
        e->urefs = 0;
        p->receiver = s;
        p->receiver_name = name;
        return KERN_SUCCESS;
    }
    case MACH_PORT_RIGHT_PORT_SET: {
        if (core->objects >= core->limits.max_ports)
            return KERN_RESOURCE_SHORTAGE;
        mgc_pset *ps = calloc(1, sizeof *ps);
        if (!ps)
            return KERN_RESOURCE_SHORTAGE;
        core->objects++;
        ps->space = s;
        ps->name = name;
        e->obj = ps;
        e->type = MACH_PORT_TYPE_PORT_SET;
        e->urefs = 0;
        return KERN_SUCCESS;
    }
    case MACH_PORT_RIGHT_DEAD_NAME:
        e->type = MACH_PORT_TYPE_DEAD_NAME;
        e->urefs = 1;
        return KERN_SUCCESS;
    default:
        return KERN_INVALID_VALUE;
    }
}

static bool right_allocatable(mach_port_right_t right)
{
    return right == MACH_PORT_RIGHT_RECEIVE || right == MACH_PORT_RIGHT_PORT_SET ||
           right == MACH_PORT_RIGHT_DEAD_NAME;
}

kern_return_t mgc_port_allocate(mgc_space *s, mach_port_right_t right, mach_port_name_t *name)
{
    if (!right_allocatable(right))
        return KERN_INVALID_VALUE;
    mgc_entry *e;
    kern_return_t kr = mgc_entry_alloc(s, name, &e);
    if (kr != KERN_SUCCESS)
        return kr;
    kr = fill_new(s, *name, e, right);
    if (kr != KERN_SUCCESS) {
        mgc_entry_free(s, *name);
        *name = MACH_PORT_NULL;
    }
    return kr;
}

kern_return_t mgc_port_allocate_name(mgc_space *s, mach_port_right_t right, mach_port_name_t name)
{
    if (!right_allocatable(right) || !MACH_PORT_VALID(name))
        return KERN_INVALID_VALUE;
    mgc_entry *e;
    kern_return_t kr = mgc_entry_alloc_name(s, name, &e);
    if (kr != KERN_SUCCESS)
        return kr;
    kr = fill_new(s, name, e, right);
    if (kr != KERN_SUCCESS)
        mgc_entry_free(s, name);
    return kr;
}

/* ---- destruction helpers ------------------------------------------------ */

static void pset_destroy(mgc_space *s, mach_port_name_t name, mgc_entry *e)
{
    mgc_pset *ps = e->obj;
    mgc_entry_free(s, name);
    mgc_pset_destroy(s, name, ps);
}

/* Remove the send right of a name (its urefs already reached zero). */
static void drop_send(mgc_space *s, mach_port_name_t name, mgc_entry *e)
{
    mgc_port *p = e->obj;
    if (e->type & MACH_PORT_TYPE_RECEIVE) {
        e->type &= ~MACH_PORT_TYPE_SEND;
        e->urefs = 0;
        mgc_release_send(p);
        return;
    }
    mgc_entry_release_request(s, name, e);
    mgc_hash_remove(s, p);
    mgc_entry_free(s, name);
    mgc_release_send(p);
    mgc_port_unref(p);
}

static void drop_send_once(mgc_space *s, mach_port_name_t name, mgc_entry *e)
{
    mgc_port *p = e->obj;
    mgc_entry_release_request(s, name, e);
    mgc_entry_free(s, name);
    mgc_release_send_once(p);
    mgc_port_unref(p);
}

/* Destroy the receive right held by `name`. Remaining send urefs turn into
 * a dead name (or stay a send right when a port-destroyed request will
 * hand the receive right elsewhere), as XNU's mod_refs/destruct do. */
static void drop_receive(mgc_space *s, mach_port_name_t name, mgc_entry *e)
{
    mgc_port *p = e->obj;
    gone(s, name, MACH_RCV_PORT_CHANGED); /* XNU: THREAD_RESTART */
    if (e->type & MACH_PORT_TYPE_SEND) {
        if (p->pdrequest) {
            e->type &= ~MACH_PORT_TYPE_RECEIVE;
            mgc_port_ref(p);
        } else {
            /* The port dies first: no no-senders, the request stays armed
             * and fires; its reference is accounted here. */
            mgc_hash_remove(s, p);
            e->type = MACH_PORT_TYPE_DEAD_NAME;
            if (e->dnreq && e->urefs < MACH_PORT_UREFS_MAX)
                e->urefs++;
            e->dnreq = 0;
            e->obj = NULL;
            p->srights--;
        }
    } else {
        mgc_entry_release_request(s, name, e);
        mgc_hash_remove(s, p);
        mgc_entry_free(s, name);
    }
    mgc_pset_remove(p);
    p->receiver = NULL;
    p->receiver_name = MACH_PORT_NULL;
    mgc_port_destroy_receive(p);
    mgc_port_unref(p);
}

/* ---- deallocate / destroy / mod_refs ----------------------------------- */

kern_return_t mgc_port_deallocate(mgc_space *s, mach_port_name_t name)
{
    if (!MACH_PORT_VALID(name))
        return KERN_SUCCESS; /* XNU ignores NULL and DEAD here */
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (e->type & MACH_PORT_TYPE_PORT_SET) {
        pset_destroy(s, name, e);
    } else if (e->type & MACH_PORT_TYPE_DEAD_NAME) {
        if (e->urefs == 1)
            mgc_entry_free(s, name);
        else if (e->urefs < MACH_PORT_UREFS_MAX) /* pegged urefs stay pegged */
            e->urefs--;
    } else if (e->type & MACH_PORT_TYPE_SEND_ONCE) {
        drop_send_once(s, name, e);
    } else if (e->type & MACH_PORT_TYPE_SEND) {
        if (e->urefs == 1) {
            e->urefs = 0;
            drop_send(s, name, e);
        } else if (e->urefs < MACH_PORT_UREFS_MAX) {
            e->urefs--;
        }
    } else {
        return KERN_INVALID_RIGHT;
    }
    return KERN_SUCCESS;
}

kern_return_t mgc_port_destroy(mgc_space *s, mach_port_name_t name)
{
    if (!MACH_PORT_VALID(name))
        return KERN_SUCCESS;
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (e->type & MACH_PORT_TYPE_PORT_SET) {
        pset_destroy(s, name, e);
    } else if (e->type & MACH_PORT_TYPE_DEAD_NAME) {
        mgc_entry_free(s, name);
    } else if (e->type & MACH_PORT_TYPE_SEND_ONCE) {
        drop_send_once(s, name, e);
    } else if (e->type & MACH_PORT_TYPE_RECEIVE) {
        mgc_port *p = e->obj;
        if (p->guarded && p->context != 0) /* destroy checks against guard 0 */
            return KERN_INVALID_RIGHT;
        if (e->type & MACH_PORT_TYPE_SEND) {
            /* Drop the send part first, without a no-senders race: the
             * port is being destroyed anyway. */
            e->type &= ~MACH_PORT_TYPE_SEND;
            e->urefs = 0;
            if (p->pdrequest)
                mgc_release_send(p); /* the port lives on elsewhere */
            else
                p->srights--;
        }
        drop_receive(s, name, e);
    } else {
        drop_send(s, name, e);
    }
    return KERN_SUCCESS;
}

kern_return_t mgc_port_mod_refs(mgc_space *s, mach_port_name_t name, mach_port_right_t right,
                                mach_port_delta_t delta)
{
    if (right >= MACH_PORT_RIGHT_NUMBER)
        return KERN_INVALID_VALUE;
    if (!MACH_PORT_VALID(name)) {
        if (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_SEND_ONCE)
            return KERN_SUCCESS;
        return KERN_INVALID_NAME;
    }
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    switch (right) {
    case MACH_PORT_RIGHT_PORT_SET:
        if (!(e->type & MACH_PORT_TYPE_PORT_SET))
            return KERN_INVALID_RIGHT;
        if (delta == 0)
            return KERN_SUCCESS;
        if (delta != -1)
            return KERN_INVALID_VALUE;
        pset_destroy(s, name, e);
        return KERN_SUCCESS;
    case MACH_PORT_RIGHT_RECEIVE:
        if (!(e->type & MACH_PORT_TYPE_RECEIVE))
            return KERN_INVALID_RIGHT;
        if (delta == 0)
            return KERN_SUCCESS;
        if (delta != -1)
            return KERN_INVALID_VALUE;
        if (((mgc_port *)e->obj)->guarded)
            return KERN_INVALID_RIGHT;
        drop_receive(s, name, e);
        return KERN_SUCCESS;
    case MACH_PORT_RIGHT_SEND_ONCE:
        if (!(e->type & MACH_PORT_TYPE_SEND_ONCE))
            return KERN_INVALID_RIGHT;
        if (delta == 0)
            return KERN_SUCCESS;
        if (delta != -1)
            return KERN_INVALID_VALUE;
        drop_send_once(s, name, e);
        return KERN_SUCCESS;
    case MACH_PORT_RIGHT_DEAD_NAME:
    case MACH_PORT_RIGHT_SEND: {
        mach_port_type_t want = right == MACH_PORT_RIGHT_SEND ? MACH_PORT_TYPE_SEND
                                                              : MACH_PORT_TYPE_DEAD_NAME;
        if (!(e->type & want))
            return KERN_INVALID_RIGHT;
        if (delta > (mach_port_delta_t)MACH_PORT_UREFS_MAX ||
            delta < -(mach_port_delta_t)MACH_PORT_UREFS_MAX)
            return KERN_INVALID_VALUE;
        int64_t n;
        if (e->urefs == MACH_PORT_UREFS_MAX) {
            /* Pegged by an overflow: only removing them all changes it. */
            n = delta == -(mach_port_delta_t)MACH_PORT_UREFS_MAX ? 0 : e->urefs;
        } else {
            n = (int64_t)e->urefs + delta;
            if (n < 0)
                return KERN_INVALID_VALUE;
            if (n > MACH_PORT_UREFS_MAX)
                n = MACH_PORT_UREFS_MAX; /* XNU pegs instead of failing */
        }
        e->urefs = (uint16_t)n;
        if (n == 0) {
            if (right == MACH_PORT_RIGHT_SEND)
                drop_send(s, name, e);
            else
                mgc_entry_free(s, name);
        }
        return KERN_SUCCESS;
    }
    default: /* MACH_PORT_RIGHT_LABELH: a right no name holds */
        return KERN_INVALID_RIGHT;
    }
}

kern_return_t mgc_port_get_refs(mgc_space *s, mach_port_name_t name, mach_port_right_t right,
                                mach_port_urefs_t *refs)
{
    if (right >= MACH_PORT_RIGHT_NUMBER)
        return KERN_INVALID_VALUE;
    if (!MACH_PORT_VALID(name)) {
        if (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_SEND_ONCE) {
            *refs = 1;
            return KERN_SUCCESS;
        }
        return KERN_INVALID_NAME;
    }
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    *refs = 0;
    if (e->type & MACH_PORT_TYPE(right)) {
        if (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_DEAD_NAME)
            *refs = e->urefs;
        else
            *refs = 1;
    }
    return KERN_SUCCESS;
}

kern_return_t mgc_port_type(mgc_space *s, mach_port_name_t name, mach_port_type_t *type)
{
    if (name == MACH_PORT_DEAD) {
        *type = MACH_PORT_TYPE_DEAD_NAME;
        return KERN_SUCCESS;
    }
    if (name == MACH_PORT_NULL)
        return KERN_INVALID_NAME;
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    *type = e->type;
    if (e->dnreq && (e->type & MACH_PORT_TYPE_PORT_RIGHTS)) {
        mgc_dnreq *r = mgc_dnreq_find(e->obj, s, name);
        *type |= MACH_PORT_TYPE_DNREQUEST;
        if (r && r->sp)
            *type |= MACH_PORT_TYPE_SPREQUEST;
        if (r && r->sp == MGC_SP_DELAYED)
            *type |= MACH_PORT_TYPE_SPREQUEST_DELAYED;
    }
    return KERN_SUCCESS;
}

static kern_return_t receive_of(mgc_space *s, mach_port_name_t name, mgc_port **p)
{
    if (!MACH_PORT_VALID(name))
        return KERN_INVALID_RIGHT; /* XNU: set_mscount, set_seqno, contexts */
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (!(e->type & MACH_PORT_TYPE_RECEIVE))
        return KERN_INVALID_RIGHT;
    *p = e->obj;
    return KERN_SUCCESS;
}

/* ---- guards, contexts, counters ---------------------------------------- */

kern_return_t mgc_port_guard(mgc_space *s, mach_port_name_t name, mach_port_context_t guard,
                             int strict)
{
    mgc_port *p;
    if (!MACH_PORT_VALID(name))
        return KERN_INVALID_NAME;
    kern_return_t kr = receive_of(s, name, &p);
    if (kr != KERN_SUCCESS)
        return kr;
    if (p->context) /* XNU refuses while any context is set */
        return KERN_INVALID_ARGUMENT;
    p->guarded = true;
    p->strict_guard = strict != 0;
    p->context = guard;
    return KERN_SUCCESS;
}

kern_return_t mgc_port_unguard(mgc_space *s, mach_port_name_t name, mach_port_context_t guard)
{
    mgc_port *p;
    if (!MACH_PORT_VALID(name))
        return KERN_INVALID_NAME;
    kern_return_t kr = receive_of(s, name, &p);
    if (kr != KERN_SUCCESS)
        return kr;
    if (!p->guarded || p->context != guard)
        return KERN_INVALID_ARGUMENT;
    p->guarded = false;
    p->strict_guard = false;
    p->context = 0;
    return KERN_SUCCESS;
}

kern_return_t mgc_port_set_context(mgc_space *s, mach_port_name_t name,
                                   mach_port_context_t context)
{
    mgc_port *p;
    if (!MACH_PORT_VALID(name))
        return KERN_INVALID_RIGHT;
    kern_return_t kr = receive_of(s, name, &p);
    if (kr != KERN_SUCCESS)
        return kr;
    if (p->strict_guard) /* a non-strict guard may be overwritten, as in XNU */
        return KERN_INVALID_ARGUMENT;
    p->context = context;
    return KERN_SUCCESS;
}

kern_return_t mgc_port_get_context(mgc_space *s, mach_port_name_t name,
                                   mach_port_context_t *context)
{
    mgc_port *p;
    if (!MACH_PORT_VALID(name))
        return KERN_INVALID_RIGHT;
    kern_return_t kr = receive_of(s, name, &p);
    if (kr != KERN_SUCCESS)
        return kr;
    *context = p->strict_guard ? 0 : p->context;
    return KERN_SUCCESS;
}

kern_return_t mgc_port_set_mscount(mgc_space *s, mach_port_name_t name, mach_port_mscount_t mscount)
{
    mgc_port *p;
    kern_return_t kr = receive_of(s, name, &p);
    if (kr == KERN_SUCCESS)
        p->mscount = mscount;
    return kr;
}

kern_return_t mgc_port_set_seqno(mgc_space *s, mach_port_name_t name, mach_port_seqno_t seqno)
{
    mgc_port *p;
    kern_return_t kr = receive_of(s, name, &p);
    if (kr == KERN_SUCCESS)
        p->seqno = seqno;
    return kr;
}

/* ---- construct / destruct --------------------------------------------- */

kern_return_t mgc_port_construct(mgc_space *s, const mach_port_options_t *options,
                                 mach_port_context_t context, mach_port_name_t *name)
{
    uint32_t flags = options->flags;
    uint32_t one_of = flags & (MPO_SERVICE_PORT | MPO_CONNECTION_PORT | MPO_TG_BLOCK_TRACKING);
    if (one_of & (one_of - 1))
        return KERN_INVALID_ARGUMENT;
    one_of = flags & (MPO_REPLY_PORT | MPO_ENFORCE_REPLY_PORT_SEMANTICS | MPO_EXCEPTION_PORT |
                      MPO_PROVISIONAL_REPLY_PORT);
    if (one_of & (one_of - 1))
        return KERN_INVALID_ARGUMENT;
    if ((flags & MPO_QLIMIT) && options->mpl.mpl_qlimit > MACH_PORT_QLIMIT_MAX)
        return KERN_INVALID_VALUE;
    kern_return_t kr = mgc_port_allocate(s, MACH_PORT_RIGHT_RECEIVE, name);
    if (kr != KERN_SUCCESS)
        return kr;
    mgc_entry *e = mgc_entry_get(s, *name);
    mgc_port *p = e->obj;
    if (flags & MPO_QLIMIT)
        p->qlimit = options->mpl.mpl_qlimit;
    /* `context` is only used as the guard (XNU ignores it otherwise);
     * MPO_IMMOVABLE_RECEIVE only counts together with the guard. */
    if (flags & MPO_CONTEXT_AS_GUARD) {
        p->context = context;
        p->guarded = true;
        p->strict_guard = (flags & MPO_STRICT) != 0;
        p->immovable_receive = (flags & MPO_IMMOVABLE_RECEIVE) != 0;
    }
    p->reply_port = (flags & MPO_REPLY_PORT) != 0;
    if (flags & MPO_INSERT_SEND_RIGHT) {
        e->type |= MACH_PORT_TYPE_SEND;
        e->urefs = 1;
        p->srights++;
        p->mscount++;
    }
    return KERN_SUCCESS;
}

kern_return_t mgc_port_destruct(mgc_space *s, mach_port_name_t name, mach_port_delta_t srdelta,
                                mach_port_context_t guard)
{
    if (!MACH_PORT_VALID(name))
        return KERN_INVALID_NAME;
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (!(e->type & MACH_PORT_TYPE_RECEIVE))
        return KERN_INVALID_RIGHT;
    if (srdelta && !(e->type & MACH_PORT_TYPE_SEND))
        return KERN_INVALID_RIGHT;
    if (srdelta > 0)
        return KERN_INVALID_VALUE;
    mgc_port *p = e->obj;
    if (p->guarded && guard != p->context)
        return KERN_INVALID_ARGUMENT;
    if (srdelta) {
        if (e->urefs == MACH_PORT_UREFS_MAX) {
            if (srdelta != -(mach_port_delta_t)MACH_PORT_UREFS_MAX)
                srdelta = 0; /* pegged */
        } else if ((int64_t)e->urefs + srdelta < 0) {
            return KERN_INVALID_VALUE;
        }
        e->urefs = (uint16_t)(e->urefs + srdelta);
        if (e->urefs == 0) {
            e->type &= ~MACH_PORT_TYPE_SEND;
            mgc_release_send(p);
        }
    }
    p->guarded = false;
    p->strict_guard = false;
    p->immovable_receive = false;
    drop_receive(s, name, e);
    return KERN_SUCCESS;
}

kern_return_t mgc_port_names(mgc_space *s, mach_port_name_t *names, mach_port_type_t *types,
                             uint32_t *count)
{
    uint32_t cap = *count, n = 0;
    for (uint32_t i = 1; i < s->table_size; i++) {
        if (!s->table[i].type)
            continue;
        mach_port_name_t name = MACH_PORT_MAKE(i, (uint32_t)s->table[i].gen << 24);
        if (n < cap) {
            mach_port_type_t t = 0;
            mgc_port_type(s, name, &t);
            names[n] = name;
            if (types)
                types[n] = t;
        }
        n++;
    }
    *count = n;
    return KERN_SUCCESS;
}
