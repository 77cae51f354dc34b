package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDemoServeBanner runs "demo --serve" as a person (or a check) would
// and uses what its banner prints, the lines outside clients read: the
// API URL with each token, and the webhook URL with its secret.
func TestDemoServeBanner(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	out := startDemoServe(t, time.Minute)

	banner := map[string]string{}
	line := regexp.MustCompile(`^  (API|maintainer token|member token|webhook|webhook secret|installation):\s+(\S+)`)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			banner[m[1]] = m[2]
		}
		if _, ok := banner["installation"]; ok {
			break
		}
	}
	for _, k := range []string{"API", "maintainer token", "member token", "webhook", "webhook secret", "installation"} {
		if banner[k] == "" {
			t.Fatalf("the banner has no %q line; it printed %v", k, banner)
		}
	}
	go func() { // keep reading so the demo never blocks on its output
		for sc.Scan() {
		}
	}()

	req, _ := http.NewRequest(http.MethodGet, banner["API"]+"/repos/todo/ospology/issues", nil)
	req.Header.Set("Authorization", "Bearer "+banner["maintainer token"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET issues with the maintainer token: %v %v", resp, err)
	}
	resp.Body.Close()

	body := `{"zen":"Design for failure.","hook_id":1,"installation":{"id":` + banner["installation"] + `}}`
	m := hmac.New(sha256.New, []byte(banner["webhook secret"]))
	m.Write([]byte(body))
	req, _ = http.NewRequest(http.MethodPost, banner["webhook"], strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "ping")
	req.Header.Set("X-GitHub-Delivery", "from-a-person")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(m.Sum(nil)))
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode >= 300 {
		t.Fatalf("a ping signed with the banner's secret: %v %v, want it taken", resp, err)
	}
	resp.Body.Close()
}

