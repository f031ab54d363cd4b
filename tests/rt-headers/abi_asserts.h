/*
 * Compile-time checks of the Darwin LP64 message ABI the headers must match
 * (sizes, offsets, constant values). Included from a C11 and a C++ translation
 * unit, so both languages see identical layouts.
 */
#ifndef MACHGEN_TEST_ABI_ASSERTS_H
#define MACHGEN_TEST_ABI_ASSERTS_H

#include <mach/mach.h>
#include <servers/bootstrap.h>
#include <mach_debug/mach_debug_types.h>
#include <stddef.h>

#ifdef __cplusplus
#define ABI_ASSERT(cond) static_assert(cond, #cond)
#else
#define ABI_ASSERT(cond) _Static_assert(cond, #cond)
#endif

/* header and body */
ABI_ASSERT(sizeof(mach_msg_header_t) == 24);
ABI_ASSERT(offsetof(mach_msg_header_t, msgh_bits) == 0);
ABI_ASSERT(offsetof(mach_msg_header_t, msgh_size) == 4);
ABI_ASSERT(offsetof(mach_msg_header_t, msgh_remote_port) == 8);
ABI_ASSERT(offsetof(mach_msg_header_t, msgh_local_port) == 12);
ABI_ASSERT(offsetof(mach_msg_header_t, msgh_voucher_port) == 16);
ABI_ASSERT(offsetof(mach_msg_header_t, msgh_id) == 20);
ABI_ASSERT(sizeof(mach_msg_body_t) == 4);
ABI_ASSERT(sizeof(mach_msg_base_t) == 28);
ABI_ASSERT(offsetof(mach_msg_base_t, body) == 24);
ABI_ASSERT(sizeof(mach_port_t) == 4 && sizeof(mach_port_name_t) == 4);
ABI_ASSERT(sizeof(natural_t) == 4 && sizeof(integer_t) == 4);
ABI_ASSERT(sizeof(kern_return_t) == 4 && sizeof(mach_msg_return_t) == 4);
ABI_ASSERT(sizeof(boolean_t) == 4);

/* descriptors (LP64) */
ABI_ASSERT(sizeof(mach_msg_type_descriptor_t) == 12);
ABI_ASSERT(sizeof(mach_msg_port_descriptor_t) == 12);
ABI_ASSERT(offsetof(mach_msg_port_descriptor_t, name) == 0);
ABI_ASSERT(offsetof(mach_msg_port_descriptor_t, pad1) == 4);
ABI_ASSERT(sizeof(mach_msg_ool_descriptor_t) == 16);
ABI_ASSERT(offsetof(mach_msg_ool_descriptor_t, address) == 0);
ABI_ASSERT(offsetof(mach_msg_ool_descriptor_t, size) == 12);
ABI_ASSERT(sizeof(mach_msg_ool_ports_descriptor_t) == 16);
ABI_ASSERT(offsetof(mach_msg_ool_ports_descriptor_t, address) == 0);
ABI_ASSERT(offsetof(mach_msg_ool_ports_descriptor_t, count) == 12);
ABI_ASSERT(sizeof(mach_msg_guarded_port_descriptor_t) == 16);
ABI_ASSERT(offsetof(mach_msg_guarded_port_descriptor_t, context) == 0);
ABI_ASSERT(offsetof(mach_msg_guarded_port_descriptor_t, name) == 12);
ABI_ASSERT(sizeof(mach_msg_descriptor_t) == 16);
ABI_ASSERT(sizeof(mach_msg_ool_descriptor32_t) == 12);
ABI_ASSERT(sizeof(mach_msg_ool_descriptor64_t) == 16);
ABI_ASSERT(offsetof(mach_msg_ool_descriptor32_t, size) == 4);
ABI_ASSERT(offsetof(mach_msg_ool_descriptor64_t, size) == 12);
ABI_ASSERT(sizeof(mach_msg_ool_ports_descriptor32_t) == 12);
ABI_ASSERT(sizeof(mach_msg_ool_ports_descriptor64_t) == 16);
ABI_ASSERT(sizeof(mach_msg_guarded_port_descriptor32_t) == 12);
ABI_ASSERT(sizeof(mach_msg_guarded_port_descriptor64_t) == 16);
ABI_ASSERT(offsetof(mach_msg_guarded_port_descriptor32_t, name) == 4);
ABI_ASSERT(offsetof(mach_msg_guarded_port_descriptor64_t, name) == 12);

