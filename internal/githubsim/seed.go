package githubsim

import (
	"crypto/rsa"
	"fmt"
	"sort"
	"strings"
)

// AppSpec registers the GitHub App the simulator authenticates.
type AppSpec struct {
	ID   int64
	Slug string // the bot user is "<Slug>[bot]"
	Name string // defaults to Slug
	// Owner is the login of the account owning the app; it is created as
	// an organization when missing. Defaults to Slug.
	Owner string
	// PublicKey verifies the app's JWTs (the public half of its private key).
	PublicKey *rsa.PublicKey
	// WebhookURL receives every event; empty records events without
	// delivering them (see SetWebhookURL).
	WebhookURL    string
	WebhookSecret string
	ClientID      string
}

// RepoSpec creates a repository.
type RepoSpec struct {
	Owner         string // created as an organization when missing
	Name          string
	DefaultBranch string // defaults to "main"
	Description   string
	Private       bool
	// Files are committed as the initial commit of the default branch.
	Files map[string]string
	// Labels are created on the repository, in order.
	Labels []string
}

// AppConfig is what POST /app-manifests/{code}/conversions returns for a
// code registered with RegisterManifestCode.
type AppConfig struct {
	ID            int64
	Slug          string
	Name          string
	Owner         string
	ClientID      string
	ClientSecret  string
	WebhookSecret string
	PEM           string
}

// ensureAccountLocked returns the account with that login, creating it with
// the given type when missing.
func (s *Sim) ensureAccountLocked(login, typ string) *account {
	if a := s.st.accounts[strings.ToLower(login)]; a != nil {
		return a
	}
	a := &account{Login: login, ID: s.newID("account"), Type: typ, CreatedAt: s.now()}
	s.st.accounts[strings.ToLower(login)] = a
	return a
}

// AddUser creates a user account.
func (s *Sim) AddUser(login string) error {
	return s.addAccount(login, "User")
}

// AddOrg creates an organization account.
func (s *Sim) AddOrg(login string) error {
	return s.addAccount(login, "Organization")
}

