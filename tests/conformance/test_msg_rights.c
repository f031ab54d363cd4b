/* Rights carried in messages: receive rights (what moves with them), OOL
 * port arrays, blocked senders and receivers, mach_port_names. From XNU's
 * osfmk/ipc/ipc_port.c, ipc_kmsg.c, ipc_mqueue.c and mach_port.c. */
#include "conf.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

TestSuite(conf_rights_in_messages, .init = conf_broker_start, .fini = conf_broker_stop);

typedef struct {
	conf_port_msg m;
	mach_msg_max_trailer_t trailer;
} port_rcv;

static mach_msg_return_t send_port(mach_port_t dest, mach_port_t carried, mach_msg_type_name_t disp)
{
	conf_port_msg m;
	conf_port_msg_init(&m, dest, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, carried, disp);
	return mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0,
	                MACH_PORT_NULL);
}

Test(conf_rights_in_messages, a_moved_receive_right_starts_afresh)
{
	/* ipc_port_clear_receiver: make-send count, sequence number and context
	 * are reset when the receive right leaves a space; queue and send rights stay */
	mach_port_t p = conf_port(), holder = conf_port();
	cr_assert_eq(mach_port_insert_right(SELF, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_assert_eq(mach_port_set_seqno(SELF, p, 7), KERN_SUCCESS);
	cr_assert_eq(mach_port_set_context(SELF, p, 0x99), KERN_SUCCESS);
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_MSG_SUCCESS);
	cr_assert_eq(send_port(holder, p, MACH_MSG_TYPE_MOVE_RECEIVE), MACH_MSG_SUCCESS);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND, "our send rights stay under the name");
	port_rcv in;
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, holder, 0,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.m.port.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	cr_expect_eq(in.m.port.name, p, "the receive right rejoins its send right's name");
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	mach_port_status_t st = conf_status(p);
	cr_expect_eq(st.mps_mscount, 0);
	cr_expect_eq(st.mps_seqno, 0);
	cr_expect_eq(st.mps_msgcount, 1);
	cr_expect_eq(st.mps_srights, 1);
	mach_port_context_t ctx = 1;
	cr_expect_eq(mach_port_get_context(SELF, p, &ctx), KERN_SUCCESS);
	cr_expect_eq(ctx, 0);
}

struct waiter {
	mach_port_t name;
	mach_msg_return_t mr;
};

static void *receive_long(void *arg)
{
	struct waiter *w = arg;
	conf_rcv in;
	w->mr = conf_recv(w->name, &in, 8000, 0);
	return NULL;
}

Test(conf_rights_in_messages, receiver_of_a_moved_receive_right)
{
	alarm(20);
	mach_port_t p = conf_receive_right(), holder = conf_receive_right();
	struct waiter w = {p, 0};
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, receive_long, &w), 0);
	usleep(300 * 1000);
	cr_assert_eq(send_port(holder, p, MACH_MSG_TYPE_MOVE_RECEIVE), MACH_SEND_INVALID_DEST,
	             "holder has no send right");
	cr_assert_eq(mach_port_insert_right(SELF, holder, holder, MACH_MSG_TYPE_MAKE_SEND),
	             KERN_SUCCESS);
	cr_assert_eq(send_port(holder, p, MACH_MSG_TYPE_MOVE_RECEIVE), MACH_MSG_SUCCESS);
	pthread_join(th, NULL);
	cr_expect_eq(w.mr, MACH_RCV_PORT_CHANGED, "got %#x", w.mr);
}

struct sender {
	mach_port_t dest;
	mach_msg_return_t mr;
};

static void *send_blocking(void *arg)
{
	struct sender *s = arg;
	conf_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_remote_port = s->dest;
	m.value = 2;
	s->mr = mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 8000,
	                 MACH_PORT_NULL);
	return NULL;
}

Test(conf_rights_in_messages, a_full_queue_blocks_until_room)
{
	alarm(20);
	mach_port_t p = conf_port();
	mach_port_limits_t lim = {.mpl_qlimit = 1};
	cr_assert_eq(mach_port_set_attributes(SELF, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	                                      MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_MSG_SUCCESS);
	struct sender s = {p, 0x77};
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, send_blocking, &s), 0);
	usleep(300 * 1000);
	cr_expect_eq(conf_status(p).mps_msgcount, 1, "the second sender waits");
	conf_rcv in;
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.value, 1);
	pthread_join(th, NULL);
	cr_expect_eq(s.mr, MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(p, &in, 1000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.value, 2);
}

Test(conf_rights_in_messages, a_blocked_sender_of_a_dying_port)
{
	alarm(20);
	mach_port_t p = conf_port();
	mach_port_limits_t lim = {.mpl_qlimit = 1};
	cr_assert_eq(mach_port_set_attributes(SELF, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	                                      MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_MSG_SUCCESS);
	struct sender s = {p, 0x77};
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, send_blocking, &s), 0);
	usleep(300 * 1000);
	/* the port dies under the waiting sender: its message is accepted and
	 * destroyed with the queue (ipc_mqueue_send after THREAD_RESTART) */
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	pthread_join(th, NULL);
	cr_expect_eq(s.mr, MACH_MSG_SUCCESS, "got %#x", s.mr);
}

