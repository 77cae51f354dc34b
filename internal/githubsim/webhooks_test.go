package githubsim

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

var deliveryIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// hookEnv is the state every webhook case starts from: issue #1 by alice
// labeled newsletter with alice's comment, and pull request #2 from
// feature by alice. alice can write, bob can only read.
type hookEnv struct {
	f         *fixture
	client    *github.Client
	alice     *Actor
	bob       *Actor
	commentID int64
}

func newHookEnv(t *testing.T) *hookEnv {
	t.Helper()
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	must(t, f.sim.SetPermission(testRepo, "bob", PermRead))
	e := &hookEnv{f: f, client: f.installationClient(t), alice: f.sim.Actor("alice"), bob: f.sim.Actor("bob")}
	_, err := e.alice.OpenIssue(testRepo, "One", "A job", "newsletter")
	must(t, err)
	c, err := e.alice.Comment(testRepo, 1, "first")
	must(t, err)
	e.commentID = c.ID
	_, err = e.alice.Push(testRepo, "feature", Push{Files: map[string]string{"newsletter/44.md": "# 44\n"}})
	must(t, err)
	_, err = e.alice.Push(testRepo, "feature2", Push{Files: map[string]string{"other.md": "x\n"}})
	must(t, err)
	_, err = e.alice.OpenPR(testRepo, PullSpec{Head: "feature", Title: "Newsletter 44"})
	must(t, err)
	f.waitHooks(t)
	return e
}

