/*
 * The Darwin backend. On Darwin the system is the backend: libsystem provides
 * mach_msg, the port calls, vm_allocate, bootstrap_* and the MIG support
 * routines, so machgen's runtime compiles nothing of its own there (the files
 * in mig/ compile to nothing). What remains is this check that the SDK's
 * message ABI is the one machgen lays its generated messages out for.
 */
#include <mach/mach.h>
#include <stddef.h>

#if defined(__LP64__)
_Static_assert(sizeof(mach_msg_header_t) == 24, "Mach message header is 24 bytes");
_Static_assert(sizeof(mach_msg_body_t) == 4, "message body is 4 bytes");
_Static_assert(sizeof(mach_msg_port_descriptor_t) == 12, "port descriptor is 12 bytes");
_Static_assert(sizeof(mach_msg_ool_descriptor_t) == 16, "OOL descriptor is 16 bytes");
_Static_assert(sizeof(mach_msg_ool_ports_descriptor_t) == 16, "OOL ports descriptor is 16 bytes");
_Static_assert(sizeof(mach_msg_guarded_port_descriptor_t) == 16,
               "guarded port descriptor is 16 bytes");
_Static_assert(sizeof(mig_reply_error_t) == 36, "MIG error reply is 36 bytes");
_Static_assert(sizeof(NDR_record_t) == 8, "NDR record is 8 bytes");
_Static_assert(sizeof(mach_msg_max_trailer_t) == 68, "maximal trailer is 68 bytes");
_Static_assert(offsetof(mach_msg_ool_descriptor_t, size) == 12, "OOL size follows the flags");
#endif

/* Lets a program check which backend its runtime was built with. */
int machgen_runtime_is_system_mach(void);
int machgen_runtime_is_system_mach(void)
{
	return 1;
}
