/* Notification requests, port attributes, and moving rights between spaces
 * outside messages (insert_right / extract_right). */
#include "core_internal.h"

#include <stdlib.h>
#include <string.h>

static kern_return_t receive_port(mgc_space *s, mach_port_name_t name, mgc_port **p)
{
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (!(e->type & MACH_PORT_TYPE_RECEIVE))
        return KERN_INVALID_RIGHT;
    *p = e->obj;
    return KERN_SUCCESS;
}

static bool dnreq_add(mgc_port *p, mgc_space *s, mach_port_name_t name, mgc_port *notify,
                      uint8_t sp)
{
    if (p->ndnreqs == p->dnreqs_cap) {
        uint32_t cap = p->dnreqs_cap ? p->dnreqs_cap * 2 : 2;
        mgc_dnreq *r = realloc(p->dnreqs, cap * sizeof *r);
        if (!r)
            return false;
        p->dnreqs = r;
        p->dnreqs_cap = cap;
    }
    p->dnreqs[p->ndnreqs++] = (mgc_dnreq){.space = s, .name = name, .notify = notify, .sp = sp};
    return true;
}

/* Dead-name and send-possible requests (XNU ipc_right_request_alloc). */
static kern_return_t name_request(mgc_space *s, mach_port_name_t name, mach_msg_id_t msgid,
                                  mach_port_mscount_t sync, mgc_port *notify, mgc_port **previous)
{
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (!notify && !e->dnreq) {
        *previous = NULL;
        return KERN_SUCCESS;
    }
    if (e->type & MACH_PORT_TYPE_PORT_RIGHTS) {
        mgc_port *p = e->obj;
        mgc_port *prev = NULL;
        if (e->dnreq) {
            mgc_dnreq_cancel(p, s, name, &prev);
            e->dnreq = 0;
        }
        *previous = prev;
        if (!notify)
            return KERN_SUCCESS;
        uint8_t sp = 0;
        if (msgid == MACH_NOTIFY_SEND_POSSIBLE) {
            /* Immediate when sending is possible now (send-once right or
             * room in the queue) and the caller asked to arm it. */
            if (sync && ((e->type & MACH_PORT_TYPE_SEND_ONCE) || p->msgcount < p->qlimit)) {
                mgc_notify_simple(notify, MACH_NOTIFY_SEND_POSSIBLE, true, name);
                return KERN_SUCCESS;
            }
            sp = sync ? MGC_SP_ARMED : MGC_SP_DELAYED;
        }
        if (!dnreq_add(p, s, name, notify, sp)) {
            *previous = NULL;
            if (prev) {
                dnreq_add(p, s, name, prev, 0);
                e->dnreq = 1;
            }
            return KERN_RESOURCE_SHORTAGE;
        }
        e->dnreq = 1;
        return KERN_SUCCESS;
    }
    if ((e->type & MACH_PORT_TYPE_DEAD_NAME) && notify &&
        (sync != 0 || msgid == MACH_NOTIFY_SEND_POSSIBLE)) {
        /* Already dead: notify at once; the notification carries a uref
         * (urefs stay pegged at the maximum). */
        if (e->urefs < MACH_PORT_UREFS_MAX)
            e->urefs++;
        mgc_notify_simple(notify, MACH_NOTIFY_DEAD_NAME, true, name);
        *previous = NULL;
        return KERN_SUCCESS;
    }
    return (e->type & MACH_PORT_TYPE_PORT_OR_DEAD) ? KERN_INVALID_ARGUMENT : KERN_INVALID_RIGHT;
}

static kern_return_t request(mgc_space *s, mach_port_name_t name, mach_msg_id_t msgid,
                             mach_port_mscount_t sync, mgc_port *notify, mgc_port **previous)
{
    mgc_port *p;
    kern_return_t kr;
    *previous = NULL;
    switch (msgid) {
    case MACH_NOTIFY_PORT_DESTROYED:
        if (sync != 0)
            return KERN_INVALID_VALUE;
        if (!MACH_PORT_VALID(name))
            return KERN_INVALID_RIGHT;
        kr = receive_port(s, name, &p);
        if (kr != KERN_SUCCESS)
            return kr;
        if (p->reply_port)
            return KERN_INVALID_RIGHT;
        if (p->pdrequest)
            return KERN_FAILURE;
        p->pdrequest = notify;
        return KERN_SUCCESS;
    case MACH_NOTIFY_NO_SENDERS:
        if (!MACH_PORT_VALID(name))
            return KERN_INVALID_RIGHT;
        kr = receive_port(s, name, &p);
        if (kr != KERN_SUCCESS)
            return kr;
        if (p->reply_port)
            return KERN_INVALID_RIGHT;
        *previous = p->nsrequest;
        if (p->srights == 0 && sync <= p->mscount && notify) {
            p->nsrequest = NULL;
            mgc_notify_simple(notify, MACH_NOTIFY_NO_SENDERS, true, p->mscount);
        } else {
            p->nsrequest = notify;
        }
        return KERN_SUCCESS;
    case MACH_NOTIFY_SEND_POSSIBLE:
    case MACH_NOTIFY_DEAD_NAME:
        if (!MACH_PORT_VALID(name))
            return KERN_INVALID_ARGUMENT;
        return name_request(s, name, msgid, sync, notify, previous);
    default:
        return KERN_INVALID_VALUE;
    }
}

