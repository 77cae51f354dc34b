package linkcheck

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var ignoreChecked = cmpopts.IgnoreFields(Result{}, "Checked")

func TestCheckStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		w.WriteHeader(code)
	}))
	defer srv.Close()
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true}, srv)

	tests := []struct {
		name    string
		status  int
		verdict Verdict
		message string
	}{
		{"200_is_ok", 200, OK, ""},
		{"204_is_ok", 204, OK, ""},
		{"404_is_a_problem", 404, Problem, "The page was not found (HTTP 404)."},
		{"410_is_a_problem", 410, Problem, "The page is gone (HTTP 410)."},
		{"429_is_a_warning", 429, Warning, "The site asked the bot to slow down (HTTP 429), so the link could not be checked just now."},
		{"500_is_a_warning", 500, Warning, "The site had an error (HTTP 500); the link may work again later."},
		{"503_is_a_warning", 503, Warning, "The site had an error (HTTP 503); the link may work again later."},
		{"403_is_a_warning", 403, Warning, "The site turned the bot away (HTTP 403); the link may still work in a browser."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link := fmt.Sprintf("%s/status/%d", srv.URL, tt.status)
			got := c.Check(context.Background(), link, false)
			want := Result{Verdict: tt.verdict, Status: tt.status, FinalURL: link, Message: tt.message}
			if diff := cmp.Diff(want, got, ignoreChecked); diff != "" {
				t.Errorf("Check(%q) mismatch (-want +got):\n%s", link, diff)
			}
		})
	}
}

func TestCheckRequest(t *testing.T) {
	type seen struct{ method, agent, cookie, auth string }
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Method, r.UserAgent(), r.Header.Get("Cookie"), r.Header.Get("Authorization")})
		mu.Unlock()
		if r.URL.Path == "/start" {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "x"})
			http.Redirect(w, r, "/end", http.StatusFound)
		}
	}))
	defer srv.Close()

	for _, tt := range []struct{ name, agent, want string }{
		{"default_user_agent_names_the_bot", "", DefaultUserAgent},
		{"configured_user_agent", "demo-bot/2 (+https://example.org/bot)", "demo-bot/2 (+https://example.org/bot)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			c, _, _ := newTestChecker(t, Options{AllowLoopback: true, UserAgent: tt.agent}, srv)
			if res := c.Check(context.Background(), srv.URL+"/start", false); res.Verdict != OK {
				t.Fatalf("Check = %+v, want OK", res)
			}
			want := []seen{{"GET", tt.want, "", ""}, {"GET", tt.want, "", ""}}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(seen{})); diff != "" {
				t.Errorf("requests mismatch (-want +got), want GETs without cookies:\n%s", diff)
			}
		})
	}

	t.Run("no_proxy_from_the_environment", func(t *testing.T) {
		c := New(Options{})
		if c.transport.Proxy != nil {
			t.Errorf("transport.Proxy is set, want nil")
		}
	})
}

func TestCheckTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true, Timeout: 100 * time.Millisecond}, srv)

	start := time.Now()
	got := c.Check(context.Background(), srv.URL+"/slow", false)
	want := Result{Verdict: Warning, FinalURL: srv.URL + "/slow", Message: "The site did not answer within 100ms."}
	if diff := cmp.Diff(want, got, ignoreChecked); diff != "" {
		t.Errorf("Check of a slow page mismatch (-want +got):\n%s", diff)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Check took %v, want about 100ms", d)
	}
}

func TestCheckBodyBounded(t *testing.T) {
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><head><title>Endless</title></head><body>")
		chunk := []byte(strings.Repeat("x", 32<<10))
		for r.Context().Err() == nil {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true, Timeout: 5 * time.Second}, srv)

	start := time.Now()
	got := c.Check(context.Background(), srv.URL+"/endless", false)
	want := Result{Verdict: OK, Status: 200, FinalURL: srv.URL + "/endless", Title: "Endless"}
	if diff := cmp.Diff(want, got, ignoreChecked); diff != "" {
		t.Errorf("Check of an endless page mismatch (-want +got):\n%s", diff)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("Check of an endless page took %v, want it to stop reading at MaxBody", d)
	}
	srv.Close() // waits for the handler, which stops when the client closes
	if n := written.Load(); n > 64<<20 {
		t.Errorf("server wrote %d bytes before the client closed, want far fewer", n)
	}
}