Test(conf_rights_in_messages, ool_port_arrays)
{
	mach_port_t p = conf_port(), q = conf_port();
	mach_port_t names[3] = {q, MACH_PORT_NULL, MACH_PORT_DEAD};
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_ool_ports_descriptor_t ports;
	} m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_remote_port = p;
	m.body.msgh_descriptor_count = 1;
	m.ports.address = names;
	m.ports.count = 3;
	m.ports.deallocate = FALSE;
	m.ports.copy = MACH_MSG_PHYSICAL_COPY;
	m.ports.disposition = MACH_MSG_TYPE_MAKE_SEND;
	m.ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(conf_status(q).mps_mscount, 2, "one made send right in transit");
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_ool_ports_descriptor_t ports;
		mach_msg_max_trailer_t t;
	} in;
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p, 0,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.ports.type, MACH_MSG_OOL_PORTS_DESCRIPTOR);
	cr_expect_eq(in.ports.disposition, MACH_MSG_TYPE_PORT_SEND);
	cr_expect_eq(in.ports.count, 3);
	cr_expect_eq(in.ports.copy, MACH_MSG_VIRTUAL_COPY, "always, whatever was sent");
	cr_expect_eq(in.ports.deallocate, TRUE);
	const mach_port_t *got = in.ports.address;
	cr_assert_not_null(got);
	cr_expect_eq(got[0], q);
	cr_expect_eq(got[1], MACH_PORT_NULL);
	cr_expect_eq(got[2], MACH_PORT_DEAD);
	cr_expect_eq(conf_refs(q, MACH_PORT_RIGHT_SEND), 2);
	cr_expect_eq(vm_deallocate(SELF, (vm_address_t)got, 3 * sizeof(mach_port_t)), KERN_SUCCESS);
}

Test(conf_rights_in_messages, names_lists_every_right)
{
	mach_port_t p = conf_port(), n = conf_receive_right(), s, d, prev;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_assert_eq(mach_port_request_notification(SELF, p, MACH_NOTIFY_DEAD_NAME, 0, n,
	                                            MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	mach_port_name_array_t names = NULL;
	mach_port_type_array_t types = NULL;
	mach_msg_type_number_t nn = 0, nt = 0;
	cr_assert_eq(mach_port_names(SELF, &names, &nn, &types, &nt), KERN_SUCCESS);
	cr_expect_eq(nn, nt);
	int found = 0;
	for (mach_msg_type_number_t i = 0; i < nn; i++) {
		if (names[i] == p) {
			found++;
			cr_expect_eq(types[i], MACH_PORT_TYPE_SEND_RECEIVE | MACH_PORT_TYPE_DNREQUEST);
		} else if (names[i] == n) {
			found++;
			cr_expect_eq(types[i], MACH_PORT_TYPE_RECEIVE);
		} else if (names[i] == s) {
			found++;
			cr_expect_eq(types[i], MACH_PORT_TYPE_PORT_SET);
		} else if (names[i] == d) {
			found++;
			cr_expect_eq(types[i], MACH_PORT_TYPE_DEAD_NAME);
		} else if (names[i] == mach_task_self()) {
			found++;
			cr_expect_eq(types[i], MACH_PORT_TYPE_SEND);
		}
	}
	cr_expect_eq(found, 5);
	vm_deallocate(SELF, (vm_address_t)names, nn * sizeof *names);
	vm_deallocate(SELF, (vm_address_t)types, nt * sizeof *types);
}

Test(conf_rights_in_messages, a_receive_right_leaving_the_space_leaves_its_sets)
{
	mach_port_t p = conf_port(), s, got;
	mach_msg_type_name_t t;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_member(SELF, p, s), KERN_SUCCESS);
	cr_assert_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MOVE_RECEIVE, &got, &t),
	             KERN_SUCCESS);
	cr_expect_eq(got, p, "back under the name of its send right");
	cr_expect_eq(conf_status(p).mps_pset, 0);
	mach_port_name_array_t names = NULL;
	mach_msg_type_number_t n = 7;
	cr_assert_eq(mach_port_get_set_status(SELF, s, &names, &n), KERN_SUCCESS);
	cr_expect_eq(n, 0);
}

Test(conf_rights_in_messages, trailer_seqno_is_the_member_port_s)
{
	mach_port_t a = conf_port(), b = conf_port(), s;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_member(SELF, a, s), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_member(SELF, b, s), KERN_SUCCESS);
	cr_assert_eq(mach_port_set_seqno(SELF, b, 40), KERN_SUCCESS);
	cr_assert_eq(conf_send(a, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_MSG_SUCCESS);
	cr_assert_eq(conf_send(b, MACH_MSG_TYPE_COPY_SEND, 0, 0, 2), MACH_MSG_SUCCESS);
	for (int i = 0; i < 2; i++) {
		conf_rcv in;
		cr_assert_eq(conf_recv(s, &in, 0, MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO)),
		             MACH_MSG_SUCCESS);
		if (in.msg.head.msgh_local_port == a)
			cr_expect_eq(in.trailer.msgh_seqno, 0);
		else
			cr_expect_eq(in.trailer.msgh_seqno, 40);
	}
}

Test(conf_rights_in_messages, deallocating_a_send_right_to_a_dead_port)
{
	/* ipc_right_dealloc: the right turns into a dead name first, which then
	 * loses the reference */
	mach_port_t p = conf_port(), holder = conf_port();
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	cr_assert_eq(send_port(holder, p, MACH_MSG_TYPE_MOVE_RECEIVE), MACH_MSG_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(SELF, holder, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_expect_eq(mach_port_deallocate(SELF, p), KERN_SUCCESS);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 1);
	cr_expect_eq(mach_port_deallocate(SELF, p), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, p, &t), KERN_INVALID_NAME);
}

Test(conf_rights_in_messages, a_receive_right_sent_into_its_own_queue_dies)
{
	/* ipc_port_check_circularity: the message is destroyed, the send
	 * "succeeds", and the port dies with it */
	mach_port_t p = conf_port();
	cr_expect_eq(send_port(p, p, MACH_MSG_TYPE_MOVE_RECEIVE), MACH_MSG_SUCCESS);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
}
