package store

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

var benchFirst = []string{"MARIA", "JOSÉ", "ANA", "JOÃO", "ANTÔNIO", "FRANCISCA", "CARLOS", "PAULO", "LÚCIA", "PEDRO",
	"LUCAS", "JULIANA", "MARCOS", "PATRÍCIA", "RAFAEL", "ALINE", "BRUNO", "CAMILA", "FELIPE", "LETÍCIA"}
var benchLast = []string{"SILVA", "SANTOS", "OLIVEIRA", "SOUZA", "RODRIGUES", "FERREIRA", "ALVES", "PEREIRA", "LIMA",
	"GOMES", "COSTA", "RIBEIRO", "MARTINS", "CARVALHO", "ALMEIDA", "LOPES", "SOARES", "FERNANDES", "VIEIRA", "BARBOSA",
	"ROCHA", "DIAS", "NASCIMENTO", "ANDRADE", "MOREIRA", "NUNES", "MARQUES", "MACHADO", "MENDES", "FREITAS"}

func benchClient(r *rand.Rand, code int64) Client {
	return Client{SGACode: code, CPF: fmt.Sprintf("%011d", 10_000_000_000+code*7919%89_999_999_999),
		Name: benchFirst[r.IntN(len(benchFirst))] + " " + benchLast[r.IntN(len(benchLast))] + " " + benchLast[r.IntN(len(benchLast))],
		City: "BELO HORIZONTE", State: "MG", Situation: "ATIVO"}
}

func benchVehicle(code, client int64) Vehicle {
	return Vehicle{SGACode: code, ClientSGACode: client, Plate: fmt.Sprintf("B%02dX%04d", code%100, code%10000),
		Chassis: fmt.Sprintf("9BW%014d", code), Brand: "VW - VOLKSWAGEN", Model: "GOL 1.0 FLEX", YearMade: 2019,
		YearModel: 2020, SituationCode: 1, Situation: "ATIVO", Products: []string{"19"}}
}

// BenchmarkUpsert75k upserts 75,000 vehicles and their 30,000 clients into a new database,
// each batch one fsynced transaction, as the sync engine writes them; per batch size.
func BenchmarkUpsert75k(b *testing.B) {
	for _, perBatch := range []int64{1000, 5000} {
		b.Run(fmt.Sprintf("batch=%d", perBatch), func(b *testing.B) { benchUpsert(b, perBatch) })
	}
}

