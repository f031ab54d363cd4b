/* Peers dying at the worst moment, and a flooding client: every caller gets a
 * prompt error, every survivor keeps working, queues stay bounded. */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "faults.h"
#include "faults_util.h"
#include "helpers.h"

TestSuite(faults, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 90);

struct killer {
	int busy_fd;
	pid_t victim;
	uint64_t killed_at;
	int fired;
};

static void *kill_when_busy(void *arg)
{
	struct killer *k = arg;
	k->fired = ft_wait_byte(k->busy_fd, 10000);
	if (k->fired) {
		k->killed_at = rt_now_ms();
		kill(k->victim, SIGKILL);
	}
	return NULL;
}

#define SERVER_KILL_ROUNDS 5

Test(faults, server_killed_mid_rpc_gives_mig_server_died_promptly)
{
	uint64_t worst = 0;
	for (int round = 0; round < SERVER_KILL_ROUNDS; round++) {
		ft_server s;
		char name[32];
		snprintf(name, sizeof name, "faults.kill.%d", round);
		cr_assert_eq(ft_start_server(&s, name, 60), 0);
		struct killer k = {s.busy_fd, s.pid, 0, 0};
		pthread_t t;
		cr_assert_eq(pthread_create(&t, NULL, kill_when_busy, &k), 0);
		int slept = 0;
		kern_return_t kr = stall(s.port, 30000, &slept); /* never answered */
		uint64_t back = rt_now_ms();
		pthread_join(t, NULL);
		cr_assert(k.fired, "the server never started handling the RPC");
		cr_assert_eq(kr, MIG_SERVER_DIED, "round %d: %#x", round, kr);
		cr_assert_lt(back - k.killed_at, 2000, "MIG_SERVER_DIED after %llu ms",
		             (unsigned long long)(back - k.killed_at));
		if (back - k.killed_at > worst)
			worst = back - k.killed_at;
		cr_assert_eq(rt_wait(s.pid, 5000), 128 + SIGKILL);
		close(s.busy_fd);
		mach_port_deallocate(mach_task_self(), s.port);
	}
	fprintf(stderr, "faults: server SIGKILL -> MIG_SERVER_DIED, worst of %d: %llu ms\n",
	        SERVER_KILL_ROUNDS, (unsigned long long)worst);
}

static int stalling_client(void *arg)
{
	int slept;
	(void)arg;
	mach_port_t p = rt_look_up_wait("faults.victim");
	stall(p, 800, &slept); /* long enough for the broker to see our death first */
	return 0; /* killed before this */
}

#define CLIENT_KILL_ROUNDS 6

Test(faults, client_killed_mid_rpc_server_reply_fails_cleanly_and_it_keeps_serving)
{
	ft_server s;
	int served, failed, last, names0, names;
	cr_assert_eq(ft_start_server(&s, "faults.victim", 60), 0);
	cr_assert_eq(counters(s.port, &served, &failed, &last, &names0), KERN_SUCCESS);
	cr_assert_eq(failed, 0);
	for (int round = 0; round < CLIENT_KILL_ROUNDS; round++) {
		pid_t c = rt_fork(stalling_client, NULL);
		cr_assert(ft_wait_byte(s.busy_fd, 10000), "round %d: the RPC never reached the server", round);
		kill(c, SIGKILL);
		cr_assert_eq(rt_wait(c, 5000), 128 + SIGKILL);
		/* queued behind the stall: answered after its reply was attempted. As
		 * XNU (ALLOW_DEAD_SEND_ONCE), the reply to the dead client's send-once
		 * right is accepted and dropped, not refused */
		cr_assert_eq(counters(s.port, &served, &failed, &last, &names), KERN_SUCCESS);
		cr_assert_eq(failed, 0, "round %d: %d failed replies (last %#x)", round, failed, last);
		int sum = 0;
		cr_assert_eq(add(s.port, round, 1000, &sum), KERN_SUCCESS, "the next client is served");
		cr_assert_eq(sum, round + 1000);
	}
	cr_assert_eq(counters(s.port, &served, &failed, &last, &names), KERN_SUCCESS);
	cr_assert_eq(names, names0, "server names %d, before %d", names, names0);
	cr_assert_eq(ft_stop_server(&s, 5000), 0);
}

/* What each blocked caller got when the broker died. */
struct blocked_result {
	int kind;
	int code;
	uint64_t at_ms;
};

enum { BLOCK_RPC, BLOCK_RECEIVE, BLOCK_SEND, BLOCK_KINDS };

static int result_fd = -1;

