/* Broker side of mach_msg: OOL objects, send (possibly blocking), receive
 * (possibly blocking) and the reply frame to the client.
 *
 * OOL data never enters the core: each region becomes an object (inline bytes
 * or a memfd) whose address is its 64-bit token. The core carries the token in
 * the descriptor and hands it back on receive or to bmsg_ool_release. */
#include "broker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mach/message.h>

struct bool_obj {
	uint64_t size;
	int fd;                         /* memfd, or -1 when the bytes are inline */
	unsigned char data[];
};

/* Scratch shared by all calls: the broker is single-threaded and each call
 * finishes with these before the next one starts. */
static unsigned char g_out[MGW_MAX_FRAME + 4096];
static mach_port_name_t g_names[MGW_MAX_FRAME / sizeof(mach_port_name_t)];

static void obj_free(struct broker *b, struct bool_obj *o)
{
	if (!o)
		return;
	if (o->fd >= 0) {
		close(o->fd);
		b->ool_fds--;
	} else {
		b->ool_bytes -= o->size;
	}
	free(o);
	b->ool_live--;
}

void bmsg_ool_release(void *ctx, uint64_t token, uint64_t size)
{
	struct broker *b = ctx;
	(void)size;
	obj_free(b, (struct bool_obj *)(uintptr_t)token);
}

static void reply_status(struct bconn *c, mach_msg_return_t mr)
{
	struct mgw_hdr r;
	memset(&r, 0, sizeof r);
	r.op = MGW_OP_MSG;
	r.status = mr;
	broker_reply(c, &r, NULL, 0, NULL, 0);
}

/* Delivers a message (already in g_out after the mgw_msg): msg_bytes bytes,
 * of which the first body_size hold header and descriptors (0: header only),
 * with its OOL contents; frees the OOL objects once sent. */
static void reply_message(struct broker *b, struct bconn *c, mach_msg_return_t mr,
                          size_t msg_bytes, size_t body_size)
{
	struct mgw_msg *m = (struct mgw_msg *)(void *)g_out;
	unsigned char *msg = g_out + sizeof *m;
	size_t off = sizeof *m + mgw_pad8(msg_bytes);
	uint32_t nd = body_size ? mgw_desc_count(msg, body_size) : 0;
	size_t dpos = MGW_DESC_OFFSET, name_pos = 0;
	struct mgw_ool *tab = (struct mgw_ool *)(void *)(g_out + off);
	struct bool_obj *objs[MGW_MAX_OOL];
	int fds[MGW_MAX_FDS] = { 0 }; /* only nfds are read; gcc -O2 cannot tell */
	unsigned nobj = 0, nfds = 0, nool = 0;
	struct mgw_hdr r;
	struct iovec iov;

	/* First pass counts the OOL entries so blobs can follow the table. */
	for (uint32_t i = 0; i < nd && dpos + 12 <= body_size; i++) {
		unsigned t = mgw_desc_type(msg + dpos);
		if (mgw_desc_is_ool(t) || mgw_desc_is_ool_ports(t))
			nool++;
		dpos += mgw_desc_size(t);
	}
	off += nool * sizeof *tab;
	dpos = MGW_DESC_OFFSET;
	nool = 0;
	for (uint32_t i = 0; i < nd && dpos + 12 <= body_size; i++) {
		unsigned char *d = msg + dpos;
		unsigned t = mgw_desc_type(d);
		if (mgw_desc_is_ool(t)) {
			mach_msg_ool_descriptor_t od;
			struct bool_obj *o;
			memcpy(&od, d, sizeof od);
			o = (struct bool_obj *)(uintptr_t)od.address;
			memset(&tab[nool], 0, sizeof tab[nool]);
			if (o && nobj < MGW_MAX_OOL && (o->fd < 0 || nfds < MGW_MAX_FDS)) {
				tab[nool].size = o->size;
				if (o->fd >= 0) {
					tab[nool].kind = MGW_OOL_FD;
					fds[nfds++] = o->fd;
				} else {
					tab[nool].kind = MGW_OOL_INLINE;
					memcpy(g_out + off, o->data, o->size);
					off += mgw_pad8(o->size);
				}
				objs[nobj++] = o;
			}
			nool++;
		} else if (mgw_desc_is_ool_ports(t)) {
			mach_msg_ool_ports_descriptor_t pd;
			size_t bytes;
			memcpy(&pd, d, sizeof pd);
			bytes = (size_t)pd.count * sizeof(mach_port_name_t);
			tab[nool].kind = pd.count ? MGW_OOL_INLINE : MGW_OOL_NONE;
			tab[nool].reserved = 0;
			tab[nool].size = bytes;
			memcpy(g_out + off, &g_names[name_pos], bytes);
			name_pos += pd.count;
			off += mgw_pad8(bytes);
			nool++;
		}
		dpos += mgw_desc_size(t);
	}
	memset(m, 0, sizeof *m);
	m->msg_bytes = (uint32_t)msg_bytes;
	m->ool_count = nool;
	memset(&r, 0, sizeof r);
	r.op = MGW_OP_MSG;
	r.status = mr;
	iov.iov_base = g_out;
	iov.iov_len = off;
	broker_reply(c, &r, &iov, 1, fds, nfds);
	for (unsigned i = 0; i < nobj; i++)
		obj_free(b, objs[i]);
}

