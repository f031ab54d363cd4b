/* The async call object (machgen/async.h) against a forked server through the
 * Linux backend: replies in any order, server death, timeouts, cancellation,
 * destroy with calls pending, and the readiness fd driven by poll().
 *
 * Suite async_rt holds what every platform does; ctest runs it a second time
 * with MACHGEN_LINUX_WATCH=0, where the object has no fd and works as on
 * Darwin (waits on the port set, zero-timeout receives). Suite async_fd holds
 * what the Linux fd and its batched broker calls add. */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <machgen/async.h>

#include "debug.h"
#include "helpers.h"

TestSuite(async_rt, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);
TestSuite(async_fd, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

enum { MODE_REVERSE, MODE_DIE, MODE_HOLD, MODE_ROUNDS };
struct server_args {
	char name[64];
	int mode;
	int n;
	int done_fd; /* REVERSE: a byte is written here once every reply is sent */
};

/* Collects n requests, then answers them last-first with value * 2 (REVERSE),
 * exits without answering (DIE), or holds them 600 ms and answers (HOLD);
 * ROUNDS answers rounds of 16 requests. */
static int server(void *p)
{
	const struct server_args *sa = p;
	mach_port_t svc;
	if (rt_check_in(sa->name, &svc))
		return 10;
	rt_simple_rcv rq[256];
	if (sa->n > 256)
		return 11;
	if (sa->mode == MODE_ROUNDS) {
		/* n requests in rounds of 16, each round answered at once */
		for (int done = 0; done < sa->n; done += 16) {
			for (int i = 0; i < 16; i++)
				if (rt_recv(svc, &rq[i], 10000, 0) != MACH_MSG_SUCCESS)
					return 14;
			for (int i = 0; i < 16; i++)
				if (rt_send(rq[i].msg.head.msgh_remote_port, MACH_MSG_TYPE_MOVE_SEND_ONCE,
				            MACH_PORT_NULL, rq[i].msg.head.msgh_id + 100,
				            rq[i].msg.value * 2, 1000) != MACH_MSG_SUCCESS)
					return 15;
		}
		return 0;
	}
	for (int i = 0; i < sa->n; i++)
		if (rt_recv(svc, &rq[i], 10000, 0) != MACH_MSG_SUCCESS)
			return 12;
	if (sa->mode == MODE_DIE)
		return 0;
	if (sa->mode == MODE_HOLD)
		usleep(600 * 1000);
	for (int i = sa->n - 1; i >= 0; i--) {
		mach_msg_return_t mr = rt_send(rq[i].msg.head.msgh_remote_port,
		                               MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_PORT_NULL,
		                               rq[i].msg.head.msgh_id + 100, rq[i].msg.value * 2, 1000);
		/* HOLD: the client destroyed the reply ports, so sends may fail */
		if (mr != MACH_MSG_SUCCESS && sa->mode != MODE_HOLD)
			return 13;
	}
	if (sa->done_fd >= 0 && write(sa->done_fd, "d", 1) != 1)
		return 16;
	usleep(200 * 1000);
	return 0;
}

struct result {
	int calls;
	kern_return_t status;
	int32_t value;
	mach_msg_id_t id;
};

static void on_done(const struct machgen_async_completion *c)
{
	struct result *r = c->user_ctx;
	r->calls++;
	r->status = c->status;
	if (c->msg) {
		r->id = c->msg->msgh_id;
		if (c->msg->msgh_size >= sizeof(rt_simple_msg))
			r->value = ((rt_simple_msg *)c->msg)->value;
		mach_msg_destroy(c->msg);
	}
}

static kern_return_t start(machgen_async_t *a, mach_port_t svc, int32_t v, uint32_t timeout_ms,
                           struct result *r, machgen_async_id_t *id)
{
	rt_simple_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = svc;
	m.head.msgh_id = 500;
	m.value = v;
	return machgen_async_start(a, &m.head, 0, 0, timeout_ms, on_done, NULL, r, id);
}

/* Waits and dispatches until nothing is pending or deadline: with a poll()
 * loop on the object's fd when it has one, else as a Darwin program would. */
static int drive(machgen_async_t *a, int deadline_ms)
{
	uint64_t end = rt_now_ms() + (uint64_t)deadline_ms;
	int wakeups = 0;
	while (machgen_async_pending(a) && rt_now_ms() < end) {
		if (machgen_async_fd(a) >= 0) {
			struct pollfd p = { .fd = machgen_async_fd(a), .events = POLLIN };
			int t = machgen_async_next_timeout_ms(a);
			cr_assert(poll(&p, 1, t < 0 || t > 200 ? 200 : t) >= 0);
		} else {
			cr_assert(machgen_async_wait(a, 200) >= 0);
		}
		wakeups++;
		cr_assert(machgen_async_dispatch(a) >= 0);
	}
	return wakeups;
}

static mach_msg_type_number_t name_count(void)
{
	mach_port_name_array_t names;
	mach_port_type_array_t types;
	mach_msg_type_number_t n = 0, tn = 0;
	cr_assert_eq(mach_port_names(mach_task_self(), &names, &n, &types, &tn), KERN_SUCCESS);
	vm_deallocate(mach_task_self(), (vm_address_t)names, n * sizeof names[0]);
	vm_deallocate(mach_task_self(), (vm_address_t)types, tn * sizeof types[0]);
	return n;
}

static pid_t spawn_notify(struct server_args *sa, const char *tag, int mode, int n,
                          mach_port_t *svc, int done_fd)
{
	snprintf(sa->name, sizeof sa->name, "async.%s.%d", tag, (int)getpid());
	sa->mode = mode;
	sa->n = n;
	sa->done_fd = done_fd;
	pid_t pid = rt_fork(server, sa);
	*svc = rt_look_up_wait(sa->name);
	cr_assert_neq(*svc, MACH_PORT_NULL);
	return pid;
}

static pid_t spawn(struct server_args *sa, const char *tag, int mode, int n, mach_port_t *svc)
{
	return spawn_notify(sa, tag, mode, n, svc, -1);
}

Test(async_rt, replies_in_reverse_order_reach_their_calls)
{
	enum { N = 100 };
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "rev", MODE_REVERSE, N, &svc);
	mach_msg_type_number_t base = name_count();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	static struct result r[N];
	memset(r, 0, sizeof r);
	for (int i = 0; i < N; i++)
		cr_assert_eq(start(a, svc, i + 1, 0, &r[i], NULL), KERN_SUCCESS);
	cr_assert_eq(machgen_async_pending(a), N);
	drive(a, 10000);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(r[i].calls, 1, "call %d completed %d times", i, r[i].calls);
		cr_assert_eq(r[i].status, KERN_SUCCESS);
		cr_assert_eq(r[i].id, 600);
		cr_assert_eq(r[i].value, 2 * (i + 1));
	}
	machgen_async_destroy(a);
	cr_assert_eq(name_count(), base, "ports left behind");
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

