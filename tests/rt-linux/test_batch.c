/* Batched watch calls (MGW_OP_MSG_MANY, wire.h): each send of a batch behaves
 * as a single send (blocking on a full queue, its own result), the receive
 * brings the simple messages already queued with their own trailers and
 * sequence numbers, and a malformed batch costs only its connection. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug.h"
#include "helpers.h"
#include "watch.h"
#include "wire.h"

TestSuite(batch, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

#define TRAILER_OPTS \
	(MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) | \
	 MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_CTX))

static rt_simple_msg simple(mach_port_t dest, mach_msg_id_t id, int32_t value)
{
	rt_simple_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = dest;
	m.head.msgh_id = id;
	m.value = value;
	return m;
}

/* Waits up to ms for the batch answer; 1 when it came. */
static int take(int fd, void *rx, int ms)
{
	uint64_t end = rt_now_ms() + (uint64_t)ms;
	for (;;) {
		int r = mgl_watch_take_many(fd, rx);
		cr_assert_geq(r, 0, "the broker dropped the watch (%d)", r);
		if (r == 1)
			return 1;
		if (rt_now_ms() >= end)
			return 0;
		struct pollfd p = { fd, POLLIN, 0 };
		(void)poll(&p, 1, 20);
	}
}

struct rcvd {
	union {
		mach_msg_header_t head;
		unsigned char bytes[512];
	} u;
};

static int32_t value_of(const struct rcvd *r)
{
	return ((const rt_simple_msg *)(const void *)r->u.bytes)->value;
}

static mach_msg_context_trailer_t trailer_of(const struct rcvd *r)
{
	mach_msg_context_trailer_t t;
	memcpy(&t, r->u.bytes + round_msg(r->u.head.msgh_size), sizeof t);
	return t;
}

