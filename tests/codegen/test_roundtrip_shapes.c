/* The kitchen round trip for the shapes XNU's interfaces and MIG's rarer features
 * use: arrays declared over structs in C, in/out out-of-line data, arrays of regions,
 * trailer fields named by ServerImpl/UserImpl, native C values. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fake_kernel.h"
#include "kitchen.h"
#include "kitchenServer.h"
#include "kitchen_impl.h"
#include "roundtrip_util.h"

TestSuite(shapes, .init = setup);
TestSuite(shape_checks, .init = setup);

Test(shapes, arrays_declared_over_structs_in_c)
{
    span_t list[3] = {{1, 4}, {10, 20}, {-5, 5}};
    span_block_t block = {{0, 1}, {0, 2}, {0, 3}, {0, 4}};
    int64_t total = 0;
    cr_assert_eq(spans(SERVER, list, 3, block, &total), KERN_SUCCESS);
    cr_assert_eq(klog.counts[0], 3);
    cr_assert_eq(total, 3 + 10 + 10 + 1000 * (1 + 2 + 3 + 4));
    /* list and total sit at 4 mod 8 in their messages, block after a variable part:
     * the routine gets aligned copies */
    cr_assert_eq(klog.misaligned, 0);
    /* on the wire: count, then the spans packed tight, then the fixed block */
    const __Request__spans_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->listCnt, 3, "counts are in elements of the array (spans), as MIG's");
    cr_assert_eq(fk.last_send_size, 24 + 8 + 4 + 3 * 16 + 64);
    int64_t wire[2];
    memcpy(wire, fk.last_request + 36 + 16, sizeof wire);
    cr_assert_eq(wire[0], 10);
    cr_assert_eq(wire[1], 20);
}

Test(shapes, ool_inout_region_and_count)
{
    unsigned char *in = malloc(5);
    memcpy(in, "abcde", 5);
    vm_offset_t blob = (vm_offset_t)in;
    mach_msg_type_number_t blobCnt = 5;
    cr_assert_eq(reshape(SERVER, &blob, &blobCnt), KERN_SUCCESS);
    const __Request__reshape_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->blob.size, 5, "the size sent is the caller's count, read through its pointer");
    cr_assert_eq(rq->blobCnt, 5);
    cr_assert_eq(rq->blob.deallocate, TRUE);
    cr_assert_eq(klog.counts[0], 5);
    cr_assert_eq(blobCnt, 10);
    cr_assert_arr_eq((const void *)blob, "abcdeedcba", 10);
    free((void *)blob); /* the client owns the region it received */
}

Test(shapes, array_of_ool_regions)
{
    unsigned char a[64], b[64];
    memset(a, 1, sizeof a);
    memset(b, 2, sizeof b);
    blobs_t r = {a, b};
    blobs_t back = {NULL, NULL};
    cr_assert_eq(regions(SERVER, r, back), KERN_SUCCESS);
    cr_assert_eq(klog.sum, 64u * 1 + 64u * 2);
    const __Request__regions_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->msgh_body.msgh_descriptor_count, 2);
    cr_assert_eq(rq->r[0].type, MACH_MSG_OOL_DESCRIPTOR);
    cr_assert_eq(rq->r[1].size, 64);
    cr_assert_eq(rq->r[1].address, (void *)b);
    /* Apple's MIG labels any non-port data with the NDR record, out-of-line memory
     * without a count included (found by tests/interop/mig_interop.sh) */
    cr_assert_eq(fk.last_send_size, 24 + 4 + 2 * 16 + 8);
    cr_assert_eq(memcmp(&rq->NDR, &NDR_record, sizeof NDR_record), 0);
    const __Reply__regions_t *rp = (const void *)fk.last_reply;
    cr_assert_eq(rp->Head.msgh_size, 24 + 4 + 2 * 16 + 8);
    cr_assert_eq(memcmp(&rp->NDR, &NDR_record, sizeof NDR_record), 0);
    for (int k = 0; k < 2; k++) {
        cr_assert_not_null(back[k]);
        cr_assert_eq(back[k][0], 10 + k);
        cr_assert_eq(back[k][63], 10 + k);
        free(back[k]); /* the client owns the regions it received */
    }
}

Test(shape_checks, array_of_ool_regions_wrong_size)
{
    unsigned char a[64] = {0}, b[64] = {0};
    blobs_t r = {a, b};
    blobs_t back = {NULL, NULL};
    CAPTURE(regions(SERVER, r, back));
    /* a region of the wrong size in the second descriptor is refused, not served */
    __Request__regions_t *rq = (void *)fk.last_request;
    rq->r[1].size = 63;
    cr_assert_eq(serve_request(fk.last_request, fk.last_send_size), MIG_TYPE_ERROR);
    cr_assert_eq(klog.calls, 0);
}

