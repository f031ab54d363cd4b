/* Core and space lifetime, per-space name tables and the port->name hash. */
#include "core_internal.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_NAMES   65536u
#define DEFAULT_MAX_PORTS   (1u << 20)
#define DEFAULT_MAX_QUEUED  (256ull << 20)
#define DEFAULT_MAX_MSG     (64u << 20)
#define INITIAL_TABLE       64u

mgc_core *mgc_core_create(const mgc_host_ops *ops, const mgc_limits *limits)
{
    mgc_core *core = calloc(1, sizeof *core);
    if (!core)
        return NULL;
    if (ops)
        core->ops = *ops;
    if (limits)
        core->limits = *limits;
    if (core->limits.max_names_per_space == 0)
        core->limits.max_names_per_space = DEFAULT_MAX_NAMES;
    if (core->limits.max_names_per_space > MGC_NAME_INDEX_LIMIT)
        core->limits.max_names_per_space = MGC_NAME_INDEX_LIMIT;
    if (core->limits.max_ports == 0)
        core->limits.max_ports = DEFAULT_MAX_PORTS;
    if (core->limits.max_queued_bytes == 0)
        core->limits.max_queued_bytes = DEFAULT_MAX_QUEUED;
    if (core->limits.max_msg_size == 0)
        core->limits.max_msg_size = DEFAULT_MAX_MSG;
    return core;
}

void mgc_core_destroy(mgc_core *core)
{
    if (!core)
        return;
    while (core->spaces)
        mgc_space_destroy(core->spaces);
    /* Ports still alive now have their receive right in transit inside
     * queued messages (possibly in cycles). Kill them one at a time; every
     * death drains a queue, and nothing can revive a port any more. */
    for (;;) {
        mgc_port *p = core->ports;
        while (p && !p->active)
            p = p->all_next;
        if (!p)
            break;
        mgc_port_ref(p);
        if (p->pdrequest) {
            mgc_port *n = p->pdrequest;
            p->pdrequest = NULL;
            mgc_release_right(n, MACH_MSG_TYPE_PORT_SEND_ONCE);
        }
        if (p->active)
            mgc_port_destroy_receive(p);
        mgc_port_unref(p);
    }
    /* Whatever remains is only referenced by kmsgs the host never gave
     * back; they must not be used after this call. */
    while (core->ports) {
        mgc_port *p = core->ports;
        core->ports = p->all_next;
        free(p->dnreqs);
        free(p);
    }
    free(core);
}

static mgc_entry *table_grow(mgc_space *s, uint32_t min_size)
{
    uint32_t limit = s->core->limits.max_names_per_space + 1;
    uint32_t n = s->table_size ? s->table_size : INITIAL_TABLE;
    while (n < min_size)
        n *= 2;
    if (n > limit)
        n = limit;
    if (n < min_size || n <= s->table_size)
        return NULL;
    mgc_entry *t = realloc(s->table, (size_t)n * sizeof *t);
    if (!t)
        return NULL;
    memset(t + s->table_size, 0, (size_t)(n - s->table_size) * sizeof *t);
    /* New slots join the free list in ascending order. */
    uint32_t first = s->table_size ? s->table_size : 1;
    for (uint32_t i = n - 1; i >= first; i--) {
        t[i].gen = MGC_GEN_FIRST;
        t[i].next_free = s->free_head;
        s->free_head = i;
        if (i == first)
            break;
    }
    s->table = t;
    s->table_size = n;
    return t;
}

mgc_space *mgc_space_create(mgc_core *core, const mgc_creds *creds)
{
    mgc_space *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->core = core;
    if (creds)
        s->creds = *creds;
    s->active = true;
    if (!table_grow(s, INITIAL_TABLE)) {
        free(s);
        return NULL;
    }
    s->next = core->spaces;
    if (core->spaces)
        core->spaces->prev = s;
    core->spaces = s;
    return s;
}

const mgc_creds *mgc_space_creds(const mgc_space *space) { return &space->creds; }
void mgc_space_set_host_data(mgc_space *space, void *data) { space->host_data = data; }
void *mgc_space_host_data(const mgc_space *space) { return space->host_data; }
uint32_t mgc_space_name_count(const mgc_space *space) { return space->used; }
uint32_t mgc_core_object_count(const mgc_core *core) { return core->objects; }

/* ---- port -> name hash (send and receive rights only) ------------------ */

static uint32_t hash_ptr(const void *p, uint32_t mask)
{
    uint64_t v = (uint64_t)(uintptr_t)p;
    v ^= v >> 29;
    v *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(v >> 32) & mask;
}

