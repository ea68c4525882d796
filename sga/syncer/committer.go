package syncer

import (
	"fmt"
	"sync"

	"ponte/store"
)

// committer writes a run's batches, one transaction each, in the order they were sent, while
// the writer fills the next: SGA's pages keep coming during the fsync. After a batch fails it
// writes nothing more, and every later call says why.
type committer struct {
	batches chan store.Batch
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
}

// start starts the goroutine that writes each batch sent with write.
func (c *committer) start(write func(store.Batch) error) {
	c.batches = make(chan store.Batch, 1)
	c.wg.Go(func() {
		for b := range c.batches {
			if c.failed() != nil {
				continue // drain: nothing more is written after a failure
			}
			if err := write(b); err != nil {
				c.mu.Lock()
				c.err = fmt.Errorf("write a batch: %w", err)
				c.mu.Unlock()
			}
		}
	})
}

// send hands b to the goroutine; it waits while a batch is being written and another waits.
func (c *committer) send(b store.Batch) { c.batches <- b }

// failed is the first batch's failure, or nil.
func (c *committer) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// drain waits for every batch sent to be written.
func (c *committer) drain() error {
	close(c.batches)
	c.wg.Wait()
	return c.failed()
}

// startCommitter starts the run's committer, which publishes the run's counts after each batch.
func (r *runner) startCommitter() {
	r.commits.start(func(b store.Batch) error {
		res, err := r.st.Apply(b)
		if err != nil {
			return err
		}
		run, err := r.st.Run(r.run.ID)
		if err != nil {
			return err
		}
		r.publish(func(p *Progress) {
			p.Clients, p.Vehicles, p.Errors = run.Counts.Clients(), run.Counts.Vehicles(), run.ErrorCount
			p.Changed += res.SituationsChanged
		})
		return nil
	})
}
