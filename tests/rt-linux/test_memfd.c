/* Memfds that carry OOL regions are checked before anyone maps them: a sender
 * that passes a file shorter than its descriptor, or one it can still write,
 * has its send refused (MACH_SEND_INVALID_MEMORY, as XNU when it cannot copy
 * a region in), and a receiver never maps such a file. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conn.h"
#include "debug.h"
#include "helpers.h"
#include "vm.h"
#include "wire.h"

TestSuite(memfd, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

#define REGION ((size_t)256 * 1024)

enum bad_kind { UNSEALED, SHORT, WRITE_SEAL_MISSING, PIPE_FD, GOOD };

static int make_fd(enum bad_kind kind, size_t size, unsigned char fill)
{
	int fd, p[2];
	unsigned char *m;

	if (kind == PIPE_FD) {
		cr_assert_eq(pipe(p), 0);
		close(p[1]);
		return p[0];
	}
	fd = memfd_create("test-ool", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, (off_t)(kind == SHORT ? size / 2 : size)), 0);
	m = mmap(NULL, size / 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert_neq(m, MAP_FAILED);
	memset(m, fill, size / 2);
	munmap(m, size / 2);
	if (kind == SHORT || kind == GOOD)
		cr_assert_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK), 0);
	else if (kind == WRITE_SEAL_MISSING)
		cr_assert_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_GROW | F_SEAL_SHRINK),
		             0);
	return fd;
}

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
	mach_msg_port_descriptor_t port;
} ool_port_msg;

/* Sends, as a hand-made frame, a message whose OOL region travels as fd,
 * followed by a port descriptor moving extra's send right. */
static int32_t send_with_fd(mach_port_t dest, mach_port_t extra, int fd)
{
	struct {
		struct mgw_msg m;
		ool_port_msg msg;
		unsigned char pad[8];
		struct mgw_ool tab;
	} f;
	size_t msg_off = sizeof f.m, tab_off = msg_off + mgw_pad8(sizeof f.msg);
	unsigned char buf[sizeof f.m + 256];
	struct mgw_hdr h;
	struct mgr_reply r;
	struct iovec iov;

	memset(&f, 0, sizeof f);
	f.msg.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	f.msg.head.msgh_size = sizeof f.msg;
	f.msg.head.msgh_remote_port = dest;
	f.msg.body.msgh_descriptor_count = 2;
	f.msg.ool.address = (void *)0x10000;
	f.msg.ool.size = REGION;
	f.msg.ool.copy = MACH_MSG_VIRTUAL_COPY;
	f.msg.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	f.msg.port.name = extra;
	f.msg.port.disposition = MACH_MSG_TYPE_MOVE_SEND;
	f.msg.port.type = MACH_MSG_PORT_DESCRIPTOR;
	f.m.option = MACH_SEND_MSG | MACH_SEND_TIMEOUT;
	f.m.send_size = f.m.msg_bytes = sizeof f.msg;
	f.m.ool_count = 1;
	memset(buf, 0, sizeof buf);
	memcpy(buf, &f.m, sizeof f.m);
	memcpy(buf + msg_off, &f.msg, sizeof f.msg);
	f.tab = (struct mgw_ool){ MGW_OOL_FD, 0, REGION };
	memcpy(buf + tab_off, &f.tab, sizeof f.tab);
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_MSG;
	iov.iov_base = buf;
	iov.iov_len = tab_off + sizeof f.tab;
	cr_assert_eq(mgr_call(&h, &iov, 1, &fd, 1, &r), 0, "the broker keeps the connection");
	for (unsigned i = 0; i < r.nfds; i++)
		close(r.fds[i]);
	return r.hdr.status;
}

