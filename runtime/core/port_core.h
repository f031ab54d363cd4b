/*
 * machgen port core: the Mach IPC state machine (spaces, names, rights,
 * message queues, port sets, notifications, message copyin/copyout).
 *
 * Pure and single-threaded: no I/O, no threads, no blocking, no clocks, no
 * global state. A host (the broker, or an in-process test) owns one mgc_core
 * and drives it; whenever something would block, the core returns a
 * "would block" code and the host waits and retries. Semantics follow XNU.
 *
 * Conventions
 *  - Every mach_port_* style call returns the kern_return_t XNU returns for
 *    the same situation; message calls return mach_msg_return_t.
 *  - Messages cross the API in the Darwin LP64 user layout (header 24 bytes,
 *    port descriptor 12, OOL / OOL-ports / guarded descriptors 16).
 *  - OOL descriptor `address` is an opaque 64-bit token owned by the host.
 *    After a successful copyin the core owns the token until it either
 *    copies it out to a receiver (ownership passes back to the host, which
 *    maps the memory for the receiver) or destroys the message undelivered
 *    (it then calls host_ops.ool_release). If copyin fails, the core never
 *    took any token: the host still owns all of them. A host that could not
 *    take a region (as XNU's vm_map_copyin failing) puts MGC_OOL_INVALID
 *    there: copyin then fails with MACH_SEND_INVALID_MEMORY at that
 *    descriptor, releasing what it copied in so far, as XNU.
 *  - OOL-ports arrays: the names a sender passes travel beside the message
 *    (`ool_names`, the arrays of all OOL-ports descriptors concatenated in
 *    descriptor order). On receive, the receiver's names are written the
 *    same way into the caller's array and the descriptor `address` is 0;
 *    the host stores the names into receiver memory and sets `address`.
 *  - A kmsg held by the host (blocked send) does not depend on its sender's
 *    space: it stays valid if that space is destroyed (pseudo-receive then
 *    needs another space or the kmsg is destroyed).
 *  - Design notes and the XNU behaviours chosen are in runtime/core/README.md.
 *
 * Name encoding (per space): name = (index << 8) | generation, with
 * index >= 1 (so a name is never MACH_PORT_NULL) and generation 0x03, 0x07,
 * ..., 0xff (XNU's: the two low bits set); MACH_PORT_DEAD (~0) is never produced because the table is
 * bounded below 2^24 entries. When an index is freed and reused the
 * generation advances, so stale names yield KERN_INVALID_NAME.
 */
#ifndef MACHGEN_PORT_CORE_H
#define MACHGEN_PORT_CORE_H

#include <stddef.h>
#include <stdint.h>

#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/port.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MACH_PORT_UREFS_MAX /* Darwin's <mach/port.h> value, if not provided */
#define MACH_PORT_UREFS_MAX ((mach_port_urefs_t)((1u << 16) - 1))
#endif

typedef struct mgc_core mgc_core;   /* whole IPC universe of one host */
typedef struct mgc_space mgc_space; /* one task's IPC space */
typedef struct mgc_port mgc_port;   /* a port object (opaque) */
typedef struct mgc_kmsg mgc_kmsg;   /* a copied-in message (opaque) */
typedef struct mgc_rcv_info mgc_rcv_info; /* receive results, defined below */

/* Credentials of a task, captured when its space is created; trailers
 * (security and audit tokens) are built from the *sender space's* values. */
typedef struct mgc_creds {
    uint32_t pid;
    uint32_t uid;   /* real uid */
    uint32_t gid;   /* real gid */
    uint32_t euid;
    uint32_t egid;
    uint32_t auid;  /* audit user id */
    uint32_t asid;  /* audit session id */
    uint32_t pidversion;
} mgc_creds;

/* Host callbacks. Every pointer may be NULL. They are called synchronously
 * from inside core calls; a callback must not call back into the core. */
typedef struct mgc_host_ops {
    void *ctx;
    /* A message was queued on a port whose receive right is named `name` in
     * `space`; called once per port set containing the port (`pset` = the
     * set's name), or once with pset = MACH_PORT_NULL when it is in none.
     * Wake receivers waiting on either name. Also called when a port with
     * queued messages joins a set. */
    void (*msg_arrived)(void *ctx, mgc_space *space, mach_port_name_t name,
                        mach_port_name_t pset);
    /* The receive right or port set `name` left `space` (destroyed, moved
     * away in a message): receivers blocked on it must return `why`
     * (MACH_RCV_PORT_CHANGED, what XNU's THREAD_RESTART wakeup becomes;
     * MACH_RCV_PORT_DIED when the whole space is destroyed). */
    void (*receive_gone)(void *ctx, mgc_space *space, mach_port_name_t name,
                         mach_msg_return_t why);
    /* `port` has room in its queue again or died: retry blocked sends whose
     * mgc_kmsg_destination() is this port. */
    void (*send_possible)(void *ctx, mgc_port *port);
    /* An OOL region carried by a message is destroyed undelivered. */
    void (*ool_release)(void *ctx, uint64_t token, uint64_t size);
} mgc_host_ops;