/* machgen_async_wait: quiet while nothing is queued, ready once a reply is
 * (which stays queued for dispatch), ready when a call's deadline comes. */
Test(async_rt, wait_reports_replies_and_deadlines)
{
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "wait", MODE_REVERSE, 1, &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	uint64_t t0 = rt_now_ms();
	cr_assert_eq(machgen_async_wait(a, 100), 0, "ready with nothing pending");
	cr_assert_geq(rt_now_ms() - t0, 90);
	struct result r = {0};
	cr_assert_eq(start(a, svc, 21, 0, &r, NULL), KERN_SUCCESS);
	cr_assert_eq(machgen_async_wait(a, 5000), 1, "no reply");
	cr_assert_eq(machgen_async_wait(a, 0), 1, "the reply did not stay queued");
	cr_assert_eq(machgen_async_dispatch(a), 1);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.value, 42);
	cr_assert_eq(machgen_async_wait(a, 50), 0, "still ready after dispatch");

	/* a request to a port nobody serves: only its deadline ends the wait */
	mach_port_t idle = rt_port_with_send();
	struct result late = {0};
	t0 = rt_now_ms();
	cr_assert_eq(start(a, idle, 1, 150, &late, NULL), KERN_SUCCESS);
	cr_assert_eq(machgen_async_wait(a, 5000), 1);
	uint64_t took = rt_now_ms() - t0;
	cr_assert(took >= 140 && took < 2000, "the deadline woke the wait after %llu ms",
	          (unsigned long long)took);
	cr_assert_eq(machgen_async_dispatch(a), 1);
	cr_assert_eq(late.calls, 1);
	cr_assert_eq(late.status, MACHGEN_ASYNC_TIMED_OUT);
	machgen_async_destroy(a);
	cr_assert_eq(mach_port_mod_refs(mach_task_self(), idle, MACH_PORT_RIGHT_RECEIVE, -1),
	             KERN_SUCCESS);
	(void)mach_port_deallocate(mach_task_self(), idle);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