func TestWebhooksForEveryChange(t *testing.T) {
	const bot = "newsletter-bot[bot]"
	ctx := ctxT(t)
	tests := []struct {
		name   string
		do     func(t *testing.T, e *hookEnv) error
		want   []string
		sender string
		// fields are dotted paths into the last payload and their values.
		fields map[string]any
	}{
		{
			name: "creating an issue with a label through REST sends opened, then labeled", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("Two"), Labels: &[]string{"bug"}})
				return err
			},
			want:   []string{"issues.opened", "issues.labeled"},
			fields: map[string]any{"issue.number": 3.0, "label.name": "bug", "issue.user.type": "Bot"},
		},
		{
			name: "editing a title through REST sends edited with the old title", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.Edit(ctx, "acme", "newsletter", 1, &github.IssueRequest{Title: github.String("One, renamed")})
				return err
			},
			want:   []string{"issues.edited"},
			fields: map[string]any{"changes.title.from": "One", "issue.title": "One, renamed"},
		},
		{
			name: "an update that changes nothing sends nothing", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.Edit(ctx, "acme", "newsletter", 1, &github.IssueRequest{Title: github.String("One")})
				if err == nil {
					_, _, err = e.client.Issues.AddLabelsToIssue(ctx, "acme", "newsletter", 1, []string{"newsletter"})
				}
				return err
			},
			want: []string{},
		},
		{
			name: "adding a label through REST sends labeled", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.AddLabelsToIssue(ctx, "acme", "newsletter", 1, []string{"accepted"})
				return err
			},
			want:   []string{"issues.labeled"},
			fields: map[string]any{"label.name": "accepted"},
		},
		{
			name: "removing a label through REST sends unlabeled", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, err := e.client.Issues.RemoveLabelForIssue(ctx, "acme", "newsletter", 1, "newsletter")
				return err
			},
			want:   []string{"issues.unlabeled"},
			fields: map[string]any{"label.name": "newsletter"},
		},
		{
			name: "setting labels through REST sends unlabeled and labeled", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.ReplaceLabelsForIssue(ctx, "acme", "newsletter", 1, []string{"accepted"})
				return err
			},
			want: []string{"issues.unlabeled", "issues.labeled"},
		},
		{
			name: "closing and reopening through REST sends closed, then reopened", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.Edit(ctx, "acme", "newsletter", 1, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("not_planned")})
				if err == nil {
					_, _, err = e.client.Issues.Edit(ctx, "acme", "newsletter", 1, &github.IssueRequest{State: github.String("open")})
				}
				return err
			},
			want:   []string{"issues.closed", "issues.reopened"},
			fields: map[string]any{"issue.state": "open", "issue.state_reason": "reopened"},
		},
		{
			name: "commenting through REST sends issue_comment.created", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.CreateComment(ctx, "acme", "newsletter", 1, &github.IssueComment{Body: github.String("Status: accepted")})
				return err
			},
			want:   []string{"issue_comment.created"},
			fields: map[string]any{"comment.body": "Status: accepted", "issue.number": 1.0, "comment.performed_via_github_app.id": float64(testAppID)},
		},
		{
			name: "editing a comment through REST sends edited with the old body", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.EditComment(ctx, "acme", "newsletter", e.commentID, &github.IssueComment{Body: github.String("second")})
				return err
			},
			want:   []string{"issue_comment.edited"},
			fields: map[string]any{"changes.body.from": "first", "comment.body": "second"},
		},
		{
			name: "deleting a comment through REST sends deleted", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, err := e.client.Issues.DeleteComment(ctx, "acme", "newsletter", e.commentID)
				return err
			},
			want:   []string{"issue_comment.deleted"},
			fields: map[string]any{"comment.body": "first"},
		},
		{
			name: "opening a pull request through REST sends pull_request.opened", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.PullRequests.Create(ctx, "acme", "newsletter", &github.NewPullRequest{Title: github.String("Other"), Head: github.String("feature2"), Base: github.String("main"), Draft: github.Bool(true)})
				return err
			},
			want:   []string{"pull_request.opened"},
			fields: map[string]any{"number": 3.0, "pull_request.draft": true, "pull_request.head.ref": "feature2"},
		},
		{
			name: "editing a pull request's title sends pull_request.edited", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.PullRequests.Edit(ctx, "acme", "newsletter", 2, &github.PullRequest{Title: github.String("Newsletter 44 (April)")})
				return err
			},
			want:   []string{"pull_request.edited"},
			fields: map[string]any{"changes.title.from": "Newsletter 44", "pull_request.title": "Newsletter 44 (April)"},
		},
		{
			name: "labeling a pull request sends pull_request.labeled", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.AddLabelsToIssue(ctx, "acme", "newsletter", 2, []string{"newsletter"})
				return err
			},
			want:   []string{"pull_request.labeled"},
			fields: map[string]any{"label.name": "newsletter", "number": 2.0},
		},
		{
			name: "moving a pull request's head branch through the Git API sends synchronize", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				head, _ := e.f.sim.BranchSHA(testRepo, "feature")
				parent, _, err := e.client.Git.GetCommit(ctx, "acme", "newsletter", head)
				if err != nil {
					return err
				}
				c, _, err := e.client.Git.CreateCommit(ctx, "acme", "newsletter", &github.Commit{Message: github.String("more"), Tree: parent.Tree, Parents: []*github.Commit{{SHA: github.String(head)}}}, nil)
				if err != nil {
					return err
				}
				_, _, err = e.client.Git.UpdateRef(ctx, "acme", "newsletter", &github.Reference{Ref: github.String("refs/heads/feature"), Object: &github.GitObject{SHA: c.SHA}}, false)
				return err
			},
			want:   []string{"pull_request.synchronize"},
			fields: map[string]any{"number": 2.0},
		},
		{
			name: "commenting on a pull request sends issue_comment with the pull request's issue", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.Issues.CreateComment(ctx, "acme", "newsletter", 2, &github.IssueComment{Body: github.String("Draft refreshed")})
				return err
			},
			want:   []string{"issue_comment.created"},
			fields: map[string]any{"issue.number": 2.0, "issue.pull_request.html_url": "https://github.com/acme/newsletter/pull/2"},
		},
		{
			name: "merging through REST sends pull_request.closed with merged true", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.PullRequests.Merge(ctx, "acme", "newsletter", 2, "", nil)
				return err
			},
			want:   []string{"pull_request.closed"},
			fields: map[string]any{"pull_request.merged": true, "pull_request.state": "closed", "pull_request.merged_by.login": bot},
		},
		{
			name: "closing a pull request without merging sends closed with merged false", sender: bot,
			do: func(t *testing.T, e *hookEnv) error {
				_, _, err := e.client.PullRequests.Edit(ctx, "acme", "newsletter", 2, &github.PullRequest{State: github.String("closed")})
				return err
			},
			want:   []string{"pull_request.closed"},
			fields: map[string]any{"pull_request.merged": false},
		},
		{
			name: "a person opening an issue from a form sends opened and labeled with them as sender", sender: "bob",
			do: func(t *testing.T, e *hookEnv) error {
				_, err := e.bob.OpenIssueFromForm(testRepo, "[Job] Engineer", "### Company\n\nAcme", "newsletter", "job")
				return err
			},
			want:   []string{"issues.opened", "issues.labeled", "issues.labeled"},
			fields: map[string]any{"issue.user.login": "bob", "issue.user.type": "User", "label.name": "job"},
		},
		{
			name: "a person editing their issue sends edited", sender: "alice",
			do: func(t *testing.T, e *hookEnv) error {
				body := "A job, fixed"
				_, err := e.alice.EditIssue(testRepo, 1, IssueEdit{Body: &body})
				return err
			},
			want:   []string{"issues.edited"},
			fields: map[string]any{"changes.body.from": "A job"},
		},
		{
			name: "a person's comment sends created with them as sender", sender: "bob",
			do: func(t *testing.T, e *hookEnv) error {
				_, err := e.bob.Comment(testRepo, 1, "/newsletter help")
				return err
			},
			want:   []string{"issue_comment.created"},
			fields: map[string]any{"comment.user.login": "bob", "comment.user.type": "User"},
		},
		{
			name: "a person editing and deleting their comment sends edited, then deleted", sender: "alice",
			do: func(t *testing.T, e *hookEnv) error {
				if _, err := e.alice.EditComment(testRepo, e.commentID, "changed"); err != nil {
					return err
				}
				return e.alice.DeleteComment(testRepo, e.commentID)
			},
			want: []string{"issue_comment.edited", "issue_comment.deleted"},
		},
		{
			name: "a person labeling and unlabeling sends labeled, then unlabeled", sender: "alice",
			do: func(t *testing.T, e *hookEnv) error {
				if err := e.alice.AddLabels(testRepo, 1, "accepted"); err != nil {
					return err
				}
				return e.alice.RemoveLabel(testRepo, 1, "accepted")
			},
			want: []string{"issues.labeled", "issues.unlabeled"},
		},
		{
			name: "a person closing and reopening an issue sends closed, then reopened", sender: "alice",
			do: func(t *testing.T, e *hookEnv) error {
				if _, err := e.alice.CloseIssue(testRepo, 1); err != nil {
					return err
				}
				_, err := e.alice.ReopenIssue(testRepo, 1)
				return err
			},
			want: []string{"issues.closed", "issues.reopened"},
		},
		{
			name: "a person editing a file on a pull request's branch sends synchronize", sender: "alice",
			do: func(t *testing.T, e *hookEnv) error {
				_, err := e.alice.EditFile(testRepo, "feature", "newsletter/44.md", "# 44, edited\n")
				return err
			},
			want:   []string{"pull_request.synchronize"},
			fields: map[string]any{"pull_request.head.ref": "feature"},
		},
		{
			name: "a person merging sends closed with merged true", sender: "alice",
			do: func(t *testing.T, e *hookEnv) error {
				_, err := e.alice.MergePR(testRepo, 2)
				return err
			},
			want:   []string{"pull_request.closed"},
			fields: map[string]any{"pull_request.merged": true, "pull_request.merged_by.login": "alice"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newHookEnv(t)
			before := len(e.f.recv.all())
			if err := tt.do(t, e); err != nil {
				t.Fatal(err)
			}
			e.f.waitHooks(t)
			got := e.f.recv.all()[before:]
			kinds := []string{}
			for _, r := range got {
				kinds = append(kinds, r.Event+"."+r.Action)
			}
			if !reflect.DeepEqual(kinds, tt.want) {
				t.Fatalf("webhooks = %v, want %v", kinds, tt.want)
			}
			for _, r := range got {
				checkRepoWebhook(t, r, tt.sender)
			}
			if len(got) == 0 {
				return
			}
			last := got[len(got)-1].Payload
			for path, want := range tt.fields {
				if v := lookup(last, path); v != want {
					t.Errorf("payload %s = %#v, want %#v", path, v, want)
				}
			}
		})
	}
}

