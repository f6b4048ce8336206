-- After src/store/postgres/schema.rs has computed the name key of every membership stored before
-- V2: every membership has one, and a person's guest organizations are read in name order, page
-- by page, from this index (keys and ids compared as bytes; the home organization is read on its
-- own).

ALTER TABLE memberships ALTER COLUMN name_key SET NOT NULL;

CREATE INDEX memberships_by_name
    ON memberships (user_id, name_key, organization_id COLLATE "C")
    WHERE tenant_category = 'guest';
