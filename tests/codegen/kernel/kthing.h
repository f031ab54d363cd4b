/* C types of golden/kserver.defs and the kernel functions the kernel forms call
 * (tests only: the test provides them). */
#ifndef KTHING_H
#define KTHING_H

#include <mach/message.h>

typedef struct kthing *thing_ref_t;
thing_ref_t thing_from_port(mach_port_t port);
void thing_release(thing_ref_t t);
mach_port_t thing_to_port(thing_ref_t t);

#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode
mach_msg_return_t mach_msg_rpc_from_kernel(mach_msg_header_t *msg, mach_msg_size_t send_size,
                                           mach_msg_size_t rcv_size);
mach_msg_return_t mach_msg_send_from_kernel(mach_msg_header_t *msg, mach_msg_size_t send_size);
void mach_msg_destroy_from_kernel(mach_msg_header_t *msg);
#endif

#endif