// checkRepoWebhook checks what every repository webhook carries: GitHub's
// headers, a valid signature, action, installation, repository, sender,
// organization, and a payload go-github can parse.
func checkRepoWebhook(t *testing.T, r received, sender string) {
	t.Helper()
	h := r.Header
	if err := github.ValidateSignature(h.Get("X-Hub-Signature-256"), r.Body, []byte(testSecret)); err != nil {
		t.Errorf("%s.%s: X-Hub-Signature-256 %q does not verify: %v", r.Event, r.Action, h.Get("X-Hub-Signature-256"), err)
	}
	if id := h.Get("X-GitHub-Delivery"); !deliveryIDPattern.MatchString(id) {
		t.Errorf("%s.%s: X-GitHub-Delivery = %q, want a UUID", r.Event, r.Action, id)
	}
	if ct, ua := h.Get("Content-Type"), h.Get("User-Agent"); ct != "application/json" || !strings.HasPrefix(ua, "GitHub-Hookshot/") {
		t.Errorf("%s.%s: Content-Type %q User-Agent %q", r.Event, r.Action, ct, ua)
	}
	for path, want := range map[string]any{
		"installation.id":        float64(testInstallationID),
		"repository.full_name":   testRepo,
		"organization.login":     "acme",
		"sender.login":           sender,
		"repository.owner.login": "acme",
	} {
		if got := lookup(r.Payload, path); got != want {
			t.Errorf("%s.%s: payload %s = %#v, want %#v", r.Event, r.Action, path, got, want)
		}
	}
	ev, err := github.ParseWebHook(r.Event, r.Body)
	if err != nil {
		t.Fatalf("%s.%s: ParseWebHook: %v", r.Event, r.Action, err)
	}
	if a, ok := ev.(interface{ GetAction() string }); !ok || a.GetAction() != r.Action {
		t.Errorf("%s.%s: parsed %T does not carry the action", r.Event, r.Action, ev)
	}
}

