/* The asynchronous call object (machgen/async.h).
 *
 * Slots hold the pending calls; each slot keeps a reply port (a receive right
 * in the object's port set, its context = slot index + 1), so a reply is found
 * by the context in its trailer with no lookup table. A port whose call
 * completed with a reply (or the send-once notification) is reused by the
 * next call on that slot; after a timeout or a cancellation the reply right is
 * still out there, so the port is destroyed instead and a late reply dies with
 * it. */
#include <machgen/async.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "async_platform.h"

struct async_slot {
	mach_port_t port;      /* MACH_PORT_NULL until first needed */
	uint32_t gen;          /* bumped per call, so stale ids miss */
	bool live;
	uint64_t deadline_ns;  /* 0 = none */
	machgen_async_handler_t handler;
	void (*user_fn)(void);
	void *user_ctx;
	uint32_t next_free;    /* free list link, UINT32_MAX ends it */
};

/* A request that travels with the next posted receive. */
struct async_queued {
	uint32_t slot, gen;    /* slot NO_SLOT: its call completed before it left */
};

struct machgen_async {
	mach_port_t pset;
	struct async_slot *slots;
	uint32_t nslots, cap, free_head, npending;
	mach_msg_header_t *buf; /* receive buffer, grown on MACH_RCV_TOO_LARGE */
	mach_msg_size_t buf_size;
	bool in_dispatch;
	/* The watch: a posted receive on the port set whose answer brings the
	 * replies queued by then (several per broker round trip under load). */
	int fd;                /* the readiness handle, or -1 */
	bool armed;            /* a receive is posted */
	void *rx;              /* the backend's scratch buffer for posts and answers */
	/* Requests started from callbacks inside dispatch: they leave together
	 * with the receive posted next (one broker call for all). */
	unsigned char *sendq;  /* ops->sends_max requests of ops->send_max bytes */
	struct async_queued *queued, *posted;
	const mach_msg_header_t **sendv;  /* the requests of one post */
	unsigned nqueued, nposted;
	const struct machgen_async_watch_ops *ops; /* NULL: no fd, poll the set */
};

#define NO_SLOT UINT32_MAX
#define RCV_OPTIONS \
	(MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_LARGE | \
	 MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) | \
	 MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_CTX))

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void destroy_port(mach_port_t *p)
{
	if (*p != MACH_PORT_NULL)
		(void)mach_port_mod_refs(mach_task_self(), *p, MACH_PORT_RIGHT_RECEIVE, -1);
	*p = MACH_PORT_NULL;
}

static void complete(machgen_async_t *a, uint32_t i, kern_return_t status,
                     mach_msg_header_t *msg, mach_msg_size_t size);

__attribute__((weak)) const struct machgen_async_watch_ops *machgen_async_watch_ops(void)
{
	return NULL;
}

static int fail_all(machgen_async_t *a);

static void close_watch(machgen_async_t *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	a->armed = false;
}

/* With a watch fd the replies come through it: a receive on the port set is
 * posted and its answer brings the messages (one broker round trip for all
 * that are queued, none wasted on an empty queue). The requests callbacks
 * queued go with it. */
static void rearm(machgen_async_t *a)
{
	if (a->fd < 0 || a->armed)
		return;
	const mach_msg_header_t **sends = a->sendv;
	unsigned n = 0;
	for (unsigned k = 0; k < a->nqueued; k++) {
		if (a->queued[k].slot == NO_SLOT)
			continue;
		sends[n] = (const mach_msg_header_t *)(const void *)(a->sendq + k * a->ops->send_max);
		a->posted[n++] = a->queued[k];
	}
	a->nqueued = 0;
	if (a->ops->post_many(a->fd, a->rx, a->pset, RCV_OPTIONS & ~MACH_RCV_TIMEOUT, a->buf_size,
	                      a->ops->rcv_max, sends, n) == 0) {
		a->armed = true;
		a->nposted = n;
		return;
	}
	/* The broker connection broke: the broker is gone, and every port with
	 * it (the requests that were to go complete with the rest). */
	a->nposted = 0;
	close_watch(a);
	fail_all(a);
}

