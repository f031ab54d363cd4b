/*
 * Compile-only: typical Darwin Mach code must build unchanged against the
 * headers (names, prototypes and macro spellings as Darwin programs use them).
 */
#include <mach/mach.h>
#include <mach/mach_error.h>
#include <servers/bootstrap.h>
#include <stdio.h>
#include <string.h>

int machgen_darwin_usage(void);

static kern_return_t look_up_service(mach_port_t *service)
{
	mach_port_t bp = MACH_PORT_NULL;
	kern_return_t kr = task_get_bootstrap_port(mach_task_self(), &bp);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = bootstrap_look_up(bp, "org.example.service", service);
	if (kr != BOOTSTRAP_SUCCESS)
		fprintf(stderr, "look up: %s\n", bootstrap_strerror(kr));
	return kr;
}

static kern_return_t make_port(mach_port_t *p)
{
	mach_port_options_t opts;

	memset(&opts, 0, sizeof(opts));
	opts.flags = MPO_INSERT_SEND_RIGHT | MPO_QLIMIT;
	opts.mpl.mpl_qlimit = MACH_PORT_QLIMIT_LARGE;
	return mach_port_construct(mach_task_self(), &opts, 0, p);
}

static mach_msg_return_t ping(mach_port_t dest)
{
	struct {
		mach_msg_header_t    header;
		mach_msg_trailer_t   trailer;
	} msg;
	mach_port_t reply = mig_get_reply_port();
	mach_msg_return_t mr;

	memset(&msg, 0, sizeof(msg));
	msg.header.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	msg.header.msgh_remote_port = dest;
	msg.header.msgh_local_port = reply;
	msg.header.msgh_size = sizeof(msg.header);
	msg.header.msgh_id = 1;
	mr = mach_msg(&msg.header, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	              msg.header.msgh_size, sizeof(msg), reply, 100, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS) {
		mach_error("ping:", mr);
		mig_dealloc_reply_port(reply);
	} else {
		mach_msg_destroy(&msg.header);
	}
	return mr;
}

static void notifications(mach_port_t watched, mach_port_t notify)
{
	mach_port_t previous = MACH_PORT_NULL;
	mach_port_status_t status;
	mach_msg_type_number_t count = MACH_PORT_RECEIVE_STATUS_COUNT;
	vm_address_t buf = 0;

	(void)mach_port_request_notification(mach_task_self(), watched, MACH_NOTIFY_DEAD_NAME, 0,
	                                     notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous);
	(void)mach_port_get_attributes(mach_task_self(), watched, MACH_PORT_RECEIVE_STATUS,
	                               (mach_port_info_t)&status, &count);
	if (vm_allocate(mach_task_self(), &buf, round_page(100), VM_FLAGS_ANYWHERE) == KERN_SUCCESS)
		(void)vm_deallocate(mach_task_self(), buf, vm_page_size);
}

int machgen_darwin_usage(void)
{
	mach_port_t service = MACH_PORT_NULL;
	mach_port_t port = MACH_PORT_NULL;

	if (look_up_service(&service) != KERN_SUCCESS || make_port(&port) != KERN_SUCCESS)
		return 1;
	notifications(service, port);
	return ping(service) == MACH_MSG_SUCCESS ? 0 : 1;
}
