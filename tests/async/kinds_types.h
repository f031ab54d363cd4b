/* C types of kinds.defs. */
#ifndef KINDS_TYPES_H
#define KINDS_TYPES_H

#include <stdint.h>

typedef int32_t ints_t[64];
typedef uint8_t *bytes_t;
typedef char label64_t[64];

#endif
