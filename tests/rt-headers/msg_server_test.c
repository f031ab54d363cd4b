/* mach_msg_server_once / mach_msg_server: the MIG ownership contract, through scripted messages. */
#include "fake_backend.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define ANY ~0u
#define RCV_PORT    0x100u
#define REPLY_RIGHT 0x200u /* send-once right the request delivered */
#define CARRIED     0x500u /* send right carried in the request */

#pragma pack(push, 4)
struct request {
	mach_msg_header_t          head;
	mach_msg_body_t            body;
	mach_msg_port_descriptor_t port;
	NDR_record_t               ndr;
	int                        value;
};

struct ok_reply {
	mach_msg_header_t head;
	NDR_record_t      ndr;
	kern_return_t     ret;
	int               result;
};

struct complex_reply {
	mach_msg_header_t          head;
	mach_msg_body_t            body;
	mach_msg_port_descriptor_t port;
};
#pragma pack(pop)

static kern_return_t routine_result; /* what the fake routine returns */
static int demux_calls;

static void setup(void)
{
	fake_reset();
	routine_result = KERN_SUCCESS;
	demux_calls = 0;
}

TestSuite(serve, .init = setup);

static void queue_request(int id, mach_port_t reply_right)
{
	struct request r;

	memset(&r, 0, sizeof(r));
	r.head.msgh_bits = MACH_MSGH_BITS_COMPLEX |
	                   MACH_MSGH_BITS(reply_right ? MACH_MSG_TYPE_PORT_SEND_ONCE : 0,
	                                  MACH_MSG_TYPE_PORT_SEND);
	r.head.msgh_size = sizeof(r);
	r.head.msgh_remote_port = reply_right;
	r.head.msgh_local_port = RCV_PORT;
	r.head.msgh_id = id;
	r.body.msgh_descriptor_count = 1;
	r.port.name = CARRIED;
	r.port.disposition = MACH_MSG_TYPE_PORT_SEND;
	r.port.type = MACH_MSG_PORT_DESCRIPTOR;
	r.ndr = NDR_record;
	r.value = 41;
	fake_queue_incoming(&r, sizeof(r));
}

/* Shaped like a generated demux: prefill the error reply, then run the "routine". */
static boolean_t demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	mig_reply_error_t *err = (mig_reply_error_t *)(void *)out;
	const struct request *req = (const struct request *)(const void *)in;

	demux_calls++;
	out->msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in->msgh_bits), 0);
	out->msgh_remote_port = in->msgh_remote_port;
	out->msgh_local_port = MACH_PORT_NULL;
	out->msgh_size = sizeof(mig_reply_error_t);
	out->msgh_id = in->msgh_id + 100;
	err->NDR = NDR_record;
	if (in->msgh_id != 1000 && in->msgh_id != 1001) {
		err->RetCode = MIG_BAD_ID;
		return FALSE;
	}
	err->RetCode = routine_result;
	if (routine_result == KERN_SUCCESS) {
		struct ok_reply *ok = (struct ok_reply *)(void *)out;

		ok->result = req->value + 1;
		out->msgh_size = sizeof(*ok);
	}
	return TRUE;
}

/* Replies with a port descriptor (MAKE_SEND) so an unsent reply has a right to undo. */
static boolean_t complex_demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	struct complex_reply *r = (struct complex_reply *)(void *)out;

	demux_calls++;
	out->msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in->msgh_bits), 0);
	out->msgh_remote_port = in->msgh_remote_port;
	out->msgh_size = sizeof(*r);
	out->msgh_id = in->msgh_id + 100;
	r->body.msgh_descriptor_count = 1;
	r->port.name = 0x900;
	r->port.disposition = MACH_MSG_TYPE_MAKE_SEND;
	r->port.type = MACH_MSG_PORT_DESCRIPTOR;
	return TRUE;
}

Test(serve, success_sends_reply_and_leaves_request_rights_to_the_routine)
{
	const struct ok_reply *reply;

	queue_request(1000, REPLY_RIGHT);
	cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(demux_calls, 1);
	cr_assert_eq(fake_sent_count(), 1);
	reply = (const struct ok_reply *)(const void *)fake_sent_at(0)->bytes;
	cr_assert_eq(fake_sent_at(0)->option, MACH_SEND_MSG | MACH_SEND_TIMEOUT);
	cr_assert_eq(fake_sent_at(0)->size, sizeof(struct ok_reply));
	cr_assert_eq(reply->head.msgh_remote_port, REPLY_RIGHT);
	cr_assert_eq(MACH_MSGH_BITS_REMOTE(reply->head.msgh_bits), MACH_MSG_TYPE_MOVE_SEND_ONCE);
	cr_assert_eq(reply->head.msgh_id, 1100);
	cr_assert_eq(reply->result, 42);
	cr_assert_eq(fake_count(FAKE_DEALLOC, ANY), 0, "success: request rights belong to the routine");
	cr_assert_eq(fake_count(FAKE_MOD_REFS, ANY), 0);
	cr_assert_eq(fake_vm_live(), 2, "the thread keeps its two server buffers for the next call");
}

