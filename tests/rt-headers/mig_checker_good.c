/*
 * Input for clang's osx.MIG checker: the same routine done right (the memory
 * is only released on success, so the serve loop's error path owns it).
 */
#include <mach/mach.h>

MIG_SERVER_ROUTINE kern_return_t good_take(mach_port_t server, vm_offset_t data,
                                           mach_msg_type_number_t dataCnt);

kern_return_t good_take(mach_port_t server, vm_offset_t data, mach_msg_type_number_t dataCnt)
{
	(void)server;
	if (dataCnt == 0)
		return KERN_INVALID_ARGUMENT;
	vm_deallocate(mach_task_self(), data, dataCnt);
	return KERN_SUCCESS;
}
