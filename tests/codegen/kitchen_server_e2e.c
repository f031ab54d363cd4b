/* The kitchen server routines for the end-to-end test: the same answers as the
 * in-process ones, but with real rights and real VM, and the server owning what it
 * received exactly as the contract says. Runs in the forked server process. */
#include <string.h>
#include <unistd.h>

#include <mach/mach.h>
#include <mach/vm_map.h>

#include "kitchenServer.h"
#include "kitchen_e2e.h"

struct kitchen_widget {
    mach_port_t port;
};

static struct kitchen_widget the_widget;

widget_t kitchen_widget_from_port(mach_port_t port)
{
    the_widget.port = port;
    return &the_widget;
}

mach_port_t kitchen_port_from_widget(widget_t w)
{
    return w->port;
}

void kitchen_widget_release(widget_t w)
{
    w->port = MACH_PORT_NULL;
}

bool kitchen_e2e_quit;
mach_port_t kitchen_e2e_kept;

static void release(vm_offset_t addr, mach_msg_type_number_t size)
{
    if (size)
        vm_deallocate(mach_task_self(), addr, size);
}

kern_return_t do_scalars(mach_port_t server, int a, int64_t b, int *c, int64_t *d)
{
    (void)server;
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
    if (want < 0 || want > 64)
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
    *sum = 0;
    for (mach_msg_type_number_t i = 0; i < xsCnt; i++)
        *sum += xs[i] * ys[i];
    return KERN_SUCCESS;
}

kern_return_t do_strings(mach_port_t server, label_t name, vname_t vname, label_t oname,
                         vname_t ovname)
{
    (void)server;
    size_t i;
    for (i = 0; name[i]; i++)
        oname[i] = (char)(name[i] - 'a' + 'A');
    oname[i] = '\0';
    strcpy(ovname, vname);
    strcat(ovname, "!");
    return KERN_SUCCESS;
}

/* rcv: the receive right is ours now (kept, so the client can no longer receive on
 * it); every send or send-once right we got is used once (the client receives the
 * messages); we answer with a new port: its receive right and a send right. */
kern_return_t do_ports(mach_port_t server, mach_port_t rcv, mach_port_t cs, mach_port_t ms,
                       mach_port_t mvs, mach_port_t mso, mach_port_t mvso, mach_port_name_t nm,
                       mach_port_t *ors, mach_port_t *orr, mach_msg_type_name_t *orrPoly)
{
    (void)server;
    mach_port_type_t type = 0;
    if (mach_port_type(mach_task_self(), rcv, &type) != KERN_SUCCESS ||
        !(type & MACH_PORT_TYPE_RECEIVE))
        return KERN_FAILURE; /* error: the serve loop destroys what we got */
    const mach_port_t rights[5] = {cs, ms, mvs, mso, mvso};
    for (int i = 0; i < 5; i++) {
        if (rights[i] == MACH_PORT_NULL)
            continue;
        mach_msg_header_t h = {0};
        h.msgh_bits = MACH_MSGH_BITS(i >= 3 ? MACH_MSG_TYPE_MOVE_SEND_ONCE : MACH_MSG_TYPE_MOVE_SEND, 0);
        h.msgh_size = sizeof h;
        h.msgh_remote_port = rights[i];
        h.msgh_id = KITCHEN_E2E_PING + i;
        if (mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof h, 0, MACH_PORT_NULL, 1000,
                     MACH_PORT_NULL) != MACH_MSG_SUCCESS)
            return KERN_FAILURE;
    }
    kitchen_e2e_kept = rcv;
    (void)nm;
    mach_port_t fresh;
    if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &fresh) != KERN_SUCCESS)
        return KERN_RESOURCE_SHORTAGE;
    *ors = fresh;  /* MAKE_SEND from our receive right */
    *orr = fresh;  /* then the receive right itself moves */
    *orrPoly = MACH_MSG_TYPE_MOVE_RECEIVE;
    return KERN_SUCCESS;
}

