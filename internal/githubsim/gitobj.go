package githubsim

import (
	"bytes"
	"container/heap"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Git object types, as git names them in an object header.
const (
	objBlob   = "blob"
	objTree   = "tree"
	objCommit = "commit"
)

// Tree entry modes as the REST API spells them (git's own tree encoding
// writes directories as "40000", without the leading zero).
const (
	modeFile    = "100644"
	modeExec    = "100755"
	modeSymlink = "120000"
	modeDir     = "040000"
	modeGitlink = "160000"
)

// gitObject is one content-addressed object of a repository's object store.
type gitObject struct {
	Type string
	Data []byte // the object's content without git's "<type> <len>\x00" header
	// Parents are a commit's, decoded once when it is stored: history
	// walks then cost no decoding (a bot's commit message is large).
	Parents []string
}

// objectStore holds the git objects of one repository keyed by their SHA-1.
type objectStore map[string]gitObject

// hashObject returns the id git gives an object: the hex SHA-1 of
// "<type> <len>\x00<content>", exactly what `git hash-object -t type` prints.
func hashObject(typ string, data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// put stores an object and returns its id.
func (st objectStore) put(typ string, data []byte) string {
	sha := hashObject(typ, data)
	if _, ok := st[sha]; !ok {
		o := gitObject{Type: typ, Data: append([]byte(nil), data...)}
		if typ == objCommit {
			if c, err := decodeCommit(o.Data); err == nil {
				o.Parents = c.Parents
			}
		}
		st[sha] = o
	}
	return sha
}

// get returns the object with the given id if it has the wanted type ("" for any).
func (st objectStore) get(sha, typ string) (gitObject, bool) {
	o, ok := st[strings.ToLower(sha)]
	if !ok || (typ != "" && o.Type != typ) {
		return gitObject{}, false
	}
	return o, true
}

// treeEntry is one entry of a git tree object.
type treeEntry struct {
	Mode string // REST spelling: 100644, 100755, 120000, 040000, 160000
	Name string
	SHA  string
}

// entryType returns the REST "type" of a tree entry.
func (e treeEntry) entryType() string {
	switch e.Mode {
	case modeDir:
		return objTree
	case modeGitlink:
		return objCommit
	default:
		return objBlob
	}
}

// gitTreeLess orders tree entries as git does: byte-wise by name, where a
// directory's name compares as if it ended in "/".
func gitTreeLess(a, b treeEntry) bool {
	an, bn := a.Name, b.Name
	if a.Mode == modeDir {
		an += "/"
	}
	if b.Mode == modeDir {
		bn += "/"
	}
	return an < bn
}

// encodeTree returns the binary content of a tree object with the entries
// sorted as git sorts them.
func encodeTree(entries []treeEntry) []byte {
	sorted := append([]treeEntry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return gitTreeLess(sorted[i], sorted[j]) })
	var buf bytes.Buffer
	for _, e := range sorted {
		mode := strings.TrimLeft(e.Mode, "0")
		raw, err := hex.DecodeString(e.SHA)
		if err != nil || len(raw) != sha1.Size {
			panic(fmt.Sprintf("githubsim: tree entry %q has invalid sha %q", e.Name, e.SHA))
		}
		fmt.Fprintf(&buf, "%s %s\x00", mode, e.Name)
		buf.Write(raw)
	}
	return buf.Bytes()
}

// decodeTree parses the binary content of a tree object.
func decodeTree(data []byte) ([]treeEntry, error) {
	var entries []treeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("decode tree: missing mode separator")
		}
		nul := bytes.IndexByte(data[sp:], 0)
		if nul < 0 || sp+nul+1+sha1.Size > len(data) {
			return nil, fmt.Errorf("decode tree: truncated entry")
		}
		mode := string(data[:sp])
		if len(mode) < 6 {
			mode = strings.Repeat("0", 6-len(mode)) + mode
		}
		name := string(data[sp+1 : sp+nul])
		sha := hex.EncodeToString(data[sp+nul+1 : sp+nul+1+sha1.Size])
		entries = append(entries, treeEntry{Mode: mode, Name: name, SHA: sha})
		data = data[sp+nul+1+sha1.Size:]
	}
	return entries, nil
}

