package store

// ProposalView is a proposal with what Pendências shows beside it, as they are now: its
// client (a zero Client when no longer in the register), its vehicle and its contract, and
// the kind of the run that found the change (RunFull: a full read, which names no SGA user).
type ProposalView struct {
	Proposal
	Client   Client
	Vehicle  Vehicle
	Contract Contract
	RunKind  string
}

// ProposalViews lists proposals as Proposals does, each with its client, vehicle and contract,
// from one read transaction.
func (s *Store) ProposalViews(f ProposalFilter, limit int) ([]ProposalView, error) {
	var out []ProposalView
	err := s.view(func(tx txn) error {
		ps, err := s.proposals(tx, f, limit)
		if err != nil {
			return err
		}
		out = make([]ProposalView, len(ps))
		for i, p := range ps {
			pv := ProposalView{Proposal: p}
			at, err := tx.in(p.Association)
			if err != nil {
				return err
			}
			if _, err := getClient(at.Bucket(bClients), i64(p.ClientSGACode), &pv.Client); err != nil {
				return err
			}
			if _, err := getVehicle(at.Bucket(bVehicles), i64(p.VehicleSGACode), &pv.Vehicle); err != nil {
				return err
			}
			if _, err := getJSON(tx.Bucket(bContracts), []byte(p.Contract), &pv.Contract); err != nil {
				return err
			}
			if p.Run != 0 {
				var r Run
				if _, err := getJSON(at.Bucket(bRuns), u64(p.Run), &r); err != nil {
					return err
				}
				pv.RunKind = r.Kind
			}
			out[i] = pv
		}
		return nil
	})
	return out, err
}
