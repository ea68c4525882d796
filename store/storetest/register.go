package storetest

import (
	"strings"
	"testing"

	"ponte/store"
)

func clientsAndVehicles(t *testing.T, open Open) {
	each(t, open, map[string]func(t *testing.T, s store.Backend){
		"apply is idempotent": func(t *testing.T, s store.Backend) {
			p := in(t, s, "principal")
			b := store.Batch{Clients: []store.Client{client(1, "MARIA DA SILVA", "123.456.789-09"), client(2, "JOSÉ D'ÁVILA", "98765432100")},
				Vehicles: []store.Vehicle{vehicle(10, 1, "abc-1d23", "ATIVO"), vehicle(11, 1, "", "ATIVO"), vehicle(20, 2, "XYZ9876", "ATIVO")}}
			res, err := p.Apply(b)
			if err != nil || res.ClientsCreated != 2 || res.VehiclesCreated != 3 {
				t.Fatalf("first apply: %+v, %v", res, err)
			}
			res, err = p.Apply(b)
			if err != nil || res.ClientsUnchanged != 2 || res.VehiclesUnchanged != 3 || res.VehiclesCreated+res.VehiclesUpdated != 0 {
				t.Fatalf("second apply: %+v, %v", res, err)
			}
			if n, _ := p.Counts(); n != (store.Counts{Clients: 2, Vehicles: 3}) {
				t.Fatalf("counts = %+v", n)
			}
			if v, err := p.VehicleByCode(10); err != nil || v.Plate != "ABC1D23" || v.ClientSGACode != 1 {
				t.Fatalf("vehicle 10 = %+v, %v (the plate is kept normalised)", v.Vehicle, err)
			}
			if vs, _ := p.VehiclesOfClient(1); len(vs) != 2 {
				t.Fatalf("client 1 has %d vehicles", len(vs))
			}
			if counts, _ := p.SituationCounts(); counts["ATIVO"] != 3 {
				t.Fatalf("situations = %v", counts)
			}
		},
		"a sync marks instead of deleting": func(t *testing.T, s store.Backend) {
			p := in(t, s, "principal")
			run, _ := p.StartRun(store.Run{Kind: store.RunFull}, who)
			b := store.Batch{RunID: run.ID, Clients: []store.Client{client(1, "MARIA", "12345678909")},
				Vehicles: []store.Vehicle{vehicle(10, 1, "AAA1A11", "ATIVO"), vehicle(11, 1, "AAA1A12", "ATIVO")}}
			if _, err := p.Apply(b); err != nil {
				t.Fatal(err)
			}
			run2, _ := p.StartRun(store.Run{Kind: store.RunFull}, who)
			res, err := p.Apply(store.Batch{RunID: run2.ID, Clients: b.Clients, Vehicles: []store.Vehicle{vehicle(10, 1, "AAA1A11", "INADIMPLENTE")}})
			if err != nil || res.VehiclesUpdated != 1 || res.SituationsChanged != 1 {
				t.Fatalf("a change: %+v, %v", res, err)
			}
			if gone, err := p.MarkGone([]uint64{run2.ID}, 0, func(would, fleet int) bool { return false }); err == nil && gone != 0 {
				t.Fatalf("MarkGone marked %d when refused", gone)
			}
			gone, err := p.MarkGone([]uint64{run2.ID}, 0, nil)
			if err != nil || gone != 1 {
				t.Fatalf("MarkGone = %d, %v", gone, err)
			}
			v10, _ := p.VehicleByCode(10)
			if v10.Situation != "INADIMPLENTE" || v10.PrevSituation != "ATIVO" || v10.Active() {
				t.Errorf("vehicle 10 = %+v", v10.Vehicle)
			}
			v11, err := p.VehicleByCode(11)
			if err != nil || !v11.Gone || v11.GoneSituation != "ATIVO" {
				t.Errorf("vehicle 11 = %+v, %v", v11.Vehicle, err)
			}
			if n, _ := p.Counts(); n.Vehicles != 2 {
				t.Errorf("a gone vehicle was deleted: %+v", n)
			}
			if r, _ := p.Run(run2.ID); r.Counts.VehiclesGone != 1 || r.Counts.SituationsChanged != 1 {
				t.Errorf("run counts = %+v", r.Counts)
			}
			res, _ = p.Apply(store.Batch{Vehicles: []store.Vehicle{vehicle(11, 1, "AAA1A12", "ATIVO")}})
			if v11, _ = p.VehicleByCode(11); v11.Gone || res.SituationsChanged != 1 {
				t.Errorf("a returned vehicle = %+v, %+v", v11.Vehicle, res)
			}
		},
		"bad batches write nothing": func(t *testing.T, s store.Backend) {
			p := in(t, s, "principal")
			long := strings.Repeat("9", 40_000)
			good := store.Vehicle{SGACode: 7, ClientSGACode: 3, Plate: "ABC1D23", Situation: "ATIVO"}
			for name, b := range map[string]store.Batch{
				"a vehicle without its client": {Vehicles: []store.Vehicle{{SGACode: 5}}},
				"a plate too long":             {Vehicles: []store.Vehicle{{SGACode: 7, ClientSGACode: 3, Plate: long}}},
				"a name too long":              {Vehicles: []store.Vehicle{good}, Clients: []store.Client{{SGACode: 3, Name: long}}},
				"a name not UTF-8":             {Vehicles: []store.Vehicle{good}, Clients: []store.Client{{SGACode: 3, Name: "ab\xffc"}}},
			} {
				_, err := p.Apply(b)
				wantErr(t, name, err, store.ErrInvalid)
			}
			if n, _ := p.Counts(); n != (store.Counts{}) {
				t.Fatalf("refused batches wrote %+v", n)
			}
		},
		"lookups": func(t *testing.T, s store.Backend) {
			p := in(t, s, "principal")
			seed(t, p)
			for _, ref := range []string{"1", "123.456.789-09", "12345678909"} {
				if c, err := p.FindClient(ref); err != nil || c.SGACode != 1 {
					t.Errorf("FindClient(%q) = %+v, %v", ref, c, err)
				}
			}
			if c, err := p.ClientByCPF("987.654.321-00"); err != nil || c.SGACode != 2 {
				t.Errorf("by CPF: %+v, %v", c, err)
			}
			_, err := p.ClientByCode(99)
			wantErr(t, "an unknown client", err, store.ErrNotFound)
			_, err = p.VehicleByCode(99)
			wantErr(t, "an unknown vehicle", err, store.ErrNotFound)
			if vs, _ := p.VehiclesByPlate("aaa-1a1", 10); len(vs) != 3 || vs[0].SGACode != 10 {
				t.Errorf("plate prefix: %+v", vs)
			}
			if vs, _ := p.VehiclesByPlate("AAA1A1", 2); len(vs) != 2 {
				t.Errorf("the limit: %d", len(vs))
			}
		},
		"search and list in name order": func(t *testing.T, s store.Backend) {
			p := in(t, s, "principal")
			withCity := func(c store.Client, city string) store.Client { c.City = city; return c }
			if _, err := p.Apply(store.Batch{Clients: []store.Client{
				withCity(client(1, "MARIA DA SILVA", "12345678909"), "BELO HORIZONTE"),
				withCity(client(2, "José D'Ávila Júnior", "98765432100"), "SÃO PAULO"),
				client(3, "JOAO SILVEIRA", "11122233344"), client(4, "ANA MARIA SOUZA", "12399988877"),
			}}); err != nil {
				t.Fatal(err)
			}
			if pg, _ := p.SearchClients("maria", 10); len(pg.Clients) != 2 || pg.Clients[0].SGACode != 4 || pg.Total != 4 {
				t.Errorf("maria: %+v", pg)
			}
			if pg, _ := p.SearchClients("josé d ávila", 10); len(pg.Clients) != 1 || pg.Clients[0].SGACode != 2 {
				t.Errorf("words: %+v", pg.Clients)
			}
			if pg, _ := p.SearchClients("sao paulo", 10); len(pg.Clients) != 1 || pg.Clients[0].SGACode != 2 {
				t.Errorf("accents fold: %+v", pg.Clients)
			}
			if pg, _ := p.SearchClients("belo", 10); len(pg.Clients) != 1 || pg.Clients[0].SGACode != 1 {
				t.Errorf("by city: %+v", pg.Clients)
			}
			var names []string
			after := ""
			for range 3 {
				pg, err := p.ListClients(after, 3)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range pg.Clients {
					names = append(names, c.Name)
				}
				if !pg.More {
					break
				}
				after = pg.Next
			}
			if strings.Join(names, "|") != "ANA MARIA SOUZA|JOAO SILVEIRA|José D'Ávila Júnior|MARIA DA SILVA" {
				t.Errorf("listed = %q", names)
			}
		},
		"codes collide across associations": func(t *testing.T, s store.Backend) {
			if _, err := s.AddAssociation(store.Association{Slug: "norte"}, who); err != nil {
				t.Fatal(err)
			}
			for _, slug := range []string{"principal", "norte"} {
				a := in(t, s, slug)
				seed(t, a)
				if _, err := a.Import(1, []int64{10}, who); err != nil {
					t.Fatalf("%s: %v", slug, err)
				}
			}
			n1, _ := in(t, s, "principal").Counts()
			n2, _ := in(t, s, "norte").Counts()
			all, _ := s.Counts()
			if n1 != n2 || all.Vehicles != 2*n1.Vehicles || all.Contracts != 2 {
				t.Fatalf("principal %+v, norte %+v, all %+v", n1, n2, all)
			}
			if cs, _ := s.Contracts("", 0); len(cs) != 2 || cs[0].Number == cs[1].Number {
				t.Fatalf("one company sequence: %+v", cs)
			}
		},
	})
}