static void set_qlimit(mach_port_t p, mach_port_msgcount_t n)
{
	mach_port_limits_t lim = { .mpl_qlimit = n };
	cr_assert_eq(mach_port_set_attributes(mach_task_self(), p, MACH_PORT_LIMITS_INFO,
	                                      (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
}

Test(batch, sends_block_on_a_full_queue_one_by_one_in_order)
{
	void *rx = malloc(MGL_WATCH_RX_SIZE);
	mach_port_t p = rt_port_with_send(), r = rt_port_with_send();
	set_qlimit(p, 1);
	int fd = mgl_watch_open();
	cr_assert_geq(fd, 0);
	rt_simple_msg m1 = simple(p, 1, 10), m2 = simple(p, 2, 20), m3 = simple(r, 3, 30);
	const mach_msg_header_t *sends[] = { &m1.head, &m2.head, &m3.head };
	cr_assert_eq(mgl_watch_post_many(fd, rx, r, TRAILER_OPTS, sizeof(struct rcvd), 8, sends, 3),
	             0);
	/* m2 waits for room on p, so m3 has not been sent and nothing answers */
	cr_assert_eq(take(fd, rx, 200), 0);
	rt_simple_rcv got;
	cr_assert_eq(rt_recv(r, &got, 0, 0), MACH_RCV_TIMED_OUT);
	cr_assert_eq(rt_recv(p, &got, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(got.msg.head.msgh_id, 1);
	/* room: m2 goes, then m3, and the receive answers with m3 */
	cr_assert_eq(take(fd, rx, 3000), 1);
	mach_msg_return_t mr;
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(mgl_watch_next_send(rx, &mr), 1);
		cr_assert_eq(mr, MACH_MSG_SUCCESS, "send %d: %#x", i, mr);
	}
	cr_assert_eq(mgl_watch_next_send(rx, &mr), 0);
	struct rcvd out;
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 1);
	cr_assert_eq(mr, MACH_MSG_SUCCESS);
	cr_assert_eq(out.u.head.msgh_id, 3);
	cr_assert_eq(value_of(&out), 30);
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 0);
	cr_assert_eq(rt_recv(p, &got, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(got.msg.head.msgh_id, 2);
	close(fd);
	free(rx);
}

Test(batch, each_send_has_its_own_result_and_a_failure_answers_at_once)
{
	void *rx = malloc(MGL_WATCH_RX_SIZE);
	mach_port_t dead = rt_port_with_send(), r = rt_port_with_send(), other = rt_port_with_send();
	cr_assert_eq(mach_port_mod_refs(mach_task_self(), dead, MACH_PORT_RIGHT_RECEIVE, -1),
	             KERN_SUCCESS);
	int fd = mgl_watch_open();
	cr_assert_geq(fd, 0);
	rt_simple_msg m1 = simple(dead, 1, 1), m2 = simple(other, 2, 2);
	const mach_msg_header_t *sends[] = { &m1.head, &m2.head };
	/* nothing is queued on r: without the failure this would wait */
	cr_assert_eq(mgl_watch_post_many(fd, rx, r, TRAILER_OPTS, sizeof(struct rcvd), 8, sends, 2),
	             0);
	cr_assert_eq(take(fd, rx, 3000), 1);
	mach_msg_return_t mr;
	cr_assert_eq(mgl_watch_next_send(rx, &mr), 1);
	cr_assert_eq(mr, MACH_SEND_INVALID_DEST);
	cr_assert_eq(mgl_watch_next_send(rx, &mr), 1);
	cr_assert_eq(mr, MACH_MSG_SUCCESS);
	struct rcvd out;
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 0);
	rt_simple_rcv got;
	cr_assert_eq(rt_recv(other, &got, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(got.msg.head.msgh_id, 2);
	/* the watch is usable again */
	cr_assert_eq(mgl_watch_post_many(fd, rx, r, TRAILER_OPTS, sizeof(struct rcvd), 8, NULL, 0),
	             0);
	cr_assert_eq(rt_send(r, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 9, 90, 1000),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(take(fd, rx, 3000), 1);
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 1);
	cr_assert_eq(mr, MACH_MSG_SUCCESS);
	cr_assert_eq(out.u.head.msgh_id, 9);
	close(fd);
	free(rx);
}

/* A message carrying a port right: it travels alone at the head of an answer. */
static void send_port_msg(mach_port_t dest, mach_port_t carried, mach_msg_id_t id)
{
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
	} m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = dest;
	m.head.msgh_id = id;
	m.body.msgh_descriptor_count = 1;
	m.port.name = carried;
	m.port.disposition = MACH_MSG_TYPE_MAKE_SEND;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
}

Test(batch, queued_simple_messages_ride_along_with_their_own_trailers)
{
	void *rx = malloc(MGL_WATCH_RX_SIZE);
	mach_port_t r = rt_port_with_send(), carried = rt_port_with_send();
	set_qlimit(r, 32);
	cr_assert_eq(mach_port_set_context(mach_task_self(), r, 0x5eed), KERN_SUCCESS);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(rt_send(r, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 100 + i, i, 1000),
		             MACH_MSG_SUCCESS);
	send_port_msg(r, carried, 105);
	for (int i = 6; i < 8; i++)
		cr_assert_eq(rt_send(r, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 100 + i, i, 1000),
		             MACH_MSG_SUCCESS);
	uint64_t s0[3], s1[3];
	cr_assert_eq(machgen_linux_debug_batch_stats(s0), 0);
	int fd = mgl_watch_open();
	cr_assert_geq(fd, 0);
	/* first answer: the five simple messages; the complex one stops it */
	cr_assert_eq(mgl_watch_post_many(fd, rx, r, TRAILER_OPTS, sizeof(struct rcvd), 64, NULL, 0),
	             0);
	cr_assert_eq(take(fd, rx, 3000), 1);
	struct rcvd out;
	mach_msg_return_t mr;
	int seen = 0;
	while (mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr)) {
		cr_assert_eq(mr, MACH_MSG_SUCCESS);
		cr_assert_eq(out.u.head.msgh_id, 100 + seen);
		cr_assert_eq(value_of(&out), seen);
		mach_msg_context_trailer_t t = trailer_of(&out);
		cr_assert_eq(t.msgh_seqno, (mach_port_seqno_t)seen);
		cr_assert_eq(t.msgh_context, 0x5eed);
		cr_assert_eq(t.msgh_trailer_size, sizeof t);
		seen++;
	}
	cr_assert_eq(seen, 5);
	/* second answer: the port message first (its right named here), then the rest */
	cr_assert_eq(mgl_watch_post_many(fd, rx, r, TRAILER_OPTS, sizeof(struct rcvd), 64, NULL, 0),
	             0);
	cr_assert_eq(take(fd, rx, 3000), 1);
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 1);
	cr_assert_eq(mr, MACH_MSG_SUCCESS);
	cr_assert_eq(out.u.head.msgh_id, 105);
	cr_assert(MACH_MSGH_BITS_IS_COMPLEX(out.u.head.msgh_bits));
	mach_msg_port_descriptor_t pd;
	memcpy(&pd, out.u.bytes + sizeof(mach_msg_header_t) + sizeof(mach_msg_body_t), sizeof pd);
	cr_assert_eq(pd.name, carried); /* coalesced with the receive right held here */
	cr_assert_eq(trailer_of(&out).msgh_seqno, 5);
	mach_msg_destroy(&out.u.head);
	for (int i = 6; i < 8; i++) {
		cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 1);
		cr_assert_eq(mr, MACH_MSG_SUCCESS);
		cr_assert_eq(out.u.head.msgh_id, 100 + i);
		cr_assert_eq(trailer_of(&out).msgh_seqno, (mach_port_seqno_t)i);
	}
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 0);
	cr_assert_eq(machgen_linux_debug_batch_stats(s1), 0);
	cr_assert_eq(s1[0] - s0[0], 2);
	cr_assert_eq(s1[1] - s0[1], 8);
	close(fd);
	free(rx);
}

