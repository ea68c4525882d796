package syncer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"ponte/sga"
	"ponte/store"
	"ponte/store/norm"
)

// ErrBadCPF: a client run asked for with what is not a CPF (norm.CheckCPF says why); no run
// is created.
var ErrBadCPF = errors.New("not a CPF")

// fromSyncRecord maps a supplier-sync record onto the store's shapes.
func fromSyncRecord(rec sga.SyncRecord, ours string) record {
	phone := string(rec.MobileDDD) + string(rec.Mobile)
	if phone == "" {
		phone = string(rec.Phone)
	}
	r := record{
		client: store.Client{SGACode: int64(rec.MemberCode), CPF: string(rec.CPF), Name: string(rec.MemberName),
			Email: string(rec.Email), Phone: store.Phone(phone), City: string(rec.City), State: string(rec.State),
			Situation: strings.ToUpper(string(rec.SituationDs))},
		vehicle: store.Vehicle{SGACode: int64(rec.VehicleCode), ClientSGACode: int64(rec.MemberCode),
			Plate: string(rec.Plate), Chassis: string(rec.Chassis), Renavam: string(rec.Renavam),
			Brand: string(rec.Brand), Model: string(rec.Model), Color: string(rec.Color),
			YearMade: int(rec.YearMade), YearModel: int(rec.YearModel), SituationCode: int(rec.Situation),
			Situation: strings.ToUpper(string(rec.SituationDs)), Products: codes(rec.Products)},
		ours: rec.Products.Has(ours), products: rec.Products,
	}
	return r
}

// vetRecord checks a record as the store will take it (store.CheckVehicle, CheckClient): SGA
// sends what its users and imports typed, and one field the store refuses would refuse the
// whole batch. A refused record is a record error naming the vehicle, and costs that record.
func vetRecord(rec record) error {
	if err := store.CheckVehicle(rec.vehicle); err != nil {
		return err
	}
	if err := store.CheckClient(rec.client); err != nil {
		return fmt.Errorf("member %d: %w", rec.client.SGACode, err)
	}
	return nil
}

// refuse records that a page's record was refused: the run goes on without it.
func (r *runner) refuse(page int, vehicle int64, err error) {
	r.log.Warn("record refused", "run", r.run.ID, "page", page, "vehicle", vehicle, "err", err)
	r.batch.refuse(vehicle, store.RunError{Page: page, Key: fmt.Sprintf("codigo_veiculo=%d", vehicle), Kind: KindRecord,
		Reason: err.Error(), At: r.e.opt.Now().UTC()})
}

// fromProductVehicle maps a row of the manual vehicles-with-products listing.
func fromProductVehicle(v sga.ProductVehicle, ours string, situations map[int]string) record {
	sit := strings.ToUpper(string(v.SituationDs))
	if sit == "" {
		sit = situations[int(v.Situation)]
	}
	return record{
		client: store.Client{SGACode: int64(v.MemberCode), CPF: string(v.OwnerCPF), Name: string(v.OwnerName),
			Email: string(v.Email), Phone: store.Phone(string(v.MobileDDD) + string(v.Mobile)), City: string(v.City),
			State: string(v.State), Situation: sit},
		vehicle: store.Vehicle{SGACode: int64(v.Code), ClientSGACode: int64(v.MemberCode), Plate: string(v.Plate),
			Chassis: string(v.Chassis), Renavam: string(v.Renavam), Brand: string(v.Brand), Model: string(v.Model),
			Color: string(v.Color), YearMade: int(v.YearMade), YearModel: int(v.YearModel),
			SituationCode: int(v.Situation), Situation: sit, Products: codes(v.Products)},
		ours: v.Products.Has(ours), products: v.Products,
	}
}

func codes(p sga.Products) []string {
	out := make([]string, 0, len(p))
	for _, pr := range p {
		out = append(out, pr.Code)
	}
	return out
}

// manualPageSize is how many rows the manual listing is asked for at a time.
const manualPageSize = 500

