package handlers

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // "name args" or "error: ..." per invocation
	}{
		{"a command alone is found", "/newsletter accept", []string{"accept"}},
		{"a command among text is found", "Looks good.\n/newsletter accept\nThanks!", []string{"accept"}},
		{"several run in order", "/newsletter kind news\r\n/newsletter accept", []string{"kind news", "accept"}},
		{"the command name is case-insensitive", "/newsletter ACCEPT", []string{"accept"}},
		{"decline keeps its reason", "/newsletter decline not OSPO related", []string{"decline not OSPO related"}},
		{"decline without a reason is malformed", "/newsletter decline", []string{"error: say why"}},
		{"an unknown command is reported", "/newsletter publish", []string{`error: there is no command "publish"`}},
		{"a bare prefix is reported", "/newsletter", []string{"error: a command is missing"}},
		{"arguments to a command that takes none are malformed", "/newsletter accept now", []string{"error: `/newsletter accept` takes no arguments"}},
		{"kind needs a known kind", "/newsletter kind podcast", []string{"error: name one kind"}},
		{"a command inside a quote is ignored", "> /newsletter accept", nil},
		{"a command inside a code fence is ignored", "```\n/newsletter accept\n```", nil},
		{"a command in an indented code block is ignored", "    /newsletter accept", nil},
		{"a command in the middle of a line is ignored", "please /newsletter accept", nil},
		{"a longer word is not the prefix", "/newsletters accept", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, inv := range ParseCommands(tt.body) {
				switch {
				case inv.Err != nil:
					got = append(got, "error: "+inv.Err.Error())
				default:
					got = append(got, strings.TrimSpace(inv.Command.Name+" "+inv.Args))
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ParseCommands(%q) = %q, want %q", tt.body, got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("ParseCommands(%q)[%d] = %q, want it to start with %q", tt.body, i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestHelpTableListsEveryCommand(t *testing.T) {
	table := HelpTable()
	rows := strings.Split(strings.TrimSpace(table), "\n")
	if len(rows) != len(Commands)+2 {
		t.Fatalf("help table has %d rows, want a header, a rule and %d commands:\n%s", len(rows), len(Commands), table)
	}
	for i, c := range Commands {
		if !strings.HasPrefix(rows[i+2], fmt.Sprintf("| `/newsletter %s", c.Name)) || !strings.Contains(rows[i+2], c.Who.String()) {
			t.Errorf("row %d = %q, want /newsletter %s for %s", i+2, rows[i+2], c.Name, c.Who)
		}
	}
}

// TestREADMECommandsTable keeps the README's table equal to the one the
// code drives parsing, permissions and /newsletter help with.
func TestREADMECommandsTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- commands-table: generated from handlers.Commands; a test keeps it equal -->\n")
	table, _, ok2 := strings.Cut(rest, "<!-- end commands-table -->")
	if !ok || !ok2 {
		t.Fatal("README.md has no commands-table markers")
	}
	if table != HelpTable() {
		t.Errorf("README.md's commands table differs from handlers.Commands; put this between the markers:\n%s", HelpTable())
	}
}
