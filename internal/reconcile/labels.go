package reconcile

import (
	"context"
	"strings"
)

// labelLooks are the colour and description the bot gives a label it
// creates; people may change both afterwards.
var labelLooks = []struct {
	name               func(s *Service) string
	color, description string
}{
	{func(s *Service) string { return s.Config.Labels.Job }, "1D76DB", "Newsletter suggestion: a job"},
	{func(s *Service) string { return s.Config.Labels.News }, "1D76DB", "Newsletter suggestion: news or an article"},
	{func(s *Service) string { return s.Config.Labels.Event }, "1D76DB", "Newsletter suggestion: an event or call for papers"},
	{func(s *Service) string { return s.Config.Labels.Accepted }, "0E8A16", "Goes into the next edition"},
	{func(s *Service) string { return s.Config.Labels.Declined }, "B60205", "Not for the newsletter"},
	{func(s *Service) string { return s.Config.Labels.NeedsInfo }, "FBCA04", "The bot's comment says what to fix"},
	{func(s *Service) string { return s.Config.Labels.Deferred }, "C5DEF5", "Accepted, for a later edition"},
	{func(s *Service) string { return s.Config.Labels.Published }, "5319E7", "In a published edition"},
	{func(s *Service) string { return s.Config.Labels.Repeat }, "BFD4F2", "Published before, taken again on purpose"},
	{func(s *Service) string { return s.Config.Labels.Conflict }, "D93F0B", "The draft's update clashes with hand edits"},
}

// EnsureLabels creates the configured labels the repository lacks, with a
// colour and a description. The issue forms need them: GitHub applies a
// form's label only if it exists. (A label the bot adds to an issue would
// be created anyway, but grey and unexplained.) It returns the labels it
// created; existing labels are left as people made them.
func (s *Service) EnsureLabels(ctx context.Context) ([]string, error) {
	have, err := s.GH.LabelNames(ctx, s.Repo)
	if err != nil {
		return nil, err
	}
	exists := map[string]bool{}
	for _, l := range have {
		exists[strings.ToLower(l)] = true
	}
	var created []string
	for _, l := range labelLooks {
		name := l.name(s)
		if name == "" || exists[strings.ToLower(name)] {
			continue
		}
		exists[strings.ToLower(name)] = true // two kinds may share a label
		if err := s.write("create the label "+name, 0, func() error {
			return s.GH.CreateLabel(ctx, s.Repo, name, l.color, l.description)
		}); err != nil {
			return created, err
		}
		created = append(created, name)
	}
	if len(created) > 0 {
		s.Logger().Info("created the newsletter's labels", "labels", created)
	}
	return created, nil
}
