/* The kitchen server routines the round-trip tests call through the generated demux.
 * Each checks what it received and answers with values derived from it. */
#include <stdlib.h>
#include <string.h>

#include "kitchen_impl.h"
#include "kitchenServer.h"

struct kitchen_log klog;

struct kitchen_widget {
    mach_port_t port;
};

widget_t kitchen_widget_from_port(mach_port_t port)
{
    widget_t w = malloc(sizeof *w);
    w->port = port;
    klog.widgets_made++;
    return w;
}

mach_port_t kitchen_port_from_widget(widget_t w)
{
    klog.widgets_converted++;
    return w->port;
}

void kitchen_widget_release(widget_t w)
{
    klog.widgets_released++;
    free(w);
}

kern_return_t do_scalars(mach_port_t server, int a, int64_t b, int *c, int64_t *d)
{
    klog.calls++;
    klog.server_port = server;
    *d = (int64_t)a * b;
    *c += 1;
    return KERN_SUCCESS;
}

kern_return_t do_arrays(mach_port_t server, fixed4_t fixed, int_array_t var,
                        mach_msg_type_number_t varCnt, int tail, point_array_t pts,
                        mach_msg_type_number_t ptsCnt, int_array_t vout,
                        mach_msg_type_number_t *voutCnt, int *tail2, point_t *pt)
{
    (void)server;
    klog.calls++;
    klog.preset_count = *voutCnt;
    for (mach_msg_type_number_t i = 0; i < varCnt; i++)
        vout[i] = var[varCnt - 1 - i] + fixed[i % 4];
    *voutCnt = varCnt;
    *tail2 = tail * 2;
    pt->x = pt->y = 0;
    for (mach_msg_type_number_t i = 0; i < ptsCnt; i++) {
        pt->x += pts[i].x;
        pt->y += pts[i].y;
    }
    return KERN_SUCCESS;
}

kern_return_t do_capped(mach_port_t server, int want, int_array_t data,
                        mach_msg_type_number_t *dataCnt)
{
    (void)server;
    klog.calls++;
    klog.preset_count = *dataCnt;
    if ((mach_msg_type_number_t)want > 64)
        return KERN_INVALID_ARGUMENT;
    for (int i = 0; i < want; i++)
        data[i] = i * i;
    *dataCnt = (mach_msg_type_number_t)want;
    return KERN_SUCCESS;
}

kern_return_t do_paired(mach_port_t server, int_array_t xs, mach_msg_type_number_t xsCnt,
                        int_array_t ys, int *sum)
{
    (void)server;
    klog.calls++;
    *sum = 0;
    for (mach_msg_type_number_t i = 0; i < xsCnt; i++)
        *sum += xs[i] * ys[i];
    return KERN_SUCCESS;
}

kern_return_t do_strings(mach_port_t server, label_t name, vname_t vname, label_t oname,
                         vname_t ovname)
{
    (void)server;
    klog.calls++;
    strcpy(klog.name, name);
    strcpy(klog.vname, vname);
    size_t i;
    for (i = 0; name[i]; i++)
        oname[i] = (char)(name[i] - 'a' + 'A');
    oname[i] = '\0';
    strcpy(ovname, vname);
    strcat(ovname, "!");
    return KERN_SUCCESS;
}

kern_return_t do_ports(mach_port_t server, mach_port_t rcv, mach_port_t cs, mach_port_t ms,
                       mach_port_t mvs, mach_port_t mso, mach_port_t mvso, mach_port_name_t nm,
                       mach_port_t *ors, mach_port_t *orr, mach_msg_type_name_t *orrPoly)
{
    (void)server;
    klog.calls++;
    klog.ports[0] = rcv;
    klog.ports[1] = cs;
    klog.ports[2] = ms;
    klog.ports[3] = mvs;
    klog.ports[4] = mso;
    klog.ports[5] = mvso;
    klog.ports[6] = nm;
    *ors = 0x700;
    *orr = 0x701;
    klog.poly = *orrPoly; /* preset to the declared disposition */
    return KERN_SUCCESS;
}

kern_return_t do_poly(mach_port_t server, mach_port_t pin, mach_msg_type_name_t pinPoly,
                      mach_port_t *pout, mach_msg_type_name_t *poutPoly)
{
    (void)server;
    klog.calls++;
    klog.ports[0] = pin;
    klog.poly = pinPoly;
    *pout = pin + 1;
    *poutPoly = MACH_MSG_TYPE_MAKE_SEND_ONCE;
    return KERN_SUCCESS;
}

