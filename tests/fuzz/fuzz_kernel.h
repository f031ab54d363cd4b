/* The receiving half of a Mach kernel for server fuzzers: turns fuzzer bytes into a
 * request as a generated server receives it from XNU (valid header dispositions,
 * port descriptors naming rights the harness holds, OOL regions the harness
 * allocated at the descriptor's size, a format-0 trailer), runs a demux under the
 * serve loop's ownership contract, and accounts for every right and region so a
 * server that releases what it does not own, or twice, aborts the run. */
#ifndef MACHGEN_FUZZ_KERNEL_H
#define MACHGEN_FUZZ_KERNEL_H

#include <mach/mach.h>
#include <mach/mig.h>
#include <mach/mig_errors.h>
#include <stddef.h>
#include <stdint.h>

typedef boolean_t (*fuzz_demux_fn)(mach_msg_header_t *, mach_msg_header_t *);

struct fuzz_server {
    fuzz_demux_fn demux;
    mach_msg_id_t base_id;  /* the subsystem's first message id */
    unsigned nroutines;     /* ids base_id .. base_id + nroutines - 1 */
    mach_msg_size_t reply_max; /* the subsystem's largest reply */
};

/* One fuzz input through the server: never returns on an ownership violation. */
void fuzz_serve_one(const struct fuzz_server *srv, const uint8_t *data, size_t size);

/* Test doubles read every byte they are handed through this, so a length the
 * stub got wrong is an ASan report in the routine. */
unsigned fuzz_touch(const void *p, size_t n);

/* The libFuzzer entry point for the demux <demux> of subsystem <subsys>. */
#define FUZZ_SERVER_ENTRY(demux_fn, subsys)                                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                        \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                         \
    {                                                                                    \
        const struct fuzz_server srv = {                                                 \
            .demux = (demux_fn),                                                         \
            .base_id = (subsys).start,                                                   \
            .nroutines = (unsigned)((subsys).end - (subsys).start),                      \
            .reply_max = (subsys).maxsize,                                               \
        };                                                                               \
        fuzz_serve_one(&srv, data, size);                                                \
        return 0;                                                                        \
    }

#endif
