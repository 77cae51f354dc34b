package drafts

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// itemsWorld is a repository's issues as a property test changes them.
type itemsWorld struct {
	rng    *rand.Rand
	cfg    *Config
	forms  map[Kind]*Form
	issues map[int]*Issue
	fields map[int]map[string]string // the answers of form-written issues
	next   int                       // the last issue's number
	links  int                       // how many links of their own submissions have
}

// sharedLinks are the links that make duplicates: the first three are one
// page as MarkDuplicates sees it, the next another; then one without
// https:// and none at all, which are problems.
var sharedLinks = []string{"https://example.com/a", "https://www.example.com/a/", "http://example.com/a?utm_source=x",
	"https://example.com/b", "example.com/d", ""}

func (w *itemsWorld) pick(options ...string) string { return options[w.rng.IntN(len(options))] }

// sometimes is usual most of the time, else one of the unusual ones.
func (w *itemsWorld) sometimes(usual string, unusual ...string) string {
	if w.rng.IntN(8) > 0 {
		return usual
	}
	return w.pick(unusual...)
}

// link is a page of the submission's own, or sometimes one shared.
func (w *itemsWorld) link() string {
	if w.rng.IntN(5) > 0 {
		w.links++
		return fmt.Sprintf("https://example.com/own/%d", w.links)
	}
	return w.pick(sharedLinks...)
}

// answers draws a submission of kind k, mostly valid.
func (w *itemsWorld) answers(k Kind) map[string]string {
	switch k {
	case KindJob:
		return map[string]string{"organization": w.sometimes(w.pick("Comcast", "SAP"), ""), "title": w.pick("Engineer", "OSPO Lead"),
			"link": w.link(), "location": w.sometimes(w.pick("Germany", "Remote", "United States"), "Narnia")}
	case KindNews:
		return map[string]string{"category": w.sometimes(w.pick("Blog", "Research"), "Gossip"), "title": w.pick("A title", "Another"),
			"summary": w.pick("", "why it matters"), "link": w.link()}
	}
	return map[string]string{"name": w.pick("FOSS Backstage", "foss backstage", "Alpha Conf", "beta conf"),
		"start_date": w.sometimes(w.pick("2026-12-10", "2026-12-29", "2027-01-15", "2027-03-16", "2027-03-16"), "someday"),
		"end_date":   w.sometimes(w.pick("", "2027-03-17"), "2026-12-02"),
		"city":       w.sometimes("Berlin", ""), "country": w.sometimes(w.pick("Germany", "Online"), "Atlantis"),
		"cfp_deadline": w.pick("", "2026-12-15", "2027-01-10"), "link": w.link()}
}

func (w *itemsWorld) kindLabel(k Kind) Label { return Label{Name: w.cfg.Labels.ForKind(k)} }

// write puts answers into the issue's body, as its form renders them.
func (w *itemsWorld) write(i *Issue, k Kind, a map[string]string) {
	w.fields[i.Number] = a
	i.Body = w.forms[k].RenderBody(a)
}

// formKind is the kind of the form the issue's body was written with.
func (w *itemsWorld) formKind(i *Issue) Kind {
	for _, k := range Kinds {
		if _, ok := w.fields[i.Number]["organization"]; ok && k == KindJob {
			return k
		}
		if _, ok := w.fields[i.Number]["category"]; ok && k == KindNews {
			return k
		}
	}
	return KindEvent
}

func (w *itemsWorld) kindOf(i *Issue) Kind {
	for _, k := range Kinds {
		if i.HasLabel(w.cfg.Labels.ForKind(k)) {
			return k
		}
	}
	return Kinds[w.rng.IntN(len(Kinds))]
}

// toggle takes a label off, or puts it on; a rare label (declined,
// deferred, published) goes on only now and then, so that most
// submissions stay in play.
func (w *itemsWorld) toggle(i *Issue, label string, rare bool) {
	if i.HasLabel(label) {
		i.Labels = slices.DeleteFunc(slices.Clone(i.Labels), func(l Label) bool { return strings.EqualFold(l.Name, label) })
		return
	}
	if rare && w.rng.IntN(3) > 0 {
		return
	}
	i.Labels = append(slices.Clone(i.Labels), Label{Name: label})
}

