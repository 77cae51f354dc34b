package githubsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// ---- shared git operations (callers hold s.mu) ----

// signatureFor is the author line GitHub writes for an account's commits.
func signatureFor(a *account, when time.Time) signature {
	name := a.Login
	if a.Name != "" {
		name = a.Name
	}
	return signature{Name: name, Email: fmt.Sprintf("%d+%s@users.noreply.github.com", a.ID, a.Login), When: when}
}

// setRefLocked points a ref at a commit and emits pull_request
// synchronize for open pull requests whose head branch it is.
func (s *Sim) setRefLocked(r *repo, ref, sha string, sender *account) {
	before := r.Refs[ref]
	r.Refs[ref] = sha
	if before == sha {
		return
	}
	now := s.now()
	r.PushedAt = now
	r.UpdatedAt = now
	branch, ok := strings.CutPrefix(ref, "refs/heads/")
	if !ok {
		return
	}
	for _, i := range r.Issues {
		p := i.PR
		if p == nil || i.State != "open" || p.Head != branch {
			continue
		}
		p.HeadSHA = sha
		i.UpdatedAt = now
		s.emitLocked(r, "pull_request", "synchronize", sender, obj{
			"number":       i.Number,
			"before":       before,
			"after":        sha,
			"pull_request": s.pullJSON(r, p, pullWebhook),
		})
	}
}

// commitFilesLocked commits file changes (path -> content, and deletions)
// on top of a branch, creating the branch from the default branch when it
// does not exist, and moves the branch. It returns the new commit's sha.
func (s *Sim) commitFilesLocked(r *repo, branch string, files map[string]string, deletions []string, message string, by *account) (string, error) {
	ref := "refs/heads/" + branch
	parent, ok := r.Refs[ref]
	if !ok {
		parent, ok = r.Refs["refs/heads/"+r.DefaultBranch]
	}
	flat := map[string]fileEntry{}
	var parents []string
	if ok {
		c, found := r.Objects.commit(parent)
		if !found {
			return "", fmt.Errorf("branch %s points at missing commit %s", branch, parent)
		}
		var err error
		if flat, err = r.Objects.flatten(c.Tree); err != nil {
			return "", fmt.Errorf("read tree of %s: %w", branch, err)
		}
		parents = []string{parent}
	}
	for p, content := range files {
		p = strings.Trim(p, "/")
		if p == "" {
			return "", fmt.Errorf("empty file path")
		}
		replacePath(flat, p)
		flat[p] = fileEntry{Mode: modeFile, SHA: r.Objects.put(objBlob, []byte(content))}
	}
	for _, p := range deletions {
		deletePath(flat, strings.Trim(p, "/"))
	}
	tree := r.Objects.writeFlat(flat)
	sig := signatureFor(by, s.now())
	sha := r.Objects.put(objCommit, encodeCommit(commitData{Tree: tree, Parents: parents, Author: sig, Committer: sig, Message: message}))
	s.setRefLocked(r, ref, sha, by)
	return sha, nil
}

// replacePath makes room for a new entry at p: it removes whatever was at
// p or under it, and any file standing where one of p's parent directories
// must be, so that no tree ends up with two entries of the same name.
func replacePath(flat map[string]fileEntry, p string) {
	deletePath(flat, p)
	for dir := path.Dir(p); dir != "." && dir != "/"; dir = path.Dir(dir) {
		delete(flat, dir)
	}
}

// deletePath removes a file, or every file under a directory, from a flat tree.
func deletePath(flat map[string]fileEntry, p string) {
	delete(flat, p)
	for k := range flat {
		if strings.HasPrefix(k, p+"/") {
			delete(flat, k)
		}
	}
}

// ---- rendering ----