func (s *Sim) addAccount(login, typ string) error {
	if login == "" || strings.ContainsAny(login, "/ ") {
		return fmt.Errorf("githubsim: invalid login %q", login)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.st.accounts[strings.ToLower(login)]; a != nil {
		return fmt.Errorf("githubsim: account %q already exists", login)
	}
	s.ensureAccountLocked(login, typ)
	return nil
}

// RegisterApp registers (or replaces) the app whose JWTs the simulator
// accepts and whose webhooks it delivers.
func (s *Sim) RegisterApp(spec AppSpec) error {
	if spec.ID == 0 || spec.Slug == "" || spec.PublicKey == nil {
		return fmt.Errorf("githubsim: RegisterApp needs ID, Slug and PublicKey")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	owner := spec.Owner
	if owner == "" {
		owner = spec.Slug
	}
	name := spec.Name
	if name == "" {
		name = spec.Slug
	}
	bot := s.ensureAccountLocked(spec.Slug+"[bot]", "Bot")
	s.st.app = &app{
		ID: spec.ID, Slug: spec.Slug, Name: name, Owner: s.ensureAccountLocked(owner, "Organization"),
		Bot: bot, PublicKey: spec.PublicKey, WebhookURL: spec.WebhookURL, WebhookSecret: spec.WebhookSecret,
		HookID: s.newID("hook"), ClientID: spec.ClientID, CreatedAt: s.now(),
	}
	return nil
}

// SetWebhookURL changes where webhooks go, e.g. once the receiver under
// test has started. Events already queued keep their old destination.
func (s *Sim) SetWebhookURL(url string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.app == nil {
		return errNoApp
	}
	s.st.app.WebhookURL = url
	return nil
}

// BotLogin returns the login of the app's bot user, "<slug>[bot]".
func (s *Sim) BotLogin() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.app == nil {
		return ""
	}
	return s.st.app.Bot.Login
}

// CreateRepo creates a repository with an initial commit of spec.Files on
// its default branch.
func (s *Sim) CreateRepo(spec RepoSpec) error {
	if spec.Owner == "" || spec.Name == "" {
		return fmt.Errorf("githubsim: CreateRepo needs Owner and Name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(spec.Owner + "/" + spec.Name)
	if s.st.repos[key] != nil {
		return fmt.Errorf("githubsim: repository %s/%s already exists", spec.Owner, spec.Name)
	}
	owner := s.ensureAccountLocked(spec.Owner, "Organization")
	branch := spec.DefaultBranch
	if branch == "" {
		branch = "main"
	}
	now := s.now()
	r := &repo{
		ID: s.newID("repo"), Owner: owner, Name: spec.Name, Description: spec.Description, Private: spec.Private,
		DefaultBranch: branch, CreatedAt: now, UpdatedAt: now, PushedAt: now,
		Objects: objectStore{}, Refs: map[string]string{}, Perms: map[string]string{}, CommentByID: map[int64]*comment{},
	}
	s.st.repos[key] = r
	for _, l := range spec.Labels {
		s.ensureLabelsLocked(r, []string{l})
	}
	if _, err := s.commitFilesLocked(r, branch, spec.Files, nil, "Initial commit", owner); err != nil {
		return fmt.Errorf("githubsim: initial commit of %s: %w", key, err)
	}
	return nil
}

func (s *Sim) repoLocked(fullName string) (*repo, error) {
	r := s.st.repos[strings.ToLower(fullName)]
	if r == nil {
		return nil, fmt.Errorf("githubsim: repository %q not found", fullName)
	}
	return r, nil
}

// Install installs the app on an account for the given repositories
// ("owner/name") and emits installation.created.
func (s *Sim) Install(id int64, accountLogin string, repos ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.app == nil {
		return errNoApp
	}
	if s.st.installations[id] != nil {
		return fmt.Errorf("githubsim: installation %d already exists", id)
	}
	var list []*repo
	for _, name := range repos {
		r, err := s.repoLocked(name)
		if err != nil {
			return err
		}
		list = append(list, r)
	}
	acct := s.ensureAccountLocked(accountLogin, "Organization")
	in := &installation{ID: id, Account: acct, Repos: list, CreatedAt: s.now()}
	s.st.installations[id] = in
	lite := []any{}
	for _, r := range list {
		lite = append(lite, repoLite(r))
	}
	s.enqueueLocked("installation", "created", obj{
		"action":       "created",
		"installation": s.installationJSON(in),
		"repositories": lite,
		"requester":    s.userJSON(acct), // who installed; the schema allows no null here
		"sender":       s.userJSON(acct),
	})
	return nil
}

// AddInstallationRepos adds repositories to an installation and emits
// installation_repositories.added.
func (s *Sim) AddInstallationRepos(id int64, repos ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.installations[id]
	if in == nil {
		return fmt.Errorf("githubsim: installation %d not found", id)
	}
	added := []any{}
	for _, name := range repos {
		r, err := s.repoLocked(name)
		if err != nil {
			return err
		}
		if in.hasRepo(r) {
			continue
		}
		in.Repos = append(in.Repos, r)
		added = append(added, repoLite(r))
	}
	s.enqueueLocked("installation_repositories", "added", obj{
		"action":               "added",
		"installation":         s.installationJSON(in),
		"repository_selection": "selected",
		"repositories_added":   added,
		"repositories_removed": []any{},
		"requester":            nil,
		"sender":               s.userJSON(in.Account),
	})
	return nil
}

// RemoveInstallationRepos takes repositories out of an installation and
// emits installation_repositories.removed; its tokens stop reaching them.
func (s *Sim) RemoveInstallationRepos(id int64, repos ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.installations[id]
	if in == nil {
		return fmt.Errorf("githubsim: installation %d not found", id)
	}
	removed := []any{}
	for _, name := range repos {
		r, err := s.repoLocked(name)
		if err != nil {
			return err
		}
		for k, x := range in.Repos {
			if x == r {
				in.Repos = append(in.Repos[:k:k], in.Repos[k+1:]...)
				removed = append(removed, repoLite(r))
				break
			}
		}
	}
	s.enqueueLocked("installation_repositories", "removed", obj{
		"action":               "removed",
		"installation":         s.installationJSON(in),
		"repository_selection": "selected",
		"repositories_added":   []any{},
		"repositories_removed": removed,
		"requester":            nil,
		"sender":               s.userJSON(in.Account),
	})
	return nil
}

// Uninstall removes an installation, as when its account uninstalls the
// app, and emits installation.deleted; its tokens stop working.
func (s *Sim) Uninstall(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.installations[id]
	if in == nil {
		return fmt.Errorf("githubsim: installation %d not found", id)
	}
	lite := []any{}
	for _, r := range in.Repos {
		lite = append(lite, repoLite(r))
	}
	payload := obj{
		"action":       "deleted",
		"installation": s.installationJSON(in),
		"repositories": lite,
		"requester":    nil,
		"sender":       s.userJSON(in.Account),
	}
	delete(s.st.installations, id)
	s.enqueueLocked("installation", "deleted", payload)
	return nil
}

// SetPermission gives a user (created when missing) a permission level on
// a repository: PermAdmin, PermMaintain, PermWrite, PermTriage, PermRead or
// PermNone.
func (s *Sim) SetPermission(repoName, login, level string) error {
	if _, ok := permRank[level]; !ok {
		return fmt.Errorf("githubsim: unknown permission level %q", level)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return err
	}
	a := s.ensureAccountLocked(login, "User")
	r.Perms[a.Login] = level
	return nil
}

// AddTeamMember puts a user (created when missing) in an organization
// team with role "member" or "maintainer".
func (s *Sim) AddTeamMember(org, teamSlug, login, role string) error {
	if role != "member" && role != "maintainer" {
		return fmt.Errorf("githubsim: team role must be member or maintainer, not %q", role)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.ensureAccountLocked(org, "Organization")
	key := strings.ToLower(org + "/" + teamSlug)
	t := s.st.teams[key]
	if t == nil {
		t = &team{ID: s.newID("team"), Org: o, Slug: teamSlug, Members: map[string]string{}}
		s.st.teams[key] = t
	}
	a := s.ensureAccountLocked(login, "User")
	t.Members[strings.ToLower(a.Login)] = role
	return nil
}

// RegisterManifestCode makes POST /app-manifests/{code}/conversions
// return cfg once within the hour, as GitHub does at the end of the
// manifest flow. It registers nothing: for an app that really exists, run
// the web flow (POST /settings/apps/new, see the package documentation).
func (s *Sim) RegisterManifestCode(code string, cfg AppConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.manifests[code] = manifestCode{App: cfg, expires: s.opts.Now().Add(manifestCodeTTL)}
}

// UserToken returns a new personal access token (ghp_...) for a simulated
// user, to call the REST API as that user with "Authorization: token ...".
func (s *Sim) UserToken(login string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.accounts[strings.ToLower(login)]
	if a == nil || a.Type != "User" {
		return "", fmt.Errorf("githubsim: no user %q", login)
	}
	tok := randomToken("ghp_")
	s.st.userTokens[tok] = userToken{User: a}
	return tok, nil
}

// InstallationToken issues an installation token directly, for tests that
// do not exercise the JWT flow.
func (s *Sim) InstallationToken(id int64) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.installations[id]
	if in == nil {
		return "", fmt.Errorf("githubsim: installation %d not found", id)
	}
	tok := randomToken("ghs_")
	s.st.instTokens[tok] = installToken{Installation: in, ExpiresAt: s.opts.Now().Add(installationTokenTTL)}
	return tok, nil
}

// ---- reading state back ----

// Issue is a snapshot of an issue or pull request's issue.
type Issue struct {
	Number        int
	Title         string
	Body          string
	State         string
	StateReason   string
	User          string
	Labels        []string
	Comments      int
	IsPullRequest bool
}

// Comment is a snapshot of an issue comment.
type Comment struct {
	ID          int64
	IssueNumber int
	Body        string
	User        string
}

// Reaction is a snapshot of a reaction.
type Reaction struct {
	ID      int64
	User    string
	Content string
}

// PullRequest is a snapshot of a pull request.
type PullRequest struct {
	Number         int
	NodeID         string // node_id, as REST gives it and GraphQL takes it
	Title          string
	Body           string
	State          string
	User           string
	Head           string
	HeadSHA        string
	Base           string
	Draft          bool
	Merged         bool
	MergeCommitSHA string
	Labels         []string
}

func snapshotIssue(i *issue) Issue {
	out := Issue{
		Number: i.Number, Title: i.Title, Body: i.Body, State: i.State, StateReason: i.StateReason,
		User: i.User.Login, Comments: len(i.Comments), IsPullRequest: i.PR != nil,
	}
	for _, l := range i.Labels {
		out.Labels = append(out.Labels, l.Name)
	}
	return out
}

func snapshotPull(p *pull) PullRequest {
	i := snapshotIssue(p.Issue)
	return PullRequest{
		Number: i.Number, NodeID: nodeID("PR", p.ID), Title: i.Title, Body: i.Body, State: i.State, User: i.User,
		Head: p.Head, HeadSHA: p.HeadSHA, Base: p.Base, Draft: p.Draft, Merged: p.Merged,
		MergeCommitSHA: p.MergeCommitSHA, Labels: i.Labels,
	}
}

// File returns the content of a file at a branch, tag or commit.
func (s *Sim) File(repoName, ref, path string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return "", err
	}
	sha, ok := r.resolveRef(ref)
	if !ok {
		return "", fmt.Errorf("githubsim: %s has no ref %q", repoName, ref)
	}
	c, _ := r.Objects.commit(sha)
	e, ok := r.Objects.lookupPath(c.Tree, path)
	if !ok || e.Mode == modeDir {
		return "", fmt.Errorf("githubsim: %s has no file %q at %s", repoName, path, ref)
	}
	b, _ := r.Objects.get(e.SHA, objBlob)
	return string(b.Data), nil
}

// Files lists the paths of every file at a ref, sorted.
func (s *Sim) Files(repoName, ref string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return nil, err
	}
	sha, ok := r.resolveRef(ref)
	if !ok {
		return nil, fmt.Errorf("githubsim: %s has no ref %q", repoName, ref)
	}
	c, _ := r.Objects.commit(sha)
	flat, err := r.Objects.flatten(c.Tree)
	if err != nil {
		return nil, fmt.Errorf("githubsim: read tree of %s: %w", ref, err)
	}
	var paths []string
	for p := range flat {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths, nil
}

// BranchSHA returns the commit a branch points at.
func (s *Sim) BranchSHA(repoName, branch string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return "", err
	}
	sha, ok := r.Refs["refs/heads/"+branch]
	if !ok {
		return "", fmt.Errorf("githubsim: %s has no branch %q", repoName, branch)
	}
	return sha, nil
}

// CommitParents returns the parents of a commit.
func (s *Sim) CommitParents(repoName, sha string) ([]string, error) {
	c, err := s.commit(repoName, sha)
	return c.Parents, err
}

// CommitMessage returns the message of a commit.
func (s *Sim) CommitMessage(repoName, sha string) (string, error) {
	c, err := s.commit(repoName, sha)
	return c.Message, err
}

// CommitTree returns the id of a commit's tree.
func (s *Sim) CommitTree(repoName, sha string) (string, error) {
	c, err := s.commit(repoName, sha)
	return c.Tree, err
}

func (s *Sim) commit(repoName, sha string) (commitData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return commitData{}, err
	}
	c, ok := r.Objects.commit(sha)
	if !ok {
		return commitData{}, fmt.Errorf("githubsim: %s has no commit %s", repoName, sha)
	}
	return c, nil
}

