/* A deterministic, in-process stand-in for the Mach message trap, so the generated
 * client and server stubs can be linked into one test and exercised byte for byte.
 * It does what the kernel does to a message in flight: swaps the header ports,
 * turns send dispositions into received rights, copies out-of-line memory and port
 * arrays to fresh allocations and appends a format-0 trailer. */
#ifndef MACHGEN_TEST_FAKE_KERNEL_H
#define MACHGEN_TEST_FAKE_KERNEL_H

#include <mach/mach.h>
#include <mach/mig.h>
#include <mach/mig_errors.h>

enum { FK_BUF = 16384, FK_REPLY_PORT = 0x5103 };

struct fake_kernel {
    /* the server side: the demux under test */
    boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *);
    /* test controls */
    mach_msg_return_t send_error;  /* returned instead of sending, when non-zero */
    void (*tamper_reply)(mach_msg_header_t *reply); /* edits the reply as delivered */
    /* what happened */
    unsigned char last_request[FK_BUF]; /* as sent by the client (before delivery) */
    mach_msg_size_t last_send_size;
    mach_msg_option_t last_option;
    mach_msg_timeout_t last_timeout;
    mach_port_name_t last_rcv_name;
    unsigned char last_reply[FK_BUF];   /* as the server built it */
    int sends, destroyed, put_reply, dealloc_reply, get_reply, mig_deallocated;
    int ool_freed_by_test;
    /* the last check that failed in a generated stub (MACHGEN_TRACE_CHECKS) */
    const char *trace_func;
    int trace_line, traces;
    kern_return_t trace_code;
    /* trailer contents the fake "kernel" stamps */
    audit_token_t audit;
    security_token_t sender;
    mach_port_seqno_t seqno;
    mach_port_context_t context;
};

extern struct fake_kernel fk;

/* The generated stubs' check-failure hook (built with MACHGEN_TRACE_CHECKS=fk_trace_check). */
void fk_trace_check(const char *func, int line, kern_return_t code);

void fk_reset(boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *));
/* Delivers msg (size bytes) into out as a receiver sees it, with a trailer of
 * trailer_size bytes; returns the delivered msgh_size. consume: free the sender's
 * dealloc regions as a send does (0 to deliver the same captured message twice). */
mach_msg_size_t fk_deliver(const mach_msg_header_t *msg, mach_msg_size_t size, void *out,
                           mach_msg_size_t trailer_size, int consume);

#endif