kern_return_t do_poly(mach_port_t server, mach_port_t pin, mach_msg_type_name_t pinPoly,
                      mach_port_t *pout, mach_msg_type_name_t *poutPoly)
{
    (void)server;
    if (pinPoly != MACH_MSG_TYPE_PORT_SEND)
        return KERN_INVALID_RIGHT;
    *pout = pin; /* our send right goes back, moved */
    *poutPoly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t do_ool(mach_port_t server, vm_offset_t moved, mach_msg_type_number_t movedCnt,
                     vm_offset_t phys, mach_msg_type_number_t physCnt, vm_offset_t maybe,
                     mach_msg_type_number_t maybeCnt, vm_offset_t small,
                     mach_msg_type_number_t smallCnt, vm_offset_t *back,
                     mach_msg_type_number_t *backCnt)
{
    (void)server;
    const vm_offset_t regions[4] = {moved, phys, maybe, small};
    const mach_msg_type_number_t counts[4] = {movedCnt, physCnt, maybeCnt, smallCnt};
    unsigned sum = 0;
    for (int r = 0; r < 4; r++)
        for (mach_msg_type_number_t i = 0; i < counts[r]; i++)
            sum += ((const unsigned char *)regions[r])[i];
    for (int r = 0; r < 4; r++)
        release(regions[r], counts[r]); /* success: they are ours to free */
    vm_address_t b = 0;
    if (vm_allocate(mach_task_self(), &b, 4096, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
        return KERN_RESOURCE_SHORTAGE;
    memcpy((void *)b, &sum, sizeof sum);
    for (int i = 4; i < 100; i++)
        ((unsigned char *)b)[i] = (unsigned char)i;
    *back = b; /* dealloc: unmapped from us once the reply is sent */
    *backCnt = 100;
    return KERN_SUCCESS;
}

kern_return_t do_ool_ports(mach_port_t server, mach_port_array_t pin,
                           mach_msg_type_number_t pinCnt, mach_port_array_t *pout,
                           mach_msg_type_number_t *poutCnt)
{
    (void)server;
    /* the received send rights go back as copies (we keep ours); pin is an array[],
     * which the stub frees once we return: the reply gets its own region (left
     * mapped: this process is about to exit) */
    vm_address_t copy = 0;
    kern_return_t kr = vm_allocate(mach_task_self(), &copy, pinCnt * sizeof *pin, VM_FLAGS_ANYWHERE);
    if (kr != KERN_SUCCESS)
        return kr;
    memcpy((void *)copy, pin, pinCnt * sizeof *pin);
    *pout = (mach_port_array_t)copy;
    *poutCnt = pinCnt;
    return KERN_SUCCESS;
}

kern_return_t do_tokens(mach_port_t server, audit_token_t audit, security_token_t sec,
                        mach_port_seqno_t seqno, mach_port_context_t ctx, int *pid)
{
    (void)server;
    (void)sec;
    (void)seqno;
    (void)ctx;
    *pid = (int)audit.val[5];
    return KERN_SUCCESS;
}

kern_return_t do_whoami(mach_port_t server, int *v)
{
    (void)server;
    *v = 42;
    return KERN_SUCCESS;
}

kern_return_t do_timed(mach_port_t server, int a)
{
    (void)server;
    if (a == -2)
        _exit(0); /* the server dies holding the reply right */
    return a == 9 ? KERN_SUCCESS : KERN_FAILURE;
}

kern_return_t do_later(mach_port_t server, mach_port_t reply, int a, int *b)
{
    (void)server;
    (void)reply;
    *b = a + 1;
    return KERN_SUCCESS;
}

kern_return_t do_widget(widget_t w, int *v, widget_t *back)
{
    /* a different object: the request's widget is released by the destructor */
    static struct kitchen_widget returned;
    returned.port = w->port;
    *back = &returned;
    *v = w->port != MACH_PORT_NULL;
    return KERN_SUCCESS;
}

kern_return_t do_port_arrays(mach_port_t server, port_pair_t pair, port_pair_t opair,
                             mask_array_t masks, mach_msg_type_number_t *masksCnt,
                             handler_array_t handlers)
{
    (void)server;
    opair[0] = pair[1];
    opair[1] = pair[0];
    *masksCnt = 1;
    masks[0] = 7;
    handlers[0] = pair[0];
    return KERN_SUCCESS;
}

kern_return_t do_notify_one(mach_port_t server, int a, label_t name)
{
    (void)server;
    (void)name;
    if (a == -1)
        kitchen_e2e_quit = true;
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
    (void)a;
    return KERN_SUCCESS;
}

kern_return_t do_with_reply(mach_port_t server, mach_port_t reply, int a, int *b)
{
    (void)server;
    (void)reply;
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
    mach_msg_type_number_t n = *blobCnt;
    vm_address_t out = 0;
    if (vm_allocate(mach_task_self(), &out, 2 * (vm_size_t)n + 1, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
        return KERN_RESOURCE_SHORTAGE;
    const unsigned char *in = (const void *)*blob;
    unsigned char *o = (void *)out;
    for (mach_msg_type_number_t i = 0; i < n; i++)
        o[i] = o[2 * n - 1 - i] = in[i];
    release(*blob, n); /* success: the received region is ours to free */
    *blob = out;       /* dealloc: unmapped from us once the reply is sent */
    *blobCnt = 2 * n;
    return KERN_SUCCESS;
}

kern_return_t do_regions(mach_port_t server, blobs_t r, blobs_t back)
{
    (void)server;
    unsigned sum = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 64; i++)
            sum += r[k][i];
    for (int k = 0; k < 2; k++) {
        release((vm_offset_t)r[k], 64); /* success: the received regions are ours */
        vm_address_t b = 0;
        if (vm_allocate(mach_task_self(), &b, 64, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
            return KERN_RESOURCE_SHORTAGE;
        memset((void *)b, 0, 64);
        memcpy((void *)b, &sum, sizeof sum);
        ((unsigned char *)b)[63] = (unsigned char)(10 + k);
        back[k] = (blob64_t)b; /* not dealloc: the server keeps its copy (leaked here) */
    }
    return KERN_SUCCESS;
}

kern_return_t do_implicit_data(mach_port_t server, mach_port_seqno_t msgh_seqno,
                               audit_token_t msgh_audit, int a, int *b)
{
    (void)server;
    (void)msgh_seqno;
    (void)msgh_audit;
    *b = a + 1;
    return KERN_SUCCESS;
}

kern_return_t do_native_put(mach_port_t server, int a, geo_t g)
{
    (void)server;
    return g.lat == (double)a ? KERN_SUCCESS : KERN_INVALID_ARGUMENT;
}

kern_return_t do_native_swap(mach_port_t server, geo_t *g)
{
    (void)server;
    const double t = g->lat;
    g->lat = g->lon;
    g->lon = t;
    return KERN_SUCCESS;
}

kern_return_t do_native_opt(mach_port_t server, int a, geo_t *g, int *present)
{
    (void)server;
    *present = g != NULL;
    if (g && g->lat != (double)a)
        return KERN_INVALID_ARGUMENT;
    return KERN_SUCCESS;
}