// Issue returns an issue (or a pull request's issue).
func (s *Sim) Issue(repoName string, number int) (Issue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return Issue{}, err
	}
	i := r.issue(number)
	if i == nil {
		return Issue{}, fmt.Errorf("githubsim: %s has no issue #%d", repoName, number)
	}
	return snapshotIssue(i), nil
}

// Issues returns every issue and pull request of a repository by number.
func (s *Sim) Issues(repoName string) ([]Issue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return nil, err
	}
	out := make([]Issue, 0, len(r.Issues))
	for _, i := range r.Issues {
		out = append(out, snapshotIssue(i))
	}
	return out, nil
}

// Comments returns the comments of an issue, oldest first.
func (s *Sim) Comments(repoName string, number int) ([]Comment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return nil, err
	}
	i := r.issue(number)
	if i == nil {
		return nil, fmt.Errorf("githubsim: %s has no issue #%d", repoName, number)
	}
	out := []Comment{}
	for _, c := range i.Comments {
		out = append(out, Comment{ID: c.ID, IssueNumber: number, Body: c.Body, User: c.User.Login})
	}
	return out, nil
}

func snapshotReactions(list []*reaction) []Reaction {
	out := []Reaction{}
	for _, x := range list {
		out = append(out, Reaction{ID: x.ID, User: x.User.Login, Content: x.Content})
	}
	return out
}

