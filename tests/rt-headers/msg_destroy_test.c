/* mach_msg_destroy releases exactly what the received bits and descriptors say. */
#include "fake_backend.h"

#include <criterion/criterion.h>
#include <string.h>

#define ANY ~0u

static void setup(void) { fake_reset(); }

TestSuite(mach_msg_destroy, .init = setup);

Test(mach_msg_destroy, header_remote_and_voucher_rights_released_local_untouched)
{
	mach_msg_header_t h;

	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS_SET(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND,
	                                 MACH_MSG_TYPE_MOVE_SEND, 0);
	h.msgh_remote_port = 0x200;
	h.msgh_local_port = 0x300;
	h.msgh_voucher_port = 0x400;
	h.msgh_size = sizeof(h);
	mach_msg_destroy(&h);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x200), 1);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x400), 1);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x300), 0, "local port holds no right after receive");
	cr_assert_eq(fake_call_count(), 2);
}

Test(mach_msg_destroy, copy_send_null_and_dead_names_release_nothing)
{
	mach_msg_header_t h;

	memset(&h, 0, sizeof(h));
	h.msgh_bits = MACH_MSGH_BITS_SET(MACH_MSG_TYPE_COPY_SEND, 0, MACH_MSG_TYPE_MOVE_SEND, 0);
	h.msgh_remote_port = 0x200;
	h.msgh_voucher_port = MACH_PORT_DEAD;
	mach_msg_destroy(&h);
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, 0);
	h.msgh_remote_port = MACH_PORT_NULL;
	mach_msg_destroy(&h);
	cr_assert_eq(fake_call_count(), 0);
}

#pragma pack(push, 4)
struct complex_msg {
	mach_msg_header_t                head;
	mach_msg_body_t                  body;
	mach_msg_port_descriptor_t       recv;     /* 12 bytes */
	mach_msg_ool_descriptor_t        ool;      /* 16 bytes */
	mach_msg_port_descriptor_t       send;     /* 12 bytes */
	mach_msg_ool_ports_descriptor_t  ports;    /* 16 bytes */
	mach_msg_ool_descriptor_t        kept;     /* deallocate = FALSE */
	mach_msg_ool_descriptor_t        volatile_mem;
	mach_msg_port_descriptor_t       make_send;
	mach_msg_port_descriptor_t       make_once;
	mach_msg_guarded_port_descriptor_t guarded;
};
#pragma pack(pop)