// change makes one random change, as people make them, and returns the
// issue it changed.
func (w *itemsWorld) change() (*Issue, string) {
	if len(w.issues) == 0 || w.rng.IntN(6) == 0 {
		w.next++
		k := Kinds[w.rng.IntN(len(Kinds))]
		i := &Issue{Number: w.next, Title: "suggestion", State: "open", Labels: []Label{w.kindLabel(k)}}
		w.write(i, k, w.answers(k))
		if w.rng.IntN(2) == 0 {
			i.Labels = append(i.Labels, Label{Name: w.cfg.Labels.Accepted})
		}
		w.issues[i.Number] = i
		return i, "open a " + string(k)
	}
	numbers := make([]int, 0, len(w.issues))
	for n := range w.issues {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	i := w.issues[numbers[w.rng.IntN(len(numbers))]]
	k := w.kindOf(i)
	l := w.cfg.Labels
	switch op := w.rng.IntN(16); op {
	case 0, 1, 12: // edit one answer: a link, a title, a date...
		a := w.fields[i.Number]
		if a == nil {
			a = w.answers(k)
		}
		fresh := w.answers(k)
		keys := make([]string, 0, len(fresh))
		for key := range fresh {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		key := keys[w.rng.IntN(len(keys))]
		a = with(a, key, fresh[key])
		w.write(i, k, a)
		return i, "edit " + key
	case 2, 13: // rewrite it all (fixing it, or breaking it)
		w.write(i, k, w.answers(k))
		return i, "rewrite"
	case 3, 14:
		w.toggle(i, l.Accepted, false)
		return i, "accept or unaccept"
	case 4:
		w.toggle(i, l.Declined, true)
		return i, "decline or undecline"
	case 5:
		if w.rng.IntN(2) == 0 {
			w.toggle(i, l.Repeat, false)
			return i, "repeat or unrepeat"
		}
		w.toggle(i, l.Deferred, true)
		return i, "defer or undefer"
	case 6:
		w.toggle(i, l.Published, true)
		return i, "publish or unpublish"
	case 7:
		if i.State == "open" && w.rng.IntN(2) == 0 {
			i.State = "closed"
			return i, "close"
		}
		i.State = "open"
		return i, "reopen (or leave open)"
	case 8: // another kind label, or none, or two; or back to its form's
		if a := w.fields[i.Number]; a != nil && w.rng.IntN(2) == 0 {
			for _, other := range Kinds {
				if i.HasLabel(l.ForKind(other)) {
					w.toggle(i, l.ForKind(other), false)
				}
			}
			w.toggle(i, l.ForKind(w.formKind(i)), false)
			return i, "label the kind of its form"
		}
		w.toggle(i, l.ForKind(Kinds[w.rng.IntN(len(Kinds))]), false)
		return i, "relabel the kind"
	case 9: // labelled by hand, no form in the body
		if w.rng.IntN(2) == 0 {
			return i, "nothing"
		}
		i.Title = w.pick("[Blog] A post", "Conf 2027", "A job")
		i.Body = "See " + w.link() + " for more."
		delete(w.fields, i.Number)
		return i, "no form"
	case 10: // a copy of another's link
		other := w.issues[numbers[w.rng.IntN(len(numbers))]]
		if a, b := w.fields[i.Number], w.fields[other.Number]; a != nil && b != nil {
			w.write(i, k, with(a, "link", b["link"]))
		}
		return i, "copy a link"
	default:
		i.Title = w.pick("suggestion", "[Job] Engineer", "[news]: A study")
		return i, "retitle"
	}
}

// listed is what the bot lists: every issue an edition is built from.
func (w *itemsWorld) listed() []Issue {
	var out []Issue
	for _, i := range w.issues {
		if Listed(w.cfg, *i) {
			out = append(out, *i)
		}
	}
	slices.SortFunc(out, func(a, b Issue) int { return a.Number - b.Number })
	return out
}

// TestItemsUpdateLikeBuild is the property the draft's incremental updates
// rest on: for random sequences of changes to submissions (new ones, edits
// of links, titles and dates, breaking and fixing them, accept, decline,
// defer, publish, close and reopen, kind labels, copied links, events on
// the same day with names differing in case), putting each changed issue's
// item in place gives, after every step, the same markdown, the same
// listing and the same items as Build over all the issues.
func TestItemsUpdateLikeBuild(t *testing.T) {
	open := DefaultConfig()
	open.RequireApproval = false
	const steps = propertySteps
	included, why, unseen := 0, map[Why]int{}, 0
	for name, cfg := range map[string]*Config{"with approval": DefaultConfig(), "without approval": open} {
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("%s/seed %d", name, seed), func(t *testing.T) {
				w := &itemsWorld{rng: rand.New(rand.NewPCG(seed, 7)), cfg: cfg, forms: DefaultForms(),
					issues: map[int]*Issue{}, fields: map[int]map[string]string{}}
				ed, err := NewEdition(cfg, 44, NewDate(2026, 12, 29))
				if err != nil {
					t.Fatal(err)
				}
				p := NewParser(cfg, w.forms)
				its := NewItems(cfg, w.forms, ed, nil)
				// What earlier editions published: one of the shared links
				// (so repeats of it meet the history, and a repeat label
				// takes one in), and own links that may come again.
				hist := History{}
				hist.AddEdition(43, []string{"https://example.com/b", "https://example.com/own/3"})
				hist.AddIssue(7, "https://example.com/own/5")
				its.Hist = hist
				for step := range steps {
					// Mostly one change, as an event brings it; now and then
					// a few, applied at once (the issues opened since the
					// draft's last commit are).
					changes := 1
					if step%10 == 9 {
						changes = 1 + w.rng.IntN(4)
					}
					var batch []Item
					var i *Issue
					var what string
					for range changes {
						i, what = w.change()
						its.Through = max(its.Through, i.Number)
						batch = slices.DeleteFunc(batch, func(it Item) bool { return it.Issue == i.Number })
						if !Listed(cfg, *i) {
							its = its.Without(i.Number)
							continue
						}
						it, err := p.Item(*i, ed.Date)
						if err != nil {
							t.Fatalf("step %d (%s #%d): Item: %v", step, what, i.Number, err)
						}
						if changes == 1 {
							if its.Unseen(cfg, ed.Date, it) {
								// The edition and its listing must stay as
								// they are: the caller commits nothing.
								md0, l0, err0 := RenderItems(cfg, ed, its)
								md1, l1, err1 := RenderItems(cfg, ed, its.With(it))
								if md0 != md1 || !reflect.DeepEqual(l0, l1) || (err0 == nil) != (err1 == nil) {
									t.Fatalf("step %d (%s #%d): Unseen, yet the edition or its listing changes", step, what, i.Number)
								}
								unseen++
							}
							its = its.With(it)
						} else {
							batch = append(batch, it)
						}
					}
					its = its.WithAll(batch)
					if step%50 == 49 { // as the draft's commit keeps them
						its = roundTrip(t, its)
					}
					res, err := BuildAfter(cfg, w.forms, ed, w.listed(), hist)
					if err != nil {
						t.Fatalf("step %d: Build: %v", step, err)
					}
					if !its.Fits(cfg, w.forms, ed) {
						t.Fatalf("step %d: the items do not fit their own config and edition", step)
					}
					md, listing, err := RenderItems(cfg, ed, its)
					if err != nil {
						t.Fatalf("step %d (%s #%d): RenderItems: %v", step, what, i.Number, err)
					}
					if md != res.Markdown {
						t.Fatalf("step %d (%s #%d): RenderItems gives\n%s\nBuild gives\n%s", step, what, i.Number, md, res.Markdown)
					}
					included += len(listing.Included)
					for _, e := range listing.Excluded {
						why[e.Why]++
						if strings.Contains(e.Reason, "already suggested in") {
							why["duplicate"]++
						}
						if strings.Contains(e.Reason, "already published") {
							why["published before"]++
						}
					}
					if want := res.Listing(); !reflect.DeepEqual(listing, want) {
						t.Fatalf("step %d (%s #%d): RenderItems lists\n%+v\nBuild lists\n%+v", step, what, i.Number, listing, want)
					}
					if !reflect.DeepEqual(slices.Clip(its.List), slices.Clip(res.Items.List)) && (len(its.List) > 0 || len(res.Items.List) > 0) {
						t.Fatalf("step %d (%s #%d): the items are\n%+v\nBuild's are\n%+v", step, what, i.Number, its.List, res.Items.List)
					}
				}
				t.Logf("%d issues, %d of them listed", len(w.issues), len(w.listed()))
			})
		}
	}
	// The changes must have exercised every rule, or the property says
	// little.
	t.Logf("over the steps, %d items were in the edition, and left out: %v; %d changes were unseen", included, why, unseen)
	if unseen < 10 {
		t.Errorf("only %d changes were unseen (Items.Unseen); the changes must exercise it", unseen)
	}
	for _, y := range []Why{WhyDeclined, WhyPublished, WhyNeedsInfo, "duplicate", "published before", WhyEventOver, WhyDeferred, WhyAwaitingReview} {
		if why[y] < 10 {
			t.Errorf("%d steps left an item out as %s; the changes must exercise every rule", why[y], y)
		}
	}
	excluded := 0
	for y, n := range why {
		if y != "duplicate" && y != "published before" {
			excluded += n
		}
	}
	if included < excluded/4 {
		t.Errorf("%d items in the edition against %d left out over the steps; the changes leave too little in", included, excluded)
	}
}

