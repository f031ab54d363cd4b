/* Async stubs and deferred replies of kinds.defs: variable arrays and strings,
 * out-of-line memory and port arrays both ways, ports and polymorphic ports in
 * replies, CountInOut, against a server in another process; what the callback
 * receives it owns, and nothing is left behind after server death,
 * cancellation or destroy. Forged replies get the synchronous stubs' errors and
 * are destroyed with what they carried. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kinds.h"
#include "kindsAsync.h"
#include "kindsAsyncServer.h"
#include "kindsServer.h"
#include "helpers.h"

TestSuite(async_kinds, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

/* ---- the server ------------------------------------------------------------ */

static mach_port_t g_second; /* the port kinds_ports hands out, in the server's set */
static int g_quit;

struct deferred {
	mach_port_t reply;
	uint64_t due_ms;
	int32_t n;
};
static struct deferred g_later[64];
static int g_nlater;

kern_return_t S_kinds_echo(mach_port_t server, ints_t v, mach_msg_type_number_t vCnt, ints_t w,
                           mach_msg_type_number_t *wCnt, int32_t *n)
{
	(void)server;
	for (mach_msg_type_number_t i = 0; i < vCnt; i++)
		w[i] = v[i] * 2;
	*wCnt = vCnt;
	*n += 1;
	return KERN_SUCCESS;
}

