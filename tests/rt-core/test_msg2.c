/* Messages, continued: guarded port descriptors, MACH_RCV_LARGE_IDENTITY. */
#include "core_test_util.h"

TestSuite(msg2, .init = core_setup, .fini = core_teardown);

static void cmsg_guarded(cmsg *m, mach_port_name_t name, uint64_t ctx, unsigned flags)
{
    mach_msg_guarded_port_descriptor64_t d;
    memset(&d, 0, sizeof d);
    d.context = ctx;
    d.flags = flags;
    d.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
    d.type = MACH_MSG_GUARDED_PORT_DESCRIPTOR;
    d.name = name;
    memcpy(m->bytes + m->size, &d, sizeof d);
    m->size += sizeof d;
    m->ndesc++;
    memcpy(m->bytes + sizeof(mach_msg_header_t), &m->ndesc, 4);
}

Test(msg2, guarded_descriptor_moves_guarded_receive_right)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t g = new_port(B);
    OK(mgc_port_guard(B, g, 0xcafe, 0));
    cmsg m;
    /* Wrong guard, or claiming "unguarded" for a guarded port. */
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_guarded(&m, g, 0xbad, MACH_MSG_GUARD_FLAGS_IMMOVABLE_RECEIVE);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_RIGHT);
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_guarded(&m, g, 0, MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_RIGHT);
    cr_assert_eq(type_of(B, g), MACH_PORT_TYPE_RECEIVE);
    /* Malformed guarded descriptors are type errors. */
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_guarded(&m, g, 0xcafe, 0);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_TYPE, "flags must be set");
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_guarded(&m, g, 0xcafe, MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_TYPE, "context must be 0");
    /* The right guard with IMMOVABLE_RECEIVE: the receiver (opted in) gets
     * it guarded by its receive buffer address and immovable. */
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_guarded(&m, g, 0xcafe, MACH_MSG_GUARD_FLAGS_IMMOVABLE_RECEIVE);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(type_of(B, g), 0xdeadbeef);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, MACH_RCV_GUARDED_DESC), MACH_MSG_SUCCESS);
    const uint8_t *d = rdesc(&r, 0);
    cr_assert_eq(d[11], MACH_MSG_GUARDED_PORT_DESCRIPTOR);
    cr_assert_eq(d[10], MACH_MSG_TYPE_PORT_RECEIVE);
    cr_assert_eq(d[8], MACH_MSG_GUARD_FLAGS_IMMOVABLE_RECEIVE);
    uint64_t guard;
    memcpy(&guard, d, 8);
    cr_assert_eq(guard, (uint64_t)(uintptr_t)r.bytes, "guard = receive buffer address");
    mach_port_name_t got = rd32at(d, 12);
    cr_assert_eq(type_of(A, got), MACH_PORT_TYPE_RECEIVE);
    mach_port_status_t st = status_of(A, got);
    cr_assert(st.mps_flags & MACH_PORT_STATUS_FLAG_GUARDED);
    cr_assert(st.mps_flags & MACH_PORT_STATUS_FLAG_GUARD_IMMOVABLE_RECEIVE);
    cr_assert_eq(mgc_port_mod_refs(A, got, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_RIGHT);
    /* Immovable: not even a plain descriptor can move it. */
    mach_port_name_t bs;
    mach_msg_type_name_t t;
    mach_port_name_t bport = new_port(B);
    OK(mgc_port_extract_right(B, bport, MACH_MSG_TYPE_MAKE_SEND, A, &bs, &t));
    cmsg_init(&m, bs, MACH_MSG_TYPE_COPY_SEND, 2);
    cmsg_port(&m, got, MACH_MSG_TYPE_MOVE_RECEIVE);
    cr_assert_eq(cmsg_send(A, &m, NULL, 0), MACH_SEND_INVALID_RIGHT);
    OK(mgc_port_destruct(A, got, 0, guard));
}

Test(msg2, guarded_but_movable_port_moves_in_a_plain_descriptor)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t g = new_port(B);
    OK(mgc_port_guard(B, g, 0x99, 0));
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, g, MACH_MSG_TYPE_MOVE_RECEIVE);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    mach_port_name_t got = rd32at(rdesc(&r, 0), 0);
    cr_assert_eq(status_of(A, got).mps_flags, 0u, "moving unguards the port");
    OK(mgc_port_mod_refs(A, got, MACH_PORT_RIGHT_RECEIVE, -1));
}

