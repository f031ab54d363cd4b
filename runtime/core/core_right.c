/* Port objects and right accounting: references, releasing rights (with the
 * notifications XNU generates), receive-right destruction, copyout of a
 * right into a space (name coalescing). */
#include "core_internal.h"

#include <stdlib.h>

mgc_port *mgc_port_alloc(mgc_core *core)
{
    if (core->objects >= core->limits.max_ports)
        return NULL;
    mgc_port *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->core = core;
    p->active = true;
    p->qlimit = MACH_PORT_QLIMIT_DEFAULT;
    p->all_next = core->ports;
    if (core->ports)
        core->ports->all_prev = p;
    core->ports = p;
    core->objects++;
    return p;
}

void mgc_port_ref(mgc_port *p)
{
    p->refs++;
}

void mgc_port_unref(mgc_port *p)
{
    if (--p->refs != 0)
        return;
    mgc_core *core = p->core;
    if (p->all_prev)
        p->all_prev->all_next = p->all_next;
    else
        core->ports = p->all_next;
    if (p->all_next)
        p->all_next->all_prev = p->all_prev;
    free(p->dnreqs);
    free(p);
    core->objects--;
}

void mgc_receive_leaves(mgc_port *p, mach_msg_return_t why)
{
    mgc_core *core = p->core;
    if (p->receiver && core->ops.receive_gone)
        core->ops.receive_gone(core->ops.ctx, p->receiver, p->receiver_name, why);
}

/* A send right goes away: the last one fires the no-senders request. */
void mgc_release_send(mgc_port *p)
{
    p->srights--;
    if (p->srights == 0 && p->active && p->nsrequest) {
        mgc_port *notify = p->nsrequest;
        p->nsrequest = NULL;
        mgc_notify_simple(notify, MACH_NOTIFY_NO_SENDERS, true, p->mscount);
    }
}

/* An unused send-once right is destroyed: the port gets a send-once
 * notification (delivered through that very right). */
void mgc_release_send_once(mgc_port *p)
{
    if (p->active) {
        mgc_notify_send_once(p);
        return;
    }
    p->sorights--;
}

void mgc_release_right(mgc_port *p, mach_msg_type_name_t received_type)
{
    if (!MGC_PORT_VALID(p))
        return;
    switch (received_type) {
    case MACH_MSG_TYPE_PORT_SEND:
        mgc_release_send(p);
        break;
    case MACH_MSG_TYPE_PORT_SEND_ONCE:
        mgc_release_send_once(p);
        break;
    case MACH_MSG_TYPE_PORT_RECEIVE:
        if (p->active && p->receiver == NULL)
            mgc_port_destroy_receive(p);
        break;
    default:
        break;
    }
    mgc_port_unref(p);
}

mgc_dnreq *mgc_dnreq_find(mgc_port *p, mgc_space *s, mach_port_name_t name)
{
    for (uint32_t i = 0; i < p->ndnreqs; i++) {
        if (p->dnreqs[i].space == s && p->dnreqs[i].name == name)
            return &p->dnreqs[i];
    }
    return NULL;
}

/* The queue has room again: fire every armed send-possible request. */
void mgc_port_spnotify(mgc_port *p)
{
    for (uint32_t i = 0; i < p->ndnreqs;) {
        mgc_dnreq *r = &p->dnreqs[i];
        if (r->sp != MGC_SP_ARMED) {
            i++;
            continue;
        }
        mgc_dnreq req = *r;
        *r = p->dnreqs[--p->ndnreqs];
        mgc_entry *e = mgc_entry_get(req.space, req.name);
        if (e)
            e->dnreq = 0;
        mgc_notify_simple(req.notify, MACH_NOTIFY_SEND_POSSIBLE, true, req.name);
    }
}

void mgc_dnreq_cancel(mgc_port *p, mgc_space *s, mach_port_name_t name, mgc_port **notify)
{
    mgc_dnreq *r = mgc_dnreq_find(p, s, name);
    *notify = NULL;
    if (!r)
        return;
    *notify = r->notify;
    *r = p->dnreqs[--p->ndnreqs];
}

static void destroy_one(mgc_port *p);

/* The receive right of an active port is destroyed (its holder already
 * dropped it). With a port-destroyed request the right is handed to the
 * requester instead; otherwise the port dies. A death can release receive
 * rights queued inside the port, to any depth: nested deaths are queued and
 * run here one after the other instead of recursing. */
