package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// keepsSupervisor is the one rule that the company always keeps an enabled supervisor: a
// change that leaves profile id (login) no longer an enabled supervisor (removed, disabled or
// made an operator) is refused when no other enabled supervisor remains. Keys do not count:
// the last supervisor may lose a leaked key, and a key is added on the server's machine.
func keepsSupervisor(tx txn, id []byte, login string) error {
	others := 0
	err := tx.Bucket(bAdmins).ForEach(func(k, v []byte) error {
		if string(k) == string(id) {
			return nil
		}
		var a Admin
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("administrator %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if a.Supervisor() && !a.Disabled {
			others++
		}
		return nil
	})
	if err == nil && others == 0 {
		err = fmt.Errorf("%s is the last enabled supervisor: make another administrator supervisor first: %w", login, ErrLastSupervisor)
	}
	return err
}
