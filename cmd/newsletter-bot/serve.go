package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/joho/godotenv"

	"github.com/newsletter-bot/newsletter-bot/bot"
)

// signalContext ends on SIGINT or SIGTERM (Kubernetes stops pods with
// SIGTERM); tests replace it.
var signalContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// serverFlags adds the flags every command that talks to GitHub as the app
// shares, over the environment's values; call load once they are parsed.
func serverFlags(fs *flag.FlagSet, cfg *bot.Config) *appFlags {
	f := &appFlags{fs: fs, cfg: cfg}
	fs.StringVar(&f.envFile, "env-file", "", "read settings from `FILE` of NAME=value lines, as \"newsletter-bot setup\" writes it; the environment wins over the file, flags over both")
	fs.Int64Var(&cfg.AppID, "app-id", cfg.AppID, "the GitHub App's `id` (env "+bot.EnvAppID+")")
	f.noteBadValue("app-id", bot.EnvAppID, "want the app's numeric id, shown on the app's settings page")
	fs.StringVar(&f.keyPath, "private-key-path", "", "file holding the app's private key, PEM (env "+bot.EnvPrivateKeyPath+", or the key itself in "+bot.EnvPrivateKey+")")
	fs.StringVar(&cfg.APIURL, "api-url", cfg.APIURL, "GitHub's REST API (env "+bot.EnvAPIURL+"); https://HOST/api/v3/ for GitHub Enterprise Server")
	fs.Lookup("api-url").DefValue = bot.RedactURL(cfg.APIURL) // as -h shows it
	return f
}

// appFlags are the values of serverFlags that are not a Config field, and
// the flags' values that did not parse.
type appFlags struct {
	fs               *flag.FlagSet
	cfg              *bot.Config
	envFile, keyPath string
	badValues        []error
	bad              map[string]bool // flags whose value did not parse
}

// noteBadValue makes a value of the named flag that does not parse one of
// the problems load returns, instead of the end of the parse, so that
// serve reports it with every other. setting is what bot.Problems knows
// it by (its environment variable, or the flag itself).
func (f *appFlags) noteBadValue(name, setting, want string) {
	fl := f.fs.Lookup(name)
	if fl.DefValue == "0" || fl.DefValue == "0s" {
		fl.DefValue = "" // -h shows no zero default, as for the flag's own type
	}
	fl.Value = &notedValue{Value: fl.Value, set: func(v string, err error) {
		if err == nil {
			return
		}
		if f.bad == nil {
			f.bad = map[string]bool{}
		}
		f.bad[name] = true
		f.badValues = append(f.badValues, &bot.SettingError{Setting: setting, Err: fmt.Errorf("--%s=%q: %s", name, v, want)})
	}}
}

// notedValue is a flag's value whose Set reports to set instead of failing.
type notedValue struct {
	flag.Value
	set func(v string, err error)
}

func (v *notedValue) Set(s string) error {
	v.set(s, v.Value.Set(s))
	return nil
}

func (v *notedValue) String() string {
	if v.Value == nil { // the zero value the flag package makes for -h
		return ""
	}
	return v.Value.String()
}

// load applies --env-file, then --private-key-path. With an env file the
// config is read again, from the environment over the file, and the flags
// given on the command line are applied over that. It goes on past a
// problem and returns them all: the flags' values that did not parse, the
// env file's settings (which include the environment's), the key file.
func (f *appFlags) load() error {
	errs := append([]error(nil), f.badValues...)
	if f.envFile != "" {
		getenv, err := envWithFile(f.envFile)
		if err != nil {
			return errors.Join(append(errs, err, readKey(f.cfg, f.keyPath))...)
		}
		cfg, err := bot.ConfigFromEnv(getenv)
		for _, err := range unjoin(err) {
			errs = append(errs, fmt.Errorf("with --env-file %s: %w", f.envFile, err))
		}
		given := map[string]string{}
		f.fs.Visit(func(fl *flag.Flag) {
			if !f.bad[fl.Name] {
				given[fl.Name] = fl.Value.String()
			}
		})
		*f.cfg = cfg // the flags point into it
		for name, v := range given {
			if err := f.fs.Set(name, v); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(append(errs, readKey(f.cfg, f.keyPath))...)
}

// unjoin lists the errors errors.Join joined.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err != nil {
		return []error{err}
	}
	return nil
}

