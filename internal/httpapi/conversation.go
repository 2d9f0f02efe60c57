package httpapi

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"helpdesk/internal/ticket"
)

type messagesOut struct {
	Body struct {
		Items []MessageJSON `json:"items"`
	}
}

type postMessageIn struct {
	Number string `path:"number" maxLength:"32" example:"TS20261122001"`
	Body   struct {
		Body     string `json:"body" maxLength:"20000"`
		Internal bool   `json:"internal,omitempty" doc:"An internal note, for staff only; never shown to customers."`
	}
}

type messageOut struct {
	Status int
	Body   MessageJSON
}

type historyOut struct {
	Body struct {
		Items []EventJSON `json:"items"`
	}
}

type uploadIn struct {
	Number  string `path:"number" maxLength:"32" example:"TS20261122001"`
	RawBody huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" required:"true" doc:"JPG, PNG, PDF, LOG or TXT; the type is checked from the content."`
	}]
}

type attachmentOut struct {
	Status int
	Body   AttachmentJSON
}

type attachmentsOut struct {
	Body struct {
		Items []AttachmentJSON `json:"items"`
	}
}

type attachmentPath struct {
	Number string `path:"number" maxLength:"32" example:"TS20261122001"`
	ID     int64  `path:"id"`
}

func (a *API) registerConversation() {
	tags := []string{"Conversation"}
	huma.Register(a.h, huma.Operation{OperationID: "list-messages", Method: http.MethodGet, Path: "/api/v1/tickets/{number}/messages",
		Summary: "Read the conversation", Description: "Internal notes are included for staff only.", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *ticketPath) (*messagesOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ms, err := a.d.Tickets.Messages(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &messagesOut{}
			out.Body.Items = make([]MessageJSON, len(ms))
			for i, m := range ms {
				out.Body.Items[i] = messageJSON(m)
			}
			return out, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "post-message", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/messages",
		Summary: "Reply or add an internal note", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{400, 401, 403, 404, 409, 422}},
		func(ctx context.Context, in *postMessageIn) (*messageOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			m, err := a.d.Tickets.AddMessage(ctx, by, in.Number, ticket.MessageInput{Body: in.Body.Body, Internal: in.Body.Internal})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			m.Author = by.Login
			return &messageOut{Status: http.StatusCreated, Body: messageJSON(m)}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "ticket-history", Method: http.MethodGet, Path: "/api/v1/tickets/{number}/history",
		Summary: "Read the ticket's history", Description: "Every change with actor, before → after and time, oldest first.",
		Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *ticketPath) (*historyOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			evs, err := a.d.Tickets.History(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &historyOut{}
			out.Body.Items = make([]EventJSON, len(evs))
			for i, e := range evs {
				out.Body.Items[i] = EventJSON{ID: e.ID, Actor: e.Actor, Kind: string(e.Kind), Field: e.Field, From: e.From,
					To: e.To, Comment: e.Comment, At: e.At}
			}
			return out, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "list-attachments", Method: http.MethodGet, Path: "/api/v1/tickets/{number}/attachments",
		Summary: "List a ticket's attachments", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *ticketPath) (*attachmentsOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			as, err := a.d.Tickets.Attachments(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &attachmentsOut{}
			out.Body.Items = make([]AttachmentJSON, len(as))
			for i, at := range as {
				out.Body.Items[i] = attachmentJSON(in.Number, at)
			}
			return out, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "upload-attachment", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/attachments",
		Summary: "Upload an attachment", Description: fmt.Sprintf("multipart/form-data with one `file`; at most %d MB by default.", a.d.MaxAttachmentBytes>>20),
		Tags: tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: a.d.MaxAttachmentBytes + 64<<10,
		Errors: []int{401, 403, 404, 409, 413, 415, 422}},
		func(ctx context.Context, in *uploadIn) (*attachmentOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			f := in.RawBody.Data().File
			defer f.Close()
			at, err := a.d.Tickets.AddAttachment(ctx, by, in.Number, f.Filename, f)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &attachmentOut{Status: http.StatusCreated, Body: attachmentJSON(in.Number, at)}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "download-attachment", Method: http.MethodGet, Path: "/api/v1/tickets/{number}/attachments/{id}",
		Summary: "Download an attachment", Description: "Images are shown inline, anything else is served as a download; always with nosniff.",
		Tags: tags, Errors: []int{401, 404},
		Responses: map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{
			"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}},
		func(ctx context.Context, in *attachmentPath) (*huma.StreamResponse, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			at, body, err := a.d.Tickets.OpenAttachment(ctx, by, in.Number, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &huma.StreamResponse{Body: func(hctx huma.Context) {
				defer body.Close()
				r, w := humago.Unwrap(hctx)
				disp := "attachment"
				if strings.HasPrefix(at.ContentType, "image/") {
					disp = "inline"
				}
				w.Header().Set("Content-Type", at.ContentType)
				w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": at.Filename}))
				w.Header().Set("X-Content-Type-Options", "nosniff")
				w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
				w.Header().Set("Cache-Control", "private, max-age=3600")
				w.Header().Set("ETag", `"`+at.SHA256+`"`)
				http.ServeContent(w, r, "", at.CreatedAt, body)
			}}, nil
		})
}
