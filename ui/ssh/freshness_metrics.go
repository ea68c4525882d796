package ssh

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"ponte/store"
)

var (
	descLastFullRead = prometheus.NewDesc("ponte_sga_last_full_read_timestamp_seconds",
		"When the association's last successful full read of SGA ended: when its data was last known to equal SGA's; 0 for never.",
		[]string{"association"}, nil)
	descNewestChange = prometheus.NewDesc("ponte_sga_newest_change_applied_timestamp_seconds",
		"SGA's time of the newest change-feed change an incremental run applied to the association; 0 for none.",
		[]string{"association"}, nil)
)

// freshnessState reads every association's freshness (store.Freshness) at each scrape.
type freshnessState struct{ st store.AssociationStore }

func (c *freshnessState) Describe(ch chan<- *prometheus.Desc) {
	ch <- descLastFullRead
	ch <- descNewestChange
}

func (c *freshnessState) Collect(ch chan<- prometheus.Metric) {
	all, err := c.st.Freshnesses()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descLastFullRead, err)
		return
	}
	seconds := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	}
	for _, a := range all {
		slug := a.Association.Slug
		ch <- prometheus.MustNewConstMetric(descLastFullRead, prometheus.GaugeValue, seconds(a.LastFullRead), slug)
		ch <- prometheus.MustNewConstMetric(descNewestChange, prometheus.GaugeValue, seconds(a.NewestChange), slug)
	}
}