Test(batch, an_answer_carries_at_most_max_messages_and_only_what_fits)
{
	void *rx = malloc(MGL_WATCH_RX_SIZE);
	mach_port_t r = rt_port_with_send();
	set_qlimit(r, 32);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(rt_send(r, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, i, i, 1000),
		             MACH_MSG_SUCCESS);
	/* a bigger one after them: it does not fit the receive size below */
	struct {
		mach_msg_header_t head;
		unsigned char pad[1000];
	} big;
	memset(&big, 0, sizeof big);
	big.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	big.head.msgh_size = sizeof big;
	big.head.msgh_remote_port = r;
	big.head.msgh_id = 77;
	cr_assert_eq(mach_msg(&big.head, MACH_SEND_MSG, sizeof big, 0, MACH_PORT_NULL, 0,
	                      MACH_PORT_NULL), MACH_MSG_SUCCESS);
	int fd = mgl_watch_open();
	cr_assert_geq(fd, 0);
	struct rcvd out;
	mach_msg_return_t mr;
	int id = 0;
	for (int round = 0; round < 4; round++) {
		cr_assert_eq(mgl_watch_post_many(fd, rx, r, MACH_RCV_LARGE | TRAILER_OPTS,
		                                 sizeof(struct rcvd), 3, NULL, 0), 0);
		cr_assert_eq(take(fd, rx, 3000), 1);
		int n = 0;
		while (mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr)) {
			cr_assert_eq(mr, MACH_MSG_SUCCESS);
			cr_assert_eq(out.u.head.msgh_id, id++);
			n++;
		}
		/* 3, 3, 3, then the last small one: the big one stays queued */
		cr_assert_eq(n, round < 3 ? 3 : 1, "round %d: %d messages", round, n);
	}
	/* alone at the head it is MACH_RCV_TOO_LARGE and stays queued (MACH_RCV_LARGE) */
	cr_assert_eq(mgl_watch_post_many(fd, rx, r, MACH_RCV_LARGE | TRAILER_OPTS,
	                                 sizeof(struct rcvd), 3, NULL, 0), 0);
	cr_assert_eq(take(fd, rx, 3000), 1);
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 1);
	cr_assert_eq(mr, MACH_RCV_TOO_LARGE);
	cr_assert_eq(out.u.head.msgh_size, sizeof big);
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 0);
	struct {
		mach_msg_header_t head;
		unsigned char pad[1000];
		mach_msg_max_trailer_t trailer;
	} back;
	cr_assert_eq(mach_msg(&back.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof back, r, 0,
	                      MACH_PORT_NULL), MACH_MSG_SUCCESS);
	cr_assert_eq(back.head.msgh_id, 77);
	close(fd);
	free(rx);
}

