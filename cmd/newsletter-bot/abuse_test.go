package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/bot"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// TestAbuse runs the real binary (built without the race detector, so its
// memory is what production sees) against the local GitHub and attacks
// its webhook endpoint as anyone on the internet can: bodies over GitHub's
// 25 MB cap, announced and not; twenty 25 MB bodies at once; three
// hundred connections sending their bodies a byte every five seconds;
// unsigned, SHA-1-signed and wrongly typed deliveries; a replay. The
// figures of issue 12 are its assertions: the process's peak memory stays
// under 150 MB, the slow connections are closed within 60 s, and /healthz
// answers all along.
func TestAbuse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs for about 40 s")
	}
	bin := buildBinary(t)
	sim := githubsim.New(githubsim.Options{})
	t.Cleanup(sim.Close)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(simtest.Setup(sim, ""))
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(serveEnv(t, sim), bot.EnvAddr+"="+addr, bot.EnvResyncEvery+"=1h")
	logs := &simtest.Buffer{}
	cmd.Stderr = logs
	check(cmd.Start())
	t.Cleanup(func() { cancel(); cmd.Wait() })
	base := "http://" + addr
	waitFor(t, base+"/readyz", 20*time.Second)
	client := &http.Client{Timeout: 90 * time.Second}

	// The slow connections run while the rest goes on.
	slowDone := make(chan string, 1)
	go func() { slowDone <- slowBodies(base, addr, 300) }()

	t.Run("a body announced over 25 MB is refused before it is read", func(t *testing.T) {
		start := time.Now()
		status := post(t, client, base, "issues", zeros(100<<20), 100<<20, nil)
		if status != http.StatusRequestEntityTooLarge || time.Since(start) > 5*time.Second {
			t.Errorf("100 MB announced: %d after %s, want 413 at once", status, time.Since(start).Round(time.Millisecond))
		}
	})
	t.Run("a body sent without a length is cut at 25 MB", func(t *testing.T) {
		if status := post(t, client, base, "issues", zeros(100<<20), -1, nil); status != http.StatusRequestEntityTooLarge {
			t.Errorf("100 MB unannounced: %d, want 413", status)
		}
	})
	t.Run("twenty 25 MB bodies at once are each refused", func(t *testing.T) {
		var wg sync.WaitGroup
		statuses := make([]int, 20)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = post(t, client, base, "issues", zeros(bot.MaxWebhookBody), bot.MaxWebhookBody, nil)
			}()
		}
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusBadRequest && s != http.StatusServiceUnavailable {
				t.Errorf("body %d: %d, want 400 (unsigned) or 503 (waiting for memory)", i, s)
			}
		}
	})
	payload := []byte(`{"zen":"Keep it logically awesome.","hook_id":1,"installation":{"id":7}}`)
	sign256 := func(body []byte) string {
		m := hmac.New(sha256.New, []byte(simtest.WebhookSecret))
		m.Write(body)
		return "sha256=" + hex.EncodeToString(m.Sum(nil))
	}
	t.Run("unsigned, SHA-1 only, wrongly typed", func(t *testing.T) {
		m := hmac.New(sha1.New, []byte(simtest.WebhookSecret))
		m.Write(payload)
		for name, h := range map[string]map[string]string{
			"unsigned":         {},
			"SHA-1 only":       {"X-Hub-Signature": "sha1=" + hex.EncodeToString(m.Sum(nil))},
			"another secret":   {"X-Hub-Signature-256": "sha256=" + strings.Repeat("0", 64)},
			"wrong media type": {"X-Hub-Signature-256": sign256(payload), "Content-Type": "text/plain"},
		} {
			if status := post(t, client, base, "ping", strings.NewReader(string(payload)), int64(len(payload)), h); status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", name, status)
			}
		}
	})
	t.Run("a replayed delivery is taken twice and does nothing twice", func(t *testing.T) {
		h := map[string]string{"X-Hub-Signature-256": sign256(payload), "X-GitHub-Delivery": "replayed"}
		for i := range 2 {
			if status := post(t, client, base, "ping", strings.NewReader(string(payload)), int64(len(payload)), h); status >= 300 {
				t.Errorf("delivery %d: %d, want it taken", i+1, status)
			}
		}
	})

	hwm := peakRSS(t, cmd.Process.Pid)
	t.Logf("peak memory of the process: %d MB", hwm>>20)
	if hwm > 150<<20 {
		t.Errorf("the process peaked at %d MB, want under 150 MB", hwm>>20)
	}
	if msg := <-slowDone; msg != "" {
		t.Error(msg)
	}
	if strings.Contains(logs.String(), simtest.WebhookSecret) {
		t.Error("the logs hold the webhook secret")
	}
}