// CommentReactions returns the reactions on an issue comment.
func (s *Sim) CommentReactions(repoName string, commentID int64) ([]Reaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return nil, err
	}
	c := r.CommentByID[commentID]
	if c == nil {
		return nil, fmt.Errorf("githubsim: %s has no comment %d", repoName, commentID)
	}
	return snapshotReactions(c.Reactions), nil
}

// IssueReactions returns the reactions on an issue.
func (s *Sim) IssueReactions(repoName string, number int) ([]Reaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return nil, err
	}
	i := r.issue(number)
	if i == nil {
		return nil, fmt.Errorf("githubsim: %s has no issue #%d", repoName, number)
	}
	return snapshotReactions(i.Reactions), nil
}

// PullRequests returns every pull request of a repository by number.
func (s *Sim) PullRequests(repoName string) ([]PullRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return nil, err
	}
	out := []PullRequest{}
	for _, i := range r.Issues {
		if i.PR != nil {
			out = append(out, snapshotPull(i.PR))
		}
	}
	return out, nil
}

// PullRequest returns one pull request.
func (s *Sim) PullRequest(repoName string, number int) (PullRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return PullRequest{}, err
	}
	i := r.issue(number)
	if i == nil || i.PR == nil {
		return PullRequest{}, fmt.Errorf("githubsim: %s has no pull request #%d", repoName, number)
	}
	return snapshotPull(i.PR), nil
}
