"""User collection domain: a user's cards, and importing/exporting them in other apps' formats."""
