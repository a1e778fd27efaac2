"""TCGplayer: streaming readers of marketplace dumps (listings and products)."""
