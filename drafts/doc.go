// Package drafts is the newsletter itself: suggestion issues in, an edition out.
//
// It parses issue bodies written by GitHub issue forms (form.go, parse.go),
// validates and sanitizes what people typed (validate.go, sanitize.go, dates.go,
// country.go), decides what goes into an edition (select.go), renders it with the
// repository's templates (render.go, config.go), plans the next edition and its
// place in the README index (edition.go, index.go). Build does it all at once;
// Items (items.go) keep what it needs of each issue, so that one changed issue
// updates an edition without parsing the others again.
//
// Everything here is a pure function over plain values: no context, no network,
// no clock (the caller passes dates in). The bot, the scheduler and the CLI call
// into it alike.
package drafts
