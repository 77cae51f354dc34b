// Package newsletterbot holds the GitHub App manifest (app.yml) for the code
// that registers the app; the bot itself lives in the packages below.
package newsletterbot

import (
	"bytes"
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed app.yml
var appYAML []byte

// Manifest is a GitHub App manifest, as GitHub's app-manifest flow takes it
// (https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest).
type Manifest struct {
	Name               string            `yaml:"name" json:"name"`
	Description        string            `yaml:"description" json:"description,omitempty"`
	URL                string            `yaml:"url" json:"url"`
	HookAttributes     HookAttributes    `yaml:"hook_attributes" json:"hook_attributes"`
	RedirectURL        string            `yaml:"redirect_url" json:"redirect_url"`
	Public             bool              `yaml:"public" json:"public"`
	DefaultEvents      []string          `yaml:"default_events" json:"default_events"`
	DefaultPermissions map[string]string `yaml:"default_permissions" json:"default_permissions"`
}

// HookAttributes is where GitHub delivers the app's webhooks.
type HookAttributes struct {
	URL    string `yaml:"url" json:"url"`
	Active bool   `yaml:"active" json:"active"`
}

// AppManifest returns app.yml, decoded strictly.
func AppManifest() (Manifest, error) {
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(appYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("app.yml: %w", err)
	}
	return m, nil
}
