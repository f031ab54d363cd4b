/* The client side of one routine's messages, shared by the synchronous stubs
 * (emit_user_source.c) and the asynchronous ones (emit_async.c): packing the
 * request, checking the reply exactly as MIG does, unpacking it into the
 * caller's out arguments. One source of truth, so both kinds of stub accept and
 * reject the same replies. */
#ifndef MACHGEN_EMIT_USER_MSG_H
#define MACHGEN_EMIT_USER_MSG_H

#include <stdbool.h>

#include "cwriter.h"
#include "model.h"

struct mg_user_msg {
    struct mg_cw *w;
    const struct mg_interface *itf;
    const struct mg_routine *rt;
    /* the stub has its in arguments by value (async stubs) instead of through the
     * pointers the synchronous stub takes for inout arguments and counts */
    bool inputs_by_value;
    bool pack_reply; /* set by mg_user_msg_pack_reply */
};

/* Code using these expects: InP / InNP (Request *), msgh_size_delta when the
 * request has variable data; for the reply Out0P / OutNP (Reply *), msgh_size,
 * msgh_size_delta when either message has variable data, TrailerP when trailer
 * arguments exist, Result when counts are CountInOut; and the
 * MACHGEN_REPLY_FAILED macro (mg_user_msg_check_macros). */
void mg_user_msg_pack_request(const struct mg_user_msg *m);
/* The reply packed the same way from the out arguments by value (a deferred
 * reply, emit_async.c): Out0P / OutNP, msgh_size_delta; server-side types. */
void mg_user_msg_pack_reply(const struct mg_user_msg *m);
/* The request header; reply_name / local_disposition as C expressions. */
void mg_user_msg_request_header(const struct mg_user_msg *m, const char *reply_name,
                                const char *local_disposition);
/* What to do with the unsent request when the send fails (ConsumeOnSendError);
 * result is the variable holding the send result. */
void mg_user_msg_consume_on_send_error(const struct mg_user_msg *m, const char *result);
void mg_user_msg_check_reply(const struct mg_user_msg *m);
void mg_user_msg_unpack_reply(const struct mg_user_msg *m);

/* The destroy function and MACHGEN_REPLY_FAILED macro (a source's prologue). */
void mg_user_msg_check_macros(struct mg_cw *w, const struct mg_interface *itf);
const char *mg_user_msg_destroy_fn(const struct mg_interface *itf);

bool mg_user_msg_has_var(const struct mg_layout *l);
bool mg_user_msg_has_countinout(const struct mg_routine *rt);
bool mg_user_msg_has_trailer(const struct mg_routine *rt);

#endif
