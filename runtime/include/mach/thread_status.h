/* Opaque thread state buffers as exchanged by thread and exception interfaces. */
#ifndef MACHGEN_MACH_THREAD_STATUS_H
#define MACHGEN_MACH_THREAD_STATUS_H

#include <mach/machine/vm_types.h>
#include <mach/machine/thread_state.h>

typedef natural_t *thread_state_t;
typedef natural_t thread_state_data_t[THREAD_STATE_MAX];

typedef int thread_state_flavor_t;
typedef thread_state_flavor_t *thread_state_flavor_array_t;

#define THREAD_STATE_FLAVOR_LIST 0 /* asks for the list of supported flavors */

/* Flavor meaning "no state"; the number differs between Intel and ARM Darwin. */
#if defined(__x86_64__) || defined(__i386__)
#define THREAD_STATE_NONE 13
#else
#define THREAD_STATE_NONE 5
#endif

#endif
