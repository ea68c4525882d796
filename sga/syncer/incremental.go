package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"ponte/sga"
	"ponte/store"
)

// The incremental sync reads SGA's change feeds since the last run instead of the whole
// listing. It applies what changed (situação, plate, chassis, member; a member's name, CPF,
// e-mail, city, state) to the vehicles and members we keep, straight from the feed's values.
// The feed says nothing of products, so the supplier listing's record count tells the rest:
// unchanged, nothing entered or left it; grown, and the listing in code order, the new
// vehicles are on its last pages, read from the end; anything else (a vehicle that lost our
// product, one that gained it), and the run reads the listing in full, saying why.

// Modes a run can be asked for.
const (
	ModeFull        = ""            // read the whole listing
	ModeIncremental = "incremental" // read the change feed, or the whole listing when it cannot
	ModeAuto        = "auto"        // the daily run's choice: in full when the schedule says so today, else as ModeIncremental
)

// Overlap is how many days before its cursor an incremental run reads the feed again: SGA
// records some changes late, and a change read twice is applied once.
const Overlap = 3

// FullEvery is the longest an association goes without a full read.
const FullEvery = 8 * 24 * time.Hour

// Why a run read in full when the feed was asked for, as Run.NoteCode says it.
const (
	NoteFullDay      = "full_day"      // the association's weekly full read
	NoteFullDaily    = "full_daily"    // the association's daily full read
	NoteNoFull       = "no_full"       // no full read yet, or too long ago: the feed starts after one
	NoteNeedsBoth    = "needs_both"    // the feed needs the manual credentials and the sync token
	NoteFeedDenied   = "feed_denied"   // the change-feed routes are not enabled for the token
	NoteListingMoved = "listing_moved" // the listing's count changed in a way the feed does not explain
)

// plan says how a run asked for in mode reads, and why not incrementally when it cannot.
func (r *runner) plan(mode string) (incremental bool, why note) {
	if mode == ModeFull || r.req.CPF != "" {
		return false, note{}
	}
	sc, err := r.st.Schedule()
	if err != nil {
		return false, note{}
	}
	now := r.e.opt.Now()
	fs, err := r.st.Feed()
	switch {
	case err != nil:
		return false, note{}
	case mode == ModeAuto && sc.FullOn(now.In(sga.Brasilia).Weekday()) && sc.Full == store.FullWeekly:
		return false, note{NoteFullDay, "today is the association's weekly full read"}
	case mode == ModeAuto && sc.FullOn(now.In(sga.Brasilia).Weekday()):
		return false, note{NoteFullDaily, "the daily full read, which sees what no change feed shows (products linked or unlinked)"}
	case r.in.SyncToken == "" || !r.client.Credentials().HasManual():
		return false, note{NoteNeedsBoth, "the change feed needs the manual credentials (usuário, senha, chave API) and the Sincronismo SGA token"}
	case fs.LastFull.IsZero() || fs.ListingTotal == 0 || now.Sub(fs.LastFull) > FullEvery:
		return false, note{NoteNoFull, "the change feed starts after a full read of the whole listing, at least weekly"}
	}
	return true, note{}
}

