package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/sys/unix"
)

// lockHolder finds the process that holds the lock on path in /proc/locks, by the file's
// device and inode, and reads its command line. It returns 0 when nothing matches.
func lockHolder(path string) (pid int, command string) {
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil {
		return 0, ""
	}
	f, err := os.Open("/proc/locks")
	if err != nil {
		return 0, ""
	}
	defer f.Close()
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; a waiter's line has "->" after the number.
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] == "->" || fields[1] != "FLOCK" || fields[5] != want {
			continue
		}
		if pid, err = strconv.Atoi(fields[4]); err != nil {
			continue
		}
		return pid, commandLine(pid)
	}
	return 0, ""
}

// commandLine is a process's argv as one line, cut at 120 characters ("" when unreadable).
func commandLine(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(b) == 0 {
		return ""
	}
	args := strings.Fields(string(bytes.ReplaceAll(bytes.TrimRight(b, "\x00"), []byte{0}, []byte{' '})))
	if len(args) > 0 {
		args[0] = args[0][strings.LastIndexByte(args[0], '/')+1:]
	}
	line := strings.Join(args, " ")
	if r := []rune(line); len(r) > 120 {
		line = string(r[:119]) + "…"
	}
	// A terminal would obey control characters in it.
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) && r != ' ' {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(line, "?"))
}
