-- newswatch database schema: the single source of truth for every table.
-- Applied with CREATE ... IF NOT EXISTS on every connection that writes, so an
-- existing database is never altered destructively. Columns named in
-- ../shared/SPEC.md are a contract: extend, never rename or drop.

CREATE TABLE IF NOT EXISTS articles (
    article_id      VARCHAR PRIMARY KEY,   -- stable: hash of the canonical URL, else of origin + content
    url             VARCHAR,
    origin          VARCHAR,               -- feed entry link, replayed file name, or JSONL id
    title           VARCHAR,
    publisher       VARCHAR,
    published_at    TIMESTAMP,
    fetched_at      TIMESTAMP,
    language        VARCHAR,
    text            VARCHAR,               -- cleaned article text; mention offsets point into it
    content_hash    VARCHAR,
    source          VARCHAR,               -- 'replay' or 'feed:<name>'
    date_source     VARCHAR,               -- where published_at came from: record, manifest, feed, page, dateline, archive
    date_note       VARCHAR                -- why a publication date given with the input was not used
);
-- databases made before date_note existed get it (columns are added, never renamed or dropped)
ALTER TABLE articles ADD COLUMN IF NOT EXISTS date_note VARCHAR;

CREATE TABLE IF NOT EXISTS events (
    event_id        VARCHAR PRIMARY KEY,
    event_type      VARCHAR NOT NULL,      -- see schemas/taxonomy.toml
    participants    VARCHAR[] NOT NULL,    -- sorted ISO 3166-1 alpha-3 / organisation codes
    event_date      DATE,                  -- first day of the period when coarser than a day
    date_precision  VARCHAR,               -- day | month | year | NULL
    location        VARCHAR,
    status          VARCHAR,               -- occurred | planned
    confidence      DOUBLE,                -- 0..1, the best mention's
    article_count   INTEGER,
    first_seen_at   TIMESTAMP,
    last_seen_at    TIMESTAMP,
    cameo_code      VARCHAR,
    plover_type     VARCHAR,
    low_confidence  BOOLEAN                -- confidence below the documented threshold
);

CREATE TABLE IF NOT EXISTS event_mentions (
    event_id        VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,
    evidence        VARCHAR,               -- the sentence
    char_start      INTEGER,               -- offsets into articles.text
    char_end        INTEGER,
    in_background   BOOLEAN,
    confidence      DOUBLE,
    mention_date    DATE,                  -- the date as this article gives it
    mention_date_precision VARCHAR,
    status          VARCHAR,
    PRIMARY KEY (event_id, article_id, char_start)
);

CREATE TABLE IF NOT EXISTS ingest_errors (
    error_id        VARCHAR PRIMARY KEY,   -- hash of (origin, url, stage, error): re-running adds no rows
    first_seen_at   TIMESTAMP,
    last_seen_at    TIMESTAMP,
    attempts        INTEGER,
    feed            VARCHAR,               -- feed name, when the input came from a feed
    origin          VARCHAR,               -- file, record id or feed entry link
    url             VARCHAR,
    stage           VARCHAR,               -- read | decode | clean | extract | fetch_feed | parse_feed | fetch_page | ...
    error           VARCHAR,               -- a clear, human reason
    raw             VARCHAR                -- the raw input (truncated) or a pointer to it
);

CREATE TABLE IF NOT EXISTS feed_state (
    feed_url        VARCHAR PRIMARY KEY,
    name            VARCHAR,
    etag            VARCHAR,
    last_modified   VARCHAR,
    last_polled_at  TIMESTAMP,
    last_status     INTEGER,
    last_error      VARCHAR,
    consecutive_failures INTEGER
);

CREATE TABLE IF NOT EXISTS seen_urls (
    url             VARCHAR PRIMARY KEY,   -- canonical URL
    feed            VARCHAR,
    first_seen_at   TIMESTAMP,
    article_id      VARCHAR,
    status          VARCHAR                -- stored | failed
);

CREATE TABLE IF NOT EXISTS loaded_shards (
    shard           VARCHAR PRIMARY KEY,   -- path of a Parquet shard relative to its output folder
    loaded_at       TIMESTAMP
);

-- The nine event types (filled from taxonomy.toml by apply_ddl: one source for the fact).
CREATE TABLE IF NOT EXISTS event_types (
    event_type      VARCHAR PRIMARY KEY,
    description     VARCHAR,
    cameo_code      VARCHAR,
    plover_type     VARCHAR,
    cameo_aid_code  VARCHAR,               -- for donations and aid, where the type has one
    plover_aid_type VARCHAR
);

-- One row per mention: the event with the article that reports it (as many rows as event_mentions).
CREATE OR REPLACE VIEW event_sources AS
SELECT m.event_id, e.event_type, e.participants, e.event_date, e.date_precision, e.status,
       e.confidence AS event_confidence, e.article_count,
       m.article_id, a.url, a.publisher, a.published_at, a.title,
       m.evidence, m.in_background, m.confidence AS mention_confidence, m.mention_date, m.char_start, m.char_end
FROM event_mentions m
LEFT JOIN events e USING (event_id)
LEFT JOIN articles a USING (article_id);

-- Who cooperates with whom: one row per unordered pair of participants and event type.
CREATE OR REPLACE VIEW dyads AS
SELECT x.code AS party_a, y.code AS party_b, e.event_type,
       count(*) AS events, sum(e.article_count) AS reports,
       min(e.event_date) AS first_date, max(e.event_date) AS last_date
FROM events e
CROSS JOIN unnest(e.participants) AS x(code)
CROSS JOIN unnest(e.participants) AS y(code)
WHERE x.code < y.code
GROUP BY ALL;