func (s *Sim) gitCommitJSON(r *repo, sha string, c commitData) obj {
	parents := []any{}
	for _, p := range c.Parents {
		parents = append(parents, obj{
			"sha":      p,
			"url":      s.api("/repos/%s/git/commits/%s", r.fullName(), p),
			"html_url": s.web("/%s/commit/%s", r.fullName(), p),
		})
	}
	person := func(sig signature) obj {
		return obj{"name": sig.Name, "email": sig.Email, "date": ts(sig.When)}
	}
	return obj{
		"sha":       sha,
		"node_id":   commitNodeID(sha),
		"url":       s.api("/repos/%s/git/commits/%s", r.fullName(), sha),
		"html_url":  s.web("/%s/commit/%s", r.fullName(), sha),
		"author":    person(c.Author),
		"committer": person(c.Committer),
		"tree":      obj{"sha": c.Tree, "url": s.api("/repos/%s/git/trees/%s", r.fullName(), c.Tree)},
		"message":   c.Message,
		"parents":   parents,
		"verification": obj{
			"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil,
		},
	}
}

// fullCommitJSON is the commit object of the repos API (branches, commits).
func (s *Sim) fullCommitJSON(r *repo, sha string, c commitData) obj {
	return s.fullCommitJSONWith(r, sha, c, s.commitAccounts())
}

// commitAccounts maps the email GitHub writes into an account's commits
// to the account, so that a commit's author and committer can be linked
// to users; a listing builds it once for its page.
func (s *Sim) commitAccounts() map[string]*account {
	out := make(map[string]*account, len(s.st.accounts))
	for _, a := range s.st.accounts {
		out[signatureFor(a, time.Time{}).Email] = a
	}
	return out
}

func (s *Sim) fullCommitJSONWith(r *repo, sha string, c commitData, accounts map[string]*account) obj {
	git := s.gitCommitJSON(r, sha, c)
	delete(git, "parents")
	delete(git, "sha")
	delete(git, "node_id")
	delete(git, "html_url")
	git["comment_count"] = 0
	userFor := func(sig signature) any {
		if a := accounts[sig.Email]; a != nil {
			return s.userJSON(a)
		}
		return nil
	}
	// The repos API links parents to its own commits, not to git data.
	parents := []any{}
	for _, p := range c.Parents {
		parents = append(parents, obj{
			"sha":      p,
			"url":      s.api("/repos/%s/commits/%s", r.fullName(), p),
			"html_url": s.web("/%s/commit/%s", r.fullName(), p),
		})
	}
	return obj{
		"sha":          sha,
		"node_id":      commitNodeID(sha),
		"url":          s.api("/repos/%s/commits/%s", r.fullName(), sha),
		"html_url":     s.web("/%s/commit/%s", r.fullName(), sha),
		"comments_url": s.api("/repos/%s/commits/%s/comments", r.fullName(), sha),
		"commit":       git,
		"author":       userFor(c.Author),
		"committer":    userFor(c.Committer),
		"parents":      parents,
	}
}

// commitNodeID is a stable node id for a commit.
func commitNodeID(sha string) string { return "C_kwDO" + sha[:20] }

func (s *Sim) refJSON(r *repo, ref, sha string) obj {
	return obj{
		"ref":     ref,
		"node_id": nodeID("REF", r.ID) + strings.ReplaceAll(ref, "/", "_"),
		"url":     s.api("/repos/%s/git/%s", r.fullName(), escapeRef(ref)),
		"object": obj{
			"sha":  sha,
			"type": "commit",
			"url":  s.api("/repos/%s/git/commits/%s", r.fullName(), sha),
		},
	}
}