func TestCheckTitle(t *testing.T) {
	page := func(contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			io.WriteString(w, body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/job", page("text/html; charset=utf-8", "<!doctype html><html><head>\n<title>\n  Senior Engineer &amp; Mentor\n</title></head><body>x</body></html>"))
	mux.Handle("/late", page("text/html", "<html><head><!--"+strings.Repeat("x", 200)+"--><title>Too far</title>"))
	mux.Handle("/text", page("text/plain", "<title>Not HTML</title>"))
	mux.Handle("/none", page("text/html", "<html><body><title>In the body</title></body></html>"))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true, MaxBody: 100}, srv)

	for _, tt := range []struct{ name, path, want string }{
		{"title_unescaped_and_collapsed", "/job", "Senior Engineer & Mentor"},
		{"title_past_max_body_is_not_read", "/late", ""},
		{"plain_text_has_no_title", "/text", ""},
		{"title_only_in_head", "/none", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Check(context.Background(), srv.URL+tt.path, false)
			if got.Verdict != OK || got.Title != tt.want {
				t.Errorf("Check(%q) = %v with title %q, want ok with title %q", tt.path, got.Verdict, got.Title, tt.want)
			}
		})
	}
}

func TestCheckRedirects(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch {
		case strings.HasPrefix(r.URL.Path, "/chain/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/"))
			if n > 0 {
				http.Redirect(w, r, strconv.Itoa(n-1), http.StatusMovedPermanently) // relative
			}
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case r.URL.Path == "/nowhere":
			w.WriteHeader(http.StatusFound)
		case r.URL.Path == "/gone":
			http.Redirect(w, r, "/missing", http.StatusPermanentRedirect)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name     string
		max      int
		path     string
		want     Result
		requests int32
	}{
		{"three_redirects_are_followed", 0, "/chain/3",
			Result{Verdict: OK, Status: 200, FinalURL: srv.URL + "/chain/0"}, 4},
		{"redirects_past_the_limit_are_a_warning", 3, "/chain/9",
			Result{Verdict: Warning, Status: 301, FinalURL: srv.URL + "/chain/6", Message: "The link redirects more than 3 times, so the bot stopped following it."}, 4},
		{"a_loop_stops_at_the_default_limit", 0, "/loop",
			Result{Verdict: Warning, Status: 302, FinalURL: srv.URL + "/loop", Message: "The link redirects more than 5 times, so the bot stopped following it."}, 6},
		{"no_redirects_when_negative", -1, "/chain/1",
			Result{Verdict: Warning, Status: 301, FinalURL: srv.URL + "/chain/1", Message: "The link redirects, and the bot is set to follow no redirects."}, 1},
		{"a_redirect_without_location_is_a_warning", 0, "/nowhere",
			Result{Verdict: Warning, Status: 302, FinalURL: srv.URL + "/nowhere", Message: "The site answered with a redirect (HTTP 302) but did not say where to."}, 1},
		{"a_redirect_to_a_missing_page_is_a_problem", 0, "/gone",
			Result{Verdict: Problem, Status: 404, FinalURL: srv.URL + "/missing", Message: "The page was not found (HTTP 404)."}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requests.Store(0)
			c, _, _ := newTestChecker(t, Options{AllowLoopback: true, MaxRedirects: tt.max}, srv)
			got := c.Check(context.Background(), srv.URL+tt.path, false)
			if diff := cmp.Diff(tt.want, got, ignoreChecked); diff != "" {
				t.Errorf("Check(%q) mismatch (-want +got):\n%s", tt.path, diff)
			}
			if n := requests.Load(); n != tt.requests {
				t.Errorf("server saw %d requests, want %d", n, tt.requests)
			}
		})
	}
}