void mgc_port_destroy_receive(mgc_port *p)
{
    mgc_core *core = p->core;
    if (core->reaping) {
        if (!p->reap_queued) {
            mgc_port_ref(p);
            p->reap_queued = true;
            p->reap_next = core->reap_head;
            core->reap_head = p;
        }
        return;
    }
    core->reaping = true;
    destroy_one(p);
    while (core->reap_head) {
        mgc_port *q = core->reap_head;
        core->reap_head = q->reap_next;
        q->reap_next = NULL;
        q->reap_queued = false;
        if (q->active && q->receiver == NULL)
            destroy_one(q);
        mgc_port_unref(q);
    }
    core->reaping = false;
}

static void destroy_one(mgc_port *p)
{
    mgc_core *core = p->core;
    mgc_pset_remove(p);
    p->receiver = NULL;
    p->receiver_name = MACH_PORT_NULL;
    if (p->pdrequest) {
        mgc_port *notify = p->pdrequest;
        p->pdrequest = NULL;
        mgc_notify_port_destroyed(notify, p);
        return;
    }
    p->active = false;
    p->destination = NULL;
    mgc_port_ref(p); /* keep it alive while notifications run */

    if (p->nsrequest) {
        mgc_port *n = p->nsrequest;
        p->nsrequest = NULL;
        mgc_release_right(n, MACH_MSG_TYPE_PORT_SEND_ONCE);
    }

    mgc_dnreq *reqs = p->dnreqs;
    uint32_t nreqs = p->ndnreqs;
    p->dnreqs = NULL;
    p->ndnreqs = p->dnreqs_cap = 0;
    for (uint32_t i = 0; i < nreqs; i++)
        mgc_notify_simple(reqs[i].notify, MACH_NOTIFY_DEAD_NAME, true, reqs[i].name);
    free(reqs);

    while (p->qhead) {
        mgc_kmsg *k = p->qhead;
        p->qhead = k->next;
        if (!p->qhead)
            p->qtail = NULL;
        k->next = NULL;
        k->queued = false;
        p->msgcount--;
        core->queued_bytes -= k->size;
        mgc_kmsg_destroy(k);
    }
    if (core->ops.send_possible)
        core->ops.send_possible(core->ops.ctx, p);
    mgc_port_unref(p);
}

/* Put one right (already accounted in the port) into a space and name it.
 * On success the right and its reference belong to the space. On failure
 * nothing changed and the caller still owns the right. */
kern_return_t mgc_copyout_right(mgc_space *s, mgc_port *p, mach_msg_type_name_t type,
                                mach_port_name_t *name)
{
    if (p == NULL) {
        *name = MACH_PORT_NULL;
        return KERN_SUCCESS;
    }
    if (p == MGC_PORT_DEAD) {
        *name = MACH_PORT_DEAD;
        return KERN_SUCCESS;
    }
    if (!p->active && type != MACH_MSG_TYPE_PORT_RECEIVE) {
        mgc_release_right(p, type);
        *name = MACH_PORT_DEAD;
        return KERN_SUCCESS;
    }
    mgc_entry *e;
    mach_port_name_t n;
    kern_return_t kr;

    if (type != MACH_MSG_TYPE_PORT_SEND_ONCE) {
        n = mgc_space_find_port(s, p);
        if (n != MACH_PORT_NULL) {
            e = mgc_entry_get(s, n);
            if (type == MACH_MSG_TYPE_PORT_SEND) {
                if (e->type & MACH_PORT_TYPE_SEND) {
                    if (e->urefs < MACH_PORT_UREFS_MAX)
                        e->urefs++;
                    p->srights--; /* one send right per name */
                } else {
                    e->type |= MACH_PORT_TYPE_SEND;
                    e->urefs = 1;
                }
            } else {
                e->type |= MACH_PORT_TYPE_RECEIVE;
                p->receiver = s;
                p->receiver_name = n;
                p->destination = NULL;
            }
            mgc_port_unref(p); /* the entry already holds one */
            *name = n;
            return KERN_SUCCESS;
        }
    }
    kr = mgc_entry_alloc(s, &n, &e);
    if (kr != KERN_SUCCESS)
        return kr;
    e->obj = p;
    if (type != MACH_MSG_TYPE_PORT_SEND_ONCE &&
        !mgc_hash_insert(s, p, MACH_PORT_INDEX(n))) {
        mgc_entry_free(s, n);
        return KERN_RESOURCE_SHORTAGE;
    }
    switch (type) {
    case MACH_MSG_TYPE_PORT_SEND:
        e->type = MACH_PORT_TYPE_SEND;
        e->urefs = 1;
        break;
    case MACH_MSG_TYPE_PORT_SEND_ONCE:
        e->type = MACH_PORT_TYPE_SEND_ONCE;
        e->urefs = 1;
        break;
    default:
        e->type = MACH_PORT_TYPE_RECEIVE;
        e->urefs = 0;
        p->receiver = s;
        p->receiver_name = n;
        p->destination = NULL;
        break;
    }
    *name = n;
    return KERN_SUCCESS;
}