/* trailers */
ABI_ASSERT(sizeof(mach_msg_trailer_t) == 8);
ABI_ASSERT(sizeof(mach_msg_seqno_trailer_t) == 12);
ABI_ASSERT(sizeof(mach_msg_security_trailer_t) == 20);
ABI_ASSERT(sizeof(mach_msg_format_0_trailer_t) == 20);
ABI_ASSERT(sizeof(mach_msg_audit_trailer_t) == 52);
ABI_ASSERT(sizeof(mach_msg_context_trailer_t) == 60);
ABI_ASSERT(sizeof(mach_msg_mac_trailer_t) == 68);
ABI_ASSERT(sizeof(mach_msg_max_trailer_t) == 68);
ABI_ASSERT(MAX_TRAILER_SIZE == 68);
ABI_ASSERT(offsetof(mach_msg_max_trailer_t, msgh_seqno) == 8);
ABI_ASSERT(offsetof(mach_msg_max_trailer_t, msgh_sender) == 12);
ABI_ASSERT(offsetof(mach_msg_max_trailer_t, msgh_audit) == 20);
ABI_ASSERT(offsetof(mach_msg_max_trailer_t, msgh_context) == 52);
ABI_ASSERT(offsetof(mach_msg_max_trailer_t, msgh_ad) == 60);
ABI_ASSERT(offsetof(mach_msg_max_trailer_t, msgh_labels) == 64);
ABI_ASSERT(sizeof(security_token_t) == 8 && sizeof(audit_token_t) == 32);
ABI_ASSERT(sizeof(mach_port_context_t) == 8);
ABI_ASSERT(MACH_MSG_TRAILER_FORMAT_0 == 0);

/* trailer request options */
ABI_ASSERT(MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) == 0);
ABI_ASSERT(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT) == 0x03000000);
ABI_ASSERT(MACH_RCV_TRAILER_MASK == 0x0f000000);
ABI_ASSERT(REQUESTED_TRAILER_SIZE(0) == 8);
ABI_ASSERT(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SEQNO)) == 12);
ABI_ASSERT(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER)) == 20);
ABI_ASSERT(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)) == 52);
ABI_ASSERT(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_CTX)) == 60);
ABI_ASSERT(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AV)) == 68);
ABI_ASSERT(REQUESTED_TRAILER_SIZE(MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_LABELS)) == 68);
ABI_ASSERT(REQUESTED_TRAILER_SIZE(MACH_RCV_MSG | MACH_RCV_LARGE |
                                  MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)) == 52);
ABI_ASSERT(round_msg(25) == 28 && round_msg(28) == 28);

/* MIG */
ABI_ASSERT(sizeof(mig_reply_error_t) == 36);
ABI_ASSERT(offsetof(mig_reply_error_t, NDR) == 24);
ABI_ASSERT(offsetof(mig_reply_error_t, RetCode) == 32);
ABI_ASSERT(sizeof(NDR_record_t) == 8);
ABI_ASSERT(offsetof(NDR_record_t, int_rep) == 4);
ABI_ASSERT(MIG_TYPE_ERROR == -300 && MIG_REPLY_MISMATCH == -301 && MIG_REMOTE_ERROR == -302);
ABI_ASSERT(MIG_BAD_ID == -303 && MIG_BAD_ARGUMENTS == -304 && MIG_NO_REPLY == -305);
ABI_ASSERT(MIG_EXCEPTION == -306 && MIG_ARRAY_TOO_LARGE == -307 && MIG_SERVER_DIED == -308);
ABI_ASSERT(MIG_TRAILER_ERROR == -309);
ABI_ASSERT(__MigTypeCheck == 1 && __MigPackStructs == 1);