kern_return_t do_ool(mach_port_t server, vm_offset_t moved, mach_msg_type_number_t movedCnt,
                     vm_offset_t phys, mach_msg_type_number_t physCnt, vm_offset_t maybe,
                     mach_msg_type_number_t maybeCnt, vm_offset_t small,
                     mach_msg_type_number_t smallCnt, vm_offset_t *back,
                     mach_msg_type_number_t *backCnt)
{
    (void)server;
    klog.calls++;
    /* the routine owns what it received: it checks and frees every region */
    const unsigned char *regions[4] = {(void *)moved, (void *)phys, (void *)maybe, (void *)small};
    mach_msg_type_number_t counts[4] = {movedCnt, physCnt, maybeCnt, smallCnt};
    unsigned sum = 0;
    for (int r = 0; r < 4; r++) {
        for (mach_msg_type_number_t i = 0; i < counts[r]; i++)
            sum += regions[r][i];
        klog.counts[r] = counts[r];
        free((void *)regions[r]);
    }
    klog.sum = sum;
    char *b = malloc(100);
    for (int i = 0; i < 100; i++)
        b[i] = (char)i;
    *back = (vm_offset_t)b;
    *backCnt = 100;
    return KERN_SUCCESS;
}

kern_return_t do_ool_ports(mach_port_t server, mach_port_array_t pin,
                           mach_msg_type_number_t pinCnt, mach_port_array_t *pout,
                           mach_msg_type_number_t *poutCnt)
{
    (void)server;
    klog.calls++;
    mach_port_t *o = malloc((pinCnt + 1) * sizeof *o);
    for (mach_msg_type_number_t i = 0; i < pinCnt; i++)
        o[i] = pin[i] + 0x10;
    o[pinCnt] = 0x99;
    /* pin is an array[]: the stub frees it once we return */
    *pout = o;
    *poutCnt = pinCnt + 1;
    return KERN_SUCCESS;
}

kern_return_t do_tokens(mach_port_t server, audit_token_t audit, security_token_t sec,
                        mach_port_seqno_t seqno, mach_port_context_t ctx, int *pid)
{
    (void)server;
    klog.calls++;
    klog.audit = audit;
    klog.sec = sec;
    klog.seqno = seqno;
    klog.ctx = ctx;
    *pid = (int)audit.val[5];
    return KERN_SUCCESS;
}

kern_return_t do_whoami(mach_port_t server, int *v)
{
    (void)server;
    klog.calls++;
    *v = 42;
    return KERN_SUCCESS;
}

kern_return_t do_timed(mach_port_t server, int a)
{
    (void)server;
    klog.calls++;
    klog.sum = (unsigned)a;
    return KERN_SUCCESS;
}

kern_return_t do_later(mach_port_t server, mach_port_t reply, int a, int *b)
{
    (void)server;
    klog.calls++;
    klog.ports[0] = reply;
    if (a < 0)
        return MIG_NO_REPLY;
    *b = a + 1;
    return KERN_SUCCESS;
}

kern_return_t do_widget(widget_t w, int *v, widget_t *back)
{
    /* a different object: the request's widget is released by the destructor */
    static struct kitchen_widget returned;
    returned.port = w->port;
    *back = &returned;
    klog.calls++;
    *v = (int)w->port;
    return KERN_SUCCESS;
}

kern_return_t do_notify_one(mach_port_t server, int a, label_t name)
{
    (void)server;
    klog.calls++;
    klog.sum = (unsigned)a;
    strcpy(klog.name, name);
    return KERN_SUCCESS;
}

kern_return_t do_port_arrays(mach_port_t server, port_pair_t pair, port_pair_t opair,
                             mask_array_t masks, mach_msg_type_number_t *masksCnt,
                             handler_array_t handlers)
{
    (void)server;
    klog.calls++;
    klog.ports[0] = pair[0];
    klog.ports[1] = pair[1];
    klog.preset_count = *masksCnt;
    opair[0] = pair[1];
    opair[1] = pair[0];
    *masksCnt = 3;
    for (int i = 0; i < 3; i++) {
        masks[i] = 1 << i;
        handlers[i] = 0x800u + (unsigned)i;
    }
    return KERN_SUCCESS;
}

kern_return_t do_waited(mach_port_t server, int a)
{
    (void)server;
    return a == 1 ? KERN_SUCCESS : KERN_FAILURE;
}

kern_return_t do_sent_timed(mach_port_t server, int a)
{
    (void)server;
    klog.sum = (unsigned)a;
    return KERN_SUCCESS;
}

kern_return_t do_with_reply(mach_port_t server, mach_port_t reply, int a, int *b)
{
    (void)server;
    klog.ports[0] = reply;
    *b = a * 3;
    return KERN_SUCCESS;
}

kern_return_t do_async_reply(mach_port_t server, int a)
{
    (void)server;
    (void)a;
    return KERN_SUCCESS;
}

kern_return_t do_poly_target(mach_port_t server, mach_msg_type_name_t serverPoly, int a)
{
    (void)server;
    (void)a;
    /* the right the request port arrived as */
    return serverPoly == MACH_MSG_TYPE_PORT_SEND ? KERN_SUCCESS : KERN_INVALID_RIGHT;
}

