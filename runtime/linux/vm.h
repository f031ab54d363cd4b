/* Task memory of the Linux backend: vm_allocate / vm_deallocate on mmap, with
 * large regions backed by their own memfd so OOL sends can hand them over
 * without copying. */
#ifndef MACHGEN_LINUX_VM_H
#define MACHGEN_LINUX_VM_H

#include <stddef.h>
#include <stdint.h>

/* Regions at least this large get their own memfd. */
#define MGV_MEMFD_MIN ((size_t)256 * 1024)

size_t mgv_page_round(size_t n);

/* For an OOL send of exactly one whole memfd region at addr (size bytes):
 * returns a new fd holding an immutable snapshot of its contents, or -1 when
 * the region is not eligible (then the caller copies). The sender's mapping
 * becomes a private copy-on-write mapping of the memfd, which is sealed
 * (F_SEAL_WRITE | GROW | SHRINK), so the sender's later writes stay its own.
 * A sender that deallocates unmaps the region with mgv_release_moved() once
 * the send went through. */
int mgv_take_snapshot(uintptr_t addr, size_t size);
void mgv_release_moved(uintptr_t addr, size_t size);

/* Maps a received OOL region: a memfd (private, copy-on-write; refused
 * unless mgw_memfd_acceptable) or a copy of inline bytes. Returns the
 * address or 0 on failure. Consumes fd. */
uintptr_t mgv_map_received_fd(int fd, size_t size);
uintptr_t mgv_map_received_bytes(const void *data, size_t size);

#endif
