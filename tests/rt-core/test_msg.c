/* Messages: dispositions and received bits, queueing, receive, trailers,
 * too-large handling, descriptors, MOVE_RECEIVE between spaces. */
#include "core_test_util.h"

TestSuite(msg, .init = core_setup, .fini = core_teardown);

Test(msg, copy_send_with_make_send_once_reply)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t reply = new_port(B);
    cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, reply,
                             MACH_MSG_TYPE_MAKE_SEND_ONCE, 500), MACH_MSG_SUCCESS);
    cr_assert_eq(th.arrived, 1);
    cr_assert_eq(th.last_arrived_name, svc);
    cr_assert_eq(refs_of(B, dest, MACH_PORT_RIGHT_SEND), 1u, "COPY_SEND keeps the right");
    cr_assert_eq(status_of(B, reply).mps_sorights, 1u);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
                                               MACH_MSG_TYPE_PORT_SEND));
    cr_assert_eq(r.h.msgh_local_port, svc, "destination arrives as the receive name");
    cr_assert_eq(r.h.msgh_id, 500);
    cr_assert_eq(r.h.msgh_size, sizeof(simple_msg));
    cr_assert_eq(r.info.msg_size, sizeof(simple_msg));
    mach_port_name_t so = r.h.msgh_remote_port;
    cr_assert_eq(type_of(A, so), MACH_PORT_TYPE_SEND_ONCE);
    uint32_t w;
    memcpy(&w, r.bytes + sizeof(mach_msg_header_t) + 4, 4);
    cr_assert_eq(w, 50001u);
    /* Minimal trailer by default. */
    mach_msg_trailer_t t;
    memcpy(&t, r.bytes + sizeof(simple_msg), sizeof t);
    cr_assert_eq(t.msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
    cr_assert_eq(t.msgh_trailer_size, sizeof(mach_msg_trailer_t));
    /* Reply with the send-once right: MOVE_SEND_ONCE arrives as 18. */
    cr_assert_eq(send_simple(A, so, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 600), MACH_MSG_SUCCESS);
    cr_assert_eq(mgc_port_type(A, so, &(mach_port_type_t){0}), KERN_INVALID_NAME);
    cr_assert_eq(rcv(B, reply, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_bits, MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
    cr_assert_eq(r.h.msgh_local_port, reply);
    cr_assert_eq(r.h.msgh_remote_port, MACH_PORT_NULL);
    cr_assert_eq(status_of(B, reply).mps_sorights, 0u);
}

Test(msg, reply_dispositions_received_bits)
{
    struct {
        mach_msg_type_name_t disp, got;
    } cases[] = {
        {MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_PORT_SEND},
        {MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_PORT_SEND},
        {MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_PORT_SEND},
        {MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND_ONCE},
    };
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mach_port_name_t rp = new_port(B);
        if (cases[i].disp == MACH_MSG_TYPE_COPY_SEND || cases[i].disp == MACH_MSG_TYPE_MOVE_SEND)
            OK(mgc_port_insert_right(B, rp, B, rp, MACH_MSG_TYPE_MAKE_SEND));
        cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, rp, cases[i].disp, 1),
                     MACH_MSG_SUCCESS);
        rbuf r;
        cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
        cr_assert_eq(MACH_MSGH_BITS_REMOTE(r.h.msgh_bits), cases[i].got, "case %u", i);
        cr_assert_eq(MACH_MSGH_BITS_LOCAL(r.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
        mach_port_type_t want = cases[i].got == MACH_MSG_TYPE_PORT_SEND ? MACH_PORT_TYPE_SEND
                                                                        : MACH_PORT_TYPE_SEND_ONCE;
        cr_assert_eq(type_of(A, r.h.msgh_remote_port), want);
        if (cases[i].disp == MACH_MSG_TYPE_MOVE_SEND)
            cr_assert_eq(type_of(B, rp), MACH_PORT_TYPE_RECEIVE, "moved the only send uref");
    }
    /* A send right arriving twice coalesces into one name. */
    mach_port_name_t rp = new_port(B);
    rbuf r1, r2;
    send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, rp, MACH_MSG_TYPE_MAKE_SEND, 1);
    send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, rp, MACH_MSG_TYPE_MAKE_SEND, 2);
    cr_assert_eq(rcv(A, svc, &r1, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(rcv(A, svc, &r2, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r1.h.msgh_remote_port, r2.h.msgh_remote_port);
    cr_assert_eq(refs_of(A, r1.h.msgh_remote_port, MACH_PORT_RIGHT_SEND), 2u);
    cr_assert_eq(status_of(B, rp).mps_mscount, 2u);
}

Test(msg, destination_dispositions)
{
    mach_port_name_t p = new_port(A);
    /* MAKE_SEND to own receive right: arrives as 17, no right left behind. */
    cr_assert_eq(send_simple(A, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1), MACH_MSG_SUCCESS);
    cr_assert_eq(send_simple(A, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 2), MACH_MSG_SUCCESS);
    rbuf r;
    cr_assert_eq(rcv(A, p, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_bits, MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND));
    cr_assert_eq(rcv(A, p, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_bits, MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
    mach_port_status_t st = status_of(A, p);
    cr_assert_eq(st.mps_srights, 0);
    cr_assert_eq(st.mps_sorights, 0u);
    cr_assert_eq(st.mps_mscount, 1u);
    cr_assert_eq(st.mps_seqno, 2u);
    cr_assert_eq(type_of(A, p), MACH_PORT_TYPE_RECEIVE);
    /* MOVE_SEND consumes the sender's uref. */
    mach_port_name_t svc, d = send_right_to(A, B, &svc);
    cr_assert_eq(send_simple(B, d, MACH_MSG_TYPE_MOVE_SEND, 0, 0, 3), MACH_MSG_SUCCESS);
    cr_assert_eq(mgc_port_type(B, d, &(mach_port_type_t){0}), KERN_INVALID_NAME);
    cr_assert_eq(status_of(A, svc).mps_srights, 1, "in the queued message");
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(status_of(A, svc).mps_srights, 0, "consumed on delivery");
}

Test(msg, header_errors_leave_rights_untouched)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t rp = new_port(B);
    simple_msg m;
    memset(&m, 0, sizeof m);
    m.h.msgh_remote_port = dest;
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, 0);
    cr_assert_eq(mgc_msg_send(B, &m, 20, NULL, 0, 0, NULL), MACH_SEND_MSG_TOO_SMALL);
    cr_assert_eq(mgc_msg_send(B, &m, 26, NULL, 0, 0, NULL), MACH_SEND_MSG_TOO_SMALL);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_RECEIVE, 0);
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_HEADER);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, 0) | 0x00002000u;
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_HEADER);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, 0);
    m.h.msgh_local_port = rp; /* name without a disposition */
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_HEADER);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MOVE_RECEIVE);
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_HEADER);
    /* Reply right B does not have: the MOVE_SEND of dest is not consumed. */
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MOVE_SEND);
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_REPLY);
    cr_assert_eq(refs_of(B, dest, MACH_PORT_RIGHT_SEND), 1u);
    m.h.msgh_local_port = 0x77703;
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_REPLY);
    cr_assert_eq(refs_of(B, dest, MACH_PORT_RIGHT_SEND), 1u);
    /* Destination errors. */
    m.h.msgh_local_port = rp;
    m.h.msgh_remote_port = MACH_PORT_NULL;
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_DEST);
    m.h.msgh_remote_port = 0x88803;
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_DEST);
    m.h.msgh_remote_port = rp; /* B holds only the receive right */
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_DEST);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_DEST,
                 "same name with a move-send-once");
    /* Voucher: machgen has none, any voucher name is invalid. */
    m.h.msgh_remote_port = dest;
    m.h.msgh_local_port = 0;
    m.h.msgh_voucher_port = rp;
    m.h.msgh_bits = MACH_MSGH_BITS_SET_PORTS(MACH_MSG_TYPE_COPY_SEND, 0, MACH_MSG_TYPE_MOVE_SEND);
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, NULL), MACH_SEND_INVALID_VOUCHER);
    cr_assert_eq(status_of(B, rp).mps_sorights, 0u, "nothing leaked");
    cr_assert_eq(status_of(B, rp).mps_mscount, 0u);
    cr_assert_eq(status_of(A, svc).mps_msgcount, 0u);
}

