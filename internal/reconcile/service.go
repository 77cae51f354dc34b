// Package reconcile holds the newsletter's use cases over GitHub: keep a
// submission's status comment and labels right, answer slash commands
// (commands.go: one table; claims.go: a command's life), keep the next
// edition's draft pull request right, publish a merged edition, and the
// resync that repairs whatever a lost webhook left. Each one reads what is
// on GitHub, computes what should be there with the pure drafts package,
// and writes only the difference, so running one twice, late or
// concurrently with another replica is harmless. Webhook handlers, the
// resync and the CLI all call these; GitHub is reached only through
// GitHub (github.go).
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
)

// Service runs the use cases for one repository with one installation's
// client. A dry run is a client whose transport refuses writes (DryRun):
// the use cases log what they would have written and go on with what they
// can still compute.
type Service struct {
	GH       *GitHub
	Repo     Repo
	Config   *drafts.Config
	Forms    map[drafts.Kind]*drafts.Form
	BotLogin string // the app's user, "<slug>[bot]"
	// DraftAuthors are other users whose draft pull requests count as the
	// bot's own: "newsletter-bot draft" run with a person's token acts as
	// that person, on drafts the app opened.
	DraftAuthors []string
	// Now is the newsletter's calendar: the day that drives editions, the
	// schedule and events (nil: time.Now).
	Now func() time.Time
	// Clock is the time compared with GitHub's timestamps, such as how old
	// a command's claim is (nil: time.Now).
	Clock func() time.Time
	// OnCalendar says where a GitHub timestamp falls on Now's calendar
	// (nil: the two are one clock, as outside the demo and tests): when a
	// command was written, next to when an event ended.
	OnCalendar func(github time.Time) time.Time
	Log        *slog.Logger
	// Memo is the replica's memory between events (nil: none; it only
	// saves requests).
	Memo *Memo
	// ClaimTTL and ClaimWait shape a command's life (see claims.go);
	// zero: DefaultClaimTTL, DefaultClaimWait.
	ClaimTTL, ClaimWait time.Duration
	// Links checks submitted links (nil: no checks; links.check in the
	// repository's config turns them off too).
	Links LinkChecker
}

// LinkChecker checks a submitted link (linkcheck.Checker): it never
// fetches a private or local address, and remembers its answers a day.
type LinkChecker interface {
	Check(ctx context.Context, rawURL string, job bool) linkcheck.Result
}

// Hidden markers find the bot's own comments, pull requests and commits again.
const (
	statusMarker    = "<!-- newsletter-bot:status -->"
	conflictMarker  = "<!-- newsletter-bot:conflict -->"
	configMarker    = "<!-- newsletter-bot:config -->"
	publishedMarker = "<!-- newsletter-bot:published %d -->"
	eventOverMarker = "<!-- newsletter-bot:event-over -->"
	editionMarker   = "<!-- newsletter-bot:edition %d %s %s -->" // number, date, path
	// Trailers end the message of every commit the bot writes: Render on
	// the commit that opens a draft, Merge on the ones that merge into it.
	renderTrailer = "Newsletter-Bot-Render: edition-"
	mergeTrailer  = "Newsletter-Bot-Merge: edition-"
)

// BranchPrefix starts the name of every draft branch: newsletter/edition-44.
const BranchPrefix = "newsletter/edition-"

// BranchFor returns the draft branch of an edition.
func BranchFor(number int) string { return fmt.Sprintf("%s%d", BranchPrefix, number) }

// EditionOfBranch reads the edition number from a draft branch's name.
func EditionOfBranch(branch string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(branch, BranchPrefix))
	if err != nil || n <= 0 || BranchFor(n) != branch {
		return 0, false
	}
	return n, true
}

// ErrConfig wraps a repository configuration that does not load.
var ErrConfig = errors.New("broken configuration")

// LoadConfig reads .github/newsletter.yml from the repository's default
// branch, else from the organization's .github repository, else returns the
// defaults. A file that exists but does not decode is an ErrConfig naming
// the file and the problem.
func LoadConfig(ctx context.Context, gh *GitHub, r Repo) (*drafts.Config, string, error) {
	places := []Repo{r}
	if r.Name != ".github" {
		places = append(places, Repo{Owner: r.Owner, Name: ".github"})
	}
	for _, p := range places {
		text, err := gh.File(ctx, p, "", drafts.ConfigPath)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		where := p.FullName() + "/" + drafts.ConfigPath
		cfg, err := drafts.ParseConfig([]byte(text))
		if err != nil {
			return nil, where, fmt.Errorf("%w: %s: %w", ErrConfig, p.FullName(), err)
		}
		return cfg, where, nil
	}
	return drafts.DefaultConfig(), "", nil
}

