-- name: insert_session
INSERT INTO user_management.sessions (user_id, token_hash, created_at, last_seen_at, expires_at,
                                      ip_address, user_agent)
VALUES ($1, $2, $3, $3, $4, $5, $6)
RETURNING id;

-- name: principal_columns_fragment
-- What both principal lookups return besides the roles.
s.id AS session_id, s.user_id, s.last_seen_at, s.expires_at, s.revoked_at, u.username, u.is_active

-- name: principal_by_token_hash
-- The session a cookie names, its user and the roles in effect at $2 ("now").
SELECT {principal_columns}, user_management.roles_in_effect(u.id, $2) AS roles
FROM user_management.sessions s
JOIN user_management.users u ON u.id = s.user_id
WHERE s.token_hash = $1;

-- name: principal_by_session_id
-- The session an access token names; $2 (the token's subject) must own it; roles at $3 ("now").
SELECT {principal_columns}, user_management.roles_in_effect(u.id, $3) AS roles
FROM user_management.sessions s
JOIN user_management.users u ON u.id = s.user_id
WHERE s.id = $1 AND s.user_id = $2;

-- name: touch_session
UPDATE user_management.sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2;

-- name: get_session
SELECT id, user_id, created_at, last_seen_at, expires_at, revoked_at, revoked_reason, ip_address, user_agent
FROM user_management.sessions
WHERE id = $1;

-- name: list_sessions
-- $1 user (NULL: everyone, admins only), $2 only sessions still usable at $3, $4 idle timeout (s).
-- Paged by the repository kit, newest first.
SELECT id, user_id, created_at, last_seen_at, expires_at, revoked_at, revoked_reason, ip_address, user_agent
FROM user_management.sessions
WHERE ($1::uuid IS NULL OR user_id = $1)
  AND (NOT $2 OR (revoked_at IS NULL AND expires_at > $3
                  AND last_seen_at > $3 - make_interval(secs => $4)))

-- name: revoke_session
UPDATE user_management.sessions SET revoked_at = $2, revoked_reason = $3
WHERE id = $1 AND revoked_at IS NULL
RETURNING id;

-- name: revoke_session_by_token_hash
UPDATE user_management.sessions SET revoked_at = $2, revoked_reason = $3
WHERE token_hash = $1 AND revoked_at IS NULL
RETURNING id;

-- name: revoke_user_sessions
-- Every live session of a user except $4 (NULL: all of them).
UPDATE user_management.sessions SET revoked_at = $2, revoked_reason = $3
WHERE user_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR id <> $4)
RETURNING id;

-- name: insert_refresh_token
INSERT INTO user_management.refresh_tokens (session_id, token_hash, created_at, expires_at)
VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: refresh_token_by_hash
SELECT t.id, t.session_id, t.expires_at, t.used_at, t.revoked_at, s.user_id
FROM user_management.refresh_tokens t
JOIN user_management.sessions s ON s.id = t.session_id
WHERE t.token_hash = $1;

-- name: consume_refresh_token
-- Single use: only the first caller gets the row back, a concurrent second one counts as reuse.
UPDATE user_management.refresh_tokens SET used_at = $2
WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL
RETURNING id;

-- name: revoke_refresh_tokens
UPDATE user_management.refresh_tokens SET revoked_at = $2
WHERE session_id = $1 AND revoked_at IS NULL;

-- name: revoke_refresh_tokens_of_sessions
UPDATE user_management.refresh_tokens SET revoked_at = $2
WHERE session_id = ANY($1::uuid[]) AND revoked_at IS NULL;

-- name: delete_expired_sessions
DELETE FROM user_management.sessions WHERE expires_at < $1;
