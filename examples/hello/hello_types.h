/* C types named in hello.defs; the generated headers include this file (import). */
#ifndef HELLO_TYPES_H
#define HELLO_TYPES_H

#include <stdint.h>

typedef char text_t[64];
typedef int32_t samples_t[32];

#endif
