/* The broker's own ports (task ports, the host port, the bootstrap port)
 * receive messages like any port, but no MIG server in the broker implements
 * kernel routines. Each such request is answered at once with MIG_BAD_ID, as
 * XNU answers an unknown routine, and its rights and memory are released, so
 * a caller never waits on a queue nobody reads. */
#include "broker.h"

#include <string.h>

#include <mach/message.h>
#include <mach/mig_errors.h>
#include <mach/port.h>

static unsigned char g_kbuf[MGW_MAX_FRAME];
static mach_port_name_t g_knames[MGW_MAX_FRAME / sizeof(mach_port_name_t)];

static void drop_name(struct broker *b, mach_port_name_t name, unsigned disposition)
{
	if (!MACH_PORT_VALID(name))
		return;
	if (disposition == MACH_MSG_TYPE_PORT_RECEIVE)
		mgc_port_destroy(b->kspace, name);
	else
		mgc_port_deallocate(b->kspace, name);
}

/* Releases everything a received message carries except its reply right. */
static void release_body(struct broker *b, const unsigned char *msg, mach_msg_size_t size)
{
	uint32_t nd = mgw_desc_count(msg, size);
	size_t dpos = MGW_DESC_OFFSET, name_pos = 0;

	for (uint32_t i = 0; i < nd && dpos + 12 <= size; i++) {
		const unsigned char *d = msg + dpos;
		unsigned t = mgw_desc_type(d);
		if (t == MACH_MSG_PORT_DESCRIPTOR) {
			mach_msg_port_descriptor_t pd;
			memcpy(&pd, d, sizeof pd);
			drop_name(b, pd.name, pd.disposition);
		} else if (t == MACH_MSG_GUARDED_PORT_DESCRIPTOR) {
			mach_msg_guarded_port_descriptor_t gd;
			memcpy(&gd, d, sizeof gd);
			drop_name(b, gd.name, gd.disposition);
		} else if (mgw_desc_is_ool(t)) {
			mach_msg_ool_descriptor_t od;
			memcpy(&od, d, sizeof od);
			if (od.address)
				bmsg_ool_release(b, (uint64_t)(uintptr_t)od.address, od.size);
		} else if (mgw_desc_is_ool_ports(t)) {
			mach_msg_ool_ports_descriptor_t pd;
			memcpy(&pd, d, sizeof pd);
			for (uint32_t k = 0; k < pd.count; k++)
				drop_name(b, g_knames[name_pos + k], pd.disposition);
			name_pos += pd.count;
		}
		dpos += mgw_desc_size(t);
	}
}

static void answer_bad_id(struct broker *b, const mach_msg_header_t *req)
{
	mig_reply_error_t rep;
	unsigned rtype = MACH_MSGH_BITS_REMOTE(req->msgh_bits);
	mgc_kmsg *blocked = NULL;

	if (!MACH_PORT_VALID(req->msgh_remote_port))
		return;
	memset(&rep, 0, sizeof rep);
	rep.Head.msgh_bits = MACH_MSGH_BITS(rtype == MACH_MSG_TYPE_PORT_SEND_ONCE
	                                            ? MACH_MSG_TYPE_MOVE_SEND_ONCE
	                                            : MACH_MSG_TYPE_MOVE_SEND, 0);
	rep.Head.msgh_size = sizeof rep;
	rep.Head.msgh_remote_port = req->msgh_remote_port;
	rep.Head.msgh_id = req->msgh_id + 100;
	rep.NDR.int_rep = 1; /* little endian, as the NDR record of both Apple ABIs */
	rep.RetCode = MIG_BAD_ID;
	if (mgc_msg_send(b->kspace, &rep, sizeof rep, NULL, 0, MACH_SEND_TIMEOUT, &blocked) ==
	        MGC_SEND_WOULD_BLOCK &&
	    blocked)
		mgc_kmsg_destroy(blocked); /* a full reply queue: the reply is dropped */
}

void bkernel_serve(struct broker *b)
{
	for (int n = 0; n < 1024; n++) {
		mgc_rcv_info info;
		mach_msg_header_t *h = (mach_msg_header_t *)(void *)g_kbuf;
		mach_msg_return_t mr;

		memset(&info, 0, sizeof info);
		mr = mgc_msg_receive(b->kspace, b->kset, 0, g_kbuf, sizeof g_kbuf, g_knames,
		                     sizeof g_knames / sizeof g_knames[0], &info);
		if (mr == MGC_RCV_WOULD_BLOCK)
			return;
		if (mr != MACH_MSG_SUCCESS)
			continue; /* too large: the core already destroyed it */
		b->dirty = true;
		if (MACH_MSGH_BITS_VOUCHER(h->msgh_bits))
			drop_name(b, h->msgh_voucher_port, MACH_MSG_TYPE_PORT_SEND);
		if (h->msgh_bits & MACH_MSGH_BITS_COMPLEX)
			release_body(b, g_kbuf, info.msg_size);
		answer_bad_id(b, h);
	}
}
