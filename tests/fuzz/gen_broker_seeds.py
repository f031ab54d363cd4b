#!/usr/bin/env python3
"""Writes structure-aware seeds for fuzz_broker into corpus/fuzz_broker: short client
sessions (port calls, bootstrap, messages with ports and OOL memory, parked receives)
in the fuzz input format of fuzz_broker.c: u8 selector, u16 length, frame."""
import os
import struct

OP_PORT, OP_MSG, OP_BOOTSTRAP, OP_STATS, OP_PING, OP_MSG_MANY = 2, 3, 4, 5, 6, 8
ALLOCATE, DEALLOCATE, DESTROY, MOD_REFS, GET_REFS, TYPE, INSERT_RIGHT = 1, 2, 3, 4, 5, 6, 7
INSERT_MEMBER, ALLOCATE_NAME, NAMES = 10, 17, 26
SELF, BOOTSTRAP = 0x103, 0x207
RIGHT_RECEIVE, RIGHT_PORT_SET = 1, 3
COPY_SEND, MAKE_SEND, MAKE_SEND_ONCE, MOVE_RECEIVE = 19, 20, 21, 16
SEND, RCV, RCV_TIMEOUT, SEND_TIMEOUT = 1, 2, 0x100, 0x10
PORT_DESC, OOL_DESC, OOL_PORTS_DESC = 0, 1, 2


def hdr(op, *args, status=0):
    a = list(args) + [0] * (6 - len(args))
    return struct.pack("<Ii6Q", op, status, *a)


def frame(conn, body, nfds=0):
    return struct.pack("<BH", conn | (nfds << 1), len(body)) + body


def port(conn, call, *args):
    return frame(conn, hdr(OP_PORT, call, SELF, *args))


def boot(conn, call, name, port_name=0):
    return frame(conn, hdr(OP_BOOTSTRAP, call, port_name) + name + b"\0")


def message(remote, remote_disp, local=0, local_disp=0, msg_id=100, descs=(), inline=b""):
    body = b""
    complex_bit = 0
    if descs:
        complex_bit = 0x80000000
        body += struct.pack("<I", len(descs))
        for d in descs:
            body += d
    body += inline
    bits = remote_disp | (local_disp << 8) | complex_bit
    return struct.pack("<IIIIIi", bits, 24 + len(body), remote, local, 0, msg_id) + body


def port_desc(name, disp):
    return struct.pack("<IIHBB", name, 0, 0, disp, PORT_DESC)


def ool_desc(size, kind=OOL_DESC):
    return struct.pack("<QBBBBI", 0x1000 if size else 0, 1, 0, 0, kind, size)


def msg_call(conn, option, msg=b"", rcv_size=0, rcv_name=0, timeout=0, ools=(), nfds=0):
    """ools: (kind, size, data) per OOL/OOL_PORTS descriptor; kind 1 inline, 2 memfd."""
    table = b"".join(struct.pack("<IIQ", k, 0, s) for k, s, _ in ools)
    blobs = b""
    for k, s, data in ools:
        if k == 1:
            blobs += data + b"\0" * ((-len(data)) % 8)
    m = struct.pack("<8I", option, len(msg), rcv_size, rcv_name, timeout, 0, len(msg), len(ools))
    payload = m + msg + b"\0" * ((-len(msg)) % 8) + table + blobs
    return frame(conn, hdr(OP_MSG) + payload, nfds)


def many_call(conn, max_msgs, sends, rcv_option, rcv_size, rcv_name, timeout=0):
    """MGW_OP_MSG_MANY: simple messages sent in order, then a receive of up to max_msgs."""
    payload = b""
    for msg in sends:
        payload += struct.pack("<8I", SEND, len(msg), 0, 0, 0, 0, len(msg), 0)
        payload += msg + b"\0" * ((-len(msg)) % 8)
    payload += struct.pack("<8I", rcv_option, 0, rcv_size, rcv_name, timeout, 0, 0, 0)
    return frame(conn, hdr(OP_MSG_MANY, max_msgs, len(sends)) + payload)


