//go:build race

package demo

// defaultChaosSeeds is how many seeds go test -race ./... plays (the race
// detector makes each several times slower); NEWSLETTER_CHAOS_SEEDS plays
// more.
const defaultChaosSeeds = 1

// chaosParallel is how many seeds run at once.
const chaosParallel = 2
