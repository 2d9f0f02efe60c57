package web

import (
	"context"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// maxFiles is how many files one form may carry.
const maxFiles = 10

// create files a ticket from the new-ticket form (customer portal or a
// staff member's phone ticket) and stores its files.
func (w *Web) create(rw http.ResponseWriter, r *http.Request, by identity.Actor) {
	ctx := r.Context()
	f := r.PostForm
	if r.MultipartForm != nil {
		f = r.MultipartForm.Value
	}
	form := urlValues(f)
	cat := form.Get("category")
	in := ticket.CreateInput{
		Title: form.Get("title"), Description: form.Get("description"), Category: cat,
		Priority: ticket.Priority(form.Get("priority")), Channel: ticket.ChannelWeb,
		ContactPhone: strings.TrimSpace(form.Get("contact_phone")), ContactEmail: strings.TrimSpace(form.Get("contact_email")),
		IdempotencyKey: form.Get("idem"),
	}
	if by.Role.Staff() {
		in.Requester = strings.TrimSpace(form.Get("requester"))
		in.Channel = ticket.ChannelPhone
		if c := ticket.Channel(form.Get("channel")); c.Valid() {
			in.Channel = c
		}
	}
	labels := map[string]string{}
	if cats, err := w.d.Tickets.Categories(ctx, by); err == nil {
		p := &page{reqCtx: reqOf(r)}
		for _, c := range cats {
			if c.Key != cat {
				continue
			}
			in.CustomFields = customValues(c, form)
			for _, fd := range c.Fields {
				labels["custom_fields."+fd.Key] = p.Pick(fd.LabelZH, fd.LabelEN)
			}
		}
	}
	t, _, err := w.d.Tickets.CreateIdempotent(ctx, by, in)
	if err != nil {
		if wantsJSON(r) {
			fe := errorsOf(reqOf(r).Lang, err, labels)
			writeJSON(rw, statusOf(kindOf(err)), map[string]any{"errors": fe.List, "fields": fe.Fields})
			return
		}
		w.renderNewErr(rw, r, by, form, err, labels)
		return
	}
	if r.MultipartForm != nil {
		if err := w.attachAll(r, by, t.Number, r.MultipartForm.File["files"]); err != nil {
			flashErr(rw, reqOf(r).Lang, err)
			redirect(rw, r, "/t/"+t.Number)
			return
		}
	}
	setFlashParams(rw, "ok", "web.new.created", map[string]any{"number": t.Number})
	redirect(rw, r, "/t/"+t.Number)
}

// attachAll stores each uploaded file on the ticket, stopping at the first refusal.
func (w *Web) attachAll(r *http.Request, by identity.Actor, number string, files []*multipart.FileHeader) error {
	for i, fh := range files {
		if i >= maxFiles {
			break
		}
		if fh.Size == 0 && fh.Filename == "" {
			continue // an empty file input
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		_, err = w.d.Tickets.AddAttachment(r.Context(), by, number, fh.Filename, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// customValues reads a category's custom fields from the form (named
// cf.<category>.<key>) as the types the field definitions ask for; a value
// that does not parse is passed on as text, for the service to refuse.
func customValues(c ticket.Category, form urlValues) map[string]any {
	out := map[string]any{}
	for _, fd := range c.Fields {
		name := "cf." + c.Key + "." + fd.Key
		v := strings.TrimSpace(form.Get(name))
		switch fd.Type {
		case ticket.FieldBool:
			if form.Has(name) {
				out[fd.Key] = v == "on" || v == "true" || v == "1"
			}
		case ticket.FieldNumber:
			if v == "" {
				continue
			}
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				out[fd.Key] = n
			} else {
				out[fd.Key] = v
			}
		default:
			if v != "" {
				out[fd.Key] = v
			}
		}
	}
	return out
}

// joinTypes lists the accepted attachment kinds for people ("jpg, png, pdf").
func joinTypes(types []string) string { return strings.Join(types, ", ") }

// acceptList is the file input's accept attribute for the kinds.
func acceptList(types []string) string {
	var out []string
	for _, t := range types {
		out = append(out, "."+t)
		if t == "jpg" {
			out = append(out, ".jpeg")
		}
	}
	return strings.Join(out, ",")
}

// uploadInfo tells the page which files the desk accepts, for the
// browser's check before uploading (the service checks again).
type uploadInfo struct {
	// Label is the catalog key of the file field's label.
	Label    string
	Types    string
	Accept   string
	MaxBytes int64
	MaxMB    int64
	MaxFiles int
}

func (w *Web) uploadInfo(ctx context.Context) uploadInfo {
	lim := w.limits(ctx)
	return uploadInfo{Label: "web.upload.label", Types: joinTypes(lim.AttachmentTypes), Accept: acceptList(lim.AttachmentTypes),
		MaxBytes: lim.MaxAttachmentBytes, MaxMB: lim.MaxAttachmentBytes >> 20, MaxFiles: maxFiles}
}

// limits are the attachment limits in force: those an admin saved, else
// the configured ones (also when the saved ones cannot be read, since the
// service checks every upload again).
func (w *Web) limits(ctx context.Context) ticket.Limits {
	if lim, err := w.d.Tickets.AttachmentLimits(ctx); err == nil {
		return lim
	}
	return ticket.Limits{MaxAttachmentBytes: w.d.MaxAttachmentBytes, AttachmentTypes: w.d.AttachmentTypes}
}