// signature is an author or committer line of a commit.
type signature struct {
	Name  string
	Email string
	When  time.Time
}

func (s signature) encode() string {
	_, offset := s.When.Zone()
	sign := '+'
	if offset < 0 {
		sign = '-'
		offset = -offset
	}
	return fmt.Sprintf("%s <%s> %d %c%02d%02d", s.Name, s.Email, s.When.Unix(), sign, offset/3600, (offset%3600)/60)
}

func parseSignature(line string) (signature, error) {
	lt := strings.LastIndexByte(line, '<')
	gt := strings.LastIndexByte(line, '>')
	if lt < 0 || gt < lt {
		return signature{}, fmt.Errorf("parse signature %q: missing email", line)
	}
	fields := strings.Fields(line[gt+1:])
	if len(fields) != 2 {
		return signature{}, fmt.Errorf("parse signature %q: missing date", line)
	}
	secs, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return signature{}, fmt.Errorf("parse signature %q: %w", line, err)
	}
	tz := fields[1]
	loc := time.UTC
	if len(tz) == 5 {
		h, _ := strconv.Atoi(tz[1:3])
		m, _ := strconv.Atoi(tz[3:5])
		off := h*3600 + m*60
		if tz[0] == '-' {
			off = -off
		}
		if off != 0 {
			loc = time.FixedZone(tz, off)
		}
	}
	return signature{
		Name:  strings.TrimSpace(line[:lt]),
		Email: line[lt+1 : gt],
		When:  time.Unix(secs, 0).In(loc),
	}, nil
}

// commitData is a parsed commit object.
type commitData struct {
	Tree      string
	Parents   []string
	Author    signature
	Committer signature
	Message   string
}

// encodeCommit returns the text of a commit object in git's exact format.
func encodeCommit(c commitData) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "tree %s\n", c.Tree)
	for _, p := range c.Parents {
		fmt.Fprintf(&buf, "parent %s\n", p)
	}
	fmt.Fprintf(&buf, "author %s\n", c.Author.encode())
	fmt.Fprintf(&buf, "committer %s\n", c.Committer.encode())
	buf.WriteString("\n")
	buf.WriteString(c.Message)
	return buf.Bytes()
}

// decodeCommit parses the text of a commit object.
func decodeCommit(data []byte) (commitData, error) {
	var c commitData
	text := string(data)
	header, message, ok := strings.Cut(text, "\n\n")
	if !ok {
		return c, fmt.Errorf("decode commit: missing blank line after header")
	}
	c.Message = message
	for _, line := range strings.Split(header, "\n") {
		key, value, _ := strings.Cut(line, " ")
		var err error
		switch key {
		case "tree":
			c.Tree = value
		case "parent":
			c.Parents = append(c.Parents, value)
		case "author":
			c.Author, err = parseSignature(value)
		case "committer":
			c.Committer, err = parseSignature(value)
		}
		if err != nil {
			return c, fmt.Errorf("decode commit: %w", err)
		}
	}
	return c, nil
}

// fileEntry is a non-directory entry of a flattened tree.
type fileEntry struct {
	Mode string
	SHA  string
}

// flatten returns every non-directory entry reachable from the tree,
// keyed by its slash-separated path.
func (st objectStore) flatten(treeSHA string) (map[string]fileEntry, error) {
	files := make(map[string]fileEntry)
	if err := st.flattenInto(treeSHA, "", files); err != nil {
		return nil, err
	}
	return files, nil
}

func (st objectStore) flattenInto(treeSHA, prefix string, files map[string]fileEntry) error {
	obj, ok := st.get(treeSHA, objTree)
	if !ok {
		return fmt.Errorf("tree %s not found", treeSHA)
	}
	entries, err := decodeTree(obj.Data)
	if err != nil {
		return fmt.Errorf("tree %s: %w", treeSHA, err)
	}
	for _, e := range entries {
		p := prefix + e.Name
		if e.Mode == modeDir {
			if err := st.flattenInto(e.SHA, p+"/", files); err != nil {
				return err
			}
			continue
		}
		files[p] = fileEntry{Mode: e.Mode, SHA: e.SHA}
	}
	return nil
}