Test(msg, dead_destination)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    OK(mgc_port_mod_refs(A, svc, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
    cr_assert_eq(type_of(B, dest), MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_MOVE_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
    cr_assert_eq(refs_of(B, dest, MACH_PORT_RIGHT_DEAD_NAME), 1u);
}

Test(msg, dead_reply_port_travels_as_dead)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t r2, d2 = send_right_to(A, B, &r2);
    OK(mgc_port_mod_refs(A, r2, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, d2, MACH_MSG_TYPE_MOVE_SEND, 9),
                 MACH_MSG_SUCCESS);
    cr_assert_eq(mgc_port_type(B, d2, &(mach_port_type_t){0}), KERN_INVALID_NAME,
                 "moving the dead name consumed its uref");
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_remote_port, MACH_PORT_DEAD);
    cr_assert_eq(MACH_MSGH_BITS_REMOTE(r.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
}

Test(msg, queue_limit_and_would_block)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    for (int i = 0; i < MACH_PORT_QLIMIT_DEFAULT; i++)
        cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, 0, 0, i), MACH_MSG_SUCCESS);
    simple_msg m;
    memset(&m, 0, sizeof m);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    m.h.msgh_remote_port = dest;
    mach_port_name_t rp = new_port(B);
    m.h.msgh_local_port = rp;
    m.h.msgh_id = 99;
    mgc_kmsg *blocked = NULL;
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, &blocked), MGC_SEND_WOULD_BLOCK);
    cr_assert_not_null(blocked);
    cr_assert_eq(status_of(B, rp).mps_sorights, 1u, "kmsg holds the reply right");
    /* A send-once destination bypasses the limit. */
    mach_port_name_t so, t;
    mach_msg_type_name_t tt;
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &so, &tt));
    cr_assert_eq(send_simple(B, so, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 7), MACH_MSG_SUCCESS);
    cr_assert_eq(status_of(A, svc).mps_msgcount, 6u);
    rbuf r;
    int before = th.send_possible;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, 0, "FIFO");
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_gt(th.send_possible, before, "host told to retry blocked senders");
    cr_assert_eq(mgc_kmsg_send(blocked, 0), MACH_MSG_SUCCESS);
    for (int i = 2; i < 5; i++) {
        cr_assert_eq(rcv(A, svc, &r, MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO)),
                     MACH_MSG_SUCCESS);
        cr_assert_eq(r.h.msgh_id, i);
        mach_msg_seqno_trailer_t tr;
        memcpy(&tr, r.bytes + r.h.msgh_size, sizeof tr);
        cr_assert_eq(tr.msgh_seqno, (uint32_t)i);
    }
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, 7);
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, 99);
    cr_assert_eq(rcv(A, svc, &r, 0), MGC_RCV_WOULD_BLOCK);
    /* A blocked message the host gives up on releases its rights. */
    for (int i = 0; i < 5; i++)
        send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, 0, 0, i);
    mach_port_name_t rp2 = new_port(B);
    m.h.msgh_local_port = rp2;
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, &blocked), MGC_SEND_WOULD_BLOCK);
    mgc_kmsg_destroy(blocked);
    cr_assert_eq(rcv(B, rp2, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, MACH_NOTIFY_SEND_ONCE, "destroyed reply right notifies");
    (void)t;
}

