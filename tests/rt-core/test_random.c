/* Randomised operation sequences (fixed seeds, so deterministic) across
 * three spaces, with a full recount of every port's rights and references
 * after each step, and a leak check when everything is torn down. */
#include "core_test_util.h"

#include "core_internal.h"

typedef struct {
    uint32_t refs, srights, sorights, receive;
} tally;

static uint64_t rng;
static struct {
    int sends, complex_sends, receives, notifications, moved_receive, space_deaths;
    int held, pseudo_received;
} stats;

/* Messages whose send would block, kept as a host would while it waits. */
enum { MAXHELD = 8 };
static mgc_kmsg *held[MAXHELD];
static mgc_space *held_from[MAXHELD];
static int nheld;

static void drop_held(int i)
{
    held[i] = held[--nheld];
    held_from[i] = held_from[nheld];
}

static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}

/* Index of a port in core->ports (the list is short in these tests). */
static int port_index(mgc_port *p, mgc_port **all, int n)
{
    for (int i = 0; i < n; i++) {
        if (all[i] == p)
            return i;
    }
    cr_assert_fail("pointer to a port the core does not know");
    return -1;
}

static void count_right(tally *t, mgc_port **all, int n, mgc_port *p, mach_msg_type_name_t type)
{
    if (!MGC_PORT_VALID(p))
        return;
    tally *x = &t[port_index(p, all, n)];
    x->refs++;
    if (type == MACH_MSG_TYPE_PORT_SEND)
        x->srights++;
    else if (type == MACH_MSG_TYPE_PORT_SEND_ONCE)
        x->sorights++;
    else if (type == MACH_MSG_TYPE_PORT_RECEIVE)
        x->receive++;
}

static void count_kmsg(tally *t, mgc_port **all, int n, const mgc_kmsg *k)
{
    count_right(t, all, n, k->dest, MACH_MSGH_BITS_REMOTE(k->bits));
    count_right(t, all, n, k->reply, MACH_MSGH_BITS_LOCAL(k->bits));
    for (uint32_t s = 0; s < k->nports; s++)
        count_right(t, all, n, k->ports[s], k->types[s]);
}

static void check_invariants(void)
{
    enum { MAXP = 512 };
    static mgc_port *all[MAXP];
    static tally t[MAXP];
    int n = 0;
    for (mgc_port *p = core->ports; p; p = p->all_next) {
        cr_assert_lt(n, MAXP);
        all[n++] = p;
    }
    memset(t, 0, sizeof t);
    for (mgc_space *s = core->spaces; s; s = s->next) {
        uint32_t used = 0, hashed = 0;
        for (uint32_t i = 1; i < s->table_size; i++) {
            mgc_entry *e = &s->table[i];
            if (!e->type)
                continue;
            used++;
            if (e->type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE))
                hashed++;
            if (!(e->type & (MACH_PORT_TYPE_PORT_RIGHTS)))
                continue;
            mgc_port *p = e->obj;
            tally *x = &t[port_index(p, all, n)];
            x->refs++;
            if (e->type & MACH_PORT_TYPE_SEND)
                x->srights++;
            if (e->type & MACH_PORT_TYPE_SEND_ONCE)
                x->sorights++;
            if (e->type & MACH_PORT_TYPE_RECEIVE) {
                x->receive++;
                cr_assert_eq(p->receiver, s);
                cr_assert_eq(MACH_PORT_INDEX(p->receiver_name), i);
            }
            if (e->type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE))
                cr_assert_eq(MACH_PORT_INDEX(mgc_space_find_port(s, p)), i, "hash agrees");
        }
        cr_assert_eq(used, s->used);
        cr_assert_eq(hashed, s->hash_used, "no stale port->name hash slots");
    }
    for (int i = 0; i < n; i++) {
        mgc_port *p = all[i];
        count_right(t, all, n, p->nsrequest, MACH_MSG_TYPE_PORT_SEND_ONCE);
        count_right(t, all, n, p->pdrequest, MACH_MSG_TYPE_PORT_SEND_ONCE);
        for (uint32_t j = 0; j < p->ndnreqs; j++)
            count_right(t, all, n, p->dnreqs[j].notify, MACH_MSG_TYPE_PORT_SEND_ONCE);
        uint32_t msgs = 0;
        for (mgc_kmsg *k = p->qhead; k; k = k->next, msgs++)
            count_kmsg(t, all, n, k);
        cr_assert_eq(msgs, p->msgcount);
    }
    for (int i = 0; i < nheld; i++)
        count_kmsg(t, all, n, held[i]);
    for (int i = 0; i < n; i++) {
        mgc_port *p = all[i];
        cr_assert_eq(p->refs, t[i].refs, "port %d refs", i);
        if (p->active) {
            cr_assert_eq(p->srights, t[i].srights, "port %d srights", i);
            cr_assert_eq(p->sorights, t[i].sorights, "port %d sorights", i);
            cr_assert_eq(t[i].receive, 1u, "port %d: exactly one receive right", i);
        }
    }
}

