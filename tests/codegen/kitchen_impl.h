/* What the kitchen server routines saw (tests only). */
#ifndef KITCHEN_IMPL_H
#define KITCHEN_IMPL_H

#include "kitchen_types.h"

struct kitchen_log {
    int calls;
    mach_port_t server_port;
    mach_msg_type_number_t preset_count;
    char name[256], vname[256];
    mach_port_t ports[8];
    mach_msg_type_name_t poly;
    mach_msg_type_number_t counts[4];
    unsigned sum;
    audit_token_t audit;
    security_token_t sec;
    mach_port_seqno_t seqno;
    mach_port_context_t ctx;
    int widgets_made, widgets_released, widgets_converted;
    uintptr_t misaligned; /* low bits of 8-byte-aligned pointers a routine was given */
};

extern struct kitchen_log klog;

#endif
