/* Client <-> broker protocol of the Linux backend.
 *
 * Every client thread owns one SOCK_SEQPACKET connection to the broker and makes
 * strictly synchronous calls on it: one request frame, one reply frame. A frame is
 * a fixed header followed by an op-specific payload; file descriptors (memfds of
 * large out-of-line regions) travel as SCM_RIGHTS on the same datagram.
 *
 * Shared-memory channel: a HELLO may carry two fds, a memfd of MGW_SHM_SIZE
 * bytes (sealed against growing and shrinking) and an eventfd. The broker then
 * maps the memfd and watches the eventfd (edge-triggered). A call without fds
 * whose frame fits MGW_SHM_AREA goes through the memfd instead of the socket:
 * the client writes the frame to the request area, sets state REQUEST and
 * writes the eventfd (the doorbell); the broker sets TAKEN, copies the frame
 * out before parsing it (the client may change shared memory at any time) and
 * serves it exactly as a socket frame. Its reply (also a parked call's, when it
 * completes later) goes to the reply area with state REPLY, or on the socket
 * with state REPLY_ON_SOCKET when it carries fds or does not fit; either way
 * the broker then wakes the client with FUTEX_WAKE on the state word. The
 * client waits with FUTEX_WAIT in bounded slices and polls the socket for
 * hang-up between them, so a dead broker still fails the call promptly. */
#ifndef MACHGEN_LINUX_WIRE_H
#define MACHGEN_LINUX_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>

#define MGW_VERSION 1u

/* Largest datagram either side sends; both sides raise SO_SNDBUF/SO_RCVBUF to fit. */
#define MGW_MAX_FRAME (512u * 1024u)
/* Most memfds one frame may carry, and most OOL / OOL-ports descriptors one
 * message may have. */
#define MGW_MAX_FDS 64u
#define MGW_MAX_OOL 256u

/* Fixed names every task space holds from birth, chosen by machgen (core names
 * are index << 8 | generation, so the indexes must differ). Stable across
 * broker restarts, so mach_task_self() needs no round trip. */
#define MGW_TASK_SELF_NAME 0x103u
#define MGW_BOOTSTRAP_NAME 0x207u
#define MGW_HOST_NAME 0x30bu

enum mgw_op {
	MGW_OP_HELLO = 1,     /* a: pid, b: task cookie, c: version; fds: channel memfd +
	                       * eventfd (optional) -> a: task self, b: bootstrap,
	                       * c: 1 when the shared-memory channel is on */
	MGW_OP_PORT,          /* a: mgw_port_call, b..f: arguments (see client ports.c) */
	MGW_OP_MSG,           /* mach_msg; payload = mgw_msg_req + message + OOL table + blobs */
	MGW_OP_BOOTSTRAP,     /* a: mgw_bootstrap_call, b: port name; payload = service name */
	MGW_OP_DEBUG_STATS,   /* -> a: live ports, b: tasks, c: connections, d: OOL objects,
	                       * e: caller's names, f: calls served through channels;
	                       * with a = 1: a: MSG_MANY answers, b: messages in them,
	                       * c: sends in them */
	MGW_OP_PING,          /* -> nothing; measures the bare broker hop */
	MGW_OP_INTERRUPT,     /* a signal hit a mach_msg with MACH_SEND_INTERRUPT or
	                       * MACH_RCV_INTERRUPT: if it is still parked in that
	                       * phase, it ends with MACH_SEND_INTERRUPTED (message
	                       * given back) or MACH_RCV_INTERRUPTED; no reply of
	                       * its own (the call's one reply follows either way) */
	MGW_OP_MSG_MANY,      /* batched sends + one receive that may take several
	                       * messages; see "Batched calls" below */
};

