-- Collections of one owner. Every statement takes the owner: another user's collection is simply
-- not found.

-- name: collection_columns_fragment
c.collection_id, c.name, c.description, c.kind, c.currency, c.created_at, c.updated_at, c.contents_version,
c.entry_count, c.card_count

-- name: create_collection
-- $1 owner, $2 name, $3 description, $4 kind, $5 currency.
INSERT INTO user_collection.collections (owner_id, name, description, kind, currency)
VALUES ($1, $2, $3, $4, $5)
RETURNING collection_id

-- name: get_collection
-- $1 owner, $2 collection.
SELECT {collection_columns}
FROM user_collection.collections c
WHERE c.owner_id = $1 AND c.collection_id = $2

-- name: lock_collection
-- $1 owner, $2 collection: held until the transaction ends, so changes to one collection queue up.
SELECT c.collection_id, c.kind, c.currency, c.contents_version
FROM user_collection.collections c
WHERE c.owner_id = $1 AND c.collection_id = $2
FOR UPDATE

-- name: list_collections
-- $1 owner, $2 kind or NULL. Paged by the kit.
SELECT {collection_columns}, c.collection_id AS id
FROM user_collection.collections c
WHERE c.owner_id = $1 AND ($2::text IS NULL OR c.kind = $2)

-- name: delete_collection
-- $1 owner, $2 collection: the entries that went with it, or NULL when there was no such collection.
WITH gone AS (
    DELETE FROM user_collection.collections c WHERE c.owner_id = $1 AND c.collection_id = $2
    RETURNING c.collection_id
)
SELECT (SELECT count(*) FROM user_collection.entries e JOIN gone USING (collection_id)) AS entries
FROM gone

-- name: bump_contents
-- $1 collection: its entries changed (cached values and value series are stale from now on); its
-- counts as they are now (the caller holds the collection's lock).
UPDATE user_collection.collections c
SET contents_version = contents_version + 1, updated_at = now(),
    entry_count = counts.entries, card_count = counts.cards
FROM (SELECT count(*) AS entries, COALESCE(sum(quantity), 0) AS cards
      FROM user_collection.entries WHERE collection_id = $1) counts
WHERE c.collection_id = $1

-- name: owned_copies
-- $1 owner, $2 collection to leave out: copies held per printing and finish in the owner's other
-- collections and binders (not wishlists).
SELECT e.card_version_id, e.finish, sum(e.quantity)::bigint AS owned
FROM user_collection.entries e
JOIN user_collection.collections c ON c.collection_id = e.collection_id
WHERE c.owner_id = $1 AND c.collection_id <> $2 AND c.kind <> 'wishlist'
GROUP BY e.card_version_id, e.finish

-- name: lock_collection_by_id
-- $1 collection (background refreshes, which act for no user).
SELECT c.collection_id, c.kind, c.currency, c.contents_version
FROM user_collection.collections c
WHERE c.collection_id = $1
FOR UPDATE
