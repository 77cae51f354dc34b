package deploy_test

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// newsletter.yml is the example .github/newsletter.yml maintainers copy: it
// must load the way the bot loads a repository's file, say nothing but the
// defaults, and show and explain every key there is.

const exampleConfig = "newsletter.yml"

func TestExampleConfigIsTheDefault(t *testing.T) {
	data, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	got, err := drafts.ParseConfig(data)
	if err != nil {
		t.Fatalf("drafts.ParseConfig(%s) = %v", exampleConfig, err)
	}
	// EquateEmpty: "categories: []" is how the example shows the empty
	// default, which means the built-in list as nil does.
	if diff := cmp.Diff(drafts.DefaultConfig(), got, cmpopts.IgnoreUnexported(drafts.Config{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s differs from drafts.DefaultConfig() (-default +example):\n%s", exampleConfig, diff)
	}
}

// configKeys walks the yaml tags of drafts.Config: every key a repository's
// file may hold, dotted ("sections.job.line"). A map's entries are the
// repository's own, so a map is one key.
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || tag == "-" {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name) // yaml.v3's default
		}
		key := prefix + tag
		keys = append(keys, key)
		if f.Type.Kind() == reflect.Struct {
			keys = append(keys, configKeys(f.Type, key+".")...)
		}
	}
	return keys
}

// exampleKey is one mapping key of the example, with the comments that
// explain it.
type exampleKey struct {
	path     []string
	comments []string // its own (above it or on its line), then its ancestors', nearest first
	value    *yaml.Node
}

func exampleKeys(n *yaml.Node, path []string, inherited []string, out *[]exampleKey) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			exampleKeys(c, path, append(inherited, n.HeadComment), out)
		}
		return
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		own := strings.TrimSpace(strings.Join([]string{k.HeadComment, k.LineComment, v.LineComment}, "\n"))
		p := append(slices.Clone(path), k.Value)
		comments := append([]string{own}, inherited...)
		*out = append(*out, exampleKey{path: p, comments: comments, value: v})
		exampleKeys(v, p, comments, out)
	}
}

func TestExampleConfigShowsAndExplainsEveryKey(t *testing.T) {
	data, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var keys []exampleKey
	exampleKeys(&doc, nil, nil, &keys)
	byPath := map[string]exampleKey{}
	for _, k := range keys {
		byPath[strings.Join(k.path, ".")] = k
	}

	// explained: the key has a comment of its own, or an ancestor's comment
	// names it, or (a section) every key in it is explained.
	var explained func(k exampleKey) bool
	explained = func(k exampleKey) bool {
		if k.comments[0] != "" {
			return true
		}
		name := regexp.MustCompile(`\b` + regexp.QuoteMeta(k.path[len(k.path)-1]) + `\b`)
		for _, c := range k.comments[1:] {
			if name.MatchString(c) {
				return true
			}
		}
		if k.value.Kind != yaml.MappingNode || len(k.value.Content) == 0 {
			return false
		}
		prefix := strings.Join(k.path, ".") + "."
		for p, child := range byPath {
			if strings.HasPrefix(p, prefix) && len(child.path) == len(k.path)+1 && !explained(child) {
				return false
			}
		}
		return true
	}

	want := configKeys(reflect.TypeOf(drafts.Config{}), "")
	if len(want) < 30 {
		t.Fatalf("configKeys found only %v", want)
	}
	for _, key := range want {
		k, ok := byPath[key]
		if !ok {
			t.Errorf("%s does not show the key %s", exampleConfig, key)
			continue
		}
		if !explained(k) {
			t.Errorf("%s shows %s without a comment that explains it", exampleConfig, key)
		}
	}
}