/* Batched calls (the async objects' watch connections).
 *
 * Request: arg[0] = most messages to receive (1..MGW_MANY_RECEIVES), arg[1] =
 * number of sends n (0..MGW_MANY_SENDS); no fds. Payload: n send records, each
 * a struct mgw_msg (option exactly MACH_SEND_MSG, send_size == msg_bytes,
 * ool_count 0) and a simple message (no MACH_MSGH_BITS_COMPLEX) padded to 8,
 * then one struct mgw_msg for the receive (MACH_RCV_MSG without
 * MACH_SEND_MSG). Anything else drops the connection.
 *
 * The broker performs the sends in order, each as a blocking mach_msg send of
 * its own (a full queue parks the batch until there is room), then the
 * receive exactly as an MGW_OP_MSG receive: parked until a message comes. Its
 * answer is one frame: arg[0] = n, arg[1] = number of receive records r;
 * payload: n int32 send results (padded to 8), then r records, each a struct
 * mgw_many_rec and an ordinary MGW_OP_MSG answer frame (header + payload) of
 * rec.len bytes, padded to 8; the fds of all records follow in order (only the
 * first record can have any). The first record is the receive's own answer;
 * further ones are messages that were already queued, taken only while they
 * are simple (no rights but the header's, no OOL), fit the receive size and
 * keep the frame under MGW_MANY_FRAME. When a send failed, the answer comes
 * as soon as the sends are done, with r = 0 (the receive is not made), as a
 * failed send alone would be answered at once. */
#define MGW_MANY_SENDS 32u
#define MGW_MANY_RECEIVES 64u
#define MGW_MANY_FRAME (64u * 1024u)

struct mgw_many_rec {
	uint32_t len;   /* bytes of the answer frame that follows */
	uint32_t nfds;  /* its fds, in SCM_RIGHTS after the earlier records' */
};

/* The shared-memory channel (layout of the memfd). */
#define MGW_SHM_AREA (32u * 1024u)
#define MGW_SHM_REQ_OFF 4096u
#define MGW_SHM_REP_OFF (MGW_SHM_REQ_OFF + MGW_SHM_AREA)
#define MGW_SHM_SIZE (MGW_SHM_REP_OFF + MGW_SHM_AREA)

enum mgw_shm_state {
	MGW_SHM_IDLE = 0,
	MGW_SHM_REQUEST,         /* client: a frame is in the request area */
	MGW_SHM_TAKEN,           /* broker: copied it out, serving it */
	MGW_SHM_REPLY,           /* broker: the reply frame is in the reply area */
	MGW_SHM_REPLY_ON_SOCKET, /* broker: the reply frame is on the socket */
};

/* Head of the memfd; state is the futex word (accessed with __atomic).
 * listening: set by the broker while it promises to look at this channel
 * before it next sleeps; a client that sees it after posting its request
 * need not ring the doorbell (both sides use sequentially consistent
 * accesses, so a request posted as the broker clears it is still seen). */
struct mgw_shm {
	uint32_t state;
	uint32_t req_len;
	uint32_t rep_len;
	uint32_t listening;
};

enum mgw_port_call {
	MGW_PORT_ALLOCATE = 1, MGW_PORT_DEALLOCATE, MGW_PORT_DESTROY, MGW_PORT_MOD_REFS,
	MGW_PORT_GET_REFS, MGW_PORT_TYPE, MGW_PORT_INSERT_RIGHT, MGW_PORT_EXTRACT_RIGHT,
	MGW_PORT_MOVE_MEMBER, MGW_PORT_INSERT_MEMBER, MGW_PORT_EXTRACT_MEMBER,
	MGW_PORT_REQUEST_NOTIFICATION, MGW_PORT_GET_ATTRIBUTES, MGW_PORT_SET_ATTRIBUTES,
	MGW_PORT_CONSTRUCT, MGW_PORT_DESTRUCT, MGW_PORT_ALLOCATE_NAME, MGW_PORT_NAMES_COUNT,
	MGW_PORT_GET_CONTEXT, MGW_PORT_SET_CONTEXT, MGW_PORT_GET_SET_STATUS, MGW_PORT_GUARD,
	MGW_PORT_UNGUARD, MGW_PORT_SET_MSCOUNT, MGW_PORT_SET_SEQNO, MGW_PORT_NAMES,
	MGW_PORT_THREAD_SELF, MGW_PORT_CALL_END
};

