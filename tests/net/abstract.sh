#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# abstract.sh BUILD_DIR - abstract unix names are byte strings of explicit
# length (issue 13, defect 11): a job binds and connects to a name holding
# NULs and high bytes under cordon as natively; a name that differs from the
# job's own only after an embedded NUL belongs to an outsider and is judged
# as such (denied in the default zone, nothing arrives); a `unix allow @NAME`
# rule written with \xHH escapes allows exactly that name; the audit record
# and the stderr line show the bytes escaped, past the NUL.
# Exit 77 (skip) unless root.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

AUDIT=$W/audit.jsonl
N=cordon-abs-$$

# The job's own name, NUL and 0xff inside: natively and under cordon.
out=$(jrun -- "$NETATTACK" abstract-self "$N\\x00\\xff-own" 2>&1)
t_check own-nul-native 'grep -qx "abstract-connect: ok 0" <<<"$out"'
out=$(cordon_net -- "$NETATTACK" abstract-self "$N\\x00\\xff-own" 2>&1)
t_check own-nul-cordon 'grep -qx "abstract-connect: ok 0" <<<"$out"'
out=$(cordon_net -- "$NETATTACK" abstract-self "$N\\x01\\x80\\x00" 2>&1)
t_check own-trailing-nul-cordon 'grep -qx "abstract-connect: ok 0" <<<"$out"'

# An outsider (the test user, outside cordon) listens on "\0$N\0y".
netns_start_bg_as "$T_USER" outsider /usr/bin/python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(b"\0" + sys.argv[1].encode() + b"\0y")
s.listen(8)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    print("hit", flush=True)
    c.close()
' "$N"
LOG=$NETNS_DIR/outsider.log
for _ in $(seq 50); do grep -q ready "$LOG" && break; sleep 0.1; done
hits() { grep -c hit "$LOG"; }

# The job binds "\0$N\0x" and connects to "\0$N\0y": the outsider's.
base=$(hits)
out=$(jrun -- "$NETATTACK" abstract-self "$N\\x00x" "$N\\x00y" 2>&1)
t_check outsider-native-control 'grep -qx "abstract-connect: ok 0" <<<"$out" && [ "$(hits)" -gt "$base" ]'
base=$(hits)
rm -f "$AUDIT"
out=$(cordon_net --audit "$AUDIT" -- "$NETATTACK" abstract-self "$N\\x00x" "$N\\x00y" 2>"$T_DIR/err")
t_check outsider-after-nul-denied 'grep -qx "abstract-connect: errno EACCES" <<<"$out"'
t_check outsider-after-nul-nothing-arrived '[ "$(hits)" = "$base" ]'
t_check outsider-audit-escaped 'audit_has "$AUDIT" connect "unix:@$N\\x00y" net'
t_check outsider-stderr-escaped 'grep -qF "denied connect unix:@$N\\x00y" "$T_DIR/err"'

# A rule naming the outsider's exact bytes allows it; a prefix does not.
cat >"$T_DIR/abs.cordon" <<EOF
zone exact extends fork-pr {
	unix allow @$N\\x00y
}
zone prefix extends fork-pr {
	unix allow @$N\\x00
}
EOF
chmod 644 "$T_DIR/abs.cordon"
base=$(hits)
out=$(jrun -- "$CORDON" run --policy "$T_DIR/abs.cordon" --zone exact -- \
	"$NETATTACK" abstract "$N\\x00y" 2>&1)
t_check rule-exact-allows 'grep -qx "abstract-connect: ok 0" <<<"$out" && [ "$(hits)" -gt "$base" ]'
base=$(hits)
out=$(jrun -- "$CORDON" run --policy "$T_DIR/abs.cordon" --zone prefix -- \
	"$NETATTACK" abstract "$N\\x00y" 2>&1)
t_check rule-prefix-does-not 'grep -qx "abstract-connect: errno EACCES" <<<"$out" && [ "$(hits)" = "$base" ]'
out=$(jrun -- "$CORDON" policy explain --policy "$T_DIR/abs.cordon" --zone exact unix "@$N\\x00y" 2>&1)
t_check explain-exact 'grep -q "^allow    unix @$N\\\\x00y  zone exact" <<<"$out"'

t_done
