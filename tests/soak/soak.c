/* machgen_soak [SECONDS [CLIENTS]]: several client processes make mixed RPCs
 * through the generated faults stubs to two servers while clients and servers are
 * killed with SIGKILL at random and restarted. Reports operations, errors by kind
 * and the broker's resources before and after; exits 1 on a wrong answer, a hang
 * (a client without progress for HANG_MS) or a leak. Runs its own private broker.
 * MACHGEN_SOAK_INJECT=leak|hang plants one such fault, to show the checks fire. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mach/mach.h>
#include <mach/vm_map.h>

#include "debug.h"
#include "faults.h"
#include "faults_util.h"
#include "helpers.h"

#define MAX_CLIENTS 16
#define SERVERS 2
#define HANG_MS 15000
#define STUCK_MS 1000
#define RSS_SLACK_KIB 8192

enum op { OP_ADD, OP_STALL, OP_BLOB, OP_PORTS, OP_NEW_PORT, OP_SELF_OOL, OP_KINDS };
static const char *const op_names[OP_KINDS] = {"add", "stall", "blob", "take_ports", "new_port",
                                               "self_ool"};

enum err { E_SERVER_DIED, E_INVALID_DEST, E_RCV_PORT_DIED, E_LOOKUP, E_WRONG, E_OTHER, E_KINDS };
static const char *const err_names[E_KINDS] = {"MIG_SERVER_DIED", "MACH_SEND_INVALID_DEST",
                                               "MACH_RCV_PORT_DIED", "look-up failed",
                                               "WRONG ANSWER", "other"};

/* One slot per client, written only by that client, shared with the supervisor. */
struct slot {
	_Atomic uint64_t ops[OP_KINDS];
	_Atomic uint64_t errs[E_KINDS];
	_Atomic uint64_t heartbeat_ms;
	_Atomic int last_other;
};

static struct slot *slots;

static void count_error(struct slot *sl, kern_return_t kr)
{
	enum err e = E_OTHER;
	if (kr == MIG_SERVER_DIED)
		e = E_SERVER_DIED;
	else if (kr == MACH_SEND_INVALID_DEST)
		e = E_INVALID_DEST;
	else if (kr == MACH_RCV_PORT_DIED)
		e = E_RCV_PORT_DIED;
	else
		atomic_store(&sl->last_other, kr);
	atomic_fetch_add(&sl->errs[e], 1);
}

