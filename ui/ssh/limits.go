package ssh

import (
	"fmt"

	"ponte/store"
	"ponte/ui"
)

// sessionRefusal is why admin may not open one more session now, or "": the server's
// sessions are MaxSessions in all, and the last SupervisorSessions of them are for
// supervisors only, so operators holding every other one cannot leave a supervisor out.
// Under s.mu.
func (s *Server) sessionRefusal(admin store.Admin) string {
	live, most := int(s.live.Load()), s.opt.MaxSessions
	if !admin.Supervisor() {
		most -= s.opt.SupervisorSessions
	}
	if live >= most {
		return fmt.Sprintf(ui.SayServerFull, live)
	}
	return ""
}