Test(mach_msg_destroy, walks_mixed_size_descriptors_and_releases_each)
{
	struct complex_msg m;
	mach_port_t array[3] = { 0x610, 0x620, 0x630 };

	memset(&m, 0, sizeof(m));
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
	                                                           MACH_MSG_TYPE_PORT_SEND);
	m.head.msgh_remote_port = 0x200;
	m.head.msgh_local_port = 0x300;
	m.head.msgh_size = sizeof(m);
	m.body.msgh_descriptor_count = 9;
	m.recv.name = 0x500;
	m.recv.disposition = MACH_MSG_TYPE_PORT_RECEIVE;
	m.recv.type = MACH_MSG_PORT_DESCRIPTOR;
	m.ool.address = (void *)(uintptr_t)0x7000000;
	m.ool.size = 8192;
	m.ool.deallocate = 1;
	m.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	m.send.name = 0x510;
	m.send.disposition = MACH_MSG_TYPE_PORT_SEND;
	m.send.type = MACH_MSG_PORT_DESCRIPTOR;
	m.ports.address = array;
	m.ports.count = 3;
	m.ports.deallocate = 1;
	m.ports.disposition = MACH_MSG_TYPE_PORT_SEND;
	m.ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	m.kept.address = (void *)(uintptr_t)0x8000000;
	m.kept.size = 4096;
	m.kept.deallocate = 0;
	m.kept.type = MACH_MSG_OOL_DESCRIPTOR;
	m.volatile_mem.address = (void *)(uintptr_t)0x9000000;
	m.volatile_mem.size = 4096;
	m.volatile_mem.deallocate = 1;
	m.volatile_mem.type = MACH_MSG_OOL_VOLATILE_DESCRIPTOR;
	m.make_send.name = 0x520;
	m.make_send.disposition = MACH_MSG_TYPE_MAKE_SEND;
	m.make_send.type = MACH_MSG_PORT_DESCRIPTOR;
	m.make_once.name = 0x530;
	m.make_once.disposition = MACH_MSG_TYPE_MAKE_SEND_ONCE;
	m.make_once.type = MACH_MSG_PORT_DESCRIPTOR;
	m.guarded.name = 0x540;
	m.guarded.context = 0xfeed;
	m.guarded.disposition = MACH_MSG_TYPE_PORT_RECEIVE;
	m.guarded.type = MACH_MSG_GUARDED_PORT_DESCRIPTOR;

	mach_msg_destroy(&m.head);

	/* header: reply right released, destination name not */
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x200), 1);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x300), 0);
	/* receive right destroyed with mod_refs(RECEIVE, -1) */
	cr_assert_eq(fake_count(FAKE_MOD_REFS, 0x500), 1);
	cr_assert_eq(fake_call_at(1)->a, MACH_PORT_RIGHT_RECEIVE);
	cr_assert_eq((int64_t)fake_call_at(1)->b, -1);
	/* owned OOL memory unmapped with its size; kept and volatile left alone */
	cr_assert_eq(fake_count(FAKE_VM_DEALLOC, ANY), 2);
	cr_assert_eq(fake_call_at(2)->op, FAKE_VM_DEALLOC);
	cr_assert_eq(fake_call_at(2)->a, 0x7000000);
	cr_assert_eq(fake_call_at(2)->b, 8192);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x510), 1);
	/* every right in the port array, then the array itself */
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x610), 1);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x620), 1);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x630), 1);
	cr_assert_eq(fake_call_at(7)->op, FAKE_VM_DEALLOC);
	cr_assert_eq(fake_call_at(7)->a, (uint64_t)(uintptr_t)array);
	cr_assert_eq(fake_call_at(7)->b, 3 * sizeof(mach_port_t));
	/* make-send: create the send right, then drop it */
	cr_assert_eq(fake_count(FAKE_INSERT_RIGHT, 0x520), 1);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x520), 1);
	/* make-send-once: extract a send-once right, then drop it (fires send-once notification) */
	cr_assert_eq(fake_count(FAKE_EXTRACT_RIGHT, 0x530), 1);
	cr_assert_eq(fake_count(FAKE_DEALLOC, 0x530 + FAKE_SO_OFFSET), 1);
	/* guarded receive right: unguarded with its context, then destroyed */
	cr_assert_eq(fake_count(FAKE_UNGUARD, 0x540), 1);
	cr_assert_eq(fake_count(FAKE_MOD_REFS, 0x540), 1);
	cr_assert_eq(fake_call_count(), 14);
}

Test(mach_msg_destroy, unguarded_on_send_is_not_unguarded_again)
{
	struct {
		mach_msg_header_t                  head;
		mach_msg_body_t                    body;
		mach_msg_guarded_port_descriptor_t g;
	} m;

	memset(&m, 0, sizeof(m));
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX;
	m.body.msgh_descriptor_count = 1;
	m.g.name = 0x700;
	m.g.flags = MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND;
	m.g.disposition = MACH_MSG_TYPE_PORT_RECEIVE;
	m.g.type = MACH_MSG_GUARDED_PORT_DESCRIPTOR;
	mach_msg_destroy(&m.head);
	cr_assert_eq(fake_count(FAKE_UNGUARD, ANY), 0);
	cr_assert_eq(fake_count(FAKE_MOD_REFS, 0x700), 1);
}

Test(mach_msg_destroy, non_complex_message_ignores_body_bytes)
{
	struct {
		mach_msg_header_t          head;
		mach_msg_body_t            body;
		mach_msg_port_descriptor_t p;
	} m;

	memset(&m, 0, sizeof(m));
	m.body.msgh_descriptor_count = 1; /* looks like a descriptor, but no COMPLEX bit */
	m.p.name = 0x800;
	m.p.disposition = MACH_MSG_TYPE_PORT_SEND;
	mach_msg_destroy(&m.head);
	cr_assert_eq(fake_call_count(), 0);
}