P = 0x1003  # a name the client picks with allocate_name
seeds = {
    "ping": frame(0, hdr(OP_PING)) + frame(1, hdr(OP_STATS)),
    "port-lifecycle": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        port(0, INSERT_RIGHT, P, P, MAKE_SEND) + port(0, GET_REFS, P, 0) +
        port(0, MOD_REFS, P, 0, 1) + port(0, TYPE, P) + port(0, NAMES) +
        port(0, DEALLOCATE, P) + port(0, DESTROY, P) + port(0, ALLOCATE, RIGHT_PORT_SET),
    "port-set": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        port(0, ALLOCATE_NAME, 0x2003, RIGHT_PORT_SET) + port(0, INSERT_MEMBER, P, 0x2003),
    "bootstrap": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        port(0, INSERT_RIGHT, P, P, MAKE_SEND) + boot(0, 1, b"org.machgen.fuzz", P) +
        boot(1, 3, b"org.machgen.fuzz") + boot(1, 2, b"org.machgen.other") +
        boot(0, 3, b"org.machgen.other"),
    "send-receive": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        msg_call(0, SEND, message(P, MAKE_SEND, inline=b"hello world!")) +
        msg_call(0, RCV, rcv_size=4096, rcv_name=P),
    "send-ool-inline": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        msg_call(0, SEND, message(P, MAKE_SEND, descs=[ool_desc(40)]),
                 ools=[(1, 40, bytes(range(40)))]) +
        msg_call(0, RCV, rcv_size=4096, rcv_name=P),
    "send-ool-memfd": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        msg_call(0, SEND, message(P, MAKE_SEND, descs=[ool_desc(4096)]),
                 ools=[(2, 4096, b"")], nfds=1) +
        msg_call(0, RCV, rcv_size=4096, rcv_name=P),
    "send-ports": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        port(0, ALLOCATE_NAME, 0x2003, RIGHT_RECEIVE) +
        msg_call(0, SEND, message(P, MAKE_SEND, local=0x2003, local_disp=MAKE_SEND_ONCE,
                                  descs=[port_desc(0x2003, MAKE_SEND),
                                         port_desc(0x2003, MOVE_RECEIVE)])) +
        msg_call(0, RCV, rcv_size=4096, rcv_name=P),
    "send-ool-ports": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        msg_call(0, SEND, message(P, MAKE_SEND, descs=[ool_desc(8, OOL_PORTS_DESC)]),
                 ools=[(1, 8, struct.pack("<II", P, SELF))]) +
        msg_call(0, RCV, rcv_size=4096, rcv_name=P),
    "rpc-across-tasks": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        port(0, INSERT_RIGHT, P, P, MAKE_SEND) + boot(0, 1, b"svc", P) +
        boot(1, 3, b"svc") +
        msg_call(0, RCV | RCV_TIMEOUT, rcv_size=4096, rcv_name=P, timeout=1000) +
        msg_call(1, SEND, message(0x403, COPY_SEND, inline=b"req!")),
    "parked-receive": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        msg_call(0, RCV | RCV_TIMEOUT, rcv_size=4096, rcv_name=P, timeout=5) +
        frame(0, hdr(OP_PING)),
    "batch-send-receive": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        many_call(0, 8, [message(P, MAKE_SEND, msg_id=i, inline=b"abcd") for i in range(3)],
                  RCV, 4096, P) +
        frame(0, hdr(OP_STATS, 1)),
    "batch-parked-across-tasks": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        port(0, INSERT_RIGHT, P, P, MAKE_SEND) + boot(0, 1, b"svc", P) +
        boot(1, 3, b"svc") +
        many_call(0, 64, [], RCV | RCV_TIMEOUT, 256, P, timeout=1000) +
        msg_call(1, SEND, message(0x403, COPY_SEND, inline=b"one!")) +
        msg_call(1, SEND, message(0x403, COPY_SEND, inline=b"two!")),
    "batch-full-queue": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        port(0, INSERT_RIGHT, P, P, MAKE_SEND) + boot(0, 1, b"svc", P) +
        many_call(0, 8, [message(P, COPY_SEND, msg_id=i) for i in range(7)], RCV, 4096, P) +
        boot(1, 3, b"svc") + msg_call(1, SEND | SEND_TIMEOUT, message(0x403, COPY_SEND),
                                      timeout=0),
    "batch-send-error": port(0, ALLOCATE_NAME, P, RIGHT_RECEIVE) +
        many_call(0, 4, [message(0x7777, COPY_SEND), message(P, MAKE_SEND)], RCV, 4096, P),
    "send-to-kernel": msg_call(0, SEND | RCV, message(SELF, COPY_SEND, 0x3003, MAKE_SEND_ONCE),
                               rcv_size=4096, rcv_name=0x3003),
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_broker")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, "seed-" + name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}")
