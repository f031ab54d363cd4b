/* mach_port_* calls, reply ports, special ports and bootstrap: each is one
 * broker round trip. Transport failures surface as MACH_SEND_INVALID_DEST,
 * what a Darwin MIG call returns when its destination is gone. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "conn.h"

static kern_return_t port_call(enum mgw_port_call call, mach_port_name_t task, uint64_t a2,
                               uint64_t a3, uint64_t a4, uint64_t a5, const void *in,
                               size_t inlen, struct mgr_reply *r)
{
	struct mgw_hdr h;
	struct iovec iov = { (void *)in, inlen };

	memset(&h, 0, sizeof h);
	h.op = MGW_OP_PORT;
	h.arg[0] = call;
	h.arg[1] = task;
	h.arg[2] = a2;
	h.arg[3] = a3;
	h.arg[4] = a4;
	h.arg[5] = a5;
	if (mgr_call(&h, in ? &iov : NULL, in ? 1 : 0, NULL, 0, r) != 0)
		return MACH_SEND_INVALID_DEST;
	return r->hdr.status;
}

#define CALL(c, t, a2, a3, a4, a5) port_call((c), (t), (a2), (a3), (a4), (a5), NULL, 0, &r)

kern_return_t mach_port_allocate(ipc_space_t task, mach_port_right_t right,
                                 mach_port_name_t *name)
{
	struct mgr_reply r;
	kern_return_t kr = CALL(MGW_PORT_ALLOCATE, task, right, 0, 0, 0);
	if (kr == KERN_SUCCESS)
		*name = (mach_port_name_t)r.hdr.arg[0];
	return kr;
}

kern_return_t mach_port_allocate_name(ipc_space_t task, mach_port_right_t right,
                                      mach_port_name_t name)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_ALLOCATE_NAME, task, name, right, 0, 0);
}

kern_return_t mach_port_deallocate(ipc_space_t task, mach_port_name_t name)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_DEALLOCATE, task, name, 0, 0, 0);
}

kern_return_t mach_port_destroy(ipc_space_t task, mach_port_name_t name)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_DESTROY, task, name, 0, 0, 0);
}

kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name,
                                 mach_port_right_t right, mach_port_delta_t delta)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_MOD_REFS, task, name, right, (uint64_t)(int64_t)delta, 0);
}

kern_return_t mach_port_get_refs(ipc_space_t task, mach_port_name_t name,
                                 mach_port_right_t right, mach_port_urefs_t *refs)
{
	struct mgr_reply r;
	kern_return_t kr = CALL(MGW_PORT_GET_REFS, task, name, right, 0, 0);
	if (kr == KERN_SUCCESS)
		*refs = (mach_port_urefs_t)r.hdr.arg[0];
	return kr;
}

kern_return_t mach_port_type(ipc_space_t task, mach_port_name_t name, mach_port_type_t *ptype)
{
	struct mgr_reply r;
	kern_return_t kr = CALL(MGW_PORT_TYPE, task, name, 0, 0, 0);
	if (kr == KERN_SUCCESS)
		*ptype = (mach_port_type_t)r.hdr.arg[0];
	return kr;
}

kern_return_t mach_port_insert_right(ipc_space_t task, mach_port_name_t name,
                                     mach_port_t poly, mach_msg_type_name_t polyPoly)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_INSERT_RIGHT, task, name, poly, polyPoly, 0);
}

kern_return_t mach_port_extract_right(ipc_space_t task, mach_port_name_t name,
                                      mach_msg_type_name_t msgt_name, mach_port_t *poly,
                                      mach_msg_type_name_t *polyPoly)
{
	struct mgr_reply r;
	kern_return_t kr = CALL(MGW_PORT_EXTRACT_RIGHT, task, name, msgt_name, 0, 0);
	if (kr == KERN_SUCCESS) {
		*poly = (mach_port_t)r.hdr.arg[0];
		*polyPoly = (mach_msg_type_name_t)r.hdr.arg[1];
	}
	return kr;
}

kern_return_t mach_port_move_member(ipc_space_t task, mach_port_name_t member,
                                    mach_port_name_t after)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_MOVE_MEMBER, task, member, after, 0, 0);
}

kern_return_t mach_port_insert_member(ipc_space_t task, mach_port_name_t name,
                                      mach_port_name_t pset)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_INSERT_MEMBER, task, name, pset, 0, 0);
}

kern_return_t mach_port_extract_member(ipc_space_t task, mach_port_name_t name,
                                       mach_port_name_t pset)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_EXTRACT_MEMBER, task, name, pset, 0, 0);
}

kern_return_t mach_port_request_notification(ipc_space_t task, mach_port_name_t name,
                                             mach_msg_id_t msgid, mach_port_mscount_t sync,
                                             mach_port_t notify,
                                             mach_msg_type_name_t notifyPoly,
                                             mach_port_t *previous)
{
	struct mgr_reply r;
	kern_return_t kr = CALL(MGW_PORT_REQUEST_NOTIFICATION, task, name,
	                        (uint64_t)(uint32_t)msgid, sync,
	                        (uint64_t)notify | ((uint64_t)notifyPoly << 32));
	if (kr == KERN_SUCCESS && previous)
		*previous = (mach_port_t)r.hdr.arg[0];
	return kr;
}

kern_return_t mach_port_get_attributes(ipc_space_read_t task, mach_port_name_t name,
                                       mach_port_flavor_t flavor, mach_port_info_t info,
                                       mach_msg_type_number_t *count)
{
	struct mgr_reply r;
	kern_return_t kr = CALL(MGW_PORT_GET_ATTRIBUTES, task, name, (uint64_t)flavor, *count, 0);
	if (kr == KERN_SUCCESS) {
		mach_msg_type_number_t n = (mach_msg_type_number_t)r.hdr.arg[0];
		if (n > *count || n * sizeof(integer_t) > r.plen)
			return KERN_FAILURE;
		memcpy(info, r.payload, n * sizeof(integer_t));
		*count = n;
	}
	return kr;
}

kern_return_t mach_port_set_attributes(ipc_space_t task, mach_port_name_t name,
                                       mach_port_flavor_t flavor, mach_port_info_t info,
                                       mach_msg_type_number_t count)
{
	struct mgr_reply r;
	if (count > 32)
		return KERN_INVALID_ARGUMENT;
	return port_call(MGW_PORT_SET_ATTRIBUTES, task, name, (uint64_t)flavor, 0, 0, info,
	                 count * sizeof(integer_t), &r);
}

kern_return_t mach_port_construct(ipc_space_t task, mach_port_options_ptr_t options,
                                  mach_port_context_t context, mach_port_name_t *name)
{
	struct mgr_reply r;
	kern_return_t kr = port_call(MGW_PORT_CONSTRUCT, task, 0, context, 0, 0, options,
	                             sizeof *options, &r);
	if (kr == KERN_SUCCESS)
		*name = (mach_port_name_t)r.hdr.arg[0];
	return kr;
}

kern_return_t mach_port_destruct(ipc_space_t task, mach_port_name_t name,
                                 mach_port_delta_t srdelta, mach_port_context_t guard)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_DESTRUCT, task, name, (uint64_t)(int64_t)srdelta, guard, 0);
}

kern_return_t mach_port_get_context(ipc_space_read_t task, mach_port_name_t name,
                                    mach_port_context_t *context)
{
	struct mgr_reply r;
	kern_return_t kr = CALL(MGW_PORT_GET_CONTEXT, task, name, 0, 0, 0);
	if (kr == KERN_SUCCESS)
		*context = (mach_port_context_t)r.hdr.arg[0];
	return kr;
}

kern_return_t mach_port_set_context(ipc_space_t task, mach_port_name_t name,
                                    mach_port_context_t context)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_SET_CONTEXT, task, name, context, 0, 0);
}

kern_return_t mach_port_get_set_status(ipc_space_read_t task, mach_port_name_t name,
                                       mach_port_name_array_t *members,
                                       mach_msg_type_number_t *membersCnt)
{
	struct mgr_reply r;
	vm_address_t a = 0;
	kern_return_t kr = CALL(MGW_PORT_GET_SET_STATUS, task, name, 0, 0, 0);
	mach_msg_type_number_t n;

	if (kr != KERN_SUCCESS)
		return kr;
	n = (mach_msg_type_number_t)r.hdr.arg[0];
	if (n * sizeof(mach_port_name_t) > r.plen)
		return KERN_FAILURE;
	/* Out-of-line array, as MIG returns it: the caller vm_deallocates it. */
	if (n && vm_allocate(mach_task_self(), &a, n * sizeof(mach_port_name_t),
	                     VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	if (n)
		memcpy((void *)a, r.payload, n * sizeof(mach_port_name_t));
	*members = (mach_port_name_array_t)a;
	*membersCnt = n;
	return KERN_SUCCESS;
}

kern_return_t mach_port_guard(ipc_space_t task, mach_port_name_t name,
                              mach_port_context_t guard, boolean_t strict)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_GUARD, task, name, guard, (uint64_t)strict, 0);
}

