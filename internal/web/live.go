package web

import "net/http"

func (w *Web) registerLive() {}

// liveFrom is the feed position a page subscribes from: read before the
// page's data, so a change made while it renders still reaches it.
func (w *Web) liveFrom(r *http.Request) int64 {
	if w.d.Live == nil {
		return 0
	}
	c, err := w.d.Live.Start(r.Context())
	if err != nil {
		w.log.WarnContext(r.Context(), "live: start", "err", err)
		return 0
	}
	return c.Horizon
}
