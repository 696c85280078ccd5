#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_stream_seeds.py CORPUS - hand-made edge cases for the tls_hello and
http_head fuzz corpora (the real clients' bytes come from
capture_stream_seeds.py): fragmented records, ECH, no SNI, two SNIs,
GREASE, SSLv2; HTTP absolute-form, CONNECT, pipelining, smuggling shapes."""
import os
import struct
import sys


def u16(v):
    return struct.pack("!H", v)


def ext(t, data):
    return u16(t) + u16(len(data)) + data


def sni(*names):
    lst = b"".join(b"\0" + u16(len(n)) + n for n in names)
    return ext(0, u16(len(lst)) + lst)


def hello_msg(exts):
    body = (b"\x03\x03" + bytes(range(32)) + b"\x20" + bytes(32) +
            u16(6) + b"\x13\x01\x13\x02\xc0\x2f" + b"\x01\x00")
    if exts is not None:
        body += u16(len(exts)) + exts
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def records(msg, frag=16384, ver=0x0301):
    out = b""
    for i in range(0, len(msg), frag):
        part = msg[i:i + frag]
        out += b"\x16" + u16(ver) + u16(len(part)) + part
    return out


ALPN = ext(16, u16(12) + b"\x02h2\x08http/1.1")
VERS = ext(43, b"\x04\x03\x04\x03\x03")
GREASE = ext(0x0a0a, b"") + ext(0xfafa, b"\0")

TLS = {
    "hand-sni": records(hello_msg(sni(b"pypi.org") + ALPN + VERS)),
    "hand-no-extensions": records(hello_msg(None)),
    "hand-no-sni": records(hello_msg(ALPN + VERS)),
    "hand-two-sni-one-list": records(hello_msg(sni(b"a.io", b"b.io"))),
    "hand-two-sni-extensions": records(hello_msg(sni(b"a.io") +
                                                 sni(b"b.io"))),
    "hand-grease": records(hello_msg(GREASE + sni(b"github.com") + ALPN)),
    "hand-ech-outer-sni": records(hello_msg(sni(b"public.example") +
                                            ext(0xfe0d, b"\0\0\1\0\1\x42"))),
    "hand-ech-only": records(hello_msg(ext(0xfe0d, b"\1"))),
    "hand-esni": records(hello_msg(ext(0xffce, b"") + sni(b"a.io"))),
    "hand-frag-2": records(hello_msg(sni(b"files.pythonhosted.org") + ALPN),
                           40),
    "hand-frag-1byte": records(hello_msg(sni(b"a.io")), 1),
    "hand-frag-tls12-records": records(hello_msg(sni(b"a.io") + VERS), 17,
                                       0x0303),
    "hand-ip-sni": records(hello_msg(sni(b"127.0.0.1"))),
    "hand-trailing-dot-upper": records(hello_msg(sni(b"Deb.Debian.ORG."))),
    "hand-sslv2": bytes.fromhex("802e0103010015000000100100800300800700c0"
                                "060040020080040080") + bytes(16),
    "hand-record-over-msg": b"\x16\x03\x01" + u16(200) +
    hello_msg(sni(b"a.io"))[:100],
    "hand-then-ccs": records(hello_msg(sni(b"a.io"))) +
    b"\x14\x03\x03\x00\x01\x01",
}

HTTP = {
    "hand-absolute-host-mismatch":
    b"GET http://a.io/ HTTP/1.1\r\nHost: evil.io\r\n\r\n",
    "hand-userinfo": b"GET http://a.io@evil.io/ HTTP/1.1\r\nHost: evil.io"
    b"\r\n\r\n",
    "hand-connect-v6": b"CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: "
    b"[2001:db8::1]:443\r\n\r\n",
    "hand-two-host": b"GET / HTTP/1.1\r\nHost: a.io\r\nHost: evil.io\r\n\r\n",
    "hand-obs-fold": b"GET / HTTP/1.1\r\nHost: a.io\r\nX: y\r\n z\r\n\r\n",
    "hand-space-colon": b"GET / HTTP/1.1\r\nHost : evil.io\r\nHost: a.io"
    b"\r\n\r\n",
    "hand-te-cl": b"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: 4\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "hand-pipeline": b"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: 5\r\n"
    b"\r\nhelloGET / HTTP/1.1\r\nHost: evil.io\r\n\r\n"
    b"POST /c HTTP/1.1\r\nHost: a.io\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5;x=1\r\nhello\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\nHost: b.io\r\n\r\n",
    "hand-h2-preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "hand-options-star": b"OPTIONS * HTTP/1.1\r\nHost: a.io:8080\r\n\r\n",
    "hand-http10-absolute": b"GET http://A.IO:80/x HTTP/1.0\r\n\r\n",
    "hand-leading-crlf": b"\r\nGET / HTTP/1.1\r\nHost: a.io.\r\n\r\n",
    "hand-upgrade": b"GET /ws HTTP/1.1\r\nHost: a.io\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\n\r\n",
    "hand-ssh": b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
}


def main():
    out = sys.argv[1]
    for kind, table in (("tls_hello", TLS), ("http_head", HTTP)):
        os.makedirs(os.path.join(out, kind), exist_ok=True)
        for name, data in table.items():
            with open(os.path.join(out, kind, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
