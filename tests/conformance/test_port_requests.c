/* mach_port_request_notification, get/set_attributes, construct/destruct:
 * return codes, previous rights and status fields as XNU's
 * osfmk/ipc/mach_port.c, ipc_right.c and ipc_port.c define them. */
#include "conf.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(conf_requests, .init = conf_broker_start, .fini = conf_broker_stop);
TestSuite(conf_attributes, .init = conf_broker_start, .fini = conf_broker_stop);

#define UNUSED_NAME ((mach_port_name_t)0x7f0f03)

static kern_return_t request(mach_port_t name, mach_msg_id_t id, mach_port_mscount_t sync,
                             mach_port_t notify, mach_port_t *previous)
{
	*previous = 0x5555;
	return mach_port_request_notification(SELF, name, id, sync, notify,
	                                      MACH_MSG_TYPE_MAKE_SEND_ONCE, previous);
}

/* Receives one message on port within 2 s; returns its id (or -1). */
static mach_msg_id_t next_id(mach_port_t port, conf_rcv *in)
{
	if (conf_recv(port, in, 2000, 0) != MACH_MSG_SUCCESS)
		return -1;
	return in->msg.head.msgh_id;
}

static bool queue_empty(mach_port_t port)
{
	conf_rcv in;
	return conf_recv(port, &in, 0, 0) == MACH_RCV_TIMED_OUT;
}