static const mach_msg_type_name_t dispositions[] = {
    MACH_MSG_TYPE_MOVE_RECEIVE, MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MOVE_SEND_ONCE,
    MACH_MSG_TYPE_COPY_SEND,    MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE,
};

/* A name of `s` whose type intersects `mask` (any name for mask 0); now and
 * then a junk or NULL name to exercise the error paths. */
static mach_port_name_t pick(mgc_space *s, mach_port_type_t mask, mach_port_type_t *type)
{
    mach_port_name_t names[512], cand[512];
    mach_port_type_t types[512], ctypes[512];
    uint32_t n = 512, c = 0;
    OK(mgc_port_names(s, names, types, &n));
    for (uint32_t i = 0; i < n && i < 512; i++) {
        if (!mask || (types[i] & mask)) {
            ctypes[c] = types[i];
            cand[c++] = names[i];
        }
    }
    if (c == 0 || rnd(16) == 0) {
        if (type)
            *type = 0;
        return rnd(2) ? MACH_PORT_NULL : 0x10000u * rnd(4) + 0x103u;
    }
    uint32_t k = rnd(c);
    if (type)
        *type = ctypes[k];
    return cand[k];
}

static mach_port_name_t pick_name(mgc_space *s)
{
    return pick(s, 0, NULL);
}

/* A disposition that usually suits the right named (sometimes a wrong one). */
static mach_msg_type_name_t disp_for(mach_port_type_t t, bool allow_receive)
{
    if (rnd(10) == 0)
        return dispositions[allow_receive ? rnd(6) : 1 + rnd(5)];
    if (t & MACH_PORT_TYPE_RECEIVE) {
        uint32_t k = rnd(allow_receive ? 4 : 3);
        return k == 0 ? MACH_MSG_TYPE_MAKE_SEND
               : k == 1 ? MACH_MSG_TYPE_MAKE_SEND_ONCE
               : k == 2 ? ((t & MACH_PORT_TYPE_SEND) ? MACH_MSG_TYPE_COPY_SEND
                                                     : MACH_MSG_TYPE_MAKE_SEND)
                        : MACH_MSG_TYPE_MOVE_RECEIVE;
    }
    if (t & MACH_PORT_TYPE_SEND)
        return rnd(2) ? MACH_MSG_TYPE_COPY_SEND : MACH_MSG_TYPE_MOVE_SEND;
    if (t & MACH_PORT_TYPE_SEND_ONCE)
        return MACH_MSG_TYPE_MOVE_SEND_ONCE;
    return rnd(2) ? MACH_MSG_TYPE_COPY_SEND : MACH_MSG_TYPE_MOVE_SEND; /* dead names */
}

static const mach_port_type_t SENDISH =
    MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_SEND_ONCE | MACH_PORT_TYPE_RECEIVE;

