/* Port sets: membership (a port may belong to several sets, as in XNU),
 * selection of a ready member, and the mach_port_* set operations. */
#include "core_internal.h"

#include <stdlib.h>

static void gone(mgc_space *s, mach_port_name_t name, mach_msg_return_t why)
{
    mgc_core *c = s->core;
    if (c->ops.receive_gone)
        c->ops.receive_gone(c->ops.ctx, s, name, why);
}

static void unlink_member(mgc_member *m)
{
    mgc_pset *ps = m->pset;
    if (m->set_prev)
        m->set_prev->set_next = m->set_next;
    else
        ps->head = m->set_next;
    if (m->set_next)
        m->set_next->set_prev = m->set_prev;
    else
        ps->tail = m->set_prev;
    ps->nmembers--;
}

static mgc_member *find(const mgc_port *p, const mgc_pset *ps)
{
    for (mgc_member *m = p->sets; m; m = m->port_next) {
        if (m->pset == ps)
            return m;
    }
    return NULL;
}

static bool unlink_from(mgc_port *p, mgc_pset *ps)
{
    for (mgc_member **link = &p->sets; *link; link = &(*link)->port_next) {
        mgc_member *m = *link;
        if (m->pset != ps)
            continue;
        *link = m->port_next;
        unlink_member(m);
        free(m);
        p->nsets--;
        return true;
    }
    return false;
}

void mgc_pset_remove(mgc_port *p)
{
    while (p->sets) {
        mgc_member *m = p->sets;
        p->sets = m->port_next;
        unlink_member(m);
        free(m);
    }
    p->nsets = 0;
}

static kern_return_t link_to(mgc_port *p, mgc_pset *ps)
{
    mgc_member *m = calloc(1, sizeof *m);
    if (!m)
        return KERN_RESOURCE_SHORTAGE;
    mgc_space *s = ps->space;
    m->port = p;
    m->pset = ps;
    m->set_prev = ps->tail;
    if (ps->tail)
        ps->tail->set_next = m;
    else
        ps->head = m;
    ps->tail = m;
    ps->nmembers++;
    m->port_next = p->sets;
    p->sets = m;
    p->nsets++;
    mgc_core *c = s->core;
    if (p->qhead && c->ops.msg_arrived)
        c->ops.msg_arrived(c->ops.ctx, s, p->receiver_name, ps->name);
    return KERN_SUCCESS;
}

void mgc_pset_destroy(mgc_space *s, mach_port_name_t name, mgc_pset *ps)
{
    while (ps->head)
        unlink_from(ps->head->port, ps);
    gone(s, name, MACH_RCV_PORT_CHANGED); /* XNU: THREAD_RESTART */
    free(ps);
    s->core->objects--;
}

/* First member with a message. With `rotate`, that member moves to the
 * end of the set so a busy port cannot starve the others. */
mgc_port *mgc_pset_ready(mgc_pset *ps, bool rotate)
{
    for (mgc_member *m = ps->head; m; m = m->set_next) {
        if (!m->port->qhead)
            continue;
        if (rotate && m != ps->tail) {
            unlink_member(m);
            m->set_next = NULL;
            m->set_prev = ps->tail;
            ps->tail->set_next = m;
            ps->tail = m;
            ps->nmembers++;
        }
        return m->port;
    }
    return NULL;
}

/* Tell the host a message is waiting: once per set, or once bare. */
void mgc_port_announce(mgc_port *p)
{
    mgc_core *c = p->core;
    if (!p->receiver || !c->ops.msg_arrived)
        return;
    if (!p->sets) {
        c->ops.msg_arrived(c->ops.ctx, p->receiver, p->receiver_name, MACH_PORT_NULL);
        return;
    }
    for (mgc_member *m = p->sets; m; m = m->port_next)
        c->ops.msg_arrived(c->ops.ctx, p->receiver, p->receiver_name, m->pset->name);
}

