package drafts

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// benchIssues returns n accepted submissions of all three kinds, as issues
// filed from the forms, each with its own link.
func benchIssues(n int) []Issue {
	cfg, forms := DefaultConfig(), DefaultForms()
	issues := make([]Issue, n)
	for i := range issues {
		var k Kind
		var a map[string]string
		switch i % 3 {
		case 0:
			k, a = KindJob, with(validJob(), "link", fmt.Sprintf("https://example.com/jobs/%d", i), "location", []string{"Germany", "Remote", "United States", "Japan"}[i%4])
		case 1:
			k, a = KindNews, with(validNews(), "link", fmt.Sprintf("https://example.com/news/%d", i), "summary", "a sentence on why it matters")
		default:
			k, a = KindEvent, with(validEvent(), "link", fmt.Sprintf("https://example.com/events/%d", i), "start_date", fmt.Sprintf("2027-03-%02d", 1+i%28), "end_date", "", "cfp_deadline", "January 10, 2027")
		}
		issues[i] = Issue{Number: i + 1, Title: "suggestion", Body: forms[k].RenderBody(a), State: "open",
			Labels: []Label{{Name: cfg.Labels.ForKind(k)}, {Name: cfg.Labels.Accepted}}}
	}
	return issues
}

// BenchmarkBuild10000 parses, validates, selects and renders an edition of
// 10,000 submissions: go test -run XXX -bench Build10000 -benchmem ./drafts/
func BenchmarkBuild10000(b *testing.B) {
	cfg, forms := DefaultConfig(), DefaultForms()
	issues := benchIssues(10000)
	ed, err := NewEdition(cfg, 44, NewDate(2026, 12, 29))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		res, err := Build(cfg, forms, ed, issues)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Included) != len(issues) {
			b.Fatalf("Build included %d of %d: %v", len(res.Included), len(issues), res.Excluded[:1])
		}
	}
	// CPU time per op, summed over threads: unlike ns/op it barely moves when
	// other processes share the machine.
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
