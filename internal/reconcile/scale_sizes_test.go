//go:build !race

package reconcile

// scaleSizes are the numbers of submissions TestBudgetsAtScale measures.
var scaleSizes = []int{100, 1000, 10000}
