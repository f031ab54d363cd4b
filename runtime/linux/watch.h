/* Readiness watches: a file descriptor that becomes readable when a message is
 * queued on a port or port set, for poll/epoll/libuv loops.
 *
 * The fd is a private broker connection on which a receive with MACH_RCV_LARGE
 * and a zero-size buffer is posted. The broker parks it until a message is
 * queued, then answers MACH_RCV_TOO_LARGE and leaves the message in the queue,
 * so the fd turns readable without consuming anything. The owner then takes
 * the answer (ack), receives with ordinary mach_msg calls and posts again. */
#ifndef MACHGEN_LINUX_WATCH_H
#define MACHGEN_LINUX_WATCH_H

#include <stddef.h>

#include <mach/mach.h>

#include "wire.h"

/* A new watch connection of this task, or -errno. Close it with close(). */
int mgl_watch_open(void);
/* Posts the parked receive on name. At most one may be posted at a time. */
int mgl_watch_arm(int fd, mach_port_name_t name);
/* Takes the answer of the posted receive if it has arrived: 1 when taken (the
 * watch must be armed again), 0 when still parked, -errno when the broker
 * went away. Never blocks. */
int mgl_watch_ack(int fd);

/* The same watch carrying the messages themselves, batched (wire.h,
 * MGW_OP_MSG_MANY): up to nsends simple messages (no descriptors, at most
 * MGL_WATCH_SEND_MAX bytes each) are sent, then a receive of up to rcv_size
 * bytes (option: MACH_RCV_* bits such as MACH_RCV_LARGE and trailer requests)
 * is posted whose answer carries up to max_msgs messages. rx is a scratch
 * buffer of MGL_WATCH_RX_SIZE bytes owned by the caller, used by the post and
 * by the answer until the next post. Returns 0 or -errno. */
#define MGL_WATCH_RX_SIZE (MGW_MAX_FRAME + 16384u + 65536u)
#define MGL_WATCH_SEND_MAX 1024u
int mgl_watch_post_many(int fd, void *rx, mach_port_name_t name, mach_msg_option_t option,
                        mach_msg_size_t rcv_size, unsigned max_msgs,
                        const mach_msg_header_t *const *sends, unsigned nsends);
/* 1 when the answer arrived (then read it with next_send / next_msg), 0 when
 * not yet, -errno when the broker went away or broke the protocol. Never
 * blocks. */
int mgl_watch_take_many(int fd, void *rx);
/* The result of the next send of the answer: 1 with *mr, 0 when none left. */
int mgl_watch_next_send(void *rx, mach_msg_return_t *mr);
/* The next received message of the answer into buf: 1 with *mr (the message
 * in buf when MACH_MSG_SUCCESS, its size when MACH_RCV_TOO_LARGE), 0 when
 * none left (then every fd of the answer is closed). */
int mgl_watch_next_msg(void *rx, mach_msg_header_t *buf, mach_msg_size_t rcv_size,
                       mach_msg_return_t *mr);
/* Decodes a MSG answer frame into buf (msg.c; places OOL regions). */
mach_msg_return_t mgl_watch_deliver(const unsigned char *frame, size_t len, const int *fds,
                                    unsigned nfds, mach_msg_header_t *buf,
                                    mach_msg_size_t rcv_size);

#endif