// TestDemoServeFinishTheMonth runs the banner's last recipe exactly as it
// is printed, each curl line as the HTTP request curl would send: the
// maintainer opens the next draft, finds its number and node_id among the
// open pulls, marks it ready through GraphQL and merges it, and the bot
// publishes the edition.
func TestDemoServeFinishTheMonth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	out := startDemoServe(t, 2*time.Minute)

	// The recipe: the curl lines after "Finish the next month", up to the
	// blank line that ends them; a trailing backslash continues a line.
	var recipe []string
	inRecipe := false
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Finish the next month with curl") {
			inRecipe = true
			continue
		}
		if !inRecipe {
			continue
		}
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" && len(recipe) > 0:
		case strings.HasPrefix(trimmed, "curl "):
			recipe = append(recipe, trimmed)
			continue
		case len(recipe) > 0 && strings.HasSuffix(recipe[len(recipe)-1], `\`):
			recipe[len(recipe)-1] = strings.TrimSuffix(recipe[len(recipe)-1], `\`) + trimmed
			continue
		default:
			continue
		}
		break
	}
	go func() { // keep reading so the demo never blocks on its output
		for sc.Scan() {
		}
	}()
	if len(recipe) != 5 {
		t.Fatalf("the banner's recipe to finish the month has %d curl lines, want 5: %q", len(recipe), recipe)
	}
	var reqs []curlRequest
	for _, line := range recipe {
		r, err := parseCurl(line)
		if err != nil {
			t.Fatalf("parse %q: %v", line, err)
		}
		reqs = append(reqs, r)
	}
	draftCmd, listCmd, readyCmd, mergeCmd, readCmd := reqs[0], reqs[1], reqs[2], reqs[3], reqs[4]

	// A person takes a moment to type. GitHub's timestamps have whole
	// seconds, and the bot takes "/newsletter draft" written in the second
	// the last edition was merged as written while it was being prepared
	// (it does not open the next draft then): the story merged just before
	// the banner, so go on in the next second.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
	if status, body := draftCmd.do(t, nil); status != http.StatusCreated {
		t.Fatalf("%s = %d %s, want 201", draftCmd, status, body)
	}
	// A moment later the bot has opened the draft.
	var draft struct {
		Number int    `json:"number"`
		NodeID string `json:"node_id"`
		Draft  bool   `json:"draft"`
		Head   struct {
			Ref string `json:"ref"`
		} `json:"head"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for draft.Number == 0 {
		status, body := listCmd.do(t, nil)
		var pulls []json.RawMessage
		if status != http.StatusOK || json.Unmarshal(body, &pulls) != nil {
			t.Fatalf("%s = %d %s, want 200 and a list", listCmd, status, body)
		}
		for _, p := range pulls {
			if err := json.Unmarshal(p, &draft); err != nil {
				t.Fatal(err)
			}
			if draft.Draft && strings.HasPrefix(draft.Head.Ref, "newsletter/edition-") {
				break
			}
			draft.Number = 0
		}
		if draft.Number == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("no draft among the open pulls 30 s after %s: %s", draftCmd, body)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	fill := strings.NewReplacer("NODE_ID", draft.NodeID, "NUMBER", strconv.Itoa(draft.Number))

	status, body := readyCmd.do(t, fill)
	want := fmt.Sprintf(`{"data":{"markPullRequestReadyForReview":{"pullRequest":{"number":%d,"isDraft":false}}}}`, draft.Number)
	if status != http.StatusOK || string(body) != want {
		t.Fatalf("%s = %d %s, want 200 %s", readyCmd, status, body, want)
	}
	status, body = mergeCmd.do(t, fill)
	var merged struct {
		Merged bool   `json:"merged"`
		SHA    string `json:"sha"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &merged) != nil || !merged.Merged {
		t.Fatalf("%s = %d %s, want the draft merged", mergeCmd, status, body)
	}

	// The bot publishes: a comment on the event links to the edition at
	// the merge commit.
	for deadline := time.Now().Add(30 * time.Second); ; {
		status, body := readCmd.do(t, nil)
		var comments []struct {
			Body string `json:"body"`
			User struct {
				Login string `json:"login"`
			} `json:"user"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &comments) != nil {
			t.Fatalf("%s = %d %s, want 200 and a list", readCmd, status, body)
		}
		published := false
		for _, c := range comments {
			published = published || (c.User.Login == "newsletter-bot[bot]" && strings.Contains(c.Body, "Published in") && strings.Contains(c.Body, "/blob/"+merged.SHA+"/"))
		}
		if published {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no \"Published in\" comment linking to %s 30 s after the merge; %s answers %s", merged.SHA, readCmd, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// curlRequest is what a curl command line of the banner sends.
type curlRequest struct {
	method, url, body string
	header            http.Header
}

func (r curlRequest) String() string { return r.method + " " + r.url }

// parseCurl reads the curl lines the banner prints, the way a POSIX shell
// splits them and curl reads its options: -s, -H "Name: value", -d 'data'
// (a POST unless -X says otherwise) and -X METHOD, and one URL.
func parseCurl(line string) (curlRequest, error) {
	words, err := shellWords(line)
	if err != nil {
		return curlRequest{}, err
	}
	if len(words) == 0 || words[0] != "curl" {
		return curlRequest{}, fmt.Errorf("not a curl command")
	}
	r := curlRequest{method: http.MethodGet, header: http.Header{}}
	explicit := ""
	for i := 1; i < len(words); i++ {
		w := words[i]
		next := func() (string, error) {
			if i+1 >= len(words) {
				return "", fmt.Errorf("%s needs a value", w)
			}
			i++
			return words[i], nil
		}
		switch w {
		case "-s":
		case "-H":
			v, err := next()
			if err != nil {
				return r, err
			}
			name, value, ok := strings.Cut(v, ":")
			if !ok {
				return r, fmt.Errorf("header %q", v)
			}
			r.header.Set(name, strings.TrimSpace(value))
		case "-d":
			v, err := next()
			if err != nil {
				return r, err
			}
			r.body, r.method = v, http.MethodPost
			r.header.Set("Content-Type", "application/x-www-form-urlencoded") // curl's, for -d
		case "-X":
			if explicit, err = next(); err != nil {
				return r, err
			}
		default:
			if strings.HasPrefix(w, "-") || r.url != "" {
				return r, fmt.Errorf("unexpected %q", w)
			}
			r.url = w
		}
	}
	if explicit != "" {
		r.method = explicit
	}
	if r.url == "" {
		return r, fmt.Errorf("no URL")
	}
	return r, nil
}

// shellWords splits a command line as a POSIX shell does for what the
// banner prints: words in single quotes (literal) or double quotes, and a
// # comment to the end of the line.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case c == '#' && !inWord:
			return words, nil
		case c == '\'' || c == '"':
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unclosed %c", c)
			}
			quoted := line[i+1 : i+1+end]
			if c == '"' && strings.ContainsAny(quoted, "$`\\") {
				return nil, fmt.Errorf("double quotes with shell expansions: %q", quoted)
			}
			cur.WriteString(quoted)
			inWord = true
			i += end + 1
		case c == '\\' || c == '$' || c == '`':
			return nil, fmt.Errorf("unquoted %c", c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// do sends the request, with the reader's values filled in for the
// recipe's placeholders, and returns the status and body.
func (r curlRequest) do(t *testing.T, fill *strings.Replacer) (int, []byte) {
	t.Helper()
	url, body := r.url, r.body
	if fill != nil {
		url, body = fill.Replace(url), fill.Replace(body)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(r.method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// startDemoServe builds the binary and runs demo --serve for at most
// timeout (it is stopped when the test ends); it returns its stdout.
func startDemoServe(t *testing.T, timeout time.Duration) io.Reader {
	t.Helper()
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	cmd := exec.CommandContext(ctx, bin, "demo", "--serve")
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	return out
}
