/* vm_allocate / vm_deallocate and the memfd regions behind zero-copy OOL.
 *
 * Small allocations are anonymous private mappings. Large ones map a memfd
 * MAP_SHARED and are remembered here, so a later OOL send of the region can
 * pass the memfd itself: the sender's mapping is replaced by a private
 * copy-on-write one and the memfd sealed against writes (F_SEAL_WRITE), which
 * is exactly Mach's virtual-copy snapshot. Before fork every shared region becomes
 * private too, so the child gets copy semantics as on Darwin. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mach/mach.h>

#include "wire.h"

enum region_state { R_SHARED, R_PRIVATE };

struct region {
	uintptr_t addr;
	size_t size;
	int fd;
	enum region_state state;
};

static pthread_mutex_t g_vm_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_vm_once = PTHREAD_ONCE_INIT;
static struct region *g_regions;
static size_t g_nregions, g_capregions;

size_t mgv_page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	return (n + pg - 1) & ~(pg - 1);
}

static void remove_at(size_t i)
{
	close(g_regions[i].fd);
	g_regions[i] = g_regions[--g_nregions];
}

/* A fork child must not share writable memory with its parent. */
static void vm_before_fork(void)
{
	pthread_mutex_lock(&g_vm_lock);
	for (size_t i = 0; i < g_nregions; i++) {
		struct region *r = &g_regions[i];
		if (r->state != R_SHARED)
			continue;
		if (mmap((void *)r->addr, r->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		         r->fd, 0) != MAP_FAILED)
			r->state = R_PRIVATE;
	}
}

static void vm_after_fork(void) { pthread_mutex_unlock(&g_vm_lock); }

static void vm_init(void)
{
	pthread_atfork(vm_before_fork, vm_after_fork, vm_after_fork);
}

static int track(uintptr_t addr, size_t size, int fd)
{
	if (g_nregions == g_capregions) {
		size_t cap = g_capregions ? g_capregions * 2 : 16;
		struct region *n = realloc(g_regions, cap * sizeof *n);
		if (!n)
			return -1;
		g_regions = n;
		g_capregions = cap;
	}
	g_regions[g_nregions].addr = addr;
	g_regions[g_nregions].size = size;
	g_regions[g_nregions].fd = fd;
	g_regions[g_nregions].state = R_SHARED;
	g_nregions++;
	return 0;
}

static void *map_memfd_region(void *hint, size_t size, int flags, int *fd_out)
{
	int fd = memfd_create("machgen-vm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *p;
	if (fd < 0)
		return MAP_FAILED;
	if (ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return MAP_FAILED;
	}
	p = mmap(hint, size, PROT_READ | PROT_WRITE, MAP_SHARED | flags, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return MAP_FAILED;
	}
	*fd_out = fd;
	return p;
}

kern_return_t vm_allocate(vm_map_t task, vm_address_t *address, vm_size_t size, int flags)
{
	size_t len;
	void *hint = NULL, *p;
	int mflags = 0, fd = -1;

	if (task != mach_task_self())
		return KERN_INVALID_ARGUMENT;
	if (size == 0) {
		*address = 0;
		return KERN_SUCCESS;
	}
	len = mgv_page_round(size);
	if (len < size)
		return KERN_INVALID_ARGUMENT;
	if (!(flags & VM_FLAGS_ANYWHERE)) {
		if (*address & ((vm_address_t)sysconf(_SC_PAGESIZE) - 1))
			return KERN_INVALID_ADDRESS;
		hint = (void *)*address;
		mflags = MAP_FIXED_NOREPLACE;
	}
	pthread_once(&g_vm_once, vm_init);
	if (len >= MGV_MEMFD_MIN) {
		pthread_mutex_lock(&g_vm_lock);
		p = map_memfd_region(hint, len, mflags, &fd);
		if (p != MAP_FAILED && track((uintptr_t)p, len, fd) != 0) {
			munmap(p, len);
			close(fd);
			p = MAP_FAILED;
		}
		pthread_mutex_unlock(&g_vm_lock);
	} else {
		p = mmap(hint, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | mflags, -1,
		         0);
	}
	if (p == MAP_FAILED)
		return errno == EEXIST ? KERN_NO_SPACE : KERN_RESOURCE_SHORTAGE;
	*address = (vm_address_t)p;
	return KERN_SUCCESS;
}

kern_return_t vm_deallocate(vm_map_t task, vm_address_t address, vm_size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start, end;

	if (task != mach_task_self())
		return KERN_INVALID_ARGUMENT;
	if (size == 0)
		return KERN_SUCCESS;
	start = address & ~(uintptr_t)(pg - 1);
	end = mgv_page_round(address + size);
	if (end < start)
		return KERN_INVALID_ARGUMENT;
	pthread_mutex_lock(&g_vm_lock);
	/* Any tracked region touched loses its memfd; the mapping that remains
	 * keeps its pages alive on its own. */
	for (size_t i = 0; i < g_nregions;) {
		struct region *r = &g_regions[i];
		if (r->addr < end && start < r->addr + r->size)
			remove_at(i);
		else
			i++;
	}
	munmap((void *)start, end - start);
	pthread_mutex_unlock(&g_vm_lock);
	return KERN_SUCCESS;
}

int mgv_take_snapshot(uintptr_t addr, size_t size)
{
	int fd = -1;

	pthread_mutex_lock(&g_vm_lock);
	for (size_t i = 0; i < g_nregions; i++) {
		struct region *r = &g_regions[i];
		if (r->addr != addr || r->size != mgv_page_round(size))
			continue;
		if (r->state != R_SHARED)
			break; /* may differ from the memfd now: copy instead */
		/* The sender's view becomes private copy-on-write first: then no
		 * writable shared mapping remains, so F_SEAL_WRITE holds and the
		 * receiver can check that nobody writes the memfd any more. A
		 * region the sender deallocates goes the same way (its private
		 * mapping is removed once the send went through). */
		if (mmap((void *)r->addr, r->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		         r->fd, 0) == MAP_FAILED)
			break;
		r->state = R_PRIVATE;
		if (fcntl(r->fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) != 0)
			break;
		fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
		break;
	}
	pthread_mutex_unlock(&g_vm_lock);
	return fd;
}

void mgv_release_moved(uintptr_t addr, size_t size)
{
	vm_deallocate(mach_task_self(), (vm_address_t)addr, (vm_size_t)size);
}

uintptr_t mgv_map_received_fd(int fd, size_t size)
{
	void *p = MAP_FAILED;
	/* The broker checks this at send time too; mapping a short or still
	 * writable file would break the receiver (SIGBUS, no copy semantics). */
	if (mgw_memfd_acceptable(fd, size))
		p = mmap(NULL, mgv_page_round(size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	return p == MAP_FAILED ? 0 : (uintptr_t)p;
}

uintptr_t mgv_map_received_bytes(const void *data, size_t size)
{
	void *p = mmap(NULL, mgv_page_round(size), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	memcpy(p, data, size);
	return (uintptr_t)p;
}