static void step(mgc_space **sp)
{
    mgc_space *s = sp[rnd(3)], *o = sp[rnd(3)];
    mach_port_type_t ta, tb;
    mach_port_name_t a, b, out;
    mach_msg_type_name_t t;
    rbuf r;
    switch (rnd(20)) {
    case 0:
        mgc_port_allocate(s, rnd(5) ? MACH_PORT_RIGHT_RECEIVE : MACH_PORT_RIGHT_PORT_SET, &out);
        break;
    case 1:
        mgc_port_deallocate(s, pick(s, MACH_PORT_TYPE_SEND_RIGHTS | MACH_PORT_TYPE_DEAD_NAME,
                                    NULL));
        break;
    case 2:
        if (rnd(6) == 0)
            mgc_port_destroy(s, pick_name(s));
        break;
    case 3:
        mgc_port_mod_refs(s, pick_name(s), rnd(5), (mach_port_delta_t)rnd(5) - 2);
        break;
    case 4:
    case 5:
        a = pick(s, SENDISH, &ta);
        mgc_port_extract_right(s, a, disp_for(ta, true), o, &out, &t);
        break;
    case 6:
        a = pick(s, SENDISH, &ta);
        mgc_port_insert_right(o, rnd(2) ? pick_name(o) : 0x100u * (1 + rnd(300)) + 1, s, a,
                              disp_for(ta, true));
        break;
    case 7:
    case 8:
        a = pick(s, SENDISH, &ta);
        b = rnd(3) ? pick(s, SENDISH, &tb) : MACH_PORT_NULL;
        if (send_simple(s, a, disp_for(ta, false), b, b ? disp_for(tb, false) : 0,
                        (mach_msg_id_t)rnd(1000)) == MACH_MSG_SUCCESS)
            stats.sends++;
        break;
    case 9:
    case 10: {
        cmsg m;
        a = pick(s, SENDISH, &ta);
        cmsg_init(&m, a, disp_for(ta, false), 1);
        uint32_t nd = rnd(3);
        for (uint32_t i = 0; i < nd; i++) {
            b = pick(s, SENDISH, &tb);
            cmsg_port(&m, b, disp_for(tb, true));
        }
        if (rnd(2))
            cmsg_ool(&m, 0x1000 * (1 + rnd(100)), 64, 0, MACH_MSG_VIRTUAL_COPY);
        mach_port_name_t names[2] = {pick(s, SENDISH, NULL), pick(s, SENDISH, NULL)};
        if (rnd(2))
            cmsg_ool_ports(&m, 2, rnd(2) ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_COPY_SEND);
        memcpy(m.bytes + 4, &m.size, 4);
        mgc_kmsg *k = NULL;
        mach_msg_return_t mr = mgc_msg_send(s, m.bytes, m.size, names, 2, 0, &k);
        if (mr == MACH_MSG_SUCCESS)
            stats.complex_sends++;
        if (mr == MGC_SEND_WOULD_BLOCK) {
            if (nheld < MAXHELD) {
                held[nheld] = k;
                held_from[nheld++] = s;
                stats.held++;
            } else {
                mgc_kmsg_destroy(k);
            }
        }
        break;
    }
    case 18:
    case 19:
        if (nheld) {
            int i = (int)rnd((uint32_t)nheld);
            uint32_t what = rnd(3);
            if (what == 0) {
                if (mgc_kmsg_send(held[i], 0) != MGC_SEND_WOULD_BLOCK)
                    drop_held(i);
            } else if (what == 1 && held_from[i]) {
                /* the host's send timed out: rights go back to the sender */
                cr_assert_eq(mgc_kmsg_pseudo_receive(held[i], held_from[i], r.bytes,
                                                     sizeof r.bytes, r.names, 16, &r.info) &
                                 ~MACH_MSG_IPC_SPACE,
                             MACH_MSG_SUCCESS);
                stats.pseudo_received++;
                drop_held(i);
            } else {
                mgc_kmsg_destroy(held[i]);
                drop_held(i);
            }
        }
        break;
    case 11:
    case 12:
    case 13:
        a = pick(s, MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_PORT_SET, NULL);
        if (rcv_sized(s, a, &r, rnd(3) ? 0 : MACH_RCV_LARGE, rnd(6) ? sizeof r.bytes : 40) ==
            MACH_MSG_SUCCESS) {
            stats.receives++;
            if (r.h.msgh_id >= MACH_NOTIFY_FIRST && r.h.msgh_id <= MACH_NOTIFY_LAST &&
                r.h.msgh_remote_port == MACH_PORT_NULL)
                stats.notifications++;
            if ((r.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) && rd32at(r.bytes, 24) > 0 &&
                rdesc(&r, 0)[11] == 0 && rdesc(&r, 0)[10] == MACH_MSG_TYPE_PORT_RECEIVE)
                stats.moved_receive++;
        }
        break;
    case 14:
        a = pick(s, MACH_PORT_TYPE_RECEIVE, NULL);
        b = pick(s, MACH_PORT_TYPE_PORT_SET, NULL);
        if (rnd(3) == 0)
            mgc_port_extract_member(s, a, b);
        else if (rnd(2))
            mgc_port_insert_member(s, a, b);
        else
            mgc_port_move_member(s, a, rnd(2) ? b : MACH_PORT_NULL);
        break;
    case 15: {
        static const mach_msg_id_t ids[] = {MACH_NOTIFY_DEAD_NAME, MACH_NOTIFY_NO_SENDERS,
                                            MACH_NOTIFY_PORT_DESTROYED, MACH_NOTIFY_SEND_POSSIBLE};
        mach_msg_id_t id = ids[rnd(4)];
        a = pick(s, id == MACH_NOTIFY_NO_SENDERS || id == MACH_NOTIFY_PORT_DESTROYED
                        ? MACH_PORT_TYPE_RECEIVE
                        : MACH_PORT_TYPE_SEND_RIGHTS | MACH_PORT_TYPE_DEAD_NAME,
                 NULL);
        b = rnd(5) ? pick(s, MACH_PORT_TYPE_RECEIVE, NULL) : MACH_PORT_NULL;
        mgc_port_request_notification(s, a, id, rnd(2), s, b, MACH_MSG_TYPE_MAKE_SEND_ONCE, &out);
        break;
    }
    case 16: {
        mach_port_limits_t lim = {.mpl_qlimit = rnd(4)};
        mgc_port_set_attributes(s, pick(s, MACH_PORT_TYPE_RECEIVE, NULL), MACH_PORT_LIMITS_INFO,
                                (mach_port_info_t)&lim, 1);
        break;
    }
    case 17:
        if (rnd(60) == 0) {
            int i = (int)rnd(3);
            for (int j = 0; j < nheld; j++) {
                if (held_from[j] == sp[i])
                    held_from[j] = NULL; /* its sender is gone */
            }
            mgc_space_destroy(sp[i]);
            sp[i] = mgc_space_create(core, NULL);
            stats.space_deaths++;
        }
        break;
    }
}