Test(msg, qlimit_zero_blocks_everything_but_send_once)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_limits_t lim = {.mpl_qlimit = 0};
    OK(mgc_port_set_attributes(A, svc, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    mgc_kmsg *k = NULL;
    simple_msg m;
    memset(&m, 0, sizeof m);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    m.h.msgh_remote_port = dest;
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, &k), MGC_SEND_WOULD_BLOCK);
    cr_assert_eq(mgc_kmsg_destination(k) != NULL, 1);
    lim.mpl_qlimit = 1;
    int sp = th.send_possible;
    OK(mgc_port_set_attributes(A, svc, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    cr_assert_eq(th.send_possible, sp + 1);
    cr_assert_eq(mgc_kmsg_send(k, 0), MACH_MSG_SUCCESS);
}

Test(msg, receive_errors)
{
    mach_port_name_t p = new_port(A), ps, d;
    rbuf r;
    cr_assert_eq(rcv(A, 0x55503, &r, 0), MACH_RCV_INVALID_NAME);
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &d));
    cr_assert_eq(rcv(A, d, &r, 0), MACH_RCV_INVALID_NAME);
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    cr_assert_eq(rcv(B, s, &r, 0), MACH_RCV_INVALID_NAME, "send right cannot receive");
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    OK(mgc_port_insert_member(A, p, ps));
    cr_assert_eq(rcv(A, p, &r, 0), MGC_RCV_WOULD_BLOCK, "XNU receives from a member directly");
    cr_assert_eq(rcv(A, ps, &r, 0), MGC_RCV_WOULD_BLOCK);
    send_simple(A, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1);
    /* XNU ignores the trailer-type bits (format 0 is the only one). */
    cr_assert_eq(rcv(A, ps, &r, MACH_RCV_TRAILER_TYPE(1)), MACH_MSG_SUCCESS);
    cr_assert_eq(r.info.trailer_size, sizeof(mach_msg_trailer_t));
}

