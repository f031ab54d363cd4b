/* The machgen broker: one single-threaded process per user that hosts the port
 * core (every task's IPC space) and serves clients over SOCK_SEQPACKET. */
#ifndef MACHGEN_BROKER_H
#define MACHGEN_BROKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "../wire.h"
#include "core/port_core.h"

/* Bound on inline OOL bytes the broker holds for queued messages (memfds are
 * bounded by ool_fds_max); beyond it sends fail with MACH_SEND_NO_BUFFER. */
#define BROKER_OOL_BYTES_MAX ((uint64_t)256 << 20)

/* What an epoll registration stands for. */
enum bkind { BK_LISTEN, BK_CONN, BK_TASK, BK_BELL };

struct btask;
struct bconn;

/* Epoll tag of a connection's doorbell eventfd. */
struct bbell {
	enum bkind kind;
	struct bconn *conn;
};

/* One client connection (one client thread). It is either idle or parked in
 * a blocking mach_msg until that completes, times out or the client drops. */
/* Channels watched without a doorbell while the broker is busy. */
#define BROKER_HOT_MAX 32
/* How long an idle broker keeps looking at hot channels before it sleeps
 * (--linger-us, $MACHGEN_BROKER_LINGER_US); 0 sleeps at once. */
#define BROKER_LINGER_US_DEFAULT 20u

struct bconn {
	enum bkind kind;
	int fd;
	struct btask *task;
	struct bconn *next, *prev;      /* all connections */
	bool parked;
	bool has_deadline;
	uint64_t deadline_ns;           /* CLOCK_MONOTONIC */
	struct bconn *pnext, *pprev;    /* parked connections, FIFO */
	struct mgw_msg req;             /* the parked mach_msg call */
	mgc_kmsg *kmsg;                 /* its message while the send blocks */
	mach_msg_return_t gone;         /* set when the awaited receive right left */
	bool wake;                      /* something it waits for happened: retry */
	/* Shared-memory channel (wire.h), when the client offered one. */
	struct mgw_shm *shm;
	int bell_fd;                    /* the client's eventfd, or -1 */
	struct bbell bell;              /* its epoll tag */
	bool via_shm;                   /* the call being served came through shm */
	bool hot;                       /* in broker.hot: its client need not ring */
	bool dead;                      /* dropped; freed at the end of the loop turn */
	struct bconn *dead_next;
	/* The client thread's thread port (receive right in the broker's own
	 * space), made on its first mach_thread_self(); dies with the
	 * connection, as a Darwin thread port dies with its thread. */
	mach_port_name_t thread_port;
	struct bbatch *batch;           /* an MGW_OP_MSG_MANY call in progress (batch.c) */
};

/* One client process; its IPC space lives in the core. */
struct btask {
	enum bkind kind;
	int pidfd;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	uint64_t cookie;
	unsigned nconns;
	mgc_space *space;
	mach_port_name_t task_port;     /* receive right in the broker's own space */
	struct btask *next, *prev;
	bool dead;                      /* destroyed; freed at the end of the loop turn */
	struct btask *dead_next;
};

struct bservice {
	char name[128];
	mach_port_name_t right;         /* send right held in the broker's space */
};

struct broker {
	int epfd;
	int lfd;
	struct bconn *conns;
	struct btask *tasks;
	struct bconn *parked_head, *parked_tail;
	unsigned nconns, ntasks;
	uid_t uid;
	unsigned idle_s;
	uint64_t idle_since_ns;
	const char *sock_path;
	dev_t sock_dev;                 /* identity of the socket file we bound */
	ino_t sock_ino;
	/* Dropped connections and destroyed tasks stay allocated until the
	 * current epoll batch is done: later events of the batch may name them. */
	struct bconn *dead_conns;
	struct btask *dead_tasks;
	bool dirty;                     /* queues changed: parked calls may finish */
	/* Channels served since the broker last slept: it looks at them before
	 * sleeping, so their clients skip the doorbell (wire.h, listening). */
	struct bconn *hot[BROKER_HOT_MAX];
	unsigned nhot;
	bool cooling;
	unsigned epoll_skipped;         /* loop turns served from hot channels alone */
	unsigned long linger_ns;        /* see BROKER_LINGER_US_DEFAULT */
	struct { enum bkind kind; } listen_tag;

