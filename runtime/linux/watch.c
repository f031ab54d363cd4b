/* Readiness watches (watch.h). */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "conn.h"
#include "wire.h"

int mgl_watch_open(void)
{
	int fd = mgr_open_task_fd();
	/* non-blocking: taking an answer that has not come yet returns at once */
	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

int mgl_watch_arm(int fd, mach_port_name_t name)
{
	struct mgw_hdr h;
	struct mgw_msg m;
	struct iovec iov = { &m, sizeof m };

	memset(&h, 0, sizeof h);
	memset(&m, 0, sizeof m);
	h.op = MGW_OP_MSG;
	m.option = (uint32_t)(MACH_RCV_MSG | MACH_RCV_LARGE);
	m.rcv_size = 0;
	m.rcv_name = name;
	return mgw_send(fd, &h, &iov, 1, NULL, 0);
}

int mgl_watch_ack(int fd)
{
	/* The answer is a bare header at most; a small buffer suffices. */
	unsigned char buf[sizeof(struct mgw_hdr) + sizeof(struct mgw_msg) + 256];
	int fds[MGW_MAX_FDS];
	unsigned nfds = 0;
	size_t len = 0;

	int rc = mgw_recv(fd, buf, sizeof buf, &len, fds, &nfds);
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	if (rc == -EAGAIN || rc == -EWOULDBLOCK)
		return 0;
	if (rc)
		return rc;
	if (len < sizeof(struct mgw_hdr))
		return -EPROTO;
	return 1;
}

int mgl_watch_post(int fd, mach_port_name_t name, mach_msg_option_t option,
                   mach_msg_size_t rcv_size)
{
	struct mgw_hdr h;
	struct mgw_msg m;
	struct iovec iov = { &m, sizeof m };

	memset(&h, 0, sizeof h);
	memset(&m, 0, sizeof m);
	h.op = MGW_OP_MSG;
	m.option = (uint32_t)(option | MACH_RCV_MSG) & ~(uint32_t)(MACH_SEND_MSG | MACH_RCV_TIMEOUT);
	m.rcv_size = rcv_size;
	m.rcv_name = name;
	return mgw_send(fd, &h, &iov, 1, NULL, 0);
}

int mgl_watch_take(int fd, void *rx, mach_msg_header_t *buf, mach_msg_size_t rcv_size,
                   mach_msg_return_t *mr)
{
	int fds[MGW_MAX_FDS];
	unsigned nfds = 0;
	size_t len = 0;

	int rc = mgw_recv(fd, rx, MGL_WATCH_RX_SIZE, &len, fds, &nfds);
	if (rc == -EAGAIN || rc == -EWOULDBLOCK)
		return 0;
	if (rc) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		return rc;
	}
	*mr = mgl_watch_deliver(rx, len, fds, nfds, buf, rcv_size);
	return 1;
}

int mgl_watch_post_send(int fd, mach_port_name_t name, mach_msg_option_t option,
                        mach_msg_size_t rcv_size, const mach_msg_header_t *msg)
{
	static const unsigned char zeros[8];
	struct mgw_hdr h;
	struct mgw_msg m;
	mach_msg_size_t size = msg->msgh_size;
	struct iovec iov[3] = {
		{ &m, sizeof m },
		{ (void *)msg, size },
		{ (void *)zeros, mgw_pad8(size) - size },
	};

	memset(&h, 0, sizeof h);
	memset(&m, 0, sizeof m);
	h.op = MGW_OP_MSG;
	m.option = ((uint32_t)(option | MACH_RCV_MSG | MACH_SEND_MSG)) & ~(uint32_t)MACH_RCV_TIMEOUT;
	m.send_size = size;
	m.msg_bytes = size;
	m.rcv_size = rcv_size;
	m.rcv_name = name;
	return mgw_send(fd, &h, iov, 3, NULL, 0);
}

int mgl_watch_group(const int *fds, int n)
{
	if (n == 1)
		return fds[0];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) != 0) {
			int e = errno;
			close(ep);
			return -e;
		}
	}
	return ep;
}
