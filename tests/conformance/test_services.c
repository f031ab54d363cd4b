/* Bootstrap errors, mig_strncpy / mig_strncpy_zerofill return values
 * (Libsyscall's mig_strncpy.c), mach_error_string texts (Libsyscall's
 * err_*.sub tables) and out-of-line copy semantics. */
#include "conf.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

TestSuite(conf_bootstrap, .init = conf_broker_start, .fini = conf_broker_stop);
TestSuite(conf_mig);
TestSuite(conf_ool, .init = conf_broker_start, .fini = conf_broker_stop);

Test(conf_bootstrap, codes)
{
	cr_expect_eq(BOOTSTRAP_SUCCESS, 0);
	cr_expect_eq(BOOTSTRAP_NOT_PRIVILEGED, 1100);
	cr_expect_eq(BOOTSTRAP_NAME_IN_USE, 1101);
	cr_expect_eq(BOOTSTRAP_UNKNOWN_SERVICE, 1102);
	cr_expect_eq(BOOTSTRAP_SERVICE_ACTIVE, 1103);
	cr_expect_eq(BOOTSTRAP_BAD_COUNT, 1104);
	cr_expect_eq(BOOTSTRAP_NO_MEMORY, 1105);
	cr_expect_eq(BOOTSTRAP_NO_CHILDREN, 1106);
}

Test(conf_bootstrap, check_in_and_look_up)
{
	const char *name = conf_service_name("svc");
	mach_port_t p = MACH_PORT_NULL, q, s;
	cr_expect_eq(conf_look_up(name, &s), BOOTSTRAP_UNKNOWN_SERVICE);
	cr_assert_eq(conf_check_in(name, &p), KERN_SUCCESS);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_RECEIVE);
	cr_expect_eq(conf_check_in(name, &q), BOOTSTRAP_SERVICE_ACTIVE);
	cr_assert_eq(conf_look_up(name, &s), KERN_SUCCESS);
	cr_expect_eq(s, p, "our own service's send right joins our receive right's name");
	cr_expect_eq(conf_type(s), MACH_PORT_TYPE_SEND_RECEIVE);
	/* the service goes with its receive right */
	cr_assert_eq(mach_port_destroy(SELF, p), KERN_SUCCESS);
	cr_expect_eq(conf_look_up(name, &s), BOOTSTRAP_UNKNOWN_SERVICE);
}

Test(conf_mig, strncpy_return_values)
{
	char buf[16];
	memset(buf, 'x', sizeof buf);
	cr_expect_eq(mig_strncpy(buf, "abc", 10), 4, "characters copied with the NUL");
	cr_expect_str_eq(buf, "abc");
	cr_expect_eq(buf[4], 'x', "nothing written after the NUL");
	memset(buf, 'x', sizeof buf);
	cr_expect_eq(mig_strncpy(buf, "abcdef", 3), 3, "truncated: len");
	cr_expect_str_eq(buf, "ab");
	cr_expect_eq(mig_strncpy(buf, "abc", 0), 0);
	cr_expect_eq(mig_strncpy(buf, "abc", -2), 0);
	cr_expect_eq(mig_strncpy(buf, "", 5), 1);
	cr_expect_eq(mig_strncpy(buf, "abc", 1), 1);
	cr_expect_eq(buf[0], '\0');
}

Test(conf_mig, strncpy_zerofill_return_values)
{
	char buf[16];
	memset(buf, 'x', sizeof buf);
	cr_expect_eq(mig_strncpy_zerofill(buf, "abc", 10), 4);
	for (int i = 3; i < 10; i++)
		cr_expect_eq(buf[i], '\0', "byte %d zero-filled", i);
	cr_expect_eq(buf[10], 'x');
	memset(buf, 'x', sizeof buf);
	cr_expect_eq(mig_strncpy_zerofill(buf, "abcdef", 3), 3);
	cr_expect_str_eq(buf, "ab");
	cr_expect_eq(mig_strncpy_zerofill(buf, "abc", 0), 0);
	cr_expect_eq(mig_strncpy_zerofill(NULL, "abc", 4), 0);
	memset(buf, 'x', sizeof buf);
	cr_expect_eq(mig_strncpy_zerofill(buf, NULL, 4), 0, "a NULL source zero-fills");
	cr_expect_eq(memcmp(buf, "\0\0\0\0", 4), 0);
}

