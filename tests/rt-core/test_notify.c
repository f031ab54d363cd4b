/* Notifications (exact message contents), task death, resource limits. */
#include "core_test_util.h"

#include <stdlib.h>

TestSuite(notify, .init = core_setup, .fini = core_teardown);

static const uint8_t ndr[8] = {0, 0, 0, 0, 1, 0, 0, 0};

/* Receive a kernel notification on `port` in `s` and check its envelope. */
static void expect_notification(mgc_space *s, mach_port_name_t port, mach_msg_id_t id,
                                mach_msg_size_t size, rbuf *r)
{
    cr_assert_eq(rcv(s, port, r, MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)),
                 MACH_MSG_SUCCESS);
    cr_assert_eq(r->h.msgh_id, id);
    cr_assert_eq(r->h.msgh_size, size);
    cr_assert_eq(MACH_MSGH_BITS_LOCAL(r->h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
    cr_assert_eq(MACH_MSGH_BITS_REMOTE(r->h.msgh_bits), 0u);
    cr_assert_eq(r->h.msgh_local_port, port);
    cr_assert_eq(r->h.msgh_remote_port, MACH_PORT_NULL);
    mach_msg_audit_trailer_t t;
    memcpy(&t, r->bytes + size, sizeof t);
    cr_assert_eq(t.msgh_sender.val[0], 0u, "kernel security token");
    cr_assert_eq(t.msgh_sender.val[1], 1u);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(t.msgh_audit.val[i], 0u, "kernel audit token");
    if (size == 36)
        cr_assert_eq(memcmp(r->bytes + 24, ndr, 8), 0, "NDR record");
}

static mach_port_name_t request(mgc_space *s, mach_port_name_t name, mach_msg_id_t id,
                                mach_port_mscount_t sync, mach_port_name_t notify)
{
    mach_port_name_t prev = 0x1234;
    OK(mgc_port_request_notification(s, name, id, sync, s, notify,
                                     MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev));
    return prev;
}

Test(notify, dead_name_exact_message_and_uref)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t np = new_port(B);
    cr_assert_eq(request(B, s, MACH_NOTIFY_DEAD_NAME, 0, np), MACH_PORT_NULL);
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST);
    cr_assert_eq(status_of(B, np).mps_sorights, 1u);
    OK(mgc_port_mod_refs(A, svc, MACH_PORT_RIGHT_RECEIVE, -1));
    rbuf r;
    expect_notification(B, np, MACH_NOTIFY_DEAD_NAME, 36, &r);
    mach_dead_name_notification_t n;
    memcpy(&n, r.bytes, sizeof n);
    cr_assert_eq(n.not_port, s);
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(refs_of(B, s, MACH_PORT_RIGHT_DEAD_NAME), 2u, "notification's extra uref");
    cr_assert_eq(status_of(B, np).mps_sorights, 0u);
}

Test(notify, dead_name_on_send_once_right)
{
    mach_port_name_t svc = new_port(A), so, np = new_port(B);
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &so, &t));
    request(B, so, MACH_NOTIFY_DEAD_NAME, 0, np);
    OK(mgc_port_destroy(A, svc));
    rbuf r;
    expect_notification(B, np, MACH_NOTIFY_DEAD_NAME, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), so);
    cr_assert_eq(type_of(B, so), MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(refs_of(B, so, MACH_PORT_RIGHT_DEAD_NAME), 2u);
}

