/* Port sets and insert_right / extract_right as XNU's osfmk/ipc/mach_port.c,
 * ipc_object.c and ipc_right.c define them. */
#include "conf.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <unistd.h>

TestSuite(conf_sets, .init = conf_broker_start, .fini = conf_broker_stop);
TestSuite(conf_insert_extract, .init = conf_broker_start, .fini = conf_broker_stop);

#define UNUSED_NAME ((mach_port_name_t)0x7f0f03)

static mach_port_t new_set(void)
{
	mach_port_t s;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	return s;
}

static mach_msg_type_number_t members(mach_port_t set, mach_port_name_t *first)
{
	mach_port_name_array_t names = NULL;
	mach_msg_type_number_t n = 0;
	cr_assert_eq(mach_port_get_set_status(SELF, set, &names, &n), KERN_SUCCESS);
	if (n && first)
		*first = names[0];
	if (names)
		vm_deallocate(SELF, (vm_address_t)names, n * sizeof *names);
	return n;
}

Test(conf_sets, insert_extract_member)
{
	mach_port_t s = new_set(), s2 = new_set(), p = conf_port();
	cr_expect_eq(mach_port_insert_member(SELF, p, s), KERN_SUCCESS);
	cr_expect_eq(conf_status(p).mps_pset, 1);
	/* a port may be in several sets; the status only says whether it is in one */
	cr_expect_eq(mach_port_insert_member(SELF, p, s2), KERN_SUCCESS);
	cr_expect_eq(conf_status(p).mps_pset, 1);
	cr_expect_eq(mach_port_extract_member(SELF, p, s2), KERN_SUCCESS);
	cr_expect_eq(mach_port_insert_member(SELF, p, s), KERN_ALREADY_IN_SET);
	mach_port_name_t m = 0;
	cr_expect_eq(members(s, &m), 1);
	cr_expect_eq(m, p);
	cr_expect_eq(mach_port_extract_member(SELF, p, s), KERN_SUCCESS);
	cr_expect_eq(mach_port_extract_member(SELF, p, s), KERN_NOT_IN_SET);
	cr_expect_eq(conf_status(p).mps_pset, 0);
	cr_expect_eq(members(s, NULL), 0);
}

Test(conf_sets, member_errors)
{
	mach_port_t s = new_set(), p = conf_port(), d;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_expect_eq(mach_port_insert_member(SELF, MACH_PORT_NULL, s), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_insert_member(SELF, p, MACH_PORT_DEAD), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_insert_member(SELF, UNUSED_NAME, s), KERN_INVALID_NAME);
	cr_expect_eq(mach_port_insert_member(SELF, p, UNUSED_NAME), KERN_INVALID_NAME);
	cr_expect_eq(mach_port_insert_member(SELF, s, s), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_insert_member(SELF, p, p), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_insert_member(SELF, d, s), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_insert_member(SELF, mach_task_self(), s), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_extract_member(SELF, MACH_PORT_NULL, s), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_extract_member(SELF, p, d), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_move_member(SELF, MACH_PORT_NULL, s), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_move_member(SELF, p, MACH_PORT_DEAD), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_move_member(SELF, UNUSED_NAME, s), KERN_INVALID_NAME);
	cr_expect_eq(mach_port_move_member(SELF, p, d), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_move_member(SELF, s, s), KERN_INVALID_RIGHT);
}

