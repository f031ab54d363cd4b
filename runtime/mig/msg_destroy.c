/*
 * mach_msg_destroy: releases what a received message holds (or what an unsent
 * message would have transferred), following the bits and descriptors as the
 * receiver sees them.
 */
#include "platform.h"

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

#include <stddef.h>
#include <stdint.h>

/* Undo one right as if the kernel had transferred and then destroyed it. */
static void destroy_right(mach_port_t port, mach_msg_type_name_t disposition)
{
	mach_port_t task = mach_task_self();

	if (!MACH_PORT_VALID(port))
		return;
	switch (disposition) {
	case MACH_MSG_TYPE_MOVE_SEND:
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		(void)mach_port_deallocate(task, port);
		break;
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		(void)mach_port_mod_refs(task, port, MACH_PORT_RIGHT_RECEIVE, -1);
		break;
	case MACH_MSG_TYPE_MAKE_SEND:
		/* the make would have created a send right; create and drop it */
		if (mach_port_insert_right(task, port, port, MACH_MSG_TYPE_MAKE_SEND) == KERN_SUCCESS)
			(void)mach_port_deallocate(task, port);
		break;
	case MACH_MSG_TYPE_MAKE_SEND_ONCE: {
		/* a send-once right destroyed unused still fires its notification */
		mach_port_t so = MACH_PORT_NULL;
		mach_msg_type_name_t got = 0;

		if (mach_port_extract_right(task, port, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &got) ==
		    KERN_SUCCESS)
			(void)mach_port_deallocate(task, so);
		break;
	}
	default:
		/* COPY_SEND and plain names transfer nothing the receiver owns */
		break;
	}
}

static void destroy_memory(uint64_t address, uint64_t size)
{
	if (size != 0)
		(void)vm_deallocate(mach_task_self(), (vm_address_t)address, (vm_size_t)size);
}

/*
 * Descriptors differ in size, so the array is walked using each type byte.
 * msgh_size is not trusted as a bound: senders may leave it unset and pass
 * the size to mach_msg instead.
 */
static void destroy_descriptors(mach_msg_header_t *msg)
{
	mach_msg_base_t *base = (mach_msg_base_t *)(void *)msg;
	mach_msg_size_t count = base->body.msgh_descriptor_count;
	unsigned char *cursor = (unsigned char *)(base + 1);
	mach_msg_size_t i;

	for (i = 0; i < count; i++) {
		mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(void *)cursor;

		switch (d->type.type) {
		case MACH_MSG_PORT_DESCRIPTOR:
			destroy_right(d->port.name, d->port.disposition);
			cursor += sizeof(mach_msg_port_descriptor_t);
			break;
		case MACH_MSG_OOL_DESCRIPTOR:
			if (d->out_of_line.deallocate)
				destroy_memory((uint64_t)(uintptr_t)d->out_of_line.address,
				               d->out_of_line.size);
			cursor += sizeof(mach_msg_ool_descriptor_t);
			break;
		case MACH_MSG_OOL_VOLATILE_DESCRIPTOR:
			/* volatile memory is never owned by the receiver */
			cursor += sizeof(mach_msg_ool_descriptor_t);
			break;
		case MACH_MSG_OOL_PORTS_DESCRIPTOR: {
			mach_msg_ool_ports_descriptor_t *p = &d->ool_ports;
			mach_port_t *ports = (mach_port_t *)p->address;
			mach_msg_size_t j;

			for (j = 0; ports != NULL && j < p->count; j++)
				destroy_right(ports[j], p->disposition);
			if (p->deallocate)
				destroy_memory((uint64_t)(uintptr_t)p->address,
				               (uint64_t)p->count * sizeof(mach_port_t));
			cursor += sizeof(mach_msg_ool_ports_descriptor_t);
			break;
		}
		case MACH_MSG_GUARDED_PORT_DESCRIPTOR: {
			mach_msg_guarded_port_descriptor_t *g = &d->guarded_port;

			/* a still-guarded receive right must be unguarded before release */
			if ((g->flags & MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND) == 0)
				(void)mach_port_unguard(mach_task_self(), g->name, g->context);
			destroy_right(g->name, g->disposition);
			cursor += sizeof(mach_msg_guarded_port_descriptor_t);
			break;
		}
		default:
			return; /* unknown type: its size is unknown, stop */
		}
	}
}

void mach_msg_destroy(mach_msg_header_t *msg)
{
	mach_msg_bits_t bits = msg->msgh_bits;

	/* msgh_local_port holds no right: receiving consumed the destination right. */
	destroy_right(msg->msgh_remote_port, MACH_MSGH_BITS_REMOTE(bits));
	destroy_right(msg->msgh_voucher_port, MACH_MSGH_BITS_VOUCHER(bits));
	if (MACH_MSGH_BITS_IS_COMPLEX(bits))
		destroy_descriptors(msg);
}

#endif
