/* Everything a Darwin program gets from <mach/mach.h>, for the subset machgen provides. */
#ifndef MACHGEN_MACH_MACH_H
#define MACHGEN_MACH_MACH_H

#include <mach/std_types.h>
#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/mig.h>
#include <mach/mig_errors.h>
#include <mach/ndr.h>
#include <mach/notify.h>
#include <mach/error.h>
#include <mach/mach_error.h>
#include <mach/mach_init.h>
#include <mach/mach_traps.h>
#include <mach/mach_port.h>
#include <mach/task.h>
#include <mach/task_special_ports.h>
#include <mach/vm_map.h>
#include <mach/vm_prot.h>
#include <mach/vm_statistics.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Releases every right and out-of-line region a received message holds. */
extern void mach_msg_destroy(mach_msg_header_t *msg);

/* Receives on msg->msgh_local_port into a buffer of msg->msgh_size bytes. */
extern mach_msg_return_t mach_msg_receive(mach_msg_header_t *msg);
/* Sends msg (msg->msgh_size bytes), blocking until queued. */
extern mach_msg_return_t mach_msg_send(mach_msg_header_t *msg);

/*
 * Receive one request on rcv_name, dispatch it through demux and send the
 * reply, following the MIG ownership contract: on an error reply the request's
 * rights and memory are destroyed, MIG_NO_REPLY sends nothing.
 */
extern mach_msg_return_t mach_msg_server_once(
	boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
	mach_msg_size_t max_size, mach_port_t rcv_name, mach_msg_options_t options);
/* As mach_msg_server_once, in a loop; returns only on a receive error. */
extern mach_msg_return_t mach_msg_server(
	boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
	mach_msg_size_t max_size, mach_port_t rcv_name, mach_msg_options_t options);
/* Darwin's variant that also adopts importance donations; there is none to adopt here. */
extern mach_msg_return_t mach_msg_server_importance(
	boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
	mach_msg_size_t max_size, mach_port_t rcv_name, mach_msg_options_t options);

#ifdef __cplusplus
}
#endif

#endif
