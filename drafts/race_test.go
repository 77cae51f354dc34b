//go:build race

package drafts

// propertySteps is how many changes TestItemsUpdateLikeBuild makes per
// seed. The race detector makes each build several times slower; the property
// is checked in full without it.
const propertySteps = 250