func TestCheckRefusesRedirect(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	defer srv.Close()
	self := srv.Listener.Addr().String()

	const private = "The link redirects to a private or local address."
	tests := []struct {
		name, to, final, message string
	}{
		{"cloud_metadata", "http://169.254.169.254/latest/meta-data/", "", private},
		{"rfc1918", "http://10.0.0.1/", "", private},
		{"unique_local_ipv6", "http://[fd00::1]/", "", private},
		{"ipv4_mapped_metadata", "http://[::ffff:169.254.169.254]/", "", private},
		{"cgnat", "http://100.64.0.1/", "", private},
		{"metadata_name", "http://metadata.google.internal/computeMetadata/v1/", "", private},
		{"userinfo", "http://admin:secret@" + self + "/", "http://" + self + "/", "The link redirects to an address with a user name or password in it."},
		{"file_scheme", "file:///etc/passwd", "", "The link redirects to an address that is not a web page (only http and https links are checked)."},
		{"gopher_scheme", "gopher://" + self + "/", "", "The link redirects to an address that is not a web page (only http and https links are checked)."},
		{"other_port", "http://127.0.0.1:22/", "", "The link redirects to port 22, and only links on the standard web ports (80 and 443) are checked."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requests.Store(0)
			c, res, dials := newTestChecker(t, Options{AllowLoopback: true}, srv)
			final := tt.final
			if final == "" {
				final = tt.to
			}
			got := c.Check(context.Background(), srv.URL+"/r?to="+tt.to, false)
			want := Result{Verdict: Problem, Status: 302, FinalURL: final, Message: tt.message}
			if diff := cmp.Diff(want, got, ignoreChecked); diff != "" {
				t.Errorf("Check of a redirect to %s mismatch (-want +got):\n%s", tt.to, diff)
			}
			if d := dials.dialed(); len(d) != 1 || d[0] != self {
				t.Errorf("dialed %q, want only the server %s", d, self)
			}
			if l := res.lookups(); len(l) != 0 {
				t.Errorf("looked up %q, want nothing", l)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

func TestCheckRefusesWithoutRequest(t *testing.T) {
	const (
		private  = "The link points to a private or local address."
		notName  = "The link points to a host name that is not a public internet name."
		invalid  = "The link points to an address that is not a valid web address."
		notWeb   = "The link points to an address that is not a web page (only http and https links are checked)."
		userinfo = "The link points to an address with a user name or password in it."
	)
	tests := []struct {
		name, link, message string
		loopback            bool
	}{
		{"localhost", "http://localhost:8080/", "The link points to port 8080, and only links on the standard web ports (80 and 443) are checked.", false},
		{"localhost_default_port", "http://localhost/", private, false},
		{"localhost_upper_case_trailing_dot", "http://LOCALHOST./admin", private, false},
		{"localhost_ideographic_dot", "http://localhost\u3002/", private, false},
		{"localhost_subdomain", "http://app.localhost/", private, false},
		{"cloud_metadata_ip", "http://169.254.169.254/latest/meta-data/", private, false},
		{"cloud_metadata_name", "http://metadata.google.internal/computeMetadata/v1/", private, false},
		{"single_label_name", "http://metadata/", notName, false},
		{"decimal_ipv4", "http://2130706433/", notName, false},
		{"short_ipv4", "http://127.1/", notName, false},
		{"octal_ipv4", "http://0177.0.0.1/", notName, false},
		{"hex_ipv4", "http://0x7f.0.0.1/", notName, false},
		{"loopback_ipv4", "http://127.0.0.1/", private, false},
		{"loopback_ipv4_whole_range", "http://127.8.9.10/", private, false},
		{"unspecified_ipv4", "http://0.0.0.0/", private, false},
		{"rfc1918_10", "http://10.1.2.3/", private, false},
		{"rfc1918_172", "https://172.16.0.1/", private, false},
		{"rfc1918_192", "http://192.168.1.1/", private, false},
		{"cgnat", "http://100.100.100.200/", private, false},
		{"multicast", "http://224.0.0.1/", private, false},
		{"broadcast", "http://255.255.255.255/", private, false},
		{"loopback_ipv6", "http://[::1]/", private, false},
		{"unspecified_ipv6", "http://[::]/", private, false},
		{"ipv4_mapped_loopback", "http://[::ffff:127.0.0.1]/", private, false},
		{"ipv4_mapped_rfc1918_hex", "http://[::ffff:a00:1]/", private, false},
		{"unique_local_ipv6", "http://[fd00::1]/", private, false},
		{"link_local_ipv6", "http://[fe80::1]/", private, false},
		{"link_local_ipv6_with_zone", "http://[fe80::1%25eth0]/", private, false},
		{"multicast_ipv6", "http://[ff02::1]/", private, false},
		{"nat64_loopback", "http://[64:ff9b::7f00:1]/", private, false},
		{"sixtofour_rfc1918", "http://[2002:c0a8:101::1]/", private, false},
		{"userinfo", "https://user:pass@example.com/", userinfo, false},
		{"user_only", "https://user@example.com/", userinfo, false},
		{"ftp", "ftp://example.com/file", notWeb, false},
		{"javascript", "javascript:alert(1)", notWeb, false},
		{"file", "file:///etc/passwd", notWeb, false},
		{"no_scheme", "example.com/jobs/1", notWeb, false},
		{"empty", "", invalid, false},
		{"no_host", "http:///path", invalid, false},
		{"opaque", "http:example.com", invalid, false},
		{"other_port", "https://example.com:8443/", "The link points to port 8443, and only links on the standard web ports (80 and 443) are checked.", false},
		// AllowLoopback lets loopback through and nothing else.
		{"allow_loopback_still_refuses_metadata", "http://169.254.169.254/", private, true},
		{"allow_loopback_still_refuses_rfc1918", "http://10.0.0.1/", private, true},
		{"allow_loopback_still_refuses_unique_local", "http://[fd00::1]/", private, true},
		{"allow_loopback_still_refuses_mapped_metadata", "http://[::ffff:169.254.169.254]/", private, true},
		{"allow_loopback_still_refuses_nat64_loopback", "http://[64:ff9b::7f00:1]/", private, true},
		{"allow_loopback_still_refuses_internal_names", "http://metadata.google.internal/", private, true},
		{"allow_loopback_still_refuses_port", "http://127.0.0.1:8080/", "The link points to port 8080, and only links on the standard web ports (80 and 443) are checked.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, res, dials := newTestChecker(t, Options{AllowLoopback: tt.loopback})
			got := c.Check(context.Background(), tt.link, false)
			if got.Verdict != Problem || got.Message != tt.message || got.Status != 0 {
				t.Errorf("Check(%q) = %v %d %q, want problem 0 %q", tt.link, got.Verdict, got.Status, got.Message, tt.message)
			}
			if strings.Contains(got.FinalURL, "@") {
				t.Errorf("Check(%q).FinalURL = %q, want it without credentials", tt.link, got.FinalURL)
			}
			if d := dials.dialed(); len(d) != 0 {
				t.Errorf("Check(%q) dialed %q, want nothing", tt.link, d)
			}
			if l := res.lookups(); len(l) != 0 {
				t.Errorf("Check(%q) looked up %q, want nothing", tt.link, l)
			}
		})
	}
}

// TestCheckDialTime: names pass the URL checks; what they resolve to is
// checked by the dialer's Control, on the address actually dialled. The
// refused addresses are all on this machine (0.0.0.0 is dialled as a
// local address on Linux), so that even a broken check sends nothing out.
func TestCheckDialTime(t *testing.T) {
	unspecified := netip.MustParseAddr("0.0.0.0")
	var requests atomic.Int32
	var evil string // evil.test:port
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path == "/to-evil" {
			http.Redirect(w, r, "http://"+evil+"/", http.StatusFound)
		}
	}))
	defer srv.Close()
	self := srv.Listener.Addr().String()
	evil = hostPort(t, "evil.test", srv)

	tests := []struct {
		name     string
		loopback bool
		hosts    map[string][]netip.Addr
		link     string
		want     Result
		dialed   []string
		requests int32
	}{
		{"name_resolving_to_loopback_is_refused_at_dial", false,
			map[string][]netip.Addr{"evil.test": loopback},
			"http://" + evil + "/",
			Result{Verdict: Problem, FinalURL: "http://" + evil + "/", Message: "The link points to a private or local address."},
			[]string{self}, 0},
		{"name_resolving_to_mapped_loopback_is_refused_at_dial", false,
			map[string][]netip.Addr{"evil.test": {netip.MustParseAddr("::ffff:127.0.0.1")}},
			"http://" + evil + "/",
			Result{Verdict: Problem, FinalURL: "http://" + evil + "/", Message: "The link points to a private or local address."},
			[]string{self}, 0},
		{"redirect_to_a_name_resolving_to_unspecified_is_refused_at_dial", true,
			map[string][]netip.Addr{"evil.test": {unspecified}},
			srv.URL + "/to-evil",
			Result{Verdict: Problem, Status: 302, FinalURL: "http://" + evil + "/", Message: "The link redirects to a private or local address."},
			[]string{self, hostPort(t, "0.0.0.0", srv)}, 1},
		{"only_the_allowed_address_of_a_name_is_connected", true,
			map[string][]netip.Addr{"mixed.test": {unspecified, netip.MustParseAddr("127.0.0.1")}},
			"http://" + hostPort(t, "mixed.test", srv) + "/",
			Result{Verdict: OK, Status: 200, FinalURL: "http://" + hostPort(t, "mixed.test", srv) + "/"},
			[]string{hostPort(t, "0.0.0.0", srv), self}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requests.Store(0)
			c, _, dials := newTestChecker(t, Options{AllowLoopback: tt.loopback, Resolver: &fakeResolver{hosts: tt.hosts}}, srv)
			got := c.Check(context.Background(), tt.link, false)
			if diff := cmp.Diff(tt.want, got, ignoreChecked); diff != "" {
				t.Errorf("Check(%q) mismatch (-want +got):\n%s", tt.link, diff)
			}
			if diff := cmp.Diff(tt.dialed, dials.dialed()); diff != "" {
				t.Errorf("dialed addresses mismatch (-want +got):\n%s", diff)
			}
			if n := requests.Load(); n != tt.requests {
				t.Errorf("server saw %d requests, want %d", n, tt.requests)
			}
		})
	}
}

