/*
 * Median round-trip cost of MIG-style RPCs served by mach_msg_server (reply and next
 * receive in one mach_msg), a loop of mach_msg_server_once (separate receive
 * and send) and a hand-written combined loop without the library (baseline);
 * client and server in two processes on the real backend.
 *
 *   rt_headers_serve_bench [rpcs]      (default 20000)
 *
 * Uses a private broker in a fresh directory under /tmp.
 */
#include <mach/mach.h>
#include <servers/bootstrap.h>

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "private_broker.h"

#pragma pack(push, 4)
struct add_request {
	mach_msg_header_t head;
	NDR_record_t      ndr;
	int               x;
};
struct add_reply {
	mach_msg_header_t head;
	NDR_record_t      ndr;
	kern_return_t     ret;
	int               y;
	mach_msg_max_trailer_t trailer;
};
#pragma pack(pop)

static boolean_t add_demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	const struct add_request *req = (const struct add_request *)(const void *)in;
	struct add_reply *rep = (struct add_reply *)(void *)out;

	out->msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in->msgh_bits), 0);
	out->msgh_remote_port = in->msgh_remote_port;
	out->msgh_local_port = MACH_PORT_NULL;
	out->msgh_id = in->msgh_id + 100;
	out->msgh_size = (mach_msg_size_t)offsetof(struct add_reply, trailer);
	rep->ndr = NDR_record;
	rep->ret = KERN_SUCCESS;
	rep->y = req->x + 1;
	return TRUE;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Baseline without the library: the same demux, reply and next receive in one mach_msg. */
static int raw_loop(mach_port_t svc)
{
	union {
		struct add_request req;
		struct add_reply   rep;
		unsigned char      bytes[512];
	} in, out;
	mach_msg_return_t mr;

	mr = mach_msg(&in.req.head, MACH_RCV_MSG, 0, sizeof(in), svc, 0, MACH_PORT_NULL);
	while (mr == MACH_MSG_SUCCESS) {
		add_demux(&in.req.head, &out.rep.head);
		mr = mach_msg(&out.rep.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT | MACH_RCV_MSG,
		              out.rep.head.msgh_size, sizeof(in), svc, 0, MACH_PORT_NULL);
		if (mr == MACH_MSG_SUCCESS)
			memcpy(&in, &out, sizeof(in));
	}
	return 3;
}

static int serve(const char *name, int once)
{
	mach_port_t svc = MACH_PORT_NULL;

	if (bootstrap_check_in(bootstrap_port, name, &svc) != KERN_SUCCESS) {
		mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &svc);
		mach_port_insert_right(mach_task_self(), svc, svc, MACH_MSG_TYPE_MAKE_SEND);
		if (bootstrap_register(bootstrap_port, (char *)name, svc) != KERN_SUCCESS)
			return 2;
	}
	if (once == 2)
		return raw_loop(svc);
	if (!once)
		return mach_msg_server(add_demux, 256, svc, 0) == MACH_MSG_SUCCESS ? 0 : 3;
	for (;;) {
		if (mach_msg_server_once(add_demux, 256, svc, 0) != MACH_MSG_SUCCESS)
			return 3;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median round trip in microseconds (robust against other load on the machine). */
static double run(const char *name, int once, int n)
{
	double *lat = calloc((size_t)n, sizeof(double));
	double median;
	pid_t pid;
	mach_port_t svc = MACH_PORT_NULL;
	mach_port_t reply;
	double t0, t1;
	int i, tries;

	if (lat == NULL)
		return -1;
	pid = fork();
	if (pid == 0) {
		alarm(120);
		_exit(serve(name, once));
	}
	for (tries = 0; tries < 500; tries++) {
		if (bootstrap_look_up(bootstrap_port, name, &svc) == KERN_SUCCESS)
			break;
		usleep(10000);
	}
	if (!MACH_PORT_VALID(svc)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		free(lat);
		return -1;
	}
	reply = mig_get_reply_port();
	t0 = 0;
	for (i = -1000; i < n; i++) { /* 1000 warm-up calls */
		union {
			struct add_request req;
			struct add_reply   rep;
		} m;

		t0 = now_s();
		memset(&m.req.head, 0, sizeof(m.req.head));
		m.req.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.req.head.msgh_remote_port = svc;
		m.req.head.msgh_local_port = reply;
		m.req.head.msgh_id = 1000;
		m.req.ndr = NDR_record;
		m.req.x = i;
		if (mach_msg(&m.req.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
		             sizeof(m.req), sizeof(m.rep), reply, 5000, MACH_PORT_NULL) != MACH_MSG_SUCCESS ||
		    m.rep.y != i + 1) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			free(lat);
			return -1;
		}
		t1 = now_s();
		if (i >= 0)
			lat[i] = (t1 - t0) * 1e6;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	qsort(lat, (size_t)n, sizeof(double), cmp_double);
	median = lat[n / 2];
	free(lat);
	return median;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	char dir[64];
	double loop, once, raw;

	if (n <= 0 || rth_broker_start(dir, sizeof(dir)) != 0)
		return 1;

	loop = run("org.machgen.bench.loop", 0, n);
	once = run("org.machgen.bench.once", 1, n);
	raw = run("org.machgen.bench.raw", 2, n);
	rth_broker_stop(dir);
	printf("rpcs per mode: %d\n", n);
	printf("mach_msg_server (combined reply+receive): median %.2f us/rpc\n", loop);
	printf("mach_msg_server_once loop:                median %.2f us/rpc\n", once);
	printf("hand-written combined loop (baseline):    median %.2f us/rpc\n", raw);
	return loop > 0 && once > 0 && raw > 0 ? 0 : 1;
}
