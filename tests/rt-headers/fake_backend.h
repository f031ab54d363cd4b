/*
 * A recording stand-in for the Mach backend, linked only into the MIG support
 * tests: port calls are logged, mach_msg sends are captured and receives are
 * served from a scripted queue, vm_allocate maps real memory.
 */
#ifndef MACHGEN_TEST_FAKE_BACKEND_H
#define MACHGEN_TEST_FAKE_BACKEND_H

#include <mach/mach.h>
#include <stddef.h>
#include <stdint.h>

enum fake_op {
	FAKE_DEALLOC,       /* mach_port_deallocate(name) */
	FAKE_MOD_REFS,      /* mach_port_mod_refs(name, right=a, delta=b) */
	FAKE_INSERT_RIGHT,  /* mach_port_insert_right(name, poly=a, disp=b) */
	FAKE_EXTRACT_RIGHT, /* mach_port_extract_right(name, disp=a) -> name + FAKE_SO_OFFSET */
	FAKE_VM_DEALLOC,    /* vm_deallocate(address=a, size=b) */
	FAKE_UNGUARD,       /* mach_port_unguard(name, guard=a) */
	FAKE_REPLY_PORT,    /* mach_reply_port() returned name */
};

#define FAKE_SO_OFFSET 0x10000u

struct fake_call {
	enum fake_op     op;
	mach_port_name_t name;
	uint64_t         a;
	uint64_t         b;
};

struct fake_sent {
	mach_msg_option_t option;
	mach_msg_size_t   size;
	unsigned char     bytes[512];
};

void fake_reset(void);
size_t fake_call_count(void);
const struct fake_call *fake_call_at(size_t i);
/* Number of logged calls matching op and name (any name when name == ~0u). */
size_t fake_count(enum fake_op op, mach_port_name_t name);

/* Queues a message the next receive returns (copied). */
void fake_queue_incoming(const void *msg, mach_msg_size_t size);
/* Result of the next send (one-shot; later sends succeed). */
void fake_fail_next_send(mach_msg_return_t mr);

size_t fake_sent_count(void);
const struct fake_sent *fake_sent_at(size_t i);

struct fake_rcv {
	mach_msg_option_t option;
	mach_msg_size_t   rcv_size;
	mach_port_name_t  rcv_name;
};
size_t fake_rcv_count(void);
const struct fake_rcv *fake_rcv_at(size_t i);

/* Regions obtained with vm_allocate and not yet released; calls to vm_allocate so far. */
size_t fake_vm_live(void);
size_t fake_vm_allocs(void);

#endif
