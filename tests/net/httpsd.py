# SPDX-License-Identifier: MIT
"""httpsd.py ADDR PORT ROOT CERT|- KEY|- LOG - the relay tests' web server
(tests/net/webhost.sh): python's threaded http.server on ADDR:PORT serving
ROOT, TLS with CERT and KEY unless they are '-'. One line per request in
LOG: the request line and the Host header. The TLS handshake runs in the
request's thread, so a client that never finishes one stalls only itself."""
import functools, http.server, socket, socketserver, ssl, sys

addr, port, root, cert, key, log = sys.argv[1:7]
port = int(port)


class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *a):
        with open(log, "a") as f:
            f.write("%s host=%s\n" % (self.requestline, self.headers.get("Host")))


class S(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = addr, port


srv = S((addr, port), functools.partial(H, directory=root))
if cert != "-":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                 do_handshake_on_connect=False)
srv.serve_forever()
