//go:build !race

package drafts

// propertySteps is how many changes TestItemsUpdateLikeBuild makes per seed.
const propertySteps = 500