Test(notify, dead_name_already_dead_and_errors)
{
    mach_port_name_t d, np = new_port(B), prev;
    OK(mgc_port_allocate(B, MACH_PORT_RIGHT_DEAD_NAME, &d));
    cr_assert_eq(mgc_port_request_notification(B, d, MACH_NOTIFY_DEAD_NAME, 0, B, np,
                                               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_INVALID_ARGUMENT);
    rbuf r;
    cr_assert_eq(rcv(B, np, &r, 0), MACH_MSG_SUCCESS, "the failed call destroyed the right");
    cr_assert_eq(r.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
    cr_assert_eq(request(B, d, MACH_NOTIFY_DEAD_NAME, 1, np), MACH_PORT_NULL);
    expect_notification(B, np, MACH_NOTIFY_DEAD_NAME, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), d);
    cr_assert_eq(refs_of(B, d, MACH_PORT_RIGHT_DEAD_NAME), 2u);
    cr_assert_eq(mgc_port_request_notification(B, MACH_PORT_NULL, MACH_NOTIFY_DEAD_NAME, 0, B,
                                               np, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_INVALID_ARGUMENT);
    cr_assert_eq(mgc_port_request_notification(B, d, 4242, 0, B, np,
                                               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_request_notification(B, d, MACH_NOTIFY_DEAD_NAME, 1, B,
                                               MACH_PORT_DEAD, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_INVALID_CAPABILITY);
    mach_port_name_t ps;
    OK(mgc_port_allocate(B, MACH_PORT_RIGHT_PORT_SET, &ps));
    cr_assert_eq(mgc_port_request_notification(B, ps, MACH_NOTIFY_DEAD_NAME, 0, B, np,
                                               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_INVALID_RIGHT);
}

Test(notify, previous_request_is_returned_and_cancel)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t n1 = new_port(B), n2 = new_port(B);
    request(B, s, MACH_NOTIFY_DEAD_NAME, 0, n1);
    mach_port_name_t prev = request(B, s, MACH_NOTIFY_DEAD_NAME, 0, n2);
    cr_assert_eq(type_of(B, prev), MACH_PORT_TYPE_SEND_ONCE, "old notify right comes back");
    OK(mgc_port_deallocate(B, prev)); /* -> send-once notification on n1 */
    rbuf r;
    cr_assert_eq(rcv(B, n1, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
    OK(mgc_port_request_notification(B, s, MACH_NOTIFY_DEAD_NAME, 0, B, MACH_PORT_NULL, 0, &prev));
    cr_assert_eq(type_of(B, prev), MACH_PORT_TYPE_SEND_ONCE);
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_SEND, "request cancelled");
    OK(mgc_port_destroy(A, svc));
    cr_assert_eq(rcv(B, n2, &r, 0), MGC_RCV_WOULD_BLOCK, "no dead-name after cancel");
    cr_assert_eq(refs_of(B, s, MACH_PORT_RIGHT_DEAD_NAME), 1u);
}

Test(notify, port_deleted_when_name_loses_its_right)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t np = new_port(B);
    request(B, s, MACH_NOTIFY_DEAD_NAME, 0, np);
    OK(mgc_port_deallocate(B, s));
    rbuf r;
    expect_notification(B, np, MACH_NOTIFY_PORT_DELETED, 36, &r);
    mach_port_deleted_notification_t n;
    memcpy(&n, r.bytes, sizeof n);
    cr_assert_eq(n.not_port, s);
    /* Moving the right away in a message deletes the name too. */
    mach_port_name_t s2 = send_right_to(A, B, NULL), carrier = new_port(A), cs;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, carrier, MACH_MSG_TYPE_MAKE_SEND, B, &cs, &t));
    request(B, s2, MACH_NOTIFY_DEAD_NAME, 0, np);
    cmsg m;
    cmsg_init(&m, cs, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, s2, MACH_MSG_TYPE_MOVE_SEND);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    expect_notification(B, np, MACH_NOTIFY_PORT_DELETED, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), s2);
}

Test(notify, no_senders_with_make_send_count)
{
    mach_port_name_t svc = new_port(A), np = new_port(A), s1, s2;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND, B, &s1, &t));
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND, B, &s2, &t));
    cr_assert_eq(s1, s2);
    cr_assert_eq(request(A, svc, MACH_NOTIFY_NO_SENDERS, 0, np), MACH_PORT_NULL);
    cr_assert_eq(status_of(A, svc).mps_nsrequest, 1);
    OK(mgc_port_deallocate(B, s1));
    rbuf r;
    cr_assert_eq(rcv(A, np, &r, 0), MGC_RCV_WOULD_BLOCK, "one uref left");
    OK(mgc_port_deallocate(B, s1));
    expect_notification(A, np, MACH_NOTIFY_NO_SENDERS, 36, &r);
    mach_no_senders_notification_t n;
    memcpy(&n, r.bytes, sizeof n);
    cr_assert_eq(n.not_count, 2u, "make-send count");
    cr_assert_eq(status_of(A, svc).mps_nsrequest, 0, "one-shot");
    /* No senders now and sync <= mscount: fires immediately. */
    request(A, svc, MACH_NOTIFY_NO_SENDERS, 2, np);
    expect_notification(A, np, MACH_NOTIFY_NO_SENDERS, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), 2u);
    /* sync above mscount: armed, fires after the next make-send dies. */
    request(A, svc, MACH_NOTIFY_NO_SENDERS, 3, np);
    cr_assert_eq(rcv(A, np, &r, 0), MGC_RCV_WOULD_BLOCK);
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND, B, &s1, &t));
    OK(mgc_port_deallocate(B, s1));
    expect_notification(A, np, MACH_NOTIFY_NO_SENDERS, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), 3u);
    /* Send rights inside a queued message count as senders. */
    mach_port_name_t other = new_port(B), os;
    OK(mgc_port_extract_right(B, other, MACH_MSG_TYPE_MAKE_SEND, A, &os, &t));
    cmsg m;
    cmsg_init(&m, os, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_port(&m, svc, MACH_MSG_TYPE_MAKE_SEND);
    cr_assert_eq(cmsg_send(A, &m, NULL, 0), MACH_MSG_SUCCESS);
    request(A, svc, MACH_NOTIFY_NO_SENDERS, 0, np);
    cr_assert_eq(rcv(A, np, &r, 0), MGC_RCV_WOULD_BLOCK);
    cr_assert_eq(rcv(B, other, &r, 0), MACH_MSG_SUCCESS);
    OK(mgc_port_deallocate(B, rd32at(rdesc(&r, 0), 0)));
    expect_notification(A, np, MACH_NOTIFY_NO_SENDERS, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), 4u);
}

