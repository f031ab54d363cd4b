/* Clock and alarm types used by the clock interfaces (clock.defs, clock_reply.defs). */
#ifndef MACHGEN_MACH_CLOCK_TYPES_H
#define MACHGEN_MACH_CLOCK_TYPES_H

#include <stdint.h>

typedef int alarm_type_t;
typedef int sleep_type_t;
typedef int clock_id_t;
typedef int clock_flavor_t;
typedef int *clock_attr_t;
typedef int clock_res_t;

/* Seconds are unsigned; nanoseconds a signed value below one second. */
struct mach_timespec {
	unsigned int tv_sec;
	clock_res_t  tv_nsec;
};
typedef struct mach_timespec mach_timespec_t;

#define SYSTEM_CLOCK   0
#define CALENDAR_CLOCK 1
#define REALTIME_CLOCK 0

/* clock_get_attributes flavors */
#define CLOCK_GET_TIME_RES 1
#define CLOCK_ALARM_CURRES 3
#define CLOCK_ALARM_MINRES 4
#define CLOCK_ALARM_MAXRES 5

#define NSEC_PER_USEC 1000ull
#define USEC_PER_SEC  1000000ull
#define NSEC_PER_SEC  1000000000ull
#define NSEC_PER_MSEC 1000000ull

#define BAD_MACH_TIMESPEC(t) ((t)->tv_nsec < 0 || (t)->tv_nsec >= (long)NSEC_PER_SEC)

/* Alarm type: the low byte says absolute or relative time. */
#define ALRMTYPE      0xff
#define TIME_ABSOLUTE 0x00
#define TIME_RELATIVE 0x01
#define BAD_ALRMTYPE(t) (((t) & ~TIME_RELATIVE) != 0)

#endif