// slowBodies opens n connections that announce a 1,000-byte body and send
// a byte every five seconds; it reports what went wrong ("" when every
// connection was closed within 60 s and /healthz answered all along).
func slowBodies(base, addr string, n int) string {
	start := time.Now()
	closed := make(chan time.Duration, n)
	for range n {
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				closed <- 0
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nX-GitHub-Event: issues\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", bot.WebhookPath, addr)
			go func() {
				for range 20 {
					if _, err := c.Write([]byte("{")); err != nil {
						return
					}
					time.Sleep(5 * time.Second)
				}
			}()
			c.SetReadDeadline(time.Now().Add(90 * time.Second))
			io.Copy(io.Discard, bufio.NewReader(c)) // until the server closes
			closed <- time.Since(start)
		}()
	}
	healthy := true
	for time.Since(start) < 40*time.Second {
		resp, err := http.Get(base + "/healthz")
		if err != nil || resp.StatusCode != http.StatusOK {
			healthy = false
		} else {
			resp.Body.Close()
		}
		time.Sleep(2 * time.Second)
	}
	var longest time.Duration
	for range n {
		longest = max(longest, <-closed)
	}
	switch {
	case !healthy:
		return "/healthz did not answer while slow bodies held connections"
	case longest > 60*time.Second:
		return fmt.Sprintf("a slow-body connection stayed open %s, want under 60 s", longest.Round(time.Second))
	}
	return ""
}

// post sends a delivery of event with body (length -1: unannounced) and
// headers, and returns the status (0 when the connection failed without
// one).
func post(t *testing.T, client *http.Client, base, event string, body io.Reader, length int64, headers map[string]string) int {
	req, err := http.NewRequest(http.MethodPost, base+bot.WebhookPath, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", "abuse")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// zeros is n bytes of "0" made as they are read.
func zeros(n int64) io.Reader { return io.LimitReader(zeroReader{}, n) }

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// peakRSS reads a process's peak resident memory (VmHWM) from /proc.
func peakRSS(t testing.TB, pid int) int64 {
	return procMemory(t, pid, "VmHWM")
}

// procMemory reads one of a process's memory figures (VmHWM, VmRSS) from
// /proc, in bytes.
func procMemory(t testing.TB, pid int, field string) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading the process's memory: %v (this test needs Linux's /proc)", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/PID/status", field)
	return 0
}

// serveEnv is the environment that runs the binary as the simulator's app:
// its id, a file holding its key, the webhook secret and the API URL (and
// no key or token the environment may hold).
func serveEnv(t testing.TB, sim *githubsim.Sim) []string {
	t.Helper()
	key, err := simtest.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), bot.EnvAppID+"="+strconv.Itoa(simtest.AppID), bot.EnvPrivateKeyPath+"="+keyFile,
		bot.EnvWebhookSecret+"="+simtest.WebhookSecret, bot.EnvAPIURL+"="+sim.URL()+"/", bot.EnvPrivateKey+"=", EnvToken+"=",
		bot.EnvLinkCheck+"=off") // the test links are example.com's: nothing leaves 127.0.0.1
}

// freeAddr returns a loopback address nothing listens on, for the binary.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// buildBinary builds newsletter-bot, without the race detector.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "newsletter-bot")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func waitFor(t testing.TB, url string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within %s", url, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
