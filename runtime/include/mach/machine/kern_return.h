/* kern_return_t: the machine-level result type of every Mach call. */
#ifndef MACHGEN_MACH_MACHINE_KERN_RETURN_H
#define MACHGEN_MACH_MACHINE_KERN_RETURN_H

typedef int kern_return_t;

#endif
