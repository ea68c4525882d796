package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/sga/syncer"
	"ponte/store"
)

// defaultDemoChurn is how often the demo's simulated SGAs change: with an incremental sync
// after each change, a vehicle imported a minute ago has been cancelled and proposed for
// removal on Pendências.
const defaultDemoChurn = 20 * time.Second

// demoContracts is how many contracts the demo makes sure each association holds once it has
// been read in full, importing vehicles itself when it holds fewer: an operator who only runs
// the first sync then sees SGA's changes on Pendências without importing anything first.
const demoContracts = 3

// demoFirstChange is how long after an association's first full read (and the demo's imports)
// its SGA first changes, when --churn is longer: the first Retirada comes seconds after the
// first sync, not a whole interval later.
const demoFirstChange = 5 * time.Second

// demoLook is how often the demo looks for an association's first full read.
const demoLook = time.Second

// demoChurn runs the demo's SGAs' life until ctx ends, each association's on its own (see
// demoLife).
func demoChurn(ctx context.Context, eng *syncer.Engine, s store.Backend, sims []demoSim, every time.Duration, who store.Actor) {
	var lives sync.WaitGroup
	for i, d := range demoAssociations {
		lives.Go(func() { demoLife(ctx, eng, s, d.slug, sims[i].sm, every, who) })
	}
	lives.Wait()
}

// demoLife is one association's SGA's life in the demo, until ctx ends. Once the association
// has been read in full (the change feed starts after one), the demo imports, as who, vehicles
// until it holds demoContracts contracts (see seedContracts); demoFirstChange later, and every
// interval after, one vehicle it holds a contract for is changed in its SGA (see
// turnContract), and every third interval instead a round of the simulator's churn over the
// other vehicles (situações, vehicles, associados, plates, products, e-mails); then, if its
// SGA changed, an incremental sync reads it from the change feed. Random churn alone would
// take hours to touch one of the few vehicles under contract, and could undo a change before
// anyone saw it; this way each of them is cancelled in turn (a Retirada on Pendências, with
// the SGA user who made the change) and, once its removal is done, comes back to ATIVO (a
// Reinstalação). A churn round drops products too, so that round's sync reads the listing in
// full, as a real one would.
func demoLife(ctx context.Context, eng *syncer.Engine, s store.Backend, slug string, sm *sim.Sim, every time.Duration, who store.Actor) {
	for !readInFull(s, slug) {
		if !pause(ctx, min(every, demoLook)) {
			return
		}
	}
	if in, err := s.ForAssociation(slug); err == nil {
		seedContracts(in, who)
	}
	if !pause(ctx, min(every, demoFirstChange)) {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	unread := false // its SGA changed since the last sync the demo started
	for round := 1; ; round++ {
		// Renamed or gone, the demo no longer follows it.
		if in, err := s.ForAssociation(slug); err == nil {
			if contracts, err := in.Contracts("", 0); err == nil {
				if round%demoChurnEvery == 0 {
					spare := map[int64]bool{}
					for _, c := range contracts {
						spare[c.VehicleSGACode] = true
					}
					sm.ChurnSparing(spare)
					unread = true
				} else if turnContract(in, sm, contracts) {
					unread = true
				}
			}
		}
		// Busy (a run going), disabled: the next interval tries again.
		if unread && eng.Start(syncer.Request{Association: slug, Mode: syncer.ModeIncremental, By: who}) == nil {
			unread = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// readInFull reports whether the association has been read in full once.
func readInFull(s store.Backend, slug string) bool {
	in, err := s.ForAssociation(slug)
	if err != nil {
		return false
	}
	fs, err := in.Feed()
	return err == nil && !fs.LastFull.IsZero()
}

// pause waits d, or until ctx ends: it reports whether ctx is still running.
func pause(ctx context.Context, d time.Duration) bool {
	return sga.Sleep(ctx, d) == nil
}

// seedContracts imports, as who, vehicles until the association holds demoContracts
// contracts: one each of the first clients by name that hold none, the first of the client's
// vehicles by plate that the store's Import takes (a vehicle with a plate, so that Pendências
// names it as an operator would look it up), and installs their trackers (see demoInstall).
// It returns how many it imported.
func seedContracts(in store.Backend, who store.Actor) int {
	contracts, err := in.Contracts("", 0)
	if err != nil {
		return 0
	}
	held := map[int64]bool{}
	for _, c := range contracts {
		held[c.ClientSGACode] = true
	}
	made, want := 0, demoContracts-len(contracts)
	for after := ""; made < want; {
		page, err := in.ListClients(after, 50)
		if err != nil {
			return made
		}
		for _, c := range page.Clients {
			if made == want || held[c.SGACode] {
				continue
			}
			vehicles, err := in.VehiclesOfClient(c.SGACode)
			if err != nil {
				continue
			}
			for _, v := range vehicles {
				if v.Plate == "" {
					continue
				}
				// Import refuses, writing nothing, what cannot be imported.
				if imp, err := in.Import(c.SGACode, []int64{v.SGACode}, who); err == nil {
					demoInstall(in, imp[0].Order.Number, who)
					made++
					break
				}
			}
		}
		if !page.More {
			break
		}
		after = page.Next
	}
	return made
}

// demoTechnician is who installs the trackers of the demo's own imports.
const demoTechnician = "Técnico da demonstração"

// demoInstall takes the demo's Instalação numbered number through a visit now, its start and
// its end, as who: the tracker is in the vehicle, and SGA's cancel of it proposes a Retirada.
func demoInstall(in store.ContractStore, number string, who store.Actor) {
	for _, step := range []store.OrderStep{{To: store.OrderStatusScheduled, Visit: &store.Visit{At: time.Now(), Technician: demoTechnician}},
		{To: store.OrderStatusRunning}, {To: store.OrderStatusDone}} {
		if _, err := in.AdvanceOrder(number, step, who); err != nil {
			return
		}
	}
}

// demoChurnEvery is how many of the demo's intervals make one round of the simulator's churn.
const demoChurnEvery = 3

// turnContract changes the situação in SGA of one vehicle under one of the association's
// contracts, picked at random, where the change proposes an order (store.Proposable): an
// ATIVO one whose tracker is in leaves for a situação the association's rules take for gone;
// one whose tracker was taken back comes back to ATIVO. It reports whether it changed one.
func turnContract(in store.Backend, sm *sim.Sim, contracts []store.Contract) bool {
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
		case now == active && in.Proposable(c.Number, store.OrderKindRemoval) == nil:
			turns = append(turns, turn{c.VehicleSGACode, gone[rand.IntN(len(gone))]})
		case now != active && in.Proposable(c.Number, store.OrderKindReinstallation) == nil:
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
