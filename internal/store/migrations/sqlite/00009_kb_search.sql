-- +goose Up
-- Full-text search: contentless FTS5 tables fed the Go tokenizer's output
-- (words and CJK bigrams, then CJK unigrams), rowid = the indexed row's id.
-- The ascii tokenizer splits on ASCII spaces and keeps every non-ASCII
-- character, so the tokens arrive unchanged. ticket_fts.scope holds who
-- may see the ticket (r<requester> o<org> g<group> a<assignee>), so a
-- customer's or an agent's search is narrowed inside the index.
CREATE VIRTUAL TABLE ticket_fts USING fts5(title, body, scope, content='', contentless_delete=1, tokenize='ascii');
CREATE VIRTUAL TABLE message_fts USING fts5(body, content='', contentless_delete=1, tokenize='ascii');
CREATE VIRTUAL TABLE article_fts USING fts5(title, body, content='', contentless_delete=1, tokenize='ascii');

-- Knowledge base: articles, every version, the review trail, feedback,
-- attachments, the personal data masked in drafts made from tickets.
CREATE TABLE kb_articles (
    id               INTEGER PRIMARY KEY,
    title            TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    category_id      BIGINT  REFERENCES categories(id),
    tags             TEXT    NOT NULL DEFAULT '',
    audience         TEXT    NOT NULL,
    lang             TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    version          INTEGER NOT NULL,
    author_id        BIGINT  NOT NULL REFERENCES users(id),
    source_ticket_id BIGINT  REFERENCES tickets(id),
    helpful          INTEGER NOT NULL DEFAULT 0,
    unhelpful        INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    published_at     BIGINT
);
CREATE INDEX kb_articles_state ON kb_articles (state, category_id, updated_at);

CREATE TABLE kb_versions (
    article_id  BIGINT  NOT NULL REFERENCES kb_articles(id),
    version     INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    category_id BIGINT,
    tags        TEXT    NOT NULL DEFAULT '',
    audience    TEXT    NOT NULL,
    lang        TEXT    NOT NULL,
    editor_id   BIGINT  REFERENCES users(id),
    note        TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE kb_reviews (
    id         INTEGER PRIMARY KEY,
    article_id BIGINT  NOT NULL REFERENCES kb_articles(id),
    version    INTEGER NOT NULL,
    actor_id   BIGINT  REFERENCES users(id),
    action     TEXT    NOT NULL,
    comment    TEXT    NOT NULL DEFAULT '',
    created_at BIGINT  NOT NULL
);
CREATE INDEX kb_reviews_article ON kb_reviews (article_id, id);

CREATE TABLE kb_feedback (
    id         INTEGER PRIMARY KEY,
    article_id BIGINT  NOT NULL REFERENCES kb_articles(id),
    user_id    BIGINT  REFERENCES users(id),
    helpful    BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE UNIQUE INDEX kb_feedback_user ON kb_feedback (article_id, user_id);

CREATE TABLE kb_attachments (
    id           INTEGER PRIMARY KEY,
    article_id   BIGINT  NOT NULL REFERENCES kb_articles(id),
    uploader_id  BIGINT  REFERENCES users(id),
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX kb_attachments_article ON kb_attachments (article_id);

CREATE TABLE kb_maskings (
    article_id  BIGINT  NOT NULL REFERENCES kb_articles(id),
    seq         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    hint        TEXT    NOT NULL,
    replacement TEXT    NOT NULL,
    confirmed   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (article_id, seq)
);

-- A customer who found the answer in an article instead of filing a ticket.
CREATE TABLE kb_deflections (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT REFERENCES users(id),
    article_id  BIGINT NOT NULL REFERENCES kb_articles(id),
    category_id BIGINT REFERENCES categories(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX kb_deflections_created ON kb_deflections (created_at);

-- Canned responses with variables and optional actions.
CREATE TABLE kb_macros (
    id           INTEGER PRIMARY KEY,
    name         TEXT   NOT NULL UNIQUE,
    body         TEXT   NOT NULL,
    set_status   TEXT   NOT NULL DEFAULT '',
    set_category TEXT   NOT NULL DEFAULT '',
    set_assignee TEXT   NOT NULL DEFAULT '',
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- Trained suggestion models (category, priority) and assistance settings.
CREATE TABLE kb_models (
    name       TEXT    PRIMARY KEY,
    data       TEXT    NOT NULL,
    accuracy   DOUBLE PRECISION NOT NULL,
    n_train    INTEGER NOT NULL,
    n_test     INTEGER NOT NULL,
    trained_at BIGINT  NOT NULL
);
CREATE TABLE kb_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The search index is filled from Go; the first start after this
-- migration (and `helpdesk search reindex`) indexes the existing rows.
CREATE TABLE search_state (
    id      INTEGER PRIMARY KEY,
    reindex BOOLEAN NOT NULL
);
INSERT INTO search_state (id, reindex) VALUES (1, TRUE);

-- +goose Down
DROP TABLE search_state; DROP TABLE kb_settings; DROP TABLE kb_models; DROP TABLE kb_macros; DROP TABLE kb_deflections;
DROP TABLE kb_maskings; DROP TABLE kb_attachments; DROP TABLE kb_feedback; DROP TABLE kb_reviews; DROP TABLE kb_versions;
DROP TABLE kb_articles; DROP TABLE article_fts; DROP TABLE message_fts; DROP TABLE ticket_fts;
