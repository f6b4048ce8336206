-- The name order (`$orderby=displayName`), as the SQLite store's schema version 3: each
-- membership holds its organization's name key (src/store/name_key.rs), which only the server
-- can compute (it folds names as the page does). Added empty here; src/store/postgres/schema.rs
-- then computes the key of every membership already stored, and V3 makes it required.
-- `COLLATE "C"`: keys compare as bytes, as the page compares them, whatever the database's
-- default collation.

ALTER TABLE memberships ADD COLUMN name_key TEXT COLLATE "C";
