/* Types and support routines shared by MIG-generated client and server code. */
#ifndef MACHGEN_MACH_MIG_H
#define MACHGEN_MACH_MIG_H

#include <mach/port.h>
#include <mach/message.h>
#include <mach/vm_types.h>
#include <mach/kern_return.h>

/* Generated stubs check incoming messages unless told otherwise. */
#if !defined(__MigTypeCheck)
#if defined(TypeCheck)
#define __MigTypeCheck TypeCheck
#else
#define __MigTypeCheck 1
#endif
#endif

/* Generated message structures are packed to 4 bytes like the kernel's. */
#define __MigPackStructs 1

#ifdef __cplusplus
extern "C" {
#endif

/* Server stub: unpacks InHeadP, calls the routine, builds the reply in OutHeadP. */
typedef void (*mig_stub_routine_t)(mach_msg_header_t *InHeadP, mach_msg_header_t *OutHeadP);
typedef mig_stub_routine_t mig_routine_t;

/* Maps a request to its stub, or NULL for an id the subsystem does not serve. */
typedef mig_routine_t (*mig_server_routine_t)(mach_msg_header_t *InHeadP);

/* The implementation slot is a legacy field; generated tables leave it 0. */
typedef kern_return_t (*mig_impl_routine_t)(void);

typedef mach_msg_type_descriptor_t routine_arg_descriptor;
typedef mach_msg_type_descriptor_t *routine_arg_descriptor_t;
typedef mach_msg_type_descriptor_t *mig_routine_arg_descriptor_t;

#define MIG_ROUTINE_ARG_DESCRIPTOR_NULL ((mig_routine_arg_descriptor_t)0)

struct routine_descriptor {
	mig_impl_routine_t       impl_routine;  /* legacy, 0 */
	mig_stub_routine_t       stub_routine;  /* unpacking stub */
	unsigned int             argc;          /* legacy argument word count */
	unsigned int             descr_count;   /* descriptors in the request */
	routine_arg_descriptor_t arg_descr;     /* legacy, 0 */
	unsigned int             max_reply_msg; /* largest reply of this routine */
};
typedef struct routine_descriptor *routine_descriptor_t;

typedef struct routine_descriptor mig_routine_descriptor;
typedef mig_routine_descriptor *mig_routine_descriptor_t;

#define MIG_ROUTINE_DESCRIPTOR_NULL ((mig_routine_descriptor_t)0)

/*
 * Generated code defines a structure of this shape with as many routine
 * slots as the subsystem has and casts it to mig_subsystem_t.
 */
typedef struct mig_subsystem {
	mig_server_routine_t   server;     /* id -> stub lookup */
	mach_msg_id_t          start;      /* first request id */
	mach_msg_id_t          end;        /* last request id + 1 */
	mach_msg_size_t        maxsize;    /* largest reply */
	vm_address_t           reserved;
	mig_routine_descriptor routine[1];
} *mig_subsystem_t;

#define MIG_SUBSYSTEM_NULL ((mig_subsystem_t)0)

typedef struct mig_symtab {
	char *ms_routine_name;
	int   ms_routine_number;
	void (*ms_routine)(void); /* signatures differ per routine */
} mig_symtab_t;

/* Lets clang's MIG checker verify the ownership contract of server routines. */
#if defined(__has_attribute)
#if __has_attribute(mig_server_routine)
#define MIG_SERVER_ROUTINE __attribute__((mig_server_routine))
#endif
#endif
#ifndef MIG_SERVER_ROUTINE
#define MIG_SERVER_ROUTINE
#endif

/* The calling thread's reply port: created on first use, reused by later RPCs. */
extern mach_port_t mig_get_reply_port(void);
/* Destroys the thread's reply port (after a timeout or receive error). */
extern void mig_dealloc_reply_port(mach_port_t reply_port);
/* Gives the reply port back after an RPC; the cache keeps it. */
extern void mig_put_reply_port(mach_port_t reply_port);

/* Copy at most len bytes, always NUL-terminate when len > 0; returns bytes incl. NUL. */
extern int mig_strncpy(char *dest, const char *src, int len);
/* As mig_strncpy, and zero-fills the rest of dest up to len bytes. */
extern int mig_strncpy_zerofill(char *dest, const char *src, int len);

extern void mig_allocate(vm_address_t *addr, vm_size_t size);
extern void mig_deallocate(vm_address_t addr, vm_size_t size);

#ifdef __cplusplus
}
#endif

#endif
