/* mach_msg on the Linux backend: one broker round trip per call, whether it
 * sends, receives or both. Inline bytes travel in the frame; each OOL region
 * travels inline (small), as its own memfd (large regions from vm_allocate,
 * without copying) or copied into a fresh memfd (large, other memory). */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mach/mach.h>

#include "conn.h"
#include "debug.h"
#include "vm.h"
#include "watch.h"
#include "async/async_platform.h"

/* OOL regions up to this size are copied into the frame. */
#define OOL_INLINE_MAX ((size_t)64 * 1024)
/* Room kept for the header, trailer and OOL table in any frame. */
#define FRAME_SLACK ((size_t)8192)
#define MAX_OOL MGW_MAX_OOL

static int is_send_error(mach_msg_return_t mr)
{
	return mr != MACH_MSG_SUCCESS && ((unsigned)mr & ~0x3e00u & 0xffffc000u) == 0x10000000u;
}

/* A fresh memfd holding a copy of size bytes at src, or -1. */
static int copy_to_memfd(const void *src, size_t size)
{
	int fd = memfd_create("machgen-ool", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	const unsigned char *p = src;
	size_t done = 0;
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)mgv_page_round(size)) != 0)
		goto fail;
	while (done < size) {
		ssize_t n = pwrite(fd, p + done, size - done, (off_t)done);
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK);
	return fd;
fail:
	close(fd);
	return -1;
}

struct ool_plan {
	struct mgw_ool tab[MAX_OOL];
	const void *src[MAX_OOL];       /* inline bytes */
	uintptr_t dealloc_addr[MAX_OOL];
	size_t dealloc_size[MAX_OOL];
	unsigned n;
	int fds[MGW_MAX_FDS];
	unsigned nfds;
	size_t blob_bytes;
};

static void close_plan_fds(struct ool_plan *pl)
{
	for (unsigned i = 0; i < pl->nfds; i++)
		close(pl->fds[i]);
	pl->nfds = 0;
}

/* Decides how each OOL region travels. Returns MACH_MSG_SUCCESS or an error. */
static mach_msg_return_t plan_ool(const unsigned char *msg, mach_msg_size_t size,
                                  struct ool_plan *pl)
{
	uint32_t nd = mgw_desc_count(msg, size);
	size_t dpos = MGW_DESC_OFFSET;
	size_t budget = mgr_frame_limit() - FRAME_SLACK - size;

