/* mig_strncpy / mig_strncpy_zerofill, NDR_record and error texts. */
#include <mach/mach.h>
#include <servers/bootstrap.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

Test(mig_strncpy, copies_and_counts_the_nul)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(mig_strncpy(buf, "abc", (int)sizeof(buf)), 4);
	cr_assert_str_eq(buf, "abc");
	cr_assert_eq(buf[4], 'x', "bytes after the NUL are left alone");
}

Test(mig_strncpy, truncates_and_always_terminates)
{
	char buf[4];

	cr_assert_eq(mig_strncpy(buf, "abcdef", 4), 4);
	cr_assert_str_eq(buf, "abc");
	cr_assert_eq(mig_strncpy(buf, "abc", 4), 4, "exact fit: 3 chars + NUL");
	cr_assert_str_eq(buf, "abc");
	cr_assert_eq(mig_strncpy(buf, "abcd", 1), 1);
	cr_assert_eq(buf[0], '\0');
}

Test(mig_strncpy, empty_and_degenerate_lengths)
{
	char buf[4] = { 'q', 'q', 'q', 'q' };

	cr_assert_eq(mig_strncpy(buf, "abc", 0), 0);
	cr_assert_eq(buf[0], 'q', "len 0 writes nothing");
	cr_assert_eq(mig_strncpy(buf, "abc", -3), 0);
	cr_assert_eq(mig_strncpy(buf, "", 4), 1);
	cr_assert_eq(buf[0], '\0');
	cr_assert_eq(mig_strncpy(buf, NULL, 4), 1, "NULL source copies the empty string");
	cr_assert_eq(buf[0], '\0');
}

Test(mig_strncpy_zerofill, pads_with_zeros_and_counts_the_nul)
{
	char buf[8];
	int i;

	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(mig_strncpy_zerofill(buf, "ab", (int)sizeof(buf)), 3);
	cr_assert_str_eq(buf, "ab");
	for (i = 2; i < 8; i++)
		cr_assert_eq(buf[i], '\0', "byte %d not zeroed", i);
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(mig_strncpy_zerofill(buf, "abcdefghij", 8), 8);
	cr_assert_str_eq(buf, "abcdefg");
	cr_assert_eq(mig_strncpy_zerofill(buf, "abc", 0), 0);
}

Test(ndr, record_is_little_endian_ascii_ieee)
{
	static const unsigned char expected[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };

	cr_assert_eq(memcmp(&NDR_record, expected, 8), 0);
	cr_assert_eq(NDR_record.int_rep, NDR_INT_LITTLE_ENDIAN);
	cr_assert_eq(NDR_record.char_rep, NDR_CHAR_ASCII);
	cr_assert_eq(NDR_record.float_rep, NDR_FLOAT_IEEE);
}

static void expect_text(mach_error_t code, const char *needle)
{
	const char *s = mach_error_string(code);

	cr_assert_not_null(s);
	cr_assert_not_null(strstr(s, needle), "0x%x -> \"%s\", expected \"%s\"", (unsigned)code,
	                   s, needle);
}

Test(mach_error_string, kernel_codes)
{
	expect_text(KERN_SUCCESS, "successful");
	expect_text(KERN_INVALID_ARGUMENT, "invalid argument");
	expect_text(KERN_INVALID_NAME, "invalid name");
	expect_text(KERN_INVALID_RIGHT, "invalid right");
	expect_text(KERN_NOT_FOUND, "not found");
}

