/* blobstore-server: keeps blobs that clients send out of line, hands out one port per
 * blob, and frees a blob when the last send right to its port is gone (no-senders
 * notification). The store's port and every blob's port sit in one port set, so one
 * serve loop answers requests to any of them and receives the notifications too.
 *
 *   blobstore-server [--idle SECONDS] */
#define _POSIX_C_SOURCE 200809L /* alarm, sigaction in strict C11 */

#include <mach/mach.h>
#include <mach/mach_error.h>
#include <mach/notify.h>
#include <mach/vm_map.h>
#include <servers/bootstrap.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blobstoreServer.h"

#define BLOBSTORE_SERVICE "org.machgen.example.blobstore"
#define MAX_BLOBS 16

/* Requests, replies and the no-senders notification all fit in this. */
#define BLOBSTORE_MAX_MSG 4096
_Static_assert(sizeof(union __RequestUnion__blobstore_subsystem) <= BLOBSTORE_MAX_MSG &&
                   sizeof(union __ReplyUnion__blobstore_subsystem) <= BLOBSTORE_MAX_MSG &&
                   sizeof(mach_no_senders_notification_t) <= BLOBSTORE_MAX_MSG,
               "BLOBSTORE_MAX_MSG too small");

struct blob {
    mach_port_t port; /* our receive right; MACH_PORT_NULL = free slot */
    blob_name_t name;
    vm_offset_t data; /* the pages that came with blob_put: kept, never copied */
    mach_msg_type_number_t size;
    uint64_t checksum;
};

static struct blob blobs[MAX_BLOBS];
static mach_port_t port_set;

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static struct blob *blob_by_port(mach_port_t port)
{
    for (int i = 0; i < MAX_BLOBS; i++)
        if (blobs[i].port != MACH_PORT_NULL && blobs[i].port == port)
            return &blobs[i];
    return NULL;
}

static struct blob *blob_by_name(const char *name)
{
    for (int i = 0; i < MAX_BLOBS; i++)
        if (blobs[i].port != MACH_PORT_NULL && strcmp(blobs[i].name, name) == 0)
            return &blobs[i];
    return NULL;
}

static unsigned blobs_held(void)
{
    unsigned n = 0;
    for (int i = 0; i < MAX_BLOBS; i++)
        n += blobs[i].port != MACH_PORT_NULL;
    return n;
}

/* A port for a new blob: in our port set, and asking for a no-senders notification
 * (sent to the port itself) once the make-send count is at least 1 and no send
 * right is left, i.e. after the reply handed out the first one and it was dropped. */
static kern_return_t new_blob_port(mach_port_t *port)
{
    mach_port_t previous = MACH_PORT_NULL;
    kern_return_t kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, port);
    if (kr != KERN_SUCCESS)
        return kr;
    kr = mach_port_request_notification(mach_task_self(), *port, MACH_NOTIFY_NO_SENDERS, 1, *port,
                                        MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous);
    if (kr == KERN_SUCCESS)
        kr = mach_port_move_member(mach_task_self(), *port, port_set);
    if (kr != KERN_SUCCESS)
        mach_port_mod_refs(mach_task_self(), *port, MACH_PORT_RIGHT_RECEIVE, -1);
    return kr;
}

kern_return_t blob_put(mach_port_t store, blob_name_t name, vm_offset_t data,
                       mach_msg_type_number_t dataCnt, mach_port_t *blob)
{
    (void)store;
    /* On an error the serve loop frees the pages we were sent (ownership contract). */
    if (blob_by_name(name) != NULL) {
        printf("blobstore-server: blob_put(\"%s\") refused: name taken\n", name);
        return KERN_NAME_EXISTS;
    }
    struct blob *b = NULL;
    for (int i = 0; b == NULL && i < MAX_BLOBS; i++)
        if (blobs[i].port == MACH_PORT_NULL)
            b = &blobs[i];
    if (b == NULL) {
        printf("blobstore-server: blob_put(\"%s\") refused: store full\n", name);
        return KERN_RESOURCE_SHORTAGE;
    }
    kern_return_t kr = new_blob_port(&b->port);
    if (kr != KERN_SUCCESS) {
        b->port = MACH_PORT_NULL;
        return kr;
    }
    /* Success: the pages are ours now. Keep them as the blob's storage. */
    strcpy(b->name, name);
    b->data = data;
    b->size = dataCnt;
    b->checksum = fnv1a((const unsigned char *)data, dataCnt);
    *blob = b->port; /* the reply carries MAKE_SEND of it: the client gets a send right */
    printf("blobstore-server: stored \"%s\": %u bytes received out of line, checksum %016llx; "
           "its port is 0x%x (%u blob%s held)\n",
           name, (unsigned)dataCnt, (unsigned long long)b->checksum, b->port, blobs_held(),
           blobs_held() == 1 ? "" : "s");
    return KERN_SUCCESS;
}

