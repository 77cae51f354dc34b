// Command newsletter-bot turns suggestion issues into a monthly newsletter.
//
// Subcommands:
//
//	demo     play a month against a local GitHub (offline)
//	setup    register the GitHub App from app.yml, writing its credentials to an env file
//	serve    run the GitHub App
//	draft    open or refresh the next edition's draft pull request
//	render   render an edition from a JSON list of issues (offline)
//
// Run "newsletter-bot help" for the list, "newsletter-bot CMD -h" for flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes: 0 done, 1 the job failed, 2 the input or the command line is unusable.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"demo", "play a month of the newsletter against a local GitHub, offline", runDemo},
		{"setup", "register the GitHub App through GitHub's manifest flow; writes its credentials", runSetup},
		{"serve", "run the GitHub App: webhooks, resync and the monthly schedule", runServe},
		{"draft", "open or refresh the next edition's draft pull request now", runDraft},
		{"render", "render an edition from a JSON list of issues, offline", runRender},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "newsletter-bot: unknown command %q; run \"newsletter-bot help\" for the list\n", args[0])
	return exitUsage
}

// parseFlags parses a command's flags and refuses stray arguments. done
// means the command returns code at once: help was asked for, or the
// command line is unusable (the flag package has said why on stderr).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		return exitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "newsletter-bot %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, true
	}
	return exitOK, false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: newsletter-bot <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "newsletter-bot <command> -h" for a command's flags.`)
}
