/* Task calls (the special-port subset). */
#ifndef MACHGEN_MACH_TASK_H
#define MACHGEN_MACH_TASK_H

#include <mach/std_types.h>
#include <mach/mach_types.h>
#include <mach/task_special_ports.h>

#ifdef __cplusplus
extern "C" {
#endif

extern kern_return_t task_get_special_port(task_inspect_t task, int which_port,
                                           mach_port_t *special_port);
extern kern_return_t task_set_special_port(task_t task, int which_port,
                                           mach_port_t special_port);

#ifdef __cplusplus
}
#endif

#endif