func roundTrip(t *testing.T, its Items) Items {
	t.Helper()
	data, err := json.Marshal(its)
	if err != nil {
		t.Fatal(err)
	}
	var back Items
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// A duplicate goes in by itself once the issue that had its link first is
// closed: its item kept the line.
func TestItemsDuplicateGoesInWhenTheFirstCloses(t *testing.T) {
	cfg, forms := DefaultConfig(), DefaultForms()
	cfg.RequireApproval = false
	ed, err := NewEdition(cfg, 44, NewDate(2026, 12, 29))
	if err != nil {
		t.Fatal(err)
	}
	first := Issue{Number: 1, State: "open", Labels: []Label{{Name: cfg.Labels.Job}}, Body: forms[KindJob].RenderBody(validJob())}
	second := first
	second.Number = 2
	second.Body = forms[KindJob].RenderBody(with(validJob(), "organization", "SAP", "link", "https://www.example.com/jobs/1/"))
	res, err := Build(cfg, forms, ed, []Issue{first, second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Included) != 1 || len(res.Excluded) != 1 || !strings.Contains(res.Excluded[0].Reason, "already suggested in #1") {
		t.Fatalf("Build included %v, excluded %v; want #1 in and #2 out as its duplicate", res.Included, res.Excluded)
	}
	if !res.Items.Fits(cfg, forms, ed) || res.Items.Through != 2 {
		t.Fatalf("Build's items %+v do not fit, or do not reach #2", res.Items)
	}
	md, listing, err := RenderItems(cfg, ed, roundTrip(t, res.Items).Without(1))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md, "- [🇺🇸 SAP | Engineer, Open Source](https://www.example.com/jobs/1/)\n") || strings.Contains(md, "Comcast") {
		t.Errorf("RenderItems without #1 =\n%s\nwant #2's line alone", md)
	}
	if want := []Entry{{Issue: 2, Kind: KindJob}}; !reflect.DeepEqual(listing.Included, want) || len(listing.Excluded) != 0 {
		t.Errorf("RenderItems without #1 lists %+v, want %v in and nothing out", listing, want)
	}
}

// Items made for another configuration, forms, publication day or
// version are not used, nor are items out of order.
func TestItemsFit(t *testing.T) {
	cfg, forms := DefaultConfig(), DefaultForms()
	ed, err := NewEdition(cfg, 44, NewDate(2026, 12, 29))
	if err != nil {
		t.Fatal(err)
	}
	its := NewItems(cfg, forms, ed, []Item{{Issue: 3}, {Issue: 1}})
	its.Through = 4
	if !its.Fits(cfg, forms, ed) {
		t.Fatalf("items %+v do not fit the config and edition they were made for", its)
	}
	if up := its.UpTo(2); len(up.List) != 1 || up.List[0].Issue != 1 || up.Through != 2 || !up.Fits(cfg, forms, ed) {
		t.Errorf("UpTo(2) = %+v, want issue 1 alone, through 2", up)
	}
	other := DefaultConfig()
	other.Sections.Job.Intro = "Jobs!"
	later := ed
	later.Date = NewDate(2027, 1, 26)
	unordered := its
	unordered.List = []Item{{Issue: 3}, {Issue: 1}}
	twice := its
	twice.List = []Item{{Issue: 1}, {Issue: 1}}
	old := its
	old.Version = itemsVersion - 1
	beyond := its
	beyond.Through = 2
	strange := its
	strange.List = []Item{{Issue: 1, Kind: "job) @everyone"}}
	for name, c := range map[string]struct {
		its   Items
		cfg   *Config
		forms map[Kind]*Form
		ed    Edition
	}{
		"another config":          {its, other, forms, ed},
		"other forms":             {its, cfg, map[Kind]*Form{KindJob: forms[KindJob]}, ed},
		"another publication day": {its, cfg, forms, later},
		"an older version":        {old, cfg, forms, ed},
		"out of order":            {unordered, cfg, forms, ed},
		"one issue twice":         {twice, cfg, forms, ed},
	} {
		if c.its.Fits(c.cfg, c.forms, c.ed) {
			t.Errorf("items with %s fit", name)
		}
	}
}

// TestSameItemComparesEveryField: SameItem must tell two items apart by any
// of their fields, those added later too.
func TestSameItemComparesEveryField(t *testing.T) {
	var a Item
	if !SameItem(a, a) {
		t.Fatal("an item differs from itself")
	}
	typ := reflect.TypeOf(a)
	for i := range typ.NumField() {
		b := a
		f := reflect.ValueOf(&b).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Int:
			f.SetInt(1)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		default:
			t.Fatalf("field %s of kind %s: teach this test (and SameItem) about it", typ.Field(i).Name, f.Kind())
		}
		if SameItem(a, b) {
			t.Errorf("SameItem does not compare the field %s", typ.Field(i).Name)
		}
	}
}