Test(conf_requests, argument_errors)
{
	mach_port_t p = conf_port(), prev;
	cr_expect_eq(mach_port_request_notification(SELF, p, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_DEAD,
	                                            MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_INVALID_CAPABILITY);
	cr_expect_eq(request(p, 0x4444, 0, MACH_PORT_NULL, &prev), KERN_INVALID_VALUE);
	cr_expect_eq(request(p, MACH_NOTIFY_SEND_ONCE, 0, MACH_PORT_NULL, &prev), KERN_INVALID_VALUE);
	cr_expect_eq(request(p, MACH_NOTIFY_PORT_DELETED, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_VALUE);
	/* the made send-once right of a failed request is destroyed: a send-once
	 * notification reaches the notify port */
	mach_port_t n = conf_receive_right();
	conf_rcv in;
	cr_expect_eq(request(p, 0x4444, 0, n, &prev), KERN_INVALID_VALUE);
	cr_expect_eq(next_id(n, &in), MACH_NOTIFY_SEND_ONCE);
}

Test(conf_requests, port_destroyed_errors)
{
	mach_port_t p = conf_port(), n = conf_receive_right(), prev, d;
	conf_rcv in;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_expect_eq(request(p, MACH_NOTIFY_PORT_DESTROYED, 1, MACH_PORT_NULL, &prev),
	             KERN_INVALID_VALUE);
	cr_expect_eq(request(MACH_PORT_NULL, MACH_NOTIFY_PORT_DESTROYED, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(request(UNUSED_NAME, MACH_NOTIFY_PORT_DESTROYED, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_NAME);
	cr_expect_eq(request(d, MACH_NOTIFY_PORT_DESTROYED, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(request(mach_task_self(), MACH_NOTIFY_PORT_DESTROYED, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(request(p, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev), KERN_SUCCESS);
	cr_expect_eq(prev, MACH_PORT_NULL);
	cr_expect_eq(conf_status(p).mps_pdrequest, 1);
	/* only one registration */
	cr_expect_eq(request(p, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev), KERN_FAILURE);
	cr_expect_eq(next_id(n, &in), MACH_NOTIFY_SEND_ONCE, "the refused right was destroyed");
	cr_expect_eq(conf_status(p).mps_pdrequest, 1);
}

Test(conf_requests, no_senders_errors_and_previous)
{
	mach_port_t p = conf_port(), n1 = conf_receive_right(), n2 = conf_receive_right(), prev;
	conf_rcv in;
	cr_expect_eq(request(MACH_PORT_NULL, MACH_NOTIFY_NO_SENDERS, 0, n1, &prev), KERN_INVALID_RIGHT);
	cr_expect_eq(next_id(n1, &in), MACH_NOTIFY_SEND_ONCE);
	cr_expect_eq(request(UNUSED_NAME, MACH_NOTIFY_NO_SENDERS, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_NAME);
	cr_expect_eq(request(mach_task_self(), MACH_NOTIFY_NO_SENDERS, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_RIGHT);

	cr_expect_eq(request(p, MACH_NOTIFY_NO_SENDERS, 0, n1, &prev), KERN_SUCCESS);
	cr_expect_eq(prev, MACH_PORT_NULL);
	cr_expect_eq(conf_status(p).mps_nsrequest, 1);
	cr_expect(queue_empty(n1), "a send right exists: nothing fires");
	/* a second request hands back the first notify right */
	cr_expect_eq(request(p, MACH_NOTIFY_NO_SENDERS, 0, n2, &prev), KERN_SUCCESS);
	cr_expect_neq(prev, MACH_PORT_NULL);
	cr_expect_eq(conf_type(prev), MACH_PORT_TYPE_SEND_ONCE);
	cr_expect_eq(conf_status(n1).mps_sorights, 1, "previous is the send-once right to n1");
	/* cancelling hands back the second */
	mach_port_t prev2;
	cr_expect_eq(request(p, MACH_NOTIFY_NO_SENDERS, 0, MACH_PORT_NULL, &prev2), KERN_SUCCESS);
	cr_expect_eq(conf_type(prev2), MACH_PORT_TYPE_SEND_ONCE);
	cr_expect_eq(conf_status(n2).mps_sorights, 1);
	cr_expect_eq(conf_status(p).mps_nsrequest, 0);
}

Test(conf_requests, no_senders_fires_at_once_without_senders)
{
	/* ipc_port_nsrequest: no send rights and sync <= mscount: immediate */
	mach_port_t r = conf_receive_right(), n = conf_receive_right(), prev;
	conf_rcv in;
	cr_expect_eq(request(r, MACH_NOTIFY_NO_SENDERS, 0, n, &prev), KERN_SUCCESS);
	cr_expect_eq(next_id(n, &in), MACH_NOTIFY_NO_SENDERS);
	cr_expect_eq(CONF_NOTE(in, mach_no_senders_notification_t, not_count), 0);
	cr_expect_eq(conf_status(r).mps_nsrequest, 0);
	/* sync above the make-send count: armed */
	cr_expect_eq(request(r, MACH_NOTIFY_NO_SENDERS, 1, n, &prev), KERN_SUCCESS);
	cr_expect(queue_empty(n));
	cr_expect_eq(conf_status(r).mps_nsrequest, 1);
	/* one send right made and dropped: mscount 1 reaches sync */
	cr_assert_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_assert_eq(mach_port_deallocate(SELF, r), KERN_SUCCESS);
	cr_expect_eq(next_id(n, &in), MACH_NOTIFY_NO_SENDERS);
	cr_expect_eq(CONF_NOTE(in, mach_no_senders_notification_t, not_count), 1);
}

Test(conf_requests, dead_name_errors_and_type_bit)
{
	mach_port_t p = conf_port(), n1 = conf_receive_right(), n2 = conf_receive_right(), prev, d, s;
	conf_rcv in;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_expect_eq(request(MACH_PORT_NULL, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_ARGUMENT);
	cr_expect_eq(request(UNUSED_NAME, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL, &prev),
	             KERN_INVALID_NAME);
	cr_expect_eq(request(s, MACH_NOTIFY_DEAD_NAME, 0, n1, &prev), KERN_INVALID_RIGHT);
	cr_expect_eq(next_id(n1, &in), MACH_NOTIFY_SEND_ONCE);
	cr_expect_eq(request(d, MACH_NOTIFY_DEAD_NAME, 0, n1, &prev), KERN_INVALID_ARGUMENT);
	cr_expect_eq(next_id(n1, &in), MACH_NOTIFY_SEND_ONCE);
	/* nothing to cancel */
	cr_expect_eq(request(p, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL, &prev), KERN_SUCCESS);

	cr_expect_eq(request(p, MACH_NOTIFY_DEAD_NAME, 0, n1, &prev), KERN_SUCCESS);
	cr_expect_eq(prev, MACH_PORT_NULL);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE | MACH_PORT_TYPE_DNREQUEST);
	cr_expect_eq(request(p, MACH_NOTIFY_DEAD_NAME, 0, n2, &prev), KERN_SUCCESS);
	cr_expect_eq(conf_type(prev), MACH_PORT_TYPE_SEND_ONCE);
	cr_expect_eq(conf_status(n1).mps_sorights, 1);
	cr_expect_eq(request(p, MACH_NOTIFY_DEAD_NAME, 0, MACH_PORT_NULL, &prev), KERN_SUCCESS);
	cr_expect_eq(conf_type(prev), MACH_PORT_TYPE_SEND_ONCE);
	cr_expect_eq(conf_status(n2).mps_sorights, 1);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
}

Test(conf_requests, send_possible)
{
	mach_port_t p = conf_port(), n = conf_receive_right(), prev;
	conf_rcv in;
	/* armed (sync != 0) on a queue with room: fires at once */
	cr_expect_eq(request(p, MACH_NOTIFY_SEND_POSSIBLE, 1, n, &prev), KERN_SUCCESS);
	cr_expect_eq(next_id(n, &in), MACH_NOTIFY_SEND_POSSIBLE);
	cr_expect_eq(in.msg.head.msgh_size, sizeof(mach_send_possible_notification_t) -
	                                        sizeof(mach_msg_format_0_trailer_t));
	cr_expect_eq(CONF_NOTE(in, mach_send_possible_notification_t, not_port), p);
	/* mach_port_type hides the send-possible bits */
	cr_expect_eq(request(p, MACH_NOTIFY_SEND_POSSIBLE, 0, n, &prev), KERN_SUCCESS);
	cr_expect(queue_empty(n));
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE | MACH_PORT_TYPE_DNREQUEST);
}

/* ---- attributes ---------------------------------------------------------- */

Test(conf_attributes, get_errors)
{
	mach_port_t r = conf_receive_right();
	integer_t info[32];
	mach_msg_type_number_t n;
	n = MACH_PORT_LIMITS_INFO_COUNT - 1;
	cr_expect_eq(mach_port_get_attributes(SELF, r, MACH_PORT_LIMITS_INFO, info, &n), KERN_FAILURE);
	n = MACH_PORT_RECEIVE_STATUS_COUNT - 1;
	cr_expect_eq(mach_port_get_attributes(SELF, r, MACH_PORT_RECEIVE_STATUS, info, &n),
	             KERN_FAILURE);
	n = 0;
	cr_expect_eq(mach_port_get_attributes(SELF, r, MACH_PORT_DNREQUESTS_SIZE, info, &n),
	             KERN_FAILURE);
	n = 32;
	cr_expect_eq(mach_port_get_attributes(SELF, r, 0x777, info, &n), KERN_INVALID_ARGUMENT);
	n = 32;
	cr_expect_eq(mach_port_get_attributes(SELF, MACH_PORT_NULL, MACH_PORT_RECEIVE_STATUS, info, &n),
	             KERN_INVALID_RIGHT);
	n = 32;
	cr_expect_eq(mach_port_get_attributes(SELF, UNUSED_NAME, MACH_PORT_RECEIVE_STATUS, info, &n),
	             KERN_INVALID_NAME);
	n = 32;
	cr_expect_eq(mach_port_get_attributes(SELF, mach_task_self(), MACH_PORT_LIMITS_INFO, info, &n),
	             KERN_INVALID_RIGHT);
	/* a NULL name answers LIMITS_INFO with nothing, DNREQUESTS_SIZE with 0 */
	n = 32;
	cr_expect_eq(mach_port_get_attributes(SELF, MACH_PORT_NULL, MACH_PORT_LIMITS_INFO, info, &n),
	             KERN_SUCCESS);
	cr_expect_eq(n, 0);
	n = 1;
	info[0] = 99;
	cr_expect_eq(mach_port_get_attributes(SELF, MACH_PORT_NULL, MACH_PORT_DNREQUESTS_SIZE, info, &n),
	             KERN_SUCCESS);
	cr_expect_eq(info[0], 0);
}

Test(conf_attributes, limits_and_counts)
{
	mach_port_t r = conf_receive_right();
	mach_port_limits_t lim = {0};
	mach_msg_type_number_t n = 32;
	integer_t big[32];
	cr_expect_eq(mach_port_get_attributes(SELF, r, MACH_PORT_LIMITS_INFO, big, &n), KERN_SUCCESS);
	cr_expect_eq(n, MACH_PORT_LIMITS_INFO_COUNT);
	cr_expect_eq(big[0], MACH_PORT_QLIMIT_DEFAULT);
	n = 32;
	cr_expect_eq(mach_port_get_attributes(SELF, r, MACH_PORT_RECEIVE_STATUS, big, &n), KERN_SUCCESS);
	cr_expect_eq(n, MACH_PORT_RECEIVE_STATUS_COUNT);
	n = 32;
	big[0] = 99;
	cr_expect_eq(mach_port_get_attributes(SELF, r, MACH_PORT_DNREQUESTS_SIZE, big, &n), KERN_SUCCESS);
	cr_expect_eq(n, MACH_PORT_DNREQUESTS_SIZE_COUNT);
	cr_expect_eq(big[0], 0, "no request table yet");

	lim.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
	cr_expect_eq(mach_port_set_attributes(SELF, r, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	                                      MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_INVALID_VALUE);
	lim.mpl_qlimit = 2;
	cr_expect_eq(mach_port_set_attributes(SELF, r, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, 0),
	             KERN_FAILURE);
	cr_expect_eq(mach_port_set_attributes(SELF, MACH_PORT_NULL, MACH_PORT_LIMITS_INFO,
	                                      (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_set_attributes(SELF, mach_task_self(), MACH_PORT_LIMITS_INFO,
	                                      (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_set_attributes(SELF, r, 0x777, (mach_port_info_t)&lim, 1),
	             KERN_INVALID_ARGUMENT);
	cr_expect_eq(mach_port_set_attributes(SELF, r, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	                                      MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_expect_eq(conf_status(r).mps_qlimit, 2);
	lim.mpl_qlimit = MACH_PORT_QLIMIT_MAX;
	cr_expect_eq(mach_port_set_attributes(SELF, r, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	                                      MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_expect_eq(conf_status(r).mps_qlimit, MACH_PORT_QLIMIT_MAX);
}

Test(conf_attributes, status_fields_follow_the_port)
{
	mach_port_t r = conf_receive_right(), so, prev, n = conf_receive_right();
	mach_msg_type_name_t t;
	cr_assert_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_assert_eq(mach_port_extract_right(SELF, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_assert_eq(conf_send(r, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 1), MACH_MSG_SUCCESS);
	cr_assert_eq(conf_send(r, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 2), MACH_MSG_SUCCESS);
	cr_assert_eq(request(r, MACH_NOTIFY_NO_SENDERS, 5, n, &prev), KERN_SUCCESS);
	cr_assert_eq(request(r, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev), KERN_SUCCESS);
	mach_port_status_t st = conf_status(r);
	cr_expect_eq(st.mps_mscount, 2);
	cr_expect_eq(st.mps_srights, 1, "a flag, not a count");
	cr_expect_eq(st.mps_sorights, 1);
	cr_expect_eq(st.mps_msgcount, 2);
	cr_expect_eq(st.mps_seqno, 0);
	cr_expect_eq(st.mps_nsrequest, 1);
	cr_expect_eq(st.mps_pdrequest, 1);
	conf_rcv in;
	cr_assert_eq(conf_recv(r, &in, 0, 0), MACH_MSG_SUCCESS);
	st = conf_status(r);
	cr_expect_eq(st.mps_seqno, 1);
	cr_expect_eq(st.mps_msgcount, 1);
	cr_expect_eq(mach_port_set_seqno(SELF, r, 40), KERN_SUCCESS);
	cr_expect_eq(mach_port_set_mscount(SELF, r, 9), KERN_SUCCESS);
	st = conf_status(r);
	cr_expect_eq(st.mps_seqno, 40);
	cr_expect_eq(st.mps_mscount, 9);
	cr_assert_eq(conf_recv(r, &in, 0, MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO)),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.trailer.msgh_seqno, 40);
	cr_expect_eq(mach_port_set_seqno(SELF, MACH_PORT_NULL, 1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_set_mscount(SELF, mach_task_self(), 1), KERN_INVALID_RIGHT);
}

/* ---- construct / destruct --------------------------------------------------- */

Test(conf_attributes, construct_options)
{
	mach_port_options_t o;
	mach_port_t p;
	memset(&o, 0, sizeof o);
	o.flags = MPO_INSERT_SEND_RIGHT | MPO_QLIMIT | MPO_CONTEXT_AS_GUARD;
	o.mpl.mpl_qlimit = 3;
	cr_assert_eq(mach_port_construct(SELF, &o, 0x1234, &p), KERN_SUCCESS);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	mach_port_status_t st = conf_status(p);
	cr_expect_eq(st.mps_qlimit, 3);
	cr_expect(st.mps_flags & MACH_PORT_STATUS_FLAG_GUARDED);
	mach_port_context_t ctx = 0;
	cr_expect_eq(mach_port_get_context(SELF, p, &ctx), KERN_SUCCESS);
	cr_expect_eq(ctx, 0x1234);
	/* a guarded port refuses plain destruction */
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_destruct(SELF, p, 0, 0x9999), KERN_INVALID_ARGUMENT);
	cr_expect_eq(mach_port_destruct(SELF, p, -1, 0x1234), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, p, &t), KERN_INVALID_NAME);
	cr_expect_eq(mach_port_destruct(SELF, MACH_PORT_NULL, 0, 0), KERN_INVALID_NAME);

	memset(&o, 0, sizeof o);
	o.flags = MPO_QLIMIT;
	o.mpl.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
	cr_expect_eq(mach_port_construct(SELF, &o, 0, &p), KERN_INVALID_VALUE);
}

Test(conf_attributes, destruct_errors)
{
	mach_port_t r = conf_receive_right(), p = conf_port(), n = conf_receive_right(), prev;
	cr_expect_eq(mach_port_destruct(SELF, mach_task_self(), 0, 0), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_destruct(SELF, r, -1, 0), KERN_INVALID_RIGHT, "no send right to drop");
	cr_expect_eq(mach_port_destruct(SELF, p, 1, 0), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_destruct(SELF, p, -2, 0), KERN_INVALID_VALUE);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE, "nothing changed");
	/* an unguarded port ignores the guard argument; dropping the last send
	 * right fires no-senders before the port dies */
	cr_assert_eq(request(p, MACH_NOTIFY_NO_SENDERS, 0, n, &prev), KERN_SUCCESS);
	cr_expect_eq(mach_port_destruct(SELF, p, -1, 0xdead), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, p, &t), KERN_INVALID_NAME);
	conf_rcv in;
	cr_expect_eq(next_id(n, &in), MACH_NOTIFY_NO_SENDERS);
	cr_expect_eq(mach_port_destruct(SELF, r, 0, 0), KERN_SUCCESS);
}

Test(conf_requests, send_possible_after_the_queue_drains)
{
	mach_port_t p = conf_port(), n = conf_receive_right(), prev;
	mach_port_limits_t lim = {.mpl_qlimit = 1};
	conf_rcv in;
	cr_assert_eq(mach_port_set_attributes(SELF, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	                                      MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_MSG_SUCCESS);
	cr_assert_eq(request(p, MACH_NOTIFY_SEND_POSSIBLE, 1, n, &prev), KERN_SUCCESS);
	cr_expect(queue_empty(n), "the queue is full: armed, not fired");
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(next_id(n, &in), MACH_NOTIFY_SEND_POSSIBLE);
	cr_expect_eq(CONF_NOTE(in, mach_send_possible_notification_t, not_port), p);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE, "the request is used up");
}

Test(conf_requests, dead_name_request_on_a_send_once_right)
{
	mach_port_t r = conf_receive_right(), n = conf_receive_right(), so, prev;
	mach_msg_type_name_t t;
	conf_rcv in;
	cr_assert_eq(mach_port_extract_right(SELF, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_assert_eq(request(so, MACH_NOTIFY_DEAD_NAME, 0, n, &prev), KERN_SUCCESS);
	cr_expect_eq(conf_type(so), MACH_PORT_TYPE_SEND_ONCE | MACH_PORT_TYPE_DNREQUEST);
	cr_assert_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_expect_eq(next_id(n, &in), MACH_NOTIFY_DEAD_NAME);
	cr_expect_eq(CONF_NOTE(in, mach_dead_name_notification_t, not_port), so);
	cr_expect_eq(conf_type(so), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_refs(so, MACH_PORT_RIGHT_DEAD_NAME), 2);
}

Test(conf_attributes, get_set_status_errors)
{
	mach_port_t p = conf_port();
	mach_port_name_array_t names = NULL;
	mach_msg_type_number_t n = 0;
	cr_expect_eq(mach_port_get_set_status(SELF, MACH_PORT_NULL, &names, &n), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_get_set_status(SELF, p, &names, &n), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_get_set_status(SELF, 0x7f0f03, &names, &n), KERN_INVALID_NAME);
}

Test(conf_attributes, info_ext_and_dnrequests_size_setter)
{
	mach_port_t r = conf_port();
	mach_port_info_ext_t ext;
	mach_msg_type_number_t n = MACH_PORT_INFO_EXT_COUNT;
	memset(&ext, 0x5a, sizeof ext);
	cr_expect_eq(mach_port_get_attributes(SELF, r, MACH_PORT_INFO_EXT, (mach_port_info_t)&ext, &n),
	             KERN_SUCCESS);
	cr_expect_eq(n, MACH_PORT_INFO_EXT_COUNT);
	cr_expect_eq(ext.mpie_status.mps_qlimit, MACH_PORT_QLIMIT_DEFAULT);
	cr_expect_eq(ext.mpie_status.mps_mscount, 1);
	cr_expect_eq(ext.mpie_status.mps_srights, 1);
	cr_expect_eq(ext.mpie_boost_cnt, 0);
	n = MACH_PORT_INFO_EXT_COUNT - 1;
	cr_expect_eq(mach_port_get_attributes(SELF, r, MACH_PORT_INFO_EXT, (mach_port_info_t)&ext, &n),
	             KERN_FAILURE);
	n = MACH_PORT_INFO_EXT_COUNT;
	cr_expect_eq(mach_port_get_attributes(SELF, MACH_PORT_NULL, MACH_PORT_INFO_EXT,
	                                      (mach_port_info_t)&ext, &n),
	             KERN_INVALID_RIGHT);
	integer_t size = 4;
	cr_expect_eq(mach_port_set_attributes(SELF, r, MACH_PORT_DNREQUESTS_SIZE, &size, 0), KERN_FAILURE);
	cr_expect_eq(mach_port_set_attributes(SELF, MACH_PORT_NULL, MACH_PORT_DNREQUESTS_SIZE, &size, 1),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_set_attributes(SELF, mach_task_self(), MACH_PORT_DNREQUESTS_SIZE, &size, 1),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_set_attributes(SELF, r, MACH_PORT_DNREQUESTS_SIZE, &size, 1), KERN_SUCCESS);
}

Test(conf_attributes, guards_and_contexts)
{
	mach_port_t p = conf_port(), q;
	mach_port_context_t ctx = 7;
	cr_expect_eq(mach_port_guard(SELF, MACH_PORT_NULL, 1, FALSE), KERN_INVALID_NAME);
	cr_expect_eq(mach_port_guard(SELF, mach_task_self(), 1, FALSE), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_unguard(SELF, p, 1), KERN_INVALID_ARGUMENT, "not guarded");
	cr_expect_eq(mach_port_guard(SELF, p, 0x77, FALSE), KERN_SUCCESS);
	cr_expect_eq(mach_port_guard(SELF, p, 0x78, FALSE), KERN_INVALID_ARGUMENT, "a context is set");
	cr_expect_eq(mach_port_get_context(SELF, p, &ctx), KERN_SUCCESS);
	cr_expect_eq(ctx, 0x77);
	cr_expect_eq(mach_port_unguard(SELF, p, 0x78), KERN_INVALID_ARGUMENT, "wrong guard");
	cr_expect_eq(mach_port_unguard(SELF, p, 0x77), KERN_SUCCESS);
	cr_expect_eq(mach_port_get_context(SELF, p, &ctx), KERN_SUCCESS);
	cr_expect_eq(ctx, 0);
	/* a strict guard hides the context and refuses a new one */
	mach_port_options_t o;
	memset(&o, 0, sizeof o);
	o.flags = MPO_CONTEXT_AS_GUARD | MPO_STRICT;
	cr_assert_eq(mach_port_construct(SELF, &o, 0x99, &q), KERN_SUCCESS);
	cr_expect_eq(mach_port_get_context(SELF, q, &ctx), KERN_SUCCESS);
	cr_expect_eq(ctx, 0);
	cr_expect_eq(mach_port_set_context(SELF, q, 5), KERN_INVALID_ARGUMENT);
	mach_port_status_t st = conf_status(q);
	cr_expect_eq(st.mps_flags & (MACH_PORT_STATUS_FLAG_GUARDED | MACH_PORT_STATUS_FLAG_STRICT_GUARD),
	             MACH_PORT_STATUS_FLAG_GUARDED | MACH_PORT_STATUS_FLAG_STRICT_GUARD);
	cr_expect_eq(mach_port_destruct(SELF, q, 0, 0x99), KERN_SUCCESS);
}
