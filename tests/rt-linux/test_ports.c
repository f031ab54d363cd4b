/* Names, rights and references through the broker, in one process. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <unistd.h>

#include "debug.h"
#include "helpers.h"

TestSuite(ports, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 30);

Test(ports, allocate_refs_type_deallocate)
{
	mach_port_t p;
	mach_port_type_t t;
	mach_port_urefs_t refs;

	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	cr_assert_neq(p, MACH_PORT_NULL);
	cr_assert_eq(mach_port_type(mach_task_self(), p, &t), KERN_SUCCESS);
	cr_assert_eq(t, MACH_PORT_TYPE_RECEIVE);

	cr_assert_eq(mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_type(mach_task_self(), p, &t), KERN_SUCCESS);
	cr_assert_eq(t, MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND);
	cr_assert_eq(mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	cr_assert_eq(mach_port_get_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, &refs),
	             KERN_SUCCESS);
	cr_assert_eq(refs, 3);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
	cr_assert_eq(mach_port_get_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, &refs),
	             KERN_SUCCESS);
	cr_assert_eq(refs, 2);

	cr_assert_eq(mach_port_destroy(mach_task_self(), p), KERN_SUCCESS);
	cr_assert_eq(mach_port_type(mach_task_self(), p, &t), KERN_INVALID_NAME);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), 0x12345600), KERN_INVALID_NAME);
}

Test(ports, well_known_names)
{
	mach_port_type_t t;
	mach_port_t bp = MACH_PORT_NULL;

	cr_assert_eq(mach_port_type(mach_task_self(), mach_task_self(), &t), KERN_SUCCESS);
	cr_assert_eq(t, MACH_PORT_TYPE_SEND);
	cr_assert_eq(mach_port_type(mach_task_self(), bootstrap_port, &t), KERN_SUCCESS);
	cr_assert_eq(t, MACH_PORT_TYPE_SEND);
	cr_assert_eq(task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &bp), KERN_SUCCESS);
	cr_assert_eq(bp, bootstrap_port, "send rights coalesce under one name");
}

Test(ports, port_sets_and_members)
{
	mach_port_t set, a, b;
	rt_simple_rcv r;

	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &set),
	             KERN_SUCCESS);
	a = rt_port_with_send();
	b = rt_port_with_send();
	cr_assert_eq(mach_port_insert_member(mach_task_self(), a, set), KERN_SUCCESS);
	cr_assert_eq(mach_port_move_member(mach_task_self(), b, set), KERN_SUCCESS);
	cr_assert_eq(rt_send(b, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 7, 70, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(rt_recv(set, &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.head.msgh_id, 7);
	cr_assert_eq(r.msg.head.msgh_local_port, b, "the member the message came to");
	cr_assert_eq(rt_recv(a, &r, 0, 0), MACH_RCV_TIMED_OUT, "a member can be received from");
	cr_assert_eq(mach_port_extract_member(mach_task_self(), a, set), KERN_SUCCESS);
	cr_assert_eq(rt_recv(a, &r, 0, 0), MACH_RCV_TIMED_OUT);
}

Test(ports, extract_and_attributes)
{
	mach_port_t p = rt_port_with_send(), out;
	mach_msg_type_name_t ty;
	mach_port_limits_t lim;
	mach_port_status_t st;
	mach_msg_type_number_t cnt = MACH_PORT_LIMITS_INFO_COUNT;

	cr_assert_eq(mach_port_extract_right(mach_task_self(), p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &out,
	                                     &ty), KERN_SUCCESS);
	cr_assert_eq(ty, MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_assert_neq(out, p, "send-once rights get their own name");
	lim.mpl_qlimit = 9;
	cr_assert_eq(mach_port_set_attributes(mach_task_self(), p, MACH_PORT_LIMITS_INFO,
	                                      (mach_port_info_t)&lim, cnt), KERN_SUCCESS);
	cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
	cr_assert_eq(mach_port_get_attributes(mach_task_self(), p, MACH_PORT_RECEIVE_STATUS,
	                                      (mach_port_info_t)&st, &cnt), KERN_SUCCESS);
	cr_assert_eq(st.mps_qlimit, 9);
	cr_assert_eq(st.mps_sorights, 1);
}

Test(ports, construct_destruct)
{
	mach_port_options_t opt;
	mach_port_t p;
	mach_port_type_t t;

	memset(&opt, 0, sizeof opt);
	opt.flags = MPO_INSERT_SEND_RIGHT | MPO_CONTEXT_AS_GUARD;
	cr_assert_eq(mach_port_construct(mach_task_self(), &opt, 0x1234, &p), KERN_SUCCESS);
	cr_assert_eq(mach_port_type(mach_task_self(), p, &t), KERN_SUCCESS);
	cr_assert_eq(t, MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND);
	cr_assert_eq(mach_port_destruct(mach_task_self(), p, -1, 0x1234), KERN_SUCCESS);
	cr_assert_eq(mach_port_type(mach_task_self(), p, &t), KERN_INVALID_NAME);
}

static void *churn(void *arg)
{
	int *bad = arg;
	for (int i = 0; i < 1000; i++) {
		mach_port_t p;
		if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS ||
		    mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND) !=
		            KERN_SUCCESS ||
		    mach_port_deallocate(mach_task_self(), p) != KERN_SUCCESS ||
		    mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1) != KERN_SUCCESS)
			(*bad)++;
	}
	return NULL;
}

Test(ports, threads_share_one_space)
{
	uint64_t before[5], after[5];
	pthread_t th[6];
	int bad[6] = { 0 };

	cr_assert_eq(machgen_linux_debug_stats(before), 0);
	for (int i = 0; i < 6; i++)
		pthread_create(&th[i], NULL, churn, &bad[i]);
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(bad[i], 0);
	}
	cr_assert_eq(machgen_linux_debug_stats(after), 0);
	cr_assert_eq(after[MACHGEN_STAT_NAMES], before[MACHGEN_STAT_NAMES]);
	cr_assert_eq(after[MACHGEN_STAT_PORTS], before[MACHGEN_STAT_PORTS]);
	cr_assert_eq(after[MACHGEN_STAT_TASKS], 1, "all threads are one task");
	/* The broker sees the exited threads' hang-ups asynchronously. */
	for (int i = 0; i < 200 && after[MACHGEN_STAT_CONNECTIONS] != before[MACHGEN_STAT_CONNECTIONS];
	     i++) {
		usleep(10 * 1000);
		cr_assert_eq(machgen_linux_debug_stats(after), 0);
	}
	cr_assert_eq(after[MACHGEN_STAT_CONNECTIONS], before[MACHGEN_STAT_CONNECTIONS],
	             "exited threads closed their connections");
}