Test(async_fd, fd_is_quiet_without_replies_and_readable_with_one)
{
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "fd", MODE_REVERSE, 1, &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	cr_assert_geq(machgen_async_fd(a), 0);
	struct pollfd p = { .fd = machgen_async_fd(a), .events = POLLIN };
	cr_assert_eq(poll(&p, 1, 100), 0, "readable with nothing queued");
	struct result r = {0};
	cr_assert_eq(start(a, svc, 21, 0, &r, NULL), KERN_SUCCESS);
	cr_assert_eq(poll(&p, 1, 5000), 1, "not readable after the reply");
	cr_assert_eq(machgen_async_dispatch(a), 1);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.value, 42);
	cr_assert_eq(poll(&p, 1, 50), 0, "still readable after dispatch");
	machgen_async_destroy(a);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

Test(async_rt, server_death_completes_every_call_with_the_send_once_notification)
{
	enum { N = 20 };
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "die", MODE_DIE, N, &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct result r[N];
	memset(r, 0, sizeof r);
	for (int i = 0; i < N; i++)
		cr_assert_eq(start(a, svc, i, 0, &r[i], NULL), KERN_SUCCESS);
	drive(a, 10000);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(r[i].calls, 1);
		cr_assert_eq(r[i].status, KERN_SUCCESS);
		cr_assert_eq(r[i].id, MACH_NOTIFY_SEND_ONCE);
	}
	machgen_async_destroy(a);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

Test(async_rt, timeouts_fire_once_and_late_replies_are_dropped)
{
	enum { N = 10 };
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "late", MODE_HOLD, N, &svc);
	mach_msg_type_number_t base = name_count();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct result r[N];
	memset(r, 0, sizeof r);
	uint64_t t0 = rt_now_ms();
	for (int i = 0; i < N; i++)
		cr_assert_eq(start(a, svc, i, 150, &r[i], NULL), KERN_SUCCESS);
	int t = machgen_async_next_timeout_ms(a);
	cr_assert(t > 0 && t <= 150, "next timeout %d", t);
	drive(a, 5000);
	uint64_t took = rt_now_ms() - t0;
	cr_assert_geq(took, 150);
	cr_assert_lt(took, 550, "timeouts fired after %llu ms", (unsigned long long)took);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(r[i].calls, 1);
		cr_assert_eq(r[i].status, MACHGEN_ASYNC_TIMED_OUT);
	}
	cr_assert_eq(machgen_async_next_timeout_ms(a), -1);
	/* the server answers later: nothing may reach the finished calls */
	usleep(700 * 1000);
	cr_assert_eq(machgen_async_wait(a, 100), 0, "a late reply reached the object");
	cr_assert_eq(machgen_async_dispatch(a), 0);
	for (int i = 0; i < N; i++)
		cr_assert_eq(r[i].calls, 1);
	machgen_async_destroy(a);
	cr_assert_eq(name_count(), base, "ports left behind");
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

Test(async_rt, cancel_fires_once_and_destroy_cancels_the_rest_without_leaks)
{
	enum { N = 16 };
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "cancel", MODE_HOLD, N, &svc);
	mach_msg_type_number_t base = name_count();
	int fds = rt_fd_count();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct result r[N];
	machgen_async_id_t id[N];
	memset(r, 0, sizeof r);
	for (int i = 0; i < N; i++)
		cr_assert_eq(start(a, svc, i, 0, &r[i], &id[i]), KERN_SUCCESS);
	for (int i = 0; i < N; i += 2) {
		cr_assert_eq(machgen_async_cancel(a, id[i]), KERN_SUCCESS);
		cr_assert_eq(r[i].calls, 1);
		cr_assert_eq(r[i].status, MACHGEN_ASYNC_CANCELLED);
		cr_assert_eq(machgen_async_cancel(a, id[i]), KERN_INVALID_NAME);
	}
	cr_assert_eq(machgen_async_pending(a), N / 2);
	cr_assert_eq(machgen_async_dispatch(a), 0);
	machgen_async_destroy(a);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(r[i].calls, 1, "call %d completed %d times", i, r[i].calls);
		cr_assert_eq(r[i].status, MACHGEN_ASYNC_CANCELLED);
	}
	cr_assert_eq(name_count(), base, "ports left behind");
	cr_assert_eq(rt_fd_count(), fds, "fds left behind");
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

