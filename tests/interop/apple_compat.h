/* Forced into every file compiled from Apple-MIG output of kitchen_apple.sed's .defs:
 * the C names migcom gives the types that file names (docs/interop.md). */
#ifndef MACHGEN_INTEROP_APPLE_COMPAT_H
#define MACHGEN_INTEROP_APPLE_COMPAT_H

#include "kitchen_types.h"

/* the anonymous argument types of `anon`, named */
typedef int *anon_xs_t;
typedef int anon_ys_t[4];
typedef char *anon_s_t;
typedef int anon_pt_t[2];

/* migcom uses a native type's own name as its C type (machgen: the wrapped type) */
typedef geo_t geo_val_t;
typedef geo_t geo_ptr_t;
typedef geo_t geo_opt_t;

/* migcom's server header sizes PointerToIfNot fields with a macro that only its .c
 * files define */
#ifndef _WALIGNSZ_
#define _WALIGNSZ_(x) ((sizeof(x) + 3) & ~(size_t)3)
#endif

#endif