Test(conf_mig, error_strings)
{
	static const struct {
		mach_error_t code;
		const char *text;
	} cases[] = {
		{KERN_SUCCESS, "(os/kern) successful"},
		{KERN_INVALID_ARGUMENT, "(os/kern) invalid argument"},
		{KERN_NO_SPACE, "(os/kern) no space available"},
		{KERN_INVALID_NAME, "(os/kern) invalid name"},
		{KERN_INVALID_RIGHT, "(os/kern) invalid right"},
		{KERN_INVALID_VALUE, "(os/kern) invalid value"},
		{KERN_UREFS_OVERFLOW, "(os/kern) urefs overflow"},
		{KERN_NOT_SUPPORTED, "(os/kern) service not supported"},
		{KERN_OPERATION_TIMED_OUT, "(os/kern) operation timed out"},
		{KERN_NOT_FOUND, "(os/kern) result not found"},
		{MACH_SEND_INVALID_DEST, "(ipc/send) invalid destination port"},
		{MACH_SEND_TIMED_OUT, "(ipc/send) timed out"},
		{MACH_SEND_MSG_TOO_SMALL, "(ipc/send) msg too small"},
		{MACH_SEND_INVALID_RIGHT, "(ipc/send) invalid port right"},
		{MACH_SEND_INVALID_HEADER, "(ipc/send) invalid msg-header"},
		{MACH_SEND_INVALID_TYPE, "(ipc/send) invalid msg-type"},
		{MACH_SEND_TOO_LARGE, "(ipc/send) msg too large"},
		{MACH_RCV_INVALID_NAME, "(ipc/rcv) invalid name"},
		{MACH_RCV_TIMED_OUT, "(ipc/rcv) timed out"},
		{MACH_RCV_TOO_LARGE, "(ipc/rcv) msg too large"},
		{MACH_RCV_PORT_CHANGED, "(ipc/rcv) port changed"},
		{MACH_RCV_PORT_DIED, "(ipc/rcv) port died"},
		{MIG_TYPE_ERROR, "(ipc/mig) client type check failure"},
		{MIG_BAD_ID, "(ipc/mig) bad request message ID"},
		{MIG_ARRAY_TOO_LARGE, "(ipc/mig) array not large enough"},
		{MIG_SERVER_DIED, "(ipc/mig) server died"},
		/* Libsyscall has no table for these */
		{BOOTSTRAP_UNKNOWN_SERVICE, "unknown error code"},
		{MACH_SEND_INVALID_DEST | MACH_MSG_IPC_SPACE, "unknown error code"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_str_eq(mach_error_string(cases[i].code), cases[i].text, "code %#x",
		                 (unsigned)cases[i].code);
}

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
} ool_msg;

static mach_msg_return_t send_ool(mach_port_t dest, void *addr, mach_msg_size_t size,
                                  boolean_t dealloc, mach_msg_copy_options_t copy)
{
	ool_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_remote_port = dest;
	m.body.msgh_descriptor_count = 1;
	m.ool.address = addr;
	m.ool.size = size;
	m.ool.deallocate = dealloc;
	m.ool.copy = copy;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	return mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

Test(conf_ool, copies_are_snapshots)
{
	mach_port_t p = conf_port();
	vm_address_t a = 0;
	const vm_size_t size = 3 * vm_page_size;
	cr_assert_eq(vm_allocate(SELF, &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	memset((void *)a, 'A', size);
	cr_assert_eq(send_ool(p, (void *)a, (mach_msg_size_t)size, FALSE, MACH_MSG_VIRTUAL_COPY),
	             MACH_MSG_SUCCESS);
	memset((void *)a, 'B', size); /* after the send: the message keeps its copy */
	struct {
		ool_msg m;
		mach_msg_max_trailer_t t;
	} in;
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p, 1000,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.m.head.msgh_bits & MACH_MSGH_BITS_COMPLEX, MACH_MSGH_BITS_COMPLEX);
	cr_expect_eq(in.m.ool.size, size);
	cr_expect_eq(in.m.ool.type, MACH_MSG_OOL_DESCRIPTOR);
	/* ipc_kmsg_deflate_memory_descriptor: the sender's copy option, and
	 * deallocate set exactly for a virtual copy */
	cr_expect_eq(in.m.ool.copy, MACH_MSG_VIRTUAL_COPY);
	cr_expect_eq(in.m.ool.deallocate, TRUE);
	const char *got = in.m.ool.address;
	cr_assert_not_null(got);
	cr_expect_neq((vm_address_t)got, a, "the receiver gets its own region");
	cr_expect_eq((vm_address_t)got % vm_page_size, 0, "page aligned");
	cr_expect_eq(got[0], 'A');
	cr_expect_eq(got[size - 1], 'A');
	cr_expect_eq(vm_deallocate(SELF, (vm_address_t)got, size), KERN_SUCCESS);
	cr_expect_eq(vm_deallocate(SELF, a, size), KERN_SUCCESS);
}

Test(conf_ool, zero_size_arrives_as_null)
{
	mach_port_t p = conf_port();
	static char byte = 1;
	cr_assert_eq(send_ool(p, &byte, 0, FALSE, MACH_MSG_PHYSICAL_COPY), MACH_MSG_SUCCESS);
	struct {
		ool_msg m;
		mach_msg_max_trailer_t t;
	} in;
	memset(&in, 0x55, sizeof in);
	cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p, 1000,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.m.ool.size, 0);
	cr_expect_null(in.m.ool.address);
}

/* ---- mach_msg_server_once (Libsyscall's mach_msg.c) ----------------------- */

TestSuite(conf_serve, .init = conf_broker_start, .fini = conf_broker_stop);

static int demux_calls;
static mach_msg_size_t demux_seen_size;
static kern_return_t demux_code;

static boolean_t demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	mig_reply_error_t *r = (mig_reply_error_t *)out;
	demux_calls++;
	demux_seen_size = in->msgh_size;
	r->Head.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in->msgh_bits), 0);
	r->Head.msgh_remote_port = in->msgh_remote_port;
	r->Head.msgh_local_port = MACH_PORT_NULL;
	r->Head.msgh_size = sizeof *r;
	r->Head.msgh_id = in->msgh_id + 100;
	r->NDR = NDR_record;
	r->RetCode = demux_code;
	return TRUE;
}

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t port;
	char data[200];
} big_request;

