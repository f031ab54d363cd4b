/* mach_msg receive side: the received header for each disposition (the
 * local/remote swap), trailers for each MACH_RCV_TRAILER_ELEMENTS value,
 * sequence numbers and MACH_RCV_TOO_LARGE with and without MACH_RCV_LARGE,
 * as XNU's osfmk/ipc/mach_msg.c, ipc_mqueue.c and ipc_kmsg.c define them. */
#include "conf.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

TestSuite(conf_receive, .init = conf_broker_start, .fini = conf_broker_stop);

Test(conf_receive, header_for_each_destination_disposition)
{
	static const struct {
		mach_msg_type_name_t sent, seen;
	} cases[] = {
		{MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_PORT_SEND},
		{MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_PORT_SEND},
		{MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND_ONCE},
	};
	mach_port_t p = conf_port();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		conf_rcv in;
		cr_assert_eq(conf_send(p, cases[i].sent, 0, 0, (int32_t)i), MACH_MSG_SUCCESS);
		cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
		cr_expect_eq(in.msg.head.msgh_bits, MACH_MSGH_BITS(0, cases[i].seen), "case %zu: %#x", i,
		             in.msg.head.msgh_bits);
		cr_expect_eq(in.msg.head.msgh_local_port, p);
		cr_expect_eq(in.msg.head.msgh_remote_port, MACH_PORT_NULL);
		cr_expect_eq(in.msg.head.msgh_voucher_port, MACH_PORT_NULL);
		cr_expect_eq(in.msg.head.msgh_id, 1000 + (int32_t)i);
		cr_expect_eq(in.msg.head.msgh_size, sizeof(conf_msg));
		cr_expect_eq(in.msg.value, (int32_t)i);
	}
	/* MOVE_SEND gives the right away; the receive right's name still gets it */
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_MOVE_SEND, 0, 0, 9), MACH_MSG_SUCCESS);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_RECEIVE);
	conf_rcv in;
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_bits, MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND));
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_RECEIVE, "the destination right is consumed");
}

Test(conf_receive, reply_rights_swap_into_remote)
{
	mach_port_t p = conf_port(), r = conf_port(), r2 = conf_receive_right();
	conf_rcv in;
	/* reply made from our receive right: the same name comes back */
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, r, MACH_MSG_TYPE_MAKE_SEND, 1),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_bits,
	             MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND));
	cr_expect_eq(in.msg.head.msgh_remote_port, r);
	cr_expect_eq(in.msg.head.msgh_local_port, p);
	cr_expect_eq(conf_refs(r, MACH_PORT_RIGHT_SEND), 2);
	cr_expect_eq(conf_status(r).mps_mscount, 2);

	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, r, MACH_MSG_TYPE_COPY_SEND, 2),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(MACH_MSGH_BITS_REMOTE(in.msg.head.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
	cr_expect_eq(conf_refs(r, MACH_PORT_RIGHT_SEND), 3);

	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, r, MACH_MSG_TYPE_MOVE_SEND, 3),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(conf_refs(r, MACH_PORT_RIGHT_SEND), 3);

	/* send-once replies get names of their own */
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, r2, MACH_MSG_TYPE_MAKE_SEND_ONCE, 4),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_bits,
	             MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND));
	cr_expect_neq(in.msg.head.msgh_remote_port, r2);
	cr_expect_eq(conf_type(in.msg.head.msgh_remote_port), MACH_PORT_TYPE_SEND_ONCE);
	cr_expect_eq(conf_status(r2).mps_sorights, 1);
}