Test(notify, no_senders_previous_and_errors)
{
    mach_port_name_t svc = new_port(A), n1 = new_port(A), n2 = new_port(A), prev;
    mach_port_name_t s = send_right_to(A, B, NULL);
    (void)s;
    OK(mgc_port_insert_right(A, svc, A, svc, MACH_MSG_TYPE_MAKE_SEND));
    request(A, svc, MACH_NOTIFY_NO_SENDERS, 0, n1);
    prev = request(A, svc, MACH_NOTIFY_NO_SENDERS, 0, n2);
    cr_assert_eq(type_of(A, prev), MACH_PORT_TYPE_SEND_ONCE);
    cr_assert_eq(mgc_port_request_notification(A, 0x99903, MACH_NOTIFY_NO_SENDERS, 0, A, n1,
                                               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_INVALID_NAME, "name of another space");
    mach_port_name_t d;
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &d));
    cr_assert_eq(mgc_port_request_notification(A, d, MACH_NOTIFY_NO_SENDERS, 0, A, n1,
                                               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_request_notification(A, svc, MACH_NOTIFY_NO_SENDERS, 0, A, n1,
                                               MACH_MSG_TYPE_COPY_SEND, &prev),
                 KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_request_notification(A, svc, MACH_NOTIFY_NO_SENDERS, 0, A, svc,
                                               MACH_MSG_TYPE_MOVE_SEND_ONCE, &prev),
                 KERN_INVALID_RIGHT, "trap path: the copyin error");
    cr_assert_eq(mgc_port_request_notification(A, svc, MACH_NOTIFY_NO_SENDERS, 0, B, 0x4403,
                                               MACH_MSG_TYPE_MOVE_SEND_ONCE, &prev),
                 MACH_SEND_INVALID_RIGHT, "MIG path: a send error");
}

Test(notify, send_once_notification)
{
    mach_port_name_t svc = new_port(A), so;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &so, &t));
    cr_assert_eq(status_of(A, svc).mps_sorights, 1u);
    OK(mgc_port_deallocate(B, so));
    rbuf r;
    expect_notification(A, svc, MACH_NOTIFY_SEND_ONCE, 24, &r);
    cr_assert_eq(r.h.msgh_bits, MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
    cr_assert_eq(status_of(A, svc).mps_sorights, 0u);
    /* Send-once notifications ignore the queue limit. */
    mach_port_limits_t lim = {.mpl_qlimit = 0};
    OK(mgc_port_set_attributes(A, svc, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &so, &t));
    OK(mgc_port_mod_refs(B, so, MACH_PORT_RIGHT_SEND_ONCE, -1));
    cr_assert_eq(status_of(A, svc).mps_msgcount, 1u);
}

