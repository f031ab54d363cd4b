/* blobstore-client: sends a file to the blob store out of line, reads it back through
 * the port the store handed out, and shows the store freeing blobs once their last
 * send right is gone: first when this process drops its right, then when a second
 * process (a "viewer" child) that holds one exits without releasing it.
 * Exit status 0 when everything behaved as described, 1 otherwise.
 *
 *   blobstore-client [FILE]      (default: this program's own executable) */
#define _POSIX_C_SOURCE 200809L /* fork, poll, nanosleep in strict C11 */

#include <mach/mach.h>
#include <mach/mach_error.h>
#include <mach/vm_map.h>
#include <servers/bootstrap.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blobstore.h"

#define BLOBSTORE_SERVICE "org.machgen.example.blobstore"

static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        printf("blobstore-client: UNEXPECTED: %s\n", what);
        failures++;
    }
}

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000}, NULL);
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static kern_return_t look_up_store(mach_port_t *store)
{
    kern_return_t kr = KERN_FAILURE;
    for (int tries = 0; tries < 100; tries++) { /* the server may still be starting: 5 s */
        kr = bootstrap_look_up(bootstrap_port, BLOBSTORE_SERVICE, store);
        if (kr != BOOTSTRAP_UNKNOWN_SERVICE)
            break;
        sleep_ms(50);
    }
    return kr;
}

