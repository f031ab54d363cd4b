/* Human-readable Mach error codes. */
#ifndef MACHGEN_MACH_MACH_ERROR_H
#define MACHGEN_MACH_MACH_ERROR_H

#include <mach/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Text of the error; never NULL (unknown codes get a generic description). */
extern char *mach_error_string(mach_error_t error_value);
/* Prints "str text (system/sub) code" on stderr. */
extern void mach_error(const char *str, mach_error_t error_value);
/* "(system/sub)" naming where the error came from. */
extern char *mach_error_type(mach_error_t error_value);

#ifdef __cplusplus
}
#endif

#endif