kern_return_t mach_port_unguard(ipc_space_t task, mach_port_name_t name,
                                mach_port_context_t guard)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_UNGUARD, task, name, guard, 0, 0);
}

kern_return_t mach_port_set_mscount(ipc_space_t task, mach_port_name_t name,
                                    mach_port_mscount_t mscount)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_SET_MSCOUNT, task, name, mscount, 0, 0);
}

kern_return_t mach_port_set_seqno(ipc_space_t task, mach_port_name_t name,
                                  mach_port_seqno_t seqno)
{
	struct mgr_reply r;
	return CALL(MGW_PORT_SET_SEQNO, task, name, seqno, 0, 0);
}

kern_return_t mach_port_names(ipc_space_t task, mach_port_name_array_t *names,
                              mach_msg_type_number_t *namesCnt, mach_port_type_array_t *types,
                              mach_msg_type_number_t *typesCnt)
{
	struct mgr_reply r;
	vm_address_t a = 0, b = 0;
	size_t bytes;
	kern_return_t kr = CALL(MGW_PORT_NAMES, task, 0, 0, 0, 0);
	mach_msg_type_number_t n;

	if (kr != KERN_SUCCESS)
		return kr;
	n = (mach_msg_type_number_t)r.hdr.arg[0];
	bytes = n * sizeof(mach_port_name_t);
	if (2 * bytes > r.plen)
		return KERN_FAILURE;
	/* Two out-of-line arrays, as MIG returns them: the caller vm_deallocates. */
	if (n && (vm_allocate(mach_task_self(), &a, bytes, VM_FLAGS_ANYWHERE) != KERN_SUCCESS ||
	          vm_allocate(mach_task_self(), &b, bytes, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)) {
		if (a)
			vm_deallocate(mach_task_self(), a, bytes);
		return KERN_RESOURCE_SHORTAGE;
	}
	if (n) {
		memcpy((void *)a, r.payload, bytes);
		memcpy((void *)b, r.payload + bytes, bytes);
	}
	*names = (mach_port_name_array_t)a;
	*types = (mach_port_type_array_t)b;
	*namesCnt = *typesCnt = n;
	return KERN_SUCCESS;
}

/* A new send right (user reference) to the broker's host port, which every
 * task holds at a fixed name like its task port. */
mach_port_t mach_host_self(void)
{
	(void)mach_port_mod_refs(mach_task_self(), MGW_HOST_NAME, MACH_PORT_RIGHT_SEND, 1);
	return MGW_HOST_NAME;
}

/* A new send right (user reference) to the calling thread's port: a broker
 * object per client thread (its connection), destroyed when the thread
 * exits, so other holders' names become dead names as on Darwin. */
mach_port_t mach_thread_self(void)
{
	struct mgr_reply r;
	if (CALL(MGW_PORT_THREAD_SELF, mach_task_self(), 0, 0, 0, 0) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return (mach_port_t)r.hdr.arg[0];
}

kern_return_t task_set_special_port(task_t task, int which_port, mach_port_t special_port)
{
	(void)task, (void)which_port, (void)special_port;
	return KERN_NOT_SUPPORTED;
}

mach_port_name_t mach_reply_port(void)
{
	mach_port_name_t name = MACH_PORT_NULL;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &name) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return name;
}

mach_port_name_t task_self_trap(void)
{
	return mach_task_self();
}

kern_return_t task_get_special_port(task_inspect_t task, int which_port,
                                    mach_port_t *special_port)
{
	mach_msg_type_name_t ty;
	mach_port_name_t src;

	if (task != mach_task_self())
		return KERN_INVALID_ARGUMENT;
	if (which_port == TASK_BOOTSTRAP_PORT)
		src = bootstrap_port;
	else if (which_port == TASK_KERNEL_PORT)
		src = mach_task_self();
	else if (which_port == TASK_HOST_PORT)
		src = mach_host_self();
	else
		return KERN_INVALID_ARGUMENT;
	/* The caller gets a new send right (a user reference), as on Darwin. */
	return mach_port_extract_right(task, src, MACH_MSG_TYPE_COPY_SEND, special_port, &ty);
}

/* ---- bootstrap ---------------------------------------------------------- */

static kern_return_t bootstrap_call(enum mgw_bootstrap_call call, mach_port_t bp,
                                    const char *name, mach_port_t port, mach_port_t *out)
{
	struct mgw_hdr h;
	struct mgr_reply r;
	size_t n;
	struct iovec iov;

	if (!name)
		return BOOTSTRAP_UNKNOWN_SERVICE;
	n = strnlen(name, BOOTSTRAP_MAX_NAME_LEN);
	if (n == BOOTSTRAP_MAX_NAME_LEN)
		return BOOTSTRAP_BAD_COUNT;
	if (bp != bootstrap_port)
		return MACH_SEND_INVALID_DEST;
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_BOOTSTRAP;
	h.arg[0] = call;
	h.arg[1] = port;
	iov.iov_base = (void *)name;
	iov.iov_len = n + 1;
	if (mgr_call(&h, &iov, 1, NULL, 0, &r) != 0)
		return MACH_SEND_INVALID_DEST;
	if (r.hdr.status == KERN_SUCCESS && out)
		*out = (mach_port_t)r.hdr.arg[0];
	return r.hdr.status;
}

kern_return_t bootstrap_register(mach_port_t bp, char *service_name, mach_port_t sp)
{
	return bootstrap_call(MGW_BOOTSTRAP_REGISTER, bp, service_name, sp, NULL);
}

kern_return_t bootstrap_check_in(mach_port_t bp, const char *service_name, mach_port_t *sp)
{
	return bootstrap_call(MGW_BOOTSTRAP_CHECK_IN, bp, service_name, MACH_PORT_NULL, sp);
}

kern_return_t bootstrap_look_up(mach_port_t bp, const char *service_name, mach_port_t *sp)
{
	return bootstrap_call(MGW_BOOTSTRAP_LOOK_UP, bp, service_name, MACH_PORT_NULL, sp);
}
