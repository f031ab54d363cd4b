/* Blocking waits of the async objects (machgen_async_wait,
 * machgen_port_watch_wait): on the backend's fd, or on the port itself. */
#include <errno.h>
#include <poll.h>

#include "async_platform.h"

int mga_wait_fd(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	return n > 0;
}

/* As kqueue's EVFILT_MACHPORT: a receive too small for any message (a header
 * and no room for its trailer), which MACH_RCV_LARGE leaves queued. */
int mga_wait_queued(mach_port_t name, int timeout_ms)
{
	mach_msg_header_t peek;
	mach_msg_return_t mr = mach_msg(&peek, MACH_RCV_MSG | MACH_RCV_LARGE |
	                                           (timeout_ms >= 0 ? MACH_RCV_TIMEOUT : 0),
	                                0, sizeof peek, name,
	                                timeout_ms >= 0 ? (mach_msg_timeout_t)timeout_ms
	                                                : MACH_MSG_TIMEOUT_NONE,
	                                MACH_PORT_NULL);
	switch (mr) {
	case MACH_RCV_TOO_LARGE: return 1;
	case MACH_RCV_TIMED_OUT:
	case MACH_RCV_INTERRUPTED: return 0;
	/* the port (or set) is gone or changed: the caller's next receive says so */
	case MACH_RCV_INVALID_NAME:
	case MACH_RCV_PORT_DIED:
	case MACH_RCV_PORT_CHANGED: return 1;
	default: return -1;
	}
}
