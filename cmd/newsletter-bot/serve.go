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
	fs.Int64Var(&cfg.AppID, "app-id", cfg.AppID, "the GitHub App's id (env "+bot.EnvAppID+")")
	fs.StringVar(&f.keyPath, "private-key-path", "", "file holding the app's private key, PEM (env "+bot.EnvPrivateKeyPath+", or the key itself in "+bot.EnvPrivateKey+")")
	fs.StringVar(&cfg.APIURL, "api-url", cfg.APIURL, "GitHub's REST API (env "+bot.EnvAPIURL+"); https://HOST/api/v3/ for GitHub Enterprise Server")
	fs.Lookup("api-url").DefValue = bot.RedactURL(cfg.APIURL) // as -h shows it
	return f
}

// appFlags are the values of serverFlags that are not a Config field.
type appFlags struct {
	fs               *flag.FlagSet
	cfg              *bot.Config
	envFile, keyPath string
}

// load applies --env-file, then --private-key-path. With an env file the
// config is read again, from the environment over the file, and the flags
// given on the command line are applied over that.
func (f *appFlags) load() error {
	if f.envFile != "" {
		getenv, err := envWithFile(f.envFile)
		if err != nil {
			return err
		}
		cfg, err := bot.ConfigFromEnv(getenv)
		if err != nil {
			return fmt.Errorf("with --env-file %s: %w", f.envFile, err)
		}
		given := map[string]string{}
		f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = fl.Value.String() })
		*f.cfg = cfg // the flags point into it
		for name, v := range given {
			if err := f.fs.Set(name, v); err != nil {
				return err
			}
		}
	}
	return readKey(f.cfg, f.keyPath)
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

// runServe is "newsletter-bot serve": the GitHub App's server.
func runServe(args []string, stdout, stderr io.Writer) int {
	cfg, err := bot.ConfigFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot serve: %v\n", err)
		return exitUsage
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	appf := serverFlags(fs, &cfg)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address for webhooks ("+bot.WebhookPath+"), /healthz and /readyz (env "+bot.EnvAddr+")")
	fs.DurationVar(&cfg.ResyncEvery, "resync-every", cfg.ResyncEvery, "pause between resync passes; 0 runs one at start-up only (env "+bot.EnvResyncEvery+")")
	fs.IntVar(&cfg.QueueSize, "queue", cfg.QueueSize, "objects (issues, commands, draft pull requests) with work waiting before GitHub gets a 503; deliveries about one object merge")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "objects brought up to date at once")
	fs.DurationVar(&cfg.DrainDelay, "drain-delay", cfg.DrainDelay, "on SIGTERM, how long to keep serving, unready, before the queue drains (lets the load balancer stop sending)")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", cfg.ShutdownGrace, "on SIGTERM, the longest wait for queued webhooks to finish")
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
	if err := appf.load(); err != nil {
		fmt.Fprintf(stderr, "newsletter-bot serve: %v\n", err)
		return exitUsage
	}
	if *secretPath != "" {
		b, err := os.ReadFile(*secretPath)
		if err != nil {
			fmt.Fprintf(stderr, "newsletter-bot serve: --webhook-secret-path: %v\n", err)
			return exitUsage
		}
		cfg.WebhookSecret = strings.TrimSpace(string(b))
	}
	log, err := newLogger(stderr, *logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot serve: %v\n", err)
		return exitUsage
	}
	b, err := bot.New(cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot serve: refusing to start:\n  - %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  - "))
		return exitUsage
	}
	ctx, stop := signalContext()
	defer stop()
	if err := b.Run(ctx); err != nil {
		log.Error("the server stopped", "error", err)
		return exitFail
	}
	return exitOK
}

// readKey reads --private-key-path over the environment's key.
func readKey(cfg *bot.Config, path string) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--private-key-path: %w", err)
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
