/* libFuzzer target: arbitrary requests into the generated demux of the kitchen-sink
 * interface (tests/codegen/kitchen), which has every argument kind machgen
 * generates. The routines are the round-trip tests' own. */
#include "fuzz_kernel.h"
#include "kitchenServer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct fuzz_server srv = {
        .demux = kitchen_server,
        .base_id = do_kitchen_subsystem.start,
        .nroutines = (unsigned)(do_kitchen_subsystem.end - do_kitchen_subsystem.start),
        .reply_max = do_kitchen_subsystem.maxsize,
    };
    fuzz_serve_one(&srv, data, size);
    return 0;
}