kern_return_t mgc_port_request_notification(mgc_space *space, mach_port_name_t name,
                                            mach_msg_id_t msgid, mach_port_mscount_t sync,
                                            mgc_space *caller, mach_port_name_t notify,
                                            mach_msg_type_name_t notify_disposition,
                                            mach_port_name_t *previous)
{
    mgc_port *np = NULL, *prev = NULL;
    *previous = MACH_PORT_NULL;
    if (notify == MACH_PORT_DEAD)
        return KERN_INVALID_CAPABILITY;
    if (MACH_PORT_VALID(notify)) {
        if (notify_disposition != MACH_MSG_TYPE_MAKE_SEND_ONCE &&
            notify_disposition != MACH_MSG_TYPE_MOVE_SEND_ONCE)
            return KERN_INVALID_VALUE;
        /* On oneself XNU's trap reports the copyin error; for another task
         * the right travels in a MIG request and fails as a send error. */
        kern_return_t ckr = mgc_right_copyin(caller, notify, notify_disposition, 0, &np);
        if (ckr != KERN_SUCCESS)
            return caller == space ? ckr : MACH_SEND_INVALID_RIGHT;
    }
    kern_return_t kr = request(space, name, msgid, sync, np, &prev);
    if (kr != KERN_SUCCESS) {
        /* A failed kernel call destroys its request: the right dies. */
        mgc_release_right(np, MACH_MSG_TYPE_PORT_SEND_ONCE);
        return kr;
    }
    if (prev && mgc_copyout_right(caller, prev, MACH_MSG_TYPE_PORT_SEND_ONCE, previous) !=
                    KERN_SUCCESS) {
        mgc_release_right(prev, MACH_MSG_TYPE_PORT_SEND_ONCE);
        *previous = MACH_PORT_DEAD;
    }
    return KERN_SUCCESS;
}

/* ---- attributes ---------------------------------------------------------- */

static void fill_status(const mgc_port *p, mach_port_status_t *st)
{
    memset(st, 0, sizeof *st);
    st->mps_pset = p->nsets > 0; /* XNU: in a set or not, never which */
    st->mps_seqno = p->seqno;
    st->mps_mscount = p->mscount;
    st->mps_qlimit = p->qlimit;
    st->mps_msgcount = p->msgcount;
    st->mps_sorights = p->sorights;
    st->mps_srights = p->srights > 0;
    st->mps_pdrequest = p->pdrequest != NULL;
    st->mps_nsrequest = p->nsrequest != NULL;
    if (p->guarded)
        st->mps_flags |= MACH_PORT_STATUS_FLAG_GUARDED;
    if (p->strict_guard)
        st->mps_flags |= MACH_PORT_STATUS_FLAG_STRICT_GUARD;
    if (p->immovable_receive)
        st->mps_flags |= MACH_PORT_STATUS_FLAG_GUARD_IMMOVABLE_RECEIVE;
}

