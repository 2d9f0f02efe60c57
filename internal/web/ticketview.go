package web

func (w *Web) registerTicket() {}
