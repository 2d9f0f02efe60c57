package web

func (w *Web) registerDesk() {}
