package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"ponte/sga/sim"
	"ponte/sga/syncer"
	"ponte/store"
)

// defaultDemoChurn is how often the demo's simulated SGAs change: with an incremental sync
// after each change, a vehicle imported a minute ago has been cancelled and proposed for
// removal on Pendências.
const defaultDemoChurn = 20 * time.Second

// demoChurn runs the demo's SGAs' life until ctx ends. Every interval, each association that
// has been read in full once has one vehicle it holds a contract for changed in its SGA (see
// turnContract), and every third interval instead a round of the simulator's churn over the
// other vehicles (situações, vehicles, associados, plates, products, e-mails); then, if its
// SGA changed, an incremental sync reads it from the change feed. Random churn alone would
// take hours to touch one of the few vehicles an operator imports in a demo, and could undo a
// change before anyone saw it; this way each of them is cancelled in turn (a Retirada on
// Pendências, with the SGA user who made the change) and, once its removal is done, comes back
// to ATIVO (a Reinstalação). A churn round drops products too, so that round's sync reads the
// listing in full, as a real one would.
func demoChurn(ctx context.Context, eng *syncer.Engine, s *store.Store, sims []demoSim, every time.Duration, who store.Actor) {
	t := time.NewTicker(every)
	defer t.Stop()
	rounds := map[string]int{}  // by association, since its first full read
	unread := map[string]bool{} // its SGA changed since the last sync the demo started
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for i, d := range demoAssociations {
			in, err := s.In(d.slug)
			if err != nil {
				continue // renamed or gone: the demo no longer follows it
			}
			if fs, err := in.Feed(); err != nil || fs.LastFull.IsZero() {
				continue // never read in full: the change feed starts after one
			}
			contracts, err := in.Contracts("", 0)
			if err != nil {
				continue
			}
			rounds[d.slug]++
			if rounds[d.slug]%demoChurnEvery == 0 {
				spare := map[int64]bool{}
				for _, c := range contracts {
					spare[c.VehicleSGACode] = true
				}
				sims[i].sm.ChurnSparing(spare)
				unread[d.slug] = true
			} else if turnContract(in, sims[i].sm, contracts) {
				unread[d.slug] = true
			}
			// Busy (a run going), disabled: the next interval tries again.
			if unread[d.slug] && eng.Start(syncer.Request{Association: d.slug, Mode: syncer.ModeIncremental, By: who}) == nil {
				unread[d.slug] = false
			}
		}
	}
}

// demoChurnEvery is how many of the demo's intervals make one round of the simulator's churn.
const demoChurnEvery = 3

// turnContract changes the situação in SGA of one vehicle under one of the association's
// contracts, picked at random: an ATIVO one under a running contract leaves for a situação
// the association's rules take for gone; one whose contract was closed by its removal comes
// back to ATIVO. It reports whether it changed one.
func turnContract(in *store.Store, sm *sim.Sim, contracts []store.Contract) bool {
	rules, err := in.Rules()
	if err != nil {
		return false
	}
	var active int
	var gone []int
	for _, st := range sim.DefaultSituations {
		switch rules.Classify(st.Description) {
		case store.ClassActive:
			active = st.Code
		case store.ClassGone:
			gone = append(gone, st.Code)
		}
	}
	if active == 0 || len(gone) == 0 {
		return false
	}
	situation := map[int64]int{}
	for _, v := range sm.Vehicles() {
		situation[v.Code] = v.Situation
	}
	type turn struct {
		vehicle   int64
		situation int
	}
	var turns []turn
	for _, c := range contracts {
		now, known := situation[c.VehicleSGACode]
		switch {
		case !known:
		case c.Status != store.ContractClosed && now == active:
			turns = append(turns, turn{c.VehicleSGACode, gone[rand.IntN(len(gone))]})
		case c.Status == store.ContractClosed && now != active:
			turns = append(turns, turn{c.VehicleSGACode, active})
		}
	}
	if len(turns) == 0 {
		return false
	}
	pick := turns[rand.IntN(len(turns))]
	return sm.SetSituation(pick.vehicle, pick.situation) == nil
}

// demoCredentials writes the simulators' credentials into dir, one JSON line per association
// as ponte sga-sim prints its own, readable by the owner only, and returns the file's path:
// the console shows the secrets masked, and an operator walking the guide types them.
func demoCredentials(dir string, sims []demoSim) (string, error) {
	path := filepath.Join(dir, "credenciais-sga.jsonl")
	var b []byte
	for i, d := range sims {
		line, err := json.Marshal(struct {
			Association string `json:"associacao"`
			sim.Credentials
		}{demoAssociations[i].slug, d.cr})
		if err != nil {
			return "", err
		}
		b = append(append(b, line...), '\n')
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", fmt.Errorf("write the demo's credentials: %w", err)
	}
	return path, nil
}