static bool hash_resize(mgc_space *s, uint32_t cap)
{
    uint32_t *h = calloc(cap, sizeof *h);
    if (!h)
        return false;
    for (uint32_t i = 0; i < s->hash_cap; i++) {
        uint32_t idx = s->hash[i];
        if (!idx)
            continue;
        uint32_t j = hash_ptr(s->table[idx].obj, cap - 1);
        while (h[j])
            j = (j + 1) & (cap - 1);
        h[j] = idx;
    }
    free(s->hash);
    s->hash = h;
    s->hash_cap = cap;
    return true;
}

bool mgc_hash_insert(mgc_space *s, const mgc_port *port, uint32_t index)
{
    if ((s->hash_used + 1) * 4 >= s->hash_cap * 3 &&
        !hash_resize(s, s->hash_cap ? s->hash_cap * 2 : 64))
        return false;
    uint32_t mask = s->hash_cap - 1;
    uint32_t j = hash_ptr(port, mask);
    while (s->hash[j])
        j = (j + 1) & mask;
    s->hash[j] = index;
    s->hash_used++;
    return true;
}

static uint32_t hash_slot(const mgc_space *s, const mgc_port *port)
{
    if (!s->hash_cap)
        return UINT32_MAX;
    uint32_t mask = s->hash_cap - 1;
    for (uint32_t j = hash_ptr(port, mask);; j = (j + 1) & mask) {
        uint32_t idx = s->hash[j];
        if (!idx)
            return UINT32_MAX;
        if (s->table[idx].obj == port)
            return j;
    }
}

void mgc_hash_remove(mgc_space *s, const mgc_port *port)
{
    uint32_t j = hash_slot(s, port);
    if (j == UINT32_MAX)
        return;
    uint32_t mask = s->hash_cap - 1;
    s->hash[j] = 0;
    s->hash_used--;
    /* Backward-shift the rest of the cluster so probes stay correct. */
    for (uint32_t k = (j + 1) & mask; s->hash[k]; k = (k + 1) & mask) {
        uint32_t idx = s->hash[k];
        uint32_t home = hash_ptr(s->table[idx].obj, mask);
        bool movable = (k > j) ? (home <= j || home > k) : (home <= j && home > k);
        if (movable) {
            s->hash[j] = idx;
            s->hash[k] = 0;
            j = k;
        }
    }
}

mach_port_name_t mgc_space_find_port(mgc_space *s, const mgc_port *port)
{
    uint32_t j = hash_slot(s, port);
    if (j == UINT32_MAX)
        return MACH_PORT_NULL;
    uint32_t idx = s->hash[j];
    return MACH_PORT_MAKE(idx, (uint32_t)s->table[idx].gen << 24);
}

/* ---- entries ------------------------------------------------------------ */

mgc_entry *mgc_entry_get(mgc_space *s, mach_port_name_t name)
{
    uint32_t idx = MACH_PORT_INDEX(name);
    if (!s->active || idx == 0 || idx >= s->table_size)
        return NULL;
    mgc_entry *e = &s->table[idx];
    if (e->type == 0 || e->gen != (name & 0xff))
        return NULL;
    return e;
}

/* Like mgc_entry_get, but a send or send-once right whose port died is
 * turned into a dead name first (the lazy conversion XNU performs). */
mgc_entry *mgc_entry_lookup(mgc_space *s, mach_port_name_t name)
{
    mgc_entry *e = mgc_entry_get(s, name);
    if (!e || !(e->type & MACH_PORT_TYPE_SEND_RIGHTS) || (e->type & MACH_PORT_TYPE_RECEIVE))
        return e;
    mgc_port *p = e->obj;
    if (p->active)
        return e;
    if (e->type & MACH_PORT_TYPE_SEND) {
        p->srights--;
        mgc_hash_remove(s, p);
    } else {
        p->sorights--;
    }
    e->type = MACH_PORT_TYPE_DEAD_NAME;
    if (e->dnreq && e->urefs < MACH_PORT_UREFS_MAX)
        e->urefs++; /* the reference carried by the dead-name notification */
    e->dnreq = 0;
    e->obj = NULL;
    mgc_port_unref(p);
    return e;
}

kern_return_t mgc_entry_alloc(mgc_space *s, mach_port_name_t *name, mgc_entry **out)
{
    if (!s->active)
        return KERN_INVALID_TASK;
    if (!s->free_head && !table_grow(s, s->table_size + 1))
        return KERN_NO_SPACE;
    uint32_t idx = s->free_head;
    mgc_entry *e = &s->table[idx];
    s->free_head = e->next_free;
    e->next_free = 0;
    s->used++;
    *name = MACH_PORT_MAKE(idx, (uint32_t)e->gen << 24);
    *out = e;
    return KERN_SUCCESS;
}

