package drafts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Items are the issues an edition was built from, each reduced to what
// deciding and rendering the edition needs of it: its line, the link
// duplicates are found by, the key its section sorts it by, and what
// Select reads (its labels' status, its first problem). The bot keeps them
// beside the render in the commit that moves the draft branch, so that one
// changed issue updates the draft without listing them all: With (or
// Without) that issue, then RenderItems, gives exactly what Build over
// every issue gives.
//
// An item keeps the facts of its own issue, before MarkDuplicates: whether
// a submission is a duplicate depends on the others, so RenderItems marks
// duplicates again across all items, with MarkDuplicates' rule, and lets
// Select itself say what is in and why the rest is out.
type Items struct {
	// Version is itemsVersion when the items were made.
	Version int `json:"v"`
	// Config is the Fingerprint of the configuration and issue forms the
	// items were made with: another one parses and renders differently.
	Config string `json:"c"`
	// Pub is the publication day the lines were rendered for (a call for
	// papers reads "closed" after it, an event before it is over).
	Pub string `json:"d"`
	// List holds one item per issue, by issue number.
	List []Item `json:"i"`
	// Through says the items account for every issue numbered up to it:
	// each one an edition is built from (Listed) is in List. An issue
	// numbered above it that is not in List is newer than the listing the
	// items came from, and is read before they are used. Build sets it to
	// the highest number among its issues, for a caller that gave it every
	// issue it lists; one that knows of newer issues raises it.
	Through int `json:"t,omitempty"`
	// Hist is the history the items' duplicates are marked against.
	Hist History `json:"y,omitempty"`
}

// itemsVersion changes whenever an item's fields, or what parsing,
// validating or rendering makes of an issue, change in a way the stored
// items of an older version would not show: items of another version are
// not used, and the next full build writes new ones.
const itemsVersion = 5 // 2: items carry their issue's title; 3: and the history; 4: and the needs-info label; 5: and the link

// Item is one issue of Items.
type Item struct {
	Issue int  `json:"n"`
	Kind  Kind `json:"k,omitempty"`
	// Title is the submission's Title, which the draft's description
	// lists it by.
	Title string `json:"h,omitempty"`
	// Status is the issue's Status, as flag bits (see statusBits).
	Status int `json:"s,omitempty"`
	// Line is the newsletter line of a submission valid on its own (no
	// problems before duplicates are marked). NoLine says rendering it
	// failed; Build fails with the same error if it ever goes in.
	Line   string `json:"l,omitempty"`
	NoLine bool   `json:"x,omitempty"`
	// Dup is the link as MarkDuplicates compares it, nil when the
	// submission claims no link (declined, closed, or without one).
	Dup *string `json:"u,omitempty"`
	// Link is the link as submitted, for a valid submission that claims
	// one (Dup is set): what the daily check of links asks again.
	Link string `json:"w,omitempty"`
	// Name, Start and End are an event's, which its section sorts by and
	// Select reads (an event over before the publication day is left out).
	Name  string `json:"e,omitempty"`
	Start string `json:"a,omitempty"`
	End   string `json:"b,omitempty"`
	// Problems counts the submission's own problems; Problem is the first,
	// which an exclusion's reason quotes.
	Problems int      `json:"p,omitempty"`
	Problem  *Problem `json:"q,omitempty"`
}

// Entry is an issue an edition takes in, as its draft's description lists it.
type Entry struct {
	Issue int
	Kind  Kind
	Title string
}

// Listing says what an edition takes in and what it leaves out, and why.
type Listing struct {
	Included []Entry
	Excluded []Exclusion
}

// Listing is the result's listing.
func (r *Result) Listing() Listing {
	in := make([]Entry, len(r.Included))
	for i, s := range r.Included {
		in[i] = Entry{Issue: s.Issue, Kind: s.Kind, Title: s.Title}
	}
	return Listing{Included: in, Excluded: r.Excluded}
}

