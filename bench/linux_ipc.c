/* Linux backend benchmarks, each against a baseline measured in the same run:
 *   rpc   64-byte Mach RPC between two processes vs a raw SOCK_SEQPACKET
 *         socketpair ping-pong, pinned to one CPU and unpinned;
 *   ool   64 MiB OOL VIRTUAL_COPY send + receive vs one memcpy of 64 MiB into
 *         freshly mapped memory;
 *   names RPC round trip with 10,000 names in the client's space vs 10.
 *   hop   one client -> broker -> client round trip (reference).
 * Usage: bench_linux_ipc [hop|rpc|ool|names|all] [iterations]
 * Runs its own private broker (MACHGEN_BROKER_SOCKET under /tmp). With
 * MACHGEN_LINUX_SHM=0 every call goes over the socket instead of the
 * shared-memory channel, which compares the two transports. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "debug.h"

#define RUNS 3
#define WARMUP 1000

typedef struct {
	mach_msg_header_t head;
	char payload[40]; /* 64 bytes in all */
} msg64;

typedef struct {
	msg64 m;
	mach_msg_max_trailer_t t;
} rcv64;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct stats {
	double p50, mean, p99;
};

static struct stats summarize(double *v, int n)
{
	struct stats s = { 0, 0, 0 };
	for (int i = 0; i < n; i++)
		s.mean += v[i];
	s.mean /= n;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	s.p50 = v[n / 2];
	s.p99 = v[(int)(n * 0.99)];
	return s;
}

/* "Pinned" means the first CPU the benchmark was started on: run it under
 * `taskset -c N` to choose the core. */
static int g_cpu;

static void pin(pid_t pid, int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (cpu < 0) {
		for (int i = 0; i < CPU_SETSIZE && i < 64; i++)
			CPU_SET(i, &set);
	} else {
		CPU_SET(cpu, &set);
	}
	sched_setaffinity(pid, sizeof set, &set);
}

static pid_t broker_pid(void)
{
	const char *path = getenv("MACHGEN_BROKER_SOCKET");
	struct sockaddr_un sa;
	struct ucred cr;
	socklen_t cl = sizeof cr;
	pid_t pid = -1;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
		pid = cr.pid;
	close(fd);
	return pid;
}

/* ---- raw socketpair ping-pong ------------------------------------------ */

static struct stats raw_pingpong(int iters, int pinned)
{
	int sv[2];
	char buf[64];
	double *lat = malloc(sizeof(double) * (size_t)iters);
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	pid_t kid = fork();
	if (kid == 0) {
		close(sv[0]);
		if (pinned)
			pin(0, g_cpu);
		while (read(sv[1], buf, sizeof buf) == (ssize_t)sizeof buf)
			if (write(sv[1], buf, sizeof buf) != (ssize_t)sizeof buf)
				break;
		_exit(0);
	}
	close(sv[1]);
	pin(0, pinned ? g_cpu : -1);
	memset(buf, 1, sizeof buf);
	for (int i = 0; i < WARMUP + iters; i++) {
		double t0 = now_us();
		if (write(sv[0], buf, sizeof buf) != (ssize_t)sizeof buf ||
		    read(sv[0], buf, sizeof buf) != (ssize_t)sizeof buf)
			abort();
		if (i >= WARMUP)
			lat[i - WARMUP] = now_us() - t0;
	}
	close(sv[0]);
	waitpid(kid, NULL, 0);
	struct stats s = summarize(lat, iters);
	free(lat);
	return s;
}

/* ---- Mach RPC through the broker --------------------------------------- */

static void rpc_server(const char *name, int pinned)
{
	mach_port_t svc;
	union {
		rcv64 r;
		msg64 m;
	} u;
	if (pinned)
		pin(0, g_cpu);
	if (bootstrap_check_in(bootstrap_port, name, &svc) != KERN_SUCCESS)
		_exit(1);
	memset(&u, 0, sizeof u);
	if (mach_msg(&u.r.m.head, MACH_RCV_MSG, 0, sizeof u.r, svc, 0, 0) != MACH_MSG_SUCCESS)
		_exit(2);
	for (;;) {
		/* Reply and wait for the next request in one call, as MIG servers do. */
		mach_port_t reply = u.r.m.head.msgh_remote_port;
		u.m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		u.m.head.msgh_size = sizeof u.m;
		u.m.head.msgh_remote_port = reply;
		u.m.head.msgh_local_port = MACH_PORT_NULL;
		u.m.head.msgh_id += 100;
		if (mach_msg(&u.m.head, MACH_SEND_MSG | MACH_RCV_MSG, sizeof u.m, sizeof u.r, svc, 0,
		             0) != MACH_MSG_SUCCESS)
			_exit(0);
	}
}

static mach_port_t look_up(const char *name)
{
	mach_port_t p = MACH_PORT_NULL;
	for (int i = 0; i < 5000; i++) {
		if (bootstrap_look_up(bootstrap_port, name, &p) == KERN_SUCCESS)
			return p;
		usleep(1000);
	}
	fprintf(stderr, "service %s never appeared\n", name);
	exit(1);
}

