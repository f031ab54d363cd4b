/* Broker side of everything but mach_msg: task spaces, mach_port_* calls,
 * the bootstrap registry and the debug query. */
#include "broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mach/message.h>
#include <mach/port.h>
#include <servers/bootstrap.h>

/* ---- core callbacks: only record what changed; the loop acts on it --- */

static void on_msg_arrived(void *ctx, mgc_space *space, mach_port_name_t name,
                           mach_port_name_t pset)
{
	struct broker *b = ctx;
	for (struct bconn *c = b->parked_head; c; c = c->pnext)
		if (!c->kmsg && c->task && c->task->space == space &&
		    (c->req.rcv_name == name || (pset != MACH_PORT_NULL && c->req.rcv_name == pset)))
			c->wake = true;
	b->dirty = true;
}

static void on_receive_gone(void *ctx, mgc_space *space, mach_port_name_t name,
                            mach_msg_return_t why)
{
	struct broker *b = ctx;
	/* Receivers blocked on that name must fail rather than wait on a name
	 * that may later denote something else. */
	for (struct bconn *c = b->parked_head; c; c = c->pnext)
		if (!c->kmsg && c->task && c->task->space == space && c->req.rcv_name == name &&
		    !c->gone) {
			c->gone = why;
			c->wake = true;
		}
	b->dirty = true;
}

static void on_send_possible(void *ctx, mgc_port *port)
{
	struct broker *b = ctx;
	for (struct bconn *c = b->parked_head; c; c = c->pnext)
		if (c->kmsg && mgc_kmsg_destination(c->kmsg) == port)
			c->wake = true;
	b->dirty = true;
}

int bcore_init(struct broker *b)
{
	mgc_host_ops ops;
	mgc_limits lim;
	mgc_creds kcreds;

	memset(&ops, 0, sizeof ops);
	ops.ctx = b;
	ops.msg_arrived = on_msg_arrived;
	ops.receive_gone = on_receive_gone;
	ops.send_possible = on_send_possible;
	ops.ool_release = bmsg_ool_release;
	memset(&lim, 0, sizeof lim);
	/* Inline messages must fit one frame with the OOL table beside them. */
	lim.max_msg_size = MGW_MAX_FRAME - 4096;
	/* A macOS task's name table grows to 305,834 entries; the core's default
	 * (65,536) refused programs that hold 100,000 rights. */
	lim.max_names_per_space = 305834;
	b->core = mgc_core_create(&ops, &lim);
	if (!b->core)
		return -1;
	memset(&kcreds, 0, sizeof kcreds);
	b->kspace = mgc_space_create(b->core, &kcreds);
	if (!b->kspace ||
	    mgc_port_allocate(b->kspace, MACH_PORT_RIGHT_RECEIVE, &b->bootstrap) != KERN_SUCCESS ||
	    mgc_port_allocate(b->kspace, MACH_PORT_RIGHT_RECEIVE, &b->host) != KERN_SUCCESS ||
	    mgc_port_allocate(b->kspace, MACH_PORT_RIGHT_PORT_SET, &b->kset) != KERN_SUCCESS ||
	    mgc_port_insert_member(b->kspace, b->bootstrap, b->kset) != KERN_SUCCESS ||
	    mgc_port_insert_member(b->kspace, b->host, b->kset) != KERN_SUCCESS)
		return -1;
	return 0;
}

void bcore_fini(struct broker *b)
{
	free(b->services);
	if (b->core)
		mgc_core_destroy(b->core);
}

