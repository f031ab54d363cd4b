/* Out-of-line memory and port arrays, in one process and across processes. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

TestSuite(ool, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
} ool_msg;

typedef struct {
	ool_msg m;
	mach_msg_max_trailer_t t;
} ool_rcv;

static mach_msg_return_t send_ool(mach_port_t dest, void *addr, size_t size, boolean_t dealloc)
{
	ool_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = dest;
	m.body.msgh_descriptor_count = 1;
	m.ool.address = addr;
	m.ool.size = (mach_msg_size_t)size;
	m.ool.deallocate = dealloc;
	m.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	return mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0);
}

static void check_copy_semantics(size_t size)
{
	mach_port_t p = rt_port_with_send();
	vm_address_t a = 0;
	ool_rcv r;
	unsigned char *src, *dst;

	cr_assert_eq(vm_allocate(mach_task_self(), &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	src = (unsigned char *)a;
	for (size_t i = 0; i < size; i += 512)
		src[i] = (unsigned char)(i / 512 + 1);
	cr_assert_eq(send_ool(p, src, size, FALSE), MACH_MSG_SUCCESS);
	/* Written after the send: must not be seen by the receiver. */
	memset(src, 0xee, size);
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, p, 5000, 0),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(r.m.ool.size, size);
	cr_assert_eq(r.m.ool.copy, MACH_MSG_VIRTUAL_COPY);
	cr_assert_eq(r.m.ool.deallocate, 1, "the receiver owns a virtual copy, as XNU reports");
	dst = r.m.ool.address;
	cr_assert_not_null(dst);
	cr_assert_neq(dst, src);
	for (size_t i = 0; i < size; i += 512)
		cr_assert_eq(dst[i], (unsigned char)(i / 512 + 1), "byte %zu", i);
	/* And the receiver's writes stay its own. */
	dst[0] = 0x55;
	cr_assert_eq(src[0], 0xee);
	cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)dst, size), KERN_SUCCESS);
	cr_assert_eq(vm_deallocate(mach_task_self(), a, size), KERN_SUCCESS);
}

Test(ool, copy_semantics_small_inline) { check_copy_semantics(3000); }
Test(ool, copy_semantics_medium) { check_copy_semantics(200 * 1024); }
Test(ool, copy_semantics_large_memfd) { check_copy_semantics(4 * 1024 * 1024); }

Test(ool, copy_semantics_large_malloc_memory)
{
	mach_port_t p = rt_port_with_send();
	size_t size = 3 * 1024 * 1024 + 123;
	unsigned char *src = malloc(size);
	ool_rcv r;
	for (size_t i = 0; i < size; i++)
		src[i] = (unsigned char)(i * 7);
	cr_assert_eq(send_ool(p, src, size, FALSE), MACH_MSG_SUCCESS);
	memset(src, 0, size);
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, p, 5000, 0),
	             MACH_MSG_SUCCESS);
	unsigned char *dst = r.m.ool.address;
	for (size_t i = 0; i < size; i += 997)
		cr_assert_eq(dst[i], (unsigned char)(i * 7));
	free(src);
}