static void send_request(mach_port_t server, mach_port_t reply, mach_port_t carried)
{
	big_request m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX |
	                   MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.head.msgh_remote_port = server;
	m.head.msgh_local_port = reply;
	m.head.msgh_id = 400;
	m.body.msgh_descriptor_count = 1;
	m.port.name = carried;
	m.port.disposition = MACH_MSG_TYPE_MAKE_SEND;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
}

Test(conf_serve, too_large_without_rcv_large_is_returned)
{
	mach_port_t server = conf_port(), reply = conf_receive_right(), x = conf_receive_right();
	send_request(server, reply, x);
	demux_calls = 0;
	cr_expect_eq(mach_msg_server_once(demux, 64, server, MACH_RCV_TIMEOUT), MACH_RCV_TOO_LARGE);
	cr_expect_eq(demux_calls, 0);
	cr_expect_eq(conf_status(server).mps_msgcount, 0, "the request was dropped");
}

Test(conf_serve, rcv_large_grows_the_buffer_and_replies)
{
	mach_port_t server = conf_port(), reply = conf_receive_right(), x = conf_receive_right();
	send_request(server, reply, x);
	demux_calls = 0;
	demux_code = KERN_SUCCESS;
	cr_expect_eq(mach_msg_server_once(demux, 64, server, MACH_RCV_LARGE), MACH_MSG_SUCCESS);
	cr_expect_eq(demux_calls, 1);
	cr_expect_eq(demux_seen_size, sizeof(big_request));
	struct {
		mig_reply_error_t r;
		mach_msg_max_trailer_t t;
	} in;
	cr_assert_eq(mach_msg(&in.r.Head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, reply, 2000,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.r.Head.msgh_id, 500);
	cr_expect_eq(in.r.RetCode, KERN_SUCCESS);
	cr_expect_eq(in.r.Head.msgh_size, sizeof(mig_reply_error_t));
}

Test(conf_serve, an_error_code_destroys_the_request_and_still_replies)
{
	mach_port_t server = conf_port(), reply = conf_receive_right(), x = conf_receive_right();
	mach_port_t ns = conf_receive_right(), prev;
	send_request(server, reply, x);
	cr_assert_eq(mach_port_request_notification(SELF, x, MACH_NOTIFY_NO_SENDERS, 1, ns,
	                                            MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	             KERN_SUCCESS);
	demux_code = KERN_FAILURE;
	cr_expect_eq(mach_msg_server_once(demux, sizeof(big_request), server, 0), MACH_MSG_SUCCESS);
	struct {
		mig_reply_error_t r;
		mach_msg_max_trailer_t t;
	} in;
	cr_assert_eq(mach_msg(&in.r.Head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, reply, 2000,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.r.RetCode, KERN_FAILURE);
	conf_rcv n;
	cr_assert_eq(conf_recv(ns, &n, 2000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(n.msg.head.msgh_id, MACH_NOTIFY_NO_SENDERS, "the carried send right was destroyed");
}

Test(conf_ool, deallocate_removes_the_region_from_the_sender)
{
	mach_port_t p = conf_port();
	vm_address_t a = 0;
	const vm_size_t size = 2 * vm_page_size;
	cr_assert_eq(vm_allocate(SELF, &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	memset((void *)a, 'D', size);
	cr_assert_eq(send_ool(p, (void *)a, (mach_msg_size_t)size, TRUE, MACH_MSG_PHYSICAL_COPY),
	             MACH_MSG_SUCCESS);
	unsigned char vec[2];
	errno = 0;
	cr_expect_eq(mincore((void *)a, size, vec), -1, "the sender's pages are unmapped");
	cr_expect_eq(errno, ENOMEM);
	struct {
		ool_msg m;
		mach_msg_max_trailer_t t;
	} in;
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p, 1000,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(in.m.ool.copy, MACH_MSG_PHYSICAL_COPY);
	cr_expect_eq(in.m.ool.deallocate, FALSE);
	const char *got = in.m.ool.address;
	cr_assert_not_null(got);
	cr_expect_eq(got[0], 'D');
	cr_expect_eq(got[size - 1], 'D');
	cr_expect_eq(vm_deallocate(SELF, (vm_address_t)got, size), KERN_SUCCESS);
}

Test(conf_ool, mach_msg_destroy_releases_what_was_received)
{
	/* Libsyscall's mach_msg_destroy: the reply right (remote) and carried
	 * rights are destroyed, OOL memory freed when its deallocate flag is set;
	 * the local port, our receive right, is left alone */
	mach_port_t p = conf_port(), reply = conf_receive_right();
	vm_address_t a = 0;
	const vm_size_t size = vm_page_size;
	cr_assert_eq(vm_allocate(SELF, &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	ool_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX |
	                   MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.head.msgh_remote_port = p;
	m.head.msgh_local_port = reply;
	m.body.msgh_descriptor_count = 1;
	m.ool.address = (void *)a;
	m.ool.size = (mach_msg_size_t)size;
	m.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	struct {
		ool_msg m;
		mach_msg_max_trailer_t t;
	} in;
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p, 1000,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	void *got = in.m.ool.address;
	cr_assert_not_null(got);
	mach_msg_destroy(&in.m.head);
	unsigned char vec[1];
	errno = 0;
	cr_expect_eq(mincore(got, size, vec), -1, "the received region was freed");
	cr_expect_eq(errno, ENOMEM);
	conf_rcv n;
	cr_assert_eq(conf_recv(reply, &n, 2000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(n.msg.head.msgh_id, MACH_NOTIFY_SEND_ONCE);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	vm_deallocate(SELF, a, size);
}