// readManualListing reads veiculo/listar-veiculo-produto for every situação, in waves of as
// many pages as there are workers, until a situação's listing runs short. Pages are numbered
// for the checkpoint as situação·100000 + page.
func (r *runner) readManualListing(ctx context.Context) error {
	var sits []sga.Situation
	err := r.gated(ctx, func() (err error) { sits, err = r.client.Situations(ctx); return err })
	names := map[int]string{}
	switch {
	case err == nil:
	case isFatal(err) && !errors.Is(err, sga.ErrRouteNotAllowed):
		r.fatal = fatalReason(err)
		return nil
	case ctx.Err() != nil:
		return nil
	case sga.Unreachable(err):
		// No reply at all (a wrong URL, the network): no page would answer either.
		r.fatal = noReply(err)
		return nil
	default:
		// Without the table, read the usual codes; descriptions come with each row.
		r.log.Warn("listar/situacao unavailable; reading situações 1 to 10", "err", err)
		for code := 1; code <= 10; code++ {
			sits = append(sits, sga.Situation{Code: sga.Int(code)})
		}
	}
	for _, s := range sits {
		names[int(s.Code)] = strings.ToUpper(string(s.Description))
	}
	r.publish(func(p *Progress) { p.Phase = PhaseReading })
	fetch := func(ctx context.Context, id int) pageResult {
		sit, page := id/100000, id%100000-1
		var pv sga.ProductVehiclePage
		err := r.gated(ctx, func() (err error) {
			pv, err = r.client.ProductVehicles(ctx, sit, page*manualPageSize, manualPageSize)
			return err
		})
		res := pageResult{page: id, err: err, bad: pv.Bad, short: len(pv.Vehicles)+len(pv.Bad) < manualPageSize}
		for _, v := range pv.Vehicles {
			res.records = append(res.records, fromProductVehicle(v, r.in.ProductCode, names))
		}
		return res
	}
	for _, s := range sits {
		for page := 1; ; page += r.e.opt.Workers {
			var wave []int
			for i := range r.e.opt.Workers {
				if id := int(s.Code)*100000 + page + i; !r.pages.done[id] {
					wave = append(wave, id)
				}
			}
			var ended atomic.Bool
			var answered atomic.Int32
			err := r.pool(ctx, wave, func(ctx context.Context, id int) pageResult {
				res := fetch(ctx, id)
				if res.err == nil {
					answered.Add(1)
					ended.Store(ended.Load() || res.short)
				}
				return res
			})
			if err != nil || r.fatal != nil || ctx.Err() != nil {
				return err
			}
			// A wave in which no page answered says nothing of where the listing ends: stop
			// reading this situação rather than asking for pages forever. Its failed pages
			// are in the checkpoint, and the next run reads them first.
			if ended.Load() || page > 99_000 || (len(wave) > 0 && answered.Load() == 0) {
				break
			}
		}
	}
	return nil
}