/* A handler may start the next call: a chain of 50 calls, one at a time. */
static int chain_left;
static mach_port_t chain_svc;
static machgen_async_t *chain_obj;
static struct result chain_r;
static void on_chain(const struct machgen_async_completion *c)
{
	cr_assert_eq(c->status, KERN_SUCCESS);
	if (c->msg)
		mach_msg_destroy(c->msg);
	if (--chain_left > 0) {
		rt_simple_msg m;
		memset(&m, 0, sizeof m);
		m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		m.head.msgh_size = sizeof m;
		m.head.msgh_remote_port = chain_svc;
		m.head.msgh_id = 500;
		cr_assert_eq(machgen_async_start(chain_obj, &m.head, 0, 0, 0, on_chain, NULL, NULL, NULL),
		             KERN_SUCCESS);
	}
}

Test(async_rt, handlers_may_start_calls)
{
	struct server_args sa;
	snprintf(sa.name, sizeof sa.name, "async.chain.%d", (int)getpid());
	sa.mode = MODE_REVERSE;
	sa.n = 1;
	/* 50 one-request servers in turn would be slow; use one that answers
	 * each request as it comes */
	pid_t pid = fork();
	if (pid == 0) {
		alarm(20);
		mach_port_t svc;
		if (rt_check_in(sa.name, &svc))
			_exit(10);
		for (int i = 0; i < 50; i++) {
			rt_simple_rcv rq;
			if (rt_recv(svc, &rq, 10000, 0) != MACH_MSG_SUCCESS)
				_exit(12);
			if (rt_send(rq.msg.head.msgh_remote_port, MACH_MSG_TYPE_MOVE_SEND_ONCE,
			            MACH_PORT_NULL, 600, 0, 1000) != MACH_MSG_SUCCESS)
				_exit(13);
		}
		_exit(0);
	}
	chain_svc = rt_look_up_wait(sa.name);
	cr_assert_eq(machgen_async_create(&chain_obj), KERN_SUCCESS);
	chain_left = 51; /* the first call below only starts the chain */
	(void)chain_r;
	on_chain(&(struct machgen_async_completion){ .status = KERN_SUCCESS, .msg = NULL });
	drive(chain_obj, 10000);
	cr_assert_eq(chain_left, 0);
	machgen_async_destroy(chain_obj);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

/* From a callback, a simple request is sent along with the next posted
 * receive; its send error then arrives at its own callback. */
static mach_port_t g_dead;
static machgen_async_t *g_obj;
static struct result g_first, g_second;
static kern_return_t g_second_start;
static void on_first(const struct machgen_async_completion *c)
{
	on_done(c);
	rt_simple_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = g_dead;
	m.head.msgh_id = 500;
	g_second_start = machgen_async_start(g_obj, &m.head, 0, 0, 0, on_done, NULL, &g_second, NULL);
}

Test(async_fd, a_send_error_of_a_request_started_in_a_callback_reaches_its_callback)
{
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "deadsend", MODE_REVERSE, 1, &svc);
	g_dead = rt_port_with_send();
	cr_assert_eq(mach_port_mod_refs(mach_task_self(), g_dead, MACH_PORT_RIGHT_RECEIVE, -1),
	             KERN_SUCCESS); /* g_dead is a dead name now */
	cr_assert_eq(machgen_async_create(&g_obj), KERN_SUCCESS);
	memset(&g_first, 0, sizeof g_first);
	memset(&g_second, 0, sizeof g_second);
	rt_simple_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = svc;
	m.head.msgh_id = 500;
	m.value = 4;
	cr_assert_eq(machgen_async_start(g_obj, &m.head, 0, 0, 0, on_first, NULL, &g_first, NULL),
	             KERN_SUCCESS);
	drive(g_obj, 5000);
	cr_assert_eq(g_first.calls, 1);
	cr_assert_eq(g_first.value, 8);
	/* on Linux the request went with the posted receive: start succeeded */
	cr_assert_eq(g_second_start, KERN_SUCCESS);
	cr_assert_eq(g_second.calls, 1);
	cr_assert_eq(g_second.status, MACH_SEND_INVALID_DEST);
	cr_assert_eq(machgen_async_pending(g_obj), 0);
	machgen_async_destroy(g_obj);
	(void)mach_port_deallocate(mach_task_self(), g_dead);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

Test(async_rt, broker_death_completes_every_pending_call)
{
	enum { N = 8 };
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "broker", MODE_HOLD, 200, &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct result r[N];
	memset(r, 0, sizeof r);
	for (int i = 0; i < N; i++)
		cr_assert_eq(start(a, svc, i, 0, &r[i], NULL), KERN_SUCCESS);
	pid_t b = rt_broker_pid();
	cr_assert_gt(b, 0);
	kill(b, SIGKILL);
	drive(a, 5000);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(r[i].calls, 1);
		cr_assert_eq(r[i].status, MIG_SERVER_DIED);
	}
	machgen_async_destroy(a);
	kill(pid, SIGKILL);
	rt_wait(pid, 5000);
}

