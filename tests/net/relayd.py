# SPDX-License-Identifier: MIT
# relayd.py ADDR PORT LOG - a small HTTP/1.1 origin for the relay suites
# (asyncio: thousands of kept-alive connections in one process). Each
# request is logged ("METHOD PATH host=HOST body=N"), then answered:
#   GET /big/N      N bytes (zeros), Content-Length N
#   POST|PUT PATH   the body is read (Content-Length) and counted
#   anything else   "ok PATH\n"
# Connection: close closes after the answer; otherwise the connection is
# kept for the next request.
import asyncio, socket, sys

addr, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
logf = open(log, "a", buffering=1)
ZERO = bytes(1 << 20)


async def serve(r, w):
    try:
        while True:
            head = await r.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            hdr = {}
            for ln in lines[1:]:
                if ":" in ln:
                    k, v = ln.split(":", 1)
                    hdr[k.strip().lower()] = v.strip()
            n = int(hdr.get("content-length", "0"))
            got = 0
            while got < n:
                try:
                    chunk = await r.read(min(1 << 20, n - got))
                except ConnectionError:
                    chunk = b""
                if not chunk:
                    break
                got += len(chunk)
            logf.write("%s %s host=%s body=%d\n" % (method, path, hdr.get("host"), got))
            close = hdr.get("connection", "").lower() == "close"
            if method == "GET" and path.startswith("/big/"):
                size = int(path[5:])
                w.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
                left = size
                while left:
                    k = min(left, len(ZERO))
                    w.write(ZERO[:k])
                    left -= k
                    await w.drain()
            else:
                body = b"ok %s %d\n" % (path.encode(), got)
                w.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await w.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        w.close()


async def main():
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = await asyncio.start_server(serve, addr, port, family=fam, backlog=4096)
    async with srv:
        await srv.serve_forever()

asyncio.run(main())
