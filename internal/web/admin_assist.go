package web

import (
	"net/http"
	"strconv"
	"strings"

	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
)

// assistAdminData is the suggestion model's page.
type assistAdminData struct {
	Status kb.ClassifierStatus
	// Threshold is the auto-apply setting as the form shows it.
	Threshold string
}

// minHeldOut is how many held-out tickets make an accuracy worth reading.
const minHeldOut = 50

// MinHeldOut is minHeldOut, for the page.
func (assistAdminData) MinHeldOut() int { return minHeldOut }

// Few says a model was checked on too few tickets for its accuracy to mean much.
func (d assistAdminData) Few() bool {
	for _, m := range d.Status.Models {
		if m.NTest < minHeldOut {
			return true
		}
	}
	return false
}

// Pct is an accuracy (0–1) in percent with one decimal.
func (assistAdminData) Pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) }

// Split is a model's train/test split in percent of its tickets.
func (assistAdminData) Split(m kb.ModelRecord) string {
	n := m.NTrain + m.NTest
	if n == 0 {
		return "—"
	}
	return strconv.Itoa(m.NTrain*100/n) + " / " + strconv.Itoa(100-m.NTrain*100/n)
}

func (k *kbPages) assistPage(rw http.ResponseWriter, r *http.Request, by identity.Actor) (*page, error) {
	st, err := k.d.KB.Status(ctxOf(r), by)
	if err != nil {
		return nil, err
	}
	d := &assistAdminData{Status: st, Threshold: strconv.FormatFloat(st.AutoApply, 'f', -1, 64)}
	return k.newPage(rw, r, "web.assist.admin_title", "admin", d), nil
}

func (k *kbPages) adminAssist(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.admin(rw, r)
	if !ok {
		return
	}
	p, err := k.assistPage(rw, r, by)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	k.render(rw, r, http.StatusOK, "admin_assist.html", p)
}

// adminRetrain trains the models now, on the desk's resolved tickets.
func (k *kbPages) adminRetrain(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.admin(rw, r)
	if !ok {
		return
	}
	if _, err := k.d.KB.RetrainNow(ctxOf(r), by); err != nil {
		k.fail(rw, r, err)
		return
	}
	setFlash(rw, "ok", "web.assist.retrained")
	redirect(rw, r, "/admin/assist")
}

// adminThreshold sets the confidence above which a new ticket's priority
// is set from the suggestion (0 turns it off).
func (k *kbPages) adminThreshold(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.admin(rw, r)
	if !ok {
		return
	}
	v := strings.TrimSpace(r.PostFormValue("threshold"))
	th, err := strconv.ParseFloat(v, 64)
	if err != nil {
		th = -1 // not a number: the service says what it takes
	}
	if err := k.d.KB.SetAutoApply(ctxOf(r), by, th); err != nil {
		p, perr := k.assistPage(rw, r, by)
		if perr != nil {
			k.fail(rw, r, perr)
			return
		}
		p.Data.(*assistAdminData).Threshold = v
		k.adminInvalid(rw, r, p, "admin_assist.html", err, labelsOf(p, map[string]string{"threshold": "web.assist.threshold"}))
		return
	}
	done(rw, r, "/admin/assist")
}
