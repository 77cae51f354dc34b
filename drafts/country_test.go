package drafts

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestLookupCountry(t *testing.T) {
	tests := []struct {
		name, typed, want string // want: alpha-2 code, "" for none
	}{
		{"a name", "Germany", "DE"},
		{"a name in lower case", "germany", "DE"},
		{"an alpha-2 code", "DE", "DE"},
		{"an alpha-3 code", "DEU", "DE"},
		{"a common alias", "USA", "US"},
		{"a long name", "United States", "US"},
		{"a name with a leading The", "The Netherlands", "NL"},
		{"a name with a trailing full stop and spaces", "  Germany. ", "DE"},
		{"a name that is no country", "Atlantis", ""},
		{"nothing", "   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := LookupCountry(tt.typed)
			if c.Code != tt.want || ok != (tt.want != "") {
				t.Errorf("LookupCountry(%q) = %+v, %v; want code %q", tt.typed, c, ok, tt.want)
			}
		})
	}
}

// TestLookupCountryKeepsNothing: text from issues reaches LookupCountry, in
// a process that serves every installation, so what it is asked must not
// pile up in memory.
func TestLookupCountryKeepsNothing(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const n = 50000
	before := heap()
	for i := range n {
		LookupCountry(strconv.Itoa(i) + strings.Repeat("x", maxShortText-10))
	}
	// A cache of these names would hold over 5 MB (100-byte keys).
	if grew := int64(heap()) - int64(before); grew > 2<<20 {
		t.Errorf("after LookupCountry of %d distinct names the heap grew by %d bytes, want it to keep none of them", n, grew)
	}
}

// BenchmarkLookupCountry is why LookupCountry has no cache: about 0.4 µs a
// name people type (7 µs for 100 bytes of nonsense), while a Build of
// 10,000 submissions takes 60 ms either way.
func BenchmarkLookupCountry(b *testing.B) {
	names := []string{"Germany", "germany", "DE", "USA", "United States", "UK", "The Netherlands", "South Korea", "Côte d'Ivoire", "Atlantis"}
	for i := 0; b.Loop(); i++ {
		LookupCountry(names[i%len(names)])
	}
}