func TestControl(t *testing.T) {
	tests := []struct {
		network, address string
		loopback, ok     bool
	}{
		{"tcp4", "127.0.0.1:80", false, false},
		{"tcp4", "127.0.0.1:80", true, true},
		{"tcp6", "[::1]:443", false, false},
		{"tcp6", "[::1]:443", true, true},
		{"tcp6", "[::ffff:127.0.0.1]:80", false, false},
		{"tcp4", "169.254.169.254:80", true, false},
		{"tcp4", "10.0.0.1:443", true, false},
		{"tcp4", "172.31.255.255:443", false, false},
		{"tcp4", "172.32.0.1:443", false, true},
		{"tcp4", "192.168.0.1:80", false, false},
		{"tcp4", "100.64.0.1:80", false, false},
		{"tcp4", "100.127.255.255:80", false, false},
		{"tcp4", "100.128.0.1:80", false, true},
		{"tcp4", "0.0.0.0:80", false, false},
		{"tcp4", "198.18.0.1:80", false, false},
		{"tcp4", "93.184.215.14:443", false, true},
		{"tcp4", "93.184.215.14:22", false, false},
		{"tcp6", "[::]:80", false, false},
		{"tcp6", "[fc00::1]:80", false, false},
		{"tcp6", "[fdff:ffff::1]:80", false, false},
		{"tcp6", "[fe80::1]:80", false, false},
		{"tcp6", "[fe80::1%lo]:80", false, false},
		{"tcp6", "[febf::1]:80", false, false},
		{"tcp6", "[ff02::1]:80", false, false},
		{"tcp6", "[::ffff:10.0.0.1]:80", false, false},
		{"tcp6", "[64:ff9b::a00:1]:80", false, false},
		{"tcp6", "[64:ff9b::7f00:1]:80", true, false},
		{"tcp6", "[64:ff9b::5db8:d70e]:80", false, true},
		{"tcp6", "[2002:7f00:1::1]:80", true, false},
		{"tcp6", "[2002:5db8:d70e::1]:80", false, true},
		{"tcp6", "[2001:db8::1]:80", false, false},
		{"tcp6", "[2606:4700::1111]:443", false, true},
		{"udp4", "93.184.215.14:443", false, false},
	}
	for _, tt := range tests {
		c := New(Options{AllowLoopback: tt.loopback})
		err := c.control(tt.network, tt.address, nil)
		if (err == nil) != tt.ok {
			t.Errorf("control(%q, %q) with AllowLoopback %v = %v, want allowed %v", tt.network, tt.address, tt.loopback, err, tt.ok)
		}
	}
}

