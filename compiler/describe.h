/* `machgen --describe`: the whole interface model as stable, human-readable text.
 *
 * Format (version 1). Indentation is two spaces per level; every number is decimal.
 *
 *   machgen-describe 1
 *   target ARCH ABI port-descriptor N ool-descriptor N context N
 *   subsystem NAME base N [KernelUser] [KernelServer]
 *   userprefix P / serverprefix P / serverdemux D / rcsid "R" / error E   (when set)
 *   import KIND FILE                                                       (each)
 *   max-request N max-reply N       (bytes over all routines, without trailer)
 *   ownership ...                   (the rule every routine follows, reference §5.4;
 *                                    each arg's "owner" says what moves on success)
 *   type NAME = WIRE  user CTYPE server CTYPE [routine CTYPE] [intran F] [outtran F] [destructor F]
 *     doc "TEXT"                    (the comment before the type; \n and \" escaped)
 *   skip ID
 *   routine|simpleroutine NAME ID reply ID|-
 *     doc "TEXT"                    (when the routine has a doc comment)
 *     user-stub NAME server-routine NAME
 *     options msgoption (none|EXPR|arg ARG) timeout (none|wait|send) (EXPR|arg ARG)
 *             reply-port (mig|special|none|ARG) consume (None|Timeout|Any) [usertypelimit N] [onstacklimit N]
 *     arg NAME ROLE TYPE [user CTYPE[*]] [server CTYPE[*]] [flags] [of PARENT] [owner OWNERSHIP]
 *     request|reply simple|complex size MIN[..MAX] [+native] descriptors N segments N trailer ELEM N
 *       @0 24 header remote DISP local DISP id N   (request: dispositions of the request
 *                                                and reply ports; reply: remote as-delivered)
 *       @OFF SIZE body (descriptor count)
 *       @OFF SIZE port|ool|ool-ports ARG[index] ...details
 *       @OFF SIZE NDR|RetCode|data|count|string-offset|var-count|var-data|native NAME ...
 *
 * Offsets: "@24" is from the start of the message; "@[k]+8" is 8 bytes after the end
 * of the k-th variable-length part (its data rounded up to 4 bytes). */
#ifndef MACHGEN_DESCRIBE_H
#define MACHGEN_DESCRIBE_H

#include <stdio.h>

#include "model.h"

void mg_describe(FILE *out, const struct mg_interface *itf);

#endif
