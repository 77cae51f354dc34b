package githubsim

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPageOfRendersOnlyThePage(t *testing.T) {
	items := make([]int, 250)
	for k := range items {
		items[k] = k + 1
	}
	tests := []struct {
		query      string
		first, n   int // the first item of the page and how many
		wantLinkTo string
	}{
		{query: "per_page=100", first: 1, n: 100, wantLinkTo: `page=2>; rel="next"`},
		{query: "per_page=100&page=3", first: 201, n: 50, wantLinkTo: `page=2>; rel="prev"`},
		{query: "page=2", first: 31, n: 30, wantLinkTo: `page=9>; rel="last"`},
		{query: "per_page=100&page=4", n: 0, wantLinkTo: `page=3>; rel="prev"`},
		{query: "page=9223372036854775807", n: 0, wantLinkTo: `page=9>; rel="prev"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			c := &reqCtx{s: &Sim{apiURL: "https://api.example"}, r: httptest.NewRequest(http.MethodGet, "/repos/acme/newsletter/issues?"+tt.query, nil)}
			rendered := 0
			page, h := pageOf(c, items, func(k int) any { rendered++; return k })
			if rendered != tt.n || len(page) != tt.n || (tt.n > 0 && page[0] != tt.first) {
				t.Errorf("rendered %d items for a page of %d starting %v, want %d starting %d", rendered, len(page), page, tt.n, tt.first)
			}
			if page == nil {
				t.Error("page is nil, which encodes as null; want [] for an empty page")
			}
			if link := h.Get("Link"); !strings.Contains(link, tt.wantLinkTo) {
				t.Errorf("Link = %q, want it to hold %q", link, tt.wantLinkTo)
			}
		})
	}
}

// seedIssues appends n open issues by the repository's owner to
// acme/newsletter straight into the state, without webhooks, so that a
// benchmark measures listing and not the delivery of n events.
func seedIssues(tb testing.TB, sim *Sim, n int) {
	tb.Helper()
	sim.mu.Lock()
	defer sim.mu.Unlock()
	r := sim.st.repos[testRepo]
	created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for k := 0; k < n; k++ {
		at := created.Add(time.Duration(k) * time.Minute)
		r.Issues = append(r.Issues, &issue{
			ID: sim.newID("issue"), Number: len(r.Issues) + 1, Title: fmt.Sprintf("Issue %d", k+1),
			Body: "A body long enough to be worth rendering.", User: r.Owner, State: "open",
			Labels: r.Labels[:1], CreatedAt: at, UpdatedAt: at,
		})
	}
}

// BenchmarkListIssuesPage lists one page of 100 issues out of N. Only the
// page is rendered, so the cost per page should stay about the same from
// N=1000 to N=10000; filtering and sorting still walk all N, cheaply.
func BenchmarkListIssuesPage(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			f := newFixture(b, Options{RateLimit: math.MaxInt32})
			seedIssues(b, f.sim, n)
			tok, err := f.sim.InstallationToken(testInstallationID)
			must(b, err)
			req := httptest.NewRequest(http.MethodGet, "/repos/acme/newsletter/issues?per_page=100&page=3", nil)
			req.Header.Set("Authorization", "token "+tok)
			for b.Loop() {
				rec := httptest.NewRecorder()
				f.sim.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s = %d %s", req.URL, rec.Code, rec.Body)
				}
			}
		})
	}
}
