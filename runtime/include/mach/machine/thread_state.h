/* Size bound of machine thread state, shared by thread and exception interfaces. */
#ifndef MACHGEN_MACH_MACHINE_THREAD_STATE_H
#define MACHGEN_MACH_MACHINE_THREAD_STATE_H

/* In natural_t words; the largest of every Darwin architecture's states. */
#define THREAD_STATE_MAX 1296

#endif
