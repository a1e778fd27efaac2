-- name: role_exists
SELECT EXISTS (SELECT 1 FROM user_management.roles WHERE name = $1);

-- name: list_roles
SELECT name, description FROM user_management.roles ORDER BY name;

-- name: upsert_user_role
-- Granting a role the user already holds replaces its dates, grantor and reason.
INSERT INTO user_management.user_roles (user_id, role_name, effective_from, expires_at, granted_by, reason,
                                        granted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (user_id, role_name) DO UPDATE
SET effective_from = EXCLUDED.effective_from,
    expires_at = EXCLUDED.expires_at,
    granted_by = EXCLUDED.granted_by,
    reason = EXCLUDED.reason,
    granted_at = EXCLUDED.granted_at
RETURNING user_id, role_name, effective_from, expires_at, granted_by, reason, granted_at;

-- name: delete_user_role
DELETE FROM user_management.user_roles WHERE user_id = $1 AND role_name = $2
RETURNING user_id, role_name, effective_from, expires_at;

-- name: user_role_grants
SELECT user_id, role_name, effective_from, expires_at, granted_by, reason, granted_at
FROM user_management.user_roles
WHERE user_id = $1
ORDER BY role_name;

-- name: insert_audit
INSERT INTO user_management.role_audit (user_id, username, role_name, action, effective_from, expires_at,
                                        actor_id, actor_username, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: audit_for_user
-- Paged by the repository kit, newest first.
SELECT id, user_id, username, role_name, action, effective_from, expires_at, actor_id, actor_username,
       reason, created_at
FROM user_management.role_audit
WHERE user_id = $1

-- name: count_active_admins
-- Active accounts holding the admin role at $1, optionally ignoring user $2.
-- (Starts from the admin grants, through user_roles_role_idx, rather than from every user.)
SELECT count(*)
FROM user_management.user_roles r
JOIN user_management.users u ON u.id = r.user_id
WHERE r.role_name = 'admin' AND u.is_active
  AND 'admin' = ANY(user_management.roles_in_effect(u.id, $1))
  AND ($2::uuid IS NULL OR u.id <> $2);

-- name: lock_admin_changes
-- Serialises "is this the last admin?" decisions between concurrent transactions.
SELECT pg_advisory_xact_lock(hashtext('automana.user_management.admins'));
