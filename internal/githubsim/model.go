package githubsim

import (
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Permission levels a simulated user can hold on a repository, from most to
// least privileged, as GitHub names the roles.
const (
	PermAdmin    = "admin"
	PermMaintain = "maintain"
	PermWrite    = "write"
	PermTriage   = "triage"
	PermRead     = "read"
	PermNone     = "none"
)

// permRank orders permission levels so that checks can ask "at least".
var permRank = map[string]int{
	PermNone: 0, PermRead: 1, PermTriage: 2, PermWrite: 3, PermMaintain: 4, PermAdmin: 5,
}

// account is a user, organization or bot.
type account struct {
	Login     string
	ID        int64
	Type      string // "User", "Organization" or "Bot"
	Name      string
	Email     string
	CreatedAt time.Time
}

// app is the registered GitHub App.
type app struct {
	ID            int64
	Slug          string
	Name          string
	Description   string
	ExternalURL   string // the app's homepage; "" means its page on GitHub
	Owner         *account
	Bot           *account
	PublicKey     *rsa.PublicKey
	WebhookURL    string
	WebhookSecret string
	HookInactive  bool // registered from a manifest without an active webhook
	HookID        int64
	ClientID      string
	ClientSecret  string
	// Permissions and Events are what a manifest asked for; nil means
	// newsletter-bot's (appPermissions, appEvents).
	Permissions obj
	Events      []string
	CreatedAt   time.Time
}

func (a *app) permissions() obj {
	if a.Permissions == nil {
		return appPermissions()
	}
	return a.Permissions
}

func (a *app) events() []string {
	if a.Events == nil {
		return appEvents
	}
	return a.Events
}

// installation is one installation of the app on an account.
type installation struct {
	ID        int64
	Account   *account
	Repos     []*repo
	CreatedAt time.Time
}

func (in *installation) hasRepo(r *repo) bool {
	for _, x := range in.Repos {
		if x == r {
			return true
		}
	}
	return false
}

// label is a repository label.
type label struct {
	ID          int64
	Name        string
	Color       string
	Description string
	Default     bool
}

// reaction is an emoji reaction on an issue or a comment.
type reaction struct {
	ID        int64
	User      *account
	Content   string
	CreatedAt time.Time
}

// comment is an issue comment.
type comment struct {
	ID        int64
	Issue     *issue
	Body      string
	User      *account
	ViaApp    bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Reactions []*reaction
}

// issue is an issue or the issue half of a pull request.
type issue struct {
	ID          int64
	Number      int
	Title       string
	Body        string
	User        *account
	ViaApp      bool
	State       string // "open" or "closed"
	StateReason string // "", "completed", "not_planned", "reopened"
	Labels      []*label
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time
	ClosedBy    *account
	Comments    []*comment
	Reactions   []*reaction
	PR          *pull
}

// pull is the pull-request half of an issue.
type pull struct {
	ID             int64
	Issue          *issue
	Head           string // branch name
	HeadSHA        string
	Base           string // branch name
	BaseSHA        string
	Draft          bool
	Merged         bool
	MergedAt       time.Time
	MergedBy       *account
	MergeCommitSHA string
}

// repo is a repository with its git data, issues and pull requests.
type repo struct {
	ID            int64
	Owner         *account
	Name          string
	Description   string
	Private       bool
	DefaultBranch string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	PushedAt      time.Time

	Objects objectStore
	Refs    map[string]string // "refs/heads/main" -> commit sha

	Issues      []*issue // index = number-1; pull requests included
	Labels      []*label
	Perms       map[string]string // login -> permission level
	CommentByID map[int64]*comment

	derived map[string]any // merges and diffs of commits, worked out once (see cache)
}

func (r *repo) fullName() string { return r.Owner.Login + "/" + r.Name }

func (r *repo) issue(number int) *issue {
	if number < 1 || number > len(r.Issues) {
		return nil
	}
	return r.Issues[number-1]
}

func (r *repo) findLabel(name string) *label {
	for _, l := range r.Labels {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

// permission returns a user's permission level on the repository.
func (r *repo) permission(a *account) string {
	if a == nil {
		return PermNone
	}
	if a == r.Owner {
		return PermAdmin
	}
	if p, ok := r.Perms[a.Login]; ok {
		return p
	}
	if !r.Private {
		return PermRead
	}
	return PermNone
}

// resolveRef turns a branch name, tag name, full ref or commit sha into a
// commit sha.
func (r *repo) resolveRef(ref string) (string, bool) {
	if ref == "" {
		ref = r.DefaultBranch
	}
	for _, full := range []string{ref, "refs/heads/" + ref, "refs/tags/" + ref} {
		if sha, ok := r.Refs[full]; ok {
			return sha, true
		}
	}
	if len(ref) == 40 {
		if _, ok := r.Objects.get(ref, objCommit); ok {
			return strings.ToLower(ref), true
		}
	}
	return "", false
}

// sortedRefs returns the repository's ref names in order.
func (r *repo) sortedRefs() []string {
	names := make([]string, 0, len(r.Refs))
	for n := range r.Refs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// team is an organization team.
type team struct {
	ID      int64
	Org     *account
	Slug    string
	Members map[string]string // login -> "member" or "maintainer"
}

// manifestCode is an app-manifest code: registered by a test with
// RegisterManifestCode (App), or handed out by the web flow for the app
// it registered (app, pem). Either works once, until expires.
type manifestCode struct {
	App     AppConfig
	app     *app
	pem     string
	expires time.Time
}

// userToken is a personal access token of a simulated user.
type userToken struct {
	User *account
}

// installToken is an installation access token.
type installToken struct {
	Installation *installation
	ExpiresAt    time.Time
}

// nodeID returns a GraphQL-style global node id for an object.
func nodeID(kind string, id int64) string {
	return kind + "_" + strings.TrimRight(base64.URLEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d", kind, id))), "=")
}
