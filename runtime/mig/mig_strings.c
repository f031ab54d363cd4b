/* The bounded string copies MIG stubs call: pure functions, no kernel call. */
#include "platform.h"

#include <string.h>

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

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

/* As mig_strncpy, then zeroes dest up to len bytes so no stale bytes leave the
 * task. As Darwin's: a NULL dest copies nothing, a NULL src zero-fills (and
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

#endif