Test(msg2, guarded_descriptor_destroyed_without_opt_in)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t g = new_port(B);
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_guarded(&m, g, 0, MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    uint32_t before = mgc_core_object_count(core);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    const uint8_t *d = rdesc(&r, 0);
    cr_assert_eq(rd32at(d, 12), MACH_PORT_NULL);
    cr_assert_eq(rd32at(d, 0), 0u);
    cr_assert_eq(rd32at(d, 4), 0u);
    cr_assert_eq(mgc_core_object_count(core), before - 1, "the receive right died");
}

Test(msg2, reply_ports_only_give_send_once_rights_in_headers)
{
    mach_port_options_t o;
    memset(&o, 0, sizeof o);
    o.flags = MPO_REPLY_PORT;
    mach_port_name_t rp, n;
    mach_msg_type_name_t t;
    OK(mgc_port_construct(B, &o, 0, &rp));
    cr_assert_eq(mgc_port_extract_right(B, rp, MACH_MSG_TYPE_MAKE_SEND, A, &n, &t),
                 KERN_INVALID_CAPABILITY);
    cr_assert_eq(mgc_port_extract_right(B, rp, MACH_MSG_TYPE_MAKE_SEND_ONCE, A, &n, &t),
                 KERN_INVALID_CAPABILITY);
    cr_assert_eq(mgc_port_extract_right(B, rp, MACH_MSG_TYPE_MOVE_RECEIVE, A, &n, &t),
                 KERN_INVALID_CAPABILITY);
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, rp, MACH_MSG_TYPE_MAKE_SEND_ONCE,
                             1), MACH_MSG_SUCCESS, "the MIG reply pattern works");
    cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, rp, MACH_MSG_TYPE_MAKE_SEND, 2),
                 MACH_SEND_INVALID_REPLY);
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 3);
    cmsg_port(&m, rp, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_RIGHT, "not in a descriptor");
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(send_simple(A, r.h.msgh_remote_port, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 101),
                 MACH_MSG_SUCCESS);
    cr_assert_eq(rcv(B, rp, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, 101);
}

Test(msg2, rcv_large_identity_reports_the_port)
{
    mach_port_name_t ps, p1 = new_port(A);
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    OK(mgc_port_insert_member(A, p1, ps));
    send_simple(A, p1, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1);
    rbuf r;
    cr_assert_eq(rcv_sized(A, ps, &r, MACH_RCV_LARGE | MACH_RCV_LARGE_IDENTITY, 32),
                 MACH_RCV_TOO_LARGE);
    cr_assert_eq(r.h.msgh_size, sizeof(simple_msg));
    cr_assert_eq(r.h.msgh_local_port, p1);
    cr_assert_eq(rcv_sized(A, ps, &r, MACH_RCV_LARGE, 32), MACH_RCV_TOO_LARGE);
    cr_assert_eq(r.h.msgh_local_port, 0xa5a5a5a5u, "untouched without IDENTITY");
    cr_assert_eq(rcv(A, ps, &r, 0), MACH_MSG_SUCCESS);
}

Test(msg2, port_in_several_sets)
{
    mach_port_name_t s1, s2, p = new_port(A), q = new_port(A);
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &s1));
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &s2));
    OK(mgc_port_insert_member(A, p, s1));
    OK(mgc_port_insert_member(A, p, s2));
    OK(mgc_port_insert_member(A, q, s2));
    cr_assert_eq(status_of(A, p).mps_pset, 1u, "XNU reports membership, not a count");
    int arrived = th.arrived;
    send_simple(A, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1);
    cr_assert_eq(th.arrived, arrived + 2, "one wake-up per set");
    rbuf r;
    cr_assert_eq(rcv(A, s2, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_local_port, p);
    cr_assert_eq(rcv(A, s1, &r, 0), MGC_RCV_WOULD_BLOCK);
    /* move_member leaves every set for the one named. */
    OK(mgc_port_move_member(A, p, s1));
    cr_assert_eq(status_of(A, p).mps_pset, 1u);
    mach_port_name_t names[4];
    uint32_t n = 4;
    OK(mgc_port_get_set_status(A, s2, names, &n));
    cr_assert_eq(n, 1u);
    cr_assert_eq(names[0], q);
    /* Destroying a set leaves the others intact. */
    OK(mgc_port_insert_member(A, p, s2));
    OK(mgc_port_destroy(A, s1));
    cr_assert_eq(status_of(A, p).mps_pset, 1u);
    n = 4;
    OK(mgc_port_get_set_status(A, s2, names, &n));
    cr_assert_eq(n, 2u);
    /* The port's death leaves its sets. */
    OK(mgc_port_mod_refs(A, p, MACH_PORT_RIGHT_RECEIVE, -1));
    n = 4;
    OK(mgc_port_get_set_status(A, s2, names, &n));
    cr_assert_eq(n, 1u);
    cr_assert_eq(names[0], q);
}

