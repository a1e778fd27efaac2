"""Pricing domain: the price store (observations, latest prices) and the staging of price sources."""