/* Tries the receive half. Returns false when it must wait. */
static bool try_receive(struct broker *b, struct bconn *c)
{
	struct mgw_msg *m = &c->req;
	mgc_rcv_info info;
	mach_msg_size_t cap = (mach_msg_size_t)(MGW_MAX_FRAME - 4096);
	mach_msg_size_t size = m->rcv_size < cap ? m->rcv_size : cap;
	mach_msg_return_t mr;

	if (c->gone) {
		reply_status(c, c->gone);
		return true;
	}
	memset(&info, 0, sizeof info);
	mr = mgc_msg_receive(c->task->space, m->rcv_name, (mach_msg_option_t)m->option,
	                     g_out + sizeof(struct mgw_msg), size, g_names,
	                     sizeof g_names / sizeof g_names[0], &info);
	if (mr == MGC_RCV_WOULD_BLOCK) {
		if ((m->option & MACH_RCV_TIMEOUT) && m->timeout_ms == 0) {
			reply_status(c, MACH_RCV_TIMED_OUT);
			return true;
		}
		return false;
	}
	if (mr == MGC_RCV_NAMES_SHORT)
		mr = MACH_RCV_TOO_LARGE; /* cannot happen below the frame limit */
	b->dirty = true; /* a queue slot may have freed up */
	switch ((unsigned)mr & ~(unsigned)MACH_MSG_MASK) {
	case MACH_MSG_SUCCESS:
	case MACH_RCV_BODY_ERROR: /* delivered, some right reads MACH_PORT_DEAD */
		reply_message(b, c, mr, info.msg_size + info.trailer_size, info.msg_size);
		break;
	case MACH_RCV_TOO_LARGE:
	case MACH_RCV_HEADER_ERROR: /* a bare header was written */
		reply_message(b, c, mr, sizeof(mach_msg_header_t), 0);
		break;
	default:
		reply_status(c, mr);
		break;
	}
	return true;
}

/* MACH_SEND_TIMED_OUT: as XNU, the message goes back to the sender with its
 * rights and memory (pseudo-receive into the send buffer). */
static void give_back(struct broker *b, struct bconn *c, mgc_kmsg *kmsg, mach_msg_return_t why)
{
	mgc_rcv_info info;
	mach_msg_size_t cap = (mach_msg_size_t)(MGW_MAX_FRAME - 4096);
	mach_msg_return_t mr;

	memset(&info, 0, sizeof info);
	mr = mgc_kmsg_pseudo_receive(kmsg, c->task->space, g_out + sizeof(struct mgw_msg), cap,
	                             g_names, sizeof g_names / sizeof g_names[0], &info);
	if (((unsigned)mr & ~(unsigned)MACH_MSG_MASK) != MACH_MSG_SUCCESS) {
		mgc_kmsg_destroy(kmsg);
		reply_status(c, why);
		return;
	}
	reply_message(b, c, why | (mr & MACH_MSG_MASK), info.msg_size, info.msg_size);
}

