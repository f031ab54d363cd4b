/* kmsg lifetime and message queues: allocation, destruction of undelivered
 * messages, queue limits, circularity, sending. */
#include "core_internal.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

mgc_kmsg *mgc_kmsg_alloc(mgc_core *core, mach_msg_size_t body_size, uint32_t nports)
{
    size_t head = sizeof(mgc_kmsg);
    size_t ports_off = head + ((body_size + alignof(mgc_port *) - 1) & ~(alignof(mgc_port *) - 1));
    size_t types_off = ports_off + (size_t)nports * sizeof(mgc_port *);
    mgc_kmsg *k = malloc(types_off + nports);
    if (!k)
        return NULL;
    memset(k, 0, sizeof *k);
    k->core = core;
    k->body = (uint8_t *)k + head;
    k->ports = (mgc_port **)(void *)((uint8_t *)k + ports_off);
    k->types = (uint8_t *)k + types_off;
    k->nports = nports;
    if (nports) {
        memset(k->ports, 0, (size_t)nports * sizeof(mgc_port *));
        memset(k->types, 0, nports);
    }
    return k;
}

void mgc_kmsg_free(mgc_kmsg *k)
{
    free(k);
}

mgc_port *mgc_kmsg_destination(const mgc_kmsg *kmsg)
{
    return kmsg->dest;
}

/* Walk the descriptors of a kmsg, reporting OOL tokens to the host. */
static void release_ool(mgc_kmsg *k)
{
    if (!(k->bits & MACH_MSGH_BITS_COMPLEX) || !k->core->ops.ool_release)
        return;
    const uint8_t *d = k->body + 4;
    for (uint32_t i = 0; i < k->ndesc; i++) {
        unsigned type = d[11];
        if (type == MACH_MSG_OOL_DESCRIPTOR || type == MACH_MSG_OOL_VOLATILE_DESCRIPTOR) {
            uint64_t token;
            uint32_t size;
            memcpy(&token, d, 8);
            memcpy(&size, d + 12, 4);
            k->core->ops.ool_release(k->core->ops.ctx, token, size);
        }
        d += mgc_desc_size(type);
    }
}

void mgc_kmsg_destroy(mgc_kmsg *k)
{
    if (!k)
        return;
    mgc_release_right(k->dest, MACH_MSGH_BITS_REMOTE(k->bits));
    mgc_release_right(k->reply, MACH_MSGH_BITS_LOCAL(k->bits));
    k->dest = k->reply = NULL;
    for (uint32_t i = 0; i < k->nports; i++) {
        mgc_port *p = k->ports[i];
        k->ports[i] = NULL;
        mgc_release_right(p, k->types[i]);
    }
    release_ool(k);
    mgc_kmsg_free(k);
}

/* Would queueing k on dest make a receive right travel inside its own
 * queue (directly or through a chain of in-transit receive rights)? */
static bool circular(const mgc_kmsg *k, mgc_port *dest)
{
    for (uint32_t i = 0; i < k->nports; i++) {
        mgc_port *r = k->ports[i];
        if (k->types[i] != MACH_MSG_TYPE_PORT_RECEIVE || !MGC_PORT_VALID(r))
            continue;
        for (mgc_port *d = dest; d; d = d->destination) {
            if (d == r)
                return true;
            if (d->receiver != NULL || !d->active)
                break;
        }
    }
    return false;
}

/* An inactive destination: the message is "delivered" and destroyed, its
 * destination right dropped without notification (XNU). */
static void drop_to_dead(mgc_kmsg *k)
{
    mgc_port *p = k->dest;
    if (MACH_MSGH_BITS_REMOTE(k->bits) == MACH_MSG_TYPE_PORT_SEND)
        p->srights--;
    else
        p->sorights--;
    k->dest = NULL;
    mgc_port_unref(p);
    mgc_kmsg_destroy(k);
}

mach_msg_return_t mgc_kmsg_enqueue(mgc_kmsg *k, bool force)
{
    mgc_port *p = k->dest;
    mgc_core *core = k->core;
    if (!p->active) {
        drop_to_dead(k);
        return MACH_MSG_SUCCESS;
    }
    if (circular(k, p)) {
        mgc_kmsg_destroy(k);
        return MACH_MSG_SUCCESS;
    }
    bool send_once = MACH_MSGH_BITS_REMOTE(k->bits) == MACH_MSG_TYPE_PORT_SEND_ONCE;
    if (!force && !k->kernel && !k->send_always && !send_once && p->msgcount >= p->qlimit)
        return MGC_SEND_WOULD_BLOCK;
    if (!force && !k->kernel && core->queued_bytes + k->size > core->limits.max_queued_bytes)
        return MACH_SEND_NO_BUFFER;

    k->next = NULL;
    if (p->qtail)
        p->qtail->next = k;
    else
        p->qhead = k;
    p->qtail = k;
    p->msgcount++;
    core->queued_bytes += k->size;
    k->queued = true;
    for (uint32_t i = 0; i < k->nports; i++) {
        if (k->types[i] == MACH_MSG_TYPE_PORT_RECEIVE && MGC_PORT_VALID(k->ports[i]))
            k->ports[i]->destination = p;
    }
    mgc_port_announce(p);
    return MACH_MSG_SUCCESS;
}

mach_msg_return_t mgc_kmsg_send(mgc_kmsg *kmsg, mach_msg_option_t options)
{
    (void)options;
    mach_msg_return_t mr = mgc_kmsg_enqueue(kmsg, false);
    if (mr != MACH_MSG_SUCCESS && mr != MGC_SEND_WOULD_BLOCK)
        mgc_kmsg_destroy(kmsg); /* e.g. MACH_SEND_NO_BUFFER: consumed anyway */
    return mr;
}

mach_msg_return_t mgc_msg_send(mgc_space *sender, const void *msg, mach_msg_size_t size,
                               const mach_port_name_t *ool_names, size_t ool_name_count,
                               mach_msg_option_t options, mgc_kmsg **blocked)
{
    mgc_kmsg *k;
    if (blocked)
        *blocked = NULL;
    mach_msg_return_t mr = mgc_msg_copyin(sender, msg, size, ool_names, ool_name_count,
                                          options, &k);
    if (mr != MACH_MSG_SUCCESS)
        return mr;
    mr = mgc_kmsg_send(k, options);
    if (mr == MGC_SEND_WOULD_BLOCK) {
        if (blocked)
            *blocked = k;
        else
            mgc_kmsg_destroy(k);
    }
    return mr;
}