Test(notify, port_destroyed_hands_back_receive_right)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t np = new_port(B);
    mach_port_name_t prev;
    OK(mgc_port_request_notification(A, svc, MACH_NOTIFY_PORT_DESTROYED, 0, B, np,
                                     MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev));
    cr_assert_eq(prev, MACH_PORT_NULL);
    cr_assert_eq(status_of(A, svc).mps_pdrequest, 1);
    cr_assert_eq(mgc_port_request_notification(A, svc, MACH_NOTIFY_PORT_DESTROYED, 0, B, np,
                                               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_FAILURE, "only one registration");
    cr_assert_eq(mgc_port_request_notification(A, svc, MACH_NOTIFY_PORT_DESTROYED, 1, B, np,
                                               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
                 KERN_INVALID_VALUE);
    rbuf r;
    while (rcv(B, np, &r, 0) == MACH_MSG_SUCCESS) /* drain the failed calls' notices */
        cr_assert_eq(r.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
    send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 77);
    OK(mgc_port_mod_refs(A, svc, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_SEND, "port still alive");
    expect_notification(B, np, MACH_NOTIFY_PORT_DESTROYED, 40, &r);
    cr_assert(r.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
    cr_assert_eq(rd32at(r.bytes, 24), 1u);
    const uint8_t *d = rdesc(&r, 0);
    cr_assert_eq(d[10], MACH_MSG_TYPE_PORT_RECEIVE);
    cr_assert_eq(d[11], MACH_MSG_PORT_DESCRIPTOR);
    mach_port_name_t got = rd32at(d, 0);
    cr_assert_eq(got, s, "receive right joins B's send name");
    cr_assert_eq(type_of(B, got), MACH_PORT_TYPE_SEND_RECEIVE);
    cr_assert_eq(rcv(B, got, &r, 0), MACH_MSG_SUCCESS, "queued message survived");
    cr_assert_eq(r.h.msgh_id, 77);
    cr_assert_eq(status_of(B, got).mps_pdrequest, 0);
}

/* Process death of a server in the middle of an RPC: the client's reply
 * port gets the send-once notification (MIG_SERVER_DIED), its send right
 * becomes a dead name and its dead-name request fires. */
Test(notify, server_death_during_rpc)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t reply1 = new_port(B), reply2 = new_port(B), dn = new_port(B);
    request(B, s, MACH_NOTIFY_DEAD_NAME, 0, dn);
    /* Request 1 is received by the server (it now holds the reply right);
     * request 2 stays queued. */
    send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, reply1, MACH_MSG_TYPE_MAKE_SEND_ONCE, 1);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, reply2, MACH_MSG_TYPE_MAKE_SEND_ONCE, 2);
    /* The server also holds a send right to a client port with a no-senders
     * request, and a receive right whose death B asked to hear about. */
    mach_port_name_t watched = new_port(B), ns = new_port(B), wsend;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(B, watched, MACH_MSG_TYPE_MAKE_SEND, A, &wsend, &t));
    request(B, watched, MACH_NOTIFY_NO_SENDERS, 0, ns);
    mach_port_name_t ps;
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    OK(mgc_port_insert_member(A, svc, ps));
    uint32_t objects_before = mgc_core_object_count(core);

    mgc_space_destroy(A);
    A = NULL;

    expect_notification(B, reply1, MACH_NOTIFY_SEND_ONCE, 24, &r);
    expect_notification(B, reply2, MACH_NOTIFY_SEND_ONCE, 24, &r);
    expect_notification(B, dn, MACH_NOTIFY_DEAD_NAME, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), s);
    expect_notification(B, ns, MACH_NOTIFY_NO_SENDERS, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), 1u);
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(refs_of(B, s, MACH_PORT_RIGHT_DEAD_NAME), 2u);
    cr_assert_eq(send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 3), MACH_SEND_INVALID_DEST);
    cr_assert_lt(mgc_core_object_count(core), objects_before, "service port and set freed");
}

Test(notify, task_death_hands_receive_right_to_port_destroyed_requester)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t np = new_port(B), prev;
    OK(mgc_port_request_notification(A, svc, MACH_NOTIFY_PORT_DESTROYED, 0, B, np,
                                     MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev));
    send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 5);
    mgc_space_destroy(A);
    A = NULL;
    rbuf r;
    expect_notification(B, np, MACH_NOTIFY_PORT_DESTROYED, 40, &r);
    mach_port_name_t got = rd32at(rdesc(&r, 0), 0);
    cr_assert_eq(got, s);
    cr_assert_eq(rcv(B, got, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, 5);
}

