package drafts

import (
	"regexp"
	"strings"
)

// Parser turns issues into submissions with one repository's forms and config.
type Parser struct {
	cfg   *Config
	forms map[Kind]*Form
}

// NewParser returns a parser for the given config and issue forms (by kind;
// DefaultForms() when the repository keeps no forms of its own).
func NewParser(cfg *Config, forms map[Kind]*Form) *Parser {
	return &Parser{cfg: cfg, forms: forms}
}

// Status is what an issue's state and labels say about a submission.
type Status struct {
	PullRequest bool `json:"pull_request,omitempty"`
	Closed      bool `json:"closed,omitempty"`
	Accepted    bool `json:"accepted,omitempty"`
	Declined    bool `json:"declined,omitempty"`
	Deferred    bool `json:"deferred,omitempty"`
	Published   bool `json:"published,omitempty"`
	// Repeat says a maintainer takes it although its link was published
	// before (History).
	Repeat bool `json:"repeat,omitempty"`
	// NeedsInfo is the needs-info label: the bot keeps it on while the
	// status comment names a problem, some of which (a link that no longer
	// works) only the bot's checks find. An issue that carries it is left
	// out even when its own fields are fine.
	NeedsInfo bool `json:"needs_info,omitempty"`
}

var (
	firstLinkRE   = regexp.MustCompile(`https?://[^\s<>()\[\]"'` + "`" + `]+`)
	titlePrefixRE = regexp.MustCompile(`(?i)^\s*\[(job|news|event)\]:?\s*`)
	tagPrefixRE   = regexp.MustCompile(`^\s*\[([^\]]{1,30})\]\s*`)
)

// Parse reads one issue: which kind of submission it is (from its kind label,
// else from the form its body was written with), the answers, and whether
// they are valid. An issue that is no submission comes back with Kind "".
func (p *Parser) Parse(issue Issue) Submission {
	s := Submission{
		Issue:  issue.Number,
		Title:  listTitle(issue.Title),
		URL:    issue.HTMLURL,
		Author: issue.User.Login,
		Status: Status{
			PullRequest: issue.IsPullRequest(),
			Closed:      issue.State == "closed",
			Accepted:    issue.HasLabel(p.cfg.Labels.Accepted),
			Declined:    issue.HasLabel(p.cfg.Labels.Declined),
			Deferred:    issue.HasLabel(p.cfg.Labels.Deferred),
			Published:   issue.HasLabel(p.cfg.Labels.Published),
			Repeat:      issue.HasLabel(p.cfg.Labels.Repeat),
			NeedsInfo:   issue.HasLabel(p.cfg.Labels.NeedsInfo),
		},
	}
	if s.Status.PullRequest {
		return s
	}
	var labelled []Kind
	for _, k := range Kinds {
		if issue.HasLabel(p.cfg.Labels.ForKind(k)) {
			labelled = append(labelled, k)
		}
	}
	switch len(labelled) {
	case 0:
		k, a := p.detect(issue.Body)
		if k == "" {
			return s
		}
		s.Kind, s.Source = k, "form"
		s.Fields = a.values
		p.validate(&s, a)
		return s
	case 1:
		s.Kind = labelled[0]
	default:
		s.Kind = labelled[0]
		s.Problems = append(s.Problems, Problem{Message: "carries more than one kind label (" +
			joinKinds(labelled, p.cfg.Labels) + "); keep the one that fits"})
	}
	var a formAnswers
	if form := p.forms[s.Kind]; form != nil {
		a = form.answers(issue.Body)
	}
	if a.matched > 0 {
		s.Source = "form"
		s.Fields = a.values
	} else {
		s.Source = "fallback"
		s.Fields = p.fallback(s.Kind, issue)
		a = formAnswers{}
	}
	p.validate(&s, a)
	return s
}

// detect finds the form an unlabelled body was written with: the one whose
// labels it carries most, if at least two of them.
func (p *Parser) detect(body string) (Kind, formAnswers) {
	var best Kind
	bestAnswers := formAnswers{matched: 1}
	for _, k := range kindsInOrder(p.forms) {
		if a := p.forms[k].answers(body); a.matched > bestAnswers.matched {
			best, bestAnswers = k, a
		}
	}
	return best, bestAnswers
}

// fallback reads a hand-labelled issue with no form in it: the title is the
// title, the first http(s) link in the body is the link. A news title may
// carry its category in front: "[Blog] How we run our OSPO".
func (p *Parser) fallback(k Kind, issue Issue) map[string]string {
	title := titlePrefixRE.ReplaceAllString(issue.Title, "")
	values := map[string]string{"link": firstLinkRE.FindString(issue.Body)}
	switch k {
	case KindNews:
		if m := tagPrefixRE.FindStringSubmatch(title); m != nil {
			values["category"] = m[1]
			title = title[len(m[0]):]
		}
		values["title"] = title
	case KindEvent:
		values["name"] = title
	default:
		values["title"] = title
	}
	return values
}

func joinKinds(kinds []Kind, l Labels) string {
	var names []string
	for _, k := range kinds {
		names = append(names, `"`+l.ForKind(k)+`"`)
	}
	return strings.Join(names, ", ")
}

// maxListTitle bounds the title a submission is listed by.
const maxListTitle = 120

// listTitle is an issue's title on one line, at most maxListTitle
// characters (cut at a word when it can be).
func listTitle(t string) string {
	t = strings.Join(strings.Fields(t), " ")
	r := []rune(t)
	if len(r) <= maxListTitle {
		return t
	}
	cut := string(r[:maxListTitle])
	if i := strings.LastIndexByte(cut, ' '); i > maxListTitle/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