kern_return_t machgen_async_create(machgen_async_t **out)
{
	machgen_async_t *a = calloc(1, sizeof *a);
	kern_return_t kr;

	*out = NULL;
	if (!a)
		return KERN_RESOURCE_SHORTAGE;
	a->fd = -1;
	a->free_head = NO_SLOT;
	a->buf_size = 4096;
	a->buf = malloc(a->buf_size);
	if (!a->buf) {
		free(a);
		return KERN_RESOURCE_SHORTAGE;
	}
	kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &a->pset);
	if (kr != KERN_SUCCESS) {
		free(a->buf);
		free(a);
		return kr;
	}
	a->ops = machgen_async_watch_ops();
	if (a->ops) {
		unsigned n = a->ops->sends_max;
		a->rx = malloc(a->ops->rx_size);
		a->sendq = n ? malloc(n * a->ops->send_max) : NULL;
		a->queued = n ? calloc(n, sizeof *a->queued) : NULL;
		a->posted = n ? calloc(n, sizeof *a->posted) : NULL;
		a->sendv = n ? calloc(n, sizeof *a->sendv) : NULL;
		if (a->rx && (!n || (a->sendq && a->queued && a->posted && a->sendv)))
			a->fd = a->ops->open(); /* none: poll the set instead */
		if (a->fd < 0)
			a->fd = -1;
		rearm(a);
	}
	*out = a;
	return KERN_SUCCESS;
}

static void complete(machgen_async_t *a, uint32_t i, kern_return_t status,
                     mach_msg_header_t *msg, mach_msg_size_t size)
{
	struct async_slot *s = &a->slots[i];
	struct machgen_async_completion c = {
		.status = status, .msg = msg, .size = size,
		.id = ((uint64_t)s->gen << 32) | i,
		.user_fn = s->user_fn, .user_ctx = s->user_ctx,
	};
	machgen_async_handler_t h = s->handler;
	for (unsigned k = 0; k < a->nqueued; k++)
		if (a->queued[k].slot == i)
			a->queued[k].slot = NO_SLOT; /* never sent */
	/* The slot is free before the handler runs: it may start calls at once. */
	s->live = false;
	s->handler = NULL;
	s->next_free = a->free_head;
	a->free_head = i;
	a->npending--;
	h(&c);
}

void machgen_async_destroy(machgen_async_t *a)
{
	if (!a)
		return;
	for (uint32_t i = 0; i < a->nslots; i++)
		if (a->slots[i].live) {
			destroy_port(&a->slots[i].port);
			complete(a, i, MACHGEN_ASYNC_CANCELLED, NULL, 0);
		}
	for (uint32_t i = 0; i < a->nslots; i++)
		destroy_port(&a->slots[i].port);
	/* The broker answers in order: replies the watch took before the ports
	 * died are in the socket by now and may carry rights; release them. */
	if (a->armed && a->ops->take_many(a->fd, a->rx) == 1) {
		mach_msg_return_t mr;
		while (a->ops->next_msg(a->rx, a->buf, a->buf_size, &mr))
			if (mr == MACH_MSG_SUCCESS)
				mach_msg_destroy(a->buf);
	}
	close_watch(a); /* the broker drops a posted receive with the connection */
	if (a->pset != MACH_PORT_NULL)
		(void)mach_port_mod_refs(mach_task_self(), a->pset, MACH_PORT_RIGHT_PORT_SET, -1);
	free(a->slots);
	free(a->buf);
	free(a->rx);
	free(a->sendq);
	free(a->queued);
	free(a->posted);
	free(a->sendv);
	free(a);
}

int machgen_async_fd(machgen_async_t *a) { return a->fd; }
mach_port_t machgen_async_port_set(machgen_async_t *a) { return a->pset; }
uint32_t machgen_async_pending(machgen_async_t *a) { return a->npending; }