	pl->n = pl->nfds = 0;
	pl->blob_bytes = 0;
	for (uint32_t i = 0; i < nd && dpos + 12 <= size; i++) {
		const unsigned char *d = msg + dpos;
		unsigned t = mgw_desc_type(d);
		if (t > MACH_MSG_GUARDED_PORT_DESCRIPTOR || dpos + mgw_desc_size(t) > size)
			break; /* the broker's core rejects it */
		dpos += mgw_desc_size(t);
		if (!mgw_desc_is_ool(t) && !mgw_desc_is_ool_ports(t))
			continue;
		if (pl->n == MAX_OOL)
			return MACH_SEND_TOO_LARGE;
		struct mgw_ool *e = &pl->tab[pl->n];
		memset(e, 0, sizeof *e);
		pl->src[pl->n] = NULL;
		pl->dealloc_addr[pl->n] = 0;
		if (mgw_desc_is_ool_ports(t)) {
			mach_msg_ool_ports_descriptor_t pd;
			memcpy(&pd, d, sizeof pd);
			e->size = (uint64_t)pd.count * sizeof(mach_port_name_t);
			if (pd.count && !pd.address)
				return MACH_SEND_INVALID_MEMORY;
			if (e->size > budget)
				return MACH_SEND_TOO_LARGE;
			e->kind = pd.count ? MGW_OOL_INLINE : MGW_OOL_NONE;
			pl->src[pl->n] = pd.address;
			budget -= mgw_pad8(e->size);
			pl->blob_bytes += mgw_pad8(e->size);
			if (pd.deallocate && pd.count) {
				pl->dealloc_addr[pl->n] = (uintptr_t)pd.address;
				pl->dealloc_size[pl->n] = e->size;
			}
			pl->n++;
			continue;
		}
		mach_msg_ool_descriptor_t od;
		memcpy(&od, d, sizeof od);
		e->size = od.size;
		if (od.size == 0 || !od.address) {
			e->kind = MGW_OOL_NONE;
			e->size = 0;
			pl->n++;
			continue;
		}
		if (od.deallocate) {
			pl->dealloc_addr[pl->n] = (uintptr_t)od.address;
			pl->dealloc_size[pl->n] = od.size;
		}
		if (pl->nfds < MGW_MAX_FDS && od.size >= MGV_MEMFD_MIN) {
			int fd = mgv_take_snapshot((uintptr_t)od.address, od.size);
			if (fd >= 0) {
				e->kind = MGW_OOL_FD;
				pl->fds[pl->nfds++] = fd;
				pl->n++;
				continue;
			}
		}
		if (od.size <= OOL_INLINE_MAX && mgw_pad8(od.size) <= budget) {
			e->kind = MGW_OOL_INLINE;
			pl->src[pl->n] = od.address;
			budget -= mgw_pad8(od.size);
			pl->blob_bytes += mgw_pad8(od.size);
		} else {
			int fd = pl->nfds < MGW_MAX_FDS ? copy_to_memfd(od.address, od.size) : -1;
			if (fd < 0)
				return MACH_SEND_NO_BUFFER;
			e->kind = MGW_OOL_FD;
			pl->fds[pl->nfds++] = fd;
		}
		pl->n++;
	}
	return MACH_MSG_SUCCESS;
}

/* Maps every OOL region of a received message and stores its address. */
static mach_msg_return_t place_ool(unsigned char *msg, size_t size, const struct mgw_ool *tab,
                                   uint32_t ntab, const unsigned char *blobs, size_t blen,
                                   struct mgr_reply *r)
{
	uint32_t nd = mgw_desc_count(msg, size);
	size_t dpos = MGW_DESC_OFFSET, boff = 0;
	unsigned k = 0, fdi = 0;
	mach_msg_return_t mr = MACH_MSG_SUCCESS;

