/* Per-thread reply port: cached per thread, destroyed on dealloc and at thread exit. */
#include "fake_backend.h"

#include <mach/mach_sync_ipc.h>

#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#define ANY ~0u

static void setup(void) { fake_reset(); }

TestSuite(reply_port, .init = setup);

Test(reply_port, same_port_for_every_rpc_of_a_thread)
{
	mach_port_t a = mig_get_reply_port();
	mach_port_t b;

	cr_assert(MACH_PORT_VALID(a));
	mig_put_reply_port(a);
	b = mig_get_reply_port();
	cr_assert_eq(a, b);
	cr_assert_eq(fake_count(FAKE_REPLY_PORT, ANY), 1, "only one port allocated");
}

Test(reply_port, dealloc_destroys_the_receive_right_and_a_new_one_follows)
{
	mach_port_t a = mig_get_reply_port();
	mach_port_t b;

	mig_dealloc_reply_port(a);
	cr_assert_eq(fake_count(FAKE_MOD_REFS, a), 1);
	cr_assert_eq(fake_call_at(1)->a, MACH_PORT_RIGHT_RECEIVE);
	cr_assert_eq((int64_t)fake_call_at(1)->b, -1);
	b = mig_get_reply_port();
	cr_assert_neq(a, b, "a destroyed port is never handed out again");
	cr_assert_eq(fake_count(FAKE_REPLY_PORT, ANY), 2);
	mig_dealloc_reply_port(b);
	mig_dealloc_reply_port(b); /* second call: nothing cached, nothing destroyed */
	cr_assert_eq(fake_count(FAKE_MOD_REFS, ANY), 2);
}

static void *thread_body(void *arg)
{
	mach_port_t *out = arg;

	out[0] = mig_get_reply_port();
	out[1] = mig_get_reply_port();
	return NULL;
}

Test(reply_port, threads_get_distinct_ports_destroyed_at_exit)
{
	mach_port_t mine = mig_get_reply_port();
	mach_port_t theirs[2];
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, thread_body, theirs), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(theirs[0], theirs[1]);
	cr_assert_neq(theirs[0], mine);
	cr_assert_eq(fake_count(FAKE_MOD_REFS, theirs[0]), 1, "thread exit destroys its reply port");
	cr_assert_eq(fake_count(FAKE_MOD_REFS, mine), 0, "other threads keep theirs");
	cr_assert_eq(mig_get_reply_port(), mine);
}

Test(reply_port, fork_child_does_not_reuse_the_parent_name)
{
	mach_port_t parent = mig_get_reply_port();
	int fds[2];
	pid_t pid;
	mach_port_t child_port = MACH_PORT_NULL;
	int status;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		mach_port_t p = mig_get_reply_port();

		alarm(10);
		_exit(write(fds[1], &p, sizeof(p)) == (ssize_t)sizeof(p) ? 0 : 1);
	}
	close(fds[1]);
	alarm(10);
	cr_assert_eq(read(fds[0], &child_port, sizeof(child_port)), (ssize_t)sizeof(child_port));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert(MACH_PORT_VALID(child_port));
	cr_assert_neq(child_port, parent, "the child allocated its own reply port");
}

Test(reply_port, special_reply_port_is_a_separate_cached_port)
{
	mach_port_t normal = mig_get_reply_port();
	mach_port_t special = mig_get_special_reply_port();

	cr_assert(MACH_PORT_VALID(special));
	cr_assert_neq(special, normal);
	cr_assert_eq(mig_get_special_reply_port(), special);
	cr_assert_eq(fake_count(FAKE_REPLY_PORT, ANY), 2);

	mig_dealloc_special_reply_port(0x4444);
	cr_assert_eq(fake_count(FAKE_MOD_REFS, special), 1, "special port destroyed");
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x4444), 1, "a different port passed in is released");
	cr_assert_eq(fake_count(FAKE_MOD_REFS, normal), 0, "the ordinary reply port stays");
	cr_assert_eq(mig_get_reply_port(), normal);
	cr_assert_neq(mig_get_special_reply_port(), special);
}

static void *thread_both_ports(void *arg)
{
	mach_port_t *out = arg;

	out[0] = mig_get_reply_port();
	out[1] = mig_get_special_reply_port();
	return NULL;
}

Test(reply_port, thread_exit_destroys_both_ports)
{
	mach_port_t ports[2];
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, thread_both_ports, ports), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(fake_count(FAKE_MOD_REFS, ports[0]), 1);
	cr_assert_eq(fake_count(FAKE_MOD_REFS, ports[1]), 1);
}