kern_return_t S_kinds_ool(mach_port_t server, bytes_t data, mach_msg_type_number_t dataCnt,
                          bytes_t *back, mach_msg_type_number_t *backCnt)
{
	vm_address_t r = 0;
	(void)server;
	if (vm_allocate(mach_task_self(), &r, dataCnt ? dataCnt : 1, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
		return KERN_NO_SPACE;
	for (mach_msg_type_number_t i = 0; i < dataCnt; i++)
		((uint8_t *)r)[i] = (uint8_t)(data[i] + 1);
	(void)vm_deallocate(mach_task_self(), (vm_address_t)data, dataCnt);
	*back = (bytes_t)r;
	*backCnt = dataCnt;
	return KERN_SUCCESS;
}

kern_return_t S_kinds_ports(mach_port_t server, mach_port_array_t ps, mach_msg_type_number_t psCnt,
                            mach_port_t *p, mach_port_array_t *qs, mach_msg_type_number_t *qsCnt)
{
	(void)server;
	*p = g_second;
	/* the received array goes back as it came: its rights move with the reply
	 * (copy-send of rights the server owns; the region is freed below) */
	static mach_port_t keep[16];
	for (mach_msg_type_number_t i = 0; i < psCnt && i < 16; i++)
		keep[i] = ps[i];
	*qs = keep;
	*qsCnt = psCnt < 16 ? psCnt : 16;
	(void)vm_deallocate(mach_task_self(), (vm_address_t)ps, psCnt * sizeof ps[0]);
	return KERN_SUCCESS;
}

kern_return_t S_kinds_poly(mach_port_t server, mach_port_t p, mach_msg_type_name_t pPoly,
                           mach_port_t *q, mach_msg_type_name_t *qPoly)
{
	(void)server;
	if (pPoly != MACH_MSG_TYPE_PORT_SEND)
		return KERN_INVALID_RIGHT;
	*q = p;
	*qPoly = MACH_MSG_TYPE_MOVE_SEND;
	return KERN_SUCCESS;
}

kern_return_t S_kinds_str(mach_port_t server, label64_t s, label64_t t)
{
	(void)server;
	snprintf(t, sizeof(label64_t), "%s!", s);
	return KERN_SUCCESS;
}

kern_return_t S_kinds_cio(mach_port_t server, ints_t w, mach_msg_type_number_t *wCnt)
{
	(void)server;
	mach_msg_type_number_t n = *wCnt < 10 ? *wCnt : 10;
	for (mach_msg_type_number_t i = 0; i < n; i++)
		w[i] = (int32_t)i;
	*wCnt = n;
	return KERN_SUCCESS;
}

kern_return_t S_kinds_ping(mach_port_t server, int32_t *v)
{
	*v = server == g_second ? 42 : 1;
	return KERN_SUCCESS;
}

kern_return_t S_kinds_later(mach_port_t server, mach_port_t reply, int32_t delay_ms, int32_t n,
                            bytes_t *back, mach_msg_type_number_t *backCnt, mach_port_t *p,
                            ints_t w, mach_msg_type_number_t *wCnt, label64_t t)
{
	(void)server, (void)back, (void)backCnt, (void)p, (void)w, (void)wCnt, (void)t;
	if (g_nlater == 64)
		return KERN_RESOURCE_SHORTAGE;
	g_later[g_nlater++] = (struct deferred){ reply, rt_now_ms() + (uint64_t)delay_ms, n };
	return MIG_NO_REPLY;
}

kern_return_t S_kinds_who(mach_port_t server, int32_t *v)
{
	(void)server;
	*v = 7;
	return KERN_SUCCESS;
}

int32_t kinds_whole_from_tenths(tenths_t t)
{
	return t / 10;
}

/* Answers through the deferred reply at once: it must translate as the
 * server stub would (70 tenths go out as 7). */
kern_return_t S_kinds_tenths(mach_port_t server, mach_port_t reply, int32_t t, tenths_t *whole)
{
	(void)server;
	(void)whole;
	/* a reply that cannot be sent leaves the client waiting: the test times out */
	(void)S_kinds_tenths_deferred_reply(reply, KERN_SUCCESS, (tenths_t)t * 10);
	return MIG_NO_REPLY;
}

/* A native value in a deferred reply, sent at once. */
kern_return_t S_kinds_pair(mach_port_t server, mach_port_t reply, int32_t a, kinds_pair_t *p)
{
	(void)server;
	kinds_pair_t out = { p->x + a, p->y - a };
	(void)S_kinds_pair_deferred_reply(reply, KERN_SUCCESS, out); /* as kinds_tenths */
	return MIG_NO_REPLY;
}

static const struct kinds_counter g_counters[] = {
	{ { 1, 2, 3, 4 }, "first" },
	{ { -1, 0, 65536, INT32_MAX }, "second" },
	{ { 7, 7, 7, 7 }, "fifteen chars.." },
};

kern_return_t S_kinds_counter(mach_port_t server, mach_port_t reply, int32_t which,
			      boolean_t deferred, kinds_counter_ref_t *readings,
			      kinds_counter_ref_t *name)
{
	(void)server;
	if (which < 0 || which >= (int32_t)(sizeof g_counters / sizeof g_counters[0]))
		return KERN_INVALID_ARGUMENT;
	if (!deferred) {
		*readings = *name = &g_counters[which];
		return KERN_SUCCESS;
	}
	(void)S_kinds_counter_deferred_reply(reply, KERN_SUCCESS, &g_counters[which],
					     &g_counters[which]); /* as kinds_tenths */
	return MIG_NO_REPLY;
}

kern_return_t S_kinds_quit(mach_port_t server)
{
	(void)server;
	g_quit = 1;
	return KERN_SUCCESS;
}

static int32_t g_gone, g_too_large;

static int32_t server_names(void)
{
	mach_port_name_array_t names;
	mach_port_type_array_t types;
	mach_msg_type_number_t n = 0, tn = 0;
	if (mach_port_names(mach_task_self(), &names, &n, &types, &tn) != KERN_SUCCESS)
		return -1;
	vm_deallocate(mach_task_self(), (vm_address_t)names, n * sizeof names[0]);
	vm_deallocate(mach_task_self(), (vm_address_t)types, tn * sizeof types[0]);
	return (int32_t)n;
}

kern_return_t S_kinds_stats(mach_port_t server, int32_t *gone, int32_t *too_large, int32_t *names)
{
	(void)server;
	*gone = g_gone;
	*too_large = g_too_large;
	*names = server_names();
	return KERN_SUCCESS;
}

static void answer_later(const struct deferred *d)
{
	if (d->n < 0) { /* 65 elements where 64 fit */
		ints_t w = { 0 };
		label64_t t = "big";
		vm_address_t r = 0;
		(void)vm_allocate(mach_task_self(), &r, 16, VM_FLAGS_ANYWHERE);
		kern_return_t kr = S_kinds_later_deferred_reply(d->reply, KERN_SUCCESS, (bytes_t)r, 16,
		                                                g_second, w, 65, t);
		if (kr == MIG_ARRAY_TOO_LARGE) {
			g_too_large++;
			/* not sent: the region stays ours */
			(void)vm_deallocate(mach_task_self(), r, 16);
		}
		return;
	}
	vm_address_t r = 0;
	mach_msg_type_number_t n = (mach_msg_type_number_t)d->n;
	(void)vm_allocate(mach_task_self(), &r, n ? n : 1, VM_FLAGS_ANYWHERE);
	memset((void *)r, d->n % 256, n);
	ints_t w;
	for (mach_msg_type_number_t i = 0; i < n && i < 64; i++)
		w[i] = d->n;
	label64_t t;
	snprintf(t, sizeof t, "later %d", d->n);
	kern_return_t kr = S_kinds_later_deferred_reply(d->reply, KERN_SUCCESS, (bytes_t)r, n, g_second,
	                                                w, n < 64 ? n : 64, t);
	if (kr == MACH_SEND_INVALID_DEST)
		g_gone++;
}

static int send_due(void)
{
	uint64_t now = rt_now_ms();
	int next = 1000;
	for (int i = 0; i < g_nlater;) {
		if (g_later[i].due_ms <= now) {
			answer_later(&g_later[i]);
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
	mach_port_t svc, set;
	machgen_port_watch_t *w;
	if (rt_check_in(name, &svc))
		return 10;
	g_second = rt_port_with_send();
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &set) ||
	    mach_port_move_member(mach_task_self(), svc, set) ||
	    mach_port_move_member(mach_task_self(), g_second, set))
		return 11;
	if (machgen_port_watch_create(set, &w) != KERN_SUCCESS)
		return 12;
	while (!g_quit) {
		if (machgen_port_watch_wait(w, send_due()) < 0)
			return 13;
		if (machgen_port_watch_serve(w, kinds_server, S_kinds_subsystem.maxsize) < 0)
			return 14;
		send_due();
	}
	machgen_port_watch_destroy(w);
	return 0;
}

static pid_t start_server(const char *tag, mach_port_t *svc)
{
	static char name[64];
	snprintf(name, sizeof name, "async.kinds.%s.%d", tag, (int)getpid());
	pid_t pid = rt_fork(server_main, name);
	*svc = rt_look_up_wait(name);
	cr_assert_neq(*svc, MACH_PORT_NULL);
	return pid;
}

static void stop_server(mach_port_t svc, pid_t pid)
{
	cr_assert_eq(kinds_quit(svc), KERN_SUCCESS);
	cr_assert_eq(rt_wait(pid, 5000), 0);
	(void)mach_port_deallocate(mach_task_self(), svc);
}

/* ---- the client ------------------------------------------------------------ */

static void drive(machgen_async_t *a, int deadline_ms)
{
	uint64_t end = rt_now_ms() + (uint64_t)deadline_ms;
	while (machgen_async_pending(a) && rt_now_ms() < end) {
		cr_assert_geq(machgen_async_wait(a, 200), 0);
		cr_assert_geq(machgen_async_dispatch(a), 0);
	}
	cr_assert_eq(machgen_async_pending(a), 0, "calls still pending after %d ms", deadline_ms);
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

static mach_port_urefs_t send_refs(mach_port_t p)
{
	mach_port_urefs_t r = 0;
	(void)mach_port_get_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, &r);
	return r;
}

static void free_port(mach_port_t p)
{
	(void)mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)mach_port_deallocate(mach_task_self(), p);
}

static struct {
	int calls;
	kern_return_t status;
	int32_t w[64];
	mach_msg_type_number_t wCnt;
	int32_t n;
	char t[64];
} g_echo, g_str, g_cio;

static void on_echo(void *ctx, kern_return_t status, const ints_t w, mach_msg_type_number_t wCnt,
                    int32_t n)
{
	(void)ctx;
	g_echo.calls++;
	g_echo.status = status;
	if (w)
		memcpy(g_echo.w, w, wCnt * sizeof w[0]);
	g_echo.wCnt = wCnt;
	g_echo.n = n;
}

static void on_str(void *ctx, kern_return_t status, const label64_t t)
{
	(void)ctx;
	g_str.calls++;
	g_str.status = status;
	if (t)
		snprintf(g_str.t, sizeof g_str.t, "%s", t);
}

static void on_cio(void *ctx, kern_return_t status, const ints_t w, mach_msg_type_number_t wCnt)
{
	(void)ctx;
	g_cio.calls++;
	g_cio.status = status;
	if (w)
		memcpy(g_cio.w, w, wCnt * sizeof w[0]);
	g_cio.wCnt = wCnt;
}

Test(async_kinds, variable_arrays_strings_and_countinout)
{
	mach_port_t svc;
	pid_t pid = start_server("var", &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	memset(&g_echo, 0, sizeof g_echo);
	memset(&g_str, 0, sizeof g_str);
	memset(&g_cio, 0, sizeof g_cio);
	ints_t v;
	for (int i = 0; i < 37; i++)
		v[i] = i - 5;
	cr_assert_eq(kinds_echo_async(a, svc, v, 37, 41, 0, on_echo, NULL, NULL), KERN_SUCCESS);
	cr_assert_eq(kinds_str_async(a, svc, "tight", 0, on_str, NULL, NULL), KERN_SUCCESS);
	cr_assert_eq(kinds_cio_async(a, svc, 64, 0, on_cio, NULL, NULL), KERN_SUCCESS);
	/* too many elements: refused before sending, like the synchronous stub */
	cr_assert_eq(kinds_echo_async(a, svc, v, 65, 0, 0, on_echo, NULL, NULL), MIG_ARRAY_TOO_LARGE);
	drive(a, 20000);
	cr_assert_eq(g_echo.calls, 1);
	cr_assert_eq(g_echo.status, KERN_SUCCESS);
	cr_assert_eq(g_echo.wCnt, 37);
	for (int i = 0; i < 37; i++)
		cr_assert_eq(g_echo.w[i], (i - 5) * 2);
	cr_assert_eq(g_echo.n, 42);
	cr_assert_eq(g_str.status, KERN_SUCCESS);
	cr_assert_str_eq(g_str.t, "tight!");
	cr_assert_eq(g_cio.status, KERN_SUCCESS);
	cr_assert_eq(g_cio.wCnt, 10);
	cr_assert_eq(g_cio.w[9], 9);
	/* the synchronous stub agrees */
	ints_t w;
	mach_msg_type_number_t wCnt = 0;
	int32_t n = 41;
	cr_assert_eq(kinds_echo(svc, v, 37, w, &wCnt, &n), KERN_SUCCESS);
	cr_assert_eq(wCnt, g_echo.wCnt);
	cr_assert_eq(memcmp(w, g_echo.w, wCnt * sizeof w[0]), 0);
	cr_assert_eq(n, g_echo.n);
	machgen_async_destroy(a);
	stop_server(svc, pid);
}

static struct {
	int calls;
	kern_return_t status;
	bytes_t back;
	mach_msg_type_number_t backCnt;
	mach_port_t p;
	mach_port_t qs[8];
	mach_msg_type_number_t qsCnt;
	mach_port_t q;
	mach_msg_type_name_t qPoly;
} g_ool, g_ports, g_poly;

static void on_ool(void *ctx, kern_return_t status, bytes_t back, mach_msg_type_number_t backCnt)
{
	(void)ctx;
	g_ool.calls++;
	g_ool.status = status;
	g_ool.back = back; /* ours now: freed by the test */
	g_ool.backCnt = backCnt;
}

static void on_ports(void *ctx, kern_return_t status, mach_port_t p, mach_port_array_t qs,
                     mach_msg_type_number_t qsCnt)
{
	(void)ctx;
	g_ports.calls++;
	g_ports.status = status;
	g_ports.p = p;
	g_ports.qsCnt = qsCnt;
	for (mach_msg_type_number_t i = 0; qs && i < qsCnt && i < 8; i++)
		g_ports.qs[i] = qs[i];
	if (qs) /* the array region is the callback's */
		(void)vm_deallocate(mach_task_self(), (vm_address_t)qs, qsCnt * sizeof qs[0]);
}

static void on_poly(void *ctx, kern_return_t status, mach_port_t q, mach_msg_type_name_t qPoly)
{
	(void)ctx;
	g_poly.calls++;
	g_poly.status = status;
	g_poly.q = q;
	g_poly.qPoly = qPoly;
}

Test(async_kinds, ool_memory_port_arrays_and_ports_in_replies)
{
	mach_port_t svc;
	pid_t pid = start_server("ool", &svc);
	int32_t v = 0;
	cr_assert_eq(kinds_ping(svc, &v), KERN_SUCCESS); /* makes the thread's MIG reply port */
	mach_msg_type_number_t base = name_count();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	memset(&g_ool, 0, sizeof g_ool);
	memset(&g_ports, 0, sizeof g_ports);
	memset(&g_poly, 0, sizeof g_poly);
	enum { SIZE = 3 * 4096 + 17 };
	static uint8_t data[SIZE];
	for (int i = 0; i < SIZE; i++)
		data[i] = (uint8_t)(i * 7);
	cr_assert_eq(kinds_ool_async(a, svc, data, SIZE, 0, on_ool, NULL, NULL), KERN_SUCCESS);
	mach_port_t ps[3] = { rt_port_with_send(), rt_port_with_send(), rt_port_with_send() };
	cr_assert_eq(kinds_ports_async(a, svc, ps, 3, 0, on_ports, NULL, NULL), KERN_SUCCESS);
	mach_port_t mine = rt_port_with_send();
	cr_assert_eq(kinds_poly_async(a, svc, mine, MACH_MSG_TYPE_MAKE_SEND, 0, on_poly, NULL, NULL),
	             KERN_SUCCESS);
	drive(a, 20000);

	cr_assert_eq(g_ool.status, KERN_SUCCESS);
	cr_assert_eq(g_ool.backCnt, SIZE);
	cr_assert_neq(g_ool.back, NULL);
	for (int i = 0; i < SIZE; i++)
		cr_assert_eq(g_ool.back[i], (uint8_t)(i * 7 + 1), "byte %d", i);
	cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)g_ool.back, SIZE), KERN_SUCCESS);

	cr_assert_eq(g_ports.status, KERN_SUCCESS);
	cr_assert_neq(g_ports.p, MACH_PORT_NULL);
	cr_assert_eq(kinds_ping(g_ports.p, &v), KERN_SUCCESS, "the right in the reply is usable");
	cr_assert_eq(v, 42);
	cr_assert_eq(g_ports.qsCnt, 3);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(g_ports.qs[i], ps[i], "a send right to our own port lands on its name");
		cr_assert_eq(send_refs(ps[i]), 2, "ours plus the one the reply brought");
	}

	cr_assert_eq(g_poly.status, KERN_SUCCESS);
	cr_assert_eq(g_poly.q, mine);
	cr_assert_eq(g_poly.qPoly, MACH_MSG_TYPE_PORT_SEND);
	cr_assert_eq(send_refs(mine), 2);

	machgen_async_destroy(a);
	(void)mach_port_deallocate(mach_task_self(), g_ports.p);
	for (int i = 0; i < 3; i++) {
		(void)mach_port_deallocate(mach_task_self(), ps[i]);
		free_port(ps[i]);
	}
	(void)mach_port_deallocate(mach_task_self(), mine);
	free_port(mine);
	cr_assert_eq(name_count(), base, "the client owned and freed every right it received");
	stop_server(svc, pid);
}

