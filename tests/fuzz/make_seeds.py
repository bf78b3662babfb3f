#!/usr/bin/env python3
"""Writes the seed corpora of the STUN fuzz targets into tests/fuzz/corpus/<target>/.

The RFC 5769 messages are read from tests/vectors/rfc5769.h; the rest are
built here. Signed seeds use the key of fuzz_stun_decode.c so that its
integrity checks pass and the fuzzer starts past them. Run from anywhere:
    python3 tests/fuzz/make_seeds.py
"""
import hashlib
import hmac
import os
import re
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
COOKIE = 0x2112A442
TXID = bytes(range(0x30, 0x3C))
KEY = b"tern-fuzz-key"


def rfc5769_vectors():
    """Returns {name: bytes} for each byte array in tests/vectors/rfc5769.h."""
    text = open(os.path.join(TOP, "tests", "vectors", "rfc5769.h")).read()
    out = {}
    for name, body in re.findall(r"static const uint8_t (\w+)\[\] = \{(.*?)\};", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        out[name] = bytes(int(x, 16) for x in re.findall(r"0x([0-9a-fA-F]{2})", body))
    return out


def msg_type(method, cls):
    return ((method & 0xF) | ((method & 0x70) << 1) | ((method & 0xF80) << 2)
            | ((cls & 1) << 4) | ((cls & 2) << 7))


def attr(atype, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", atype, len(value)) + value + b"\0" * pad


def header(method, cls, body_len, txid=TXID):
    return struct.pack("!HHI", msg_type(method, cls), body_len, COOKIE) + txid


def message(method, cls, attrs, sign=False):
    body = b"".join(attrs)
    if sign:
        hdr = header(method, cls, len(body) + 24)
        body += attr(0x0008, hmac.new(KEY, hdr + body, hashlib.sha1).digest())
        hdr = header(method, cls, len(body) + 28)
        body += attr(0x001C, hmac.new(KEY, hdr + body, hashlib.sha256).digest()[:24])
        hdr = header(method, cls, len(body) + 8)
        crc = zlib.crc32(hdr + body) ^ 0x5354554E
        body += attr(0x8028, struct.pack("!I", crc))
    return header(method, cls, len(body)) + body


def xor_addr(ip, port):
    if len(ip) == 4:
        x = bytes(a ^ b for a, b in zip(ip, struct.pack("!I", COOKIE)))
        return struct.pack("!BBH", 0, 1, port ^ (COOKIE >> 16)) + x
    x = bytes(a ^ b for a, b in zip(ip, struct.pack("!I", COOKIE) + TXID))
    return struct.pack("!BBH", 0, 2, port ^ (COOKIE >> 16)) + x


def plain_addr(ip, port):
    return struct.pack("!BBH", 0, 1 if len(ip) == 4 else 2, port) + ip


def every_kind():
    v4 = bytes([203, 0, 113, 7])
    v6 = bytes.fromhex("20010db8000000000000000000000001")
    return [
        attr(0x0001, plain_addr(v4, 3478)),
        attr(0x0003, struct.pack("!I", 6)),
        attr(0x0006, b"1700000000:alice"),
        attr(0x0009, bytes([0, 0, 4, 38]) + b"Stale Nonce"),
        attr(0x000A, struct.pack("!HH", 0x0030, 0x7001)),
        attr(0x000C, struct.pack("!HH", 0x4001, 0)),
        attr(0x000D, struct.pack("!I", 600)),
        attr(0x0012, xor_addr(v6, 50000)),
        attr(0x0013, b"payload"),
        attr(0x0014, b"example.org"),
        attr(0x0015, b"obMatJos2wAAAnonce-tail"),
        attr(0x0016, xor_addr(v4, 49152)),
        attr(0x0017, bytes([2, 0, 0, 0])),
        attr(0x0018, bytes([0x80])),
        attr(0x0019, bytes([17, 0, 0, 0])),
        attr(0x001A, b""),
        attr(0x001D, struct.pack("!HH", 2, 0)),
        attr(0x001E, bytes(range(32))),
        attr(0x0022, bytes(8)),
        attr(0x8001, bytes([2, 0, 4, 40]) + b"no"),
        attr(0x8002, struct.pack("!HHHH", 1, 0, 2, 0)),
        attr(0x8003, b"turn.example.org"),
        attr(0x8004, struct.pack("!HBBI", 0, 3, 4, 1400)),
        attr(0x8022, b"tern"),
        attr(0x7FFF, b"unknown-required"),
        attr(0xBFFF, b"unknown-optional"),
    ]


def stun_decode_seeds():
    vec = rfc5769_vectors()
    seeds = dict(vec)
    seeds["every_kind_signed"] = message(0x003, 0, every_kind(), sign=True)
    seeds["allocate_request"] = message(0x003, 0, [
        attr(0x0019, bytes([17, 0, 0, 0])), attr(0x000D, struct.pack("!I", 3600)),
        attr(0x0006, b"user"), attr(0x0014, b"realm"), attr(0x0015, b"nonce")], sign=True)
    seeds["data_indication"] = message(0x007, 1, [
        attr(0x0012, xor_addr(bytes([198, 51, 100, 9]), 9)), attr(0x0013, b"\x80" * 40)])
    seeds["error_420"] = message(0x003, 3, [
        attr(0x0009, bytes([0, 0, 4, 20]) + b"Unknown Attribute"),
        attr(0x000A, struct.pack("!HHH", 0x7777, 0x0030, 0x0031))])
    seeds["empty_binding"] = message(0x001, 0, [])
    good = vec["rfc5769_response_ipv4"]
    seeds["bad_truncated"] = good[:-4]
    seeds["bad_cookie"] = good[:4] + b"\x21\x12\xa4\x43" + good[8:]
    seeds["bad_length_mod4"] = good[:3] + bytes([good[3] - 2]) + good[4:-2]
    seeds["bad_attr_overflow"] = header(1, 0, 8) + struct.pack("!HH", 0x000D, 12) + b"\0" * 4
    seeds["bad_after_fingerprint"] = (good[:2] + struct.pack("!H", len(good) - 20 + 8)
                                      + good[4:] + attr(0x8022, b"late"))
    seeds["bad_leading_bits"] = b"\x40" + good[1:]
    return seeds


def channel_seeds():
    return {
        "channel_data": bytes.fromhex("40000005") + b"hello",
        "channel_padded": bytes.fromhex("40010003") + b"abc\0",
        "channel_empty": bytes.fromhex("4fff0000"),
        "channel_rfc5766": bytes.fromhex("7ffe0004") + b"data",
        "channel_truncated": bytes.fromhex("40000010") + b"short",
        "channel_not": bytes.fromhex("00010000") + struct.pack("!I", COOKIE) + TXID,
    }


def stream_frame_seeds():
    vec = rfc5769_vectors()
    chan = bytes.fromhex("40000005") + b"hello\0\0\0"
    return {
        "stun_then_channel": vec["rfc5769_request"] + chan + vec["rfc5769_response_ipv6"],
        "channel_then_partial": chan + chan + vec["rfc5769_request"][:30],
        "tls_client_hello": bytes.fromhex("160301002a0100002603030000"),
        "single_stun": vec["rfc5769_request_long_term"],
        "bad_length": vec["rfc5769_request"][:3] + b"\x5a" + vec["rfc5769_request"][4:],
    }


def write(target, seeds):
    out = os.path.join(HERE, "corpus", target)
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


def main():
    write("stun_decode", stun_decode_seeds())
    write("channel", channel_seeds())
    write("stream_frame", stream_frame_seeds())


if __name__ == "__main__":
    main()