Test(msg, port_set_receive_and_arrival_callback)
{
    mach_port_name_t ps, p1 = new_port(A), p2 = new_port(A);
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    OK(mgc_port_insert_member(A, p1, ps));
    OK(mgc_port_insert_member(A, p2, ps));
    send_simple(A, p2, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 2);
    cr_assert_eq(th.last_arrived_name, p2);
    cr_assert_eq(th.last_arrived_pset, ps);
    send_simple(A, p1, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1);
    rbuf r;
    cr_assert_eq(rcv(A, ps, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.info.port_name, r.h.msgh_local_port);
    cr_assert(r.h.msgh_local_port == p1 || r.h.msgh_local_port == p2);
    mach_port_name_t first = r.h.msgh_local_port;
    cr_assert_eq(rcv(A, ps, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_neq(r.h.msgh_local_port, first);
    cr_assert_eq(rcv(A, ps, &r, 0), MGC_RCV_WOULD_BLOCK);
}

Test(msg, trailers_carry_sender_credentials)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    OK(mgc_port_set_context(A, svc, 0x1122334455667788ull));
    for (int elem = 0; elem <= 4; elem++) {
        send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, 0, 0, 3);
        rbuf r;
        mach_msg_option_t o = MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) |
                              MACH_RCV_TRAILER_ELEMENTS(elem);
        cr_assert_eq(rcv(A, svc, &r, o), MACH_MSG_SUCCESS);
        static const uint32_t sizes[] = {8, 12, 20, 52, 60};
        cr_assert_eq(r.info.trailer_size, sizes[elem]);
        mach_msg_context_trailer_t t;
        memcpy(&t, r.bytes + r.h.msgh_size, sizeof t);
        cr_assert_eq(t.msgh_trailer_size, sizes[elem]);
        cr_assert_eq(r.bytes[r.h.msgh_size + sizes[elem]], 0xa5, "nothing past the trailer");
        if (elem >= 1)
            cr_assert_eq(t.msgh_seqno, (uint32_t)elem);
        if (elem >= 2) {
            cr_assert_eq(t.msgh_sender.val[0], 602u, "euid of B");
            cr_assert_eq(t.msgh_sender.val[1], 31u);
        }
        if (elem >= 3) {
            const uint32_t want[8] = {8, 602, 31, 601, 30, 200, 98, 4};
            for (int i = 0; i < 8; i++)
                cr_assert_eq(t.msgh_audit.val[i], want[i], "audit[%d]", i);
        }
        if (elem >= 4)
            cr_assert_eq(t.msgh_context, 0x1122334455667788ull);
    }
    /* Larger element requests get the full 68-byte trailer. */
    send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, 0, 0, 3);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_LABELS)),
                 MACH_MSG_SUCCESS);
    cr_assert_eq(r.info.trailer_size, 68u);
}