Test(notify, client_death_releases_everything)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t ns = new_port(A);
    request(A, svc, MACH_NOTIFY_NO_SENDERS, 0, ns);
    mach_port_name_t so;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &so, &t));
    /* A queued complex message in B with an OOL region and a receive right. */
    mach_port_name_t bport = new_port(B), self;
    OK(mgc_port_extract_right(B, bport, MACH_MSG_TYPE_MAKE_SEND, B, &self, &t));
    mach_port_name_t inner = new_port(B);
    cmsg m;
    cmsg_init(&m, self, MACH_MSG_TYPE_COPY_SEND, 1);
    cmsg_ool(&m, 0x7000, 100, 1, MACH_MSG_VIRTUAL_COPY);
    cmsg_port(&m, inner, MACH_MSG_TYPE_MOVE_RECEIVE);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    (void)s;
    mgc_space_destroy(B);
    B = NULL;
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(r.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
    expect_notification(A, ns, MACH_NOTIFY_NO_SENDERS, 36, &r);
    cr_assert_eq(th.ool_released, 1);
    cr_assert_eq(th.ool_tokens[0], 0x7000u);
    /* Only A's three ports remain. */
    cr_assert_eq(mgc_core_object_count(core), 2u);
}

Test(notify, receive_status_fields)
{
    mach_port_name_t svc = new_port(A), np = new_port(A), so;
    mach_msg_type_name_t t;
    OK(mgc_port_insert_right(A, svc, A, svc, MACH_MSG_TYPE_MAKE_SEND));
    OK(mgc_port_extract_right(A, svc, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &so, &t));
    request(A, svc, MACH_NOTIFY_NO_SENDERS, 5, np);
    send_simple(A, svc, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1);
    mach_port_status_t st = status_of(A, svc);
    cr_assert_eq(st.mps_pset, 0u);
    cr_assert_eq(st.mps_seqno, 0u);
    cr_assert_eq(st.mps_mscount, 1u);
    cr_assert_eq(st.mps_qlimit, MACH_PORT_QLIMIT_DEFAULT);
    cr_assert_eq(st.mps_msgcount, 1u);
    cr_assert_eq(st.mps_sorights, 1u);
    cr_assert_eq(st.mps_srights, 1);
    cr_assert_eq(st.mps_pdrequest, 0);
    cr_assert_eq(st.mps_nsrequest, 1);
    cr_assert_eq(st.mps_flags, 0u);
    OK(mgc_port_set_seqno(A, svc, 40));
    OK(mgc_port_set_mscount(A, svc, 9));
    st = status_of(A, svc);
    cr_assert_eq(st.mps_seqno, 40u);
    cr_assert_eq(st.mps_mscount, 9u);
}

Test(notify, send_notify_arms_a_delayed_send_possible_request)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t np = new_port(B);
    mach_port_limits_t lim = {.mpl_qlimit = 1};
    OK(mgc_port_set_attributes(A, svc, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    request(B, s, MACH_NOTIFY_SEND_POSSIBLE, 0, np);
    send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1);
    simple_msg m;
    memset(&m, 0, sizeof m);
    m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    m.h.msgh_remote_port = s;
    mgc_kmsg *k = NULL;
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, 0, &k), MGC_SEND_WOULD_BLOCK);
    mgc_kmsg_destroy(k);
    cr_assert(type_of(B, s) & MACH_PORT_TYPE_SPREQUEST_DELAYED, "a plain send does not arm");
    cr_assert_eq(mgc_msg_send(B, &m, sizeof m, NULL, 0, MACH_SEND_NOTIFY, &k),
                 MGC_SEND_WOULD_BLOCK);
    mgc_kmsg_destroy(k); /* the host's send timed out */
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST |
                                    MACH_PORT_TYPE_SPREQUEST, "armed");
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    expect_notification(B, np, MACH_NOTIFY_SEND_POSSIBLE, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), s);
}

/* ---- resource exhaustion ------------------------------------------------- */

static void small_setup(void)
{
    mgc_limits lim = {.max_names_per_space = 70, .max_ports = 200, .max_queued_bytes = 1024};
    core_setup_limits(&lim);
}

TestSuite(limits, .init = small_setup, .fini = core_teardown);

