/*
 * Per-thread MIG reply ports. Each thread owns at most one reply receive right
 * (and one "special" reply port for stubs generated with UseSpecialReplyPort),
 * created on first use and reused by every later RPC of that thread, so an RPC
 * costs no port allocation. They are destroyed when the thread exits and
 * forgotten in a fork child (whose IPC space starts empty).
 */
#include "platform.h"

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

#include <mach/mach_sync_ipc.h>
#include <pthread.h>
#include <stdint.h>

static _Thread_local mach_port_t tls_reply_port = MACH_PORT_NULL;
static _Thread_local mach_port_t tls_special_reply_port = MACH_PORT_NULL;

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
	(void)value;
	if (MACH_PORT_VALID(tls_reply_port))
		destroy_reply_right(tls_reply_port);
	if (MACH_PORT_VALID(tls_special_reply_port))
		destroy_reply_right(tls_special_reply_port);
	tls_reply_port = MACH_PORT_NULL;
	tls_special_reply_port = MACH_PORT_NULL;
}

/* The child has a fresh IPC space: the cached names mean nothing there. */
static void reply_port_after_fork_child(void)
{
	tls_reply_port = MACH_PORT_NULL;
	tls_special_reply_port = MACH_PORT_NULL;
	if (reply_port_key_ok)
		(void)pthread_setspecific(reply_port_key, NULL);
}

static void reply_port_init(void)
{
	reply_port_key_ok = pthread_key_create(&reply_port_key, reply_port_thread_exit) == 0;
	(void)pthread_atfork(NULL, NULL, reply_port_after_fork_child);
}

/* Arms the thread-exit destructor while this thread caches a port. */
static void update_exit_hook(void)
{
	int cached = tls_reply_port != MACH_PORT_NULL || tls_special_reply_port != MACH_PORT_NULL;

	if (reply_port_key_ok)
		(void)pthread_setspecific(reply_port_key, cached ? (void *)&tls_reply_port : NULL);
}

static mach_port_t get_cached(mach_port_t *slot)
{
	mach_port_t port = *slot;

	if (port != MACH_PORT_NULL)
		return port;
	(void)pthread_once(&reply_port_once, reply_port_init);
	port = mach_reply_port();
	if (!MACH_PORT_VALID(port))
		return MACH_PORT_NULL;
	*slot = port;
	update_exit_hook();
	return port;
}

mach_port_t mig_get_reply_port(void)
{
	return get_cached(&tls_reply_port);
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
	tls_reply_port = MACH_PORT_NULL;
	update_exit_hook();
	destroy_reply_right(port);
}

/* The port stays cached for the next RPC. */
void mig_put_reply_port(mach_port_t reply_port)
{
	(void)reply_port;
}

/*
 * The special reply port exists on Darwin for priority inheritance in
 * synchronous IPC; here it is simply a second per-thread reply port.
 */
mach_port_t mig_get_special_reply_port(void)
{
	return get_cached(&tls_special_reply_port);
}

/* As on Darwin, a different port passed in is released as well. */
void mig_dealloc_special_reply_port(mach_port_t migport)
{
	mach_port_t port = tls_special_reply_port;

	if (!MACH_PORT_VALID(port))
		return;
	tls_special_reply_port = MACH_PORT_NULL;
	update_exit_hook();
	destroy_reply_right(port);
	if (migport != port && MACH_PORT_VALID(migport))
		(void)mach_port_deallocate(mach_task_self(), migport);
}

#endif
