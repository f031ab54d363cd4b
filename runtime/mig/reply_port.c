/*
 * Per-thread MIG reply port. Each thread owns at most one reply receive right,
 * created on first use and reused by every later RPC of that thread, so an RPC
 * costs no port allocation. It is destroyed when the thread exits, and
 * forgotten in a fork child (whose IPC space starts empty).
 */
#include "platform.h"

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

#include <pthread.h>
#include <stdint.h>

static _Thread_local mach_port_t tls_reply_port = MACH_PORT_NULL;

/* Only used for its destructor, which runs at thread exit. */
static pthread_key_t reply_port_key;
static pthread_once_t reply_port_once = PTHREAD_ONCE_INIT;
static int reply_port_key_ok;

static void destroy_reply_right(mach_port_t port)
{
	(void)mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
}

static void reply_port_thread_exit(void *value)
{
	mach_port_t port = (mach_port_t)(uintptr_t)value;

	if (MACH_PORT_VALID(port) && port == tls_reply_port)
		destroy_reply_right(port);
	tls_reply_port = MACH_PORT_NULL;
}

/* The child has a fresh IPC space: the cached name means nothing there. */
static void reply_port_after_fork_child(void)
{
	tls_reply_port = MACH_PORT_NULL;
	if (reply_port_key_ok)
		(void)pthread_setspecific(reply_port_key, NULL);
}

static void reply_port_init(void)
{
	reply_port_key_ok = pthread_key_create(&reply_port_key, reply_port_thread_exit) == 0;
	(void)pthread_atfork(NULL, NULL, reply_port_after_fork_child);
}

static void remember(mach_port_t port)
{
	tls_reply_port = port;
	if (reply_port_key_ok)
		(void)pthread_setspecific(reply_port_key, (void *)(uintptr_t)port);
}

mach_port_t mig_get_reply_port(void)
{
	mach_port_t port = tls_reply_port;

	if (port != MACH_PORT_NULL)
		return port;
	(void)pthread_once(&reply_port_once, reply_port_init);
	port = mach_reply_port();
	if (MACH_PORT_VALID(port))
		remember(port);
	else
		port = MACH_PORT_NULL;
	return port;
}

/*
 * Called after a failed RPC whose reply might still arrive later: destroying
 * the port guarantees a stale reply is never taken for the next RPC's answer.
 */
void mig_dealloc_reply_port(mach_port_t reply_port)
{
	mach_port_t port = tls_reply_port;

	(void)reply_port;
	if (port == MACH_PORT_NULL)
		return;
	remember(MACH_PORT_NULL);
	destroy_reply_right(port);
}

/* The port stays cached for the next RPC. */
void mig_put_reply_port(mach_port_t reply_port)
{
	(void)reply_port;
}

#endif
