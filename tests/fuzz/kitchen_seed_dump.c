/* Seed generator for fuzz_kitchen: the code-generation round-trip tests, with every
 * request the generated client stubs send written to $MACHGEN_SEED_DIR in
 * fuzz_kitchen's input format (fuzz_kernel.c). The test double's mach_msg is
 * renamed to fk_inner_mach_msg at build time; this one records, then forwards. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_kernel.h"

mach_msg_return_t fk_inner_mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                                    mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                                    mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
                                    mach_port_name_t notify);

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void dump(const mach_msg_header_t *msg, mach_msg_size_t size)
{
    const char *dir = getenv("MACHGEN_SEED_DIR");
    if (!dir || size < sizeof *msg || size > 8192)
        return;
    static unsigned char buf[8192 + 64];
    size_t n = 0;
    /* routine pick: fuzz_kernel maps pick p to id base - 1 + p */
    put32(buf + n, (uint32_t)(msg->msgh_id - 4000 + 1));
    n += 4;
    /* reply port arrives as a send-once right; complex bit as sent */
    put32(buf + n, 2u | ((msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) ? 8u : 0u));
    n += 4;
    buf[n++] = (unsigned char)size;
    buf[n++] = (unsigned char)(size >> 8);
    memcpy(buf + n, (const unsigned char *)msg + sizeof *msg, size - sizeof *msg);
    n += size - sizeof *msg;
    memset(buf + n, 0, 16); /* right picks and trailer seqno */
    n += 16;
    /* name by content so reruns do not duplicate */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ buf[i]) * 1099511628211ull;
    char path[4096];
    snprintf(path, sizeof path, "%s/rt-%d-%016llx", dir, (int)msg->msgh_id, (unsigned long long)h);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(buf, 1, n, f);
        fclose(f);
    }
}

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_name_t notify)
{
    if (option & MACH_SEND_MSG)
        dump(msg, send_size);
    return fk_inner_mach_msg(msg, option, send_size, rcv_size, rcv_name, timeout, notify);
}