Test(limits, names_exhaust_with_no_space)
{
    mach_port_name_t n;
    int made = 0;
    kern_return_t kr;
    while ((kr = mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &n)) == KERN_SUCCESS)
        made++;
    cr_assert_eq(kr, KERN_NO_SPACE);
    cr_assert_eq(made, 70);
    cr_assert_eq(mgc_port_allocate(A, MACH_PORT_RIGHT_RECEIVE, &n), KERN_NO_SPACE);
    cr_assert_eq(mgc_core_object_count(core), 0u, "no port leaked by the failure");
    /* A full space cannot take a right from a message: header error, and
     * the right that could not be named is released, not leaked. */
    OK(mgc_port_deallocate(A, MACH_PORT_MAKE(1, 3u << 24)));
    mach_port_name_t rp = new_port(A), sb, other = new_port(B);
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, rp, MACH_MSG_TYPE_MAKE_SEND, B, &sb, &t));
    cr_assert_eq(send_simple(B, sb, MACH_MSG_TYPE_COPY_SEND, other, MACH_MSG_TYPE_MAKE_SEND, 1),
                 MACH_MSG_SUCCESS);
    rbuf r;
    cr_assert_eq(rcv(A, rp, &r, 0), MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE);
    cr_assert_eq(r.h.msgh_size, sizeof(mach_msg_header_t), "bare header");
    cr_assert_eq(r.h.msgh_local_port, rp);
    cr_assert_eq(r.h.msgh_remote_port, MACH_PORT_NULL);
    cr_assert_eq(status_of(A, rp).mps_msgcount, 0u);
    cr_assert_eq(status_of(B, other).mps_srights, 0);
    cr_assert_eq(status_of(B, other).mps_mscount, 1u);
    cr_assert_eq(mgc_port_extract_right(B, other, MACH_MSG_TYPE_MAKE_SEND, A, &n, &t),
                 MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE);
    cr_assert_eq(status_of(B, other).mps_srights, 0);
}

Test(limits, body_right_without_a_name_arrives_dead)
{
    mach_port_name_t n, rp = new_port(A), sb, give = new_port(B);
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, rp, MACH_MSG_TYPE_MAKE_SEND, B, &sb, &t));
    while (mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &n) == KERN_SUCCESS)
        ;
    cmsg m;
    cmsg_init(&m, sb, MACH_MSG_TYPE_COPY_SEND, 9);
    cmsg_port(&m, give, MACH_MSG_TYPE_MAKE_SEND);
    cmsg_ool(&m, 0x4000, 12, 0, MACH_MSG_VIRTUAL_COPY);
    cr_assert_eq(cmsg_send(B, &m, NULL, 0), MACH_MSG_SUCCESS);
    rbuf r;
    cr_assert_eq(rcv(A, rp, &r, 0), MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE);
    cr_assert_eq(r.h.msgh_id, 9, "delivered anyway");
    cr_assert_eq(rd32at(rdesc(&r, 0), 0), MACH_PORT_DEAD);
    cr_assert_eq(status_of(B, give).mps_srights, 0, "the unnamed right was destroyed");
    cr_assert_eq(th.ool_released, 0, "the OOL token went to the receiver");
}

Test(limits, ports_exhaust_with_resource_shortage)
{
    mach_port_name_t n;
    kern_return_t kr = KERN_SUCCESS;
    int made = 0;
    mgc_space *spaces[4] = {A, B, mgc_space_create(core, NULL), mgc_space_create(core, NULL)};
    for (int i = 0; i < 4 && kr == KERN_SUCCESS; i++) {
        while ((kr = mgc_port_allocate(spaces[i], MACH_PORT_RIGHT_RECEIVE, &n)) == KERN_SUCCESS)
            made++;
        if (kr == KERN_NO_SPACE)
            kr = KERN_SUCCESS;
    }
    cr_assert_eq(kr, KERN_RESOURCE_SHORTAGE);
    cr_assert_eq(made, 200);
    mgc_space *fresh = mgc_space_create(core, NULL);
    cr_assert_eq(mgc_port_allocate(fresh, MACH_PORT_RIGHT_PORT_SET, &n), KERN_RESOURCE_SHORTAGE);
}

Test(limits, queued_bytes_bound)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_limits_t lim = {.mpl_qlimit = MACH_PORT_QLIMIT_MAX};
    OK(mgc_port_set_attributes(A, svc, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    int sent = 0;
    mach_msg_return_t mr;
    while ((mr = send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, sent)) == MACH_MSG_SUCCESS)
        sent++;
    cr_assert_eq(mr, MACH_SEND_NO_BUFFER);
    cr_assert_eq(sent, 1024 / (int)sizeof(simple_msg));
    cr_assert_eq(refs_of(B, s, MACH_PORT_RIGHT_SEND), 1u);
    rbuf r;
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_MSG_SUCCESS);
}

