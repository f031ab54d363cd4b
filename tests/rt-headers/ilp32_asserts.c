/*
 * Compile-only (clang -target ... -ffreestanding): the ILP32 layouts of Darwin's
 * i386 and 32-bit ARM ABIs, which differ from LP64 in descriptor field order and
 * in the size of the port context.
 */
#include <mach/message.h>
#include <mach/mig_errors.h>
#include <stddef.h>
_Static_assert(sizeof(mach_msg_header_t) == 24, "header is 24 bytes");
_Static_assert(sizeof(mach_msg_port_descriptor_t) == 12, "port");
_Static_assert(sizeof(mach_msg_ool_descriptor_t) == 12, "ool");
_Static_assert(offsetof(mach_msg_ool_descriptor_t, size) == 4, "OOL size follows the address on ILP32");
_Static_assert(sizeof(mach_msg_ool_ports_descriptor_t) == 12, "oolp");
#if defined(__i386__)
_Static_assert(sizeof(mach_msg_guarded_port_descriptor_t) == 16, "guarded i386");
_Static_assert(offsetof(mach_msg_guarded_port_descriptor_t, name) == 12, "guarded name i386");
_Static_assert(sizeof(mach_msg_context_trailer_t) == 60, "ctx i386");
_Static_assert(sizeof(mach_msg_descriptor_t) == 16, "union i386");
#else
_Static_assert(sizeof(mach_msg_guarded_port_descriptor_t) == 12, "guarded arm32");
_Static_assert(offsetof(mach_msg_guarded_port_descriptor_t, name) == 4, "guarded name arm32");
_Static_assert(sizeof(mach_msg_context_trailer_t) == 56, "ctx arm32");
_Static_assert(sizeof(mach_msg_max_trailer_t) == 64, "max arm32");
_Static_assert(sizeof(mach_msg_descriptor_t) == 12, "union arm32");
#endif
_Static_assert(sizeof(mig_reply_error_t) == 36, "mig");
