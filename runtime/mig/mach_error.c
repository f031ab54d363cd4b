/* Text for Mach, mach_msg and MIG error codes: Darwin's (Libsyscall's) texts,
 * "unknown error code" where Darwin has none; bootstrap codes have theirs in
 * bootstrap_strerror only, as on Darwin. */
#include "platform.h"

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

#include <stddef.h>
#include <stdio.h>

struct error_text {
	mach_error_t code;
	const char  *text;
};

static const struct error_text kern_texts[] = {
	{ KERN_SUCCESS, "(os/kern) successful" },
	{ KERN_INVALID_ADDRESS, "(os/kern) invalid address" },
	{ KERN_PROTECTION_FAILURE, "(os/kern) protection failure" },
	{ KERN_NO_SPACE, "(os/kern) no space available" },
	{ KERN_INVALID_ARGUMENT, "(os/kern) invalid argument" },
	{ KERN_FAILURE, "(os/kern) failure" },
	{ KERN_RESOURCE_SHORTAGE, "(os/kern) resource shortage" },
	{ KERN_NOT_RECEIVER, "(os/kern) not receiver" },
	{ KERN_NO_ACCESS, "(os/kern) no access" },
	{ KERN_MEMORY_FAILURE, "(os/kern) memory failure" },
	{ KERN_MEMORY_ERROR, "(os/kern) memory error" },
	{ KERN_ALREADY_IN_SET, "(os/kern) already in set" },
	{ KERN_NOT_IN_SET, "(os/kern) not in set" },
	{ KERN_NAME_EXISTS, "(os/kern) name exists" },
	{ KERN_ABORTED, "(os/kern) aborted" },
	{ KERN_INVALID_NAME, "(os/kern) invalid name" },
	{ KERN_INVALID_TASK, "(os/kern) invalid task" },
	{ KERN_INVALID_RIGHT, "(os/kern) invalid right" },
	{ KERN_INVALID_VALUE, "(os/kern) invalid value" },
	{ KERN_UREFS_OVERFLOW, "(os/kern) urefs overflow" },
	{ KERN_INVALID_CAPABILITY, "(os/kern) invalid capability" },
	{ KERN_RIGHT_EXISTS, "(os/kern) right exists" },
	{ KERN_INVALID_HOST, "(os/kern) invalid host" },
	{ KERN_MEMORY_PRESENT, "(os/kern) memory present" },
	{ KERN_MEMORY_DATA_MOVED, "(os/kern) memory data moved" },
	{ KERN_MEMORY_RESTART_COPY, "(os/kern) memory restart copy" },
	{ KERN_INVALID_PROCESSOR_SET, "(os/kern) invalid processor set" },
	{ KERN_POLICY_LIMIT, "(os/kern) policy limit" },
	{ KERN_INVALID_POLICY, "(os/kern) invalid policy" },
	{ KERN_INVALID_OBJECT, "(os/kern) invalid object" },
	{ KERN_ALREADY_WAITING, "(os/kern) already waiting" },
	{ KERN_DEFAULT_SET, "(os/kern) default set" },
	{ KERN_EXCEPTION_PROTECTED, "(os/kern) exception protected" },
	{ KERN_INVALID_LEDGER, "(os/kern) invalid ledger" },
	{ KERN_INVALID_MEMORY_CONTROL, "(os/kern) invalid memory control" },
	{ KERN_INVALID_SECURITY, "(os/kern) invalid security" },
	{ KERN_NOT_DEPRESSED, "(os/kern) not depressed" },
	{ KERN_TERMINATED, "(os/kern) object terminated" },
	{ KERN_LOCK_SET_DESTROYED, "(os/kern) lock set destroyed" },
	{ KERN_LOCK_UNSTABLE, "(os/kern) lock unstable" },
	{ KERN_LOCK_OWNED, "(os/kern) lock owned by another" },
	{ KERN_LOCK_OWNED_SELF, "(os/kern) lock owned by self" },
	{ KERN_SEMAPHORE_DESTROYED, "(os/kern) semaphore destroyed" },
	{ KERN_RPC_SERVER_TERMINATED, "(os/kern) RPC terminated" },
	{ KERN_RPC_TERMINATE_ORPHAN, "(os/kern) terminate orphan" },
	{ KERN_RPC_CONTINUE_ORPHAN, "(os/kern) let orphan continue" },
	{ KERN_NOT_SUPPORTED, "(os/kern) service not supported" },
	{ KERN_NODE_DOWN, "(os/kern) remote node down" },
	{ KERN_NOT_WAITING, "(os/kern) thread not waiting" },
	{ KERN_OPERATION_TIMED_OUT, "(os/kern) operation timed out" },
	{ KERN_CODESIGN_ERROR, "(os/kern) code signing error" },
	{ KERN_POLICY_STATIC, "(os/kern) policy is static" },
	{ KERN_INSUFFICIENT_BUFFER_SIZE, "(os/kern) insufficient input buffer size" },
	{ KERN_DENIED, "(os/kern) denied by security policy" },
	{ KERN_MISSING_KC, "(os/kern) missing kernel collection" },
	{ KERN_INVALID_KC, "(os/kern) invalid kernel collection" },
	{ KERN_NOT_FOUND, "(os/kern) result not found" },
};

