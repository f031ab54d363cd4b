/* State shared by the end-to-end test's server routines and its server loop. */
#ifndef KITCHEN_E2E_H
#define KITCHEN_E2E_H

#include <stdbool.h>

#include "kitchen_types.h"

enum { KITCHEN_E2E_PING = 7770 };

extern bool kitchen_e2e_quit;
extern mach_port_t kitchen_e2e_kept;      /* the receive right do_ports kept */

#endif
