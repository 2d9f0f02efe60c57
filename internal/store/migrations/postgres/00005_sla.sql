-- +goose Up
-- SLA: business calendars (weekly hours in a time zone, holidays and make-up
-- workdays), the policy of each priority, and a version counter that every
-- change of them bumps so each node knows when to reload its cached copy.
CREATE TABLE sla_calendars (
    key        TEXT    PRIMARY KEY,
    name_zh    TEXT    NOT NULL,
    name_en    TEXT    NOT NULL,
    -- IANA time zone; working hours are wall-clock times there.
    time_zone  TEXT    NOT NULL,
    -- JSON: {"mon":["09:00-12:00","13:30-18:00"], ...}, weekdays without hours left out.
    hours      TEXT    NOT NULL,
    -- Weekday (0 = Sunday) whose hours a make-up workday (调休上班) has.
    make_up_as INTEGER NOT NULL DEFAULT 1 CHECK (make_up_as BETWEEN 0 AND 6),
    revision   BIGINT  NOT NULL DEFAULT 1,
    updated_at BIGINT  NOT NULL
);

-- Holidays (workday = FALSE) and make-up workdays, by local date.
CREATE TABLE sla_calendar_days (
    calendar_key TEXT    NOT NULL REFERENCES sla_calendars(key) ON DELETE CASCADE,
    day          TEXT    NOT NULL, -- YYYY-MM-DD
    workday      BOOLEAN NOT NULL,
    name         TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (calendar_key, day)
);

-- Targets are seconds of working time on the policy's calendar.
CREATE TABLE sla_policies (
    priority            TEXT    PRIMARY KEY,
    calendar_key        TEXT    NOT NULL REFERENCES sla_calendars(key),
    acknowledge_secs    BIGINT  NOT NULL CHECK (acknowledge_secs > 0),
    first_response_secs BIGINT  NOT NULL CHECK (first_response_secs > 0),
    resolution_secs     BIGINT  NOT NULL CHECK (resolution_secs > 0),
    warn_share          DOUBLE PRECISION NOT NULL CHECK (warn_share > 0 AND warn_share < 1),
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX sla_policies_calendar ON sla_policies (calendar_key);

CREATE TABLE sla_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO sla_version (id, version) VALUES (1, 1);

INSERT INTO sla_calendars (key, name_zh, name_en, time_zone, hours, make_up_as, revision, updated_at) VALUES
    ('24x7', '全天候（7×24 小时）', 'Around the clock (24×7)', 'Asia/Shanghai',
     '{"sun":["00:00-24:00"],"mon":["00:00-24:00"],"tue":["00:00-24:00"],"wed":["00:00-24:00"],"thu":["00:00-24:00"],"fri":["00:00-24:00"],"sat":["00:00-24:00"]}', 1, 1, 0),
    ('workdays', '工作日 9:00–18:00（北京时间）', 'Workdays 09:00–18:00 (Beijing time)', 'Asia/Shanghai',
     '{"mon":["09:00-18:00"],"tue":["09:00-18:00"],"wed":["09:00-18:00"],"thu":["09:00-18:00"],"fri":["09:00-18:00"]}', 1, 1, 0);

-- P1 2 h / 8 h, P2 4 h / 24 h, P4 24 h / 72 h around the clock; P3 8 / 40
-- working hours; everyone acknowledges within an hour; warn at 75 %.
INSERT INTO sla_policies (priority, calendar_key, acknowledge_secs, first_response_secs, resolution_secs, warn_share, updated_at) VALUES
    ('P1', '24x7',     3600,  7200,  28800, 0.75, 0),
    ('P2', '24x7',     3600, 14400,  86400, 0.75, 0),
    ('P3', 'workdays', 3600, 28800, 144000, 0.75, 0),
    ('P4', '24x7',     3600, 86400, 259200, 0.75, 0);

-- +goose Down
DROP TABLE sla_version;
DROP TABLE sla_policies;
DROP TABLE sla_calendar_days;
DROP TABLE sla_calendars;
