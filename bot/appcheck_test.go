package bot

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// frontedBot is simBot with GitHub's address a front server before the
// simulator: closing the front leaves nothing listening there, as when
// GitHub cannot be reached. It logs JSON into logs.
func frontedBot(t *testing.T, logs *simtest.Buffer) (*Bot, *githubsim.Sim, *atomic.Bool, *httptest.Server) {
	t.Helper()
	var front *httptest.Server
	b, sim, refuse := simBotWithLog(t, slog.New(slog.NewJSONHandler(logs, nil)), func(cfg *Config) {
		target, err := url.Parse(cfg.APIURL)
		if err != nil {
			t.Fatal(err)
		}
		front = httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
		t.Cleanup(front.Close)
		cfg.APIURL = front.URL + "/"
		cfg.DrainDelay, cfg.ResyncEvery = 0, 0
	})
	return b, sim, refuse, front
}

// A failed check of the credentials says which of three things went
// wrong, and what to do about it: nothing answers at GitHub's address
// (the network, GITHUB_API_URL: the bot keeps trying), GitHub refuses the
// credentials (the app id and the private key), GitHub fails (it keeps
// trying). So do /readyz and the logs, at start-up and once running.
func TestCheckOfTheCredentialsSaysWhatFailed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fail   func(sim *githubsim.Sim, refuse *atomic.Bool, front *httptest.Server)
		want   func(addr string) []string
		never  string // what would point the wrong way
		reason string // the logs' field
		ready  int    // /readyz once the credentials have worked
	}{
		{
			name: "nothing_listens_at_GitHub's_address",
			fail: func(_ *githubsim.Sim, _ *atomic.Bool, front *httptest.Server) { front.Close() },
			want: func(addr string) []string {
				return []string{"could not reach GitHub at " + addr, "connection refused", "keeps trying", EnvAPIURL}
			},
			never: "check the app id", reason: "unreachable", ready: http.StatusOK,
		},
		{
			name: "GitHub_answers_401",
			fail: func(_ *githubsim.Sim, refuse *atomic.Bool, _ *httptest.Server) { refuse.Store(true) },
			want: func(string) []string {
				return []string{"GitHub refuses the app's credentials", "401", "check the app id and the private key", EnvAppID}
			},
			never: "keeps trying", reason: "refused", ready: http.StatusServiceUnavailable,
		},
		{
			name: "GitHub_answers_502",
			fail: func(sim *githubsim.Sim, _ *atomic.Bool, _ *httptest.Server) {
				sim.AddFault(githubsim.Fault{Route: "GET /app", Kind: githubsim.FaultServerError, Status: http.StatusBadGateway})
			},
			want:  func(string) []string { return []string{"GitHub is having trouble", "502", "keeps trying"} },
			never: "check the app id", reason: "github_error", ready: http.StatusOK,
		},
	} {
		says := func(t *testing.T, what, got string, want []string) {
			t.Helper()
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s = %q, want it to say %q", what, got, w)
				}
			}
			if strings.Contains(got, tc.never) {
				t.Errorf("%s = %q, which says %q", what, got, tc.never)
			}
		}

		t.Run(tc.name+"/at_start-up", func(t *testing.T) {
			var logs simtest.Buffer
			b, sim, refuse, front := frontedBot(t, &logs)
			want := tc.want(front.Listener.Addr().String())
			tc.fail(sim, refuse, front)
			err := b.Identify(context.Background())
			if err == nil {
				t.Fatal("Identify() = nil")
			}
			says(t, "Identify()", err.Error(), want)
			code, body := get(t, b.Handler(), "/readyz")
			if code != http.StatusServiceUnavailable {
				t.Errorf("/readyz = %d, want 503", code)
			}
			says(t, "/readyz", body, want)

			// Serve: a refusal ends it; otherwise it warns, and retries.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			served := make(chan error, 1)
			go func() { served <- b.Serve(ctx, ln) }()
			if tc.reason == "refused" {
				select {
				case err := <-served:
					if err == nil {
						t.Fatal("Serve() = nil")
					}
					says(t, "Serve()", err.Error(), want)
				case <-time.After(10 * time.Second):
					t.Fatal("Serve kept going with refused credentials")
				}
				return
			}
			line := waitForLog(t, &logs, `"reason":"`+tc.reason+`"`)
			says(t, "the warning", line, append(want, `"level":"WARN"`, "retrying", `"addr":"`+front.Listener.Addr().String()+`"`))
			cancel()
			if err := <-served; err != nil {
				t.Errorf("Serve() = %v", err)
			}
		})

		t.Run(tc.name+"/once_running", func(t *testing.T) {
			var logs simtest.Buffer
			b, sim, refuse, front := frontedBot(t, &logs)
			want := tc.want(front.Listener.Addr().String())
			if err := b.Identify(context.Background()); err != nil {
				t.Fatal(err)
			}
			tc.fail(sim, refuse, front)
			b.expireCheck()
			code, body := get(t, b.Handler(), "/readyz")
			if code != tc.ready {
				t.Errorf("/readyz = %d, want %d", code, tc.ready)
			}
			says(t, "/readyz", body, want)
			line := waitForLog(t, &logs, `"reason":"`+tc.reason+`"`)
			says(t, "the warning", line, append(want, `"level":"WARN"`))
		})
	}
}

// waitForLog waits for a log line that says s, and returns it.
func waitForLog(t *testing.T, logs *simtest.Buffer, s string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, s) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line says %s:\n%s", s, logs.String())
		}
	}
}
