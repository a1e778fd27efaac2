"""/api/catalog/mtg routers: card reference and set reference (included by backend/api/catalog)."""
