package syncer

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"ponte/sga/sim"
)

// A run's bookkeeping the store refuses (its page count, its request count) is not dropped:
// the run's log says what was not recorded, naming the run. Here the store closes as SGA is
// asked for the page count, so every write after it fails.
func TestRefusedBookkeepingIsLogged(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil))
	var e *env
	var closing sync.Once
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "quantidade-paginas") {
				closing.Do(func() {
					if err := e.store.Close(); err != nil {
						t.Error(err)
					}
				})
			}
			h.ServeHTTP(w, r)
		})
	}
	e = newEnv(t, sim.Options{Seed: 4, Members: 100}, Options{Logger: logger}, false, wrap)
	run, err := e.eng.Run(t.Context(), Request{By: maria})
	if err == nil {
		t.Fatalf("run %d %s: no error from a closed store", run.ID, run.Status)
	}
	mu.Lock()
	defer mu.Unlock()
	var logged []string
	for l := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(l), &entry); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		id, _ := entry["run"].(float64)
		why, _ := entry["err"].(string)
		if entry["level"] == "ERROR" && uint64(id) == run.ID && run.ID != 0 && strings.Contains(why, "database not open") {
			logged = append(logged, l)
		}
	}
	if len(logged) == 0 {
		t.Fatalf("no refused bookkeeping of run %d logged:\n%s", run.ID, buf.String())
	}
	t.Log(logged)
}
