# SPDX-License-Identifier: MIT
# relay_conns.py N NAME PORT DIR [TIMEOUT_S] - inside the job: resolve NAME
# once (the address is pinned through cordon's DNS proxy), open N TCP
# connections to it at once, one HTTP request each, and keep them all
# open; write "OPEN PPID" to DIR/held once every connection has its first
# answer or failed, wait for DIR/go (the test measures the supervisor
# meanwhile), then send a second request on every connection still open.
# Each connection's answers must name its own request (no bytes of another
# connection). Prints "ok=K reset=R hang=H err=E [errnames]".
import asyncio, errno, os, socket, sys, time

n, name, port, d = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
tmo = float(sys.argv[5]) if len(sys.argv) > 5 else 20.0
addr = socket.getaddrinfo(name, port, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
opened = 0
done_first = 0
errs = {}


async def ask(r, w, path):
    w.write(b"GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, name.encode()))
    await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    ln = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")][0].split(b":")[1])
    body = await r.readexactly(ln)
    return body.split(b" ")[1] == path


async def one(i, go):
    global opened, done_first
    w = None
    try:
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(addr, port), tmo)
            ok = await asyncio.wait_for(ask(r, w, b"/a%d" % i), tmo)
            opened += 1
        finally:
            done_first += 1
        await go.wait()
        ok = ok and await asyncio.wait_for(ask(r, w, b"/b%d" % i), tmo)
        return "ok" if ok else "mixed"
    except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError):
        return "reset"
    except asyncio.TimeoutError:
        return "hang"
    except OSError as e:
        errs[errno.errorcode.get(e.errno, str(e.errno))] = 1
        return "err"
    finally:
        if w:
            w.close()


async def main():
    go = asyncio.Event()
    tasks = [asyncio.ensure_future(one(i, go)) for i in range(n)]
    while done_first < n:
        await asyncio.sleep(0.05)
    with open(os.path.join(d, "held.tmp"), "w") as f:
        f.write("%d %d\n" % (opened, os.getppid()))
    os.rename(os.path.join(d, "held.tmp"), os.path.join(d, "held"))
    end = time.time() + 60
    while not os.path.exists(os.path.join(d, "go")) and time.time() < end:
        await asyncio.sleep(0.05)
    go.set()
    res = await asyncio.gather(*tasks)
    c = {k: res.count(k) for k in ("ok", "reset", "hang", "err", "mixed")}
    print("ok=%d reset=%d hang=%d err=%d mixed=%d %s" % (c["ok"], c["reset"], c["hang"], c["err"], c["mixed"], ",".join(sorted(errs))))

asyncio.run(main())