Test(conf_sets, move_member_leaves_one_set)
{
	mach_port_t a = new_set(), b = new_set(), c = new_set(), p = conf_port();
	cr_expect_eq(mach_port_move_member(SELF, p, MACH_PORT_NULL), KERN_NOT_IN_SET);
	cr_expect_eq(mach_port_insert_member(SELF, p, a), KERN_SUCCESS);
	cr_expect_eq(mach_port_insert_member(SELF, p, b), KERN_SUCCESS);
	cr_expect_eq(members(a, NULL), 1);
	cr_expect_eq(members(b, NULL), 1);
	/* move_member: member of `after` only */
	cr_expect_eq(mach_port_move_member(SELF, p, c), KERN_SUCCESS);
	cr_expect_eq(members(a, NULL), 0);
	cr_expect_eq(members(b, NULL), 0);
	cr_expect_eq(members(c, NULL), 1);
	cr_expect_eq(mach_port_move_member(SELF, p, c), KERN_SUCCESS);
	cr_expect_eq(members(c, NULL), 1);
	cr_expect_eq(mach_port_move_member(SELF, p, MACH_PORT_NULL), KERN_SUCCESS);
	cr_expect_eq(members(c, NULL), 0);
	cr_expect_eq(conf_status(p).mps_pset, 0);
}

Test(conf_sets, destroying_a_set_or_member)
{
	mach_port_t s = new_set(), p = conf_port(), q = conf_port();
	cr_assert_eq(mach_port_insert_member(SELF, p, s), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_member(SELF, q, s), KERN_SUCCESS);
	cr_expect_eq(members(s, NULL), 2);
	cr_assert_eq(mach_port_mod_refs(SELF, q, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_expect_eq(members(s, NULL), 1);
	cr_assert_eq(mach_port_mod_refs(SELF, s, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	cr_expect_eq(conf_status(p).mps_pset, 0);
}

Test(conf_sets, receive_on_a_set)
{
	mach_port_t s = new_set(), p = conf_port(), q = conf_port();
	cr_assert_eq(mach_port_insert_member(SELF, p, s), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_member(SELF, q, s), KERN_SUCCESS);
	conf_rcv in;
	cr_expect_eq(conf_recv(s, &in, 0, 0), MACH_RCV_TIMED_OUT);
	cr_assert_eq(conf_send(q, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 7), MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(s, &in, 1000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_local_port, q, "local port names the member");
	cr_expect_eq(in.msg.value, 7);
	/* a message queued before the port joins the set is received through it */
	mach_port_t r = conf_port();
	cr_assert_eq(conf_send(r, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 8), MACH_MSG_SUCCESS);
	cr_assert_eq(mach_port_insert_member(SELF, r, s), KERN_SUCCESS);
	cr_assert_eq(conf_recv(s, &in, 1000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_local_port, r);
	/* members can still be received from directly */
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 9), MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(p, &in, 1000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.value, 9);
	cr_expect_eq(conf_recv(s, &in, 0, 0), MACH_RCV_TIMED_OUT);
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

/* XNU wakes receivers of a destroyed port or set with THREAD_RESTART, which
 * ipc_mqueue_receive_results turns into MACH_RCV_PORT_CHANGED. */
static void receive_while_destroyed(mach_port_t name, mach_port_right_t right)
{
	struct waiter w = {name, 0};
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, receive_long, &w), 0);
	usleep(300 * 1000);
	cr_assert_eq(mach_port_mod_refs(SELF, name, right, -1), KERN_SUCCESS);
	pthread_join(th, NULL);
	cr_expect_eq(w.mr, MACH_RCV_PORT_CHANGED, "got %#x", w.mr);
}

Test(conf_sets, receiver_of_destroyed_port)
{
	alarm(20);
	receive_while_destroyed(conf_receive_right(), MACH_PORT_RIGHT_RECEIVE);
}

Test(conf_sets, receiver_of_destroyed_set)
{
	alarm(20);
	receive_while_destroyed(new_set(), MACH_PORT_RIGHT_PORT_SET);
}

Test(conf_sets, receive_on_names_without_receive_right)
{
	conf_rcv in;
	mach_port_t p = conf_port(), d;
	mach_port_t so;
	mach_msg_type_name_t t;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_assert_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_expect_eq(conf_recv(MACH_PORT_NULL, &in, 0, 0), MACH_RCV_INVALID_NAME);
	cr_expect_eq(conf_recv(UNUSED_NAME, &in, 0, 0), MACH_RCV_INVALID_NAME);
	cr_expect_eq(conf_recv(d, &in, 0, 0), MACH_RCV_INVALID_NAME);
	cr_expect_eq(conf_recv(so, &in, 0, 0), MACH_RCV_INVALID_NAME);
	cr_expect_eq(conf_recv(mach_task_self(), &in, 0, 0), MACH_RCV_INVALID_NAME);
}

/* ---- insert_right / extract_right ---------------------------------------- */

/* A send-once right the failed call made and destroyed comes back as a
 * send-once notification (ipc_object_destroy). */
static void expect_send_once_notification(mach_port_t port)
{
	conf_rcv in;
	cr_expect_eq(conf_recv(port, &in, 2000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_id, MACH_NOTIFY_SEND_ONCE);
}

Test(conf_insert_extract, insert_right_dispositions)
{
	mach_port_t r = conf_receive_right();
	cr_expect_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_expect_eq(conf_type(r), MACH_PORT_TYPE_SEND_RECEIVE);
	cr_expect_eq(conf_status(r).mps_mscount, 1);
	cr_expect_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_COPY_SEND), KERN_SUCCESS);
	cr_expect_eq(conf_refs(r, MACH_PORT_RIGHT_SEND), 2);
	cr_expect_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MOVE_SEND), KERN_SUCCESS);
	cr_expect_eq(conf_refs(r, MACH_PORT_RIGHT_SEND), 2);
	cr_expect_eq(conf_status(r).mps_mscount, 1);
	/* a receive right moved onto its own name stays where it is */
	cr_expect_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MOVE_RECEIVE), KERN_SUCCESS);
	cr_expect_eq(conf_type(r), MACH_PORT_TYPE_SEND_RECEIVE);

	/* a send-once right needs a name of its own */
	cr_expect_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	             KERN_NAME_EXISTS);
	expect_send_once_notification(r);
	cr_expect_eq(conf_status(r).mps_sorights, 0);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7c03, r, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	             KERN_SUCCESS);
	cr_expect_eq(conf_type(0x7c03), MACH_PORT_TYPE_SEND_ONCE);
	cr_expect_eq(conf_status(r).mps_sorights, 1);
}