// envWithFile returns a getenv that reads the environment and, for what it
// leaves unset, the env file. The private key is one setting in two
// variables: a key or key path in the environment hides the file's.
func envWithFile(path string) (func(string) string, error) {
	file, err := godotenv.Read(path)
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return nil, fmt.Errorf("--env-file: %w", err)
	}
	if err != nil { // the parser's message quotes the file, which holds secrets
		return nil, fmt.Errorf("--env-file %s: not a file of NAME=value lines", path)
	}
	keyInEnv := os.Getenv(bot.EnvPrivateKey) != "" || os.Getenv(bot.EnvPrivateKeyPath) != ""
	return func(name string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		if keyInEnv && (name == bot.EnvPrivateKey || name == bot.EnvPrivateKeyPath) {
			return ""
		}
		return file[name]
	}, nil
}

// runServe is "newsletter-bot serve": the GitHub App's server. It reports
// every missing or broken setting at once, one line each, before it starts.
func runServe(args []string, stdout, stderr io.Writer) int {
	cfg, envErr := bot.ConfigFromEnv(os.Getenv) // reported below, with the rest
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	appf := serverFlags(fs, &cfg)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address for webhooks ("+bot.WebhookPath+"), /healthz and /readyz (env "+bot.EnvAddr+")")
	fs.DurationVar(&cfg.ResyncEvery, "resync-every", cfg.ResyncEvery, "the pause between resync passes, a `duration` such as 5m; 0 runs one at start-up only (env "+bot.EnvResyncEvery+")")
	appf.noteBadValue("resync-every", bot.EnvResyncEvery, "want a duration such as 5m")
	fs.IntVar(&cfg.QueueSize, "queue", cfg.QueueSize, "the `number` of objects (issues, commands, draft pull requests) with work waiting before GitHub gets a 503; deliveries about one object merge")
	appf.noteBadValue("queue", "--queue", "want a whole number, 0 or more")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "the `number` of objects brought up to date at once")
	appf.noteBadValue("workers", "--workers", "want a whole number of at least 1")
	fs.DurationVar(&cfg.DrainDelay, "drain-delay", cfg.DrainDelay, "on SIGTERM, how long (a `duration`) to keep serving, unready, before the queue drains (lets the load balancer stop sending)")
	appf.noteBadValue("drain-delay", "--drain-delay", "want a duration such as 5s")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", cfg.ShutdownGrace, "on SIGTERM, the longest wait (a `duration`) for queued webhooks to finish")
	appf.noteBadValue("shutdown-grace", "--shutdown-grace", "want a duration such as 25s")
	secretPath := fs.String("webhook-secret-path", "", "file holding the webhook secret (env "+bot.EnvWebhookSecret+" holds the secret itself)")
	logFormat := fs.String("log-format", "json", "log format on stderr: json or text")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: newsletter-bot serve [flags]")
		fmt.Fprintln(stderr, "\nSecrets come from the environment or from files, never from flags, so they stay out of process listings.")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	read := appf.load()
	if appf.envFile == "" { // with one, load read the environment again
		read = errors.Join(envErr, read)
	}
	if *secretPath != "" {
		secret, err := readSecret(*secretPath)
		read = errors.Join(read, err)
		if err == nil {
			cfg.WebhookSecret = secret
		}
	}
	log, err := newLogger(stderr, *logFormat)
	read = errors.Join(read, err)
	if err := bot.Problems(read, cfg.Check()); err != nil {
		return refuse(stderr, err)
	}
	b, err := bot.New(cfg, log)
	if err != nil {
		return refuse(stderr, err)
	}
	ctx, stop := signalContext()
	defer stop()
	if err := b.Run(ctx); err != nil {
		log.Error("the server stopped", "error", err)
		return exitFail
	}
	return exitOK
}

// refuse says why serve does not start, one problem a line.
func refuse(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "newsletter-bot serve: refusing to start:\n  - %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  - "))
	return exitUsage
}

// readSecret reads --webhook-secret-path. Its errors do not quote the
// flag's value either: it may be the secret itself, given by mistake.
func readSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", &bot.SettingError{Setting: bot.EnvWebhookSecret,
			Err: fmt.Errorf("--webhook-secret-path names a file that cannot be read (%w): name the file holding the webhook secret from the app's settings", err)}
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", &bot.SettingError{Setting: bot.EnvWebhookSecret,
			Err: errors.New("--webhook-secret-path names an empty file: put the webhook secret from the app's settings in it")}
	}
	return secret, nil
}

// readKey reads --private-key-path over the environment's key.
func readKey(cfg *bot.Config, path string) error {
	if path == "" {
		return nil
	}
	b, err := bot.ReadPrivateKey("--private-key-path", path)
	if err != nil {
		return err
	}
	cfg.PrivateKey = b
	return nil
}

func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			a.Value = slog.StringValue(a.Value.Time().UTC().Format(time.RFC3339Nano))
		}
		return a
	}}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be json or text, not %q", format)
}
