/* vm_page_size and friends: the task's page geometry, as Darwin exports it. */
#include "platform.h"

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

#include <unistd.h>

/* 4 KiB until the constructor runs; set from the system before main(). */
vm_size_t vm_page_size = 4096;
vm_size_t vm_page_mask = 4095;
int vm_page_shift = 12;

static void init_page_geometry(void) __attribute__((constructor));

static void init_page_geometry(void)
{
	long size = sysconf(_SC_PAGESIZE);
	int shift = 0;

	if (size <= 0 || (size & (size - 1)) != 0)
		return;
	while ((1L << shift) < size)
		shift++;
	vm_page_size = (vm_size_t)size;
	vm_page_mask = (vm_size_t)size - 1;
	vm_page_shift = shift;
}

#endif