static kern_return_t op_blob(mach_port_t svc, unsigned r)
{
	vm_size_t size = (vm_size_t)4096 << (r % 9); /* 4 KiB .. 1 MiB: inline and memfd paths */
	vm_address_t a = 0;
	if (vm_allocate(mach_task_self(), &a, size, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	int64_t expect = 0, sum = -1;
	for (vm_size_t off = 0; off < size; off += 512) {
		((unsigned char *)a)[off] = (unsigned char)(off / 512 + r);
		expect += (unsigned char)(off / 512 + r);
	}
	/* dealloc: the region leaves us even when the send fails */
	kern_return_t kr = blob(svc, a, (mach_msg_type_number_t)size, 512, &sum);
	return kr == KERN_SUCCESS && sum != expect ? -1 : kr;
}

static kern_return_t op_ports(mach_port_t svc, unsigned r)
{
	mach_port_t p[8];
	int n = 1 + (int)(r % 8), count = -1;
	for (int i = 0; i < n; i++)
		if ((p[i] = rt_port_with_send()) == MACH_PORT_NULL)
			return KERN_RESOURCE_SHORTAGE;
	kern_return_t kr = take_ports(svc, p, (mach_msg_type_number_t)n, &count);
	for (int i = 0; i < n; i++)
		mach_port_destroy(mach_task_self(), p[i]);
	return kr == KERN_SUCCESS && count != n ? -1 : kr;
}

/* A message with a small OOL region to our own port: no server involved. */
static kern_return_t op_self_ool(mach_port_t own)
{
	union {
		struct {
			mach_msg_header_t head;
			mach_msg_body_t body;
			mach_msg_ool_descriptor_t ool;
		} out;
		struct {
			mach_msg_header_t head;
			mach_msg_body_t body;
			mach_msg_ool_descriptor_t ool;
			mach_msg_max_trailer_t t;
		} in;
	} u;
	char data[3000];
	memset(data, 0x5a, sizeof data);
	memset(&u, 0, sizeof u);
	u.out.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	u.out.head.msgh_size = sizeof u.out;
	u.out.head.msgh_remote_port = own;
	u.out.body.msgh_descriptor_count = 1;
	u.out.ool.address = data;
	u.out.ool.size = sizeof data;
	u.out.ool.copy = MACH_MSG_VIRTUAL_COPY;
	u.out.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	mach_msg_return_t mr = mach_msg(&u.out.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                                sizeof u.out, sizeof u, own, 5000, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	const unsigned char *got = u.in.ool.address;
	int ok = u.in.ool.size == sizeof data && got[0] == 0x5a && got[sizeof data - 1] == 0x5a;
	vm_deallocate(mach_task_self(), (vm_address_t)got, u.in.ool.size);
	return ok ? KERN_SUCCESS : -1;
}

static int client_main(int idx, unsigned seed, int hang)
{
	struct slot *sl = &slots[idx];
	mach_port_t svc[SERVERS] = {MACH_PORT_NULL, MACH_PORT_NULL};
	mach_port_t own = MACH_PORT_NULL;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &own) != KERN_SUCCESS)
		return 2;
	for (unsigned n = 0;; n++) {
		unsigned r = (unsigned)rand_r(&seed);
		int which = (int)(r % SERVERS);
		enum op op = (enum op)((r >> 4) % OP_KINDS);
		kern_return_t kr;
		if (svc[which] == MACH_PORT_NULL) {
			char name[32];
			snprintf(name, sizeof name, "soak.s%d", which);
			if (rt_look_up(name, &svc[which]) != KERN_SUCCESS) {
				svc[which] = MACH_PORT_NULL;
				atomic_fetch_add(&sl->errs[E_LOOKUP], 1);
				atomic_store(&sl->heartbeat_ms, rt_now_ms());
				usleep(5000); /* the server is being restarted */
				continue;
			}
		}
		switch (op) {
		case OP_ADD: {
			int c = 0;
			kr = add(svc[which], (int)n, 11, &c);
			if (kr == KERN_SUCCESS && c != (int)n + 11)
				kr = -1;
			break;
		}
		case OP_STALL: {
			int slept = 0;
			kr = stall(svc[which], (int)(r >> 8) % 10, &slept);
			break;
		}
		case OP_BLOB:
			kr = op_blob(svc[which], r >> 8);
			break;
		case OP_PORTS:
			kr = op_ports(svc[which], r >> 8);
			break;
		case OP_NEW_PORT: {
			mach_port_t p = MACH_PORT_NULL;
			kr = new_port(svc[which], &p);
			if (kr == KERN_SUCCESS) {
				mach_port_type_t t = 0;
				if (mach_port_type(mach_task_self(), p, &t) != KERN_SUCCESS ||
				    !(t & MACH_PORT_TYPE_RECEIVE))
					kr = -1;
				mach_port_destroy(mach_task_self(), p);
			}
			break;
		}
		default:
			kr = op_self_ool(own);
			break;
		}
		if (kr == KERN_SUCCESS) {
			atomic_fetch_add(&sl->ops[op], 1);
		} else if (kr == -1) {
			atomic_fetch_add(&sl->errs[E_WRONG], 1);
		} else {
			count_error(sl, kr);
			/* a dead server: drop its name and look it up again */
			mach_port_deallocate(mach_task_self(), svc[which]);
			svc[which] = MACH_PORT_NULL;
		}
		atomic_store(&sl->heartbeat_ms, rt_now_ms());
		if (hang && n == 100)
			pause(); /* injected: stops making progress */
	}
}

static const char *inject;

static pid_t start_client(int idx, unsigned seed, unsigned life_s)
{
	atomic_store(&slots[idx].heartbeat_ms, rt_now_ms());
	pid_t pid = fork();
	if (pid == 0) {
		alarm(life_s);
		_exit(client_main(idx, seed, idx == 0 && inject && !strcmp(inject, "hang")));
	}
	return pid;
}

static int start_server(ft_server *s, int which, unsigned life_s)
{
	char name[32];
	snprintf(name, sizeof name, "soak.s%d", which);
	return ft_start_server(s, name, life_s);
}

static void drain(int fd)
{
	while (ft_wait_byte(fd, 0))
		;
}

static void print_snapshot(const char *when, const ft_snapshot *s)
{
	printf("%-7s broker pid %d: ports %llu tasks %llu connections %llu ool %llu broker fds %d "
	       "RSS %ld KiB, our fds %d\n",
	       when, (int)s->broker, (unsigned long long)s->ports, (unsigned long long)s->tasks,
	       (unsigned long long)s->connections, (unsigned long long)s->ool, s->broker_fds,
	       s->rss_kib, s->own_fds);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 600;
	int nclients = argc > 2 ? atoi(argv[2]) : 4;
	if (seconds <= 0 || nclients <= 0 || nclients > MAX_CLIENTS) {
		fprintf(stderr, "usage: %s [SECONDS (600)] [CLIENTS 1-%d (4)]\n", argv[0], MAX_CLIENTS);
		return 2;
	}
	inject = getenv("MACHGEN_SOAK_INJECT");
	rt_private_broker();
	setvbuf(stdout, NULL, _IOLBF, 0);
	slots = mmap(NULL, sizeof(struct slot) * MAX_CLIENTS, PROT_READ | PROT_WRITE,
	             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		return 2;
	memset(slots, 0, sizeof(struct slot) * MAX_CLIENTS);

	ft_snapshot base, end;
	mach_port_t warm;
	(void)mig_get_reply_port(); /* the supervisor's RPCs reuse it: part of the baseline */
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &warm) != KERN_SUCCESS ||
	    mach_port_destroy(mach_task_self(), warm) != KERN_SUCCESS || ft_snapshot_take(&base) != 0) {
		fprintf(stderr, "soak: no broker\n");
		return 2;
	}
	print_snapshot("before", &base);
	unsigned life = (unsigned)seconds + 120;
	ft_server srv[SERVERS];
	pid_t cl[MAX_CLIENTS];
	for (int i = 0; i < SERVERS; i++)
		if (start_server(&srv[i], i, life) != 0) {
			fprintf(stderr, "soak: server %d did not start\n", i);
			return 2;
		}
	for (int i = 0; i < nclients; i++)
		cl[i] = start_client(i, (unsigned)i * 7919u + 1, life);

	mach_port_t planted = MACH_PORT_NULL;
	if (inject && !strcmp(inject, "leak")) /* injected: a port nobody frees */
		mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &planted);
	unsigned seed = 12345;
	uint64_t start = rt_now_ms(), stop = start + (uint64_t)seconds * 1000u, next_kill = start + 500;
	uint64_t client_kills = 0, server_kills = 0, health = 0, skipped = 0;
	int hang = -1, failed = 0;
	while (rt_now_ms() < stop && hang < 0) {
		usleep(50000);
		for (int i = 0; i < SERVERS; i++)
			drain(srv[i].busy_fd);
		uint64_t now = rt_now_ms();
		for (int i = 0; i < nclients; i++)
			if (now - atomic_load(&slots[i].heartbeat_ms) > HANG_MS)
				hang = i;
		if (now < next_kill)
			continue;
		next_kill = now + 200 + (uint64_t)(rand_r(&seed) % 1300);
		/* no kill while a client waits: killing it (or its server) would mask a hang */
		int waiting = 0;
		for (int i = 0; i < nclients; i++)
			waiting |= now - atomic_load(&slots[i].heartbeat_ms) > STUCK_MS;
		if (waiting) {
			skipped++;
			continue;
		}
		unsigned r = (unsigned)rand_r(&seed);
		if (r % 4 == 0) { /* a server: its clients see MIG_SERVER_DIED / dead names */
			int i = (int)((r >> 2) % SERVERS);
			kill(srv[i].pid, SIGKILL);
			if (rt_wait(srv[i].pid, 5000) != 128 + SIGKILL)
				failed = 1;
			close(srv[i].busy_fd);
			mach_port_deallocate(mach_task_self(), srv[i].port);
			if (start_server(&srv[i], i, life) != 0) {
				fprintf(stderr, "soak: server %d did not restart\n", i);
				failed = 1;
				break;
			}
			server_kills++;
		} else {
			int i = (int)((r >> 2) % (unsigned)nclients);
			kill(cl[i], SIGKILL);
			if (rt_wait(cl[i], 5000) != 128 + SIGKILL)
				failed = 1; /* it exited on its own: a client error */
			cl[i] = start_client(i, r, life);
			client_kills++;
		}
		int sum = 0; /* the supervisor's own call must always work */
		if (add(srv[r % SERVERS].port, 1, 2, &sum) != KERN_SUCCESS || sum != 3)
			failed = 1;
		health++;
	}
	if (hang >= 0)
		fprintf(stderr, "soak: client %d made no progress for %d ms: HANG\n", hang, HANG_MS);

	for (int i = 0; i < nclients; i++) {
		kill(cl[i], SIGKILL);
		rt_wait(cl[i], 5000);
	}
	for (int i = 0; i < SERVERS; i++)
		if (ft_stop_server(&srv[i], 10000) != 0) {
			fprintf(stderr, "soak: server %d did not stop cleanly\n", i);
			failed = 1;
		}
	for (int i = 0; i < 500; i++) {
		if (ft_snapshot_with(&end, base.broker) == 0 && end.tasks == base.tasks && end.ports == base.ports &&
		    end.connections == base.connections && end.broker_fds == base.broker_fds)
			break;
		usleep(10000);
	}
	print_snapshot("after", &end);
	long hwm = ft_proc_kib(base.broker, "VmHWM");

	uint64_t ops[OP_KINDS] = {0}, errs[E_KINDS] = {0}, total = 0;
	int last_other = 0;
	for (int i = 0; i < nclients; i++) {
		for (int k = 0; k < OP_KINDS; k++)
			ops[k] += atomic_load(&slots[i].ops[k]);
		for (int k = 0; k < E_KINDS; k++)
			errs[k] += atomic_load(&slots[i].errs[k]);
		if (atomic_load(&slots[i].last_other))
			last_other = atomic_load(&slots[i].last_other);
	}
	printf("soak: %d s, %d clients, %d servers: %llu client kills, %llu server kills, %llu "
	       "supervisor health RPCs, %llu kills skipped (a client waiting > %d ms)\n",
	       seconds, nclients, SERVERS, (unsigned long long)client_kills,
	       (unsigned long long)server_kills, (unsigned long long)health,
	       (unsigned long long)skipped, STUCK_MS);
	for (int k = 0; k < OP_KINDS; k++) {
		printf("  ok %-11s %llu\n", op_names[k], (unsigned long long)ops[k]);
		total += ops[k];
	}
	printf("  ok total       %llu (%.0f/s)\n", (unsigned long long)total, (double)total / seconds);
	for (int k = 0; k < E_KINDS; k++)
		printf("  error %-22s %llu\n", err_names[k], (unsigned long long)errs[k]);
	if (errs[E_OTHER])
		printf("  last other error %#x\n", last_other);
	printf("  broker peak RSS %ld KiB\n", hwm);

	int leak = end.ports != base.ports || end.tasks != base.tasks ||
	           end.connections != base.connections || end.ool != 0 ||
	           end.broker_fds != base.broker_fds || end.own_fds != base.own_fds ||
	           (FT_RSS_ASSERTED && end.rss_kib > base.rss_kib + RSS_SLACK_KIB);
	if (leak)
		printf("soak: LEAK (compare before/after above)\n");
	if (errs[E_WRONG])
		printf("soak: WRONG ANSWERS\n");
	int bad = failed || leak || hang >= 0 || errs[E_WRONG] || total == 0;
	printf("soak: %s\n", bad ? "FAIL" : "PASS");
	rt_stop_broker();
	return bad ? 1 : 0;
}