kern_return_t mgc_port_get_attributes(mgc_space *s, mach_port_name_t name,
                                      mach_port_flavor_t flavor, mach_port_info_t info,
                                      mach_msg_type_number_t *count)
{
    mgc_port *p;
    kern_return_t kr;
    switch (flavor) {
    case MACH_PORT_LIMITS_INFO: {
        if (*count < MACH_PORT_LIMITS_INFO_COUNT)
            return KERN_FAILURE;
        if (!MACH_PORT_VALID(name)) { /* XNU: success with nothing */
            *count = 0;
            return KERN_SUCCESS;
        }
        if ((kr = receive_port(s, name, &p)) != KERN_SUCCESS)
            return kr;
        mach_port_limits_t lim = {.mpl_qlimit = p->qlimit};
        memcpy(info, &lim, sizeof lim);
        *count = MACH_PORT_LIMITS_INFO_COUNT;
        return KERN_SUCCESS;
    }
    case MACH_PORT_RECEIVE_STATUS: {
        if (*count < MACH_PORT_RECEIVE_STATUS_COUNT)
            return KERN_FAILURE;
        if (!MACH_PORT_VALID(name))
            return KERN_INVALID_RIGHT;
        if ((kr = receive_port(s, name, &p)) != KERN_SUCCESS)
            return kr;
        mach_port_status_t st;
        fill_status(p, &st);
        memcpy(info, &st, sizeof st);
        *count = MACH_PORT_RECEIVE_STATUS_COUNT;
        return KERN_SUCCESS;
    }
    case MACH_PORT_DNREQUESTS_SIZE: {
        if (*count < MACH_PORT_DNREQUESTS_SIZE_COUNT)
            return KERN_FAILURE;
        if (!MACH_PORT_VALID(name)) {
            info[0] = 0;
            *count = MACH_PORT_DNREQUESTS_SIZE_COUNT;
            return KERN_SUCCESS;
        }
        if ((kr = receive_port(s, name, &p)) != KERN_SUCCESS)
            return kr;
        info[0] = (integer_t)p->dnreqs_cap;
        *count = MACH_PORT_DNREQUESTS_SIZE_COUNT;
        return KERN_SUCCESS;
    }
    case MACH_PORT_INFO_EXT: {
        if (*count < MACH_PORT_INFO_EXT_COUNT)
            return KERN_FAILURE;
        if (!MACH_PORT_VALID(name))
            return KERN_INVALID_RIGHT;
        if ((kr = receive_port(s, name, &p)) != KERN_SUCCESS)
            return kr;
        mach_port_info_ext_t ext;
        memset(&ext, 0, sizeof ext);
        fill_status(p, &ext.mpie_status);
        memcpy(info, &ext, sizeof ext);
        *count = MACH_PORT_INFO_EXT_COUNT;
        return KERN_SUCCESS;
    }
    default:
        return KERN_INVALID_ARGUMENT;
    }
}

kern_return_t mgc_port_set_attributes(mgc_space *s, mach_port_name_t name,
                                      mach_port_flavor_t flavor, mach_port_info_t info,
                                      mach_msg_type_number_t count)
{
    mgc_port *p;
    kern_return_t kr;
    switch (flavor) {
    case MACH_PORT_LIMITS_INFO: {
        if (count < MACH_PORT_LIMITS_INFO_COUNT)
            return KERN_FAILURE;
        mach_port_limits_t lim;
        memcpy(&lim, info, sizeof lim);
        if (lim.mpl_qlimit > MACH_PORT_QLIMIT_MAX)
            return KERN_INVALID_VALUE;
        if (!MACH_PORT_VALID(name))
            return KERN_INVALID_RIGHT;
        if ((kr = receive_port(s, name, &p)) != KERN_SUCCESS)
            return kr;
        bool grew = lim.mpl_qlimit > p->qlimit;
        p->qlimit = lim.mpl_qlimit;
        if (grew) {
            mgc_port_spnotify(p);
            if (s->core->ops.send_possible)
                s->core->ops.send_possible(s->core->ops.ctx, p);
        }
        return KERN_SUCCESS;
    }
    case MACH_PORT_DNREQUESTS_SIZE:
        if (count < MACH_PORT_DNREQUESTS_SIZE_COUNT)
            return KERN_FAILURE;
        if (!MACH_PORT_VALID(name))
            return KERN_INVALID_RIGHT;
        return receive_port(s, name, &p);
    default:
        return KERN_INVALID_ARGUMENT;
    }
}

/* ---- insert_right / extract_right --------------------------------------- */

/* Give `name` in `dst` to a right (XNU ipc_object_copyout_name). */
static kern_return_t copyout_name(mgc_space *dst, mgc_port *p, mach_msg_type_name_t type,
                                  mach_port_name_t name)
{
    mgc_entry *e = mgc_entry_lookup(dst, name);
    if (type != MACH_MSG_TYPE_PORT_SEND_ONCE) {
        mach_port_name_t other = mgc_space_find_port(dst, p);
        if (other != MACH_PORT_NULL && other != name)
            return KERN_RIGHT_EXISTS;
    }
    if (e) {
        if (e->obj != p || type == MACH_MSG_TYPE_PORT_SEND_ONCE ||
            (type == MACH_MSG_TYPE_PORT_RECEIVE && (e->type & MACH_PORT_TYPE_RECEIVE)))
            return KERN_NAME_EXISTS;
        mach_port_name_t same;
        return mgc_copyout_right(dst, p, type, &same);
    }
    kern_return_t kr = mgc_entry_alloc_name(dst, name, &e);
    if (kr != KERN_SUCCESS)
        return kr;
    e->obj = p;
    if (type != MACH_MSG_TYPE_PORT_SEND_ONCE && !mgc_hash_insert(dst, p, MACH_PORT_INDEX(name))) {
        mgc_entry_free(dst, name);
        return KERN_RESOURCE_SHORTAGE;
    }
    switch (type) {
    case MACH_MSG_TYPE_PORT_SEND:
        e->type = MACH_PORT_TYPE_SEND;
        e->urefs = 1;
        break;
    case MACH_MSG_TYPE_PORT_SEND_ONCE:
        e->type = MACH_PORT_TYPE_SEND_ONCE;
        e->urefs = 1;
        break;
    default:
        e->type = MACH_PORT_TYPE_RECEIVE;
        e->urefs = 0;
        p->receiver = dst;
        p->receiver_name = name;
        p->destination = NULL;
        break;
    }
    return KERN_SUCCESS;
}