Test(msg, too_large_with_and_without_rcv_large)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t rp = new_port(B);
    send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, rp, MACH_MSG_TYPE_MAKE_SEND_ONCE, 42);
    rbuf r;
    /* Message (56) + minimal trailer (8) does not fit in 60. */
    cr_assert_eq(rcv_sized(A, svc, &r, MACH_RCV_LARGE, 60), MACH_RCV_TOO_LARGE);
    cr_assert_eq(r.h.msgh_size, sizeof(simple_msg), "needed size reported");
    cr_assert_eq(status_of(A, svc).mps_msgcount, 1u, "message kept");
    cr_assert_eq(rcv_sized(A, svc, &r, MACH_RCV_LARGE, 64), MACH_MSG_SUCCESS);
    mach_port_name_t so = r.h.msgh_remote_port;
    OK(mgc_port_deallocate(A, so));
    /* Without MACH_RCV_LARGE the message is destroyed. */
    rbuf reply;
    cr_assert_eq(rcv(B, rp, &reply, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(reply.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
    send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, rp, MACH_MSG_TYPE_MAKE_SEND_ONCE, 43);
    cr_assert_eq(rcv_sized(A, svc, &r, 0, 40), MACH_RCV_TOO_LARGE);
    cr_assert_eq(r.h.msgh_size, sizeof(mach_msg_header_t));
    cr_assert_eq(r.h.msgh_local_port, svc);
    cr_assert_eq(r.h.msgh_remote_port, MACH_PORT_NULL);
    cr_assert_eq(r.h.msgh_id, 43);
    cr_assert_eq(r.h.msgh_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
                                               MACH_MSG_TYPE_PORT_SEND));
    cr_assert_eq(status_of(A, svc).mps_msgcount, 0u);
    cr_assert_eq(status_of(A, svc).mps_seqno, 2u, "the dropped message used a seqno");
    cr_assert_eq(rcv(B, rp, &reply, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(reply.h.msgh_id, MACH_NOTIFY_SEND_ONCE, "its reply right was destroyed");
    cr_assert_eq(mgc_space_name_count(A), 1u);
}

Test(msg, port_descriptors_every_disposition)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t r1 = new_port(B), r2 = new_port(B), r3 = new_port(B);
    OK(mgc_port_insert_right(B, r2, B, r2, MACH_MSG_TYPE_MAKE_SEND));
    OK(mgc_port_mod_refs(B, r2, MACH_PORT_RIGHT_SEND, 1));
    mach_port_name_t so;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(B, r3, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &so, &t));
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 77);
    cmsg_port(&m, r1, MACH_MSG_TYPE_MAKE_SEND);
    cmsg_port(&m, r1, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    cmsg_port(&m, r2, MACH_MSG_TYPE_COPY_SEND);
    cmsg_port(&m, r2, MACH_MSG_TYPE_MOVE_SEND);
    cmsg_port(&m, so, MACH_MSG_TYPE_MOVE_SEND_ONCE);
    cmsg_port(&m, r3, MACH_MSG_TYPE_MOVE_RECEIVE);
    cmsg_port(&m, MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND);
    cmsg_port(&m, MACH_PORT_DEAD, MACH_MSG_TYPE_MOVE_SEND);
    cmsg_inline(&m, 0xfeedf00d);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(refs_of(B, r2, MACH_PORT_RIGHT_SEND), 1u);
    cr_assert_eq(type_of(B, r3), 0xdeadbeef, "receive right left B");
    cr_assert_eq(type_of(B, so), 0xdeadbeef);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert(r.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
    cr_assert_eq(rd32at(r.bytes, 24), 8u);
    static const mach_msg_type_name_t want[] = {17, 18, 17, 17, 18, 16, 17, 17};
    mach_port_name_t names[8];
    for (uint32_t i = 0; i < 8; i++) {
        const uint8_t *d = rdesc(&r, i);
        cr_assert_eq(d[11], MACH_MSG_PORT_DESCRIPTOR);
        cr_assert_eq(d[10], want[i], "descriptor %u", i);
        names[i] = rd32at(d, 0);
    }
    cr_assert_eq(names[2], names[3], "two send rights for r2 coalesce");
    cr_assert_eq(refs_of(A, names[2], MACH_PORT_RIGHT_SEND), 2u);
    cr_assert_neq(names[0], names[1]);
    cr_assert_eq(type_of(A, names[0]), MACH_PORT_TYPE_SEND);
    cr_assert_eq(type_of(A, names[1]), MACH_PORT_TYPE_SEND_ONCE);
    cr_assert_eq(type_of(A, names[4]), MACH_PORT_TYPE_SEND_ONCE);
    cr_assert_eq(type_of(A, names[5]), MACH_PORT_TYPE_RECEIVE);
    cr_assert_eq(names[6], MACH_PORT_NULL);
    cr_assert_eq(names[7], MACH_PORT_DEAD);
    cr_assert_eq(rd32at(rdesc(&r, 7), 12), 0xfeedf00du, "inline data after descriptors");
    /* The moved receive right works in A and not in B. */
    send_simple(A, names[5], MACH_MSG_TYPE_MAKE_SEND, 0, 0, 5);
    rbuf r5;
    cr_assert_eq(rcv(A, names[5], &r5, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(rcv(B, r3, &r5, 0), MACH_RCV_INVALID_NAME);
    /* The send-once made from r3 still targets the moved port. */
    cr_assert_eq(send_simple(A, names[4], MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 6), MACH_MSG_SUCCESS);
    cr_assert_eq(rcv(A, names[5], &r5, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r5.h.msgh_id, 6);
}

Test(msg, move_receive_keeps_queue_and_resets_state)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1);
    send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, 0, 0, 2);
    mach_port_name_t carrier = new_port(B), cs;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(B, carrier, MACH_MSG_TYPE_MAKE_SEND, A, &cs, &t));
    cmsg m;
    cmsg_init(&m, cs, MACH_MSG_TYPE_COPY_SEND, 10);
    cmsg_port(&m, svc, MACH_MSG_TYPE_MOVE_RECEIVE);
    int gone = th.gone;
    cr_assert_eq(cmsg_send(A, &m, NULL, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(th.gone, gone + 1, "waiters on A's name are released");
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_RCV_INVALID_NAME, "A can no longer receive");
    /* While in transit, sends still queue on the port. */
    cr_assert_eq(send_simple(B, dest, MACH_MSG_TYPE_COPY_SEND, 0, 0, 3), MACH_MSG_SUCCESS);
    cr_assert_eq(rcv(B, carrier, &r, 0), MACH_MSG_SUCCESS);
    mach_port_name_t moved = rd32at(rdesc(&r, 0), 0);
    cr_assert_eq(moved, dest, "coalesces with B's send right");
    cr_assert_eq(type_of(B, moved), MACH_PORT_TYPE_SEND_RECEIVE);
    mach_port_status_t st = status_of(B, moved);
    cr_assert_eq(st.mps_msgcount, 3u);
    cr_assert_eq(st.mps_mscount, 0u, "make-send count reset on move");
    cr_assert_eq(st.mps_seqno, 0u);
    for (int i = 1; i <= 3; i++) {
        cr_assert_eq(rcv(B, moved, &r, 0), MACH_MSG_SUCCESS);
        cr_assert_eq(r.h.msgh_id, i);
    }
}

Test(msg, circular_receive_right_is_destroyed)
{
    mach_port_name_t p = new_port(A);
    OK(mgc_port_insert_right(A, p, A, p, MACH_MSG_TYPE_MAKE_SEND));
    cmsg m;
    cmsg_init(&m, p, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, p, MACH_MSG_TYPE_MOVE_RECEIVE);
    cr_assert_eq(cmsg_send(A, &m, NULL, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(type_of(A, p), MACH_PORT_TYPE_DEAD_NAME, "the port died");
    OK(mgc_port_deallocate(A, p));
    cr_assert_eq(mgc_core_object_count(core), 0u, "no unreachable port left");
}

Test(msg, body_errors_release_header_rights)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t rp = new_port(B), r1 = new_port(B);
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_MOVE_SEND, 5);
    /* reply MAKE_SEND_ONCE */
    m.bytes[1] = MACH_MSG_TYPE_MAKE_SEND_ONCE;
    memcpy(m.bytes + 12, &rp, 4);
    cmsg_port(&m, r1, MACH_MSG_TYPE_MAKE_SEND);
    cmsg_port(&m, 0x99903, MACH_MSG_TYPE_COPY_SEND);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_RIGHT);
    cr_assert_eq(type_of(B, dest), 0xdeadbeef, "the moved destination right is gone");
    cr_assert_eq(status_of(A, svc).mps_srights, 0);
    cr_assert_eq(status_of(B, r1).mps_srights, 0, "made send right destroyed");
    cr_assert_eq(status_of(B, r1).mps_mscount, 1u);
    rbuf r;
    cr_assert_eq(rcv(B, rp, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, MACH_NOTIFY_SEND_ONCE, "reply right destroyed -> notification");
    cr_assert_eq(status_of(A, svc).mps_msgcount, 0u);
}

Test(msg, malformed_descriptors)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t rp = new_port(B);
    cmsg m;
    /* Descriptor count larger than the message. */
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, rp, MACH_MSG_TYPE_MAKE_SEND);
    uint32_t lie = 3;
    memcpy(m.bytes + 24, &lie, 4);
    m.ndesc = 3;
    memcpy(m.bytes + 4, &m.size, 4);
    cr_assert_eq(mgc_msg_send(B, m.bytes, m.size, NULL, 0, 0, NULL), MACH_SEND_MSG_TOO_SMALL);
    /* Unknown descriptor type. */
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, rp, MACH_MSG_TYPE_MAKE_SEND);
    m.bytes[28 + 11] = 9;
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_TYPE);
    /* A 16-byte descriptor cut short. */
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_ool(&m, 0x1000, 10, 0, MACH_MSG_VIRTUAL_COPY);
    m.size -= 4;
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_MSG_TOO_SMALL);
    /* Complex bit without room for the body count. */
    simple_msg s;
    memset(&s, 0, sizeof s);
    s.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    s.h.msgh_remote_port = dest;
    cr_assert_eq(mgc_msg_send(B, &s, 24, NULL, 0, 0, NULL), MACH_SEND_MSG_TOO_SMALL);
    /* Bad disposition on a valid name, bad OOL copy option. */
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, rp, 3);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_RIGHT);
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_ool(&m, 0x1000, 10, 0, MACH_MSG_ALLOCATE);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_TYPE);
    cr_assert_eq(th.ool_released, 0, "rejected OOL tokens stay with the host");
    /* Receive right B does not hold; send right used as MOVE_RECEIVE. */
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, dest, MACH_MSG_TYPE_MOVE_RECEIVE);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_SEND_INVALID_RIGHT);
    cr_assert_eq(type_of(B, rp), MACH_PORT_TYPE_RECEIVE);
    cr_assert_eq(status_of(B, rp).mps_srights, 0);
    cr_assert_eq(status_of(A, svc).mps_msgcount, 0u);
}