func TestWebhookDeliveryIDsAreUnique(t *testing.T) {
	e := newHookEnv(t)
	for i := 0; i < 10; i++ {
		_, err := e.alice.Comment(testRepo, 1, fmt.Sprintf("c%d", i))
		must(t, err)
	}
	e.f.waitHooks(t)
	seen := map[string]bool{}
	for _, r := range e.f.recv.all() {
		id := r.Header.Get("X-GitHub-Delivery")
		if seen[id] {
			t.Errorf("delivery id %s used twice", id)
		}
		seen[id] = true
	}
	if len(seen) < 15 {
		t.Errorf("saw %d delivery ids, want one per delivery", len(seen))
	}
}

func TestWebhooksArriveInOrder(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	_, _, err := client.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("One")})
	must(t, err)
	var want []string
	for i := 0; i < 25; i++ {
		body := fmt.Sprintf("comment %02d", i)
		_, _, err := client.Issues.CreateComment(ctx, "acme", "newsletter", 1, &github.IssueComment{Body: github.String(body)})
		must(t, err)
		want = append(want, body)
	}
	f.waitHooks(t)
	var got []string
	for _, r := range f.recv.all() {
		if r.Event == "issue_comment" {
			got = append(got, commentBodyOf(r.Body))
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("comments arrived as %v, want %v", got, want)
	}
	var emitted []string
	for _, r := range f.recv.all() {
		emitted = append(emitted, r.Header.Get("X-GitHub-Delivery"))
	}
	var events []string
	for _, ev := range f.sim.Events() {
		events = append(events, ev.DeliveryID)
	}
	if !reflect.DeepEqual(emitted, events) {
		t.Errorf("deliveries %v are not in the order of Events() %v", emitted, events)
	}
}

// TestWebhooksAreAsynchronous blocks the receiver: the API call that caused
// the event must still return.
func TestWebhooksAreAsynchronous(t *testing.T) {
	f := newFixture(t, Options{})
	f.waitHooks(t)
	release := make(chan struct{})
	arrived := make(chan struct{}, 10)
	blocked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(blocked.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	must(t, f.sim.SetWebhookURL(blocked.URL))
	client := f.installationClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := client.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("One")}); err != nil {
		t.Fatalf("Issues.Create while the receiver is blocked: %v", err)
	}
	<-arrived
	close(release)
	f.waitHooks(t)
	ds := f.sim.Deliveries()
	if d := ds[len(ds)-1]; d.Event != "issues" || d.StatusCode != http.StatusOK {
		t.Errorf("last delivery = %s %d, want issues answered 200", d.Event, d.StatusCode)
	}
}

