/* Indices of a task's special ports. */
#ifndef MACHGEN_MACH_TASK_SPECIAL_PORTS_H
#define MACHGEN_MACH_TASK_SPECIAL_PORTS_H

typedef int task_special_port_t;

#define TASK_KERNEL_PORT          1  /* the task's own control port */
#define TASK_HOST_PORT            2  /* the host port of the task */
#define TASK_NAME_PORT            3  /* the task's name port */
#define TASK_BOOTSTRAP_PORT       4  /* bootstrap (name service) port */
#define TASK_INSPECT_PORT         5
#define TASK_READ_PORT            6
#define TASK_ACCESS_PORT          9
#define TASK_DEBUG_CONTROL_PORT   10
#define TASK_RESOURCE_NOTIFY_PORT 11
#define TASK_MAX_SPECIAL_PORT     TASK_RESOURCE_NOTIFY_PORT

#define task_get_kernel_port(task, port) \
	(task_get_special_port((task), TASK_KERNEL_PORT, (port)))
#define task_set_kernel_port(task, port) \
	(task_set_special_port((task), TASK_KERNEL_PORT, (port)))
#define task_get_host_port(task, port) \
	(task_get_special_port((task), TASK_HOST_PORT, (port)))
#define task_set_host_port(task, port) \
	(task_set_special_port((task), TASK_HOST_PORT, (port)))
#define task_get_bootstrap_port(task, port) \
	(task_get_special_port((task), TASK_BOOTSTRAP_PORT, (port)))
#define task_set_bootstrap_port(task, port) \
	(task_set_special_port((task), TASK_BOOTSTRAP_PORT, (port)))

#endif
