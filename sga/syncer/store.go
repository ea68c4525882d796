package syncer

import "ponte/store"

// Store is what the engine needs of the store, seen from no association: the associations
// it serves and each one's view. *store.Store is one; any store.Backend is.
type Store interface {
	Associations() ([]store.Association, error)
	Association(ref string) (store.Association, error)
	ForAssociation(ref string) (store.Backend, error)
}

// assocStore is one association's store, as a run reads and writes it: its clients and
// vehicles, its runs and schedule, its integration, and its rules (what its situações mean).
type assocStore interface {
	store.ClientStore
	store.RunStore
	store.IntegrationStore
	Rules() (store.Rules, error)
}