// syncIncremental is one incremental run. Nothing is written until everything is read: a run
// that fails or turns into a full read leaves the store as it was.
func (r *runner) syncIncremental(ctx context.Context) (store.Run, error) {
	fs, err := r.st.Feed()
	if err != nil {
		return store.Run{}, err
	}
	r.reset()
	if r.run, err = r.st.StartRun(store.Run{Kind: store.RunIncremental, Source: store.SourceSync}, r.req.By); err != nil {
		return store.Run{}, err
	}
	r.sent0 = r.client.Requests()
	r.prog = Progress{Running: true, RunID: r.run.ID, Kind: store.RunIncremental, Source: store.SourceSync,
		StartedBy: r.run.StartedBy, StartedAt: r.run.StartedAt, Phase: PhaseCounting}
	r.publish(func(*Progress) {})
	if err := r.checkConfig(store.SourceSync); err != nil {
		return r.finish(store.StatusFailed, err)
	}

	feed, err := r.readFeeds(ctx, fs)
	if errors.Is(err, sga.ErrRouteNotAllowed) {
		return r.readInFull(ctx, note{NoteFeedDenied, "the change-feed routes (listar/alteracao-veiculos, listar/alteracao-associados) are not enabled for the token in SGA's Gerenciar APIs"})
	}
	if err != nil || ctx.Err() != nil {
		return r.stop(ctx, err)
	}
	r.publish(func(p *Progress) { p.Phase = PhaseReading })
	fresh, total, newest, why, err := r.readNewVehicles(ctx, fs)
	if err != nil || ctx.Err() != nil {
		return r.stop(ctx, err)
	}
	if why.code != "" {
		return r.readInFull(ctx, why)
	}
	b, described, err := r.feedBatch(ctx, fs, feed, fresh)
	if err != nil || ctx.Err() != nil {
		return r.stop(ctx, err)
	}
	next := fs
	next.Cursor, next.ListingTotal, next.MaxCode, next.Described = r.run.StartedAt, total, newest, described
	b.Feed = &next
	res, err := r.st.Apply(b)
	if err != nil {
		return r.finish(store.StatusFailed, fmt.Errorf("write the changes: %w", err))
	}
	r.record("changes", func(run *store.Run) { run.Counts.Changes = len(feed.vehicles) + len(feed.members) })
	if run, err := r.st.Run(r.run.ID); err != nil {
		r.log.Error("run not read back for its progress", "run", r.run.ID, "err", err)
	} else {
		r.publish(func(p *Progress) {
			p.Clients, p.Vehicles, p.Errors = run.Counts.Clients(), run.Counts.Vehicles(), run.ErrorCount
			p.Changed += res.SituationsChanged
			p.PagesDone, p.PagesTotal = 1, 1
		})
	}
	return r.finish(store.StatusSucceeded, nil)
}

// stop ends a run that was cancelled, or whose step failed with err.
func (r *runner) stop(ctx context.Context, err error) (store.Run, error) {
	switch {
	case ctx.Err() != nil:
		return r.finish(store.StatusCancelled, nil)
	case isFatal(err):
		return r.finish(store.StatusFailed, fatalReason(err))
	}
	return r.finish(store.StatusFailed, err)
}

// readInFull turns the run into a full read of the listing, saying why.
func (r *runner) readInFull(ctx context.Context, why note) (store.Run, error) {
	r.log.Info("incremental sync reads the whole listing", "run", r.run.ID, "why", why.text)
	r.note = why
	if err := r.st.UpdateRun(r.run.ID, func(run *store.Run) {
		run.Kind, run.Note, run.NoteCode = store.RunFull, why.text, why.code
	}); err != nil {
		return r.finish(store.StatusFailed, err)
	}
	r.reset()
	r.publish(func(p *Progress) { p.Kind, p.NoteCode, p.Phase = store.RunFull, why.code, PhaseCounting })
	return r.readFull(ctx, store.SourceSync, nil)
}

// feedRead is what the change feeds said, each change once, in the order SGA made them.
type feedRead struct {
	vehicles, members []sga.Change
	situations        map[int]string // code -> description
}

