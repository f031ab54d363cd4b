/* Port name-space calls on a task's IPC space. */
#ifndef MACHGEN_MACH_MACH_PORT_H
#define MACHGEN_MACH_MACH_PORT_H

#include <mach/std_types.h>
#include <mach/mach_types.h>
#include <mach/message.h>

#ifdef __cplusplus
extern "C" {
#endif

extern kern_return_t mach_port_names(ipc_space_t task, mach_port_name_array_t *names,
                                     mach_msg_type_number_t *namesCnt,
                                     mach_port_type_array_t *types,
                                     mach_msg_type_number_t *typesCnt);
extern kern_return_t mach_port_type(ipc_space_t task, mach_port_name_t name,
                                    mach_port_type_t *ptype);
extern kern_return_t mach_port_allocate(ipc_space_t task, mach_port_right_t right,
                                        mach_port_name_t *name);
extern kern_return_t mach_port_allocate_name(ipc_space_t task, mach_port_right_t right,
                                             mach_port_name_t name);
extern kern_return_t mach_port_destroy(ipc_space_t task, mach_port_name_t name);
extern kern_return_t mach_port_deallocate(ipc_space_t task, mach_port_name_t name);
extern kern_return_t mach_port_get_refs(ipc_space_t task, mach_port_name_t name,
                                        mach_port_right_t right, mach_port_urefs_t *refs);
extern kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name,
                                        mach_port_right_t right, mach_port_delta_t delta);
extern kern_return_t mach_port_move_member(ipc_space_t task, mach_port_name_t member,
                                           mach_port_name_t after);
extern kern_return_t mach_port_set_mscount(ipc_space_t task, mach_port_name_t name,
                                           mach_port_mscount_t mscount);
extern kern_return_t mach_port_get_set_status(ipc_space_read_t task, mach_port_name_t name,
                                              mach_port_name_array_t *members,
                                              mach_msg_type_number_t *membersCnt);
extern kern_return_t mach_port_request_notification(ipc_space_t task, mach_port_name_t name,
                                                    mach_msg_id_t msgid,
                                                    mach_port_mscount_t sync,
                                                    mach_port_t notify,
                                                    mach_msg_type_name_t notifyPoly,
                                                    mach_port_t *previous);
extern kern_return_t mach_port_set_seqno(ipc_space_t task, mach_port_name_t name,
                                         mach_port_seqno_t seqno);
extern kern_return_t mach_port_get_attributes(ipc_space_read_t task, mach_port_name_t name,
                                              mach_port_flavor_t flavor,
                                              mach_port_info_t port_info_out,
                                              mach_msg_type_number_t *port_info_outCnt);
extern kern_return_t mach_port_set_attributes(ipc_space_t task, mach_port_name_t name,
                                              mach_port_flavor_t flavor,
                                              mach_port_info_t port_info,
                                              mach_msg_type_number_t port_infoCnt);
extern kern_return_t mach_port_insert_right(ipc_space_t task, mach_port_name_t name,
                                            mach_port_t poly, mach_msg_type_name_t polyPoly);
extern kern_return_t mach_port_extract_right(ipc_space_t task, mach_port_name_t name,
                                             mach_msg_type_name_t msgt_name,
                                             mach_port_t *poly,
                                             mach_msg_type_name_t *polyPoly);
extern kern_return_t mach_port_insert_member(ipc_space_t task, mach_port_name_t name,
                                             mach_port_name_t pset);
extern kern_return_t mach_port_extract_member(ipc_space_t task, mach_port_name_t name,
                                              mach_port_name_t pset);
extern kern_return_t mach_port_get_context(ipc_space_read_t task, mach_port_name_t name,
                                           mach_port_context_t *context);
extern kern_return_t mach_port_set_context(ipc_space_t task, mach_port_name_t name,
                                           mach_port_context_t context);
extern kern_return_t mach_port_construct(ipc_space_t task, mach_port_options_ptr_t options,
                                         mach_port_context_t context, mach_port_name_t *name);
extern kern_return_t mach_port_destruct(ipc_space_t task, mach_port_name_t name,
                                        mach_port_delta_t srdelta, mach_port_context_t guard);
extern kern_return_t mach_port_guard(ipc_space_t task, mach_port_name_t name,
                                     mach_port_context_t guard, boolean_t strict);
extern kern_return_t mach_port_unguard(ipc_space_t task, mach_port_name_t name,
                                       mach_port_context_t guard);

#ifdef __cplusplus
}
#endif

#endif