/* notifications */
ABI_ASSERT(MACH_NOTIFY_FIRST == 64 && MACH_NOTIFY_PORT_DELETED == 65);
ABI_ASSERT(MACH_NOTIFY_SEND_POSSIBLE == 66 && MACH_NOTIFY_PORT_DESTROYED == 69);
ABI_ASSERT(MACH_NOTIFY_NO_SENDERS == 70 && MACH_NOTIFY_SEND_ONCE == 71);
ABI_ASSERT(MACH_NOTIFY_DEAD_NAME == 72 && MACH_NOTIFY_LAST == 77);
ABI_ASSERT(sizeof(mach_dead_name_notification_t) == 56);
ABI_ASSERT(offsetof(mach_dead_name_notification_t, not_port) == 32);
ABI_ASSERT(sizeof(mach_port_deleted_notification_t) == 56);
ABI_ASSERT(sizeof(mach_send_possible_notification_t) == 56);
ABI_ASSERT(sizeof(mach_no_senders_notification_t) == 56);
ABI_ASSERT(offsetof(mach_no_senders_notification_t, not_count) == 32);
ABI_ASSERT(sizeof(mach_send_once_notification_t) == 44);
ABI_ASSERT(sizeof(mach_port_destroyed_notification_t) == 60);
ABI_ASSERT(offsetof(mach_port_destroyed_notification_t, not_port) == 28);

/* msgh_bits */
ABI_ASSERT(MACH_MSGH_BITS_REMOTE_MASK == 0x1f && MACH_MSGH_BITS_LOCAL_MASK == 0x1f00);
ABI_ASSERT(MACH_MSGH_BITS_VOUCHER_MASK == 0x1f0000 && MACH_MSGH_BITS_COMPLEX == 0x80000000U);
ABI_ASSERT(MACH_MSGH_BITS_USER == 0x801f1f1fU && MACH_MSGH_BITS_USED == 0xb01f1f1fU);
ABI_ASSERT(MACH_MSGH_BITS_RAISEIMP == 0x20000000U && MACH_MSGH_BITS_IMPHOLDASRT == 0x10000000U);
ABI_ASSERT(MACH_MSGH_BITS(19, 21) == 0x1513);
ABI_ASSERT(MACH_MSGH_BITS_SET_PORTS(18, 0, 19) == 0x130012);
ABI_ASSERT(MACH_MSGH_BITS_SET(17, 21, 0, MACH_MSGH_BITS_COMPLEX | 0x1f) == 0x80001511U);
ABI_ASSERT(MACH_MSGH_BITS_REMOTE(0x80131512U) == 18 && MACH_MSGH_BITS_LOCAL(0x80131512U) == 21);
ABI_ASSERT(MACH_MSGH_BITS_VOUCHER(0x80131512U) == 19);
ABI_ASSERT(MACH_MSGH_BITS_IS_COMPLEX(0x80000000U) && !MACH_MSGH_BITS_IS_COMPLEX(0x1513));
ABI_ASSERT(MACH_MSGH_BITS_OTHER(0x80131512U) == 0x80000000U);

