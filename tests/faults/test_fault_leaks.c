/* Leak checks through generated stubs: after 100,000 RPCs, 100,000 rejected
 * messages and 1,000 killed clients, fds, broker ports, tasks, connections, OOL
 * objects, broker fds and broker memory are back where they started. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faults.h"
#include "faults_util.h"
#include "helpers.h"

TestSuite(leaks, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 240);

#define N_RPC 100000
#define N_REJECTED 100000
#define N_KILLED 1000
#define KILL_BATCH 8
/* Broker heap may keep a little of what a burst used (malloc's free lists). */
#define RSS_SLACK_KIB 2048

/* An add request carrying an OOL region and a send right it has no room for:
 * the generated server must reject it and free both. */
typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
	mach_msg_port_descriptor_t port;
	NDR_record_t ndr;
	int a, b;
} bogus_add;

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
	mach_msg_port_descriptor_t port;
} bad_rights;

static int ready_fd = -1;

static int doomed_client(void *arg)
{
	mach_port_t svc = rt_look_up_wait("leaks.svc");
	int sum = 0;
	char one = 1;
	(void)arg;
	if (add(svc, 1, 2, &sum) != KERN_SUCCESS || sum != 3)
		return 2;
	if (write(ready_fd, &one, 1) != 1)
		return 3;
	for (;;) /* killed at some point of an RPC */
		if (add(svc, 1, 2, &sum) != KERN_SUCCESS)
			return 4;
}

static void wait_settled(const ft_snapshot *want, ft_snapshot *now)
{
	for (int i = 0; i < 500; i++) {
		cr_assert_eq(ft_snapshot_with(now, want->broker), 0);
		if (now->tasks == want->tasks && now->ports == want->ports &&
		    now->connections == want->connections && now->broker_fds == want->broker_fds)
			return;
		usleep(10000);
	}
}

static void assert_back(const char *after_what, const ft_snapshot *b, const ft_snapshot *a)
{
	fprintf(stderr,
	        "leaks: after %s: ports %llu/%llu tasks %llu/%llu conns %llu/%llu names %llu/%llu "
	        "ool %llu broker fds %d/%d own fds %d/%d broker RSS %ld/%ld KiB\n",
	        after_what, (unsigned long long)a->ports, (unsigned long long)b->ports,
	        (unsigned long long)a->tasks, (unsigned long long)b->tasks,
	        (unsigned long long)a->connections, (unsigned long long)b->connections,
	        (unsigned long long)a->names, (unsigned long long)b->names,
	        (unsigned long long)a->ool, a->broker_fds, b->broker_fds, a->own_fds, b->own_fds,
	        a->rss_kib, b->rss_kib);
	cr_assert_eq(a->ports, b->ports, "%s: broker ports", after_what);
	cr_assert_eq(a->tasks, b->tasks, "%s: tasks", after_what);
	cr_assert_eq(a->connections, b->connections, "%s: connections", after_what);
	cr_assert_eq(a->names, b->names, "%s: our names", after_what);
	cr_assert_eq(a->ool, 0, "%s: OOL in transit", after_what);
	cr_assert_eq(a->broker_fds, b->broker_fds, "%s: broker fds", after_what);
	cr_assert_eq(a->own_fds, b->own_fds, "%s: our fds", after_what);
	if (FT_RSS_ASSERTED)
		cr_assert_leq(a->rss_kib, b->rss_kib + RSS_SLACK_KIB, "%s: broker RSS", after_what);
}

