/* See fuzz_kernel.h. The request is laid out as XNU copies it out to the
 * receiver; everything the kernel would reject at send time (descriptors that do
 * not fit, unknown descriptor types, a size that is not a multiple of 4) never
 * reaches a server, so such inputs are clamped instead of delivered. */
#define _GNU_SOURCE
#include "fuzz_kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rights the harness "holds" on the server's behalf: a fixed set of names, each
 * with the reference counts the delivered messages gave it. */
enum { NRIGHTS = 8, MAX_MSG = 8192, MAX_OOL = 65536, MAX_OOL_PORTS = 256 };

struct right {
    mach_port_name_t name;
    unsigned send, send_once, receive;
};

struct fuzz_state {
    struct right rights[NRIGHTS];
};

/* The shim calls below (mach_port_deallocate, ...) have no context argument, so
 * the one run in progress is reachable from here; libFuzzer runs inputs one at a
 * time. */
static struct fuzz_state *g_run;

mach_port_t mach_task_self_ = 0x103;
NDR_record_t NDR_record = {0, 0, 0, 0, 1, 0, 0, 0};

static mach_port_name_t right_name(unsigned i) { return (mach_port_name_t)(0x1003u + (i << 8)); }

static struct right *find_right(mach_port_name_t name)
{
    for (unsigned i = 0; g_run && i < NRIGHTS; i++)
        if (g_run->rights[i].name == name)
            return &g_run->rights[i];
    return NULL;
}

static void violation(const char *what, mach_port_name_t name)
{
    fprintf(stderr, "fuzz_kernel: ownership violation: %s (name %#x)\n", what, name);
    abort();
}

/* Gives the server one right of the received type; returns the name to deliver. */
static mach_port_name_t give_right(uint8_t pick, mach_msg_type_name_t type)
{
    if (pick % 16 == 15)
        return MACH_PORT_NULL;
    if (pick % 16 == 14)
        return MACH_PORT_DEAD;
    struct right *r = &g_run->rights[pick % NRIGHTS];
    if (type == MACH_MSG_TYPE_PORT_RECEIVE) {
        if (r->receive) /* one receive right per port: this slot arrives null */
            return MACH_PORT_NULL;
        r->receive = 1;
    } else if (type == MACH_MSG_TYPE_PORT_SEND_ONCE) {
        r->send_once++;
    } else {
        r->send++;
    }
    return r->name;
}

/* The dispositions a receiver can see: a sender's disposition becomes what the
 * kernel turns it into (so values a stub compares against work as input), any
 * other value one of the three. */
static mach_msg_type_name_t received_type(uint8_t v)
{
    static const mach_msg_type_name_t t[3] = {MACH_MSG_TYPE_PORT_SEND,
                                              MACH_MSG_TYPE_PORT_SEND_ONCE,
                                              MACH_MSG_TYPE_PORT_RECEIVE};
    switch (v) {
    case MACH_MSG_TYPE_MOVE_RECEIVE: return MACH_MSG_TYPE_PORT_RECEIVE;
    case MACH_MSG_TYPE_MOVE_SEND:
    case MACH_MSG_TYPE_COPY_SEND:
    case MACH_MSG_TYPE_MAKE_SEND: return MACH_MSG_TYPE_PORT_SEND;
    case MACH_MSG_TYPE_MOVE_SEND_ONCE:
    case MACH_MSG_TYPE_MAKE_SEND_ONCE: return MACH_MSG_TYPE_PORT_SEND_ONCE;
    default: return t[v % 3];
    }
}

kern_return_t mach_port_deallocate(ipc_space_t task, mach_port_name_t name)
{
    (void)task;
    if (!MACH_PORT_VALID(name))
        return KERN_SUCCESS;
    struct right *r = find_right(name);
    if (!r)
        violation("deallocate of a name never received", name);
    if (r->send)
        r->send--;
    else if (r->send_once)
        r->send_once--;
    else
        violation("deallocate of a right already released", name);
    return KERN_SUCCESS;
}

kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name,
                                 mach_port_right_t right, mach_port_delta_t delta)
{
    (void)task;
    struct right *r = find_right(name);
    if (!r)
        violation("mod_refs of a name never received", name);
    unsigned *refs = right == MACH_PORT_RIGHT_RECEIVE     ? &r->receive
                     : right == MACH_PORT_RIGHT_SEND_ONCE ? &r->send_once
                     : right == MACH_PORT_RIGHT_SEND      ? &r->send
                                                          : NULL;
    if (!refs)
        return KERN_INVALID_VALUE;
    if (delta < 0 && *refs < (unsigned)-delta)
        violation("mod_refs below zero", name);
    *refs = (unsigned)((int)*refs + delta);
    return KERN_SUCCESS;
}

kern_return_t mach_port_insert_right(ipc_space_t task, mach_port_name_t name,
                                     mach_port_t poly, mach_msg_type_name_t poly_type)
{
    (void)task;
    (void)poly;
    (void)poly_type;
    violation("insert_right: a received message holds no make-dispositions", name);
    return KERN_FAILURE;
}

kern_return_t mach_port_extract_right(ipc_space_t task, mach_port_name_t name,
                                      mach_msg_type_name_t msgt_name, mach_port_t *poly,
                                      mach_msg_type_name_t *poly_type)
{
    (void)task;
    (void)msgt_name;
    (void)poly;
    (void)poly_type;
    violation("extract_right: a received message holds no make-dispositions", name);
    return KERN_FAILURE;
}

kern_return_t mach_port_unguard(ipc_space_t task, mach_port_name_t name, mach_port_context_t guard)
{
    (void)task;
    (void)guard;
    violation("unguard: no guarded descriptor was delivered", name);
    return KERN_FAILURE;
}

/* Regions are malloc'ed, so freeing one twice or one the harness never handed
 * out is an ASan report. */
kern_return_t vm_deallocate(vm_map_t task, vm_address_t address, vm_size_t size)
{
    (void)task;
    (void)size;
    if (address)
        free((void *)address);
    return KERN_SUCCESS;
}

/* What a stub frees an inline-looking `array[]` with once its routine returned. */
void mig_deallocate(vm_address_t addr, vm_size_t size)
{
    (void)vm_deallocate(mach_task_self(), addr, size);
}

unsigned fuzz_touch(const void *p, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31u + ((const unsigned char *)p)[i];
    return sum;
}

/* Reads fuzzer bytes as a stream; past the end everything reads as zero. */
struct reader {
    const uint8_t *p;
    size_t n;
};

static uint8_t rd8(struct reader *r)
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

static uint32_t rd32(struct reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)rd8(r) << (8 * i);
    return v;
}

/* The kernel refuses the message: keep the descriptors already delivered so the
 * caller can destroy them. */
static size_t refuse(mach_msg_base_t *base, uint32_t delivered)
{
    base->body.msgh_descriptor_count = delivered;
    return 0;
}

/* Fixes up the descriptors in place: returns the byte offset after the last one,
 * or 0 when the kernel would have refused the message. */