/* Reads a file into freshly allocated pages: the form in which memory travels out of line. */
static int read_file(const char *path, vm_offset_t *data, mach_msg_type_number_t *size)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (1 << 30)) {
        fprintf(stderr, "blobstore-client: cannot read %s\n", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    vm_address_t addr = 0;
    if (vm_allocate(mach_task_self(), &addr, (vm_size_t)st.st_size, VM_FLAGS_ANYWHERE) !=
        KERN_SUCCESS) {
        close(fd);
        return -1;
    }
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, (char *)addr + done, (size_t)st.st_size - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    *data = addr;
    *size = (mach_msg_type_number_t)done;
    return 0;
}

/* Waits until the store holds `want` blobs: notifications are asynchronous. */
static int wait_for_count(mach_port_t store, uint32_t want)
{
    uint32_t count = UINT32_MAX;
    for (int tries = 0; tries < 100; tries++) {
        if (blob_count(store, &count) == KERN_SUCCESS && count == want)
            return 1;
        sleep_ms(50);
    }
    printf("blobstore-client: store holds %u blobs, expected %u\n", (unsigned)count,
           (unsigned)want);
    return 0;
}

/* The viewer: a separate process with its own send right to the blob. It keeps it
 * until told to go, then exits without releasing it: its death releases it. */
static int viewer(const char *name, int ready_fd, int go_fd)
{
    mach_port_t store, blob;
    kern_return_t kr = look_up_store(&store);
    if (kr == KERN_SUCCESS)
        kr = blob_open(store, name, &blob);
    if (kr != KERN_SUCCESS) {
        printf("viewer: blob_open(\"%s\"): %s\n", name, mach_error_string(kr));
        return 1;
    }
    uint64_t size = 0, sum = 0;
    blob_name_t n;
    kr = blob_info(blob, n, &size, &sum);
    printf("viewer: opened \"%s\" (%llu bytes), holding a send right to it\n", n,
           (unsigned long long)size);
    (void)!write(ready_fd, "r", 1);
    struct pollfd p = {.fd = go_fd, .events = POLLIN};
    poll(&p, 1, 10000); /* the parent says when; 10 s at most */
    printf("viewer: exiting without deallocating my send right\n");
    return kr == KERN_SUCCESS ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/proc/self/exe";
    setvbuf(stdout, NULL, _IOLBF, 0);

    mach_port_t store;
    kern_return_t kr = look_up_store(&store);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "blobstore-client: cannot find \"%s\": %s (is blobstore-server running?)\n",
                BLOBSTORE_SERVICE, bootstrap_strerror(kr));
        return 1;
    }
    printf("blobstore-client: found \"%s\"\n", BLOBSTORE_SERVICE);

    /* 1. A whole file, out of line. `dealloc` in the .defs: the pages leave with the
     *    message, so we checksum them before sending. */
    vm_offset_t data;
    mach_msg_type_number_t size;
    if (read_file(path, &data, &size) != 0)
        return 1;
    uint64_t sum = fnv1a((const unsigned char *)data, size);
    const char *slash = strrchr(path, '/');
    blob_name_t big_name;
    snprintf(big_name, sizeof big_name, "%s", slash ? slash + 1 : path);
    mach_port_t big;
    kr = blob_put(store, big_name, data, size, &big);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "blobstore-client: blob_put: %s\n", mach_error_string(kr));
        return 1;
    }
    printf("blobstore-client: blob_put(\"%s\", %u bytes of %s) -> send right 0x%x for the blob\n",
           big_name, (unsigned)size, path, big);

    /* 2. Ask the blob itself: these requests go to the blob's port. */
    blob_name_t name;
    uint64_t info_size = 0, info_sum = 0;
    kr = blob_info(big, name, &info_size, &info_sum);
    printf("blobstore-client: blob_info -> \"%s\", %llu bytes, checksum %016llx (%s ours)\n",
           kr == KERN_SUCCESS ? name : "?", (unsigned long long)info_size,
           (unsigned long long)info_sum, info_sum == sum ? "matches" : "DIFFERS FROM");
    expect(kr == KERN_SUCCESS && info_size == size && info_sum == sum, "blob_info");

    vm_offset_t back = 0;
    mach_msg_type_number_t back_size = 0;
    kr = blob_read(big, &back, &back_size);
    int same = kr == KERN_SUCCESS && back_size == size &&
               fnv1a((const unsigned char *)back, back_size) == sum;
    printf("blobstore-client: blob_read -> %u bytes out of line, %s\n", (unsigned)back_size,
           same ? "identical to the file" : "NOT the file's bytes");
    expect(same, "blob_read");
    if (kr == KERN_SUCCESS)
        vm_deallocate(mach_task_self(), back, back_size); /* received pages are ours to free */

    /* 3. A small second blob, and a name clash the server refuses. */
    static const char notes_text[] = "machgen blobstore example\n";
    vm_address_t notes_data = 0;
    mach_port_t notes = MACH_PORT_NULL;
    vm_allocate(mach_task_self(), &notes_data, sizeof notes_text, VM_FLAGS_ANYWHERE);
    memcpy((void *)notes_data, notes_text, sizeof notes_text);
    kr = blob_put(store, "notes.txt", notes_data, sizeof notes_text, &notes);
    printf("blobstore-client: blob_put(\"notes.txt\", %u bytes) -> %s\n",
           (unsigned)sizeof notes_text, mach_error_string(kr));
    expect(kr == KERN_SUCCESS, "blob_put notes.txt");

    vm_address_t again = 0;
    mach_port_t dup = MACH_PORT_NULL;
    vm_allocate(mach_task_self(), &again, 16, VM_FLAGS_ANYWHERE);
    kr = blob_put(store, "notes.txt", again, 16, &dup);
    printf("blobstore-client: blob_put(\"notes.txt\") again -> %s\n", mach_error_string(kr));
    expect(kr == KERN_NAME_EXISTS, "duplicate name refused");

    /* 4. A second process opens the big blob and holds its own send right. */
    int to_parent[2], to_viewer[2];
    if (pipe(to_parent) != 0 || pipe(to_viewer) != 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        alarm(20);
        _exit(viewer(big_name, to_parent[1], to_viewer[0]));
    }
    struct pollfd p = {.fd = to_parent[0], .events = POLLIN};
    expect(poll(&p, 1, 10000) == 1, "the viewer opened the blob");

    /* 5. Drop our rights. notes.txt loses its last one and is freed; the big blob
     *    lives on: the viewer still has a send right. */
    mach_port_deallocate(mach_task_self(), notes);
    mach_port_deallocate(mach_task_self(), big);
    printf("blobstore-client: dropped my send rights to \"notes.txt\" and \"%s\"\n", big_name);
    expect(wait_for_count(store, 1), "notes.txt freed, the viewer's blob kept");
    printf("blobstore-client: the store holds 1 blob\n");
    kr = blob_open(store, "notes.txt", &dup);
    printf("blobstore-client: blob_open(\"notes.txt\") -> %s\n", mach_error_string(kr));
    expect(kr == KERN_INVALID_NAME, "notes.txt is gone");

    /* 6. The viewer exits holding its right: the system releases it, the blob goes. */
    (void)!write(to_viewer[1], "g", 1);
    int status = -1;
    for (int tries = 0; tries < 100 && waitpid(pid, &status, WNOHANG) == 0; tries++)
        sleep_ms(50);
    if (status == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the viewer exited cleanly");
    printf("blobstore-client: the viewer exited\n");
    expect(wait_for_count(store, 0), "the big blob freed after the viewer exited");
    printf("blobstore-client: the store holds 0 blobs\n");

    printf("blobstore-client: %s\n", failures ? "SOMETHING WENT WRONG" : "everything as expected");
    return failures ? 1 : 0;
}