kern_return_t blob_open(mach_port_t store, blob_name_t name, mach_port_t *blob)
{
    (void)store;
    struct blob *b = blob_by_name(name);
    if (b == NULL) {
        printf("blobstore-server: blob_open(\"%s\"): no such blob\n", name);
        return KERN_INVALID_NAME;
    }
    *blob = b->port;
    printf("blobstore-server: blob_open(\"%s\"): another send right to port 0x%x\n", name,
           b->port);
    return KERN_SUCCESS;
}

kern_return_t blob_count(mach_port_t store, uint32_t *count)
{
    (void)store;
    *count = blobs_held();
    return KERN_SUCCESS;
}

kern_return_t blob_info(mach_port_t blob, blob_name_t name, uint64_t *size, uint64_t *checksum)
{
    struct blob *b = blob_by_port(blob);
    if (b == NULL)
        return KERN_INVALID_ARGUMENT; /* sent to the store's port, not a blob's */
    strcpy(name, b->name);
    *size = b->size;
    *checksum = b->checksum;
    return KERN_SUCCESS;
}

kern_return_t blob_read(mach_port_t blob, vm_offset_t *data, mach_msg_type_number_t *dataCnt)
{
    struct blob *b = blob_by_port(blob);
    if (b == NULL)
        return KERN_INVALID_ARGUMENT;
    /* Not `dealloc` in the .defs: the reply sends a copy and we keep our pages. */
    *data = b->data;
    *dataCnt = b->size;
    printf("blobstore-server: blob_read(\"%s\"): %u bytes sent out of line\n", b->name,
           (unsigned)b->size);
    return KERN_SUCCESS;
}

/* The last send right to a blob's port is gone: free the blob. If a blob_open made a
 * new send right after the notification was generated, ask again instead. */
static void no_senders(const mach_no_senders_notification_t *n)
{
    mach_port_t port = n->not_header.msgh_local_port;
    struct blob *b = blob_by_port(port);
    if (b == NULL)
        return;
    mach_port_status_t st;
    mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
    if (mach_port_get_attributes(mach_task_self(), port, MACH_PORT_RECEIVE_STATUS,
                                 (mach_port_info_t)&st, &cnt) == KERN_SUCCESS &&
        st.mps_mscount > n->not_count) {
        mach_port_t previous = MACH_PORT_NULL;
        mach_port_request_notification(mach_task_self(), port, MACH_NOTIFY_NO_SENDERS,
                                       st.mps_mscount, port, MACH_MSG_TYPE_MAKE_SEND_ONCE,
                                       &previous);
        return;
    }
    vm_deallocate(mach_task_self(), b->data, b->size);
    mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
    b->port = MACH_PORT_NULL;
    printf("blobstore-server: no more senders for \"%s\" (port 0x%x): freed its %u bytes "
           "(%u blob%s held)\n",
           b->name, port, (unsigned)b->size, blobs_held(), blobs_held() == 1 ? "" : "s");
}

/* The generated demux, plus the notifications that arrive on blob ports. */
static boolean_t demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
    if (in->msgh_id == MACH_NOTIFY_NO_SENDERS) {
        no_senders((const mach_no_senders_notification_t *)in);
        ((mig_reply_error_t *)out)->RetCode = MIG_NO_REPLY; /* nothing to answer */
        return TRUE;
    }
    return blobstore_server(in, out);
}

static void idle_exit(int sig)
{
    static const char msg[] = "blobstore-server: no request for a while, exiting\n";
    (void)sig;
    (void)!write(STDOUT_FILENO, msg, sizeof msg - 1);
    _exit(0);
}

int main(int argc, char **argv)
{
    unsigned idle = 10;
    if (argc == 3 && strcmp(argv[1], "--idle") == 0)
        idle = (unsigned)atoi(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--idle SECONDS]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    mach_port_t store;
    kern_return_t kr = bootstrap_check_in(bootstrap_port, BLOBSTORE_SERVICE, &store);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "blobstore-server: bootstrap_check_in: %s\n", bootstrap_strerror(kr));
        return 1;
    }
    kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &port_set);
    if (kr == KERN_SUCCESS)
        kr = mach_port_move_member(mach_task_self(), store, port_set);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "blobstore-server: port set: %s\n", mach_error_string(kr));
        return 1;
    }
    printf("blobstore-server: checked in as \"%s\", waiting for requests\n", BLOBSTORE_SERVICE);

    signal(SIGALRM, idle_exit);
    for (;;) {
        alarm(idle);
        kr = mach_msg_server_once(demux, BLOBSTORE_MAX_MSG, port_set, 0);
        if (kr != MACH_MSG_SUCCESS) {
            fprintf(stderr, "blobstore-server: mach_msg_server_once: %s\n",
                    mach_error_string(kr));
            return 1;
        }
    }
}
