/* MGW_OP_MSG_MANY (wire.h): several sends and a receive that may take several
 * messages, in one request and one answer frame.
 *
 * Each step is an ordinary mach_msg call served by bmsg_call (so a full queue,
 * a dead destination or a bad header behave exactly as a single send does);
 * while the connection has a batch, broker_reply hands the step's answer to
 * bbatch_reply, which records it instead of sending it. A step that parks
 * parks the whole batch; bmsg_retry & co. call bbatch_continue once it has
 * answered. The answer frame goes out when the receive has answered, with the
 * simple messages that were already queued behind the first one. */
#include "broker.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mach/message.h>

struct bbatch {
	struct broker *b;
	uint32_t max_rcv;
	uint32_t nsend, sent;           /* sends in the request, answered so far */
	int32_t status[MGW_MANY_SENDS];
	const unsigned char *rest;      /* send records not served yet (NULL: lost) */
	size_t rest_len, rest_off;
	unsigned char *owned;           /* rest's own copy once the batch parked */
	struct mgw_msg rcv;
	bool rcv_started;
	bool answered;                  /* the receive answered: its record is in g_many */
	bool done;                      /* the answer frame went out */
	uint32_t nrec;
	size_t used;                    /* bytes of g_many in use */
};

/* The answer being built. Only one batch is between its receive's answer and
 * the frame going out at any time (no other connection is served in
 * between), so one buffer serves all. */
static unsigned char g_many[MGW_MAX_FRAME + 8192];

void bbatch_free(struct bconn *c)
{
	if (!c->batch)
		return;
	free(c->batch->owned);
	free(c->batch);
	c->batch = NULL;
}

/* Room for the frame header and the send results ahead of the records. */
static size_t records_start(const struct bbatch *bt)
{
	return sizeof(struct mgw_hdr) + mgw_pad8((size_t)bt->nsend * sizeof(int32_t));
}

/* Sends the answer frame (with fds: the first record's, still open). */
static int flush(struct bconn *c, const int *fds, unsigned nfds)
{
	struct bbatch *bt = c->batch;
	struct broker *b = bt->b;
	struct mgw_hdr h;
	struct iovec iov = { g_many + sizeof h, bt->used - sizeof h };

	memset(&h, 0, sizeof h);
	h.op = MGW_OP_MSG_MANY;
	h.arg[0] = bt->nsend;
	h.arg[1] = bt->nrec;
	memset(g_many + sizeof h, 0, records_start(bt) - sizeof h);
	memcpy(g_many + sizeof h, bt->status, bt->nsend * sizeof(int32_t));
	b->many_answers++;
	b->many_messages += bt->nrec;
	b->many_sends += bt->nsend;
	bt->done = true;
	c->batch = NULL; /* broker_reply sends for real now */
	int rc = broker_reply(c, &h, &iov, 1, fds, nfds);
	c->batch = bt;
	return rc;
}

