// Package deploy holds what a repository and an operator need to run the bot.
// Go code sees only the issue forms: the parser maps form labels to fields from
// these files, so the forms people fill in and the parser cannot drift apart.
package deploy

import "embed"

// IssueTemplates holds the default issue forms, one per kind of submission
// (issue-templates/job.yml, news.yml, event.yml), as GitHub issue-forms YAML.
//
//go:embed issue-templates/*.yml
var IssueTemplates embed.FS
