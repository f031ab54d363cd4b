/* libFuzzer target: arbitrary requests into the generated demux of
 * examples/blobstore (OOL memory in and out, send rights made from a receive
 * right), with test doubles of its routines. */
#include "fuzz_kernel.h"
#include "blobstoreServer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

kern_return_t blob_put(mach_port_t store, blob_name_t name, vm_offset_t data,
                       mach_msg_type_number_t dataCnt, mach_port_t *blob)
{
    if (!name[0])
        return KERN_INVALID_ARGUMENT; /* the region goes back with the request */
    unsigned sum = fuzz_touch(name, strlen(name)) + fuzz_touch((const void *)data, dataCnt);
    /* on success the region is the routine's */
    vm_deallocate(mach_task_self(), data, dataCnt);
    *blob = sum & 1 ? store : MACH_PORT_NULL;
    return KERN_SUCCESS;
}

kern_return_t blob_open(mach_port_t store, blob_name_t name, mach_port_t *blob)
{
    if (strlen(name) % 3 == 0)
        return KERN_NAME_EXISTS;
    *blob = store;
    return KERN_SUCCESS;
}

kern_return_t blob_count(mach_port_t store, uint32_t *count)
{
    *count = store;
    return KERN_SUCCESS;
}

kern_return_t blob_info(mach_port_t blob, blob_name_t name, uint64_t *size, uint64_t *checksum)
{
    snprintf(name, sizeof(blob_name_t), "blob-%x", blob);
    *size = strlen(name);
    *checksum = 0x9e3779b97f4a7c15u ^ blob;
    return KERN_SUCCESS;
}

kern_return_t blob_read(mach_port_t blob, vm_offset_t *data, mach_msg_type_number_t *dataCnt)
{
    mach_msg_type_number_t n = blob % 200;
    if (!n)
        return KERN_INVALID_ARGUMENT;
    /* malloc: the harness frees a reply's regions as the kernel's copy-out would */
    char *p = malloc(n);
    if (!p)
        return KERN_RESOURCE_SHORTAGE;
    memset(p, 'b', n);
    *data = (vm_offset_t)p;
    *dataCnt = n;
    return KERN_SUCCESS;
}

FUZZ_SERVER_ENTRY(blobstore_server, blobstore_subsystem)
