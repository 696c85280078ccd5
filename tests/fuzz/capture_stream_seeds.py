#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""capture_stream_seeds.py OUTDIR - record the first bytes real clients send
on a TCP stream (TLS ClientHellos, HTTP/1.x request heads) for the
tls_hello and http_head fuzz corpora and unit tests.

A listener on 127.0.0.1 accepts one connection per client run, reads until
the client has been silent for a moment (it then waits for the server's
reply, which never comes), and writes what it read to
OUTDIR/tls_hello/<name> or OUTDIR/http_head/<name>. Nothing leaves
loopback: every client is pointed at 127.0.0.1 (--resolve, servername, a
proxy setting), whatever name it puts in SNI or Host. Clients that are not
installed are skipped with a line on stderr.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

GO_TLS = r'''package main
import ("crypto/tls"; "net"; "os"; "time")
func main() {
	c, err := net.DialTimeout("tcp", os.Args[1], 3*time.Second)
	if err != nil { os.Exit(1) }
	c.SetDeadline(time.Now().Add(3 * time.Second))
	t := tls.Client(c, &tls.Config{ServerName: "proxy.golang.org",
		NextProtos: []string{"h2", "http/1.1"}})
	t.Handshake()
}
'''
GO_HTTP = r'''package main
import ("net/http"; "net/url"; "os"; "time")
func main() {
	p, _ := url.Parse("http://" + os.Args[1])
	c := &http.Client{Timeout: 3 * time.Second,
		Transport: &http.Transport{Proxy: http.ProxyURL(p)}}
	c.Get("http://proxy.golang.org/github.com/x/y/@v/list")
}
'''

PY_TLS = r'''
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
try:
    ctx.wrap_socket(s, server_hostname="github.com")
except Exception:
    pass
'''
PY_REQUESTS = r'''
import sys, requests, urllib3
urllib3.disable_warnings()
try:
    requests.get("https://localhost:%s/simple/" % sys.argv[1], verify=False,
                 timeout=3)
except Exception:
    pass
'''
PY_HTTP = r'''
import sys, requests
try:
    requests.post("http://localhost:%s/upload" % sys.argv[1],
                  data=b"x" * 10, timeout=3)
except Exception:
    pass
'''
NODE_TLS = r'''
const tls = require("tls");
const s = tls.connect({host: "127.0.0.1", port: +process.argv[1],
  servername: "registry.npmjs.org", rejectUnauthorized: false,
  ALPNProtocols: ["h2", "http/1.1"]});
s.on("error", () => {}); setTimeout(() => process.exit(0), 2500);
'''
NODE_HTTP = r'''
const http = require("http");
const r = http.get({host: "127.0.0.1", port: +process.argv[1],
  path: "/lodash", headers: {Host: "registry.npmjs.org"}});
r.on("error", () => {}); setTimeout(() => process.exit(0), 2500);
'''