static int blocked_caller(void *arg)
{
	struct blocked_result r = {(int)(intptr_t)arg, 0, 0};
	mach_port_t svc = rt_look_up_wait("faults.broker");
	mach_port_t own = rt_port_with_send();
	char ready = 1;
	if (svc == MACH_PORT_NULL || own == MACH_PORT_NULL)
		return 2;
	if (r.kind == BLOCK_SEND) {
		mach_port_limits_t lim = {1};
		if (mach_port_set_attributes(mach_task_self(), own, MACH_PORT_LIMITS_INFO,
		                             (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT) ||
		    rt_send(own, MACH_MSG_TYPE_COPY_SEND, 0, 1, 1, RT_NO_TIMEOUT))
			return 3;
	}
	if (write(result_fd, &ready, 1) != 1)
		return 4;
	if (r.kind == BLOCK_RPC) {
		int slept;
		r.code = stall(svc, 30000, &slept);
	} else if (r.kind == BLOCK_RECEIVE) {
		rt_simple_rcv m;
		r.code = rt_recv(own, &m, RT_NO_TIMEOUT, 0);
		if (r.code == MACH_RCV_TIMED_OUT)
			r.code = 0;
	} else {
		r.code = rt_send(own, MACH_MSG_TYPE_COPY_SEND, 0, 2, 2, RT_NO_TIMEOUT);
	}
	r.at_ms = rt_now_ms();
	return write(result_fd, &r, sizeof r) == sizeof r ? 0 : 5;
}

#define N_BLOCKED 6

Test(faults, broker_killed_every_caller_fails_and_next_call_starts_a_fresh_broker)
{
	ft_server s, idle;
	int pipefd[2];
	pid_t kids[N_BLOCKED];
	cr_assert_eq(ft_start_server(&s, "faults.broker", 60), 0);
	cr_assert_eq(ft_start_server(&idle, "faults.idle", 60), 0);
	cr_assert_eq(pipe(pipefd), 0);
	result_fd = pipefd[1];
	for (int i = 0; i < N_BLOCKED; i++)
		kids[i] = rt_fork(blocked_caller, (void *)(intptr_t)(i % BLOCK_KINDS));
	for (int i = 0; i < N_BLOCKED; i++)
		cr_assert(ft_wait_byte(pipefd[0], 10000), "caller %d never got ready", i);
	usleep(200000); /* let every caller reach its blocking call */
	pid_t old = rt_broker_pid();
	cr_assert_gt(old, 0);
	uint64_t killed = rt_now_ms();
	cr_assert_eq(kill(old, SIGKILL), 0);
	uint64_t worst = 0;
	for (int i = 0; i < N_BLOCKED; i++) {
		struct blocked_result r;
		struct pollfd pfd = {pipefd[0], POLLIN, 0};
		cr_assert_eq(poll(&pfd, 1, 5000), 1, "caller %d still blocked 5 s after the broker died", i);
		cr_assert_eq(read(pipefd[0], &r, sizeof r), (ssize_t)sizeof r);
		if (r.kind == BLOCK_RPC)
			cr_assert(r.code == MACH_RCV_PORT_DIED || r.code == MACH_SEND_INVALID_DEST,
			          "rpc got %#x", r.code);
		else if (r.kind == BLOCK_RECEIVE)
			cr_assert_eq(r.code, MACH_RCV_PORT_DIED, "receive got %#x", r.code);
		else
			cr_assert_eq(r.code, MACH_SEND_INVALID_DEST, "send got %#x", r.code);
		if (r.at_ms - killed > worst)
			worst = r.at_ms - killed;
	}
	for (int i = 0; i < N_BLOCKED; i++)
		cr_assert_eq(rt_wait(kids[i], 5000), 0);
	/* a server blocked in its receive fails too */
	int idle_status = rt_wait(idle.pid, 5000);
	cr_assert_eq(idle_status, 11, "idle server status %d", idle_status);
	kill(s.pid, SIGKILL); /* still sleeping in a stall */
	cr_assert_eq(rt_wait(s.pid, 5000), 128 + SIGKILL);
	fprintf(stderr, "faults: broker SIGKILL -> %d blocked callers failed, last after %llu ms\n",
	        N_BLOCKED, (unsigned long long)worst);

	/* a call the dead broker never saw starts a new one */
	cr_assert_eq(ft_wait_gone(old, 5000), 0);
	mach_port_t p = MACH_PORT_NULL;
	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	pid_t fresh = rt_broker_pid();
	cr_assert_gt(fresh, 0);
	cr_assert_neq(fresh, old);
	ft_server again;
	cr_assert_eq(ft_start_server(&again, "faults.broker", 60), 0, "service registered anew");
	int sum;
	cr_assert_eq(add(again.port, 2, 3, &sum), KERN_SUCCESS);
	cr_assert_eq(sum, 5);
	cr_assert_eq(ft_stop_server(&again, 5000), 0);
	close(pipefd[0]);
	close(pipefd[1]);
	close(s.busy_fd);
	close(idle.busy_fd);
}

#define FLOODERS 4
#define FLOOD_SENDS 20000
#define FLOOD_BODY 4096

typedef struct {
	mach_msg_header_t head;
	char body[FLOOD_BODY];
} flood_msg;

static int flooder(void *arg)
{
	mach_port_t dest = rt_look_up_wait("faults.flood");
	int sent = 0, refused = 0;
	(void)arg;
	if (dest == MACH_PORT_NULL)
		return 2;
	for (int i = 0; i < FLOOD_SENDS; i++) {
		flood_msg m;
		memset(&m, 0, sizeof m);
		m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		m.head.msgh_size = sizeof m;
		m.head.msgh_remote_port = dest;
		m.head.msgh_id = i;
		mach_msg_return_t mr = mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0,
		                                MACH_PORT_NULL, 0, MACH_PORT_NULL);
		if (mr == MACH_MSG_SUCCESS)
			sent++;
		else if (mr == MACH_SEND_TIMED_OUT)
			refused++;
		else
			return 3;
	}
	struct {
		int sent, refused;
	} r = {sent, refused};
	return write(result_fd, &r, sizeof r) == sizeof r ? 0 : 4;
}

