//go:build race

package reconcile

// scaleSizes under the race detector, which makes 10,000 submissions take
// minutes: the counts do not depend on it, and the README's budget command
// (go test -run Budget without -race) measures 10,000.
var scaleSizes = []int{100, 1000}
