/* MIG error codes and the 36-byte error reply every MIG server can send. */
#ifndef MACHGEN_MACH_MIG_ERRORS_H
#define MACHGEN_MACH_MIG_ERRORS_H

#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/ndr.h>
#include <mach/kern_return.h>
#include <mach/mig.h> /* as on Darwin: generated code uses its types via this header */

#define MIG_TYPE_ERROR      -300 /* client: reply failed its type check */
#define MIG_REPLY_MISMATCH  -301 /* client: reply id is not request id + 100 */
#define MIG_REMOTE_ERROR    -302 /* server detected an error */
#define MIG_BAD_ID          -303 /* server: unknown request id */
#define MIG_BAD_ARGUMENTS   -304 /* server: request failed its type check */
#define MIG_NO_REPLY        -305 /* server routine: send no reply (it keeps the reply right) */
#define MIG_EXCEPTION       -306 /* server raised an exception */
#define MIG_ARRAY_TOO_LARGE -307 /* array larger than the caller's buffer */
#define MIG_SERVER_DIED     -308 /* reply right died: server went away */
#define MIG_TRAILER_ERROR   -309 /* trailer missing, unknown or too short */

#pragma pack(push, 4)
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t      NDR;
	kern_return_t     RetCode;
} mig_reply_error_t;
#pragma pack(pop)

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(__NDR_convert__mig_reply_error_t__defined)
#define __NDR_convert__mig_reply_error_t__defined
/* No representation conversion is ever needed between machgen peers. */
static inline void __NDR_convert__mig_reply_error_t(mig_reply_error_t *x)
{
	(void)x;
}
#endif

#ifdef __cplusplus
}
#endif

#endif