/* XNU's fast path for insert_right(task, n, n, MAKE_SEND / COPY_SEND) on
 * oneself: urefs grow in place and stay pegged at the maximum. */
static kern_return_t insert_send_in_place(mgc_space *s, mach_port_name_t name,
                                          mach_msg_type_name_t disposition)
{
    mgc_entry *e = mgc_entry_lookup(s, name);
    if (!e)
        return KERN_INVALID_NAME;
    if (e->obj == NULL)
        return KERN_INVALID_CAPABILITY;
    if (!(e->type & MACH_PORT_TYPE_PORT_RIGHTS))
        return KERN_INVALID_RIGHT;
    mgc_port *p = e->obj;
    if (disposition == MACH_MSG_TYPE_MAKE_SEND) {
        if (!(e->type & MACH_PORT_TYPE_RECEIVE))
            return KERN_INVALID_RIGHT;
        p->mscount++;
        if (!(e->type & MACH_PORT_TYPE_SEND)) {
            p->srights++;
            e->type |= MACH_PORT_TYPE_SEND;
        }
    } else if (!(e->type & MACH_PORT_TYPE_SEND)) {
        return KERN_INVALID_RIGHT;
    }
    if (e->urefs < MACH_PORT_UREFS_MAX)
        e->urefs++;
    return KERN_SUCCESS;
}

kern_return_t mgc_port_insert_right(mgc_space *dst, mach_port_name_t name, mgc_space *src,
                                    mach_port_name_t src_name, mach_msg_type_name_t disposition)
{
    if (dst == src && name == src_name &&
        (disposition == MACH_MSG_TYPE_MAKE_SEND || disposition == MACH_MSG_TYPE_COPY_SEND))
        return insert_send_in_place(dst, name, disposition);
    /* The right is copied in first: by Libsyscall's trap for the caller's own
     * task (copyin errors come back as they are), by the MIG request message
     * for another task (a send error; NULL and DEAD travel as they are). */
    mgc_port *p = src_name == MACH_PORT_DEAD ? MGC_PORT_DEAD : NULL;
    kern_return_t kr;
    if (MACH_PORT_VALID(src_name)) {
        kr = mgc_right_copyin(src, src_name, disposition, MGC_CI_DEADOK, &p);
        if (kr != KERN_SUCCESS)
            return dst == src ? kr : MACH_SEND_INVALID_RIGHT;
    } else if (dst == src) {
        return KERN_INVALID_NAME;
    }
    mach_msg_type_name_t type = mgc_copyin_type(disposition);
    if (!MACH_PORT_VALID(name) || !MACH_MSG_TYPE_PORT_ANY(disposition)) {
        if (MGC_PORT_VALID(p))
            mgc_release_right(p, type);
        return KERN_INVALID_VALUE;
    }
    if (!MGC_PORT_VALID(p))
        return KERN_INVALID_CAPABILITY;
    if (!p->active) {
        mgc_release_right(p, type);
        return KERN_INVALID_CAPABILITY;
    }
    kr = copyout_name(dst, p, type, name);
    if (kr != KERN_SUCCESS)
        mgc_release_right(p, type);
    return kr;
}

kern_return_t mgc_port_extract_right(mgc_space *src, mach_port_name_t name,
                                     mach_msg_type_name_t disposition, mgc_space *dst,
                                     mach_port_name_t *out_name, mach_msg_type_name_t *out_type)
{
    if (!MACH_MSG_TYPE_PORT_ANY(disposition))
        return KERN_INVALID_VALUE;
    if (!MACH_PORT_VALID(name))
        return KERN_INVALID_RIGHT;
    mgc_port *p;
    kern_return_t kr = mgc_right_copyin(src, name, disposition, MGC_CI_DEADOK, &p);
    if (kr != KERN_SUCCESS)
        return kr;
    mach_msg_type_name_t type = mgc_copyin_type(disposition);
    *out_type = type;
    kr = mgc_copyout_right(dst, p, type, out_name);
    if (kr != KERN_SUCCESS) {
        mgc_release_right(p, type);
        *out_name = MACH_PORT_DEAD;
        return MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE;
    }
    return KERN_SUCCESS;
}
