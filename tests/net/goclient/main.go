// SPDX-License-Identifier: MIT
//
// goclient: a static Go HTTP client for cordon's network tests. Built with
// CGO_ENABLED=0, so it uses the pure-Go resolver (it reads /etc/resolv.conf
// and talks DNS itself) and Go's own connect path, no libc.
//
//	goclient URL   GET URL, print the body; exit 0 on 200, 1 otherwise.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goclient URL")
		os.Exit(2)
	}
	net.DefaultResolver.PreferGo = true
	dialer := &net.Dialer{Timeout: 3 * time.Second, Resolver: net.DefaultResolver}
	tr := &http.Transport{
		Proxy:       nil, // never an environment proxy
		DialContext: dialer.DialContext,
	}
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	req, err := http.NewRequestWithContext(context.Background(), "GET", os.Args[1], nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(2)
	}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	os.Stdout.Write(body)
	if resp.StatusCode != 200 {
		fmt.Fprintln(os.Stderr, "goclient: status", resp.Status)
		os.Exit(1)
	}
}
