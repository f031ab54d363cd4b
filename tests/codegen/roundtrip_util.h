/* Shared by the kitchen round-trip test files: the fake kernel reset before each
 * test, the request port the client names, and requests captured and served by
 * hand (tests only). */
#ifndef KITCHEN_ROUNDTRIP_UTIL_H
#define KITCHEN_ROUNDTRIP_UTIL_H

#include <criterion/criterion.h>
#include <string.h>

#include "fake_kernel.h"
#include "kitchenServer.h"
#include "kitchen_impl.h"

enum { SERVER = 0x1001 };

static inline void setup(void)
{
    fk_reset(kitchen_server);
    memset(&klog, 0, sizeof klog);
}

/* Builds a valid request with the client stub, captured without serving. */
#define CAPTURE(call)                                                                      \
    do {                                                                                   \
        fk.send_error = MACH_SEND_INVALID_DEST;                                            \
        (void)(call);                                                                      \
        fk.send_error = 0;                                                                 \
    } while (0)

/* Delivers req with a trailer of the given size to the demux; the reply's RetCode. */
static inline kern_return_t serve(void *req, mach_msg_size_t size, mach_msg_size_t trailer,
                                  boolean_t *handled)
{
    static unsigned char in[FK_BUF], out[FK_BUF];
    memset(in, 0, sizeof in);
    fk_deliver(req, size, in, trailer, 0);
    *handled = kitchen_server((mach_msg_header_t *)in, (mach_msg_header_t *)out);
    const mig_reply_error_t *r = (const void *)out;
    cr_assert_eq(r->Head.msgh_id, ((mach_msg_header_t *)in)->msgh_id + 100);
    return r->RetCode;
}

static inline kern_return_t serve_request(void *req, mach_msg_size_t size)
{
    boolean_t handled;
    kern_return_t kr = serve(req, size, sizeof(mach_msg_max_trailer_t), &handled);
    cr_assert(handled);
    return kr;
}

#endif
