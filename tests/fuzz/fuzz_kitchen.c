/* libFuzzer target: arbitrary requests into the generated demux of the kitchen-sink
 * interface (tests/codegen/kitchen), which has every argument kind machgen
 * generates. The routines are the round-trip tests' own. */
#include "fuzz_kernel.h"
#include "kitchenServer.h"

FUZZ_SERVER_ENTRY(kitchen_server, do_kitchen_subsystem)