int bbatch_reply(struct bconn *c, const struct mgw_hdr *h, const struct iovec *iov,
                 int iovcnt, const int *fds, unsigned nfds)
{
	struct bbatch *bt = c->batch;
	if (bt->sent < bt->nsend) {
		/* a send step: only its result (blocking sends never give back) */
		bt->status[bt->sent++] = h->status;
		return 0;
	}
	struct mgw_many_rec rec = { .len = sizeof *h, .nfds = nfds };
	size_t off = records_start(bt) + sizeof rec;
	memcpy(g_many + off, h, sizeof *h);
	off += sizeof *h;
	for (int i = 0; i < iovcnt; i++) {
		if (off + iov[i].iov_len > sizeof g_many)
			return -1; /* cannot happen: answers fit a frame */
		memcpy(g_many + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
		rec.len += (uint32_t)iov[i].iov_len;
	}
	memcpy(g_many + records_start(bt), &rec, sizeof rec);
	memset(g_many + off, 0, mgw_pad8(rec.len) - rec.len);
	bt->used = records_start(bt) + sizeof rec + mgw_pad8(rec.len);
	bt->nrec = 1;
	bt->answered = true;
	/* The fds close when this returns (their objects are freed): a message
	 * with memory goes out alone, now. */
	if (nfds)
		return flush(c, fds, nfds);
	return 0;
}

/* Serves the steps left; returns when the batch parks or has answered. */
static void run(struct broker *b, struct bconn *c)
{
	struct bbatch *bt = c->batch;
	int drop = 0;

	while (bt->sent < bt->nsend) {
		struct mgw_msg m;
		if (!bt->rest) { /* no memory to keep them while parked */
			bt->status[bt->sent++] = MACH_SEND_NO_BUFFER;
			continue;
		}
		const unsigned char *p = bt->rest + bt->rest_off;
		memcpy(&m, p, sizeof m);
		size_t n = sizeof m + mgw_pad8(m.msg_bytes);
		unsigned char step[sizeof m + 1024];
		/* bmsg_call writes into the message (OOL tokens); keep rest intact */
		unsigned char *buf = n <= sizeof step ? step : malloc(n);
		if (!buf) {
			bt->status[bt->sent++] = MACH_SEND_NO_BUFFER;
			bt->rest_off += n;
			continue;
		}
		memcpy(buf, p, n);
		bt->rest_off += n;
		uint32_t before = bt->sent;
		bmsg_call(b, c, buf, n, NULL, 0, &drop);
		if (buf != step)
			free(buf);
		if (bt->sent == before && !c->parked)
			bt->status[bt->sent++] = MACH_SEND_INVALID_DATA; /* not reached: validated */
		if (c->parked) {
			if (!bt->owned && bt->rest_off < bt->rest_len) {
				/* rest lives in the frame buffer, which the next input reuses */
				bt->owned = malloc(bt->rest_len - bt->rest_off);
				if (bt->owned)
					memcpy(bt->owned, bt->rest + bt->rest_off,
					       bt->rest_len - bt->rest_off);
				bt->rest = bt->owned;
				bt->rest_len -= bt->rest_off;
				bt->rest_off = 0;
			}
			return;
		}
	}
	if (!bt->rcv_started) {
		struct mgw_msg m = bt->rcv;
		bt->rcv_started = true;
		for (uint32_t i = 0; i < bt->nsend; i++) {
			if (bt->status[i] != MACH_MSG_SUCCESS) {
				/* a failed send is answered at once, as alone it would be */
				bt->used = records_start(bt);
				flush(c, NULL, 0);
				return;
			}
		}
		bmsg_call(b, c, &m, sizeof m, NULL, 0, &drop);
		if (c->parked)
			return;
	}
	if (!bt->answered || bt->done)
		return;
	/* Messages already queued behind the first ride along. */
	int32_t first;
	memcpy(&first, g_many + records_start(bt) + sizeof(struct mgw_many_rec) +
	               offsetof(struct mgw_hdr, status), sizeof first);
	while (first == MACH_MSG_SUCCESS && bt->nrec < bt->max_rcv &&
	       bt->used + sizeof(struct mgw_many_rec) < MGW_MANY_FRAME) {
		struct mgw_many_rec rec = { 0, 0 };
		size_t len = bmsg_receive_simple(b, c, &bt->rcv,
		                                 g_many + bt->used + sizeof rec,
		                                 MGW_MANY_FRAME - bt->used - sizeof rec);
		if (!len)
			break;
		rec.len = (uint32_t)len;
		memcpy(g_many + bt->used, &rec, sizeof rec);
		bt->used += sizeof rec + len;
		bt->nrec++;
	}
	flush(c, NULL, 0);
}

void bbatch_continue(struct broker *b, struct bconn *c)
{
	run(b, c);
	if (c->batch && c->batch->done)
		bbatch_free(c);
}

void bbatch_call(struct broker *b, struct bconn *c, const struct mgw_hdr *h,
                 const unsigned char *payload, size_t len, int *drop)
{
	size_t off = 0;
	uint64_t max = h->arg[0], n = h->arg[1];
	struct bbatch *bt;

	if (max < 1 || max > MGW_MANY_RECEIVES || n > MGW_MANY_SENDS || c->batch) {
		*drop = 1;
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct mgw_msg m;
		uint32_t bits;
		if (len - off < sizeof m)
			goto malformed;
		memcpy(&m, payload + off, sizeof m);
		if (m.option != MACH_SEND_MSG || m.send_size != m.msg_bytes || m.ool_count ||
		    m.msg_bytes < sizeof(mach_msg_header_t) ||
		    mgw_pad8(m.msg_bytes) > len - off - sizeof m)
			goto malformed;
		memcpy(&bits, payload + off + sizeof m, sizeof bits);
		if (bits & MACH_MSGH_BITS_COMPLEX)
			goto malformed;
		off += sizeof m + mgw_pad8(m.msg_bytes);
	}
	if (len - off != sizeof(struct mgw_msg))
		goto malformed;
	bt = calloc(1, sizeof *bt);
	if (!bt)
		goto malformed;
	memcpy(&bt->rcv, payload + off, sizeof bt->rcv);
	if (!(bt->rcv.option & MACH_RCV_MSG) || (bt->rcv.option & MACH_SEND_MSG) ||
	    bt->rcv.send_size || bt->rcv.msg_bytes || bt->rcv.ool_count) {
		free(bt);
		goto malformed;
	}
	bt->b = b;
	bt->max_rcv = (uint32_t)max;
	bt->nsend = (uint32_t)n;
	bt->rest = payload;
	bt->rest_len = off;
	c->batch = bt;
	bbatch_continue(b, c);
	return;
malformed:
	*drop = 1;
}