struct later_got {
	int calls;
	kern_return_t status;
	bytes_t back;
	mach_msg_type_number_t backCnt;
	mach_port_t p;
	int32_t w0;
	mach_msg_type_number_t wCnt;
	char t[64];
	int order;
};
static int g_order;

static void on_later(void *ctx, kern_return_t status, bytes_t back, mach_msg_type_number_t backCnt,
                     mach_port_t p, const ints_t w, mach_msg_type_number_t wCnt, const label64_t t)
{
	struct later_got *g = ctx;
	g->calls++;
	g->status = status;
	g->back = back;
	g->backCnt = backCnt;
	g->p = p;
	g->w0 = w && wCnt ? w[0] : -1;
	g->wCnt = wCnt;
	if (t)
		snprintf(g->t, sizeof g->t, "%s", t);
	g->order = g_order++;
}

Test(async_kinds, deferred_replies_carry_ool_ports_arrays_and_strings)
{
	enum { N = 12 };
	mach_port_t svc;
	pid_t pid = start_server("later", &svc);
	int32_t v = 0;
	cr_assert_eq(kinds_ping(svc, &v), KERN_SUCCESS); /* makes the thread's MIG reply port */
	mach_msg_type_number_t base = name_count();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct later_got g[N];
	memset(g, 0, sizeof g);
	g_order = 0;
	for (int i = 0; i < N; i++) /* answered last-first */
		cr_assert_eq(kinds_later_async(a, svc, (N - i) * 100, 100 + i, 0, on_later, &g[i], NULL),
		             KERN_SUCCESS);
	drive(a, 20000);
	mach_port_t second = MACH_PORT_NULL;
	int inversions = 0;
	for (int i = 0; i < N; i++) {
		cr_assert_eq(g[i].calls, 1);
		cr_assert_eq(g[i].status, KERN_SUCCESS, "call %d: %#x", i, g[i].status);
		cr_assert_eq(g[i].backCnt, (mach_msg_type_number_t)(100 + i));
		for (int k = 0; k < 100 + i; k++)
			cr_assert_eq(g[i].back[k], (uint8_t)(100 + i));
		cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)g[i].back, g[i].backCnt),
		             KERN_SUCCESS);
		cr_assert_eq(g[i].wCnt, 64);
		cr_assert_eq(g[i].w0, 100 + i);
		char want[64];
		snprintf(want, sizeof want, "later %d", 100 + i);
		cr_assert_str_eq(g[i].t, want);
		cr_assert_neq(g[i].p, MACH_PORT_NULL);
		if (second == MACH_PORT_NULL)
			second = g[i].p;
		cr_assert_eq(g[i].p, second, "every reply's send right names the same port");
		if (i && g[i].order < g[i - 1].order)
			inversions++;
	}
	cr_assert_gt(inversions, N / 2, "replies were not out of order (%d inversions)", inversions);
	cr_assert_eq(kinds_ping(second, &v), KERN_SUCCESS);
	cr_assert_eq(v, 42);
	cr_assert_eq(send_refs(second), N, "one send right per reply");
	cr_assert_eq(mach_port_mod_refs(mach_task_self(), second, MACH_PORT_RIGHT_SEND, -N), KERN_SUCCESS);
	machgen_async_destroy(a);
	cr_assert_eq(name_count(), base);
	stop_server(svc, pid);
}

