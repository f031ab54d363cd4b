/* mach_thread_self(): a send right to a per-thread kernel object, with user
 * references as on Darwin, that dies with its thread. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <mach/mig_errors.h>

#include "helpers.h"

TestSuite(thread, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

static mach_port_urefs_t send_refs(mach_port_t name)
{
	mach_port_urefs_t n = 0;
	cr_assert_eq(mach_port_get_refs(mach_task_self(), name, MACH_PORT_RIGHT_SEND, &n),
	             KERN_SUCCESS);
	return n;
}

Test(thread, each_call_adds_a_user_reference_to_one_name)
{
	mach_port_t a = mach_thread_self(), b = mach_thread_self();
	mach_port_type_t ty = 0;

	cr_assert(MACH_PORT_VALID(a));
	cr_assert_eq(a, b);
	cr_assert_neq(a, mach_task_self());
	cr_assert_eq(mach_port_type(mach_task_self(), a, &ty), KERN_SUCCESS);
	cr_assert_eq(ty, MACH_PORT_TYPE_SEND);
	cr_assert_eq(send_refs(a), 2);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), a), KERN_SUCCESS);
	cr_assert_eq(send_refs(a), 1);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), a), KERN_SUCCESS);
	cr_assert_eq(mach_port_type(mach_task_self(), a, &ty), KERN_INVALID_NAME);
	/* A later call makes a right to the same thread port again. */
	b = mach_thread_self();
	cr_assert(MACH_PORT_VALID(b));
	cr_assert_eq(send_refs(b), 1);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), b), KERN_SUCCESS);
}

static void *thread_self_of_other(void *arg)
{
	*(mach_port_t *)arg = mach_thread_self();
	return NULL;
}

Test(thread, other_threads_have_other_ports_that_die_with_them)
{
	mach_port_t mine = mach_thread_self(), theirs = MACH_PORT_NULL;
	mach_port_type_t ty = 0;
	pthread_t th;
	uint64_t t0;

	cr_assert_eq(pthread_create(&th, NULL, thread_self_of_other, &theirs), 0);
	cr_assert_eq(pthread_join(th, NULL), 0);
	cr_assert(MACH_PORT_VALID(theirs));
	cr_assert_neq(theirs, mine);
	/* The thread has exited: the broker sees its connection close. */
	t0 = rt_now_ms();
	do {
		cr_assert_eq(mach_port_type(mach_task_self(), theirs, &ty), KERN_SUCCESS);
		if (ty == MACH_PORT_TYPE_DEAD_NAME)
			break;
		usleep(10000);
	} while (rt_now_ms() - t0 < 5000);
	cr_assert_eq(ty, MACH_PORT_TYPE_DEAD_NAME);
	cr_assert_eq(mach_port_type(mach_task_self(), mine, &ty), KERN_SUCCESS);
	cr_assert_eq(ty, MACH_PORT_TYPE_SEND, "the calling thread's port lives on");
	cr_assert_eq(mach_port_deallocate(mach_task_self(), theirs), KERN_SUCCESS);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), mine), KERN_SUCCESS);
}

Test(thread, messages_to_a_thread_port_get_a_mig_bad_id_reply)
{
	mach_port_t self = mach_thread_self(), reply = rt_port_with_send();
	rt_simple_msg m;
	struct {
		mig_reply_error_t r;
		mach_msg_max_trailer_t t;
	} in;

	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = self;
	m.head.msgh_local_port = reply;
	m.head.msgh_id = 3600; /* thread_terminate's id, not served here */
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.r.Head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, reply,
	                      5000, 0),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(in.r.Head.msgh_id, 3700);
	cr_assert_eq(in.r.RetCode, MIG_BAD_ID);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), self), KERN_SUCCESS);
}
