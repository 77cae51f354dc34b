package drafts

import (
	"slices"
	"testing"
)

func TestSuggest(t *testing.T) {
	commands := []string{"help", "preview", "accept", "decline", "defer", "kind", "withdraw", "draft"}
	tests := []struct {
		name  string
		typed string
		want  []string
	}{
		{"a letter left out", "acept", []string{"accept"}},
		{"a letter too many", "acccept", []string{"accept"}},
		{"two letters swapped", "wihtdraw", []string{"withdraw"}},
		{"a slip and a swap", "acpet", []string{"accept"}},
		{"any case", "ACEPT", []string{"accept"}},
		{"surrounding space", " kidn ", []string{"kind"}},
		{"as close to two names", "deft", []string{"defer", "draft"}},
		{"the start of one name", "acc", []string{"accept"}},
		{"the start of one name, one letter", "w", []string{"withdraw"}},
		{"the start of several names", "de", nil},
		{"two slips in a short word are too many", "ok", nil},
		{"nothing close", "publish", nil},
		{"nothing typed", "", nil},
		{"a mention", "@evil-user", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Suggest(tt.typed, commands); !slices.Equal(got, tt.want) {
				t.Errorf("Suggest(%q) = %q, want %q", tt.typed, got, tt.want)
			}
		})
	}
}
