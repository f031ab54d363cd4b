/* Darwin message ABI of the headers: compile-time layout plus bitfield byte positions. */
#include "abi_asserts.h"

#include <criterion/criterion.h>
#include <string.h>

/* Byte image of a descriptor, to check where the bitfields land. */
#define BYTES(obj) ((const unsigned char *)(const void *)&(obj))

Test(abi, port_descriptor_type_is_byte_11_disposition_byte_10)
{
	mach_msg_port_descriptor_t d;

	memset(&d, 0, sizeof(d));
	d.name = 0x11223344;
	d.disposition = MACH_MSG_TYPE_MAKE_SEND_ONCE;
	d.type = MACH_MSG_PORT_DESCRIPTOR + 0x40; /* any value: only placement is checked */
	cr_assert_eq(BYTES(d)[0], 0x44);
	cr_assert_eq(BYTES(d)[3], 0x11);
	cr_assert_eq(BYTES(d)[10], 21);
	cr_assert_eq(BYTES(d)[11], 0x40);
	cr_assert_eq(BYTES(d)[8], 0);
	cr_assert_eq(BYTES(d)[9], 0);
}

Test(abi, ool_descriptor_flags_in_bytes_8_to_11_and_size_at_12)
{
	mach_msg_ool_descriptor_t d;
	uint32_t size;

	memset(&d, 0, sizeof(d));
	d.address = (void *)(uintptr_t)0x1122334455667788ull;
	d.deallocate = 1;
	d.copy = MACH_MSG_VIRTUAL_COPY + 1;
	d.type = MACH_MSG_OOL_DESCRIPTOR;
	d.size = 0xabcdef;
	cr_assert_eq(BYTES(d)[0], 0x88);
	cr_assert_eq(BYTES(d)[7], 0x11);
	cr_assert_eq(BYTES(d)[8], 1);
	cr_assert_eq(BYTES(d)[9], 2);
	cr_assert_eq(BYTES(d)[10], 0);
	cr_assert_eq(BYTES(d)[11], MACH_MSG_OOL_DESCRIPTOR);
	memcpy(&size, BYTES(d) + 12, 4);
	cr_assert_eq(size, 0xabcdef);
}

Test(abi, ool_ports_descriptor_disposition_byte_10_count_at_12)
{
	mach_msg_ool_ports_descriptor_t d;
	uint32_t count;

	memset(&d, 0, sizeof(d));
	d.disposition = MACH_MSG_TYPE_COPY_SEND;
	d.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	d.count = 7;
	cr_assert_eq(BYTES(d)[10], 19);
	cr_assert_eq(BYTES(d)[11], 2);
	memcpy(&count, BYTES(d) + 12, 4);
	cr_assert_eq(count, 7);
}

Test(abi, guarded_descriptor_flags_bytes_8_9_name_at_12)
{
	mach_msg_guarded_port_descriptor_t d;
	uint32_t name;

	memset(&d, 0, sizeof(d));
	d.context = 0x0102030405060708ull;
	d.flags = 0x0302;
	d.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	d.type = MACH_MSG_GUARDED_PORT_DESCRIPTOR;
	d.name = 0x99;
	cr_assert_eq(BYTES(d)[0], 0x08);
	cr_assert_eq(BYTES(d)[8], 0x02);
	cr_assert_eq(BYTES(d)[9], 0x03);
	cr_assert_eq(BYTES(d)[10], 16);
	cr_assert_eq(BYTES(d)[11], 4);
	memcpy(&name, BYTES(d) + 12, 4);
	cr_assert_eq(name, 0x99);
}

Test(abi, generic_type_descriptor_reads_type_of_every_kind)
{
	mach_msg_descriptor_t u;

	memset(&u, 0, sizeof(u));
	u.ool_ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	cr_assert_eq(u.type.type, MACH_MSG_OOL_PORTS_DESCRIPTOR);
	memset(&u, 0, sizeof(u));
	u.port.type = MACH_MSG_GUARDED_PORT_DESCRIPTOR;
	cr_assert_eq(u.guarded_port.type, MACH_MSG_GUARDED_PORT_DESCRIPTOR);
}

Test(abi, packed_structs_have_4_byte_alignment_inside_messages)
{
	struct {
		mach_msg_header_t         head;
		mach_msg_body_t           body;
		mach_msg_ool_descriptor_t ool;
	} msg;

	/* The OOL descriptor follows the 28-byte base without padding to 8. */
	cr_assert_eq((size_t)((char *)&msg.ool - (char *)&msg), 28u);
	cr_assert_eq(sizeof(msg), 44u);
}

Test(abi, trailer_kernel_token_values)
{
	security_token_t kern = KERNEL_SECURITY_TOKEN_VALUE;
	audit_token_t zero = KERNEL_AUDIT_TOKEN_VALUE;
	audit_token_t bad = INVALID_AUDIT_TOKEN_VALUE;

	cr_assert_eq(kern.val[0], 0);
	cr_assert_eq(kern.val[1], 1);
	cr_assert_eq(zero.val[5], 0);
	cr_assert_eq(bad.val[7], 0xffffffffu);
}
