/* Voucher and voucher-attribute types. In user space every voucher object is a port. */
#ifndef MACHGEN_MACH_MACH_VOUCHER_TYPES_H
#define MACHGEN_MACH_MACH_VOUCHER_TYPES_H

#include <stdint.h>
#include <mach/message.h>
#include <mach/port.h>

typedef mach_port_t mach_voucher_t;
typedef mach_port_name_t mach_voucher_name_t;
typedef mach_voucher_name_t *mach_voucher_name_array_t;
typedef mach_voucher_t ipc_voucher_t;

#define MACH_VOUCHER_NULL      ((mach_voucher_t)0)
#define MACH_VOUCHER_NAME_NULL ((mach_voucher_name_t)0)
#define IPC_VOUCHER_NULL       ((ipc_voucher_t)0)

typedef uint32_t mach_voucher_selector_t;
typedef uint32_t mach_voucher_attr_key_t;
typedef mach_voucher_attr_key_t *mach_voucher_attr_key_array_t;
typedef uint8_t *mach_voucher_attr_content_t;
typedef uint32_t mach_voucher_attr_content_size_t;
typedef uint32_t mach_voucher_attr_command_t;
typedef uint32_t mach_voucher_attr_recipe_command_t;
typedef mach_voucher_attr_recipe_command_t *mach_voucher_attr_recipe_command_array_t;

/* One element of a recipe list; elements are byte-packed one after another. */
#pragma pack(push, 1)
typedef struct mach_voucher_attr_recipe_data {
    mach_voucher_attr_key_t key;
    mach_voucher_attr_recipe_command_t command;
    mach_voucher_name_t previous_voucher;
    mach_voucher_attr_content_size_t content_size;
#ifndef __cplusplus /* C++ has no flexible array members; the size is the same */
    uint8_t content[];
#endif
} mach_voucher_attr_recipe_data_t;
#pragma pack(pop)
typedef mach_voucher_attr_recipe_data_t *mach_voucher_attr_recipe_t;
typedef mach_msg_type_number_t mach_voucher_attr_recipe_size_t;

/* What the interfaces carry: recipes as raw bytes. */
typedef uint8_t *mach_voucher_attr_raw_recipe_t;
typedef mach_voucher_attr_raw_recipe_t mach_voucher_attr_raw_recipe_array_t;
typedef mach_msg_type_number_t mach_voucher_attr_raw_recipe_size_t;
typedef mach_msg_type_number_t mach_voucher_attr_raw_recipe_array_size_t;

typedef mach_port_t mach_voucher_attr_manager_t;
typedef mach_port_t mach_voucher_attr_control_t;
typedef mach_port_t ipc_voucher_attr_manager_t;
typedef mach_port_t ipc_voucher_attr_control_t;

#define MACH_VOUCHER_ATTR_MANAGER_NULL ((mach_voucher_attr_manager_t)0)
#define MACH_VOUCHER_ATTR_CONTROL_NULL ((mach_voucher_attr_control_t)0)

typedef uint64_t mach_voucher_attr_value_handle_t;
typedef mach_voucher_attr_value_handle_t *mach_voucher_attr_value_handle_array_t;
typedef mach_msg_type_number_t mach_voucher_attr_value_handle_array_size_t;
typedef uint32_t mach_voucher_attr_value_reference_t;

#endif