// Fingerprint identifies a configuration and its issue forms: a change of
// either can change what any issue becomes, so items made with another
// fingerprint are not used.
func Fingerprint(cfg *Config, forms map[Kind]*Form) string {
	h := sha256.New()
	// Both are plain data (their unexported, compiled parts follow from
	// the rest); encoding/json writes a map's keys in order.
	if err := json.NewEncoder(h).Encode(cfg); err != nil {
		return ""
	}
	if err := json.NewEncoder(h).Encode(forms); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// NewItems starts the items of edition ed, for cfg and forms, from list
// (any order; an issue twice keeps the last).
func NewItems(cfg *Config, forms map[Kind]*Form, ed Edition, list []Item) Items {
	return Items{Version: itemsVersion, Config: Fingerprint(cfg, forms), Pub: ed.Date.String(), List: byIssue(list)}
}

// byIssue returns a copy of list sorted by issue, each issue once (the
// last item of an issue listed twice).
func byIssue(list []Item) []Item {
	sorted := slices.Clone(list)
	slices.SortStableFunc(sorted, func(a, b Item) int { return a.Issue - b.Issue })
	out := sorted[:0]
	for _, it := range sorted {
		if n := len(out); n > 0 && out[n-1].Issue == it.Issue {
			out[n-1] = it
			continue
		}
		out = append(out, it)
	}
	return out
}

// Fits reports whether the items were made for this configuration, these
// forms and this edition's publication day, by this version: only then do
// With, Without and RenderItems give what Build gives.
func (its Items) Fits(cfg *Config, forms map[Kind]*Form, ed Edition) bool {
	if its.Version != itemsVersion || its.Pub != ed.Date.String() || its.Config != Fingerprint(cfg, forms) {
		return false
	}
	// Stored items come from a commit message, which anyone who may push
	// writes: they must at least be in order, each issue once, each of a
	// kind there is (the draft's description names it).
	for i, it := range its.List {
		if (i > 0 && it.Issue <= its.List[i-1].Issue) || it.Issue > its.Through || (it.Kind != "" && !slices.Contains(Kinds, it.Kind)) {
			return false
		}
	}
	return true
}

// UpTo returns the items of the issues numbered up to n, and Through n.
func (its Items) UpTo(n int) Items {
	i, _ := sort.Find(len(its.List), func(i int) int { return n + 1 - its.List[i].Issue })
	its.List, its.Through = its.List[:i:i], n
	return its
}

// Listed reports whether an issue is one an edition is built from: an open
// issue, not a pull request, with a kind label (the bot lists the open
// issues of each kind's label; a kind without a label lists them all).
func Listed(cfg *Config, issue Issue) bool {
	if issue.State != "open" || issue.IsPullRequest() {
		return false
	}
	for _, k := range Kinds {
		if l := cfg.Labels.ForKind(k); l == "" || issue.HasLabel(l) {
			return true
		}
	}
	return false
}

// Item parses and validates one issue and renders its line for an edition
// published on pub: the item an update of the draft puts in place of the
// issue's old one. An error is the line template's, as Build would report it.
func (p *Parser) Item(issue Issue, pub Date) (Item, error) {
	s := p.Parse(issue)
	if !s.Valid() {
		return itemOf(&s, "", nil), nil
	}
	line, err := RenderLine(p.cfg, &s, pub)
	if err != nil {
		return Item{}, err
	}
	return itemOf(&s, line, nil), nil
}

// itemOf reduces a submission, parsed and validated but not yet marked as
// a duplicate, with its line (when valid) or the error rendering it gave.
func itemOf(s *Submission, line string, lineErr error) Item {
	it := Item{Issue: s.Issue, Kind: s.Kind, Title: s.Title, Status: statusBits(s.Status), Problems: len(s.Problems)}
	if s.Valid() {
		it.Line, it.NoLine = line, lineErr != nil
	}
	if key, ok := duplicateKey(s); ok {
		it.Dup = &key
		if s.Valid() {
			it.Link = s.Link()
		}
	}
	if len(s.Problems) > 0 {
		p := s.Problems[0]
		it.Problem = &p
	}
	if s.Event != nil {
		it.Name, it.Start, it.End = s.Event.Name, s.Event.Start.String(), s.Event.End.String()
	}
	return it
}

// With returns the items with it in place of its issue's item (or added).
// The receiver is left as it was.
func (its Items) With(it Item) Items {
	i, found := its.find(it.Issue)
	list := make([]Item, 0, len(its.List)+1)
	list = append(list, its.List[:i]...)
	list = append(list, it)
	if found {
		i++
	}
	its.List = append(list, its.List[i:]...)
	return its
}

// WithAll returns the items with each of list in place of its issue's
// item (or added): With for many at once, in one pass. The receiver is
// left as it was.
func (its Items) WithAll(list []Item) Items {
	add := byIssue(list)
	out := make([]Item, 0, len(its.List)+len(add))
	i, j := 0, 0
	for i < len(its.List) || j < len(add) {
		switch {
		case j == len(add) || (i < len(its.List) && its.List[i].Issue < add[j].Issue):
			out = append(out, its.List[i])
			i++
		case i == len(its.List) || add[j].Issue < its.List[i].Issue:
			out = append(out, add[j])
			j++
		default: // the same issue: the new item
			out = append(out, add[j])
			i, j = i+1, j+1
		}
	}
	its.List = out
	return its
}

// Without returns the items without the issue's: it is closed, or no
// submission any more. The receiver is left as it was.
func (its Items) Without(issue int) Items {
	i, found := its.find(issue)
	if !found {
		return its
	}
	its.List = slices.Concat(its.List[:i], its.List[i+1:])
	return its
}

func (its Items) find(issue int) (int, bool) {
	return sort.Find(len(its.List), func(i int) int { return issue - its.List[i].Issue })
}

// ErrNoLine is RenderItems' answer when a submission goes in whose line
// could not be rendered when its item was made: Build over the issues
// reports the template's error.
var ErrNoLine = errors.New("an included submission has no rendered line")

// RenderItems renders edition ed from its items and lists what it takes
// in and leaves out: for items made with Build, With and Without, the same
// markdown and the same listing as Build over the issues (Fits must hold).
// Duplicates are marked again across the items and Select decides, on
// submissions rebuilt from the items with everything those two read.
func RenderItems(cfg *Config, ed Edition, its Items) (string, Listing, error) {
	subs := make([]Submission, len(its.List))
	for i := range its.List {
		subs[i] = its.List[i].submission()
	}
	markDuplicates(subs, its.Hist, func(i int) (string, bool) {
		if d := its.List[i].Dup; d != nil {
			return *d, true
		}
		return "", false
	})
	in, out := Select(cfg, subs, ed.Date)
	lines := make(map[int]string, len(in))
	entries := make([]Entry, len(in))
	byIssue := make(map[int]*Item, len(its.List))
	for i := range its.List {
		byIssue[its.List[i].Issue] = &its.List[i]
	}
	for i, s := range in {
		it := byIssue[s.Issue]
		if it.NoLine {
			return "", Listing{}, fmt.Errorf("render edition %d from its items: #%d: %w", ed.Number, s.Issue, ErrNoLine)
		}
		lines[s.Issue] = it.Line
		entries[i] = Entry{Issue: s.Issue, Kind: s.Kind, Title: it.Title}
	}
	md, err := render(cfg, ed, in, lines)
	if err != nil {
		return "", Listing{}, err
	}
	return md, Listing{Included: entries, Excluded: out}, nil
}

// submission rebuilds what Select, MarkDuplicates and SortForSection read
// of the item's submission: its issue, kind and status, as many problems
// as it has on its own (the first as it was), and an event's name and days.
func (it *Item) submission() Submission {
	s := Submission{Issue: it.Issue, Kind: it.Kind, Title: it.Title, Status: statusOf(it.Status)}
	if it.Problems > 0 {
		s.Problems = make([]Problem, it.Problems)
		if it.Problem != nil {
			s.Problems[0] = *it.Problem
		}
	}
	if it.Kind == KindEvent { // Parse gives every event one, valid or not
		s.Event = &Event{Name: it.Name, Start: dayOf(it.Start), End: dayOf(it.End)}
	}
	return s
}

// dayOf reads a day an item keeps as 2006-01-02 ("" for none).
func dayOf(s string) Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}
	}
	return Date{t}
}

