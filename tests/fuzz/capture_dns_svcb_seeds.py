#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""capture_dns_svcb_seeds.py OUTDIR - record real dnsmasq answers carrying
HTTPS (65) and SVCB (64) records, with and without the ech SvcParam, for the
dns_msg fuzz corpus (OUTDIR/dnsmasq-query-<name>, OUTDIR/dnsmasq-resp-<name>).

dnsmasq serves the records (--dns-rr, the rdata given here in wire form)
on 127.0.0.1 at a free port; each query is the one glibc/dig would send
(RD, EDNS0 with a 1232-byte size) and the answer is written as received.
Nothing leaves loopback. The rdata is the shape Cloudflare's and Google's
front ends publish: alpn, ipv4hint, ech (an ECHConfigList: version 0xfe0d,
an X25519 HPKE key), ipv6hint. SVCB_RECORDS is also what tests/net/dns.sh
serves.
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time


def name_wire(name):
    out = b""
    for label in name.rstrip(".").split(".") if name != "." else []:
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def param(key, value):
    return struct.pack("!HH", key, len(value)) + value


def alpn(*ids):
    return b"".join(bytes([len(i)]) + i.encode() for i in ids)


def ech_config_list(public_name):
    # ECHConfig (draft-ietf-tls-esni-18 4): version 0xfe0d, contents:
    # config_id, kem_id X25519 (0x0020), public_key, cipher_suites
    # (HKDF-SHA256 + AES-128-GCM), maximum_name_length, public_name, no
    # extensions.
    key = bytes(range(0x40, 0x60))
    contents = (bytes([0x42]) + struct.pack("!H", 0x0020) +
                struct.pack("!H", len(key)) + key +
                struct.pack("!H", 4) + struct.pack("!HH", 0x0001, 0x0001) +
                bytes([0]) + bytes([len(public_name)]) +
                public_name.encode() + struct.pack("!H", 0))
    config = struct.pack("!HH", 0xfe0d, len(contents)) + contents
    return struct.pack("!H", len(config)) + config


V4 = socket.inet_pton(socket.AF_INET, "192.0.2.1")
V6 = socket.inet_pton(socket.AF_INET6, "2001:db8::1")

# name -> (type, rdata)
SVCB_RECORDS = {
    # ServiceMode at the apex, ech among the other keys.
    "ech.test": (65, struct.pack("!H", 1) + name_wire(".") +
                 param(1, alpn("h3", "h2")) + param(4, V4) +
                 param(5, ech_config_list("cover.test")) + param(6, V6)),
    # SVCB with a target name and a port, ech last.
    "_8443._https.ech.test": (64, struct.pack("!H", 2) +
                              name_wire("svc.ech.test") +
                              param(1, alpn("h2")) +
                              param(3, struct.pack("!H", 8443)) +
                              param(5, ech_config_list("cover.test"))),
    # mandatory=alpn,ech: dropped by the proxy.
    "mand.test": (65, struct.pack("!H", 1) + name_wire(".") +
                  param(0, struct.pack("!HH", 1, 5)) +
                  param(1, alpn("h2")) +
                  param(5, ech_config_list("cover.test"))),
    # No ech: passed unchanged.
    "noech.test": (65, struct.pack("!H", 1) + name_wire(".") +
                   param(1, alpn("h2", "http/1.1")) + param(4, V4)),
    # AliasMode.
    "alias.test": (65, struct.pack("!H", 0) + name_wire("ech.test")),
    # Keys out of order (ech hidden after ipv6hint): malformed, dropped.
    "disorder.test": (65, struct.pack("!H", 1) + name_wire(".") +
                      param(6, V6) + param(5, ech_config_list("x.test"))),
}


def query(name, qtype, qid):
    opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return (struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1) +
            name_wire(name) + struct.pack("!HH", qtype, 1) + opt)


def dnsmasq_args():
    args = []
    for name, (rtype, rdata) in SVCB_RECORDS.items():
        args.append("--dns-rr=%s,%d,%s" % (name, rtype, rdata.hex()))
    return args


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--dnsmasq-args":
        print("\n".join(dnsmasq_args()))
        return 0
    out = sys.argv[1]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with tempfile.TemporaryDirectory() as tmp:
        d = subprocess.Popen(
            ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
             "--pid-file=", "--user=" + ("dnsmasq" if os.getuid() == 0
                                          else os.environ.get("USER", "")),
             "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces",
             "--listen-address=127.0.0.1", "--port=%d" % port,
             "--cname=www.ech.test,ech.test"] + dnsmasq_args(),
            stderr=open(os.path.join(tmp, "err"), "w"))
        time.sleep(0.5)
        try:
            cases = [("https_ech", "ech.test", 65),
                     ("svcb_ech_port", "_8443._https.ech.test", 64),
                     ("https_mandatory_ech", "mand.test", 65),
                     ("https_noech", "noech.test", 65),
                     ("https_alias", "alias.test", 65),
                     ("https_disorder", "disorder.test", 65),
                     ("https_cname_ech", "www.ech.test", 65)]
            for i, (tag, name, qtype) in enumerate(cases):
                q = query(name, qtype, 0x5000 + i)
                c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                c.settimeout(2)
                c.sendto(q, ("127.0.0.1", port))
                r, _ = c.recvfrom(65535)
                c.close()
                for kind, data in (("query", q), ("resp", r)):
                    with open(os.path.join(
                            out, "dnsmasq-%s-%s" % (kind, tag)), "wb") as f:
                        f.write(data)
                print(tag, len(r), "bytes")
        finally:
            d.terminate()
            d.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
