/* Broker lifecycle: auto-start, death while calls are pending, restart,
 * idle exit. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debug.h"
#include "helpers.h"

TestSuite(broker, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 30);

struct blocked {
	mach_port_t port;
	mach_msg_return_t mr;
	uint64_t ms;
};

static void *blocked_receiver(void *arg)
{
	struct blocked *b = arg;
	rt_simple_rcv r;
	uint64_t t0 = rt_now_ms();
	b->mr = rt_recv(b->port, &r, 20000, 0);
	b->ms = rt_now_ms() - t0;
	return NULL;
}

static int broker_gone(pid_t pid)
{
	char path[64], line[128];
	int gone = 1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "State:", 6))
			gone = strchr(line, 'Z') != NULL || strchr(line, 'X') != NULL;
	fclose(f);
	return gone;
}

Test(broker, death_fails_pending_calls_and_restarts)
{
	struct blocked b = { .port = rt_port_with_send() };
	pthread_t th;
	mach_port_t fresh;
	pid_t broker = rt_broker_pid();

	cr_assert_gt(broker, 0, "the first call started a broker");
	cr_assert_eq(pthread_create(&th, NULL, blocked_receiver, &b), 0);
	usleep(200 * 1000);
	cr_assert_eq(kill(broker, SIGKILL), 0);
	cr_assert_eq(pthread_join(th, NULL), 0);
	cr_assert_eq(b.mr, MACH_RCV_PORT_DIED);
	cr_assert_lt(b.ms, 5000);
	/* Wait until the kernel has closed all of the dead broker's sockets (it
	 * is gone or a zombie): a call racing with its exit may still reach it
	 * and fail, which is the documented behaviour for pending calls. */
	for (int i = 0; i < 200 && !broker_gone(broker); i++)
		usleep(10 * 1000);
	cr_assert(broker_gone(broker));
	/* Old names are gone with the broker; a new broker serves new calls. */
	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &fresh),
	             KERN_SUCCESS);
	pid_t again = rt_broker_pid();
	cr_assert_gt(again, 0);
	cr_assert_neq(again, broker);
}

static int child_touches_broker(void *arg)
{
	mach_port_t p;
	(void)arg;
	return mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) ? 1 : 0;
}

Test(broker, exits_when_idle)
{
	/* This process never talks to the broker; only a short-lived child does. */
	pid_t kid = rt_fork(child_touches_broker, NULL);
	cr_assert_eq(rt_wait(kid, 10000), 0);
	pid_t broker = rt_broker_pid();
	cr_assert_gt(broker, 0);
	uint64_t t0 = rt_now_ms();
	while (kill(broker, 0) == 0 && rt_now_ms() - t0 < 8000)
		usleep(50 * 1000);
	cr_assert_eq(kill(broker, 0), -1, "idle broker (MACHGEN_BROKER_IDLE=2) exited");
}

static void *racer(void *arg)
{
	mach_port_t p;
	*(kern_return_t *)arg = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
	return NULL;
}

Test(broker, concurrent_first_use_starts_one_broker)
{
	pthread_t th[4];
	kern_return_t kr[4];
	uint64_t st[5];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, racer, &kr[i]);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(kr[i], KERN_SUCCESS);
	}
	cr_assert_eq(machgen_linux_debug_stats(st), 0);
	cr_assert_eq(st[MACHGEN_STAT_TASKS], 1, "all threads joined one task in one broker");
}

static int child_as_nobody(void *arg)
{
	mach_port_t p;
	(void)arg;
	if (setgid(65534) != 0 || setuid(65534) != 0)
		return 10;
	/* The socket is reachable (see below), yet the broker refuses us. */
	return mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) ==
	               MACH_SEND_INVALID_DEST ? 0 : 11;
}

Test(broker, other_users_are_refused)
{
	char dir[128];
	mach_port_t p;
	uint64_t st[5];

	if (geteuid() != 0)
		cr_skip_test("needs root to act as another user");
	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	/* Open the private directory and socket up, so only the broker's own
	 * SO_PEERCRED check stands between another user and the broker. */
	strncpy(dir, getenv("MACHGEN_BROKER_SOCKET"), sizeof dir - 1);
	dir[sizeof dir - 1] = 0;
	cr_assert_eq(chmod(getenv("MACHGEN_BROKER_SOCKET"), 0777), 0);
	cr_assert_eq(chmod(dirname(dir), 0755), 0);
	pid_t kid = rt_fork(child_as_nobody, NULL);
	int rc = rt_wait(kid, 10000);
	chmod(dir, 0700);
	cr_assert_eq(rc, 0);
	cr_assert_eq(machgen_linux_debug_stats(st), 0);
	cr_assert_eq(st[MACHGEN_STAT_TASKS], 1, "no task was created for the other user");
}

Test(broker, exits_when_its_socket_is_removed)
{
	char path[128];
	pid_t kid = rt_fork(child_touches_broker, NULL);
	cr_assert_eq(rt_wait(kid, 10000), 0);
	pid_t broker = rt_broker_pid();
	cr_assert_gt(broker, 0);
	/* Whoever made the private directory removes it without stopping us. */
	snprintf(path, sizeof path, "%s.lock", getenv("MACHGEN_BROKER_SOCKET"));
	unlink(path);
	unlink(getenv("MACHGEN_BROKER_SOCKET"));
	uint64_t t0 = rt_now_ms();
	while (kill(broker, 0) == 0 && rt_now_ms() - t0 < 8000)
		usleep(50 * 1000);
	cr_assert_eq(kill(broker, 0), -1, "an unreachable idle broker exits");
}
