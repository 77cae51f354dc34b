package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os/exec"
	"regexp"
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
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "demo", "--serve")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })

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
