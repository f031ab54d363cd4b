/*
 * Kernel port notifications, received from the real Linux backend and served
 * by mach_msg_server_once through a machgen-generated server for them
 * (rth_notify.defs): the messages must have exactly the Darwin layouts the
 * generated checks expect, and the serve loop must hand them to the routines.
 */
#include "private_broker.h"
#include "rth_notifyServer.h"

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char broker_dir[64];

static void private_broker(void)
{
	cr_assert_eq(rth_broker_start(broker_dir, sizeof(broker_dir)), 0);
	alarm(60);
}

static void stop_broker(void)
{
	rth_broker_stop(broker_dir);
}

TestSuite(live_notify, .init = private_broker, .fini = stop_broker);

/* What the routines saw. */
static int calls;
static int last_id;
static mach_port_t last_notify;
static mach_port_name_t last_name;
static mach_port_mscount_t last_mscount;

kern_return_t do_mach_notify_port_deleted(mach_port_t notify, mach_port_name_t name)
{
	calls++;
	last_id = MACH_NOTIFY_PORT_DELETED;
	last_notify = notify;
	last_name = name;
	return KERN_SUCCESS;
}

kern_return_t do_mach_notify_port_destroyed(mach_port_t notify, mach_port_t rights)
{
	calls++;
	last_id = MACH_NOTIFY_PORT_DESTROYED;
	last_notify = notify;
	last_name = rights;
	return KERN_SUCCESS;
}

kern_return_t do_mach_notify_no_senders(mach_port_t notify, mach_port_mscount_t mscount)
{
	calls++;
	last_id = MACH_NOTIFY_NO_SENDERS;
	last_notify = notify;
	last_mscount = mscount;
	return KERN_SUCCESS;
}

kern_return_t do_mach_notify_send_once(mach_port_t notify)
{
	calls++;
	last_id = MACH_NOTIFY_SEND_ONCE;
	last_notify = notify;
	return KERN_SUCCESS;
}

kern_return_t do_mach_notify_dead_name(mach_port_t notify, mach_port_name_t name)
{
	calls++;
	last_id = MACH_NOTIFY_DEAD_NAME;
	last_notify = notify;
	last_name = name;
	return KERN_SUCCESS;
}

static mach_port_t new_receive_right(void)
{
	mach_port_t p = MACH_PORT_NULL;

	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	return p;
}

/* One notification, served by the generated demux; polls with a bounded wait. */
static mach_msg_return_t serve_one(mach_port_t port)
{
	mach_msg_return_t mr = MACH_RCV_TIMED_OUT;
	int i;

	for (i = 0; i < 200 && mr == MACH_RCV_TIMED_OUT; i++) {
		mr = mach_msg_server_once(rth_notify_server,
		                          (mach_msg_size_t)sizeof(union __RequestUnion__do_rth_notify_subsystem),
		                          port, MACH_RCV_TIMEOUT);
		if (mr == MACH_RCV_TIMED_OUT)
			usleep(5000);
	}
	return mr;
}

Test(live_notify, no_senders_reaches_the_generated_server)
{
	mach_port_t port = new_receive_right();
	mach_port_t notify = new_receive_right();
	mach_port_t previous = MACH_PORT_NULL;

	cr_assert_eq(mach_port_insert_right(mach_task_self(), port, port, MACH_MSG_TYPE_MAKE_SEND),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_request_notification(mach_task_self(), port, MACH_NOTIFY_NO_SENDERS, 0,
	                                            notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), port), KERN_SUCCESS);
	cr_assert_eq(serve_one(notify), MACH_MSG_SUCCESS);
	cr_assert_eq(calls, 1);
	cr_assert_eq(last_id, MACH_NOTIFY_NO_SENDERS);
	cr_assert_eq(last_notify, notify);
	cr_assert_eq(last_mscount, 1, "one send right was ever made");
}

Test(live_notify, send_once_reaches_the_generated_server)
{
	mach_port_t port = new_receive_right();
	mach_port_t so = MACH_PORT_NULL;
	mach_msg_type_name_t got = 0;

	cr_assert_eq(mach_port_extract_right(mach_task_self(), port, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so,
	                                     &got), KERN_SUCCESS);
	cr_assert_eq(got, MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_assert_eq(mach_port_deallocate(mach_task_self(), so), KERN_SUCCESS);
	cr_assert_eq(serve_one(port), MACH_MSG_SUCCESS);
	cr_assert_eq(calls, 1);
	cr_assert_eq(last_id, MACH_NOTIFY_SEND_ONCE);
	cr_assert_eq(last_notify, port);
}

Test(live_notify, port_destroyed_hands_back_the_receive_right)
{
	mach_port_t port = new_receive_right();
	mach_port_t notify = new_receive_right();
	mach_port_t previous = MACH_PORT_NULL;
	mach_port_type_t type = 0;

	cr_assert_eq(mach_port_request_notification(mach_task_self(), port, MACH_NOTIFY_PORT_DESTROYED,
	                                            0, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1),
	             KERN_SUCCESS);
	cr_assert_eq(serve_one(notify), MACH_MSG_SUCCESS);
	cr_assert_eq(calls, 1);
	cr_assert_eq(last_id, MACH_NOTIFY_PORT_DESTROYED);
	cr_assert(MACH_PORT_VALID(last_name));
	cr_assert_eq(mach_port_type(mach_task_self(), last_name, &type), KERN_SUCCESS);
	cr_assert(type & MACH_PORT_TYPE_RECEIVE, "the routine received the receive right");
}

static int child_serves_port(const char *service)
{
	mach_port_t p = MACH_PORT_NULL;

	alarm(20);
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS ||
	    mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    bootstrap_register(bootstrap_port, (char *)service, p) != KERN_SUCCESS)
		return 1;
	pause(); /* killed by the parent: its receive right dies with it */
	return 0;
}

Test(live_notify, dead_name_after_the_holder_of_the_receive_right_exits)
{
	const char *service = "org.machgen.rth.deadname";
	mach_port_t notify = new_receive_right();
	mach_port_t remote = MACH_PORT_NULL;
	mach_port_t previous = MACH_PORT_NULL;
	pid_t pid = fork();
	int i, status;

	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(child_serves_port(service));
	for (i = 0; i < 400 && bootstrap_look_up(bootstrap_port, service, &remote) != KERN_SUCCESS; i++)
		usleep(5000);
	cr_assert(MACH_PORT_VALID(remote), "service never appeared");
	cr_assert_eq(mach_port_request_notification(mach_task_self(), remote, MACH_NOTIFY_DEAD_NAME, 0,
	                                            notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous),
	             KERN_SUCCESS);
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(serve_one(notify), MACH_MSG_SUCCESS);
	cr_assert_eq(calls, 1);
	cr_assert_eq(last_id, MACH_NOTIFY_DEAD_NAME);
	cr_assert_eq(last_name, remote);
}
