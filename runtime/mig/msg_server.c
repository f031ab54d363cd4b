/*
 * Generic serve loops (mach_msg_server, mach_msg_server_once) and the
 * mach_msg_send / mach_msg_receive conveniences.
 *
 * Ownership contract applied to each request after the demux ran:
 *   reply RetCode KERN_SUCCESS (or a complex reply) -> the routine owns the
 *       request's rights and memory; the reply is sent;
 *   MIG_NO_REPLY -> nothing is sent, the routine kept the reply right;
 *   any other code -> the request's rights and memory are destroyed here,
 *       except the reply right, which the error reply consumes.
 */
#include "platform.h"

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

#include <pthread.h>
#include <stdint.h>
#include <string.h>

typedef boolean_t (*demux_fn)(mach_msg_header_t *, mach_msg_header_t *);

/* The send half of the caller's options: receive-only bits and trailer requests dropped. */
static mach_msg_options_t send_options(mach_msg_options_t options)
{
	const uint32_t rcv_only = MACH_RCV_LARGE | MACH_RCV_LARGE_IDENTITY | MACH_RCV_TIMEOUT |
	                          MACH_RCV_INTERRUPT | MACH_RCV_VOUCHER | MACH_RCV_GUARDED_DESC |
	                          MACH_RCV_SYNC_WAIT | MACH_RCV_SYNC_PEEK | 0xff000000u;

	return (mach_msg_options_t)((uint32_t)options & ~rcv_only);
}

struct serve_buffers {
	mig_reply_error_t *request;
	mig_reply_error_t *reply;
	mach_msg_size_t    request_alloc;
	mach_msg_size_t    reply_alloc;
	mach_msg_size_t    request_size;  /* receive limit passed to mach_msg */
	mach_msg_size_t    trailer_alloc; /* room for the trailer the caller asked for */
};

static kern_return_t buffer_alloc(mig_reply_error_t **buf, mach_msg_size_t size)
{
	vm_address_t addr = 0;
	kern_return_t kr = vm_allocate(mach_task_self(), &addr, size, VM_FLAGS_ANYWHERE);

	*buf = kr == KERN_SUCCESS ? (mig_reply_error_t *)addr : NULL;
	return kr;
}

static void buffer_free(mig_reply_error_t **buf, mach_msg_size_t size)
{
	if (*buf != NULL)
		(void)vm_deallocate(mach_task_self(), (vm_address_t)*buf, size);
	*buf = NULL;
}

static void buffers_free(struct serve_buffers *b)
{
	buffer_free(&b->request, b->request_alloc);
	buffer_free(&b->reply, b->reply_alloc);
}

/*
 * Sizes the buffers as Darwin does: the request buffer holds max_size plus the
 * requested trailer, the reply buffer max_size (plus a trailer when the caller
 * sends trailers). same_size makes both equal so they can swap roles.
 * Buffers already present are kept when they are large enough.
 */
static kern_return_t buffers_prepare(struct serve_buffers *b, mach_msg_size_t max_size,
                                     mach_msg_options_t options, int same_size)
{
	mach_msg_size_t request_alloc, reply_alloc;
	kern_return_t kr = KERN_SUCCESS;

	b->trailer_alloc = REQUESTED_TRAILER_SIZE(options);
	request_alloc = machgen_round_page(max_size + b->trailer_alloc);
	reply_alloc = machgen_round_page((options & MACH_SEND_TRAILER) ? max_size + MAX_TRAILER_SIZE
	                                                               : max_size);
	if (same_size) {
		if (reply_alloc > request_alloc)
			request_alloc = reply_alloc;
		reply_alloc = request_alloc;
	}
	if (b->reply == NULL || b->reply_alloc < reply_alloc) {
		buffer_free(&b->reply, b->reply_alloc);
		b->reply_alloc = reply_alloc;
		kr = buffer_alloc(&b->reply, reply_alloc);
	}
	if (kr == KERN_SUCCESS && (b->request == NULL || b->request_alloc < request_alloc)) {
		buffer_free(&b->request, b->request_alloc);
		b->request_alloc = request_alloc;
		kr = buffer_alloc(&b->request, request_alloc);
	}
	if (kr != KERN_SUCCESS) {
		buffers_free(b);
		b->request_alloc = b->reply_alloc = 0;
		return kr;
	}
	b->request_size = (options & MACH_RCV_LARGE) ? b->request_alloc
	                                             : max_size + b->trailer_alloc;
	return KERN_SUCCESS;
}

/*
 * mach_msg_server_once is typically called in a loop; each thread keeps its
 * two buffers between calls so the loop allocates nothing per request. A
 * nested call (from inside a demux) finds the cache busy and uses its own.
 */
