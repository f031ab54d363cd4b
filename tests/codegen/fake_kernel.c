/* The Mach message trap and MIG runtime entry points the generated stubs call,
 * replaced by a synchronous in-process model (tests only). */
#include "fake_kernel.h"

#include <stdlib.h>
#include <string.h>

struct fake_kernel fk;
NDR_record_t NDR_record = {0, 0, 0, 0, 1, 0, 0, 0};

void fk_reset(boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *))
{
    memset(&fk, 0, sizeof fk);
    fk.demux = demux;
    for (int i = 0; i < 8; i++)
        fk.audit.val[i] = 1000u + (unsigned)i;
    fk.sender.val[0] = 501;
    fk.sender.val[1] = 20;
    fk.seqno = 7;
    fk.context = 0x1122334455667788ull;
}

void fk_trace_check(const char *func, int line, kern_return_t code)
{
    fk.trace_func = func;
    fk.trace_line = line;
    fk.trace_code = code;
    fk.traces++;
}

static mach_msg_type_name_t received(mach_msg_type_name_t d)
{
    switch (d) {
    case MACH_MSG_TYPE_COPY_SEND:
    case MACH_MSG_TYPE_MAKE_SEND:
    case MACH_MSG_TYPE_MOVE_SEND: return MACH_MSG_TYPE_PORT_SEND;
    case MACH_MSG_TYPE_MAKE_SEND_ONCE:
    case MACH_MSG_TYPE_MOVE_SEND_ONCE: return MACH_MSG_TYPE_PORT_SEND_ONCE;
    case MACH_MSG_TYPE_MOVE_RECEIVE: return MACH_MSG_TYPE_PORT_RECEIVE;
    default: return d;
    }
}

mach_msg_size_t fk_deliver(const mach_msg_header_t *msg, mach_msg_size_t size, void *out,
                           mach_msg_size_t trailer_size, int consume)
{
    unsigned char *o = out;
    memcpy(o, msg, size);
    mach_msg_header_t *h = out;
    mach_msg_bits_t bits = msg->msgh_bits;
    h->msgh_remote_port = msg->msgh_local_port;
    h->msgh_local_port = msg->msgh_remote_port;
    h->msgh_bits = (bits & MACH_MSGH_BITS_COMPLEX) |
                   MACH_MSGH_BITS(received(MACH_MSGH_BITS_LOCAL(bits)),
                                  received(MACH_MSGH_BITS_REMOTE(bits)));
    if (bits & MACH_MSGH_BITS_COMPLEX) {
        mach_msg_body_t *body = (mach_msg_body_t *)(h + 1);
        unsigned char *d = (unsigned char *)(body + 1);
        for (mach_msg_size_t i = 0; i < body->msgh_descriptor_count; i++) {
            switch (d[11]) { /* the type byte */
            case MACH_MSG_PORT_DESCRIPTOR: {
                mach_msg_port_descriptor_t *p = (mach_msg_port_descriptor_t *)d;
                p->disposition = received(p->disposition);
                d += sizeof *p;
                break;
            }
            case MACH_MSG_OOL_DESCRIPTOR: {
                mach_msg_ool_descriptor_t *p = (mach_msg_ool_descriptor_t *)d;
                void *copy = malloc(p->size ? p->size : 1);
                memcpy(copy, p->address, p->size);
                if (p->deallocate && consume) /* the sender's region is gone once sent */
                    free(p->address);
                p->address = copy;
                d += sizeof *p;
                break;
            }
            case MACH_MSG_OOL_PORTS_DESCRIPTOR: {
                mach_msg_ool_ports_descriptor_t *p = (mach_msg_ool_ports_descriptor_t *)d;
                size_t n = p->count * sizeof(mach_port_t);
                void *copy = malloc(n ? n : 1);
                memcpy(copy, p->address, n);
                if (p->deallocate && consume)
                    free(p->address);
                p->address = copy;
                p->disposition = received(p->disposition);
                d += sizeof *p;
                break;
            }
            default: /* not a descriptor machgen sends: leave the rest as is */
                i = body->msgh_descriptor_count;
                break;
            }
        }
    }
    mach_msg_max_trailer_t tr;
    memset(&tr, 0, sizeof tr);
    tr.msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
    tr.msgh_trailer_size = trailer_size;
    tr.msgh_seqno = fk.seqno;
    tr.msgh_sender = fk.sender;
    tr.msgh_audit = fk.audit;
    tr.msgh_context = fk.context;
    memcpy(o + round_msg(size), &tr, trailer_size);
    return size;
}

