package ui

// The strings of the sync's schedule, in the one table with strings.go: the profile's daily
// line, its Agenda and what d and h say they saved.

const (
	tDaily           = "Sincronismo diário"
	tDailyOn         = "ligado, às %s (próxima: %s, %s)"
	tNextFull        = "leitura completa"
	tNextChanges     = "alterações"
	tDailyOff        = "desligado"
	tDailyOffAt      = "desligado (horário: %s, ao ligar com d)"
	tDailySpread     = "A próxima começa %d min depois da hora marcada: cada associação tem o seu atraso, para que não comecem todas ao mesmo tempo."
	tDailySavedOn    = "Sincronismo diário ligado: %s"
	tSchedLabel      = "Agenda"
	tSchedDaily      = "leitura completa todo dia às %s"
	tSchedWeekly     = "leitura completa aos %ss às %s"
	tSchedOtherDays  = ", alterações nos outros dias"
	tSchedWhenOn     = "quando ligado: "
	tSchedEvery      = "; alterações a cada %d min das %s às %s (atualizado em até %d min; produtos, em até %s)"
	tSchedNone       = "; nada entre elas (atualizado em até 1 dia)"
	tSchedNoneWeekly = "; nada entre elas (alterações em até 1 dia; produtos, em até 1 semana)"
	tSchedDay        = "1 dia"
	tSchedWeek       = "1 semana"
	tDailySavedOff   = "Sincronismo diário desligado; o horário %s fica guardado para quando for ligado (d)"
)