static void park_for(struct broker *b, struct bconn *c, mach_msg_option_t timeout_opt)
{
	bool timed = (c->req.option & (uint32_t)timeout_opt) != 0;
	if (c->parked)
		return; /* keeps the deadline of the first park */
	broker_park(b, c, timed, broker_now_ns() + (uint64_t)c->req.timeout_ms * 1000000u);
}

/* Receive half of a call (after its send half, if any, went through). */
static void receive_or_park(struct broker *b, struct bconn *c)
{
	if (!(c->req.option & MACH_RCV_MSG)) {
		reply_status(c, MACH_MSG_SUCCESS);
		broker_unpark(b, c);
		return;
	}
	if (try_receive(b, c)) {
		broker_unpark(b, c);
		return;
	}
	park_for(b, c, MACH_RCV_TIMEOUT);
}

static void release_objs(struct broker *b, struct bool_obj **objs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		obj_free(b, objs[i]);
}

void bmsg_call(struct broker *b, struct bconn *c, void *payload, size_t len, int *fds,
               unsigned nfds, int *drop)
{
	struct mgw_msg m;
	unsigned char *msg, *p = payload;
	struct mgw_ool *tab;
	size_t off, need;
	struct bool_obj *objs[MGW_MAX_OOL];
	unsigned nobj = 0, fdi = 0, ooli = 0;
	bool no_buffer = false;
	size_t nnames = 0;
	mach_msg_return_t mr;
	mgc_kmsg *kmsg = NULL;

	if (len < sizeof m)
		goto malformed;
	memcpy(&m, p, sizeof m);
	msg = p + sizeof m;
	off = sizeof m + mgw_pad8(m.msg_bytes);
	need = off + (size_t)m.ool_count * sizeof *tab;
	if (m.msg_bytes > len || need > len)
		goto malformed;
	tab = (struct mgw_ool *)(void *)(p + off);
	off = need;
	c->req = m;
	c->gone = 0;
	if (!(m.option & MACH_SEND_MSG)) {
		if (nfds || m.ool_count)
			goto malformed;
		receive_or_park(b, c);
		return;
	}
	if (m.msg_bytes != m.send_size)
		goto malformed;

	/* Turn each OOL region into an object and its address into a token. */
	{
		uint32_t nd = mgw_desc_count(msg, m.msg_bytes);
		size_t dpos = MGW_DESC_OFFSET;
		for (uint32_t i = 0; i < nd && dpos + 12 <= m.msg_bytes; i++) {
			unsigned char *d = msg + dpos;
			unsigned t = mgw_desc_type(d);
			if (t > MACH_MSG_GUARDED_PORT_DESCRIPTOR)
				break; /* the core rejects the message */
			if (dpos + mgw_desc_size(t) > m.msg_bytes)
				break;
			if (mgw_desc_is_ool(t)) {
				mach_msg_ool_descriptor_t od;
				struct bool_obj *o = NULL;
				if (ooli >= m.ool_count || nobj >= MGW_MAX_OOL)
					goto malformed_objs;
				memcpy(&od, d, sizeof od);
				if (tab[ooli].kind == MGW_OOL_INLINE) {
					if (mgw_pad8(tab[ooli].size) > len - off || tab[ooli].size != od.size)
						goto malformed_objs;
					if (b->ool_bytes + tab[ooli].size > BROKER_OOL_BYTES_MAX)
						no_buffer = true;
					o = malloc(sizeof *o + tab[ooli].size);
					if (!o)
						goto malformed_objs;
					o->fd = -1;
					memcpy(o->data, p + off, tab[ooli].size);
					off += mgw_pad8(tab[ooli].size);
					b->ool_bytes += tab[ooli].size;
				} else if (tab[ooli].kind == MGW_OOL_FD) {
					if (fdi >= nfds || tab[ooli].size != od.size)
						goto malformed_objs;
					if (!mgw_memfd_acceptable(fds[fdi], od.size)) {
						/* Short, still writable or not a memfd: the
						 * core fails the send as XNU fails a region it
						 * cannot copy in (MACH_SEND_INVALID_MEMORY). */
						close(fds[fdi]);
						fds[fdi++] = -1;
						od.address = (void *)(uintptr_t)MGC_OOL_INVALID;
						memcpy(d, &od, sizeof od);
						ooli++;
						dpos += mgw_desc_size(t);
						continue;
					}
					o = malloc(sizeof *o);
					if (!o)
						goto malformed_objs;
					o->fd = fds[fdi];
					fds[fdi++] = -1;
					if (++b->ool_fds > b->ool_fds_max)
						no_buffer = true;
				} else if (tab[ooli].kind != MGW_OOL_NONE) {
					goto malformed_objs;
				}
				if (o) {
					o->size = tab[ooli].size;
					objs[nobj++] = o;
					b->ool_live++;
				}
				od.address = (void *)o;
				memcpy(d, &od, sizeof od);
				ooli++;
			} else if (mgw_desc_is_ool_ports(t)) {
				mach_msg_ool_ports_descriptor_t pd;
				size_t bytes;
				if (ooli >= m.ool_count)
					goto malformed_objs;
				memcpy(&pd, d, sizeof pd);
				bytes = (size_t)pd.count * sizeof(mach_port_name_t);
				if (tab[ooli].size != (tab[ooli].kind == MGW_OOL_NONE ? 0 : bytes) ||
				    mgw_pad8(bytes) > len - off || nnames + pd.count > sizeof g_names / 4)
					goto malformed_objs;
				if (tab[ooli].kind == MGW_OOL_INLINE) {
					memcpy(&g_names[nnames], p + off, bytes);
					off += mgw_pad8(bytes);
					nnames += pd.count;
				}
				ooli++;
			}
			dpos += mgw_desc_size(t);
		}
		if (ooli != m.ool_count || fdi != nfds)
			goto malformed_objs;
	}
	if (no_buffer) {
		/* Queued OOL data is at its bound: refuse, keep the client. */
		release_objs(b, objs, nobj);
		reply_status(c, MACH_SEND_NO_BUFFER);
		return;
	}

	mr = mgc_msg_copyin(c->task->space, msg, m.send_size, g_names, nnames,
	                    (mach_msg_option_t)m.option, &kmsg);
	if (mr != MACH_MSG_SUCCESS) {
		release_objs(b, objs, nobj);
		reply_status(c, mr);
		return;
	}
	mr = mgc_kmsg_send(kmsg, (mach_msg_option_t)m.option);
	if (mr == MGC_SEND_WOULD_BLOCK) {
		if ((m.option & MACH_SEND_TIMEOUT) && m.timeout_ms == 0) {
			give_back(b, c, kmsg, MACH_SEND_TIMED_OUT);
			return;
		}
		c->kmsg = kmsg;
		park_for(b, c, MACH_SEND_TIMEOUT);
		return;
	}
	if (mr != MACH_MSG_SUCCESS) {
		reply_status(c, mr);
		return;
	}
	receive_or_park(b, c);
	return;

malformed_objs:
	release_objs(b, objs, nobj);
malformed:
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	*drop = 1;
}