func benchUpsert(b *testing.B, perBatch int64) {
	const vehicles = 75_000
	r := rand.New(rand.NewPCG(1, 2))
	var batches []Batch
	records := 0
	for start := int64(1); start <= vehicles; start += perBatch {
		var bt Batch
		for code := start; code < start+perBatch; code++ {
			cl := code*2/5 + 1
			if len(bt.Clients) == 0 || bt.Clients[len(bt.Clients)-1].SGACode != cl {
				bt.Clients = append(bt.Clients, benchClient(r, cl))
			}
			bt.Vehicles = append(bt.Vehicles, benchVehicle(code, cl))
		}
		records += len(bt.Clients) + len(bt.Vehicles)
		batches = append(batches, bt)
	}
	for b.Loop() {
		b.StopTimer()
		s, err := Open(filepath.Join(b.TempDir(), "ponte.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, bt := range batches {
			if _, err := s.Apply(bt); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(vehicles)*float64(b.N)/b.Elapsed().Seconds(), "vehicles/s")
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSearchClients searches 62,000 clients by name prefixes and CPF prefixes, and
// reports the 99th percentile of one search.
func BenchmarkSearchClients(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "ponte.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(3, 4))
	var cpfs []string
	for start := int64(1); start <= 62_000; start += 2000 {
		var bt Batch
		for code := start; code < start+2000; code++ {
			c := benchClient(r, code)
			cpfs = append(cpfs, c.CPF)
			bt.Clients = append(bt.Clients, c)
		}
		if _, err := s.Apply(bt); err != nil {
			b.Fatal(err)
		}
	}
	queries := []string{"", "m", "maria", "jose silva", "SOUZA", "luc", "ana sou lim", "PATRÍCIA ROCHA", "zzz"}
	for i := range 20 {
		queries = append(queries, cpfs[i*3000][:3+i%8])
	}
	var took []time.Duration
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		start := time.Now()
		if _, err := s.SearchClients(q, 50); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkImport10 imports 10 vehicles of a client (contracts, orders, audit) in one
// fsynced transaction.
func BenchmarkImport10(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "ponte.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(5, 6))
	const clients = 3000
	for start := int64(1); start <= clients; start += 100 {
		var bt Batch
		for cl := start; cl < start+100; cl++ {
			bt.Clients = append(bt.Clients, benchClient(r, cl))
			for j := range int64(10) {
				bt.Vehicles = append(bt.Vehicles, benchVehicle(cl*10+j, cl))
			}
		}
		if _, err := s.Apply(bt); err != nil {
			b.Fatal(err)
		}
	}
	cl := int64(0)
	for b.Loop() {
		cl++
		if cl > clients {
			b.Fatal("benchmark ran past its clients; lower -benchtime")
		}
		codes := make([]int64, 10)
		for j := range codes {
			codes[j] = cl*10 + int64(j)
		}
		if _, err := s.Import(cl, codes, cli); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriter is the sync's writer alone, as issue 15 measures it: 75,000 vehicles of
// 62,000 clients into a new database, in batches of 5,000 vehicles with their clients, as the
// engine hands them over (without fsync: the CPU, not the disk). It reports the time and the
// allocations per vehicle.
func BenchmarkWriter(b *testing.B) {
	benchWriter(b, nil, writerBatches())
}

// BenchmarkWriterUpdates is a later full sync of BenchmarkWriter's register in which every
// client changed in a field no index holds (their e-mail): the daily case, where most
// records come back the same or changed in a detail.
func BenchmarkWriterUpdates(b *testing.B) {
	batches := writerBatches()
	changed := make([]Batch, len(batches))
	for i, bt := range batches {
		changed[i] = Batch{Vehicles: bt.Vehicles, Clients: slices.Clone(bt.Clients)}
		for j := range changed[i].Clients {
			changed[i].Clients[j].Email = "novo@example.com"
		}
	}
	benchWriter(b, batches, changed)
}

// benchWriter applies timed to a new database that already holds before, each round, and
// reports the time and CPU (user + system, the collector's included) per vehicle of timed.
func benchWriter(b *testing.B, before, timed []Batch) {
	b.ReportAllocs()
	apply := func(s *Store, batches []Batch) {
		for _, bt := range batches {
			if _, err := s.Apply(bt); err != nil {
				b.Fatal(err)
			}
		}
	}
	var cpu, wall time.Duration
	for b.Loop() {
		b.StopTimer()
		s, err := Open(filepath.Join(b.TempDir(), "ponte.db"), Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		apply(s, before)
		runtime.GC()
		cpu0, start := cpuTime(), time.Now()
		b.StartTimer()
		apply(s, timed)
		b.StopTimer()
		cpu, wall = cpu+cpuTime()-cpu0, wall+time.Since(start)
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(wall.Nanoseconds())/float64(b.N)/writerVehicles, "ns/vehicle")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/writerVehicles, "cpu-ns/vehicle")
}

const writerVehicles, writerClients, writerBatch = 75_000, 62_000, 5_000

// writerBatches are BenchmarkWriter's: 75,000 vehicles of 62,000 clients, 5,000 a batch.
func writerBatches() []Batch {
	r := rand.New(rand.NewPCG(1, 2))
	var batches []Batch
	for start := 0; start < writerVehicles; start += writerBatch {
		var bt Batch
		for i := start; i < start+writerBatch; i++ {
			cl := int64(i*writerClients/writerVehicles + 1)
			if len(bt.Clients) == 0 || bt.Clients[len(bt.Clients)-1].SGACode != cl {
				bt.Clients = append(bt.Clients, benchClient(r, cl))
			}
			bt.Vehicles = append(bt.Vehicles, benchVehicle(int64(i+1), cl))
		}
		batches = append(batches, bt)
	}
	return batches
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOrderContactAttempts records 300 contact attempts on one order, each with the
// longest note the store takes (benchNote), in a database on disk: the database's size at the end and
// the time of the last ten steps show whether a step's cost grows with the order's history.
// Run it once: go test ./store -run '^$' -bench OrderContactAttempts -benchtime 1x
func BenchmarkOrderContactAttempts(b *testing.B) {
	const attempts = 300
	note := benchNote
	for b.Loop() {
		b.StopTimer()
		ck := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
		path := filepath.Join(b.TempDir(), "ponte.db")
		s, err := Open(path, Options{Now: ck.now})
		if err != nil {
			b.Fatal(err)
		}
		seedImportable(b, s)
		imp, err := s.Import(1, []int64{10}, cli)
		if err != nil {
			b.Fatal(err)
		}
		number := imp[0].Order.Number
		var last time.Duration
		var o Order
		for i := range attempts {
			ck.t = ck.t.Add(time.Minute)
			start := time.Now()
			o, err = s.AdvanceOrder(number, OrderStep{Attempt: &ContactAttempt{Outcome: "Sem resposta", Note: note}}, cli)
			if err != nil {
				b.Fatal(err)
			}
			if i >= attempts-10 {
				last += time.Since(start)
			}
		}
		s.Close()
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		encoded, _ := json.Marshal(o)
		b.ReportMetric(float64(last.Microseconds())/10/1000, "ms/late-step")
		b.ReportMetric(float64(fi.Size())/(1<<20), "MB-db")
		b.ReportMetric(float64(len(encoded))/1024, "KB-order")
		b.StartTimer()
	}
}

// benchNote is the longest note the store takes, in its widest characters (4 bytes each): a
// 100 KB note is refused (CheckText).
var benchNote = strings.Repeat("🚗", MaxNote)