// ReportConfig keeps one issue open in the repository while its config is
// broken, saying what is wrong, and closes it once the config loads
// (cfgErr nil). It is how a broken config reaches the maintainers.
func (s *Service) ReportConfig(ctx context.Context, cfgErr error) error {
	issues, err := s.GH.Issues(ctx, s.Repo, IssueFilter{Creator: s.BotLogin})
	if err != nil {
		return err
	}
	var open *drafts.Issue
	for i := range issues {
		if strings.Contains(issues[i].Body, configMarker) {
			open = &issues[i]
			break
		}
	}
	if cfgErr == nil {
		if open == nil {
			return nil
		}
		if err := s.write("say the configuration loads again", open.Number, func() error {
			_, err := s.GH.CreateComment(ctx, s.Repo, open.Number, "The configuration loads again; closing.")
			return err
		}); err != nil {
			return err
		}
		return s.write("close the configuration issue", open.Number, func() error {
			return s.GH.CloseIssue(ctx, s.Repo, open.Number, "completed")
		})
	}
	body := configMarker + "\n" + fmt.Sprintf("newsletter-bot cannot read this repository's configuration, so it "+
		"is not handling submissions or drafts until it is fixed:\n\n%s\n"+
		"Fix `%s` on the default branch; this issue closes by itself once the file loads.",
		drafts.CodeBlock("", strings.TrimPrefix(cfgErr.Error(), ErrConfig.Error()+": ")), drafts.ConfigPath)
	if open != nil {
		if open.Body == body {
			return nil
		}
		return s.write("update the configuration issue", open.Number, func() error {
			return s.GH.EditIssueBody(ctx, s.Repo, open.Number, body)
		})
	}
	n, err := s.GH.CreateIssue(ctx, s.Repo, "newsletter-bot: the configuration is broken", body)
	if errors.Is(err, ErrDryRun) {
		s.Logger().Info("dry run: would open an issue about the broken configuration", "error", cfgErr)
		return nil
	}
	if err != nil {
		return err
	}
	// Two replicas may report at the same moment: the later one sees both
	// and closes its own (compare keepOldest).
	issues, err = s.GH.Issues(ctx, s.Repo, IssueFilter{Creator: s.BotLogin})
	if err != nil {
		return err
	}
	for _, i := range issues {
		if strings.Contains(i.Body, configMarker) && i.Number < n {
			return s.GH.CloseIssue(ctx, s.Repo, n, "not_planned")
		}
	}
	return nil
}

// write runs one write to GitHub. In a dry run (the transport refuses
// every write with ErrDryRun) it logs what it would have written and
// reports success, so the use case goes on computing what comes next.
func (s *Service) write(what string, number int, do func() error) error {
	err := do()
	if errors.Is(err, ErrDryRun) {
		s.Logger().Info("dry run: would "+what, "issue", number)
		return nil
	}
	return err
}

// onCalendar is where GitHub's timestamp t falls on the calendar.
func (s *Service) onCalendar(t time.Time) time.Time {
	if s.OnCalendar != nil {
		return s.OnCalendar(t).UTC()
	}
	return t
}

// clock is the service's time; today is its day in UTC.
func (s *Service) clock() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) now() drafts.Date {
	t := s.clock()
	return drafts.NewDate(t.Year(), t.Month(), t.Day())
}

// Logger is the service's logger, naming its repository on every line.
func (s *Service) Logger() *slog.Logger {
	l := s.Log
	if l == nil {
		l = slog.Default()
	}
	return l.With("repository", s.Repo.FullName())
}

// isBot reports whether a login is this app's user.
func (s *Service) isBot(login string) bool { return strings.EqualFold(login, s.BotLogin) }

// draftAuthor reports whether a pull request by login can be a draft.
func (s *Service) draftAuthor(login string) bool {
	return s.isBot(login) || contains(s.DraftAuthors, login)
}

// submissions lists every open issue that carries a kind label, oldest
// first, each once: one paginated listing per kind.
func (s *Service) submissions(ctx context.Context) ([]drafts.Issue, error) {
	seen := map[int]bool{}
	var out []drafts.Issue
	for _, k := range drafts.Kinds {
		issues, err := s.GH.Issues(ctx, s.Repo, IssueFilter{Label: s.Config.Labels.ForKind(k)})
		if err != nil {
			return nil, err
		}
		for _, i := range issues {
			if !seen[i.Number] && !i.IsPullRequest() {
				seen[i.Number] = true
				out = append(out, i)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Number < out[b].Number })
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