static struct stats mach_rpc(int iters, int pinned, int extra_names)
{
	static int seq;
	char name[64];
	mach_port_t svc, reply;
	union {
		msg64 m;
		rcv64 r;
	} u;
	double *lat = malloc(sizeof(double) * (size_t)iters);
	mach_port_t *extra = calloc((size_t)extra_names + 1, sizeof *extra);

	snprintf(name, sizeof name, "bench.rpc.%d.%d", (int)getpid(), seq++);
	pid_t kid = fork();
	if (kid == 0)
		rpc_server(name, pinned);
	svc = look_up(name);
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply);
	for (int i = 0; i < extra_names; i++)
		mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &extra[i]);
	pin(0, pinned ? g_cpu : -1);
	pin(broker_pid(), pinned ? g_cpu : -1);
	for (int i = 0; i < WARMUP + iters; i++) {
		memset(&u.m.head, 0, sizeof u.m.head);
		u.m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		u.m.head.msgh_size = sizeof u.m;
		u.m.head.msgh_remote_port = svc;
		u.m.head.msgh_local_port = reply;
		u.m.head.msgh_id = 400;
		double t0 = now_us();
		mach_msg_return_t mr = mach_msg(&u.m.head, MACH_SEND_MSG | MACH_RCV_MSG, sizeof u.m,
		                                sizeof u.r, reply, 0, 0);
		double dt = now_us() - t0;
		if (mr != MACH_MSG_SUCCESS || u.m.head.msgh_id != 500) {
			fprintf(stderr, "rpc failed: %#x\n", mr);
			exit(1);
		}
		if (i >= WARMUP)
			lat[i - WARMUP] = dt;
	}
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	mach_port_deallocate(mach_task_self(), svc);
	mach_port_destroy(mach_task_self(), reply);
	for (int i = 0; i < extra_names; i++)
		mach_port_destroy(mach_task_self(), extra[i]);
	free(extra);
	pin(0, -1);
	struct stats s = summarize(lat, iters);
	free(lat);
	return s;
}

static struct stats median_of_runs(struct stats *r)
{
	struct stats m;
	double a[RUNS], b[RUNS], c[RUNS];
	for (int i = 0; i < RUNS; i++) {
		a[i] = r[i].p50;
		b[i] = r[i].mean;
		c[i] = r[i].p99;
	}
	qsort(a, RUNS, sizeof *a, cmp_double);
	qsort(b, RUNS, sizeof *b, cmp_double);
	qsort(c, RUNS, sizeof *c, cmp_double);
	m.p50 = a[RUNS / 2];
	m.mean = b[RUNS / 2];
	m.p99 = c[RUNS / 2];
	return m;
}

static void bench_rpc(int iters)
{
	for (int pinned = 1; pinned >= 0; pinned--) {
		struct stats raw[RUNS], rpc[RUNS];
		for (int r = 0; r < RUNS; r++) {
			raw[r] = raw_pingpong(iters, pinned);
			rpc[r] = mach_rpc(iters, pinned, 0);
		}
		struct stats a = median_of_runs(raw), b = median_of_runs(rpc);
		printf("rpc %-8s raw seqpacket p50 %6.1f us (mean %6.1f, p99 %6.1f) | mach rpc p50 %6.1f us "
		       "(mean %6.1f, p99 %6.1f) | ratio p50 %.2f mean %.2f\n",
		       pinned ? "pinned" : "unpinned", a.p50, a.mean, a.p99, b.p50, b.mean, b.p99,
		       b.p50 / a.p50, b.mean / a.mean);
	}
}

/* One client->broker->client round trip (the debug query), for reference. */
static void bench_hop(int iters)
{
	uint64_t st[5];
	double *lat = malloc(sizeof(double) * (size_t)iters);
	pin(0, g_cpu);
	machgen_linux_debug_stats(st);
	pin(broker_pid(), g_cpu);
	for (int i = 0; i < WARMUP + iters; i++) {
		double t0 = now_us();
		machgen_linux_debug_stats(st);
		if (i >= WARMUP)
			lat[i - WARMUP] = now_us() - t0;
	}
	pin(0, -1);
	pin(broker_pid(), -1);
	struct stats s = summarize(lat, iters);
	printf("hop pinned: one broker round trip p50 %.1f us (mean %.1f, p99 %.1f)\n", s.p50, s.mean,
	       s.p99);
	free(lat);
}

static void bench_names(int iters)
{
	struct stats few[RUNS], many[RUNS];
	for (int r = 0; r < RUNS; r++) {
		few[r] = mach_rpc(iters, 1, 10);
		many[r] = mach_rpc(iters, 1, 10000);
	}
	struct stats a = median_of_runs(few), b = median_of_runs(many);
	printf("names pinned: 10 names p50 %.1f us (mean %.1f) | 10,000 names p50 %.1f us (mean %.1f) | "
	       "ratio p50 %.2f mean %.2f\n",
	       a.p50, a.mean, b.p50, b.mean, b.p50 / a.p50, b.mean / a.mean);
}

