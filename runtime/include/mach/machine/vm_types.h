/* Machine-level integer and address types (Darwin user-space definitions). */
#ifndef MACHGEN_MACH_MACHINE_VM_TYPES_H
#define MACHGEN_MACH_MACHINE_VM_TYPES_H

#include <stdint.h>

/* natural_t / integer_t are 32 bits on every Darwin ABI, LP64 included. */
typedef unsigned int natural_t;
typedef int integer_t;

/* Pointer-sized address and size of the current task. */
typedef uintptr_t vm_offset_t;
typedef uintptr_t vm_size_t;

/* Addresses and sizes of any task, always 64 bits. */
typedef uint64_t mach_vm_address_t;
typedef uint64_t mach_vm_offset_t;
typedef uint64_t mach_vm_size_t;

typedef uint64_t vm_map_offset_t;
typedef uint64_t vm_map_address_t;
typedef uint64_t vm_map_size_t;

typedef uint32_t vm32_offset_t;
typedef uint32_t vm32_address_t;
typedef uint32_t vm32_size_t;

/* Intel Darwin carries port contexts as 64-bit task addresses even on i386;
 * ARM Darwin uses a pointer-sized value. */
#if defined(__x86_64__) || defined(__i386__)
typedef mach_vm_address_t mach_port_context_t;
#else
typedef vm_offset_t mach_port_context_t;
#endif

#endif
