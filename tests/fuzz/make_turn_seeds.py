#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_turn_handle.c into tests/fuzz/corpus/turn_handle/.

Each seed is a sequence of operations in the input format described at the
top of fuzz_turn_handle.c. Signed requests carry only their method and own
attributes: the harness adds the credentials, nonce and integrity. IPv4
XOR addresses depend on the magic cookie only, so they are written here.
Run from anywhere:
    python3 tests/fuzz/make_turn_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
COOKIE = 0x2112A442
TXID = bytes(range(0x40, 0x4C))

ADVANCE, STUN, CHANNEL, PEER, EXPIRE, CLOSED, SIGNED = range(7)
TCP = 0x10


def attr(kind, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack(">HH", kind, len(value)) + value + b"\0" * pad


def xor_v4(ip, port):
    octets = bytes(int(x) for x in ip.split("."))
    addr = bytes(a ^ b for a, b in zip(octets, struct.pack(">I", COOKIE)))
    return struct.pack(">BBH", 0, 1, port ^ (COOKIE >> 16)) + addr


def u8(v):
    return struct.pack(">B", v) + b"\0\0\0"


def u16(v):
    return struct.pack(">H", v) + b"\0\0"


def u32(v):
    return struct.pack(">I", v)


def message(msg_type, attrs):
    body = b"".join(attrs)
    return struct.pack(">HHI", msg_type, len(body), COOKIE) + TXID + body


def op_body(kind, body, who=0):
    return struct.pack(">BH", kind | who, len(body)) + body


def signed(method, attrs, who=0, md5=False):
    word = method | (0x8000 if md5 else 0)
    return op_body(SIGNED, struct.pack(">H", word) + b"".join(attrs), who)


def peer(relay, peer_idx, payload):
    return struct.pack(">BBBH", PEER, relay, peer_idx, len(payload)) + payload


TRANSPORT = attr(0x0019, u8(17))
PEER_A = attr(0x0012, xor_v4("198.51.100.7", 4000))

SEEDS = {
    "allocate-permission-send": bytes([0])
    + op_body(STUN, message(0x0003, [TRANSPORT]))
    + signed(0x003, [TRANSPORT])
    + signed(0x008, [PEER_A])
    + op_body(STUN, message(0x0016, [PEER_A, attr(0x0013, b"hello")]))
    + peer(0, 0, b"from the peer"),
    "channel-bind-data": bytes([0])
    + signed(0x003, [TRANSPORT, attr(0x0018, b"\x80")])
    + signed(0x009, [attr(0x000C, u16(0x4000)), PEER_A])
    + op_body(CHANNEL, struct.pack(">HH", 0x4000, 4) + b"data")
    + peer(0, 0, b"reply")
    + bytes([ADVANCE]) + struct.pack(">H", 6000)
    + bytes([EXPIRE]),
    "refresh-zero": bytes([0])
    + signed(0x003, [TRANSPORT, attr(0x000D, u32(1200))], md5=True)
    + signed(0x004, [attr(0x000D, u32(0))], md5=True)
    + signed(0x004, [attr(0x000D, u32(0))], md5=True),
    "tcp-dual-closed": bytes([6])
    + signed(0x003, [TRANSPORT, attr(0x8000, u8(2))], who=TCP)
    + signed(0x008, [attr(0x0012, xor_v4("198.51.100.8", 5000))], who=TCP)
    + peer(0, 1, b"x" * 40)
    + bytes([CLOSED]),
    "binding-and-unknown": bytes([1])
    + op_body(STUN, message(0x0001, []))
    + op_body(STUN, message(0x0001, [attr(0x7F00, b"zz")]))
    + signed(0x003, [TRANSPORT, attr(0x7F00, b"zz")]),
}


def main():
    out = os.path.join(HERE, "corpus", "turn_handle")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
