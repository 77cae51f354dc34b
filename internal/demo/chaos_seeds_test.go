//go:build !race

package demo

// defaultChaosSeeds is how many seeds go test ./... plays;
// NEWSLETTER_CHAOS_SEEDS plays more.
const defaultChaosSeeds = 3

// chaosParallel is how many seeds run at once.
const chaosParallel = 6