/* ---- 64 MiB OOL ----------------------------------------------------------- */

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
} ool_msg;

static void bench_ool(void)
{
	const size_t size = 64u << 20;
	const int reps = 9;
	double tm[9], tc[9], tt[9];
	mach_port_t p;
	void *src = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(src, 3, size);
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
	mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND);
	for (int r = 0; r < reps; r++) {
		/* Baseline: one copy of 64 MiB into fresh memory. */
		double t0 = now_us();
		void *dst = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memcpy(dst, src, size);
		tc[r] = now_us() - t0;
		munmap(dst, size);

		/* Mach: the region comes from vm_allocate, as MIG and Darwin code do. */
		vm_address_t a = 0;
		vm_allocate(mach_task_self(), &a, size, VM_FLAGS_ANYWHERE);
		memset((void *)a, 5, size);
		ool_msg m;
		struct {
			ool_msg m;
			mach_msg_max_trailer_t t;
		} rcv;
		memset(&m, 0, sizeof m);
		m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		m.head.msgh_size = sizeof m;
		m.head.msgh_remote_port = p;
		m.body.msgh_descriptor_count = 1;
		m.ool.address = (void *)a;
		m.ool.size = (mach_msg_size_t)size;
		m.ool.copy = MACH_MSG_VIRTUAL_COPY;
		m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
		t0 = now_us();
		mach_msg_return_t smr = mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0);
		mach_msg_return_t rmr = smr ? smr : mach_msg(&rcv.m.head, MACH_RCV_MSG, 0, sizeof rcv, p, 0, 0);
		if (smr != MACH_MSG_SUCCESS || rmr != MACH_MSG_SUCCESS) {
			fprintf(stderr, "ool transfer failed: send %#x receive %#x\n", smr, rmr);
			exit(1);
		}
		tm[r] = now_us() - t0;
		/* And reading every page of what arrived. */
		volatile const unsigned char *q = rcv.m.ool.address;
		unsigned sum = 0;
		t0 = now_us();
		for (size_t i = 0; i < size; i += 4096)
			sum += q[i];
		tt[r] = now_us() - t0;
		if (sum != 5u * (unsigned)(size / 4096))
			abort();
		vm_deallocate(mach_task_self(), (vm_address_t)rcv.m.ool.address, size);
		vm_deallocate(mach_task_self(), a, size);
	}
	qsort(tm, (size_t)reps, sizeof *tm, cmp_double);
	qsort(tc, (size_t)reps, sizeof *tc, cmp_double);
	qsort(tt, (size_t)reps, sizeof *tt, cmp_double);
	printf("ool 64 MiB: memcpy into fresh memory %.2f ms | mach OOL send+receive %.2f ms | "
	       "ratio %.3f | receiver then reads 1 byte/page %.2f ms (ratio incl. that %.3f)\n",
	       tc[reps / 2] / 1e3, tm[reps / 2] / 1e3, tm[reps / 2] / tc[reps / 2], tt[reps / 2] / 1e3,
	       (tm[reps / 2] + tt[reps / 2]) / tc[reps / 2]);
	munmap(src, size);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	int iters = argc > 2 ? atoi(argv[2]) : 20000;
	char dir[] = "/tmp/mgbench-XXXXXX", sock[64] = "";
	cpu_set_t start;

	if (sched_getaffinity(0, sizeof start, &start) == 0)
		while (g_cpu < CPU_SETSIZE - 1 && !CPU_ISSET(g_cpu, &start))
			g_cpu++;

	if (!getenv("MACHGEN_BROKER_SOCKET")) {
		if (!mkdtemp(dir))
			return 1;
		snprintf(sock, sizeof sock, "%s/broker.sock", dir);
		setenv("MACHGEN_BROKER_SOCKET", sock, 1);
		setenv("MACHGEN_BROKER_IDLE", "2", 1);
	}
	if (!strcmp(what, "hop") || !strcmp(what, "all"))
		bench_hop(iters);
	if (!strcmp(what, "rpc") || !strcmp(what, "all"))
		bench_rpc(iters);
	if (!strcmp(what, "names") || !strcmp(what, "all"))
		bench_names(iters);
	if (!strcmp(what, "ool") || !strcmp(what, "all"))
		bench_ool();
	if (!strcmp(getenv("MACHGEN_BROKER_SOCKET"), sock)) {
		/* Our private broker: stop it and remove its directory. */
		char lock[80];
		pid_t b = broker_pid();
		if (b > 0)
			kill(b, SIGTERM);
		snprintf(lock, sizeof lock, "%s.lock", sock);
		unlink(lock);
		unlink(sock);
		rmdir(dir);
	}
	return 0;
}