/* OOL descriptor address meaning "the sender's region could not be taken". */
#define MGC_OOL_INVALID UINT64_MAX

/* Resource limits; zero fields take the defaults shown. */
typedef struct mgc_limits {
    uint32_t max_names_per_space;  /* default 65536; hard max 2^24-2 */
    uint32_t max_ports;            /* live ports + sets in the core; default 1<<20 */
    uint64_t max_queued_bytes;     /* all queued message bytes; default 256 MiB */
    uint32_t max_msg_size;         /* largest inline message; default 64 MiB */
} mgc_limits;

/* Host-visible codes outside the Darwin ranges (never returned to users). */
#define MGC_SEND_WOULD_BLOCK ((mach_msg_return_t)0x7d000001) /* queue full */
#define MGC_RCV_WOULD_BLOCK  ((mach_msg_return_t)0x7d000002) /* no message */
#define MGC_RCV_NAMES_SHORT  ((mach_msg_return_t)0x7d000003) /* ool_names too small */

/* ---- lifetime ---------------------------------------------------------- */

/* NULL on allocation failure. `ops` and `limits` are copied; both may be NULL. */
mgc_core *mgc_core_create(const mgc_host_ops *ops, const mgc_limits *limits);
/* Destroys every space, port and queued message (ool_release is called).
 * Kmsgs the host still holds (blocked sends) must be destroyed first. */
void mgc_core_destroy(mgc_core *core);

/* NULL on allocation failure or when the core is out of resources. */
mgc_space *mgc_space_create(mgc_core *core, const mgc_creds *creds);
/* Task death: releases every right exactly as XNU does on task termination
 * (receive rights destroyed with their queues, port-destroyed / dead-name /
 * send-once / no-senders notifications fired, sets dissolved). */
void mgc_space_destroy(mgc_space *space);
const mgc_creds *mgc_space_creds(const mgc_space *space);
void mgc_space_set_host_data(mgc_space *space, void *data);
void *mgc_space_host_data(const mgc_space *space);
/* Number of names in use (for leak checks and the broker's debug query). */
uint32_t mgc_space_name_count(const mgc_space *space);
/* Live port + port set objects in the whole core (leak checks). */
uint32_t mgc_core_object_count(const mgc_core *core);

/* ---- mach_port_* operations (same arguments and results as Darwin) ---- */

kern_return_t mgc_port_allocate(mgc_space *space, mach_port_right_t right,
                                mach_port_name_t *name);
kern_return_t mgc_port_allocate_name(mgc_space *space, mach_port_right_t right,
                                     mach_port_name_t name);
kern_return_t mgc_port_deallocate(mgc_space *space, mach_port_name_t name);
kern_return_t mgc_port_destroy(mgc_space *space, mach_port_name_t name);
kern_return_t mgc_port_mod_refs(mgc_space *space, mach_port_name_t name,
                                mach_port_right_t right,
                                mach_port_delta_t delta);
kern_return_t mgc_port_get_refs(mgc_space *space, mach_port_name_t name,
                                mach_port_right_t right,
                                mach_port_urefs_t *refs);
kern_return_t mgc_port_type(mgc_space *space, mach_port_name_t name,
                            mach_port_type_t *type);
/* mach_port_names: `count` in: capacity of names/types (types may be NULL);
 * out: number of names in the space (may exceed the capacity). */
kern_return_t mgc_port_names(mgc_space *space, mach_port_name_t *names,
                             mach_port_type_t *types, uint32_t *count);
/* mach_port_insert_right(task=dst, name, poly, polyPoly): the right named
 * `src_name` in `src` (the caller's space) with disposition `disposition`
 * becomes `name` in `dst`. Any disposition (MAKE_SEND, COPY_SEND, MOVE_*,
 * MAKE_SEND_ONCE). When dst == src the errors are the trap's (copyin kr,
 * in-place MAKE_SEND/COPY_SEND with urefs pegged at the maximum); across
 * spaces a bad source right is MACH_SEND_INVALID_RIGHT (the MIG send). */
kern_return_t mgc_port_insert_right(mgc_space *dst, mach_port_name_t name,
                                    mgc_space *src, mach_port_name_t src_name,
                                    mach_msg_type_name_t disposition);
/* mach_port_extract_right(task=src, name, msgt_name): the right leaves
 * `src` and is inserted in `dst` (the caller's space); returns the new name
 * and the received type (MACH_MSG_TYPE_PORT_*). If `dst` has no room the
 * right is destroyed and MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE comes
 * back (the reply could not be received). */