// readFeeds reads both feeds from the cursor, less the overlap, to today, in windows SGA
// accepts, and the situação table their codes need.
func (r *runner) readFeeds(ctx context.Context, fs store.FeedState) (feedRead, error) {
	out := feedRead{situations: map[int]string{}}
	var sits []sga.Situation
	if err := r.gated(ctx, func() (err error) { sits, err = r.client.Situations(ctx); return err }); err != nil {
		return out, fmt.Errorf("read the situação table: %w", err)
	}
	for _, s := range sits {
		out.situations[int(s.Code)] = strings.ToUpper(strings.TrimSpace(string(s.Description)))
	}
	from := fs.Cursor.AddDate(0, 0, -Overlap)
	seen := map[int64]bool{}
	for _, w := range sga.ChangeWindows(from, r.e.opt.Now()) {
		for _, vehicles := range []bool{true, false} {
			var page sga.ChangePage
			err := r.gated(ctx, func() (err error) {
				if vehicles {
					page, err = r.client.VehicleChanges(ctx, w)
				} else {
					page, err = r.client.MemberChanges(ctx, w)
				}
				return err
			})
			if err != nil {
				return out, err
			}
			for _, b := range page.Bad {
				r.batch.fail(store.RunError{Key: b.Key, Kind: KindRecord, Reason: b.Reason, At: r.e.opt.Now().UTC()})
			}
			for _, ch := range page.Changes {
				key := int64(ch.Code)
				if !vehicles {
					key = -key // the two feeds number their changes apart
				}
				if seen[key] {
					continue
				}
				seen[key] = true
				if vehicles {
					out.vehicles = append(out.vehicles, ch)
				} else {
					out.members = append(out.members, ch)
				}
			}
		}
	}
	inTimeOrder(out.vehicles)
	inTimeOrder(out.members)
	return out, nil
}

// inTimeOrder sorts changes in the order SGA made them (Change.At), changes of one moment by
// codigo_alteracao. SGA numbers changes as it saves them: a change saved late (an import, a
// batch edit) has a higher code than one made after it, and applied by code would end a
// field on its older value until the next full read. A change without a date SGA wrote
// readably sorts first.
func inTimeOrder(changes []sga.Change) {
	type dated struct {
		at time.Time
		ch sga.Change
	}
	ds := make([]dated, len(changes))
	for i, ch := range changes {
		ds[i] = dated{ch.At(), ch}
	}
	slices.SortFunc(ds, func(a, b dated) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.ch.Code, b.ch.Code)) })
	for i, d := range ds {
		changes[i] = d.ch
	}
}

// readNewVehicles compares the supplier listing's count with the last run's. Grown, with the
// listing in code order, it reads the last pages for the records newer than any seen
// (store.FeedState.Newer, the one rule the count and the tail share); when they account for
// the growth, the vehicles of ours among them are returned with the count and the newest code
// the listing holds. Otherwise why says the run must read in full. An equal count explains
// nothing about products moved between vehicles: the run records both counts, and the full
// read finds them.
func (r *runner) readNewVehicles(ctx context.Context, fs store.FeedState) (fresh []record, total int, newest int64, why note, err error) {
	var pc sga.PageCount
	if err := r.gated(ctx, func() (err error) { pc, err = r.client.SyncPageCount(ctx); return err }); err != nil {
		return nil, 0, 0, note{}, fmt.Errorf("read the page count: %w", err)
	}
	r.record("listing counts", func(run *store.Run) { run.Counts.ListingWas, run.Counts.ListingNow = fs.ListingTotal, pc.Records })
	moved := func(found int) note {
		return note{NoteListingMoved, fmt.Sprintf("SGA's listing went from %d to %d records, %d of them new vehicles; the rest (products linked or unlinked) the change feed does not show",
			fs.ListingTotal, pc.Records, found)}
	}
	switch {
	case pc.Records == fs.ListingTotal:
		return nil, pc.Records, fs.MaxCode, note{}, nil
	case pc.Records < fs.ListingTotal || !fs.Ordered || pc.Records == 0:
		return nil, 0, 0, moved(0), nil
	}
	newer, newest := 0, fs.MaxCode
	for page := pc.Pages; page >= 1; page-- {
		res := r.fetchSyncPage(ctx, page)
		if res.err != nil {
			return nil, 0, 0, note{}, res.err
		}
		if len(res.bad) > 0 {
			return nil, 0, 0, moved(newer), nil // a damaged page: only a full read can tell
		}
		oldest := int64(0)
		for _, rec := range res.records {
			if fs.Newer(rec.vehicle.SGACode) {
				newer++
				newest = max(newest, rec.vehicle.SGACode)
				if rec.ours {
					fresh = append(fresh, rec)
				}
			}
			if oldest == 0 || rec.vehicle.SGACode < oldest {
				oldest = rec.vehicle.SGACode
			}
		}
		if oldest != 0 && !fs.Newer(oldest) {
			break
		}
	}
	if fs.ListingTotal+newer != pc.Records {
		return nil, 0, 0, moved(newer), nil
	}
	return fresh, pc.Records, newest, note{}, nil
}