/* For its own task Libsyscall uses the insert_right trap: the right is
 * copied in first and copyin errors come back as they are. */
Test(conf_insert_extract, insert_right_errors)
{
	mach_port_t r = conf_receive_right(), q = conf_port(), d;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	/* the port already has a name in the space */
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d03, r, MACH_MSG_TYPE_MAKE_SEND),
	             KERN_RIGHT_EXISTS);
	cr_expect_eq(mach_port_insert_right(SELF, q, r, MACH_MSG_TYPE_MAKE_SEND), KERN_RIGHT_EXISTS);
	cr_expect_eq(conf_type(r), MACH_PORT_TYPE_RECEIVE, "the made send right was destroyed");
	cr_expect_eq(conf_status(r).mps_srights, 0);
	cr_expect_eq(mach_port_insert_right(SELF, MACH_PORT_NULL, r, MACH_MSG_TYPE_MAKE_SEND),
	             KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_insert_right(SELF, MACH_PORT_DEAD, r, MACH_MSG_TYPE_MAKE_SEND),
	             KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d00, r, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	             KERN_INVALID_VALUE);
	expect_send_once_notification(r);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d03, MACH_PORT_NULL, MACH_MSG_TYPE_MAKE_SEND),
	             KERN_INVALID_NAME);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d03, MACH_PORT_DEAD, MACH_MSG_TYPE_COPY_SEND),
	             KERN_INVALID_NAME);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d03, UNUSED_NAME, MACH_MSG_TYPE_COPY_SEND),
	             KERN_INVALID_NAME);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d03, mach_task_self(), MACH_MSG_TYPE_MAKE_SEND),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d03, r, MACH_MSG_TYPE_COPY_SEND),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d03, r, 99), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_insert_right(SELF, 0x7d03, d, MACH_MSG_TYPE_COPY_SEND),
	             KERN_INVALID_CAPABILITY);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, 0x7d03, &t), KERN_INVALID_NAME, "nothing was inserted");
}