static size_t deliver_descriptors(unsigned char *msg, size_t size, struct reader *extra)
{
    mach_msg_base_t *base = (mach_msg_base_t *)(void *)msg;
    size_t off = sizeof *base;
    if (size < off)
        return 0;
    uint32_t count = base->body.msgh_descriptor_count;
    for (uint32_t i = 0; i < count; i++) {
        if (off + 12 > size)
            return refuse(base, i);
        mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(void *)(msg + off);
        unsigned type = d->type.type % 4; /* the types a plain receive can deliver */
        size_t dsize = type == MACH_MSG_PORT_DESCRIPTOR ? sizeof(mach_msg_port_descriptor_t)
                                                         : sizeof(mach_msg_ool_descriptor_t);
        if (off + dsize > size)
            return refuse(base, i);
        uint8_t pick = rd8(extra);
        switch (type) {
        case MACH_MSG_PORT_DESCRIPTOR: {
            mach_msg_port_descriptor_t *p = &d->port;
            p->disposition = received_type(p->disposition);
            p->name = give_right(pick, p->disposition);
            p->type = MACH_MSG_PORT_DESCRIPTOR;
            break;
        }
        case MACH_MSG_OOL_DESCRIPTOR:
        case MACH_MSG_OOL_VOLATILE_DESCRIPTOR: {
            mach_msg_ool_descriptor_t *p = &d->out_of_line;
            mach_msg_size_t sz = p->size % (MAX_OOL + 1);
            unsigned char *region = NULL;
            if (sz) { /* XNU delivers an empty region as a null address */
                region = malloc(sz);
                if (!region)
                    abort();
                memset(region, pick, sz);
            }
            /* A received region always belongs to the receiver (a virtual copy). */
            p->type = MACH_MSG_OOL_DESCRIPTOR;
            p->deallocate = region != NULL;
            p->address = region;
            p->size = region ? sz : 0;
            break;
        }
        case MACH_MSG_OOL_PORTS_DESCRIPTOR: {
            mach_msg_ool_ports_descriptor_t *p = &d->ool_ports;
            mach_msg_size_t n = p->count % (MAX_OOL_PORTS + 1);
            p->disposition = received_type(p->disposition);
            mach_port_t *names = n ? malloc(n * sizeof *names) : NULL;
            if (n && !names)
                abort();
            for (mach_msg_size_t k = 0; k < n; k++)
                names[k] = give_right(rd8(extra), p->disposition);
            p->type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
            p->address = names;
            p->count = n;
            p->deallocate = names != NULL;
            break;
        }
        }
        off += dsize;
    }
    return off;
}

/* What a reply's sender hands to the kernel: with no real send, the harness
 * frees the regions the server put in a complex reply. */
static void release_reply(mach_msg_header_t *reply, size_t cap)
{
    if (!MACH_MSGH_BITS_IS_COMPLEX(reply->msgh_bits))
        return;
    mach_msg_base_t *base = (mach_msg_base_t *)(void *)reply;
    size_t off = sizeof *base;
    for (uint32_t i = 0; i < base->body.msgh_descriptor_count && off + 12 <= cap; i++) {
        mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(void *)((unsigned char *)reply + off);
        if (d->type.type == MACH_MSG_PORT_DESCRIPTOR) {
            off += sizeof(mach_msg_port_descriptor_t);
            continue;
        }
        if (off + sizeof(mach_msg_ool_descriptor_t) > cap)
            break;
        if (d->type.type == MACH_MSG_OOL_DESCRIPTOR)
            free(d->out_of_line.address);
        else if (d->type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR)
            free(d->ool_ports.address);
        off += sizeof(mach_msg_ool_descriptor_t);
    }
}

/* Input layout: 4 bytes routine pick, 4 bytes header bits, 2 bytes msgh_size, the
 * body (after the 24-byte header; as much as the size asks for and the input has),
 * then bytes that pick rights per port and the trailer's sequence number. */
