-- The myorgs schema on PostgreSQL: the same tables as the SQLite store's schema version 2
-- (src/store/sqlite/schema.rs). Applied by src/store/postgres/schema.rs under an advisory
-- lock, in one transaction with its row in myorgs_schema_history.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    user_principal_name TEXT NOT NULL UNIQUE,
    -- Seed order: the first one is the person a server without sign-in acts for.
    ordinal BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,                 -- tenant GUID, lowercase
    display_name TEXT NOT NULL,
    default_domain TEXT NOT NULL,
    privacy_email TEXT,
    privacy_statement_url TEXT
);

CREATE TABLE organization_domains (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    ordinal BIGINT NOT NULL,
    domain TEXT NOT NULL,
    PRIMARY KEY (organization_id, ordinal)
);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,            -- list order, assigned once at seed time
    tenant_category TEXT NOT NULL CHECK (tenant_category IN ('home', 'guest')),
    joined_at BIGINT NOT NULL,           -- Unix seconds
    last_sign_in_at BIGINT,              -- Unix seconds; NULL = never
    leave_blocked_reason TEXT
        CHECK (leave_blocked_reason IN ('policyDisallowed', 'accountDisabled')),
    PRIMARY KEY (user_id, organization_id),
    UNIQUE (user_id, position)
);

CREATE UNIQUE INDEX one_home_organization_per_user
    ON memberships (user_id) WHERE tenant_category = 'home';

CREATE TABLE access_items (
    user_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    position BIGINT NOT NULL,            -- list order, assigned once at seed time
    id TEXT NOT NULL UNIQUE,             -- GUID, lowercase
    kind TEXT NOT NULL CHECK (kind IN ('app', 'group', 'team', 'site')),
    display_name TEXT NOT NULL,
    last_used_at BIGINT,                 -- Unix seconds; NULL = never
    PRIMARY KEY (user_id, organization_id, position),
    FOREIGN KEY (user_id, organization_id)
        REFERENCES memberships (user_id, organization_id) ON DELETE CASCADE
);

CREATE TABLE removal_requests (
    id TEXT PRIMARY KEY,                 -- GUID, lowercase
    user_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    message TEXT,                        -- the person's words, exactly as accepted
    created_at BIGINT NOT NULL,          -- Unix seconds
    -- Every stored request is pending: a cancelled one is deleted. One per membership.
    UNIQUE (user_id, organization_id),
    FOREIGN KEY (user_id, organization_id)
        REFERENCES memberships (user_id, organization_id) ON DELETE CASCADE
);
