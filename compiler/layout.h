/* Exact Darwin request/reply layouts of one routine for a target ABI. */
#ifndef MACHGEN_LAYOUT_H
#define MACHGEN_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "model.h"

/* Fills rt->request and rt->reply from rt->args (arguments must be complete).
 * KernelServer replies are sent with each port type's received-side name (the
 * kernel holds the rights MIG's out names describe). Returns false if a message
 * can exceed the 31-bit size limit. */
bool mg_layout_routine(struct mg_arena *arena, const struct mg_target *t, struct mg_routine *rt,
                       bool kernel_server);

/* Bytes of the trailer that carries `elem` (enum mg_trailer_elem) on target t. */
uint32_t mg_trailer_size(const struct mg_target *t, uint32_t elem);

/* Wire size of a value's inline part: fixed types only (rounded up to 4). */
static inline uint64_t mg_round4(uint64_t n) { return (n + 3) & ~(uint64_t)3; }

#endif