/* dispositions and descriptor types */
ABI_ASSERT(MACH_MSG_TYPE_PORT_NONE == 0 && MACH_MSG_TYPE_PORT_NAME == 15);
ABI_ASSERT(MACH_MSG_TYPE_MOVE_RECEIVE == 16 && MACH_MSG_TYPE_MOVE_SEND == 17);
ABI_ASSERT(MACH_MSG_TYPE_MOVE_SEND_ONCE == 18 && MACH_MSG_TYPE_COPY_SEND == 19);
ABI_ASSERT(MACH_MSG_TYPE_MAKE_SEND == 20 && MACH_MSG_TYPE_MAKE_SEND_ONCE == 21);
ABI_ASSERT(MACH_MSG_TYPE_COPY_RECEIVE == 22 && MACH_MSG_TYPE_DISPOSE_RECEIVE == 24);
ABI_ASSERT(MACH_MSG_TYPE_DISPOSE_SEND == 25 && MACH_MSG_TYPE_DISPOSE_SEND_ONCE == 26);
ABI_ASSERT(MACH_MSG_TYPE_PORT_RECEIVE == 16 && MACH_MSG_TYPE_PORT_SEND == 17);
ABI_ASSERT(MACH_MSG_TYPE_PORT_SEND_ONCE == 18);
ABI_ASSERT(MACH_MSG_TYPE_POLYMORPHIC == 0xffffffffu);
ABI_ASSERT(MACH_MSG_TYPE_PORT_ANY(16) && MACH_MSG_TYPE_PORT_ANY(21) && !MACH_MSG_TYPE_PORT_ANY(22));
ABI_ASSERT(MACH_MSG_TYPE_PORT_ANY_SEND(17) && !MACH_MSG_TYPE_PORT_ANY_SEND(16));
ABI_ASSERT(MACH_MSG_TYPE_PORT_ANY_SEND_ONCE(21) && !MACH_MSG_TYPE_PORT_ANY_SEND_ONCE(20));
ABI_ASSERT(MACH_MSG_TYPE_PORT_ANY_RIGHT(18) && !MACH_MSG_TYPE_PORT_ANY_RIGHT(19));
ABI_ASSERT(MACH_MSG_PORT_DESCRIPTOR == 0 && MACH_MSG_OOL_DESCRIPTOR == 1);
ABI_ASSERT(MACH_MSG_OOL_PORTS_DESCRIPTOR == 2 && MACH_MSG_OOL_VOLATILE_DESCRIPTOR == 3);
ABI_ASSERT(MACH_MSG_GUARDED_PORT_DESCRIPTOR == 4);
ABI_ASSERT(MACH_MSG_PHYSICAL_COPY == 0 && MACH_MSG_VIRTUAL_COPY == 1);
ABI_ASSERT(MACH_MSG_ALLOCATE == 2 && MACH_MSG_OVERWRITE == 3);
ABI_ASSERT(MACH_MSG_GUARD_FLAGS_IMMOVABLE_RECEIVE == 1);
ABI_ASSERT(MACH_MSG_GUARD_FLAGS_UNGUARDED_ON_SEND == 2 && MACH_MSG_GUARD_FLAGS_MASK == 3);
ABI_ASSERT(MACH_PORT_NULL == 0 && MACH_PORT_DEAD == 0xffffffffu);

/* options */
ABI_ASSERT(MACH_MSG_OPTION_NONE == 0 && MACH_SEND_MSG == 1 && MACH_RCV_MSG == 2);
ABI_ASSERT(MACH_RCV_LARGE == 4 && MACH_RCV_LARGE_IDENTITY == 8 && MACH_SEND_TIMEOUT == 0x10);
ABI_ASSERT(MACH_SEND_OVERRIDE == 0x20 && MACH_SEND_INTERRUPT == 0x40 && MACH_SEND_NOTIFY == 0x80);
ABI_ASSERT(MACH_RCV_TIMEOUT == 0x100 && MACH_MSG_STRICT_REPLY == 0x200);
ABI_ASSERT(MACH_RCV_INTERRUPT == 0x400 && MACH_RCV_VOUCHER == 0x800);
ABI_ASSERT(MACH_RCV_GUARDED_DESC == 0x1000 && MACH_RCV_SYNC_WAIT == 0x4000);
ABI_ASSERT(MACH_RCV_SYNC_PEEK == 0x8000 && MACH_SEND_ALWAYS == 0x10000);
ABI_ASSERT(MACH_SEND_FILTER_NONFATAL == 0x10000 && MACH_SEND_TRAILER == 0x20000);
ABI_ASSERT(MACH_SEND_NOIMPORTANCE == 0x40000 && MACH_SEND_IMPORTANCE == 0x80000);
ABI_ASSERT(MACH_SEND_SYNC_OVERRIDE == 0x100000 && MACH_SEND_PROPAGATE_QOS == 0x200000);
ABI_ASSERT(MACH_SEND_SYNC_USE_THRPRI == 0x200000 && MACH_SEND_SYNC_BOOTSTRAP_CHECKIN == 0x800000);
ABI_ASSERT(MACH_RCV_NOTIFY == 0 && MACH_RCV_OVERWRITE == 0 && MACH_MSG_TIMEOUT_NONE == 0);

