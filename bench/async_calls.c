/* Async vs sync throughput of a trivial routine through the Linux backend:
 * N calls of ab_ping with 64 in flight (generated async stubs, one thread, a
 * poll() loop on the machgen_async_t fd) against N sequential synchronous
 * calls, in the same run against the same server process. Prints each run
 * and the median ratio.
 * Usage: bench_async_calls [calls] [in-flight] [both|sync|async]
 * Runs its own private broker (MACHGEN_BROKER_SOCKET under /tmp). */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "debug.h"
#include "async_bench.h"
#include "async_benchAsync.h"
#include "async_benchServer.h"
#include <servers/bootstrap.h>

#define RUNS 5

kern_return_t srv_ab_ping(mach_port_t server, int32_t x, int32_t *y)
{
	(void)server;
	*y = x + 1;
	return KERN_SUCCESS;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct run {
	machgen_async_t *async;
	mach_port_t server;
	int total, started, done, errors;
};

static void on_ping(void *ctx, kern_return_t status, int32_t y);

static void start_one(struct run *r)
{
	int32_t x = r->started++;
	if (ab_ping_async(r->async, r->server, x, 0, on_ping, r, NULL) != KERN_SUCCESS)
		r->errors++, r->done++;
}

static void on_ping(void *ctx, kern_return_t status, int32_t y)
{
	struct run *r = ctx;
	(void)y;
	r->done++;
	if (status != KERN_SUCCESS)
		r->errors++;
	if (r->started < r->total)
		start_one(r);
}

static double run_async(mach_port_t server, int calls, int inflight, int *errors)
{
	struct run r = { .server = server, .total = calls };
	if (machgen_async_create(&r.async) != KERN_SUCCESS)
		return -1;
	double t0 = now_s();
	for (int i = 0; i < inflight && r.started < calls; i++)
		start_one(&r);
	while (r.done < calls) {
		struct pollfd p = { .fd = machgen_async_fd(r.async), .events = POLLIN };
		if (poll(&p, 1, 5000) <= 0) {
			fprintf(stderr, "bench: async run stalled at %d/%d\n", r.done, calls);
			break;
		}
		machgen_async_dispatch(r.async);
	}
	double t = now_s() - t0;
	machgen_async_destroy(r.async);
	*errors = r.errors + (calls - r.done);
	return t;
}

static double run_sync(mach_port_t server, int calls, int *errors)
{
	double t0 = now_s();
	for (int i = 0; i < calls; i++) {
		int32_t y = 0;
		if (ab_ping(server, i, &y) != KERN_SUCCESS || y != i + 1)
			++*errors;
	}
	return now_s() - t0;
}

/* CPU seconds (user + system) a process used so far, from /proc. */
static double cpu_of(pid_t pid)
{
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(line, 1, sizeof line - 1, f);
	fclose(f);
	line[n] = 0;
	const char *p = strrchr(line, ')'); /* the command name may hold spaces */
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

struct cpu {
	double client, server, broker;
};

static struct cpu cpu_now(pid_t server, pid_t broker)
{
	return (struct cpu){ self_cpu(), cpu_of(server), cpu_of(broker) };
}

static pid_t broker_pid(void)
{
	struct sockaddr_un sa;
	struct ucred cr;
	socklen_t cl = sizeof cr;
	pid_t pid = -1;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", getenv("MACHGEN_BROKER_SOCKET"));
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
		pid = cr.pid;
	close(fd);
	return pid;
}

int main(int argc, char **argv)
{
	int calls = argc > 1 ? atoi(argv[1]) : 10000;
	int inflight = argc > 2 ? atoi(argv[2]) : 64;
	const char *mode = argc > 3 ? argv[3] : "both";
	int do_sync = strcmp(mode, "async") != 0, do_async = strcmp(mode, "sync") != 0;
	char dir[] = "/tmp/mgabench-XXXXXX", sock[64] = "", name[64];
	int own_broker = !getenv("MACHGEN_BROKER_SOCKET");

	if (own_broker) {
		if (!mkdtemp(dir))
			return 1;
		snprintf(sock, sizeof sock, "%s/broker.sock", dir);
		setenv("MACHGEN_BROKER_SOCKET", sock, 1);
		setenv("MACHGEN_BROKER_IDLE", "2", 1);
	}
	snprintf(name, sizeof name, "bench.async.%d", (int)getpid());
	pid_t pid = fork();
	if (pid == 0) {
		mach_port_t svc;
		alarm(300);
		if (bootstrap_check_in(bootstrap_port, name, &svc) != KERN_SUCCESS)
			_exit(1);
		(void)mach_msg_server(async_bench_server, srv_async_bench_subsystem.maxsize, svc, 0);
		_exit(0);
	}
	mach_port_t server = MACH_PORT_NULL;
	for (int i = 0; i < 400 && bootstrap_look_up(bootstrap_port, name, &server) != KERN_SUCCESS; i++)
		usleep(10000);
	int errors = 0;
	if (server == MACH_PORT_NULL) {
		fprintf(stderr, "bench: server did not start\n");
		errors = 1;
		goto out;
	}
	(void)run_sync(server, 1000, &errors); /* warm up both paths */
	(void)run_async(server, 1000, inflight, &errors);
	errors = 0;
	double ts[RUNS], ta[RUNS], ratio[RUNS];
	pid_t bpid = broker_pid();
	struct cpu cs = {0, 0, 0}, ca = {0, 0, 0};
	uint64_t batch0[3] = {0, 0, 0}, batch1[3] = {0, 0, 0};
	(void)machgen_linux_debug_batch_stats(batch0);
	printf("bench_async_calls: %d calls of a trivial routine, %d in flight, %d runs\n", calls,
	       inflight, RUNS);
	for (int r = 0; r < RUNS; r++) {
		struct cpu c0 = cpu_now(pid, bpid);
		ts[r] = do_sync ? run_sync(server, calls, &errors) : 1;
		struct cpu c1 = cpu_now(pid, bpid);
		ta[r] = do_async ? run_async(server, calls, inflight, &errors) : 1;
		struct cpu c2 = cpu_now(pid, bpid);
		cs.client += c1.client - c0.client, ca.client += c2.client - c1.client;
		cs.server += c1.server - c0.server, ca.server += c2.server - c1.server;
		cs.broker += c1.broker - c0.broker, ca.broker += c2.broker - c1.broker;
		ratio[r] = ts[r] / ta[r];
		printf("  run %d: sync %.3f s (%.0f calls/s)  async %.3f s (%.0f calls/s)  ratio %.2f\n",
		       r + 1, ts[r], calls / ts[r], ta[r], calls / ta[r], ratio[r]);
	}
	(void)machgen_linux_debug_batch_stats(batch1);
	qsort(ratio, RUNS, sizeof ratio[0], cmp_double);
	qsort(ts, RUNS, sizeof ts[0], cmp_double);
	qsort(ta, RUNS, sizeof ta[0], cmp_double);
	printf("median: sync %.0f calls/s, async %.0f calls/s, throughput ratio %.2f (target >= 2.0)%s\n",
	       calls / ts[RUNS / 2], calls / ta[RUNS / 2], ratio[RUNS / 2],
	       errors ? "  ERRORS" : "");
	double k = 1e6 / ((double)calls * RUNS); /* CPU us per call */
	printf("CPU per call (us): sync client %.1f server %.1f broker %.1f | async client %.1f "
	       "server %.1f broker %.1f\n", cs.client * k, cs.server * k, cs.broker * k,
	       ca.client * k, ca.server * k, ca.broker * k);
	if (batch1[0] > batch0[0]) {
		double na = (double)(batch1[0] - batch0[0]);
		printf("async watch: %.0f broker answers, %.2f replies and %.2f requests per answer\n",
		       na, (double)(batch1[1] - batch0[1]) / na, (double)(batch1[2] - batch0[2]) / na);
	}
	{
		double l1 = 0;
		FILE *f = fopen("/proc/loadavg", "r");
		if (f && fscanf(f, "%lf", &l1) == 1)
			printf("load average during the run: %.2f (2 cores shared with other work)\n", l1);
		if (f)
			fclose(f);
	}
	if (errors)
		fprintf(stderr, "bench: %d failed calls\n", errors);
out:
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (own_broker) {
		char lock[80];
		pid_t b = broker_pid();
		if (b > 0)
			kill(b, SIGTERM);
		snprintf(lock, sizeof lock, "%s.lock", sock);
		unlink(lock);
		unlink(sock);
		rmdir(dir);
	}
	return errors ? 1 : 0;
}
