#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# container.sh MODE BUILD_DIR - cordon under a container runtime's default
# seccomp profile (tests/container/container_profile.py), MODE podman (as
# Debian ships it) or docker (pidfd_getfd and process_vm_readv/writev
# refused EPERM, as Docker's and containerd's profiles refuse them without
# CAP_SYS_PTRACE: the job's sockets are then owned from birth and job memory
# goes through /proc/PID/mem). Cheap on purpose: startup, doctor, one job
# that runs the common socket patterns (tests/container/birth_job.py),
# DNS through the proxy, an inherited socket, and the racing dup2 against
# the birth path. The full suites run under a profile with
# CORDON_TEST_PROFILE=MODE (tests/lib/testlib.sh). Skips (77) when the
# profile or the bindings are missing, or without root (netns).
MODE=$1
shift
export CORDON_TEST_PROFILE=$MODE
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../net/netlib.sh"
net_init "$1"
cp "$HERE/birth_job.py" "$HERE/race_job.py" "$T_DIR/bin/"
chmod 755 "$T_DIR/bin/"*.py

netns_canary_tcp "$D4" 8080 || t_fail "canary-tcp"
netns_canary_udp "$D4" 7001 || t_fail "canary-udp-denied"
netns_canary_udp "$A4" 7001 || t_fail "canary-udp-allowed"
netns_dnsmasq --host-record=web.test,$A4 || t_fail "dnsmasq"

# ---- startup and doctor ----------------------------------------------------
t_status "startup" 0 jrun -- "$CORDON" run -q -- /bin/true
jrun -- "$CORDON" doctor >"$T_DIR/doctor" 2>&1
if [ "$MODE" = docker ]; then
	t_check "doctor-says-birth" 'grep -q "pidfd_getfd.*sockets owned from birth" "$T_DIR/doctor"'
	t_check "doctor-says-proc-mem" 'grep -q "job memory.*/proc/PID/mem" "$T_DIR/doctor"'
else
	t_check "doctor-says-pidfd-getfd" 'grep -q "^ok.*pidfd_getfd .*takes the listener" "$T_DIR/doctor"'
	t_check "doctor-says-process-vm" 'grep -q "^ok.*job memory .*process_vm_readv" "$T_DIR/doctor"'
fi
# The listener never reaches the job, whichever way it came.
jrun -- "$CORDON" run -q -- sh -c 'ls -l /proc/self/fd' >"$T_DIR/fds" 2>&1
t_check "listener-not-in-job" '! grep -q "seccomp\|socket:" "$T_DIR/fds"'

# ---- the common patterns in one job ---------------------------------------
jrun -- "$CORDON" run --policy "$NET_POLICY" --zone net -- \
	/usr/bin/python3 "$T_DIR/bin/birth_job.py" "$D4" >"$T_DIR/job" 2>"$T_DIR/job.err"
cat "$T_DIR/job"
t_check "job-completed" 'grep -qx done "$T_DIR/job"'
t_check "job-all-ok" '! grep -q "^FAIL" "$T_DIR/job"'
t_check "denied-never-arrived" '[ "$(netns_canary_hits "$D4" 8080)" = 0 ]'
t_check "denied-is-recorded" 'grep -q "denied connect $D4:8080" "$T_DIR/job.err"'

# ---- DNS through cordon's proxy --------------------------------------------
jrun -- "$CORDON" run --policy "$NET_POLICY" --zone net \
	--allow "tcp web.test:80" -- getent hosts web.test >"$T_DIR/dns" 2>&1
cat "$T_DIR/dns"
t_check "dns-through-proxy" 'grep -q "^$A4 .*web.test" "$T_DIR/dns"'

# ---- a socket made outside cordon (inherited as stdin) ---------------------
inh='import socket,sys
s = socket.socket(fileno=0)
try:
    s.sendto(b"inh", (sys.argv[1], 7001)); print("sent")
except OSError as e: print("errno", e.errno)'
jrun -- /usr/bin/python3 -c '
import os, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
os.dup2(u.fileno(), 0)
os.execv(sys.argv[1], sys.argv[1:])' "$CORDON" run --policy "$NET_POLICY" \
	--zone net-open -- /usr/bin/python3 -c "$inh" "$A4" \
	>"$T_DIR/inh" 2>"$T_DIR/inh.err"
if [ "$MODE" = docker ]; then
	# Refused with a denial that says why: cordon holds no copy of it.
	t_check "inherited-socket-refused" 'grep -qx "errno 13" "$T_DIR/inh"'
	t_check "inherited-socket-denial-named" 'grep -q "cannot be reached.*not born under cordon" "$T_DIR/inh.err"'
else
	t_check "inherited-socket-works" 'grep -qx sent "$T_DIR/inh"'
fi

# ---- racing dup2 on the fd being sent on ------------------------------------
before=$(netns_canary_hits "$A4" 7001 udp)
jrun -- /usr/bin/python3 -c '
import os, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
os.dup2(u.fileno(), 0)
os.execv(sys.argv[1], sys.argv[1:])' "$CORDON" run -q --policy "$NET_POLICY" \
	--zone net --allow "udp $A4:7001" -- /usr/bin/python3 \
	"$T_DIR/bin/race_job.py" "$A4" 7001 "$D4" 3 >"$T_DIR/race" 2>/dev/null
line=$(grep "^race:" "$T_DIR/race")
echo "     $MODE $line"
sent=$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<"$line")
den=$(sed -n 's/.* eacces=\([0-9]*\).*/\1/p' <<<"$line")
t_check "race-ran-both-paths" '[ "${sent:-0}" -gt 0 ] && [ "${den:-0}" -gt 0 ]'
t_check "race-allowed-arrived" 'netns_canary_wait "$A4" 7001 $((before + 1)) udp 3'
t_check "race-nothing-reached-denied" '[ "$(netns_canary_hits "$D4" 7001 udp)" = 0 ]'
t_done