/* mach_msg_return_t */
ABI_ASSERT(MACH_MSG_SUCCESS == 0 && MACH_MSG_MASK == 0x3e00);
ABI_ASSERT(MACH_MSG_IPC_SPACE == 0x2000 && MACH_MSG_VM_SPACE == 0x1000);
ABI_ASSERT(MACH_MSG_IPC_KERNEL == 0x800 && MACH_MSG_VM_KERNEL == 0x400);
ABI_ASSERT(MACH_SEND_IN_PROGRESS == 0x10000001 && MACH_SEND_INVALID_DATA == 0x10000002);
ABI_ASSERT(MACH_SEND_INVALID_DEST == 0x10000003 && MACH_SEND_TIMED_OUT == 0x10000004);
ABI_ASSERT(MACH_SEND_INVALID_VOUCHER == 0x10000005 && MACH_SEND_INTERRUPTED == 0x10000007);
ABI_ASSERT(MACH_SEND_MSG_TOO_SMALL == 0x10000008 && MACH_SEND_INVALID_REPLY == 0x10000009);
ABI_ASSERT(MACH_SEND_INVALID_RIGHT == 0x1000000a && MACH_SEND_INVALID_NOTIFY == 0x1000000b);
ABI_ASSERT(MACH_SEND_INVALID_MEMORY == 0x1000000c && MACH_SEND_NO_BUFFER == 0x1000000d);
ABI_ASSERT(MACH_SEND_TOO_LARGE == 0x1000000e && MACH_SEND_INVALID_TYPE == 0x1000000f);
ABI_ASSERT(MACH_SEND_INVALID_HEADER == 0x10000010 && MACH_SEND_INVALID_TRAILER == 0x10000011);
ABI_ASSERT(MACH_SEND_INVALID_CONTEXT == 0x10000012 && MACH_SEND_INVALID_OPTIONS == 0x10000013);
ABI_ASSERT(MACH_SEND_INVALID_RT_OOL_SIZE == 0x10000015 && MACH_SEND_NO_GRANT_DEST == 0x10000016);
ABI_ASSERT(MACH_SEND_MSG_FILTERED == 0x10000017 && MACH_SEND_AUX_TOO_SMALL == 0x10000018);
ABI_ASSERT(MACH_SEND_AUX_TOO_LARGE == 0x10000019);
ABI_ASSERT(MACH_RCV_IN_PROGRESS == 0x10004001 && MACH_RCV_INVALID_NAME == 0x10004002);
ABI_ASSERT(MACH_RCV_TIMED_OUT == 0x10004003 && MACH_RCV_TOO_LARGE == 0x10004004);
ABI_ASSERT(MACH_RCV_INTERRUPTED == 0x10004005 && MACH_RCV_PORT_CHANGED == 0x10004006);
ABI_ASSERT(MACH_RCV_INVALID_NOTIFY == 0x10004007 && MACH_RCV_INVALID_DATA == 0x10004008);
ABI_ASSERT(MACH_RCV_PORT_DIED == 0x10004009 && MACH_RCV_IN_SET == 0x1000400a);
ABI_ASSERT(MACH_RCV_HEADER_ERROR == 0x1000400b && MACH_RCV_BODY_ERROR == 0x1000400c);
ABI_ASSERT(MACH_RCV_INVALID_TYPE == 0x1000400d && MACH_RCV_SCATTER_SMALL == 0x1000400e);
ABI_ASSERT(MACH_RCV_INVALID_TRAILER == 0x1000400f && MACH_RCV_IN_PROGRESS_TIMED == 0x10004011);
ABI_ASSERT(MACH_RCV_INVALID_REPLY == 0x10004012 && MACH_RCV_INVALID_ARGUMENTS == 0x10004013);
ABI_ASSERT(err_mach_ipc == 0x10000000 && err_get_system(MACH_RCV_TIMED_OUT) == 4);
ABI_ASSERT(err_get_sub(MACH_RCV_TIMED_OUT) == 1 && err_get_code(MACH_RCV_TIMED_OUT) == 3);

