package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/newsletter-bot/newsletter-bot/bot"
	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/pace"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// The benchmark's knobs, read from the environment.
const (
	envBenchSubmissions = "NEWSLETTER_BENCH_SUBMISSIONS" // submissions (issues) in the repository; 2,000
	envBenchDeliveries  = "NEWSLETTER_BENCH_DELIVERIES"  // issues.edited deliveries in the burst; 20,000
	envBenchSenders     = "NEWSLETTER_BENCH_SENDERS"     // concurrent senders; 32
	// envBenchSpeed multiplies GitHub's limits (secondary and primary) and
	// the bot's pacing alike; defaultBenchSpeed when unset.
	envBenchSpeed = "NEWSLETTER_BENCH_SPEED"
	// envBenchLog names a file to keep the bot's log in (JSON lines).
	envBenchLog = "NEWSLETTER_BENCH_LOG"
	// envBenchAccepted, set to 1, files the submissions accepted: every
	// edit then changes a line of the draft, which is committed (by
	// default they wait for review, and an edit changes their status only).
	envBenchAccepted = "NEWSLETTER_BENCH_ACCEPTED"
)

// defaultBenchSpeed runs the limits a hundred times faster than GitHub's:
// the bot paces 7,000 writes a minute, so the start-up pass's 2,000 status
// comments (at the bulk share of the pace) take about 25 s, and a burst
// that costs a write or a few a submission (its status comment, the
// draft's record when it changes) at most about a minute, if the bot keeps
// up with its pace.
const defaultBenchSpeed = 100

// burstReconcileSlack is how many reconciles beyond one per submission the
// burst may cost.
const burstReconcileSlack = 50