Test(serve, error_reply_destroys_request_but_keeps_reply_right)
{
	const mig_reply_error_t *reply;

	routine_result = KERN_INVALID_ARGUMENT;
	queue_request(1000, REPLY_RIGHT);
	cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(fake_count(FAKE_DEALLOC, CARRIED), 1, "carried send right released by the loop");
	cr_assert_eq(fake_count(FAKE_DEALLOC, REPLY_RIGHT), 0, "reply right survives for the reply");
	cr_assert_eq(fake_sent_count(), 1);
	reply = (const mig_reply_error_t *)(const void *)fake_sent_at(0)->bytes;
	cr_assert_eq(fake_sent_at(0)->size, 36);
	cr_assert_eq(reply->RetCode, KERN_INVALID_ARGUMENT);
	cr_assert_eq(reply->Head.msgh_remote_port, REPLY_RIGHT);
	cr_assert_eq(memcmp(&reply->NDR, &NDR_record, sizeof(NDR_record)), 0);
}

Test(serve, unknown_id_gets_bad_id_reply_and_request_destroyed)
{
	const mig_reply_error_t *reply;

	queue_request(4242, REPLY_RIGHT);
	cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	reply = (const mig_reply_error_t *)(const void *)fake_sent_at(0)->bytes;
	cr_assert_eq(reply->RetCode, MIG_BAD_ID);
	cr_assert_eq(reply->Head.msgh_id, 4342);
	cr_assert_eq(fake_count(FAKE_DEALLOC, CARRIED), 1);
}

Test(serve, mig_no_reply_sends_nothing_and_destroys_nothing)
{
	routine_result = MIG_NO_REPLY;
	queue_request(1000, REPLY_RIGHT);
	cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(fake_sent_count(), 0);
	cr_assert_eq(fake_count(FAKE_DEALLOC, ANY), 0, "the routine kept the reply right and the request");
}

Test(serve, request_without_reply_port_gets_no_reply)
{
	routine_result = KERN_FAILURE;
	queue_request(1000, MACH_PORT_NULL);
	cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(fake_sent_count(), 0);
	cr_assert_eq(fake_count(FAKE_DEALLOC, CARRIED), 1, "error still destroys the request");
}

Test(serve, recoverable_send_failure_consumes_the_unsent_reply)
{
	queue_request(1000, REPLY_RIGHT);
	fake_fail_next_send(MACH_SEND_INVALID_DEST);
	cr_assert_eq(mach_msg_server_once(complex_demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(fake_sent_count(), 1);
	/* the reply's MAKE_SEND is undone: a send right is made, then released */
	cr_assert_eq(fake_count(FAKE_INSERT_RIGHT, 0x900), 1);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x900), 1);
	/* the reply right is move-send-once in the unsent reply's header: released */
	cr_assert_eq(fake_count(FAKE_DEALLOC, REPLY_RIGHT), 1);
}

Test(serve, send_timeout_is_recoverable_too)
{
	queue_request(1000, REPLY_RIGHT);
	fake_fail_next_send(MACH_SEND_TIMED_OUT);
	cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(fake_count(FAKE_DEALLOC, REPLY_RIGHT), 1);
}

Test(serve, unrecoverable_send_failure_is_returned)
{
	queue_request(1000, REPLY_RIGHT);
	fake_fail_next_send(MACH_SEND_INVALID_HEADER);
	cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, 0), MACH_SEND_INVALID_HEADER);
	cr_assert_eq(fake_count(FAKE_DEALLOC, ANY), 0);
}

Test(serve, receive_requests_caller_trailer_and_sizes_buffer)
{
	mach_msg_options_t opts = MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) |
	                          MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT);

	queue_request(1000, REPLY_RIGHT);
	cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, opts), MACH_MSG_SUCCESS);
	cr_assert_eq(fake_rcv_count(), 1);
	cr_assert_eq(fake_rcv_at(0)->option, MACH_RCV_MSG | opts);
	cr_assert_eq(fake_rcv_at(0)->rcv_size, 256 + 52);
	cr_assert_eq(fake_rcv_at(0)->rcv_name, RCV_PORT);
	/* trailer bits never reach the send */
	cr_assert_eq(fake_sent_at(0)->option, MACH_SEND_MSG | MACH_SEND_TIMEOUT);
}

