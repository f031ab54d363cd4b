/* libFuzzer target: arbitrary requests into the generated demux of examples/async's
 * jobs interface, with a test double of its routine. The example defers its
 * replies; the double answers at once, or (negative delay) keeps the send-once reply
 * right and answers nothing, as a deferring routine does. */
#include "fuzz_kernel.h"
#include "jobsServer.h"

kern_return_t jobs_square(mach_port_t server, mach_port_t reply, int32_t n, int32_t delay_ms,
                          int64_t *square)
{
    (void)server;
    (void)reply;
    if (delay_ms < 0)
        return MIG_NO_REPLY;
    *square = (int64_t)n * n;
    return KERN_SUCCESS;
}

FUZZ_SERVER_ENTRY(jobs_server, jobs_subsystem)