static void bmsg_retry_step(struct broker *b, struct bconn *c)
{
	if (c->kmsg) {
		mach_msg_return_t mr = mgc_kmsg_send(c->kmsg, (mach_msg_option_t)c->req.option);
		if (mr == MGC_SEND_WOULD_BLOCK)
			return;
		c->kmsg = NULL;
		if (mr != MACH_MSG_SUCCESS) {
			reply_status(c, mr);
			broker_unpark(b, c);
			return;
		}
		c->req.option &= ~(uint32_t)MACH_SEND_MSG;
		if (c->req.option & MACH_RCV_MSG) {
			/* The receive half gets its own full timeout, as in XNU. */
			c->has_deadline = (c->req.option & MACH_RCV_TIMEOUT) != 0;
			c->deadline_ns = broker_now_ns() + (uint64_t)c->req.timeout_ms * 1000000u;
		}
	}
	receive_or_park(b, c);
}

static void bmsg_timeout_step(struct broker *b, struct bconn *c)
{
	if (c->kmsg) {
		mgc_kmsg *k = c->kmsg;
		c->kmsg = NULL;
		give_back(b, c, k, MACH_SEND_TIMED_OUT);
	} else {
		reply_status(c, MACH_RCV_TIMED_OUT);
	}
	broker_unpark(b, c);
	b->dirty = true;
}

