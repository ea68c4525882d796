//go:build race

package store

// raceDetector: the race detector slows each process several times over; tests that run
// commands on hundreds of damaged copies run them on fewer.
const raceDetector = true
