/* Readiness watches (watch.h). */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

/* Layout of the scratch buffer of the batched watch (MGL_WATCH_RX_SIZE). */
struct watch_rx {
	size_t len;                     /* answer frame bytes in frame[] */
	size_t off;                     /* next record */
	uint32_t nsend, send_i;         /* send results, next one */
	uint32_t nrec, rec_i;           /* receive records, next one */
	int fds[MGW_MAX_FDS];
	unsigned nfds, fdi;
	unsigned char tx[MGW_MANY_SENDS * (sizeof(struct mgw_msg) + MGL_WATCH_SEND_MAX)];
	unsigned char frame[MGW_MAX_FRAME + 16384];
};
_Static_assert(sizeof(struct watch_rx) <= MGL_WATCH_RX_SIZE, "MGL_WATCH_RX_SIZE too small");

int mgl_watch_post_many(int fd, void *rx, mach_port_name_t name, mach_msg_option_t option,
                        mach_msg_size_t rcv_size, unsigned max_msgs,
                        const mach_msg_header_t *const *sends, unsigned nsends)
{
	struct watch_rx *x = rx;
	struct mgw_hdr h;
	struct mgw_msg m;
	size_t off = 0;

	if (nsends > MGW_MANY_SENDS || max_msgs < 1 || max_msgs > MGW_MANY_RECEIVES)
		return -EINVAL;
	for (unsigned i = 0; i < nsends; i++) {
		mach_msg_size_t size = sends[i]->msgh_size;
		if (size > MGL_WATCH_SEND_MAX || size < sizeof(mach_msg_header_t) ||
		    MACH_MSGH_BITS_IS_COMPLEX(sends[i]->msgh_bits))
			return -EINVAL;
		memset(&m, 0, sizeof m);
		m.option = (uint32_t)MACH_SEND_MSG;
		m.send_size = size;
		m.msg_bytes = size;
		memcpy(x->tx + off, &m, sizeof m);
		off += sizeof m;
		memcpy(x->tx + off, sends[i], size);
		memset(x->tx + off + size, 0, mgw_pad8(size) - size);
		off += mgw_pad8(size);
	}
	memset(&m, 0, sizeof m);
	m.option = (uint32_t)(option | MACH_RCV_MSG) & ~(uint32_t)(MACH_SEND_MSG | MACH_RCV_TIMEOUT);
	m.rcv_size = rcv_size;
	m.rcv_name = name;
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_MSG_MANY;
	h.arg[0] = max_msgs;
	h.arg[1] = nsends;
	struct iovec iov[2] = { { x->tx, off }, { &m, sizeof m } };
	return mgw_send(fd, &h, iov, 2, NULL, 0);
}

static void close_rest(struct watch_rx *x)
{
	for (unsigned i = x->fdi; i < x->nfds; i++)
		close(x->fds[i]);
	x->fdi = x->nfds;
}

int mgl_watch_take_many(int fd, void *rx)
{
	struct watch_rx *x = rx;
	struct mgw_hdr h;

	x->nsend = x->nrec = x->send_i = x->rec_i = 0;
	x->nfds = x->fdi = 0;
	int rc = mgw_recv(fd, x->frame, sizeof x->frame, &x->len, x->fds, &x->nfds);
	if (rc == -EAGAIN || rc == -EWOULDBLOCK)
		return 0;
	if (rc) {
		close_rest(x);
		return rc;
	}
	if (x->len < sizeof h) {
		close_rest(x);
		return -EPROTO;
	}
	memcpy(&h, x->frame, sizeof h);
	x->off = sizeof h + mgw_pad8((size_t)h.arg[0] * sizeof(int32_t));
	if (h.op != MGW_OP_MSG_MANY || h.arg[0] > MGW_MANY_SENDS ||
	    h.arg[1] > MGW_MANY_RECEIVES || x->off > x->len) {
		close_rest(x);
		return -EPROTO;
	}
	x->nsend = (uint32_t)h.arg[0];
	x->nrec = (uint32_t)h.arg[1];
	return 1;
}

int mgl_watch_next_send(void *rx, mach_msg_return_t *mr)
{
	struct watch_rx *x = rx;
	int32_t st;
	if (x->send_i >= x->nsend)
		return 0;
	memcpy(&st, x->frame + sizeof(struct mgw_hdr) + x->send_i++ * sizeof st, sizeof st);
	*mr = st;
	return 1;
}

int mgl_watch_next_msg(void *rx, mach_msg_header_t *buf, mach_msg_size_t rcv_size,
                       mach_msg_return_t *mr)
{
	struct watch_rx *x = rx;
	struct mgw_many_rec rec;

	x->send_i = x->nsend; /* results not asked for are dropped */
	if (x->rec_i >= x->nrec || x->len - x->off < sizeof rec) {
		x->rec_i = x->nrec;
		close_rest(x);
		return 0;
	}
	memcpy(&rec, x->frame + x->off, sizeof rec);
	x->off += sizeof rec;
	x->rec_i++;
	if (rec.len > x->len - x->off || rec.nfds > x->nfds - x->fdi) {
		/* a broken answer: nothing more is read from it */
		x->rec_i = x->nrec;
		close_rest(x);
		*mr = MACH_RCV_INVALID_DATA;
		return 1;
	}
	*mr = mgl_watch_deliver(x->frame + x->off, rec.len, x->fds + x->fdi, rec.nfds, buf,
	                        rcv_size);
	x->fdi += rec.nfds; /* deliver took them (mapped or closed) */
	x->off += mgw_pad8(rec.len) <= x->len - x->off ? mgw_pad8(rec.len) : x->len - x->off;
	return 1;
}
