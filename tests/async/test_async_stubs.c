/* Generated async client stubs and deferred server replies (calc.defs) with a
 * forked server that runs its own poll() loop on machgen_port_watch and
 * answers calc_later out of order. The client side is driven by poll() on the
 * machgen_async_t fd only: no threads. */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "calc.h"
#include "calcAsync.h"
#include "calcAsyncServer.h"
#include "calcServer.h"
#include "timedAsync.h"
#include "helpers.h"

TestSuite(async_stubs, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

/* ---- the server ------------------------------------------------------------ */

struct deferred {
	mach_port_t reply;
	uint64_t due_ms;
	int32_t value;
};
static struct deferred g_later[512];
static int g_nlater;
static int g_quit;

kern_return_t S_calc_add(mach_port_t server, int32_t a, int32_t b, int32_t *sum)
{
	(void)server;
	*sum = a + b;
	return KERN_SUCCESS;
}

kern_return_t S_calc_later(mach_port_t server, mach_port_t reply, int32_t delay_ms, int32_t value,
                           int32_t *result)
{
	(void)server;
	if (delay_ms <= 0 || g_nlater == 512) {
		*result = value * 10;
		return KERN_SUCCESS;
	}
	g_later[g_nlater++] = (struct deferred){ reply, rt_now_ms() + (uint64_t)delay_ms, value };
	return MIG_NO_REPLY; /* the reply right is ours now */
}

kern_return_t S_calc_fail(mach_port_t server, int32_t code)
{
	(void)server;
	return code;
}

kern_return_t S_calc_name(mach_port_t server, label_t who, vec_t v, label_t greeting, vec_t doubled)
{
	(void)server;
	snprintf(greeting, sizeof(label_t), "hello, %s", who);
	for (int i = 0; i < 4; i++)
		doubled[i] = v[i] * 2;
	return KERN_SUCCESS;
}

kern_return_t S_calc_port(mach_port_t server, mach_port_t p, int32_t *ptype)
{
	mach_port_type_t t = 0;
	(void)server;
	(void)mach_port_type(mach_task_self(), p, &t);
	*ptype = (int32_t)t;
	(void)mach_port_deallocate(mach_task_self(), p);
	return KERN_SUCCESS;
}

kern_return_t S_calc_sum(mach_port_t server, int32_t *v, mach_msg_type_number_t n, int32_t *total)
{
	(void)server;
	*total = 0;
	for (mach_msg_type_number_t i = 0; i < n; i++)
		*total += v[i];
	return KERN_SUCCESS;
}

kern_return_t S_calc_quit(mach_port_t server)
{
	(void)server;
	g_quit = 1;
	return KERN_SUCCESS;
}

/* Sends every deferred reply that is due; returns ms until the next one. */
static int send_due(void)
{
	uint64_t now = rt_now_ms();
	int next = 1000;
	for (int i = 0; i < g_nlater;) {
		if (g_later[i].due_ms <= now) {
			(void)S_calc_later_deferred_reply(g_later[i].reply, KERN_SUCCESS,
			                                  g_later[i].value * 10);
			g_later[i] = g_later[--g_nlater];
			continue;
		}
		if ((int)(g_later[i].due_ms - now) < next)
			next = (int)(g_later[i].due_ms - now);
		i++;
	}
	return next;
}

static int server_main(void *name)
{
	mach_port_t svc;
	machgen_port_watch_t *w;
	if (rt_check_in(name, &svc))
		return 10;
	if (machgen_port_watch_create(svc, &w) != KERN_SUCCESS)
		return 11;
	while (!g_quit) {
		struct pollfd p = { .fd = machgen_port_watch_fd(w), .events = POLLIN };
		if (poll(&p, 1, send_due()) < 0)
			return 12;
		if (machgen_port_watch_serve(w, calc_server, S_calc_subsystem.maxsize) < 0)
			return 13;
		send_due();
	}
	machgen_port_watch_destroy(w);
	return 0;
}

static pid_t start_server(const char *tag, mach_port_t *svc)
{
	static char name[64];
	snprintf(name, sizeof name, "async.calc.%s.%d", tag, (int)getpid());
	pid_t pid = rt_fork(server_main, name);
	*svc = rt_look_up_wait(name);
	cr_assert_neq(*svc, MACH_PORT_NULL);
	return pid;
}

/* ---- the client ------------------------------------------------------------ */

static void drive(machgen_async_t *a, int deadline_ms)
{
	uint64_t end = rt_now_ms() + (uint64_t)deadline_ms;
	while (machgen_async_pending(a) && rt_now_ms() < end) {
		struct pollfd p = { .fd = machgen_async_fd(a), .events = POLLIN };
		int t = machgen_async_next_timeout_ms(a);
		cr_assert_geq(poll(&p, 1, t < 0 || t > 200 ? 200 : t), 0);
		cr_assert_geq(machgen_async_dispatch(a), 0);
	}
	cr_assert_eq(machgen_async_pending(a), 0, "calls still pending after %d ms", deadline_ms);
}

struct got {
	int calls;
	kern_return_t status;
	int32_t value;
	int order;
};
static int g_order;

static void on_int(void *ctx, kern_return_t status, int32_t v)
{
	struct got *g = ctx;
	g->calls++;
	g->status = status;
	g->value = v;
	g->order = g_order++;
}

static void on_status(void *ctx, kern_return_t status)
{
	struct got *g = ctx;
	g->calls++;
	g->status = status;
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

Test(async_stubs, many_calls_complete_out_of_order_from_a_poll_loop)
{
	enum { N = 64 };
	mach_port_t svc;
	pid_t pid = start_server("many", &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	static struct got later[N], add[N];
	memset(later, 0, sizeof later);
	memset(add, 0, sizeof add);
	g_order = 0;
	for (int i = 0; i < N; i++) {
		/* later calls are answered last-first */
		cr_assert_eq(calc_later_async(a, svc, (N - i) * 4, i, 0, on_int, &later[i], NULL),
		             KERN_SUCCESS);
		cr_assert_eq(calc_add_async(a, svc, i, 1000, 0, on_int, &add[i], NULL), KERN_SUCCESS);
	}
	cr_assert_eq(machgen_async_pending(a), 2 * N);
	drive(a, 10000);
	int inversions = 0;
	for (int i = 0; i < N; i++) {
		cr_assert_eq(later[i].calls, 1);
		cr_assert_eq(later[i].status, KERN_SUCCESS);
		cr_assert_eq(later[i].value, i * 10);
		cr_assert_eq(add[i].calls, 1);
		cr_assert_eq(add[i].status, KERN_SUCCESS);
		cr_assert_eq(add[i].value, i + 1000);
		if (i && later[i].order < later[i - 1].order)
			inversions++;
	}
	cr_assert_gt(inversions, N / 2, "replies were not out of order (%d inversions)", inversions);
	machgen_async_destroy(a);
	cr_assert_eq(calc_quit(svc), KERN_SUCCESS);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

static struct {
	int calls;
	kern_return_t status;
	char greeting[32];
	int32_t doubled[4];
} g_name;

static void on_name(void *ctx, kern_return_t status, const char *greeting, const int32_t *doubled)
{
	(void)ctx;
	g_name.calls++;
	g_name.status = status;
	if (greeting)
		snprintf(g_name.greeting, sizeof g_name.greeting, "%s", greeting);
	if (doubled)
		memcpy(g_name.doubled, doubled, sizeof g_name.doubled);
}

Test(async_stubs, strings_arrays_ports_and_server_errors)
{
	mach_port_t svc;
	pid_t pid = start_server("types", &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	vec_t v = { 1, 2, 3, -4 };
	struct got fail7 = {0}, fail0 = {0}, port = {0};
	memset(&g_name, 0, sizeof g_name);
	cr_assert_eq(calc_name_async(a, svc, "async", v, 0, on_name, NULL, NULL), KERN_SUCCESS);
	cr_assert_eq(calc_fail_async(a, svc, 7, 0, on_status, &fail7, NULL), KERN_SUCCESS);
	cr_assert_eq(calc_fail_async(a, svc, 0, 0, on_status, &fail0, NULL), KERN_SUCCESS);
	mach_port_t p = rt_port_with_send();
	cr_assert_eq(calc_port_async(a, svc, p, 0, on_int, &port, NULL), KERN_SUCCESS);
	drive(a, 5000);
	cr_assert_eq(g_name.calls, 1);
	cr_assert_eq(g_name.status, KERN_SUCCESS);
	cr_assert_str_eq(g_name.greeting, "hello, async");
	cr_assert_eq(g_name.doubled[0], 2);
	cr_assert_eq(g_name.doubled[3], -8);
	cr_assert_eq(fail7.calls, 1);
	cr_assert_eq(fail7.status, 7);
	cr_assert_eq(fail0.status, KERN_SUCCESS);
	cr_assert_eq(port.status, KERN_SUCCESS);
	cr_assert_eq(port.value, (int32_t)MACH_PORT_TYPE_SEND);
	machgen_async_destroy(a);
	cr_assert_eq(calc_quit(svc), KERN_SUCCESS);
	cr_assert_eq(rt_wait(pid, 5000), 0);
	(void)mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)mach_port_deallocate(mach_task_self(), p);
}

Test(async_stubs, server_death_delivers_mig_server_died_to_each_call)
{
	enum { N = 20 };
	mach_port_t svc;
	pid_t pid = start_server("death", &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct got g[N];
	memset(g, 0, sizeof g);
	for (int i = 0; i < N; i++)
		cr_assert_eq(calc_later_async(a, svc, 60000, i, 0, on_int, &g[i], NULL), KERN_SUCCESS);
	/* a synchronous call behind them: the server holds every reply right */
	int32_t sum = 0;
	cr_assert_eq(calc_add(svc, 1, 2, &sum), KERN_SUCCESS);
	cr_assert_eq(sum, 3);
	kill(pid, SIGKILL);
	drive(a, 5000);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(g[i].calls, 1);
		cr_assert_eq(g[i].status, MIG_SERVER_DIED, "call %d: %#x", i, g[i].status);
		cr_assert_eq(g[i].value, 0);
	}
	machgen_async_destroy(a);
	rt_wait(pid, 5000);
}

Test(async_stubs, timeouts_cancellation_and_destroy_free_everything)
{
	enum { N = 10 };
	mach_port_t svc;
	pid_t pid = start_server("cancel", &svc);
	mach_msg_type_number_t base = name_count();
	int fds = rt_fd_count();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct got t[N], c[N];
	machgen_async_id_t id[N];
	memset(t, 0, sizeof t);
	memset(c, 0, sizeof c);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(calc_later_async(a, svc, 400, i, 100, on_int, &t[i], NULL), KERN_SUCCESS);
		cr_assert_eq(calc_later_async(a, svc, 400, i, 0, on_int, &c[i], &id[i]), KERN_SUCCESS);
	}
	/* the timed calls expire; the others stay pending */
	uint64_t end = rt_now_ms() + 3000;
	int expired = 0;
	while (expired < N && rt_now_ms() < end) {
		struct pollfd p = { .fd = machgen_async_fd(a), .events = POLLIN };
		(void)poll(&p, 1, machgen_async_next_timeout_ms(a));
		expired += machgen_async_dispatch(a);
	}
	for (int i = 0; i < N; i++) {
		cr_assert_eq(t[i].calls, 1);
		cr_assert_eq(t[i].status, MACHGEN_ASYNC_TIMED_OUT);
		cr_assert_eq(c[i].calls, 0);
	}
	for (int i = 0; i < N / 2; i++) {
		cr_assert_eq(machgen_async_cancel(a, id[i]), KERN_SUCCESS);
		cr_assert_eq(machgen_async_cancel(a, id[i]), KERN_INVALID_NAME);
		cr_assert_eq(c[i].calls, 1);
		cr_assert_eq(c[i].status, MACHGEN_ASYNC_CANCELLED);
	}
	machgen_async_destroy(a);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(c[i].calls, 1, "call %d ran %d times", i, c[i].calls);
		cr_assert_eq(c[i].status, MACHGEN_ASYNC_CANCELLED);
	}
	cr_assert_eq(name_count(), base, "ports left behind");
	cr_assert_eq(rt_fd_count(), fds, "fds left behind");
	/* the server's late replies go to dead names: it must survive them */
	usleep(500 * 1000);
	int32_t sum = 0;
	cr_assert_eq(calc_add(svc, 2, 2, &sum), KERN_SUCCESS);
	cr_assert_eq(sum, 4);
	cr_assert_eq(calc_quit(svc), KERN_SUCCESS);
	cr_assert_eq(rt_wait(pid, 5000), 0);
}

/* Replies forged by hand on a port the test receives on itself. */
static kern_return_t forged_reply(mach_msg_id_t id, mach_msg_size_t size, kern_return_t ret)
{
	mach_port_t svc = rt_port_with_send();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct got g = {0};
	cr_assert_eq(calc_add_async(a, svc, 1, 2, 0, on_int, &g, NULL), KERN_SUCCESS);
	union {
		__Request__calc_add_t req;
		char buf[256];
	} in;
	cr_assert_eq(mach_msg(&in.req.Head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, svc, 2000,
	                      MACH_PORT_NULL), MACH_MSG_SUCCESS);
	cr_assert_eq(in.req.Head.msgh_id, 7400);
	cr_assert_eq(in.req.a, 1);
	cr_assert_eq(in.req.b, 2);
	union {
		__Reply__calc_add_t rep;
		char buf[64];
	} out;
	memset(&out, 0, sizeof out);
	out.rep.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	out.rep.Head.msgh_size = size;
	out.rep.Head.msgh_remote_port = in.req.Head.msgh_remote_port;
	out.rep.Head.msgh_id = id;
	out.rep.NDR = NDR_record;
	out.rep.RetCode = ret;
	out.rep.sum = 3;
	cr_assert_eq(mach_msg(&out.rep.Head, MACH_SEND_MSG, size, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	drive(a, 2000);
	cr_assert_eq(g.calls, 1);
	machgen_async_destroy(a);
	(void)mach_port_mod_refs(mach_task_self(), svc, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)mach_port_deallocate(mach_task_self(), svc);
	if (g.status != KERN_SUCCESS)
		cr_assert_eq(g.value, 0, "out argument set on failure");
	else
		cr_assert_eq(g.value, 3);
	return g.status;
}

Test(async_stubs, replies_get_the_synchronous_checks)
{
	cr_assert_eq(forged_reply(7500, 40, KERN_SUCCESS), KERN_SUCCESS);
	cr_assert_eq(forged_reply(7501, 40, KERN_SUCCESS), MIG_REPLY_MISMATCH);
	cr_assert_eq(forged_reply(7500, 44, KERN_SUCCESS), MIG_TYPE_ERROR);
	cr_assert_eq(forged_reply(7500, 36, KERN_SUCCESS), MIG_TYPE_ERROR);
	cr_assert_eq(forged_reply(7500, 36, KERN_NO_SPACE), KERN_NO_SPACE);
	cr_assert_eq(forged_reply(7500, 40, KERN_NO_SPACE), KERN_NO_SPACE);
}

static struct {
	int calls;
	kern_return_t status;
	point_t moved;
} g_give;

static void on_give(void *ctx, kern_return_t status, point_t moved)
{
	(void)ctx;
	g_give.calls++;
	g_give.status = status;
	g_give.moved = moved;
}

/* A request with a port descriptor and a struct, under waittime: the server
 * side is played by hand on a port of this task. */
Test(async_stubs, port_and_struct_arguments_under_waittime)
{
	mach_port_t svc = rt_port_with_send(), p = rt_port_with_send();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	memset(&g_give, 0, sizeof g_give);
	point_t at = { 3, -4 };
	cr_assert_eq(timed_give_async(a, svc, p, at, 0, on_give, NULL, NULL), KERN_SUCCESS);
	union {
		__Request__timed_give_t req;
		char buf[512];
	} in;
	cr_assert_eq(mach_msg(&in.req.Head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, svc, 2000,
	                      MACH_PORT_NULL), MACH_MSG_SUCCESS);
	cr_assert(in.req.Head.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	cr_assert_eq(in.req.msgh_body.msgh_descriptor_count, 1);
	cr_assert_eq(in.req.p.disposition, MACH_MSG_TYPE_PORT_SEND);
	cr_assert_eq(in.req.p.name, p, "a send right made from our receive right lands on its name");
	cr_assert_eq(in.req.at.x, 3);
	cr_assert_eq(in.req.at.y, -4);
	(void)mach_port_deallocate(mach_task_self(), in.req.p.name); /* the right it brought */
	__Reply__timed_give_t rep;
	memset(&rep, 0, sizeof rep);
	rep.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	rep.Head.msgh_size = sizeof rep;
	rep.Head.msgh_remote_port = in.req.Head.msgh_remote_port;
	rep.Head.msgh_id = 7900;
	rep.NDR = NDR_record;
	rep.moved = (point_t){ 4, -3 };
	cr_assert_eq(mach_msg(&rep.Head, MACH_SEND_MSG, sizeof rep, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	drive(a, 2000);
	cr_assert_eq(g_give.calls, 1);
	cr_assert_eq(g_give.status, KERN_SUCCESS);
	cr_assert_eq(g_give.moved.x, 4);
	cr_assert_eq(g_give.moved.y, -3);
	/* a dead server port: the send error comes back from the stub itself */
	cr_assert_eq(mach_port_mod_refs(mach_task_self(), svc, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_assert_eq(timed_give_async(a, svc, p, at, 0, on_give, NULL, NULL), MACH_SEND_INVALID_DEST);
	cr_assert_eq(machgen_async_pending(a), 0);
	cr_assert_eq(g_give.calls, 1);
	machgen_async_destroy(a);
	(void)mach_port_deallocate(mach_task_self(), svc);
	(void)mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)mach_port_deallocate(mach_task_self(), p);
}
