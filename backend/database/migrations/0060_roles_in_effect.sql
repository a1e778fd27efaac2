-- "The roles a user holds at an instant" in one place: every query that lists or checks roles
-- calls this instead of repeating the effective_from/expires_at condition. A single-SELECT SQL
-- function marked STABLE, so the planner inlines it into the calling query (no call overhead on
-- the per-request principal lookup).
CREATE FUNCTION user_management.roles_in_effect(p_user_id uuid, p_at timestamptz)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT COALESCE((SELECT array_agg(r.role_name ORDER BY r.role_name)
                     FROM user_management.user_roles r
                     WHERE r.user_id = p_user_id AND r.effective_from <= p_at
                       AND (r.expires_at IS NULL OR r.expires_at > p_at)), '{}'::text[])
$$;
