/*
 * Input for clang's osx.MIG checker (run by ctest, not compiled into a test):
 * a server routine that frees its OOL argument and then fails. With
 * MIG_SERVER_ROUTINE from <mach/mig.h> the analyzer must flag the double free
 * the serve loop would cause.
 */
#include <mach/mach.h>

MIG_SERVER_ROUTINE kern_return_t bad_take(mach_port_t server, vm_offset_t data,
                                          mach_msg_type_number_t dataCnt);

kern_return_t bad_take(mach_port_t server, vm_offset_t data, mach_msg_type_number_t dataCnt)
{
	(void)server;
	vm_deallocate(mach_task_self(), data, dataCnt);
	return KERN_INVALID_ARGUMENT;
}