// BenchmarkBurst is the benchmark of the issue "Scale within GitHub's
// limits": the real binary, against a local GitHub that enforces the
// secondary limits (scaled by a speed factor S, the bot's pacing and the
// primary limit scaled alike), takes a burst of signed issues.edited
// deliveries (by default ten for each of 2,000 submissions whose bodies
// were all edited while the month's draft is open) from 32 senders at once. It
// prints one table and checks the issue's targets: no delivery refused, at
// most one reconcile per submission (plus a few), every status comment
// right within (writes ÷ the pacing rate) + 10 s, and no request refused
// by GitHub's secondary limits.
//
//	go test -run XXX -bench Burst -benchtime 1x ./cmd/newsletter-bot/
func BenchmarkBurst(b *testing.B) {
	if testing.Short() {
		b.Skip("builds the binary, files thousands of submissions and runs for minutes")
	}
	b.StopTimer()
	n := benchEnvInt(b, envBenchSubmissions, 2000)
	deliveries := benchEnvInt(b, envBenchDeliveries, 20000)
	senders := benchEnvInt(b, envBenchSenders, 32)
	speed := float64(defaultBenchSpeed)
	if v := os.Getenv(envBenchSpeed); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || math.IsInf(f, 0) {
			b.Fatalf("%s=%q: want a positive number", envBenchSpeed, v)
		}
		speed = f
	}
	scaled := func(limit int) int { return max(1, int(math.Round(float64(limit)*speed))) }
	limits := pace.Limits{PerMinute: scaled(pace.DefaultLimits.PerMinute), PerHour: scaled(pace.DefaultLimits.PerHour)}
	ghLimits := githubsim.SecondaryLimits{Enforce: true, PerMinute: scaled(80), PerHour: scaled(500)}
	perSecond := float64(limits.PerMinute) / 60

	check := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	bin := buildBinary(b)
	// No webhook URL: what the simulated people do reaches the bot only as
	// the benchmark's own deliveries.
	sim := githubsim.New(githubsim.Options{SecondaryLimits: ghLimits, RateLimit: scaled(5000)})
	b.Cleanup(sim.Close)
	check(simtest.Setup(sim, ""))
	env := append(serveEnv(b, sim),
		bot.EnvWritesPerMinute+"="+strconv.Itoa(limits.PerMinute), bot.EnvWritesPerHour+"="+strconv.Itoa(limits.PerHour))

	// The month's draft is open whatever the day, as it is most of the
	// month: an edit may change what the draft records.
	draft := exec.Command(bin, "draft", "--repo", simtest.Repo)
	draft.Env = env
	if out, err := draft.CombinedOutput(); err != nil {
		b.Fatalf("newsletter-bot draft: %v\n%s", err, out)
	}
	filing := time.Now()
	numbers := make([]int, n)
	accepted := os.Getenv(envBenchAccepted) == "1"
	forms := drafts.DefaultForms()
	for i := range n {
		labels := forms[drafts.KindJob].Labels
		if accepted {
			labels = append(slices.Clone(labels), drafts.DefaultConfig().Labels.Accepted)
		}
		is, err := sim.Actor(simtest.Member).OpenIssueFromForm(simtest.Repo, "Job", forms[drafts.KindJob].RenderBody(burstJob(i, "Alpha")), labels...)
		check(err)
		numbers[i] = is.Number
	}
	b.Logf("filed %d submissions in %s", n, time.Since(filing).Round(time.Millisecond))

	addr := freeAddr(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(env, bot.EnvAddr+"="+addr, bot.EnvResyncEvery+"=0") // 0: the pass at start-up, then none
	logs := &simtest.Buffer{}
	cmd.Stderr = logs
	if path := os.Getenv(envBenchLog); path != "" {
		f, err := os.Create(path)
		check(err)
		defer f.Close()
		cmd.Stderr = io.MultiWriter(logs, f)
	}
	check(cmd.Start())
	b.Cleanup(func() { cancel(); cmd.Wait() })
	base := "http://" + addr
	waitFor(b, base+"/readyz", 20*time.Second)
	started := time.Now()

	// The start-up pass writes every submission's first status comment, at
	// the bulk share of the pace; the burst is measured after it.
	startup := time.Duration(2*float64(n)/perSecond*float64(time.Second)) + 2*time.Minute
	passes := waitMetric(b, base, "newsletter_bot_resync_passes_total", func(v float64) bool { return v >= 1 }, startup)
	if passes[`newsletter_bot_resync_passes_total{outcome="ok"}`] != 1 {
		b.Fatalf("the start-up resync pass failed: %v\n%s", passes, logTail(logs.String(), 20))
	}
	if wrong := wrongStatuses(sim, numbers, "Alpha"); len(wrong) > 0 {
		b.Fatalf("after the start-up pass %d of %d submissions have no status comment (first: #%d)", len(wrong), n, wrong[0])
	}
	b.Logf("the start-up pass took %s", time.Since(started).Round(time.Millisecond))

	// Every body changes (a new job title), so every status comment must;
	// the simulator sends no webhook for it.
	sim.ResetStats()
	before := scrapeMetrics(b, base)
	for i, number := range numbers {
		body := forms[drafts.KindJob].RenderBody(burstJob(i, "Bravo"))
		_, err := sim.Actor(simtest.Member).EditIssue(simtest.Repo, number, githubsim.IssueEdit{Body: &body})
		check(err)
	}
	payloads := editedPayloads(b, sim, numbers)

	// The burst: deliveries round-robin over the submissions, from senders
	// at once, as GitHub would send them. The wait for the statuses is
	// bounded so that the run ends within go test's ten minutes.
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	defer client.CloseIdleConnections()
	statuses := make([]map[int]int, senders) // per sender: answers by status, 0 for none
	var next atomic.Int64
	var wg sync.WaitGroup
	within := max(5*time.Minute, time.Duration(3*float64(n)/perSecond*float64(time.Second)))
	botCPU, ownCPU := processCPU(b, cmd.Process.Pid), selfCPU(b)
	b.StartTimer()
	start := time.Now()
	type rightness struct {
		took time.Duration // -1: not within
		left int           // statuses still wrong then
	}
	right := make(chan rightness, 1)
	go func() {
		took, left := waitRight(sim, numbers, start, within)
		right <- rightness{took, left}
	}()
	for s := range senders {
		statuses[s] = map[int]int{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				d := next.Add(1) - 1
				if d >= int64(deliveries) {
					return
				}
				statuses[s][deliver(client, base, payloads[d%int64(n)], fmt.Sprintf("burst-%d", d))]++
			}
		}()
	}
	wg.Wait()
	sent := time.Since(start)
	r := <-right
	b.StopTimer()
	botCPU, ownCPU = processCPU(b, cmd.Process.Pid)-botCPU, selfCPU(b)-ownCPU
	wall := time.Since(start)

	// What the burst cost, once the bot is idle again (if it got there).
	after := scrapeMetrics(b, base)
	if r.took >= 0 {
		after = waitMetric(b, base, "newsletter_bot_webhook_queue_depth", func(v float64) bool { return v == 0 }, 2*time.Minute)
		time.Sleep(time.Second) // a last write may still be on its way
	}
	stats := sim.Stats()
	peak := peakRSS(b, cmd.Process.Pid)
	idle := procMemory(b, cmd.Process.Pid, "VmRSS")
	delta := func(k string) float64 { return after[k] - before[k] }
	outcomes := map[string]float64{}
	for _, o := range []string{bot.OutcomeHandled, bot.OutcomeCoalesced, bot.OutcomeFailed, bot.OutcomeDropped, bot.OutcomeRejected} {
		outcomes[o] = delta(`newsletter_bot_webhook_deliveries_total{action="edited",event="issues",outcome="` + o + `"}`)
	}
	reconciles := int(outcomes[bot.OutcomeHandled] + outcomes[bot.OutcomeFailed])
	handling := delta(`newsletter_bot_webhook_handler_duration_seconds_sum{event="issues"}`)
	handled := delta(`newsletter_bot_webhook_handler_duration_seconds_count{event="issues"}`)
	refusedByGitHub := 0.0
	for k := range after {
		if strings.HasPrefix(k, "newsletter_bot_github_requests_total{") && (strings.Contains(k, `status="403"`) || strings.Contains(k, `status="429"`)) {
			refusedByGitHub += delta(k)
		}
	}
	answers := map[int]int{}
	refused := 0
	for _, m := range statuses {
		for status, count := range m {
			answers[status] += count
			if status < 200 || status > 299 {
				refused += count
			}
		}
	}
	writes := contentWrites(stats)
	target := time.Duration(float64(writes)/perSecond*float64(time.Second)) + 10*time.Second

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	state := "waiting for review"
	if accepted {
		state = "accepted, in the draft"
	}
	fmt.Fprintf(w, "\nBurst of %d issues.edited deliveries about %d submissions (%s) from %d senders, speed ×%g\n", deliveries, n, state, senders, speed)
	fmt.Fprintf(w, "GitHub allows %d writes a minute, %d an hour and %d requests an hour; the bot paces %d and %d writes\n\n",
		ghLimits.PerMinute, ghLimits.PerHour, scaled(5000), limits.PerMinute, limits.PerHour)
	fmt.Fprintf(w, "deliveries sent\t%d\tin %s\n", deliveries, sent.Round(time.Millisecond))
	fmt.Fprintf(w, "refused (not 2xx)\t%d\t%s; target 0\n", refused, formatAnswers(answers))
	fmt.Fprintf(w, "reconciles run\t%d\thandled %.0f, failed %.0f, coalesced %.0f, dropped %.0f, rejected %.0f; target ≤ %d\n", reconciles,
		outcomes[bot.OutcomeHandled], outcomes[bot.OutcomeFailed], outcomes[bot.OutcomeCoalesced], outcomes[bot.OutcomeDropped], outcomes[bot.OutcomeRejected], n+burstReconcileSlack)
	if handled > 0 {
		fmt.Fprintf(w, "time a reconcile took\t%s\ton average, not counting its wait in the queue\n", time.Duration(handling/handled*float64(time.Second)).Round(time.Millisecond))
	}
	tookText := fmt.Sprintf("not within %s (%d of %d still wrong)", within, r.left, n)
	if r.took >= 0 {
		tookText = r.took.Round(100 * time.Millisecond).String()
	}
	fmt.Fprintf(w, "every status right after\t%s\ttarget ≤ %s (%d writes ÷ %d a minute + 10s)\n", tookText, target.Round(100*time.Millisecond), writes, limits.PerMinute)
	fmt.Fprintf(w, "requests to GitHub\t%d\treads %d, writes %d (%d content-generating)\n", stats.Total, stats.Reads, stats.Writes, writes)
	routes := make([]string, 0, len(stats.ByRoute))
	for r := range stats.ByRoute {
		routes = append(routes, r)
	}
	sort.Slice(routes, func(i, j int) bool {
		if stats.ByRoute[routes[i]] != stats.ByRoute[routes[j]] {
			return stats.ByRoute[routes[i]] > stats.ByRoute[routes[j]]
		}
		return routes[i] < routes[j]
	})
	for _, r := range routes {
		fmt.Fprintf(w, "  %s\t%d\t\n", r, stats.ByRoute[r])
	}
	fmt.Fprintf(w, "secondary-limit refusals\t%d\ttarget 0; peak %d writes in a minute, %d requests at once\n", stats.SecondaryLimited, stats.PeakWritesPerMinute, stats.PeakConcurrent)
	fmt.Fprintf(w, "403 and 429 answers to the bot\t%.0f\tany limit, as the bot's metrics count them\n", refusedByGitHub)
	fmt.Fprintf(w, "CPU over the burst\t%.1f s bot, %.1f s simulator and senders\tin %.1f s on %d CPUs\n", botCPU.Seconds(), ownCPU.Seconds(), wall.Seconds(), runtime.NumCPU())
	fmt.Fprintf(w, "bot's peak RSS\t%d MB\t\n", peak>>20)
	fmt.Fprintf(w, "bot's RSS at the end (idle)\t%d MB\t\n", idle>>20)
	errorsLogged, warnings := countLevels(logs.String())
	fmt.Fprintf(w, "bot's log\t%d errors, %d warnings\t\n", errorsLogged, warnings)
	w.Flush()

	b.ReportMetric(float64(refused), "refused")
	b.ReportMetric(float64(reconciles), "reconciles")
	if r.took >= 0 {
		b.ReportMetric(r.took.Seconds(), "s-until-right")
	}
	b.ReportMetric(target.Seconds(), "s-target")
	b.ReportMetric(float64(writes), "writes")
	b.ReportMetric(float64(stats.Total), "requests")
	b.ReportMetric(float64(stats.SecondaryLimited), "secondary-limited")
	b.ReportMetric(float64(peak>>20), "MB-peak-RSS")
	b.ReportMetric(float64(idle>>20), "MB-idle-RSS")

	if refused > 0 {
		b.Errorf("%d of %d deliveries refused (%s), want none", refused, deliveries, formatAnswers(answers))
	}
	if reconciles > n+burstReconcileSlack {
		b.Errorf("%d deliveries about %d submissions cost %d reconciles, want at most %d", deliveries, n, reconciles, n+burstReconcileSlack)
	}
	if r.took < 0 || r.took > target {
		b.Errorf("every status comment right after %s, want within %s (%d writes at %d a minute, plus 10 s)", tookText, target.Round(100*time.Millisecond), writes, limits.PerMinute)
	}
	if stats.SecondaryLimited > 0 {
		b.Errorf("GitHub refused %d requests for its secondary limits, want none", stats.SecondaryLimited)
	}
	if b.Failed() {
		b.Logf("the bot's last warnings and errors (%d and %d):\n%s", warnings, errorsLogged, logTail(complaints(logs.String()), 10))
	}
}