// writeFlat builds (and stores) the nested tree objects for a flat path map
// and returns the root tree's id. Directories left empty disappear, as in git.
func (st objectStore) writeFlat(files map[string]fileEntry) string {
	type dir struct {
		files map[string]fileEntry
		dirs  map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]fileEntry{}, dirs: map[string]*dir{}} }
	root := newDir()
	for p, f := range files {
		parts := strings.Split(p, "/")
		d := root
		for _, part := range parts[:len(parts)-1] {
			sub, ok := d.dirs[part]
			if !ok {
				sub = newDir()
				d.dirs[part] = sub
			}
			d = sub
		}
		d.files[parts[len(parts)-1]] = f
	}
	var write func(d *dir) string
	write = func(d *dir) string {
		var entries []treeEntry
		for name, f := range d.files {
			entries = append(entries, treeEntry{Mode: f.Mode, Name: name, SHA: f.SHA})
		}
		for name, sub := range d.dirs {
			entries = append(entries, treeEntry{Mode: modeDir, Name: name, SHA: write(sub)})
		}
		return st.put(objTree, encodeTree(entries))
	}
	return write(root)
}

// lookupPath finds the entry at path inside a tree; the empty path is the
// tree itself.
func (st objectStore) lookupPath(treeSHA, path string) (treeEntry, bool) {
	cur := treeEntry{Mode: modeDir, SHA: treeSHA}
	path = strings.Trim(path, "/")
	if path == "" {
		return cur, true
	}
	for _, part := range strings.Split(path, "/") {
		if cur.Mode != modeDir {
			return treeEntry{}, false
		}
		obj, ok := st.get(cur.SHA, objTree)
		if !ok {
			return treeEntry{}, false
		}
		entries, err := decodeTree(obj.Data)
		if err != nil {
			return treeEntry{}, false
		}
		found := false
		for _, e := range entries {
			if e.Name == part {
				cur, found = e, true
				break
			}
		}
		if !found {
			return treeEntry{}, false
		}
	}
	return cur, true
}

// isAncestor reports whether ancestor is reachable from commit by parent links
// (a commit is its own ancestor).
func (st objectStore) isAncestor(ancestor, commit string) bool {
	found := false
	st.walk(commit, func(sha string) bool {
		found = sha == ancestor
		return !found
	})
	return found
}

// walk visits the commits reachable from sha, breadth-first, sha first,
// each once, while visit says to go on.
func (st objectStore) walk(sha string, visit func(sha string) bool) {
	seen := map[string]bool{}
	queue := []string{sha}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if seen[cur] {
			continue
		}
		seen[cur] = true
		if !visit(cur) {
			return
		}
		if obj, ok := st.get(cur, objCommit); ok {
			queue = append(queue, obj.Parents...)
		}
	}
}

// ancestors returns the set of commits reachable from sha, sha included.
func (st objectStore) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	st.walk(sha, func(sha string) bool { seen[sha] = true; return true })
	return seen
}

// mergeBase returns a best common ancestor of a and b (breadth-first from b),
// or "" when they share no history.
func (st objectStore) mergeBase(a, b string) string {
	fromA := st.ancestors(a)
	base := ""
	st.walk(b, func(sha string) bool {
		if fromA[sha] {
			base = sha
		}
		return base == ""
	})
	return base
}

// commit returns the parsed commit with the given id.
func (st objectStore) commit(sha string) (commitData, bool) {
	obj, ok := st.get(sha, objCommit)
	if !ok {
		return commitData{}, false
	}
	c, err := decodeCommit(obj.Data)
	if err != nil {
		return commitData{}, false
	}
	return c, true
}

// errConflict is returned by mergeTrees when both sides changed a path differently.
var errConflict = fmt.Errorf("merge conflict")