static const struct error_text ipc_texts[] = {
	{ MACH_SEND_IN_PROGRESS, "(ipc/send) send in progress" },
	{ MACH_SEND_INVALID_DATA, "(ipc/send) invalid data" },
	{ MACH_SEND_INVALID_DEST, "(ipc/send) invalid destination port" },
	{ MACH_SEND_TIMED_OUT, "(ipc/send) timed out" },
	{ MACH_SEND_INVALID_VOUCHER, "(ipc/send) invalid voucher" },
	{ MACH_SEND_INTERRUPTED, "(ipc/send) interrupted" },
	{ MACH_SEND_MSG_TOO_SMALL, "(ipc/send) msg too small" },
	{ MACH_SEND_INVALID_REPLY, "(ipc/send) invalid reply port" },
	{ MACH_SEND_INVALID_RIGHT, "(ipc/send) invalid port right" },
	{ MACH_SEND_INVALID_NOTIFY, "(ipc/send) invalid notify port" },
	{ MACH_SEND_INVALID_MEMORY, "(ipc/send) invalid memory" },
	{ MACH_SEND_NO_BUFFER, "(ipc/send) no msg buffer" },
	{ MACH_SEND_TOO_LARGE, "(ipc/send) msg too large" },
	{ MACH_SEND_INVALID_TYPE, "(ipc/send) invalid msg-type" },
	{ MACH_SEND_INVALID_HEADER, "(ipc/send) invalid msg-header" },
	{ MACH_SEND_INVALID_TRAILER, "(ipc/send) invalid msg-trailer" },
	{ MACH_SEND_INVALID_CONTEXT, "(ipc/send) invalid context for reply" },
	{ MACH_SEND_INVALID_OPTIONS, "(ipc/send) unused error" },
	{ MACH_SEND_INVALID_RT_OOL_SIZE, "(ipc/send) out-of-line buffer too large" },
	{ MACH_SEND_NO_GRANT_DEST, "(ipc/send) destination does not accept OOL ports" },
	{ MACH_RCV_IN_PROGRESS, "(ipc/rcv) receive in progress" },
	{ MACH_RCV_INVALID_NAME, "(ipc/rcv) invalid name" },
	{ MACH_RCV_TIMED_OUT, "(ipc/rcv) timed out" },
	{ MACH_RCV_TOO_LARGE, "(ipc/rcv) msg too large" },
	{ MACH_RCV_INTERRUPTED, "(ipc/rcv) interrupted" },
	{ MACH_RCV_PORT_CHANGED, "(ipc/rcv) port changed" },
	{ MACH_RCV_INVALID_NOTIFY, "(ipc/rcv) invalid notify port" },
	{ MACH_RCV_INVALID_DATA, "(ipc/rcv) invalid data" },
	{ MACH_RCV_PORT_DIED, "(ipc/rcv) port died" },
	{ MACH_RCV_IN_SET, "(ipc/rcv) port in set" },
	{ MACH_RCV_HEADER_ERROR, "(ipc/rcv) header error" },
	{ MACH_RCV_BODY_ERROR, "(ipc/rcv) body error" },
	{ MACH_RCV_INVALID_TYPE, "(ipc/rcv) invalid scatter list entry" },
	{ MACH_RCV_SCATTER_SMALL, "(ipc/rcv) overwrite region too small" },
	{ MACH_RCV_INVALID_TRAILER, "(ipc/rcv) invalid msg-trailer" },
	{ MACH_PEEK_IN_PROGRESS, "(ipc/mig) wrong reply message ID" },
	{ MACH_PEEK_READY, "(ipc/mig) server detected error" },
};