Test(msg, ool_tokens_carried_and_released)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_ool(&m, 0xabc000, 4096, 1, MACH_MSG_VIRTUAL_COPY);
    cmsg_ool(&m, 0xdef000, 10, 0, MACH_MSG_PHYSICAL_COPY);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    const uint8_t *d0 = rdesc(&r, 0), *d1 = rdesc(&r, 1);
    uint64_t tok;
    memcpy(&tok, d0, 8);
    cr_assert_eq(tok, 0xabc000u);
    cr_assert_eq(rd32at(d0, 12), 4096u);
    cr_assert_eq(d0[8], 1);
    cr_assert_eq(d0[9], MACH_MSG_VIRTUAL_COPY);
    memcpy(&tok, d1, 8);
    cr_assert_eq(tok, 0xdef000u);
    cr_assert_eq(th.ool_released, 0, "delivered tokens belong to the receiver's host");
    /* Undelivered: released through the host callback when the port dies. */
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    OK(mgc_port_mod_refs(A, svc, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(th.ool_released, 2);
    cr_assert_eq(th.ool_tokens[0], 0xabc000u);
    cr_assert_eq(th.ool_sizes[0], 4096u);
    cr_assert_eq(th.ool_tokens[1], 0xdef000u);
}

Test(msg, ool_ports_names_travel_beside_the_message)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_name_t p1 = new_port(B), p2 = new_port(B);
    mach_port_name_t names[3] = {p1, p2, MACH_PORT_NULL};
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_ool_ports(&m, 3, MACH_MSG_TYPE_MAKE_SEND);
    cr_assert_eq(cmsg_send(B, &m, names, 2), MACH_SEND_INVALID_MEMORY, "host passed too few");
    cr_assert_eq(cmsg_send(B, &m, names, 3), MACH_MSG_SUCCESS);
    rbuf r;
    memset(&r, 0, sizeof r);
    cr_assert_eq(mgc_msg_receive(A, svc, 0, r.bytes, sizeof r.bytes, r.names, 2, &r.info),
                 MGC_RCV_NAMES_SHORT);
    cr_assert_eq(r.info.ool_name_count, 3u);
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    const uint8_t *d = rdesc(&r, 0);
    cr_assert_eq(d[11], MACH_MSG_OOL_PORTS_DESCRIPTOR);
    cr_assert_eq(d[10], MACH_MSG_TYPE_PORT_SEND);
    cr_assert_eq(rd32at(d, 12), 3u);
    cr_assert_eq(rd32at(d, 0), 0u, "address is left for the host");
    cr_assert_eq(r.info.ool_name_count, 3u);
    cr_assert_eq(type_of(A, r.names[0]), MACH_PORT_TYPE_SEND);
    cr_assert_eq(type_of(A, r.names[1]), MACH_PORT_TYPE_SEND);
    cr_assert_neq(r.names[0], r.names[1]);
    cr_assert_eq(r.names[2], MACH_PORT_NULL);
    cr_assert_eq(status_of(B, p1).mps_srights, 1);
}

