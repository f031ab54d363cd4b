/* Scale limits: a process holding 100,000 names, a message with 1,000 port
 * descriptors, and a 1 GiB out-of-line region through generated stubs. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "debug.h"
#include "faults.h"
#include "faults_util.h"
#include "helpers.h"

TestSuite(scale, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 120);

#define MANY_NAMES 100000

static int ready_fd = -1;

/* Allocates MANY_NAMES receive rights (every tenth with a send right too), checks
 * the space still works, reports, and waits to be killed. */
static int name_hoarder(void *arg)
{
	mach_port_t svc = rt_look_up_wait("scale.names"), p, first = MACH_PORT_NULL;
	uint64_t st[5];
	(void)arg; /* a forked child has a fresh space: it looks the service up itself */
	for (int i = 0; i < MANY_NAMES; i++) {
		if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
			return 2;
		if (i % 10 == 0 &&
		    mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS)
			return 3;
		if (!first)
			first = p;
	}
	if (machgen_linux_debug_stats(st) != 0 || st[MACHGEN_STAT_NAMES] < MANY_NAMES)
		return 4;
	mach_port_type_t type;
	if (mach_port_type(mach_task_self(), first, &type) != KERN_SUCCESS ||
	    type != (MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND))
		return 5;
	/* the lister refuses more than it can carry rather than truncating */
	mach_port_name_array_t names;
	mach_port_type_array_t types;
	mach_msg_type_number_t nn, nt;
	if (mach_port_names(mach_task_self(), &names, &nn, &types, &nt) != KERN_RESOURCE_SHORTAGE)
		return 6;
	int sum = 0;
	if (add(svc, 40, 2, &sum) != KERN_SUCCESS || sum != 42)
		return 7;
	if (rt_send(first, MACH_MSG_TYPE_COPY_SEND, 0, 9, 9, RT_NO_TIMEOUT) != MACH_MSG_SUCCESS)
		return 8;
	rt_simple_rcv m;
	if (rt_recv(first, &m, 2000, 0) != MACH_MSG_SUCCESS || m.msg.value != 9)
		return 9;
	char one = 1;
	if (write(ready_fd, &one, 1) != 1)
		return 10;
	pause();
	return 0;
}

Test(scale, a_process_holding_100000_names)
{
	ft_server s;
	ft_snapshot before, after;
	int pipefd[2];
	uint64_t st[5];
	cr_assert_eq(ft_start_server(&s, "scale.names", 100), 0);
	cr_assert_eq(ft_snapshot_take(&before), 0);
	cr_assert_eq(pipe(pipefd), 0);
	ready_fd = pipefd[1];
	uint64_t t0 = rt_now_ms();
	pid_t kid = rt_fork_limit(name_hoarder, NULL, 100);
	if (!ft_wait_byte(pipefd[0], 90000))
		cr_assert_fail("hoarder failed: status %d", rt_wait(kid, 1000));
	uint64_t t1 = rt_now_ms();
	cr_assert_eq(machgen_linux_debug_stats(st), 0);
	cr_assert_geq(st[MACHGEN_STAT_PORTS], before.ports + MANY_NAMES);
	long full_rss = ft_proc_kib(before.broker, "VmRSS");
	/* a few hundred bytes per right, not a runaway */
	if (FT_RSS_ASSERTED)
		cr_assert_lt(full_rss - before.rss_kib, 64 * 1024, "broker RSS %ld KiB with the names", full_rss);
	kill(kid, SIGKILL);
	cr_assert_eq(rt_wait(kid, 5000), 128 + SIGKILL);
	/* the broker tears the space down when it sees the death */
	for (int i = 0; i < 500; i++) {
		cr_assert_eq(ft_snapshot_with(&after, before.broker), 0);
		if (after.ports == before.ports && after.tasks == before.tasks)
			break;
		usleep(10000);
	}
	uint64_t t2 = rt_now_ms();
	cr_assert_eq(after.ports, before.ports);
	cr_assert_eq(after.tasks, before.tasks);
	cr_assert_eq(after.broker_fds, before.broker_fds);
	int sum;
	cr_assert_eq(add(s.port, 1, 1, &sum), KERN_SUCCESS);
	fprintf(stderr,
	        "scale: %d names allocated in %llu ms; broker RSS %ld KiB -> %ld with them -> %ld "
	        "after the holder was killed (torn down in %llu ms)\n",
	        MANY_NAMES, (unsigned long long)(t1 - t0), before.rss_kib, full_rss, after.rss_kib,
	        (unsigned long long)(t2 - t1));
	cr_assert_eq(ft_stop_server(&s, 5000), 0);
	close(pipefd[0]);
	close(pipefd[1]);
}