int bcore_task_create(struct broker *b, struct btask *t)
{
	mgc_creds cr;

	memset(&cr, 0, sizeof cr);
	cr.pid = (uint32_t)t->pid;
	cr.uid = cr.euid = cr.auid = (uint32_t)t->uid;
	cr.gid = cr.egid = (uint32_t)t->gid;
	cr.asid = (uint32_t)t->pid;
	t->space = mgc_space_create(b->core, &cr);
	if (!t->space)
		return -1;
	mgc_space_set_host_data(t->space, t);
	/* Every task starts with a send right to its own task port and to the
	 * bootstrap port, at fixed names (see wire.h). */
	kern_return_t kr = mgc_port_allocate(b->kspace, MACH_PORT_RIGHT_RECEIVE, &t->task_port);
	if (kr == KERN_SUCCESS)
		kr = mgc_port_insert_member(b->kspace, t->task_port, b->kset);
	if (kr == KERN_SUCCESS)
		kr = mgc_port_insert_right(t->space, MGW_TASK_SELF_NAME, b->kspace, t->task_port,
		                           MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = mgc_port_insert_right(t->space, MGW_BOOTSTRAP_NAME, b->kspace, b->bootstrap,
		                           MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = mgc_port_insert_right(t->space, MGW_HOST_NAME, b->kspace, b->host,
		                           MACH_MSG_TYPE_MAKE_SEND);
	if (kr != KERN_SUCCESS) {
		fprintf(stderr, "machgen-broker: cannot set up task %d: %#x\n", (int)t->pid, kr);
		if (t->task_port)
			mgc_port_destroy(b->kspace, t->task_port);
		mgc_space_destroy(t->space);
		t->space = NULL;
		return -1;
	}
	return 0;
}

static void services_sweep(struct broker *b);

void bcore_task_destroy(struct broker *b, struct btask *t)
{
	if (!t->space)
		return;
	mgc_space_destroy(t->space);
	t->space = NULL;
	mgc_port_destroy(b->kspace, t->task_port);
	/* Services whose receiver died go now, not at the next look-up, so the
	 * dead ports they pin are freed. */
	services_sweep(b);
	b->dirty = true;
}

/* The task a port-call's task argument names in the caller's space. */
static mgc_space *resolve_task(struct broker *b, struct btask *caller, uint64_t name)
{
	mach_port_name_t kn;
	mach_msg_type_name_t ty;
	mgc_space *found = NULL;

	if (name == MGW_TASK_SELF_NAME)
		return caller->space;
	/* Any other send right to a task port: copying it into the broker's space
	 * coalesces with the task port's receive right there. */
	if (mgc_port_extract_right(caller->space, (mach_port_name_t)name, MACH_MSG_TYPE_COPY_SEND,
	                           b->kspace, &kn, &ty) != KERN_SUCCESS)
		return NULL;
	for (struct btask *t = b->tasks; t; t = t->next)
		if (t->task_port == kn)
			found = t->space;
	mgc_port_deallocate(b->kspace, kn);
	return found;
}

static void port_call(struct broker *b, struct bconn *c, const struct mgw_hdr *h,
                      const unsigned char *payload, size_t plen)
{
	struct mgw_hdr r;
	mgc_space *me = c->task->space;
	mgc_space *sp = resolve_task(b, c->task, h->arg[1]);
	mach_port_name_t name = (mach_port_name_t)h->arg[2];
	mach_port_name_t out = 0;
	mach_msg_type_name_t ty = 0;
	integer_t info[64];
	mach_msg_type_number_t cnt;
	struct iovec iov;
	int iovcnt = 0;
	kern_return_t kr;

	memset(&r, 0, sizeof r);
	r.op = h->op;
	if (!sp) {
		/* Darwin's stub sends its request to the task port: a name that is
		 * no send right fails that send. */
		mach_port_type_t tt = 0;
		bool sendable = mgc_port_type(me, (mach_port_name_t)h->arg[1], &tt) == KERN_SUCCESS &&
		                (tt & MACH_PORT_TYPE_SEND);
		r.status = sendable ? KERN_INVALID_TASK : MACH_SEND_INVALID_DEST;
		broker_reply(c, &r, NULL, 0, NULL, 0);
		return;
	}
	switch (h->arg[0]) {
	case MGW_PORT_ALLOCATE:
		kr = mgc_port_allocate(sp, (mach_port_right_t)h->arg[2], &out);
		r.arg[0] = out;
		break;
	case MGW_PORT_ALLOCATE_NAME:
		kr = mgc_port_allocate_name(sp, (mach_port_right_t)h->arg[3], name);
		break;
	case MGW_PORT_DEALLOCATE:
		kr = mgc_port_deallocate(sp, name);
		break;
	case MGW_PORT_DESTROY:
		kr = mgc_port_destroy(sp, name);
		break;
	case MGW_PORT_MOD_REFS:
		kr = mgc_port_mod_refs(sp, name, (mach_port_right_t)h->arg[3],
		                       (mach_port_delta_t)(int64_t)h->arg[4]);
		break;
	case MGW_PORT_GET_REFS: {
		mach_port_urefs_t refs = 0;
		kr = mgc_port_get_refs(sp, name, (mach_port_right_t)h->arg[3], &refs);
		r.arg[0] = refs;
		break;
	}
	case MGW_PORT_TYPE: {
		mach_port_type_t t = 0;
		kr = mgc_port_type(sp, name, &t);
		/* XNU's mach_port_type hides the send-possible bits (mach_port_names
		 * does not) */
		r.arg[0] = t & ~(MACH_PORT_TYPE_SPREQUEST | MACH_PORT_TYPE_SPREQUEST_DELAYED);
		break;
	}
	case MGW_PORT_INSERT_RIGHT:
		kr = mgc_port_insert_right(sp, name, me, (mach_port_name_t)h->arg[3],
		                           (mach_msg_type_name_t)h->arg[4]);
		break;
	case MGW_PORT_EXTRACT_RIGHT:
		kr = mgc_port_extract_right(sp, name, (mach_msg_type_name_t)h->arg[3], me, &out,
		                            &ty);
		r.arg[0] = out;
		r.arg[1] = ty;
		break;
	case MGW_PORT_MOVE_MEMBER:
		kr = mgc_port_move_member(sp, name, (mach_port_name_t)h->arg[3]);
		break;
	case MGW_PORT_INSERT_MEMBER:
		kr = mgc_port_insert_member(sp, name, (mach_port_name_t)h->arg[3]);
		break;
	case MGW_PORT_EXTRACT_MEMBER:
		kr = mgc_port_extract_member(sp, name, (mach_port_name_t)h->arg[3]);
		break;
	case MGW_PORT_REQUEST_NOTIFICATION:
		kr = mgc_port_request_notification(sp, name, (mach_msg_id_t)h->arg[3],
		                                   (mach_port_mscount_t)h->arg[4], me,
		                                   (mach_port_name_t)(h->arg[5] & 0xffffffffu),
		                                   (mach_msg_type_name_t)(h->arg[5] >> 32), &out);
		r.arg[0] = out;
		break;
	case MGW_PORT_GET_ATTRIBUTES:
		cnt = (mach_msg_type_number_t)h->arg[4];
		if (cnt > 32)
			cnt = 32;
		memset(info, 0, sizeof info);
		kr = mgc_port_get_attributes(sp, name, (mach_port_flavor_t)h->arg[3], info, &cnt);
		r.arg[0] = cnt;
		if (kr == KERN_SUCCESS) {
			iov.iov_base = info;
			iov.iov_len = cnt * sizeof(integer_t);
			iovcnt = 1;
		}
		break;
	case MGW_PORT_SET_ATTRIBUTES:
		cnt = (mach_msg_type_number_t)(plen / sizeof(integer_t));
		if (cnt > 32)
			cnt = 32;
		memcpy(info, payload, cnt * sizeof(integer_t));
		kr = mgc_port_set_attributes(sp, name, (mach_port_flavor_t)h->arg[3], info, cnt);
		break;
	case MGW_PORT_CONSTRUCT: {
		mach_port_options_t opt;
		memset(&opt, 0, sizeof opt);
		memcpy(&opt, payload, plen < sizeof opt ? plen : sizeof opt);
		kr = mgc_port_construct(sp, &opt, (mach_port_context_t)h->arg[3], &out);
		r.arg[0] = out;
		break;
	}
	case MGW_PORT_DESTRUCT:
		kr = mgc_port_destruct(sp, name, (mach_port_delta_t)(int64_t)h->arg[3],
		                       (mach_port_context_t)h->arg[4]);
		break;
	case MGW_PORT_GET_CONTEXT: {
		mach_port_context_t ctx = 0;
		kr = mgc_port_get_context(sp, name, &ctx);
		r.arg[0] = ctx;
		break;
	}
	case MGW_PORT_SET_CONTEXT:
		kr = mgc_port_set_context(sp, name, (mach_port_context_t)h->arg[3]);
		break;
	case MGW_PORT_GET_SET_STATUS: {
		mach_port_name_t members[64];
		uint32_t n = 64;
		kr = mgc_port_get_set_status(sp, name, members, &n);
		r.arg[0] = n;
		if (kr == KERN_SUCCESS && n <= 64) {
			memcpy(info, members, n * sizeof members[0]);
			iov.iov_base = info;
			iov.iov_len = n * sizeof members[0];
			iovcnt = 1;
		} else if (kr == KERN_SUCCESS) {
			kr = KERN_RESOURCE_SHORTAGE; /* more members than one reply holds */
		}
		break;
	}
	case MGW_PORT_THREAD_SELF:
		/* A new user reference of a send right to the calling thread's
		 * port, coalescing with the name the task already has for it. */
		kr = KERN_SUCCESS;
		if (sp != me) {
			kr = KERN_INVALID_ARGUMENT;
			break;
		}
		if (!c->thread_port) {
			kr = mgc_port_allocate(b->kspace, MACH_PORT_RIGHT_RECEIVE, &c->thread_port);
			if (kr == KERN_SUCCESS)
				kr = mgc_port_insert_member(b->kspace, c->thread_port, b->kset);
			if (kr != KERN_SUCCESS && c->thread_port) {
				mgc_port_destroy(b->kspace, c->thread_port);
				c->thread_port = MACH_PORT_NULL;
			}
		}
		if (kr == KERN_SUCCESS)
			kr = mgc_port_extract_right(b->kspace, c->thread_port, MACH_MSG_TYPE_MAKE_SEND, me,
			                            &out, &ty);
		r.arg[0] = out;
		break;
	case MGW_PORT_NAMES: {
		/* Names and types side by side; a reply frame holds 32,000 pairs. */
		static mach_port_name_t names[32000];
		static mach_port_type_t types[32000];
		uint32_t n = 32000;
		kr = mgc_port_names(sp, names, types, &n);
		r.arg[0] = n;
		if (kr == KERN_SUCCESS && n <= 32000) {
			struct iovec v[2] = { { names, n * sizeof names[0] },
			                      { types, n * sizeof types[0] } };
			r.status = kr;
			broker_reply(c, &r, v, 2, NULL, 0);
			return;
		}
		if (kr == KERN_SUCCESS)
			kr = KERN_RESOURCE_SHORTAGE;
		break;
	}
	case MGW_PORT_GUARD:
		kr = mgc_port_guard(sp, name, (mach_port_context_t)h->arg[3], (int)h->arg[4]);
		break;
	case MGW_PORT_UNGUARD:
		kr = mgc_port_unguard(sp, name, (mach_port_context_t)h->arg[3]);
		break;
	case MGW_PORT_SET_MSCOUNT:
		kr = mgc_port_set_mscount(sp, name, (mach_port_mscount_t)h->arg[3]);
		break;
	case MGW_PORT_SET_SEQNO:
		kr = mgc_port_set_seqno(sp, name, (mach_port_seqno_t)h->arg[3]);
		break;
	case MGW_PORT_NAMES_COUNT:
		kr = KERN_SUCCESS;
		r.arg[0] = mgc_space_name_count(sp);
		break;
	default:
		kr = KERN_INVALID_ARGUMENT;
		break;
	}
	r.status = kr;
	broker_reply(c, &r, iovcnt ? &iov : NULL, iovcnt, NULL, 0);
}

/* ---- bootstrap: a flat registry of service names -> send rights ------- */

static struct bservice *service_find(struct broker *b, const char *name)
{
	for (unsigned i = 0; i < b->nservices; i++) {
		struct bservice *s = &b->services[i];
		mach_port_type_t t = 0;
		if (strcmp(s->name, name) != 0)
			continue;
		/* A registration whose port died is forgotten, as launchd does. */
		if (mgc_port_type(b->kspace, s->right, &t) != KERN_SUCCESS ||
		    !(t & MACH_PORT_TYPE_SEND)) {
			mgc_port_deallocate(b->kspace, s->right);
			*s = b->services[--b->nservices];
			return NULL;
		}
		return s;
	}
	return NULL;
}

static void services_sweep(struct broker *b)
{
	for (unsigned i = 0; i < b->nservices;) {
		struct bservice *s = &b->services[i];
		mach_port_type_t t = 0;
		if (mgc_port_type(b->kspace, s->right, &t) != KERN_SUCCESS ||
		    !(t & MACH_PORT_TYPE_SEND)) {
			mgc_port_deallocate(b->kspace, s->right);
			*s = b->services[--b->nservices];
		} else {
			i++;
		}
	}
}

static kern_return_t service_add(struct broker *b, const char *name, mach_port_name_t right)
{
	if (b->nservices == b->cap_services) {
		unsigned cap = b->cap_services ? b->cap_services * 2 : 16;
		struct bservice *n = realloc(b->services, cap * sizeof *n);
		if (!n)
			return BOOTSTRAP_NO_MEMORY;
		b->services = n;
		b->cap_services = cap;
	}
	strcpy(b->services[b->nservices].name, name);
	b->services[b->nservices++].right = right;
	return BOOTSTRAP_SUCCESS;
}

static void bootstrap_call(struct broker *b, struct bconn *c, const struct mgw_hdr *h,
                           const char *payload, size_t plen, int *drop)
{
	struct mgw_hdr r;
	char name[128];
	mgc_space *sp = c->task->space;
	mach_port_name_t port = (mach_port_name_t)h->arg[1], kn = 0, out = 0;
	mach_msg_type_name_t ty;
	struct bservice *s;
	kern_return_t kr;

	if (plen == 0 || plen >= sizeof name || memchr(payload, 0, plen) != payload + plen - 1) {
		*drop = 1;
		return;
	}
	memcpy(name, payload, plen);
	memset(&r, 0, sizeof r);
	r.op = h->op;
	s = service_find(b, name);
	switch (h->arg[0]) {
	case MGW_BOOTSTRAP_REGISTER:
		if (s) {
			kr = BOOTSTRAP_SERVICE_ACTIVE;
			break;
		}
		kr = mgc_port_extract_right(sp, port, MACH_MSG_TYPE_COPY_SEND, b->kspace, &kn, &ty);
		if (kr == KERN_SUCCESS)
			kr = service_add(b, name, kn);
		else
			kr = BOOTSTRAP_NOT_PRIVILEGED;
		break;
	case MGW_BOOTSTRAP_CHECK_IN:
		if (s) {
			kr = BOOTSTRAP_SERVICE_ACTIVE;
			break;
		}
		kr = mgc_port_allocate(sp, MACH_PORT_RIGHT_RECEIVE, &out);
		if (kr == KERN_SUCCESS) {
			kr = mgc_port_extract_right(sp, out, MACH_MSG_TYPE_MAKE_SEND, b->kspace, &kn,
			                            &ty);
			if (kr == KERN_SUCCESS)
				kr = service_add(b, name, kn);
		}
		r.arg[0] = out;
		break;
	case MGW_BOOTSTRAP_LOOK_UP:
		if (!s) {
			kr = BOOTSTRAP_UNKNOWN_SERVICE;
			break;
		}
		kr = mgc_port_extract_right(b->kspace, s->right, MACH_MSG_TYPE_COPY_SEND, sp, &out,
		                            &ty);
		r.arg[0] = out;
		break;
	default:
		*drop = 1;
		return;
	}
	r.status = kr;
	broker_reply(c, &r, NULL, 0, NULL, 0);
}

void bcore_dispatch(struct broker *b, struct bconn *c, void *frame, size_t len, int *fds,
                    unsigned nfds, int *drop)
{
	const struct mgw_hdr *h = frame;
	unsigned char *payload = (unsigned char *)frame + sizeof *h;
	size_t plen = len - sizeof *h;
	struct mgw_hdr r;

	if (h->op == MGW_OP_MSG) {
		bmsg_call(b, c, payload, plen, fds, nfds, drop);
		return;
	}
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	switch (h->op) {
	case MGW_OP_PORT:
		port_call(b, c, h, payload, plen);
		break;
	case MGW_OP_BOOTSTRAP:
		bootstrap_call(b, c, h, (const char *)payload, plen, drop);
		break;
	case MGW_OP_MSG_MANY:
		if (nfds)
			*drop = 1;
		else
			bbatch_call(b, c, h, payload, plen, drop);
		break;
	case MGW_OP_DEBUG_STATS:
	case MGW_OP_PING:
		memset(&r, 0, sizeof r);
		r.op = h->op;
		if (h->op == MGW_OP_DEBUG_STATS && h->arg[0] == 1) {
			/* the batch counters (debug.h) */
			r.arg[0] = b->many_answers;
			r.arg[1] = b->many_messages;
			r.arg[2] = b->many_sends;
		} else if (h->op == MGW_OP_DEBUG_STATS) {
			r.arg[0] = mgc_core_object_count(b->core);
			r.arg[1] = b->ntasks;
			r.arg[2] = b->nconns;
			r.arg[3] = b->ool_live;
			r.arg[4] = mgc_space_name_count(c->task->space);
			r.arg[5] = b->channel_calls;
		}
		broker_reply(c, &r, NULL, 0, NULL, 0);
		break;
	default:
		*drop = 1;
		break;
	}
}