Test(conf_receive, trailer_sizes_and_contents)
{
	static const struct {
		unsigned elements;
		mach_msg_size_t size;
	} cases[] = {
		{MACH_RCV_TRAILER_NULL, sizeof(mach_msg_trailer_t)},
		{MACH_RCV_TRAILER_SEQNO, sizeof(mach_msg_seqno_trailer_t)},
		{MACH_RCV_TRAILER_SENDER, sizeof(mach_msg_security_trailer_t)},
		{MACH_RCV_TRAILER_AUDIT, sizeof(mach_msg_audit_trailer_t)},
		{MACH_RCV_TRAILER_CTX, sizeof(mach_msg_context_trailer_t)},
		{5, sizeof(mach_msg_max_trailer_t)},
		{6, sizeof(mach_msg_max_trailer_t)},
		{MACH_RCV_TRAILER_AV, sizeof(mach_msg_mac_trailer_t)},
		{MACH_RCV_TRAILER_LABELS, sizeof(mach_msg_max_trailer_t)},
	};
	cr_assert_eq(sizeof(mach_msg_trailer_t), 8);
	cr_assert_eq(sizeof(mach_msg_seqno_trailer_t), 12);
	cr_assert_eq(sizeof(mach_msg_security_trailer_t), 20);
	cr_assert_eq(sizeof(mach_msg_audit_trailer_t), 52);
	cr_assert_eq(sizeof(mach_msg_context_trailer_t), 60);
	cr_assert_eq(sizeof(mach_msg_mac_trailer_t), 68);
	cr_assert_eq(sizeof(mach_msg_max_trailer_t), 68);
	mach_port_t p = conf_port();
	cr_assert_eq(mach_port_set_context(SELF, p, (mach_port_context_t)0x1122334455667788ull),
	             KERN_SUCCESS);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		conf_rcv in;
		cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, (int32_t)i), MACH_MSG_SUCCESS);
		memset(&in, 0xee, sizeof in);
		cr_assert_eq(mach_msg(&in.msg.head,
		                      MACH_RCV_MSG | MACH_RCV_TIMEOUT |
		                          MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) |
		                          MACH_RCV_TRAILER_ELEMENTS(cases[i].elements),
		                      0, sizeof in, p, 0, MACH_PORT_NULL),
		             MACH_MSG_SUCCESS);
		mach_msg_max_trailer_t *t = &in.trailer;
		cr_expect_eq(in.msg.head.msgh_size, sizeof(conf_msg), "the size excludes the trailer");
		cr_expect_eq(t->msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
		cr_expect_eq(t->msgh_trailer_size, cases[i].size, "elements %u: %u", cases[i].elements,
		             t->msgh_trailer_size);
		if (cases[i].size >= 12)
			cr_expect_eq(t->msgh_seqno, (mach_port_seqno_t)i);
		if (cases[i].size >= 20) {
			cr_expect_eq(t->msgh_sender.val[0], geteuid());
			cr_expect_eq(t->msgh_sender.val[1], getegid());
		}
		if (cases[i].size >= 52) {
			cr_expect_eq(t->msgh_audit.val[1], geteuid());
			cr_expect_eq(t->msgh_audit.val[2], getegid());
			cr_expect_eq(t->msgh_audit.val[3], getuid());
			cr_expect_eq(t->msgh_audit.val[4], getgid());
			cr_expect_eq(t->msgh_audit.val[5], (unsigned)getpid());
		}
		if (cases[i].size >= 60)
			cr_expect_eq(t->msgh_context, (mach_port_context_t)0x1122334455667788ull);
		if (cases[i].size >= 68) {
			cr_expect_eq(t->msgh_ad, 0);
			cr_expect_eq(t->msgh_labels.sender, 0);
		}
		/* bytes past the requested trailer are left alone */
		if (cases[i].size < sizeof(mach_msg_max_trailer_t))
			cr_expect_eq(((unsigned char *)t)[cases[i].size], 0xee);
	}
}

Test(conf_receive, sequence_numbers)
{
	mach_port_t p = conf_port();
	for (int i = 0; i < 4; i++)
		cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, i), MACH_MSG_SUCCESS);
	for (int i = 0; i < 4; i++) {
		conf_rcv in;
		cr_assert_eq(conf_recv(p, &in, 0, MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO)),
		             MACH_MSG_SUCCESS);
		cr_expect_eq(in.trailer.msgh_seqno, (mach_port_seqno_t)i);
		cr_expect_eq(in.msg.value, i, "messages keep their order");
	}
	cr_expect_eq(conf_status(p).mps_seqno, 4);
}

Test(conf_receive, too_large_with_rcv_large_keeps_the_message)
{
	mach_port_t p = conf_port();
	conf_rcv in;
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 5), MACH_MSG_SUCCESS);
	memset(&in, 0, sizeof in);
	/* room for the message but not its trailer */
	cr_expect_eq(mach_msg(&in.msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_LARGE, 0,
	                      sizeof(conf_msg), p, 0, MACH_PORT_NULL),
	             MACH_RCV_TOO_LARGE);
	cr_expect_eq(in.msg.head.msgh_size, sizeof(conf_msg), "the size needed, trailer excluded");
	mach_port_status_t st = conf_status(p);
	cr_expect_eq(st.mps_msgcount, 1);
	cr_expect_eq(st.mps_seqno, 0, "no sequence number used");
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.value, 5);
}

Test(conf_receive, too_large_without_rcv_large_destroys_the_message)
{
	mach_port_t p = conf_port(), reply = conf_receive_right();
	conf_rcv in;
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, 6),
	             MACH_MSG_SUCCESS);
	memset(&in, 0, sizeof in);
	cr_expect_eq(mach_msg(&in.msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(conf_msg), p, 0,
	                      MACH_PORT_NULL),
	             MACH_RCV_TOO_LARGE);
	/* a bare header: the destination copied out, the reply destroyed but its
	 * type bits kept (ipc_kmsg_copyout_dest_to_user) */
	cr_expect_eq(in.msg.head.msgh_size, sizeof(mach_msg_header_t));
	cr_expect_eq(in.msg.head.msgh_local_port, p);
	cr_expect_eq(in.msg.head.msgh_remote_port, MACH_PORT_NULL);
	cr_expect_eq(in.msg.head.msgh_bits,
	             MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND));
	cr_expect_eq(in.msg.head.msgh_id, 1006);
	mach_port_status_t st = conf_status(p);
	cr_expect_eq(st.mps_msgcount, 0, "dequeued");
	cr_expect_eq(st.mps_seqno, 1, "and counted");
	cr_assert_eq(conf_recv(reply, &in, 2000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_id, MACH_NOTIFY_SEND_ONCE, "the reply right was destroyed");
	cr_expect_eq(conf_recv(p, &in, 0, 0), MACH_RCV_TIMED_OUT);
}

