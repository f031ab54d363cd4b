/* Declarations the server header and the server source share. */
#ifndef MACHGEN_EMIT_SERVER_H
#define MACHGEN_EMIT_SERVER_H

#include "cwriter.h"
#include "model.h"

/* Server routine prototypes (MIG_SERVER_ROUTINE), the demux functions and the
 * subsystem table's declaration. */
void mg_em_server_declarations(struct mg_cw *w, const struct mg_interface *itf);

/* The subsystem table, <demux>() and <demux>_routine() (emit_server_demux.c). */
void mg_em_server_demux(struct mg_cw *w, const struct mg_interface *itf);

/* A KernelServer's macros naming the request's ports and the reply's dispositions in
 * the kernel's or user space's view (nothing for other interfaces). */
void mg_em_kernel_server_macros(struct mg_cw *w, const struct mg_interface *itf);

/* The header field / bits of a received request's request and reply ports. */
const char *mg_em_request_port_field(const struct mg_interface *itf);
const char *mg_em_reply_port_field(const struct mg_interface *itf);
const char *mg_em_request_bits(const struct mg_interface *itf);
const char *mg_em_reply_bits(const struct mg_interface *itf);

/* Aligned temporaries (emit_server_align.c): the message field of argument a when
 * the routine cannot be handed a pointer to it (an 8-byte element that may sit at 4
 * mod 8), else NULL; the temporaries' declarations and copies from the request (or
 * the preset reply) before the call; their copies into the reply after a success.
 * rp_bases: the reply's segment offsets at its largest. */
const struct mg_msg_field *mg_em_unaligned_field(const struct mg_routine *rt,
                                                 const struct mg_param *a,
                                                 const uint32_t *rp_bases);
void mg_em_aligned_copies_in(struct mg_cw *w, const struct mg_routine *rt, const uint32_t *rp_bases);
void mg_em_aligned_copies_out(struct mg_cw *w, const struct mg_routine *rt, const uint32_t *rp_bases);

#endif