Test(serve, too_large_without_rcv_large_is_an_error)
{
	queue_request(1000, REPLY_RIGHT);
	cr_assert_eq(mach_msg_server_once(demux, 32, RCV_PORT, 0), MACH_RCV_TOO_LARGE);
	cr_assert_eq(demux_calls, 0);
	cr_assert_eq(fake_vm_live(), 2, "buffers cached even after a receive error");
}

Test(serve, rcv_large_grows_the_buffer_and_serves_the_message)
{
	static unsigned char big[9000];
	struct request *r = (struct request *)(void *)big;

	memset(big, 0, sizeof(big));
	r->head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND);
	r->head.msgh_size = sizeof(big);
	r->head.msgh_remote_port = REPLY_RIGHT;
	r->head.msgh_id = 1000;
	r->value = 9;
	fake_queue_incoming(big, sizeof(big));
	cr_assert_eq(mach_msg_server_once(demux, 64, RCV_PORT, MACH_RCV_LARGE), MACH_MSG_SUCCESS);
	cr_assert_eq(demux_calls, 1);
	cr_assert_eq(fake_rcv_count(), 2, "first receive reports the size, second gets the message");
	cr_assert_geq(fake_rcv_at(1)->rcv_size, sizeof(big) + sizeof(mach_msg_trailer_t));
	cr_assert_eq(((const struct ok_reply *)(const void *)fake_sent_at(0)->bytes)->result, 10);
	cr_assert_eq(fake_vm_live(), 2, "grown request buffer and reply buffer cached");
}

Test(serve, loop_serves_until_receive_error_with_combined_send_receive)
{
	queue_request(1000, REPLY_RIGHT);
	queue_request(1001, REPLY_RIGHT + 4);
	routine_result = KERN_SUCCESS;
	/* the fake's receive returns MACH_RCV_TIMED_OUT once the queue is empty */
	cr_assert_eq(mach_msg_server(demux, 256, RCV_PORT, 0), MACH_RCV_TIMED_OUT);
	cr_assert_eq(demux_calls, 2);
	cr_assert_eq(fake_sent_count(), 2);
	cr_assert_eq(fake_sent_at(0)->option, MACH_SEND_MSG | MACH_SEND_TIMEOUT | MACH_RCV_MSG);
	cr_assert_eq(((const mach_msg_header_t *)(const void *)fake_sent_at(1)->bytes)->msgh_remote_port,
	             REPLY_RIGHT + 4);
	cr_assert_eq(((const mach_msg_header_t *)(const void *)fake_sent_at(1)->bytes)->msgh_id, 1101);
	cr_assert_eq(fake_vm_live(), 0);
}

Test(serve, loop_recovers_from_send_failure_and_keeps_serving)
{
	queue_request(1000, REPLY_RIGHT);
	queue_request(1001, REPLY_RIGHT + 4);
	fake_fail_next_send(MACH_SEND_INVALID_DEST);
	cr_assert_eq(mach_msg_server(demux, 256, RCV_PORT, 0), MACH_RCV_TIMED_OUT);
	cr_assert_eq(demux_calls, 2);
	cr_assert_eq(fake_count(FAKE_DEALLOC, REPLY_RIGHT), 1, "first, unsent reply consumed");
	cr_assert_eq(fake_count(FAKE_DEALLOC, REPLY_RIGHT + 4), 0, "second reply was delivered");
}

Test(serve, mach_msg_send_and_receive_use_header_fields)
{
	mach_msg_header_t h;

	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_remote_port = 0x700;
	h.msgh_size = sizeof(h);
	cr_assert_eq(mach_msg_send(&h), MACH_MSG_SUCCESS);
	cr_assert_eq(fake_sent_at(0)->option, MACH_SEND_MSG);
	cr_assert_eq(fake_sent_at(0)->size, sizeof(h));
	h.msgh_local_port = RCV_PORT;
	h.msgh_size = 128;
	cr_assert_eq(mach_msg_receive(&h), MACH_RCV_TIMED_OUT);
	cr_assert_eq(fake_rcv_at(0)->rcv_size, 128);
	cr_assert_eq(fake_rcv_at(0)->rcv_name, RCV_PORT);
}