/* ---- mach_port_* set operations ----------------------------------------- */

static kern_return_t receive_of(mgc_space *s, mach_port_name_t name, mgc_port **p)
{
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (!(e->type & MACH_PORT_TYPE_RECEIVE))
        return KERN_INVALID_RIGHT;
    *p = e->obj;
    return KERN_SUCCESS;
}

static kern_return_t pset_of(mgc_space *s, mach_port_name_t name, mgc_pset **ps)
{
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (!(e->type & MACH_PORT_TYPE_PORT_SET))
        return KERN_INVALID_RIGHT;
    *ps = e->obj;
    return KERN_SUCCESS;
}

kern_return_t mgc_port_move_member(mgc_space *s, mach_port_name_t member, mach_port_name_t after)
{
    mgc_port *p;
    mgc_pset *ps = NULL;
    if (!MACH_PORT_VALID(member) || after == MACH_PORT_DEAD)
        return KERN_INVALID_RIGHT;
    kern_return_t kr = receive_of(s, member, &p);
    if (kr != KERN_SUCCESS)
        return kr;
    if (after != MACH_PORT_NULL) {
        kr = pset_of(s, after, &ps);
        if (kr != KERN_SUCCESS)
            return kr;
    } else if (p->nsets == 0) {
        return KERN_NOT_IN_SET;
    }
    if (ps && p->nsets == 1 && p->sets->pset == ps)
        return KERN_SUCCESS;
    /* Leave every set but the one named (XNU keeps that link). */
    mgc_member *keep = ps ? find(p, ps) : NULL;
    for (mgc_member **link = &p->sets; *link;) {
        mgc_member *m = *link;
        if (m == keep) {
            link = &m->port_next;
            continue;
        }
        *link = m->port_next;
        unlink_member(m);
        free(m);
        p->nsets--;
    }
    return (ps && !keep) ? link_to(p, ps) : KERN_SUCCESS;
}

kern_return_t mgc_port_insert_member(mgc_space *s, mach_port_name_t name, mach_port_name_t pset)
{
    mgc_port *p;
    mgc_pset *ps;
    if (!MACH_PORT_VALID(name) || !MACH_PORT_VALID(pset))
        return KERN_INVALID_RIGHT;
    kern_return_t kr = receive_of(s, name, &p);
    if (kr == KERN_SUCCESS)
        kr = pset_of(s, pset, &ps);
    if (kr != KERN_SUCCESS)
        return kr;
    if (find(p, ps))
        return KERN_ALREADY_IN_SET;
    return link_to(p, ps);
}

kern_return_t mgc_port_extract_member(mgc_space *s, mach_port_name_t name, mach_port_name_t pset)
{
    mgc_port *p;
    mgc_pset *ps;
    if (!MACH_PORT_VALID(name) || !MACH_PORT_VALID(pset))
        return KERN_INVALID_RIGHT;
    kern_return_t kr = receive_of(s, name, &p);
    if (kr == KERN_SUCCESS)
        kr = pset_of(s, pset, &ps);
    if (kr != KERN_SUCCESS)
        return kr;
    return unlink_from(p, ps) ? KERN_SUCCESS : KERN_NOT_IN_SET;
}

kern_return_t mgc_port_get_set_status(mgc_space *s, mach_port_name_t pset,
                                      mach_port_name_t *names, uint32_t *count)
{
    if (!MACH_PORT_VALID(pset))
        return KERN_INVALID_RIGHT; /* XNU */
    mgc_pset *ps;
    kern_return_t kr = pset_of(s, pset, &ps);
    if (kr != KERN_SUCCESS)
        return kr;
    uint32_t cap = *count, n = 0;
    for (mgc_member *m = ps->head; m; m = m->set_next, n++) {
        if (n < cap)
            names[n] = m->port->receiver_name;
    }
    *count = n;
    return KERN_SUCCESS;
}