	mgc_core *core;
	mgc_space *kspace;              /* the broker's own space ("kernel") */
	mach_port_name_t bootstrap;     /* receive right of the bootstrap port */
	mach_port_name_t host;          /* receive right of the host port */
	mach_port_name_t kset;          /* port set of all the broker's own ports */
	struct bservice *services;
	unsigned nservices, cap_services;
	uint64_t ool_live;              /* OOL objects held, for the debug query */
	uint64_t channel_calls;         /* calls served through shared memory */
	uint64_t many_answers;          /* MGW_OP_MSG_MANY answers sent */
	uint64_t many_messages;         /* messages they carried */
	uint64_t many_sends;            /* sends they carried */
	uint64_t ool_bytes;             /* inline OOL bytes held */
	unsigned ool_fds;               /* memfds held */
	unsigned ool_fds_max;           /* from RLIMIT_NOFILE, keeping room for clients */
};

uint64_t broker_now_ns(void);
void broker_park(struct broker *b, struct bconn *c, bool has_deadline, uint64_t deadline_ns);
void broker_unpark(struct broker *b, struct bconn *c);
int broker_reply(struct bconn *c, const struct mgw_hdr *h, const struct iovec *iov,
                 int iovcnt, const int *fds, unsigned nfds);

/* dispatch.c: setup, tasks, port calls, bootstrap, debug. */
int bcore_init(struct broker *b);
void bcore_fini(struct broker *b);
int bcore_task_create(struct broker *b, struct btask *t);
void bcore_task_destroy(struct broker *b, struct btask *t);
/* Serves one request frame (fds are consumed). Sets *drop for a malformed one. */
void bcore_dispatch(struct broker *b, struct bconn *c, void *frame, size_t len,
                    int *fds, unsigned nfds, int *drop);

/* kernel.c: answers messages sent to the broker's own ports. */
void bkernel_serve(struct broker *b);

/* msg.c: the mach_msg path and OOL objects. */
void bmsg_call(struct broker *b, struct bconn *c, void *payload, size_t len, int *fds,
               unsigned nfds, int *drop);
void bmsg_retry(struct broker *b, struct bconn *c);
void bmsg_timeout(struct broker *b, struct bconn *c);
/* MGW_OP_INTERRUPT from a parked client: ends the call if its phase allows. */
void bmsg_interrupt(struct broker *b, struct bconn *c);
void bmsg_conn_gone(struct broker *b, struct bconn *c);
void bmsg_ool_release(void *ctx, uint64_t token, uint64_t size);
/* Receives one more message for a batch into out (cap bytes) as an ordinary
 * MGW_OP_MSG answer frame, only if it is simple and fits: its length, or 0
 * (nothing taken). */
size_t bmsg_receive_simple(struct broker *b, struct bconn *c, const struct mgw_msg *req,
                           unsigned char *out, size_t cap);

/* batch.c: MGW_OP_MSG_MANY (wire.h). */
void bbatch_call(struct broker *b, struct bconn *c, const struct mgw_hdr *h,
                 const unsigned char *payload, size_t len, int *drop);
/* broker_reply of a connection with a batch: records the answer of its
 * current step instead of sending it. */
int bbatch_reply(struct bconn *c, const struct mgw_hdr *h, const struct iovec *iov,
                 int iovcnt, const int *fds, unsigned nfds);
/* Goes on with a batch whose parked step finished (after bmsg_retry & co). */
void bbatch_continue(struct broker *b, struct bconn *c);
void bbatch_free(struct bconn *c);

#endif
