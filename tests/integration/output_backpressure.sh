#!/bin/bash
# SPDX-License-Identifier: MIT
# output_backpressure.sh BUILD_DIR - under a log limit cordon forwards the
# job's stdout/stderr (sentry/output.c); a slow or stopped reader of cordon's
# own stdout must hold back the job alone (its pipe fills, it blocks in its
# write as natively), never the supervisor: mediated calls still complete,
# a wall limit still fires on time, nothing is lost while the reader lives,
# and the end of the run waits a bounded time, counting what it could not
# write (report: output_bytes_lost).
. "$(dirname "$0")/../lib/testlib.sh"
t_init "$1"
W=$T_DIR/work
PY=/usr/bin/python3
mkdir -p "$W"
chmod 777 "$W"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- (1) every byte through a reader that sleeps first ----------------------
as_user timeout 30 "$CORDON" run -q -- head -c 10000000 /dev/zero |
	(sleep 2; wc -c) >"$T_DIR/n"
n=$(cat "$T_DIR/n")
t_check "slow-reader-all-10MB ($n)" '[ "$n" -eq 10000000 ]'

# --- (1b) a wall limit fires while the reader is asleep ---------------------
# The job floods stdout; the reader sleeps 8 s. A loop blocked in write()
# would fire the 1 s wall only once the reader woke (>= 8 s).
t0=$(now_ms)
(
	as_user timeout 60 "$CORDON" run -q --limit wall=1s \
		--report-json "$W/wall.json" -- sh -c 'yes' 2>"$T_DIR/wall.err"
	echo "$? $(($(now_ms) - t0))" >"$T_DIR/wall"
) | (sleep 8; cat >/dev/null)
read -r st ms <"$T_DIR/wall"
t_check "stopped-reader-wall-fires-124 ($st)" '[ "$st" = 124 ]'
# 1 s wall + at most 2 s for the last bytes (OUTPUT_DRAIN_MS) + slack.
t_check "stopped-reader-wall-on-time ($ms ms)" '[ "$ms" -lt 5500 ]'
t_check "stopped-reader-lost-counted" "$PY -c \"
import json
r = json.load(open('$W/wall.json'))
assert r['output_bytes_lost'] > 0, r['output_bytes_lost']
\""

# --- (2) mediated calls of another thread go on while the reader sleeps -----
cat >"$W/conn.py" <<'PYEOF'
import os, socket, sys, threading, time
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(128)
port = srv.getsockname()[1]
def flood():
    b = b"x" * 65536
    while True:
        os.write(1, b)
threading.Thread(target=flood, daemon=True).start()
time.sleep(0.5)  # the flood fills cordon's stdout by now
t0 = time.monotonic()
for i in range(100):
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = srv.accept()
    c.close()
    a.close()
sys.stderr.write("%d\n" % int((time.monotonic() - t0) * 1000))
sys.stderr.flush()
os._exit(0)
PYEOF
as_user timeout 60 "$CORDON" run -q -- $PY "$W/conn.py" 2>"$T_DIR/conn" |
	(sleep 6; cat >/dev/null)
ms=$(grep -E "^[0-9]+$" "$T_DIR/conn" | tail -n 1)
t_check "stopped-reader-connects-go-on ($ms ms)" \
	'[ -n "$ms" ] && [ "$ms" -lt 3000 ]'

# --- (3) a fast reader: order and bytes as native ----------------------------
job='seq 1 300000; seq 1 5000 >&2; seq 300001 400000'
as_user "$CORDON" run -q --report-json "$W/fast.json" -- sh -c "$job" \
	>"$T_DIR/out" 2>"$T_DIR/err"
as_user sh -c "$job" >"$T_DIR/nout" 2>"$T_DIR/nerr"
t_check "fast-reader-stdout-as-native" 'cmp -s "$T_DIR/out" "$T_DIR/nout"'
t_check "fast-reader-stderr-as-native" 'cmp -s "$T_DIR/err" "$T_DIR/nerr"'
t_check "fast-reader-nothing-lost" "$PY -c \"
import json
assert json.load(open('$W/fast.json'))['output_bytes_lost'] == 0
\""

# --- (4) the log cap still cuts at the limit, marker on stderr ---------------
as_user timeout 30 "$CORDON" run --limit log=1M -- sh -c 'yes | head -c 100M' \
	2>"$T_DIR/err" | (sleep 1; wc -c) >"$T_DIR/n"
n=$(cat "$T_DIR/n")
t_check "cap-cuts-at-1M ($n)" '[ "$n" -eq 1048576 ]'
t_check "cap-marker" 'grep -q "log limit reached" "$T_DIR/err"'

t_done
