/* Signals during a blocking mach_msg, as XNU: with MACH_RCV_INTERRUPT /
 * MACH_SEND_INTERRUPT the call returns MACH_RCV_INTERRUPTED /
 * MACH_SEND_INTERRUPTED (a send gives its message back), without them it
 * goes on waiting — also when the handler was installed with SA_RESTART. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

TestSuite(interrupt, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

static volatile sig_atomic_t g_handled;

static void on_usr1(int sig)
{
	(void)sig;
	g_handled++;
}

static void install_handler(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART; /* Mach traps ignore it; so must we */
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	g_handled = 0;
}

struct blocked {
	mach_port_t port;
	mach_msg_option_t extra;
	mach_msg_return_t mr;
	int32_t value;
	volatile int done;
};

static void *receive_blocked(void *arg)
{
	struct blocked *bl = arg;
	rt_simple_rcv r;
	memset(&r, 0, sizeof r);
	bl->mr = mach_msg(&r.msg.head, MACH_RCV_MSG | bl->extra, 0, sizeof r, bl->port, 0, 0);
	bl->value = r.msg.value;
	bl->done = 1;
	return NULL;
}

static mach_port_t g_moved; /* a send right the blocked send moves */

static void *send_blocked(void *arg)
{
	struct blocked *bl = arg;
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
	} m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = bl->port;
	m.head.msgh_id = 77;
	m.body.msgh_descriptor_count = 1;
	m.port.name = g_moved;
	m.port.disposition = MACH_MSG_TYPE_MOVE_SEND;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	bl->mr = mach_msg(&m.head, MACH_SEND_MSG | bl->extra, sizeof m, 0, 0, 0, 0);
	bl->value = (int32_t)m.port.name;
	bl->done = 1;
	return NULL;
}

/* Signals th every 50 ms until it is done or limit_ms passed; returns
 * whether it finished. */
static int signal_until_done(pthread_t th, struct blocked *bl, uint64_t limit_ms)
{
	uint64_t t0 = rt_now_ms();
	while (!bl->done && rt_now_ms() - t0 < limit_ms) {
		usleep(50000);
		if (!bl->done)
			pthread_kill(th, SIGUSR1);
	}
	return bl->done;
}

Test(interrupt, receive_with_rcv_interrupt_returns_rcv_interrupted)
{
	struct blocked bl = { rt_port_with_send(), MACH_RCV_INTERRUPT, 0, 0, 0 };
	pthread_t th;

	install_handler();
	cr_assert_eq(pthread_create(&th, NULL, receive_blocked, &bl), 0);
	cr_assert(signal_until_done(th, &bl, 5000), "the receive was not interrupted");
	pthread_join(th, NULL);
	cr_assert_eq(bl.mr, MACH_RCV_INTERRUPTED);
	cr_assert_geq(g_handled, 1);
	/* The port is unharmed and the thread's connection still works. */
	cr_assert_eq(rt_send(bl.port, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 1, 5, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	bl.done = 0;
	bl.extra = MACH_RCV_INTERRUPT;
	receive_blocked(&bl);
	cr_assert_eq(bl.mr, MACH_MSG_SUCCESS);
	cr_assert_eq(bl.value, 5);
}

Test(interrupt, receive_without_the_option_keeps_waiting)
{
	struct blocked bl = { rt_port_with_send(), 0, 0, 0, 0 };
	pthread_t th;

	install_handler();
	cr_assert_eq(pthread_create(&th, NULL, receive_blocked, &bl), 0);
	cr_assert_not(signal_until_done(th, &bl, 400), "returned on a signal");
	cr_assert_geq(g_handled, 1, "the signals were delivered");
	cr_assert_eq(rt_send(bl.port, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 1, 9, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	pthread_join(th, NULL);
	cr_assert_eq(bl.mr, MACH_MSG_SUCCESS);
	cr_assert_eq(bl.value, 9);
}

static mach_port_t full_port(void)
{
	mach_port_t p = rt_port_with_send();
	mach_port_limits_t lim = { 1 };
	g_moved = rt_port_with_send();
	cr_assert_eq(mach_port_set_attributes(mach_task_self(), p, MACH_PORT_LIMITS_INFO,
	                                      (mach_port_info_t)&lim, MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 1, 1, 0), MACH_MSG_SUCCESS);
	return p;
}

Test(interrupt, send_with_send_interrupt_returns_send_interrupted_and_the_message)
{
	struct blocked bl = { full_port(), MACH_SEND_INTERRUPT, 0, 0, 0 };
	mach_port_status_t st;
	mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
	pthread_t th;

	install_handler();
	cr_assert_eq(pthread_create(&th, NULL, send_blocked, &bl), 0);
	cr_assert(signal_until_done(th, &bl, 5000), "the send was not interrupted");
	pthread_join(th, NULL);
	cr_assert_eq(bl.mr & ~MACH_MSG_MASK, MACH_SEND_INTERRUPTED);
	/* As XNU, the message came back with its rights: the moved send right
	 * is the sender's again, under its old name (coalesced with the
	 * receive right). */
	cr_assert_eq((mach_port_t)bl.value, g_moved);
	{
		mach_port_urefs_t refs = 0;
		cr_assert_eq(mach_port_get_refs(mach_task_self(), g_moved, MACH_PORT_RIGHT_SEND, &refs),
		             KERN_SUCCESS);
		cr_assert_eq(refs, 1);
	}
	cr_assert_eq(mach_port_get_attributes(mach_task_self(), bl.port, MACH_PORT_RECEIVE_STATUS,
	                                      (mach_port_info_t)&st, &cnt),
	             KERN_SUCCESS);
	cr_assert_eq(st.mps_msgcount, 1, "only the first message is queued");
}

Test(interrupt, send_without_the_option_keeps_waiting)
{
	struct blocked bl = { full_port(), MACH_RCV_INTERRUPT /* not the send's */, 0, 0, 0 };
	rt_simple_rcv r;
	pthread_t th;

	install_handler();
	cr_assert_eq(pthread_create(&th, NULL, send_blocked, &bl), 0);
	cr_assert_not(signal_until_done(th, &bl, 400), "returned on a signal");
	cr_assert_eq(rt_recv(bl.port, &r, 1000, 0), MACH_MSG_SUCCESS); /* makes room */
	pthread_join(th, NULL);
	cr_assert_eq(bl.mr, MACH_MSG_SUCCESS);
	{
		struct {
			mach_msg_header_t head;
			mach_msg_body_t body;
			mach_msg_port_descriptor_t port;
			mach_msg_max_trailer_t t;
		} in;
		memset(&in, 0, sizeof in);
		cr_assert_eq(mach_msg(&in.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, bl.port,
		                      1000, 0),
		             MACH_MSG_SUCCESS);
		cr_assert_eq(in.head.msgh_id, 77);
	}
}