func TestDeliveriesRecordTheReceiversAnswer(t *testing.T) {
	f := newFixture(t, Options{})
	f.waitHooks(t)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	must(t, f.sim.SetWebhookURL(failing.URL))
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	_, err := f.sim.Actor("alice").OpenIssue(testRepo, "One", "")
	must(t, err)
	f.waitHooks(t)
	ds := f.sim.Deliveries()
	if len(ds) != 2 || ds[1].StatusCode != http.StatusInternalServerError || ds[1].Event != "issues" || ds[1].Action != "opened" {
		t.Errorf("deliveries = %+v, want installation.created then one issues.opened answered 500 and not retried", ds)
	}
}

func TestInstallationWebhooks(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.CreateRepo(RepoSpec{Owner: "beta", Name: "news"}))
	must(t, f.sim.CreateRepo(RepoSpec{Owner: "beta", Name: "blog"}))
	f.waitHooks(t)
	steps := []struct {
		name   string
		do     func() error
		kind   string
		fields map[string]any
	}{
		{
			name: "installing sends installation.created with the repositories", kind: "installation.created",
			do:     func() error { return f.sim.Install(8, "beta", "beta/news") },
			fields: map[string]any{"installation.id": 8.0, "installation.account.login": "beta", "installation.app_id": float64(testAppID), "repositories.0.full_name": "beta/news"},
		},
		{
			name: "adding a repository sends installation_repositories.added", kind: "installation_repositories.added",
			do:     func() error { return f.sim.AddInstallationRepos(8, "beta/blog") },
			fields: map[string]any{"installation.id": 8.0, "repositories_added.0.full_name": "beta/blog", "repository_selection": "selected"},
		},
		{
			name: "removing a repository sends installation_repositories.removed", kind: "installation_repositories.removed",
			do:     func() error { return f.sim.RemoveInstallationRepos(8, "beta/news") },
			fields: map[string]any{"repositories_removed.0.full_name": "beta/news"},
		},
		{
			name: "uninstalling sends installation.deleted", kind: "installation.deleted",
			do:     func() error { return f.sim.Uninstall(8) },
			fields: map[string]any{"installation.id": 8.0, "repositories.0.full_name": "beta/blog"},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := len(f.recv.all())
			must(t, st.do())
			f.waitHooks(t)
			got := f.recv.all()[before:]
			if len(got) != 1 || got[0].Event+"."+got[0].Action != st.kind {
				t.Fatalf("webhooks = %v, want one %s", kindsOfReceived(got), st.kind)
			}
			for path, want := range st.fields {
				if v := lookupIndexed(got[0].Payload, path); v != want {
					t.Errorf("payload %s = %#v, want %#v", path, v, want)
				}
			}
			if lookup(got[0].Payload, "sender.login") == nil {
				t.Errorf("payload has no sender")
			}
			if err := github.ValidateSignature(got[0].Header.Get("X-Hub-Signature-256"), got[0].Body, []byte(testSecret)); err != nil {
				t.Errorf("signature: %v", err)
			}
			if _, err := github.ParseWebHook(got[0].Event, got[0].Body); err != nil {
				t.Errorf("ParseWebHook: %v", err)
			}
		})
	}
}

func TestNoWebhooksForRepositoriesOutsideTheInstallation(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.CreateRepo(RepoSpec{Owner: "acme", Name: "elsewhere"}))
	must(t, f.sim.SetPermission("acme/elsewhere", "alice", PermWrite))
	f.waitHooks(t)
	before := len(f.sim.Events())
	_, err := f.sim.Actor("alice").OpenIssue("acme/elsewhere", "Not for the app", "")
	must(t, err)
	f.waitHooks(t)
	if got := kindsOf(f.sim.Events()[before:]); len(got) != 0 {
		t.Errorf("events for a repository the app is not installed on: %v", got)
	}
}

func kindsOfReceived(rs []received) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Event+"."+r.Action)
	}
	return out
}

// lookupIndexed is lookup that also steps into arrays by index ("a.0.b").
func lookupIndexed(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
