/* Recording test double of the Mach backend (see fake_backend.h). */
#include "fake_backend.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MAX_CALLS    256
#define MAX_QUEUED   16
#define MAX_SENT     16
#define MAX_RCVS     32
#define MAX_REGIONS  64

struct queued {
	unsigned char  *bytes;
	mach_msg_size_t size;
};

struct region {
	vm_address_t addr;
	vm_size_t    size;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_call calls[MAX_CALLS];
static size_t ncalls;
static struct queued queue[MAX_QUEUED];
static size_t qhead, qtail;
static struct fake_sent sent[MAX_SENT];
static size_t nsent;
static struct fake_rcv rcvs[MAX_RCVS];
static size_t nrcvs;
static mach_msg_return_t next_send_result;
static struct region regions[MAX_REGIONS];
static mach_port_name_t next_reply_port = 0x1000;
static size_t nallocs;

mach_port_t mach_task_self_ = 0x103;

static void log_call(enum fake_op op, mach_port_name_t name, uint64_t a, uint64_t b)
{
	pthread_mutex_lock(&lock);
	if (ncalls < MAX_CALLS)
		calls[ncalls++] = (struct fake_call){ op, name, a, b };
	pthread_mutex_unlock(&lock);
}

void fake_reset(void)
{
	pthread_mutex_lock(&lock);
	ncalls = nsent = nrcvs = 0;
	while (qhead != qtail)
		free(queue[qhead++ % MAX_QUEUED].bytes);
	qhead = qtail = 0;
	next_send_result = MACH_MSG_SUCCESS;
	pthread_mutex_unlock(&lock);
}

size_t fake_call_count(void) { return ncalls; }
const struct fake_call *fake_call_at(size_t i) { return i < ncalls ? &calls[i] : NULL; }

size_t fake_count(enum fake_op op, mach_port_name_t name)
{
	size_t i, n = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < ncalls; i++) {
		if (calls[i].op == op && (name == ~0u || calls[i].name == name))
			n++;
	}
	pthread_mutex_unlock(&lock);
	return n;
}

void fake_queue_incoming(const void *msg, mach_msg_size_t size)
{
	unsigned char *copy = malloc(size);

	memcpy(copy, msg, size);
	queue[qtail++ % MAX_QUEUED] = (struct queued){ copy, size };
}

void fake_fail_next_send(mach_msg_return_t mr) { next_send_result = mr; }
size_t fake_sent_count(void) { return nsent; }
const struct fake_sent *fake_sent_at(size_t i) { return i < nsent ? &sent[i] : NULL; }
size_t fake_rcv_count(void) { return nrcvs; }
const struct fake_rcv *fake_rcv_at(size_t i) { return i < nrcvs ? &rcvs[i] : NULL; }

size_t fake_vm_allocs(void) { return nallocs; }

size_t fake_vm_live(void)
{
	size_t i, n = 0;

	for (i = 0; i < MAX_REGIONS; i++)
		n += regions[i].addr != 0;
	return n;
}

static mach_msg_return_t fake_send(mach_msg_header_t *msg, mach_msg_option_t option,
                                   mach_msg_size_t send_size)
{
	mach_msg_return_t mr = next_send_result;

	next_send_result = MACH_MSG_SUCCESS;
	if (nsent < MAX_SENT) {
		struct fake_sent *s = &sent[nsent++];

		s->option = option;
		s->size = send_size;
		memcpy(s->bytes, msg, send_size < sizeof(s->bytes) ? send_size : sizeof(s->bytes));
	}
	return mr;
}

