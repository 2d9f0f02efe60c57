package httpapi

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"helpdesk/internal/kb"
)

// ArticleAttachmentJSON is a file attached to an article.
type ArticleAttachmentJSON struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	URL         string    `json:"url"`
	CreatedAt   time.Time `json:"created_at"`
}

func articleAttachmentJSON(a kb.Attachment) ArticleAttachmentJSON {
	return ArticleAttachmentJSON{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256,
		URL: fmt.Sprintf("/api/v1/kb/articles/%d/attachments/%d", a.ArticleID, a.ID), CreatedAt: a.CreatedAt}
}

func (a *API) registerKBAttachments(tags []string) {
	type uploadIn struct {
		ID      int64 `path:"id" minimum:"1"`
		RawBody huma.MultipartFormFiles[struct {
			File huma.FormFile `form:"file" required:"true" doc:"PNG, JPEG, PDF or text; the type is checked from the content."`
		}]
	}
	type attOut struct {
		Status int
		Body   ArticleAttachmentJSON
	}
	huma.Register(a.h, huma.Operation{OperationID: "upload-article-attachment", Method: http.MethodPost,
		Path: "/api/v1/kb/articles/{id}/attachments", Summary: "Attach a file to an article (staff)",
		Description: "multipart/form-data with one `file`, at most 10 MB.", Tags: tags, DefaultStatus: http.StatusCreated,
		MaxBodyBytes: kb.MaxAttachmentBytes + 64<<10, Errors: []int{401, 403, 404, 413, 422}},
		func(ctx context.Context, in *uploadIn) (*attOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			f := in.RawBody.Data().File
			defer f.Close()
			at, err := a.d.KB.AddAttachment(ctx, by, in.ID, f.Filename, f)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &attOut{Status: http.StatusCreated, Body: articleAttachmentJSON(at)}, nil
		})
	type attsOut struct {
		Body struct {
			Items []ArticleAttachmentJSON `json:"items"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "list-article-attachments", Method: http.MethodGet,
		Path: "/api/v1/kb/articles/{id}/attachments", Summary: "An article's files", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *articlePath) (*attsOut, error) {
			by, err := a.guest(ctx)
			if err != nil {
				return nil, err
			}
			as, err := a.d.KB.Attachments(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &attsOut{}
			out.Body.Items = make([]ArticleAttachmentJSON, 0, len(as))
			for _, at := range as {
				out.Body.Items = append(out.Body.Items, articleAttachmentJSON(at))
			}
			return out, nil
		})
	type fileIn struct {
		ID  int64 `path:"id" minimum:"1"`
		AID int64 `path:"aid" minimum:"1"`
	}
	huma.Register(a.h, huma.Operation{OperationID: "download-article-attachment", Method: http.MethodGet,
		Path: "/api/v1/kb/articles/{id}/attachments/{aid}", Summary: "Download an article's file", Tags: tags, Errors: []int{401, 404},
		Responses: map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{
			"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}},
		func(ctx context.Context, in *fileIn) (*huma.StreamResponse, error) {
			by, err := a.guest(ctx)
			if err != nil {
				return nil, err
			}
			at, body, err := a.d.KB.OpenAttachment(ctx, by, in.ID, in.AID)
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
				http.ServeContent(w, r, "", at.CreatedAt, body)
			}}, nil
		})
}
