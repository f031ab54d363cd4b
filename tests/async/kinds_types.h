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
/* readings_t and counter_name_t (kinds.defs) are what the client sees; the
 * server routine returns a counter, which the translations read. */
typedef int32_t readings_t[4];
typedef char counter_name_t[16];
struct kinds_counter {
	int32_t readings[4];
	char name[16];
};
typedef const struct kinds_counter *kinds_counter_ref_t;
/* The outtran translations: pointers to what the reply carries. */
static inline const int32_t *kinds_readings_of(kinds_counter_ref_t c)
{
	return c->readings;
}
static inline const char *kinds_name_of(kinds_counter_ref_t c)
{
	return c->name;
}
/* A native C value of kinds.defs (PointerTo). */
typedef struct {
	int32_t x, y;
} kinds_pair_t;

#endif
