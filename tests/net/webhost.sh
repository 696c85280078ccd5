# SPDX-License-Identifier: MIT
# webhost.sh - sourced by the relay tests (after netlib.sh's net_init): a
# test CA and a web host on $A4 and $A6 inside the test namespace, TLS on
# 443 (a certificate for the names given, under that CA) and plain HTTP on
# 80, serving $WWW. Each server logs one line per request, the request line
# and the Host, in $T_DIR/req-ADDR-PORT.log, for "the server saw nothing".
#
#   webhost_start NAME...   make $PKI/ca.pem and a certificate whose
#                           subjectAltNames are NAME..., start the four
#                           servers; fails the test (and exits) if the CA
#                           cannot be made
#   webhost_reqs            how many requests all of them logged

PKI=$T_DIR/pki
WWW=$T_DIR/www

webhost_start() {
	local san="" n a
	mkdir -p "$PKI" "$WWW"
	echo hello-cordon >"$WWW/hello.txt"
	chmod -R a+rX "$WWW"
	for n in "$@"; do san+="${san:+,}DNS:$n"; done
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=cordon test CA" \
		-keyout "$PKI/ca.key" -out "$PKI/ca.pem" >/dev/null 2>&1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" \
		-keyout "$PKI/srv.key" -out "$PKI/srv.csr" >/dev/null 2>&1
	printf 'subjectAltName=%s\n' "$san" >"$PKI/ext"
	openssl x509 -req -in "$PKI/srv.csr" -CA "$PKI/ca.pem" \
		-CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
		-extfile "$PKI/ext" -out "$PKI/srv.pem" >/dev/null 2>&1
	chmod 644 "$PKI/ca.pem"
	[ -s "$PKI/srv.pem" ] || { t_fail "test-ca"; t_done; exit 1; }
	for a in "$A4" "$A6"; do
		netns_start_bg "https-$a" "$NETNS_PYTHON" -u \
			"$(dirname "${BASH_SOURCE[0]}")/httpsd.py" "$a" 443 \
			"$WWW" "$PKI/srv.pem" "$PKI/srv.key" "$T_DIR/req-$a-443.log"
		netns_start_bg "http-$a" "$NETNS_PYTHON" -u \
			"$(dirname "${BASH_SOURCE[0]}")/httpsd.py" "$a" 80 \
			"$WWW" - - "$T_DIR/req-$a-80.log"
		netns_wait_port "$a" 443 5 || t_fail "https-server-$a"
		netns_wait_port "$a" 80 5 || t_fail "http-server-$a"
	done
}

webhost_reqs() { cat "$T_DIR"/req-*.log 2>/dev/null | wc -l; }
