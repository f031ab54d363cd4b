/* Kernel-generated notification messages, laid out exactly as Darwin's
 * <mach/notify.h> messages (without their trailer) and queued like any
 * message, bypassing the queue limit as XNU does. */
#include "core_internal.h"

#include <string.h>

/* NDR record of both Apple ABIs: little-endian ints, ASCII, IEEE floats. */
static const uint8_t ndr_bytes[8] = {0, 0, 0, 0, 1, 0, 0, 0};

static void drop_notify_right(mgc_port *notify)
{
    /* Out of memory: the right vanishes without a message. */
    notify->sorights--;
    mgc_port_unref(notify);
}

static void queue_kernel_msg(mgc_kmsg *k)
{
    k->kernel = true;
    mgc_kmsg_enqueue(k, true);
}

void mgc_notify_simple(mgc_port *notify, mach_msg_id_t id, bool has_payload, uint32_t payload)
{
    if (!MGC_PORT_VALID(notify))
        return;
    mach_msg_size_t body = has_payload ? (mach_msg_size_t)(sizeof ndr_bytes + 4) : 0;
    mgc_kmsg *k = mgc_kmsg_alloc(notify->core, body, 0);
    if (!k) {
        drop_notify_right(notify);
        return;
    }
    k->dest = notify;
    k->bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
    k->size = (mach_msg_size_t)sizeof(mach_msg_header_t) + body;
    k->id = id;
    if (has_payload) {
        memcpy(k->body, ndr_bytes, sizeof ndr_bytes);
        memcpy(k->body + sizeof ndr_bytes, &payload, 4);
    }
    queue_kernel_msg(k);
}

void mgc_notify_send_once(mgc_port *port)
{
    mgc_port_ref(port);
    mgc_notify_simple(port, MACH_NOTIFY_SEND_ONCE, false, 0);
}

void mgc_notify_port_destroyed(mgc_port *notify, mgc_port *rcv)
{
    if (!MGC_PORT_VALID(notify))
        return;
    const mach_msg_size_t body = 4 + 12; /* body count + one port descriptor */
    mgc_kmsg *k = mgc_kmsg_alloc(notify->core, body, 1);
    if (!k) {
        drop_notify_right(notify);
        /* Nobody can take the receive right: it dies after all. */
        mgc_port_ref(rcv);
        mgc_port_destroy_receive(rcv);
        mgc_port_unref(rcv);
        return;
    }
    k->dest = notify;
    k->bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
    k->size = (mach_msg_size_t)sizeof(mach_msg_header_t) + body;
    k->id = MACH_NOTIFY_PORT_DESTROYED;
    k->ndesc = 1;
    uint32_t one = 1;
    memcpy(k->body, &one, 4);
    uint8_t *d = k->body + 4;
    memset(d, 0, 12);
    d[10] = MACH_MSG_TYPE_PORT_RECEIVE;
    d[11] = MACH_MSG_PORT_DESCRIPTOR;
    mgc_port_ref(rcv);
    mgc_clear_receiver(rcv);
    k->ports[0] = rcv;
    k->types[0] = MACH_MSG_TYPE_PORT_RECEIVE;
    queue_kernel_msg(k);
}