func TestCheckNetworkErrors(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()

	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer hangUp.Close()

	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // nothing listens on its port now

	resolver := &fakeResolver{errs: map[string]error{
		"flaky.test": &net.DNSError{Err: "server misbehaving", Name: "flaky.test", IsTemporary: true},
	}}
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true, Resolver: resolver}, tlsSrv, hangUp, closed)

	tests := []struct {
		name, link string
		want       Result
	}{
		{"tls_error_is_a_warning", tlsSrv.URL + "/",
			Result{Verdict: Warning, FinalURL: tlsSrv.URL + "/", Message: "The site's secure connection (TLS) failed; its certificate may be invalid or expired."}},
		{"connection_refused_is_a_warning", closedURL + "/",
			Result{Verdict: Warning, FinalURL: closedURL + "/", Message: "The site refused the connection."}},
		{"hang_up_is_a_warning", hangUp.URL + "/",
			Result{Verdict: Warning, FinalURL: hangUp.URL + "/", Message: "The site closed the connection without answering."}},
		{"nxdomain_is_a_problem", "https://no-such-host.test/jobs/1",
			Result{Verdict: Problem, FinalURL: "https://no-such-host.test/jobs/1", Message: "The link points to a host name that does not exist."}},
		{"dns_failure_is_a_warning", "https://flaky.test/",
			Result{Verdict: Warning, FinalURL: "https://flaky.test/", Message: "The link's host name could not be looked up just now."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Check(context.Background(), tt.link, false)
			if diff := cmp.Diff(tt.want, got, ignoreChecked); diff != "" {
				t.Errorf("Check(%q) mismatch (-want +got):\n%s", tt.link, diff)
			}
		})
	}
}