/* Sends one raw frame on a fresh watch connection; 1 when the broker hung up. */
static int broker_hangs_up_on(const struct mgw_hdr *h, const void *payload, size_t len)
{
	int fd = mgl_watch_open();
	cr_assert_geq(fd, 0);
	struct iovec iov = { (void *)payload, len };
	cr_assert_eq(mgw_send(fd, h, &iov, len ? 1 : 0, NULL, 0), 0);
	struct pollfd p = { fd, POLLIN, 0 };
	int hung = 0;
	if (poll(&p, 1, 3000) == 1) {
		unsigned char buf[256];
		int fds[MGW_MAX_FDS];
		unsigned nfds = 0;
		size_t got = 0;
		hung = mgw_recv(fd, buf, sizeof buf, &got, fds, &nfds) == -EPIPE;
	}
	close(fd);
	return hung;
}

Test(batch, a_malformed_batch_costs_only_its_connection)
{
	mach_port_t r = rt_port_with_send();
	struct {
		struct mgw_msg snd;
		rt_simple_msg m;
		struct mgw_msg rcv;
	} f;
	memset(&f, 0, sizeof f);
	f.snd.option = MACH_SEND_MSG;
	f.snd.send_size = f.snd.msg_bytes = sizeof f.m;
	f.m = simple(r, 1, 1);
	f.rcv.option = MACH_RCV_MSG;
	f.rcv.rcv_size = 256;
	f.rcv.rcv_name = r;
	_Static_assert(sizeof f.m % 8 == 4, "the message needs padding");
	struct mgw_hdr h;
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_MSG_MANY;
	h.arg[0] = 4;
	h.arg[1] = 1;
	/* the message is not padded to 8 here: the lengths do not add up */
	cr_assert(broker_hangs_up_on(&h, &f, sizeof f));
	h.arg[0] = 0; /* no receive asked for */
	cr_assert(broker_hangs_up_on(&h, &f, sizeof f));
	h.arg[0] = MGW_MANY_RECEIVES + 1;
	cr_assert(broker_hangs_up_on(&h, &f, sizeof f));
	h.arg[0] = 4;
	h.arg[1] = MGW_MANY_SENDS + 1;
	cr_assert(broker_hangs_up_on(&h, &f, sizeof f));
	/* a complex send, padded properly */
	unsigned char buf[256];
	struct mgw_msg sm = f.snd;
	rt_simple_msg cm = f.m;
	cm.head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	memset(buf, 0, sizeof buf);
	memcpy(buf, &sm, sizeof sm);
	memcpy(buf + sizeof sm, &cm, sizeof cm);
	size_t off = sizeof sm + mgw_pad8(sizeof cm);
	memcpy(buf + off, &f.rcv, sizeof f.rcv);
	h.arg[1] = 1;
	cr_assert(broker_hangs_up_on(&h, buf, off + sizeof f.rcv));
	/* a send record that also receives */
	sm.option = MACH_SEND_MSG | MACH_RCV_MSG;
	memcpy(buf, &sm, sizeof sm);
	memcpy(buf + sizeof sm, &f.m, sizeof f.m);
	cr_assert(broker_hangs_up_on(&h, buf, off + sizeof f.rcv));
	/* the broker and this client's other connections are fine */
	rt_simple_rcv got;
	cr_assert_eq(rt_recv(r, &got, 0, 0), MACH_RCV_TIMED_OUT); /* nothing was sent */
	cr_assert_eq(rt_send(r, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 5, 5, 1000),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(rt_recv(r, &got, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(got.msg.head.msgh_id, 5);
	/* a well-formed one on a fresh connection works */
	sm.option = MACH_SEND_MSG;
	memcpy(buf, &sm, sizeof sm);
	struct mgw_hdr ok = h;
	ok.arg[0] = 4;
	ok.arg[1] = 1;
	int fd = mgl_watch_open();
	struct iovec iov = { buf, off + sizeof f.rcv };
	cr_assert_eq(mgw_send(fd, &ok, &iov, 1, NULL, 0), 0);
	void *rx = malloc(MGL_WATCH_RX_SIZE);
	cr_assert_eq(take(fd, rx, 3000), 1);
	mach_msg_return_t mr;
	cr_assert_eq(mgl_watch_next_send(rx, &mr), 1);
	cr_assert_eq(mr, MACH_MSG_SUCCESS);
	struct rcvd out;
	cr_assert_eq(mgl_watch_next_msg(rx, &out.u.head, sizeof out, &mr), 1);
	cr_assert_eq(mr, MACH_MSG_SUCCESS);
	cr_assert_eq(out.u.head.msgh_id, 1);
	free(rx);
	close(fd);
}
