/* C types of kinds.defs. */
#ifndef KINDS_TYPES_H
#define KINDS_TYPES_H

#include <stdint.h>

typedef int32_t ints_t[64];
typedef uint8_t *bytes_t;
typedef char label64_t[64];
/* whole_t (kinds.defs) is whole units on the wire and for the client; the
 * server works in tenths. */
typedef int32_t whole_t;
typedef int32_t tenths_t;
int32_t kinds_whole_from_tenths(tenths_t t);
/* A native C value of kinds.defs (PointerTo). */
typedef struct {
	int32_t x, y;
} kinds_pair_t;

#endif
