package sga

// DecodeVehiclePage decodes a listar/veiculo reply body. Exposed for benchmarks and for tools
// that replay captured replies.
func DecodeVehiclePage(body []byte) (VehiclePage, error) { return decodeVehiclePage(body) }

// DecodeSyncPage decodes a supplier-sync page body.
func DecodeSyncPage(body []byte) (SyncPage, error) { return decodeSyncPage(body) }
