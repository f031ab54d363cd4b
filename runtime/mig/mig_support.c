/* NDR_record, bounded string copies and the allocation helpers MIG stubs call. */
#include "platform.h"

#include <string.h>

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

#include <stddef.h>

/* Little-endian, ASCII, IEEE floats: the only representation machgen speaks. */
NDR_record_t NDR_record = {
	0,                     /* mig_vers */
	0,                     /* if_vers */
	0,                     /* reserved1 */
	0,                     /* mig_encoding */
	NDR_INT_LITTLE_ENDIAN, /* int_rep */
	NDR_CHAR_ASCII,        /* char_rep */
	NDR_FLOAT_IEEE,        /* float_rep */
	0,                     /* reserved2 */
};

/*
 * Copies up to len - 1 characters and always terminates when len > 0.
 * The result counts the terminating NUL (len when src was truncated),
 * which is what stubs store as the string's count. A NULL src copies "".
 */
int mig_strncpy(char *dest, const char *src, int len)
{
	int i;

	if (len <= 0 || dest == NULL)
		return 0;
	if (src == NULL)
		src = "";
	for (i = 1; i < len; i++) {
		if ((*dest++ = *src++) == '\0')
			return i;
	}
	*dest = '\0';
	return i;
}

/* As mig_strncpy, then zeroes dest up to len bytes so no stale bytes leave the task. */
/* As Darwin's: a NULL dest copies nothing, a NULL src zero-fills (and
 * returns 0). */
int mig_strncpy_zerofill(char *dest, const char *src, int len)
{
	int count;
	int i;

	if (dest == NULL || len <= 0)
		return 0;
	if (src == NULL) {
		memset(dest, 0, (size_t)len);
		return 0;
	}
	count = mig_strncpy(dest, src, len);
	for (i = count; i < len; i++)
		dest[i] = '\0';
	return count;
}

void mig_allocate(vm_address_t *addr, vm_size_t size)
{
	if (vm_allocate(mach_task_self(), addr, size, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
		*addr = 0;
}

void mig_deallocate(vm_address_t addr, vm_size_t size)
{
	(void)vm_deallocate(mach_task_self(), addr, size);
}

#endif