/* Messages queued on the members of the object's port set. */
static unsigned queued_on(mach_port_t pset)
{
	mach_port_name_array_t members;
	mach_msg_type_number_t n = 0;
	unsigned total = 0;
	cr_assert_eq(mach_port_get_set_status(mach_task_self(), pset, &members, &n), KERN_SUCCESS);
	for (mach_msg_type_number_t i = 0; i < n; i++) {
		mach_port_status_t st;
		mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
		cr_assert_eq(mach_port_get_attributes(mach_task_self(), members[i],
		                                      MACH_PORT_RECEIVE_STATUS, (mach_port_info_t)&st,
		                                      &cnt), KERN_SUCCESS);
		total += st.mps_msgcount;
	}
	vm_deallocate(mach_task_self(), (vm_address_t)members, n * sizeof members[0]);
	return total;
}

Test(async_fd, replies_queued_before_dispatch_complete_in_one_broker_answer)
{
	enum { N = 16 };
	struct server_args sa;
	mach_port_t svc;
	int done[2];
	cr_assert_eq(pipe(done), 0);
	pid_t pid = spawn_notify(&sa, "batch", MODE_REVERSE, N, &svc, done[1]);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	uint64_t s0[3], s1[3];
	cr_assert_eq(machgen_linux_debug_batch_stats(s0), 0);
	static struct result r[N];
	memset(r, 0, sizeof r);
	for (int i = 0; i < N; i++)
		cr_assert_eq(start(a, svc, i, 0, &r[i], NULL), KERN_SUCCESS);
	/* The first reply answers the posted receive (with whatever else had come
	 * by then); the others queue behind it while nobody dispatches. */
	struct pollfd d = { .fd = done[0], .events = POLLIN };
	cr_assert_eq(poll(&d, 1, 5000), 1, "the server did not answer");
	unsigned queued = queued_on(machgen_async_port_set(a));
	cr_assert(queued >= 1 && queued <= N - 1, "%u replies queued", queued);
	/* One answer took the first replies, the next one takes all the rest. */
	uint64_t end = rt_now_ms() + 5000;
	int completed = 0;
	while (machgen_async_pending(a) && rt_now_ms() < end) {
		struct pollfd p = { .fd = machgen_async_fd(a), .events = POLLIN };
		(void)poll(&p, 1, 100);
		int n = machgen_async_dispatch(a);
		cr_assert_geq(n, 0);
		completed += n;
	}
	cr_assert_eq(completed, N);
	cr_assert_eq(machgen_async_pending(a), 0);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(r[i].calls, 1, "call %d completed %d times", i, r[i].calls);
		cr_assert_eq(r[i].status, KERN_SUCCESS);
		cr_assert_eq(r[i].value, 2 * i);
		cr_assert_eq(r[i].id, 600);
	}
	cr_assert_eq(machgen_linux_debug_batch_stats(s1), 0);
	cr_assert_eq(s1[0] - s0[0], 2, "broker answers: %llu", (unsigned long long)(s1[0] - s0[0]));
	cr_assert_eq(s1[1] - s0[1], N);
	machgen_async_destroy(a);
	close(done[0]);
	close(done[1]);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

/* Every reply starts the next call: the requests go with the receive posted
 * after the callbacks, several per broker call, each completing on its own. */
struct relay {
	machgen_async_t *a;
	mach_port_t svc;
	int started, done, bad;
};

static void on_relay(const struct machgen_async_completion *c);

