//go:build !race

package ssh

const raceDetector = false
