package ui

import "testing"

// BenchmarkEscBackToClients: esc on a client's vehicles, back to Clientes, Update and the
// screen drawn, with 62,000 clients in the store.
func BenchmarkEscBackToClients(b *testing.B) {
	c := newConsole(b, bigStore(b), 120, 35)
	c.press("3")
	c.waitFor("ANA ALVES")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c.press("enter")
		c.waitFor("Placa")
		b.StartTimer()
		c.handle(keyPress("esc"))
		_ = c.m.Screen()
	}
}

// BenchmarkSpaceTicksVehicle: space on a client's vehicle, Update and the screen drawn.
func BenchmarkSpaceTicksVehicle(b *testing.B) {
	c := newConsole(b, fixture(b), 120, 35)
	openVehicles(c)
	for b.Loop() {
		c.handle(keyPress("space"))
		_ = c.m.Screen()
	}
}