// feedBatch applies the feeds to the vehicles and members we keep, and adds the new vehicles.
func (r *runner) feedBatch(ctx context.Context, fs store.FeedState, feed feedRead, fresh []record) (store.Batch, map[int64]store.Described, error) {
	b := store.Batch{RunID: r.run.ID, Changes: map[int64]store.SGAChange{}, Errors: r.batch.errs}
	// What was read again for a change still in the overlap is not read again; the rest of
	// the overlap's entries go with it.
	described := map[int64]store.Described{}
	since := fs.Cursor.AddDate(0, 0, -Overlap-1)
	for code, d := range fs.Described {
		if d.At.After(since) {
			described[code] = d
		}
	}
	vehicles := map[int64]*store.Vehicle{}
	redescribe := map[int64]store.Described{} // vehicles whose model, brand or colour changed
	clients := map[int64]*store.Client{}
	var order []int64
	client := func(code int64) (*store.Client, error) {
		if c, ok := clients[code]; ok {
			return c, nil
		}
		c, err := r.st.ClientByCode(code)
		if errors.Is(err, store.ErrNotFound) {
			var m sga.Member
			if err := r.gated(ctx, func() (err error) { m, err = r.client.MemberByCode(ctx, code); return err }); err != nil {
				return nil, fmt.Errorf("member %d: %w", code, err)
			}
			c = store.Client{SGACode: code, CPF: string(m.CPF), Name: string(m.Name), Email: string(m.Email),
				Phone: store.Phone(string(m.Mobile)), City: string(m.City), State: string(m.State)}
			if err := store.CheckClient(c); err != nil {
				return nil, fmt.Errorf("member %d: %w", code, err)
			}
		} else if err != nil {
			return nil, err
		}
		c.Situation = "" // from its vehicles, once they are written
		clients[code] = &c
		return &c, nil
	}
	for _, ch := range feed.vehicles {
		code := int64(ch.VehicleCode)
		v, ok := vehicles[code]
		if !ok {
			stored, err := r.st.VehicleByCode(code)
			if errors.Is(err, store.ErrNotFound) {
				continue // not a vehicle of ours
			}
			if err != nil {
				return b, nil, err
			}
			if stored.Gone || stored.Foreign {
				continue // out of the listing: the count says if it comes back
			}
			v = &stored.Vehicle
			vehicles[code] = v
			order = append(order, code)
		}
		was := *v
		said, hadSaid := b.Changes[code]
		// A change that cannot be applied (its member not found, a field the store refuses)
		// is a record error: the vehicle keeps what it had, the run and its cursor go on,
		// the next runs read the change again (Overlap) and the next full read repairs it.
		refuse := func(err error) error {
			if !recordError(err) {
				return err
			}
			*v = was
			if delete(b.Changes, code); hadSaid {
				b.Changes[code] = said
			}
			r.refuseChange(ch, fmt.Sprintf("codigo_veiculo=%d", code), err)
			return nil
		}
		after := strings.TrimSpace(string(ch.After))
		switch string(ch.Field) {
		case "codigo_situacao":
			n, err := strconv.Atoi(after)
			if err != nil {
				r.batch.fail(store.RunError{Key: fmt.Sprintf("codigo_alteracao=%d", ch.Code), Kind: KindRecord,
					Reason: fmt.Sprintf("codigo_situacao %q is not a number", after), At: r.e.opt.Now().UTC()})
				continue
			}
			if feed.situations[n] == "" {
				r.batch.fail(store.RunError{Key: fmt.Sprintf("codigo_alteracao=%d", ch.Code), Kind: KindRecord,
					Reason: fmt.Sprintf("codigo_situacao %d is not in SGA's situação table", n), At: r.e.opt.Now().UTC()})
				continue
			}
			// The code only where the listing gives codes: a vehicle read from one that gives
			// only descriptions keeps none, as the full read would store it.
			if v.SituationCode != 0 {
				v.SituationCode = n
			}
			// A change the vehicle already shows (the full read or an earlier run applied it)
			// is not a change again.
			if v.Situation != feed.situations[n] {
				before, _ := strconv.Atoi(strings.TrimSpace(string(ch.Before)))
				v.Situation = feed.situations[n]
				b.Changes[code] = store.SGAChange{Field: "codigo_situacao", Before: feed.situations[before],
					After: v.Situation, At: ch.At().UTC(), By: string(ch.UserName)}
			}
		case "placa":
			v.Plate = after
		case "chassi":
			v.Chassis = after
		case "renavam":
			v.Renavam = after
		case "ano_fabricacao", "ano_modelo":
			n, err := strconv.Atoi(after)
			if err != nil {
				r.batch.fail(store.RunError{Key: fmt.Sprintf("codigo_alteracao=%d", ch.Code), Kind: KindRecord,
					Reason: fmt.Sprintf("%s %q is not a year", ch.Field, after), At: r.e.opt.Now().UTC()})
				continue
			}
			if ch.Field == "ano_fabricacao" {
				v.YearMade = n
			} else {
				v.YearModel = n
			}
		case "codigo_associado":
			n, err := strconv.ParseInt(after, 10, 64)
			if err != nil || n <= 0 {
				continue
			}
			if _, err := client(v.ClientSGACode); err != nil {
				if err := refuse(err); err != nil {
					return b, nil, err
				}
				continue
			}
			v.ClientSGACode = n
		}
		err := store.CheckVehicle(*v)
		if err == nil {
			_, err = client(v.ClientSGACode)
		}
		if err != nil {
			if err := refuse(err); err != nil {
				return b, nil, err
			}
			continue
		}
		if sga.DescribedBy(string(ch.Field)) && int64(ch.Code) > described[code].Change {
			if d := (store.Described{Change: int64(ch.Code), At: ch.At().UTC()}); d.Change > redescribe[code].Change {
				redescribe[code] = d
			}
		}
		b.Applied(ch.At())
	}
	// Model, brand and colour changed: the descriptions, as the listing gives them, come from
	// the vehicle read again, once per vehicle.
	for _, code := range slices.Sorted(maps.Keys(redescribe)) {
		var sv sga.Vehicle
		err := r.gated(ctx, func() (err error) {
			sv, err = r.client.Vehicle(ctx, sga.ByCode, strconv.FormatInt(code, 10))
			return err
		})
		if err != nil {
			if ctx.Err() != nil || isFatal(err) {
				return b, nil, fmt.Errorf("vehicle %d: %w", code, err)
			}
			r.batch.fail(store.RunError{Key: fmt.Sprintf("codigo_veiculo=%d", code), Kind: KindRecord,
				Reason: fmt.Sprintf("read its model, brand and colour again: %v", err), At: r.e.opt.Now().UTC()})
			continue
		}
		v := vehicles[code]
		was := *v
		v.Brand, v.Model, v.Color = string(sv.Brand), string(sv.Model), string(sv.Color)
		if err := store.CheckVehicle(*v); err != nil {
			*v = was
			r.batch.fail(store.RunError{Key: fmt.Sprintf("codigo_veiculo=%d", code), Kind: KindRecord,
				Reason: fmt.Sprintf("read its model, brand and colour again: %v", err), At: r.e.opt.Now().UTC()})
			continue
		}
		described[code] = redescribe[code]
	}
	for _, ch := range feed.members {
		code := int64(ch.MemberCode)
		if _, err := r.st.ClientByCode(code); errors.Is(err, store.ErrNotFound) {
			continue // not a member of ours
		} else if err != nil {
			return b, nil, err
		}
		c, err := client(code)
		if err != nil {
			return b, nil, err
		}
		was := *c
		after := strings.TrimSpace(string(ch.After))
		switch string(ch.Field) {
		case "nome":
			c.Name = after
		case "cpf":
			c.CPF = after
		case "email":
			c.Email = after
		case "cidade":
			c.City = after
		case "estado":
			c.State = after
		case "telefone_celular", "ddd_celular":
			// The feed gives the new part; the stored phone the other. Only a member whose
			// phone ponte does not have whole is asked for again.
			if ch.Field == "telefone_celular" {
				c.Phone = store.WithNumber(c.Phone, after)
			} else {
				c.Phone = store.WithAreaCode(c.Phone, after)
			}
			if len(c.Phone) < 10 {
				var m sga.Member
				if err := r.gated(ctx, func() (err error) { m, err = r.client.MemberByCode(ctx, code); return err }); err != nil {
					if !recordError(err) {
						return b, nil, fmt.Errorf("member %d: %w", code, err)
					}
					*c = was
					r.refuseChange(ch, fmt.Sprintf("codigo_associado=%d", code), err)
					continue
				}
				c.Phone = store.Phone(string(m.Mobile))
			}
		}
		if err := store.CheckClient(*c); err != nil {
			*c = was
			r.refuseChange(ch, fmt.Sprintf("codigo_associado=%d", code), err)
			continue // not applied: not the newest change applied either
		}
		b.Applied(ch.At())
	}
	for _, code := range order {
		b.Vehicles = append(b.Vehicles, *vehicles[code])
	}
	for _, rec := range fresh {
		if err := vetRecord(rec); err != nil {
			r.refuse(0, rec.vehicle.SGACode, err)
			continue
		}
		b.Vehicles = append(b.Vehicles, rec.vehicle)
		if _, ok := clients[rec.client.SGACode]; !ok {
			c := rec.client
			c.Situation = ""
			clients[c.SGACode] = &c
		}
	}
	for _, code := range slices.Sorted(maps.Keys(clients)) {
		b.Clients = append(b.Clients, *clients[code])
	}
	b.Errors = r.batch.errs
	return b, described, nil
}

