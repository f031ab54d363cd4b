/* Port notifications: dead-name (also on process death), no-senders,
 * send-once, port-destroyed and port-deleted. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

TestSuite(notify, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 30);

static mach_port_t notify_port(void)
{
	mach_port_t n;
	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &n), KERN_SUCCESS);
	return n;
}

Test(notify, no_senders)
{
	mach_port_t p = rt_port_with_send(), n = notify_port(), prev = 1;
	rt_simple_rcv r;

	cr_assert_eq(mach_port_request_notification(mach_task_self(), p, MACH_NOTIFY_NO_SENDERS, 0,
	                                            n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	cr_assert_eq(prev, MACH_PORT_NULL);
	cr_assert_eq(rt_recv(n, &r, 0, 0), MACH_RCV_TIMED_OUT, "a send right still exists");
	cr_assert_eq(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
	cr_assert_eq(rt_recv(n, &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.head.msgh_id, MACH_NOTIFY_NO_SENDERS);
}

Test(notify, send_once_destroyed_unused)
{
	mach_port_t p = rt_port_with_send(), so;
	mach_msg_type_name_t ty;
	rt_simple_rcv r;

	cr_assert_eq(mach_port_extract_right(mach_task_self(), p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so,
	                                     &ty), KERN_SUCCESS);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), so), KERN_SUCCESS);
	cr_assert_eq(rt_recv(p, &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.head.msgh_id, MACH_NOTIFY_SEND_ONCE);
}

Test(notify, port_destroyed_returns_receive_right)
{
	mach_port_t p, n = notify_port(), prev;
	struct {
		mach_port_destroyed_notification_t m;
		mach_msg_max_trailer_t t;
	} r;

	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	cr_assert_eq(mach_port_request_notification(mach_task_self(), p, MACH_NOTIFY_PORT_DESTROYED,
	                                            0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_destroy(mach_task_self(), p), KERN_SUCCESS);
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.m.not_header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, n, 1000,
	                      0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.m.not_header.msgh_id, MACH_NOTIFY_PORT_DESTROYED);
	cr_assert_eq(r.m.not_port.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
}

Test(notify, dead_name_and_port_deleted)
{
	mach_port_t p = rt_port_with_send(), n = notify_port(), prev;
	mach_port_type_t t;
	rt_simple_rcv r;

	/* Our own send right turns into a dead name when the receive right goes. */
	cr_assert_eq(mach_port_request_notification(mach_task_self(), p, MACH_NOTIFY_DEAD_NAME, 0, n,
	                                            MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_type(mach_task_self(), p, &t), KERN_SUCCESS);
	cr_assert(t & MACH_PORT_TYPE_DEAD_NAME);
	cr_assert_eq(rt_recv(n, &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.head.msgh_id, MACH_NOTIFY_DEAD_NAME);

	mach_port_t q = rt_port_with_send(), other;
	mach_msg_type_name_t ty;
	cr_assert_eq(mach_port_extract_right(mach_task_self(), q, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                                     &other, &ty), KERN_SUCCESS);
	cr_assert_eq(mach_port_request_notification(mach_task_self(), other, MACH_NOTIFY_DEAD_NAME,
	                                            0, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	cr_assert_eq(rt_send(other, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 1, 1, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(rt_recv(n, &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.head.msgh_id, MACH_NOTIFY_PORT_DELETED);
}

static int child_serves_then_exits(void *arg)
{
	mach_port_t svc;
	rt_simple_rcv r;
	if (rt_check_in(arg, &svc))
		return 10;
	/* Wait for the parent's go, then exit holding the receive right. */
	return rt_recv(svc, &r, 10000, 0) == MACH_MSG_SUCCESS ? 0 : 11;
}

Test(notify, dead_name_on_process_death)
{
	mach_port_t svc = MACH_PORT_NULL, n = notify_port(), prev;
	rt_simple_rcv r;
	pid_t kid = rt_fork(child_serves_then_exits, "test.mortal");

	for (int i = 0; i < 2000 && rt_look_up("test.mortal", &svc); i++)
		usleep(2000);
	cr_assert_neq(svc, MACH_PORT_NULL);
	cr_assert_eq(mach_port_request_notification(mach_task_self(), svc, MACH_NOTIFY_DEAD_NAME, 0,
	                                            n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	cr_assert_eq(rt_send(svc, MACH_MSG_TYPE_COPY_SEND, 0, 1, 1, RT_NO_TIMEOUT), MACH_MSG_SUCCESS);
	cr_assert_eq(rt_wait(kid, 10000), 0);
	cr_assert_eq(rt_recv(n, &r, 3000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.head.msgh_id, MACH_NOTIFY_DEAD_NAME);
}