Test(msg, pseudo_receive_returns_rights_to_sender)
{
    mach_port_name_t svc, dest = send_right_to(A, B, &svc);
    mach_port_limits_t lim = {.mpl_qlimit = 0};
    OK(mgc_port_set_attributes(A, svc, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    mach_port_name_t rp = new_port(B), give = new_port(B);
    cmsg m;
    cmsg_init(&m, dest, MACH_MSG_TYPE_MOVE_SEND, 31);
    m.bytes[1] = MACH_MSG_TYPE_MAKE_SEND_ONCE;
    memcpy(m.bytes + 12, &rp, 4);
    cmsg_port(&m, give, MACH_MSG_TYPE_MOVE_RECEIVE);
    cmsg_ool(&m, 0x5000, 64, 1, MACH_MSG_VIRTUAL_COPY);
    memcpy(m.bytes + 4, &m.size, 4);
    mgc_kmsg *k = NULL;
    cr_assert_eq(mgc_msg_send(B, m.bytes, m.size, NULL, 0, 0, &k), MGC_SEND_WOULD_BLOCK);
    cr_assert_eq(type_of(B, dest), 0xdeadbeef, "moved away while in flight");
    rbuf r;
    memset(&r, 0, sizeof r);
    cr_assert_eq(mgc_kmsg_pseudo_receive(k, B, r.bytes, 16, r.names, 16, &r.info),
                 MACH_RCV_TOO_LARGE);
    cr_assert_eq(mgc_kmsg_pseudo_receive(k, B, r.bytes, sizeof r.bytes, r.names, 16, &r.info),
                 MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_bits, MACH_MSGH_BITS_COMPLEX |
                                    MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND,
                                                   MACH_MSG_TYPE_PORT_SEND_ONCE));
    cr_assert_eq(r.h.msgh_id, 31);
    cr_assert_eq(type_of(B, r.h.msgh_remote_port), MACH_PORT_TYPE_SEND, "send right is back");
    cr_assert_eq(type_of(B, r.h.msgh_local_port), MACH_PORT_TYPE_SEND_ONCE);
    mach_port_name_t back = rd32at(rdesc(&r, 0), 0);
    cr_assert_eq(type_of(B, back), MACH_PORT_TYPE_RECEIVE);
    uint64_t tok;
    memcpy(&tok, rdesc(&r, 1), 8);
    cr_assert_eq(tok, 0x5000u);
    cr_assert_eq(th.ool_released, 0);
    cr_assert_eq(status_of(A, svc).mps_msgcount, 0u);
}

Test(msg, port_names_lists_every_name)
{
    mach_port_name_t r = new_port(A), d, ps;
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &d));
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    mach_port_name_t names[8];
    mach_port_type_t types[8];
    uint32_t n = 8;
    OK(mgc_port_names(A, names, types, &n));
    cr_assert_eq(n, 3u);
    cr_assert_eq(names[0], r);
    cr_assert_eq(types[0], MACH_PORT_TYPE_RECEIVE);
    cr_assert_eq(names[1], d);
    cr_assert_eq(types[1], MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(names[2], ps);
    cr_assert_eq(types[2], MACH_PORT_TYPE_PORT_SET);
    n = 1;
    OK(mgc_port_names(A, names, NULL, &n));
    cr_assert_eq(n, 3u);
}