kern_return_t mgc_port_extract_right(mgc_space *src, mach_port_name_t name,
                                     mach_msg_type_name_t disposition,
                                     mgc_space *dst, mach_port_name_t *out_name,
                                     mach_msg_type_name_t *out_type);
kern_return_t mgc_port_move_member(mgc_space *space, mach_port_name_t member,
                                   mach_port_name_t after);
kern_return_t mgc_port_insert_member(mgc_space *space, mach_port_name_t name,
                                     mach_port_name_t pset);
kern_return_t mgc_port_extract_member(mgc_space *space, mach_port_name_t name,
                                      mach_port_name_t pset);
/* Members of a port set, as mach_port_get_set_status. `count` in: capacity
 * of `names`; out: number of members (may exceed the capacity). */
kern_return_t mgc_port_get_set_status(mgc_space *space, mach_port_name_t pset,
                                      mach_port_name_t *names, uint32_t *count);
/* mach_port_request_notification(task=space, name, msgid, sync, notify,
 * notifyPoly, &previous): `notify` / `*previous` are names in `caller`
 * (notify disposition MAKE_SEND_ONCE or MOVE_SEND_ONCE, or MACH_PORT_NULL to
 * cancel); the previous send-once right is inserted in `caller`. A notify
 * right that cannot be copied in fails with the copyin error when
 * caller == space (XNU's trap) or MACH_SEND_INVALID_RIGHT otherwise; when the
 * request itself fails the notify right is destroyed (send-once notice). */
kern_return_t mgc_port_request_notification(
    mgc_space *space, mach_port_name_t name, mach_msg_id_t msgid,
    mach_port_mscount_t sync, mgc_space *caller, mach_port_name_t notify,
    mach_msg_type_name_t notify_disposition, mach_port_name_t *previous);
/* `count` in: capacity of `info` in natural_t units; out: units written. */
kern_return_t mgc_port_get_attributes(mgc_space *space, mach_port_name_t name,
                                      mach_port_flavor_t flavor,
                                      mach_port_info_t info,
                                      mach_msg_type_number_t *count);
kern_return_t mgc_port_set_attributes(mgc_space *space, mach_port_name_t name,
                                      mach_port_flavor_t flavor,
                                      mach_port_info_t info,
                                      mach_msg_type_number_t count);
kern_return_t mgc_port_construct(mgc_space *space,
                                 const mach_port_options_t *options,
                                 mach_port_context_t context,
                                 mach_port_name_t *name);
kern_return_t mgc_port_destruct(mgc_space *space, mach_port_name_t name,
                                mach_port_delta_t srdelta,
                                mach_port_context_t guard);
kern_return_t mgc_port_guard(mgc_space *space, mach_port_name_t name,
                             mach_port_context_t guard, int strict);
kern_return_t mgc_port_unguard(mgc_space *space, mach_port_name_t name,
                               mach_port_context_t guard);
kern_return_t mgc_port_set_context(mgc_space *space, mach_port_name_t name,
                                   mach_port_context_t context);
kern_return_t mgc_port_get_context(mgc_space *space, mach_port_name_t name,
                                   mach_port_context_t *context);
kern_return_t mgc_port_set_mscount(mgc_space *space, mach_port_name_t name,
                                   mach_port_mscount_t mscount);
kern_return_t mgc_port_set_seqno(mgc_space *space, mach_port_name_t name,
                                 mach_port_seqno_t seqno);

/* ---- messages ---------------------------------------------------------- */

/* Copy in a user message sent by `sender`: validates the header and the
 * descriptors, translates names into rights (applying every disposition) and
 * builds a kmsg. `size` is the send size; as in XNU it is authoritative and
 * the msgh_size field of the buffer is ignored.
 * On failure the sender's rights are left as XNU leaves them for that error
 * (header errors: untouched; body errors: the message is destroyed, i.e.
 * rights already moved are released) and no OOL token was taken. */
mach_msg_return_t mgc_msg_copyin(mgc_space *sender, const void *msg,
                                 mach_msg_size_t size,
                                 const mach_port_name_t *ool_names,
                                 size_t ool_name_count,
                                 mach_msg_option_t options, mgc_kmsg **out);
/* Queue a copied-in kmsg on its destination. Returns MACH_MSG_SUCCESS (the
 * kmsg is consumed; a message to a dead port is destroyed silently, as
 * XNU does), MGC_SEND_WOULD_BLOCK (queue full; the host keeps the kmsg and
 * retries after send_possible, or on timeout returns it to the sender with
 * mgc_kmsg_pseudo_receive -- what XNU does for MACH_SEND_TIMED_OUT -- or
 * destroys it with mgc_kmsg_destroy), or MACH_SEND_NO_BUFFER (the core's
 * queued-bytes bound; the kmsg was destroyed). Send-once destinations and
 * kernel notifications ignore the queue limit, as in XNU. */