def capture(cmd, port_box, listener, quiet=1.0):
    """Run cmd (a function of the port) against the listener; return the
    bytes the first connection carried."""
    got = bytearray()
    done = threading.Event()

    def serve():
        try:
            listener.settimeout(6)
            c, _ = listener.accept()
        except OSError:
            done.set()
            return
        c.settimeout(quiet)
        try:
            while len(got) < 65536:
                b = c.recv(65536)
                if not b:
                    break
                got.extend(b)
        except OSError:
            pass
        c.close()
        done.set()

    t = threading.Thread(target=serve)
    t.start()
    try:
        subprocess.run(cmd(port_box), timeout=8, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (subprocess.TimeoutExpired, OSError):
        pass
    done.wait(8)
    t.join(8)
    return bytes(got)


def main():
    out = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="cordon-seeds.")
    env = dict(os.environ, GOPATH=tmp + "/gopath", GOCACHE=tmp + "/gocache",
               GOFLAGS="-mod=mod", GOPROXY="off", HOME=tmp,
               no_proxy="", NO_PROXY="")
    os.environ.update(env)
    gotls = gohttp = None
    if shutil.which("go"):
        for name, src in (("gotls", GO_TLS), ("gohttp", GO_HTTP)):
            d = os.path.join(tmp, name)
            os.makedirs(d)
            with open(os.path.join(d, "main.go"), "w") as f:
                f.write(src)
            subprocess.run(["go", "mod", "init", name], cwd=d,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            r = subprocess.run(["go", "build", "-o", os.path.join(tmp, name)
                                + ".bin", "."], cwd=d)
            if r.returncode == 0:
                if name == "gotls":
                    gotls = os.path.join(tmp, name) + ".bin"
                else:
                    gohttp = os.path.join(tmp, name) + ".bin"
    py = sys.executable
    tls = {
        "curl-openssl": lambda p: ["curl", "-sk", "--resolve",
                                   "pypi.org:%d:127.0.0.1" % p,
                                   "https://pypi.org:%d/simple/" % p],
        "curl-tls12": lambda p: ["curl", "-sk", "--tlsv1.2", "--tls-max",
                                 "1.2", "--http1.1", "--resolve",
                                 "files.pythonhosted.org:%d:127.0.0.1" % p,
                                 "https://files.pythonhosted.org:%d/" % p],
        "openssl-s_client": lambda p: ["openssl", "s_client", "-connect",
                                       "127.0.0.1:%d" % p, "-servername",
                                       "example.com", "-alpn",
                                       "h2,http/1.1"],
        "openssl-noservername": lambda p: ["openssl", "s_client", "-connect",
                                           "127.0.0.1:%d" % p,
                                           "-noservername"],
        "openssl-tls12-sessticket": lambda p: ["openssl", "s_client",
                                               "-connect", "127.0.0.1:%d" % p,
                                               "-servername", "Deb.Debian.Org.",
                                               "-tls1_2"],
        "python-ssl": lambda p: [py, "-c", PY_TLS, str(p)],
        "python-requests": lambda p: [py, "-c", PY_REQUESTS, str(p)],
        "node-tls": lambda p: ["node", "-e", NODE_TLS, str(p)],
        "wget-gnutls": lambda p: ["wget", "-q", "-O", "/dev/null", "-t", "1",
                                  "-T", "3", "--no-check-certificate",
                                  "https://localhost:%d/" % p],
        "git-https": lambda p: ["git", "-c", "http.sslVerify=false",
                                "ls-remote", "https://localhost:%d/x.git" % p],
    }
    if gotls:
        tls["go-crypto-tls"] = lambda p: [gotls, "127.0.0.1:%d" % p]
    http = {
        "curl-get": lambda p: ["curl", "-s", "-m", "3",
                               "http://localhost:%d/simple/" % p],
        "curl-proxy-absolute": lambda p: ["curl", "-s", "-m", "3", "-x",
                                          "http://127.0.0.1:%d" % p,
                                          "http://pypi.org/simple/"],
        "curl-proxy-connect": lambda p: ["curl", "-s", "-m", "3", "-x",
                                         "http://127.0.0.1:%d" % p,
                                         "https://pypi.org/simple/"],
        "curl-post-chunked": lambda p: ["curl", "-s", "-m", "3", "-H",
                                        "Transfer-Encoding: chunked",
                                        "--data-binary", "hello",
                                        "http://localhost:%d/up" % p],
        "curl-ipv6-literal": lambda p: ["curl", "-s", "-m", "3", "-H",
                                        "Host: [::1]:%d" % p,
                                        "http://127.0.0.1:%d/" % p],
        "wget-get": lambda p: ["wget", "-q", "-O", "/dev/null", "-t", "1",
                               "-T", "3", "http://localhost:%d/" % p],
        "python-requests-post": lambda p: [py, "-c", PY_HTTP, str(p)],
        "node-http": lambda p: ["node", "-e", NODE_HTTP, str(p)],
        "git-http": lambda p: ["git", "ls-remote",
                               "http://localhost:%d/x.git" % p],
    }
    if gohttp:
        http["go-net-http-proxy"] = lambda p: [gohttp, "127.0.0.1:%d" % p]
    for kind, table in (("tls_hello", tls), ("http_head", http)):
        os.makedirs(os.path.join(out, kind), exist_ok=True)
        for name, cmd in table.items():
            if not shutil.which(cmd(1)[0]):
                print("skipped %s: not installed" % name, file=sys.stderr)
                continue
            ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind(("127.0.0.1", 0))
            ls.listen(4)
            port = ls.getsockname()[1]
            data = capture(cmd, port, ls)
            ls.close()
            if not data:
                print("no bytes from %s" % name, file=sys.stderr)
                continue
            with open(os.path.join(out, kind, "client-" + name), "wb") as f:
                f.write(data)
            print("%s/%s: %d bytes" % (kind, name, len(data)))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