// The flag bits of an item's Status.
const (
	bitPullRequest = 1 << iota
	bitClosed
	bitAccepted
	bitDeclined
	bitDeferred
	bitPublished
	bitRepeat
	bitNeedsInfo
)

func statusBits(st Status) int {
	bits := 0
	set := func(bit int, on bool) {
		if on {
			bits |= bit
		}
	}
	set(bitPullRequest, st.PullRequest)
	set(bitClosed, st.Closed)
	set(bitAccepted, st.Accepted)
	set(bitDeclined, st.Declined)
	set(bitDeferred, st.Deferred)
	set(bitPublished, st.Published)
	set(bitRepeat, st.Repeat)
	set(bitNeedsInfo, st.NeedsInfo)
	return bits
}

func statusOf(bits int) Status {
	return Status{PullRequest: bits&bitPullRequest != 0, Closed: bits&bitClosed != 0, Accepted: bits&bitAccepted != 0,
		Declined: bits&bitDeclined != 0, Deferred: bits&bitDeferred != 0, Published: bits&bitPublished != 0, Repeat: bits&bitRepeat != 0,
		NeedsInfo: bits&bitNeedsInfo != 0}
}

// Unseen reports whether putting it in place of the item its holds for the
// same issue leaves the edition and its listing as they are: the two are
// the same but for the line, and the submission is left out for a reason
// the line has no part in (awaiting review, deferred, declined, closed,
// published, over). Duplicates are marked over the other fields, which
// stay the same, so the whole edition's selection does too. An issue its
// does not account for, or holds no item of, is never unseen.
func (its Items) Unseen(cfg *Config, pub Date, it Item) bool {
	i, ok := its.find(it.Issue)
	if !ok || it.Issue > its.Through {
		return false
	}
	was := its.List[i]
	a, b := was, it
	a.Line, a.NoLine, a.Title, b.Line, b.NoLine, b.Title = "", false, "", "", false, ""
	if !SameItem(a, b) {
		return false
	}
	if was.Line == it.Line && was.NoLine == it.NoLine && was.Title == it.Title {
		return true
	}
	// Alone, without the duplicates' problems: a submission left out
	// alone is left out among the others too, for the same reason or
	// for a duplicate; one taken in alone might go in.
	s := it.submission()
	why, _ := leaveOut(cfg, &s, pub)
	return why != "" && why != WhyNeedsInfo
}

// LinkToCheck returns the link of a submission heading for an edition
// (open, valid, neither declined nor published), with whether it is a
// job's and whether the needs-info label is on; ok is false for any
// other item.
func (it Item) LinkToCheck() (link string, job, needsInfo, ok bool) {
	st := statusOf(it.Status)
	if it.Link == "" || it.Problems > 0 || st.Closed || st.Declined || st.Published || st.PullRequest {
		return "", false, false, false
	}
	return it.Link, it.Kind == KindJob, st.NeedsInfo, true
}

// SameItem reports whether two items hold the same.
func SameItem(a, b Item) bool {
	samePtr := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	if (a.Problem == nil) != (b.Problem == nil) || (a.Problem != nil && *a.Problem != *b.Problem) {
		return false
	}
	return a.Issue == b.Issue && a.Kind == b.Kind && a.Title == b.Title && a.Status == b.Status && a.Line == b.Line && a.NoLine == b.NoLine &&
		samePtr(a.Dup, b.Dup) && a.Link == b.Link && a.Name == b.Name && a.Start == b.Start && a.End == b.End && a.Problems == b.Problems
}