Test(ool, deallocate_unmaps_sender_region)
{
	mach_port_t p = rt_port_with_send();
	vm_address_t a = 0;
	ool_rcv r;
	size_t size = 2 * 1024 * 1024;

	cr_assert_eq(vm_allocate(mach_task_self(), &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	memset((void *)a, 0x5a, size);
	cr_assert_eq(send_ool(p, (void *)a, size, TRUE), MACH_MSG_SUCCESS);
	/* The range is free again: a fixed allocation there succeeds. */
	vm_address_t again = a;
	cr_assert_eq(vm_allocate(mach_task_self(), &again, 4096, VM_FLAGS_FIXED), KERN_SUCCESS);
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, p, 5000, 0),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(((unsigned char *)r.m.ool.address)[size - 1], 0x5a);
}

static int child_sends_64m(void *arg)
{
	mach_port_t svc = MACH_PORT_NULL;
	vm_address_t a = 0;
	size_t size = 64u << 20;
	for (int i = 0; i < 2000 && rt_look_up(arg, &svc); i++)
		usleep(2000);
	if (!svc || vm_allocate(mach_task_self(), &a, size, VM_FLAGS_ANYWHERE))
		return 10;
	for (size_t i = 0; i < size; i += 4096)
		((uint32_t *)a)[i / 4] = (uint32_t)i;
	if (send_ool(svc, (void *)a, size, FALSE))
		return 11;
	memset((void *)a, 0, size);
	return 0;
}

Test(ool, transfer_64_mib_between_processes)
{
	mach_port_t svc;
	ool_rcv r;
	size_t size = 64u << 20;

	cr_assert_eq(rt_check_in("test.big", &svc), KERN_SUCCESS);
	pid_t kid = rt_fork(child_sends_64m, "test.big");
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, svc, 15000,
	                      0), MACH_MSG_SUCCESS);
	cr_assert_eq(rt_wait(kid, 15000), 0);
	cr_assert_eq(r.m.ool.size, size);
	const uint32_t *w = r.m.ool.address;
	for (size_t i = 0; i < size; i += 4096)
		cr_assert_eq(w[i / 4], (uint32_t)i, "the sender's later zeroing is invisible");
	cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)w, size), KERN_SUCCESS);
}

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_ool_ports_descriptor_t ports;
} ports_msg;

Test(ool, port_arrays)
{
	mach_port_t p = rt_port_with_send(), names[3];
	ports_msg m;
	struct {
		ports_msg m;
		mach_msg_max_trailer_t t;
	} r;
	mach_port_urefs_t refs;

	for (int i = 0; i < 3; i++)
		names[i] = rt_port_with_send();
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = p;
	m.body.msgh_descriptor_count = 1;
	m.ports.address = names;
	m.ports.count = 3;
	m.ports.disposition = MACH_MSG_TYPE_MAKE_SEND;
	m.ports.copy = MACH_MSG_PHYSICAL_COPY;
	m.ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, p, 5000, 0),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(r.m.ports.count, 3);
	cr_assert_eq(r.m.ports.deallocate, 1);
	cr_assert_eq(r.m.ports.copy, MACH_MSG_VIRTUAL_COPY);
	mach_port_t *got = r.m.ports.address;
	cr_assert_not_null(got);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(got[i], names[i]);
		cr_assert_eq(mach_port_get_refs(mach_task_self(), names[i], MACH_PORT_RIGHT_SEND,
		                                &refs), KERN_SUCCESS);
		cr_assert_eq(refs, 2);
	}
	cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)got, 3 * sizeof *got),
	             KERN_SUCCESS);
}

Test(ool, many_descriptors_in_one_message)
{
	enum { N = 100 };
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t ool[N];
	} m;
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t ool[N];
		mach_msg_max_trailer_t t;
	} r;
	static char data[N][64];
	mach_port_t p = rt_port_with_send();

	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = p;
	m.body.msgh_descriptor_count = N;
	for (int i = 0; i < N; i++) {
		memset(data[i], i, sizeof data[i]);
		m.ool[i].address = data[i];
		m.ool[i].size = sizeof data[i];
		m.ool[i].copy = MACH_MSG_PHYSICAL_COPY;
		m.ool[i].type = MACH_MSG_OOL_DESCRIPTOR;
	}
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, p, 5000, 0),
	             MACH_MSG_SUCCESS);
	for (int i = 0; i < N; i++) {
		const unsigned char *got = r.ool[i].address;
		cr_assert_eq(r.ool[i].size, 64);
		cr_assert_eq(got[63], (unsigned char)i);
		vm_deallocate(mach_task_self(), (vm_address_t)got, 64);
	}
}