static mach_msg_return_t fake_receive(mach_msg_header_t *msg, mach_msg_option_t option,
                                      mach_msg_size_t rcv_size, mach_port_name_t rcv_name)
{
	struct queued *q;
	mach_msg_size_t trailer = REQUESTED_TRAILER_SIZE(option);
	mach_msg_trailer_t *t;

	if (nrcvs < MAX_RCVS)
		rcvs[nrcvs++] = (struct fake_rcv){ option, rcv_size, rcv_name };
	if (qhead == qtail)
		return MACH_RCV_TIMED_OUT;
	q = &queue[qhead % MAX_QUEUED];
	if (round_msg(q->size) + trailer > rcv_size) {
		if (option & MACH_RCV_LARGE) {
			msg->msgh_size = q->size; /* stays queued */
			return MACH_RCV_TOO_LARGE;
		}
		free(q->bytes);
		qhead++;
		return MACH_RCV_TOO_LARGE;
	}
	memcpy(msg, q->bytes, q->size);
	msg->msgh_size = q->size;
	t = (mach_msg_trailer_t *)(void *)((unsigned char *)msg + round_msg(q->size));
	memset(t, 0, trailer);
	t->msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
	t->msgh_trailer_size = trailer;
	free(q->bytes);
	qhead++;
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_name_t notify)
{
	mach_msg_return_t mr = MACH_MSG_SUCCESS;

	(void)timeout;
	(void)notify;
	pthread_mutex_lock(&lock);
	if (option & MACH_SEND_MSG)
		mr = fake_send(msg, option, send_size);
	if (mr == MACH_MSG_SUCCESS && (option & MACH_RCV_MSG))
		mr = fake_receive(msg, option, rcv_size, rcv_name);
	pthread_mutex_unlock(&lock);
	return mr;
}

kern_return_t mach_port_deallocate(ipc_space_t task, mach_port_name_t name)
{
	(void)task;
	log_call(FAKE_DEALLOC, name, 0, 0);
	return KERN_SUCCESS;
}

kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name,
                                 mach_port_right_t right, mach_port_delta_t delta)
{
	(void)task;
	log_call(FAKE_MOD_REFS, name, right, (uint64_t)(int64_t)delta);
	return KERN_SUCCESS;
}

kern_return_t mach_port_insert_right(ipc_space_t task, mach_port_name_t name, mach_port_t poly,
                                     mach_msg_type_name_t polyPoly)
{
	(void)task;
	log_call(FAKE_INSERT_RIGHT, name, poly, polyPoly);
	return KERN_SUCCESS;
}

kern_return_t mach_port_extract_right(ipc_space_t task, mach_port_name_t name,
                                      mach_msg_type_name_t msgt_name, mach_port_t *poly,
                                      mach_msg_type_name_t *polyPoly)
{
	(void)task;
	log_call(FAKE_EXTRACT_RIGHT, name, msgt_name, 0);
	*poly = name + FAKE_SO_OFFSET;
	*polyPoly = MACH_MSG_TYPE_PORT_SEND_ONCE;
	return KERN_SUCCESS;
}

kern_return_t mach_port_unguard(ipc_space_t task, mach_port_name_t name,
                                mach_port_context_t guard)
{
	(void)task;
	log_call(FAKE_UNGUARD, name, guard, 0);
	return KERN_SUCCESS;
}

mach_port_name_t mach_reply_port(void)
{
	mach_port_name_t name;

	pthread_mutex_lock(&lock);
	name = next_reply_port;
	next_reply_port += 4;
	pthread_mutex_unlock(&lock);
	log_call(FAKE_REPLY_PORT, name, 0, 0);
	return name;
}

kern_return_t vm_allocate(vm_map_t task, vm_address_t *address, vm_size_t size, int flags)
{
	void *p;
	size_t i;

	(void)task;
	(void)flags;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return KERN_RESOURCE_SHORTAGE;
	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_REGIONS && regions[i].addr != 0; i++)
		;
	if (i < MAX_REGIONS)
		regions[i] = (struct region){ (vm_address_t)p, size };
	nallocs++;
	pthread_mutex_unlock(&lock);
	*address = (vm_address_t)p;
	return KERN_SUCCESS;
}

/* Real regions are unmapped; fake addresses used by tests are only logged. */
kern_return_t vm_deallocate(vm_map_t task, vm_address_t address, vm_size_t size)
{
	size_t i;

	(void)task;
	log_call(FAKE_VM_DEALLOC, 0, address, size);
	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_REGIONS; i++) {
		if (regions[i].addr == address) {
			munmap((void *)address, regions[i].size);
			regions[i].addr = 0;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return KERN_SUCCESS;
}