Test(msg2, port_set_serves_members_round_robin)
{
    mach_port_name_t ps, p1 = new_port(A), p2 = new_port(A);
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    OK(mgc_port_insert_member(A, p1, ps));
    OK(mgc_port_insert_member(A, p2, ps));
    for (int i = 0; i < 3; i++) {
        send_simple(A, p1, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 10 + i);
        send_simple(A, p2, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 20 + i);
    }
    static const mach_msg_id_t want[] = {10, 20, 11, 21, 12, 22};
    for (int i = 0; i < 6; i++) {
        rbuf r;
        cr_assert_eq(rcv(A, ps, &r, 0), MACH_MSG_SUCCESS);
        cr_assert_eq(r.h.msgh_id, want[i], "receive %d", i);
    }
}

Test(msg2, host_callbacks_for_blocked_receivers)
{
    mach_port_name_t p = new_port(A), ps;
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    int g = th.gone;
    OK(mgc_port_insert_member(A, p, ps));
    cr_assert_eq(th.gone, g, "receivers on a port that joins a set keep waiting (XNU)");
    /* XNU wakes receivers of a destroyed port or set with THREAD_RESTART:
     * MACH_RCV_PORT_CHANGED */
    OK(mgc_port_destroy(A, ps));
    cr_assert_eq(th.last_gone_name, ps);
    cr_assert_eq(th.last_gone_why, MACH_RCV_PORT_CHANGED);
    OK(mgc_port_mod_refs(A, p, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(th.last_gone_name, p);
    cr_assert_eq(th.last_gone_why, MACH_RCV_PORT_CHANGED);
    /* Death of a port with a blocked sender: the host is told to retry. */
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_limits_t lim = {.mpl_qlimit = 0};
    OK(mgc_port_set_attributes(A, svc, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    simple_msg m;
    memset(&m, 0, sizeof m);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    m.h.msgh_remote_port = s;
    mgc_kmsg *k;
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, &k), MGC_SEND_WOULD_BLOCK);
    int sp = th.send_possible;
    OK(mgc_port_mod_refs(A, svc, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(th.send_possible, sp + 1);
    cr_assert_eq(mgc_kmsg_send(k, 0), MACH_MSG_SUCCESS, "a dead destination swallows it");
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_DEAD_NAME);
}

Test(msg2, ool_ports_errors)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t p1 = new_port(B), rp = new_port(B);
    mach_port_name_t names[2] = {p1, 0x99903};
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    m.bytes[1] = MACH_MSG_TYPE_MAKE_SEND_ONCE;
    memcpy(m.bytes + 12, &rp, 4);
    cmsg_ool_ports(&m, 2, MACH_MSG_TYPE_MAKE_SEND);
    cr_assert_eq(cmsg_send(B, &m, names, 2), MACH_SEND_INVALID_RIGHT);
    cr_assert_eq(status_of(B, p1).mps_srights, 0, "the element copied in was released");
    cr_assert_eq(status_of(B, p1).mps_mscount, 1u);
    rbuf r;
    cr_assert_eq(rcv(B, rp, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, MACH_NOTIFY_SEND_ONCE, "header reply right destroyed too");
    /* A bad disposition fails on a valid name only. */
    names[1] = MACH_PORT_NULL;
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_ool_ports(&m, 2, 3);
    cr_assert_eq(cmsg_send(B, &m, names, 2), MACH_SEND_INVALID_RIGHT);
    names[0] = MACH_PORT_NULL;
    cr_assert_eq(cmsg_send(B, &m, names, 2), MACH_MSG_SUCCESS);
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.names[0], MACH_PORT_NULL);
    cr_assert_eq(r.names[1], MACH_PORT_NULL);
}