/* Every code Darwin's Libsyscall names has its own text. */
Test(mach_error_string, every_defined_code_has_a_specific_text)
{
	static const mach_error_t codes[] = {
		KERN_INVALID_ADDRESS, KERN_PROTECTION_FAILURE, KERN_NO_SPACE, KERN_FAILURE,
		KERN_RESOURCE_SHORTAGE, KERN_NOT_RECEIVER, KERN_NO_ACCESS, KERN_MEMORY_FAILURE,
		KERN_MEMORY_ERROR, KERN_ALREADY_IN_SET, KERN_NOT_IN_SET, KERN_NAME_EXISTS,
		KERN_ABORTED, KERN_INVALID_TASK, KERN_INVALID_VALUE, KERN_UREFS_OVERFLOW,
		KERN_INVALID_CAPABILITY, KERN_RIGHT_EXISTS, KERN_INVALID_HOST, KERN_MEMORY_PRESENT,
		KERN_MEMORY_DATA_MOVED, KERN_MEMORY_RESTART_COPY, KERN_INVALID_PROCESSOR_SET,
		KERN_POLICY_LIMIT, KERN_INVALID_POLICY, KERN_INVALID_OBJECT, KERN_ALREADY_WAITING,
		KERN_DEFAULT_SET, KERN_EXCEPTION_PROTECTED, KERN_INVALID_LEDGER,
		KERN_INVALID_MEMORY_CONTROL, KERN_INVALID_SECURITY, KERN_NOT_DEPRESSED,
		KERN_TERMINATED, KERN_LOCK_SET_DESTROYED, KERN_LOCK_UNSTABLE, KERN_LOCK_OWNED,
		KERN_LOCK_OWNED_SELF, KERN_SEMAPHORE_DESTROYED, KERN_RPC_SERVER_TERMINATED,
		KERN_RPC_TERMINATE_ORPHAN, KERN_RPC_CONTINUE_ORPHAN, KERN_NOT_SUPPORTED,
		KERN_NODE_DOWN, KERN_NOT_WAITING, KERN_OPERATION_TIMED_OUT, KERN_CODESIGN_ERROR,
		KERN_POLICY_STATIC, KERN_INSUFFICIENT_BUFFER_SIZE, KERN_DENIED, KERN_MISSING_KC,
		KERN_INVALID_KC,
		MACH_SEND_IN_PROGRESS, MACH_SEND_INVALID_DATA, MACH_SEND_INVALID_DEST,
		MACH_SEND_TIMED_OUT, MACH_SEND_INVALID_VOUCHER, MACH_SEND_INTERRUPTED,
		MACH_SEND_MSG_TOO_SMALL, MACH_SEND_INVALID_REPLY, MACH_SEND_INVALID_RIGHT,
		MACH_SEND_INVALID_NOTIFY, MACH_SEND_INVALID_MEMORY, MACH_SEND_NO_BUFFER,
		MACH_SEND_TOO_LARGE, MACH_SEND_INVALID_TYPE, MACH_SEND_INVALID_HEADER,
		MACH_SEND_INVALID_TRAILER, MACH_SEND_INVALID_CONTEXT, MACH_SEND_INVALID_OPTIONS,
		MACH_SEND_INVALID_RT_OOL_SIZE, MACH_SEND_NO_GRANT_DEST,
		MACH_RCV_IN_PROGRESS, MACH_RCV_INVALID_NAME, MACH_RCV_TIMED_OUT, MACH_RCV_TOO_LARGE,
		MACH_RCV_INTERRUPTED, MACH_RCV_PORT_CHANGED, MACH_RCV_INVALID_NOTIFY,
		MACH_RCV_INVALID_DATA, MACH_RCV_PORT_DIED, MACH_RCV_IN_SET, MACH_RCV_HEADER_ERROR,
		MACH_RCV_BODY_ERROR, MACH_RCV_INVALID_TYPE, MACH_RCV_SCATTER_SMALL,
		MACH_RCV_INVALID_TRAILER,
		MIG_TYPE_ERROR, MIG_REPLY_MISMATCH, MIG_REMOTE_ERROR, MIG_BAD_ID, MIG_BAD_ARGUMENTS,
		MIG_NO_REPLY, MIG_EXCEPTION, MIG_ARRAY_TOO_LARGE, MIG_SERVER_DIED, MIG_TRAILER_ERROR,
	};
	const char *unknown = mach_error_string((mach_error_t)0x0badc0de);
	size_t i, j;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *s = mach_error_string(codes[i]);

		cr_assert_str_neq(s, unknown, "no text for 0x%x", (unsigned)codes[i]);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(s, mach_error_string(codes[j]), "0x%x and 0x%x share \"%s\"",
			                  (unsigned)codes[i], (unsigned)codes[j], s);
	}
}

Test(mach_error_string, ipc_mig_and_bootstrap_codes)
{
	expect_text(MACH_SEND_INVALID_DEST, "(ipc/send) invalid destination port");
	expect_text(MACH_RCV_TIMED_OUT, "(ipc/rcv) timed out");
	expect_text(MACH_RCV_TOO_LARGE, "(ipc/rcv) msg too large");
	expect_text(MIG_BAD_ID, "(ipc/mig)");
	expect_text(MIG_SERVER_DIED, "server died");
	/* as Libsyscall: codes its tables lack (the newer mach_msg codes, bootstrap
	 * codes, codes with resource-shortage bits) are "unknown error code" */
	expect_text(BOOTSTRAP_UNKNOWN_SERVICE, "unknown error code");
	expect_text(MACH_SEND_AUX_TOO_LARGE, "unknown error code");
	expect_text(MACH_SEND_NO_BUFFER | MACH_MSG_IPC_SPACE, "unknown error code");
	expect_text((mach_error_t)0x0badc0de, "unknown");
}

Test(mach_error_string, types_and_bootstrap_strerror)
{
	cr_assert_str_eq(mach_error_type(KERN_INVALID_NAME), "(os/kern)");
	cr_assert_str_eq(mach_error_type(MACH_SEND_TIMED_OUT), "(ipc/send)");
	cr_assert_str_eq(mach_error_type(MACH_RCV_TIMED_OUT), "(ipc/rcv)");
	cr_assert_str_eq(mach_error_type(MIG_BAD_ARGUMENTS), "(ipc/mig)");
	cr_assert_str_eq(bootstrap_strerror(BOOTSTRAP_NAME_IN_USE), "Service name already exists");
	cr_assert_str_eq(bootstrap_strerror(MACH_SEND_INVALID_DEST),
	                 mach_error_string(MACH_SEND_INVALID_DEST));
	cr_assert_str_eq(bootstrap_strerror(BOOTSTRAP_SUCCESS), "Success");
}

Test(mach_error, prints_prefix_text_and_code_on_stderr, .init = cr_redirect_stderr)
{
	mach_error("look up:", MACH_SEND_INVALID_DEST);
	fflush(stderr);
	cr_assert_stderr_eq_str("look up: (ipc/send) invalid destination port (0x10000003)\n");
}
