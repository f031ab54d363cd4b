/* Options of the eventlink calls (mach_eventlink_create and friends). */
#ifndef MACHGEN_MACH_MACH_EVENTLINK_TYPES_H
#define MACHGEN_MACH_MACH_EVENTLINK_TYPES_H

#include <stdint.h>

typedef uint32_t kern_clock_id_t;
enum { KERN_CLOCK_MACH_ABSOLUTE_TIME = 1 };

typedef uint32_t mach_eventlink_create_option_t;
enum {
    MELC_OPTION_NONE = 0,
    MELC_OPTION_NO_COPYIN = 0x1,
    MELC_OPTION_WITH_COPYIN = 0x2,
};

typedef uint32_t mach_eventlink_associate_option_t;
enum {
    MELA_OPTION_NONE = 0,
    MELA_OPTION_ASSOCIATE_ON_WAIT = 0x1,
};

typedef uint32_t mach_eventlink_disassociate_option_t;
enum { MELD_OPTION_NONE = 0 };

typedef uint32_t mach_eventlink_signal_wait_option_t;
enum {
    MELSW_OPTION_NONE = 0,
    MELSW_OPTION_NO_WAIT = 0x1,
};

#define EVENTLINK_SIGNAL_COUNT_MASK 0xffffffffffffff
#define EVENTLINK_SIGNAL_ERROR_MASK 0xff

#endif
