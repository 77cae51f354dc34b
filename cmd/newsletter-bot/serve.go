package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/newsletter-bot/newsletter-bot/bot"
)

// signalContext ends on SIGINT or SIGTERM (Kubernetes stops pods with
// SIGTERM); tests replace it.
var signalContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// serverFlags adds the flags every command that talks to GitHub as the app
// shares, over the environment's values.
func serverFlags(fs *flag.FlagSet, cfg *bot.Config) (keyPath *string) {
	fs.Int64Var(&cfg.AppID, "app-id", cfg.AppID, "the GitHub App's id (env "+bot.EnvAppID+")")
	keyPath = fs.String("private-key-path", "", "file holding the app's private key, PEM (env "+bot.EnvPrivateKeyPath+", or the key itself in "+bot.EnvPrivateKey+")")
	fs.StringVar(&cfg.APIURL, "api-url", cfg.APIURL, "GitHub's REST API (env "+bot.EnvAPIURL+"); https://HOST/api/v3/ for GitHub Enterprise Server")
	return keyPath
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
	keyPath := serverFlags(fs, &cfg)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address for webhooks ("+bot.WebhookPath+"), /healthz and /readyz (env "+bot.EnvAddr+")")
	fs.DurationVar(&cfg.ResyncEvery, "resync-every", cfg.ResyncEvery, "pause between resync passes; 0 runs one at start-up only (env "+bot.EnvResyncEvery+")")
	fs.IntVar(&cfg.QueueSize, "queue", cfg.QueueSize, "webhooks waiting to be handled before GitHub gets a 503")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "webhooks handled at once")
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
	if err := readKey(&cfg, *keyPath); err != nil {
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
