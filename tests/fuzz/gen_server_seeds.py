#!/usr/bin/env python3
"""Seeds for the generated-server fuzzers: one valid request per routine, read off
the request structs of a generated <iface>Server.h, in fuzz_kernel.c's input layout
(routine pick, header bits, msgh_size, body, right picks, sequence number).
  gen_server_seeds.py build-fuzz/tests/fuzz/gen_hello/helloServer.h tests/fuzz/corpus/fuzz_hello
"""
import os
import re
import struct
import sys

NDR = bytes([0, 0, 0, 0, 1, 0, 0, 0])
PORT_SEND, PORT_SEND_ONCE = 17, 18


def requests(header):
    text = open(header).read()
    for m in re.finditer(r"typedef struct \{\n(.*?)\n\} __Request__(\w+)_t;", text, re.S):
        fields = re.findall(r"^\s*([\w ]+?)\s+(\w+)(?:\[(\d+)\])?;", m.group(1), re.M)
        yield m.group(2), fields


def encode(fields):
    body, complex_, picks = b"", False, b""
    cnt = {}
    for i, (ctype, name, dim) in enumerate(fields):
        nxt = fields[i + 1][1] if i + 1 < len(fields) else None
        if name == "Head":
            continue
        if ctype == "mach_msg_body_t":
            complex_ = True
            ndesc = sum(1 for f in fields if f[0].endswith("descriptor_t"))
            body += struct.pack("<I", ndesc)
        elif ctype == "mach_msg_port_descriptor_t":
            body += struct.pack("<IIHBB", 0, 0, 0, PORT_SEND, 0)
            picks += bytes([len(picks) + 1])
        elif ctype == "mach_msg_ool_descriptor_t":
            cnt[name] = 48
            body += struct.pack("<QBBBBI", 0, 1, 0, 0, 1, 48)
            picks += bytes([0x5a])
        elif ctype == "mach_msg_ool_ports_descriptor_t":
            cnt[name] = 3
            body += struct.pack("<QBBBBI", 0, 1, 0, PORT_SEND, 2, 3)
            picks += bytes([0x5a, 1, 2, 3])
        elif ctype == "NDR_record_t":
            body += NDR
        elif name.endswith("Offset"):
            body += struct.pack("<I", 0)
        elif name.endswith("Cnt"):
            arr = name[:-3]
            if nxt == arr and fields[i + 1][0] == "char":
                cnt[arr] = 5
            elif nxt == arr:
                cnt[arr] = 3
            body += struct.pack("<I", cnt.get(arr, 8))
        elif dim:
            n = int(dim)
            if ctype == "char":
                data = b"fuzz\0".ljust(n, b"\0")[: cnt.get(name, n)]
            else:
                data = b"".join(struct.pack("<i", 7 * k - 5) for k in range(cnt.get(name, n)))
            body += data + b"\0" * (-len(data) % 4)
        elif ctype in ("int64_t", "uint64_t"):
            body += struct.pack("<q", 1234567)
        else:
            body += struct.pack("<i", 3)
    return body, complex_, picks


def main():
    header, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for index, (routine, fields) in enumerate(requests(header)):
        body, complex_, picks = encode(fields)
        # remote port: a send-once right (the reply port), complex bit as needed
        bits = 2 | (8 if complex_ else 0) | (1 << 8)
        data = struct.pack("<IIH", index + 1, bits, 24 + len(body)) + body + picks
        data += struct.pack("<I", 1)
        with open(os.path.join(out, "req-" + routine), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