Test(limits, oversized_message)
{
    mgc_core_destroy(core);
    mgc_limits lim = {.max_msg_size = 64};
    core_setup_limits(&lim);
    mach_port_name_t s = send_right_to(A, B, NULL);
    uint8_t big[128];
    memset(big, 0, sizeof big);
    mach_msg_header_t h = {.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0),
                           .msgh_size = sizeof big, .msgh_remote_port = s};
    memcpy(big, &h, sizeof h);
    cr_assert_eq(mgc_msg_send(B, big, sizeof big, NULL, 0, 0, NULL), MACH_SEND_TOO_LARGE);
}

Test(notify, send_possible_immediate_armed_and_delayed)
{
    mach_port_name_t svc, s = send_right_to(A, B, &svc);
    mach_port_name_t np = new_port(B);
    /* Room in the queue and armed: immediate notification. */
    cr_assert_eq(request(B, s, MACH_NOTIFY_SEND_POSSIBLE, 1, np), MACH_PORT_NULL);
    rbuf r;
    expect_notification(B, np, MACH_NOTIFY_SEND_POSSIBLE, 36, &r);
    mach_send_possible_notification_t n;
    memcpy(&n, r.bytes, sizeof n);
    cr_assert_eq(n.not_port, s);
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_SEND);
    /* Full queue: armed request fires when a message is dequeued. */
    mach_port_limits_t lim = {.mpl_qlimit = 1};
    OK(mgc_port_set_attributes(A, svc, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 1));
    send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1);
    request(B, s, MACH_NOTIFY_SEND_POSSIBLE, 1, np);
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST |
                                    MACH_PORT_TYPE_SPREQUEST);
    cr_assert_eq(rcv(B, np, &r, 0), MGC_RCV_WOULD_BLOCK);
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    expect_notification(B, np, MACH_NOTIFY_SEND_POSSIBLE, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), s);
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_SEND, "fired once");
    /* Not armed (sync 0): reported delayed, never fires on dequeue; the
     * port's death still sends a dead-name notification. */
    send_simple(B, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 2);
    request(B, s, MACH_NOTIFY_SEND_POSSIBLE, 0, np);
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST |
                                    MACH_PORT_TYPE_SPREQUEST | MACH_PORT_TYPE_SPREQUEST_DELAYED);
    cr_assert_eq(rcv(A, svc, &r, 0), MACH_MSG_SUCCESS);
    cr_assert_eq(rcv(B, np, &r, 0), MGC_RCV_WOULD_BLOCK);
    OK(mgc_port_mod_refs(A, svc, MACH_PORT_RIGHT_RECEIVE, -1));
    expect_notification(B, np, MACH_NOTIFY_DEAD_NAME, 36, &r);
    cr_assert_eq(rd32at(r.bytes, 32), s);
}

static void big_setup(void)
{
    mgc_limits lim = {.max_names_per_space = 1u << 20};
    core_setup_limits(&lim);
}

/* A client can nest receive rights in queues arbitrarily deep; tearing such
 * a chain down must not recurse once per level (the broker would overflow
 * its stack). */
TestSuite(deep, .init = big_setup, .fini = core_teardown, .timeout = 60);

Test(deep, chain_of_receive_rights_in_transit)
{
    enum { N = 100000 };
    mach_port_name_t prev = new_port(A);
    mach_port_name_t head = prev;
    /* Build it tail-first: each new port carries the previous one. */
    mach_port_name_t *ports = malloc(N * sizeof *ports);
    cr_assert_not_null(ports);
    ports[0] = head;
    for (int i = 1; i < N; i++)
        ports[i] = new_port(A);
    for (int i = N - 1; i > 0; i--) {
        cmsg m;
        cmsg_init(&m, ports[i - 1], MACH_MSG_TYPE_MAKE_SEND, i);
        cmsg_port(&m, ports[i], MACH_MSG_TYPE_MOVE_RECEIVE);
        cr_assert_eq(cmsg_send(A, &m, NULL, 0), MACH_MSG_SUCCESS);
    }
    cr_assert_eq(mgc_space_name_count(A), 1u);
    cr_assert_eq(mgc_core_object_count(core), (uint32_t)N);
    OK(mgc_port_mod_refs(A, head, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(mgc_core_object_count(core), 0u);
    free(ports);
}
