-- History search by message text (SPEC §2.5): a trigram index on the text
-- of chat messages finds any substring of three characters or more with
-- LIKE and ILIKE; shorter ones are found by the index's full scan and the
-- recheck. pg_trgm counts as trigram characters the letters and digits of
-- the database's locale (LC_CTYPE): in a UTF-8 locale that includes
-- Chinese, in the C locale only ASCII, where Chinese text is still found,
-- without the index narrowing the search.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX events_text ON events USING gin (text gin_trgm_ops) WHERE text IS NOT NULL;