static void check_refused(enum bad_kind kind)
{
	mach_port_t p = rt_port_with_send(), extra = rt_port_with_send();
	uint64_t before[5], after[5];
	mach_port_urefs_t refs = 0;
	rt_simple_rcv rcv;
	int fd = make_fd(kind, REGION, 0x5a);
	int fds_before = rt_fd_count();

	cr_assert_eq(machgen_linux_debug_stats(before), 0);
	cr_assert_eq(send_with_fd(p, extra, fd), MACH_SEND_INVALID_MEMORY);
	close(fd);
	cr_assert_eq(rt_recv(p, &rcv, 0, 0), MACH_RCV_TIMED_OUT, "nothing was queued");
	/* As XNU, descriptors after the bad region were never copied in. */
	cr_assert_eq(mach_port_get_refs(mach_task_self(), extra, MACH_PORT_RIGHT_SEND, &refs),
	             KERN_SUCCESS);
	cr_assert_eq(refs, 1);
	cr_assert_eq(machgen_linux_debug_stats(after), 0);
	cr_assert_eq(after[MACHGEN_STAT_PORTS], before[MACHGEN_STAT_PORTS]);
	cr_assert_eq(after[MACHGEN_STAT_OOL], before[MACHGEN_STAT_OOL]);
	cr_assert_eq(after[MACHGEN_STAT_NAMES], before[MACHGEN_STAT_NAMES]);
	cr_assert_eq(rt_fd_count(), fds_before - 1);
	/* The same message with a proper memfd goes through. */
	fd = make_fd(GOOD, REGION, 0x5a);
	cr_assert_eq(send_with_fd(p, extra, fd), MACH_MSG_SUCCESS);
	close(fd);
	{
		struct {
			ool_port_msg m;
			mach_msg_max_trailer_t t;
		} in;
		memset(&in, 0, sizeof in);
		cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p,
		                      5000, 0),
		             MACH_MSG_SUCCESS);
		cr_assert_eq(in.m.ool.size, REGION);
		cr_assert_eq(((unsigned char *)in.m.ool.address)[0], 0x5a);
		cr_assert_eq(((unsigned char *)in.m.ool.address)[REGION - 1], 0);
		cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)in.m.ool.address, REGION),
		             KERN_SUCCESS);
		cr_assert_eq(mach_port_deallocate(mach_task_self(), in.m.port.name), KERN_SUCCESS);
	}
}

Test(memfd, broker_refuses_an_unsealed_memfd) { check_refused(UNSEALED); }
Test(memfd, broker_refuses_a_memfd_shorter_than_its_descriptor) { check_refused(SHORT); }
Test(memfd, broker_refuses_a_memfd_sealed_only_against_future_writes)
{
	check_refused(WRITE_SEAL_MISSING);
}
Test(memfd, broker_refuses_a_file_that_is_not_a_memfd) { check_refused(PIPE_FD); }

Test(memfd, receiver_maps_only_sealed_memfds_of_full_size)
{
	enum bad_kind bad[] = { UNSEALED, SHORT, WRITE_SEAL_MISSING, PIPE_FD };
	int fds_before = rt_fd_count();
	uintptr_t a;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(mgv_map_received_fd(make_fd(bad[i], REGION, 1), REGION), 0, "kind %zu",
		             i);
	cr_assert_eq(rt_fd_count(), fds_before, "refused fds are closed");
	a = mgv_map_received_fd(make_fd(GOOD, REGION, 7), REGION);
	cr_assert_neq(a, 0);
	cr_assert_eq(((unsigned char *)a)[REGION / 2 - 1], 7);
	((unsigned char *)a)[0] = 9; /* the receiver's copy is writable */
	cr_assert_eq(vm_deallocate(mach_task_self(), a, REGION), KERN_SUCCESS);
	cr_assert_eq(rt_fd_count(), fds_before);
}

Test(memfd, regions_sent_by_the_library_are_sealed_against_writes)
{
	/* vm_allocate regions go as their own memfd, both when the sender keeps
	 * the region and when it deallocates it: the broker accepts both. */
	for (int dealloc = 0; dealloc < 2; dealloc++) {
		mach_port_t p = rt_port_with_send();
		vm_address_t a = 0;
		ool_port_msg m;
		struct {
			ool_port_msg m;
			mach_msg_max_trailer_t t;
		} in;
		size_t size = 1024 * 1024;

		cr_assert_eq(vm_allocate(mach_task_self(), &a, size, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
		memset((void *)a, 0x33, size);
		memset(&m, 0, sizeof m);
		m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		m.head.msgh_size = sizeof m;
		m.head.msgh_remote_port = p;
		m.body.msgh_descriptor_count = 2;
		m.ool.address = (void *)a;
		m.ool.size = (mach_msg_size_t)size;
		m.ool.deallocate = (boolean_t)dealloc;
		m.ool.copy = MACH_MSG_VIRTUAL_COPY;
		m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
		m.port.type = MACH_MSG_PORT_DESCRIPTOR;
		cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
		if (!dealloc)
			memset((void *)a, 0x44, size); /* after the send: not seen */
		memset(&in, 0, sizeof in);
		cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p,
		                      5000, 0),
		             MACH_MSG_SUCCESS);
		cr_assert_eq(((unsigned char *)in.m.ool.address)[size - 1], 0x33);
		cr_assert_eq(vm_deallocate(mach_task_self(), (vm_address_t)in.m.ool.address, size),
		             KERN_SUCCESS);
		if (!dealloc)
			cr_assert_eq(vm_deallocate(mach_task_self(), a, size), KERN_SUCCESS);
	}
}
