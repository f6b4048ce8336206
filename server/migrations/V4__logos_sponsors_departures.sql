-- What helps a person recognise an organization (its square logo, their sponsors there) and
-- find the way back after leaving one (a departure, written with the leave), as the SQLite
-- store's schema version 4.

ALTER TABLE organizations ADD COLUMN square_logo_url TEXT;   -- absolute, or a path here

CREATE TABLE sponsors (
    user_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    ordinal BIGINT NOT NULL,             -- the organization's order
    display_name TEXT NOT NULL,
    mail TEXT,
    PRIMARY KEY (user_id, organization_id, ordinal),
    FOREIGN KEY (user_id, organization_id)
        REFERENCES memberships (user_id, organization_id) ON DELETE CASCADE
);

-- A record of a leave, kept for the retention period; no reference to the membership, which
-- the leave deleted.
CREATE TABLE departures (
    position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the order they were recorded in
    id TEXT NOT NULL UNIQUE,             -- GUID, lowercase
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    default_domain TEXT NOT NULL,
    left_at BIGINT NOT NULL,             -- Unix seconds
    sponsors TEXT NOT NULL,              -- JSON: [{"displayName", "mail"}], as they were
    privacy_email TEXT,
    privacy_statement_url TEXT
);

CREATE INDEX departures_by_person ON departures (user_id, position);
CREATE INDEX departures_by_time ON departures (left_at);