static mach_msg_size_t requested_trailer(mach_msg_option_t option)
{
    switch ((option >> 24) & 0xf) {
    case MACH_RCV_TRAILER_NULL: return sizeof(mach_msg_trailer_t);
    case MACH_RCV_TRAILER_SEQNO: return sizeof(mach_msg_seqno_trailer_t);
    case MACH_RCV_TRAILER_SENDER: return sizeof(mach_msg_security_trailer_t);
    case MACH_RCV_TRAILER_AUDIT: return sizeof(mach_msg_audit_trailer_t);
    case MACH_RCV_TRAILER_CTX: return sizeof(mach_msg_context_trailer_t);
    default: return sizeof(mach_msg_max_trailer_t);
    }
}

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_name_t notify)
{
    (void)notify;
    fk.sends++;
    fk.last_option = option;
    fk.last_timeout = timeout;
    fk.last_rcv_name = rcv_name;
    fk.last_send_size = send_size;
    memcpy(fk.last_request, msg, send_size);
    if (fk.send_error)
        return fk.send_error;

    /* the server receives with the largest trailer, as a token-reading loop would */
    static unsigned char req[FK_BUF], rep[FK_BUF];
    memset(req, 0xa5, sizeof req);
    memset(rep, 0x5a, sizeof rep);
    fk_deliver(msg, send_size, req, sizeof(mach_msg_max_trailer_t), 1);
    fk.demux((mach_msg_header_t *)req, (mach_msg_header_t *)rep);
    mach_msg_header_t *r = (mach_msg_header_t *)rep;
    memcpy(fk.last_reply, rep, r->msgh_size <= FK_BUF ? r->msgh_size : FK_BUF);
    if (!(option & MACH_RCV_MSG))
        return MACH_MSG_SUCCESS;
    if (!(r->msgh_bits & MACH_MSGH_BITS_COMPLEX) &&
        ((mig_reply_error_t *)r)->RetCode == MIG_NO_REPLY)
        return MACH_RCV_TIMED_OUT; /* nothing comes back: the client would wait */
    mach_msg_size_t tsize = requested_trailer(option);
    if (round_msg(r->msgh_size) + tsize > rcv_size)
        return MACH_RCV_TOO_LARGE;
    fk_deliver(r, r->msgh_size, msg, tsize, 1);
    if (fk.tamper_reply)
        fk.tamper_reply(msg);
    return MACH_MSG_SUCCESS;
}

void mach_msg_destroy(mach_msg_header_t *msg)
{
    (void)msg;
    fk.destroyed++;
}

mach_port_t mig_get_reply_port(void)
{
    fk.get_reply++;
    return FK_REPLY_PORT;
}

void mig_put_reply_port(mach_port_t reply_port)
{
    (void)reply_port;
    fk.put_reply++;
}

void mig_dealloc_reply_port(mach_port_t reply_port)
{
    (void)reply_port;
    fk.dealloc_reply++;
}

int mig_strncpy(char *dest, const char *src, int len)
{
    int i;
    if (len <= 0)
        return 0;
    for (i = 1; i < len; i++)
        if ((*dest++ = *src++) == '\0')
            return i;
    *dest = '\0';
    return i;
}

int mig_strncpy_zerofill(char *dest, const char *src, int len)
{
    int n = mig_strncpy(dest, src, len);
    for (int i = n; i < len; i++)
        dest[i] = '\0';
    return n;
}

/* Received regions are malloc'd copies here (see deliver above). */
void mig_deallocate(vm_address_t addr, vm_size_t size)
{
    (void)size;
    fk.mig_deallocated++;
    free((void *)addr);
}
