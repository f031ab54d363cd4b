/* Kernel notifications: ids, sizes, header bits and bodies (osfmk/ipc/
 * ipc_notify.c, mach/notify.h), in one task and across processes. */
#include "conf.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

TestSuite(conf_notify, .init = conf_broker_start, .fini = conf_broker_stop);

/* Notifications are sent to a send-once right: received with no reply port
 * and the destination's type MACH_MSG_TYPE_PORT_SEND_ONCE. */
#define NOTIFY_BITS MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE)
#define BODY_SIZE(t) ((mach_msg_size_t)(sizeof(t) - sizeof(mach_msg_format_0_trailer_t)))

static mach_port_t request(mach_port_t name, mach_msg_id_t id, mach_port_mscount_t sync,
                           mach_port_t notify)
{
	mach_port_t prev = 0x5555;
	cr_assert_eq(mach_port_request_notification(SELF, name, id, sync, notify,
	                                            MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	return prev;
}

static void expect_header(const conf_rcv *in, mach_port_t notify, mach_msg_id_t id,
                          mach_msg_size_t size, mach_msg_bits_t bits)
{
	cr_expect_eq(in->msg.head.msgh_id, id);
	cr_expect_eq(in->msg.head.msgh_size, size, "id %d size %u", id, in->msg.head.msgh_size);
	cr_expect_eq(in->msg.head.msgh_bits, bits, "id %d bits %#x", id, in->msg.head.msgh_bits);
	cr_expect_eq(in->msg.head.msgh_local_port, notify);
	cr_expect_eq(in->msg.head.msgh_remote_port, MACH_PORT_NULL);
}

/* Moves the receive right of p into a message queued on holder: p keeps
 * only its send right, the port itself lives on in transit. */
static void park_receive_right(mach_port_t p, mach_port_t holder)
{
	conf_port_msg m;
	conf_port_msg_init(&m, holder, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, p,
	                   MACH_MSG_TYPE_MOVE_RECEIVE);
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(conf_type(p), MACH_PORT_TYPE_SEND);
}

Test(conf_notify, no_senders_carries_the_make_send_count)
{
	mach_port_t p = conf_port(), n = conf_receive_right();
	conf_rcv in;
	cr_assert_eq(mach_port_insert_right(SELF, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_right(SELF, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	request(p, MACH_NOTIFY_NO_SENDERS, 0, n);
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, -3), KERN_SUCCESS);
	cr_assert_eq(conf_recv(n, &in, 2000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, n, MACH_NOTIFY_NO_SENDERS, BODY_SIZE(mach_no_senders_notification_t),
	              NOTIFY_BITS);
	const mach_no_senders_notification_t *ns = (const void *)&in;
	cr_expect_eq(ns->not_count, 3);
	cr_expect_eq(memcmp(&ns->NDR, &NDR_record, sizeof NDR_record), 0);
	cr_expect_eq(conf_status(p).mps_nsrequest, 0, "the request is used up");
}

Test(conf_notify, send_once_notification_is_a_bare_header)
{
	mach_port_t n = conf_receive_right(), so;
	mach_msg_type_name_t t;
	conf_rcv in;
	cr_assert_eq(mach_port_extract_right(SELF, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(SELF, so, MACH_PORT_RIGHT_SEND_ONCE, -1), KERN_SUCCESS);
	cr_assert_eq(conf_recv(n, &in, 2000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, n, MACH_NOTIFY_SEND_ONCE, sizeof(mach_msg_header_t), NOTIFY_BITS);
}

Test(conf_notify, port_deleted_when_the_watched_right_goes)
{
	mach_port_t p = conf_port(), holder = conf_receive_right(), n = conf_receive_right();
	conf_rcv in;
	park_receive_right(p, holder);
	request(p, MACH_NOTIFY_DEAD_NAME, 0, n);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST);
	cr_assert_eq(mach_port_deallocate(SELF, p), KERN_SUCCESS);
	cr_assert_eq(conf_recv(n, &in, 2000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, n, MACH_NOTIFY_PORT_DELETED, BODY_SIZE(mach_port_deleted_notification_t),
	              NOTIFY_BITS);
	cr_expect_eq(CONF_NOTE(in, mach_port_deleted_notification_t, not_port), p);
}

Test(conf_notify, dead_name_when_the_port_dies)
{
	mach_port_t p = conf_port(), holder = conf_receive_right(), n = conf_receive_right();
	conf_rcv in;
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	park_receive_right(p, holder);
	request(p, MACH_NOTIFY_DEAD_NAME, 0, n);
	/* destroying holder destroys its queued message and the receive right in it */
	cr_assert_eq(mach_port_mod_refs(SELF, holder, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_assert_eq(conf_recv(n, &in, 2000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, n, MACH_NOTIFY_DEAD_NAME, BODY_SIZE(mach_dead_name_notification_t),
	              NOTIFY_BITS);
	cr_expect_eq(CONF_NOTE(in, mach_dead_name_notification_t, not_port), p);
	/* the name is a dead name now, with one more reference for the notification */
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 3);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
}

Test(conf_notify, port_destroyed_hands_back_the_receive_right)
{
	mach_port_t r = conf_receive_right(), n = conf_receive_right();
	cr_assert_eq(conf_send(r, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 31), MACH_MSG_SUCCESS);
	request(r, MACH_NOTIFY_PORT_DESTROYED, 0, n);
	cr_assert_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	struct {
		mach_port_destroyed_notification_t n;
		char pad[64];
	} in;
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.n.not_header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, n, 2000,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.n.not_header.msgh_id, MACH_NOTIFY_PORT_DESTROYED);
	cr_expect_eq(in.n.not_header.msgh_size, BODY_SIZE(mach_port_destroyed_notification_t));
	cr_expect_eq(in.n.not_header.msgh_bits, MACH_MSGH_BITS_COMPLEX | NOTIFY_BITS);
	cr_expect_eq(in.n.not_body.msgh_descriptor_count, 1);
	cr_expect_eq(in.n.not_port.type, MACH_MSG_PORT_DESCRIPTOR);
	cr_expect_eq(in.n.not_port.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	mach_port_t back = in.n.not_port.name;
	cr_expect_eq(conf_type(back), MACH_PORT_TYPE_RECEIVE);
	/* the port lived on: its queue, its message, no request any more */
	mach_port_status_t st = conf_status(back);
	cr_expect_eq(st.mps_msgcount, 1);
	cr_expect_eq(st.mps_pdrequest, 0);
	conf_rcv m;
	cr_assert_eq(conf_recv(back, &m, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(m.msg.value, 31);
}

/* ---- across processes ----------------------------------------------------- */

static int serve_one_then_exit(void *arg)
{
	mach_port_t port;
	conf_rcv in;
	if (conf_check_in((const char *)arg, &port) != KERN_SUCCESS)
		return 2;
	/* holds what the message brought (a send-once reply right) and dies */
	if (conf_recv(port, &in, 10000, 0) != MACH_MSG_SUCCESS)
		return 3;
	return 0;
}

Test(conf_notify, a_dying_task_leaves_dead_names_and_notifications)
{
	alarm(30);
	char service[96];
	strcpy(service, conf_service_name("dying"));
	pid_t child = conf_fork(serve_one_then_exit, service);
	mach_port_t s = MACH_PORT_NULL;
	for (int i = 0; i < 2000 && conf_look_up(service, &s) != KERN_SUCCESS; i++)
		usleep(2000);
	cr_assert_neq(s, MACH_PORT_NULL, "the child checked in");
	mach_port_t dn = conf_receive_right(), reply = conf_receive_right();
	mach_port_t x = conf_receive_right(), ns = conf_receive_right();
	request(s, MACH_NOTIFY_DEAD_NAME, 0, dn);
	/* the message gives the child a send-once right to reply and the only
	 * send right to x */
	conf_port_msg m;
	conf_port_msg_init(&m, s, MACH_MSG_TYPE_COPY_SEND, reply, x, MACH_MSG_TYPE_MAKE_SEND);
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	request(x, MACH_NOTIFY_NO_SENDERS, 0, ns);
	cr_assert_eq(conf_wait(child, 10000), 0);

	conf_rcv in;
	cr_assert_eq(conf_recv(reply, &in, 5000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, reply, MACH_NOTIFY_SEND_ONCE, sizeof(mach_msg_header_t), NOTIFY_BITS);
	cr_assert_eq(conf_recv(ns, &in, 5000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, ns, MACH_NOTIFY_NO_SENDERS, BODY_SIZE(mach_no_senders_notification_t),
	              NOTIFY_BITS);
	cr_expect_eq(CONF_NOTE(in, mach_no_senders_notification_t, not_count), 1);
	cr_assert_eq(conf_recv(dn, &in, 5000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, dn, MACH_NOTIFY_DEAD_NAME, BODY_SIZE(mach_dead_name_notification_t),
	              NOTIFY_BITS);
	cr_expect_eq(CONF_NOTE(in, mach_dead_name_notification_t, not_port), s);
	cr_expect_eq(conf_type(s), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_refs(s, MACH_PORT_RIGHT_DEAD_NAME), 2);
}

static int arm_port_destroyed_then_exit(void *arg)
{
	mach_port_t c;
	conf_rcv in;
	if (conf_check_in((const char *)arg, &c) != KERN_SUCCESS)
		return 2;
	if (conf_recv(c, &in, 10000, 0) != MACH_MSG_SUCCESS)
		return 3;
	/* the request's reply right becomes the port-destroyed notify right */
	mach_port_t prev;
	if (mach_port_request_notification(SELF, c, MACH_NOTIFY_PORT_DESTROYED, 0,
	                                   in.msg.head.msgh_remote_port, MACH_MSG_TYPE_MOVE_SEND_ONCE,
	                                   &prev) != KERN_SUCCESS)
		return 4;
	if (mach_port_insert_right(SELF, c, c, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    conf_send(c, MACH_MSG_TYPE_MOVE_SEND, 0, 0, 99) != MACH_MSG_SUCCESS)
		return 5;
	return 0; /* the task dies with the receive right */
}

Test(conf_notify, port_destroyed_when_the_receiving_task_dies)
{
	alarm(30);
	char service[96];
	strcpy(service, conf_service_name("pd"));
	pid_t child = conf_fork(arm_port_destroyed_then_exit, service);
	mach_port_t s = MACH_PORT_NULL;
	for (int i = 0; i < 2000 && conf_look_up(service, &s) != KERN_SUCCESS; i++)
		usleep(2000);
	cr_assert_neq(s, MACH_PORT_NULL, "the child checked in");
	mach_port_t n = conf_receive_right();
	cr_assert_eq(conf_send(s, MACH_MSG_TYPE_COPY_SEND, n, MACH_MSG_TYPE_MAKE_SEND_ONCE, 1),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(conf_wait(child, 10000), 0);
	struct {
		mach_port_destroyed_notification_t n;
		char pad[64];
	} in;
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.n.not_header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, n, 5000,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.n.not_header.msgh_id, MACH_NOTIFY_PORT_DESTROYED);
	cr_expect_eq(in.n.not_port.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	mach_port_t back = in.n.not_port.name;
	cr_expect_eq(back, s, "the receive right joins our send right's name");
	cr_expect_eq(conf_type(back), MACH_PORT_TYPE_SEND_RECEIVE);
	conf_rcv m;
	cr_assert_eq(conf_recv(back, &m, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(m.msg.value, 99, "the queue came with it");
}

Test(conf_notify, port_deleted_when_the_watched_right_is_moved_away)
{
	/* ipc_right_copyin: moving the last reference of a watched send right
	 * cancels the dead-name request with a port-deleted notification */
	mach_port_t p = conf_port(), holder = conf_receive_right(), box = conf_port();
	mach_port_t n = conf_receive_right();
	conf_rcv in;
	park_receive_right(p, holder);
	request(p, MACH_NOTIFY_DEAD_NAME, 0, n);
	conf_port_msg m;
	conf_port_msg_init(&m, box, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, p, MACH_MSG_TYPE_COPY_SEND);
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(conf_recv(n, &in, 0, 0), MACH_RCV_TIMED_OUT, "a copy changes nothing");
	m.port.disposition = MACH_MSG_TYPE_MOVE_SEND;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(n, &in, 2000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, n, MACH_NOTIFY_PORT_DELETED, BODY_SIZE(mach_port_deleted_notification_t),
	              NOTIFY_BITS);
	cr_expect_eq(CONF_NOTE(in, mach_port_deleted_notification_t, not_port), p);
}

Test(conf_notify, requests_on_a_right_whose_port_already_died)
{
	/* ipc_right_request_alloc: the right turns into a dead name; a dead-name
	 * request is then refused (KERN_INVALID_ARGUMENT), a send-possible
	 * request answered at once with a dead-name notification (and one more
	 * reference) */
	mach_port_t p = conf_port(), holder = conf_receive_right(), n = conf_receive_right(), prev;
	conf_rcv in;
	park_receive_right(p, holder);
	cr_assert_eq(mach_port_mod_refs(SELF, holder, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_expect_eq(mach_port_request_notification(SELF, p, MACH_NOTIFY_DEAD_NAME, 0, n,
	                                            MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_INVALID_ARGUMENT);
	cr_assert_eq(conf_recv(n, &in, 2000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_id, MACH_NOTIFY_SEND_ONCE, "the refused notify right");
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 1);
	cr_expect_eq(mach_port_request_notification(SELF, p, MACH_NOTIFY_SEND_POSSIBLE, 0, n,
	                                            MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	cr_assert_eq(conf_recv(n, &in, 2000, 0), MACH_MSG_SUCCESS);
	expect_header(&in, n, MACH_NOTIFY_DEAD_NAME, BODY_SIZE(mach_dead_name_notification_t),
	              NOTIFY_BITS);
	cr_expect_eq(CONF_NOTE(in, mach_dead_name_notification_t, not_port), p);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 2);
}

Test(conf_notify, notifications_carry_the_kernel_s_tokens)
{
	/* kernel messages carry KERNEL_SECURITY_TOKEN_VALUE {0, 1} and the
	 * all-zero KERNEL_AUDIT_TOKEN_VALUE (pid 0): how receivers tell a real
	 * notification from a forged one */
	mach_port_t r = conf_receive_right(), n = conf_receive_right();
	request(r, MACH_NOTIFY_NO_SENDERS, 0, n); /* fires at once: no senders */
	struct {
		mach_no_senders_notification_t n;
		char room[64];
	} in;
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.n.not_header,
	                      MACH_RCV_MSG | MACH_RCV_TIMEOUT |
	                          MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT),
	                      0, sizeof in, n, 2000, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.n.not_header.msgh_id, MACH_NOTIFY_NO_SENDERS);
	mach_msg_audit_trailer_t t;
	memcpy(&t, (const char *)&in + in.n.not_header.msgh_size, sizeof t);
	cr_expect_eq(t.msgh_trailer_size, sizeof(mach_msg_audit_trailer_t));
	cr_expect_eq(t.msgh_sender.val[0], 0);
	cr_expect_eq(t.msgh_sender.val[1], 1);
	for (int i = 0; i < 8; i++)
		cr_expect_eq(t.msgh_audit.val[i], 0, "audit token word %d", i);
}

static int send_one(void *arg)
{
	mach_port_t s;
	if (conf_look_up((const char *)arg, &s) != KERN_SUCCESS)
		return 2;
	return conf_send(s, MACH_MSG_TYPE_COPY_SEND, 0, 0, 3) == MACH_MSG_SUCCESS ? 0 : 3;
}

Test(conf_notify, the_audit_token_names_the_sending_process)
{
	alarm(30);
	char service[96];
	strcpy(service, conf_service_name("audit"));
	mach_port_t svc;
	cr_assert_eq(conf_check_in(service, &svc), KERN_SUCCESS);
	pid_t child = conf_fork(send_one, service);
	cr_assert_eq(conf_wait(child, 10000), 0);
	conf_rcv in;
	cr_assert_eq(conf_recv(svc, &in, 5000, MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.value, 3);
	cr_expect_eq(in.trailer.msgh_audit.val[5], (unsigned)child, "audit token pid");
	cr_expect_eq(in.trailer.msgh_audit.val[1], geteuid());
	cr_expect_eq(in.trailer.msgh_sender.val[0], geteuid());
}