static const struct error_text mig_texts[] = {
	{ MIG_TYPE_ERROR, "(ipc/mig) client type check failure" },
	{ MIG_REPLY_MISMATCH, "(ipc/mig) wrong reply message ID" },
	{ MIG_REMOTE_ERROR, "(ipc/mig) server detected error" },
	{ MIG_BAD_ID, "(ipc/mig) bad request message ID" },
	{ MIG_BAD_ARGUMENTS, "(ipc/mig) server type check failure" },
	{ MIG_NO_REPLY, "(ipc/mig) no reply should be sent" },
	{ MIG_EXCEPTION, "(ipc/mig) server raised exception" },
	{ MIG_ARRAY_TOO_LARGE, "(ipc/mig) array not large enough" },
	{ MIG_SERVER_DIED, "(ipc/mig) server died" },
	{ MIG_TRAILER_ERROR, "(ipc/mig) unknown trailer format" },
};

static const struct error_text bootstrap_texts[] = {
	{ BOOTSTRAP_SUCCESS, "Success" },
	{ BOOTSTRAP_NOT_PRIVILEGED, "Permission denied" },
	{ BOOTSTRAP_NAME_IN_USE, "Service name already exists" },
	{ BOOTSTRAP_UNKNOWN_SERVICE, "Unknown service name" },
	{ BOOTSTRAP_SERVICE_ACTIVE, "Service is already active" },
	{ BOOTSTRAP_BAD_COUNT, "Too many lookups were requested in one request" },
	{ BOOTSTRAP_NO_MEMORY, "Out of memory" },
	{ BOOTSTRAP_NO_CHILDREN, "No child bootstrap exists" },
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *find_text(const struct error_text *table, size_t n, mach_error_t code)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (table[i].code == code)
			return table[i].text;
	}
	return NULL;
}

static int is_mig_code(mach_error_t e)
{
	return e <= MIG_TYPE_ERROR && e >= MIG_TRAILER_ERROR;
}

static int is_bootstrap_code(mach_error_t e)
{
	return e >= BOOTSTRAP_NOT_PRIVILEGED && e <= BOOTSTRAP_NO_CHILDREN;
}

char *mach_error_string(mach_error_t error_value)
{
	const char *text = NULL;

	if (is_mig_code(error_value))
		text = find_text(mig_texts, COUNT_OF(mig_texts), error_value);
	else if (err_get_system(error_value) == err_get_system(err_mach_ipc))
		text = find_text(ipc_texts, COUNT_OF(ipc_texts), error_value);
	else if (error_value >= 0 && error_value < KERN_RETURN_MAX)
		text = find_text(kern_texts, COUNT_OF(kern_texts), error_value);
	return (char *)(text != NULL ? text : "unknown error code");
}

char *mach_error_type(mach_error_t error_value)
{
	const char *type;

	if (is_mig_code(error_value)) {
		type = "(ipc/mig)";
	} else if (is_bootstrap_code(error_value)) {
		type = "(bootstrap)";
	} else {
		switch (err_get_system(error_value)) {
		case err_get_system(err_kern):
			type = "(os/kern)";
			break;
		case err_get_system(err_mach_ipc):
			type = err_get_sub(error_value) == 0 ? "(ipc/send)"
			     : err_get_sub(error_value) == 1 ? "(ipc/rcv)" : "(ipc/?)";
			break;
		case err_get_system(err_us):
			type = "(user/?)";
			break;
		case err_get_system(err_server):
			type = "(server/?)";
			break;
		case err_get_system(err_vm):
			type = "(vm/?)";
			break;
		default:
			type = "(unknown/unknown)";
			break;
		}
	}
	return (char *)type;
}

void mach_error(const char *str, mach_error_t error_value)
{
	fprintf(stderr, "%s %s (0x%x)\n", str != NULL ? str : "",
	        mach_error_string(error_value), (unsigned int)error_value);
}

const char *bootstrap_strerror(kern_return_t r)
{
	const char *text = NULL;

	if (r == BOOTSTRAP_SUCCESS || is_bootstrap_code(r))
		text = find_text(bootstrap_texts, COUNT_OF(bootstrap_texts), r);
	return text != NULL ? text : mach_error_string(r);
}

#endif