Test(faults, flooding_client_queue_limit_holds_and_broker_memory_stays_bounded, .timeout = 120)
{
	ft_snapshot before, after;
	mach_port_t port = rt_port_with_send();
	int pipefd[2];
	pid_t kids[FLOODERS];
	cr_assert_neq(port, MACH_PORT_NULL);
	mach_port_limits_t lim = {MACH_PORT_QLIMIT_MAX};
	cr_assert_eq(mach_port_set_attributes(mach_task_self(), port, MACH_PORT_LIMITS_INFO,
	                                      (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_assert_eq(rt_register("faults.flood", port), KERN_SUCCESS);
	cr_assert_eq(ft_snapshot_take(&before), 0);
	cr_assert_eq(pipe(pipefd), 0);
	result_fd = pipefd[1];
	for (int i = 0; i < FLOODERS; i++)
		kids[i] = rt_fork_limit(flooder, NULL, 100);
	int sent = 0, refused = 0;
	for (int i = 0; i < FLOODERS; i++) {
		cr_assert_eq(rt_wait(kids[i], 100000), 0, "flooder %d", i);
		struct {
			int sent, refused;
		} r;
		cr_assert_eq(read(pipefd[0], &r, sizeof r), (ssize_t)sizeof r);
		sent += r.sent;
		refused += r.refused;
	}
	cr_assert_eq(sent, MACH_PORT_QLIMIT_MAX, "accepted %d", sent);
	cr_assert_eq(refused, FLOODERS * FLOOD_SENDS - MACH_PORT_QLIMIT_MAX);
	mach_port_status_t st;
	mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
	cr_assert_eq(mach_port_get_attributes(mach_task_self(), port, MACH_PORT_RECEIVE_STATUS,
	                                      (mach_port_info_t)&st, &cnt), KERN_SUCCESS);
	cr_assert_eq(st.mps_msgcount, MACH_PORT_QLIMIT_MAX);
	long full_rss = ft_proc_kib(before.broker, "VmRSS");
	long queued_kib = MACH_PORT_QLIMIT_MAX * (long)sizeof(flood_msg) / 1024;
	/* the queue's bytes plus bookkeeping; nothing per refused send */
	if (FT_RSS_ASSERTED)
		cr_assert_lt(full_rss - before.rss_kib, 2 * queued_kib + 8192, "broker RSS %ld -> %ld KiB",
	             before.rss_kib, full_rss);
	for (int i = 0; i < MACH_PORT_QLIMIT_MAX; i++) {
		struct {
			flood_msg m;
			mach_msg_max_trailer_t t;
		} in;
		cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, port, 5000,
		                      MACH_PORT_NULL), MACH_MSG_SUCCESS);
	}
	cr_assert_eq(ft_snapshot_with(&after, before.broker), 0);
	if (FT_RSS_ASSERTED)
		cr_assert_lt(after.rss_kib - before.rss_kib, 2 * queued_kib + 8192);
	cr_assert_eq(after.ool, 0);
	fprintf(stderr,
	        "faults: flood %d x %d sends of %zu B: %d queued, %d refused; broker RSS %ld KiB -> "
	        "%ld full -> %ld drained\n",
	        FLOODERS, FLOOD_SENDS, sizeof(flood_msg), sent, refused, before.rss_kib, full_rss,
	        after.rss_kib);
	close(pipefd[0]);
	close(pipefd[1]);
}