func TestCheckOneRequestPerHost(t *testing.T) {
	var inflight, most, total atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		total.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
	}))
	defer srv.Close()
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true, Concurrency: 16}, srv)

	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Check(context.Background(), fmt.Sprintf("%s/page/%d", srv.URL, i), false)
		}()
	}
	wg.Wait()
	if n := total.Load(); n != 10 {
		t.Errorf("server saw %d requests, want 10", n)
	}
	if m := most.Load(); m != 1 {
		t.Errorf("server saw %d requests at once, want 1", m)
	}
	if n := c.limit.len(); n != 0 {
		t.Errorf("limiter holds %d hosts after all checks, want 0", n)
	}
}

func TestCheckConcurrencyBound(t *testing.T) {
	var mu sync.Mutex
	inflight, most := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		most = max(most, inflight)
		mu.Unlock()
		// Wait a while for a second request to overlap with this one.
		for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			mu.Lock()
			n := inflight
			mu.Unlock()
			if n >= 2 {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
	}))
	defer srv.Close()
	hosts := map[string][]netip.Addr{}
	for i := range 6 {
		hosts[fmt.Sprintf("h%d.test", i)] = loopback
	}
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true, Concurrency: 2, Resolver: &fakeResolver{hosts: hosts}}, srv)

	var wg sync.WaitGroup
	for host := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			link := "http://" + hostPort(t, host, srv) + "/"
			if got := c.Check(context.Background(), link, false); got.Verdict != OK {
				t.Errorf("Check(%q) = %+v, want OK", link, got)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if most != 2 {
		t.Errorf("server saw at most %d requests at once over 6 hosts, want 2 (Concurrency)", most)
	}
}

func TestCheckCache(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
	}))
	defer srv.Close()
	clk := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true, TTL: time.Hour, CacheSize: 2, Now: clk.now}, srv)
	first := clk.now()

	steps := []struct {
		name     string
		advance  time.Duration
		link     string
		requests int32
		checked  time.Time
	}{
		{"first_check_requests", 0, srv.URL + "/a", 1, first},
		{"second_check_is_cached", 0, srv.URL + "/a", 1, first},
		{"normalised_url_is_cached", 0, strings.Replace(srv.URL, "http://", "HTTP://", 1) + "/a#apply", 1, first},
		{"cached_just_before_ttl", 59 * time.Minute, srv.URL + "/a", 1, first},
		{"requested_again_after_ttl", time.Minute, srv.URL + "/a", 2, first.Add(time.Hour)},
		{"other_link", 0, srv.URL + "/b", 3, first.Add(time.Hour)},
		{"third_link_evicts_the_least_recent", 0, srv.URL + "/c", 4, first.Add(time.Hour)},
		{"evicted_link_is_requested", 0, srv.URL + "/a", 5, first.Add(time.Hour)},
	}
	for _, s := range steps {
		clk.advance(s.advance)
		got := c.Check(context.Background(), s.link, false)
		if got.Verdict != OK || !got.Checked.Equal(s.checked) {
			t.Errorf("%s: Check(%q) = %v checked %v, want ok checked %v", s.name, s.link, got.Verdict, got.Checked, s.checked)
		}
		if n := requests.Load(); n != s.requests {
			t.Errorf("%s: server saw %d requests, want %d", s.name, n, s.requests)
		}
	}
}

