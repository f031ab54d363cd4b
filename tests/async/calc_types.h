/* C types of calc.defs. */
#ifndef CALC_TYPES_H
#define CALC_TYPES_H
#include <stdint.h>
typedef char label_t[32];
typedef int32_t vec_t[4];
typedef struct { int32_t x, y; } point_t;
#endif
