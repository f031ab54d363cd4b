/* Server-side readiness handle (machgen_port_watch_*, machgen/async.h). */
#include <machgen/async.h>

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "async_platform.h"

struct machgen_port_watch {
	const struct machgen_async_watch_ops *ops;
	mach_port_t name;
	int fd;
	bool armed;
};

kern_return_t machgen_port_watch_create(mach_port_t port_or_set, machgen_port_watch_t **out)
{
	machgen_port_watch_t *w = calloc(1, sizeof *w);
	*out = NULL;
	if (!w)
		return KERN_RESOURCE_SHORTAGE;
	w->name = port_or_set;
	w->fd = -1;
	w->ops = machgen_async_watch_ops();
	if (w->ops) {
		w->fd = w->ops->open();
		if (w->fd < 0) {
			free(w);
			return KERN_FAILURE;
		}
		if (w->ops->arm_peek(w->fd, port_or_set) != 0) {
			close(w->fd);
			free(w);
			return KERN_FAILURE;
		}
		w->armed = true;
	}
	*out = w;
	return KERN_SUCCESS;
}

void machgen_port_watch_destroy(machgen_port_watch_t *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

int machgen_port_watch_fd(machgen_port_watch_t *w) { return w->fd; }

static void take_readiness(machgen_port_watch_t *w)
{
	if (w->fd >= 0 && w->armed && w->ops->ack_peek(w->fd) == 1)
		w->armed = false;
}

static void arm(machgen_port_watch_t *w)
{
	if (w->fd >= 0 && !w->armed && w->ops->arm_peek(w->fd, w->name) == 0)
		w->armed = true;
}

void machgen_port_watch_rearm(machgen_port_watch_t *w)
{
	take_readiness(w);
	arm(w);
}

int machgen_port_watch_wait(machgen_port_watch_t *w, int timeout_ms)
{
	if (w->fd < 0)
		return mga_wait_queued(w->name, timeout_ms);
	arm(w);
	return mga_wait_fd(w->fd, timeout_ms);
}

int machgen_port_watch_serve(machgen_port_watch_t *w,
                             boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
                             mach_msg_size_t max_size)
{
	int n = 0;
	take_readiness(w);
	for (;;) {
		/* MACH_RCV_TIMEOUT with timeout 0: take what is queued, never wait */
		mach_msg_return_t mr =
			mach_msg_server_once(demux, max_size, w->name, MACH_RCV_TIMEOUT | MACH_RCV_LARGE);
		if (mr == MACH_RCV_TIMED_OUT)
			break;
		/* a receive error (MACH_RCV_*) ends the loop; a failed reply send
		 * does not */
		if (((unsigned)mr & ~0xfffu) == ((unsigned)MACH_RCV_IN_PROGRESS & ~0xfffu)) {
			arm(w);
			return n ? n : -1;
		}
		n++;
	}
	arm(w);
	return n;
}