func escapeRef(ref string) string {
	parts := strings.Split(ref, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// ---- repository ----

func (s *Sim) handleGetRepo(c *reqCtx) *response {
	return okJSON(s.repoJSON(c.repo, repoREST))
}

func (s *Sim) handleGetBranch(c *reqCtx) *response {
	r := c.repo
	branch := c.param("branch")
	sha, ok := r.Refs["refs/heads/"+branch]
	if !ok {
		return errorResponse(http.StatusNotFound, "Branch not found")
	}
	cd, _ := r.Objects.commit(sha)
	base := s.api("/repos/%s/branches/%s", r.fullName(), escapeRef(branch))
	return okJSON(obj{
		"name":      branch,
		"commit":    s.fullCommitJSON(r, sha, cd),
		"_links":    obj{"self": base, "html": s.web("/%s/tree/%s", r.fullName(), branch)},
		"protected": false,
		"protection": obj{
			"enabled": false,
			"required_status_checks": obj{
				"enforcement_level": "off", "contexts": []string{}, "checks": []any{},
			},
		},
		"protection_url": base + "/protection",
	})
}

// handleListBranches lists the repository's branches by name, one page at
// a time.
func (s *Sim) handleListBranches(c *reqCtx) *response {
	r := c.repo
	var names []string
	if c.query("protected") != "true" { // no branch is protected here
		for _, ref := range r.sortedRefs() {
			if name, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
				names = append(names, name)
			}
		}
	}
	return pagedJSON(pageOf(c, names, func(name string) any {
		sha := r.Refs["refs/heads/"+name]
		return obj{
			"name":      name,
			"commit":    obj{"sha": sha, "url": s.api("/repos/%s/commits/%s", r.fullName(), sha)},
			"protected": false,
		}
	}))
}

// handleListCommits lists the commits reachable from a branch, tag or
// commit (sha; the default branch when absent), newest first by commit
// date as git log orders them, one page at a time: the walk stops at the
// page's end, and only the page is rendered. The path, author, committer,
// since and until filters are not simulated.
func (s *Sim) handleListCommits(c *reqCtx) *response {
	r := c.repo
	ref := c.query("sha")
	tip, ok := r.resolveRef(ref)
	if !ok {
		if ref == "" {
			return errorResponse(http.StatusConflict, "Git Repository is empty.")
		}
		return errorResponse(http.StatusNotFound, "No commit found for SHA: "+ref)
	}
	start, end, h := c.pageBounds(r.commitCount(tip))
	accounts := s.commitAccounts()
	shas := r.Objects.log(tip, end)
	page := []any{}
	for _, sha := range shas[min(start, len(shas)):] {
		cd, _ := r.Objects.commit(sha)
		page = append(page, s.fullCommitJSONWith(r, sha, cd, accounts))
	}
	return pagedJSON(page, h)
}

// ---- contents ----

func (s *Sim) contentEntryJSON(r *repo, ref, p string, e treeEntry) obj {
	typ := "file"
	switch e.Mode {
	case modeDir:
		typ = "dir"
	case modeSymlink:
		typ = "symlink"
	case modeGitlink:
		typ = "submodule"
	}
	self := s.api("/repos/%s/contents/%s?ref=%s", r.fullName(), escapeRef(p), url.QueryEscape(ref))
	htmlKind, gitKind := "blob", "blobs"
	if typ == "dir" {
		htmlKind, gitKind = "tree", "trees"
	}
	html := s.web("/%s/%s/%s/%s", r.fullName(), htmlKind, ref, p)
	gitURL := s.api("/repos/%s/git/%s/%s", r.fullName(), gitKind, e.SHA)
	size := 0
	var download any
	if typ == "file" || typ == "symlink" {
		if o, ok := r.Objects.get(e.SHA, objBlob); ok {
			size = len(o.Data)
		}
		download = fmt.Sprintf("https://raw.githubusercontent.com/%s/%s/%s", r.fullName(), ref, p)
	}
	return obj{
		"type":         typ,
		"size":         size,
		"name":         path.Base(p),
		"path":         p,
		"sha":          e.SHA,
		"url":          self,
		"git_url":      gitURL,
		"html_url":     html,
		"download_url": download,
		"_links":       obj{"self": self, "git": gitURL, "html": html},
	}
}

func (s *Sim) handleGetContents(c *reqCtx) *response {
	r := c.repo
	ref := c.query("ref")
	if ref == "" {
		ref = r.DefaultBranch
	}
	sha, ok := r.resolveRef(ref)
	if !ok {
		return errorResponse(http.StatusNotFound, fmt.Sprintf("No commit found for the ref %s", ref))
	}
	cd, _ := r.Objects.commit(sha)
	p := strings.Trim(c.param("path"), "/")
	e, ok := r.Objects.lookupPath(cd.Tree, p)
	if !ok {
		return notFound()
	}
	if e.Mode == modeDir {
		tree, _ := r.Objects.get(e.SHA, objTree)
		entries, err := decodeTree(tree.Data)
		if err != nil {
			return errorResponse(http.StatusInternalServerError, err.Error())
		}
		list := []any{}
		for _, child := range entries {
			list = append(list, s.contentEntryJSON(r, ref, strings.TrimPrefix(p+"/"+child.Name, "/"), child))
		}
		return okJSON(list)
	}
	blob, _ := r.Objects.get(e.SHA, objBlob)
	if strings.Contains(c.r.Header.Get("Accept"), "raw") {
		return &response{status: http.StatusOK, raw: blob.Data}
	}
	o := s.contentEntryJSON(r, ref, p, e)
	if e.Mode == modeSymlink {
		o["target"] = string(blob.Data)
	}
	o["content"] = base64Wrapped(blob.Data)
	o["encoding"] = "base64"
	return okJSON(o)
}

// handlePutContents creates or updates one file with a commit.
func (s *Sim) handlePutContents(c *reqCtx) *response {
	r := c.repo
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	var req struct {
		Message string `json:"message"`
		Content string `json:"content"`
		SHA     string `json:"sha"`
		Branch  string `json:"branch"`
		Author  *struct {
			Name  string `json:"name"`
			Email string `json:"email"`
		} `json:"author"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	if req.Message == "" {
		return validationFailed(validationError{Resource: "Contents", Field: "message", Code: "missing_field"})
	}
	data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(req.Content, "\n", ""))
	if err != nil {
		return validationFailed(validationError{Resource: "Contents", Field: "content", Code: "invalid", Message: "content is not valid Base64"})
	}
	branch := req.Branch
	if branch == "" {
		branch = r.DefaultBranch
	}
	tip, ok := r.Refs["refs/heads/"+branch]
	if !ok {
		return errorResponse(http.StatusNotFound, fmt.Sprintf("Branch %s not found", branch))
	}
	p := strings.Trim(c.param("path"), "/")
	cd, _ := r.Objects.commit(tip)
	existing, exists := r.Objects.lookupPath(cd.Tree, p)
	switch {
	case exists && req.SHA == "":
		return errorResponse(http.StatusUnprocessableEntity, "Invalid request.\n\n\"sha\" wasn't supplied.")
	case exists && req.SHA != existing.SHA:
		return errorResponse(http.StatusConflict, fmt.Sprintf("%s does not match %s", p, req.SHA))
	}
	sha, err := s.commitFilesLocked(r, branch, map[string]string{p: string(data)}, nil, req.Message, c.auth.actor())
	if err != nil {
		return errorResponse(http.StatusInternalServerError, err.Error())
	}
	newCommit, _ := r.Objects.commit(sha)
	entry, _ := r.Objects.lookupPath(newCommit.Tree, p)
	content := s.contentEntryJSON(r, branch, p, entry)
	body := obj{"content": content, "commit": s.gitCommitJSON(r, sha, newCommit)}
	if exists {
		return okJSON(body)
	}
	return createdJSON(body)
}

// ---- refs ----

func (s *Sim) handleGetRef(c *reqCtx) *response {
	ref := "refs/" + strings.TrimPrefix(c.param("ref"), "refs/")
	sha, ok := c.repo.Refs[ref]
	if !ok {
		return notFound()
	}
	return okJSON(s.refJSON(c.repo, ref, sha))
}

func (s *Sim) handleMatchingRefs(c *reqCtx) *response {
	prefix := "refs/" + strings.TrimPrefix(c.param("ref"), "refs/")
	list := []any{}
	for _, ref := range c.repo.sortedRefs() {
		if strings.HasPrefix(ref, prefix) {
			list = append(list, s.refJSON(c.repo, ref, c.repo.Refs[ref]))
		}
	}
	return okJSON(list)
}

func validRefName(ref string) bool {
	if !strings.HasPrefix(ref, "refs/") || strings.Count(ref, "/") < 2 || strings.HasSuffix(ref, "/") {
		return false
	}
	return !strings.Contains(ref, "..") && !strings.ContainsAny(ref, " ~^:?*[\\")
}

func (s *Sim) handleCreateRef(c *reqCtx) *response {
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	var req struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	if !validRefName(req.Ref) {
		return errorResponse(http.StatusUnprocessableEntity, "Reference name must start with 'refs/' and have at least two slashes.")
	}
	if _, ok := c.repo.Refs[req.Ref]; ok {
		return errorResponse(http.StatusUnprocessableEntity, "Reference already exists")
	}
	if _, ok := c.repo.Objects.get(req.SHA, objCommit); !ok {
		return errorResponse(http.StatusUnprocessableEntity, "Object does not exist")
	}
	s.setRefLocked(c.repo, req.Ref, strings.ToLower(req.SHA), c.auth.actor())
	return createdJSON(s.refJSON(c.repo, req.Ref, c.repo.Refs[req.Ref]))
}

func (s *Sim) handleUpdateRef(c *reqCtx) *response {
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	var req struct {
		SHA   string `json:"sha"`
		Force bool   `json:"force"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	ref := "refs/" + strings.TrimPrefix(c.param("ref"), "refs/")
	cur, ok := c.repo.Refs[ref]
	if !ok {
		return errorResponse(http.StatusUnprocessableEntity, "Reference does not exist")
	}
	sha := strings.ToLower(req.SHA)
	if _, ok := c.repo.Objects.get(sha, objCommit); !ok {
		return errorResponse(http.StatusUnprocessableEntity, "Object does not exist")
	}
	if !req.Force && !c.repo.Objects.isAncestor(cur, sha) {
		return errorResponse(http.StatusUnprocessableEntity, "Update is not a fast forward")
	}
	s.setRefLocked(c.repo, ref, sha, c.auth.actor())
	return okJSON(s.refJSON(c.repo, ref, sha))
}

func (s *Sim) handleDeleteRef(c *reqCtx) *response {
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	ref := "refs/" + strings.TrimPrefix(c.param("ref"), "refs/")
	if _, ok := c.repo.Refs[ref]; !ok {
		return errorResponse(http.StatusUnprocessableEntity, "Reference does not exist")
	}
	delete(c.repo.Refs, ref)
	return noContent()
}

// ---- blobs ----

func (s *Sim) handleCreateBlob(c *reqCtx) *response {
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	var req struct {
		Content  *string `json:"content"`
		Encoding string  `json:"encoding"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	if req.Content == nil {
		return validationFailed(validationError{Resource: "Blob", Field: "content", Code: "missing_field"})
	}
	var data []byte
	switch req.Encoding {
	case "", "utf-8", "utf8":
		data = []byte(*req.Content)
	case "base64":
		var err error
		data, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(*req.Content), ""))
		if err != nil {
			return validationFailed(validationError{Resource: "Blob", Field: "content", Code: "invalid"})
		}
	default:
		return errorResponse(http.StatusUnprocessableEntity, fmt.Sprintf("encoding must be either 'utf-8' or 'base64', got %q", req.Encoding))
	}
	sha := c.repo.Objects.put(objBlob, data)
	return createdJSON(obj{"sha": sha, "url": s.api("/repos/%s/git/blobs/%s", c.repo.fullName(), sha)})
}

func (s *Sim) handleGetBlob(c *reqCtx) *response {
	sha := strings.ToLower(c.param("file_sha"))
	o, ok := c.repo.Objects.get(sha, objBlob)
	if !ok {
		return notFound()
	}
	if strings.Contains(c.r.Header.Get("Accept"), "raw") {
		return &response{status: http.StatusOK, raw: o.Data}
	}
	return okJSON(obj{
		"sha":      sha,
		"node_id":  "B_" + sha[:12],
		"size":     len(o.Data),
		"url":      s.api("/repos/%s/git/blobs/%s", c.repo.fullName(), sha),
		"content":  base64Wrapped(o.Data),
		"encoding": "base64",
	})
}

// ---- trees ----

func (s *Sim) treeEntryJSON(r *repo, p string, e treeEntry) obj {
	o := obj{"path": p, "mode": e.Mode, "type": e.entryType(), "sha": e.SHA}
	switch e.entryType() {
	case objBlob:
		if b, ok := r.Objects.get(e.SHA, objBlob); ok {
			o["size"] = len(b.Data)
		}
		o["url"] = s.api("/repos/%s/git/blobs/%s", r.fullName(), e.SHA)
	case objTree:
		o["url"] = s.api("/repos/%s/git/trees/%s", r.fullName(), e.SHA)
	}
	return o
}

func (s *Sim) treeJSON(r *repo, sha string, recursive bool) (obj, error) {
	entries := []any{}
	var walk func(treeSHA, prefix string) error
	walk = func(treeSHA, prefix string) error {
		o, ok := r.Objects.get(treeSHA, objTree)
		if !ok {
			return fmt.Errorf("tree %s not found", treeSHA)
		}
		list, err := decodeTree(o.Data)
		if err != nil {
			return err
		}
		for _, e := range list {
			entries = append(entries, s.treeEntryJSON(r, prefix+e.Name, e))
			if recursive && e.Mode == modeDir {
				if err := walk(e.SHA, prefix+e.Name+"/"); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(sha, ""); err != nil {
		return nil, err
	}
	return obj{
		"sha":       sha,
		"url":       s.api("/repos/%s/git/trees/%s", r.fullName(), sha),
		"tree":      entries,
		"truncated": false,
	}, nil
}

func (s *Sim) handleGetTree(c *reqCtx) *response {
	r := c.repo
	sha := strings.ToLower(c.param("tree_sha"))
	if _, ok := r.Objects.get(sha, objTree); !ok {
		commitSHA, found := r.resolveRef(c.param("tree_sha"))
		if !found {
			return notFound()
		}
		cd, _ := r.Objects.commit(commitSHA)
		sha = cd.Tree
	}
	recursive := c.query("recursive")
	body, err := s.treeJSON(r, sha, recursive != "" && recursive != "0" && recursive != "false")
	if err != nil {
		return notFound()
	}
	return okJSON(body)
}

func (s *Sim) handleCreateTree(c *reqCtx) *response {
	r := c.repo
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	var req struct {
		BaseTree string `json:"base_tree"`
		Tree     []struct {
			Path    string  `json:"path"`
			Mode    string  `json:"mode"`
			Type    string  `json:"type"`
			SHA     *string `json:"sha"`
			Content *string `json:"content"`
		} `json:"tree"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	flat := map[string]fileEntry{}
	if req.BaseTree != "" {
		var err error
		if flat, err = r.Objects.flatten(strings.ToLower(req.BaseTree)); err != nil {
			return errorResponse(http.StatusUnprocessableEntity, "Invalid tree info: base_tree is not a valid tree")
		}
	}
	for _, e := range req.Tree {
		p := strings.Trim(e.Path, "/")
		if p == "" {
			return errorResponse(http.StatusUnprocessableEntity, "Invalid tree info: path is required")
		}
		switch e.Mode {
		case modeFile, modeExec, modeSymlink, modeDir, modeGitlink:
		default:
			return errorResponse(http.StatusUnprocessableEntity, fmt.Sprintf("Invalid tree info: mode %q is not valid", e.Mode))
		}
		switch {
		case e.Content != nil:
			replacePath(flat, p)
			flat[p] = fileEntry{Mode: e.Mode, SHA: r.Objects.put(objBlob, []byte(*e.Content))}
		case e.SHA == nil:
			deletePath(flat, p)
		case e.Mode == modeDir || e.Type == objTree:
			sub, err := r.Objects.flatten(strings.ToLower(*e.SHA))
			if err != nil {
				return errorResponse(http.StatusUnprocessableEntity, fmt.Sprintf("Invalid tree info: tree.sha %s is not a valid tree", *e.SHA))
			}
			replacePath(flat, p)
			for sp, f := range sub {
				flat[p+"/"+sp] = f
			}
		case e.Mode == modeGitlink:
			replacePath(flat, p)
			flat[p] = fileEntry{Mode: e.Mode, SHA: strings.ToLower(*e.SHA)}
		default:
			sha := strings.ToLower(*e.SHA)
			if _, ok := r.Objects.get(sha, objBlob); !ok {
				return errorResponse(http.StatusUnprocessableEntity, fmt.Sprintf("Invalid tree info: tree.sha %s is not a valid blob", *e.SHA))
			}
			replacePath(flat, p)
			flat[p] = fileEntry{Mode: e.Mode, SHA: sha}
		}
	}
	sha := r.Objects.writeFlat(flat)
	body, err := s.treeJSON(r, sha, false)
	if err != nil {
		return errorResponse(http.StatusInternalServerError, err.Error())
	}
	return createdJSON(body)
}

// ---- commits ----

func (s *Sim) handleGetCommit(c *reqCtx) *response {
	sha := strings.ToLower(c.param("commit_sha"))
	cd, ok := c.repo.Objects.commit(sha)
	if !ok {
		return notFound()
	}
	return okJSON(s.gitCommitJSON(c.repo, sha, cd))
}

type gitPersonRequest struct {
	Name  string    `json:"name"`
	Email string    `json:"email"`
	Date  time.Time `json:"date"`
}

func (s *Sim) handleCreateCommit(c *reqCtx) *response {
	r := c.repo
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	var req struct {
		Message   *string           `json:"message"`
		Tree      string            `json:"tree"`
		Parents   []string          `json:"parents"`
		Author    *gitPersonRequest `json:"author"`
		Committer *gitPersonRequest `json:"committer"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	if req.Message == nil {
		return validationFailed(validationError{Resource: "Commit", Field: "message", Code: "missing_field"})
	}
	tree := strings.ToLower(req.Tree)
	if _, ok := r.Objects.get(tree, objTree); !ok {
		return errorResponse(http.StatusUnprocessableEntity, "Tree SHA does not exist")
	}
	parents := make([]string, 0, len(req.Parents))
	for _, p := range req.Parents {
		p = strings.ToLower(p)
		if _, ok := r.Objects.get(p, objCommit); !ok {
			return errorResponse(http.StatusUnprocessableEntity, "Parent SHA does not exist or is not a commit object")
		}
		parents = append(parents, p)
	}
	now := s.now()
	author := signatureFor(c.auth.actor(), now)
	if req.Author != nil {
		author = signature{Name: req.Author.Name, Email: req.Author.Email, When: now}
		if !req.Author.Date.IsZero() {
			author.When = req.Author.Date.Truncate(time.Second)
		}
	}
	committer := author
	if req.Committer != nil {
		committer = signature{Name: req.Committer.Name, Email: req.Committer.Email, When: now}
		if !req.Committer.Date.IsZero() {
			committer.When = req.Committer.Date.Truncate(time.Second)
		}
	}
	cd := commitData{Tree: tree, Parents: parents, Author: author, Committer: committer, Message: *req.Message}
	sha := r.Objects.put(objCommit, encodeCommit(cd))
	return createdJSON(s.gitCommitJSON(r, sha, cd))
}
