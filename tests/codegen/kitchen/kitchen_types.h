/* C types of kitchen.defs (tests only). */
#ifndef KITCHEN_TYPES_H
#define KITCHEN_TYPES_H

#include <stdint.h>

#include <mach/mach_types.h>
#include <mach/message.h>

typedef int fixed4_t[4];
typedef char tiny_t[5];
typedef uint8_t bytes3_t[3];
typedef int *int_array_t;
typedef struct {
    int x, y;
} point_t;
typedef point_t *point_array_t;
typedef char label_t[64];
typedef char *vname_t;
typedef mach_port_t port_pair_t[2];
typedef mach_port_t *handler_array_t;
typedef int *mask_array_t;

/* Declared over structs in C, over integers in the .defs (sizes asserted). */
typedef struct {
    int64_t lo, hi;
} span_t;
typedef span_t *span_list_t;
typedef span_t span_block_t[4];

/* A region of 64 bytes, and two of them (each sent as its own descriptor). */
typedef unsigned char *blob64_t;
typedef blob64_t blobs_t[2];

/* A native C value: 8-byte aligned, 21 bytes of data, 24 with its padding. */
typedef struct {
    double lat, lon;
    char tag[5];
} geo_t;

typedef int celsius_t;

/* Server-side representation of celsius_t (intran/outtran of an inline value). */
typedef struct {
    int k;
} kelvin_t;
kelvin_t kitchen_to_kelvin(int celsius);
int kitchen_from_kelvin(kelvin_t k);

/* The server's object behind a port (intran/destructor). */
typedef struct kitchen_widget *widget_t;
widget_t kitchen_widget_from_port(mach_port_t port);
void kitchen_widget_release(widget_t w);
mach_port_t kitchen_port_from_widget(widget_t w);

#endif
