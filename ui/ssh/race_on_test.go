//go:build race

package ssh

// raceDetector: the race detector slows each goroutine several times over; tests that open
// hundreds of sessions open fewer.
const raceDetector = true
