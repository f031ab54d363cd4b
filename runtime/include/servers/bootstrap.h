/* The bootstrap (service name) server interface. */
#ifndef MACHGEN_SERVERS_BOOTSTRAP_H
#define MACHGEN_SERVERS_BOOTSTRAP_H

#include <mach/std_types.h>
#include <mach/message.h>
#include <mach/mach_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BOOTSTRAP_MAX_NAME_LEN     128
#define BOOTSTRAP_MAX_CMD_LEN      512
#define BOOTSTRAP_MAX_LOOKUP_COUNT 20

typedef char name_t[BOOTSTRAP_MAX_NAME_LEN];
typedef char cmd_t[BOOTSTRAP_MAX_CMD_LEN];
typedef name_t *name_array_t;
typedef int bootstrap_status_t;
typedef bootstrap_status_t *bootstrap_status_array_t;
typedef unsigned int bootstrap_property_t;
typedef bootstrap_property_t *bootstrap_property_array_t;
typedef boolean_t *bool_array_t;

#define BOOTSTRAP_STATUS_INACTIVE  0
#define BOOTSTRAP_STATUS_ACTIVE    1
#define BOOTSTRAP_STATUS_ON_DEMAND 2

#define BOOTSTRAP_SUCCESS          0
#define BOOTSTRAP_NOT_PRIVILEGED   1100
#define BOOTSTRAP_NAME_IN_USE      1101
#define BOOTSTRAP_UNKNOWN_SERVICE  1102
#define BOOTSTRAP_SERVICE_ACTIVE   1103
#define BOOTSTRAP_BAD_COUNT        1104
#define BOOTSTRAP_NO_MEMORY        1105
#define BOOTSTRAP_NO_CHILDREN      1106

/* Send right to the task's bootstrap server, set up by the runtime. */
extern mach_port_t bootstrap_port;

/*
 * Service names are declared as pointers rather than name_t: the parameter
 * type is identical (arrays decay), but GCC would otherwise expect every
 * caller to pass a full 128-byte buffer and warn on string literals.
 */

/* Publishes sp under service_name (deprecated on Darwin in favour of check-in). */
extern kern_return_t bootstrap_register(mach_port_t bp, char *service_name,
                                        mach_port_t sp);
/* Claims the receive right of a service the bootstrap server holds for the caller. */
extern kern_return_t bootstrap_check_in(mach_port_t bp, const char *service_name,
                                        mach_port_t *sp);
/* Returns a send right to the named service. */
extern kern_return_t bootstrap_look_up(mach_port_t bp, const char *service_name,
                                       mach_port_t *sp);
/* Text for BOOTSTRAP_* codes; other codes are passed to mach_error_string(). */
extern const char *bootstrap_strerror(kern_return_t r);

#ifdef __cplusplus
}
#endif

#endif