func TestCheckCancelled(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
	}))
	defer srv.Close()
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true}, srv)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := c.Check(ctx, srv.URL+"/", false)
	want := Result{Verdict: Warning, FinalURL: srv.URL + "/", Message: "The link was not checked because the check was cancelled."}
	if diff := cmp.Diff(want, got, ignoreChecked); diff != "" {
		t.Errorf("Check with a cancelled context mismatch (-want +got):\n%s", diff)
	}
	if got := c.Check(context.Background(), srv.URL+"/", false); got.Verdict != OK || requests.Load() != 1 {
		t.Errorf("Check after a cancelled one = %v with %d requests, want ok with 1 (a cancelled check is not cached)", got.Verdict, requests.Load())
	}
}

func TestCheckJob(t *testing.T) {
	var requests atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { requests.Add(1) })
	mux.HandleFunc("/acme/jobs/4012345", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Redirect(w, r, "/acme?error=true", http.StatusFound)
	})
	mux.HandleFunc("/acme/jobs/555", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Redirect(w, r, "/acme/jobs/555-senior-engineer", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/acme/jobs/777", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Redirect(w, r, "/careers/missing", http.StatusFound)
	})
	mux.HandleFunc("/careers/missing", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _, _ := newTestChecker(t, Options{AllowLoopback: true}, srv)

	const closed = "The link now redirects to what looks like a general careers, jobs or search page, so the job may have closed."
	steps := []struct {
		name     string
		path     string
		job      bool
		want     Result
		requests int32
	}{
		{"job_redirected_to_the_board_may_be_closed", "/acme/jobs/4012345", true,
			Result{Verdict: MayBeClosed, Status: 200, FinalURL: srv.URL + "/acme?error=true", Message: closed}, 2},
		{"same_link_not_a_job_is_ok_from_the_cache", "/acme/jobs/4012345", false,
			Result{Verdict: OK, Status: 200, FinalURL: srv.URL + "/acme?error=true"}, 2},
		{"job_again_from_the_cache", "/acme/jobs/4012345", true,
			Result{Verdict: MayBeClosed, Status: 200, FinalURL: srv.URL + "/acme?error=true", Message: closed}, 2},
		{"job_redirected_to_its_slug_is_ok", "/acme/jobs/555", true,
			Result{Verdict: OK, Status: 200, FinalURL: srv.URL + "/acme/jobs/555-senior-engineer"}, 4},
		{"job_without_redirect_is_ok", "/acme/jobs/999", true,
			Result{Verdict: OK, Status: 200, FinalURL: srv.URL + "/acme/jobs/999"}, 5},
		{"job_redirected_to_a_404_is_a_problem", "/acme/jobs/777", true,
			Result{Verdict: Problem, Status: 404, FinalURL: srv.URL + "/careers/missing", Message: "The page was not found (HTTP 404)."}, 7},
	}
	for _, s := range steps {
		got := c.Check(context.Background(), srv.URL+s.path, s.job)
		if diff := cmp.Diff(s.want, got, ignoreChecked); diff != "" {
			t.Errorf("%s: Check(%q, %v) mismatch (-want +got):\n%s", s.name, s.path, s.job, diff)
		}
		if n := requests.Load(); n != s.requests {
			t.Errorf("%s: server saw %d requests in all, want %d", s.name, n, s.requests)
		}
	}
}

func TestNormalise(t *testing.T) {
	c := New(Options{AllowLoopback: true, Ports: []int{8080}})
	tests := []struct{ in, want string }{
		{"HTTP://Example.COM:80/Jobs/1?b=2&a=1#apply", "http://example.com/Jobs/1?b=2&a=1"},
		{"https://example.com:443", "https://example.com/"},
		{"  https://example.com./x  ", "https://example.com/x"},
		{"https://b\u00fccher.example/", "https://xn--bcher-kva.example/"},
		{"http://example.com:8080/", "http://example.com:8080/"},
		{"http://[::FFFF:127.0.0.1]:8080/", "http://[::ffff:127.0.0.1]:8080/"},
		{"http://[::1]/", "http://[::1]/"},
		{"http://localhost/", "http://localhost/"},
	}
	for _, tt := range tests {
		u, r := c.normalise(tt.in)
		if r != nil {
			t.Errorf("normalise(%q) refused: %v", tt.in, r)
			continue
		}
		if got := u.String(); got != tt.want {
			t.Errorf("normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
