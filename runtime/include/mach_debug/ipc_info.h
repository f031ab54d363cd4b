/* Debugging views of an IPC space (mach_port_space_info and friends). */
#ifndef MACHGEN_MACH_DEBUG_IPC_INFO_H
#define MACHGEN_MACH_DEBUG_IPC_INFO_H

#include <mach/boolean.h>
#include <mach/machine/vm_types.h>
#include <mach/port.h>

typedef struct ipc_info_space {
    natural_t iis_genno_mask;
    natural_t iis_table_size;
    natural_t iis_table_next; /* unused */
    natural_t iis_tree_size;  /* unused */
    natural_t iis_tree_small; /* unused */
    natural_t iis_tree_hash;  /* unused */
} ipc_info_space_t;

typedef struct ipc_info_space_basic {
    natural_t iisb_genno_mask;
    natural_t iisb_table_size;
    natural_t iisb_table_next; /* unused */
    natural_t iisb_table_inuse;
    natural_t iisb_reserved[2];
} ipc_info_space_basic_t;

typedef struct ipc_info_name {
    mach_port_name_t iin_name;
    mach_port_type_t iin_type;
    mach_port_urefs_t iin_urefs;
    natural_t iin_object;
    natural_t iin_next;
    natural_t iin_hash;
} ipc_info_name_t;
typedef ipc_info_name_t *ipc_info_name_array_t;

typedef struct ipc_info_tree_name {
    ipc_info_name_t iitn_name;
    mach_port_name_t iitn_lchild;
    mach_port_name_t iitn_rchild;
} ipc_info_tree_name_t;
typedef ipc_info_tree_name_t *ipc_info_tree_name_array_t;

typedef struct ipc_info_port {
    natural_t iip_port_object;
    natural_t iip_receiver_object;
} ipc_info_port_t;
typedef ipc_info_port_t *exception_handler_info_array_t;

#endif
