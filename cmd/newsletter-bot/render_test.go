package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../../testdata")

const sample = "../../testdata/sample-issues.json"

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRenderSample(t *testing.T) {
	code, out, errOut := runCLI("render", "--issues", sample, "--number", "44", "--date", "2026-12-29")
	if code != exitOK {
		t.Fatalf("render exit = %d, stderr:\n%s", code, errOut)
	}
	golden := "../../testdata/sample-edition-44.golden.md"
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("render stdout differs from %s:\n%s", golden, out)
	}
	// Every issue left out is on stderr, one line each, "#N: reason".
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "#") || !strings.Contains(l, ": ") {
			t.Errorf("stderr line %q is not \"#N: reason\"", l)
		}
	}
	for _, want := range []string{
		`#104: needs info: Location "Germny" is not a country we know; did you mean Germany?`,
		"#106: awaiting a maintainer's review",
		"#111: needs info: Link was already suggested in #107",
		"#112: declined by a maintainer",
		"#117: the event is over",
		"#120: a pull request, not a submission",
		"#121: not a newsletter submission",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	var issues []json.RawMessage
	data, _ := os.ReadFile(sample)
	_ = json.Unmarshal(data, &issues)
	included := strings.Count(out, "\n- [") // the footer bullets start "- ✨", not "- ["
	if included+len(lines) != len(issues) {
		t.Errorf("%d lines in the edition + %d left out != %d issues", included, len(lines), len(issues))
	}
}

func TestRenderJSON(t *testing.T) {
	code, out, errOut := runCLI("render", "--issues", sample, "--number", "44", "--date", "2026-12-29", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit = %d, stderr:\n%s", code, errOut)
	}
	var report []struct {
		Issue    int    `json:"issue"`
		Kind     string `json:"kind"`
		Valid    bool   `json:"valid"`
		Included bool   `json:"included"`
		Reason   string `json:"reason"`
		Line     string `json:"line"`
		Problems []struct {
			Field, Message string
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("--format json output is not JSON: %v\n%s", err, out)
	}
	byIssue := map[int]int{}
	for i, r := range report {
		byIssue[r.Issue] = i
	}
	if r := report[byIssue[101]]; !r.Valid || !r.Included || !strings.HasPrefix(r.Line, "- [🇺🇸 Comcast | Engineer, Open Source](") {
		t.Errorf("#101 = %+v, want valid, included, with its line", r)
	}
	if r := report[byIssue[104]]; r.Valid || r.Included || len(r.Problems) != 1 || r.Problems[0].Field != "location" {
		t.Errorf("#104 = %+v, want invalid with a location problem", r)
	}
}

func TestRenderBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badJSON := write("bad.json", `[{"number": 1,`)
	notArray := write("obj.json", `{"number": 1}`)
	badConfig := write("newsletter.yml", "version: 1\nsectoins: {}\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"issues that are not JSON", []string{"--issues", badJSON, "--number", "1", "--date", "2026-12-29"}, "is not valid JSON"},
		{"issues that are no array", []string{"--issues", notArray, "--number", "1", "--date", "2026-12-29"}, "is not a JSON array of issues"},
		{"a missing issues file", []string{"--issues", filepath.Join(dir, "nope.json"), "--number", "1", "--date", "2026-12-29"}, "read issues"},
		{"a broken config", []string{"--issues", sample, "--number", "1", "--date", "2026-12-29", "--config", badConfig}, "field sectoins not found"},
		{"no --issues", []string{"--number", "1", "--date", "2026-12-29"}, "--issues is required"},
		{"no --number", []string{"--issues", sample, "--date", "2026-12-29"}, "--number is required"},
		{"a bad --date", []string{"--issues", sample, "--number", "1", "--date", "29/12/2026"}, "--date must be the publication day"},
		{"an unknown --format", []string{"--issues", sample, "--number", "1", "--date", "2026-12-29", "--format", "html"}, "--format must be markdown or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(append([]string{"render"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit = %d, want %d", code, exitUsage)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing written", out)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr = %q, want one line containing %q", errOut, tt.want)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, errOut := runCLI("publish")
	if code != exitUsage || !strings.Contains(errOut, `unknown command "publish"`) {
		t.Errorf("run(publish) = %d, %q; want a usage error", code, errOut)
	}
}

// TestRenderChecksLinksOnlyWhenAsked: render checks no link unless
// --check-links; then a link that answers 404 leaves its submission out and
// a 503 is kept with a warning (against a local server, loopback allowed
// for the test: nothing leaves 127.0.0.1).
func TestRenderChecksLinksOnlyWhenAsked(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/ok":
			fmt.Fprint(rw, "fine")
		case "/busy":
			rw.WriteHeader(http.StatusServiceUnavailable)
		default:
			http.NotFound(rw, r)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	old := renderLinkCheck
	renderLinkCheck = linkcheck.Options{AllowLoopback: true, Ports: []int{port}}
	defer func() { renderLinkCheck = old }()

	forms := drafts.DefaultForms()
	var issues []drafts.Issue
	for i, path := range []string{"/ok", "/gone", "/busy"} {
		body := forms[drafts.KindJob].RenderBody(map[string]string{"organization": "Org " + path, "title": "Engineer",
			"link": srv.URL + path, "location": "Germany"})
		issues = append(issues, drafts.Issue{Number: i + 1, Title: "[Job]: x", Body: body, State: "open",
			Labels: []drafts.Label{{Name: "newsletter: job"}, {Name: "newsletter: accepted"}}})
	}
	data, err := json.Marshal(issues)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "issues.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("render", "--issues", file, "--number", "44", "--date", "2026-12-29")
	if code != exitOK || !strings.Contains(out, srv.URL+"/gone") || requests.Load() != 0 {
		t.Fatalf("without --check-links: exit %d, %d requests, the 404 left out %v\n%s", code, requests.Load(), !strings.Contains(out, "/gone"), errOut)
	}
	code, out, errOut = runCLI("render", "--issues", file, "--number", "44", "--date", "2026-12-29", "--check-links")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, srv.URL+"/gone") || !strings.Contains(out, srv.URL+"/ok") || !strings.Contains(out, srv.URL+"/busy") {
		t.Errorf("with --check-links the edition is:\n%s", out)
	}
	if !strings.Contains(errOut, "#2: link "+srv.URL+"/gone:") || !strings.Contains(errOut, "#3: link "+srv.URL+"/busy (warning, kept)") {
		t.Errorf("stderr does not say what the check found:\n%s", errOut)
	}
}
