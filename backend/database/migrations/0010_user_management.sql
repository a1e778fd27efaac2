-- Accounts, roles (with effective dates and an audit trail), server-side sessions and rotated
-- refresh tokens. Secrets (session tokens, refresh tokens) are stored only as SHA-256 digests.

CREATE TABLE user_management.users (
    id                   UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    username             TEXT        NOT NULL CHECK (username ~ '^[A-Za-z0-9_.-]{3,50}$'),
    email                TEXT        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    full_name            TEXT        CHECK (full_name IS NULL OR length(full_name) <= 200),
    password_hash        TEXT        NOT NULL,
    is_active            BOOLEAN     NOT NULL DEFAULT true,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    password_changed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login_at        TIMESTAMPTZ
);
-- Case-insensitive identity: "Alice" and "alice" are the same account.
CREATE UNIQUE INDEX users_username_lower_key ON user_management.users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON user_management.users (lower(email));
CREATE INDEX users_created_idx ON user_management.users (created_at);

CREATE TABLE user_management.roles (
    name         TEXT PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,49}$'),
    description  TEXT NOT NULL
);
INSERT INTO user_management.roles (name, description) VALUES
    ('admin', 'Administers users, roles, sessions, pipelines and logs'),
    ('seller', 'Manages marketplace integrations and listings');

CREATE TABLE user_management.user_roles (
    user_id         UUID        NOT NULL REFERENCES user_management.users (id) ON DELETE CASCADE,
    role_name       TEXT        NOT NULL REFERENCES user_management.roles (name),
    effective_from  TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ,
    granted_by      UUID        REFERENCES user_management.users (id) ON DELETE SET NULL,
    reason          TEXT        NOT NULL,
    granted_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role_name),
    CHECK (expires_at IS NULL OR expires_at > effective_from)
);
CREATE INDEX user_roles_role_idx ON user_management.user_roles (role_name);

-- Who changed which role of whom, when and why. No foreign keys: the trail outlives deleted users.
CREATE TABLE user_management.role_audit (
    id              BIGSERIAL   PRIMARY KEY,
    user_id         UUID        NOT NULL,
    username        TEXT        NOT NULL,
    role_name       TEXT        NOT NULL,
    action          TEXT        NOT NULL CHECK (action IN ('grant', 'revoke')),
    effective_from  TIMESTAMPTZ,
    expires_at      TIMESTAMPTZ,
    actor_id        UUID,
    actor_username  TEXT        NOT NULL,
    reason          TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX role_audit_user_idx ON user_management.role_audit (user_id, created_at DESC);

-- One row per login. `id` is public (listed, used in URLs); the cookie value is secret and
-- only its digest is kept.
CREATE TABLE user_management.sessions (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         UUID        NOT NULL REFERENCES user_management.users (id) ON DELETE CASCADE,
    token_hash      BYTEA       NOT NULL UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,      -- absolute lifetime
    revoked_at      TIMESTAMPTZ,
    revoked_reason  TEXT,
    ip_address      TEXT,
    user_agent      TEXT
);
CREATE INDEX sessions_user_idx ON user_management.sessions (user_id, created_at DESC);
CREATE INDEX sessions_expires_idx ON user_management.sessions (expires_at);

-- Refresh tokens are single use; the session is their family: reusing a spent token revokes it.
CREATE TABLE user_management.refresh_tokens (
    id           UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id   UUID        NOT NULL REFERENCES user_management.sessions (id) ON DELETE CASCADE,
    token_hash   BYTEA       NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session_idx ON user_management.refresh_tokens (session_id);