struct buffer_cache {
	struct serve_buffers bufs;
	int                  busy;
	int                  registered;
};

#define BUFFER_CACHE_LIMIT ((mach_msg_size_t)1 << 20)

static _Thread_local struct buffer_cache tls_cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_key_ok;

static void cache_thread_exit(void *value)
{
	(void)value;
	if (!tls_cache.busy)
		buffers_free(&tls_cache.bufs);
}

static void cache_init(void)
{
	cache_key_ok = pthread_key_create(&cache_key, cache_thread_exit) == 0;
}

static struct serve_buffers *cache_take(void)
{
	(void)pthread_once(&cache_once, cache_init);
	if (tls_cache.busy)
		return NULL;
	tls_cache.busy = 1;
	if (!tls_cache.registered && cache_key_ok)
		tls_cache.registered = pthread_setspecific(cache_key, &tls_cache) == 0;
	return &tls_cache.bufs;
}

static void cache_give_back(struct serve_buffers *b)
{
	if (b->request_alloc + b->reply_alloc > BUFFER_CACHE_LIMIT || !tls_cache.registered)
		buffers_free(b);
	tls_cache.busy = 0;
}

/* A message too large for the buffer stayed queued; make room for it and its trailer. */
static kern_return_t buffers_grow(struct serve_buffers *b, mach_msg_size_t needed, int same_size)
{
	mach_msg_size_t alloc = machgen_round_page(needed + b->trailer_alloc);
	kern_return_t kr;

	buffer_free(&b->request, b->request_alloc);
	b->request_alloc = alloc;
	b->request_size = alloc;
	kr = buffer_alloc(&b->request, alloc);
	if (kr == KERN_SUCCESS && same_size) {
		buffer_free(&b->reply, b->reply_alloc);
		b->reply_alloc = alloc;
		kr = buffer_alloc(&b->reply, alloc);
	}
	return kr;
}

static mach_msg_return_t receive_request(struct serve_buffers *b, mach_port_t rcv_name,
                                         mach_msg_options_t options, int same_size)
{
	for (;;) {
		mach_msg_return_t mr = mach_msg(&b->request->Head, MACH_RCV_MSG | options, 0,
		                                b->request_size, rcv_name, MACH_MSG_TIMEOUT_NONE,
		                                MACH_PORT_NULL);
		kern_return_t kr;

		if (mr != MACH_RCV_TOO_LARGE || !(options & MACH_RCV_LARGE))
			return mr;
		kr = buffers_grow(b, b->request->Head.msgh_size, same_size);
		if (kr != KERN_SUCCESS)
			return kr;
	}
}

/* A complex reply is a success: its RetCode slot holds the descriptor count. */
static kern_return_t reply_return_code(const mig_reply_error_t *reply)
{
	if (MACH_MSGH_BITS_IS_COMPLEX(reply->Head.msgh_bits))
		return KERN_SUCCESS;
	return reply->RetCode;
}

/* Runs the demux and applies the ownership contract to the request. */
static void dispatch(mig_reply_error_t *request, mig_reply_error_t *reply, demux_fn demux)
{
	memset(reply, 0, sizeof(*reply));
	(void)demux(&request->Head, &reply->Head);

	switch (reply_return_code(reply)) {
	case KERN_SUCCESS:
		break;
	case MIG_NO_REPLY:
		reply->Head.msgh_remote_port = MACH_PORT_NULL;
		break;
	default:
		/* the reply right now lives in the reply; keep it out of the destroy */
		request->Head.msgh_remote_port = MACH_PORT_NULL;
		mach_msg_destroy(&request->Head);
		break;
	}
}

/* Errors after which the reply was not consumed by the send and is still ours. */
static int is_recoverable_send_error(mach_msg_return_t mr)
{
	return mr == MACH_SEND_INVALID_DEST || mr == MACH_SEND_TIMED_OUT ||
	       mr == MACH_SEND_INTERRUPTED;
}

static int is_send_error(mach_msg_return_t mr)
{
	return mr != MACH_MSG_SUCCESS && err_get_system(mr) == err_get_system(err_mach_ipc) &&
	       err_get_sub(mr) == 0;
}

/* Releases an unsent reply, including the reply-port right the header carries. */
static void consume_unsent(mach_msg_header_t *hdr)
{
	mach_port_t local = hdr->msgh_local_port;

	if (MACH_PORT_VALID(local)) {
		mach_msg_type_name_t disp = MACH_MSGH_BITS_LOCAL(hdr->msgh_bits);

		if (disp == MACH_MSG_TYPE_MOVE_SEND || disp == MACH_MSG_TYPE_MOVE_SEND_ONCE) {
			(void)mach_port_deallocate(mach_task_self(), local);
			hdr->msgh_local_port = MACH_PORT_NULL;
		}
	}
	mach_msg_destroy(hdr);
}