/* kern_return_t */
ABI_ASSERT(KERN_SUCCESS == 0 && KERN_INVALID_ADDRESS == 1 && KERN_NO_SPACE == 3);
ABI_ASSERT(KERN_INVALID_ARGUMENT == 4 && KERN_FAILURE == 5 && KERN_RESOURCE_SHORTAGE == 6);
ABI_ASSERT(KERN_NOT_RECEIVER == 7 && KERN_NO_ACCESS == 8 && KERN_NAME_EXISTS == 13);
ABI_ASSERT(KERN_ABORTED == 14 && KERN_INVALID_NAME == 15 && KERN_INVALID_TASK == 16);
ABI_ASSERT(KERN_INVALID_RIGHT == 17 && KERN_INVALID_VALUE == 18 && KERN_UREFS_OVERFLOW == 19);
ABI_ASSERT(KERN_INVALID_CAPABILITY == 20 && KERN_RIGHT_EXISTS == 21);
ABI_ASSERT(KERN_OPERATION_TIMED_OUT == 49 && KERN_NOT_SUPPORTED == 46);
ABI_ASSERT(KERN_DENIED == 53 && KERN_NOT_FOUND == 56 && KERN_RETURN_MAX == 0x100);

/* ports */
ABI_ASSERT(MACH_PORT_RIGHT_SEND == 0 && MACH_PORT_RIGHT_RECEIVE == 1);
ABI_ASSERT(MACH_PORT_RIGHT_SEND_ONCE == 2 && MACH_PORT_RIGHT_PORT_SET == 3);
ABI_ASSERT(MACH_PORT_RIGHT_DEAD_NAME == 4 && MACH_PORT_RIGHT_NUMBER == 6);
ABI_ASSERT(MACH_PORT_TYPE_SEND == 0x10000 && MACH_PORT_TYPE_RECEIVE == 0x20000);
ABI_ASSERT(MACH_PORT_TYPE_SEND_ONCE == 0x40000 && MACH_PORT_TYPE_PORT_SET == 0x80000);
ABI_ASSERT(MACH_PORT_TYPE_DEAD_NAME == 0x100000 && MACH_PORT_TYPE_DNREQUEST == 0x80000000u);
ABI_ASSERT(MACH_PORT_TYPE_ALL_RIGHTS == 0x1f0000);
ABI_ASSERT(MACH_PORT_QLIMIT_DEFAULT == 5 && MACH_PORT_QLIMIT_MAX == 1024);
ABI_ASSERT(MACH_PORT_QLIMIT_LARGE == 1024 && MACH_PORT_QLIMIT_KERNEL == 65534);
ABI_ASSERT(MACH_PORT_LIMITS_INFO == 1 && MACH_PORT_RECEIVE_STATUS == 2);
ABI_ASSERT(MACH_PORT_DNREQUESTS_SIZE == 3 && MACH_PORT_INFO_EXT == 7);
ABI_ASSERT(MACH_PORT_LIMITS_INFO_COUNT == 1 && MACH_PORT_RECEIVE_STATUS_COUNT == 10);
ABI_ASSERT(sizeof(mach_port_status_t) == 40 && sizeof(mach_port_limits_t) == 4);
ABI_ASSERT(sizeof(mach_port_options_t) == 24);
ABI_ASSERT(offsetof(mach_port_options_t, mpl) == 4);
ABI_ASSERT(offsetof(mach_port_options_t, reserved) == 8);
ABI_ASSERT(MPO_CONTEXT_AS_GUARD == 1 && MPO_QLIMIT == 2 && MPO_TEMPOWNER == 4);
ABI_ASSERT(MPO_IMPORTANCE_RECEIVER == 8 && MPO_INSERT_SEND_RIGHT == 0x10 && MPO_STRICT == 0x20);
ABI_ASSERT(MPO_IMMOVABLE_RECEIVE == 0x80 && MPO_REPLY_PORT == 0x1000);

