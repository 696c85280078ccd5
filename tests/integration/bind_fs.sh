#!/bin/bash
# SPDX-License-Identifier: MIT
# bind_fs.sh BUILD_DIR - the supervisor binds a job's relative unix path in
# the job's cwd with the job's umask, and no other supervisor thread moves
# with it (sentry/threadfs.c): a job in its own directory with umask 027
# binds socket after socket while another of its threads creates files by
# relative path; every socket file is srwxr-x--- and every file rw-r-----,
# all in the job's directory, none in cordon's; and cordon's main thread
# (/proc/SUP/cwd, its Umask) never leaves cordon's own cwd and umask while
# the binds run (sampled from outside, as root). With Landlock (opens in the
# kernel) and --no-landlock (opens performed by the supervisor, sys_open.c).
. "$(dirname "$0")/../lib/testlib.sh"
t_init "$1"
W=$T_DIR/work
N=${BIND_FS_N:-2000}
mkdir -p "$W/own" "$W/job"
[ "$(id -u)" = 0 ] && chown "$T_USER" "$W/own" "$W/job"
cat >"$W/job.py" <<'EOF'
import os, socket, stat, sys, threading
import time
n, jobdir, wait_go = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
os.chdir(jobdir)
os.umask(0o027)
with open("sup.pid", "w") as f:
    f.write("%d\n" % os.getppid())
# With a sampler outside, start when it watches.
for _ in range(2000 if wait_go else 0):
    if os.path.exists("go"):
        break
    time.sleep(0.01)
stop = False
bad_files = files = 0
def creator():
    global bad_files, files
    i = 0
    while not stop:
        name = "f%d" % i
        fd = os.open(name, os.O_CREAT | os.O_WRONLY, 0o666)
        os.close(fd)
        if stat.S_IMODE(os.stat(name).st_mode) != 0o640:
            bad_files += 1
        os.unlink(name)
        files += 1
        i += 1
t = threading.Thread(target=creator)
t.start()
bad = 0
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("s%d" % i)
    m = os.stat("s%d" % i).st_mode
    if not stat.S_ISSOCK(m) or stat.S_IMODE(m) != 0o750:
        bad += 1
    s.close()
    os.unlink("s%d" % i)
stop = True
t.join()
open("done", "w").close()
print("binds=%d bad=%d files=%d badfiles=%d" % (n, bad, files, bad_files))
EOF
cat >"$W/sample.py" <<'EOF'
import os, sys, time
jobdir, own, umask = sys.argv[1], sys.argv[2], sys.argv[3]
for _ in range(3000):
    if os.path.exists(jobdir + "/sup.pid"):
        break
    time.sleep(0.01)
sup = int(open(jobdir + "/sup.pid").read())
open(jobdir + "/go", "w").close()
samples = moved = 0
while not os.path.exists(jobdir + "/done"):
    try:
        cwd = os.readlink("/proc/%d/cwd" % sup)
        with open("/proc/%d/status" % sup) as f:
            m = [l.split()[1] for l in f if l.startswith("Umask:")]
    except OSError as e:
        print("sampling stopped:", e)
        break
    samples += 1
    if cwd != own or (m and m[0] != umask):
        moved += 1
print("samples=%d moved=%d" % (samples, moved))
EOF

bind_fs_run() {
	local tag=$1
	shift
	rm -f "$W/job/sup.pid" "$W/job/done" "$W/job/go"
	go=0
	if [ "$(id -u)" = 0 ]; then
		go=1
		python3 "$W/sample.py" "$W/job" "$W/own" 0022 >"$T_DIR/sample" 2>&1 &
		spid=$!
		T_STARTED_PIDS="$T_STARTED_PIDS $spid"
	fi
	(cd "$W/own" && umask 022 && as_user "$CORDON" run -q "$@" -- \
		/usr/bin/python3 "$W/job.py" "$N" "$W/job" "$go") >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "$tag-job-ran" 'grep -q "^binds=$N " "$T_DIR/out"'
	t_check "$tag-sockets-take-job-umask" 'grep -q " bad=0 " "$T_DIR/out"'
	t_check "$tag-files-take-job-umask" 'grep -Eq "files=[1-9][0-9]* badfiles=0$" "$T_DIR/out"'
	t_check "$tag-nothing-in-cordon-cwd" '[ -z "$(ls "$W/own")" ]'
	if [ "$(id -u)" = 0 ]; then
		wait "$spid"
		t_check "$tag-sampled" 'grep -Eq "^samples=[1-9][0-9]* " "$T_DIR/sample"'
		t_check "$tag-supervisor-cwd-umask-unmoved" 'grep -q " moved=0$" "$T_DIR/sample"'
		cat "$T_DIR/sample"
	else
		t_skip "$tag-supervisor-cwd-umask-unmoved" "reading cordon's /proc/PID/cwd needs root"
	fi
	cat "$T_DIR/out"
}

bind_fs_run landlock
bind_fs_run no-landlock --no-landlock
t_done