/*
 * The reply is sent with a zero send timeout: a client that stopped
 * receiving (full queue) must not block the server. A send-once reply never
 * waits anyway.
 */
static mach_msg_return_t send_reply(mig_reply_error_t *reply, mach_msg_options_t options)
{
	mach_msg_return_t mr = mach_msg(&reply->Head,
	                                MACH_SEND_MSG | MACH_SEND_TIMEOUT | send_options(options),
	                                reply->Head.msgh_size, 0, MACH_PORT_NULL,
	                                MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);

	if (is_recoverable_send_error(mr)) {
		consume_unsent(&reply->Head);
		mr = MACH_MSG_SUCCESS;
	}
	return mr;
}

static mach_msg_options_t caller_options(mach_msg_options_t options)
{
	return options & ~(MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_VOUCHER);
}

mach_msg_return_t mach_msg_server_once(demux_fn demux, mach_msg_size_t max_size,
                                       mach_port_t rcv_name, mach_msg_options_t options)
{
	struct serve_buffers own;
	struct serve_buffers *b = cache_take();
	mach_msg_return_t mr;
	kern_return_t kr;

	if (b == NULL) {
		memset(&own, 0, sizeof(own));
		b = &own;
	}
	options = caller_options(options);
	kr = buffers_prepare(b, max_size, options, 0);
	if (kr != KERN_SUCCESS) {
		mr = kr;
	} else {
		mr = receive_request(b, rcv_name, options, 0);
		if (mr == MACH_MSG_SUCCESS) {
			dispatch(b->request, b->reply, demux);
			if (b->reply->Head.msgh_remote_port != MACH_PORT_NULL)
				mr = send_reply(b->reply, options);
		}
	}
	if (b == &own)
		buffers_free(b);
	else
		cache_give_back(b);
	return mr;
}

/*
 * Replies and the next receive go through one combined mach_msg call (one
 * round trip on backends where mach_msg is remote). Both buffers have the
 * same size and swap roles after each combined call.
 */
mach_msg_return_t mach_msg_server(demux_fn demux, mach_msg_size_t max_size,
                                  mach_port_t rcv_name, mach_msg_options_t options)
{
	struct serve_buffers b;
	mach_msg_return_t mr;
	kern_return_t kr;

	options = caller_options(options);
	memset(&b, 0, sizeof(b));
	kr = buffers_prepare(&b, max_size, options, 1);
	if (kr != KERN_SUCCESS)
		return kr;

	mr = receive_request(&b, rcv_name, options, 1);
	while (mr == MACH_MSG_SUCCESS) {
		mig_reply_error_t *sent;

		dispatch(b.request, b.reply, demux);
		if (b.reply->Head.msgh_remote_port == MACH_PORT_NULL) {
			mr = receive_request(&b, rcv_name, options, 1);
			continue;
		}
		sent = b.reply;
		mr = mach_msg(&sent->Head, MACH_SEND_MSG | MACH_SEND_TIMEOUT | MACH_RCV_MSG | options,
		              sent->Head.msgh_size, b.request_size, rcv_name, MACH_MSG_TIMEOUT_NONE,
		              MACH_PORT_NULL);
		/* whatever was received is in the buffer we sent from */
		b.reply = b.request;
		b.request = sent;

		if (mr == MACH_MSG_SUCCESS)
			continue;
		if (is_send_error(mr)) {
			if (!is_recoverable_send_error(mr))
				break;
			consume_unsent(&sent->Head);
			mr = receive_request(&b, rcv_name, options, 1);
			continue;
		}
		if (mr == MACH_RCV_TOO_LARGE && (options & MACH_RCV_LARGE)) {
			kr = buffers_grow(&b, sent->Head.msgh_size, 1);
			mr = kr == KERN_SUCCESS ? receive_request(&b, rcv_name, options, 1) : kr;
		}
	}
	buffers_free(&b);
	return mr;
}

mach_msg_return_t mach_msg_server_importance(demux_fn demux, mach_msg_size_t max_size,
                                             mach_port_t rcv_name, mach_msg_options_t options)
{
	return mach_msg_server(demux, max_size, rcv_name, options);
}

mach_msg_return_t mach_msg_send(mach_msg_header_t *msg)
{
	return mach_msg(msg, MACH_SEND_MSG, msg->msgh_size, 0, MACH_PORT_NULL,
	                MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
}

mach_msg_return_t mach_msg_receive(mach_msg_header_t *msg)
{
	return mach_msg(msg, MACH_RCV_MSG, 0, msg->msgh_size, msg->msgh_local_port,
	                MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
}

#endif