int machgen_async_next_timeout_ms(machgen_async_t *a)
{
	uint64_t first = 0;
	for (uint32_t i = 0; i < a->nslots; i++) {
		const struct async_slot *s = &a->slots[i];
		if (s->live && s->deadline_ns && (!first || s->deadline_ns < first))
			first = s->deadline_ns;
	}
	if (!first)
		return -1;
	uint64_t now = now_ns();
	if (first <= now)
		return 0;
	uint64_t ms = (first - now + 999999u) / 1000000u;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

int machgen_async_wait(machgen_async_t *a, int timeout_ms)
{
	int deadline = machgen_async_next_timeout_ms(a);
	bool by_deadline = deadline >= 0 && (timeout_ms < 0 || deadline <= timeout_ms);
	int wait = by_deadline ? deadline : timeout_ms, r;
	if (a->fd >= 0) {
		rearm(a);
		r = mga_wait_fd(a->fd, wait);
	} else {
		r = mga_wait_queued(a->pset, wait);
	}
	return r == 0 && by_deadline ? 1 : r;
}

/* A free slot with a reply port in the port set, or NO_SLOT. */
static uint32_t take_slot(machgen_async_t *a, kern_return_t *kr)
{
	uint32_t i = a->free_head;
	*kr = KERN_SUCCESS;
	if (i == NO_SLOT) {
		if (a->nslots == a->cap) {
			uint32_t cap = a->cap ? a->cap * 2 : 16;
			struct async_slot *n = realloc(a->slots, cap * sizeof *n);
			if (!n) {
				*kr = KERN_RESOURCE_SHORTAGE;
				return NO_SLOT;
			}
			a->slots = n;
			a->cap = cap;
		}
		i = a->nslots++;
		memset(&a->slots[i], 0, sizeof a->slots[i]);
	} else {
		a->free_head = a->slots[i].next_free;
	}
	struct async_slot *s = &a->slots[i];
	s->next_free = NO_SLOT;
	if (s->port == MACH_PORT_NULL) {
		mach_port_t p;
		*kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
		if (*kr == KERN_SUCCESS) {
			*kr = mach_port_move_member(mach_task_self(), p, a->pset);
			if (*kr == KERN_SUCCESS)
				*kr = mach_port_set_context(mach_task_self(), p, (mach_port_context_t)i + 1);
			if (*kr != KERN_SUCCESS)
				destroy_port(&p);
			s->port = p;
		}
		if (*kr != KERN_SUCCESS) {
			s->next_free = a->free_head;
			a->free_head = i;
			return NO_SLOT;
		}
	}
	return i;
}

kern_return_t machgen_async_start(machgen_async_t *a, mach_msg_header_t *msg,
                                  mach_msg_option_t options, mach_msg_timeout_t send_timeout,
                                  uint32_t timeout_ms, machgen_async_handler_t handler,
                                  void (*user_fn)(void), void *user_ctx,
                                  machgen_async_id_t *id)
{
	kern_return_t kr;
	uint32_t i = take_slot(a, &kr);
	if (i == NO_SLOT)
		return kr;
	struct async_slot *s = &a->slots[i];
	msg->msgh_local_port = s->port;
	msg->msgh_bits = (msg->msgh_bits & ~(mach_msg_bits_t)0xff00u) |
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	mach_msg_return_t mr = MACH_MSG_SUCCESS;
	/* From a callback in dispatch, a simple request rides on the receive
	 * dispatch posts next: it leaves when dispatch has run its callbacks. */
	bool deferred = a->in_dispatch && a->fd >= 0 && !a->armed &&
	                a->nqueued < a->ops->sends_max && options == 0 &&
	                !MACH_MSGH_BITS_IS_COMPLEX(msg->msgh_bits) &&
	                msg->msgh_size >= sizeof(mach_msg_header_t) &&
	                msg->msgh_size <= a->ops->send_max;
	if (deferred)
		memcpy(a->sendq + a->nqueued * a->ops->send_max, msg, msg->msgh_size);
	else
		mr = mach_msg(msg, MACH_SEND_MSG | options, msg->msgh_size, 0, MACH_PORT_NULL,
		              send_timeout, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS) {
		/* A request that never left made no reply right; after anything
		 * else one may exist, so the port goes. */
		if (mr != MACH_SEND_INVALID_DATA && mr != MACH_SEND_INVALID_DEST &&
		    mr != MACH_SEND_INVALID_HEADER)
			destroy_port(&s->port);
		s->next_free = a->free_head;
		a->free_head = i;
		return mr;
	}
	s->gen++;
	s->live = true;
	s->deadline_ns = timeout_ms ? now_ns() + (uint64_t)timeout_ms * 1000000u : 0;
	s->handler = handler;
	s->user_fn = user_fn;
	s->user_ctx = user_ctx;
	a->npending++;
	if (deferred)
		a->queued[a->nqueued++] = (struct async_queued){ i, s->gen };
	if (id)
		*id = ((uint64_t)s->gen << 32) | i;
	return KERN_SUCCESS;
}

static uint32_t slot_of(machgen_async_t *a, machgen_async_id_t id)
{
	uint32_t i = (uint32_t)id;
	if (i >= a->nslots || !a->slots[i].live || a->slots[i].gen != (uint32_t)(id >> 32))
		return NO_SLOT;
	return i;
}

kern_return_t machgen_async_cancel(machgen_async_t *a, machgen_async_id_t id)
{
	uint32_t i = slot_of(a, id);
	if (i == NO_SLOT)
		return KERN_INVALID_NAME;
	destroy_port(&a->slots[i].port);
	complete(a, i, MACHGEN_ASYNC_CANCELLED, NULL, 0);
	return KERN_SUCCESS;
}

/* The object's ports are gone (the broker died): every pending call fails. */
static int fail_all(machgen_async_t *a)
{
	int n = 0;
	for (uint32_t i = 0; i < a->nslots; i++) {
		a->slots[i].port = MACH_PORT_NULL;
		if (a->slots[i].live) {
			complete(a, i, MIG_SERVER_DIED, NULL, 0);
			n++;
		}
	}
	return n;
}

/* Grows the receive buffer for a message that stayed queued. */
static bool grow_buffer(machgen_async_t *a)
{
	mach_msg_size_t need = a->buf->msgh_size + MAX_TRAILER_SIZE;
	if (need <= a->buf_size)
		return true;
	mach_msg_header_t *nb = malloc(need);
	if (!nb)
		return false;
	free(a->buf);
	a->buf = nb;
	a->buf_size = need;
	return true;
}

/* A received message: the reply of the call whose port it came to. */
static int deliver(machgen_async_t *a)
{
	mach_msg_size_t size = round_msg(a->buf->msgh_size);
	const mach_msg_context_trailer_t *t =
		(const mach_msg_context_trailer_t *)(const void *)((char *)a->buf + size);
	uint32_t i = (uint32_t)(t->msgh_context - 1);
	if (i >= a->nslots || !a->slots[i].live || a->slots[i].port != a->buf->msgh_local_port) {
		mach_msg_destroy(a->buf); /* not a reply to a pending call (a late one) */
		return 0;
	}
	complete(a, i, KERN_SUCCESS, a->buf, size + t->msgh_trailer_size);
	return 1;
}

/* The answers the watch brought: the result of each request that went with
 * the post (a failed send completes its call), then every reply; then the
 * watch is posted again (with the requests the callbacks queued). */
static int take_from_watch(machgen_async_t *a)
{
	int n = 0;
	for (int budget = 64; budget > 0 && a->fd >= 0; budget--) {
		mach_msg_return_t mr;
		rearm(a);
		if (!a->armed)
			break;
		int r = a->ops->take_many(a->fd, a->rx);
		if (r == 0)
			break;
		a->armed = false;
		if (r < 0) { /* the broker is gone, and every port with it */
			a->nposted = 0;
			close_watch(a);
			return n + fail_all(a);
		}
		for (unsigned k = 0; k < a->nposted && a->ops->next_send(a->rx, &mr); k++) {
			uint32_t i = a->posted[k].slot;
			/* a send error: the request never left */
			if (mr != MACH_MSG_SUCCESS && i < a->nslots && a->slots[i].live &&
			    a->slots[i].gen == a->posted[k].gen) {
				complete(a, i, mr, NULL, 0);
				n++;
			}
		}
		a->nposted = 0;
		bool broken = false;
		while (a->ops->next_msg(a->rx, a->buf, a->buf_size, &mr)) {
			if (mr == MACH_RCV_TOO_LARGE)
				(void)grow_buffer(a); /* it stays queued: the next post takes it */
			else if (mr == MACH_RCV_INVALID_NAME || mr == MACH_RCV_PORT_DIED ||
			         mr == MACH_RCV_PORT_CHANGED)
				broken = true;
			else if (mr == MACH_MSG_SUCCESS)
				n += deliver(a);
		}
		if (broken) {
			close_watch(a);
			return n + fail_all(a);
		}
	}
	return n;
}

/* Without a watch fd: receive with a zero timeout until the queue is empty. */
static int take_by_polling(machgen_async_t *a)
{
	int n = 0;
	for (;;) {
		mach_msg_return_t mr = mach_msg(a->buf, RCV_OPTIONS, 0, a->buf_size, a->pset, 0,
		                                MACH_PORT_NULL);
		if (mr == MACH_RCV_TOO_LARGE) {
			if (!grow_buffer(a))
				break; /* stays queued; a later dispatch retries */
			continue;
		}
		if (mr == MACH_RCV_INVALID_NAME || mr == MACH_RCV_PORT_DIED ||
		    mr == MACH_RCV_PORT_CHANGED)
			return n + fail_all(a);
		if (mr != MACH_MSG_SUCCESS)
			break;
		n += deliver(a);
	}
	return n;
}

int machgen_async_dispatch(machgen_async_t *a)
{
	int n = 0;
	if (a->in_dispatch)
		return -1;
	a->in_dispatch = true;
	if (a->fd >= 0)
		n += take_from_watch(a);
	else
		n += take_by_polling(a);
	uint64_t now = 0;
	for (uint32_t i = 0; i < a->nslots; i++) {
		struct async_slot *s = &a->slots[i];
		if (!s->live || !s->deadline_ns)
			continue;
		if (!now)
			now = now_ns();
		if (s->deadline_ns > now)
			continue;
		destroy_port(&s->port);
		complete(a, i, MACHGEN_ASYNC_TIMED_OUT, NULL, 0);
		n++;
	}
	rearm(a);
	a->in_dispatch = false;
	return n;
}