static void run_seed(uint64_t seed, int steps)
{
    rng = seed;
    nheld = 0;
    memset(&stats, 0, sizeof stats);
    mgc_space *sp[3] = {A, B, mgc_space_create(core, NULL)};
    for (int i = 0; i < steps; i++) {
        step(sp);
        check_invariants();
    }
    cr_log_info("seed %llu: %d sends, %d complex, %d receives, %d notifications, "
                "%d receive rights moved, %d task deaths, %d blocked, %d pseudo-received",
                (unsigned long long)seed, stats.sends, stats.complex_sends, stats.receives,
                stats.notifications, stats.moved_receive, stats.space_deaths, stats.held,
                stats.pseudo_received);
    /* The sequence must really exercise messaging, or the test proves little. */
    cr_assert_gt(stats.sends, 300);
    cr_assert_gt(stats.complex_sends, 200);
    cr_assert_gt(stats.receives, 300);
    cr_assert_gt(stats.notifications, 100);
    cr_assert_gt(stats.moved_receive, 0);
    cr_assert_gt(stats.held, 10);
    cr_assert_gt(stats.pseudo_received, 3);
    while (nheld) {
        mgc_kmsg_destroy(held[0]);
        drop_held(0);
    }
    cr_assert_gt(stats.space_deaths, 0);
    A = sp[0];
    B = sp[1];
    mgc_space_destroy(sp[2]);
    mgc_space_destroy(A);
    mgc_space_destroy(B);
    A = B = NULL;
    cr_assert_eq(mgc_core_object_count(core), 0u, "seed %llu leaked objects",
                 (unsigned long long)seed);
    cr_assert_null(core->ports);
    cr_assert_eq(core->queued_bytes, 0u);
}

TestSuite(random, .init = core_setup, .fini = core_teardown, .timeout = 60);

Test(random, seed_1) { run_seed(1, 8000); }
Test(random, seed_2) { run_seed(2, 8000); }
Test(random, seed_3) { run_seed(3, 8000); }
Test(random, seed_4) { run_seed(0xdeadbeef, 8000); }
