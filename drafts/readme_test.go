package drafts

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEConfigExample keeps the configuration reference in README.md a
// file the bot accepts, with the default line templates.
func TestREADMEConfigExample(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "```yaml\nversion: 1")
	if start < 0 {
		t.Fatal("README.md has no ```yaml block starting with version: 1")
	}
	block := readme[start+len("```yaml\n"):]
	block = block[:strings.Index(block, "```")]
	cfg, err := ParseConfig([]byte(block))
	if err != nil {
		t.Fatalf("the README's example config does not parse: %v", err)
	}
	def := DefaultConfig()
	for _, k := range Kinds {
		if cfg.Section(k).Line != def.Section(k).Line || cfg.Section(k).Heading != def.Section(k).Heading {
			t.Errorf("README shows sections.%s as %+v, the default is %+v", k, cfg.Section(k), def.Section(k))
		}
	}
}