Test(async_kinds, server_death_with_ool_replies_pending_and_cancel_leave_nothing)
{
	enum { N = 10 };
	mach_port_t svc;
	pid_t pid = start_server("death", &svc);
	int32_t v = 0;
	cr_assert_eq(kinds_ping(svc, &v), KERN_SUCCESS); /* makes the thread's MIG reply port */
	mach_msg_type_number_t base = name_count();
	int fds = rt_fd_count();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	struct later_got g[N], c[2];
	machgen_async_id_t id[2];
	memset(g, 0, sizeof g);
	memset(c, 0, sizeof c);
	for (int i = 0; i < N; i++)
		cr_assert_eq(kinds_later_async(a, svc, 60000, 10, 0, on_later, &g[i], NULL), KERN_SUCCESS);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(kinds_later_async(a, svc, 60000, 10, 0, on_later, &c[i], &id[i]), KERN_SUCCESS);
	cr_assert_eq(kinds_ping(svc, &v), KERN_SUCCESS); /* every request reached the server */
	cr_assert_eq(machgen_async_cancel(a, id[0]), KERN_SUCCESS);
	cr_assert_eq(c[0].status, MACHGEN_ASYNC_CANCELLED);
	cr_assert_eq(c[0].back, NULL);
	cr_assert_eq(c[0].p, MACH_PORT_NULL);
	kill(pid, SIGKILL);
	drive(a, 20000);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(g[i].calls, 1);
		cr_assert_eq(g[i].status, MIG_SERVER_DIED, "call %d: %#x", i, g[i].status);
		cr_assert_eq(g[i].back, NULL);
		cr_assert_eq(g[i].backCnt, 0);
		cr_assert_eq(g[i].p, MACH_PORT_NULL);
	}
	cr_assert_eq(c[1].status, MIG_SERVER_DIED);
	machgen_async_destroy(a);
	rt_wait(pid, 5000);
	cr_assert_eq(name_count(), base, "ports left behind");
	cr_assert_eq(rt_fd_count(), fds, "fds left behind");
	(void)mach_port_deallocate(mach_task_self(), svc); /* a dead name now */
}

