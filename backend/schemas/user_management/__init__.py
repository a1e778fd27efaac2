"""Request and response models for accounts, authentication, sessions and roles.

Response models list their fields explicitly: none of them can carry a password hash or a token digest.
"""
