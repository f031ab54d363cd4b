/* After 100,000 RPCs and 100,000 rejected messages, fds and broker ports are
 * back where they started. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "debug.h"
#include "helpers.h"

TestSuite(leaks, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 300);

#define N_RPC 100000

static int echo_server(void *arg)
{
	mach_port_t svc;
	union {
		rt_simple_rcv r;
		rt_simple_msg m;
	} u;
	if (rt_check_in(arg, &svc))
		return 10;
	for (int i = 0; i < N_RPC; i++) {
		if (rt_recv(svc, &u.r, 60000, 0))
			return 11;
		mach_port_t reply = u.r.msg.head.msgh_remote_port;
		if (rt_send(reply, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, u.r.msg.head.msgh_id + 100,
		            u.r.msg.value + 1, RT_NO_TIMEOUT))
			return 12;
	}
	return 0;
}

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
	mach_msg_port_descriptor_t port;
} bad_msg;

Test(leaks, rpc_and_rejected_messages_leave_nothing_behind)
{
	uint64_t before[5], after[5];
	mach_port_t svc = MACH_PORT_NULL, reply;
	union {
		rt_simple_msg m;
		rt_simple_rcv r;
	} u;
	char data[100];
	pid_t kid;
	int fds_before;

	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply),
	             KERN_SUCCESS);
	cr_assert_eq(machgen_linux_debug_stats(before), 0);
	fds_before = rt_fd_count();
	kid = rt_fork_limit(echo_server, "test.echo", 250);
	for (int i = 0; i < 5000 && rt_look_up("test.echo", &svc); i++)
		usleep(2000);
	cr_assert_neq(svc, MACH_PORT_NULL);
	for (int i = 0; i < N_RPC; i++) {
		memset(&u, 0, sizeof u);
		u.m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND,
		                                    MACH_MSG_TYPE_MAKE_SEND_ONCE);
		u.m.head.msgh_size = sizeof u.m;
		u.m.head.msgh_remote_port = svc;
		u.m.head.msgh_local_port = reply;
		u.m.head.msgh_id = 1000;
		u.m.value = i;
		mach_msg_return_t mr = mach_msg(&u.m.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
		                                sizeof u.m, sizeof u.r, reply, 20000, MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS || u.m.value != i + 1 || u.m.head.msgh_id != 1100)
			cr_assert_fail("rpc %d: %#x value %d id %d", i, mr, u.m.value, u.m.head.msgh_id);
	}
	cr_assert_eq(rt_wait(kid, 30000), 0);
	/* The server's death left us a dead name; release it like a client would. */
	cr_assert_eq(mach_port_deallocate(mach_task_self(), svc), KERN_SUCCESS);

	/* Rejected: an OOL region plus a port descriptor naming nothing. */
	memset(data, 7, sizeof data);
	for (int i = 0; i < N_RPC; i++) {
		bad_msg b;
		memset(&b, 0, sizeof b);
		b.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		b.head.msgh_size = sizeof b;
		b.head.msgh_remote_port = reply;
		b.body.msgh_descriptor_count = 2;
		b.ool.address = data;
		b.ool.size = sizeof data;
		b.ool.copy = MACH_MSG_VIRTUAL_COPY;
		b.ool.type = MACH_MSG_OOL_DESCRIPTOR;
		b.port.name = 0x7777700;
		b.port.disposition = MACH_MSG_TYPE_COPY_SEND;
		b.port.type = MACH_MSG_PORT_DESCRIPTOR;
		mach_msg_return_t mr = mach_msg(&b.head, MACH_SEND_MSG, sizeof b, 0, 0, 0, 0);
		if (mr != MACH_SEND_INVALID_RIGHT)
			cr_assert_fail("rejected %d: %#x", i, mr);
	}
	/* Large OOL regions travel as memfds: none may stay open on either side. */
	mach_port_t self = reply;
	cr_assert_eq(mach_port_insert_right(mach_task_self(), self, self, MACH_MSG_TYPE_MAKE_SEND),
	             KERN_SUCCESS);
	void *heap = malloc(300 * 1024);
	memset(heap, 1, 300 * 1024);
	for (int i = 0; i < 300; i++) {
		bad_msg g;
		struct {
			bad_msg m;
			mach_msg_max_trailer_t t;
		} rcv;
		vm_address_t a = 0;
		cr_assert_eq(vm_allocate(mach_task_self(), &a, 1 << 20, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
		memset(&g, 0, sizeof g);
		g.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		g.head.msgh_size = sizeof g - sizeof g.port;
		g.head.msgh_remote_port = self;
		g.body.msgh_descriptor_count = 1;
		g.ool.address = (i & 1) ? heap : (void *)a;
		g.ool.size = (i & 1) ? 300 * 1024 : 1 << 20;
		g.ool.deallocate = (i % 4) == 2;
		g.ool.copy = MACH_MSG_VIRTUAL_COPY;
		g.ool.type = MACH_MSG_OOL_DESCRIPTOR;
		cr_assert_eq(mach_msg(&g.head, MACH_SEND_MSG, g.head.msgh_size, 0, 0, 0, 0),
		             MACH_MSG_SUCCESS);
		memset(&rcv, 0, sizeof rcv);
		cr_assert_eq(mach_msg(&rcv.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof rcv, self,
		                      5000, 0), MACH_MSG_SUCCESS);
		cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)rcv.m.ool.address,
		                           rcv.m.ool.size), KERN_SUCCESS);
		if ((i % 4) != 2)
			cr_assert_eq(vm_deallocate(mach_task_self(), a, 1 << 20), KERN_SUCCESS);
	}
	free(heap);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), self), KERN_SUCCESS);

	cr_assert_eq(machgen_linux_debug_stats(after), 0);
	cr_assert_eq(rt_fd_count(), fds_before);
	/* The echo server's task is gone (its ports with it); ours is unchanged. */
	cr_assert_eq(after[MACHGEN_STAT_PORTS], before[MACHGEN_STAT_PORTS]);
	cr_assert_eq(after[MACHGEN_STAT_NAMES], before[MACHGEN_STAT_NAMES]);
	cr_assert_eq(after[MACHGEN_STAT_OOL], 0);
}