enum mgw_bootstrap_call {
	MGW_BOOTSTRAP_REGISTER = 1, MGW_BOOTSTRAP_CHECK_IN, MGW_BOOTSTRAP_LOOK_UP,
};

/* Header of every frame, both directions. Requests fill op and args; replies
 * echo op, set status (a kern_return_t / mach_msg_return_t) and results. */
struct mgw_hdr {
	uint32_t op;
	int32_t status;
	uint64_t arg[6];
};

/* How one OOL or OOL_PORTS descriptor's contents travel in a frame. */
enum mgw_ool_kind {
	MGW_OOL_NONE = 0, /* zero-size region or null address */
	MGW_OOL_INLINE,   /* bytes follow in the frame's blob area */
	MGW_OOL_FD,       /* a memfd in SCM_RIGHTS, in descriptor order */
};

struct mgw_ool {
	uint32_t kind;
	uint32_t reserved;
	uint64_t size;    /* bytes (port arrays: 4 * count, names) */
};

/* MSG request payload: this struct, then send_size message bytes, then one
 * mgw_ool per OOL/OOL_PORTS descriptor, then the inline blobs (each padded to 8).
 * MSG reply payload: this struct (rcv fields = what was received), then the
 * received message with its trailer, then mgw_ool entries and blobs likewise. */
struct mgw_msg {
	uint32_t option;
	uint32_t send_size;
	uint32_t rcv_size;
	uint32_t rcv_name;
	uint32_t timeout_ms;
	uint32_t notify;
	uint32_t msg_bytes;  /* message bytes that follow (reply: incl. trailer) */
	uint32_t ool_count;  /* mgw_ool entries after the message */
};

static inline size_t mgw_pad8(size_t n) { return (n + 7u) & ~(size_t)7u; }

/* Descriptor walking over Darwin LP64 user messages: the type is byte 11 of
 * every descriptor; port descriptors are 12 bytes, all others 16. */
#define MGW_DESC_OFFSET 28u /* header (24) + descriptor count (4) */
static inline unsigned mgw_desc_type(const unsigned char *d) { return d[11]; }
static inline size_t mgw_desc_size(unsigned type) { return type == 0 ? 12u : 16u; }
static inline int mgw_desc_is_ool(unsigned type) { return type == 1 || type == 3; }
static inline int mgw_desc_is_ool_ports(unsigned type) { return type == 2; }
/* Descriptor count of a complex message of len bytes, or 0 when not complex. */
static inline uint32_t mgw_desc_count(const unsigned char *msg, size_t len)
{
	uint32_t bits, n;
	if (len < MGW_DESC_OFFSET)
		return 0;
	memcpy(&bits, msg, 4);
	if (!(bits & 0x80000000u))
		return 0;
	memcpy(&n, msg + 24, 4);
	return n;
}

/* Sends one frame (header + optional payload pieces + fds). Returns 0 or -errno. */
/* iovcnt is at most 7. */
int mgw_send(int fd, const struct mgw_hdr *hdr, const struct iovec *iov, int iovcnt,
             const int *fds, unsigned nfds);

/* Receives one frame into buf (cap bytes). *len = bytes received, fds received
 * (close-on-exec) are stored in fds[*nfds]. Returns 0, -errno, or -EPIPE on EOF,
 * -EMSGSIZE when the datagram was truncated (a protocol violation). */
int mgw_recv(int fd, void *buf, size_t cap, size_t *len, int *fds, unsigned *nfds);

/* Whether a received OOL memfd may be mapped for a size-byte region: a
 * memfd (shmem) at least size bytes long that nobody can write, grow or
 * shrink any more (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK). Without this
 * a sender could pass a short file (SIGBUS in the receiver) or keep writing
 * after the send (no copy semantics). */
int mgw_memfd_acceptable(int fd, uint64_t size);

/* Raises a connection's socket buffers so MGW_MAX_FRAME datagrams fit. */
void mgw_tune_socket(int fd);

#endif
