/* Includes iface's generated header, so it must be rebuilt when that header changes. */
#include "iface.h"

int uses_iface_marker(void);
int uses_iface_marker(void)
{
    return 1;
}