kern_return_t mgc_entry_alloc_name(mgc_space *s, mach_port_name_t name, mgc_entry **out)
{
    if (!s->active)
        return KERN_INVALID_TASK;
    if (!MACH_PORT_VALID(name) || (name & MGC_GEN_LOW_BITS) != MGC_GEN_LOW_BITS)
        return KERN_INVALID_VALUE; /* XNU: a generation always has its low bits set */
    uint32_t idx = MACH_PORT_INDEX(name);
    if (idx == 0)
        return KERN_FAILURE; /* index 0 is reserved */
    if (idx > MGC_NAME_INDEX_LIMIT ||
        (idx >= s->table_size && !table_grow(s, idx + 1)))
        return KERN_NO_SPACE;
    mgc_entry *e = &s->table[idx];
    if (e->type != 0) /* XNU: same name in use, or a collision with another generation */
        return e->gen == (name & 0xff) ? KERN_NAME_EXISTS : KERN_FAILURE;
    /* Unlink idx from the free list (rare operation: linear is fine). */
    uint32_t *link = &s->free_head;
    while (*link && *link != idx)
        link = &s->table[*link].next_free;
    if (*link != idx)
        return KERN_NAME_EXISTS;
    *link = e->next_free;
    e->next_free = 0;
    e->gen = (uint8_t)(name & 0xff);
    s->used++;
    *out = e;
    return KERN_SUCCESS;
}

void mgc_entry_free(mgc_space *s, mach_port_name_t name)
{
    uint32_t idx = MACH_PORT_INDEX(name);
    mgc_entry *e = &s->table[idx];
    e->obj = NULL;
    e->type = 0;
    e->urefs = 0;
    e->dnreq = 0;
    e->gen = (uint8_t)(e->gen + MGC_GEN_STEP); /* 0x03, 0x07, ... 0xff, 0x03 */
    e->next_free = s->free_head;
    s->free_head = idx;
    s->used--;
}

/* A name loses its port rights while a dead-name request is armed: the
 * request is cancelled with a port-deleted notification, as in XNU. */
void mgc_entry_release_request(mgc_space *s, mach_port_name_t name, mgc_entry *e)
{
    if (!e->dnreq)
        return;
    e->dnreq = 0;
    mgc_port *p = e->obj;
    if (!MGC_PORT_VALID(p) || (e->type & MACH_PORT_TYPE_PORT_SET))
        return;
    mgc_port *notify = NULL;
    mgc_dnreq_cancel(p, s, name, &notify);
    if (notify)
        mgc_notify_simple(notify, MACH_NOTIFY_PORT_DELETED, true, name);
}

/* ---- task death ---------------------------------------------------------- */

static void terminate_entry(mgc_space *s, uint32_t idx)
{
    mgc_entry *e = &s->table[idx];
    mach_port_name_t name = MACH_PORT_MAKE(idx, (uint32_t)e->gen << 24);
    mach_port_type_t type = e->type;
    void *obj = e->obj;

    if (type & MACH_PORT_TYPE_PORT_SET) {
        mgc_entry_free(s, name);
        mgc_pset_destroy(s, name, obj);
        return;
    }
    if (type & MACH_PORT_TYPE_DEAD_NAME) {
        mgc_entry_free(s, name);
        return;
    }
    mgc_port *p = obj;
    /* Cancel this name's dead-name request with a port-deleted notice. */
    mgc_port *notify = NULL;
    if (e->dnreq && p->active)
        mgc_dnreq_cancel(p, s, name, &notify);
    if (type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE))
        mgc_hash_remove(s, p);
    mgc_entry_free(s, name);
    if (type & MACH_PORT_TYPE_RECEIVE) {
        p->receiver = NULL;
        p->receiver_name = MACH_PORT_NULL;
        if (s->core->ops.receive_gone)
            s->core->ops.receive_gone(s->core->ops.ctx, s, name, MACH_RCV_PORT_DIED);
        if (type & MACH_PORT_TYPE_SEND)
            mgc_release_send(p);
        mgc_port_destroy_receive(p);
    } else if (type & MACH_PORT_TYPE_SEND) {
        mgc_release_send(p);
    } else if (type & MACH_PORT_TYPE_SEND_ONCE) {
        mgc_release_send_once(p);
    }
    mgc_port_unref(p); /* the entry's reference */
    if (notify)
        mgc_notify_simple(notify, MACH_NOTIFY_PORT_DELETED, true, name);
}

void mgc_space_destroy(mgc_space *s)
{
    if (!s)
        return;
    mgc_core *core = s->core;
    /* Entries stay reachable while we walk, so dead-name requests and
     * notifications aimed at this space still find their names. */
    for (uint32_t i = 1; i < s->table_size; i++) {
        if (s->table[i].type)
            terminate_entry(s, i);
    }
    s->active = false;
    if (s->prev)
        s->prev->next = s->next;
    else
        core->spaces = s->next;
    if (s->next)
        s->next->prev = s->prev;
    free(s->table);
    free(s->hash);
    free(s);
}
