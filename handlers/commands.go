package handlers

import (
	"fmt"
	"strings"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// Who may run a command.
type Who int

const (
	Anyone Who = iota
	AuthorOrMaintainer
	Maintainer
)

func (w Who) String() string {
	switch w {
	case Maintainer:
		return "maintainer"
	case AuthorOrMaintainer:
		return "author or maintainer"
	}
	return "anyone"
}

// Command is one slash command. The table below drives the parser, the
// permission check and /newsletter help alike.
type Command struct {
	Name   string
	Args   string // usage of the arguments, "" for none
	Who    Who
	Effect string
	// check validates the arguments; nil means the command takes none.
	check func(args string) error
}

// Commands lists every slash command, in the order help shows them.
var Commands = []Command{
	{Name: "help", Who: Anyone, Effect: "reply with this table"},
	{Name: "preview", Who: Anyone, Effect: "refresh the status comment"},
	{Name: "accept", Who: Maintainer, Effect: "accept; the open draft picks it up"},
	{Name: "decline", Args: "<reason>", Who: Maintainer, Effect: "decline, close as not planned with the reason", check: func(a string) error {
		if a == "" {
			return fmt.Errorf("say why, for the author: `/newsletter decline <reason>`")
		}
		return nil
	}},
	{Name: "defer", Who: Maintainer, Effect: "stays accepted, skips the current edition"},
	{Name: "kind", Args: "job|news|event", Who: Maintainer, Effect: "reclassify", check: func(a string) error {
		if _, ok := drafts.ParseKind(a); !ok || strings.Contains(a, " ") {
			return fmt.Errorf("name one kind: `/newsletter kind job`, `news` or `event`")
		}
		return nil
	}},
	{Name: "withdraw", Who: AuthorOrMaintainer, Effect: "close and take it out of the draft"},
	{Name: "draft", Who: Maintainer, Effect: "open the next edition's draft now, or refresh it"},
}

// Prefix starts every command.
const Prefix = "/newsletter"

// Invocation is one command line found in a comment.
type Invocation struct {
	Line    string   // the line as written, for quoting in a reply
	Command *Command // nil for an unknown command
	Args    string
	Err     error // malformed arguments, or unknown command
}

// ParseCommands finds the command lines of a comment: lines of their own
// that start with /newsletter, outside block quotes and fenced code.
func ParseCommands(body string) []Invocation {
	var out []Invocation
	fence := ""
	for _, raw := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		line := strings.TrimSpace(raw)
		if fence != "" {
			if strings.HasPrefix(line, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fence = line[:3]
			continue
		}
		if strings.HasPrefix(raw, "    ") || strings.HasPrefix(raw, "\t") { // an indented code block
			continue
		}
		if !strings.HasPrefix(line, Prefix) {
			continue
		}
		rest := line[len(Prefix):]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			continue // "/newsletters" or "/newsletter-x": not ours
		}
		out = append(out, parseInvocation(line, strings.TrimSpace(rest)))
	}
	return out
}

func parseInvocation(line, rest string) Invocation {
	inv := Invocation{Line: line}
	name, args, _ := strings.Cut(rest, " ")
	name, inv.Args = strings.ToLower(name), strings.TrimSpace(args)
	if name == "" {
		inv.Err = fmt.Errorf("a command is missing after %s", Prefix)
		return inv
	}
	for i := range Commands {
		if Commands[i].Name == name {
			inv.Command = &Commands[i]
		}
	}
	switch {
	case inv.Command == nil:
		inv.Err = fmt.Errorf("there is no command %q", name)
	case inv.Command.check != nil:
		inv.Err = inv.Command.check(inv.Args)
	case inv.Args != "":
		inv.Err = fmt.Errorf("`%s %s` takes no arguments", Prefix, name)
	}
	return inv
}

// HelpTable is the markdown table of the commands, as help replies with it
// and the README shows it.
func HelpTable() string {
	var b strings.Builder
	b.WriteString("| command | who | effect |\n|---|---|---|\n")
	for _, c := range Commands {
		usage := Prefix + " " + c.Name
		if c.Args != "" {
			usage += " " + strings.ReplaceAll(c.Args, "|", "\\|")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", usage, c.Who, c.Effect)
	}
	return b.String()
}