static struct {
	int calls;
	kern_return_t status;
	int32_t v;
	security_token_t sec;
	audit_token_t aud;
} g_who;

static void on_who(void *ctx, kern_return_t status, int32_t v, security_token_t sec, audit_token_t aud)
{
	(void)ctx;
	g_who.calls++;
	g_who.status = status;
	g_who.v = v;
	g_who.sec = sec;
	g_who.aud = aud;
}

/* waittime and msgoption arguments reach the send; the client's trailer
 * arguments come from the reply's trailer, as the synchronous stub reads them. */
Test(async_kinds, trailer_waittime_and_msgoption_arguments)
{
	mach_port_t svc;
	pid_t pid = start_server("who", &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	memset(&g_who, 0, sizeof g_who);
	cr_assert_eq(kinds_who_async(a, svc, 1000, 0, 0, on_who, NULL, NULL), KERN_SUCCESS);
	drive(a, 20000);
	cr_assert_eq(g_who.calls, 1);
	cr_assert_eq(g_who.status, KERN_SUCCESS);
	cr_assert_eq(g_who.v, 7);
	int32_t v = 0;
	security_token_t sec;
	audit_token_t aud;
	memset(&sec, 0xff, sizeof sec);
	memset(&aud, 0xff, sizeof aud);
	cr_assert_eq(kinds_who(svc, 1000, 0, &v, &sec, &aud), KERN_SUCCESS);
	cr_assert_eq(memcmp(&sec, &g_who.sec, sizeof sec), 0, "the same sender's security token");
	cr_assert_eq(memcmp(&aud, &g_who.aud, sizeof aud), 0, "the same sender's audit token");
	cr_assert_eq(aud.val[5], (unsigned)pid, "the audit token names the server process");
	machgen_async_destroy(a);
	stop_server(svc, pid);
}

/* A deferred reply applies the reply's outtran translation, as the server
 * stub does: the server answers in tenths, the client reads whole units. */
Test(async_kinds, deferred_replies_translate_with_outtran)
{
	mach_port_t svc;
	pid_t pid = start_server("tenths", &svc);
	for (int32_t t = -3; t <= 3; t++) {
		whole_t whole = 12345;
		cr_assert_eq(kinds_tenths(svc, t, &whole), KERN_SUCCESS);
		cr_assert_eq(whole, t, "%d tenths x 10 went out as %d", t, whole);
	}
	stop_server(svc, pid);
}

/* Arrays and strings with outtran translations reach the client the same
 * from the server stub and from a deferred reply: the bytes the translation
 * points at. */
Test(async_kinds, translated_arrays_and_strings_in_both_replies)
{
	mach_port_t svc;
	pid_t pid = start_server("counter", &svc);
	for (int deferred = 0; deferred <= 1; deferred++) {
		for (int32_t which = 0; which < 3; which++) {
			readings_t r;
			counter_name_t name;
			memset(r, 0x55, sizeof r);
			memset(name, 'x', sizeof name);
			cr_assert_eq(kinds_counter(svc, which, deferred, r, name), KERN_SUCCESS);
			cr_assert_eq(memcmp(r, g_counters[which].readings, sizeof r), 0,
				     "counter %d (deferred %d): readings %d %d %d %d", which, deferred,
				     r[0], r[1], r[2], r[3]);
			cr_assert_str_eq(name, g_counters[which].name);
		}
		readings_t r;
		counter_name_t name;
		cr_assert_eq(kinds_counter(svc, 3, deferred, r, name), KERN_INVALID_ARGUMENT);
	}
	stop_server(svc, pid);
}

/* A native (PointerTo) value goes out of a deferred reply with sizeof its
 * type, as the server stub would send it. */
Test(async_kinds, deferred_replies_carry_native_values)
{
	mach_port_t svc;
	pid_t pid = start_server("pair", &svc);
	kinds_pair_t p = { 100, 200 };
	cr_assert_eq(kinds_pair(svc, 5, &p), KERN_SUCCESS);
	cr_assert_eq(p.x, 105);
	cr_assert_eq(p.y, 195);
	stop_server(svc, pid);
}

/* A deferred reply whose array is over its bound reaches the client as
 * MIG_ARRAY_TOO_LARGE; one to a client that cancelled fails with
 * MACH_SEND_INVALID_DEST and is destroyed with the reply right, the moved
 * region and the right it carried: the server's names are back where they were. */
Test(async_kinds, deferred_reply_errors_and_gone_clients)
{
	mach_port_t svc;
	pid_t pid = start_server("gone", &svc);
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	int32_t gone = -1, too_large = -1, names0 = -1, names1 = -1;
	cr_assert_eq(kinds_stats(svc, &gone, &too_large, &names0), KERN_SUCCESS);
	cr_assert_eq(gone, 0);

	struct later_got big = {0}, c[3];
	machgen_async_id_t id[3];
	memset(c, 0, sizeof c);
	cr_assert_eq(kinds_later_async(a, svc, 10, -1, 0, on_later, &big, NULL), KERN_SUCCESS);
	drive(a, 20000);
	cr_assert_eq(big.status, MIG_ARRAY_TOO_LARGE);
	cr_assert_eq(big.back, NULL);

	for (int i = 0; i < 3; i++)
		cr_assert_eq(kinds_later_async(a, svc, 300, 20, 0, on_later, &c[i], &id[i]), KERN_SUCCESS);
	int32_t v = 0;
	cr_assert_eq(kinds_ping(svc, &v), KERN_SUCCESS); /* the server holds the three reply rights */
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(machgen_async_cancel(a, id[i]), KERN_SUCCESS);
		cr_assert_eq(c[i].status, MACHGEN_ASYNC_CANCELLED);
	}
	uint64_t end = rt_now_ms() + 20000;
	do {
		usleep(50 * 1000);
		cr_assert_eq(kinds_stats(svc, &gone, &too_large, &names1), KERN_SUCCESS);
	} while (gone < 3 && rt_now_ms() < end);
	cr_assert_eq(gone, 3, "every reply to a cancelled call failed with MACH_SEND_INVALID_DEST");
	cr_assert_eq(too_large, 1);
	cr_assert_eq(names1, names0, "the server's names are back where they were");
	machgen_async_destroy(a);
	stop_server(svc, pid);
}

