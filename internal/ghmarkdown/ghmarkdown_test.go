package ghmarkdown

import (
	"strings"
	"testing"
)

func TestRenderCmarkSplitsABatch(t *testing.T) {
	render := Require(t)
	docs := []string{"a", "<!-- an HTML block that swallows what follows", "- b", "```", "c"}
	got, err := render(docs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"<p>a</p>\n", "<!-- an HTML block that swallows what follows\n", "<ul>\n<li>b</li>\n</ul>\n",
		"<pre><code></code></pre>\n", "<p>c</p>\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Cmark()(%q) = %q, want %q", docs, got, want)
	}
}