	for (uint32_t i = 0; i < nd && dpos + 12 <= size; i++) {
		unsigned char *d = msg + dpos;
		unsigned t = mgw_desc_type(d);
		uintptr_t addr = 0;
		dpos += mgw_desc_size(t);
		if (!mgw_desc_is_ool(t) && !mgw_desc_is_ool_ports(t))
			continue;
		if (k >= ntab)
			break;
		const struct mgw_ool *e = &tab[k++];
		if (e->kind == MGW_OOL_INLINE && boff + e->size <= blen) {
			addr = mgv_map_received_bytes(blobs + boff, e->size);
			boff += mgw_pad8(e->size);
		} else if (e->kind == MGW_OOL_FD && fdi < r->nfds) {
			addr = mgv_map_received_fd(r->fds[fdi], e->size);
			r->fds[fdi++] = -1;
		}
		if (e->kind != MGW_OOL_NONE && !addr)
			mr = MACH_RCV_BODY_ERROR;
		/* As XNU reports received regions: the receiver owns a virtual
		 * copy (deallocate set); port arrays always arrive that way. */
		if (mgw_desc_is_ool(t)) {
			mach_msg_ool_descriptor_t od;
			memcpy(&od, d, sizeof od);
			od.address = (void *)addr;
			od.deallocate = od.copy == MACH_MSG_VIRTUAL_COPY;
			memcpy(d, &od, sizeof od);
		} else {
			mach_msg_ool_ports_descriptor_t pd;
			memcpy(&pd, d, sizeof pd);
			pd.address = (void *)addr;
			pd.deallocate = 1;
			pd.copy = MACH_MSG_VIRTUAL_COPY;
			memcpy(d, &pd, sizeof pd);
		}
	}
	for (unsigned i = fdi; i < r->nfds; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	return mr;
}

/* MACH_RCV_TOO_LARGE with MACH_RCV_LARGE: XNU writes msgh_size only (and
 * msgh_local_port with MACH_RCV_LARGE_IDENTITY), nothing else of the buffer. */
static mach_msg_return_t deliver_size(struct mgr_reply *r, mach_msg_header_t *buf,
                                      mach_msg_size_t rcv_size, mach_msg_option_t option)
{
	struct mgw_msg m;
	mach_msg_header_t h;

	for (unsigned i = 0; i < r->nfds; i++)
		close(r->fds[i]);
	if (r->plen < sizeof m + sizeof h)
		return r->hdr.status;
	memcpy(&m, r->payload, sizeof m);
	if (m.msg_bytes < sizeof h)
		return r->hdr.status;
	memcpy(&h, r->payload + sizeof m, sizeof h);
	if (rcv_size >= offsetof(mach_msg_header_t, msgh_remote_port))
		buf->msgh_size = h.msgh_size;
	if ((option & MACH_RCV_LARGE_IDENTITY) &&
	    rcv_size >= offsetof(mach_msg_header_t, msgh_voucher_port))
		buf->msgh_local_port = h.msgh_local_port;
	return r->hdr.status;
}

static mach_msg_return_t deliver(struct mgr_reply *r, mach_msg_header_t *buf,
                                 mach_msg_size_t rcv_size)
{
	struct mgw_msg m;
	size_t off;
	const struct mgw_ool *tab;

	if (r->plen < sizeof m)
		return MACH_RCV_INVALID_DATA;
	memcpy(&m, r->payload, sizeof m);
	off = sizeof m + mgw_pad8(m.msg_bytes);
	if (m.msg_bytes > rcv_size || off + (size_t)m.ool_count * sizeof *tab > r->plen) {
		for (unsigned i = 0; i < r->nfds; i++)
			close(r->fds[i]);
		return MACH_RCV_INVALID_DATA;
	}
	memcpy(buf, r->payload + sizeof m, m.msg_bytes);
	tab = (const struct mgw_ool *)(const void *)(r->payload + off);
	off += (size_t)m.ool_count * sizeof *tab;
	if (m.ool_count == 0) {
		for (unsigned i = 0; i < r->nfds; i++)
			close(r->fds[i]);
		return r->hdr.status;
	}
	mach_msg_return_t mr = place_ool((unsigned char *)buf, buf->msgh_size, tab, m.ool_count,
	                                 r->payload + off, r->plen - off, r);
	return r->hdr.status != MACH_MSG_SUCCESS ? r->hdr.status : mr;
}

mach_msg_return_t mgl_watch_deliver(const unsigned char *frame, size_t len, const int *fds,
                                    unsigned nfds, mach_msg_header_t *buf,
                                    mach_msg_size_t rcv_size)
{
	struct mgr_reply r;

	r.nfds = nfds < MGW_MAX_FDS ? nfds : MGW_MAX_FDS;
	memcpy(r.fds, fds, r.nfds * sizeof r.fds[0]);
	if (len >= sizeof r.hdr)
		memcpy(&r.hdr, frame, sizeof r.hdr);
	if (len < sizeof r.hdr || r.hdr.op != MGW_OP_MSG) {
		for (unsigned i = 0; i < r.nfds; i++)
			close(r.fds[i]);
		return MACH_RCV_INVALID_DATA;
	}
	r.payload = (unsigned char *)frame + sizeof r.hdr;
	r.plen = len - sizeof r.hdr;
	if (r.plen == 0) {
		for (unsigned i = 0; i < r.nfds; i++)
			close(r.fds[i]);
		return r.hdr.status;
	}
	if (r.hdr.status == MACH_RCV_TOO_LARGE) /* watches receive with MACH_RCV_LARGE */
		return deliver_size(&r, buf, rcv_size, MACH_RCV_LARGE);
	return deliver(&r, buf, rcv_size);
}

/* The readiness watches of this backend for the async objects; defined here
 * because every program that sends a message links this file.
 * MACHGEN_LINUX_WATCH=0 withholds them: the objects then run as on Darwin. */
const struct machgen_async_watch_ops *machgen_async_watch_ops(void)
{
	const char *v = getenv("MACHGEN_LINUX_WATCH");
	if (v && v[0] == '0' && v[1] == '\0')
		return NULL;
	static const struct machgen_async_watch_ops ops = {
		.rx_size = MGL_WATCH_RX_SIZE,
		.sends_max = MGW_MANY_SENDS,
		.send_max = MGL_WATCH_SEND_MAX,
		.rcv_max = MGW_MANY_RECEIVES,
		.open = mgl_watch_open,
		.post_many = mgl_watch_post_many,
		.take_many = mgl_watch_take_many,
		.next_send = mgl_watch_next_send,
		.next_msg = mgl_watch_next_msg,
		.arm_peek = mgl_watch_arm,
		.ack_peek = mgl_watch_ack,
	};
	return &ops;
}

mach_msg_return_t mach_msg_overwrite(mach_msg_header_t *msg, mach_msg_option_t option,
                                     mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                                     mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
                                     mach_port_name_t notify, mach_msg_header_t *rcv_msg,
                                     mach_msg_size_t rcv_limit)
{
	struct mgw_hdr h;
	struct mgw_msg m;
	struct mgr_reply r;
	struct ool_plan pl;
	struct iovec iov[3];
	int iovcnt = 0, rc;
	static const unsigned char zeros[8];
	mach_msg_return_t mr;

	(void)rcv_limit;
	memset(&m, 0, sizeof m);
	m.option = (uint32_t)option;
	m.rcv_size = rcv_size;
	m.rcv_name = rcv_name;
	m.timeout_ms = timeout;
	m.notify = notify;
	pl.n = pl.nfds = 0;
	if (option & MACH_SEND_MSG) {
		if (send_size > mgr_frame_limit() - FRAME_SLACK)
			return MACH_SEND_TOO_LARGE;
		m.send_size = send_size;
		m.msg_bytes = send_size;
		if (send_size >= MGW_DESC_OFFSET) {
			mr = plan_ool((const unsigned char *)msg, send_size, &pl);
			if (mr != MACH_MSG_SUCCESS) {
				close_plan_fds(&pl);
				return mr;
			}
		}
		m.ool_count = pl.n;
	}
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_MSG;
	if (pl.n == 0) {
		iov[iovcnt++] = (struct iovec){ &m, sizeof m };
		if (m.msg_bytes) {
			iov[iovcnt++] = (struct iovec){ msg, m.msg_bytes };
			iov[iovcnt++] = (struct iovec){ (void *)zeros, mgw_pad8(m.msg_bytes) - m.msg_bytes };
		}
	} else {
		/* Gather header, message, table and blobs into one buffer. */
		unsigned char *tx = mgr_tx_buffer();
		size_t off = 0;
		if (!tx) {
			close_plan_fds(&pl);
			return MACH_SEND_NO_BUFFER;
		}
		memcpy(tx, &m, sizeof m);
		off = sizeof m;
		memcpy(tx + off, msg, m.msg_bytes);
		memset(tx + off + m.msg_bytes, 0, mgw_pad8(m.msg_bytes) - m.msg_bytes);
		off += mgw_pad8(m.msg_bytes);
		memcpy(tx + off, pl.tab, pl.n * sizeof pl.tab[0]);
		off += pl.n * sizeof pl.tab[0];
		for (unsigned i = 0; i < pl.n; i++) {
			if (pl.tab[i].kind != MGW_OOL_INLINE)
				continue;
			memcpy(tx + off, pl.src[i], pl.tab[i].size);
			memset(tx + off + pl.tab[i].size, 0,
			       mgw_pad8(pl.tab[i].size) - pl.tab[i].size);
			off += mgw_pad8(pl.tab[i].size);
		}
		iov[iovcnt++] = (struct iovec){ tx, off };
	}
	if (option & (MACH_SEND_INTERRUPT | MACH_RCV_INTERRUPT))
		rc = mgr_call_interruptible(&h, iov, iovcnt, pl.fds, pl.nfds, &r);
	else
		rc = mgr_call(&h, iov, iovcnt, pl.fds, pl.nfds, &r);
	close_plan_fds(&pl);
	if (rc != 0) {
		if (rc == -EMSGSIZE)
			return MACH_SEND_TOO_LARGE;
		/* The broker is gone: fail, never hang. */
		return (option & MACH_SEND_MSG) ? MACH_SEND_INVALID_DEST : MACH_RCV_PORT_DIED;
	}
	mr = r.hdr.status;
	/* A send error with a message attached is MACH_SEND_TIMED_OUT after
	 * copyin: the message came back to us (pseudo-receive). */
	int returned = (option & MACH_SEND_MSG) && is_send_error(mr) && r.plen > 0;
	if ((option & MACH_SEND_MSG) && (!is_send_error(mr) || returned)) {
		/* The message was copied in: deallocate=TRUE regions leave us. */
		for (unsigned i = 0; i < pl.n; i++)
			if (pl.dealloc_addr[i])
				mgv_release_moved(pl.dealloc_addr[i], pl.dealloc_size[i]);
	}
	if (returned)
		return deliver(&r, msg, send_size);
	if ((option & MACH_RCV_MSG) && (option & MACH_RCV_LARGE) && mr == MACH_RCV_TOO_LARGE)
		return deliver_size(&r, rcv_msg ? rcv_msg : msg, rcv_size, option);
	if ((option & MACH_RCV_MSG) && r.plen > 0)
		return deliver(&r, rcv_msg ? rcv_msg : msg, rcv_size);
	for (unsigned i = 0; i < r.nfds; i++)
		close(r.fds[i]);
	return mr;
}

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_name_t notify)
{
	return mach_msg_overwrite(msg, option, send_size, rcv_size, rcv_name, timeout, notify,
	                          NULL, 0);
}