Test(conf_insert_extract, extract_right_dispositions)
{
	mach_port_t p = conf_port(), got;
	mach_msg_type_name_t ty;
	cr_expect_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MAKE_SEND, &got, &ty), KERN_SUCCESS);
	cr_expect_eq(ty, MACH_MSG_TYPE_PORT_SEND);
	cr_expect_eq(got, p, "a send right of our own port comes back under its name");
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 2);
	cr_expect_eq(conf_status(p).mps_mscount, 2);
	cr_expect_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_COPY_SEND, &got, &ty), KERN_SUCCESS);
	cr_expect_eq(ty, MACH_MSG_TYPE_PORT_SEND);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 3);
	cr_expect_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MOVE_SEND, &got, &ty), KERN_SUCCESS);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 3);
	cr_expect_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &got, &ty),
	             KERN_SUCCESS);
	cr_expect_eq(ty, MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_expect_neq(got, p);
	cr_expect_eq(conf_type(got), MACH_PORT_TYPE_SEND_ONCE);
	mach_port_t so = got;
	cr_expect_eq(mach_port_extract_right(SELF, so, MACH_MSG_TYPE_MOVE_SEND_ONCE, &got, &ty),
	             KERN_SUCCESS);
	cr_expect_eq(ty, MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_expect_eq(conf_status(p).mps_sorights, 1);
	cr_expect_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MOVE_RECEIVE, &got, &ty),
	             KERN_SUCCESS);
	cr_expect_eq(ty, MACH_MSG_TYPE_PORT_RECEIVE);
	cr_expect(conf_type(got) & MACH_PORT_TYPE_RECEIVE);
}

Test(conf_insert_extract, extract_right_errors)
{
	mach_port_t p = conf_port(), r = conf_receive_right(), got, d;
	mach_msg_type_name_t ty;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_expect_eq(mach_port_extract_right(SELF, p, 15, &got, &ty), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_extract_right(SELF, p, 0, &got, &ty), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_extract_right(SELF, p, 22, &got, &ty), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_extract_right(SELF, MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, &got, &ty),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_extract_right(SELF, MACH_PORT_DEAD, MACH_MSG_TYPE_COPY_SEND, &got, &ty),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_extract_right(SELF, UNUSED_NAME, MACH_MSG_TYPE_COPY_SEND, &got, &ty),
	             KERN_INVALID_NAME);
	cr_expect_eq(mach_port_extract_right(SELF, r, MACH_MSG_TYPE_COPY_SEND, &got, &ty),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_extract_right(SELF, r, MACH_MSG_TYPE_MOVE_SEND, &got, &ty),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_extract_right(SELF, r, MACH_MSG_TYPE_MOVE_SEND_ONCE, &got, &ty),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_extract_right(SELF, mach_task_self(), MACH_MSG_TYPE_MAKE_SEND, &got, &ty),
	             KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_extract_right(SELF, mach_task_self(), MACH_MSG_TYPE_MOVE_RECEIVE, &got,
	                                     &ty),
	             KERN_INVALID_RIGHT);
	/* dead names copy in as MACH_PORT_DEAD */
	got = 0;
	cr_expect_eq(mach_port_extract_right(SELF, d, MACH_MSG_TYPE_COPY_SEND, &got, &ty), KERN_SUCCESS);
	cr_expect_eq(got, MACH_PORT_DEAD);
	cr_expect_eq(ty, MACH_MSG_TYPE_PORT_SEND);
	cr_expect_eq(conf_refs(d, MACH_PORT_RIGHT_DEAD_NAME), 1);
	cr_expect_eq(mach_port_extract_right(SELF, d, MACH_MSG_TYPE_MOVE_SEND, &got, &ty), KERN_SUCCESS);
	cr_expect_eq(got, MACH_PORT_DEAD);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, d, &t), KERN_INVALID_NAME);
}
