package demo

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
)

// startSite serves the world's job site on loopback, and makes the
// world's link checker: linkcheck's, with loopback allowed explicitly for
// that site's port, asked only about links to the site.
func (w *World) startSite() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	w.Site = "http://" + ln.Addr().String()
	w.site = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/jobs/gone" {
			http.NotFound(rw, r)
			return
		}
		fmt.Fprint(rw, "<title>A job</title>")
	})}
	go w.site.Serve(ln)
	port := ln.Addr().(*net.TCPAddr).Port
	w.links = siteLinks{site: w.Site, checker: linkcheck.New(linkcheck.Options{AllowLoopback: true, Ports: []int{port}})}
	return nil
}

// siteLinks checks the links to one site and takes every other as it is
// (the story's other links are example.com's: the demo contacts nothing
// outside 127.0.0.1).
type siteLinks struct {
	site    string
	checker *linkcheck.Checker
}

func (l siteLinks) Check(ctx context.Context, raw string, job bool) linkcheck.Result {
	if u, err := url.Parse(raw); err != nil || !strings.HasPrefix(u.Scheme+"://"+u.Host, l.site) {
		return linkcheck.Result{Verdict: linkcheck.OK}
	}
	return l.checker.Check(ctx, raw, job)
}
