/* Debug query of the Linux backend, for leak tests and diagnostics. Not part
 * of the Darwin API. */
#ifndef MACHGEN_LINUX_DEBUG_H
#define MACHGEN_LINUX_DEBUG_H

#include <stdint.h>

enum {
	MACHGEN_STAT_PORTS,       /* live ports + port sets in the broker */
	MACHGEN_STAT_TASKS,       /* client processes the broker knows */
	MACHGEN_STAT_CONNECTIONS, /* client connections (threads) */
	MACHGEN_STAT_OOL,         /* OOL regions held in transit */
	MACHGEN_STAT_NAMES,       /* names in the caller's space */
};

/* Fills out[5] (indexed as above). Returns 0, or -1 when the broker is unreachable. */
int machgen_linux_debug_stats(uint64_t out[5]);

/* Calls the broker has served through shared-memory channels so far (all
 * clients; MACHGEN_LINUX_SHM=0 turns the channel off). Returns 0 or -1. */
int machgen_linux_debug_channel_calls(uint64_t *calls);

/* Batched watch calls (MGW_OP_MSG_MANY) the broker has answered so far, all
 * clients: out[0] answers, out[1] messages they delivered, out[2] sends they
 * carried. Returns 0 or -1. */
int machgen_linux_debug_batch_stats(uint64_t out[3]);

#endif