/* bootstrap and task special ports */
ABI_ASSERT(BOOTSTRAP_MAX_NAME_LEN == 128 && sizeof(name_t) == 128);
ABI_ASSERT(BOOTSTRAP_SUCCESS == 0 && BOOTSTRAP_NOT_PRIVILEGED == 1100);
ABI_ASSERT(BOOTSTRAP_NAME_IN_USE == 1101 && BOOTSTRAP_UNKNOWN_SERVICE == 1102);
ABI_ASSERT(BOOTSTRAP_SERVICE_ACTIVE == 1103 && BOOTSTRAP_BAD_COUNT == 1104);
ABI_ASSERT(BOOTSTRAP_NO_MEMORY == 1105 && BOOTSTRAP_NO_CHILDREN == 1106);
ABI_ASSERT(TASK_KERNEL_PORT == 1 && TASK_HOST_PORT == 2 && TASK_NAME_PORT == 3);
ABI_ASSERT(TASK_BOOTSTRAP_PORT == 4);

/* errors */
ABI_ASSERT(err_system(0x3f) == (int)0xfc000000u && err_sub(1) == 0x4000);
ABI_ASSERT(VM_FLAGS_FIXED == 0 && VM_FLAGS_ANYWHERE == 1);

/* debugging, VM and info types the XNU interfaces carry inline (LP64 sizes) */
ABI_ASSERT(sizeof(ipc_info_space_t) == 24);
ABI_ASSERT(sizeof(ipc_info_space_basic_t) == 24);
ABI_ASSERT(sizeof(ipc_info_name_t) == 24);
ABI_ASSERT(sizeof(ipc_info_tree_name_t) == 32);
ABI_ASSERT(sizeof(ipc_info_port_t) == 8 && sizeof(exception_handler_info_t) == 8);
ABI_ASSERT(sizeof(mach_vm_info_region_t) == 56);
ABI_ASSERT(sizeof(vm_info_region_64_t) == 44);
ABI_ASSERT(offsetof(vm_info_region_64_t, vir_offset) == 12); /* 4-byte packed */
ABI_ASSERT(sizeof(vm_info_region_t) == 40);
ABI_ASSERT(sizeof(vm_info_object_t) == 88);
ABI_ASSERT(offsetof(vm_info_object_t, vio_last_alloc) == 40);
ABI_ASSERT(sizeof(zone_info_t) == 56);
ABI_ASSERT(sizeof(mach_zone_name_t) == 80);
ABI_ASSERT(sizeof(mach_zone_info_t) == 64);
ABI_ASSERT(sizeof(task_zone_info_t) == 88);
ABI_ASSERT(sizeof(mach_memory_info_t) == 176);
ABI_ASSERT(offsetof(mach_memory_info_t, name) == 96);
ABI_ASSERT(sizeof(zone_btrecord_t) == 128);
ABI_ASSERT(sizeof(lockgroup_info_t) == 264);
ABI_ASSERT(sizeof(hash_info_bucket_t) == 4);
ABI_ASSERT(sizeof(mach_voucher_attr_recipe_data_t) == 16);
ABI_ASSERT(sizeof(task_purgable_info_t) == 272);
ABI_ASSERT(sizeof(mach_vm_read_entry_t) == 4096 && sizeof(vm_read_entry_t) == 4096);
ABI_ASSERT(sizeof(mach_service_port_info_data_t) == 256);
ABI_ASSERT(sizeof(dyld_kernel_image_info_t) == 40);
ABI_ASSERT(offsetof(dyld_kernel_image_info_t, load_addr) == 32);
ABI_ASSERT(sizeof(dyld_kernel_process_info_t) == 72);
ABI_ASSERT(offsetof(dyld_kernel_process_info_t, no_cache) == 60);
ABI_ASSERT(sizeof(kernel_version_t) == 512 && sizeof(kernel_boot_info_t) == 4096);
ABI_ASSERT(sizeof(eventlink_port_pair_t) == 8);
ABI_ASSERT(sizeof(symtab_name_t) == 32 && sizeof(kobject_description_t) == 512);

#endif