Test(msg, receive_right_cycles_are_prevented)
{
    /* p1's receive right travels in p2's queue; sending p2's receive right
     * to p1 would close a loop: XNU destroys that message, so p2 dies, its
     * queue goes, and p1 (port-destroyed request) is handed to np. */
    mach_port_name_t p1 = new_port(A), p2 = new_port(A), np = new_port(A), prev;
    OK(mgc_port_insert_right(A, p1, A, p1, MACH_MSG_TYPE_MAKE_SEND));
    OK(mgc_port_insert_right(A, p2, A, p2, MACH_MSG_TYPE_MAKE_SEND));
    OK(mgc_port_request_notification(A, p1, MACH_NOTIFY_PORT_DESTROYED, 0, A, np,
                                     MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev));
    cmsg m;
    cmsg_init(&m, p2, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, p1, MACH_MSG_TYPE_MOVE_RECEIVE);
    cmsg_ool(&m, 0x9000, 8, 0, MACH_MSG_VIRTUAL_COPY);
    cr_assert_eq(cmsg_send(A, &m, NULL, 0), MACH_MSG_SUCCESS);
    cmsg_init(&m, p1, MACH_MSG_TYPE_COPY_SEND, 2);
    cmsg_port(&m, p2, MACH_MSG_TYPE_MOVE_RECEIVE);
    cr_assert_eq(cmsg_send(A, &m, NULL, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(type_of(A, p2), MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(th.ool_released, 1, "p2's queue was destroyed");
    rbuf r;
    cr_assert_eq(rcv(A, np, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, MACH_NOTIFY_PORT_DESTROYED);
    cr_assert_eq(rd32at(rdesc(&r, 0), 0), p1, "p1 came back to its send name");
    cr_assert_eq(type_of(A, p1), MACH_PORT_TYPE_SEND_RECEIVE);
    /* A host that tears the core down while holding a blocked kmsg that
     * carries a receive right must destroy the kmsg first; a held kmsg of
     * plain data is fine to destroy after the spaces are gone. */
    mach_port_limits_t lim = {.mpl_qlimit = 0};
    OK(mgc_port_set_attributes(A, p1, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    mgc_kmsg *k = NULL;
    cmsg_init(&m, p1, MACH_MSG_TYPE_COPY_SEND, 4);
    cmsg_port(&m, np, MACH_MSG_TYPE_MOVE_RECEIVE);
    memcpy(m.bytes + 4, &m.size, 4);
    cr_assert_eq(mgc_msg_send(A, m.bytes, m.size, NULL, 0, 0, &k), MGC_SEND_WOULD_BLOCK);
    mgc_space_destroy(A);
    A = NULL;
    cr_assert_gt(mgc_core_object_count(core), 0u, "np lives on inside the held kmsg");
    mgc_kmsg_destroy(k);
    cr_assert_eq(mgc_core_object_count(core), 0u);
}