/* ---- forged replies ------------------------------------------------------- */

struct forged {
	__Reply__kinds_ool_t rep;
	char pad[64];
};

/* Starts kinds_ool_async against a port of this task, receives the request and
 * answers with *rep (its remote port filled in); returns the callback's status. */
static kern_return_t forge(struct forged *f, mach_msg_size_t size)
{
	mach_port_t svc = rt_port_with_send();
	machgen_async_t *a;
	cr_assert_eq(machgen_async_create(&a), KERN_SUCCESS);
	memset(&g_ool, 0, sizeof g_ool);
	uint8_t data[8] = { 1, 2, 3 };
	cr_assert_eq(kinds_ool_async(a, svc, data, 8, 0, on_ool, NULL, NULL), KERN_SUCCESS);
	union {
		__Request__kinds_ool_t req;
		char buf[512];
	} in;
	cr_assert_eq(mach_msg(&in.req.Head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, svc, 20000,
	                      MACH_PORT_NULL), MACH_MSG_SUCCESS);
	const mach_port_t reply = in.req.Head.msgh_remote_port;
	in.req.Head.msgh_remote_port = MACH_PORT_NULL;
	mach_msg_destroy(&in.req.Head); /* the region it brought; the reply right is kept */
	f->rep.Head.msgh_bits |= MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	f->rep.Head.msgh_size = size;
	f->rep.Head.msgh_remote_port = reply;
	f->rep.Head.msgh_id = 7601;
	f->rep.NDR = NDR_record;
	mach_msg_return_t mr = mach_msg(&f->rep.Head, MACH_SEND_MSG, size, 0, MACH_PORT_NULL, 0,
	                                MACH_PORT_NULL);
	cr_assert_eq(mr, MACH_MSG_SUCCESS, "forged send: %#x", mr);
	drive(a, 20000);
	cr_assert_eq(g_ool.calls, 1);
	machgen_async_destroy(a);
	free_port(svc);
	if (g_ool.status != KERN_SUCCESS) {
		cr_assert_eq(g_ool.back, NULL, "out argument set on failure");
		cr_assert_eq(g_ool.backCnt, 0);
	}
	return g_ool.status;
}