// burstJob is the i-th job submission's answers, its title ending in
// version ("Engineer 17 Alpha"; no title is a part of another's).
func burstJob(i int, version string) map[string]string {
	return map[string]string{"organization": "Acme", "title": fmt.Sprintf("Engineer %d %s", i, version),
		"link": fmt.Sprintf("https://jobs.example.com/%d", i), "location": "United States"}
}

// wrongStatuses returns the submissions (by number; numbers[i] is the
// i-th job) whose status comment by the bot does not name the job's title
// in version.
func wrongStatuses(sim *githubsim.Sim, numbers []int, version string) []int {
	var wrong []int
	for i, number := range numbers {
		if !statusNames(sim, number, burstJob(i, version)["title"]) {
			wrong = append(wrong, number)
		}
	}
	return wrong
}

// statusNames reports whether issue number's status comment by the bot
// holds want.
func statusNames(sim *githubsim.Sim, number int, want string) bool {
	comments, err := sim.Comments(simtest.Repo, number)
	if err != nil {
		return false
	}
	for _, c := range comments {
		if c.User == simtest.BotLogin && strings.Contains(c.Body, "newsletter-bot:status") && strings.Contains(c.Body, want) {
			return true
		}
	}
	return false
}

// waitRight polls until every submission's status names its new title and
// returns how long after start that was; -1 when it was not within, with
// how many were still wrong then.
func waitRight(sim *githubsim.Sim, numbers []int, start time.Time, within time.Duration) (time.Duration, int) {
	pending := make([]int, len(numbers))
	for i := range numbers {
		pending[i] = i
	}
	for {
		var still []int
		for _, i := range pending {
			if !statusNames(sim, numbers[i], burstJob(i, "Bravo")["title"]) {
				still = append(still, i)
			}
		}
		pending = still
		if len(pending) == 0 {
			return time.Since(start), 0
		}
		if time.Since(start) > within {
			return -1, len(pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// editedPayloads returns, for each submission, the issues.edited payload
// the simulator made for its edit (and did not send): the shape GitHub
// sends, installation, repository, issue, changes and sender included.
func editedPayloads(b *testing.B, sim *githubsim.Sim, numbers []int) [][]byte {
	b.Helper()
	byNumber := map[int][]byte{}
	for _, ev := range sim.Events() {
		if ev.Event != "issues" || ev.Action != "edited" {
			continue
		}
		var p struct {
			Issue struct {
				Number int `json:"number"`
			} `json:"issue"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			b.Fatal(err)
		}
		byNumber[p.Issue.Number] = ev.Payload
	}
	out := make([][]byte, len(numbers))
	for i, number := range numbers {
		if out[i] = byNumber[number]; out[i] == nil {
			b.Fatalf("the simulator made no issues.edited payload for #%d", number)
		}
	}
	return out
}

// deliver posts one signed issues delivery and returns the status of the
// answer (0: none).
func deliver(client *http.Client, base string, payload []byte, id string) int {
	req, err := http.NewRequest(http.MethodPost, base+bot.WebhookPath, strings.NewReader(string(payload)))
	if err != nil {
		return 0
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitHub-Hookshot/bench")
	h.Set("X-GitHub-Event", "issues")
	h.Set("X-GitHub-Delivery", id)
	h.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	h.Set("X-GitHub-Hook-Installation-Target-ID", strconv.Itoa(simtest.AppID))
	h.Set("X-Hub-Signature-256", githubsim.Sign(simtest.WebhookSecret, payload))
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// contentWrites counts the content-generating requests, the ones GitHub's
// secondary limits and the bot's pacing count: writes made with a token,
// not the app's own (/app, with its JWT).
func contentWrites(s githubsim.Stats) int {
	n := 0
	for route, count := range s.ByRoute {
		method, path, _ := strings.Cut(route, " ")
		if method != http.MethodGet && method != http.MethodHead && !strings.HasPrefix(path, "/app") {
			n += count
		}
	}
	return n
}

// scrapeMetrics reads the bot's /metrics, each series by its name and
// labels as the text format prints them.
func scrapeMetrics(b *testing.B, base string) map[string]float64 {
	b.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// waitMetric scrapes the bot's metrics until ok holds for the sum of
// name's series, and returns that scrape.
func waitMetric(b *testing.B, base, name string, ok func(float64) bool, within time.Duration) map[string]float64 {
	b.Helper()
	deadline := time.Now().Add(within)
	for {
		m := scrapeMetrics(b, base)
		sum, found := 0.0, false
		for k, v := range m {
			if k == name || strings.HasPrefix(k, name+"{") {
				sum, found = sum+v, true
			}
		}
		if found && ok(sum) {
			return m
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s = %v (found: %t) after %s", name, sum, found, within)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// formatAnswers prints answers by status: "202: 20000".
func formatAnswers(answers map[int]int) string {
	codes := make([]int, 0, len(answers))
	for c := range answers {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		name := strconv.Itoa(c)
		if c == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, answers[c]))
	}
	return strings.Join(parts, ", ")
}

// countLevels counts the bot's JSON log lines at ERROR and WARN.
func countLevels(logs string) (errs, warnings int) {
	return strings.Count(logs, `"level":"ERROR"`), strings.Count(logs, `"level":"WARN"`)
}

// complaints are the bot's JSON log lines at WARN and ERROR.
func complaints(logs string) string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// logTail is the last n lines of logs.
func logTail(logs string, n int) string {
	lines := strings.Split(strings.TrimRight(logs, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// processCPU is the CPU time (user and system) another process has used,
// from /proc.
func processCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatalf("reading the process's CPU time: %v (this benchmark needs Linux's /proc)", err)
	}
	// After the command name, in parentheses: state is the 3rd field,
	// utime and stime the 14th and 15th, in clock ticks (USER_HZ, 100).
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		b.Fatalf("/proc/%d/stat has %d fields after the name", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * (time.Second / 100)
}

// selfCPU is the CPU time this process (simulator, senders and poller)
// has used.
func selfCPU(b *testing.B) time.Duration {
	return processCPU(b, os.Getpid())
}

// benchEnvInt reads a positive whole number from the environment.
func benchEnvInt(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a whole number of at least 1", name, v)
	}
	return n
}