Test(conf_receive, timeout_and_empty_queue)
{
	mach_port_t p = conf_receive_right();
	conf_rcv in;
	cr_expect_eq(conf_recv(p, &in, 0, 0), MACH_RCV_TIMED_OUT);
	cr_expect_eq(conf_recv(p, &in, 50, 0), MACH_RCV_TIMED_OUT);
	/* rcv_size too small for even a header, nothing queued */
	cr_expect_eq(mach_msg(&in.msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 8, p, 0, MACH_PORT_NULL),
	             MACH_RCV_TIMED_OUT);
}

Test(conf_receive, rcv_large_writes_only_the_size)
{
	/* mach_msg_receive_too_large: only msgh_size is written (msgh_local_port
	 * only with MACH64_RCV_LARGE_IDENTITY), also through a port set */
	mach_port_t p = conf_port(), s;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_member(SELF, p, s), KERN_SUCCESS);
	cr_assert_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 5), MACH_MSG_SUCCESS);
	conf_rcv in;
	memset(&in, 0xaa, sizeof in);
	cr_expect_eq(mach_msg(&in.msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_LARGE, 0,
	                      sizeof(mach_msg_header_t), s, 0, MACH_PORT_NULL),
	             MACH_RCV_TOO_LARGE);
	cr_expect_eq(in.msg.head.msgh_size, sizeof(conf_msg));
	cr_expect_eq(in.msg.head.msgh_bits, 0xaaaaaaaau);
	cr_expect_eq(in.msg.head.msgh_local_port, 0xaaaaaaaau);
	cr_expect_eq(in.msg.head.msgh_remote_port, 0xaaaaaaaau);
	cr_expect_eq((uint32_t)in.msg.head.msgh_id, 0xaaaaaaaau);
	cr_expect_eq((uint32_t)in.msg.value, 0xaaaaaaaau, "nothing past the buffer either");
}

Test(conf_receive, voucher_field_round_trips_without_a_voucher)
{
	/* ipc_kmsg_copyin_header_validate: with no voucher disposition the
	 * field is reserved and its value reaches the receiver unchanged */
	mach_port_t p = conf_port();
	conf_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_remote_port = p;
	m.head.msgh_voucher_port = 0x1234;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	conf_rcv in;
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_voucher_port, 0x1234);
	cr_expect_eq(MACH_MSGH_BITS_VOUCHER(in.msg.head.msgh_bits), 0);
}

Test(conf_receive, too_large_destroys_carried_rights)
{
	mach_port_t q = conf_port(), p = conf_receive_right(), n = conf_receive_right(), prev;
	conf_port_msg m;
	conf_port_msg_init(&m, q, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, p, MACH_MSG_TYPE_MAKE_SEND);
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(mach_port_request_notification(SELF, p, MACH_NOTIFY_NO_SENDERS, 0, n,
	                                            MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	conf_rcv in;
	memset(&in, 0, sizeof in);
	cr_expect_eq(mach_msg(&in.msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(mach_msg_header_t),
	                      q, 0, MACH_PORT_NULL),
	             MACH_RCV_TOO_LARGE);
	cr_expect_eq(in.msg.head.msgh_bits,
	             MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND),
	             "the complex bit stays: %#x", in.msg.head.msgh_bits);
	cr_assert_eq(conf_recv(n, &in, 2000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_id, MACH_NOTIFY_NO_SENDERS, "the carried send right was destroyed");
}

Test(conf_receive, combined_send_and_receive)
{
	mach_port_t p = conf_port(), r = conf_receive_right();
	conf_rcv buf;
	memset(&buf, 0, sizeof buf);
	buf.msg.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	buf.msg.head.msgh_remote_port = 0x7f0f03;
	/* a failed send receives nothing */
	cr_expect_eq(mach_msg(&buf.msg.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                      sizeof(conf_msg), sizeof buf, r, 0, MACH_PORT_NULL),
	             MACH_SEND_INVALID_DEST);
	/* the send happens before the receive fails */
	buf.msg.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	buf.msg.head.msgh_remote_port = p;
	cr_expect_eq(mach_msg(&buf.msg.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                      sizeof(conf_msg), sizeof buf, 0x7f0f03, 0, MACH_PORT_NULL),
	             MACH_RCV_INVALID_NAME);
	cr_expect_eq(conf_status(p).mps_msgcount, 1);
	/* and a send to ourselves comes straight back */
	buf.msg.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	buf.msg.head.msgh_remote_port = p;
	buf.msg.value = 5;
	cr_expect_eq(mach_msg(&buf.msg.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                      sizeof(conf_msg), sizeof buf, p, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(conf_status(p).mps_msgcount, 1, "the older message was received");
}