#define MANY_DESC 1000

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t d[MANY_DESC];
} many_msg;

typedef struct {
	many_msg m;
	mach_msg_max_trailer_t t;
} many_rcv;

/* Receives the 1,000 send rights, checks them, and moves them all back. */
static int descriptor_echo(void *arg)
{
	many_rcv *in = calloc(1, sizeof *in);
	mach_port_t own = MACH_PORT_NULL, back;
	(void)arg;
	if (!in || rt_check_in("scale.echo", &own))
		return 2;
	if (mach_msg(&in->m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof *in, own, 10000,
	             MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		return 3;
	if (in->m.body.msgh_descriptor_count != MANY_DESC)
		return 4;
	for (int i = 0; i < MANY_DESC; i++) {
		mach_port_type_t type;
		if (in->m.d[i].disposition != MACH_MSG_TYPE_PORT_SEND ||
		    mach_port_type(mach_task_self(), in->m.d[i].name, &type) != KERN_SUCCESS ||
		    type != MACH_PORT_TYPE_SEND)
			return 5;
		for (int j = 0; j < i; j += 97) /* distinct ports arrive under distinct names */
			if (in->m.d[j].name == in->m.d[i].name)
				return 6;
		in->m.d[i].disposition = MACH_MSG_TYPE_MOVE_SEND;
	}
	back = in->m.head.msgh_remote_port;
	in->m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0) | MACH_MSGH_BITS_COMPLEX;
	in->m.head.msgh_remote_port = back;
	in->m.head.msgh_local_port = MACH_PORT_NULL;
	in->m.head.msgh_size = sizeof in->m;
	if (mach_msg(&in->m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof in->m, 0, MACH_PORT_NULL,
	             5000, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		return 7;
	uint64_t st[5];
	/* the space keeps the service port (and the names it always has) only */
	if (machgen_linux_debug_stats(st) != 0 || st[MACHGEN_STAT_NAMES] > 8)
		return 8;
	free(in);
	return 0;
}

Test(scale, a_message_with_1000_port_descriptors)
{
	static mach_port_t ports[MANY_DESC];
	static many_msg out;
	static many_rcv in;
	uint64_t st0[5], st1[5];
	mach_port_t reply;
	cr_assert_eq(machgen_linux_debug_stats(st0), 0);
	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply), KERN_SUCCESS);
	for (int i = 0; i < MANY_DESC; i++)
		cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &ports[i]),
		             KERN_SUCCESS);
	pid_t kid = rt_fork(descriptor_echo, NULL);
	mach_port_t echo = rt_look_up_wait("scale.echo");
	cr_assert_neq(echo, MACH_PORT_NULL);
	out.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
	                     MACH_MSGH_BITS_COMPLEX;
	out.head.msgh_size = sizeof out;
	out.head.msgh_remote_port = echo;
	out.head.msgh_local_port = reply;
	out.body.msgh_descriptor_count = MANY_DESC;
	for (int i = 0; i < MANY_DESC; i++) {
		out.d[i].name = ports[i];
		out.d[i].disposition = MACH_MSG_TYPE_MAKE_SEND;
		out.d[i].type = MACH_MSG_PORT_DESCRIPTOR;
	}
	cr_assert_eq(mach_msg(&out.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof out, 0,
	                      MACH_PORT_NULL, 10000, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, reply, 10000,
	                      MACH_PORT_NULL), MACH_MSG_SUCCESS);
	cr_assert_eq(in.m.body.msgh_descriptor_count, MANY_DESC);
	for (int i = 0; i < MANY_DESC; i++) {
		/* our own ports come back under the names of their receive rights */
		cr_assert_eq(in.m.d[i].name, ports[i], "descriptor %d", i);
		cr_assert_eq(in.m.d[i].disposition, MACH_MSG_TYPE_PORT_SEND);
		mach_port_urefs_t refs = 0;
		cr_assert_eq(mach_port_get_refs(mach_task_self(), ports[i], MACH_PORT_RIGHT_SEND, &refs),
		             KERN_SUCCESS);
		cr_assert_eq(refs, 1);
	}
	cr_assert_eq(rt_wait(kid, 10000), 0);
	for (int i = 0; i < MANY_DESC; i++)
		cr_assert_eq(mach_port_destroy(mach_task_self(), ports[i]), KERN_SUCCESS);
	cr_assert_eq(mach_port_destroy(mach_task_self(), reply), KERN_SUCCESS);
	mach_port_deallocate(mach_task_self(), echo);
	cr_assert_eq(machgen_linux_debug_stats(st1), 0);
	cr_assert_eq(st1[MACHGEN_STAT_NAMES], st0[MACHGEN_STAT_NAMES]);
	cr_assert_eq(st1[MACHGEN_STAT_PORTS], st0[MACHGEN_STAT_PORTS]);
}