kern_return_t do_anon(mach_port_t server, int *xs, mach_msg_type_number_t xsCnt, int *ys,
                      char *s, int *pt)
{
    (void)server;
    for (int i = 0; i < 4; i++)
        ys[i] = i < (int)xsCnt ? xs[i] * 10 : -1;
    pt[0] = (int)strlen(s);
    pt[1] = (int)xsCnt;
    return KERN_SUCCESS;
}

kelvin_t kitchen_to_kelvin(int celsius)
{
    kelvin_t k = {celsius + 273};
    return k;
}

int kitchen_from_kelvin(kelvin_t k)
{
    return k.k - 273;
}

kern_return_t do_temperature(mach_port_t server, kelvin_t t, kelvin_t *warmer)
{
    (void)server;
    if (t.k < 0)
        return KERN_INVALID_ARGUMENT;
    warmer->k = t.k + 10;
    return KERN_SUCCESS;
}

kern_return_t do_padded(mach_port_t server, tiny_t n, bytes3_t b, int x, tiny_t on,
                        bytes3_t ob, int *y)
{
    (void)server;
    for (int i = 0; i < 5; i++)
        on[i] = n[i] && n[i] >= 'a' && n[i] <= 'z' ? (char)(n[i] - 32) : n[i];
    for (int i = 0; i < 3; i++)
        ob[i] = (uint8_t)(b[i] + 1);
    *y = x + 1;
    return KERN_SUCCESS;
}

kern_return_t do_spans(mach_port_t server, span_list_t list, mach_msg_type_number_t listCnt,
                       span_block_t block, int64_t *total)
{
    (void)server;
    klog.calls++;
    klog.counts[0] = listCnt;
    klog.misaligned |= ((uintptr_t)list | (uintptr_t)block | (uintptr_t)total) & 7u;
    int64_t t = 0;
    for (mach_msg_type_number_t i = 0; i < listCnt; i++)
        t += list[i].hi - list[i].lo;
    for (int i = 0; i < 4; i++)
        t += 1000 * (block[i].hi - block[i].lo);
    *total = t;
    return KERN_SUCCESS;
}

kern_return_t do_reshape(mach_port_t server, vm_offset_t *blob, mach_msg_type_number_t *blobCnt)
{
    (void)server;
    klog.calls++;
    /* the received region is ours; the reply carries a new one twice as long */
    const unsigned char *in = (const void *)*blob;
    mach_msg_type_number_t n = *blobCnt;
    unsigned char *out = malloc(2 * (size_t)n + 1);
    if (!out)
        return KERN_RESOURCE_SHORTAGE;
    for (mach_msg_type_number_t i = 0; i < n; i++)
        out[i] = out[2 * n - 1 - i] = in[i];
    klog.counts[0] = n;
    free(*(void **)blob);
    *blob = (vm_offset_t)out;
    *blobCnt = 2 * n;
    return KERN_SUCCESS;
}

kern_return_t do_regions(mach_port_t server, blobs_t r, blobs_t back)
{
    (void)server;
    klog.calls++;
    unsigned sum = 0;
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 64; i++)
            sum += r[k][i];
        free(r[k]); /* the routine owns what it received */
        back[k] = malloc(64);
        if (!back[k])
            return KERN_RESOURCE_SHORTAGE;
        memset(back[k], 10 + k, 64);
    }
    klog.sum = sum;
    return KERN_SUCCESS;
}

kern_return_t do_implicit_data(mach_port_t server, mach_port_seqno_t msgh_seqno,
                               audit_token_t msgh_audit, int a, int *b)
{
    (void)server;
    klog.calls++;
    klog.seqno = msgh_seqno;
    klog.audit = msgh_audit;
    *b = a + 1;
    return KERN_SUCCESS;
}

static geo_t last_geo;

kern_return_t do_native_put(mach_port_t server, int a, geo_t g)
{
    (void)server;
    klog.calls++;
    klog.counts[0] = (mach_msg_type_number_t)a;
    last_geo = g;
    return KERN_SUCCESS;
}

kern_return_t do_native_swap(mach_port_t server, geo_t *g)
{
    (void)server;
    klog.calls++;
    geo_t r = *g;
    r.lat = g->lon;
    r.lon = g->lat;
    memcpy(r.tag, last_geo.tag, sizeof r.tag);
    *g = r;
    return KERN_SUCCESS;
}

kern_return_t do_native_opt(mach_port_t server, int a, geo_t *g, int *present)
{
    (void)server;
    klog.calls++;
    *present = g != NULL;
    if (g && g->lat != (double)a)
        return KERN_INVALID_ARGUMENT;
    return KERN_SUCCESS;
}