Test(async_kinds, forged_descriptors_are_rejected_and_destroyed)
{
	mach_port_t victim = rt_port_with_send();
	mach_msg_type_number_t base = name_count();
	struct forged f;

	/* a port descriptor where the OOL region belongs: MIG_TYPE_ERROR, and the
	 * send right it carried (to our own port) is destroyed */
	memset(&f, 0, sizeof f);
	f.rep.Head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	f.rep.msgh_body.msgh_descriptor_count = 1;
	mach_msg_port_descriptor_t *pd = (mach_msg_port_descriptor_t *)(void *)&f.rep.back;
	*pd = (mach_msg_port_descriptor_t){ .name = victim, .disposition = MACH_MSG_TYPE_MAKE_SEND,
	                                    .type = MACH_MSG_PORT_DESCRIPTOR };
	f.rep.backCnt = 0;
	cr_assert_eq(forge(&f, sizeof f.rep), MIG_TYPE_ERROR);
	cr_assert_eq(send_refs(victim), 1, "the forged right was destroyed");

	/* two descriptors announced where one is expected */
	memset(&f, 0, sizeof f);
	static uint8_t region[64];
	f.rep.Head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	f.rep.msgh_body.msgh_descriptor_count = 2;
	f.rep.back = (mach_msg_ool_descriptor_t){ .address = region, .size = 64, .copy = MACH_MSG_VIRTUAL_COPY,
	                                          .type = MACH_MSG_OOL_DESCRIPTOR };
	cr_assert_eq(forge(&f, sizeof f.rep), MIG_TYPE_ERROR);

	/* a region whose size disagrees with its count */
	memset(&f, 0, sizeof f);
	f.rep.Head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	f.rep.msgh_body.msgh_descriptor_count = 1;
	f.rep.back = (mach_msg_ool_descriptor_t){ .address = region, .size = 64, .copy = MACH_MSG_VIRTUAL_COPY,
	                                          .type = MACH_MSG_OOL_DESCRIPTOR };
	f.rep.backCnt = 63;
	cr_assert_eq(forge(&f, sizeof f.rep), MIG_TYPE_ERROR);

	/* a well-formed one is accepted, and the region is the callback's */
	f.rep.backCnt = 64;
	f.rep.Head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	cr_assert_eq(forge(&f, sizeof f.rep), KERN_SUCCESS);
	cr_assert_eq(g_ool.backCnt, 64);
	cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)g_ool.back, 64), KERN_SUCCESS);

	/* an error reply (not complex, 36 bytes) passes its code through */
	memset(&f, 0, sizeof f);
	mig_reply_error_t *e = (mig_reply_error_t *)(void *)&f.rep;
	e->RetCode = KERN_NO_SPACE;
	cr_assert_eq(forge(&f, sizeof(mig_reply_error_t)), KERN_NO_SPACE);

	cr_assert_eq(name_count(), base);
	(void)mach_port_deallocate(mach_task_self(), victim);
	free_port(victim);
}
