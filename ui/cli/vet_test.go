package cli_test

import (
	"testing"

	"ponte/store"
	"ponte/ui/uitest"
)

// setStale writes p into db's integration of the association slug (empty: the only one), past
// config set, which refuses what SGA refuses: the way an integration looks to ponte once its
// password or token was changed in SGA afterwards.
func setStale(t *testing.T, db, slug string, p store.IntegrationPatch) {
	t.Helper()
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := st
	if slug != "" {
		if in, err = st.In(slug); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := in.SetIntegration(p, uitest.Maria); err != nil {
		t.Fatal(err)
	}
}