/* The broker's debug counters: every result word of MGW_OP_DEBUG_STATS. */
static int debug_query(uint64_t out[6])
{
	struct mgw_hdr h;
	struct mgr_reply r;
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_DEBUG_STATS;
	if (mgr_call(&h, NULL, 0, NULL, 0, &r) != 0)
		return -1;
	memcpy(out, r.hdr.arg, 6 * sizeof out[0]);
	return 0;
}

int machgen_linux_debug_stats(uint64_t out[5])
{
	uint64_t all[6];
	if (debug_query(all) != 0)
		return -1;
	memcpy(out, all, 5 * sizeof out[0]);
	return 0;
}

int machgen_linux_debug_batch_stats(uint64_t out[3])
{
	struct mgw_hdr h;
	struct mgr_reply r;
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_DEBUG_STATS;
	h.arg[0] = 1;
	if (mgr_call(&h, NULL, 0, NULL, 0, &r) != 0)
		return -1;
	memcpy(out, r.hdr.arg, 3 * sizeof out[0]);
	return 0;
}

int machgen_linux_debug_channel_calls(uint64_t *calls)
{
	uint64_t all[6];
	if (debug_query(all) != 0)
		return -1;
	*calls = all[5];
	return 0;
}

kern_return_t mach_voucher_deallocate(mach_port_name_t voucher)
{
	if (voucher == MACH_PORT_NULL)
		return KERN_SUCCESS;
	return mach_port_deallocate(mach_task_self(), voucher);
}