static long mem_available_kib(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "MemAvailable: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

#define GIB ((vm_size_t)1 << 30)

Test(scale, a_1_gib_ool_region_travels_by_memfd, .timeout = 120)
{
	long avail = mem_available_kib();
	/* the region once in the memfd, plus room for the server's page tables and others */
	if (avail < 3L * 1024 * 1024)
		cr_skip_test("needs 3 GiB available, /proc/meminfo says %ld KiB", avail);
	ft_server s;
	ft_snapshot before, after;
	cr_assert_eq(ft_start_server(&s, "scale.blob", 100), 0);
	int sum0;
	cr_assert_eq(add(s.port, 0, 0, &sum0), KERN_SUCCESS); /* our reply port exists now */
	cr_assert_eq(ft_snapshot_take(&before), 0);
	vm_address_t a = 0;
	cr_assert_eq(vm_allocate(mach_task_self(), &a, GIB, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	int64_t expect = 0;
	unsigned char *p = (unsigned char *)a;
	for (vm_size_t off = 0; off < GIB; off += 4096) {
		p[off] = (unsigned char)(off >> 12);
		expect += (unsigned char)(off >> 12);
	}
	uint64_t t0 = rt_now_ms();
	int64_t sum = 0;
	cr_assert_eq(blob(s.port, a, (mach_msg_type_number_t)GIB, 4096, &sum), KERN_SUCCESS);
	uint64_t t1 = rt_now_ms();
	cr_assert_eq(sum, expect);
	unsigned char vec;
	cr_assert_eq(mincore(p, 4096, &vec), -1, "sent with dealloc: gone from the sender");
	cr_assert_eq(errno, ENOMEM);
	long peak_rss = ft_proc_kib(before.broker, "VmHWM");
	cr_assert_eq(ft_snapshot_with(&after, before.broker), 0);
	cr_assert_eq(after.ool, 0);
	cr_assert_eq(after.own_fds, before.own_fds);
	cr_assert_eq(after.broker_fds, before.broker_fds);
	cr_assert_eq(after.ports, before.ports);
	/* the memfd never enters the broker's address space */
	if (FT_RSS_ASSERTED)
		cr_assert_lt(after.rss_kib - before.rss_kib, 8192, "broker RSS %ld -> %ld KiB", before.rss_kib,
	             after.rss_kib);
	fprintf(stderr,
	        "scale: 1 GiB OOL (vm_allocate, dealloc) sent and read (one byte per page) in %llu ms; "
	        "broker RSS %ld -> %ld KiB (peak %ld)\n",
	        (unsigned long long)(t1 - t0), before.rss_kib, after.rss_kib, peak_rss);
	cr_assert_eq(ft_stop_server(&s, 10000), 0);
}
