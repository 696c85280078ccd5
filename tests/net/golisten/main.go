// SPDX-License-Identifier: MIT
//
// golisten: local servers the way Go test suites start them, for cordon's
// listen tests. Prints one line per check ("NAME ok" or "NAME: error").
//
//	golisten    net/http/httptest.NewServer (loopback), http.Server on
//	            ":0" (the wildcard, dual stack) fetched over 127.0.0.1 and
//	            [::1], and net.Dial("tcp", ":PORT") (the unspecified
//	            address: this host).
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

func get(name, url string) {
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{Proxy: nil}}
	r, err := c.Get(url)
	if err != nil {
		fmt.Printf("%s: %v\n", name, err)
		return
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if string(b) != "hello" {
		fmt.Printf("%s: body %q\n", name, b)
		return
	}
	fmt.Printf("%s ok\n", name)
}

func main() {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello")
	})
	ts := httptest.NewServer(h)
	get("httptest", ts.URL)
	ts.Close()

	l, err := net.Listen("tcp", ":0")
	if err != nil {
		fmt.Printf("listen-wildcard: %v\n", err)
		return
	}
	go http.Serve(l, h)
	port := l.Addr().(*net.TCPAddr).Port
	get("wildcard-v4", fmt.Sprintf("http://127.0.0.1:%d/", port))
	get("wildcard-v6", fmt.Sprintf("http://[::1]:%d/", port))
	c, err := net.DialTimeout("tcp", fmt.Sprintf(":%d", port), 3*time.Second)
	if err != nil {
		fmt.Printf("dial-unspecified: %v\n", err)
		return
	}
	c.Close()
	fmt.Println("dial-unspecified ok")
}
