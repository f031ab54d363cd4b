/* Per-task well-known ports. */
#ifndef MACHGEN_MACH_MACH_INIT_H
#define MACHGEN_MACH_MACH_INIT_H

#include <mach/mach_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * As on Darwin, the task's own port name is a variable read through a macro;
 * the backend defines it and it is valid before main() runs.
 */
extern mach_port_t mach_task_self_;
#define mach_task_self() mach_task_self_
#define current_task()   mach_task_self()

/* Page geometry of the task, set by the runtime before main(). */
extern vm_size_t vm_page_size;
extern vm_size_t vm_page_mask;
extern int vm_page_shift;

#define trunc_page(x) ((x) & (~(vm_page_size - 1)))
#define round_page(x) trunc_page((x) + (vm_page_size - 1))

extern mach_port_t mach_host_self(void);
extern mach_port_t mach_thread_self(void);

#ifdef __cplusplus
}
#endif

#endif