Test(serve, loop_grows_buffers_for_a_large_request_after_a_combined_reply)
{
	static unsigned char big[6000];
	struct request *r = (struct request *)(void *)big;

	queue_request(1000, REPLY_RIGHT);
	memset(big, 0, sizeof(big));
	r->head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND);
	r->head.msgh_size = sizeof(big);
	r->head.msgh_remote_port = REPLY_RIGHT + 8;
	r->head.msgh_id = 1001;
	r->value = 99;
	fake_queue_incoming(big, sizeof(big));

	cr_assert_eq(mach_msg_server(demux, 64, RCV_PORT, MACH_RCV_LARGE), MACH_RCV_TIMED_OUT);
	cr_assert_eq(demux_calls, 2);
	cr_assert_eq(fake_sent_count(), 2);
	cr_assert_eq(((const struct ok_reply *)(const void *)fake_sent_at(1)->bytes)->result, 100);
	/* receive, combined (too large), grown receive, combined (timed out) */
	cr_assert_eq(fake_rcv_count(), 4);
	cr_assert_lt(fake_rcv_at(1)->rcv_size, sizeof(big));
	cr_assert_geq(fake_rcv_at(2)->rcv_size, sizeof(big) + sizeof(mach_msg_trailer_t));
	cr_assert_eq(fake_vm_live(), 0);
}

Test(serve, loop_stops_on_unrecoverable_send_error)
{
	queue_request(1000, REPLY_RIGHT);
	queue_request(1001, REPLY_RIGHT + 4);
	fake_fail_next_send(MACH_SEND_INVALID_RIGHT);
	cr_assert_eq(mach_msg_server(demux, 256, RCV_PORT, 0), MACH_SEND_INVALID_RIGHT);
	cr_assert_eq(demux_calls, 1);
	cr_assert_eq(fake_vm_live(), 0);
}

Test(serve, repeated_server_once_allocates_only_for_the_first_request)
{
	int i;

	for (i = 0; i < 5; i++)
		queue_request(1000, REPLY_RIGHT + 4 * (mach_port_t)i);
	for (i = 0; i < 5; i++)
		cr_assert_eq(mach_msg_server_once(demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(fake_sent_count(), 5);
	cr_assert_eq(fake_vm_allocs(), 2, "request and reply buffer allocated once");
	cr_assert_eq(fake_vm_live(), 2);
}

static void *serve_one_in_thread(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)mach_msg_server_once(demux, 256, RCV_PORT, 0);
}

Test(serve, thread_exit_releases_the_cached_buffers)
{
	pthread_t t;
	void *mr;

	queue_request(1000, REPLY_RIGHT);
	cr_assert_eq(pthread_create(&t, NULL, serve_one_in_thread, NULL), 0);
	cr_assert_eq(pthread_join(t, &mr), 0);
	cr_assert_eq((intptr_t)mr, MACH_MSG_SUCCESS);
	cr_assert_eq(fake_vm_allocs(), 2);
	cr_assert_eq(fake_vm_live(), 0, "buffers unmapped when the thread ended");
}

static mach_msg_return_t inner_result;

/* Serves a nested request from inside the demux: the outer call's buffers are busy. */
static boolean_t nesting_demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	if (in->msgh_id == 1000)
		inner_result = mach_msg_server_once(demux, 256, RCV_PORT, 0);
	return demux(in, out);
}

Test(serve, nested_server_once_uses_its_own_buffers)
{
	const struct ok_reply *outer;

	queue_request(1000, REPLY_RIGHT);
	queue_request(1001, REPLY_RIGHT + 4);
	cr_assert_eq(mach_msg_server_once(nesting_demux, 256, RCV_PORT, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(inner_result, MACH_MSG_SUCCESS);
	cr_assert_eq(fake_sent_count(), 2);
	/* inner reply went out first; the outer reply is intact */
	outer = (const struct ok_reply *)(const void *)fake_sent_at(1)->bytes;
	cr_assert_eq(outer->head.msgh_id, 1100);
	cr_assert_eq(outer->head.msgh_remote_port, REPLY_RIGHT);
	cr_assert_eq(outer->result, 42);
	cr_assert_eq(fake_vm_allocs(), 4);
	cr_assert_eq(fake_vm_live(), 2, "nested buffers freed, outer ones cached");
}

Test(serve, importance_variant_serves_like_the_loop)
{
	queue_request(1000, REPLY_RIGHT);
	cr_assert_eq(mach_msg_server_importance(demux, 256, RCV_PORT, 0), MACH_RCV_TIMED_OUT);
	cr_assert_eq(demux_calls, 1);
	cr_assert_eq(fake_sent_count(), 1);
}
