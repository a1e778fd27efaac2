-- name: username_taken
SELECT EXISTS (SELECT 1 FROM user_management.users WHERE lower(username) = lower($1));

-- name: email_taken
-- $2: a user id to ignore (the user changing their own email), or NULL.
SELECT EXISTS (SELECT 1 FROM user_management.users
               WHERE lower(email) = lower($1) AND ($2::uuid IS NULL OR id <> $2));

-- name: insert_user
-- ON CONFLICT covers the race between the checks above and this insert.
INSERT INTO user_management.users (username, email, full_name, password_hash, created_at, updated_at,
                                   password_changed_at)
VALUES ($1, $2, $3, $4, $5, $5, $5)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: get_user
-- $2 is "now": only roles in effect at that instant are listed.
SELECT u.id, u.username, u.email, u.full_name, u.is_active, u.created_at, u.updated_at, u.last_login_at,
       user_management.roles_in_effect(u.id, $2) AS roles
FROM user_management.users u
WHERE u.id = $1;

-- name: get_credentials
-- Login accepts the username or the email (usernames cannot contain '@', so they never collide).
SELECT id, username, email, password_hash, is_active
FROM user_management.users
WHERE lower(username) = lower($1) OR lower(email) = lower($1)
LIMIT 1;

-- name: get_credentials_by_id
SELECT id, username, email, password_hash, is_active FROM user_management.users WHERE id = $1;

-- name: get_credentials_by_id_for_update
-- Locks the account row until the transaction ends (password change, disable and delete wait).
SELECT id, username, email, password_hash, is_active FROM user_management.users WHERE id = $1 FOR UPDATE;

-- name: set_password_hash
-- A re-hash after a parameter change ($4 = false) is not a password change.
UPDATE user_management.users
SET password_hash = $2,
    updated_at = $3,
    password_changed_at = CASE WHEN $4 THEN $3 ELSE password_changed_at END
WHERE id = $1;

-- name: record_login
UPDATE user_management.users SET last_login_at = $2 WHERE id = $1;

-- name: update_profile
-- NULL leaves a field as it is; $4 says whether full_name was sent (it may be cleared to NULL).
UPDATE user_management.users
SET email = COALESCE($2, email),
    full_name = CASE WHEN $4 THEN $3 ELSE full_name END,
    updated_at = $5
WHERE id = $1
RETURNING id;

-- name: set_active
UPDATE user_management.users SET is_active = $2, updated_at = $3 WHERE id = $1 RETURNING id;

-- name: delete_user
DELETE FROM user_management.users WHERE id = $1 RETURNING id;

-- name: search_users
-- $1 text search, $2 is_active, $3 role held now, $4 now. NULL does not filter. Paged by the kit.
SELECT u.id, u.username, u.email, u.full_name, u.is_active, u.created_at, u.updated_at, u.last_login_at,
       user_management.roles_in_effect(u.id, $4) AS roles
FROM user_management.users u
WHERE ($1::text IS NULL OR u.username ILIKE '%' || $1 || '%' OR u.email ILIKE '%' || $1 || '%'
       OR u.full_name ILIKE '%' || $1 || '%')
  AND ($2::boolean IS NULL OR u.is_active = $2)
  AND ($3::text IS NULL OR $3 = ANY(user_management.roles_in_effect(u.id, $4)))