// mergeTrees performs a three-way merge of flattened trees at path level:
// a path changed on one side only takes that side; a path changed on both
// sides must have been changed identically, otherwise it is a conflict.
func (st objectStore) mergeTrees(baseTree, oursTree, theirsTree string) (string, error) {
	flat := func(sha string) (map[string]fileEntry, error) {
		if sha == "" {
			return map[string]fileEntry{}, nil
		}
		return st.flatten(sha)
	}
	base, err := flat(baseTree)
	if err != nil {
		return "", err
	}
	ours, err := flat(oursTree)
	if err != nil {
		return "", err
	}
	theirs, err := flat(theirsTree)
	if err != nil {
		return "", err
	}
	paths := map[string]bool{}
	for _, m := range []map[string]fileEntry{base, ours, theirs} {
		for p := range m {
			paths[p] = true
		}
	}
	out := map[string]fileEntry{}
	for p := range paths {
		b, inBase := base[p]
		o, inOurs := ours[p]
		t, inTheirs := theirs[p]
		oursChanged := inOurs != inBase || o != b
		theirsChanged := inTheirs != inBase || t != b
		switch {
		case !theirsChanged:
			if inOurs {
				out[p] = o
			}
		case !oursChanged:
			if inTheirs {
				out[p] = t
			}
		case inOurs == inTheirs && o == t:
			if inOurs {
				out[p] = o
			}
		default:
			return "", fmt.Errorf("%w in %s", errConflict, p)
		}
	}
	return st.writeFlat(out), nil
}

// log returns the first n commits of git log from tip: newest first by
// committer date, walking every parent, each commit once (a walk that
// always takes the newest commit it has reached, the one reached first
// among equals). It reads only the commits it returns and their parents,
// so a first page costs a page, not the history.
func (st objectStore) log(tip string, n int) []string {
	var out []string
	q := &logQueue{}
	seen := map[string]bool{}
	push := func(sha string) {
		if seen[sha] {
			return
		}
		seen[sha] = true
		if o, ok := st.get(sha, objCommit); ok {
			heap.Push(q, logItem{sha: sha, when: committerTime(o.Data), seq: len(seen)})
		}
	}
	push(tip)
	for len(out) < n && q.Len() > 0 {
		it := heap.Pop(q).(logItem)
		out = append(out, it.sha)
		o, _ := st.get(it.sha, objCommit)
		for _, p := range o.Parents {
			push(p)
		}
	}
	return out
}

// committerTime reads the committer's timestamp (seconds) from a commit
// object's header without decoding the rest.
func committerTime(data []byte) int64 {
	for len(data) > 0 {
		line := data
		if n := bytes.IndexByte(data, '\n'); n >= 0 {
			line, data = data[:n], data[n+1:]
		} else {
			data = nil
		}
		if len(line) == 0 {
			break // the end of the header
		}
		rest, ok := bytes.CutPrefix(line, []byte("committer "))
		if !ok {
			continue
		}
		if gt := bytes.LastIndexByte(rest, '>'); gt >= 0 {
			fields := strings.Fields(string(rest[gt+1:]))
			if len(fields) > 0 {
				secs, _ := strconv.ParseInt(fields[0], 10, 64)
				return secs
			}
		}
	}
	return 0
}

type logItem struct {
	sha  string
	when int64
	seq  int
}

// logQueue orders a log walk: newest first, then first reached.
type logQueue []logItem

func (q logQueue) Len() int { return len(q) }
func (q logQueue) Less(i, j int) bool {
	if q[i].when != q[j].when {
		return q[i].when > q[j].when
	}
	return q[i].seq < q[j].seq
}
func (q logQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *logQueue) Push(x any)   { *q = append(*q, x.(logItem)) }
func (q *logQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// commitCount is how many commits git log from tip lists. A commit with
// one parent counts one more than its parent, so a branch that grows a
// commit at a time is counted once; the count is kept like merges.
func (r *repo) commitCount(tip string) int {
	key := "count " + tip
	if v, ok := r.cached(key); ok {
		return v.(int)
	}
	n := 0
	if o, ok := r.Objects.get(tip, objCommit); ok && len(o.Parents) == 1 {
		if v, ok := r.cached("count " + o.Parents[0]); ok {
			n = v.(int) + 1
		}
	}
	if n == 0 {
		r.Objects.walk(tip, func(sha string) bool {
			if _, ok := r.Objects.get(sha, objCommit); ok {
				n++
			}
			return true
		})
	}
	r.cache(key, n)
	return n
}