static void relay_start(struct relay *ch)
{
	rt_simple_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = ch->svc;
	m.head.msgh_id = 500;
	m.value = ch->started++;
	if (machgen_async_start(ch->a, &m.head, 0, 0, 0, on_relay, NULL, ch, NULL) != KERN_SUCCESS)
		ch->bad++;
}

static void on_relay(const struct machgen_async_completion *c)
{
	struct relay *ch = c->user_ctx;
	ch->done++;
	if (c->status != KERN_SUCCESS || !c->msg || c->msg->msgh_id != 600)
		ch->bad++;
	if (c->msg)
		mach_msg_destroy(c->msg);
	if (ch->started < 64)
		relay_start(ch);
}

Test(async_fd, requests_started_by_callbacks_travel_together)
{
	struct server_args sa;
	mach_port_t svc;
	pid_t pid = spawn(&sa, "chain", MODE_ROUNDS, 64, &svc);
	struct relay ch = { .svc = svc };
	cr_assert_eq(machgen_async_create(&ch.a), KERN_SUCCESS);
	uint64_t s0[3], s1[3];
	cr_assert_eq(machgen_linux_debug_batch_stats(s0), 0);
	for (int i = 0; i < 16; i++)
		relay_start(&ch);
	drive(ch.a, 10000);
	cr_assert_eq(ch.done, 64);
	cr_assert_eq(ch.bad, 0);
	cr_assert_eq(machgen_linux_debug_batch_stats(s1), 0);
	/* 48 requests left from callbacks, in fewer broker calls than requests */
	cr_assert_eq(s1[2] - s0[2], 48);
	cr_assert_lt(s1[0] - s0[0], 48);
	machgen_async_destroy(ch.a);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

/* The first reply's callback starts ten calls; they leave as one batch whose
 * sends block on the server's full queue (the server sleeps). */
static struct result g_burst[10];
static mach_port_t g_burst_svc;

static void on_burst_first(const struct machgen_async_completion *c)
{
	on_done(c);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(start(g_obj, g_burst_svc, i, 0, &g_burst[i], NULL), KERN_SUCCESS);
}

Test(async_fd, destroy_with_a_batch_waiting_on_a_full_queue_leaves_nothing)
{
	struct server_args sa;
	pid_t pid = spawn(&sa, "burst", MODE_HOLD, 1, &g_burst_svc);
	mach_msg_type_number_t base = name_count();
	int fds = rt_fd_count();
	uint64_t s0[3], s1[3];
	cr_assert_eq(machgen_linux_debug_batch_stats(s0), 0);
	cr_assert_eq(machgen_async_create(&g_obj), KERN_SUCCESS);
	memset(g_burst, 0, sizeof g_burst);
	struct result first;
	memset(&first, 0, sizeof first);
	rt_simple_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = g_burst_svc;
	m.head.msgh_id = 500;
	m.value = 21;
	cr_assert_eq(machgen_async_start(g_obj, &m.head, 0, 0, 0, on_burst_first, NULL, &first,
	                                 NULL), KERN_SUCCESS);
	uint64_t end = rt_now_ms() + 5000;
	while (first.calls == 0 && rt_now_ms() < end) {
		struct pollfd p = { .fd = machgen_async_fd(g_obj), .events = POLLIN };
		(void)poll(&p, 1, 100);
		cr_assert_geq(machgen_async_dispatch(g_obj), 0);
	}
	cr_assert_eq(first.calls, 1);
	cr_assert_eq(first.value, 42);
	cr_assert_eq(machgen_async_pending(g_obj), 10);
	/* the server receives nothing more: 5 requests fill its queue, the
	 * batch waits with the other 5, and nothing answers */
	struct pollfd p = { .fd = machgen_async_fd(g_obj), .events = POLLIN };
	cr_assert_eq(poll(&p, 1, 50), 0);
	machgen_async_destroy(g_obj);
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(g_burst[i].calls, 1);
		cr_assert_eq(g_burst[i].status, MACHGEN_ASYNC_CANCELLED);
	}
	cr_assert_eq(name_count(), base, "ports left behind");
	cr_assert_eq(rt_fd_count(), fds, "fds left behind");
	cr_assert_eq(machgen_linux_debug_batch_stats(s1), 0);
	cr_assert_eq(s1[2] - s0[2], 0, "the batch was never answered");
	cr_assert_eq(rt_wait(pid, 5000), 0);
}