// syncClient syncs one client's vehicles by CPF. With the manual credentials it reads the
// member, each of its vehicles and each vehicle's products: every vehicle the client has in
// SGA, those without our product kept as Foreign (listed, never imported). With only the sync
// token, or when SGA refuses the manual login, the supplier-sync lookup, which lists ours alone.
func (r *runner) syncClient(ctx context.Context) (store.Run, error) {
	cpf, _ := norm.CPF(r.req.CPF) // checked before the run was queued (Engine.start)
	source := store.SourceSync
	creds := sga.Credentials{User: r.in.User, Password: r.in.Password, APIKey: r.in.APIKey}
	if r.in.SyncToken == "" || creds.HasManual() {
		source = store.SourceManual
	}
	var err error
	if r.run, err = r.st.StartRun(store.Run{Kind: store.RunClient, Source: source, Client: cpf}, r.req.By); err != nil {
		return store.Run{}, err
	}
	r.reset()
	r.allVehicles = source == store.SourceManual
	r.prog = Progress{Running: true, RunID: r.run.ID, Kind: store.RunClient, Source: source, Client: cpf,
		StartedBy: r.run.StartedBy, StartedAt: r.run.StartedAt, Phase: PhaseReading, PagesTotal: 1}
	r.publish(func(*Progress) {})
	if err := r.checkConfig(source); err != nil {
		return r.finish(store.StatusFailed, err)
	}
	res := r.readClient(ctx, source, cpf)
	if next := r.fallBack(ctx, source, res.err); next != "" {
		source = next
		r.allVehicles = source == store.SourceManual
		res = r.readClient(ctx, source, cpf)
	}
	switch {
	case errors.Is(res.err, sga.ErrNotFound):
		return r.finish(store.StatusFailed, fmt.Errorf("%w (%s)", errNotFound, cpf))
	case pageFailed(ctx, res.err):
		// The client's one read failed: the run read nothing, and failed with why, as a full
		// run does when SGA does not give it the page count.
		return r.finish(store.StatusFailed, res.err)
	}
	r.startCommitter()
	err = r.handle(ctx, res)
	if err == nil {
		err = r.flush(true)
	}
	if derr := r.commits.drain(); err == nil {
		err = derr
	}
	if err != nil {
		return r.finish(store.StatusFailed, err)
	}
	switch {
	case r.fatal != nil:
		return r.finish(store.StatusFailed, r.fatal)
	case ctx.Err() != nil:
		return r.finish(store.StatusCancelled, nil)
	}
	// The client's vehicles that SGA no longer lists with our product are marked gone.
	memberCode := int64(0)
	for _, rec := range res.records {
		memberCode = rec.client.SGACode
	}
	if memberCode == 0 {
		c, err := r.st.ClientByCPF(cpf)
		if err != nil {
			return r.finish(store.StatusFailed, fmt.Errorf("%w (%s, product %s)", errNotFound, cpf, r.in.ProductCode))
		}
		memberCode = c.SGACode // known here: its vehicles left SGA's list, and are marked below
	}
	if memberCode != 0 {
		gone, err := r.st.MarkGone([]uint64{r.run.ID}, memberCode, nil)
		if err != nil {
			return r.finish(store.StatusFailed, err)
		}
		r.publish(func(p *Progress) { p.Changed += gone })
	}
	r.publish(func(p *Progress) { p.PagesDone = 1 })
	return r.finish(store.StatusSucceeded, nil)
}

// readClient reads one client's vehicles by CPF with the credentials of source.
func (r *runner) readClient(ctx context.Context, source, cpf string) pageResult {
	res := pageResult{page: 1}
	if source == store.SourceSync {
		var recs []sga.SyncRecord
		res.err = r.gated(ctx, func() (err error) { recs, res.bad, err = r.client.SyncLookup(ctx, "cpf", cpf); return err })
		for _, rec := range recs {
			res.records = append(res.records, fromSyncRecord(rec, r.in.ProductCode))
		}
		return res
	}
	res.records, res.bad, res.err = r.readMemberManually(ctx, cpf)
	return res
}

// readMemberManually reads a member and its vehicles through the manual API.
func (r *runner) readMemberManually(ctx context.Context, cpf string) ([]record, []sga.RecordError, error) {
	var m sga.Member
	if err := r.gated(ctx, func() (err error) { m, err = r.client.MemberByCPF(ctx, cpf); return err }); err != nil {
		return nil, nil, err
	}
	var out []record
	var bad []sga.RecordError
	for _, stub := range m.Vehicles {
		code := strconv.FormatInt(int64(stub.Code), 10)
		var v sga.Vehicle
		var lp sga.LinkedProducts
		err := r.gated(ctx, func() (err error) { v, err = r.client.Vehicle(ctx, sga.ByCode, code); return err })
		if err == nil {
			err = r.gated(ctx, func() (err error) { lp, err = r.client.LinkedProducts(ctx, code); return err })
		}
		if err != nil {
			if isFatal(err) || ctx.Err() != nil {
				return nil, nil, err
			}
			bad = append(bad, sga.RecordError{Key: "codigo_veiculo=" + code, Reason: err.Error()})
			continue
		}
		rec := fromProductVehicle(sga.ProductVehicle{Code: v.Code, Plate: v.Plate, Chassis: v.Chassis,
			Renavam: v.Renavam, MemberCode: m.Code, Brand: v.Brand, Model: v.Model, Color: v.Color,
			YearMade: v.YearMade, YearModel: v.YearModel, OwnerName: m.Name, OwnerCPF: m.CPF, Email: m.Email,
			Mobile: m.Mobile, City: m.City, State: m.State, Situation: v.Situation, SituationDs: v.SituationDs,
			Products: lp.Products}, r.in.ProductCode, nil)
		out = append(out, rec)
	}
	return out, bad, nil
}