static void bmsg_interrupt_step(struct broker *b, struct bconn *c)
{
	/* As XNU: an interrupted send gives its message back like a timed-out
	 * one; a phase without its _INTERRUPT option goes on waiting (the
	 * library restarts such traps on Darwin). */
	if (c->kmsg) {
		mgc_kmsg *k = c->kmsg;
		if (!(c->req.option & MACH_SEND_INTERRUPT))
			return;
		c->kmsg = NULL;
		give_back(b, c, k, MACH_SEND_INTERRUPTED);
	} else {
		if (!(c->req.option & MACH_RCV_INTERRUPT))
			return;
		reply_status(c, MACH_RCV_INTERRUPTED);
	}
	broker_unpark(b, c);
	b->dirty = true;
}

/* A batch (batch.c) goes on once its parked step has answered. */
void bmsg_retry(struct broker *b, struct bconn *c)
{
	bmsg_retry_step(b, c);
	if (c->batch && !c->parked)
		bbatch_continue(b, c);
}

void bmsg_timeout(struct broker *b, struct bconn *c)
{
	bmsg_timeout_step(b, c);
	if (c->batch && !c->parked)
		bbatch_continue(b, c);
}

void bmsg_interrupt(struct broker *b, struct bconn *c)
{
	bmsg_interrupt_step(b, c);
	if (c->batch && !c->parked)
		bbatch_continue(b, c);
}

size_t bmsg_receive_simple(struct broker *b, struct bconn *c, const struct mgw_msg *req,
                           unsigned char *out, size_t cap)
{
	const size_t head = sizeof(struct mgw_hdr) + sizeof(struct mgw_msg);
	mach_msg_size_t size = 0;
	int complex = 1;
	mgc_rcv_info info;
	struct mgw_hdr h;
	struct mgw_msg m;

	if (cap <= head ||
	    mgc_msg_peek(c->task->space, req->rcv_name, &size, &complex) != MACH_MSG_SUCCESS ||
	    complex)
		return 0;
	cap -= head;
	if (cap > req->rcv_size)
		cap = req->rcv_size;
	memset(&info, 0, sizeof info);
	/* MACH_RCV_LARGE: a message that does not fit stays queued */
	mach_msg_return_t mr = mgc_msg_receive(c->task->space, req->rcv_name,
	                                       (mach_msg_option_t)req->option | MACH_RCV_LARGE,
	                                       out + head, (mach_msg_size_t)cap, NULL, 0, &info);
	if (mr != MACH_MSG_SUCCESS && mr != (MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE))
		return 0;
	b->dirty = true; /* a queue slot may have freed up */
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_MSG;
	h.status = mr;
	memset(&m, 0, sizeof m);
	m.msg_bytes = info.msg_size + info.trailer_size;
	memcpy(out, &h, sizeof h);
	memcpy(out + sizeof h, &m, sizeof m);
	memset(out + head + m.msg_bytes, 0, mgw_pad8(m.msg_bytes) - m.msg_bytes);
	return head + mgw_pad8(m.msg_bytes);
}

void bmsg_conn_gone(struct broker *b, struct bconn *c)
{
	bbatch_free(c);
	if (c->kmsg) {
		mgc_kmsg_destroy(c->kmsg);
		c->kmsg = NULL;
		b->dirty = true;
	}
}