// recordError reports the errors that cost one change, not the run: SGA does not have the
// record the change names, answers for it with what cannot be read, or the store refuses a
// field it gives. Any other error (SGA unreachable, refusing the run) stops the run, whose
// next try reads the same changes.
func recordError(err error) bool {
	return errors.Is(err, sga.ErrNotFound) || errors.Is(err, sga.ErrInvalidResponse) || errors.Is(err, store.ErrInvalid)
}

// refuseChange records that a change of the feed was not applied, and why, keyed by the record.
func (r *runner) refuseChange(ch sga.Change, key string, err error) {
	r.log.Warn("change refused", "run", r.run.ID, "change", int64(ch.Code), "record", key, "err", err)
	r.batch.fail(store.RunError{Key: key, Kind: KindRecord,
		Reason: fmt.Sprintf("codigo_alteracao %d not applied: %v", ch.Code, err), At: r.e.opt.Now().UTC()})
}

// note is why a run is not what was asked: in English, and as a code the console translates.
type note struct{ code, text string }

// recordListing writes, after a full read that saw every page, where the change feed takes
// over: from this run's start, with the listing's count, its newest code and whether it came
// in code order. A read that continued an interrupted one did not see every page's codes: it
// records no count, and the next daily run reads in full again.
func (r *runner) recordListing(source string) error {
	fs := store.FeedState{Cursor: r.run.StartedAt, LastFull: r.run.StartedAt}
	if source == store.SourceSync && r.pages.carried == 0 && len(r.pages.spans) > 0 {
		fs.ListingTotal, fs.MaxCode, fs.Ordered = r.listingTotal, r.pages.maxCode, r.pages.ordered()
	}
	_, err := r.st.Apply(store.Batch{Feed: &fs})
	return err
}
