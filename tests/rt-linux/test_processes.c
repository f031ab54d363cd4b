/* Between real processes: bootstrap, audit tokens of the real sender,
 * MOVE_RECEIVE, server death during an RPC and fork semantics. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

TestSuite(processes, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

static int child_sends_hello(void *arg)
{
	mach_port_t svc = rt_look_up_wait(arg);
	if (!svc)
		return 10;
	return rt_send(svc, MACH_MSG_TYPE_COPY_SEND, 0, 9, (int32_t)getpid(), RT_NO_TIMEOUT) ==
	               MACH_MSG_SUCCESS ? 0 : 11;
}

Test(processes, bootstrap_and_audit_token_of_real_sender)
{
	mach_port_t svc, dup;
	rt_simple_rcv r;
	mach_msg_audit_trailer_t *t = (mach_msg_audit_trailer_t *)&r.trailer;

	cr_assert_eq(rt_check_in("test.hello", &svc), KERN_SUCCESS);
	cr_assert_eq(rt_check_in("test.hello", &dup),
	             BOOTSTRAP_SERVICE_ACTIVE);
	cr_assert_eq(rt_look_up("test.nothing", &dup),
	             BOOTSTRAP_UNKNOWN_SERVICE);
	pid_t kid = rt_fork(child_sends_hello, "test.hello");
	cr_assert_eq(rt_recv(svc, &r, 10000,
	                     MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) |
	                     MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.value, kid);
	cr_assert_eq(t->msgh_audit.val[5], (unsigned)kid, "audit pid is the kernel's, of the sender");
	cr_assert_eq(rt_wait(kid, 10000), 0);
}

Test(processes, register_look_up_and_dead_service)
{
	mach_port_t p = rt_port_with_send(), q;
	cr_assert_eq(rt_register("test.reg", p), KERN_SUCCESS);
	cr_assert_eq(rt_look_up("test.reg", &q), KERN_SUCCESS);
	cr_assert_eq(q, p);
	cr_assert_eq(mach_port_destroy(mach_task_self(), p), KERN_SUCCESS);
	cr_assert_eq(rt_look_up("test.reg", &q), BOOTSTRAP_UNKNOWN_SERVICE);
}

/* Child: receives a receive right from the parent, then reads the message
 * that was already queued on it. */
static int child_takes_receive_right(void *arg)
{
	mach_port_t svc = rt_look_up_wait(arg), mine;
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
		mach_msg_max_trailer_t t;
	} m;
	rt_simple_rcv r;

	if (!svc || mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &mine))
		return 10;
	if (rt_send(svc, MACH_MSG_TYPE_COPY_SEND, mine, 1, 0, RT_NO_TIMEOUT))
		return 11;
	memset(&m, 0, sizeof m);
	if (mach_msg(&m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, mine, 10000, 0))
		return 12;
	if (m.port.disposition != MACH_MSG_TYPE_PORT_RECEIVE)
		return 13;
	if (rt_recv(m.port.name, &r, 1000, 0) || r.msg.value != 4711)
		return 14;
	/* Stay alive (holding the receive right) until the parent has looked at
	 * its own name; exiting earlier would turn its send right dead. */
	if (rt_recv(m.port.name, &r, 10000, 0) || r.msg.value != 4712)
		return 15;
	return 0;
}

Test(processes, move_receive_between_processes_keeps_queue)
{
	mach_port_t svc, moving = rt_port_with_send();
	rt_simple_rcv req;
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
	} m;
	mach_port_type_t ty;

	cr_assert_eq(rt_check_in("test.move", &svc), KERN_SUCCESS);
	pid_t kid = rt_fork(child_takes_receive_right, "test.move");
	cr_assert_eq(rt_recv(svc, &req, 10000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(rt_send(moving, MACH_MSG_TYPE_COPY_SEND, 0, 3, 4711, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0) | MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = req.msg.head.msgh_remote_port;
	m.body.msgh_descriptor_count = 1;
	m.port.name = moving;
	m.port.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(mach_port_type(mach_task_self(), moving, &ty), KERN_SUCCESS);
	cr_assert_eq(ty, MACH_PORT_TYPE_SEND, "only our send right is left");
	/* The send right we kept now reaches the receiver in the child. */
	cr_assert_eq(rt_send(moving, MACH_MSG_TYPE_COPY_SEND, 0, 3, 4712, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(rt_wait(kid, 10000), 0);
}

static int child_server_dies(void *arg)
{
	mach_port_t svc;
	rt_simple_rcv r;
	if (rt_check_in(arg, &svc))
		return 10;
	if (rt_recv(svc, &r, 10000, 0))
		return 11;
	/* Dies holding the request's reply right. */
	kill(getpid(), SIGKILL);
	return 12;
}

Test(processes, server_death_during_rpc_sends_send_once_notification)
{
	mach_port_t svc, reply;
	rt_simple_rcv r;
	pid_t kid = rt_fork(child_server_dies, "test.dies");

	svc = rt_look_up_wait("test.dies");
	cr_assert_neq(svc, MACH_PORT_NULL);
	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply),
	             KERN_SUCCESS);
	cr_assert_eq(rt_send(svc, MACH_MSG_TYPE_COPY_SEND, reply, 500, 1, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	uint64_t t0 = rt_now_ms();
	cr_assert_eq(rt_recv(reply, &r, 10000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.head.msgh_id, MACH_NOTIFY_SEND_ONCE);
	cr_assert_lt(rt_now_ms() - t0, 3000, "promptly, not after a timeout");
	cr_assert_eq(rt_wait(kid, 5000), 128 + SIGKILL);
}

static int child_checks_fresh_space(void *arg)
{
	mach_port_t parent_port = *(mach_port_t *)arg, p;
	mach_port_type_t t;
	if (mach_port_type(mach_task_self(), parent_port, &t) != KERN_INVALID_NAME)
		return 10;
	if (mach_port_type(mach_task_self(), bootstrap_port, &t) || t != MACH_PORT_TYPE_SEND)
		return 11;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p))
		return 12;
	return 0;
}

Test(processes, fork_child_gets_fresh_space)
{
	mach_port_t p = rt_port_with_send();
	mach_port_type_t t;
	pid_t kid = rt_fork(child_checks_fresh_space, &p);
	cr_assert_eq(rt_wait(kid, 10000), 0);
	cr_assert_eq(mach_port_type(mach_task_self(), p, &t), KERN_SUCCESS, "parent unaffected");
}

static int child_scribbles(void *arg)
{
	unsigned char *mem = arg;
	if (mem[0] != 'A' || mem[(1 << 20) - 1] != 'A')
		return 10;
	memset(mem, 'B', 1 << 20);
	return 0;
}

Test(processes, fork_copies_large_vm_allocate_regions)
{
	vm_address_t a = 0;
	/* Large regions are memfd-backed for zero-copy OOL; fork must still copy. */
	cr_assert_eq(vm_allocate(mach_task_self(), &a, 1 << 20, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	memset((void *)a, 'A', 1 << 20);
	pid_t kid = rt_fork(child_scribbles, (void *)a);
	cr_assert_eq(rt_wait(kid, 10000), 0);
	cr_assert_eq(((unsigned char *)a)[0], 'A', "the child's writes stay in the child");
	cr_assert_eq(((unsigned char *)a)[(1 << 20) - 1], 'A');
	((unsigned char *)a)[5] = 'C'; /* and the parent can still write */
	cr_assert_eq(vm_deallocate(mach_task_self(), a, 1 << 20), KERN_SUCCESS);
}
