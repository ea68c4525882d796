package sga

// ValidJSON is validJSON, for the benchmarks outside the package.
var ValidJSON = validJSON