Test(shapes, server_and_user_implicit_trailer_fields)
{
    mach_port_context_t ctx = 0;
    int b = 0;
    cr_assert_eq(implicit_data(SERVER, 41, &ctx, &b), KERN_SUCCESS);
    cr_assert_eq(b, 42);
    cr_assert_eq(klog.seqno, fk.seqno, "ServerImpl msgh_seqno comes from the request trailer");
    cr_assert_arr_eq(&klog.audit, &fk.audit, sizeof klog.audit);
    cr_assert_eq(ctx, fk.context, "UserImpl msgh_context comes from the reply trailer");
    /* the client asks for the trailer up to the field it reads, not more */
    cr_assert_eq(fk.last_option & MACH_RCV_TRAILER_ELEMENTS(0xf),
                 MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_CTX));
}

Test(shape_checks, implicit_trailer_too_short)
{
    mach_port_context_t ctx;
    int b;
    CAPTURE(implicit_data(SERVER, 1, &ctx, &b));
    boolean_t handled;
    /* msgh_seqno and msgh_audit: the audit trailer is needed, and enough */
    cr_assert_eq(serve(fk.last_request, fk.last_send_size, sizeof(mach_msg_security_trailer_t),
                       &handled),
                 MIG_TRAILER_ERROR);
    cr_assert_eq(klog.calls, 0);
    cr_assert_eq(serve(fk.last_request, fk.last_send_size, sizeof(mach_msg_audit_trailer_t), &handled),
                 KERN_SUCCESS);
    cr_assert_eq(klog.calls, 1);
}

Test(shapes, native_values_by_value_and_pointer)
{
    geo_t g = {48.5, 2.25, "home"};
    cr_assert_eq(native_put(SERVER, 7, g), KERN_SUCCESS);
    cr_assert_eq(klog.counts[0], 7);
    /* the value travels as its C bytes, rounded to 4 */
    cr_assert_eq(fk.last_send_size, 24 + 8 + 4 + ((sizeof(geo_t) + 3) & ~(size_t)3));
    const __Request__native_put_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->g.lon, 2.25);
    geo_t h = {1.0, 2.0, "xxxx"};
    cr_assert_eq(native_swap(SERVER, &h), KERN_SUCCESS);
    cr_assert_eq(h.lat, 2.0);
    cr_assert_eq(h.lon, 1.0);
    cr_assert_str_eq(h.tag, "home", "the server's value came back through the pointer");
}

Test(shape_checks, native_wrong_size)
{
    geo_t g = {0, 0, ""};
    CAPTURE(native_put(SERVER, 1, g));
    __Request__native_put_t *rq = (void *)fk.last_request;
    rq->Head.msgh_size -= 4;
    cr_assert_eq(serve_request(fk.last_request, fk.last_send_size - 4), MIG_BAD_ARGUMENTS);
    cr_assert_eq(klog.calls, 0);
}

Test(shapes, native_optional_pointer)
{
    int present = -1;
    geo_t g = {5.0, 6.0, "opt"};
    cr_assert_eq(native_opt(SERVER, 5, &g, &present), KERN_SUCCESS);
    cr_assert_eq(present, 1);
    cr_assert_eq(fk.last_send_size, 24 + 8 + 4 + 4 + ((sizeof(geo_t) + 3) & ~(size_t)3));
    /* NULL (the bad value) sends only the presence word, and the routine gets NULL */
    cr_assert_eq(native_opt(SERVER, 5, NULL, &present), KERN_SUCCESS);
    cr_assert_eq(present, 0);
    cr_assert_eq(fk.last_send_size, 24 + 8 + 4 + 4);
    const __Request__native_opt_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->__Present__g, FALSE);
}

Test(shape_checks, native_optional_size_must_match_presence)
{
    geo_t g = {1.0, 0, ""};
    int present;
    CAPTURE(native_opt(SERVER, 1, &g, &present));
    __Request__native_opt_t *rq = (void *)fk.last_request;
    rq->__Present__g = FALSE; /* says absent, but the value's bytes are there */
    cr_assert_eq(serve_request(fk.last_request, fk.last_send_size), MIG_BAD_ARGUMENTS);
    cr_assert_eq(klog.calls, 0);
}