Test(leaks, rpcs_rejected_messages_and_killed_clients_leave_nothing_behind)
{
	ft_server s;
	ft_snapshot base, now;
	int served, failed, last, srv_names0, srv_names;
	int pipefd[2];
	char data[100];

	cr_assert_eq(ft_start_server(&s, "leaks.svc", 230), 0);
	int sum = 0;
	cr_assert_eq(add(s.port, 0, 0, &sum), KERN_SUCCESS); /* our reply port exists now */
	cr_assert_eq(counters(s.port, &served, &failed, &last, &srv_names0), KERN_SUCCESS);
	mach_port_t mine = rt_port_with_send(); /* target of the broker-rejected sends */
	cr_assert_neq(mine, MACH_PORT_NULL);
	cr_assert_eq(pipe(pipefd), 0); /* before the snapshot: it stays open throughout */
	ready_fd = pipefd[1];
	cr_assert_eq(ft_snapshot_take(&base), 0);

	uint64_t t0 = rt_now_ms();
	for (int i = 0; i < N_RPC; i++) {
		kern_return_t kr = add(s.port, i, 7, &sum);
		if (kr != KERN_SUCCESS || sum != i + 7)
			cr_assert_fail("rpc %d: %#x sum %d", i, kr, sum);
	}
	uint64_t t1 = rt_now_ms();
	cr_assert_eq(ft_snapshot_with(&now, base.broker), 0);
	assert_back("100,000 RPCs", &base, &now);

	/* half refused by the generated server (MIG_BAD_ARGUMENTS, request destroyed),
	 * half refused by the broker at send time (MACH_SEND_INVALID_RIGHT) */
	memset(data, 5, sizeof data);
	mach_port_t reply = mig_get_reply_port();
	for (int i = 0; i < N_REJECTED / 2; i++) {
		union {
			bogus_add req;
			struct {
				mig_reply_error_t rep;
				mach_msg_max_trailer_t t;
			} rep;
		} m;
		memset(&m, 0, sizeof m);
		m.req.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
		                       MACH_MSGH_BITS_COMPLEX;
		m.req.head.msgh_size = sizeof m.req;
		m.req.head.msgh_remote_port = s.port;
		m.req.head.msgh_local_port = reply;
		m.req.head.msgh_id = 7300; /* add: expects no descriptors */
		m.req.body.msgh_descriptor_count = 2;
		m.req.ool.address = data;
		m.req.ool.size = sizeof data;
		m.req.ool.copy = MACH_MSG_VIRTUAL_COPY;
		m.req.ool.type = MACH_MSG_OOL_DESCRIPTOR;
		m.req.port.name = mine;
		m.req.port.disposition = MACH_MSG_TYPE_MAKE_SEND;
		m.req.port.type = MACH_MSG_PORT_DESCRIPTOR;
		m.req.ndr = NDR_record;
		mach_msg_return_t mr = mach_msg(&m.req.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
		                                sizeof m.req, sizeof m, reply, 10000, MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS || m.rep.rep.RetCode != MIG_BAD_ARGUMENTS)
			cr_assert_fail("server-rejected %d: %#x ret %#x", i, mr, m.rep.rep.RetCode);
	}
	for (int i = 0; i < N_REJECTED / 2; i++) {
		bad_rights b;
		memset(&b, 0, sizeof b);
		b.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		b.head.msgh_size = sizeof b;
		b.head.msgh_remote_port = s.port;
		b.body.msgh_descriptor_count = 2;
		b.ool.address = data;
		b.ool.size = sizeof data;
		b.ool.copy = MACH_MSG_VIRTUAL_COPY;
		b.ool.type = MACH_MSG_OOL_DESCRIPTOR;
		b.port.name = 0x7777700; /* names nothing */
		b.port.disposition = MACH_MSG_TYPE_COPY_SEND;
		b.port.type = MACH_MSG_PORT_DESCRIPTOR;
		mach_msg_return_t mr = mach_msg(&b.head, MACH_SEND_MSG, sizeof b, 0, 0, 0, 0);
		if (mr != MACH_SEND_INVALID_RIGHT)
			cr_assert_fail("broker-rejected %d: %#x", i, mr);
	}
	uint64_t t2 = rt_now_ms();
	cr_assert_eq(counters(s.port, &served, &failed, &last, &srv_names), KERN_SUCCESS);
	cr_assert_eq(srv_names, srv_names0, "server names %d, before %d", srv_names, srv_names0);
	cr_assert_eq(ft_snapshot_with(&now, base.broker), 0);
	assert_back("100,000 rejected messages", &base, &now);

	/* clients killed at random points of their RPCs */
	srand(6);
	for (int done = 0; done < N_KILLED; done += KILL_BATCH) {
		pid_t kids[KILL_BATCH];
		for (int i = 0; i < KILL_BATCH; i++)
			kids[i] = rt_fork(doomed_client, NULL);
		for (int i = 0; i < KILL_BATCH; i++)
			cr_assert(ft_wait_byte(pipefd[0], 10000), "client %d never served", done + i);
		usleep((useconds_t)(rand() % 2000));
		for (int i = 0; i < KILL_BATCH; i++)
			kill(kids[i], SIGKILL);
		for (int i = 0; i < KILL_BATCH; i++)
			cr_assert_eq(rt_wait(kids[i], 5000), 128 + SIGKILL, "client %d", done + i);
	}
	uint64_t t3 = rt_now_ms();
	wait_settled(&base, &now);
	cr_assert_eq(counters(s.port, &served, &failed, &last, &srv_names), KERN_SUCCESS);
	cr_assert_eq(srv_names, srv_names0, "server names %d, before %d", srv_names, srv_names0);
	cr_assert_eq(ft_snapshot_with(&now, base.broker), 0);
	assert_back("1,000 killed clients", &base, &now);
	fprintf(stderr,
	        "leaks: %d RPCs %llu ms, %d rejected %llu ms, %d killed clients %llu ms "
	        "(%d of their replies could not be sent)\n",
	        N_RPC, (unsigned long long)(t1 - t0), N_REJECTED, (unsigned long long)(t2 - t1),
	        N_KILLED, (unsigned long long)(t3 - t2), failed);
	cr_assert_eq(ft_stop_server(&s, 5000), 0);
	close(pipefd[0]);
	close(pipefd[1]);
}