void fuzz_serve_one(const struct fuzz_server *srv, const uint8_t *data, size_t size)
{
    struct fuzz_state st;
    memset(&st, 0, sizeof st);
    for (unsigned i = 0; i < NRIGHTS; i++)
        st.rights[i].name = right_name(i);
    g_run = &st;

    struct reader in = {data, size};
    uint32_t pick = rd32(&in);
    uint32_t bits = rd32(&in);
    /* The input states msgh_size itself, so the size a stub compares against is a
     * value libFuzzer can copy into the input. */
    size_t want = (size_t)rd8(&in) | (size_t)rd8(&in) << 8;
    size_t body = want > sizeof(mach_msg_header_t) ? want - sizeof(mach_msg_header_t) : 0;
    body = body % (MAX_MSG - sizeof(mach_msg_header_t) + 1);
    if (body > in.n)
        body = in.n;
    body &= ~(size_t)3;
    size_t msize = sizeof(mach_msg_header_t) + body;
    /* Exactly the message and the largest trailer, so ASan sees reads past it. */
    size_t alloc = msize + sizeof(mach_msg_max_trailer_t);
    unsigned char *msg = malloc(alloc);
    if (!msg)
        abort();
    memset(msg, 0, sizeof(mach_msg_header_t));
    memcpy(msg + sizeof(mach_msg_header_t), in.p, body);
    in.p += body;
    in.n -= body;

    mach_msg_header_t *h = (mach_msg_header_t *)(void *)msg;
    /* Mostly ids the server knows, sometimes just outside or anything at all. */
    if (pick & 0x80000000u)
        h->msgh_id = (mach_msg_id_t)pick;
    else
        h->msgh_id = srv->base_id - 1 + (mach_msg_id_t)(pick % (srv->nroutines + 2));
    h->msgh_size = (mach_msg_size_t)msize;
    h->msgh_local_port = right_name(0);
    mach_msg_type_name_t remote = (bits & 3) == 0 ? 0 : (bits & 3) == 1 ? MACH_MSG_TYPE_PORT_SEND
                                                                         : MACH_MSG_TYPE_PORT_SEND_ONCE;
    h->msgh_remote_port = remote ? give_right((uint8_t)(bits >> 8), remote) : MACH_PORT_NULL;
    if (!MACH_PORT_VALID(h->msgh_remote_port))
        remote = h->msgh_remote_port ? remote : 0;
    mach_msg_type_name_t voucher = (bits & 4) ? MACH_MSG_TYPE_PORT_SEND : 0;
    h->msgh_voucher_port = voucher ? give_right((uint8_t)(bits >> 16), voucher) : MACH_PORT_NULL;
    h->msgh_bits = MACH_MSGH_BITS_SET(remote, MACH_MSG_TYPE_PORT_SEND, voucher,
                                      (bits & 8) ? MACH_MSGH_BITS_COMPLEX : 0);

    if ((h->msgh_bits & MACH_MSGH_BITS_COMPLEX) && !deliver_descriptors(msg, msize, &in)) {
        /* refused at send: nothing reaches the server; undo what the fix-up handed out */
        mach_msg_destroy(h);
        free(msg);
        g_run = NULL;
        return;
    }
    mach_msg_max_trailer_t tr;
    memset(&tr, 0, sizeof tr);
    tr.msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
    tr.msgh_trailer_size = sizeof tr;
    tr.msgh_seqno = rd32(&in);
    for (int i = 0; i < 8; i++)
        tr.msgh_audit.val[i] = 500u + (unsigned)i;
    memcpy(msg + msize, &tr, sizeof tr);

    /* The reply buffer is exactly the subsystem's largest reply. */
    size_t rcap = srv->reply_max > sizeof(mig_reply_error_t) ? srv->reply_max
                                                              : sizeof(mig_reply_error_t);
    mig_reply_error_t *reply = malloc(rcap);
    if (!reply)
        abort();
    memset(reply, 0, sizeof *reply);
    boolean_t known = srv->demux(h, &reply->Head);
    if (getenv("FUZZ_KERNEL_TRACE")) /* which check a replayed input stops at */
        fprintf(stderr, "fuzz_kernel: id %d size %u -> %s, RetCode %d\n", h->msgh_id,
                h->msgh_size, known ? "known" : "unknown", reply->RetCode);

    /* The serve loop's ownership contract (runtime/mig/msg_server.c). */
    kern_return_t rc = MACH_MSGH_BITS_IS_COMPLEX(reply->Head.msgh_bits) ? KERN_SUCCESS
                                                                         : reply->RetCode;
    if (rc != KERN_SUCCESS && rc != MIG_NO_REPLY) {
        h->msgh_remote_port = MACH_PORT_NULL;
        mach_msg_destroy(h);
    }
    release_reply(&reply->Head, rcap);
    free(reply);
    free(msg);
    g_run = NULL;
}