mach_msg_return_t mgc_kmsg_send(mgc_kmsg *kmsg, mach_msg_option_t options);
/* Convenience: copyin + send. On MGC_SEND_WOULD_BLOCK, *blocked receives the
 * kmsg (NULL otherwise); with blocked == NULL the message is destroyed and
 * MGC_SEND_WOULD_BLOCK returned. */
mach_msg_return_t mgc_msg_send(mgc_space *sender, const void *msg,
                               mach_msg_size_t size,
                               const mach_port_name_t *ool_names,
                               size_t ool_name_count,
                               mach_msg_option_t options, mgc_kmsg **blocked);
/* A send that cannot complete (host timeout on MGC_SEND_WOULD_BLOCK, i.e.
 * MACH_SEND_TIMED_OUT) hands the message back to the sender as XNU's
 * pseudo-receive does: every right is copied out into `space` again (names
 * may differ from the ones sent; the header keeps remote = destination and
 * local = reply with received dispositions, no trailer) and OOL tokens come
 * back unreleased in the descriptors. Consumes the kmsg on success. Returns
 * MACH_MSG_SUCCESS, possibly or-ed with MACH_MSG_IPC_SPACE when a right
 * could not be named (it is destroyed and reads MACH_PORT_DEAD), or
 * MACH_RCV_TOO_LARGE / MGC_RCV_NAMES_SHORT (kmsg untouched) when `buf` or
 * `ool_names` is too small (buf_size must be >= the original send size). */
mach_msg_return_t mgc_kmsg_pseudo_receive(mgc_kmsg *kmsg, mgc_space *space, void *buf,
                                          mach_msg_size_t buf_size,
                                          mach_port_name_t *ool_names,
                                          size_t ool_names_cap, mgc_rcv_info *info);
/* Destination port of a kmsg (valid while the host holds the kmsg). */
mgc_port *mgc_kmsg_destination(const mgc_kmsg *kmsg);
/* Destroy an undelivered kmsg: every right and OOL token it carries is
 * released as XNU's message destruction does (notifications may fire). */
void mgc_kmsg_destroy(mgc_kmsg *kmsg);

/* Result details of mgc_msg_receive. */
struct mgc_rcv_info {
    mach_msg_size_t msg_size;     /* msgh_size of the message (no trailer) */
    mach_msg_size_t trailer_size; /* trailer bytes written after it */
    uint32_t ool_name_count;      /* names written to / needed in ool_names */
    mach_port_name_t port_name;   /* receive right the message came from */
};

/* Receive from a receive right or port set named `name` in `space` into
 * `buf` (capacity `buf_size`, the mach_msg rcv_size). Trailer elements are
 * selected by `options` (MACH_RCV_TRAILER_ELEMENTS / _TYPE).
 * A port set serves its members round-robin (a member that delivered
 * moves behind the others).
 * Returns MACH_MSG_SUCCESS, MGC_RCV_WOULD_BLOCK (nothing queued),
 * MACH_RCV_INVALID_NAME (a member of port sets can be received from too),
 * MACH_RCV_TOO_LARGE (with MACH_RCV_LARGE: message stays queued and the
 * needed size is written to the buffer's msgh_size and info->msg_size;
 * without: the message is dequeued and destroyed except its destination,
 * and a bare 24-byte header is written, as XNU does), MGC_RCV_NAMES_SHORT
 * (message stays queued; info->ool_name_count is the capacity needed),
 * MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE (no name for the reply right:
 * bare header as for TOO_LARGE, rest destroyed) or
 * MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE (a descriptor right could not be
 * named and reads MACH_PORT_DEAD; the message IS delivered like a success,
 * OOL tokens included). */
mach_msg_return_t mgc_msg_receive(mgc_space *space, mach_port_name_t name,
                                  mach_msg_option_t options, void *buf,
                                  mach_msg_size_t buf_size,
                                  mach_port_name_t *ool_names,
                                  size_t ool_names_cap, mgc_rcv_info *info);

/* The message the next mgc_msg_receive on `name` would take, left queued:
 * MACH_MSG_SUCCESS with its msgh_size and whether it is complex, or what the
 * receive would return instead (MGC_RCV_WOULD_BLOCK, MACH_RCV_INVALID_NAME). */
mach_msg_return_t mgc_msg_peek(mgc_space *space, mach_port_name_t name,
                               mach_msg_size_t *size, int *complex);

#ifdef __cplusplus
}
#endif
#endif /* MACHGEN_PORT_CORE_H */
